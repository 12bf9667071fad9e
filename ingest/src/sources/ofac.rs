//! The US Treasury OFAC SDN list in its legacy CSV layout.
//!
//! Layout: `sanctions/ofac/<load id>/{sdn,alt,add}.csv`, one folder per published list; the
//! load id sorts by time, so the greatest is the latest list. The files have no header, use
//! `-0-` for an empty field and are padded with spaces. Each list replaces the one before it
//! (see `TableDef::full_snapshot`).

use std::path::Path;

use super::delimited::{open_headerless_csv, read_csv_lines, CsvLine};
use super::{entity_fields, ParsedFile, TakenRecord};
use crate::rows::{parse_text_value, Value};

pub const LANDING_FOLDER: &str = "sanctions/ofac";
pub const ENTRIES_ENTITY: &str = "sanctions_entries";
pub const ALIASES_ENTITY: &str = "sanctions_aliases";
pub const ADDRESSES_ENTITY: &str = "sanctions_addresses";
/// OFAC's marker of an empty field.
const EMPTY_FIELD: &str = "-0-";

/// The file names of one list and the entity each feeds.
pub const FILES: [(&str, &str); 3] = [
    ("sdn.csv", ENTRIES_ENTITY),
    ("alt.csv", ALIASES_ENTITY),
    ("add.csv", ADDRESSES_ENTITY),
];

/// The entity of a file at `sanctions/ofac/<load id>/<name>`.
pub fn entity_of(relative_path: &str) -> Option<&'static str> {
    let file_name = relative_path.rsplit('/').next()?;
    FILES
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(file_name))
        .map(|(_, entity)| *entity)
}

pub fn read_file(path: &Path, relative_path: &str) -> ParsedFile {
    let Some(entity) = entity_of(relative_path) else {
        return ParsedFile::unreadable(
            None,
            format!("'{relative_path}' is not one of the OFAC files sdn.csv, alt.csv, add.csv"),
        );
    };
    let reader = match open_headerless_csv(path, relative_path, entity) {
        Ok(reader) => reader,
        Err(unreadable) => return unreadable,
    };
    let fields = entity_fields(entity);
    read_csv_lines(reader, relative_path, entity, 1, |record, position| {
        // Older lists end with a lone end-of-file character (0x1A) on the last line.
        if record.len() == 1 && record[0].trim_matches(['\u{1a}', ' ']).is_empty() {
            return CsvLine::Skip;
        }
        if record.len() != fields.len() {
            return CsvLine::Refused(format!(
                "{} fields where a {entity} line has {}",
                record.len(),
                fields.len()
            ));
        }
        let values = fields
            .iter()
            .zip(record.iter())
            .map(|(field, text)| {
                let text = text.trim();
                let text = if text == EMPTY_FIELD { "" } else { text };
                parse_text_value(field.data_type(), text)
                    .map_err(|reason| format!("field '{}': {reason}", field.name()))
            })
            .collect::<std::result::Result<Vec<_>, _>>();
        match values {
            Ok(values) if values[0] == Value::Null => {
                CsvLine::Refused(format!("missing key field '{}'", fields[0].name()))
            }
            Ok(values) => {
                CsvLine::Taken(TakenRecord::in_file_order(values, relative_path, position))
            }
            Err(reason) => CsvLine::Refused(reason),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shared_list_file(name: &str) -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../shared/data/sanctions/ofac-2022-01-31")
            .join(name)
    }

    #[test]
    fn every_entry_alias_and_address_of_the_real_list_arrives() {
        for (name, entity, expected) in [
            ("sdn.csv", ENTRIES_ENTITY, 9044),
            ("alt.csv", ALIASES_ENTITY, 12409),
            ("add.csv", ADDRESSES_ENTITY, 13625),
        ] {
            let relative = format!("{LANDING_FOLDER}/20220131T000000Z/{name}");
            let parsed = read_file(&shared_list_file(name), &relative);
            assert!(
                parsed.quarantined.is_empty(),
                "{name}: {:?}",
                &parsed.quarantined[..1]
            );
            assert_eq!(parsed.records_taken(), expected, "{name}");
            assert_eq!(parsed.records_read, expected, "{name}");
            assert!(parsed.taken.contains_key(entity));
        }
    }

    #[test]
    fn empty_markers_become_nulls_and_padding_is_trimmed() {
        let relative = format!("{LANDING_FOLDER}/20220131T000000Z/sdn.csv");
        let parsed = read_file(&shared_list_file("sdn.csv"), &relative);
        let first = &parsed.taken[ENTRIES_ENTITY][0];
        assert_eq!(first.values[0], Value::Integer(36));
        assert_eq!(first.values[1], Value::from("AEROCARIBBEAN AIRLINES"));
        assert_eq!(first.values[2], Value::Null);
        assert_eq!(first.values[3], Value::from("CUBA"));
    }

    #[test]
    fn a_line_with_a_wrong_field_count_or_key_is_quarantined_by_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("alt.csv");
        std::fs::write(
            &path,
            "36,12,aka,AERO-CARIBBEAN,-0- \n36,13,aka\nX,14,aka,NAME,-0- \n",
        )
        .unwrap();
        let parsed = read_file(&path, "sanctions/ofac/1/alt.csv");
        assert_eq!(parsed.records_read, 3);
        assert_eq!(parsed.records_taken(), 1);
        assert!(parsed.quarantined[0].reason.contains("line 2: 3 fields"));
        assert!(parsed.quarantined[1]
            .reason
            .contains("line 3: field 'ent_num'"));
    }
}
