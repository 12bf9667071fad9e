//! Readers (and, for the simulator, writers) of every landing format.
//!
//! Each module owns one real format: its folder layout under `landing/`, how a producer writes
//! it, and how paylake reads it into records of a registry entity. Readers never fail on a bad
//! record: they quarantine it with a reason and go on.

pub mod camt053;
pub mod cur;
pub mod delimited;
pub mod dms;
pub mod dynamodb;
pub mod dynamodb_consumer;
pub mod dynamodb_types;
pub mod focus;
mod json_lines;
pub mod kinesis;
pub mod kinesis_consumer;
pub mod ofac;
pub mod postgres;
pub mod settlement;
pub mod stream_landing;

use std::collections::BTreeMap;
use std::path::Path;

use arrow::array::RecordBatch;
use arrow::datatypes::{FieldRef, SchemaRef};
use paylake_catalog::lineage;

use crate::error::{IngestError, Result};
use crate::rows::Value;

/// The producers paylake takes files from, each with its landing folder and quarantine table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Source {
    Aurora,
    DynamoDb,
    Kinesis,
    Settlements,
    BankStatements,
    Cost,
    Sanctions,
}

/// Cost files: FOCUS exports and Cost and Usage Reports, each in a subfolder.
pub const COST_FOLDER: &str = "cost";

impl Source {
    pub const ALL: [Source; 7] = [
        Source::Aurora,
        Source::DynamoDb,
        Source::Kinesis,
        Source::Settlements,
        Source::BankStatements,
        Source::Cost,
        Source::Sanctions,
    ];

    /// Name of the source, also the name of its `quarantine.*` table.
    pub fn name(self) -> &'static str {
        match self {
            Source::Aurora => "aurora",
            Source::DynamoDb => "dynamodb",
            Source::Kinesis => "kinesis",
            Source::Settlements => "settlements",
            Source::BankStatements => "bank_statements",
            Source::Cost => "cost",
            Source::Sanctions => "sanctions",
        }
    }

    /// Folder under `landing/` where the producer delivers.
    pub fn landing_folder(self) -> &'static str {
        match self {
            Source::Aurora => dms::LANDING_FOLDER,
            Source::DynamoDb => dynamodb::LANDING_FOLDER,
            Source::Kinesis => kinesis::LANDING_FOLDER,
            Source::Settlements => settlement::LANDING_FOLDER,
            Source::BankStatements => camt053::LANDING_FOLDER,
            Source::Cost => COST_FOLDER,
            Source::Sanctions => ofac::LANDING_FOLDER,
        }
    }

    /// Registry entity whose bronze table records which files were taken (see `bronze`).
    /// For Aurora it depends on the file's table folder.
    pub fn primary_entity(self, relative_path: &str) -> Option<&'static str> {
        match self {
            Source::Aurora => dms::entity_of(relative_path),
            Source::DynamoDb => Some(dynamodb::ENTITY),
            Source::Kinesis => Some(kinesis::ENTITY),
            Source::Settlements => Some(settlement::ENTITY),
            Source::BankStatements => Some(camt053::ENTRIES_ENTITY),
            Source::Cost => Some(focus::ENTITY),
            Source::Sanctions => ofac::entity_of(relative_path),
        }
    }

    /// Reads one landing file. `relative_path` is the path under `landing/`, kept as lineage.
    pub fn read_file(self, path: &Path, relative_path: &str) -> ParsedFile {
        match self {
            Source::Aurora => dms::read_file(path, relative_path),
            Source::DynamoDb => dynamodb::read_file(path, relative_path),
            Source::Kinesis => kinesis::read_file(path, relative_path),
            Source::Settlements => settlement::read_file(path, relative_path),
            Source::BankStatements => camt053::read_file(path, relative_path),
            Source::Cost if relative_path.starts_with(cur::FOLDER) => {
                cur::read_file(path, relative_path)
            }
            Source::Cost => focus::read_file(path, relative_path),
            Source::Sanctions => ofac::read_file(path, relative_path),
        }
    }

    /// Whether a file under this source's folder is a delivery (and not, say, a temp file).
    pub fn accepts_file_name(self, file_name: &str) -> bool {
        if file_name.starts_with('.') || file_name.starts_with('_') {
            return false;
        }
        match self {
            Source::Aurora => file_name.ends_with(".parquet") || file_name.ends_with(".csv"),
            Source::DynamoDb => file_name.ends_with(".jsonl") || file_name.ends_with(".json"),
            Source::Kinesis => true,
            Source::Settlements | Source::Cost | Source::Sanctions => file_name.ends_with(".csv"),
            Source::BankStatements => file_name.ends_with(".xml"),
        }
    }
}

/// A record a reader took: the entity's business values in registry column order, plus where
/// it stands in the source's order.
#[derive(Debug, Clone, PartialEq)]
pub struct TakenRecord {
    pub values: Vec<Value>,
    /// `I`, `U` or `D`.
    pub op: &'static str,
    /// Sorts in source order within one entity.
    pub source_order: String,
    pub commit_micros: Option<i64>,
    /// Row, line or record number in the file, from 1.
    pub position: i64,
    /// Values of columns the source has and the registry does not (yet): see
    /// [`ParsedFile::evolved`], whose fields they follow.
    pub extra: Vec<Value>,
}

impl TakenRecord {
    /// An insert whose order is its place in its file (reports and lists with no change
    /// sequence of their own).
    pub fn in_file_order(values: Vec<Value>, relative_path: &str, position: i64) -> Self {
        TakenRecord {
            values,
            op: "I",
            source_order: file_order(relative_path, position),
            commit_micros: None,
            position,
            extra: Vec::new(),
        }
    }
}

/// A record (or a whole file, with no position) that could not be taken.
#[derive(Debug, Clone, PartialEq)]
pub struct QuarantinedRecord {
    pub position: Option<i64>,
    pub target_entity: Option<&'static str>,
    pub reason: String,
    pub raw_payload: Option<String>,
}

/// Adds to `known` the evolved columns of `fields` it lacks, by name (the first type wins): the
/// columns a commit of several files, or a file of several relations, gains.
pub fn add_evolved_fields(known: &mut Vec<FieldRef>, fields: &[FieldRef]) {
    for field in fields {
        if !known.iter().any(|existing| existing.name() == field.name()) {
            known.push(field.clone());
        }
    }
}

/// `values` of the columns `from` as values of the columns `to`, by name: null where `from`
/// lacks a column.
pub fn evolved_values_as(from: &[FieldRef], values: &[Value], to: &[FieldRef]) -> Vec<Value> {
    to.iter()
        .map(|field| {
            from.iter()
                .position(|own| own.name() == field.name())
                .and_then(|index| values.get(index).cloned())
                .unwrap_or(Value::Null)
        })
        .collect()
}

/// What a reader made of one file.
#[derive(Debug, Default)]
pub struct ParsedFile {
    pub records_read: u64,
    /// Records per registry entity, from readers that parse record by record.
    pub taken: BTreeMap<&'static str, Vec<TakenRecord>>,
    /// Records per registry entity, from readers that take whole columns (DMS Parquet): each
    /// batch has the [`taken_columns_schema`] of its entity and the file's evolved columns.
    pub taken_columns: BTreeMap<&'static str, Vec<RecordBatch>>,
    pub quarantined: Vec<QuarantinedRecord>,
    /// Per entity, nullable columns the file brings beyond the registry's (schema evolution);
    /// each taken record of the entity has their values in `extra`.
    pub evolved: BTreeMap<&'static str, Vec<arrow::datatypes::FieldRef>>,
}

impl ParsedFile {
    /// A file no record of which could be read.
    pub fn unreadable(target_entity: Option<&'static str>, reason: String) -> Self {
        ParsedFile {
            records_read: 1,
            taken: BTreeMap::new(),
            taken_columns: BTreeMap::new(),
            evolved: BTreeMap::new(),
            quarantined: vec![QuarantinedRecord {
                position: None,
                target_entity,
                reason,
                raw_payload: None,
            }],
        }
    }

    pub fn take(&mut self, entity: &'static str, record: TakenRecord) {
        self.taken.entry(entity).or_default().push(record);
    }

    pub fn quarantine(
        &mut self,
        position: i64,
        target_entity: &'static str,
        reason: String,
        raw_payload: String,
    ) {
        self.quarantined.push(QuarantinedRecord {
            position: Some(position),
            target_entity: Some(target_entity),
            reason,
            raw_payload: Some(raw_payload),
        });
    }

    pub fn records_taken(&self) -> u64 {
        let records: u64 = self
            .taken
            .values()
            .map(|records| records.len() as u64)
            .sum();
        let rows: u64 = self
            .taken_columns
            .values()
            .flatten()
            .map(|batch| batch.num_rows() as u64)
            .sum();
        records + rows
    }

    /// Entities the file has records of, in either form.
    pub fn entities(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.taken.keys().chain(self.taken_columns.keys()).copied()
    }
}

/// Lineage a columnar reader adds to the records it takes, after their business and evolved
/// columns; the rest of the bronze lineage (file, run) is the same for a whole file.
pub const TAKEN_LINEAGE_COLUMNS: [&str; 4] = [
    lineage::OP,
    lineage::SOURCE_ORDER,
    lineage::SOURCE_COMMIT_TIME,
    lineage::SOURCE_POSITION,
];

/// Schema of the batches a columnar reader takes for an entity: its business columns in
/// registry order, the file's `evolved` columns, then [`TAKEN_LINEAGE_COLUMNS`] typed as in
/// bronze.
pub fn taken_columns_schema(entity: &str, evolved: &[FieldRef]) -> Result<SchemaRef> {
    let bronze = paylake_catalog::registry().get(paylake_catalog::Zone::Bronze, entity)?;
    let mut fields = entity_fields(entity);
    fields.extend(evolved.iter().cloned());
    for name in TAKEN_LINEAGE_COLUMNS {
        let field = bronze
            .schema
            .field_with_name(name)
            .expect("bronze tables carry the lineage columns");
        fields.push(std::sync::Arc::new(field.clone()));
    }
    Ok(std::sync::Arc::new(arrow::datatypes::Schema::new(fields)))
}

/// Sort key of a record identified by its place in a file: file, then line.
pub fn file_order(relative_path: &str, position: i64) -> String {
    format!("{relative_path}|{position:010}")
}

/// Sort key of a stream sequence number: zero-padded so that text order is numeric order.
pub fn sequence_order(sequence_number: &str) -> String {
    format!("{sequence_number:0>40}")
}

/// Creates the folder a file is about to be written into.
pub fn create_parent(path: &Path) -> Result<()> {
    match path.parent() {
        Some(parent) => {
            std::fs::create_dir_all(parent).map_err(|source| IngestError::io(parent, source))
        }
        None => Ok(()),
    }
}

/// A landing file's text, or the whole file quarantined when it is not text.
pub fn read_text(
    path: &Path,
    relative_path: &str,
    entity: &'static str,
) -> std::result::Result<String, ParsedFile> {
    std::fs::read_to_string(path).map_err(|err| {
        ParsedFile::unreadable(
            Some(entity),
            format!("'{relative_path}' cannot be read as text: {err}"),
        )
    })
}

/// The business columns of an entity, resolved once per file rather than per record.
pub fn entity_fields(entity: &str) -> Vec<arrow::datatypes::FieldRef> {
    paylake_catalog::registry()
        .get(paylake_catalog::Zone::Silver, entity)
        .expect("readers name registry entities")
        .business_fields()
}

/// Positions of an entity's key columns among its business columns.
pub fn key_indexes(entity: &str, fields: &[arrow::datatypes::FieldRef]) -> Vec<usize> {
    paylake_catalog::registry()
        .get(paylake_catalog::Zone::Silver, entity)
        .expect("readers name registry entities")
        .key
        .iter()
        .map(|key| field_index(fields, key))
        .collect()
}

/// Position of a column among an entity's business columns.
pub fn field_index(fields: &[arrow::datatypes::FieldRef], name: &str) -> usize {
    fields
        .iter()
        .position(|field| field.name() == name)
        .expect("readers name registry columns")
}
