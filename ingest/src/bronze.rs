//! Appending to bronze and quarantine tables, exactly once per landing file.
//!
//! Each commit carries one Delta application transaction per file it takes
//! (`app id = landing:<file>`), in the same commit as the file's rows. A file whose
//! transaction a table already has is skipped for that table, so a re-run or a run after a
//! crash writes each file's rows once.

use deltalake::kernel::Transaction;
use std::sync::Arc;

use arrow::array::{new_null_array, ArrayRef, RecordBatch, StringArray, TimestampMicrosecondArray};
use arrow::compute::{cast_with_options, CastOptions};
use arrow::datatypes::{DataType, FieldRef, Schema, SchemaRef};
use paylake_catalog::delta::{app_transactions, append_evolving_schema, open_or_create_table};
use paylake_catalog::{lineage, Lake, TableDef};

use crate::error::Result;
use crate::rows::{rows_to_batch, Value};
use crate::sources::{QuarantinedRecord, TakenRecord};

/// Identity of a landing file in Delta application transactions.
pub fn file_app_id(relative_path: &str) -> String {
    format!("landing:{relative_path}")
}

/// The ingest run writing, and when.
#[derive(Debug, Clone)]
pub struct IngestRun {
    pub run_id: String,
    pub started_micros: i64,
}

/// Rows one file contributes to one table: as values, or already as columns.
pub struct FileRows<'a> {
    pub relative_path: &'a str,
    pub rows: Vec<Vec<Value>>,
    /// Batches of the commit's schema (the table's, with its evolved columns).
    pub batches: Vec<RecordBatch>,
}

impl<'a> FileRows<'a> {
    pub fn of_values(relative_path: &'a str, rows: Vec<Vec<Value>>) -> Self {
        FileRows {
            relative_path,
            rows,
            batches: Vec::new(),
        }
    }

    fn is_empty(&self) -> bool {
        self.rows.is_empty() && self.batches.iter().all(|batch| batch.num_rows() == 0)
    }
}

/// How a table's commit treats the files of a chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileMarking {
    /// The table marks files taken: the caller has already left out the files it holds, and
    /// every file is recorded, with rows or without.
    MarkTaken,
    /// Another table marks files taken: files with rows that this table does not hold yet
    /// (after a crash between the commits of a chunk) are appended.
    SkipHeld,
}

/// Appends the rows of the given files in one commit, with one application transaction per
/// file recorded. Returns the number of rows written.
/// `evolved` are columns beyond the table's registry schema that the rows carry after it;
/// the table gains them in this commit.
pub async fn append_files(
    lake: &Lake,
    table: &TableDef,
    files: Vec<FileRows<'_>>,
    marking: FileMarking,
    evolved: &[FieldRef],
) -> Result<u64> {
    let delta_table = open_or_create_table(lake, table).await?;
    let held_files = match marking {
        FileMarking::SkipHeld => app_transactions(&delta_table, table).await?,
        FileMarking::MarkTaken => Default::default(),
    };
    let mut rows = Vec::new();
    let mut batches = Vec::new();
    let mut transactions = Vec::new();
    for file in files {
        let app_id = file_app_id(file.relative_path);
        if marking == FileMarking::SkipHeld && (file.is_empty() || held_files.contains_key(&app_id))
        {
            continue;
        }
        rows.extend(file.rows);
        batches.extend(file.batches);
        transactions.push(Transaction::new(app_id, 1));
    }
    if transactions.is_empty() {
        return Ok(0);
    }
    let schema = commit_schema(table, evolved);
    if !rows.is_empty() || batches.is_empty() {
        batches.push(rows_to_batch(&schema, &rows)?);
    }
    debug_assert!(batches.iter().all(|batch| batch.schema() == schema));
    let written = batches.iter().map(|batch| batch.num_rows() as u64).sum();
    append_evolving_schema(delta_table, table, batches, transactions).await?;
    Ok(written)
}

/// Records taken as columns (see [`crate::sources::taken_columns_schema`]) as a bronze batch
/// of `schema`: the file and run lineage added, the commit's evolved columns the file lacks
/// null.
pub fn bronze_batch(
    taken: &RecordBatch,
    schema: &SchemaRef,
    relative_path: &str,
    run: &IngestRun,
) -> Result<RecordBatch> {
    let rows = taken.num_rows();
    let strict = CastOptions {
        safe: false,
        ..CastOptions::default()
    };
    let columns = schema
        .fields()
        .iter()
        .map(|field| {
            let column: ArrayRef = match field.name().as_str() {
                lineage::SOURCE_FILE => Arc::new(StringArray::from_iter_values(
                    std::iter::repeat_n(relative_path, rows),
                )),
                lineage::INGEST_RUN => Arc::new(StringArray::from_iter_values(
                    std::iter::repeat_n(run.run_id.as_str(), rows),
                )),
                lineage::INGEST_TIME => Arc::new(
                    TimestampMicrosecondArray::from_value(run.started_micros, rows)
                        .with_timezone_opt(utc_timezone(field.data_type())),
                ),
                name => match taken.column_by_name(name) {
                    Some(column) if column.data_type() == field.data_type() => column.clone(),
                    Some(column) => cast_with_options(column, field.data_type(), &strict)?,
                    None => new_null_array(field.data_type(), rows),
                },
            };
            Ok(column)
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(RecordBatch::try_new(schema.clone(), columns)?)
}

fn utc_timezone(data_type: &DataType) -> Option<Arc<str>> {
    match data_type {
        DataType::Timestamp(_, timezone) => timezone.clone(),
        _ => None,
    }
}

/// The schema of a commit to `table`: the table's, then the `evolved` columns it gains.
pub fn commit_schema(table: &TableDef, evolved: &[FieldRef]) -> SchemaRef {
    if evolved.is_empty() {
        return table.schema.clone();
    }
    Arc::new(Schema::new(
        table
            .schema
            .fields()
            .iter()
            .chain(evolved)
            .cloned()
            .collect::<Vec<_>>(),
    ))
}

/// A taken record as a bronze row: business columns, then the lineage columns.
pub fn bronze_row(record: TakenRecord, relative_path: &str, run: &IngestRun) -> Vec<Value> {
    debug_assert!(matches!(record.op, "I" | "U" | "D"));
    let mut row = record.values;
    row.extend([
        Value::from(record.op),
        Value::Text(record.source_order),
        record
            .commit_micros
            .map_or(Value::Null, Value::TimestampMicros),
        Value::from(relative_path),
        Value::Integer(record.position),
        Value::Text(run.run_id.clone()),
        Value::TimestampMicros(run.started_micros),
    ]);
    row
}

/// A quarantined record as a row of its `quarantine.<source>` table.
pub fn quarantine_row(
    record: QuarantinedRecord,
    relative_path: &str,
    run: &IngestRun,
) -> Vec<Value> {
    vec![
        Value::from(relative_path),
        record.position.map_or(Value::Null, Value::Integer),
        Value::from(record.target_entity),
        Value::Text(record.reason),
        Value::from(record.raw_payload),
        Value::Text(run.run_id.clone()),
        Value::TimestampMicros(run.started_micros),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use paylake_catalog::{lineage, registry};

    #[test]
    fn bronze_rows_follow_the_registry_column_order() {
        let table = registry().find("bronze.fx_rates").unwrap();
        let run = IngestRun {
            run_id: "r".into(),
            started_micros: 5,
        };
        let row = bronze_row(
            TakenRecord {
                values: vec![Value::Date(1), "EUR".into(), Value::Decimal(1)],
                op: "U",
                source_order: "o".into(),
                commit_micros: Some(3),
                position: 4,
                extra: Vec::new(),
            },
            "aurora/public/fx_rates/f.parquet",
            &run,
        );
        assert_eq!(row.len(), table.schema.fields().len());
        let op_index = table.schema.index_of(lineage::OP).unwrap();
        assert_eq!(row[op_index], Value::from("U"));
        let file_index = table.schema.index_of(lineage::SOURCE_FILE).unwrap();
        assert_eq!(
            row[file_index],
            Value::from("aurora/public/fx_rates/f.parquet")
        );
        assert!(rows_to_batch(&table.schema, &[row]).is_ok());
    }
}
