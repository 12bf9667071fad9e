//! Prometheus text metrics: those of one run (written beside its lineage events, for a
//! textfile collector or a push gateway) and those of the lake (served by `serve-metrics`).

use std::collections::BTreeMap;
use std::sync::atomic::AtomicU64;

use arrow::array::{Array, Int64Array, StringArray};
use arrow::record_batch::RecordBatch;
use chrono::Utc;
use datafusion::prelude::SessionContext;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

use crate::assets::graph::AssetGraph;
use crate::assets::runner::RunReport;
use crate::error::Result;
use crate::observe::slo::SloReport;

/// A sample's labels, in the order given.
type Labels = Vec<(String, String)>;

/// A metric family of gauges or of counters.
enum FamilyOf {
    Gauge(Family<Labels, Gauge<f64, AtomicU64>>),
    Counter(Family<Labels, Counter>),
}

/// Metric families, encoded by prometheus-client as OpenMetrics text (which Prometheus scrapes
/// and its textfile collector reads).
#[derive(Default)]
pub struct Exposition {
    registry: Registry,
    families: BTreeMap<String, FamilyOf>,
}

impl Exposition {
    /// Declares a family: `kind` is `gauge` or `counter` (whose name ends in `_total`).
    pub fn family(&mut self, name: &str, kind: &str, help: &str) {
        if self.families.contains_key(name) {
            return;
        }
        // prometheus-client ends every help text with a period of its own.
        let help = help.trim_end_matches('.');
        let family = if kind == "counter" {
            let family = Family::<Labels, Counter>::default();
            // OpenMetrics names a counter's family without `_total`, and its samples with it.
            let family_name = name.strip_suffix("_total").unwrap_or(name);
            self.registry.register(family_name, help, family.clone());
            FamilyOf::Counter(family)
        } else {
            debug_assert_eq!(kind, "gauge");
            let family = Family::<Labels, Gauge<f64, AtomicU64>>::default();
            self.registry.register(name, help, family.clone());
            FamilyOf::Gauge(family)
        };
        self.families.insert(name.to_string(), family);
    }

    /// A sample of a declared family: a gauge's value, or a counter's count.
    pub fn sample(&mut self, name: &str, labels: &[(&str, &str)], value: f64) {
        let labels: Labels = labels
            .iter()
            .map(|(key, value)| (key.to_string(), value.to_string()))
            .collect();
        match self
            .families
            .get(name)
            .expect("a family is declared before its samples")
        {
            FamilyOf::Gauge(family) => {
                family.get_or_create(&labels).set(value);
            }
            FamilyOf::Counter(family) => {
                debug_assert!(value >= 0.0 && value.fract() == 0.0, "{name}: a count");
                family.get_or_create(&labels).inc_by(value as u64);
            }
        }
    }

    pub fn render(&self) -> String {
        let mut text = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut text, &self.registry);
        text
    }
}

/// The metrics of one run.
pub fn run_metrics(graph: &AssetGraph, report: &RunReport) -> String {
    let mut metrics = Exposition::default();
    metrics.family(
        "paylake_run_step_duration_seconds",
        "gauge",
        "Wall time of each step of the run, by business date.",
    );
    metrics.family(
        "paylake_run_step_attempts",
        "gauge",
        "Attempts each step of the run made (retries included).",
    );
    metrics.family(
        "paylake_run_step_failed",
        "gauge",
        "1 when the step did not succeed (failed, check failed or blocked).",
    );
    metrics.family(
        "paylake_run_rows_written",
        "gauge",
        "Rows each asset of the run wrote for its business date.",
    );
    metrics.family(
        "paylake_run_checks_failed",
        "gauge",
        "Checks of the run that failed.",
    );
    for result in &report.results {
        let Some(status) = result.status else {
            continue;
        };
        let date = result
            .business_date
            .map(|date| date.to_string())
            .unwrap_or_default();
        let labels = [
            ("step", graph.step(result.step).name),
            ("business_date", date.as_str()),
            ("status", status.as_str()),
        ];
        metrics.sample(
            "paylake_run_step_duration_seconds",
            &labels,
            result.duration_ms as f64 / 1000.0,
        );
        metrics.sample(
            "paylake_run_step_attempts",
            &labels,
            f64::from(result.attempts),
        );
        metrics.sample(
            "paylake_run_step_failed",
            &labels,
            if status.is_success() { 0.0 } else { 1.0 },
        );
    }
    for row in &report.materializations {
        if let Some(rows) = row.rows_written {
            let date = row
                .business_date
                .map(|date| date.to_string())
                .unwrap_or_default();
            metrics.sample(
                "paylake_run_rows_written",
                &[
                    ("asset", row.asset.as_str()),
                    ("business_date", date.as_str()),
                ],
                rows as f64,
            );
        }
    }
    let failed = report.checks.iter().filter(|check| !check.passed).count();
    metrics.sample("paylake_run_checks_failed", &[], failed as f64);
    metrics.render()
}

/// Runs the statement `sql/<file>`.
async fn query(context: &SessionContext, file: &str) -> Result<Vec<RecordBatch>> {
    let sql = paylake_catalog::sql::statement(file)?;
    Ok(context.sql(&sql).await?.collect().await?)
}

fn text_column(batch: &RecordBatch, index: usize) -> Option<StringArray> {
    paylake_catalog::batches::as_text(batch.column(index)).ok()
}

fn int_column(batch: &RecordBatch, index: usize) -> Option<&Int64Array> {
    batch.column(index).as_any().downcast_ref::<Int64Array>()
}

/// The lake's metrics: materialisations, last success, lag, durations, rows, failed checks,
/// source lag and the SLOs.
pub async fn lake_metrics(context: &SessionContext, slo: &SloReport) -> Result<String> {
    let mut metrics = Exposition::default();
    let now = Utc::now().timestamp();
    metrics.family(
        "paylake_asset_materializations_total",
        "counter",
        "Materialisations in system.asset_runs, by asset and status.",
    );
    for batch in query(context, "observe/materializations.sql").await? {
        let (Some(assets), Some(statuses), Some(counts)) = (
            text_column(&batch, 0),
            text_column(&batch, 1),
            int_column(&batch, 2),
        ) else {
            continue;
        };
        for row in 0..batch.num_rows() {
            metrics.sample(
                "paylake_asset_materializations_total",
                &[
                    ("asset", assets.value(row)),
                    ("status", statuses.value(row)),
                ],
                counts.value(row) as f64,
            );
        }
    }
    metrics.family(
        "paylake_asset_last_success_timestamp_seconds",
        "gauge",
        "When each asset last materialised successfully (Unix time).",
    );
    metrics.family(
        "paylake_asset_lag_seconds",
        "gauge",
        "Seconds since each asset last materialised successfully.",
    );
    metrics.family(
        "paylake_asset_last_duration_seconds",
        "gauge",
        "Wall time of each asset's last materialisation.",
    );
    metrics.family(
        "paylake_asset_last_rows_written",
        "gauge",
        "Rows each asset's last successful materialisation wrote for its date.",
    );
    for batch in query(context, "observe/last_successes.sql").await? {
        let (Some(assets), Some(finished), Some(durations), Some(rows)) = (
            text_column(&batch, 0),
            int_column(&batch, 1),
            int_column(&batch, 2),
            int_column(&batch, 3),
        ) else {
            continue;
        };
        for row in 0..batch.num_rows() {
            let labels = [("asset", assets.value(row))];
            metrics.sample(
                "paylake_asset_last_success_timestamp_seconds",
                &labels,
                finished.value(row) as f64,
            );
            metrics.sample(
                "paylake_asset_lag_seconds",
                &labels,
                (now - finished.value(row)) as f64,
            );
            metrics.sample(
                "paylake_asset_last_duration_seconds",
                &labels,
                durations.value(row) as f64 / 1000.0,
            );
            if rows.is_valid(row) {
                metrics.sample(
                    "paylake_asset_last_rows_written",
                    &labels,
                    rows.value(row) as f64,
                );
            }
        }
    }
    metrics.family(
        "paylake_check_failures_total",
        "counter",
        "Failed checks in system.asset_checks, by asset and check.",
    );
    for batch in query(context, "observe/check_failures.sql").await? {
        let (Some(assets), Some(checks), Some(counts)) = (
            text_column(&batch, 0),
            text_column(&batch, 1),
            int_column(&batch, 2),
        ) else {
            continue;
        };
        for row in 0..batch.num_rows() {
            metrics.sample(
                "paylake_check_failures_total",
                &[("asset", assets.value(row)), ("check", checks.value(row))],
                counts.value(row) as f64,
            );
        }
    }
    metrics.family(
        "paylake_source_lag_seconds",
        "gauge",
        "Seconds since each source was last ingested.",
    );
    for batch in query(context, "observe/source_last_ingest.sql").await? {
        let (Some(sources), Some(finished)) = (text_column(&batch, 0), int_column(&batch, 1))
        else {
            continue;
        };
        for row in 0..batch.num_rows() {
            metrics.sample(
                "paylake_source_lag_seconds",
                &[("source", sources.value(row))],
                (now - finished.value(row)) as f64,
            );
        }
    }
    slo.add_metrics(&mut metrics);
    Ok(metrics.render())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exposition_follows_the_openmetrics_text_format() {
        let mut metrics = Exposition::default();
        metrics.family("paylake_x_total", "counter", "Things.");
        metrics.sample(
            "paylake_x_total",
            &[("asset", "gold.a\"b"), ("status", "ok")],
            3.0,
        );
        metrics.family("paylake_y", "gauge", "Other.");
        metrics.sample("paylake_y", &[], 0.5);
        let text = metrics.render();
        assert!(text.contains("# TYPE paylake_x counter\n"), "{text}");
        assert!(
            text.contains("paylake_x_total{asset=\"gold.a\\\"b\",status=\"ok\"} 3\n"),
            "{text}"
        );
        assert!(
            text.contains("# HELP paylake_y Other.\n# TYPE paylake_y gauge\npaylake_y 0.5\n"),
            "{text}"
        );
        assert!(text.ends_with("# EOF\n"), "{text}");
    }
}
