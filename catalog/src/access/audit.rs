//! `system.query_audit`: one row per local query, whatever became of it.

use std::sync::Arc;

use arrow::array::{ArrayRef, Int64Array};
use chrono::{DateTime, Utc};

use crate::error::Result;
use crate::lake::Lake;
use crate::registry::{registry, Zone};
use crate::rows::{append_columns, dates, string_lists, strings, timestamps};

/// What became of a query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryOutcome {
    Ran,
    Refused,
    Failed,
}

impl QueryOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            QueryOutcome::Ran => "ran",
            QueryOutcome::Refused => "refused",
            QueryOutcome::Failed => "failed",
        }
    }
}

/// One row of `system.query_audit`.
pub struct QueryAuditRow {
    pub query_id: String,
    pub started_at: DateTime<Utc>,
    pub duration_ms: i64,
    pub user_name: String,
    pub role: String,
    pub access_version: String,
    pub query_text: String,
    pub tables_read: Vec<String>,
    pub columns_masked: Vec<String>,
    pub outcome: QueryOutcome,
    pub message: Option<String>,
    pub rows_returned: Option<i64>,
}

pub async fn record_query(lake: &Lake, row: &QueryAuditRow) -> Result<()> {
    let table = registry().get(Zone::System, "query_audit")?;
    let one = std::iter::once(row);
    let columns: Vec<ArrayRef> = vec![
        strings(one.clone().map(|row| Some(row.query_id.as_str()))),
        timestamps(one.clone().map(|row| Some(row.started_at))),
        Arc::new(Int64Array::from_iter_values(
            one.clone().map(|row| row.duration_ms),
        )),
        strings(one.clone().map(|row| Some(row.user_name.as_str()))),
        strings(one.clone().map(|row| Some(row.role.as_str()))),
        strings(one.clone().map(|row| Some(row.access_version.as_str()))),
        strings(one.clone().map(|row| Some(row.query_text.as_str()))),
        string_lists(one.clone().map(|row| &row.tables_read)),
        string_lists(one.clone().map(|row| &row.columns_masked)),
        strings(one.clone().map(|row| Some(row.outcome.as_str()))),
        strings(one.clone().map(|row| row.message.as_deref())),
        Arc::new(Int64Array::from_iter(
            one.clone().map(|row| row.rows_returned),
        )),
        dates(one.map(|row| row.started_at.date_naive())),
    ];
    append_columns(lake, table, columns).await
}
