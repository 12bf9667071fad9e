//! Files of one JSON record per line, as stream consumers and Firehose write them.

use std::io::Write;
use std::path::Path;

use serde_json::Value as Json;

use arrow::datatypes::FieldRef;

use super::{create_parent, entity_fields, field_index, read_text, ParsedFile, TakenRecord};
use crate::error::{IngestError, Result};

pub fn write_json_lines(path: &Path, records: impl IntoIterator<Item = Json>) -> Result<()> {
    create_parent(path)?;
    let file = std::fs::File::create(path).map_err(|source| IngestError::io(path, source))?;
    let mut out = std::io::BufWriter::new(file);
    for record in records {
        serde_json::to_writer(&mut out, &record)?;
        out.write_all(b"\n")
            .map_err(|source| IngestError::io(path, source))?;
    }
    out.flush().map_err(|source| IngestError::io(path, source))
}

/// Reads each non-empty line with `read_record`, which receives the entity's business columns
/// and the index of `key_field` among them (resolved once per file). A line it refuses is
/// quarantined with its file, line number and reason.
pub fn read_json_lines(
    path: &Path,
    relative_path: &str,
    entity: &'static str,
    key_field: &str,
    read_record: impl Fn(&str, &[FieldRef], usize) -> std::result::Result<TakenRecord, String>,
) -> ParsedFile {
    let fields = entity_fields(entity);
    let key_index = field_index(&fields, key_field);
    let text = match read_text(path, relative_path, entity) {
        Ok(text) => text,
        Err(unreadable) => return unreadable,
    };
    let mut parsed = ParsedFile::default();
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let position = index as i64 + 1;
        parsed.records_read += 1;
        match read_record(line, &fields, key_index) {
            Ok(record) => parsed.take(entity, TakenRecord { position, ..record }),
            Err(reason) => parsed.quarantine(
                position,
                entity,
                format!("{relative_path} line {position}: {reason}"),
                line.to_string(),
            ),
        }
    }
    parsed
}
