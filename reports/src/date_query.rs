//! The rows a page shows: a query of the gold tables for one date, in the session the date's
//! jobs wrote them through.

use arrow::record_batch::RecordBatch;
use datafusion::prelude::SessionContext;

use crate::error::Result;

/// Runs `sql` with its `{date}` filled with the business date (a typed date's text).
pub async fn rows_for_date(
    context: &SessionContext,
    sql: &str,
    date: &str,
) -> Result<Vec<RecordBatch>> {
    Ok(context
        .sql(&sql.replace("{date}", date))
        .await?
        .collect()
        .await?)
}

/// Runs `sql` with its `{from}` and `{to}` filled with a period's first and last dates.
pub async fn rows_for_period(
    context: &SessionContext,
    sql: &str,
    from: &str,
    to: &str,
) -> Result<Vec<RecordBatch>> {
    rows_for_date(
        context,
        &sql.replace("{from}", from).replace("{to}", to),
        "",
    )
    .await
}
