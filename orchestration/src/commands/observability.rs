//! `paylake slo` and `paylake serve-metrics`.

use chrono::{DateTime, Utc};
use paylake_catalog::{lake_session, Lake};

use crate::cli::OutputFormat;
use crate::config::Settings;
use crate::error::{OrchestrationError, Result};
use crate::observe::slo::{evaluate, SloSettings};

pub async fn slo(
    settings: &Settings,
    lake: &Lake,
    as_of: Option<&str>,
    format: OutputFormat,
) -> Result<()> {
    let as_of = match as_of {
        Some(text) => DateTime::parse_from_rfc3339(text)
            .map_err(|err| OrchestrationError::Usage(format!("--as-of '{text}': {err}")))?
            .with_timezone(&Utc),
        None => Utc::now(),
    };
    let slos = SloSettings::load(settings.slo.as_deref())?;
    let context = lake_session(lake).await?;
    let report = evaluate(&context, &slos, settings.timezone()?, as_of).await?;
    match format {
        OutputFormat::Json => println!(
            "{}",
            serde_json::to_string_pretty(&report)
                .map_err(|err| OrchestrationError::Usage(err.to_string()))?
        ),
        OutputFormat::Table | OutputFormat::Csv => print!("{}", report.render()),
    }
    Ok(())
}

pub async fn serve_metrics(settings: &Settings, lake: &Lake, listen: &str) -> Result<()> {
    let slos = SloSettings::load(settings.slo.as_deref())?;
    crate::observe::serve::serve(lake, &slos, settings.timezone()?, listen).await
}
