//! `gold.filing_deadlines`: every CTR and SAR owed as of a business date, its due date and
//! whether it is due, late, filed or filed late.

use chrono::NaiveDate;
use datafusion::prelude::SessionContext;
use paylake_catalog::batches::count_values;
use paylake_catalog::delta::replace_date_partition;
use paylake_catalog::{registry, Lake, Zone};

use crate::error::Result;
use crate::settings::RegulatorySettings;

/// The SQL file of the deadlines, below `sql/`.
pub const DEADLINES_SQL: &str = "regulatory/filing_deadlines.sql";

/// Rebuilds the deadlines as of `business_date`; returns how many filings are late.
pub async fn build_filing_deadlines(
    lake: &Lake,
    context: &SessionContext,
    settings: &RegulatorySettings,
    business_date: NaiveDate,
) -> Result<DeadlineCounts> {
    let deadlines = &settings.deadlines;
    let sql = paylake_catalog::sql::render(
        DEADLINES_SQL,
        &[
            ("business_date", business_date.to_string()),
            ("ctr_days", deadlines.ctr_days.to_string()),
            ("sar_days", deadlines.sar_days.to_string()),
            (
                "sar_no_suspect_days",
                deadlines.sar_no_suspect_days.to_string(),
            ),
        ],
    )?;
    let batches = context.sql(&sql).await?.collect().await?;
    let table = registry().get(Zone::Gold, "filing_deadlines")?;
    replace_date_partition(lake, context, table, business_date, &batches).await?;
    let mut counts = DeadlineCounts::default();
    for (status, count) in count_values(&batches, "status")? {
        let count = count as usize;
        match status.as_str() {
            "due" => counts.due = count,
            "late" => counts.late = count,
            "filed" => counts.filed = count,
            "filed_late" => counts.filed_late = count,
            _ => {}
        }
    }
    Ok(counts)
}

/// How many filings are in each state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeadlineCounts {
    pub due: usize,
    pub late: usize,
    pub filed: usize,
    pub filed_late: usize,
}
