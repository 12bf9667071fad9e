//! Landing of stream shards (Kinesis, DynamoDB Streams) as files, and the checkpoints that
//! come with them.
//!
//! A consumer writes each `GetRecords` batch of a shard as one file,
//! `<stream folder>/<shard id>/<first sequence>-<last sequence>.jsonl`, written aside and
//! renamed so that it appears whole or not at all. The shard's checkpoint is the greatest
//! last sequence number among its files, so it is durable exactly when the records are; ingest
//! then takes each file into Delta exactly once (see `bronze`). A shard read to its end (it
//! was closed by resharding) gets a `_closed` marker, and its children are read only after it,
//! so the changes of one key stay in order across a reshard.

use std::collections::BTreeSet;
use std::future::Future;

use crate::error::Result;
use crate::landing::LandingStore;

const CLOSED_MARKER: &str = "_closed";

/// Sequence numbers are decimal strings of up to 128 bits: padded, text order is numeric order.
fn padded(sequence_number: &str) -> String {
    format!("{sequence_number:0>40}")
}

/// The last sequence number landed for a shard, if any.
pub async fn checkpoint(landing: &LandingStore, shard_folder: &str) -> Result<Option<String>> {
    let mut last: Option<String> = None;
    for name in landing.names_under(shard_folder).await? {
        let Some(range) = name.strip_suffix(".jsonl") else {
            continue;
        };
        if name.starts_with('.') {
            continue;
        }
        let Some((_, last_in_file)) = range.split_once('-') else {
            continue;
        };
        if last
            .as_deref()
            .is_none_or(|current| padded(last_in_file) > padded(current))
        {
            last = Some(last_in_file.to_string());
        }
    }
    Ok(last)
}

/// Lands one batch of a shard's records, each a JSON line, under its sequence range.
pub async fn write_batch(
    landing: &LandingStore,
    shard_folder: &str,
    first_sequence: &str,
    last_sequence: &str,
    lines: &[String],
) -> Result<()> {
    debug_assert!(!lines.is_empty());
    debug_assert!(padded(first_sequence) <= padded(last_sequence));
    let mut bytes = Vec::new();
    for line in lines {
        bytes.extend_from_slice(line.as_bytes());
        bytes.push(b'\n');
    }
    landing
        .put_file(
            &format!("{shard_folder}/{first_sequence}-{last_sequence}.jsonl"),
            bytes,
        )
        .await
}

pub async fn is_closed(landing: &LandingStore, shard_folder: &str) -> Result<bool> {
    Ok(landing
        .names_under(shard_folder)
        .await?
        .iter()
        .any(|name| name == CLOSED_MARKER))
}

/// Records that a shard was read to its end.
pub async fn mark_closed(landing: &LandingStore, shard_folder: &str) -> Result<()> {
    landing
        .put_file(&format!("{shard_folder}/{CLOSED_MARKER}"), Vec::new())
        .await
}

/// A shard and the shards it was split or merged from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShardLineage {
    pub shard_id: String,
    pub parents: Vec<String>,
}

/// Shards in an order where each comes after its parents (those the stream still lists).
pub fn parents_first(shards: Vec<ShardLineage>) -> Vec<ShardLineage> {
    let listed: BTreeSet<String> = shards.iter().map(|shard| shard.shard_id.clone()).collect();
    let mut placed: BTreeSet<String> = BTreeSet::new();
    let mut remaining = shards;
    let mut ordered = Vec::new();
    while !remaining.is_empty() {
        let (ready, waiting): (Vec<_>, Vec<_>) = remaining.into_iter().partition(|shard| {
            shard
                .parents
                .iter()
                .all(|parent| !listed.contains(parent) || placed.contains(parent))
        });
        if ready.is_empty() {
            // A cycle cannot happen in a real stream; keep every shard rather than loop.
            ordered.extend(waiting);
            break;
        }
        for shard in &ready {
            placed.insert(shard.shard_id.clone());
        }
        ordered.extend(ready);
        remaining = waiting;
    }
    ordered
}

/// What one consumer pass landed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ConsumeReport {
    pub shards: usize,
    pub closed_shards: usize,
    pub records: u64,
    pub files: u64,
}

/// One `GetRecords` answer: each record's sequence number and JSON line, and where to go on.
pub struct ShardPage {
    pub records: Vec<(String, String)>,
    /// None once a closed shard has been read to its end.
    pub next_iterator: Option<String>,
    /// The shard holds more than this page (Kinesis's MillisBehindLatest > 0).
    pub behind: bool,
}

/// Reads every shard, parents first, from its checkpoint to the end, landing each page as a
/// file under `stream_folder/<shard id>/`. `iterator_for(shard id, checkpoint)` opens a shard
/// iterator after the checkpoint (or at the trim horizon); `next_page(iterator)` reads one
/// page.
pub async fn land_shards<OpenIterator, Opening, ReadPage, Reading>(
    shards: Vec<ShardLineage>,
    landing: &LandingStore,
    stream_folder: &str,
    mut iterator_for: OpenIterator,
    mut next_page: ReadPage,
) -> Result<ConsumeReport>
where
    OpenIterator: FnMut(String, Option<String>) -> Opening,
    Opening: Future<Output = Result<Option<String>>>,
    ReadPage: FnMut(String) -> Reading,
    Reading: Future<Output = Result<ShardPage>>,
{
    let shards = parents_first(shards);
    let mut report = ConsumeReport {
        shards: shards.len(),
        ..ConsumeReport::default()
    };
    for shard in shards {
        let shard_folder = format!("{stream_folder}/{}", shard.shard_id);
        if is_closed(landing, &shard_folder).await? {
            report.closed_shards += 1;
            continue;
        }
        let mut iterator = iterator_for(
            shard.shard_id.clone(),
            checkpoint(landing, &shard_folder).await?,
        )
        .await?;
        while let Some(current) = iterator.take() {
            let page = next_page(current).await?;
            if let (Some((first, _)), Some((last, _))) = (page.records.first(), page.records.last())
            {
                let lines: Vec<String> =
                    page.records.iter().map(|(_, line)| line.clone()).collect();
                write_batch(landing, &shard_folder, first, last, &lines).await?;
                report.records += lines.len() as u64;
                report.files += 1;
            }
            match page.next_iterator {
                // A closed shard read to its end: its children may start.
                None => {
                    mark_closed(landing, &shard_folder).await?;
                    report.closed_shards += 1;
                }
                Some(next) if !page.records.is_empty() || page.behind => iterator = Some(next),
                // Caught up with an open shard.
                Some(_) => {}
            }
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn checkpoint_is_the_greatest_landed_sequence_number() {
        let dir = tempfile::tempdir().unwrap();
        let landing = LandingStore::Local(dir.path().to_path_buf());
        let shard = "kinesis/streams/s/shardId-000000000000";
        assert_eq!(checkpoint(&landing, shard).await.unwrap(), None);
        write_batch(&landing, shard, "95", "99", &["{}".into()])
            .await
            .unwrap();
        write_batch(&landing, shard, "100", "120", &["{}".into()])
            .await
            .unwrap();
        std::fs::write(dir.path().join(shard).join(".130-140.jsonl.partial"), "{").unwrap();
        assert_eq!(
            checkpoint(&landing, shard).await.unwrap().as_deref(),
            Some("120")
        );
        assert!(!is_closed(&landing, shard).await.unwrap());
        mark_closed(&landing, shard).await.unwrap();
        assert!(is_closed(&landing, shard).await.unwrap());
    }

    #[test]
    fn children_come_after_their_parents() {
        let shard = |id: &str, parents: &[&str]| ShardLineage {
            shard_id: id.into(),
            parents: parents.iter().map(|parent| parent.to_string()).collect(),
        };
        let ordered = parents_first(vec![
            shard("merged", &["left", "right"]),
            shard("left", &["root"]),
            shard("right", &[]),
            shard("root", &["expired"]),
        ]);
        let ids: Vec<_> = ordered
            .iter()
            .map(|shard| shard.shard_id.as_str())
            .collect();
        assert_eq!(ids, ["right", "root", "left", "merged"]);
    }
}
