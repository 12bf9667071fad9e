//! The AML report of a period, for compliance officers: the period at a glance (alerts by
//! typology and by day, customers by risk, CTR and SAR candidates, sanctions hits with the
//! list entry matched, filing deadlines), then a section per alert with the rule and version
//! that fired, why, its evidence transactions and, for network typologies, a drawing of how
//! the money moved. One self-contained file that prints to PDF a section per page.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use arrow::record_batch::RecordBatch;
use chrono::NaiveDate;
use datafusion::prelude::SessionContext;
use paylake_catalog::Lake;

use crate::charts::{bar_chart, bars};
use crate::error::{ReportError, Result};
use crate::html::{cell, escape, number, page_start, table, text};
use crate::network::{money_flow, Transfer};

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

/// Writes `<lake>/reports/aml/period-<from>_<to>.html` and returns where it is.
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

    let mut page = page_start(&format!("AML report, {from} to {to}"));
    page.push_str(PRINT_STYLE);
    let _ = write!(
        page,
        "<p class=\"meta\">Business dates {from} to {to} ({}). Built from the gold AML tables: \
         each alert names its rule, the rules' version and parameters, and its evidence.</p>",
        escape(timezone.name())
    );
    page.push_str("<section id=\"glance\"><h2>The period at a glance</h2>");
    page.push_str(&table(
        "glance-counts",
        &rows("glance").await?,
        &[
            number("Alerts", "alerts"),
            number("Customers alerted", "customers_alerted"),
            number("CTR candidates", "ctr_candidates"),
            number("SAR candidates", "sar_candidates"),
            number("Sanctions hits", "sanctions_hits"),
            number("Filings late", "filings_late"),
        ],
        "Nothing was built for this period.",
    ));
    page.push_str("<div class=\"charts\">");
    page.push_str(&bar_chart(
        "Alerts by typology",
        &bars(&rows("alerts_by_typology").await?, "rule_id", "alerts"),
    ));
    page.push_str(&bar_chart(
        "Alerts by day",
        &bars(&rows("alerts_by_day").await?, "day", "alerts"),
    ));
    page.push_str(&bar_chart(
        "Customers by risk rating",
        &bars(
            &rows("customers_by_rating").await?,
            "risk_rating",
            "customers",
        ),
    ));
    page.push_str("</div></section>");

    let deadlines = rows("filing_deadlines").await?;
    let as_of = deadlines
        .iter()
        .find(|batch| batch.num_rows() > 0)
        .map(|batch| cell(batch, "as_of", 0))
        .unwrap_or_default();
    let _ = write!(
        page,
        "<section id=\"deadlines\"><h2>Filing deadlines{}</h2><p class=\"meta\">The CTRs and \
         SARs of the period: CTRs are due 15 days after the transaction date, SARs 30 days after \
         detection (60 when no suspect is known). Late filings first.</p>",
        if as_of.is_empty() {
            String::new()
        } else {
            format!(" as of {}", escape(&as_of))
        }
    );
    page.push_str(&table(
        "deadline-table",
        &deadlines,
        &[
            text("Filing", "filing_kind"),
            text("Record", "record_key"),
            text("Customer", "customer_id"),
            number("Amount USD", "amount_usd"),
            text("Trigger", "trigger_date"),
            text("Due", "due_date"),
            number("Days left", "days_remaining"),
            text("Status", "status"),
            text("Export", "export_id"),
            text("Filed on", "filed_on"),
        ],
        "Nothing is owed to FinCEN as of the end of the period.",
    ));
    page.push_str("</section>");

    page.push_str("<section id=\"risk\"><h2>Customers rated medium or high</h2>");
    page.push_str(&table(
        "risk-table",
        &rows("risky_customers").await?,
        &[
            text("Customer", "customer_id"),
            text("Type", "customer_type"),
            text("Country", "country"),
            number("Score", "risk_score"),
            text("Rating", "risk_rating"),
            text("Why", "explanation"),
        ],
        "No customer is rated above low.",
    ));
    page.push_str("</section><section id=\"ctr\"><h2>CTR candidates</h2>");
    page.push_str(&table(
        "ctr-table",
        &rows("ctr_candidates").await?,
        &[
            text("Date", "business_date"),
            text("Customer", "customer_id"),
            text("Name", "customer_name"),
            text("Direction", "direction"),
            number("Total USD", "total_amount_usd"),
            number("Transactions", "transaction_count"),
            text("Channels", "channels"),
        ],
        "No customer crossed the CTR threshold.",
    ));
    page.push_str("</section><section id=\"sar\"><h2>SAR candidates</h2>");
    page.push_str(&table(
        "sar-table",
        &rows("sar_candidates").await?,
        &[
            text("Case", "case_id"),
            text("Customer", "customer_id"),
            text("Name", "customer_name"),
            text("From", "period_start"),
            text("To", "period_end"),
            number("Total USD", "total_amount_usd"),
            text("Typologies", "typologies"),
            number("Max score", "max_score"),
            text("Detected", "business_date"),
        ],
        "No case was opened.",
    ));
    page.push_str("</section><section id=\"sanctions\"><h2>Sanctions hits</h2><p class=\"meta\">Each hit with the OFAC SDN entry it matched: the entry's number and primary name, the name matched (primary or alias), its program, and the list version.</p>");
    page.push_str(&table(
        "sanctions-table",
        &rows("sanctions_hits").await?,
        &[
            text("Party", "party_type"),
            text("Customer", "customer_id"),
            text("Name screened", "screened_name"),
            number("SDN entry", "sdn_ent_num"),
            text("SDN name", "sdn_name"),
            text("Matched name", "matched_name"),
            text("Name type", "matched_name_type"),
            text("Program", "sdn_program"),
            number("Score %", "score"),
            text("List version", "list_version"),
            text("First seen", "first_seen"),
        ],
        "No name matched the sanctions list.",
    ));
    page.push_str("</section>");

    let alerts = rows("alerts").await?;
    let evidence = rows("evidence").await?;
    page.push_str(&alert_sections(&alerts, &evidence, timezone.name()));
    page.push_str("</body></html>\n");
    Ok(lake
        .write_file(
            &format!("reports/aml/period-{from}_{to}.html"),
            page.into_bytes(),
        )
        .await?)
}

/// A section per alert: what fired and why, the evidence, and for network typologies the
/// drawing of the money's path.
fn alert_sections(alerts: &[RecordBatch], evidence: &[RecordBatch], timezone: &str) -> String {
    let mut by_alert: BTreeMap<String, Vec<(&RecordBatch, usize)>> = BTreeMap::new();
    for batch in evidence {
        for row in 0..batch.num_rows() {
            by_alert
                .entry(cell(batch, "alert_id", row))
                .or_default()
                .push((batch, row));
        }
    }
    let mut html = String::from(
        "<h2 id=\"alerts\">Alerts</h2><table id=\"alert-index\"><thead><tr><th>Alert</th>\
         <th>Date</th><th>Rule</th><th>Customer</th><th>Score</th><th>Why</th></tr></thead><tbody>",
    );
    for batch in alerts {
        for row in 0..batch.num_rows() {
            let alert_id = escape(&cell(batch, "alert_id", row));
            let _ = write!(
                html,
                "<tr><td><a href=\"#{alert_id}\">{alert_id}</a></td><td>{}</td><td>{}</td>\
                 <td>{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
                escape(&cell(batch, "business_date", row)),
                escape(&cell(batch, "rule_id", row)),
                escape(&cell(batch, "customer_id", row)),
                escape(&cell(batch, "score", row)),
                escape(&cell(batch, "reason", row)),
            );
        }
    }
    html.push_str("</tbody></table>");
    for batch in alerts {
        for row in 0..batch.num_rows() {
            let alert_id = cell(batch, "alert_id", row);
            let rule_id = cell(batch, "rule_id", row);
            let account_id = cell(batch, "account_id", row);
            let _ = write!(
                html,
                "<section class=\"alert\" id=\"{id}\"><h3>{rule} alert {id}</h3>\
                 <dl><dt>Business date</dt><dd>{date}</dd><dt>Rule</dt><dd>{rule}, rules version {version}</dd>\
                 <dt>Parameters</dt><dd><code>{parameters}</code></dd><dt>Customer</dt><dd>{customer}</dd>\
                 <dt>Account</dt><dd>{account}</dd><dt>Score</dt><dd>{score} / 100</dd>\
                 <dt>Amount USD</dt><dd>{amount}</dd><dt>Why</dt><dd class=\"reason\">{reason}</dd></dl>",
                id = escape(&alert_id),
                rule = escape(&rule_id),
                date = escape(&cell(batch, "business_date", row)),
                version = escape(&cell(batch, "rule_version", row)),
                parameters = escape(&cell(batch, "parameters", row)),
                customer = escape(&cell(batch, "customer_id", row)),
                account = escape(&account_id),
                score = escape(&cell(batch, "score", row)),
                amount = escape(&cell(batch, "amount_usd", row)),
                reason = escape(&cell(batch, "reason", row)),
            );
            let rows = by_alert.get(&alert_id).map(Vec::as_slice).unwrap_or(&[]);
            if NETWORK_TYPOLOGIES.contains(&rule_id.as_str()) {
                let transfers: Vec<Transfer> = rows
                    .iter()
                    .filter_map(|(evidence, index)| transfer_of(evidence, *index))
                    .collect();
                html.push_str("<figure><figcaption>How the money moved</figcaption>");
                html.push_str(&money_flow(&transfers, &account_id));
                html.push_str("</figure>");
            }
            let _ = write!(
                html,
                "<table class=\"evidence\"><thead><tr><th>Transaction</th><th>Type</th>\
                 <th>Account</th><th>Counterparty</th><th>Amount</th><th>Currency</th>\
                 <th>Channel</th><th>Local time ({})</th><th>UTC</th></tr></thead><tbody>",
                escape(timezone)
            );
            for (evidence, index) in rows {
                html.push_str("<tr>");
                for (column, numeric) in [
                    ("transaction_id", false),
                    ("transaction_type", false),
                    ("account_id", false),
                    ("counterparty_account_id", false),
                    ("amount", true),
                    ("currency", false),
                    ("channel", false),
                    ("created_at_local", false),
                    ("created_at_utc", false),
                ] {
                    let class = if numeric { " class=\"num\"" } else { "" };
                    let _ = write!(
                        html,
                        "<td{class}>{}</td>",
                        escape(&cell(evidence, column, *index))
                    );
                }
                html.push_str("</tr>");
            }
            html.push_str("</tbody></table></section>");
        }
    }
    html
}

/// The transfer an evidence transaction records, in the direction the money went.
fn transfer_of(batch: &RecordBatch, row: usize) -> Option<Transfer> {
    let account = cell(batch, "account_id", row);
    let counterparty = cell(batch, "counterparty_account_id", row);
    if counterparty.is_empty() {
        return None;
    }
    let (from, to) = match cell(batch, "transaction_type", row).as_str() {
        "transfer_in" => (counterparty, account),
        _ => (account, counterparty),
    };
    Some(Transfer {
        from,
        to,
        amount: cell(batch, "amount", row),
        currency: cell(batch, "currency", row),
    })
}

/// Page breaks and margins for printing: each alert on its own page.
const PRINT_STYLE: &str = "<style>section.alert{border-top:1px solid #c9d1d9;margin-top:1.5rem}\
dl{display:grid;grid-template-columns:max-content auto;gap:.2rem 1rem}dt{font-weight:600}dd{margin:0}\
.charts{display:flex;flex-wrap:wrap;gap:1rem}#deadline-table td{white-space:nowrap}\
@media print{body{margin:1cm}section.alert{break-before:page}table{font-size:9pt}}</style>";

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
