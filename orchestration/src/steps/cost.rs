//! `cost`: cloud cost by day, tag and payment; anomalies and budgets.

use futures::future::BoxFuture;
use paylake_transforms::cost::{build_cost_datasets, SQL_FILES};

use super::{assets, DateContext, DateStep, RulesFile, RulesSection, Step, StepKind, StepOutput};
use crate::error::Result;

pub fn step() -> Step {
    Step {
        name: "cost",
        description: "cloud cost by day, tag and payment; anomalies and budgets",
        writes: assets(&[
            "gold.cost_daily",
            "gold.cost_by_tag",
            "gold.cost_unit_economics",
            "gold.cost_anomalies",
            "gold.cost_budgets",
        ]),
        reads: assets(&["silver.cost_line_items", "silver.payments"]),
        sql: SQL_FILES.to_vec(),
        rules: vec![RulesSection(RulesFile::Finance, "cost")],
        kind: StepKind::Date(DateStep::new(run).carrying_state()),
    }
}

fn run<'a>(date: &'a DateContext<'_>) -> BoxFuture<'a, Result<StepOutput>> {
    Box::pin(async move {
        let rules = date.settings.finance_rules()?;
        let cost = build_cost_datasets(date.lake, date.context, &date.day()?, &rules).await?;
        let budget_alerts = if cost.budget_alerts.is_empty() {
            "none".to_string()
        } else {
            cost.budget_alerts.join(", ")
        };
        Ok(StepOutput::summary(format!(
            "{} cost rows, {} anomalies, budget alerts: {budget_alerts}",
            cost.daily_rows, cost.anomalies
        )))
    })
}
