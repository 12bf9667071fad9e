//! `paylake maintain`: every table of the lake (or the ones named) compacted, checkpointed and
//! vacuumed inside its time-travel window.

use indicatif::ProgressBar;
use paylake_catalog::maintenance::{maintain_table, MaintenanceOutcome};
use paylake_catalog::{registry, Lake};
use serde_json::json;

use crate::cli::OutputFormat;
use crate::config::Settings;
use crate::error::Result;

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
    let bar = ProgressBar::new(tables.len() as u64);
    let mut outcomes: Vec<MaintenanceOutcome> = Vec::new();
    for table in tables {
        bar.set_message(table.qualified_name());
        if let Some(outcome) = maintain_table(lake, table, &settings.maintenance).await? {
            outcomes.push(outcome);
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    match format {
        OutputFormat::Json => {
            let rows: Vec<_> = outcomes
                .iter()
                .map(|outcome| {
                    json!({
                        "table": outcome.table,
                        "files_before": outcome.files_before,
                        "files_after": outcome.files_after,
                        "files_compacted": outcome.files_compacted,
                        "files_written": outcome.files_written,
                        "files_vacuumed": outcome.files_vacuumed,
                        "version": outcome.version,
                    })
                })
                .collect();
            println!("{}", serde_json::Value::from(rows));
        }
        OutputFormat::Csv | OutputFormat::Table => {
            println!(
                "{:<36} {:>12} {:>11} {:>9} {:>8} {:>8}",
                "table", "files before", "files after", "compacted", "vacuumed", "version"
            );
            for outcome in &outcomes {
                println!(
                    "{:<36} {:>12} {:>11} {:>9} {:>8} {:>8}",
                    outcome.table,
                    outcome.files_before,
                    outcome.files_after,
                    outcome.files_compacted,
                    outcome.files_vacuumed,
                    outcome.version
                );
            }
        }
    }
    Ok(())
}
