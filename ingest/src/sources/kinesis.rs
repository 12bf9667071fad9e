//! Kinesis payment events, as Firehose delivers them to S3.
//!
//! Layout: `kinesis/payment-events/YYYY/MM/DD/HH/payment-events-1-YYYY-MM-DD-HH-MM-SS-<id>`,
//! one Kinesis record per line: `SequenceNumber`, `ApproximateArrivalTimestamp` (epoch seconds
//! with fraction), `PartitionKey` and `Data`, the base64 of the event's JSON. Delivery is at
//! least once: the same record may arrive twice; silver keeps one row per `event_id`.

use std::path::Path;

use arrow::datatypes::FieldRef;
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use serde_json::{json, Value as Json};

use super::json_lines::write_json_lines;
use super::{
    create_parent, entity_fields, field_index, read_text, sequence_order, ParsedFile, TakenRecord,
};
use crate::error::{IngestError, Result};
use crate::rows::{parse_text_value, Value};

pub const LANDING_FOLDER: &str = "kinesis";
pub const STREAM_FOLDER: &str = "kinesis/payment-events";
pub const ENTITY: &str = "payment_events";
const KEY_FIELD: &str = "event_id";

/// One record of the stream.
#[derive(Debug, Clone)]
pub struct KinesisRecord {
    pub sequence_number: String,
    pub arrival_millis: i64,
    pub partition_key: String,
    /// The event, whose fields are the columns of `payment_events`.
    pub event: Json,
}

/// Firehose's object key for records buffered at `delivered_at_micros`.
pub fn object_key(delivered_at_micros: i64, object_id: u64) -> String {
    let time = chrono::DateTime::from_timestamp_micros(delivered_at_micros)
        .expect("simulated times are valid");
    format!(
        "{STREAM_FOLDER}/{}/payment-events-1-{}-{object_id:08x}",
        time.format("%Y/%m/%d/%H"),
        time.format("%Y-%m-%d-%H-%M-%S")
    )
}

/// Writes records as a consumer lands them: one `GetRecords` record per line, with its
/// sequence number and base64 `Data`.
pub fn write_file(path: &Path, records: &[KinesisRecord]) -> Result<()> {
    write_json_lines(
        path,
        records.iter().map(|record| {
            json!({
                "SequenceNumber": record.sequence_number,
                "ApproximateArrivalTimestamp": record.arrival_millis as f64 / 1000.0,
                "PartitionKey": record.partition_key,
                "Data": BASE64.encode(record.event.to_string()),
            })
        }),
    )
}

/// Writes records as Firehose delivers a Kinesis stream to S3: the records' data, one after
/// the other, with no delimiter.
pub fn write_firehose_object(path: &Path, records: &[KinesisRecord]) -> Result<()> {
    create_parent(path)?;
    let mut bytes = Vec::new();
    for record in records {
        serde_json::to_writer(&mut bytes, &record.event)?;
    }
    std::fs::write(path, bytes).map_err(|source| IngestError::io(path, source))
}

/// Reads a Firehose object or a consumer's file: a sequence of JSON values, concatenated or
/// one per line. A value with `SequenceNumber` and `Data` is a Kinesis record (ordered by
/// sequence number); any other is an event itself (ordered by object, then place). Malformed
/// JSON is quarantined up to the next line break, where reading resumes.
pub fn read_file(path: &Path, relative_path: &str) -> ParsedFile {
    let fields = entity_fields(ENTITY);
    let key_index = field_index(&fields, KEY_FIELD);
    let text = match read_text(path, relative_path, ENTITY) {
        Ok(text) => text,
        Err(unreadable) => return unreadable,
    };
    let mut parsed = ParsedFile::default();
    let mut offset = 0;
    let mut position = 0_i64;
    while offset < text.len() {
        let rest = &text[offset..];
        let mut values = serde_json::Deserializer::from_str(rest).into_iter::<Json>();
        let (result, consumed) = match values.next() {
            None => break,
            Some(Ok(value)) => (Ok(value), values.byte_offset()),
            Some(Err(err)) => {
                let line_end = rest[values.byte_offset()..]
                    .find('\n')
                    .map_or(rest.len(), |found| values.byte_offset() + found + 1);
                (Err(format!("malformed JSON: {err}")), line_end.max(1))
            }
        };
        position += 1;
        parsed.records_read += 1;
        let raw = rest[..consumed].trim();
        let record = result
            .and_then(|value| read_record(value, &fields, key_index, relative_path, position));
        match record {
            Ok(record) => parsed.take(ENTITY, TakenRecord { position, ..record }),
            Err(reason) => parsed.quarantine(
                position,
                ENTITY,
                format!("{relative_path} record {position} (byte {offset}): {reason}"),
                raw.to_string(),
            ),
        }
        offset += consumed;
    }
    parsed
}

fn read_record(
    record: Json,
    fields: &[FieldRef],
    key_index: usize,
    relative_path: &str,
    position: i64,
) -> std::result::Result<TakenRecord, String> {
    if record.get("Data").is_none() || record.get("SequenceNumber").is_none() {
        // Firehose's form: the event itself; the object and place give its order.
        let values = event_values(&record, fields, key_index, "")?;
        return Ok(TakenRecord::in_file_order(values, relative_path, position));
    }
    let sequence_number = record
        .get("SequenceNumber")
        .and_then(Json::as_str)
        .filter(|text| !text.is_empty() && text.bytes().all(|byte| byte.is_ascii_digit()))
        .ok_or("field 'SequenceNumber' is missing or not a number string")?;
    let arrival_seconds = record
        .get("ApproximateArrivalTimestamp")
        .and_then(Json::as_f64)
        .ok_or("field 'ApproximateArrivalTimestamp' is missing")?;
    let data = record
        .get("Data")
        .and_then(Json::as_str)
        .ok_or("field 'Data' is missing")?;
    let decoded = BASE64
        .decode(data)
        .map_err(|err| format!("field 'Data' is not base64: {err}"))?;
    let event: Json = serde_json::from_slice(&decoded)
        .map_err(|err| format!("field 'Data' is not a JSON event: {err}"))?;
    let values = event_values(&event, fields, key_index, "Data.")?;
    Ok(TakenRecord {
        values,
        op: "I",
        source_order: sequence_order(sequence_number),
        commit_micros: Some((arrival_seconds * 1_000_000.0).round() as i64),
        position,
        extra: Vec::new(),
    })
}

/// An event's fields in registry column order; `prefix` names where the event sits.
fn event_values(
    event: &Json,
    fields: &[FieldRef],
    key_index: usize,
    prefix: &str,
) -> std::result::Result<Vec<Value>, String> {
    if !event.is_object() {
        return Err(format!("{event} is not a JSON object"));
    }
    let mut values = Vec::with_capacity(fields.len());
    for field in fields {
        let value = match event.get(field.name()) {
            None | Some(Json::Null) => Value::Null,
            Some(Json::String(text)) => parse_text_value(field.data_type(), text)
                .map_err(|reason| format!("field '{prefix}{}': {reason}", field.name()))?,
            Some(other) => {
                return Err(format!(
                    "field '{prefix}{}': {other} does not fit column type {}",
                    field.name(),
                    field.data_type()
                ))
            }
        };
        values.push(value);
    }
    if values[key_index] == Value::Null {
        return Err(format!("missing key field '{prefix}{KEY_FIELD}'"));
    }
    Ok(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn firehose_object_reads_back_events_and_names_a_bad_payload() {
        let dir = tempfile::tempdir().unwrap();
        let key = object_key(1_772_445_600_000_000, 7);
        assert!(key.starts_with(
            "kinesis/payment-events/2026/03/02/10/payment-events-1-2026-03-02-10-00-00-"
        ));
        let path = dir.path().join(&key);
        let event = json!({"event_id": "E1", "payment_id": "P1", "event_type": "auth",
                           "occurred_at": "2026-03-02T10:00:00Z"});
        write_file(
            &path,
            &[KinesisRecord {
                sequence_number: "4955".into(),
                arrival_millis: 1_772_445_600_123,
                partition_key: "P1".into(),
                event,
            }],
        )
        .unwrap();
        let mut text = std::fs::read_to_string(&path).unwrap();
        text.push_str(
            "{\"SequenceNumber\":\"4956\",\"ApproximateArrivalTimestamp\":1.0,\"Data\":\"!!\"}\n",
        );
        std::fs::write(&path, text).unwrap();
        let parsed = read_file(&path, &key);
        assert_eq!(parsed.records_taken(), 1);
        assert_eq!(parsed.taken[ENTITY][0].values[0], Value::Text("E1".into()));
        assert!(parsed.quarantined[0].reason.contains("record 2 (byte "));
        assert!(parsed.quarantined[0]
            .reason
            .contains("field 'Data' is not base64"));
    }

    #[test]
    fn firehose_objects_of_concatenated_records_read_record_by_record() {
        let dir = tempfile::tempdir().unwrap();
        let key = object_key(1_772_445_600_000_000, 8);
        let path = dir.path().join(&key);
        let event = |id: &str| KinesisRecord {
            sequence_number: String::new(),
            arrival_millis: 0,
            partition_key: String::new(),
            event: json!({"event_id": id, "payment_id": "P1", "event_type": "auth"}),
        };
        write_firehose_object(&path, &[event("E1"), event("E2"), event("E3")]).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains('\n') && text.contains("}{"));
        let parsed = read_file(&path, &key);
        assert_eq!(parsed.records_taken(), 3);
        let records = &parsed.taken[ENTITY];
        assert_eq!(records[2].values[0], Value::from("E3"));
        assert!(records[0].source_order < records[1].source_order);

        // One record per line, with a broken line in the middle: the others still arrive.
        std::fs::write(
            &path,
            "{\"event_id\":\"E1\"}\n{\"event_id\": nope}\n{\"event_id\":\"E3\",\"occurred_at\":5}\n{\"payment_id\":\"P\"}\n{\"event_id\":\"E5\"}",
        )
        .unwrap();
        let parsed = read_file(&path, &key);
        assert_eq!(parsed.records_read, 5);
        assert_eq!(parsed.records_taken(), 2);
        let reasons: Vec<_> = parsed
            .quarantined
            .iter()
            .map(|record| record.reason.as_str())
            .collect();
        assert!(
            reasons[0].contains("record 2") && reasons[0].contains("malformed JSON"),
            "{reasons:?}"
        );
        assert!(
            reasons[1].contains("field 'occurred_at': 5 does not fit"),
            "{reasons:?}"
        );
        assert!(
            reasons[2].contains("missing key field 'event_id'"),
            "{reasons:?}"
        );
        assert_eq!(
            parsed.quarantined[0].raw_payload.as_deref(),
            Some("{\"event_id\": nope}")
        );
    }
}
