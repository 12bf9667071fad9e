//! `recon_report`: finance's page of the date's reconciliation.

use futures::future::BoxFuture;

use super::{assets, DateContext, DateStep, Step, StepKind, StepOutput};
use crate::error::Result;

pub fn step() -> Step {
    Step {
        name: "recon_report",
        description: "finance's page of the date's reconciliation",
        writes: assets(&["report.reconciliation"]),
        reads: assets(&[
            "gold.recon_matches",
            "gold.recon_breaks",
            "gold.recon_summary",
        ]),
        sql: vec!["reports/recon/"],
        rules: Vec::new(),
        kind: StepKind::Date(DateStep::new(run)),
    }
}

fn run<'a>(date: &'a DateContext<'_>) -> BoxFuture<'a, Result<StepOutput>> {
    Box::pin(async move {
        let location =
            paylake_reports::write_recon_report(date.lake, date.context, date.date).await?;
        Ok(StepOutput::location(location))
    })
}
