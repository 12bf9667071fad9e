//! Reading of CSV reports whose header names map onto registry columns.

use std::path::Path;

use paylake_catalog::{registry, Zone};

use super::{create_parent, ParsedFile, TakenRecord};
use crate::error::{IngestError, Result};
use crate::rows::{parse_text_value, Value};

/// Writes a CSV report: a header line, then one line per row.
pub fn write_csv<'a>(
    path: &Path,
    headers: impl IntoIterator<Item = &'a str>,
    rows: impl IntoIterator<Item = Vec<String>>,
) -> Result<()> {
    create_parent(path)?;
    let mut writer = csv::Writer::from_path(path)?;
    writer.write_record(headers)?;
    for row in rows {
        writer.write_record(row)?;
    }
    writer
        .flush()
        .map_err(|source| IngestError::io(path, source))
}

/// A report's time, `YYYY-MM-DD HH:MM:SS` in UTC.
pub fn report_time(micros: i64) -> String {
    chrono::DateTime::from_timestamp_micros(micros)
        .expect("simulated times are valid")
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

/// A CSV file without a header line (DMS, OFAC), or the whole file quarantined when it
/// cannot be opened.
pub fn open_headerless_csv(
    path: &Path,
    relative_path: &str,
    entity: &'static str,
) -> std::result::Result<csv::Reader<std::fs::File>, ParsedFile> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_path(path)
        .map_err(|err| ParsedFile::unreadable(Some(entity), format!("'{relative_path}': {err}")))
}

/// What a reader makes of one CSV line.
pub enum CsvLine {
    /// Not a record (a header, an end-of-file marker): not counted as read.
    Skip,
    Taken(TakenRecord),
    Refused(String),
}

/// Reads every line of a CSV file with `read_line(record, line number)`; a line that cannot be
/// split, or that `read_line` refuses, is quarantined with its line number, reason and raw text.
/// `first_line` is the line number of the first record (2 after a header).
pub fn read_csv_lines<R: std::io::Read>(
    mut reader: csv::Reader<R>,
    relative_path: &str,
    entity: &'static str,
    first_line: i64,
    mut read_line: impl FnMut(&csv::StringRecord, i64) -> CsvLine,
) -> ParsedFile {
    let mut parsed = ParsedFile::default();
    for (index, record) in reader.records().enumerate() {
        let position = index as i64 + first_line;
        let (outcome, raw) = match record {
            Ok(record) => (
                read_line(&record, position),
                record.iter().collect::<Vec<_>>().join(","),
            ),
            Err(err) => (CsvLine::Refused(err.to_string()), String::new()),
        };
        match outcome {
            CsvLine::Skip => continue,
            CsvLine::Taken(record) => parsed.take(entity, record),
            CsvLine::Refused(reason) => parsed.quarantine(
                position,
                entity,
                format!("{relative_path} line {position}: {reason}"),
                raw,
            ),
        }
        parsed.records_read += 1;
    }
    parsed
}

/// How a CSV report maps onto an entity.
pub struct CsvLayout {
    pub entity: &'static str,
    /// `(header, column)` pairs; headers not listed are read and ignored.
    pub columns: &'static [(&'static str, &'static str)],
    /// Column that receives `<file>:<line>`, the line's identity.
    pub line_id_column: &'static str,
    /// A check on the whole line before its fields are parsed: `(header, allowed value)`.
    pub required_value: Option<(&'static str, &'static str)>,
}

pub fn read_csv(path: &Path, relative_path: &str, layout: &CsvLayout) -> ParsedFile {
    let entity = layout.entity;
    let mut reader = match csv::ReaderBuilder::new().flexible(true).from_path(path) {
        Ok(reader) => reader,
        Err(err) => {
            return ParsedFile::unreadable(Some(entity), format!("'{relative_path}': {err}"))
        }
    };
    let headers = match reader.headers() {
        Ok(headers) => headers.clone(),
        Err(err) => {
            return ParsedFile::unreadable(
                Some(entity),
                format!("'{relative_path}' has no readable header: {err}"),
            )
        }
    };
    let table = registry()
        .get(Zone::Silver, entity)
        .expect("csv layouts name registry entities");
    let fields = table.business_fields();
    // For each registry column, the index of its header in this file.
    let mut header_index_of_column = vec![None; fields.len()];
    for (header, column) in layout.columns {
        let Some(header_index) = headers.iter().position(|found| found == *header) else {
            return ParsedFile::unreadable(
                Some(entity),
                format!("'{relative_path}' lacks the header '{header}' of a {entity} file"),
            );
        };
        let column_index = fields
            .iter()
            .position(|field| field.name() == column)
            .expect("every mapped column is in the registry");
        header_index_of_column[column_index] = Some(header_index);
    }
    let required = layout.required_value.map(|(header, allowed)| {
        (
            header,
            allowed,
            headers.iter().position(|found| found == header),
        )
    });

    // Line 1 is the header.
    read_csv_lines(
        reader,
        relative_path,
        entity,
        2,
        |record, position| match line_values(
            record,
            &fields,
            &header_index_of_column,
            layout,
            relative_path,
            position,
            required,
        ) {
            Ok(values) => {
                CsvLine::Taken(TakenRecord::in_file_order(values, relative_path, position))
            }
            Err(reason) => CsvLine::Refused(reason),
        },
    )
}

fn line_values(
    record: &csv::StringRecord,
    fields: &[arrow::datatypes::FieldRef],
    header_index_of_column: &[Option<usize>],
    layout: &CsvLayout,
    relative_path: &str,
    position: i64,
    required: Option<(&str, &str, Option<usize>)>,
) -> std::result::Result<Vec<Value>, String> {
    if let Some((header, allowed, Some(index))) = required {
        let found = record.get(index).unwrap_or("");
        if !found.is_empty() && found != allowed {
            return Err(format!(
                "field '{header}': '{found}' is not supported, only {allowed}"
            ));
        }
    }
    fields
        .iter()
        .zip(header_index_of_column)
        .map(|(field, header_index)| {
            if field.name() == layout.line_id_column {
                return Ok(Value::Text(format!("{relative_path}:{position}")));
            }
            let text = header_index
                .and_then(|index| record.get(index))
                .unwrap_or("");
            parse_text_value(field.data_type(), text)
                .map_err(|reason| format!("field '{}': {reason}", field.name()))
        })
        .collect()
}
