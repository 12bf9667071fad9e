//! One ingest run: every source's new landing files into bronze and quarantine, then silver.

use std::collections::{BTreeMap, BTreeSet};

use arrow::datatypes::FieldRef;
use backon::{ExponentialBuilder, Retryable};

use paylake_catalog::delta::{app_transactions, append, open_or_create_table, open_table};
use paylake_catalog::registry::HISTORY_ENTITIES;
use paylake_catalog::{registry, Lake, Zone};

use crate::bronze::{
    append_files, bronze_batch, bronze_row, commit_schema, file_app_id, quarantine_row,
    FileMarking, FileRows, IngestRun, SourceUnit,
};
use crate::error::{IngestError, Result};
use crate::history::rebuild_history;
use crate::landing::{LandingFile, LandingStore};
use crate::pii::{redact_columns, redact_records, EmbeddedPiiDetector, PiiDetector};
use crate::rows::{rows_to_batch, Value};
use crate::silver::{merge_entity, MergeOutcome};
use crate::sources::{add_evolved_fields, evolved_values_as, ParsedFile, Source};

/// Files parsed and committed together, at most; bounds the commits on many small files.
const FILES_PER_COMMIT: usize = 64;
/// Records parsed before a commit, at most (a file is never split); bounds memory on large
/// files. Records parsed one by one are held as values, several times their Parquet size: at
/// 250,000 the memory of a 1,000,000-record DynamoDB ingest peaked at 2.2 to 2.4 GB, most of
/// it held on after bronze into silver's load; at 100,000 at 2.0 to 2.1 GB, as fast.
const RECORDS_PER_COMMIT: u64 = 100_000;

/// Files parsed ahead of the one being taken, at most.
const FILES_PARSED_AHEAD: usize = 2;

/// Reads a fetched landing file on the blocking pool.
fn parse_in_background(source: Source, file: &LandingFile) -> tokio::task::JoinHandle<ParsedFile> {
    let (path, relative_path) = (file.path.clone(), file.relative_path.clone());
    tokio::task::spawn_blocking(move || source.read_file(&path, &relative_path))
}

/// What one run did with one source.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceReport {
    pub files_taken: u64,
    pub records_read: u64,
    pub records_taken: u64,
    pub records_quarantined: u64,
}

/// What one ingest run did.
#[derive(Debug, Clone)]
pub struct IngestReport {
    pub run_id: String,
    pub sources: BTreeMap<&'static str, SourceReport>,
    pub silver: BTreeMap<String, MergeOutcome>,
}

impl IngestReport {
    pub fn files_taken(&self) -> u64 {
        self.sources.values().map(|report| report.files_taken).sum()
    }
}

/// Takes every landing file not taken yet, then brings silver up to date, with free text
/// redacted by the embedded detector. `progress` receives a short message as each step starts.
pub async fn ingest_lake(lake: &Lake, progress: &dyn Fn(&str)) -> Result<IngestReport> {
    ingest_lake_with(lake, &EmbeddedPiiDetector, None, progress).await
}

/// [`ingest_lake`] with the given detector of personal data in free text, and the ingest time
/// the records carry (now when None; a replay of past days gives each day's).
pub async fn ingest_lake_with(
    lake: &Lake,
    pii_detector: &dyn PiiDetector,
    ingest_time: Option<chrono::DateTime<chrono::Utc>>,
    progress: &dyn Fn(&str),
) -> Result<IngestReport> {
    // Another ingest of the same lake may commit first; the next attempt sees its commits
    // and takes only what is still untaken (see `bronze`). Jittered pauses keep two writers
    // from colliding again.
    let pauses = ExponentialBuilder::new()
        .with_min_delay(std::time::Duration::from_millis(50))
        .with_max_times(7)
        .with_jitter();
    (|| ingest_once(lake, pii_detector, ingest_time, progress))
        .retry(pauses)
        .sleep(tokio::time::sleep)
        .when(IngestError::is_commit_conflict)
        .notify(|err, pause| {
            tracing::warn!(%err, ?pause, "another writer committed first; retrying");
        })
        .await
}

async fn ingest_once(
    lake: &Lake,
    pii_detector: &dyn PiiDetector,
    ingest_time: Option<chrono::DateTime<chrono::Utc>>,
    progress: &dyn Fn(&str),
) -> Result<IngestReport> {
    let run = IngestRun::start_at(ingest_time);
    let landing = LandingStore::open(lake)?;
    let mut sources = BTreeMap::new();
    for source in Source::ALL {
        progress(&format!("ingest {}", source.name()));
        let files = landing.list(source).await?;
        let report = ingest_source(lake, &landing, source, &files, &run, pii_detector).await?;
        tracing::info!(source = source.name(), ?report, "source ingested");
        if report.files_taken > 0 {
            record_run(lake, source.name(), &report, &run).await?;
        }
        sources.insert(source.name(), report);
    }
    let silver = refresh_silver(lake, progress).await?;
    Ok(IngestReport {
        run_id: run.run_id,
        sources,
        silver,
    })
}

/// Merges every bronze table into silver and rebuilds the type-2 histories; tables whose
/// bronze has not changed since are left as they are.
pub async fn refresh_silver(
    lake: &Lake,
    progress: &dyn Fn(&str),
) -> Result<BTreeMap<String, MergeOutcome>> {
    let mut silver = BTreeMap::new();
    for table in registry().tables() {
        // Silver tables fed by a bronze table of the same entity; derived ones come after.
        if table.zone != Zone::Silver || registry().get(Zone::Bronze, table.name).is_err() {
            continue;
        }
        progress(&format!("merge silver.{}", table.name));
        let outcome = merge_entity(lake, table.name).await?;
        tracing::info!(table = table.name, ?outcome, "silver merged");
        silver.insert(table.qualified_name(), outcome);
    }
    for (entity, key, history_table) in HISTORY_ENTITIES {
        progress(&format!("history silver.{history_table}"));
        if let Some(versions) = rebuild_history(lake, entity, key, history_table).await? {
            tracing::info!(table = history_table, versions, "history rebuilt");
        }
    }
    Ok(silver)
}

async fn ingest_source(
    lake: &Lake,
    landing: &LandingStore,
    source: Source,
    files: &[LandingFile],
    run: &IngestRun,
    pii_detector: &dyn PiiDetector,
) -> Result<SourceReport> {
    // Files of one source are committed per primary entity, the table that marks them taken.
    let mut by_primary: BTreeMap<Option<&'static str>, Vec<&LandingFile>> = BTreeMap::new();
    for file in files {
        by_primary
            .entry(source.primary_entity(&file.relative_path))
            .or_default()
            .push(file);
    }
    let mut report = SourceReport::default();
    for (primary_entity, group) in by_primary {
        let marker_table = match primary_entity {
            Some(entity) => registry().get(Zone::Bronze, entity)?,
            None => registry().get(Zone::Quarantine, source.name())?,
        };
        // One read of the marker table's log tells every file taken so far.
        let taken_files = match open_table(lake, marker_table).await? {
            Some(table) => app_transactions(&table, marker_table).await?,
            None => Default::default(),
        };
        let pending: Vec<&LandingFile> = group
            .into_iter()
            .filter(|file| !taken_files.contains_key(&file_app_id(&file.relative_path)))
            .collect();
        let mut parsed: Vec<(SourceUnit, ParsedFile)> = Vec::new();
        let mut parsed_records = 0;
        // Files are parsed ahead on the blocking pool, while the chunk before them is
        // committed: parsing and writing Parquet take a core each.
        let mut parsing = std::collections::VecDeque::new();
        let mut next_to_parse = 0;
        for (index, file) in pending.iter().enumerate() {
            while next_to_parse < pending.len() && next_to_parse <= index + FILES_PARSED_AHEAD {
                let ahead = pending[next_to_parse];
                landing.fetch(ahead).await?;
                parsing.push_back(parse_in_background(source, ahead));
                next_to_parse += 1;
            }
            let parsed_file = parsing
                .pop_front()
                .expect("every pending file is parsing by its turn")
                .await
                .map_err(|err| {
                    IngestError::Landing(format!("reading '{}' failed: {err}", file.relative_path))
                })?;
            landing.release(file);
            parsed_records += parsed_file.records_read;
            parsed.push((SourceUnit::landing_file(&file.relative_path), parsed_file));
            let last = index + 1 == pending.len();
            if last || parsed.len() >= FILES_PER_COMMIT || parsed_records >= RECORDS_PER_COMMIT {
                let chunk = std::mem::take(&mut parsed);
                parsed_records = 0;
                let taken_by = primary_entity.map_or(TakenBy::Quarantine, TakenBy::Bronze);
                commit_chunk(
                    lake,
                    source,
                    taken_by,
                    chunk,
                    run,
                    pii_detector,
                    &mut report,
                )
                .await?;
            }
        }
    }
    debug_assert_eq!(
        report.records_read,
        report.records_taken + report.records_quarantined
    );
    Ok(report)
}

/// Which table records a chunk's units as taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TakenBy {
    /// The bronze table of the source's primary entity, committed last.
    Bronze(&'static str),
    /// The source's quarantine table (files of an unknown table folder).
    Quarantine,
    /// Every table records the positions of the units it holds rows of (a replication
    /// slot: the caller leaves out the transactions every table already holds).
    EachTable,
}

/// Commits one chunk of parsed units (landing files or replicated transactions), the one
/// commit path of every source: quarantine first, then the PII findings, then secondary bronze
/// tables, then the table that marks the units taken. Each table skips units it already
/// holds, so a crash between these commits is repaired by the next run. Free text is redacted
/// and new source columns are added to the tables here.
pub(crate) async fn commit_chunk(
    lake: &Lake,
    source: Source,
    taken_by: TakenBy,
    parsed: Vec<(SourceUnit, ParsedFile)>,
    run: &IngestRun,
    pii_detector: &dyn PiiDetector,
    report: &mut SourceReport,
) -> Result<()> {
    let primary_entity = match taken_by {
        TakenBy::Bronze(entity) => Some(entity),
        TakenBy::Quarantine | TakenBy::EachTable => None,
    };
    let (units, parsed): (Vec<SourceUnit>, Vec<ParsedFile>) = parsed.into_iter().unzip();
    let mut quarantine_files = Vec::new();
    let mut pii_findings_files = Vec::new();
    let mut entity_files: BTreeMap<&'static str, Vec<FileRows<'_>>> = BTreeMap::new();
    let entities: BTreeSet<&'static str> = parsed
        .iter()
        .flat_map(ParsedFile::entities)
        .chain(primary_entity)
        .collect();
    // New source columns of the chunk, per entity, by name (the first file's type wins).
    let mut evolved: BTreeMap<&'static str, Vec<FieldRef>> = BTreeMap::new();
    for file in &parsed {
        for (entity, fields) in &file.evolved {
            add_evolved_fields(evolved.entry(entity).or_default(), fields);
        }
    }
    // Each entity's bronze commit schema, with the chunk's new columns: once for the chunk.
    let mut commit_schemas = BTreeMap::new();
    for entity in &entities {
        let chunk_fields = evolved.get(entity).map(Vec::as_slice).unwrap_or_default();
        let bronze = registry().get(Zone::Bronze, entity)?;
        commit_schemas.insert(*entity, commit_schema(bronze, chunk_fields));
    }
    for (file, parsed_file) in units.iter().zip(parsed) {
        report.files_taken += 1;
        report.records_read += parsed_file.records_read;
        report.records_taken += parsed_file.records_taken();
        report.records_quarantined += parsed_file.quarantined.len() as u64;
        for reason in parsed_file.quarantined.iter().take(3) {
            tracing::warn!(file = %file.relative_path, reason = %reason.reason, "record quarantined");
        }
        let ParsedFile {
            mut taken,
            mut taken_columns,
            quarantined,
            evolved: file_evolved,
            ..
        } = parsed_file;
        quarantine_files.push(FileRows::of_values(
            file,
            quarantined
                .into_iter()
                .map(|record| quarantine_row(record, &file.relative_path, run))
                .collect(),
        ));
        let mut pii_findings = Vec::new();
        for (entity, records) in taken.iter_mut() {
            pii_findings.extend(redact_records(
                pii_detector,
                entity,
                records,
                &file.relative_path,
            )?);
        }
        for entity in &entities {
            let chunk_fields = evolved.get(entity).map(Vec::as_slice).unwrap_or_default();
            let file_fields = file_evolved
                .get(entity)
                .map(Vec::as_slice)
                .unwrap_or_default();
            let rows: Vec<Vec<Value>> = taken
                .remove(entity)
                .unwrap_or_default()
                .into_iter()
                .map(|mut record| {
                    let extra = std::mem::take(&mut record.extra);
                    let mut row = bronze_row(record, &file.relative_path, run);
                    row.extend(evolved_values_as(file_fields, &extra, chunk_fields));
                    row
                })
                .collect();
            let schema = &commit_schemas[entity];
            let mut batches = Vec::new();
            for taken_batch in taken_columns.remove(entity).unwrap_or_default() {
                let (redacted, findings) =
                    redact_columns(pii_detector, entity, taken_batch, &file.relative_path)?;
                pii_findings.extend(findings);
                batches.push(bronze_batch(&redacted, schema, &file.relative_path, run)?);
            }
            entity_files.entry(entity).or_default().push(FileRows {
                unit: file,
                rows,
                batches,
            });
        }
        pii_findings_files.push(FileRows::of_values(file, pii_findings));
    }
    let quarantine_table = registry().get(Zone::Quarantine, source.name())?;
    // Files of an unknown table folder have no bronze table: quarantine marks them taken.
    let quarantine_marking = if taken_by == TakenBy::Quarantine {
        FileMarking::MarkTaken
    } else {
        FileMarking::SkipHeld
    };
    append_files(
        lake,
        quarantine_table,
        quarantine_files,
        quarantine_marking,
        &[],
    )
    .await?;
    let findings_table = registry().get(Zone::Silver, "pii_findings")?;
    append_files(
        lake,
        findings_table,
        pii_findings_files,
        FileMarking::SkipHeld,
        &[],
    )
    .await?;
    let primary_files = primary_entity.and_then(|entity| entity_files.remove(entity));
    let no_fields = Vec::new();
    for (entity, files) in entity_files {
        let table = registry().get(Zone::Bronze, entity)?;
        let fields = evolved.get(entity).unwrap_or(&no_fields);
        append_files(lake, table, files, FileMarking::SkipHeld, fields).await?;
    }
    if let (Some(entity), Some(files)) = (primary_entity, primary_files) {
        let table = registry().get(Zone::Bronze, entity)?;
        let fields = evolved.get(entity).unwrap_or(&no_fields);
        append_files(lake, table, files, FileMarking::MarkTaken, fields).await?;
    }
    Ok(())
}

/// Appends the run's counts for one source to `system.ingest_runs`.
pub(crate) async fn record_run(
    lake: &Lake,
    source_name: &str,
    report: &SourceReport,
    run: &IngestRun,
) -> Result<()> {
    let table = registry().get(Zone::System, "ingest_runs")?;
    let count = |value: u64| Value::Integer(i64::try_from(value).unwrap_or(i64::MAX));
    let row = vec![
        Value::Text(run.run_id.clone()),
        Value::from(source_name),
        Value::TimestampMicros(run.started_micros),
        Value::TimestampMicros(chrono::Utc::now().timestamp_micros()),
        count(report.files_taken),
        count(report.records_read),
        count(report.records_taken),
        count(report.records_quarantined),
    ];
    let batch = rows_to_batch(&table.schema, &[row])?;
    let delta_table = open_or_create_table(lake, table).await?;
    append(delta_table, table, vec![batch], vec![]).await?;
    Ok(())
}
