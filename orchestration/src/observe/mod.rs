//! Observability: lineage events and metrics of each run, the lake's metrics served to
//! Prometheus, and the freshness SLOs.

pub mod metrics;
pub mod openlineage;
pub mod serve;
pub mod slo;

use std::collections::BTreeMap;

use paylake_catalog::Lake;

use crate::assets::graph::AssetGraph;
use crate::assets::records::Materialization;
use crate::assets::runner::RunReport;
use crate::error::Result;

/// Writes the run's OpenLineage events (`runs/<run id>/openlineage.jsonl`, one event per line)
/// and its metrics (`runs/<run id>/metrics.prom`) into the lake.
pub async fn write_run_files(lake: &Lake, graph: &AssetGraph, report: &RunReport) -> Result<()> {
    let mut by_step: BTreeMap<(String, Option<chrono::NaiveDate>, String), Vec<&Materialization>> =
        BTreeMap::new();
    for row in &report.materializations {
        by_step
            .entry((
                row.step.clone(),
                row.business_date,
                row.started_at.to_rfc3339(),
            ))
            .or_default()
            .push(row);
    }
    let mut events = String::new();
    for rows in by_step.values() {
        for event in openlineage::step_events(lake, &report.run_id, rows) {
            events.push_str(&event.to_string());
            events.push('\n');
        }
    }
    let folder = format!("runs/{}", report.run_id);
    lake.write_file(&format!("{folder}/openlineage.jsonl"), events.into_bytes())
        .await?;
    lake.write_file(
        &format!("{folder}/metrics.prom"),
        metrics::run_metrics(graph, report).into_bytes(),
    )
    .await?;
    Ok(())
}
