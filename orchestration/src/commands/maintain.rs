//! `paylake maintain`: every table of the lake (or the ones named) compacted, checkpointed and
//! vacuumed inside its time-travel window. Each table maintained is a materialisation of step
//! `maintain` in `system.asset_runs`, with the versions before and after, so maintenance is
//! seen and alerted on like the graph's other work. The deployment schedules it daily.

use std::collections::BTreeMap;

use indicatif::ProgressBar;
use paylake_catalog::maintenance::{maintain_table_counting_attempts, MaintenanceOutcome};
use paylake_catalog::{registry, Lake};
use serde_json::json;

use crate::assets::records::{record_materializations, Materialization, Status};
use crate::cli::OutputFormat;
use crate::config::Settings;
use crate::error::{OrchestrationError, Result};

pub async fn run(
    settings: &Settings,
    lake: &Lake,
    names: &[String],
    format: OutputFormat,
) -> Result<()> {
    let tables = if names.is_empty() {
        registry().tables().iter().collect::<Vec<_>>()
    } else {
        names
            .iter()
            .map(|name| registry().find(name))
            .collect::<std::result::Result<Vec<_>, _>>()?
    };
    let run_id = uuid::Uuid::new_v4().to_string();
    let window = match settings.maintenance.keep_versions_since {
        Some(since) => format!("keep_versions_since={}", since.to_rfc3339()),
        None => format!(
            "keep_versions_days={}",
            settings.maintenance.keep_versions_days
        ),
    };
    let code_version = format!(
        "maintenance target_file_mib={} small_file_mib={} major_compaction_files={} {window}",
        settings.maintenance.target_file_mib,
        settings.maintenance.small_file_mib,
        settings.maintenance.major_compaction_files,
    );
    let bar = ProgressBar::new(tables.len() as u64);
    let mut outcomes: Vec<MaintenanceOutcome> = Vec::new();
    let mut materializations = Vec::new();
    for table in tables {
        bar.set_message(table.qualified_name());
        let started_at = chrono::Utc::now();
        let (result, attempts) =
            maintain_table_counting_attempts(lake, table, &settings.maintenance).await;
        bar.inc(1);
        let (status, error, version_before, version_after) = match &result {
            Ok(None) => continue,
            Ok(Some(outcome)) => (
                Status::Succeeded,
                None,
                Some(outcome.version_before),
                Some(outcome.version),
            ),
            Err(error) => {
                tracing::error!(table = %table.qualified_name(), %error, "maintenance failed");
                (Status::Failed, Some(error.to_string()), None, None)
            }
        };
        let version_map = |version: Option<u64>| {
            version
                .map(|version| BTreeMap::from([(table.qualified_name(), version.to_string())]))
                .unwrap_or_default()
        };
        materializations.push(Materialization {
            status,
            started_at,
            finished_at: chrono::Utc::now(),
            versions_read: version_map(version_before),
            versions_written: version_map(version_after),
            code_version: code_version.clone(),
            error,
            attempts: i64::from(attempts),
            ..Materialization::new(
                &run_id,
                &table.qualified_name(),
                "maintain",
                None,
                "delta-rs",
            )
        });
        if let Ok(Some(outcome)) = result {
            outcomes.push(outcome);
        }
    }
    bar.finish_and_clear();
    record_materializations(lake, &materializations).await?;
    match format {
        OutputFormat::Json => {
            let rows: Vec<_> = outcomes
                .iter()
                .map(|outcome| {
                    json!({
                        "table": outcome.table,
                        "files_before": outcome.files_before,
                        "files_after": outcome.files_after,
                        "compaction": outcome.compaction.as_str(),
                        "files_compacted": outcome.files_compacted,
                        "files_written": outcome.files_written,
                        "files_vacuumed": outcome.files_vacuumed,
                        "log_files_removed": outcome.log_files_removed,
                        "version": outcome.version,
                    })
                })
                .collect();
            println!("{}", serde_json::Value::from(rows));
        }
        OutputFormat::Csv | OutputFormat::Table => {
            println!(
                "{:<36} {:>12} {:>11} {:>10} {:>9} {:>8} {:>8}",
                "table",
                "files before",
                "files after",
                "compaction",
                "compacted",
                "vacuumed",
                "version"
            );
            for outcome in &outcomes {
                println!(
                    "{:<36} {:>12} {:>11} {:>10} {:>9} {:>8} {:>8}",
                    outcome.table,
                    outcome.files_before,
                    outcome.files_after,
                    outcome.compaction.as_str(),
                    outcome.files_compacted,
                    outcome.files_vacuumed,
                    outcome.version
                );
            }
        }
    }
    let failures: Vec<&Materialization> = materializations
        .iter()
        .filter(|materialization| !materialization.status.is_success())
        .collect();
    if let Some(first) = failures.first() {
        return Err(OrchestrationError::MaintenanceFailed {
            run_id,
            failures: failures.len(),
            first_error: format!(
                "{}: {}",
                first.asset,
                first.error.as_deref().unwrap_or_default()
            ),
        });
    }
    Ok(())
}
