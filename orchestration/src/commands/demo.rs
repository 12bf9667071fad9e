//! `paylake demo`: the whole pipeline on a fresh embedded lake.

use std::path::Path;
use std::time::Instant;

use paylake_catalog::{lake_session, Lake, Zone};

use super::query::table_row_counts;
use super::steps;
use crate::cli::SimulationArgs;
use crate::config::Settings;
use crate::error::{OrchestrationError, Result};

/// Folders paylake writes in a lake; the demo replaces only these.
fn lake_folders() -> impl Iterator<Item = &'static str> {
    Zone::ALL
        .into_iter()
        .map(Zone::as_str)
        .chain(["landing", "reports", "exports"])
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
        simulation.days,
        simulation.start_date,
        summary.files_written,
        summary.customers,
        summary.payments,
        summary.money_movements
    );

    let report = steps::ingest(&lake).await?;
    steps::print_ingest_report(&report);

    let mut reports = Vec::new();
    let mut total_candidates = 0;
    let mut alerts_by_rule: std::collections::BTreeMap<String, usize> = Default::default();
    let (mut sar_candidates, mut sanctions_hits) = (0, 0);
    let (mut reconciliation, mut costs) = (Vec::new(), Vec::new());
    for offset in 0..simulation.days {
        let date = simulation.start_date + chrono::Duration::days(i64::from(offset));
        let outcome = steps::run_business_date(settings, &lake, date).await?;
        total_candidates += outcome.ctr_candidates;
        sar_candidates += outcome.sar_candidates;
        sanctions_hits = outcome.sanctions_hits;
        for alert in &outcome.alerts {
            *alerts_by_rule.entry(alert.rule_id.clone()).or_default() += 1;
        }
        reconciliation.push((date, outcome.reconciliation));
        costs.push((date, outcome.cost));
        reports.push((
            date,
            outcome.ctr_candidates,
            [outcome.report, outcome.recon_report, outcome.cost_report],
        ));
    }

    let filing = file_the_period(settings, &lake, simulation).await?;

    println!("\ntables:");
    let context = lake_session(&lake).await?;
    for (name, rows) in table_row_counts(&context).await? {
        println!("  {name:<34} {rows:>9} rows");
    }
    println!(
        "\nCTR candidates: {total_candidates} over {} business dates",
        simulation.days
    );
    println!("AML alerts by rule:");
    for (rule_id, count) in &alerts_by_rule {
        println!("  {rule_id:<24} {count:>5}");
    }
    println!(
        "SAR candidates: {sar_candidates}; sanctions hits (last date): {sanctions_hits}\n\
         measure them: paylake aml eval --lake {}",
        lake.root()
    );
    println!("reconciliation (matched that day; breaks open at its end):");
    for (date, outcome) in &reconciliation {
        let breaks = outcome
            .breaks_by_category
            .iter()
            .map(|(category, count)| format!("{category} {count}"))
            .collect::<Vec<_>>()
            .join(", ");
        println!("  {date}  {:>6} matched  {breaks}", outcome.matches);
    }
    println!("cost (anomalies; budget alerts):");
    for (date, cost) in &costs {
        println!(
            "  {date}  {} anomalies  {}",
            cost.anomalies,
            cost.budget_alerts.join(", ")
        );
    }
    println!("reports:");
    for (date, candidates, [ctr, recon, cost]) in &reports {
        println!("  {date}  {candidates:>3} CTR candidates  {ctr}");
        println!("              reconciliation     {recon}");
        println!("              cost               {cost}");
    }
    println!("regulatory filing (scheduled exports caught up to the day after the last date):");
    for run in &filing.runs {
        println!(
            "  {:<13} {}  {:>3} records  {}",
            run.schedule,
            run.tick.format("%Y-%m-%d %H:%MZ"),
            run.outcome.record_count,
            run.outcome.manifest_location
        );
    }
    let deadlines = filing.deadlines;
    println!(
        "  filings owed: {} due, {} late, {} filed, {} filed late\n  AML report: {}",
        deadlines.due, deadlines.late, deadlines.filed, deadlines.filed_late, filing.aml_report
    );
    println!("\ndone in {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}

/// What the demo filed with regulators.
struct Filing {
    runs: Vec<paylake_regulatory::schedule::ScheduledRun>,
    deadlines: paylake_regulatory::deadlines::DeadlineCounts,
    aml_report: String,
}

/// Runs the export schedules from the first simulated date to noon of the day after the last
/// one (in the business time zone), then writes the AML report of the whole period.
async fn file_the_period(
    settings: &Settings,
    lake: &Lake,
    simulation: &SimulationArgs,
) -> Result<Filing> {
    use chrono::TimeZone;
    let timezone = settings.timezone()?;
    let first = simulation.start_date;
    let last = first + chrono::Duration::days(i64::from(simulation.days.max(1) - 1));
    let local_time = |date: chrono::NaiveDate, hour| {
        timezone
            .from_local_datetime(&date.and_hms_opt(hour, 0, 0).expect("a valid hour"))
            .earliest()
            .map(|time| time.with_timezone(&chrono::Utc))
            .ok_or_else(|| OrchestrationError::Usage(format!("{date} {hour}:00 does not exist")))
    };
    let mut regulatory = settings.regulatory()?;
    let start = local_time(first, 0)?.to_rfc3339();
    for schedule in &mut regulatory.schedules {
        schedule.start.get_or_insert_with(|| start.clone());
    }
    let day_after = last + chrono::Duration::days(1);
    let context = lake_session(lake).await?;
    let runs = paylake_regulatory::schedule::run_due(
        lake,
        &context,
        &regulatory,
        timezone,
        local_time(day_after, 12)?,
    )
    .await?;
    let context = lake_session(lake).await?;
    let deadlines = paylake_regulatory::deadlines::build_filing_deadlines(
        lake,
        &context,
        &regulatory,
        day_after,
    )
    .await?;
    let aml_report =
        paylake_reports::write_aml_report(lake, &context, first, last, timezone).await?;
    Ok(Filing {
        runs,
        deadlines,
        aml_report,
    })
}
