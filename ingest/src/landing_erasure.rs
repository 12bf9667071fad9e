//! Erasing one customer's personal data from the landing copy. Landing keeps files as their
//! producers delivered them; the one exception is the law's: once a customer's retention has
//! run out and the customer asks to be forgotten, the personal-data fields of their records
//! are nulled in place, each file rewritten whole under its own name (so ingest, which knows
//! the files it took by name, does not take it again). DMS Parquet files, DynamoDB stream
//! records and Kinesis objects are rewritten; a DMS CSV file holding the customer is reported,
//! not rewritten.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use arrow::array::{new_null_array, Array, ArrayRef, BooleanArray, Scalar, StringArray};
use arrow::record_batch::RecordBatch;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ArrowWriter;
use paylake_catalog::erasure::{CUSTOMER_COLUMN, ERASED_TEXT};
use paylake_catalog::registry::FREE_TEXT_COLUMNS;
use paylake_catalog::{registry, Zone};
use serde_json::Value;

use crate::error::{IngestError, Result};
use crate::landing::{LandingFile, LandingStore};
use crate::sources::{dms, Source};

/// What erasing a customer did to the landing copy.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct LandingErasure {
    /// Files rewritten with the customer's personal data nulled, relative to `landing/`.
    pub files_rewritten: Vec<String>,
    /// Records whose personal data was nulled.
    pub records_erased: usize,
    /// Records of others whose free text named the customer, the name replaced.
    pub mentions_redacted: usize,
    /// Files holding the customer that could not be rewritten, with the reason.
    pub files_not_rewritten: Vec<String>,
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
            let rewritten = if source == Source::Aurora && !file.relative_path.ends_with(".csv") {
                let free_text: Vec<&str> = FREE_TEXT_COLUMNS
                    .iter()
                    .filter(|(of, _)| Some(*of) == entity)
                    .map(|(_, column)| *column)
                    .collect();
                let erased = erase_in_parquet(&file, &personal, customers, &free_text, names)?;
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
            } else {
                let bytes = std::fs::read(&file.path)
                    .map_err(|source| IngestError::io(&file.path, source))?;
                let text = String::from_utf8_lossy(&bytes);
                let named: Vec<&String> = customers
                    .iter()
                    .filter(|customer| text.contains(customer.as_str()))
                    .collect();
                match source {
                    _ if named.is_empty() => None,
                    Source::Aurora => {
                        for customer in named {
                            erasures
                                .entry(customer.clone())
                                .or_default()
                                .files_not_rewritten
                                .push(format!(
                                    "{}: a DMS CSV file is not rewritten; erase it by hand",
                                    file.relative_path
                                ));
                        }
                        None
                    }
                    Source::DynamoDb => erase_in_stream_records(&text, &personal, customers)?,
                    _ => erase_in_json_objects(&bytes, &personal, customers)?,
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

/// A DMS file rewritten: records erased per customer, others' records that mentioned each
/// customer, and the file's new content.
struct ParquetErasure {
    records: BTreeMap<String, usize>,
    mentions: BTreeMap<String, usize>,
    content: Vec<u8>,
}

/// A DMS Parquet file with the customers' personal columns nulled and their names replaced in
/// the free-text columns of every row: records erased per customer, mentions per customer, and
/// the new content; `None` when the file holds neither.
fn erase_in_parquet(
    file: &LandingFile,
    personal: &[&str],
    customers: &BTreeSet<String>,
    free_text: &[&str],
    names: &BTreeMap<String, String>,
) -> Result<Option<ParquetErasure>> {
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
        let mut mask = BooleanArray::from(vec![false; batch.num_rows()]);
        for customer in customers {
            let theirs =
                arrow::compute::kernels::cmp::eq(&owners, &StringArray::new_scalar(customer))?;
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
                    column = replace_mentions(&column, names, &mut mentioned)?;
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
    Ok(Some(ParquetErasure {
        records: erased,
        mentions: mentioned,
        content,
    }))
}

/// A text column with each customer's name replaced by `ERASED_TEXT`, counting the values
/// that named each customer; other columns are returned as they are.
fn replace_mentions(
    column: &ArrayRef,
    names: &BTreeMap<String, String>,
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
            for (customer, name) in names {
                if !name.is_empty() && text.contains(name.as_str()) {
                    text = text.replace(name.as_str(), ERASED_TEXT);
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
