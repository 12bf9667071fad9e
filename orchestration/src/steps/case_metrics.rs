//! `case_metrics`: what people decided about each rule's alerts of the date.

use chrono::Utc;
use futures::future::BoxFuture;
use paylake_transforms::aml::case_metrics::{build_case_metrics, CASE_METRICS_SQL};

use super::{assets, DateContext, DateStep, RulesFile, RulesSection, Step, StepKind, StepOutput};
use crate::error::Result;

pub fn step() -> Step {
    Step {
        name: "case_metrics",
        description: "each rule's alerts of the date by what people decided about their cases",
        writes: assets(&["gold.case_metrics"]),
        // The case log's version is part of the data version: a decision makes every date
        // whose alerts it concerns stale, and the next run of those dates measures it.
        reads: assets(&["gold.aml_alerts", "decisions.case_events"]),
        sql: vec![CASE_METRICS_SQL],
        rules: vec![RulesSection(RulesFile::Regulatory, "deadlines")],
        kind: StepKind::Date(DateStep::new(run)),
    }
}

fn run<'a>(date: &'a DateContext<'_>) -> BoxFuture<'a, Result<StepOutput>> {
    Box::pin(async move {
        let sar_days = date.settings.regulatory()?.deadlines.sar_days;
        let rules =
            build_case_metrics(date.lake, date.context, &date.day()?, sar_days, Utc::now()).await?;
        Ok(StepOutput::summary(format!(
            "case metrics of {rules} rules"
        )))
    })
}
