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

use super::json_lines::{read_json_lines, write_json_lines};
use super::{sequence_order, ParsedFile, TakenRecord};
use crate::error::Result;
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

pub fn read_file(path: &Path, relative_path: &str) -> ParsedFile {
    read_json_lines(path, relative_path, ENTITY, KEY_FIELD, read_record)
}

fn read_record(
    line: &str,
    fields: &[FieldRef],
    key_index: usize,
) -> std::result::Result<TakenRecord, String> {
    let record: Json =
        serde_json::from_str(line).map_err(|err| format!("malformed JSON: {err}"))?;
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

    let mut values = Vec::with_capacity(fields.len());
    for field in fields {
        let value = match event.get(field.name()) {
            None | Some(Json::Null) => Value::Null,
            Some(Json::String(text)) => parse_text_value(field.data_type(), text)
                .map_err(|reason| format!("field 'Data.{}': {reason}", field.name()))?,
            Some(other) => {
                return Err(format!(
                    "field 'Data.{}': {other} does not fit column type {}",
                    field.name(),
                    field.data_type()
                ))
            }
        };
        values.push(value);
    }
    if values[key_index] == Value::Null {
        return Err(format!("missing key field 'Data.{KEY_FIELD}'"));
    }
    Ok(TakenRecord {
        values,
        op: "I",
        source_order: sequence_order(sequence_number),
        commit_micros: Some((arrival_seconds * 1_000_000.0).round() as i64),
        position: 0,
    })
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
        assert!(parsed.quarantined[0]
            .reason
            .contains("line 2: field 'Data' is not base64"));
    }
}
