//! The asset graph, declared in one place: every table, report and export paylake builds, the
//! step that materialises it, and what that step reads.
//!
//! A step is the unit that runs (one job writing one or more assets, as a Dagster multi-asset);
//! an asset is what it writes: a table (`zone.table`), a report (`report.<name>`), or an export.
//! Gold steps are partitioned by business date; ingest is not (it takes whatever landed).

use std::collections::{BTreeMap, BTreeSet};

use paylake_catalog::{registry, Zone};

/// The steps of paylake, in an order that respects every dependency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StepId {
    Ingest,
    CtrCandidates,
    AmlAlerts,
    SanctionsHits,
    CustomerRisk,
    SarCandidates,
    LedgerIntegrity,
    Reconciliation,
    Cost,
    RegulatoryExports,
    FilingDeadlines,
    CtrReport,
    ReconReport,
    CostReport,
}

/// One step: what it writes and reads.
#[derive(Debug, Clone)]
pub struct Step {
    pub id: StepId,
    pub name: &'static str,
    pub description: &'static str,
    /// Assets it materialises.
    pub writes: Vec<String>,
    /// Assets it reads (tables of the registry, or other steps' assets).
    pub reads: Vec<String>,
    /// Built per business date (gold); otherwise once per run (ingest).
    pub partitioned: bool,
    /// Reads its own assets of the day before (open breaks carried forward, rolling risk), so
    /// a date needs the one before it built first.
    pub reads_previous_date: bool,
}

/// Landing sources: the external assets ingest reads.
pub const LANDING_SOURCES: [&str; 7] = paylake_catalog::registry::QUARANTINE_SOURCES;

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|name| name.to_string()).collect()
}

fn gold_step(
    id: StepId,
    name: &'static str,
    description: &'static str,
    writes: &[&str],
    reads: &[&str],
    reads_previous_date: bool,
) -> Step {
    Step {
        id,
        name,
        description,
        writes: names(writes),
        reads: names(reads),
        partitioned: true,
        reads_previous_date,
    }
}

/// Every step of this build of paylake, in dependency order.
pub fn steps() -> Vec<Step> {
    use StepId::*;
    let ingested: Vec<String> = registry()
        .tables()
        .iter()
        .filter(|table| {
            matches!(table.zone, Zone::Bronze | Zone::Silver | Zone::Quarantine)
                || table.qualified_name() == "system.ingest_runs"
        })
        .map(|table| table.qualified_name())
        .collect();
    vec![
        Step {
            id: Ingest,
            name: "ingest",
            description: "new landing files into bronze, quarantine and silver, exactly once",
            writes: ingested,
            reads: LANDING_SOURCES
                .iter()
                .map(|source| format!("landing.{source}"))
                .collect(),
            partitioned: false,
            reads_previous_date: false,
        },
        gold_step(
            CtrCandidates,
            "ctr_candidates",
            "cash over the CTR threshold per customer, day and direction",
            &["gold.ctr_candidates"],
            &["silver.transactions", "silver.customers", "silver.fx_rates"],
            false,
        ),
        gold_step(
            AmlAlerts,
            "aml_alerts",
            "the AML rule suite over the date's windows",
            &["gold.aml_alerts"],
            &[
                "silver.transactions",
                "silver.accounts",
                "silver.customers",
                "silver.fx_rates",
            ],
            false,
        ),
        gold_step(
            SanctionsHits,
            "sanctions_hits",
            "customers screened against the sanctions list in force",
            &["gold.sanctions_hits"],
            &[
                "silver.customers",
                "silver.sanctions_entries",
                "silver.sanctions_aliases",
            ],
            false,
        ),
        gold_step(
            CustomerRisk,
            "customer_risk",
            "each customer's risk rating from alerts, hits and profile",
            &["gold.customer_risk"],
            &["gold.aml_alerts", "gold.sanctions_hits", "silver.customers"],
            true,
        ),
        gold_step(
            SarCandidates,
            "sar_candidates",
            "alerts grouped into SAR cases",
            &["gold.sar_candidates"],
            &[
                "gold.aml_alerts",
                "gold.customer_risk",
                "silver.customers",
                "silver.fx_rates",
                "silver.transactions",
            ],
            true,
        ),
        gold_step(
            LedgerIntegrity,
            "ledger_integrity",
            "journal and bank statement balances",
            &["gold.ledger_integrity"],
            &[
                "silver.ledger_entries",
                "silver.bank_statement_entries",
                "silver.bank_statement_balances",
            ],
            false,
        ),
        gold_step(
            Reconciliation,
            "reconciliation",
            "ledger, processor and bank matched; breaks carried until resolved",
            &[
                "gold.recon_matches",
                "gold.recon_breaks",
                "gold.recon_summary",
            ],
            &[
                "silver.payments",
                "silver.ledger_entries",
                "silver.settlement_lines",
                "silver.bank_statement_entries",
                "silver.fx_rates",
                "gold.ledger_integrity",
            ],
            true,
        ),
        gold_step(
            Cost,
            "cost",
            "cloud cost by day, tag and payment; anomalies and budgets",
            &[
                "gold.cost_daily",
                "gold.cost_by_tag",
                "gold.cost_unit_economics",
                "gold.cost_anomalies",
                "gold.cost_budgets",
            ],
            &["silver.cost_line_items", "silver.payments"],
            true,
        ),
        gold_step(
            RegulatoryExports,
            "regulatory_exports",
            "the export schedules due by noon of the next day",
            &["system.regulatory_exports"],
            &[
                "gold.ctr_candidates",
                "gold.sar_candidates",
                "silver.customers",
                "silver.transactions",
                "silver.fx_rates",
            ],
            true,
        ),
        gold_step(
            FilingDeadlines,
            "filing_deadlines",
            "CTRs and SARs owed, due, late and filed",
            &["gold.filing_deadlines"],
            &[
                "gold.ctr_candidates",
                "gold.sar_candidates",
                "system.regulatory_exports",
                "system.regulatory_filings",
            ],
            false,
        ),
        gold_step(
            CtrReport,
            "ctr_report",
            "the compliance officers' page of the date's CTR candidates",
            &["report.ctr"],
            &["gold.ctr_candidates", "silver.transactions"],
            false,
        ),
        gold_step(
            ReconReport,
            "recon_report",
            "finance's page of the date's reconciliation",
            &["report.reconciliation"],
            &[
                "gold.recon_matches",
                "gold.recon_breaks",
                "gold.recon_summary",
            ],
            false,
        ),
        gold_step(
            CostReport,
            "cost_report",
            "the date's cost page",
            &["report.cost"],
            &[
                "gold.cost_daily",
                "gold.cost_anomalies",
                "gold.cost_budgets",
                "gold.cost_unit_economics",
            ],
            false,
        ),
    ]
}

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
                let previous = writer.insert(asset.clone(), step.id);
                debug_assert!(previous.is_none(), "{asset} has one writer");
            }
        }
        AssetGraph { steps, writer }
    }

    /// paylake's graph.
    pub fn paylake() -> Self {
        Self::new(steps())
    }

    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    pub fn step(&self, id: StepId) -> &Step {
        self.steps
            .iter()
            .find(|step| step.id == id)
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
            .filter(|writer| *writer != step.id)
            .collect()
    }

    /// Steps that read what `step` writes, directly.
    pub fn downstream_steps(&self, id: StepId) -> BTreeSet<StepId> {
        self.steps
            .iter()
            .filter(|candidate| candidate.id != id && self.upstream_steps(candidate).contains(&id))
            .map(|candidate| candidate.id)
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
                !placed.contains(&step.id)
                    && self
                        .upstream_steps(step)
                        .iter()
                        .all(|upstream| placed.contains(upstream))
            });
            let Some(ready) = ready else {
                debug_assert!(false, "the asset graph has a cycle");
                break;
            };
            placed.push(ready.id);
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
        }
    }

    #[test]
    fn the_order_puts_every_step_after_what_it_reads() {
        let graph = AssetGraph::paylake();
        let order = graph.topological_order();
        assert_eq!(order.len(), graph.steps().len());
        assert_eq!(order[0], StepId::Ingest);
        for (position, id) in order.iter().enumerate() {
            for upstream in graph.upstream_steps(graph.step(*id)) {
                let upstream_position = order.iter().position(|step| *step == upstream).unwrap();
                assert!(upstream_position < position, "{id:?} before {upstream:?}");
            }
        }
        let levels = graph.levels();
        assert_eq!(levels[0], vec![StepId::Ingest]);
        assert!(levels[1].contains(&StepId::AmlAlerts) && levels[1].contains(&StepId::Cost));
    }

    #[test]
    fn downstream_of_alerts_is_risk_cases_exports_and_deadlines_not_finance() {
        let graph = AssetGraph::paylake();
        let downstream = graph.with_downstream(StepId::AmlAlerts);
        for expected in [
            StepId::AmlAlerts,
            StepId::CustomerRisk,
            StepId::SarCandidates,
            StepId::RegulatoryExports,
            StepId::FilingDeadlines,
        ] {
            assert!(downstream.contains(&expected), "{expected:?}");
        }
        assert!(!downstream.contains(&StepId::Reconciliation));
        assert!(!downstream.contains(&StepId::CtrCandidates));
        let upstream = graph.with_upstream(StepId::ReconReport);
        assert!(upstream.contains(&StepId::Ingest) && upstream.contains(&StepId::LedgerIntegrity));
        assert!(!upstream.contains(&StepId::AmlAlerts));
    }
}
