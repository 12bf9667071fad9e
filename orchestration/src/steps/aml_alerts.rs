//! `aml_alerts`: the AML rule suite over the date's windows, screening's new hits, and the
//! suppressions in force.

use futures::future::BoxFuture;
use paylake_transforms::aml::rules::sql_files;
use paylake_transforms::aml::suite::build_aml_alerts;
use paylake_transforms::aml::{sanctions_alerts, suppression};

use super::{assets, DateContext, DateStep, RulesFile, RulesSection, Step, StepKind, StepOutput};
use crate::error::Result;

pub fn step() -> Step {
    Step {
        name: "aml_alerts",
        description: "the AML rule suite over the date's windows, screening's new hits, and the suppressions in force",
        writes: assets(&["gold.aml_alerts"]),
        reads: assets(&[
            "silver.transactions",
            "silver.accounts",
            "silver.customers",
            "silver.fx_rates",
            "gold.sanctions_hits",
            "decisions.suppression_events",
        ]),
        sql: sql_files()
            .into_iter()
            .chain(sanctions_alerts::SQL_FILES)
            .chain(suppression::SQL_FILES)
            .collect(),
        rules: vec![
            RulesSection(RulesFile::Aml, "rules"),
            RulesSection(RulesFile::Aml, "screening"),
        ],
        kind: StepKind::Date(DateStep::new(run)),
    }
}

fn run<'a>(date: &'a DateContext<'_>) -> BoxFuture<'a, Result<StepOutput>> {
    Box::pin(async move {
        let rules = date.settings.aml_rules()?;
        let alerts = build_aml_alerts(date.lake, date.context, &date.day()?, &rules).await?;
        Ok(StepOutput::summary(format!("{} AML alerts", alerts.len())))
    })
}
