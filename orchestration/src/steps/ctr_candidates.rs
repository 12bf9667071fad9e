//! `ctr_candidates`: cash over the CTR threshold per customer, day and direction.

use futures::future::BoxFuture;
use paylake_transforms::aml::ctr::{build_ctr_candidates, SQL_FILES};

use super::{assets, DateContext, DateStep, Step, StepKind, StepOutput};
use crate::error::Result;

pub fn step() -> Step {
    Step {
        name: "ctr_candidates",
        description: "cash over the CTR threshold per customer, day and direction",
        writes: assets(&["gold.ctr_candidates"]),
        reads: assets(&[
            "silver.transactions",
            "silver.customers",
            "silver.fx_rates",
            // An approved exemption makes the dates it covers stale.
            "decisions.exemption_events",
        ]),
        sql: SQL_FILES.to_vec(),
        rules: Vec::new(),
        kind: StepKind::Date(DateStep::new(run)),
    }
}

fn run<'a>(date: &'a DateContext<'_>) -> BoxFuture<'a, Result<StepOutput>> {
    Box::pin(async move {
        let rows = build_ctr_candidates(date.lake, date.context, &date.day()?).await?;
        Ok(StepOutput::summary(format!("{rows} CTR candidates")))
    })
}
