//! `ctr_report`: the compliance officers' page of the date's CTR candidates.

use futures::future::BoxFuture;

use super::{assets, DateContext, DateStep, Step, StepKind, StepOutput};
use crate::error::Result;

pub fn step() -> Step {
    Step {
        name: "ctr_report",
        description: "the compliance officers' page of the date's CTR candidates",
        writes: assets(&["report.ctr"]),
        reads: assets(&["gold.ctr_candidates", "silver.transactions"]),
        sql: vec!["reports/ctr/"],
        rules: Vec::new(),
        kind: StepKind::Date(DateStep::new(run)),
    }
}

fn run<'a>(date: &'a DateContext<'_>) -> BoxFuture<'a, Result<StepOutput>> {
    Box::pin(async move {
        let timezone = date.day()?.timezone;
        let location =
            paylake_reports::write_ctr_report(date.lake, date.context, date.date, timezone).await?;
        Ok(StepOutput::location(location))
    })
}
