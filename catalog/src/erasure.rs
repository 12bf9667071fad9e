//! Erasing one customer's personal data from every table of the lake: the personal-data
//! columns the registry names are set to null in the customer's rows (a Delta update), and
//! every file of an older version that still holds those rows is deleted, so time travel cannot
//! bring them back. Versions that read a deleted file can no longer be read; the law asks for
//! that. Whether the customer may be erased at all (the retention period has run out) is the
//! caller's decision, recorded with the erasure (`paylake erase`).

use std::collections::{BTreeMap, BTreeSet, HashSet};

use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use datafusion::parquet::arrow::ProjectionMask;
use datafusion::prelude::{col, lit, Expr};
use datafusion::scalar::ScalarValue;
use deltalake::logstore::object_store::{path::Path as StorePath, ObjectStore, ObjectStoreExt};
use futures::TryStreamExt;

use crate::delta::open_table;
use crate::error::{CatalogError, Result};
use crate::lake::Lake;
use crate::registry::TableDef;

/// The column that names the customer a row belongs to.
pub const CUSTOMER_COLUMN: &str = "customer_id";

/// The column of a quarantined record's raw text.
pub const QUARANTINE_RAW_COLUMN: &str = "raw_payload";

/// What replaces personal data in a column that may not be null.
pub const ERASED_TEXT: &str = "[erased]";

/// How a person's name is found in others' free text (a memo, a remittance reference): its
/// words in the order given, or the last word first ("Lima, Ana Maria"), in any case, with
/// any spacing or commas between them, as whole words. Payment references write a name in
/// capitals or surname first as often as in its registered form, which an exact search
/// misses. The pattern is the regex crate's syntax, which DataFusion's `regexp_*` functions
/// share, so the lake's tables and the landing files find the same mentions.
#[derive(Debug, Clone)]
pub struct NameMention {
    pattern: String,
    regex: regex::Regex,
}

impl NameMention {
    /// None for a name without a word.
    pub fn new(name: &str) -> Option<Self> {
        let words: Vec<&str> = name
            .split(|character: char| character.is_whitespace() || character == ',')
            .filter(|word| !word.is_empty())
            .collect();
        let (last, first) = words.split_last()?;
        let mut orders = vec![words.clone()];
        if !first.is_empty() {
            orders.push(
                std::iter::once(*last)
                    .chain(first.iter().copied())
                    .collect(),
            );
        }
        let forms: Vec<String> = orders.iter().map(|order| bounded_form(order)).collect();
        let pattern = format!("(?i)(?:{})", forms.join("|"));
        let regex = regex::Regex::new(&pattern).ok()?;
        Some(NameMention { pattern, regex })
    }

    /// The pattern, for `regexp_like` and `regexp_replace` over a table.
    pub fn pattern(&self) -> &str {
        &self.pattern
    }

    pub fn is_in(&self, text: &str) -> bool {
        self.regex.is_match(text)
    }

    /// `text` with every mention replaced by [`ERASED_TEXT`].
    pub fn erased_from<'text>(&self, text: &'text str) -> std::borrow::Cow<'text, str> {
        self.regex.replace_all(text, ERASED_TEXT)
    }
}

/// Tables whose personal data names no customer by any column: the processor's own bank
/// statements (remittance information and related parties, about its counterparties; redacted
/// in silver by the PII detectors, and ended by their retention) and screening's cache of the
/// names and counterparties it screened (`paylake erase` replaces an erased customer's name
/// where it is found there, as a mention in free text).
pub const NOT_TIED_TO_A_CUSTOMER: [&str; 3] = [
    "bank_statement_entries",
    "screened_names",
    "screened_counterparties",
];

/// Words in this order, separated by spaces or commas, as whole words. A word boundary stands
/// only where the form starts or ends with a word character: `\b` beside a dot or an
/// apostrophe would ask for a word character on its other side.
fn bounded_form(words: &[&str]) -> String {
    let joined = words
        .iter()
        .map(|word| regex::escape(word))
        .collect::<Vec<_>>()
        .join(r"[\s,]+");
    let is_word = |character: Option<char>| character.is_some_and(char::is_alphanumeric);
    let start = words.first().and_then(|word| word.chars().next());
    let end = words.last().and_then(|word| word.chars().last());
    let boundary = |character| if is_word(character) { r"\b" } else { "" };
    format!("{}{joined}{}", boundary(start), boundary(end))
}

/// How a table's rows are tied to a customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubjectLink {
    /// The row names the customer in this column.
    Column(&'static str),
    /// The row holds the raw record as text (quarantine): it belongs to the customer when the
    /// text contains the customer's id.
    RawText(&'static str),
}

impl SubjectLink {
    fn column(self) -> &'static str {
        match self {
            SubjectLink::Column(column) | SubjectLink::RawText(column) => column,
        }
    }

    /// Whether a value of the link's column belongs to `customer`.
    fn holds(self, value: &str, customer: &str) -> bool {
        match self {
            SubjectLink::Column(_) => value == customer,
            SubjectLink::RawText(_) => value.contains(customer),
        }
    }
}

/// A column of a file, and when one of its values holds a person's data (the value, the
/// person).
type Holding<'a> = (&'static str, &'a (dyn Fn(&str, &str) -> bool + Sync));

/// How `table` ties its rows to a customer; `None` when it holds no personal data. A table
/// with personal data and no link is an error of the registry (a test keeps it from shipping).
pub fn subject_link(table: &TableDef) -> Option<SubjectLink> {
    if table.personal_data.is_empty() {
        return None;
    }
    if table.schema.field_with_name(CUSTOMER_COLUMN).is_ok() {
        return Some(SubjectLink::Column(CUSTOMER_COLUMN));
    }
    table
        .personal_data
        .iter()
        .find(|column| **column == QUARANTINE_RAW_COLUMN)
        .map(|column| SubjectLink::RawText(column))
}

/// What erasing a customer did to one table.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TableErasure {
    pub table: String,
    /// Rows whose personal data was set to null.
    pub rows_erased: usize,
    /// Files of older versions that held the customer's rows, deleted.
    pub files_deleted: usize,
    /// The version the update committed, if any row was erased.
    pub version: Option<u64>,
    /// Rows of others whose free text named the customer (a transfer's memo names its
    /// counterparty), the name replaced (`erase_mentions_from_table`).
    pub mentions_redacted: usize,
}

/// Erases the personal data of `customers` from `table_def` in one update (whatever their
/// number, so that a monthly `erase --due` costs one rewrite of a table, not one per customer);
/// what was done, per customer. `None` when the table holds no personal data or does not exist.
pub async fn erase_customers_from_table(
    lake: &Lake,
    table_def: &TableDef,
    customers: &BTreeSet<String>,
) -> Result<Option<BTreeMap<String, TableErasure>>> {
    let Some(link) = subject_link(table_def) else {
        return Ok(None);
    };
    let name = table_def.qualified_name();
    let delta_error = |error| CatalogError::delta(name.clone(), error);
    let Some(mut table) = open_table(lake, table_def).await? else {
        return Ok(None);
    };
    let belongs = match link {
        SubjectLink::Column(column) => col(column).in_list(
            customers
                .iter()
                .map(|customer| lit(customer.as_str()))
                .collect(),
            false,
        ),
        SubjectLink::RawText(column) => customers
            .iter()
            .map(|customer| {
                datafusion::functions::expr_fn::strpos(col(column), lit(customer.as_str()))
                    .gt(lit(0))
            })
            .reduce(Expr::or)
            .unwrap_or(lit(false)),
    };
    // Only rows still holding personal data: erasing twice commits nothing the second time.
    let mut holds_personal_data = Vec::new();
    for column in &table_def.personal_data {
        let erased = erased_value(table_def, column)?;
        holds_personal_data.push(if erased == lit(ERASED_TEXT) {
            col(*column).not_eq(erased)
        } else {
            col(*column).is_not_null()
        });
    }
    let predicate = holds_personal_data
        .into_iter()
        .reduce(Expr::or)
        .map_or(belongs.clone(), |holds| belongs.and(holds));
    let rows_by_customer =
        rows_by_customer(&table, link, predicate.clone(), customers, &name).await?;
    let mut version = None;
    if !rows_by_customer.is_empty() {
        let mut update = table.update().with_predicate(predicate);
        for column in &table_def.personal_data {
            update = update.with_update(*column, erased_value(table_def, column)?);
        }
        let (updated, metrics) = update.await.map_err(delta_error)?;
        debug_assert_eq!(
            metrics.num_updated_rows,
            rows_by_customer.values().sum::<usize>()
        );
        version = updated.version();
        table = updated;
    }
    let live = crate::delta::live_file_paths(&table).map_err(delta_error)?;
    let store = table.log_store().object_store(None);
    let belongs_to = move |value: &str, customer: &str| link.holds(value, customer);
    let files_by_customer = delete_files_holding(
        store.as_ref(),
        &live,
        &[(link.column(), &belongs_to)],
        customers,
    )
    .await?;
    Ok(Some(
        customers
            .iter()
            .map(|customer| {
                let rows_erased = rows_by_customer.get(customer).copied().unwrap_or(0);
                let erasure = TableErasure {
                    table: name.clone(),
                    rows_erased,
                    files_deleted: files_by_customer.get(customer).copied().unwrap_or(0),
                    version: version.filter(|_| rows_erased > 0),
                    mentions_redacted: 0,
                };
                (customer.clone(), erasure)
            })
            .collect(),
    ))
}

/// The rows `predicate` selects, counted per customer they belong to.
async fn rows_by_customer(
    table: &deltalake::DeltaTable,
    link: SubjectLink,
    predicate: Expr,
    customers: &BTreeSet<String>,
    name: &str,
) -> Result<BTreeMap<String, usize>> {
    let delta_error = |error| CatalogError::delta(name.to_string(), error);
    let column = link.column();
    let context = datafusion::prelude::SessionContext::new();
    table
        .update_datafusion_session(&context.state())
        .map_err(delta_error)?;
    let batches = context
        .read_table(table.table_provider().await?)?
        .filter(predicate)?
        .select(vec![col(column)])?
        .collect()
        .await?;
    let mut rows = BTreeMap::new();
    for batch in &batches {
        let values = arrow::compute::cast(batch.column(0), &arrow::datatypes::DataType::Utf8)?;
        let values = arrow::array::AsArray::as_string::<i32>(&values);
        for value in values.iter().flatten() {
            let owners = customers
                .iter()
                .filter(|customer| link.holds(value, customer));
            for owner in owners {
                *rows.entry(owner.clone()).or_default() += 1;
            }
        }
    }
    Ok(rows)
}

/// The free-text columns of a table, where a record may name someone else.
pub fn free_text_columns(table_def: &TableDef) -> Vec<&'static str> {
    crate::registry::FREE_TEXT_COLUMNS
        .iter()
        .filter(|(entity, column)| {
            *entity == table_def.name && table_def.personal_data.contains(column)
        })
        .map(|(_, column)| *column)
        .collect()
}

/// Replaces `name` with `ERASED_TEXT` in every row whose free text mentions it, whoever the row
/// belongs to, and deletes the files of older versions that still hold the mention. Returns
/// the rows changed and the files deleted. The update selects its rows by key: Delta records
/// an update's predicate in the log, which must not hold the name it erases.
pub async fn erase_mentions_from_table(
    lake: &Lake,
    table_def: &TableDef,
    name: &str,
) -> Result<(usize, usize)> {
    let columns = free_text_columns(table_def);
    let Some(key) = table_def.key.first() else {
        return Ok((0, 0));
    };
    let Some(mention) = NameMention::new(name) else {
        return Ok((0, 0));
    };
    if columns.is_empty() {
        return Ok((0, 0));
    }
    let Some(mut table) = open_table(lake, table_def).await? else {
        return Ok((0, 0));
    };
    let qualified = table_def.qualified_name();
    let delta_error = |error| CatalogError::delta(qualified.clone(), error);
    let mut rows = 0;
    for column in &columns {
        let mentions =
            datafusion::functions::expr_fn::regexp_like(col(*column), lit(mention.pattern()), None);
        let context = datafusion::prelude::SessionContext::new();
        table
            .update_datafusion_session(&context.state())
            .map_err(delta_error)?;
        let keys: Vec<Expr> = context
            .read_table(table.table_provider().await?)?
            .filter(mentions)?
            .select(vec![col(*key)])?
            .distinct()?
            .collect()
            .await?
            .iter()
            .flat_map(|batch| {
                (0..batch.num_rows()).filter_map(|row| {
                    ScalarValue::try_from_array(batch.column(0), row)
                        .ok()
                        .map(lit)
                })
            })
            .collect();
        if keys.is_empty() {
            continue;
        }
        let replaced = datafusion::functions::expr_fn::regexp_replace(
            col(*column),
            lit(mention.pattern()),
            lit(ERASED_TEXT),
            Some(lit("g")),
        );
        let (updated, metrics) = table
            .update()
            .with_predicate(col(*key).in_list(keys, false))
            .with_update(*column, replaced)
            .await
            .map_err(delta_error)?;
        table = updated;
        rows += metrics.num_updated_rows;
    }
    let live = crate::delta::live_file_paths(&table).map_err(delta_error)?;
    let store = table.log_store().object_store(None);
    let mentioned = BTreeSet::from([name.to_string()]);
    let names_the_person = |value: &str, _: &str| mention.is_in(value);
    let holdings: Vec<Holding<'_>> = columns
        .iter()
        .map(|column| {
            (
                *column,
                &names_the_person as &(dyn Fn(&str, &str) -> bool + Sync),
            )
        })
        .collect();
    let deleted = delete_files_holding(store.as_ref(), &live, &holdings, &mentioned).await?;
    Ok((rows, deleted.values().sum::<usize>()))
}

/// Null for a nullable column, `ERASED_TEXT` for required text.
fn erased_value(table_def: &TableDef, column: &str) -> Result<Expr> {
    let field = table_def
        .schema
        .field_with_name(column)
        .map_err(CatalogError::from)?;
    if field.is_nullable() {
        let null = ScalarValue::try_from(field.data_type()).map_err(CatalogError::from)?;
        return Ok(lit(null));
    }
    if field.data_type() == &arrow::datatypes::DataType::Utf8 {
        return Ok(lit(ERASED_TEXT));
    }
    Err(CatalogError::Arrow(
        arrow::error::ArrowError::InvalidArgumentError(format!(
            "{}.{column} holds personal data but can be neither null nor text",
            table_def.qualified_name()
        )),
    ))
}

/// Deletes every data file of the table's folder that no live version holds (kept for time
/// travel, or left by an interrupted writer) and that holds a row of any of `customers`; the
/// files deleted, counted per customer they held.
async fn delete_files_holding(
    store: &dyn ObjectStore,
    live: &HashSet<String>,
    holdings: &[Holding<'_>],
    customers: &BTreeSet<String>,
) -> Result<BTreeMap<String, usize>> {
    let store_error = |location: &str, source| CatalogError::ObjectStore {
        location: location.to_string(),
        source: Box::new(source),
    };
    let objects: Vec<_> = store
        .list(None)
        .try_collect()
        .await
        .map_err(|source| store_error("", source))?;
    let mut deleted = BTreeMap::new();
    for object in objects {
        let location = object.location.to_string();
        let is_data_file = location.ends_with(".parquet") && !location.starts_with("_delta_log");
        if !is_data_file || live.contains(&location) {
            continue;
        }
        let bytes = store
            .get(&object.location)
            .await
            .map_err(|source| store_error(&location, source))?
            .bytes()
            .await
            .map_err(|source| store_error(&location, source))?;
        // Every column is checked on the one download: the folder is listed and each file
        // read once, whatever the number of columns.
        let mut held = BTreeSet::new();
        for (column, holds) in holdings {
            held.extend(customers_in_file(
                bytes.clone(),
                &location,
                column,
                holds,
                customers,
            )?);
        }
        if held.is_empty() {
            continue;
        }
        store
            .delete(&StorePath::from(location.as_str()))
            .await
            .map_err(|source| store_error(&location, source))?;
        for customer in held {
            *deleted.entry(customer).or_default() += 1;
        }
    }
    Ok(deleted)
}

/// Which of `customers` a Parquet file holds a row of, reading only `column`, whose values
/// `holds` tells apart.
fn customers_in_file(
    bytes: impl datafusion::parquet::file::reader::ChunkReader + 'static,
    location: &str,
    column: &str,
    holds: &(dyn Fn(&str, &str) -> bool + Sync),
    customers: &BTreeSet<String>,
) -> Result<BTreeSet<String>> {
    let parquet_error = |source| CatalogError::Parquet {
        location: location.to_string(),
        source: Box::new(source),
    };
    let builder = ParquetRecordBatchReaderBuilder::try_new(bytes).map_err(parquet_error)?;
    let mut held = BTreeSet::new();
    let Ok(index) = builder.schema().index_of(column) else {
        return Ok(held);
    };
    let mask = ProjectionMask::roots(builder.parquet_schema(), [index]);
    let reader = builder
        .with_projection(mask)
        .build()
        .map_err(parquet_error)?;
    for batch in reader {
        let batch = batch?;
        let values = arrow::compute::cast(batch.column(0), &arrow::datatypes::DataType::Utf8)?;
        let values = arrow::array::AsArray::as_string::<i32>(&values);
        for value in values.iter().flatten() {
            for customer in customers {
                if holds(value, customer) {
                    held.insert(customer.clone());
                }
            }
        }
    }
    Ok(held)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::maintenance::{maintain_table, MaintenanceSettings};
    use crate::registry::{registry, Zone};
    use crate::rows::append_row_of_text;

    #[test]
    fn a_name_is_found_in_any_case_surname_first_and_only_as_whole_words() {
        let mention = NameMention::new("Ana Maria Lima").unwrap();
        for text in [
            "paid to Ana Maria Lima",
            "PAID TO ANA MARIA LIMA",
            "from Lima, Ana Maria",
            "ana  maria\tlima",
        ] {
            assert!(mention.is_in(text), "{text}");
        }
        for text in [
            "Anastasia Maria Lima",
            "Ana Maria Limas",
            "Ana Lima",
            "Maria Lima",
        ] {
            assert!(!mention.is_in(text), "{text}");
        }
        assert_eq!(
            mention.erased_from("rent, LIMA, Ana Maria, March"),
            "rent, [erased], March"
        );
        // Dots and apostrophes are matched as they are, with no word boundary beside a dot.
        let dotted = NameMention::new("J. R. O'Neil Jr.").unwrap();
        assert!(dotted.is_in("to j. r. o'neil jr. today"));
        assert!(!dotted.is_in("to J R ONeil Jr"));
        assert!(NameMention::new("  , ").is_none());
    }

    #[test]
    fn every_table_with_personal_data_ties_its_rows_to_a_customer_or_says_why_not() {
        let mut untied: Vec<String> = registry()
            .tables()
            .iter()
            .filter(|table| !table.personal_data.is_empty() && subject_link(table).is_none())
            .map(|table| table.name.to_string())
            .collect();
        untied.dedup();
        assert_eq!(untied, NOT_TIED_TO_A_CUSTOMER);
    }

    /// Appends one customer of silver.customers, named after its id, in a commit of its own.
    async fn append_customer(lake: &Lake, customer_id: &str) {
        let table = registry().get(Zone::Silver, "customers").unwrap();
        append_row_of_text(lake, table, |field| {
            use arrow::datatypes::DataType;
            match (field.name().as_str(), field.data_type()) {
                (CUSTOMER_COLUMN, _) => customer_id.to_string(),
                (_, DataType::Utf8) => format!("{} of {customer_id}", field.name()),
                (_, DataType::Boolean) => "false".to_string(),
                (_, DataType::Date32) => "1980-01-01".to_string(),
                (_, DataType::Timestamp(..)) => "2019-01-07T12:00:00Z".to_string(),
                _ => "1".to_string(),
            }
        })
        .await;
    }

    /// Every Parquet file in the table's folder, and whether it holds `text` anywhere.
    fn files_holding(folder: &std::path::Path, text: &str) -> (usize, usize) {
        let mut files = 0;
        let mut holding = 0;
        for entry in std::fs::read_dir(folder).unwrap().flatten() {
            let path = entry.path();
            if path
                .extension()
                .is_some_and(|extension| extension == "parquet")
            {
                files += 1;
                let opened = std::fs::File::open(&path).unwrap();
                let reader = ParquetRecordBatchReaderBuilder::try_new(opened)
                    .unwrap()
                    .build()
                    .unwrap();
                let found = reader.flatten().any(|batch| {
                    batch.columns().iter().any(|column| {
                        (0..column.len()).any(|row| {
                            arrow::util::display::array_value_to_string(column, row)
                                .unwrap()
                                .contains(text)
                        })
                    })
                });
                holding += usize::from(found);
            }
        }
        (files, holding)
    }

    #[tokio::test]
    async fn erasing_a_customer_nulls_their_personal_data_and_deletes_every_older_file_holding_it()
    {
        let dir = tempfile::tempdir().unwrap();
        let lake = Lake::open(dir.path().to_str().unwrap()).unwrap();
        let table = registry().get(Zone::Silver, "customers").unwrap();
        for customer in ["C1", "C2", "C3"] {
            append_customer(&lake, customer).await;
        }
        // Compaction leaves the three files as an older version's, for time travel.
        maintain_table(&lake, table, &MaintenanceSettings::default())
            .await
            .unwrap();
        let folder = dir.path().join("silver/customers");
        assert_eq!(files_holding(&folder, "full_name of C1"), (4, 2));

        let erased = erase_customers_from_table(&lake, table, &BTreeSet::from(["C1".into()]))
            .await
            .unwrap()
            .unwrap()
            .remove("C1")
            .unwrap();
        assert_eq!(erased.rows_erased, 1);
        // The compacted file and C1's own file held C1; C2's and C3's stay for time travel.
        assert_eq!(erased.files_deleted, 2, "{erased:?}");
        for column in ["full_name", "address", "email", "phone"] {
            assert_eq!(files_holding(&folder, &format!("{column} of C1")), (3, 0));
        }
        assert_eq!(
            files_holding(&folder, "country of C1").1,
            1,
            "the live file"
        );
        assert_eq!(files_holding(&folder, "full_name of C2").1, 2);

        let current = open_table(&lake, table).await.unwrap().unwrap();
        let context = crate::session::table_session(table, &current)
            .await
            .unwrap();
        let answer = |sql: &'static str| {
            let context = context.clone();
            async move {
                let batches = context.sql(sql).await.unwrap().collect().await.unwrap();
                arrow::util::pretty::pretty_format_batches(&batches)
                    .unwrap()
                    .to_string()
            }
        };
        let erased_customers = answer(
            "SELECT customer_id FROM silver.customers WHERE full_name IS NULL AND email IS NULL \
             AND date_of_birth IS NULL AND address IS NULL AND phone IS NULL",
        )
        .await;
        assert!(
            erased_customers.contains("| C1 ") && !erased_customers.contains("C2"),
            "{erased_customers}"
        );
        let kept = answer(
            "SELECT count(*) AS kept FROM silver.customers \
             WHERE country = 'country of ' || customer_id AND risk_rating IS NOT NULL",
        )
        .await;
        assert!(
            kept.contains("| 3 "),
            "columns without personal data kept: {kept}"
        );

        // Erasing again finds nothing left.
        let again = erase_customers_from_table(&lake, table, &BTreeSet::from(["C1".into()]))
            .await
            .unwrap()
            .unwrap()
            .remove("C1")
            .unwrap();
        assert_eq!(
            (again.rows_erased, again.files_deleted, again.version),
            (0, 0, None)
        );
    }

    #[tokio::test]
    async fn a_name_is_erased_from_others_memos_in_any_case_and_order_and_from_older_files() {
        let dir = tempfile::tempdir().unwrap();
        let lake = Lake::open(dir.path().to_str().unwrap()).unwrap();
        let table = registry().get(Zone::Silver, "transactions").unwrap();
        let memos = [
            ("T1", "transfer ANN LEE"),
            ("T2", "thanks Lee, Ann"),
            ("T3", "Annabel Lee"),
        ];
        for (transaction, memo) in memos {
            append_row_of_text(&lake, table, |field| {
                use arrow::datatypes::DataType;
                match (field.name().as_str(), field.data_type()) {
                    ("memo", _) => memo.to_string(),
                    (_, DataType::Utf8) => format!("{} of {transaction}", field.name()),
                    (_, DataType::Date32) => "2026-03-01".to_string(),
                    (_, DataType::Timestamp(..)) => "2026-03-02T12:00:00Z".to_string(),
                    _ => "1".to_string(),
                }
            })
            .await;
        }
        let (rows, files) = erase_mentions_from_table(&lake, table, "Ann Lee")
            .await
            .unwrap();
        // T1's and T2's rows rewritten; the files that held them, now an older version's, gone.
        assert_eq!((rows, files), (2, 2));
        let current = open_table(&lake, table).await.unwrap().unwrap();
        let context = crate::session::table_session(table, &current)
            .await
            .unwrap();
        let batches = context
            .sql("SELECT memo FROM silver.transactions ORDER BY memo")
            .await
            .unwrap()
            .collect()
            .await
            .unwrap();
        let memos = arrow::util::pretty::pretty_format_batches(&batches)
            .unwrap()
            .to_string();
        for expected in [
            "| Annabel Lee ",
            "| thanks [erased] ",
            "| transfer [erased] ",
        ] {
            assert!(memos.contains(expected), "{memos}");
        }
    }

    #[tokio::test]
    async fn customers_erased_together_cost_one_commit_per_table_and_are_counted_apart() {
        let dir = tempfile::tempdir().unwrap();
        let lake = Lake::open(dir.path().to_str().unwrap()).unwrap();
        let table = registry().get(Zone::Silver, "customers").unwrap();
        for customer in ["C1", "C2", "C3"] {
            append_customer(&lake, customer).await;
        }
        let version_before = open_table(&lake, table)
            .await
            .unwrap()
            .unwrap()
            .version()
            .unwrap();
        let customers = BTreeSet::from(["C1".to_string(), "C2".to_string(), "C9".to_string()]);
        let erased = erase_customers_from_table(&lake, table, &customers)
            .await
            .unwrap()
            .unwrap();
        let version_after = open_table(&lake, table)
            .await
            .unwrap()
            .unwrap()
            .version()
            .unwrap();
        assert_eq!(version_after, version_before + 1, "one update for all");
        let rows: Vec<(&str, usize, Option<u64>)> = erased
            .iter()
            .map(|(customer, erasure)| (customer.as_str(), erasure.rows_erased, erasure.version))
            .collect();
        assert_eq!(
            rows,
            [
                ("C1", 1, Some(version_after)),
                ("C2", 1, Some(version_after)),
                ("C9", 0, None)
            ]
        );
        let folder = dir.path().join("silver/customers");
        assert_eq!(files_holding(&folder, "full_name of C1").1, 0);
        assert_eq!(
            files_holding(&folder, "full_name of C3").1,
            1,
            "C3 kept, its file untouched"
        );
    }
}
