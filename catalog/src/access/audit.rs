//! `system.query_audit`: one row per local query, whatever became of it, and per look at the
//! decisions people work on (a workbench page, `paylake case show`), so that reading a case is
//! audited like querying it.

use std::sync::Arc;

use arrow::array::{ArrayRef, Int64Array};
use chrono::{DateTime, Utc};

use tokio::sync::oneshot;

use crate::error::{CatalogError, Result};
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

/// Appends one row to `system.query_audit`, in a commit of its own.
pub async fn record_query(lake: &Lake, row: &QueryAuditRow) -> Result<()> {
    record_queries(lake, std::slice::from_ref(row)).await
}

/// Appends `rows` to `system.query_audit` in one commit.
pub async fn record_queries(lake: &Lake, rows: &[QueryAuditRow]) -> Result<()> {
    let table = registry().get(Zone::System, "query_audit")?;
    let all = rows.iter();
    let columns: Vec<ArrayRef> = vec![
        strings(all.clone().map(|row| Some(row.query_id.as_str()))),
        timestamps(all.clone().map(|row| Some(row.started_at))),
        Arc::new(Int64Array::from_iter_values(
            all.clone().map(|row| row.duration_ms),
        )),
        strings(all.clone().map(|row| Some(row.user_name.as_str()))),
        strings(all.clone().map(|row| Some(row.role.as_str()))),
        strings(all.clone().map(|row| Some(row.access_version.as_str()))),
        strings(all.clone().map(|row| Some(row.query_text.as_str()))),
        string_lists(all.clone().map(|row| &row.tables_read)),
        string_lists(all.clone().map(|row| &row.columns_masked)),
        strings(all.clone().map(|row| Some(row.outcome.as_str()))),
        strings(all.clone().map(|row| row.message.as_deref())),
        Arc::new(Int64Array::from_iter(
            all.clone().map(|row| row.rows_returned),
        )),
        dates(all.map(|row| row.started_at.date_naive())),
    ];
    append_columns(lake, table, columns).await
}

/// A row waiting for the next commit, and who waits for it.
type PendingRow = (
    QueryAuditRow,
    oneshot::Sender<std::result::Result<(), String>>,
);

/// The audit of a long-running server (the workbench), committed as a group: each row is
/// recorded before its caller goes on (nothing is shown unaudited), but the rows that arrive
/// while a commit is being written go together in the next one, so that a busy server writes
/// one commit per moment rather than one per page view, and the log does not grow with the
/// traffic. The first caller to find no commit running writes every row waiting.
pub struct AuditLog {
    lake: Lake,
    pending: std::sync::Mutex<Vec<PendingRow>>,
    committing: tokio::sync::Mutex<()>,
}

impl AuditLog {
    pub fn new(lake: Lake) -> Self {
        AuditLog {
            lake,
            pending: std::sync::Mutex::new(Vec::new()),
            committing: tokio::sync::Mutex::new(()),
        }
    }

    /// Records `row`; returns once a commit holds it.
    pub async fn record(&self, row: QueryAuditRow) -> Result<()> {
        let (sender, mut receiver) = oneshot::channel();
        self.pending
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push((row, sender));
        let _committer = self.committing.lock().await;
        // A commit that ran while this caller waited may have taken its row.
        if let Ok(outcome) = receiver.try_recv() {
            return outcome.map_err(CatalogError::AuditNotRecorded);
        }
        let waiting: Vec<PendingRow> = std::mem::take(
            &mut *self
                .pending
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        debug_assert!(!waiting.is_empty(), "this caller's row is waiting");
        let (rows, senders): (Vec<QueryAuditRow>, Vec<_>) = waiting.into_iter().unzip();
        let outcome = record_queries(&self.lake, &rows)
            .await
            .map_err(|error| error.to_string());
        for sender in senders {
            // A caller that stopped waiting no longer needs the answer.
            let _ = sender.send(outcome.clone());
        }
        receiver
            .await
            .unwrap_or_else(|_| Err("the audit commit was abandoned".to_string()))
            .map_err(CatalogError::AuditNotRecorded)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_views_are_each_recorded_before_they_return_in_fewer_commits() {
        let dir = tempfile::tempdir().unwrap();
        let lake = Lake::open(dir.path().to_str().unwrap()).unwrap();
        let audit = Arc::new(AuditLog::new(lake.clone()));
        let views = 40;
        let tasks: Vec<_> = (0..views)
            .map(|view| {
                let audit = Arc::clone(&audit);
                tokio::spawn(async move {
                    let row = QueryAuditRow::view(
                        "ana",
                        "investigator",
                        "v1",
                        format!("case page {view}"),
                        &["decisions.case_events"],
                    );
                    let query_id = row.query_id.clone();
                    audit.record(row).await.unwrap();
                    query_id
                })
            })
            .collect();
        let mut recorded = Vec::new();
        for task in tasks {
            recorded.push(task.await.unwrap());
        }
        let table = registry().get(Zone::System, "query_audit").unwrap();
        let delta_table = crate::delta::open_table(&lake, table)
            .await
            .unwrap()
            .unwrap();
        let context = crate::session::table_session(table, &delta_table)
            .await
            .unwrap();
        let batches = context
            .sql("SELECT query_id FROM system.query_audit")
            .await
            .unwrap()
            .collect()
            .await
            .unwrap();
        let mut stored: Vec<String> = Vec::new();
        for batch in &batches {
            let ids =
                arrow::compute::cast(batch.column(0), &arrow::datatypes::DataType::Utf8).unwrap();
            let ids = arrow::array::cast::as_string_array(&ids);
            stored.extend(ids.iter().flatten().map(str::to_string));
        }
        stored.sort();
        recorded.sort();
        assert_eq!(stored, recorded, "every view recorded exactly once");
        // Version 0 created the table with the first commit's rows.
        let commits = delta_table.version().unwrap() + 1;
        assert!(
            commits < views as u64 / 2,
            "{commits} commits for {views} views: not grouped"
        );
    }
}
