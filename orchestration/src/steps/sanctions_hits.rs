//! `sanctions_hits`: customers and counterparties screened against the sanctions list in force.

use futures::future::BoxFuture;
use paylake_transforms::aml::screening::{build_sanctions_hits, HitChange, SQL_FILES};

use super::{assets, DateContext, DateStep, RulesFile, RulesSection, Step, StepKind, StepOutput};
use crate::error::Result;

pub fn step() -> Step {
    Step {
        name: "sanctions_hits",
        description: "customers and counterparties screened against the sanctions list in force",
        // The screening cache: every name screened under the list in force.
        writes: assets(&[
            "gold.sanctions_hits",
            "system.screened_names",
            "system.screened_entries",
            "system.screened_counterparties",
        ]),
        reads: assets(&[
            "silver.customers",
            "silver.bank_statement_entries",
            "silver.sanctions_entries",
            "silver.sanctions_aliases",
        ]),
        sql: SQL_FILES.to_vec(),
        rules: vec![RulesSection(RulesFile::Aml, "screening")],
        kind: StepKind::Date(DateStep::new(run)),
    }
}

fn run<'a>(date: &'a DateContext<'_>) -> BoxFuture<'a, Result<StepOutput>> {
    Box::pin(async move {
        let rules = date.settings.aml_rules()?;
        let run = build_sanctions_hits(date.lake, date.context, &date.day()?, &rules).await?;
        let alerting = run
            .hits
            .iter()
            .filter(|hit| hit.change != HitChange::Unchanged)
            .count();
        Ok(StepOutput::summary(format!(
            "{} sanctions hits ({alerting} new or on a changed entry) of {} parties; {} names \
             screened, the list moved {} entries added, {} changed, {} removed",
            run.hits.len(),
            run.parties,
            run.names_screened,
            run.rescreen.entries_added,
            run.rescreen.entries_changed,
            run.rescreen.entries_removed
        )))
    })
}
