//! `cost_report`: the date's cost page.

use futures::future::BoxFuture;

use super::{assets, DateContext, DateStep, Step, StepKind, StepOutput};
use crate::error::Result;

pub fn step() -> Step {
    Step {
        name: "cost_report",
        description: "the date's cost page",
        writes: assets(&["report.cost"]),
        reads: assets(&[
            "gold.cost_daily",
            "gold.cost_anomalies",
            "gold.cost_budgets",
            "gold.cost_unit_economics",
        ]),
        sql: vec!["reports/cost/"],
        rules: Vec::new(),
        kind: StepKind::Date(DateStep::new(run)),
    }
}

fn run<'a>(date: &'a DateContext<'_>) -> BoxFuture<'a, Result<StepOutput>> {
    Box::pin(async move {
        let location =
            paylake_reports::write_cost_report(date.lake, date.context, date.date).await?;
        Ok(StepOutput::location(location))
    })
}
