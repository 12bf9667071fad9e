//! The AML report of a period, for compliance officers: the period at a glance (alerts by
//! typology and by day, customers by risk, CTR and SAR candidates, sanctions hits with the
//! list entry matched, filing deadlines, the case work on the alerts and each rule's precision
//! by dispositions), then a section per alert with the rule and version
//! that fired, why, its evidence transactions and, for network typologies, a drawing of how
//! the money moved. One self-contained file that prints to PDF a section per page.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use arrow::record_batch::RecordBatch;
use chrono::NaiveDate;
use datafusion::prelude::SessionContext;
use minijinja::{context, Value};
use paylake_catalog::Lake;

use crate::charts::bar_chart;
use crate::error::{ReportError, Result};
use crate::templates::{cell, record, records, render};
use paylake_catalog::money_flow::{money_flow, Transfer};

/// Typologies whose evidence is a network of transfers, drawn per alert.
const NETWORK_TYPOLOGIES: [&str; 7] = [
    "fan_in",
    "fan_out",
    "scatter_gather",
    "gather_scatter",
    "cycle",
    "rapid_movement",
    "split_transfers",
];

/// Writes `<lake>/reports/aml/period-<from>_<to>.html` (`templates/aml.html`) and returns where
/// it is.
pub async fn write_aml_report(
    lake: &Lake,
    context: &SessionContext,
    from: NaiveDate,
    to: NaiveDate,
    timezone: chrono_tz::Tz,
) -> Result<String> {
    let (from_text, to_text) = (from.to_string(), to.to_string());
    // Every query of the page is a file of `sql/reports/aml/` over the period.
    let rows = |name: &str| {
        let path = format!("reports/aml/{name}.sql");
        let parameters = [
            ("from", from_text.clone()),
            ("to", to_text.clone()),
            ("timezone", timezone.name().to_string()),
        ];
        async move { crate::date_query::rows(context, &path, &parameters).await }
    };
    let page = render(
        "aml.html",
        context! {
            from => from_text.as_str(),
            to => to_text.as_str(),
            timezone => timezone.name(),
            glance => records(&rows("glance").await?),
            alerts_by_typology => bar_chart(
                "Alerts by typology",
                &rows("alerts_by_typology").await?,
                "rule_id",
                "alerts",
            ),
            alerts_by_day => bar_chart("Alerts by day", &rows("alerts_by_day").await?, "day", "alerts"),
            customers_by_rating => bar_chart(
                "Customers by risk rating",
                &rows("customers_by_rating").await?,
                "risk_rating",
                "customers",
            ),
            deadlines => records(&rows("filing_deadlines").await?),
            case_states => records(&rows("case_states").await?),
            case_work => records(&rows("case_work").await?),
            risky_customers => records(&rows("risky_customers").await?),
            ctr_candidates => records(&rows("ctr_candidates").await?),
            sar_candidates => records(&rows("sar_candidates").await?),
            sanctions_hits => records(&rows("sanctions_hits").await?),
            alerts => alerts_with_evidence(&rows("alerts").await?, &rows("evidence").await?),
        },
    )?;
    Ok(lake
        .write_file(
            &format!("reports/aml/period-{from}_{to}.html"),
            page.into_bytes(),
        )
        .await?)
}

/// Each alert with its evidence transactions and, for network typologies, the drawing of the
/// money's path (none for the others).
fn alerts_with_evidence(alerts: &[RecordBatch], evidence: &[RecordBatch]) -> Vec<Value> {
    let mut by_alert: BTreeMap<String, Vec<(&RecordBatch, usize)>> = BTreeMap::new();
    for batch in evidence {
        for row in 0..batch.num_rows() {
            by_alert
                .entry(cell(batch, "alert_id", row))
                .or_default()
                .push((batch, row));
        }
    }
    let mut with_evidence = Vec::new();
    for batch in alerts {
        for row in 0..batch.num_rows() {
            let alert_id = cell(batch, "alert_id", row);
            let rule_id = cell(batch, "rule_id", row);
            let its_evidence = by_alert.get(&alert_id).map(Vec::as_slice).unwrap_or(&[]);
            let flow = if NETWORK_TYPOLOGIES.contains(&rule_id.as_str()) {
                let transfers: Vec<Transfer> = its_evidence
                    .iter()
                    .filter_map(|(evidence, index)| Transfer::of_transaction(evidence, *index))
                    .collect();
                money_flow(&transfers, &[cell(batch, "account_id", row)])
            } else {
                Value::from(())
            };
            let evidence_records: Vec<Value> = its_evidence
                .iter()
                .map(|(evidence, index)| record(evidence, *index, Vec::new()))
                .collect();
            with_evidence.push(record(
                batch,
                row,
                vec![
                    ("evidence".into(), evidence_records.into()),
                    ("flow".into(), flow),
                ],
            ));
        }
    }
    with_evidence
}

/// Prints an HTML report to PDF beside it with headless Chromium; returns the PDF's path.
pub fn print_to_pdf(html_path: &str) -> Result<PathBuf> {
    let html = Path::new(html_path);
    let pdf = html.with_extension("pdf");
    let profile = std::env::temp_dir().join(format!("paylake-chromium-{}", std::process::id()));
    let url = format!(
        "file://{}",
        html.canonicalize()
            .map_err(|source| ReportError::Print {
                path: html.to_path_buf(),
                reason: source.to_string(),
            })?
            .display()
    );
    let output = std::process::Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-pdf-header-footer",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(url)
        .output()
        .map_err(|source| ReportError::Print {
            path: html.to_path_buf(),
            reason: format!("chromium: {source}"),
        })?;
    let _ = std::fs::remove_dir_all(&profile);
    if !pdf.exists() {
        return Err(ReportError::Print {
            path: html.to_path_buf(),
            reason: String::from_utf8_lossy(&output.stderr).to_string(),
        });
    }
    Ok(pdf)
}
