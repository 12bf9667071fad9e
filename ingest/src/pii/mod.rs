//! Personal data in free text (memos, remittance information, references).
//!
//! Free-text fields are where customers and operators type what no column was made for: an
//! e-mail address, a phone number, a card number. Before a record reaches bronze its free-text
//! fields pass a [`PiiDetector`]; the lake keeps the redacted text (`[EMAIL]`, `[CARD_NUMBER]`…)
//! and `silver.pii_findings` records where each finding was, never the text itself. The
//! original stays only in the landing file it came in.

use std::sync::{Arc, OnceLock};

use arrow::array::{Array, AsArray, RecordBatch, StringArray};
use arrow::datatypes::Int64Type;
use paylake_catalog::lineage;
use paylake_catalog::registry::FREE_TEXT_COLUMNS;
use regex::Regex;

use crate::error::{IngestError, Result};
use crate::rows::{value_at, Value};
use crate::sources::{entity_fields, field_index, key_indexes, TakenRecord};

mod comprehend;
pub use comprehend::ComprehendPiiDetector;

/// Kinds of personal data, named as Amazon Comprehend's DetectPiiEntities names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PiiKind {
    Email,
    Phone,
    CreditDebitNumber,
    BankAccountNumber,
    Ssn,
    /// Found by Comprehend only: names and addresses have no pattern to check.
    Name,
    Address,
}

impl PiiKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PiiKind::Email => "EMAIL",
            PiiKind::Phone => "PHONE",
            PiiKind::CreditDebitNumber => "CREDIT_DEBIT_NUMBER",
            PiiKind::BankAccountNumber => "BANK_ACCOUNT_NUMBER",
            PiiKind::Ssn => "SSN",
            PiiKind::Name => "NAME",
            PiiKind::Address => "ADDRESS",
        }
    }

    /// Comprehend's entity type name back to a kind; types paylake does not redact give None.
    pub fn from_comprehend(entity_type: &str) -> Option<Self> {
        match entity_type {
            "EMAIL" => Some(PiiKind::Email),
            "PHONE" => Some(PiiKind::Phone),
            "CREDIT_DEBIT_NUMBER" => Some(PiiKind::CreditDebitNumber),
            "BANK_ACCOUNT_NUMBER" | "INTERNATIONAL_BANK_ACCOUNT_NUMBER" => {
                Some(PiiKind::BankAccountNumber)
            }
            "SSN" => Some(PiiKind::Ssn),
            "NAME" => Some(PiiKind::Name),
            "ADDRESS" => Some(PiiKind::Address),
            _ => None,
        }
    }
}

/// One finding: a kind and a range of characters (not bytes) of the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PiiFinding {
    pub kind: PiiKind,
    pub start: usize,
    pub end: usize,
}

/// Finds personal data in text.
pub trait PiiDetector: Send + Sync {
    /// Name recorded with each finding.
    fn name(&self) -> &'static str;
    /// Findings in text order, not overlapping; an error when the text could not be
    /// examined (then nothing may be stored unredacted).
    fn detect(&self, text: &str) -> std::result::Result<Vec<PiiFinding>, String>;
}

/// The detector that runs in-process: patterns with check digits, so that an order number
/// is not taken for a card and a random code not for an IBAN.
#[derive(Debug, Default, Clone, Copy)]
pub struct EmbeddedPiiDetector;

struct Patterns {
    email: Regex,
    card: Regex,
    iban: Regex,
    ssn: Regex,
    phone: Regex,
}

fn patterns() -> &'static Patterns {
    static PATTERNS: OnceLock<Patterns> = OnceLock::new();
    PATTERNS.get_or_init(|| Patterns {
        email: Regex::new(r"[\w.%+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}")
            .expect("valid pattern"),
        // 13 to 19 digits, optionally grouped by single spaces or dashes.
        card: Regex::new(r"\b\d(?:[ -]?\d){12,18}\b").expect("valid pattern"),
        iban: Regex::new(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b").expect("valid pattern"),
        ssn: Regex::new(r"\b(\d{3})-(\d{2})-(\d{4})\b").expect("valid pattern"),
        // International numbers with their +country code, or North American ones.
        phone: Regex::new(
            r"(?:\+\d{1,3}[ .-]?(?:\(\d{1,4}\)[ .-]?)?\d{1,4}(?:[ .-]?\d{2,4}){1,4}|\(\d{3}\) ?\d{3}[ .-]\d{4}|\b\d{3}[.-]\d{3}[.-]\d{4})\b",
        )
            .expect("valid pattern"),
    })
}

/// Luhn check of the digits of a card number.
fn luhn_valid(digits: &[u32]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(index, digit)| {
            if index % 2 == 1 {
                let doubled = digit * 2;
                if doubled > 9 {
                    doubled - 9
                } else {
                    doubled
                }
            } else {
                *digit
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// ISO 13616 check of an IBAN: the number moved and read in base 36 is 1 modulo 97.
fn iban_valid(iban: &str) -> bool {
    let compact: String = iban.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.len() < 15 || compact.len() > 34 {
        return false;
    }
    let (head, tail) = compact.split_at(4);
    let mut remainder: u32 = 0;
    for character in tail.chars().chain(head.chars()) {
        let Some(value) = character.to_digit(36) else {
            return false;
        };
        remainder = if value < 10 {
            (remainder * 10 + value) % 97
        } else {
            (remainder * 100 + value) % 97
        };
    }
    remainder == 1
}

/// US SSN rules: no area 000, 666 or 900–999, no group 00, no serial 0000.
fn ssn_valid(area: &str, group: &str, serial: &str) -> bool {
    area != "000" && area != "666" && !area.starts_with('9') && group != "00" && serial != "0000"
}

impl PiiDetector for EmbeddedPiiDetector {
    fn name(&self) -> &'static str {
        "embedded"
    }

    fn detect(&self, text: &str) -> std::result::Result<Vec<PiiFinding>, String> {
        // Every kind needs an '@' or at least nine digits (an SSN is the shortest): most memos
        // have neither and skip the patterns.
        let digits = text.bytes().filter(u8::is_ascii_digit).count();
        if digits < 9 && !text.contains('@') {
            return Ok(Vec::new());
        }
        let patterns = patterns();
        // Byte ranges first; the most specific kinds claim their text before phone numbers.
        let mut found: Vec<(usize, usize, PiiKind)> = Vec::new();
        let free = |found: &Vec<(usize, usize, PiiKind)>, start: usize, end: usize| {
            found
                .iter()
                .all(|(taken_start, taken_end, _)| end <= *taken_start || start >= *taken_end)
        };
        for hit in patterns.email.find_iter(text) {
            found.push((hit.start(), hit.end(), PiiKind::Email));
        }
        for hit in patterns.iban.find_iter(text) {
            if iban_valid(hit.as_str()) && free(&found, hit.start(), hit.end()) {
                found.push((hit.start(), hit.end(), PiiKind::BankAccountNumber));
            }
        }
        for hit in patterns.card.find_iter(text) {
            let digits: Vec<u32> = hit
                .as_str()
                .chars()
                .filter_map(|c| c.to_digit(10))
                .collect();
            if luhn_valid(&digits) && free(&found, hit.start(), hit.end()) {
                found.push((hit.start(), hit.end(), PiiKind::CreditDebitNumber));
            }
        }
        for captures in patterns.ssn.captures_iter(text) {
            let whole = captures.get(0).expect("group 0 is the match");
            if ssn_valid(&captures[1], &captures[2], &captures[3])
                && free(&found, whole.start(), whole.end())
            {
                found.push((whole.start(), whole.end(), PiiKind::Ssn));
            }
        }
        for hit in patterns.phone.find_iter(text) {
            let digit_count = hit.as_str().chars().filter(char::is_ascii_digit).count();
            if (10..=15).contains(&digit_count) && free(&found, hit.start(), hit.end()) {
                found.push((hit.start(), hit.end(), PiiKind::Phone));
            }
        }
        found.sort();
        Ok(found
            .into_iter()
            .map(|(start, end, kind)| PiiFinding {
                kind,
                start: text[..start].chars().count(),
                end: text[..end].chars().count(),
            })
            .collect())
    }
}

/// The text with each finding replaced by `[KIND]`.
pub fn redact(text: &str, findings: &[PiiFinding]) -> String {
    debug_assert!(findings.windows(2).all(|pair| pair[0].end <= pair[1].start));
    let mut redacted = String::with_capacity(text.len());
    let mut next = 0;
    for (index, character) in text.chars().enumerate() {
        match findings.iter().find(|finding| finding.start == index) {
            Some(finding) => {
                redacted.push('[');
                redacted.push_str(finding.kind.as_str());
                redacted.push(']');
                next = finding.end;
            }
            None if index >= next => redacted.push(character),
            None => {}
        }
    }
    redacted
}

/// The free-text columns of an entity.
fn free_text_columns(entity: &str) -> Vec<&'static str> {
    FREE_TEXT_COLUMNS
        .iter()
        .filter(|(free_text_entity, _)| *free_text_entity == entity)
        .map(|(_, column)| *column)
        .collect()
}

/// Where a free-text value was found, as its findings record it.
struct TextPlace<'a> {
    source_table: &'a str,
    column: &'a str,
    relative_path: &'a str,
    position: i64,
}

/// Examines one free-text value: the redacted text and the `silver.pii_findings` rows of what
/// was found, or `None` when it holds no personal data. `record_key` is asked only then.
fn redact_text(
    detector: &dyn PiiDetector,
    text: &str,
    place: &TextPlace<'_>,
    record_key: impl FnOnce() -> String,
) -> Result<Option<(String, Vec<Vec<Value>>)>> {
    let findings = detector.detect(text).map_err(|reason| {
        IngestError::PiiDetection(format!(
            "{} record {}: field '{}': {reason}",
            place.relative_path, place.position, place.column
        ))
    })?;
    if findings.is_empty() {
        return Ok(None);
    }
    let redacted = redact(text, &findings);
    let record_key = record_key();
    let rows = findings
        .into_iter()
        .map(|finding| {
            vec![
                Value::from(place.source_table),
                Value::Text(record_key.clone()),
                Value::from(place.column),
                Value::from(finding.kind.as_str()),
                Value::Integer(finding.start as i64),
                Value::Integer(finding.end as i64),
                Value::from(detector.name()),
                Value::from(place.relative_path),
                Value::Integer(place.position),
            ]
        })
        .collect();
    Ok(Some((redacted, rows)))
}

/// Redacts the free-text fields of an entity's records in place and returns the rows of
/// `silver.pii_findings` for them. Entities without free-text columns are left untouched.
pub fn redact_records(
    detector: &dyn PiiDetector,
    entity: &str,
    records: &mut [TakenRecord],
    relative_path: &str,
) -> Result<Vec<Vec<Value>>> {
    let columns = free_text_columns(entity);
    if columns.is_empty() {
        return Ok(Vec::new());
    }
    let fields = entity_fields(entity);
    let key_indexes = key_indexes(entity, &fields);
    let source_table = format!("silver.{entity}");
    let mut findings_rows = Vec::new();
    for record in records.iter_mut() {
        for column in &columns {
            let index = field_index(&fields, column);
            let Value::Text(text) = &record.values[index] else {
                continue;
            };
            let place = TextPlace {
                source_table: &source_table,
                column,
                relative_path,
                position: record.position,
            };
            let record_key = || {
                key_indexes
                    .iter()
                    .map(|key_index| key_text(&record.values[*key_index]))
                    .collect::<Vec<_>>()
                    .join("|")
            };
            if let Some((redacted, rows)) = redact_text(detector, text, &place, record_key)? {
                findings_rows.extend(rows);
                record.values[index] = Value::Text(redacted);
            }
        }
    }
    Ok(findings_rows)
}

/// [`redact_records`] for records taken as columns (see
/// [`crate::sources::taken_columns_schema`]): only the free-text columns are read, and a column
/// is rebuilt only when something in it was redacted.
pub fn redact_columns(
    detector: &dyn PiiDetector,
    entity: &str,
    batch: RecordBatch,
    relative_path: &str,
) -> Result<(RecordBatch, Vec<Vec<Value>>)> {
    let columns = free_text_columns(entity);
    if columns.is_empty() || batch.num_rows() == 0 {
        return Ok((batch, Vec::new()));
    }
    // The batch begins with the entity's business columns, in registry order.
    let fields = entity_fields(entity);
    let key_indexes = key_indexes(entity, &fields);
    let source_table = format!("silver.{entity}");
    let positions = batch
        .column_by_name(lineage::SOURCE_POSITION)
        .and_then(|column| column.as_primitive_opt::<Int64Type>())
        .expect("taken columns carry their positions")
        .clone();
    let mut arrays = batch.columns().to_vec();
    let mut findings_rows = Vec::new();
    for column in &columns {
        let index = field_index(&fields, column);
        let texts = arrays[index].as_string::<i32>();
        let mut redacted_rows: Vec<(usize, String)> = Vec::new();
        for row in 0..texts.len() {
            if texts.is_null(row) {
                continue;
            }
            let place = TextPlace {
                source_table: &source_table,
                column,
                relative_path,
                position: positions.value(row),
            };
            let record_key = || {
                key_indexes
                    .iter()
                    .map(|key_index| {
                        value_at(arrays[*key_index].as_ref(), row)
                            .map(|value| key_text(&value))
                            .unwrap_or_default()
                    })
                    .collect::<Vec<_>>()
                    .join("|")
            };
            if let Some((redacted, rows)) =
                redact_text(detector, texts.value(row), &place, record_key)?
            {
                findings_rows.extend(rows);
                redacted_rows.push((row, redacted));
            }
        }
        if redacted_rows.is_empty() {
            continue;
        }
        let mut redacted_rows = redacted_rows.into_iter().peekable();
        let replaced: StringArray = texts
            .iter()
            .enumerate()
            .map(
                |(row, text)| match redacted_rows.next_if(|(at, _)| *at == row) {
                    Some((_, redacted)) => Some(redacted),
                    None => text.map(str::to_string),
                },
            )
            .collect();
        arrays[index] = Arc::new(replaced);
    }
    let batch = RecordBatch::try_new(batch.schema(), arrays)?;
    Ok((batch, findings_rows))
}

fn key_text(value: &Value) -> String {
    match value {
        Value::Text(text) => text.clone(),
        Value::Integer(number) => number.to_string(),
        Value::Date(days) => days.to_string(),
        other => format!("{other:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(PiiKind, String)> {
        EmbeddedPiiDetector
            .detect(text)
            .unwrap()
            .into_iter()
            .map(|finding| {
                let found: String = text
                    .chars()
                    .skip(finding.start)
                    .take(finding.end - finding.start)
                    .collect();
                (finding.kind, found)
            })
            .collect()
    }

    #[test]
    fn finds_each_kind_with_its_check_digits() {
        let text = "refund to jane.doe+x@example.co.uk, card 4111 1111 1111 1111, \
                    IBAN GB82 WEST 1234 5698 7654 32, SSN 123-45-6789, call +1 415-555-0132";
        assert_eq!(
            kinds(text),
            vec![
                (PiiKind::Email, "jane.doe+x@example.co.uk".to_string()),
                (
                    PiiKind::CreditDebitNumber,
                    "4111 1111 1111 1111".to_string()
                ),
                (
                    PiiKind::BankAccountNumber,
                    "GB82 WEST 1234 5698 7654 32".to_string()
                ),
                (PiiKind::Ssn, "123-45-6789".to_string()),
                (PiiKind::Phone, "+1 415-555-0132".to_string()),
            ]
        );
    }

    #[test]
    fn numbers_failing_their_checks_are_left_alone() {
        // Luhn fails, mod 97 fails, SSN area 000 is never issued, too few digits for a phone.
        let text =
            "order 4111 1111 1111 1112, ref GB82 WEST 1234 5698 7654 33, 000-12-3456, box 12-34";
        assert_eq!(kinds(text), vec![]);
    }

    #[test]
    fn redaction_replaces_findings_and_keeps_the_rest() {
        let text = "Zahlung für Müller, mail müller@example.de bitte";
        let findings = EmbeddedPiiDetector.detect(text).unwrap();
        assert_eq!(findings.len(), 1);
        assert_eq!(
            redact(text, &findings),
            "Zahlung für Müller, mail [EMAIL] bitte"
        );
    }
}
