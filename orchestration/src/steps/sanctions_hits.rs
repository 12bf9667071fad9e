//! `sanctions_hits`: customers screened against the sanctions list in force.

use futures::future::BoxFuture;
use paylake_transforms::aml::screening::{build_sanctions_hits, SQL_FILES};

use super::{assets, DateContext, DateStep, RulesFile, RulesSection, Step, StepKind, StepOutput};
use crate::error::Result;

pub fn step() -> Step {
    Step {
        name: "sanctions_hits",
        description: "customers screened against the sanctions list in force",
        writes: assets(&["gold.sanctions_hits"]),
        reads: assets(&[
            "silver.customers",
            "silver.sanctions_entries",
            "silver.sanctions_aliases",
        ]),
        sql: SQL_FILES.to_vec(),
        rules: vec![RulesSection(RulesFile::Aml, "screening")],
        kind: StepKind::Date(DateStep::new(run)),
    }
}

fn run<'a>(date: &'a DateContext<'_>) -> BoxFuture<'a, Result<StepOutput>> {
    Box::pin(async move {
        let rules = date.settings.aml_rules()?;
        let hits = build_sanctions_hits(date.lake, date.context, &date.day()?, &rules).await?;
        Ok(StepOutput::summary(format!(
            "{} sanctions hits",
            hits.len()
        )))
    })
}
