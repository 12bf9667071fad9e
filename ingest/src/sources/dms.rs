//! Aurora PostgreSQL tables as AWS DMS writes them to S3.
//!
//! Layout: `aurora/<schema>/<table>/LOAD00000001.parquet` (full load, no `Op` column by DMS's
//! default) then CDC files `YYYYMMDD-HHMMSSmmm.parquet` whose first column `Op` is `I`, `U`
//! (after-image) or `D` (before-image). The commit time of each change is in the column DMS
//! is told to add with `TimestampColumnName`, formatted `yyyy-MM-dd HH:mm:ss.SSSSSS`.

use std::fmt::Write;
use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use arrow::array::{
    Array, ArrayRef, AsArray, BooleanArray, BooleanBufferBuilder, Int64Array, RecordBatch,
    StringArray, StringBuilder,
};
use arrow::compute::{cast_with_options, CastOptions};
use arrow::datatypes::{
    DataType, Field, Int64Type, Schema, SchemaRef, TimeUnit, TimestampMicrosecondType,
};
use arrow::util::display::array_value_to_string;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ArrowWriter;
use paylake_catalog::{registry, Zone};

use super::delimited::{open_headerless_csv, read_csv_lines, CsvLine};
use super::{ParsedFile, TakenRecord};
use crate::error::{IngestError, Result};
use crate::rows::{rows_to_batch, Value};

pub const LANDING_FOLDER: &str = "aurora";
/// The column named by DMS's `TimestampColumnName` setting.
pub const COMMIT_TIMESTAMP_COLUMN: &str = "dms_commit_ts";
pub const OP_COLUMN: &str = "Op";
const COMMIT_TIMESTAMP_FORMAT: &str = "%Y-%m-%d %H:%M:%S%.6f";
/// Rows read from a Parquet file at once: large enough that the per-batch work (casts, the
/// mask, the taken batch's schema) is small against the rows', small enough for a bounded
/// memory per file in flight.
const ROWS_PER_BATCH: usize = 65_536;

/// Aurora tables replicated by DMS, as `(schema, table)`; the table is the registry entity.
pub const TABLES: [(&str, &str); 5] = [
    ("public", "customers"),
    ("public", "accounts"),
    ("public", "transactions"),
    ("public", "ledger_entries"),
    ("public", "fx_rates"),
];

/// The entity of a file at `aurora/<schema>/<table>/<file>`.
pub fn entity_of(relative_path: &str) -> Option<&'static str> {
    let mut parts = relative_path.split('/');
    let (_folder, schema, table) = (parts.next()?, parts.next()?, parts.next()?);
    TABLES
        .iter()
        .find(|(known_schema, known_table)| *known_schema == schema && *known_table == table)
        .map(|(_, entity)| *entity)
}

/// A change as DMS captured it.
#[derive(Debug, Clone)]
pub struct DmsChange {
    /// `I`, `U` or `D`.
    pub op: &'static str,
    pub commit_micros: i64,
    /// The row in registry column order (the after-image, or the before-image of a delete).
    pub values: Vec<Value>,
}

pub fn load_file_name() -> &'static str {
    "LOAD00000001.parquet"
}

pub fn cdc_file_name(written_at_micros: i64) -> String {
    let time = chrono::DateTime::from_timestamp_micros(written_at_micros)
        .expect("simulated times are valid");
    format!("{}.parquet", time.format("%Y%m%d-%H%M%S%3f"))
}

fn format_commit_timestamp(micros: i64) -> String {
    chrono::DateTime::from_timestamp_micros(micros)
        .expect("simulated times are valid")
        .format(COMMIT_TIMESTAMP_FORMAT)
        .to_string()
}

/// The Parquet schema DMS writes for an entity: `Op` (CDC only), the commit timestamp column,
/// then the table's columns, timestamps without zone as PostgreSQL `timestamp` columns are.
fn landing_schema(entity: &str, include_op: bool) -> Result<SchemaRef> {
    let table = registry().get(Zone::Silver, entity)?;
    let mut fields = Vec::new();
    if include_op {
        fields.push(Field::new(OP_COLUMN, DataType::Utf8, false));
    }
    fields.push(Field::new(COMMIT_TIMESTAMP_COLUMN, DataType::Utf8, false));
    for field in table.business_fields() {
        let data_type = match field.data_type() {
            DataType::Timestamp(unit, Some(_)) => DataType::Timestamp(*unit, None),
            other => other.clone(),
        };
        fields.push(Field::new(field.name(), data_type, true));
    }
    Ok(Arc::new(Schema::new(fields)))
}

/// Writes a DMS file: a full-load file when `include_op` is false, a CDC file otherwise.
pub fn write_file(
    path: &Path,
    entity: &str,
    changes: &[DmsChange],
    include_op: bool,
) -> Result<()> {
    let schema = landing_schema(entity, include_op)?;
    let rows: Vec<Vec<Value>> = changes
        .iter()
        .map(|change| {
            let mut row = Vec::with_capacity(change.values.len() + 2);
            if include_op {
                row.push(Value::from(change.op));
            }
            row.push(Value::Text(format_commit_timestamp(change.commit_micros)));
            row.extend(change.values.iter().cloned());
            row
        })
        .collect();
    let batch = rows_to_batch(&schema, &rows)?;
    super::create_parent(path)?;
    let file = File::create(path).map_err(|source| IngestError::io(path, source))?;
    let mut writer = ArrowWriter::try_new(file, schema, None)?;
    writer.write(&batch)?;
    writer.close()?;
    Ok(())
}

/// Reads a DMS full-load or CDC file, Parquet or CSV, into changes of its table.
pub fn read_file(path: &Path, relative_path: &str) -> ParsedFile {
    let Some(entity) = entity_of(relative_path) else {
        return ParsedFile::unreadable(
            None,
            format!(
                "'{relative_path}' is not under a replicated table folder aurora/<schema>/<table>/"
            ),
        );
    };
    if relative_path.ends_with(".csv") {
        return read_csv_file(path, relative_path, entity);
    }
    match read_batches(path) {
        Ok(batches) => {
            let mut parsed = ParsedFile::default();
            let mut position = 0_i64;
            for batch in batches {
                if let Err(reason) =
                    take_batch(&batch, entity, relative_path, &mut position, &mut parsed)
                {
                    return ParsedFile::unreadable(Some(entity), reason);
                }
            }
            parsed
        }
        Err(reason) => ParsedFile::unreadable(
            Some(entity),
            format!("'{relative_path}' is not a readable parquet file: {reason}"),
        ),
    }
}

fn read_batches(path: &Path) -> std::result::Result<Vec<RecordBatch>, String> {
    let file = File::open(path).map_err(|err| err.to_string())?;
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .map_err(|err| err.to_string())?
        .with_batch_size(ROWS_PER_BATCH)
        .build()
        .map_err(|err| err.to_string())?;
    reader
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|err| err.to_string())
}

/// Takes the rows of one batch. A column that cannot be read as its registry type fails the
/// whole file (returned as the reason); a bad row is quarantined on its own.
fn take_batch(
    batch: &RecordBatch,
    entity: &'static str,
    relative_path: &str,
    position: &mut i64,
    parsed: &mut ParsedFile,
) -> std::result::Result<(), String> {
    let table = registry()
        .get(Zone::Silver, entity)
        .map_err(|err| err.to_string())?;
    let strict = CastOptions {
        safe: false,
        ..CastOptions::default()
    };
    let mut columns = Vec::new();
    for field in table.business_fields() {
        let column = match batch.column_by_name(field.name()) {
            // A column the source does not have (yet) is null.
            None => arrow::array::new_null_array(field.data_type(), batch.num_rows()),
            Some(column) => {
                cast_with_options(column, field.data_type(), &strict).map_err(|err| {
                    format!(
                        "column '{}' of type {} cannot be read as {}: {err}",
                        field.name(),
                        column.data_type(),
                        field.data_type()
                    )
                })?
            }
        };
        columns.push(column);
    }
    // Columns the source added since the registry was written: carried along, nullable.
    let known: std::collections::HashSet<&str> = table
        .schema
        .fields()
        .iter()
        .map(|field| field.name().as_str())
        .chain([OP_COLUMN, COMMIT_TIMESTAMP_COLUMN])
        .collect();
    let mut evolved_fields = Vec::new();
    let mut evolved_columns = Vec::new();
    for (field, column) in batch.schema().fields().iter().zip(batch.columns()) {
        if known.contains(field.name().as_str()) || field.name().starts_with('_') {
            continue;
        }
        let lake_type = evolved_type(field.data_type());
        let column = cast_with_options(column, &lake_type, &strict).map_err(|err| {
            format!(
                "new column '{}' of type {} cannot be read: {err}",
                field.name(),
                field.data_type()
            )
        })?;
        evolved_fields.push(std::sync::Arc::new(Field::new(
            field.name(),
            lake_type,
            true,
        )));
        evolved_columns.push(column);
    }
    if !evolved_fields.is_empty() {
        parsed
            .evolved
            .entry(entity)
            .or_insert_with(|| evolved_fields.clone());
    }
    let rows = batch.num_rows();
    let first_position = *position + 1;
    *position += rows as i64;
    let positions = Int64Array::from_iter_values(first_position..=*position);
    let ops: StringArray = match batch.column_by_name(OP_COLUMN) {
        // A full-load file has no Op column: every row is an insert.
        None => StringArray::from_iter_values(std::iter::repeat_n("I", rows)),
        Some(column) => cast_with_options(column, &DataType::Utf8, &strict)
            .map_err(|err| format!("column '{OP_COLUMN}' is not text: {err}"))?
            .as_string::<i32>()
            .clone(),
    };
    let commit_column = batch
        .column_by_name(COMMIT_TIMESTAMP_COLUMN)
        .ok_or_else(|| format!("column '{COMMIT_TIMESTAMP_COLUMN}' is missing"))?;
    let commit_times = read_commit_times(commit_column)?;
    let key_columns: Vec<&ArrayRef> = table
        .key
        .iter()
        .map(|key| {
            &columns[table
                .schema
                .index_of(key)
                .expect("registry keys are columns")]
        })
        .collect();

    // Rows whose op, commit time or key cannot be taken are quarantined one by one, with
    // the first reason found; the rest are taken as whole columns.
    let mut taken_mask = BooleanBufferBuilder::new(rows);
    for row in 0..rows {
        let op_known = matches!(
            ops.is_valid(row).then(|| ops.value(row)),
            Some("I" | "U" | "D")
        );
        let refusal = if !op_known {
            let found = array_value_to_string(&ops, row).unwrap_or_default();
            Some(format!("unknown op '{found}' in column '{OP_COLUMN}'"))
        } else if commit_column.is_null(row) {
            Some(format!("field '{COMMIT_TIMESTAMP_COLUMN}' is empty"))
        } else if commit_times.is_null(row) {
            let found = array_value_to_string(commit_column, row).unwrap_or_default();
            Some(format!(
                "field '{COMMIT_TIMESTAMP_COLUMN}': '{found}' is not a yyyy-MM-dd HH:mm:ss.SSSSSS time"
            ))
        } else {
            key_columns
                .iter()
                .zip(&table.key)
                .find(|(column, _)| column.is_null(row))
                .map(|(_, key)| format!("missing key field '{key}'"))
        };
        taken_mask.append(refusal.is_none());
        if let Some(reason) = refusal {
            let row_position = first_position + row as i64;
            parsed.quarantine(
                row_position,
                entity,
                format!("{relative_path} row {row_position}: {reason}"),
                describe_row(batch, row),
            );
        }
    }
    let taken_mask = BooleanArray::new(taken_mask.finish(), None);
    let all_taken = taken_mask.true_count() == rows;
    let keep = |array: &dyn Array| -> std::result::Result<ArrayRef, String> {
        if all_taken {
            return Ok(arrow::array::make_array(array.to_data()));
        }
        arrow::compute::filter(array, &taken_mask).map_err(|err| err.to_string())
    };
    let commit_times = keep(&commit_times)?;
    let positions = keep(&positions)?;
    let commit_micros = commit_times.as_primitive::<TimestampMicrosecondType>();
    let positions_taken = positions.as_primitive::<Int64Type>();
    // The source order: commit time, then file and row, as text that sorts in that order.
    let mut source_order = StringBuilder::with_capacity(
        commit_micros.len(),
        commit_micros.len() * (relative_path.len() + 32),
    );
    for (micros, row_position) in commit_micros.values().iter().zip(positions_taken.values()) {
        write!(
            source_order,
            "{micros:020}|{relative_path}|{row_position:010}"
        )
        .expect("writing to a string builder cannot fail");
        source_order.append_value("");
    }
    let mut taken_columns = columns
        .iter()
        .chain(&evolved_columns)
        .map(|column| keep(column.as_ref()))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    taken_columns.push(keep(&ops)?);
    taken_columns.push(Arc::new(source_order.finish()));
    taken_columns.push(commit_times.clone());
    taken_columns.push(positions.clone());
    let schema =
        super::taken_columns_schema(entity, &evolved_fields).map_err(|err| err.to_string())?;
    let taken = RecordBatch::try_new(schema, taken_columns).map_err(|err| err.to_string())?;
    if taken.num_rows() > 0 {
        parsed.taken_columns.entry(entity).or_default().push(taken);
    }
    parsed.records_read += rows as u64;
    Ok(())
}

/// The commit time column as UTC microseconds; a value that is not a time is null.
fn read_commit_times(column: &ArrayRef) -> std::result::Result<ArrayRef, String> {
    let utc_micros = DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()));
    let text_or_time = match column.data_type() {
        DataType::Timestamp(_, _) => column.clone(),
        _ => cast_with_options(column, &DataType::Utf8, &CastOptions::default())
            .map_err(|err| format!("column '{COMMIT_TIMESTAMP_COLUMN}' cannot be read: {err}"))?,
    };
    // A value that cannot be read becomes null here (`safe`), and its row is quarantined.
    cast_with_options(&text_or_time, &utc_micros, &CastOptions::default())
        .map_err(|err| format!("column '{COMMIT_TIMESTAMP_COLUMN}' cannot be read: {err}"))
}

/// Reads a DMS CSV file: no header by default (`AddColumnName=false`), the `Op` column in CDC
/// files only, then the commit timestamp column, then the table's columns in table order.
/// With `AddColumnName=true` the first line names the columns and they are read by name.
/// An empty field is null.
fn read_csv_file(path: &Path, relative_path: &str, entity: &'static str) -> ParsedFile {
    let reader = match open_headerless_csv(path, relative_path, entity) {
        Ok(reader) => reader,
        Err(unreadable) => return unreadable,
    };
    let fields = super::entity_fields(entity);
    let key_indexes = super::key_indexes(entity, &fields);
    let mut named_columns: Option<CsvColumns> = None;
    read_csv_lines(reader, relative_path, entity, 1, |record, position| {
        let (op_index, commit_index, column_indexes) =
            match csv_line_layout(record, position, &fields, named_columns.as_ref()) {
                CsvLayout::Header(named) => {
                    named_columns = Some(named);
                    return CsvLine::Skip;
                }
                CsvLayout::Line(columns) => columns,
                CsvLayout::Unknown(fields_found) => {
                    return CsvLine::Refused(format!(
                        "{fields_found} fields; a {entity} line has {} (full load) or {} (with '{OP_COLUMN}')",
                        fields.len() + 1,
                        fields.len() + 2
                    ))
                }
            };
        let field_text =
            |index: Option<usize>| index.and_then(|index| record.get(index)).unwrap_or("");
        let change = csv_change(
            op_index.map(|index| field_text(Some(index))),
            field_text(commit_index),
            column_indexes.iter().map(|index| field_text(*index)),
            &fields,
            &key_indexes,
        );
        match change {
            Ok((op, commit_micros, values)) => CsvLine::Taken(TakenRecord {
                values,
                op,
                source_order: format!("{commit_micros:020}|{relative_path}|{position:010}"),
                commit_micros: Some(commit_micros),
                position,
                extra: Vec::new(),
            }),
            Err(reason) => CsvLine::Refused(reason),
        }
    })
}

/// Where `Op`, the commit timestamp and each business column (in the entity's field order) sit
/// in a DMS CSV line.
pub type CsvColumns = (Option<usize>, Option<usize>, Vec<Option<usize>>);

/// What a line of a DMS CSV file is.
pub enum CsvLayout {
    /// The header line of a file written with `AddColumnName=true`: the columns by name.
    Header(CsvColumns),
    /// A change, its fields where the header or its number of fields puts them.
    Line(CsvColumns),
    /// A line with a number of fields no layout has.
    Unknown(usize),
}

/// The layout of line `position` (from 1) of a DMS CSV file of `fields`, given the columns its
/// header named, if it had one.
pub fn csv_line_layout(
    record: &csv::StringRecord,
    position: i64,
    fields: &[arrow::datatypes::FieldRef],
    named_columns: Option<&CsvColumns>,
) -> CsvLayout {
    if position == 1 && record.iter().any(|name| name == COMMIT_TIMESTAMP_COLUMN) {
        let find = |name: &str| record.iter().position(|found| found == name);
        return CsvLayout::Header((
            find(OP_COLUMN),
            find(COMMIT_TIMESTAMP_COLUMN),
            fields.iter().map(|field| find(field.name())).collect(),
        ));
    }
    match named_columns {
        Some(named) => CsvLayout::Line(named.clone()),
        None if record.len() == fields.len() + 2 => CsvLayout::Line((
            Some(0),
            Some(1),
            (2..).take(fields.len()).map(Some).collect(),
        )),
        None if record.len() == fields.len() + 1 => {
            CsvLayout::Line((None, Some(0), (1..).take(fields.len()).map(Some).collect()))
        }
        None => CsvLayout::Unknown(record.len()),
    }
}

/// One CSV line as a change: its op, commit time and values, or why it cannot be taken.
fn csv_change<'a>(
    op_text: Option<&str>,
    commit_text: &str,
    column_texts: impl Iterator<Item = &'a str>,
    fields: &[arrow::datatypes::FieldRef],
    key_indexes: &[usize],
) -> std::result::Result<(&'static str, i64, Vec<Value>), String> {
    let op = match op_text {
        None => "I",
        Some("I") => "I",
        Some("U") => "U",
        Some("D") => "D",
        Some(other) => return Err(format!("unknown op '{other}' in column '{OP_COLUMN}'")),
    };
    let commit_micros = chrono::NaiveDateTime::parse_from_str(commit_text, "%Y-%m-%d %H:%M:%S%.f")
        .map(|time| time.and_utc().timestamp_micros())
        .map_err(|_| {
            format!("field '{COMMIT_TIMESTAMP_COLUMN}': '{commit_text}' is not a yyyy-MM-dd HH:mm:ss.SSSSSS time")
        })?;
    let values = fields
        .iter()
        .zip(column_texts)
        .map(|(field, text)| {
            crate::rows::parse_text_value(field.data_type(), text)
                .map_err(|reason| format!("field '{}': {reason}", field.name()))
        })
        .collect::<std::result::Result<Vec<_>, _>>()?;
    if let Some(missing) = key_indexes
        .iter()
        .find(|index| values[**index] == Value::Null)
    {
        return Err(format!("missing key field '{}'", fields[*missing].name()));
    }
    Ok((op, commit_micros, values))
}

/// The lake type of a column the registry does not know: one of the types rows carry, the
/// column's own where it is one, else its text.
fn evolved_type(source_type: &DataType) -> DataType {
    match source_type {
        DataType::Utf8 | DataType::Int64 | DataType::Boolean | DataType::Date32 => {
            source_type.clone()
        }
        DataType::Utf8View | DataType::LargeUtf8 => DataType::Utf8,
        DataType::Int8
        | DataType::Int16
        | DataType::Int32
        | DataType::UInt8
        | DataType::UInt16
        | DataType::UInt32 => DataType::Int64,
        DataType::Decimal128(precision, scale) => DataType::Decimal128(*precision, *scale),
        DataType::Timestamp(_, _) => DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
        _ => DataType::Utf8,
    }
}

/// A row as `column=value` pairs, the raw payload of a quarantined Parquet row.
fn describe_row(batch: &RecordBatch, row: usize) -> String {
    displayed_row(batch, row)
        .into_iter()
        .map(|(column, value)| format!("{column}={value}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Each column's name and its value at `row` as displayed text.
fn displayed_row(batch: &RecordBatch, row: usize) -> Vec<(String, String)> {
    batch
        .schema()
        .fields()
        .iter()
        .zip(batch.columns())
        .map(|(field, column)| {
            let value = array_value_to_string(column, row).unwrap_or_default();
            (field.name().clone(), value)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use paylake_catalog::lineage;

    fn fx_change(op: &'static str, currency: &str, rate: i128) -> DmsChange {
        DmsChange {
            op,
            commit_micros: 1_700_000_000_000_000,
            values: vec![Value::Date(19_700), currency.into(), Value::Decimal(rate)],
        }
    }

    #[test]
    fn written_cdc_file_reads_back_with_ops_order_and_commit_time() {
        let dir = tempfile::tempdir().unwrap();
        let relative = "aurora/public/fx_rates/20231114-221320000.parquet";
        let path = dir.path().join(relative);
        write_file(
            &path,
            "fx_rates",
            &[
                fx_change("I", "EUR", 108_000_000),
                fx_change("D", "GBP", 127_000_000),
            ],
            true,
        )
        .unwrap();
        let parsed = read_file(&path, relative);
        assert!(parsed.quarantined.is_empty(), "{:?}", parsed.quarantined);
        let taken = taken_values(&parsed);
        assert_eq!(taken.len(), 2);
        assert_eq!(taken[0][lineage::OP], "I");
        assert_eq!(taken[1][lineage::OP], "D");
        assert_eq!(taken[1]["usd_rate"], "1.27000000");
        assert_eq!(
            taken[0][lineage::SOURCE_COMMIT_TIME],
            "2023-11-14T22:13:20Z"
        );
        assert!(taken[0][lineage::SOURCE_ORDER] < taken[1][lineage::SOURCE_ORDER]);
        assert_eq!(taken[1][lineage::SOURCE_POSITION], "2");
    }

    /// The taken rows of a columnar read, each as column name to displayed value.
    fn taken_values(parsed: &ParsedFile) -> Vec<std::collections::BTreeMap<String, String>> {
        let mut rows = Vec::new();
        for batch in parsed.taken_columns.values().flatten() {
            for row in 0..batch.num_rows() {
                rows.push(displayed_row(batch, row).into_iter().collect());
            }
        }
        rows
    }

    #[test]
    fn full_load_without_op_column_is_all_inserts() {
        let dir = tempfile::tempdir().unwrap();
        let relative = "aurora/public/fx_rates/LOAD00000001.parquet";
        let path = dir.path().join(relative);
        write_file(&path, "fx_rates", &[fx_change("I", "EUR", 1)], false).unwrap();
        let parsed = read_file(&path, relative);
        assert_eq!(taken_values(&parsed)[0][lineage::OP], "I");
    }

    #[test]
    fn unknown_op_and_missing_key_are_quarantined_by_row_with_field_names() {
        let dir = tempfile::tempdir().unwrap();
        let relative = "aurora/public/fx_rates/20231114-221320000.parquet";
        let path = dir.path().join(relative);
        let mut missing_key = fx_change("I", "EUR", 1);
        missing_key.values[1] = Value::Null;
        write_file(
            &path,
            "fx_rates",
            &[
                fx_change("X", "EUR", 1),
                missing_key,
                fx_change("U", "USD", 1),
            ],
            true,
        )
        .unwrap();
        let parsed = read_file(&path, relative);
        assert_eq!(parsed.records_read, 3);
        assert_eq!(parsed.records_taken(), 1);
        assert!(parsed.quarantined[0]
            .reason
            .contains("row 1: unknown op 'X'"));
        assert!(parsed.quarantined[1]
            .reason
            .contains("row 2: missing key field 'currency'"));
        assert!(parsed.quarantined[1].reason.contains(relative));
        let taken = taken_values(&parsed);
        assert_eq!(taken[0]["currency"], "USD");
        assert_eq!(taken[0][lineage::SOURCE_POSITION], "3");
    }

    #[test]
    fn csv_files_with_and_without_op_and_header_read_like_parquet() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: &str| {
            let relative = format!("aurora/public/fx_rates/{name}");
            let path = dir.path().join(&relative);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, text).unwrap();
            read_file(&path, &relative)
        };
        let full_load = write(
            "LOAD00000001.csv",
            "2023-11-14 22:13:20.000001,2023-11-14,EUR,1.08000000\n",
        );
        assert!(
            full_load.quarantined.is_empty(),
            "{:?}",
            full_load.quarantined
        );
        let record = &full_load.taken["fx_rates"][0];
        assert_eq!(record.op, "I");
        assert_eq!(record.commit_micros, Some(1_700_000_000_000_001));
        assert_eq!(record.values[2], Value::Decimal(108_000_000));

        let cdc = write(
            "20231114-221320000.csv",
            "U,2023-11-14 22:13:20.000002,2023-11-14,EUR,1.09\n\
             D,2023-11-14 22:13:20.000003,2023-11-14,GBP,\n\
             X,2023-11-14 22:13:20.000003,2023-11-14,GBP,\n\
             U,2023-11-14,2023-11-14,USD,1\n\
             U,2023-11-14 22:13:20.000004,2023-11-14,USD,one\n\
             U,2023-11-14 22:13:20.000004,2023-11-14\n",
        );
        assert_eq!(cdc.records_read, 6);
        let ops: Vec<_> = cdc.taken["fx_rates"]
            .iter()
            .map(|record| record.op)
            .collect();
        assert_eq!(ops, ["U", "D"]);
        let reasons: Vec<_> = cdc
            .quarantined
            .iter()
            .map(|record| record.reason.as_str())
            .collect();
        assert!(reasons[0].contains("line 3: unknown op 'X'"), "{reasons:?}");
        assert!(
            reasons[1].contains("line 4: field 'dms_commit_ts'"),
            "{reasons:?}"
        );
        assert!(
            reasons[2].contains("line 5: field 'usd_rate'"),
            "{reasons:?}"
        );
        assert!(reasons[3].contains("line 6: 3 fields"), "{reasons:?}");

        let with_header = write(
            "20231114-221321000.csv",
            "Op,dms_commit_ts,currency,rate_date,usd_rate\nI,2023-11-14 22:13:21.5,CHF,2023-11-14,1.1\n",
        );
        assert!(
            with_header.quarantined.is_empty(),
            "{:?}",
            with_header.quarantined
        );
        assert_eq!(with_header.records_read, 1);
        assert_eq!(
            with_header.taken["fx_rates"][0].values[1],
            Value::from("CHF")
        );
    }

    #[test]
    fn a_file_that_is_not_parquet_is_quarantined_whole() {
        let dir = tempfile::tempdir().unwrap();
        let relative = "aurora/public/customers/20231114-221320000.parquet";
        let path = dir.path().join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, b"id,name\n1,x\n").unwrap();
        let parsed = read_file(&path, relative);
        assert_eq!(parsed.records_taken(), 0);
        assert!(parsed.quarantined[0]
            .reason
            .contains("not a readable parquet file"));
    }
}
