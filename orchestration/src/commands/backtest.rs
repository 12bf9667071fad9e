//! `paylake aml backtest`: a candidate rules file over a period, beside the live alerts.

use std::path::Path;

use chrono::NaiveDate;
use paylake_catalog::Lake;
use paylake_evaluation::backtest::{backtest, Backtest};
use paylake_evaluation::shown;
use paylake_transforms::aml::AmlRules;

use super::spinner;
use crate::cli::EvalFormat;
use crate::config::Settings;
use crate::error::{OrchestrationError, Result};

/// Runs the backtest of the rules file at `rules_path` (refused before any work when invalid).
pub async fn run_backtest(
    settings: &Settings,
    lake: &Lake,
    rules_path: &Path,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Backtest> {
    let candidate = AmlRules::load(rules_path)?;
    let bar = spinner(&format!(
        "backtesting rules {} over {from} to {to}",
        candidate.version
    ));
    let result = backtest(lake, &candidate, from, to, settings.timezone()?).await?;
    bar.finish_and_clear();
    Ok(result)
}

/// `paylake aml backtest`: prints the backtest, writes its page, and fails when a removed alert
/// had become a SAR.
pub async fn backtest_command(
    settings: &Settings,
    lake: &Lake,
    rules_path: &Path,
    (from, to): (NaiveDate, NaiveDate),
    format: EvalFormat,
    html: Option<&Path>,
) -> Result<()> {
    let result = run_backtest(settings, lake, rules_path, from, to).await?;
    match format {
        EvalFormat::Json => println!(
            "{}",
            serde_json::to_string(&result)
                .map_err(|err| OrchestrationError::Usage(format!("printing JSON: {err}")))?
        ),
        EvalFormat::Table => print_table(&result),
    }
    if let Some(path) = html {
        let json = serde_json::to_value(&result)
            .map_err(|err| OrchestrationError::Usage(format!("the backtest as JSON: {err}")))?;
        let page = paylake_reports::backtest_page(&json)?;
        std::fs::write(path, page).map_err(|source| OrchestrationError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        eprintln!("wrote {}", path.display());
    }
    if result.losses() > 0 {
        return Err(OrchestrationError::Usage(format!(
            "rules {} would have removed {} alert(s) whose cases became SARs (listed first)",
            result.candidate_version,
            result.losses()
        )));
    }
    Ok(())
}

fn print_table(result: &Backtest) {
    println!(
        "rules {} against live {} over {} to {} ({} days){}",
        result.candidate_version,
        result.live_versions.join(", "),
        result.from,
        result.to,
        result.days,
        if result.truth {
            ""
        } else {
            "; no truth in this lake"
        }
    );
    println!(
        "  {:<24} {:>6} {:>9} {:>6} {:>8} {:>6} {:>8} {:>8} {:>9} {:>9} {:>9} {:>9}",
        "rule",
        "live",
        "candidate",
        "added",
        "removed",
        "SARs",
        "live/day",
        "cand/day",
        "live prec",
        "cand prec",
        "live rec",
        "cand rec"
    );
    for rule in &result.rules {
        println!(
            "  {:<24} {:>6} {:>9} {:>6} {:>8} {:>6} {:>8.1} {:>8.1} {:>9} {:>9} {:>9} {:>9}",
            rule.rule_id,
            rule.live_alerts,
            rule.candidate_alerts,
            rule.added,
            rule.removed,
            rule.losses,
            rule.live_per_day,
            rule.candidate_per_day,
            shown(rule.live_precision, "-"),
            shown(rule.candidate_precision, "-"),
            shown(rule.live_recall, "-"),
            shown(rule.candidate_recall, "-"),
        );
    }
    println!("removed alerts, those that became SARs first");
    for alert in &result.removed {
        println!(
            "  {}{} {} {} customer {} case {} decided {}",
            if alert.loss { "LOSS " } else { "" },
            alert.alert_id,
            alert.rule_id,
            alert.business_date,
            alert.customer_id.as_deref().unwrap_or("-"),
            alert.case_id.as_deref().unwrap_or("-"),
            alert.disposition.as_deref().unwrap_or("-"),
        );
    }
    println!(
        "{} added, {} removed, {} of them SARs",
        result.added.len(),
        result.removed.len(),
        result.losses()
    );
}
