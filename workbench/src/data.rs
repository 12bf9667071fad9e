//! What the pages show, read from the lake: the cases replayed from their events, and for a
//! case page its customer, risk, alerts, evidence, sanctions hits and draft summary (the
//! queries of `sql/workbench/`).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{NaiveDate, Utc};
use minijinja::Value;
use paylake_catalog::money_flow::{money_flow, Transfer};
use paylake_catalog::pages::records;
use paylake_catalog::session::tables_session;
use paylake_catalog::sql::{render, text_literal, text_literal_list};
use paylake_catalog::Lake;
use paylake_decisions::cases::{history, replay, QueueRow};
use paylake_decisions::{Case, CaseEvent, EventLog};

use crate::error::{Result, WorkbenchError};

/// A case in a queue, with what the workbench's queue also shows and filters on.
#[derive(Debug, Clone)]
pub struct QueueEntry {
    pub row: QueueRow,
    pub typologies: Vec<String>,
    pub risk: Option<String>,
}

impl QueueEntry {
    /// Within a week of the SAR deadline.
    pub fn aged(&self) -> bool {
        self.row
            .days_to_due
            .is_some_and(|days| (0..=7).contains(&days))
    }
}

/// The cases `keep` selects, with SAR deadline, typologies and risk; most urgent deadline
/// first, the cases no person owes work on last. Typologies and risk are read only for the
/// dates of the cases kept, so a queue of open cases does not read years of closed ones.
pub async fn queue(
    lake: &Lake,
    sar_days: i64,
    keep: impl Fn(&QueueRow) -> bool,
) -> Result<Vec<QueueEntry>> {
    let log = EventLog::load(lake).await?;
    let rows: Vec<QueueRow> =
        paylake_decisions::cases::queue(&log.events, sar_days, Utc::now().date_naive())
            .into_iter()
            .filter(|row| keep(row))
            .collect();
    let since = rows.iter().filter_map(|row| row.case.first_detected).min();
    let (rules, risks) = match since {
        Some(since) => queue_facts(lake, since).await?,
        None => Default::default(),
    };
    Ok(rows
        .into_iter()
        .map(|row| {
            let typologies: BTreeSet<String> = row
                .case
                .alert_ids
                .iter()
                .filter_map(|alert| rules.get(alert).cloned())
                .collect();
            let risk = row
                .case
                .customer_id
                .as_ref()
                .and_then(|customer| risks.get(customer).cloned());
            QueueEntry {
                row,
                typologies: typologies.into_iter().collect(),
                risk,
            }
        })
        .collect())
}

/// The rule of each alert and each customer's latest risk rating since `since`.
async fn queue_facts(
    lake: &Lake,
    since: NaiveDate,
) -> Result<(BTreeMap<String, String>, BTreeMap<String, String>)> {
    let context = tables_session(lake, &["gold.aml_alerts", "gold.customer_risk"]).await?;
    let sql = render("workbench/queue_facts.sql", &[("since", since.to_string())])?;
    let batches = context.sql(&sql).await?.collect().await?;
    let (mut rules, mut risks) = (BTreeMap::new(), BTreeMap::new());
    for batch in &batches {
        for row in 0..batch.num_rows() {
            let cell = |column| paylake_catalog::pages::cell(batch, column, row);
            let target = if cell("kind") == "alert" {
                &mut rules
            } else {
                &mut risks
            };
            target.insert(cell("id"), cell("value"));
        }
    }
    Ok((rules, risks))
}

/// The tables a case page reads: the case log, then what it shows of the customer.
pub const CASE_PAGE_TABLES: [&str; 7] = [
    "decisions.case_events",
    "silver.customers",
    "silver.transactions",
    "gold.customer_risk",
    "gold.aml_alerts",
    "gold.sanctions_hits",
    "gold.sar_candidates",
];

/// A case page's facts, as template values.
pub struct CaseFacts {
    pub customer: Value,
    pub risk: Value,
    pub alerts: Value,
    pub evidence: Value,
    /// The drawing of how the evidence's money moved, the customer's accounts highlighted.
    pub money_flow: Value,
    pub sanctions_hits: Value,
    pub summary: Value,
    pub prior_cases: Vec<Case>,
    pub events: Vec<CaseEvent>,
}

/// Everything the page of `case` shows beside the case itself; `events` is the log the case
/// was replayed from.
pub async fn case_facts(lake: &Lake, case: &Case, events: &[CaseEvent]) -> Result<CaseFacts> {
    let prior_cases = replay(events)
        .into_values()
        .filter(|other| other.subject_id == case.subject_id && other.case_id != case.case_id)
        .collect();
    let events = history(events, &case.case_id)
        .into_iter()
        .cloned()
        .collect();
    let context = tables_session(lake, &CASE_PAGE_TABLES[1..]).await?;
    let customer = text_literal(case.customer_id.as_deref().unwrap_or(""));
    let (from, to) = (
        case.first_detected.unwrap_or_default().to_string(),
        case.last_detected.unwrap_or_default().to_string(),
    );
    let alert_ids = text_literal_list(&case.alert_ids);
    let batches_of = |path: &'static str, parameters: Vec<(&'static str, String)>| {
        let context = &context;
        async move {
            let sql = render(path, &parameters)?;
            Ok::<_, WorkbenchError>(context.sql(&sql).await?.collect().await?)
        }
    };
    let query = |path: &'static str, parameters: Vec<(&'static str, String)>| async move {
        Ok::<Value, WorkbenchError>(records(&batches_of(path, parameters).await?))
    };
    let by_customer = || vec![("customer", customer.clone())];
    let by_alerts = || {
        vec![
            ("from", from.clone()),
            ("to", to.clone()),
            ("alert_ids", alert_ids.clone()),
        ]
    };
    let evidence = batches_of("workbench/evidence.sql", by_alerts()).await?;
    Ok(CaseFacts {
        customer: query("workbench/customer.sql", by_customer()).await?,
        risk: query("workbench/customer_risk.sql", by_customer()).await?,
        alerts: query("workbench/case_alerts.sql", by_alerts()).await?,
        money_flow: flow_of(&evidence),
        evidence: records(&evidence),
        sanctions_hits: query("workbench/sanctions_hits.sql", by_customer()).await?,
        summary: query("workbench/sar_summary.sql", by_customer()).await?,
        prior_cases,
        events,
    })
}

/// The money flow of a case's evidence: every transfer with a counterparty, the accounts the
/// evidence belongs to (the customer's) highlighted.
fn flow_of(evidence: &[datafusion::arrow::record_batch::RecordBatch]) -> Value {
    let mut transfers = Vec::new();
    let mut own_accounts: Vec<String> = Vec::new();
    for batch in evidence {
        for row in 0..batch.num_rows() {
            let account = paylake_catalog::pages::cell(batch, "account_id", row);
            if !own_accounts.contains(&account) {
                own_accounts.push(account);
            }
            transfers.extend(Transfer::of_transaction(batch, row));
        }
    }
    money_flow(&transfers, &own_accounts)
}
