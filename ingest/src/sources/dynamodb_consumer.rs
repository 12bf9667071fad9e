//! A DynamoDB Streams consumer (the Streams API): every shard of the table's latest stream,
//! parents before children, from its checkpoint to the end, landed as files the DynamoDB
//! reader takes.
//!
//! Layout: `dynamodb/<table>/<shard id>/<first>-<last>.jsonl`, one stream record per line in
//! the JSON form of `GetRecords` (DynamoDB JSON images). Checkpoints and shard lineage: see
//! `stream_landing`.

use std::collections::HashMap;

use aws_sdk_dynamodbstreams::error::DisplayErrorContext;
use aws_sdk_dynamodbstreams::types::{AttributeValue, Record, ShardIteratorType};
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use serde_json::{json, Map, Value as Json};

use super::stream_landing::{self, ConsumeReport, ShardLineage, ShardPage};
use crate::error::{IngestError, Result};
use crate::landing::LandingStore;

pub const LANDING_FOLDER: &str = super::dynamodb::LANDING_FOLDER;

fn aws_error(operation: &str, error: impl std::error::Error) -> IngestError {
    IngestError::Aws(format!("{operation}: {}", DisplayErrorContext(&error)))
}

/// An attribute value in DynamoDB JSON; numbers stay decimal strings, binaries base64.
pub fn attribute_json(value: &AttributeValue) -> Json {
    match value {
        AttributeValue::S(text) => json!({ "S": text }),
        AttributeValue::N(number) => json!({ "N": number }),
        AttributeValue::B(blob) => json!({ "B": BASE64.encode(blob.as_ref()) }),
        AttributeValue::Bool(flag) => json!({ "BOOL": flag }),
        AttributeValue::Null(_) => json!({ "NULL": true }),
        AttributeValue::Ss(texts) => json!({ "SS": texts }),
        AttributeValue::Ns(numbers) => json!({ "NS": numbers }),
        AttributeValue::Bs(blobs) => {
            json!({ "BS": blobs.iter().map(|blob| BASE64.encode(blob.as_ref())).collect::<Vec<_>>() })
        }
        AttributeValue::L(items) => {
            json!({ "L": items.iter().map(attribute_json).collect::<Vec<_>>() })
        }
        AttributeValue::M(map) => json!({ "M": image_json(map) }),
        _ => json!({ "NULL": true }),
    }
}

fn image_json(image: &HashMap<String, AttributeValue>) -> Json {
    let mut sorted: Vec<_> = image.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(b.0));
    Json::Object(
        sorted
            .into_iter()
            .map(|(name, value)| (name.clone(), attribute_json(value)))
            .collect::<Map<_, _>>(),
    )
}

/// A stream record as `GetRecords` returns it in JSON.
fn record_json(record: &Record) -> Json {
    let mut dynamodb = Map::new();
    if let Some(stream) = record.dynamodb() {
        if let Some(time) = stream.approximate_creation_date_time() {
            dynamodb.insert("ApproximateCreationDateTime".into(), json!(time.secs()));
        }
        if let Some(keys) = stream.keys() {
            dynamodb.insert("Keys".into(), image_json(keys));
        }
        if let Some(image) = stream.new_image() {
            dynamodb.insert("NewImage".into(), image_json(image));
        }
        if let Some(image) = stream.old_image() {
            dynamodb.insert("OldImage".into(), image_json(image));
        }
        if let Some(sequence) = stream.sequence_number() {
            dynamodb.insert("SequenceNumber".into(), json!(sequence));
        }
        if let Some(size) = stream.size_bytes() {
            dynamodb.insert("SizeBytes".into(), json!(size));
        }
        if let Some(view) = stream.stream_view_type() {
            dynamodb.insert("StreamViewType".into(), json!(view.as_str()));
        }
    }
    json!({
        "eventID": record.event_id(),
        "eventName": record.event_name().map(|name| name.as_str()),
        "eventVersion": record.event_version(),
        "eventSource": record.event_source(),
        "awsRegion": record.aws_region(),
        "dynamodb": Json::Object(dynamodb),
    })
}

async fn latest_stream_arn(
    client: &aws_sdk_dynamodbstreams::Client,
    table: &str,
) -> Result<String> {
    let response = client
        .list_streams()
        .table_name(table)
        .send()
        .await
        .map_err(|err| aws_error("ListStreams", err))?;
    response
        .streams()
        .iter()
        .max_by(|a, b| a.stream_label().cmp(&b.stream_label()))
        .and_then(|stream| stream.stream_arn())
        .map(str::to_string)
        .ok_or_else(|| {
            IngestError::Aws(format!(
                "table '{table}' has no stream; enable one with NEW_AND_OLD_IMAGES"
            ))
        })
}

async fn list_shards(
    client: &aws_sdk_dynamodbstreams::Client,
    stream_arn: &str,
) -> Result<Vec<ShardLineage>> {
    let mut shards = Vec::new();
    let mut start_after: Option<String> = None;
    loop {
        let response = client
            .describe_stream()
            .stream_arn(stream_arn)
            .set_exclusive_start_shard_id(start_after.clone())
            .send()
            .await
            .map_err(|err| aws_error("DescribeStream", err))?;
        let Some(description) = response.stream_description() else {
            return Ok(shards);
        };
        for shard in description.shards() {
            if let Some(shard_id) = shard.shard_id() {
                shards.push(ShardLineage {
                    shard_id: shard_id.to_string(),
                    parents: shard
                        .parent_shard_id()
                        .into_iter()
                        .map(str::to_string)
                        .collect(),
                });
            }
        }
        match description.last_evaluated_shard_id() {
            Some(last) => start_after = Some(last.to_string()),
            None => return Ok(shards),
        }
    }
}

/// Reads every shard of the table's stream from its checkpoint to the end into landing.
pub async fn consume_table_stream(
    client: &aws_sdk_dynamodbstreams::Client,
    table: &str,
    landing: &LandingStore,
    records_per_call: i32,
) -> Result<ConsumeReport> {
    let stream_arn = latest_stream_arn(client, table).await?;
    let shards = list_shards(client, &stream_arn).await?;
    let stream_arn = stream_arn.as_str();
    let iterator_for = |shard_id: String, checkpoint: Option<String>| async move {
        let request = client
            .get_shard_iterator()
            .stream_arn(stream_arn)
            .shard_id(shard_id);
        let request = match checkpoint {
            Some(sequence) => request
                .shard_iterator_type(ShardIteratorType::AfterSequenceNumber)
                .sequence_number(sequence),
            None => request.shard_iterator_type(ShardIteratorType::TrimHorizon),
        };
        let response = request
            .send()
            .await
            .map_err(|err| aws_error("GetShardIterator", err))?;
        Ok(response.shard_iterator().map(str::to_string))
    };
    let next_page = |iterator: String| async move {
        let response = client
            .get_records()
            .shard_iterator(iterator)
            .limit(records_per_call)
            .send()
            .await
            .map_err(|err| aws_error("GetRecords", err))?;
        let records = response
            .records()
            .iter()
            .map(|record| {
                let sequence = record
                    .dynamodb()
                    .and_then(|stream| stream.sequence_number())
                    .unwrap_or("0")
                    .to_string();
                (sequence, record_json(record).to_string())
            })
            .collect();
        Ok(ShardPage {
            records,
            next_iterator: response.next_shard_iterator().map(str::to_string),
            behind: false,
        })
    };
    let table_folder = format!("{LANDING_FOLDER}/{table}");
    stream_landing::land_shards(shards, landing, &table_folder, iterator_for, next_page).await
}
