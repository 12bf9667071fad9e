//! The rows a page shows: a query of the gold tables (a template under `sql/reports/`), run in
//! the session the date's jobs wrote them through.

use arrow::record_batch::RecordBatch;
use datafusion::prelude::SessionContext;

use crate::error::Result;

/// Runs the page query `sql/<path>` with `parameters` (typed values' text).
pub async fn rows(
    context: &SessionContext,
    path: &str,
    parameters: &[(&str, String)],
) -> Result<Vec<RecordBatch>> {
    let sql = paylake_catalog::sql::render(path, parameters)?;
    Ok(context.sql(&sql).await?.collect().await?)
}

/// Runs the page query `sql/<path>` for one business date (`YYYY-MM-DD`).
pub async fn rows_for_date(
    context: &SessionContext,
    path: &str,
    business_date: &str,
) -> Result<Vec<RecordBatch>> {
    rows(
        context,
        path,
        &[("business_date", business_date.to_string())],
    )
    .await
}
