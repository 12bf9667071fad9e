//! A Kinesis Data Streams consumer: every shard, parents before children, from its
//! checkpoint to the end of the stream, landed as files the Kinesis reader takes.
//!
//! Layout: `kinesis/streams/<stream>/<shard id>/<first>-<last>.jsonl`, one `GetRecords` record
//! per line as the API returns it (sequence number, arrival time, partition key, base64
//! data). Checkpoints and shard lineage: see `stream_landing`.

use aws_sdk_kinesis::error::DisplayErrorContext;
use aws_sdk_kinesis::types::ShardIteratorType;
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use serde_json::json;

pub use super::stream_landing::ConsumeReport;
use super::stream_landing::{self, ShardLineage, ShardPage};
use crate::error::{IngestError, Result};
use crate::landing::LandingStore;

pub const STREAMS_FOLDER: &str = "kinesis/streams";

fn aws_error(operation: &str, error: impl std::error::Error) -> IngestError {
    IngestError::Aws(format!("{operation}: {}", DisplayErrorContext(&error)))
}

async fn list_shards(client: &aws_sdk_kinesis::Client, stream: &str) -> Result<Vec<ShardLineage>> {
    let mut shards = Vec::new();
    let mut next_token: Option<String> = None;
    loop {
        let request = match &next_token {
            Some(token) => client.list_shards().next_token(token),
            None => client.list_shards().stream_name(stream),
        };
        let response = request
            .send()
            .await
            .map_err(|err| aws_error("ListShards", err))?;
        for shard in response.shards() {
            shards.push(ShardLineage {
                shard_id: shard.shard_id().to_string(),
                parents: shard
                    .parent_shard_id()
                    .into_iter()
                    .chain(shard.adjacent_parent_shard_id())
                    .map(str::to_string)
                    .collect(),
            });
        }
        match response.next_token() {
            Some(token) => next_token = Some(token.to_string()),
            None => return Ok(shards),
        }
    }
}

/// Reads every shard of `stream` from its checkpoint to the end into landing.
pub async fn consume_stream(
    client: &aws_sdk_kinesis::Client,
    stream: &str,
    landing: &LandingStore,
    records_per_call: i32,
) -> Result<ConsumeReport> {
    let shards = list_shards(client, stream).await?;
    let iterator_for = |shard_id: String, checkpoint: Option<String>| async move {
        let request = client
            .get_shard_iterator()
            .stream_name(stream)
            .shard_id(shard_id);
        let request = match checkpoint {
            Some(sequence) => request
                .shard_iterator_type(ShardIteratorType::AfterSequenceNumber)
                .starting_sequence_number(sequence),
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
                let line = json!({
                    "SequenceNumber": record.sequence_number(),
                    "ApproximateArrivalTimestamp": record
                        .approximate_arrival_timestamp()
                        .map(|time| time.as_secs_f64()),
                    "PartitionKey": record.partition_key(),
                    "Data": BASE64.encode(record.data().as_ref()),
                });
                (record.sequence_number().to_string(), line.to_string())
            })
            .collect();
        Ok(ShardPage {
            records,
            next_iterator: response.next_shard_iterator().map(str::to_string),
            behind: response.millis_behind_latest().unwrap_or(0) > 0,
        })
    };
    let stream_folder = format!("{STREAMS_FOLDER}/{stream}");
    stream_landing::land_shards(shards, landing, &stream_folder, iterator_for, next_page).await
}
