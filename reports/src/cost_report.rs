//! The daily cost page (`templates/cost.html`): the cost trend up to the date, cost by service,
//! unit cost by payment channel, the date's anomalies and the budgets with their alerts.

use chrono::NaiveDate;
use datafusion::prelude::SessionContext;
use minijinja::context;
use paylake_catalog::Lake;

use crate::charts::bar_chart;
use crate::date_query::{rows, rows_for_date};
use crate::error::Result;
use crate::templates::{records, render};

/// How many days of trend the page shows.
const TREND_DAYS: i64 = 30;

/// Writes `<lake>/reports/cost/<date>.html` and returns where it is. `context` sees the date's
/// gold tables.
pub async fn write_cost_report(
    lake: &Lake,
    context: &SessionContext,
    business_date: NaiveDate,
) -> Result<String> {
    let date = business_date.format("%Y-%m-%d").to_string();
    let for_date = |name: &str| {
        let path = format!("reports/cost/{name}.sql");
        let date = &date;
        async move { rows_for_date(context, &path, date).await }
    };
    let trend = rows(
        context,
        "reports/cost/trend.sql",
        &[
            ("business_date", date.clone()),
            ("days", TREND_DAYS.to_string()),
        ],
    )
    .await?;
    let unit_costs = for_date("unit_cost").await?;
    let page = render(
        "cost.html",
        context! {
            date => date.as_str(),
            trend => bar_chart(
                &format!("EffectiveCost per day, last {TREND_DAYS} days"),
                &trend,
                "day",
                "cost",
            ),
            unit_cost_chart => bar_chart(
                "EffectiveCost per settled payment by channel",
                &unit_costs,
                "channel",
                "per_payment",
            ),
            anomalies => records(&for_date("anomalies").await?),
            budgets => records(&for_date("budgets").await?),
            unit_costs => records(&unit_costs),
            services => records(&for_date("by_service").await?),
        },
    )?;
    Ok(lake
        .write_file(&format!("reports/cost/{date}.html"), page.into_bytes())
        .await?)
}
