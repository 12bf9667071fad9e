//! `system.query_audit`: one row per local query, whatever became of it, and per look at the
//! decisions people work on (a workbench page, `paylake case show`), so that reading a case is
//! audited like querying it.

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

impl QueryAuditRow {
    /// A look at `what` (a page, a listing) that read `tables_read`, by `user` in `role`; it ran,
    /// until the caller says otherwise.
    pub fn view(
        user: &str,
        role: &str,
        access_version: &str,
        what: String,
        tables_read: &[&str],
    ) -> QueryAuditRow {
        QueryAuditRow {
            query_id: uuid::Uuid::new_v4().to_string(),
            started_at: Utc::now(),
            duration_ms: 0,
            user_name: user.to_string(),
            role: role.to_string(),
            access_version: access_version.to_string(),
            query_text: what,
            tables_read: tables_read.iter().map(|table| table.to_string()).collect(),
            columns_masked: Vec::new(),
            outcome: QueryOutcome::Ran,
            message: None,
            rows_returned: None,
        }
    }

    /// The same look, refused for `reason`.
    pub fn refused(self, reason: String) -> QueryAuditRow {
        QueryAuditRow {
            outcome: QueryOutcome::Refused,
            message: Some(reason),
            ..self
        }
    }
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
