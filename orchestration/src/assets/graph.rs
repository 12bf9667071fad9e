//! The asset graph: every table, report and export paylake builds, the step that materialises
//! it, and what that step reads, derived from the steps declared in `steps/`.
//!
//! A step is the unit that runs (one job writing one or more assets, as a Dagster multi-asset);
//! an asset is what it writes: a table (`zone.table`), a report (`report.<name>`), or an export.
//! Gold steps are partitioned by business date; ingest is not (it takes whatever landed).

use std::collections::{BTreeMap, BTreeSet};

pub use crate::steps::{Step, StepId};

/// The graph: steps and the asset each one writes.
#[derive(Debug, Clone)]
pub struct AssetGraph {
    steps: Vec<Step>,
    /// asset → the step that writes it.
    writer: BTreeMap<String, StepId>,
}

impl AssetGraph {
    pub fn new(steps: Vec<Step>) -> Self {
        let mut writer = BTreeMap::new();
        for step in &steps {
            for asset in &step.writes {
                let previous = writer.insert(asset.clone(), step.name);
                debug_assert!(previous.is_none(), "{asset} has one writer");
            }
        }
        AssetGraph { steps, writer }
    }

    /// paylake's graph.
    pub fn paylake() -> Self {
        Self::new(crate::steps::all())
    }

    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    pub fn step(&self, id: StepId) -> &Step {
        self.steps
            .iter()
            .find(|step| step.name == id)
            .expect("every step id is declared")
    }

    /// The step that writes `asset`; `None` for a source the graph does not build.
    pub fn writer_of(&self, asset: &str) -> Option<StepId> {
        self.writer.get(asset).copied()
    }

    /// Steps `step` reads from directly.
    pub fn upstream_steps(&self, step: &Step) -> BTreeSet<StepId> {
        step.reads
            .iter()
            .filter_map(|asset| self.writer_of(asset))
            .filter(|writer| *writer != step.name)
            .collect()
    }

    /// Steps that read what `step` writes, directly.
    pub fn downstream_steps(&self, id: StepId) -> BTreeSet<StepId> {
        self.steps
            .iter()
            .filter(|candidate| {
                candidate.name != id && self.upstream_steps(candidate).contains(&id)
            })
            .map(|candidate| candidate.name)
            .collect()
    }

    /// `id` and everything downstream of it, transitively.
    pub fn with_downstream(&self, id: StepId) -> BTreeSet<StepId> {
        self.closure(id, |graph, step| graph.downstream_steps(step))
    }

    /// `id` and everything upstream of it, transitively.
    pub fn with_upstream(&self, id: StepId) -> BTreeSet<StepId> {
        self.closure(id, |graph, step| graph.upstream_steps(graph.step(step)))
    }

    fn closure(
        &self,
        start: StepId,
        next: impl Fn(&Self, StepId) -> BTreeSet<StepId>,
    ) -> BTreeSet<StepId> {
        let mut seen = BTreeSet::from([start]);
        let mut frontier = vec![start];
        while let Some(step) = frontier.pop() {
            for neighbour in next(self, step) {
                if seen.insert(neighbour) {
                    frontier.push(neighbour);
                }
            }
        }
        seen
    }

    /// The steps in an order where each comes after every step it reads from (Kahn's
    /// algorithm; ties keep declaration order, so runs are reproducible).
    pub fn topological_order(&self) -> Vec<StepId> {
        let mut placed: Vec<StepId> = Vec::new();
        while placed.len() < self.steps.len() {
            let ready = self.steps.iter().find(|step| {
                !placed.contains(&step.name)
                    && self
                        .upstream_steps(step)
                        .iter()
                        .all(|upstream| placed.contains(upstream))
            });
            let Some(ready) = ready else {
                debug_assert!(false, "the asset graph has a cycle");
                break;
            };
            placed.push(ready.name);
        }
        placed
    }

    /// Levels of steps that may run side by side: each level reads only from the ones before.
    pub fn levels(&self) -> Vec<Vec<StepId>> {
        let mut level_of: BTreeMap<StepId, usize> = BTreeMap::new();
        for id in self.topological_order() {
            let level = self
                .upstream_steps(self.step(id))
                .iter()
                .map(|upstream| level_of[upstream] + 1)
                .max()
                .unwrap_or(0);
            level_of.insert(id, level);
        }
        let depth = level_of.values().max().map_or(0, |deepest| deepest + 1);
        let mut levels = vec![Vec::new(); depth];
        for id in self.topological_order() {
            levels[level_of[&id]].push(id);
        }
        levels
    }
}

#[cfg(test)]
mod tests {
    use paylake_catalog::{registry, Zone};

    use super::*;

    #[test]
    fn every_gold_table_is_written_by_exactly_one_step_and_every_read_exists() {
        let graph = AssetGraph::paylake();
        for table in registry().tables() {
            if table.zone == Zone::Gold {
                assert!(
                    graph.writer_of(&table.qualified_name()).is_some(),
                    "{} has no step",
                    table.qualified_name()
                );
            }
        }
        for step in graph.steps() {
            for asset in &step.reads {
                let known = asset.starts_with("landing.")
                    || registry().find(asset).is_ok()
                    || graph.writer_of(asset).is_some();
                assert!(known, "{} reads unknown {asset}", step.name);
            }
            // Every SQL file a step declares exists, and every gate names a step.
            paylake_catalog::sql::expand(&step.sql).unwrap();
            for check in step.checks() {
                for gated in check.gates {
                    assert!(
                        graph.steps().iter().any(|other| other.name == *gated),
                        "{gated}"
                    );
                }
            }
        }
        let names: BTreeSet<&str> = graph.steps().iter().map(|step| step.name).collect();
        assert_eq!(names.len(), graph.steps().len(), "step names are unique");
    }

    #[test]
    fn the_order_puts_every_step_after_what_it_reads() {
        let graph = AssetGraph::paylake();
        let order = graph.topological_order();
        assert_eq!(order.len(), graph.steps().len());
        assert_eq!(order[0], "ingest");
        for (position, id) in order.iter().enumerate() {
            for upstream in graph.upstream_steps(graph.step(id)) {
                let upstream_position = order.iter().position(|step| *step == upstream).unwrap();
                assert!(upstream_position < position, "{id:?} before {upstream:?}");
            }
        }
        let levels = graph.levels();
        assert_eq!(levels[0], vec!["ingest"]);
        assert!(levels[1].contains(&"sanctions_hits") && levels[1].contains(&"cost"));
        // Screening's new hits are alerts: the suite runs after it.
        assert!(levels[2].contains(&"aml_alerts"));
    }

    #[test]
    fn downstream_of_alerts_is_risk_cases_exports_and_deadlines_not_finance() {
        let graph = AssetGraph::paylake();
        let downstream = graph.with_downstream("aml_alerts");
        for expected in [
            "aml_alerts",
            "customer_risk",
            "sar_candidates",
            "regulatory_exports",
            "filing_deadlines",
        ] {
            assert!(downstream.contains(&expected), "{expected:?}");
        }
        assert!(!downstream.contains(&"reconciliation"));
        assert!(!downstream.contains(&"ctr_candidates"));
        let upstream = graph.with_upstream("recon_report");
        assert!(upstream.contains(&"ingest") && upstream.contains(&"ledger_integrity"));
        assert!(!upstream.contains(&"aml_alerts"));
    }
}
