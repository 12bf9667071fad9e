//! The daily CTR page: every CTR candidate of a business date with the transactions behind it.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use arrow::record_batch::RecordBatch;
use chrono::NaiveDate;
use datafusion::prelude::SessionContext;
use paylake_catalog::Lake;

use crate::date_query::{rows, rows_for_date};
use crate::error::Result;
use crate::html::{cell, escape, STYLE};

/// Writes `<lake>/reports/aml/<date>.html` (on disk or S3) and returns where it is. `context`
/// sees the date's gold tables. Times are shown in UTC and in the business calendar's
/// `timezone` (an IANA name).
pub async fn write_ctr_report(
    lake: &Lake,
    context: &SessionContext,
    business_date: NaiveDate,
    timezone: chrono_tz::Tz,
) -> Result<String> {
    let date = business_date.format("%Y-%m-%d").to_string();
    let candidates = rows_for_date(context, "reports/ctr/candidates.sql", &date).await?;
    let transactions = rows(
        context,
        "reports/ctr/transactions.sql",
        &[
            ("business_date", date.clone()),
            ("timezone", timezone.name().to_string()),
        ],
    )
    .await?;
    let page = render(&date, timezone.name(), &candidates, &transactions);
    Ok(lake
        .write_file(&format!("reports/aml/{date}.html"), page.into_bytes())
        .await?)
}

fn render(
    date: &str,
    timezone: &str,
    candidates: &[RecordBatch],
    transactions: &[RecordBatch],
) -> String {
    // Transactions grouped by the candidate they belong to.
    let mut by_candidate: BTreeMap<(String, String), Vec<[String; 8]>> = BTreeMap::new();
    for batch in transactions {
        for row in 0..batch.num_rows() {
            by_candidate
                .entry((
                    cell(batch, "customer_id", row),
                    cell(batch, "direction", row),
                ))
                .or_default()
                .push([
                    cell(batch, "transaction_id", row),
                    cell(batch, "transaction_type", row),
                    cell(batch, "amount", row),
                    cell(batch, "currency", row),
                    cell(batch, "channel", row),
                    cell(batch, "local_time", row),
                    cell(batch, "created_at", row),
                    cell(batch, "_source_file", row),
                ]);
        }
    }
    let count: usize = candidates.iter().map(RecordBatch::num_rows).sum();
    let mut page = String::new();
    let _ = write!(
        page,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>CTR candidates {date}</title><style>{STYLE}</style></head><body>\
         <h1>Currency Transaction Report candidates, business date {date}</h1>\
         <p class=\"meta\">Cash in or cash out of a customer over USD 10,000 in one business day, \
         all channels aggregated (31 CFR 1010.311, 1010.313). {count} candidate(s).</p>"
    );
    if count == 0 {
        page.push_str("<p class=\"none\">No customer crossed the threshold on this date.</p>");
    } else {
        page.push_str(
            "<table id=\"candidates\"><thead><tr><th>Customer</th><th>Name</th><th>Direction</th>\
             <th>Total USD</th><th>Transactions</th><th>Channels</th></tr></thead><tbody>",
        );
        for batch in candidates {
            for row in 0..batch.num_rows() {
                let _ = write!(
                    page,
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td>\
                     <td class=\"num\">{}</td><td>{}</td></tr>",
                    escape(&cell(batch, "customer_id", row)),
                    escape(&cell(batch, "customer_name", row)),
                    escape(&cell(batch, "direction", row)),
                    escape(&cell(batch, "total_amount_usd", row)),
                    escape(&cell(batch, "transaction_count", row)),
                    escape(&cell(batch, "channels", row)),
                );
            }
        }
        page.push_str("</tbody></table>");
        for batch in candidates {
            for row in 0..batch.num_rows() {
                let key = (
                    cell(batch, "customer_id", row),
                    cell(batch, "direction", row),
                );
                let _ = write!(
                    page,
                    "<h2>{} {}: {} ({} USD)</h2><table class=\"transactions\"><thead><tr>\
                     <th>Transaction</th><th>Type</th><th>Amount</th><th>Currency</th>\
                     <th>Channel</th><th>Local time ({timezone})</th><th>Time (UTC)</th>\
                     <th>Source file</th></tr></thead><tbody>",
                    escape(&key.0),
                    escape(&cell(batch, "customer_name", row)),
                    escape(&key.1),
                    escape(&cell(batch, "total_amount_usd", row)),
                    timezone = escape(timezone),
                );
                for transaction in by_candidate.get(&key).map(Vec::as_slice).unwrap_or(&[]) {
                    page.push_str("<tr>");
                    for (index, value) in transaction.iter().enumerate() {
                        let class = match index {
                            2 => " class=\"num\"",
                            5 | 6 => " class=\"time\"",
                            _ => "",
                        };
                        let _ = write!(page, "<td{class}>{}</td>", escape(value));
                    }
                    page.push_str("</tr>");
                }
                page.push_str("</tbody></table>");
            }
        }
    }
    page.push_str("</body></html>\n");
    page
}
