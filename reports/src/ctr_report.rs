//! The daily CTR page (`templates/ctr.html`): every CTR candidate of a business date with the
//! transactions behind it.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use datafusion::prelude::SessionContext;
use minijinja::{context, Value};
use paylake_catalog::Lake;

use crate::date_query::{rows, rows_for_date};
use crate::error::Result;
use crate::templates::{cell, record, render};

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

    // Each candidate with its transactions: those of its customer in its direction.
    let mut by_candidate: BTreeMap<(String, String), Vec<Value>> = BTreeMap::new();
    for batch in &transactions {
        for row in 0..batch.num_rows() {
            let key = (
                cell(batch, "customer_id", row),
                cell(batch, "direction", row),
            );
            by_candidate
                .entry(key)
                .or_default()
                .push(record(batch, row, Vec::new()));
        }
    }
    let candidates: Vec<Value> = candidates
        .iter()
        .flat_map(|batch| {
            let by_candidate = &by_candidate;
            (0..batch.num_rows()).map(move |row| {
                let key = (
                    cell(batch, "customer_id", row),
                    cell(batch, "direction", row),
                );
                let its_transactions = by_candidate.get(&key).cloned().unwrap_or_default();
                record(
                    batch,
                    row,
                    vec![("transactions".into(), its_transactions.into())],
                )
            })
        })
        .collect();
    let page = render(
        "ctr.html",
        context! { date, timezone => timezone.name(), candidates },
    )?;
    Ok(lake
        .write_file(
            &format!("reports/aml/{}.html", business_date.format("%Y-%m-%d")),
            page.into_bytes(),
        )
        .await?)
}
