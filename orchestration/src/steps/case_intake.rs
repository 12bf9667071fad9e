//! `case_intake`: the date's alerts into AML cases, one open case per customer.

use futures::future::BoxFuture;
use paylake_decisions::events::case_events_table;
use paylake_decisions::intake::{take_in_alerts, INTAKE_ALERTS_SQL};

use super::{assets, DateContext, DateStep, Step, StepKind, StepOutput};
use crate::error::Result;

pub fn step() -> Step {
    Step {
        name: "case_intake",
        description: "the date's alerts into AML cases for investigators",
        writes: assets(&["decisions.case_events"]),
        reads: assets(&["gold.aml_alerts"]),
        sql: vec![
            INTAKE_ALERTS_SQL,
            paylake_decisions::events::CASE_EVENTS_SQL,
        ],
        rules: Vec::new(),
        kind: StepKind::Date(DateStep::new(run)),
    }
}

fn run<'a>(date: &'a DateContext<'_>) -> BoxFuture<'a, Result<StepOutput>> {
    Box::pin(async move {
        let summary = take_in_alerts(date.lake, date.context, date.date).await?;
        // The date's later steps (the SAR exports) see the cases as they are now.
        let table = case_events_table()?;
        if let Some(delta_table) = paylake_catalog::delta::open_table(date.lake, table).await? {
            paylake_catalog::refresh_table(date.context, table, &delta_table).await?;
        }
        Ok(StepOutput::summary(format!(
            "{} cases opened, {} alerts added, {} already in cases",
            summary.cases_opened, summary.alerts_added, summary.alerts_already_in_cases
        )))
    })
}
