//! The DynamoDB payments table, through its stream (view type NEW_AND_OLD_IMAGES).
//!
//! Layout: `dynamodb/payments/<shardId>/<first sequence number>.jsonl`, one stream record per
//! line, each as `GetRecords` returns it: `eventID`, `eventName` (INSERT, MODIFY, REMOVE) and
//! `dynamodb` with `Keys`, `NewImage`, `OldImage` in DynamoDB JSON, `SequenceNumber` and
//! `ApproximateCreationDateTime` (epoch seconds).

use std::path::Path;

use arrow::datatypes::{DataType, FieldRef, TimeUnit};
use serde_json::{json, Map, Value as Json};

use std::sync::Arc;

use arrow::datatypes::Field;

use super::dynamodb_types;
use super::json_lines::{read_json_lines, write_json_lines};
use super::{sequence_order, ParsedFile, TakenRecord};
use crate::error::Result;
use crate::rows::{parse_decimal, parse_timestamp_micros, Value};

pub const LANDING_FOLDER: &str = "dynamodb";
pub const TABLE_FOLDER: &str = "dynamodb/payments";
pub const ENTITY: &str = "payments";
const KEY_ATTRIBUTE: &str = "payment_id";

/// One stream record, as the simulator produces it.
#[derive(Debug, Clone)]
pub struct StreamRecord {
    pub event_id: String,
    /// INSERT, MODIFY or REMOVE.
    pub event_name: &'static str,
    pub approximate_creation_seconds: i64,
    pub sequence_number: String,
    pub keys: Map<String, Json>,
    pub new_image: Option<Map<String, Json>>,
    pub old_image: Option<Map<String, Json>>,
}

impl StreamRecord {
    pub fn to_json(&self) -> Json {
        self.clone().into_json()
    }

    /// The record as the stream's JSON, without copying its images.
    pub fn into_json(self) -> Json {
        let mut dynamodb = Map::new();
        dynamodb.insert(
            "ApproximateCreationDateTime".into(),
            json!(self.approximate_creation_seconds),
        );
        dynamodb.insert("Keys".into(), Json::Object(self.keys));
        if let Some(image) = self.new_image {
            dynamodb.insert("NewImage".into(), Json::Object(image));
        }
        if let Some(image) = self.old_image {
            dynamodb.insert("OldImage".into(), Json::Object(image));
        }
        dynamodb.insert("SequenceNumber".into(), json!(self.sequence_number));
        dynamodb.insert("SizeBytes".into(), json!(256));
        dynamodb.insert("StreamViewType".into(), json!("NEW_AND_OLD_IMAGES"));
        json!({
            "eventID": self.event_id,
            "eventName": self.event_name,
            "eventVersion": "1.1",
            "eventSource": "aws:dynamodb",
            "awsRegion": "us-east-1",
            "dynamodb": Json::Object(dynamodb),
        })
    }
}

/// DynamoDB JSON attribute values.
pub fn string_attribute(text: &str) -> Json {
    json!({ "S": text })
}
pub fn number_attribute(text: &str) -> Json {
    json!({ "N": text })
}
pub fn null_attribute() -> Json {
    json!({ "NULL": true })
}

/// Writes one shard's records as a JSON-lines file.
pub fn write_file(path: &Path, records: &[StreamRecord]) -> Result<()> {
    write_json_lines(path, records.iter().map(StreamRecord::to_json))
}

/// Writes records already in their JSON form (`StreamRecord::to_json`), one per line.
pub fn write_json_records(path: &Path, records: impl IntoIterator<Item = Json>) -> Result<()> {
    write_json_lines(path, records)
}

/// Reads a file of stream records into changes of `payments`. Attributes the registry does
/// not list become new nullable columns (schema evolution) typed from their DynamoDB JSON.
pub fn read_file(path: &Path, relative_path: &str) -> ParsedFile {
    let mut parsed = read_json_lines(path, relative_path, ENTITY, KEY_ATTRIBUTE, read_record);
    type_unlisted_attributes(&mut parsed, relative_path);
    parsed
}

/// Turns the unlisted attributes each record carries (as DynamoDB JSON text in `extra`) into
/// typed values of columns unified over the file; a record whose attribute does not fit its
/// column is quarantined.
fn type_unlisted_attributes(parsed: &mut ParsedFile, relative_path: &str) {
    let Some(records) = parsed.taken.remove(ENTITY) else {
        return;
    };
    let attributes: Vec<Map<String, Json>> = records
        .iter()
        .map(|record| match record.extra.first() {
            Some(Value::Text(json)) => serde_json::from_str(json).unwrap_or_default(),
            _ => Map::new(),
        })
        .collect();
    let mut columns: Vec<(String, Option<DataType>)> = Vec::new();
    for image in &attributes {
        for (name, attribute) in image {
            let seen = dynamodb_types::attribute_type(attribute).ok().flatten();
            match columns.iter_mut().find(|(known, _)| known == name) {
                Some((_, data_type)) => *data_type = dynamodb_types::unify(data_type.take(), seen),
                None => columns.push((name.clone(), seen)),
            }
        }
    }
    columns.sort_by(|a, b| a.0.cmp(&b.0));
    let fields: Vec<FieldRef> = columns
        .into_iter()
        .map(|(name, data_type)| {
            Arc::new(Field::new(name, data_type.unwrap_or(DataType::Utf8), true))
        })
        .collect();
    let mut kept = Vec::with_capacity(records.len());
    for (mut record, image) in records.into_iter().zip(attributes) {
        let extra: std::result::Result<Vec<Value>, String> = fields
            .iter()
            .map(|field| {
                let attribute = image.get(field.name());
                if attribute.is_none() {
                    return Ok(Value::Null);
                }
                dynamodb_types::attributes_array(&[attribute], field.data_type())
                    .map(Value::Array)
                    .map_err(|reason| format!("field '{}': {reason}", field.name()))
            })
            .collect();
        match extra {
            Ok(extra) => {
                record.extra = extra;
                kept.push(record);
            }
            Err(reason) => parsed.quarantine(
                record.position,
                ENTITY,
                format!("{relative_path} line {}: {reason}", record.position),
                Json::Object(image).to_string(),
            ),
        }
    }
    if !fields.is_empty() {
        parsed.evolved.insert(ENTITY, fields);
    }
    parsed.taken.insert(ENTITY, kept);
}

fn read_record(
    line: &str,
    fields: &[FieldRef],
    key_index: usize,
) -> std::result::Result<TakenRecord, String> {
    let record: Json =
        serde_json::from_str(line).map_err(|err| format!("malformed JSON: {err}"))?;
    let event_name = record
        .get("eventName")
        .and_then(Json::as_str)
        .ok_or("field 'eventName' is missing")?;
    let op = match event_name {
        "INSERT" => "I",
        "MODIFY" => "U",
        "REMOVE" => "D",
        other => return Err(format!("field 'eventName': unknown operation '{other}'")),
    };
    let stream = record
        .get("dynamodb")
        .and_then(Json::as_object)
        .ok_or("field 'dynamodb' is missing")?;
    let created_micros = creation_micros(&record, stream)?;
    // The Streams API numbers each record; Kinesis Data Streams for DynamoDB does not, and
    // may repeat or reorder records: creation time then eventID give the order, and a
    // repeat has the same order as its original.
    let source_order = match stream.get("SequenceNumber") {
        Some(sequence) => sequence
            .as_str()
            .filter(|text| !text.is_empty() && text.bytes().all(|byte| byte.is_ascii_digit()))
            .map(sequence_order)
            .ok_or("field 'dynamodb.SequenceNumber' is not a number string")?,
        None => {
            let event_id = record
                .get("eventID")
                .and_then(Json::as_str)
                .ok_or("field 'eventID' is missing (needed without SequenceNumber)")?;
            format!("{created_micros:020}|{event_id}")
        }
    };
    let image_name = if op == "D" { "OldImage" } else { "NewImage" };
    let image = stream
        .get(image_name)
        .or_else(|| stream.get("Keys"))
        .and_then(Json::as_object)
        .ok_or(format!("field 'dynamodb.{image_name}' is missing"))?;
    let key = stream
        .get("Keys")
        .and_then(|keys| keys.get(KEY_ATTRIBUTE))
        .and_then(|attribute| attribute.get("S"))
        .and_then(Json::as_str)
        .ok_or(format!("missing key field 'dynamodb.Keys.{KEY_ATTRIBUTE}'"))?;

    let mut values = Vec::with_capacity(fields.len());
    for field in fields {
        let value = match image.get(field.name()) {
            None => Value::Null,
            Some(attribute) => attribute_value(attribute, field.data_type())
                .map_err(|reason| format!("field '{}': {reason}", field.name()))?,
        };
        values.push(value);
    }
    values[key_index] = Value::Text(key.to_string());
    // Attributes the registry does not list, typed once the whole file is read.
    let unlisted: Map<String, Json> = image
        .iter()
        .filter(|(name, _)| !fields.iter().any(|field| field.name() == *name))
        .map(|(name, attribute)| (name.clone(), attribute.clone()))
        .collect();
    let extra = if unlisted.is_empty() {
        Vec::new()
    } else {
        vec![Value::Text(Json::Object(unlisted).to_string())]
    };
    Ok(TakenRecord {
        values,
        op,
        source_order,
        commit_micros: Some(created_micros),
        position: 0,
        extra,
    })
}

/// `ApproximateCreationDateTime` in microseconds: epoch seconds from the Streams API, or at
/// the stated `ApproximateCreationDateTimePrecision` (MILLISECOND or MICROSECOND) from
/// Kinesis Data Streams for DynamoDB.
fn creation_micros(record: &Json, stream: &Map<String, Json>) -> std::result::Result<i64, String> {
    let field = "dynamodb.ApproximateCreationDateTime";
    let value = stream
        .get("ApproximateCreationDateTime")
        .ok_or(format!("field '{field}' is missing"))?;
    let precision = record
        .get("dynamodb")
        .and_then(|dynamodb| dynamodb.get("ApproximateCreationDateTimePrecision"))
        .or_else(|| record.get("ApproximateCreationDateTimePrecision"))
        .and_then(Json::as_str);
    let micros_per_unit = match precision {
        None => 1_000_000,
        Some("MILLISECOND") => 1_000,
        Some("MICROSECOND") => 1,
        Some(other) => {
            return Err(format!(
                "field 'ApproximateCreationDateTimePrecision': unknown precision '{other}'"
            ))
        }
    };
    // Whole units are read as integers, so that microseconds stay exact.
    if let Some(whole) = value.as_i64() {
        return Ok(whole * micros_per_unit);
    }
    value
        .as_f64()
        .map(|units| (units * micros_per_unit as f64).round() as i64)
        .ok_or(format!("field '{field}' is not a number"))
}

/// Converts one DynamoDB JSON attribute to a value of the column's type. Numbers (`N`) are
/// decimal strings and are never read through a float.
fn attribute_value(attribute: &Json, data_type: &DataType) -> std::result::Result<Value, String> {
    let object = attribute
        .as_object()
        .filter(|object| object.len() == 1)
        .ok_or("is not a DynamoDB JSON attribute value")?;
    let (descriptor, content) = object.iter().next().expect("one entry checked above");
    if descriptor == "NULL" {
        return Ok(Value::Null);
    }
    if let (Some(flag), DataType::Boolean) = (content.as_bool(), data_type) {
        if descriptor == "BOOL" {
            return Ok(Value::Boolean(flag));
        }
    }
    // String and number sets become lists; their members stay text, exact.
    if let ("SS" | "NS", DataType::List(_), Some(members)) =
        (descriptor.as_str(), data_type, content.as_array())
    {
        return members
            .iter()
            .map(|member| {
                member
                    .as_str()
                    .map(str::to_string)
                    .ok_or_else(|| format!("a member of {descriptor} is not a string"))
            })
            .collect::<std::result::Result<Vec<_>, _>>()
            .map(Value::TextList);
    }
    let text = content
        .as_str()
        .ok_or_else(|| format!("type {descriptor} does not fit column type {data_type}"))?;
    match (descriptor.as_str(), data_type) {
        ("S", DataType::Utf8) | ("N", DataType::Utf8) => Ok(Value::Text(text.to_string())),
        ("N", DataType::Decimal128(_, scale)) => {
            parse_decimal(text, u32::try_from(*scale).unwrap_or(0)).map(Value::Decimal)
        }
        ("N", DataType::Int64) => text
            .parse()
            .map(Value::Integer)
            .map_err(|_| format!("'{text}' is not an integer")),
        // Epoch milliseconds, as the payments service writes updated_at.
        ("N", DataType::Timestamp(TimeUnit::Microsecond, _)) => text
            .parse::<i64>()
            .map(|millis| Value::TimestampMicros(millis * 1000))
            .map_err(|_| format!("'{text}' is not epoch milliseconds")),
        ("S", DataType::Timestamp(TimeUnit::Microsecond, _)) => {
            parse_timestamp_micros(text).map(Value::TimestampMicros)
        }
        (descriptor, data_type) => Err(format!(
            "type {descriptor} does not fit column type {data_type}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use paylake_catalog::{registry, Zone};

    fn image(status: &str, amount: &str) -> Map<String, Json> {
        let mut image = Map::new();
        image.insert("payment_id".into(), string_attribute("P1"));
        image.insert("amount".into(), number_attribute(amount));
        image.insert("status".into(), string_attribute(status));
        image.insert(
            "created_at".into(),
            string_attribute("2026-03-02T10:00:00Z"),
        );
        image.insert("updated_at".into(), number_attribute("1772445600000"));
        image.insert("failure_reason".into(), null_attribute());
        image
    }

    fn record(event_name: &'static str, sequence: &str, image: Map<String, Json>) -> StreamRecord {
        let mut keys = Map::new();
        keys.insert("payment_id".into(), string_attribute("P1"));
        StreamRecord {
            event_id: format!("e{sequence}"),
            event_name,
            approximate_creation_seconds: 1_772_445_600,
            sequence_number: sequence.into(),
            keys,
            new_image: (event_name != "REMOVE").then(|| image.clone()),
            old_image: (event_name != "INSERT").then_some(image),
        }
    }

    #[test]
    fn stream_records_become_ordered_changes_with_exact_amounts() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("shard.jsonl");
        write_file(
            &path,
            &[
                record("INSERT", "9", image("created", "12.34")),
                record("MODIFY", "10", image("authorized", "12.34")),
                record("REMOVE", "11", image("authorized", "12.34")),
            ],
        )
        .unwrap();
        let parsed = read_file(&path, "dynamodb/payments/s/1.jsonl");
        let records = &parsed.taken[ENTITY];
        let ops: Vec<_> = records.iter().map(|record| record.op).collect();
        assert_eq!(ops, ["I", "U", "D"]);
        // "9" < "10" numerically: the order key must agree.
        assert!(records[0].source_order < records[1].source_order);
        let table = registry().get(Zone::Silver, ENTITY).unwrap();
        let amount = table.schema.index_of("amount").unwrap();
        assert_eq!(records[0].values[amount], Value::Decimal(1234));
        let updated = table.schema.index_of("updated_at").unwrap();
        assert_eq!(
            records[0].values[updated],
            Value::TimestampMicros(1_772_445_600_000_000)
        );
    }

    #[test]
    fn bad_lines_are_quarantined_with_line_and_field() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("shard.jsonl");
        let good = record("INSERT", "1", image("created", "1.00"))
            .to_json()
            .to_string();
        let bad_amount = record("INSERT", "2", image("created", "1.001"))
            .to_json()
            .to_string();
        let bad_op = good.replace("INSERT", "UPSERT");
        std::fs::write(
            &path,
            format!("{good}\n{{not json\n{bad_amount}\n{bad_op}\n"),
        )
        .unwrap();
        let parsed = read_file(&path, "dynamodb/payments/s/1.jsonl");
        assert_eq!(parsed.records_read, 4);
        assert_eq!(parsed.records_taken(), 1);
        let reasons: Vec<_> = parsed
            .quarantined
            .iter()
            .map(|q| q.reason.as_str())
            .collect();
        assert!(reasons[0].contains("line 2: malformed JSON"), "{reasons:?}");
        assert!(reasons[1].contains("line 3: field 'amount'"), "{reasons:?}");
        assert!(
            reasons[2].contains("unknown operation 'UPSERT'"),
            "{reasons:?}"
        );
    }

    #[test]
    fn kinesis_for_dynamodb_records_order_by_creation_time_and_repeat_identically() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kds.jsonl");
        // The form Kinesis Data Streams for DynamoDB delivers: no SequenceNumber, creation
        // time in the stated precision, repeats and reordering allowed.
        let kds = |event_id: &str, micros: i64, status: &str| {
            let mut json = record("MODIFY", "0", image(status, "2.00")).to_json();
            let dynamodb = json["dynamodb"].as_object_mut().unwrap();
            dynamodb.remove("SequenceNumber");
            dynamodb.insert("ApproximateCreationDateTime".into(), json!(micros));
            dynamodb.insert(
                "ApproximateCreationDateTimePrecision".into(),
                json!("MICROSECOND"),
            );
            json["eventID"] = json!(event_id);
            json["tableName"] = json!("payments");
            json["recordFormat"] = json!("application/json");
            json.to_string()
        };
        let later = kds("e2", 1_772_445_600_000_002, "captured");
        let earlier = kds("e1", 1_772_445_600_000_001, "authorized");
        std::fs::write(&path, format!("{later}\n{earlier}\n{later}\n")).unwrap();
        let parsed = read_file(&path, "dynamodb/payments/kds/1.jsonl");
        assert!(parsed.quarantined.is_empty(), "{:?}", parsed.quarantined);
        let records = &parsed.taken[ENTITY];
        assert_eq!(records[0].commit_micros, Some(1_772_445_600_000_002));
        assert!(records[1].source_order < records[0].source_order);
        // The repeat sorts exactly as its original: silver keeps one of them.
        assert_eq!(records[0].source_order, records[2].source_order);
    }
}
