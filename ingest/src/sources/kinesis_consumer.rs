//! A Kinesis Data Streams consumer: every shard, parents before children, from its
//! checkpoint to the end of the stream, landed as files the Kinesis reader takes.
//!
//! Layout: `kinesis/streams/<stream>/<shard id>/<first>-<last>.jsonl`, one `GetRecords` record
//! per line as the API returns it (sequence number, arrival time, partition key, base64
//! data). Checkpoints and shard lineage: see `stream_landing`.

use std::path::Path;

use aws_sdk_kinesis::error::DisplayErrorContext;
use aws_sdk_kinesis::types::ShardIteratorType;
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use serde_json::json;

use super::stream_landing::{self, ShardLineage};
use crate::error::{IngestError, Result};

pub const STREAMS_FOLDER: &str = "kinesis/streams";

/// What one consumer pass landed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ConsumeReport {
    pub shards: usize,
    pub closed_shards: usize,
    pub records: u64,
    pub files: u64,
}

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

/// Reads every shard of `stream` from its checkpoint to the end into `landing_dir`.
pub async fn consume_stream(
    client: &aws_sdk_kinesis::Client,
    stream: &str,
    landing_dir: &Path,
    records_per_call: i32,
) -> Result<ConsumeReport> {
    let stream_folder = landing_dir.join(STREAMS_FOLDER).join(stream);
    let shards = stream_landing::parents_first(list_shards(client, stream).await?);
    let mut report = ConsumeReport {
        shards: shards.len(),
        ..ConsumeReport::default()
    };
    for shard in shards {
        let shard_folder = stream_folder.join(&shard.shard_id);
        if stream_landing::is_closed(&shard_folder) {
            report.closed_shards += 1;
            continue;
        }
        let request = client
            .get_shard_iterator()
            .stream_name(stream)
            .shard_id(&shard.shard_id);
        let request = match stream_landing::checkpoint(&shard_folder)? {
            Some(sequence) => request
                .shard_iterator_type(ShardIteratorType::AfterSequenceNumber)
                .starting_sequence_number(sequence),
            None => request.shard_iterator_type(ShardIteratorType::TrimHorizon),
        };
        let mut iterator = request
            .send()
            .await
            .map_err(|err| aws_error("GetShardIterator", err))?
            .shard_iterator()
            .map(str::to_string);
        while let Some(current) = iterator.take() {
            let response = client
                .get_records()
                .shard_iterator(current)
                .limit(records_per_call)
                .send()
                .await
                .map_err(|err| aws_error("GetRecords", err))?;
            let records = response.records();
            if let (Some(first), Some(last)) = (records.first(), records.last()) {
                let lines: Vec<String> = records
                    .iter()
                    .map(|record| {
                        json!({
                            "SequenceNumber": record.sequence_number(),
                            "ApproximateArrivalTimestamp": record
                                .approximate_arrival_timestamp()
                                .map(|time| time.as_secs_f64()),
                            "PartitionKey": record.partition_key(),
                            "Data": BASE64.encode(record.data().as_ref()),
                        })
                        .to_string()
                    })
                    .collect();
                stream_landing::write_batch(
                    &shard_folder,
                    first.sequence_number(),
                    last.sequence_number(),
                    &lines,
                )?;
                report.records += lines.len() as u64;
                report.files += 1;
            }
            match response.next_shard_iterator() {
                // A closed shard read to its end: its children may start.
                None => {
                    stream_landing::mark_closed(&shard_folder)?;
                    report.closed_shards += 1;
                }
                Some(next)
                    if !records.is_empty() || response.millis_behind_latest().unwrap_or(0) > 0 =>
                {
                    iterator = Some(next.to_string());
                }
                // Caught up with an open shard.
                Some(_) => {}
            }
        }
    }
    Ok(report)
}
