//! `aml_alerts`: the AML rule suite over the date's windows.

use futures::future::BoxFuture;
use paylake_transforms::aml::rules::sql_files;
use paylake_transforms::aml::suite::build_aml_alerts;

use super::{assets, DateContext, DateStep, RulesFile, RulesSection, Step, StepKind, StepOutput};
use crate::error::Result;

pub fn step() -> Step {
    Step {
        name: "aml_alerts",
        description: "the AML rule suite over the date's windows",
        writes: assets(&["gold.aml_alerts"]),
        reads: assets(&[
            "silver.transactions",
            "silver.accounts",
            "silver.customers",
            "silver.fx_rates",
        ]),
        sql: sql_files(),
        rules: vec![RulesSection(RulesFile::Aml, "rules")],
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
