//! `ingest`: new landing files into bronze, quarantine and silver, exactly once. Not
//! partitioned: it takes whatever landed; the runner runs it once per run.

use paylake_catalog::{registry, Zone};

use super::{Step, StepKind};

/// The landing sources ingest reads.
const LANDING_SOURCES: [&str; 7] = paylake_catalog::registry::QUARANTINE_SOURCES;

pub fn step() -> Step {
    let written = registry()
        .tables()
        .iter()
        .filter(|table| {
            matches!(table.zone, Zone::Bronze | Zone::Silver | Zone::Quarantine)
                || table.qualified_name() == "system.ingest_runs"
        })
        .map(|table| table.qualified_name())
        .collect();
    Step {
        name: "ingest",
        description: "new landing files into bronze, quarantine and silver, exactly once",
        writes: written,
        reads: LANDING_SOURCES
            .iter()
            .map(|source| format!("landing.{source}"))
            .collect(),
        sql: Vec::new(),
        rules: Vec::new(),
        kind: StepKind::Ingest,
    }
}
