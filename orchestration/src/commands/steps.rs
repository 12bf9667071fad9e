//! The pipeline's steps as the commands run them: simulate, ingest, build a business date.

use chrono::NaiveDate;
use paylake_catalog::{lake_session, Lake};
use paylake_ingest::landing::LandingStore;
use paylake_ingest::pii::PiiDetector;
use paylake_ingest::simulator::{
    simulate as simulate_sources, SimulationConfig, SimulationSummary,
};
use paylake_ingest::sources::postgres::replication::{ReplicationSettings, Replicator};
use paylake_ingest::sources::{dynamodb_consumer, kinesis_consumer};
use paylake_ingest::IngestReport;
use paylake_transforms::aml::cases::{build_customer_risk, build_sar_candidates};
use paylake_transforms::aml::ctr::build_ctr_candidates;
use paylake_transforms::aml::screening::build_sanctions_hits;
use paylake_transforms::aml::suite::build_aml_alerts;
use paylake_transforms::cost::{build_cost_datasets, CostOutcome};
use paylake_transforms::recon::integrity::build_ledger_integrity;
use paylake_transforms::recon::reconciliation::{build_reconciliation, ReconOutcome};
use paylake_transforms::BusinessDay;

use super::spinner;
use crate::cli::SimulationArgs;
use crate::config::Settings;
use crate::error::{OrchestrationError, Result};

/// Runs `write` on the folder producers deliver into: the lake's landing folder, or for a
/// lake on S3 a local staging folder whose files are then put under `landing/`.
pub async fn with_landing_folder<T>(
    lake: &Lake,
    write: impl FnOnce(&std::path::Path) -> Result<T>,
) -> Result<T> {
    if lake.local_root().is_some() {
        return write(&lake.landing_dir()?);
    }
    let staging = tempfile::tempdir().map_err(|source| OrchestrationError::Io {
        path: std::env::temp_dir(),
        source,
    })?;
    let written = write(staging.path())?;
    let uploaded = LandingStore::open(lake)?
        .upload_folder(staging.path())
        .await?;
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
    let summary =
        with_landing_folder(lake, |folder| Ok(simulate_sources(folder, &config)?)).await?;
    bar.finish_and_clear();
    Ok(summary)
}

pub async fn ingest(lake: &Lake) -> Result<IngestReport> {
    ingest_with(lake, &paylake_ingest::pii::EmbeddedPiiDetector).await
}

pub async fn ingest_with(lake: &Lake, pii_detector: &dyn PiiDetector) -> Result<IngestReport> {
    let bar = spinner("ingesting");
    let report = paylake_ingest::ingest_lake_with(lake, pii_detector, &|step| {
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

/// What building one business date produced.
pub struct DateOutcome {
    pub ctr_candidates: u64,
    pub alerts: Vec<paylake_transforms::aml::Alert>,
    pub sanctions_hits: usize,
    pub customers_rated: u64,
    pub sar_candidates: u64,
    pub integrity: paylake_transforms::recon::integrity::IntegrityOutcome,
    pub reconciliation: ReconOutcome,
    pub cost: CostOutcome,
    /// CTRs and SARs owed to FinCEN as of the date, by state.
    pub deadlines: paylake_regulatory::deadlines::DeadlineCounts,
    /// Where the reports are (the CTR page, the reconciliation page, the cost page): paths, or
    /// URLs on S3.
    pub report: String,
    pub recon_report: String,
    pub cost_report: String,
}

pub async fn run_business_date(
    settings: &Settings,
    lake: &Lake,
    date: NaiveDate,
) -> Result<DateOutcome> {
    let day = BusinessDay::new(date, &settings.business_timezone)?;
    let rules = settings.aml_rules()?;
    let finance_rules = settings.finance_rules()?;
    // One session for the date's jobs: each write points it at the new version, so risk and
    // SAR candidates read the alerts and hits written before them.
    let context = lake_session(lake).await?;
    let ctr_candidates = build_ctr_candidates(lake, &context, &day).await?;
    let alerts = build_aml_alerts(lake, &context, &day, &rules).await?;
    let sanctions_hits = build_sanctions_hits(lake, &context, &day, &rules)
        .await?
        .len();
    let customers_rated = build_customer_risk(lake, &context, &day, &rules).await?;
    let sar_candidates = build_sar_candidates(lake, &context, &day, &rules).await?;
    let deadlines = paylake_regulatory::deadlines::build_filing_deadlines(
        lake,
        &context,
        &settings.regulatory()?,
        date,
    )
    .await?;
    let integrity = build_ledger_integrity(lake, &context, &day).await?;
    let reconciliation = build_reconciliation(lake, &context, &day, &finance_rules).await?;
    let cost = build_cost_datasets(lake, &context, &day, &finance_rules).await?;
    let report = paylake_reports::write_ctr_report(lake, &context, date, day.timezone).await?;
    let recon_report = paylake_reports::write_recon_report(lake, &context, date).await?;
    let cost_report = paylake_reports::write_cost_report(lake, &context, date).await?;
    Ok(DateOutcome {
        ctr_candidates,
        alerts,
        sanctions_hits,
        customers_rated,
        sar_candidates,
        integrity,
        reconciliation,
        cost,
        deadlines,
        report,
        recon_report,
        cost_report,
    })
}
