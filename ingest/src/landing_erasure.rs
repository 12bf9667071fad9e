//! Erasing one customer's personal data from the landing copy. Landing keeps files as their
//! producers delivered them; the one exception is the law's: once a customer's retention has
//! run out and the customer asks to be forgotten, the personal-data fields of their records
//! are nulled in place, each file rewritten whole under its own name (so ingest, which knows
//! the files it took by name, does not take it again). DMS files (Parquet and CSV), DynamoDB
//! stream records and Kinesis objects are rewritten; in DMS files the customer's name is also
//! replaced where others' free text mentions it (a transfer's memo names its counterparty).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use arrow::array::{new_null_array, Array, ArrayRef, BooleanArray, Scalar, StringArray};
use arrow::record_batch::RecordBatch;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ArrowWriter;
use paylake_catalog::erasure::{NameMention, CUSTOMER_COLUMN};
use paylake_catalog::registry::FREE_TEXT_COLUMNS;
use paylake_catalog::{registry, Zone};
use serde_json::Value;

use crate::error::{IngestError, Result};
use crate::landing::{LandingFile, LandingStore};
use crate::sources::{dms, entity_fields, Source};

/// What erasing a customer did to the landing copy.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct LandingErasure {
    /// Files rewritten with the customer's personal data nulled, relative to `landing/`.
    pub files_rewritten: Vec<String>,
    /// Records whose personal data was nulled.
    pub records_erased: usize,
    /// Records of others whose free text named the customer, the name replaced.
    pub mentions_redacted: usize,
}

/// The personal-data columns of a source entity, as the registry names them.
fn personal_columns(entity: &str) -> Vec<&'static str> {
    registry()
        .get(Zone::Silver, entity)
        .map(|table| table.personal_data.clone())
        .unwrap_or_default()
}

/// Nulls the personal data of `customers` in every landing file that holds any of them, and
/// replaces their `names` (by customer) in the free text of anyone's DMS records, in one pass
/// over landing however many customers are erased; what was done, per customer.
pub async fn erase_customers_from_landing(
    store: &LandingStore,
    customers: &BTreeSet<String>,
    names: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, LandingErasure>> {
    let mut erasures: BTreeMap<String, LandingErasure> = customers
        .iter()
        .map(|customer| (customer.clone(), LandingErasure::default()))
        .collect();
    if customers.is_empty() {
        return Ok(erasures);
    }
    let mentions: BTreeMap<String, NameMention> = names
        .iter()
        .filter_map(|(customer, name)| Some((customer.clone(), NameMention::new(name)?)))
        .collect();
    for source in [Source::Aurora, Source::DynamoDb, Source::Kinesis] {
        for file in store.list(source).await? {
            let entity = match source {
                Source::Aurora => dms::entity_of(&file.relative_path),
                Source::DynamoDb => Some("payments"),
                _ => Some("payment_events"),
            };
            let personal = entity.map(personal_columns).unwrap_or_default();
            if personal.is_empty() {
                continue;
            }
            store.fetch(&file).await?;
            let rewritten = match (source, entity) {
                (Source::Aurora, Some(entity)) => {
                    let free_text: Vec<&str> = FREE_TEXT_COLUMNS
                        .iter()
                        .filter(|(of, _)| *of == entity)
                        .map(|(_, column)| *column)
                        .collect();
                    let erasing = Erasing {
                        personal: &personal,
                        customers,
                        free_text: &free_text,
                        mentions: &mentions,
                    };
                    let erased = if file.relative_path.ends_with(".csv") {
                        erase_in_dms_csv(&file, entity, &erasing)?
                    } else {
                        erase_in_parquet(&file, &erasing)?
                    };
                    if let Some(rewritten) = &erased {
                        for (customer, count) in &rewritten.mentions {
                            let erasure = erasures.entry(customer.clone()).or_default();
                            erasure.mentions_redacted += count;
                            if !erasure.files_rewritten.contains(&file.relative_path) {
                                erasure.files_rewritten.push(file.relative_path.clone());
                            }
                        }
                    }
                    erased.map(|rewritten| (rewritten.records, rewritten.content))
                }
                _ => {
                    let bytes = std::fs::read(&file.path)
                        .map_err(|source| IngestError::io(&file.path, source))?;
                    let text = String::from_utf8_lossy(&bytes);
                    let named = customers
                        .iter()
                        .any(|customer| text.contains(customer.as_str()));
                    match source {
                        _ if !named => None,
                        Source::DynamoDb => erase_in_stream_records(&text, &personal, customers)?,
                        _ => erase_in_json_objects(&bytes, &personal, customers)?,
                    }
                }
            };
            store.release(&file);
            if let Some((records, content)) = rewritten {
                store.put_file(&file.relative_path, content).await?;
                for (customer, count) in records {
                    let erasure = erasures.entry(customer).or_default();
                    erasure.records_erased += count;
                    if !erasure.files_rewritten.contains(&file.relative_path) {
                        erasure.files_rewritten.push(file.relative_path.clone());
                    }
                }
            }
        }
    }
    Ok(erasures)
}

/// Records erased per customer, and the file's new content.
type Rewritten = Option<(BTreeMap<String, usize>, Vec<u8>)>;

/// What is erased from a DMS file.
struct Erasing<'a> {
    /// The entity's personal-data columns, nulled in the customers' records.
    personal: &'a [&'a str],
    customers: &'a BTreeSet<String>,
    /// The entity's free-text columns, where the names are replaced in anyone's records.
    free_text: &'a [&'a str],
    /// How each customer's name is found in free text, by customer.
    mentions: &'a BTreeMap<String, NameMention>,
}

/// A DMS file rewritten: records erased per customer, others' records that mentioned each
/// customer, and the file's new content.
struct DmsErasure {
    records: BTreeMap<String, usize>,
    mentions: BTreeMap<String, usize>,
    content: Vec<u8>,
}

/// A DMS Parquet file with the customers' personal columns nulled and their names replaced in
/// the free-text columns of every row: records erased per customer, mentions per customer, and
/// the new content; `None` when the file holds neither.
fn erase_in_parquet(file: &LandingFile, erasing: &Erasing<'_>) -> Result<Option<DmsErasure>> {
    let Erasing {
        personal,
        customers,
        free_text,
        mentions,
    } = *erasing;
    let opened =
        std::fs::File::open(&file.path).map_err(|source| IngestError::io(&file.path, source))?;
    let reader = ParquetRecordBatchReaderBuilder::try_new(opened)?.build()?;
    let schema = arrow::record_batch::RecordBatchReader::schema(&reader);
    let Ok(customer_index) = schema.index_of(CUSTOMER_COLUMN) else {
        return Ok(None);
    };
    let mut erased: BTreeMap<String, usize> = BTreeMap::new();
    let mut mentioned: BTreeMap<String, usize> = BTreeMap::new();
    let mut batches = Vec::new();
    for batch in reader {
        let batch = batch?;
        let owners = arrow::compute::cast(
            batch.column(customer_index),
            &arrow::datatypes::DataType::Utf8,
        )?;
        // Only rows still holding personal data: erasing twice rewrites nothing the second time.
        let mut holds_personal_data = BooleanArray::from(vec![false; batch.num_rows()]);
        for (field, column) in batch.schema().fields().iter().zip(batch.columns()) {
            if personal.contains(&field.name().as_str()) {
                let held = arrow::compute::is_not_null(column)?;
                holds_personal_data = arrow::compute::or(&holds_personal_data, &held)?;
            }
        }
        let mut mask = BooleanArray::from(vec![false; batch.num_rows()]);
        for customer in customers {
            let theirs =
                arrow::compute::kernels::cmp::eq(&owners, &StringArray::new_scalar(customer))?;
            let theirs = arrow::compute::and(&theirs, &holds_personal_data)?;
            if theirs.true_count() > 0 {
                *erased.entry(customer.clone()).or_default() += theirs.true_count();
                mask = arrow::compute::or(&mask, &theirs)?;
            }
        }
        let columns: Vec<ArrayRef> = batch
            .schema()
            .fields()
            .iter()
            .zip(batch.columns())
            .map(|(field, column)| {
                let mut column = column.clone();
                if free_text.contains(&field.name().as_str()) {
                    column = replace_mentions(&column, mentions, &mut mentioned)?;
                }
                if mask.true_count() == 0 || !personal.contains(&field.name().as_str()) {
                    return Ok(column);
                }
                let null = Scalar::new(new_null_array(column.data_type(), 1));
                arrow::compute::kernels::zip::zip(&mask, &null, &column)
            })
            .collect::<std::result::Result<_, _>>()?;
        batches.push(RecordBatch::try_new(batch.schema(), columns)?);
    }
    if erased.is_empty() && mentioned.is_empty() {
        return Ok(None);
    }
    let mut content = Vec::new();
    let mut writer = ArrowWriter::try_new(&mut content, Arc::clone(&schema), None)?;
    for batch in &batches {
        writer.write(batch)?;
    }
    writer.close()?;
    tracing::debug!(file = %file.relative_path, ?erased, ?mentioned, "erased in landing");
    Ok(Some(DmsErasure {
        records: erased,
        mentions: mentioned,
        content,
    }))
}

/// A text column with each customer's name replaced by `[erased]`, counting the values
/// that named each customer; other columns are returned as they are.
fn replace_mentions(
    column: &ArrayRef,
    mentions: &BTreeMap<String, NameMention>,
    mentioned: &mut BTreeMap<String, usize>,
) -> std::result::Result<ArrayRef, arrow::error::ArrowError> {
    let Some(values) = column.as_any().downcast_ref::<StringArray>() else {
        return Ok(column.clone());
    };
    let mut changed = false;
    let replaced: StringArray = values
        .iter()
        .map(|value| {
            let mut text = value?.to_string();
            for (customer, mention) in mentions {
                if mention.is_in(&text) {
                    text = mention.erased_from(&text).into_owned();
                    *mentioned.entry(customer.clone()).or_default() += 1;
                    changed = true;
                }
            }
            Some(text)
        })
        .collect();
    Ok(if changed {
        Arc::new(replaced)
    } else {
        column.clone()
    })
}

/// A DMS CSV file with the customers' personal fields emptied (DMS writes null as an empty
/// field) and their names replaced in the free-text fields of every line; `None` when the file
/// holds neither. Lines are placed as the reader places them (`dms::csv_line_layout`); a line
/// no layout fits is kept as it is.
fn erase_in_dms_csv(
    file: &LandingFile,
    entity: &str,
    erasing: &Erasing<'_>,
) -> Result<Option<DmsErasure>> {
    let fields = entity_fields(entity);
    let field_position = |name: &str| fields.iter().position(|field| field.name() == name);
    let Some(customer_field) = field_position(CUSTOMER_COLUMN) else {
        return Ok(None);
    };
    let personal_fields: Vec<usize> = erasing
        .personal
        .iter()
        .filter_map(|column| field_position(column))
        .collect();
    let free_text_fields: Vec<usize> = erasing
        .free_text
        .iter()
        .filter_map(|column| field_position(column))
        .collect();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_path(&file.path)?;
    let mut writer = csv::WriterBuilder::new()
        .flexible(true)
        .from_writer(Vec::new());
    let mut named_columns = None;
    let mut records: BTreeMap<String, usize> = BTreeMap::new();
    let mut mentions: BTreeMap<String, usize> = BTreeMap::new();
    for (line, record) in (1..).zip(reader.records()) {
        let record = record?;
        let mut values: Vec<String> = record.iter().map(str::to_string).collect();
        match dms::csv_line_layout(&record, line, &fields, named_columns.as_ref()) {
            dms::CsvLayout::Header(columns) => named_columns = Some(columns),
            dms::CsvLayout::Unknown(_) => {}
            dms::CsvLayout::Line((_, _, columns)) => {
                let place = |field: usize| columns.get(field).copied().flatten();
                let owner = place(customer_field).and_then(|index| record.get(index));
                if let Some(owner) = owner.filter(|owner| erasing.customers.contains(*owner)) {
                    let mut held_personal_data = false;
                    for index in personal_fields.iter().filter_map(|field| place(*field)) {
                        held_personal_data |= !values[index].is_empty();
                        values[index].clear();
                    }
                    if held_personal_data {
                        *records.entry(owner.to_string()).or_default() += 1;
                    }
                }
                for index in free_text_fields.iter().filter_map(|field| place(*field)) {
                    for (customer, mention) in erasing.mentions {
                        if mention.is_in(&values[index]) {
                            values[index] = mention.erased_from(&values[index]).into_owned();
                            *mentions.entry(customer.clone()).or_default() += 1;
                        }
                    }
                }
            }
        }
        writer.write_record(&values)?;
    }
    if records.is_empty() && mentions.is_empty() {
        return Ok(None);
    }
    let content = writer
        .into_inner()
        .map_err(|err| IngestError::io(&file.path, err.into_error()))?;
    Ok(Some(DmsErasure {
        records,
        mentions,
        content,
    }))
}

/// DynamoDB stream records (one JSON record a line) with the customer's personal attributes
/// set to DynamoDB's null in every image.
fn erase_in_stream_records(
    text: &str,
    personal: &[&str],
    customers: &BTreeSet<String>,
) -> Result<Rewritten> {
    let mut erased: BTreeMap<String, usize> = BTreeMap::new();
    let mut lines = Vec::new();
    for line in text.lines() {
        if !customers
            .iter()
            .any(|customer| line.contains(customer.as_str()))
        {
            lines.push(line.to_string());
            continue;
        }
        let mut record: Value = serde_json::from_str(line)?;
        let mut changed = None;
        for image in ["NewImage", "OldImage"] {
            let Some(Value::Object(attributes)) = record
                .get_mut("dynamodb")
                .and_then(|stream| stream.get_mut(image))
            else {
                continue;
            };
            let Some(owner) = attributes
                .get(CUSTOMER_COLUMN)
                .and_then(|attribute| attribute.get("S"))
                .and_then(Value::as_str)
                .filter(|owner| customers.contains(*owner))
                .map(str::to_string)
            else {
                continue;
            };
            for column in personal {
                if attributes.contains_key(*column) {
                    attributes.insert(column.to_string(), serde_json::json!({"NULL": true}));
                    changed = Some(owner.clone());
                }
            }
        }
        if let Some(owner) = changed {
            *erased.entry(owner).or_default() += 1;
        }
        lines.push(record.to_string());
    }
    if erased.is_empty() {
        return Ok(None);
    }
    Ok(Some((erased, (lines.join("\n") + "\n").into_bytes())))
}

/// Kinesis records as Firehose delivers them (JSON objects one after another) with the
/// customer's personal fields set to null; written back one object a line, which every
/// reader of Firehose objects accepts.
fn erase_in_json_objects(
    bytes: &[u8],
    personal: &[&str],
    customers: &BTreeSet<String>,
) -> Result<Rewritten> {
    let mut erased: BTreeMap<String, usize> = BTreeMap::new();
    let mut objects = Vec::new();
    for object in serde_json::Deserializer::from_slice(bytes).into_iter::<Value>() {
        let mut object = object?;
        let owner = object
            .get(CUSTOMER_COLUMN)
            .and_then(Value::as_str)
            .filter(|owner| customers.contains(*owner))
            .map(str::to_string);
        if let Some(owner) = owner {
            if let Value::Object(fields) = &mut object {
                for column in personal {
                    if let Some(value) = fields.get_mut(*column) {
                        *value = Value::Null;
                    }
                }
            }
            *erased.entry(owner).or_default() += 1;
        }
        objects.push(object.to_string());
    }
    if erased.is_empty() {
        return Ok(None);
    }
    Ok(Some((erased, (objects.join("\n") + "\n").into_bytes())))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A DMS CSV line (with `Op`) of `entity`, its fields by name, the others empty.
    fn dms_csv_line(entity: &str, values: &[(&str, &str)]) -> String {
        let mut line = vec!["I".to_string(), "2023-11-14 22:13:20.000001".to_string()];
        for field in entity_fields(entity) {
            let value = values
                .iter()
                .find(|(name, _)| name == field.name())
                .map_or("", |(_, value)| value);
            line.push(format!("\"{value}\""));
        }
        line.join(",")
    }

    #[tokio::test]
    async fn a_dms_csv_file_loses_the_customers_personal_fields_and_every_mention_of_their_name() {
        let dir = tempfile::tempdir().unwrap();
        let relative = "aurora/public/transactions/20231114-221320000.csv";
        let path = dir.path().join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let theirs = [
            ("transaction_id", "T1"),
            ("account_id", "A1"),
            ("customer_id", "C1"),
            ("kind", "transfer_out"),
            ("amount", "12.50"),
            ("currency", "USD"),
            ("memo", "transfer Bo Diaz, call +15550001111 if late"),
            ("created_at", "2023-11-14 22:13:20"),
            ("updated_at", "2023-11-14 22:13:20"),
        ];
        let others = [
            ("transaction_id", "T2"),
            ("account_id", "A2"),
            ("customer_id", "C2"),
            ("kind", "transfer_in"),
            ("amount", "12.50"),
            ("currency", "USD"),
            (
                "memo",
                "transfer ANN LEE, thanks Lee, Ann; Annabel Lee stays",
            ),
            ("created_at", "2023-11-14 22:13:20"),
            ("updated_at", "2023-11-14 22:13:20"),
        ];
        let text = format!(
            "{}\n{}\n",
            dms_csv_line("transactions", &theirs),
            dms_csv_line("transactions", &others)
        );
        std::fs::write(&path, &text).unwrap();
        let before = dms::read_file(&path, relative);
        assert!(before.quarantined.is_empty(), "{:?}", before.quarantined);

        let customers = BTreeSet::from(["C1".to_string()]);
        let names = BTreeMap::from([("C1".to_string(), "Ann Lee".to_string())]);
        let store = LandingStore::Local(dir.path().to_path_buf());
        let erasures = erase_customers_from_landing(&store, &customers, &names)
            .await
            .unwrap();
        let erasure = &erasures["C1"];
        assert_eq!(erasure.files_rewritten, [relative]);
        assert_eq!((erasure.records_erased, erasure.mentions_redacted), (1, 1));

        let after = dms::read_file(&path, relative);
        assert!(after.quarantined.is_empty(), "{:?}", after.quarantined);
        let fields = entity_fields("transactions");
        let column = |name: &str| {
            fields
                .iter()
                .position(|field| field.name() == name)
                .unwrap()
        };
        let rows = &after.taken["transactions"];
        let personal = personal_columns("transactions");
        assert!(!personal.is_empty());
        for name in &personal {
            assert_eq!(
                rows[0].values[column(name)],
                crate::rows::Value::Null,
                "{name}"
            );
        }
        // The name in capitals and surname first, not a longer name that contains it.
        assert_eq!(
            rows[1].values[column("memo")],
            crate::rows::Value::from("transfer [erased], thanks [erased]; Annabel Lee stays")
        );
        // Everything else is as it was.
        assert_eq!(
            rows[0].values[column("amount")],
            before.taken["transactions"][0].values[column("amount")]
        );
        assert_eq!(
            rows[1].values[column("customer_id")],
            crate::rows::Value::from("C2")
        );
        let rewritten = std::fs::read_to_string(&path).unwrap();
        assert!(
            !rewritten.to_lowercase().contains("ann lee") && !rewritten.contains("+15550001111"),
            "{rewritten}"
        );

        // Erasing again finds nothing left to rewrite.
        let again = erase_customers_from_landing(&store, &customers, &names)
            .await
            .unwrap();
        assert!(again["C1"].files_rewritten.is_empty(), "{:?}", again["C1"]);
    }
}
