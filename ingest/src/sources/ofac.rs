//! The US Treasury OFAC SDN list in its legacy CSV layout.
//!
//! Layout: `sanctions/ofac/<load id>/{sdn,alt,add}.csv`, one folder per published list; the
//! load id sorts by time, so the greatest is the latest list. The files have no header, use
//! `-0-` for an empty field and are padded with spaces. Each list replaces the one before it
//! (see `TableDef::full_snapshot`), so a publication is taken whole or not at all: a file cut
//! short (its last line without a line end or OFAC's end-of-file character) or a line that
//! does not read refuses every file of the publication, with the reason, and the list before
//! it stays in force. A screening against half a list would clear the names it lost.

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
    let parsed = read_lines(path, relative_path, entity);
    match publication_problem(path, relative_path, &parsed) {
        None => parsed,
        Some(reason) => ParsedFile::unreadable(
            Some(entity),
            format!(
                "{relative_path}: the publication {} is refused whole and the list before it \
                 stays in force: {reason}",
                publication_of(relative_path)
            ),
        ),
    }
}

/// The publication folder (`sanctions/ofac/<load id>`) of a list file, or `None` for a path
/// that is not one: the files read together.
pub fn publication_folder(relative_path: &str) -> Option<&str> {
    relative_path
        .strip_prefix(LANDING_FOLDER)
        .and_then(|_| relative_path.rsplit_once('/'))
        .map(|(folder, _)| folder)
}

/// The publication a file is named for in messages: its folder, or the file itself.
fn publication_of(relative_path: &str) -> &str {
    publication_folder(relative_path).unwrap_or(relative_path)
}

/// Why the publication of the file at `path` (already read as `parsed`) is not complete: the
/// first file of it cut short or holding a line that does not read.
fn publication_problem(path: &Path, relative_path: &str, parsed: &ParsedFile) -> Option<String> {
    let folder = path.parent()?;
    let publication = publication_of(relative_path);
    for (name, entity) in FILES {
        let sibling = folder.join(name);
        if !sibling.exists() {
            continue;
        }
        let sibling_relative = format!("{publication}/{name}");
        if let Some(reason) = cut_short(&sibling, &sibling_relative) {
            return Some(reason);
        }
        let is_this_file = entity_of(relative_path) == Some(entity);
        let sibling_parsed;
        let lines = if is_this_file {
            parsed
        } else {
            sibling_parsed = read_lines(&sibling, &sibling_relative, entity);
            &sibling_parsed
        };
        if let Some(first) = lines.quarantined.first() {
            let more = lines.quarantined.len() - 1;
            return Some(if more == 0 {
                first.reason.clone()
            } else {
                format!("{} (and {more} more lines)", first.reason)
            });
        }
    }
    None
}

/// Whether a list file ends as OFAC ends them: with a line end, or with the end-of-file
/// character of older lists. Only its last bytes are read.
fn cut_short(path: &Path, relative_path: &str) -> Option<String> {
    use std::io::{Read, Seek, SeekFrom};
    let unreadable = |err: std::io::Error| Some(format!("{relative_path} cannot be read: {err}"));
    let mut file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(err) => return unreadable(err),
    };
    // Trailing spaces and carriage returns before the end are skipped; a few suffice.
    let mut tail = Vec::with_capacity(64);
    let read = file
        .seek(SeekFrom::End(0))
        .and_then(|length| file.seek(SeekFrom::Start(length.saturating_sub(64))))
        .and_then(|_| file.read_to_end(&mut tail));
    if let Err(err) = read {
        return unreadable(err);
    }
    let ending = tail.iter().rev().find(|byte| !matches!(byte, b' ' | b'\r'));
    match ending {
        None => Some(format!("{relative_path} is empty")),
        Some(b'\n' | 0x1a) => None,
        Some(_) => Some(format!(
            "{relative_path} is cut short: its last line has no line end"
        )),
    }
}

fn read_lines(path: &Path, relative_path: &str, entity: &'static str) -> ParsedFile {
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

    /// A publication folder `sanctions/ofac/1` holding `files`, and the path of each.
    fn publication(files: &[(&str, &str)]) -> (tempfile::TempDir, Vec<std::path::PathBuf>) {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("sanctions/ofac/1");
        std::fs::create_dir_all(&folder).unwrap();
        let paths = files
            .iter()
            .map(|(name, text)| {
                let path = folder.join(name);
                std::fs::write(&path, text).unwrap();
                path
            })
            .collect();
        (dir, paths)
    }

    const GOOD_SDN: &str =
        "36,\"AEROCARIBBEAN AIRLINES\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n";

    #[test]
    fn a_line_that_does_not_read_refuses_every_file_of_its_publication() {
        let (_dir, paths) = publication(&[
            ("sdn.csv", GOOD_SDN),
            (
                "alt.csv",
                "36,12,aka,AERO-CARIBBEAN,-0- \n36,13,aka\nX,14,aka,NAME,-0- \n",
            ),
        ]);
        for (path, name) in paths.iter().zip(["sdn.csv", "alt.csv"]) {
            let parsed = read_file(path, &format!("sanctions/ofac/1/{name}"));
            assert_eq!(parsed.records_taken(), 0, "{name}");
            let reason = &parsed.quarantined[0].reason;
            assert!(
                reason.contains("the publication sanctions/ofac/1 is refused whole")
                    && reason.contains("sanctions/ofac/1/alt.csv line 2: 3 fields")
                    && reason.contains("(and 1 more lines)"),
                "{reason}"
            );
        }
    }

    #[test]
    fn a_file_cut_short_refuses_its_publication_and_an_end_of_file_character_ends_one() {
        let cut = GOOD_SDN.trim_end().trim_end_matches("-0- ");
        let (_dir, paths) = publication(&[("sdn.csv", cut)]);
        let parsed = read_file(&paths[0], "sanctions/ofac/1/sdn.csv");
        assert_eq!(parsed.records_taken(), 0);
        assert!(
            parsed.quarantined[0]
                .reason
                .contains("sanctions/ofac/1/sdn.csv is cut short"),
            "{:?}",
            parsed.quarantined
        );

        let (_dir, paths) = publication(&[("sdn.csv", &format!("{GOOD_SDN}\u{1a}"))]);
        let parsed = read_file(&paths[0], "sanctions/ofac/1/sdn.csv");
        assert!(parsed.quarantined.is_empty(), "{:?}", parsed.quarantined);
        assert_eq!(parsed.records_taken(), 1);
    }
}
