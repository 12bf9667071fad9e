//! `regulatory_exports`: the export schedules due by noon of the day after the date, in the
//! business time zone: the daily CTR batch of the date, and on Mondays the weekly SAR and goAML
//! packages, which carry the SARs approved by the schedule's tick.

use futures::future::BoxFuture;

use super::{
    assets, local_time, DateContext, DateStep, RulesFile, RulesSection, Step, StepKind, StepOutput,
};
use crate::error::Result;

pub fn step() -> Step {
    Step {
        name: "regulatory_exports",
        description: "the export schedules due by noon of the next day",
        writes: assets(&["system.regulatory_exports"]),
        reads: assets(&[
            "gold.ctr_candidates",
            "gold.aml_alerts",
            "decisions.case_events",
            "silver.customers",
            "silver.transactions",
            "silver.fx_rates",
        ]),
        sql: vec![
            "regulatory/exports/",
            "decisions/current_cases.sql",
            paylake_decisions::events::CASE_EVENTS_SQL,
        ],
        rules: [
            "transmitter",
            "filer",
            "goaml",
            "retention",
            "sar_classification",
            "schedules",
        ]
        .into_iter()
        .map(|section| RulesSection(RulesFile::Regulatory, section))
        .collect(),
        kind: StepKind::Date(DateStep::new(run).carrying_state()),
    }
}

fn run<'a>(date: &'a DateContext<'_>) -> BoxFuture<'a, Result<StepOutput>> {
    Box::pin(async move {
        let day = date.day()?;
        let mut regulatory = date.settings.regulatory()?;
        if let Some(start) = date.schedules_start {
            for schedule in &mut regulatory.schedules {
                schedule.start.get_or_insert_with(|| start.to_rfc3339());
            }
        }
        let now = local_time(day, date.date + chrono::Duration::days(1), 12)?;
        let runs = paylake_regulatory::schedule::run_due(
            date.lake,
            date.context,
            &regulatory,
            day.timezone,
            now,
        )
        .await?;
        let details = runs
            .iter()
            .map(|run| {
                format!(
                    "{:<13} {}  {:>3} records  {}",
                    run.schedule,
                    run.tick.format("%Y-%m-%d %H:%MZ"),
                    run.outcome.record_count,
                    run.outcome.manifest_location
                )
            })
            .collect();
        Ok(StepOutput {
            summary: format!("{} scheduled exports", runs.len()),
            details,
            locations: runs
                .iter()
                .map(|run| run.outcome.manifest_location.clone())
                .collect(),
        })
    })
}
