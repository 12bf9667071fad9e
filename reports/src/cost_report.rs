//! The daily cost page: the cost trend up to the date, cost by service, unit cost by payment
//! channel, the date's anomalies and the budgets with their alerts.

use chrono::NaiveDate;
use datafusion::prelude::SessionContext;
use paylake_catalog::Lake;

use crate::charts::{bar_chart, bars};
use crate::date_query::{rows, rows_for_date};
use crate::error::Result;
use crate::html::{number, page_start, table, text};

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
    let mut page = page_start(&format!("Cloud cost, billing day {date}"));
    page.push_str(
        "<p class=\"meta\">EffectiveCost in USD from the FOCUS and CUR rows of the lake, by UTC \
         billing day. Untagged cost is shared over the payment channels by their settled \
         payments.</p>",
    );
    page.push_str(&bar_chart(
        &format!("EffectiveCost per day, last {TREND_DAYS} days"),
        &bars(
            &rows(
                context,
                "reports/cost/trend.sql",
                &[
                    ("business_date", date.clone()),
                    ("days", TREND_DAYS.to_string()),
                ],
            )
            .await?,
            "day",
            "cost",
        ),
    ));
    let unit_costs = rows_for_date(context, "reports/cost/unit_cost.sql", &date).await?;
    page.push_str(&bar_chart(
        "EffectiveCost per settled payment by channel",
        &bars(&unit_costs, "channel", "per_payment"),
    ));
    page.push_str("<h2>Anomalies</h2>");
    page.push_str(&table(
        "anomalies",
        &rows_for_date(context, "reports/cost/anomalies.sql", &date).await?,
        &[
            text("Service", "service_name"),
            number("Actual", "actual"),
            number("Expected", "expected"),
            number("Impact", "impact"),
            number("Impact %", "impact_percent"),
            text("Root cause account", "root_cause_account"),
            text("Root cause resource", "root_cause_resource"),
            number("Its impact", "root_cause_impact"),
        ],
        "No service's cost rose beyond its expected cost on this day.",
    ));
    page.push_str("<h2>Budgets</h2>");
    page.push_str(&table(
        "budgets",
        &rows_for_date(context, "reports/cost/budgets.sql", &date).await?,
        &[
            text("Budget", "budget_name"),
            text("Scope", "scope"),
            number("Monthly limit", "monthly_limit"),
            number("Month to date", "month_to_date"),
            number("Forecast", "forecast"),
            number("Actual %", "actual_percent"),
            number("Forecast %", "forecast_percent"),
            text("Alerts", "alerts"),
        ],
        "No budget is configured.",
    ));
    page.push_str("<h2>Unit economics by channel</h2>");
    page.push_str(&table(
        "unit-costs",
        &unit_costs,
        &[
            text("Channel", "channel"),
            number("Direct", "direct"),
            number("Shared", "shared"),
            number("Settled payments", "payments"),
            number("Per payment", "per_payment"),
        ],
        "No settled payment on this day.",
    ));
    page.push_str("<h2>Cost by service</h2>");
    page.push_str(&table(
        "services",
        &rows_for_date(context, "reports/cost/by_service.sql", &date).await?,
        &[
            text("Service", "service_name"),
            number("BilledCost", "billed"),
            number("EffectiveCost", "effective"),
            number("Rows", "lines"),
        ],
        "No cost rows for this day.",
    ));
    page.push_str("</body></html>\n");
    Ok(lake
        .write_file(&format!("reports/cost/{date}.html"), page.into_bytes())
        .await?)
}
