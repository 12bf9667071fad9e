//! `sar_candidates`: alerts grouped into SAR cases.

use futures::future::BoxFuture;
use paylake_transforms::aml::cases::{build_sar_candidates, SAR_CANDIDATES_SQL};

use super::{assets, DateContext, DateStep, RulesFile, RulesSection, Step, StepKind, StepOutput};
use crate::error::Result;

pub fn step() -> Step {
    Step {
        name: "sar_candidates",
        description: "alerts grouped into SAR cases",
        writes: assets(&["gold.sar_candidates"]),
        reads: assets(&[
            "gold.aml_alerts",
            "gold.customer_risk",
            "silver.customers",
            "silver.fx_rates",
            "silver.transactions",
        ]),
        sql: vec![SAR_CANDIDATES_SQL],
        rules: vec![RulesSection(RulesFile::Aml, "sar")],
        kind: StepKind::Date(DateStep::new(run).carrying_state()),
    }
}

fn run<'a>(date: &'a DateContext<'_>) -> BoxFuture<'a, Result<StepOutput>> {
    Box::pin(async move {
        let rules = date.settings.aml_rules()?;
        let cases = build_sar_candidates(date.lake, date.context, &date.day()?, &rules).await?;
        Ok(StepOutput::summary(format!("{cases} SAR candidates")))
    })
}
