//! `--select`: which steps a run considers, in dbt's selector syntax.
//!
//! `ASSET` picks the step writing it; `ASSET+` adds everything downstream, `+ASSET` everything
//! upstream. An asset is `zone.table`, `report.<name>`, or a step's name. Several selectors
//! are a union; none selects the whole graph.

use std::collections::BTreeSet;

use super::graph::{AssetGraph, StepId};
use crate::error::{OrchestrationError, Result};

/// The steps `selectors` pick.
pub fn select(graph: &AssetGraph, selectors: &[String]) -> Result<BTreeSet<StepId>> {
    if selectors.is_empty() {
        return Ok(graph.steps().iter().map(|step| step.name).collect());
    }
    let mut selected = BTreeSet::new();
    for selector in selectors {
        let with_upstream = selector.starts_with('+');
        let with_downstream = selector.ends_with('+');
        let name = selector.trim_start_matches('+').trim_end_matches('+');
        let step = step_named(graph, name)?;
        selected.insert(step);
        if with_downstream {
            selected.extend(graph.with_downstream(step));
        }
        if with_upstream {
            selected.extend(graph.with_upstream(step));
        }
    }
    Ok(selected)
}

fn step_named(graph: &AssetGraph, name: &str) -> Result<StepId> {
    if let Some(step) = graph.writer_of(name) {
        return Ok(step);
    }
    if let Some(step) = graph.steps().iter().find(|step| step.name == name) {
        return Ok(step.name);
    }
    let known: Vec<&str> = graph.steps().iter().map(|step| step.name).collect();
    Err(OrchestrationError::Usage(format!(
        "--select '{name}' names no asset or step; assets are zone.table or report.<name> \
         (see `paylake assets`), steps: {}",
        known.join(", ")
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn selected(selectors: &[&str]) -> BTreeSet<StepId> {
        let selectors: Vec<String> = selectors.iter().map(|s| s.to_string()).collect();
        select(&AssetGraph::paylake(), &selectors).unwrap()
    }

    #[test]
    fn plus_after_adds_downstream_and_before_adds_upstream() {
        assert_eq!(selected(&["gold.cost_daily"]), BTreeSet::from(["cost"]));
        assert_eq!(
            selected(&["gold.cost_daily+"]),
            BTreeSet::from(["cost", "cost_report"])
        );
        assert_eq!(
            selected(&["+report.cost"]),
            BTreeSet::from(["ingest", "cost", "cost_report"])
        );
        assert_eq!(
            selected(&["ledger_integrity+", "ctr_report"]),
            BTreeSet::from([
                "ledger_integrity",
                "reconciliation",
                "recon_report",
                "ctr_report"
            ])
        );
        assert_eq!(selected(&[]).len(), AssetGraph::paylake().steps().len());
    }

    #[test]
    fn an_unknown_asset_is_refused_naming_the_steps() {
        let err = select(&AssetGraph::paylake(), &["gold.nope+".to_string()])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("gold.nope") && err.contains("aml_alerts"),
            "{err}"
        );
    }
}
