//! `reconciliation`: ledger, processor and bank matched; breaks carried until resolved.

use futures::future::BoxFuture;
use paylake_transforms::recon::reconciliation::{build_reconciliation, sql_files};

use super::{assets, DateContext, DateStep, RulesFile, RulesSection, Step, StepKind, StepOutput};
use crate::error::Result;

pub fn step() -> Step {
    Step {
        name: "reconciliation",
        description: "ledger, processor and bank matched; breaks carried until resolved",
        writes: assets(&[
            "gold.recon_matches",
            "gold.recon_breaks",
            "gold.recon_summary",
        ]),
        reads: assets(&[
            "silver.payments",
            "silver.ledger_entries",
            "silver.settlement_lines",
            "silver.bank_statement_entries",
            "silver.fx_rates",
            "gold.ledger_integrity",
            // Finance's decisions: a manual match or a write-off makes the dates it takes
            // effect on stale, and the next run shows them.
            "decisions.break_events",
        ]),
        sql: sql_files(),
        rules: vec![
            RulesSection(RulesFile::Finance, "settlement"),
            RulesSection(RulesFile::Finance, "fees"),
            RulesSection(RulesFile::Finance, "payout"),
            RulesSection(RulesFile::Finance, "breaks"),
        ],
        kind: StepKind::Date(DateStep::new(run).carrying_state()),
    }
}

fn run<'a>(date: &'a DateContext<'_>) -> BoxFuture<'a, Result<StepOutput>> {
    Box::pin(async move {
        let rules = date.settings.finance_rules()?;
        let outcome = build_reconciliation(date.lake, date.context, &date.day()?, &rules).await?;
        let breaks: Vec<String> = outcome
            .breaks_by_category
            .iter()
            .map(|(category, count)| format!("{category} {count}"))
            .collect();
        Ok(StepOutput::summary(format!(
            "{} matched, {} open breaks{}{}",
            outcome.matches,
            outcome.breaks(),
            if breaks.is_empty() { "" } else { ": " },
            breaks.join(", ")
        )))
    })
}
