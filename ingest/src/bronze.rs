//! Appending to bronze and quarantine tables, exactly once per unit of source changes.
//!
//! A unit is a landing file or a replicated source transaction. Each commit carries the Delta
//! application transactions of the units it takes, in the same commit as their rows: a landing
//! file as `landing:<file>` at version 1, a replication slot as `postgres:<slot>` at the commit
//! LSN of the last transaction it holds. A unit whose position a table already holds is
//! skipped for that table, so a re-run or a run after a crash writes each unit's rows once.

use deltalake::kernel::Transaction;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use arrow::array::{
    new_null_array, ArrayRef, Date32Array, RecordBatch, StringArray, TimestampMicrosecondArray,
};
use arrow::compute::{cast_with_options, CastOptions};
use arrow::datatypes::{DataType, FieldRef, Schema, SchemaRef};
use chrono::Datelike;
use paylake_catalog::delta::{app_transactions, append_evolving_schema, open_or_create_table};
use paylake_catalog::{lineage, CatalogError, Lake, TableDef};

use crate::error::Result;
use crate::rows::{rows_to_batch, Value};
use crate::sources::{QuarantinedRecord, TakenRecord};

/// Identity of a landing file in Delta application transactions.
pub fn file_app_id(relative_path: &str) -> String {
    format!("landing:{relative_path}")
}

/// How a table records a unit of source changes as held: a Delta application transaction.
/// A table holds a unit when it has recorded the unit's application id at its version or a
/// later one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourcePosition {
    pub app_id: String,
    pub version: i64,
}

impl SourcePosition {
    /// A landing file, taken once.
    pub fn landing_file(relative_path: &str) -> Self {
        SourcePosition {
            app_id: file_app_id(relative_path),
            version: 1,
        }
    }

    /// Whether the recorded application transactions of a table cover this position.
    pub fn is_held_in(&self, held: &HashMap<String, i64>) -> bool {
        held.get(&self.app_id)
            .is_some_and(|held_version| *held_version >= self.version)
    }
}

/// A unit of source changes committed as a whole: its lineage name (the `_source_file` of its
/// rows) and its position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceUnit {
    pub relative_path: String,
    pub position: SourcePosition,
}

impl SourceUnit {
    pub fn landing_file(relative_path: &str) -> Self {
        SourceUnit {
            relative_path: relative_path.to_string(),
            position: SourcePosition::landing_file(relative_path),
        }
    }
}

/// The ingest run writing, and when.
#[derive(Debug, Clone)]
pub struct IngestRun {
    pub run_id: String,
    /// When the run started: `started_at` of its `system.ingest_runs` row.
    pub started_micros: i64,
    /// The ingest time its records carry (`_ingest_time`): when the run started, or the
    /// instant a replay of a past day gives.
    pub ingest_micros: i64,
    /// Bronze's partition of the run's records (`_ingest_month`): the first day of the
    /// ingest time's month, in days since the Unix epoch. Kept, not derived per row.
    pub ingest_month_days: i32,
}

impl IngestRun {
    /// A new run, starting now.
    pub fn start() -> Self {
        Self::start_at(None)
    }

    /// A new run whose records carry `ingest_time` (now when None) as their ingest time.
    pub fn start_at(ingest_time: Option<chrono::DateTime<chrono::Utc>>) -> Self {
        let now = chrono::Utc::now();
        let ingest_time = ingest_time.unwrap_or(now);
        let ingest_date = ingest_time.date_naive();
        let first_of_month = ingest_date.with_day(1).unwrap_or(ingest_date);
        IngestRun {
            run_id: uuid::Uuid::new_v4().to_string(),
            started_micros: now.timestamp_micros(),
            ingest_micros: ingest_time.timestamp_micros(),
            ingest_month_days: crate::rows::days_since_epoch(first_of_month),
        }
    }
}

/// Rows one unit contributes to one table: as values, or already as columns.
pub struct FileRows<'a> {
    pub unit: &'a SourceUnit,
    pub rows: Vec<Vec<Value>>,
    /// Batches of the commit's schema (the table's, with its evolved columns).
    pub batches: Vec<RecordBatch>,
}

impl<'a> FileRows<'a> {
    pub fn of_values(unit: &'a SourceUnit, rows: Vec<Vec<Value>>) -> Self {
        FileRows {
            unit,
            rows,
            batches: Vec::new(),
        }
    }

    fn is_empty(&self) -> bool {
        self.rows.is_empty() && self.batches.iter().all(|batch| batch.num_rows() == 0)
    }
}

/// How a table's commit treats the units of a chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileMarking {
    /// The table marks units taken: the caller has already left out the units it holds, and
    /// every unit is recorded, with rows or without.
    MarkTaken,
    /// Another table marks units taken, or each table its own position: units with rows that
    /// this table does not hold yet (after a crash between the commits of a chunk) are
    /// appended.
    SkipHeld,
}

/// Appends the rows of the given units in one commit, with their positions recorded (the
/// greatest version per application id). Returns the number of rows written.
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
    // Read from the snapshot the commit is based on: delta-rs checks for conflicts only with
    // the commits made after it.
    let held_files = app_transactions(&delta_table, table).await?;
    if marking == FileMarking::MarkTaken
        && files
            .iter()
            .any(|file| file.unit.position.is_held_in(&held_files))
    {
        // The caller left out the units it found taken when it listed them, and another
        // writer has committed some since: the run starts again and counts them as taken
        // by the other (a conflict, as delta-rs reports one).
        return Err(concurrently_taken(table));
    }
    let mut rows = Vec::new();
    let mut batches = Vec::new();
    let mut positions: BTreeMap<&str, i64> = BTreeMap::new();
    for file in files {
        let position = &file.unit.position;
        if marking == FileMarking::SkipHeld && (file.is_empty() || position.is_held_in(&held_files))
        {
            continue;
        }
        rows.extend(file.rows);
        batches.extend(file.batches);
        let recorded = positions
            .entry(&position.app_id)
            .or_insert(position.version);
        *recorded = (*recorded).max(position.version);
    }
    if positions.is_empty() {
        return Ok(0);
    }
    let transactions = positions
        .into_iter()
        .map(|(app_id, version)| Transaction::new(app_id, version))
        .collect();
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
                    TimestampMicrosecondArray::from_value(run.ingest_micros, rows)
                        .with_timezone_opt(utc_timezone(field.data_type())),
                ),
                lineage::INGEST_MONTH => {
                    Arc::new(Date32Array::from_value(run.ingest_month_days, rows))
                }
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
        Value::TimestampMicros(run.ingest_micros),
        Value::Date(run.ingest_month_days),
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
        Value::TimestampMicros(run.ingest_micros),
    ]
}

/// The error of a commit whose units another writer took first, as delta-rs reports a
/// concurrent commit of the same application transaction, so that callers retry it alike.
fn concurrently_taken(table: &TableDef) -> crate::error::IngestError {
    use deltalake::kernel::transaction::{CommitConflictError, TransactionError};
    CatalogError::delta(
        table.qualified_name(),
        deltalake::DeltaTableError::Transaction {
            source: TransactionError::CommitConflict(CommitConflictError::ConcurrentTransaction),
        },
    )
    .into()
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
            ingest_micros: 5,
            ingest_month_days: 0,
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

    #[tokio::test]
    async fn a_unit_another_writer_took_since_the_caller_looked_is_refused_as_a_conflict() {
        let dir = tempfile::tempdir().unwrap();
        let lake = Lake::open(dir.path().to_str().unwrap()).unwrap();
        let table = registry().find("bronze.fx_rates").unwrap();
        let unit = SourceUnit::landing_file("aurora/public/fx_rates/LOAD00000001.parquet");
        let run = IngestRun::start();
        let rows = || {
            vec![bronze_row(
                TakenRecord {
                    values: vec![
                        Value::Date(20_500),
                        "EUR".into(),
                        Value::Decimal(108_000_000),
                    ],
                    op: "I",
                    source_order: "o".into(),
                    commit_micros: Some(3),
                    position: 1,
                    extra: Vec::new(),
                },
                &unit.relative_path,
                &run,
            )]
        };
        // Two writers both found the file untaken; the first commits it.
        let first = vec![FileRows::of_values(&unit, rows())];
        assert_eq!(
            append_files(&lake, table, first, FileMarking::MarkTaken, &[])
                .await
                .unwrap(),
            1
        );
        // The second commits on a snapshot that holds it: refused, as a conflict to retry.
        let second = vec![FileRows::of_values(&unit, rows())];
        let refused = append_files(&lake, table, second, FileMarking::MarkTaken, &[])
            .await
            .unwrap_err();
        assert!(refused.is_commit_conflict(), "{refused}");
        let delta_table = open_or_create_table(&lake, table).await.unwrap();
        assert_eq!(delta_table.version(), Some(1), "nothing committed twice");
    }
}
