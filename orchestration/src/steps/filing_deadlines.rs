//! `filing_deadlines`: CTRs and SARs owed, due, late and filed.

use futures::future::BoxFuture;
use paylake_regulatory::deadlines::{build_filing_deadlines, DEADLINES_SQL};

use super::{assets, DateContext, DateStep, RulesFile, RulesSection, Step, StepKind, StepOutput};
use crate::error::Result;

pub fn step() -> Step {
    Step {
        name: "filing_deadlines",
        description: "CTRs and SARs owed, due, late and filed",
        writes: assets(&["gold.filing_deadlines"]),
        reads: assets(&[
            "gold.ctr_candidates",
            "decisions.case_events",
            "silver.customers",
            "system.regulatory_exports",
            "system.regulatory_filings",
        ]),
        sql: vec![DEADLINES_SQL, "decisions/current_cases.sql"],
        rules: vec![RulesSection(RulesFile::Regulatory, "deadlines")],
        kind: StepKind::Date(DateStep::new(run)),
    }
}

fn run<'a>(date: &'a DateContext<'_>) -> BoxFuture<'a, Result<StepOutput>> {
    Box::pin(async move {
        let settings = date.settings.regulatory()?;
        let counts = build_filing_deadlines(date.lake, date.context, &settings, date.date).await?;
        Ok(StepOutput::summary(format!(
            "filings owed: {} due, {} late, {} filed, {} filed late",
            counts.due, counts.late, counts.filed, counts.filed_late
        )))
    })
}
