//! `paylake demo`: the whole pipeline on a fresh embedded lake.

use std::path::Path;
use std::time::Instant;

use paylake_catalog::{lake_session, Lake, Zone};

use super::query::table_row_counts;
use super::steps;
use crate::assets::graph::AssetGraph;
use crate::cli::{EngineKind, GraphArgs, SimulationArgs};
use crate::config::Settings;
use crate::error::{OrchestrationError, Result};
use crate::steps::local_time;

/// Folders paylake writes in a lake; the demo replaces only these.
fn lake_folders() -> impl Iterator<Item = &'static str> {
    Zone::ALL.into_iter().map(Zone::as_str).chain([
        "landing",
        "reports",
        "exports",
        "runs",
        "workbench",
    ])
}

/// Empties a local lake folder before a demo, refusing a folder that is not a lake.
fn reset_local_lake(root: &Path) -> Result<()> {
    if !root.exists() {
        return Ok(());
    }
    let entries = std::fs::read_dir(root).map_err(|source| OrchestrationError::Io {
        path: root.to_path_buf(),
        source,
    })?;
    let known: Vec<&str> = lake_folders().collect();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !known.contains(&name.as_str()) {
            return Err(OrchestrationError::Usage(format!(
                "'{}' holds '{name}', which is not part of a paylake lake; choose another --lake",
                root.display()
            )));
        }
    }
    for name in known {
        let folder = root.join(name);
        if folder.exists() {
            std::fs::remove_dir_all(&folder).map_err(|source| OrchestrationError::Io {
                path: folder.clone(),
                source,
            })?;
        }
    }
    Ok(())
}

pub async fn demo(settings: &Settings, location: &str, simulation: &SimulationArgs) -> Result<()> {
    let started = Instant::now();
    if !location.contains("://") {
        reset_local_lake(Path::new(location))?;
    }
    let lake = Lake::open(location)?.with_kms_key(settings.kms_key_id.clone());
    println!("paylake demo: lake at {}", lake.root());

    let summary = steps::simulate(settings, &lake, simulation).await?;
    println!(
        "simulated {} business days from {}: {} landing files ({} customers, {} payments, {} money movements)",
        summary.days,
        summary.first_date,
        summary.files_written,
        summary.customers,
        summary.payments,
        summary.money_movements
    );

    let graph = AssetGraph::paylake();
    let last = summary.first_date + chrono::Duration::days(i64::from(summary.days.max(1) - 1));
    let mut request = super::graph::request(
        settings,
        super::graph::date_range(simulation.start_date, last)?,
        &GraphArgs {
            select: Vec::new(),
            force: false,
            engine: EngineKind::Embedded,
            scheduler: None,
        },
    )?;
    // The export schedules start with the simulation: the daily CTR batch of every date.
    let day =
        paylake_transforms::BusinessDay::new(simulation.start_date, &settings.business_timezone)?;
    request.schedules_start = Some(local_time(day, simulation.start_date, 0)?);
    let run = super::graph::run_and_print(settings, &lake, &request).await?;

    let case_work = super::demo_case_work::play_case_work(settings, &lake).await?;
    let break_work = super::demo_break_work::play_break_work(settings, &lake).await?;
    // The last date reconciled again: the decisions show as a manual match and write-offs.
    if !break_work.is_empty() {
        reconcile_again(settings, &lake, last, request.schedules_start).await?;
    }
    let filing = file_the_period(settings, &lake, simulation).await?;

    println!("\ntables:");
    let context = lake_session(&lake).await?;
    for (name, rows) in table_row_counts(&context).await? {
        println!("  {name:<34} {rows:>9} rows");
    }
    println!("AML alerts by rule:");
    for row in query_rows(
        &context,
        &paylake_catalog::sql::statement("commands/alerts_by_rule.sql")?,
    )
    .await?
    {
        println!("  {:<24} {:>5}", row[0], row[1]);
    }
    println!("measure them: paylake aml eval --lake {}", lake.root());
    println!("reports:");
    for result in &run.results {
        for location in &result.output.locations {
            if let Some(date) = result.business_date {
                if !location.ends_with("manifest.json") {
                    println!("  {date}  {:<18} {location}", graph.step(result.step).name);
                }
            }
        }
    }
    println!("case work (an investigator and a BSA officer, as `paylake case` would):");
    for line in &case_work.lines {
        println!("  {line}");
    }
    println!(
        "  SARs filed: {} in {}\n  the queue: paylake case list --lake {}",
        filing.sar_export.record_count,
        filing.sar_export.manifest_location,
        lake.root()
    );
    println!("break work (a finance clerk, as `paylake break` would; {last} reconciled again):");
    for line in &break_work {
        println!("  {line}");
    }
    println!(
        "  the finance queue: paylake break list --lake {}",
        lake.root()
    );
    println!(
        "the workbench: paylake serve --lake {}, then http://127.0.0.1:8080/ as",
        lake.root()
    );
    for line in &case_work.sign_in {
        println!("  {line}");
    }
    let deadlines = filing.deadlines;
    println!(
        "filings owed the day after the last date: {} due, {} late, {} filed, {} filed late\n  AML report: {}",
        deadlines.due, deadlines.late, deadlines.filed, deadlines.filed_late, filing.aml_report
    );
    println!("\ndone in {:.1} s", started.elapsed().as_secs_f64());
    super::graph::outcome(&run)
}

/// Runs the reconciliation of `date` and what reads it again, without printing.
async fn reconcile_again(
    settings: &Settings,
    lake: &Lake,
    date: chrono::NaiveDate,
    schedules_start: Option<chrono::DateTime<chrono::Utc>>,
) -> Result<()> {
    let mut recon_again = super::graph::request(
        settings,
        vec![date],
        &GraphArgs {
            select: vec!["reconciliation+".to_string()],
            force: false,
            engine: EngineKind::Embedded,
            scheduler: None,
        },
    )?;
    recon_again.schedules_start = schedules_start;
    super::graph::run_quietly(settings, lake, &recon_again).await?;
    Ok(())
}

/// The rows of `sql` as text.
async fn query_rows(
    context: &datafusion::prelude::SessionContext,
    sql: &str,
) -> Result<Vec<Vec<String>>> {
    let batches = context.sql(sql).await?.collect().await?;
    let mut rows = Vec::new();
    for batch in &batches {
        for row in 0..batch.num_rows() {
            rows.push(
                batch
                    .columns()
                    .iter()
                    .map(|column| {
                        arrow::util::display::array_value_to_string(column, row).unwrap_or_default()
                    })
                    .collect(),
            );
        }
    }
    Ok(rows)
}

/// What the demo filed with regulators.
struct Filing {
    deadlines: paylake_regulatory::deadlines::DeadlineCounts,
    aml_report: String,
    /// The SAR package of the period, with the SARs approved after the run.
    sar_export: paylake_regulatory::ExportOutcome,
}

/// The SARs the demo's officers approved, exported; the filings owed as of the day after the
/// last simulated date; and the AML report of the whole period (the graph has run the export
/// schedules up to noon of that day, before anyone had approved a SAR).
async fn file_the_period(
    settings: &Settings,
    lake: &Lake,
    simulation: &SimulationArgs,
) -> Result<Filing> {
    let timezone = settings.timezone()?;
    let first = simulation.start_date;
    let last = first + chrono::Duration::days(i64::from(simulation.days.max(1) - 1));
    let day_after = last + chrono::Duration::days(1);
    let context = lake_session(lake).await?;
    let sar_export = paylake_regulatory::export_package(
        lake,
        &context,
        &settings.regulatory()?,
        &paylake_regulatory::ExportRequest {
            kind: paylake_regulatory::ExportKind::FincenSar,
            from: first,
            to: last,
            filing_date: day_after,
            out: format!("{}/exports", lake.root().as_str().trim_end_matches('/')),
            schedule: None,
        },
    )
    .await?;
    let deadlines = paylake_regulatory::deadlines::build_filing_deadlines(
        lake,
        &context,
        &settings.regulatory()?,
        day_after,
    )
    .await?;
    // The case metrics of every date measure the decisions just taken.
    let sar_days = settings.regulatory()?.deadlines.sar_days;
    let now = chrono::Utc::now();
    let mut date = first;
    while date <= last {
        let day = paylake_transforms::BusinessDay::new(date, &settings.business_timezone)?;
        paylake_transforms::aml::case_metrics::build_case_metrics(
            lake, &context, &day, sar_days, now,
        )
        .await?;
        date += chrono::Duration::days(1);
    }
    let aml_report =
        paylake_reports::write_aml_report(lake, &context, first, last, timezone).await?;
    Ok(Filing {
        deadlines,
        aml_report,
        sar_export,
    })
}
