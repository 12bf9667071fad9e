//! `gold.case_metrics`: what people decided about each rule's alerts of a date, read from the
//! case log (`decisions.case_events`) as it stands at a moment. The table suggests nothing; it
//! measures the rules by the dispositions of the cases their alerts went into.

use chrono::{DateTime, Utc};
use datafusion::prelude::SessionContext;
use paylake_catalog::Lake;

use crate::error::Result;
use crate::job::{day_number, rebuild_date, BusinessDay};

/// The SQL file of the case metrics, below `sql/`.
pub const CASE_METRICS_SQL: &str = "transforms/aml/case_metrics.sql";

/// Builds the metrics of the alerts of `day` as the case log stands at `as_of`, and replaces
/// the date's partition. A case's SAR is due `sar_days` after its first alert. Returns the
/// number of rules with alerts that date.
pub async fn build_case_metrics(
    lake: &Lake,
    context: &SessionContext,
    day: &BusinessDay,
    sar_days: u32,
    as_of: DateTime<Utc>,
) -> Result<u64> {
    let as_of_local_date = as_of.with_timezone(&day.timezone).date_naive();
    let sql = day.render(
        CASE_METRICS_SQL,
        &[
            ("sar_days", sar_days.to_string()),
            ("as_of", as_of.format("%Y-%m-%d %H:%M:%S%.6f").to_string()),
            ("as_of_day", day_number(as_of_local_date).to_string()),
        ],
    )?;
    let batches = rebuild_date(lake, context, day, "case_metrics", &sql).await?;
    Ok(batches.iter().map(|batch| batch.num_rows() as u64).sum())
}
