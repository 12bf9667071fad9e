//! The daily reconciliation page (`templates/recon.html`): the date's summary per currency, its
//! open breaks by category and age with a chart of each, every open break with the field that
//! differs, and the day's matches by rule.

use chrono::NaiveDate;
use datafusion::prelude::SessionContext;
use minijinja::context;
use paylake_catalog::Lake;

use crate::charts::bar_chart;
use crate::date_query::rows_for_date;
use crate::error::Result;
use crate::templates::{records, render};

/// Writes `<lake>/reports/recon/<date>.html` and returns where it is. `context` sees the date's
/// gold tables.
pub async fn write_recon_report(
    lake: &Lake,
    context: &SessionContext,
    business_date: NaiveDate,
) -> Result<String> {
    let date = business_date.format("%Y-%m-%d").to_string();
    let rows = |name: &str| {
        let path = format!("reports/recon/{name}.sql");
        let date = &date;
        async move { rows_for_date(context, &path, date).await }
    };
    let page = render(
        "recon.html",
        context! {
            date => date.as_str(),
            summary => records(&rows("summary").await?),
            breaks_by_category => bar_chart(
                "Open breaks by category",
                &rows("breaks_by_category").await?,
                "category",
                "breaks",
            ),
            breaks_by_age => bar_chart(
                "Open breaks by age",
                &rows("breaks_by_age").await?,
                "bucket",
                "breaks",
            ),
            breaks => records(&rows("breaks").await?),
            matches => records(&rows("matches_by_rule").await?),
        },
    )?;
    Ok(lake
        .write_file(&format!("reports/recon/{date}.html"), page.into_bytes())
        .await?)
}
