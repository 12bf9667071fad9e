//! The regulatory commands: export a package, run the due schedules, load acknowledgements,
//! write the AML report of a period.

use std::path::PathBuf;

use chrono::{DateTime, NaiveDate, Utc};
use paylake_catalog::{lake_session, Lake};
use paylake_regulatory::deadlines::build_filing_deadlines;
use paylake_regulatory::package::read_manifest;
use paylake_regulatory::schedule::run_due as run_due_schedules;
use paylake_regulatory::{export_package, ExportKind, ExportOutcome, ExportRequest};

use crate::config::Settings;
use crate::error::{OrchestrationError, Result};

pub async fn export(
    settings: &Settings,
    lake: &Lake,
    kind: ExportKind,
    from: NaiveDate,
    to: NaiveDate,
    out: &str,
    filing_date: Option<NaiveDate>,
) -> Result<()> {
    if from > to {
        return Err(OrchestrationError::Usage(format!(
            "--from {from} is after --to {to}"
        )));
    }
    let regulatory = settings.regulatory()?;
    let context = lake_session(lake).await?;
    let filing_date = filing_date.unwrap_or_else(|| Utc::now().date_naive());
    let request = ExportRequest {
        kind,
        from,
        to,
        filing_date,
        out: out.to_string(),
        schedule: None,
    };
    let outcome = export_package(lake, &context, &regulatory, &request).await?;
    print_outcome(&outcome);
    refresh_deadlines(settings, lake, filing_date).await
}

pub async fn run_due(settings: &Settings, lake: &Lake, now: Option<&str>) -> Result<()> {
    let now = match now {
        Some(text) => DateTime::parse_from_rfc3339(text)
            .map_err(|err| OrchestrationError::Usage(format!("--now '{text}': {err}")))?
            .with_timezone(&Utc),
        None => Utc::now(),
    };
    let timezone = settings.timezone()?;
    let regulatory = settings.regulatory()?;
    let context = lake_session(lake).await?;
    let runs = run_due_schedules(lake, &context, &regulatory, timezone, now).await?;
    if runs.is_empty() {
        println!("no export is due");
    }
    for run in &runs {
        print!(
            "{} tick {}: ",
            run.schedule,
            run.tick.format("%Y-%m-%dT%H:%MZ")
        );
        print_outcome(&run.outcome);
    }
    refresh_deadlines(settings, lake, now.with_timezone(&timezone).date_naive()).await
}

pub async fn load_acks(lake: &Lake, export: Option<&str>, files: &[PathBuf]) -> Result<()> {
    let manifest = match export {
        Some(export_id) => Some(manifest_of(lake, export_id).await?),
        None => None,
    };
    for file in files {
        let loaded = paylake_regulatory::acknowledgements::load_acknowledgement(
            lake,
            file,
            export.zip(manifest.as_ref()),
        )
        .await?;
        if loaded.already_loaded {
            println!(
                "{}: already loaded, {} filings (nothing recorded again)",
                file.display(),
                loaded.filings.len()
            );
            continue;
        }
        println!("{}: {} filings", file.display(), loaded.filings.len());
        for filing in loaded.filings {
            println!(
                "  BSA ID {:<16} {:<24} {:<22} {} messages",
                filing.bsa_id.unwrap_or_default(),
                filing.record_key.unwrap_or_else(|| "-".to_string()),
                filing.status,
                filing.messages
            );
        }
    }
    Ok(())
}

pub async fn aml_report(
    settings: &Settings,
    lake: &Lake,
    from: NaiveDate,
    to: NaiveDate,
    pdf: bool,
) -> Result<()> {
    let timezone = settings.timezone()?;
    let context = lake_session(lake).await?;
    let written = paylake_reports::write_aml_report(lake, &context, from, to, timezone).await?;
    println!("{written}");
    if pdf {
        let pdf_path = paylake_reports::print_to_pdf(&written)?;
        println!("{}", pdf_path.display());
    }
    Ok(())
}

async fn manifest_of(lake: &Lake, export_id: &str) -> Result<serde_json::Value> {
    let context = lake_session(lake).await?;
    let sql = paylake_catalog::sql::render(
        "commands/export_location.sql",
        &[("export_id", paylake_catalog::sql::text_literal(export_id))],
    )?;
    let batches = context.sql(&sql).await?.collect().await?;
    let location = batches
        .iter()
        .find(|batch| batch.num_rows() > 0)
        .and_then(|batch| arrow::util::display::array_value_to_string(batch.column(0), 0).ok())
        .ok_or_else(|| {
            OrchestrationError::Usage(format!(
                "no export '{export_id}' in system.regulatory_exports"
            ))
        })?;
    Ok(read_manifest(&location).await?)
}

fn print_outcome(outcome: &ExportOutcome) {
    let state = if outcome.delivered {
        "delivered"
    } else {
        "already delivered, unchanged"
    };
    println!(
        "{} ({state}): {} records, USD {}",
        outcome.export_id, outcome.record_count, outcome.total_amount_usd
    );
    for file in &outcome.files {
        println!("  {file}");
    }
    println!("  {}", outcome.manifest_location);
    if let Some((mode, until)) = &outcome.retention {
        println!("  object lock {mode} until {}", until.format("%Y-%m-%d"));
    }
}

/// After a delivery, the deadlines as of `date` show what it filed.
async fn refresh_deadlines(settings: &Settings, lake: &Lake, date: NaiveDate) -> Result<()> {
    let context = lake_session(lake).await?;
    let counts = build_filing_deadlines(lake, &context, &settings.regulatory()?, date).await?;
    println!(
        "filings owed as of {date}: {} due, {} late, {} filed, {} filed late",
        counts.due, counts.late, counts.filed, counts.filed_late
    );
    Ok(())
}
