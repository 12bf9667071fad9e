//! `customer_risk`: each customer's risk rating from alerts, hits and profile.

use futures::future::BoxFuture;
use paylake_transforms::aml::cases::{build_customer_risk, CUSTOMER_RISK_SQL};

use super::{assets, DateContext, DateStep, RulesFile, RulesSection, Step, StepKind, StepOutput};
use crate::error::Result;

pub fn step() -> Step {
    Step {
        name: "customer_risk",
        description: "each customer's risk rating from alerts, hits and profile",
        writes: assets(&["gold.customer_risk"]),
        reads: assets(&["gold.aml_alerts", "gold.sanctions_hits", "silver.customers"]),
        sql: vec![CUSTOMER_RISK_SQL],
        // The FATF lists of the high-risk jurisdiction rule score a customer's country too.
        rules: vec![
            RulesSection(RulesFile::Aml, "risk"),
            RulesSection(RulesFile::Aml, "rules.high_risk_jurisdiction"),
        ],
        kind: StepKind::Date(DateStep::new(run).carrying_state()),
    }
}

fn run<'a>(date: &'a DateContext<'_>) -> BoxFuture<'a, Result<StepOutput>> {
    Box::pin(async move {
        let rules = date.settings.aml_rules()?;
        let rated = build_customer_risk(date.lake, date.context, &date.day()?, &rules).await?;
        Ok(StepOutput::summary(format!("{rated} customers rated")))
    })
}
