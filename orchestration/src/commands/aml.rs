//! `paylake aml`: evaluation of the AML rules.

use std::path::Path;

use paylake_catalog::Lake;
use paylake_evaluation::{amlsim, shown, shown_percent, simulator};

use super::spinner;
use crate::cli::EvalFormat;
use crate::config::Settings;
use crate::error::Result;

pub async fn eval_lake(lake: &Lake, format: EvalFormat) -> Result<()> {
    let evaluation = simulator::evaluate_lake(lake).await?;
    println!("recall per injected typology");
    println!(
        "  {:<24} {:<24} {:>6} {:>6} {:>7}",
        "typology", "rule", "cases", "found", "recall"
    );
    for row in &evaluation.by_typology {
        println!(
            "  {:<24} {:<24} {:>6} {:>6} {:>8}",
            row.typology,
            row.rule_id,
            row.cases,
            row.found,
            shown(row.recall, "no cases")
        );
    }
    println!("precision per rule (alerts about a case of the rule's own typology)");
    // Alerts on legitimate look-alikes are among the wrong ones, and counted apart too.
    println!(
        "  {:<24} {:>7} {:>9} {:>9} {:>14} {:>10}",
        "rule", "alerts", "right", "precision", "on look-alikes", "accounts %"
    );
    for row in &evaluation.by_rule {
        println!(
            "  {:<24} {:>7} {:>9} {:>9} {:>14} {:>10}",
            row.rule_id,
            row.alerts,
            row.about_injected_activity,
            shown(row.precision, "no alerts"),
            row.on_lookalikes,
            shown_percent(row.share_of_accounts)
        );
    }
    println!("legitimate look-alikes (activity near a rule's thresholds) alerted on");
    println!(
        "  {:<24} {:<24} {:>10} {:>8}",
        "behaviour", "resembles", "activities", "alerted"
    );
    for row in &evaluation.lookalikes {
        println!(
            "  {:<24} {:<24} {:>10} {:>8}",
            row.behaviour, row.resembles, row.activities, row.alerted
        );
    }
    println!(
        "overall: precision {}, recall {}, f1 {}",
        shown(evaluation.overall.precision, "-"),
        shown(evaluation.overall.recall, "-"),
        shown(evaluation.overall.f1, "-")
    );
    if format == EvalFormat::Json {
        println!("{}", serde_json::to_string(&evaluation).unwrap_or_default());
    }
    Ok(())
}

pub async fn eval_amlsim(
    settings: &Settings,
    sample_location: &Path,
    amount_scale: u32,
    format: EvalFormat,
) -> Result<()> {
    let rules = settings.aml_rules()?;
    let bar = spinner("reading the AMLSim sample");
    let sample = amlsim::read_sample(sample_location)?.with_amounts_scaled(amount_scale);
    bar.set_message(format!(
        "running the suite over {} transfers of {} accounts",
        sample.transfers.len(),
        sample.nodes.len()
    ));
    let evaluation = amlsim::evaluate_sample(&sample, &rules).await?;
    bar.finish_and_clear();
    println!(
        "AMLSim {} (amounts x{amount_scale}): {} accounts ({} laundering), {} transfers; rules version {}",
        sample_location.display(),
        evaluation.accounts,
        evaluation.laundering_accounts,
        evaluation.transfers,
        rules.version
    );
    println!(
        "  {:<24} {:>7} {:>9} {:>10} {:>9} {:>8} {:>9} {:>7}",
        "rule", "alerts", "on", "on %", "named", "named %", "precision", "recall"
    );
    for (rule_id, row) in &evaluation.by_typology {
        println!(
            "  {:<24} {:>7} {:>9} {:>10} {:>9} {:>8} {:>9} {:>7}",
            rule_id,
            row.alerts,
            row.subject_accounts,
            shown_percent(row.share_of_accounts),
            row.accounts,
            shown_percent(row.share_of_named_accounts),
            shown(row.precision, "-"),
            shown(row.recall, "-")
        );
    }
    println!(
        "account level: {} flagged, precision {}, recall {}, f1 {} (recall {} of laundering accounts with a fraud step)",
        evaluation.flagged_accounts,
        shown(evaluation.precision, "-"),
        shown(evaluation.recall, "-"),
        shown(evaluation.f1, "-"),
        shown(evaluation.recall_of_accounts_with_fraud_step, "-")
    );
    if format == EvalFormat::Json {
        println!("{}", serde_json::to_string(&evaluation).unwrap_or_default());
    }
    Ok(())
}
