//! The daily reconciliation page: the date's summary per currency, its open breaks by category
//! and age with a chart of each, every open break with the field that differs, and the day's
//! matches by rule.

use chrono::NaiveDate;
use datafusion::prelude::SessionContext;
use paylake_catalog::Lake;

use crate::charts::{bar_chart, bars};
use crate::date_query::rows_for_date;
use crate::error::Result;
use crate::html::{number, page_start, table, text};

/// Writes `<lake>/reports/recon/<date>.html` and returns where it is. `context` sees the date's
/// gold tables.
pub async fn write_recon_report(
    lake: &Lake,
    context: &SessionContext,
    business_date: NaiveDate,
) -> Result<String> {
    let date = business_date.format("%Y-%m-%d").to_string();
    let mut page = page_start(&format!("Reconciliation, business date {date}"));
    page.push_str(
        "<p class=\"meta\">Internal payments against the processor's settlement lines, the \
         processor's payouts against their batches and the bank's statement credits, as of the \
         end of the date. Breaks are carried until matched or written off.</p><h2>Summary</h2>",
    );
    page.push_str(&table(
        "summary",
        &rows_for_date(context, "reports/recon/summary.sql", &date).await?,
        &[
            text("Currency", "currency"),
            number("Matched", "matched_count"),
            number("Payments matched", "matched_amount"),
            number("Paid out", "paid_out_amount"),
            number("Late", "late_matched_count"),
            number("Tolerant", "tolerant_matched_count"),
            number("Open breaks", "open_break_count"),
            number("Break amount", "open_break_amount"),
            number("Timing pending", "timing_pending_count"),
            number("Written off", "written_off_count"),
            number("Oldest (days)", "oldest_break_days"),
            number("In flight", "in_flight_count"),
            number("In flight amount", "in_flight_amount"),
        ],
        "Nothing was reconciled on this date.",
    ));
    page.push_str(&bar_chart(
        "Open breaks by category",
        &bars(
            &rows_for_date(context, "reports/recon/breaks_by_category.sql", &date).await?,
            "category",
            "breaks",
        ),
    ));
    page.push_str(&bar_chart(
        "Open breaks by age",
        &bars(
            &rows_for_date(context, "reports/recon/breaks_by_age.sql", &date).await?,
            "bucket",
            "breaks",
        ),
    ));
    page.push_str("<h2>Open breaks</h2>");
    page.push_str(&table(
        "breaks",
        &rows_for_date(context, "reports/recon/breaks.sql", &date).await?,
        &[
            text("Category", "category"),
            text("Reference", "reference"),
            text("Currency", "currency"),
            text("Field", "field"),
            text("Expected", "expected_value"),
            text("Actual", "actual_value"),
            number("Difference", "difference"),
            text("Since", "origin_date"),
            number("Age (days)", "age_days"),
            text("Status", "status"),
            text("Rule", "rule_id"),
            text("Detail", "detail"),
        ],
        "No break is open at the end of this date.",
    ));
    page.push_str("<h2>Matches of the day by rule</h2>");
    page.push_str(&table(
        "matches",
        &rows_for_date(context, "reports/recon/matches_by_rule.sql", &date).await?,
        &[
            text("Rule", "rule_id"),
            number("Stage", "stage"),
            text("Kind", "match_type"),
            text("Currency", "currency"),
            number("Matches", "matches"),
            number("Amount", "amount"),
            number("Late", "late"),
        ],
        "Nothing was matched on this date.",
    ));
    page.push_str("</body></html>\n");
    Ok(lake
        .write_file(&format!("reports/recon/{date}.html"), page.into_bytes())
        .await?)
}
