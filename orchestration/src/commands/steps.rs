//! The pipeline's steps as the commands run them: simulate, ingest, build a business date.

use paylake_catalog::Lake;
use paylake_ingest::landing::LandingStore;
use paylake_ingest::pii::PiiDetector;
use paylake_ingest::sources::postgres::replication::{ReplicationSettings, Replicator};
use paylake_ingest::sources::{dynamodb_consumer, kinesis_consumer};
use paylake_ingest::IngestReport;
use paylake_simulator::{simulate as simulate_sources, SimulationConfig, SimulationSummary};

use super::spinner;
use crate::cli::SimulationArgs;
use crate::config::Settings;
use crate::error::{OrchestrationError, Result};

/// Runs `write` on the folder producers deliver into: the lake's landing folder, or for a
/// lake on S3 a local staging folder whose files are then put under `landing/`. The files
/// under `carried_folders` (relative to landing) are fetched into the staging folder first,
/// for a writer that reads back what it wrote before.
pub async fn with_landing_folder<T>(
    lake: &Lake,
    carried_folders: &[&str],
    write: impl FnOnce(&std::path::Path) -> Result<T>,
) -> Result<T> {
    if lake.local_root().is_some() {
        return write(&lake.landing_dir()?);
    }
    let staging = tempfile::tempdir().map_err(|source| OrchestrationError::Io {
        path: std::env::temp_dir(),
        source,
    })?;
    let store = LandingStore::open(lake)?;
    for folder in carried_folders {
        for name in store.names_under(folder).await? {
            let relative = format!("{folder}/{name}");
            let bytes = store.read_file(&relative).await?;
            let path = staging.path().join(&relative);
            std::fs::create_dir_all(staging.path().join(folder))
                .and_then(|()| std::fs::write(&path, bytes))
                .map_err(|source| OrchestrationError::Io { path, source })?;
        }
    }
    let written = write(staging.path())?;
    let uploaded = store.upload_folder(staging.path()).await?;
    tracing::info!(uploaded, landing = %lake.landing_url(), "landing files delivered");
    Ok(written)
}

pub async fn simulate(
    settings: &Settings,
    lake: &Lake,
    args: &SimulationArgs,
) -> Result<SimulationSummary> {
    let timezone = settings.timezone()?;
    let ofac_sdn_csv = settings.ofac_sdn_csv.clone().filter(|path| {
        let exists = path.exists();
        if !exists {
            tracing::warn!(path = %path.display(), "OFAC list not found: no sanctioned-name customers");
        }
        exists
    });
    let config = SimulationConfig {
        start_date: args.start_date,
        days: args.days,
        payments_per_day: args.payments_per_day,
        seed: args.seed,
        business_timezone: timezone,
        ofac_sdn_csv,
    };
    let bar = spinner("simulating sources");
    let summary = with_landing_folder(lake, &paylake_simulator::CARRIED_FOLDERS, |folder| {
        Ok(simulate_sources(folder, &config)?)
    })
    .await?;
    bar.finish_and_clear();
    Ok(summary)
}

pub async fn ingest(lake: &Lake) -> Result<IngestReport> {
    ingest_with(lake, &paylake_ingest::pii::EmbeddedPiiDetector, None).await
}

/// Ingests with the given detector; the records carry `ingest_time` (now when None).
pub async fn ingest_with(
    lake: &Lake,
    pii_detector: &dyn PiiDetector,
    ingest_time: Option<chrono::DateTime<chrono::Utc>>,
) -> Result<IngestReport> {
    let bar = spinner("ingesting");
    let report = paylake_ingest::ingest_lake_with(lake, pii_detector, ingest_time, &|step| {
        bar.set_message(step.to_string())
    })
    .await?;
    bar.finish_and_clear();
    Ok(report)
}

pub fn print_ingest_report(report: &IngestReport) {
    println!("ingest run {}", report.run_id);
    println!(
        "{:<16} {:>6} {:>10} {:>10} {:>12}",
        "source", "files", "read", "taken", "quarantined"
    );
    for (source, counts) in &report.sources {
        println!(
            "{:<16} {:>6} {:>10} {:>10} {:>12}",
            source,
            counts.files_taken,
            counts.records_read,
            counts.records_taken,
            counts.records_quarantined
        );
    }
}

/// Lands what the named streams hold past their checkpoints.
pub async fn consume_streams(
    lake: &Lake,
    kinesis_stream: Option<&str>,
    dynamodb_table: Option<&str>,
    records_per_call: i32,
) -> Result<()> {
    if kinesis_stream.is_none() && dynamodb_table.is_none() {
        return Err(OrchestrationError::Usage(
            "name a stream: --kinesis-stream and/or --dynamodb-table".into(),
        ));
    }
    let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let landing = LandingStore::open(lake)?;
    if let Some(stream) = kinesis_stream {
        let client = aws_sdk_kinesis::Client::new(&config);
        let report =
            kinesis_consumer::consume_stream(&client, stream, &landing, records_per_call).await?;
        println!(
            "kinesis {stream}: {} records in {} files from {} shards ({} closed)",
            report.records, report.files, report.shards, report.closed_shards
        );
    }
    if let Some(table) = dynamodb_table {
        let client = aws_sdk_dynamodbstreams::Client::new(&config);
        let report =
            dynamodb_consumer::consume_table_stream(&client, table, &landing, records_per_call)
                .await?;
        println!(
            "dynamodb {table}: {} records in {} files from {} shards ({} closed)",
            report.records, report.files, report.shards, report.closed_shards
        );
    }
    Ok(())
}

/// Replicates from PostgreSQL, merges silver, and with `follow` goes on every so many seconds.
pub async fn replicate(
    lake: &Lake,
    settings: ReplicationSettings,
    follow_seconds: Option<u64>,
) -> Result<()> {
    let replicator = Replicator::connect(settings).await?;
    loop {
        let bar = spinner("replicating");
        let report = replicator.replicate(lake).await?;
        paylake_ingest::refresh_silver(lake, &|step| bar.set_message(step.to_string())).await?;
        bar.finish_and_clear();
        println!(
            "replicated: {} snapshot rows, {} transactions, {} changes, {} quarantined; slot at {}",
            report.snapshot_rows,
            report.transactions,
            report.changes,
            report.quarantined,
            report.confirmed_lsn.unwrap_or_default()
        );
        let Some(seconds) = follow_seconds else {
            return Ok(());
        };
        tokio::time::sleep(std::time::Duration::from_secs(seconds)).await;
    }
}
