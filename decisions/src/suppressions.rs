//! Suppressions and whitelists: a person with the role for it (access.toml's `case_actions`:
//! `suppress_alerts`, `revoke_suppression`) suppresses one rule for one customer, or whitelists
//! a customer or a counterparty name against one SDN entry, from a date for at most
//! [`MAX_SUPPRESSION_DAYS`], with a rationale; or ends such a decision early. Each is an event
//! of `decisions.suppression_events`. The alert suite reads the decisions in force
//! (`sql/decisions/suppressions_in_force.sql`): it still writes the alerts they cover, marked
//! with the decision's id, and the intake opens no case for them.

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow::array::{ArrayRef, Int64Array};
use arrow::record_batch::RecordBatch;
use chrono::{DateTime, NaiveDate, Utc};
use deltalake::DeltaTable;
use paylake_catalog::access::AccessSettings;
use paylake_catalog::rows::{columns_batch, dates, strings, timestamps};
use paylake_catalog::sql::text_literal;
use paylake_catalog::{registry, Lake, TableDef, Zone};

use crate::error::{DecisionsError, Result};
use crate::events::{append_claiming, read_log, rows_of, text_at, timestamp_at};
use crate::work::{customer_exists, role_refusal, Actor};

/// The query of every suppression event (`sql/decisions/suppression_events.sql`).
pub const SUPPRESSION_EVENTS_SQL: &str = "decisions/suppression_events.sql";
/// The decisions in force on a date (`sql/decisions/suppressions_in_force.sql`).
pub const SUPPRESSIONS_IN_FORCE_SQL: &str = "decisions/suppressions_in_force.sql";

/// The longest a suppression or whitelist holds: what is suppressed is looked at again at least
/// twice a year.
pub const MAX_SUPPRESSION_DAYS: i64 = 180;

/// What a decision suppresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SuppressionSubject {
    /// One rule's alerts of one customer.
    Rule {
        customer_id: String,
        rule_id: String,
    },
    /// A customer's hits on one SDN entry, as the entry was.
    CustomerWhitelist { customer_id: String, ent_num: i64 },
    /// A counterparty name's hits on one SDN entry, as the entry was.
    CounterpartyWhitelist { name: String, ent_num: i64 },
}

/// A step on a suppression.
#[derive(Debug, Clone)]
pub enum SuppressionStep {
    Grant {
        subject: SuppressionSubject,
        valid_from: NaiveDate,
        days: i64,
        rationale: String,
    },
    Revoke {
        decision_id: String,
        rationale: String,
    },
}

impl SuppressionStep {
    /// The action's name, as access.toml's `case_actions` grants it.
    pub fn action(&self) -> &'static str {
        match self {
            SuppressionStep::Grant { .. } => "suppress_alerts",
            SuppressionStep::Revoke { .. } => "revoke_suppression",
        }
    }
}

/// One event of a suppression decision.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SuppressionEvent {
    pub event_id: String,
    pub decision_id: String,
    pub sequence: i64,
    /// `suppress_rule` or `whitelist`.
    pub kind: String,
    /// `grant` or `revoke`.
    pub action: String,
    pub customer_id: Option<String>,
    pub counterparty_name: Option<String>,
    pub rule_id: Option<String>,
    pub sdn_ent_num: Option<i64>,
    pub entry_fingerprint: Option<String>,
    pub valid_from: NaiveDate,
    pub expires_on: NaiveDate,
    pub rationale: String,
    pub actor: String,
    pub role: String,
    pub event_time: DateTime<Utc>,
}

/// Every decision as its last event leaves it, by id.
pub fn current_suppressions(events: &[SuppressionEvent]) -> BTreeMap<String, SuppressionEvent> {
    let mut current = BTreeMap::new();
    for event in events {
        current.insert(event.decision_id.clone(), event.clone());
    }
    current
}

fn suppression_events_table() -> Result<&'static TableDef> {
    Ok(registry().get(Zone::Decisions, "suppression_events")?)
}

/// Every suppression event at one snapshot of the table, and that snapshot to append through.
pub struct SuppressionLog {
    table: DeltaTable,
    pub events: Vec<SuppressionEvent>,
}

impl SuppressionLog {
    pub async fn load(lake: &Lake) -> Result<SuppressionLog> {
        let (table, batches) =
            read_log(lake, suppression_events_table()?, SUPPRESSION_EVENTS_SQL).await?;
        let events = rows_of(&batches, event_of_row)?;
        Ok(SuppressionLog { table, events })
    }
}

/// Takes `step` as `actor`: the role, the rationale, at most 180 days, a subject that exists
/// (a whitelist needs a hit of the party on the entry, whose fingerprint it keeps), then
/// appends the event. Returns it.
pub async fn act_on_suppression(
    lake: &Lake,
    access: &AccessSettings,
    actor: &Actor,
    step: &SuppressionStep,
) -> Result<SuppressionEvent> {
    let subject_name = match step {
        SuppressionStep::Grant { subject, .. } => format!("{subject:?}"),
        SuppressionStep::Revoke { decision_id, .. } => decision_id.clone(),
    };
    let invalid = |field: &'static str, reason: &str| DecisionsError::InvalidSuppression {
        subject: subject_name.clone(),
        field,
        reason: reason.to_string(),
    };
    if let Some((field, reason)) = role_refusal(access, actor, step.action())? {
        return Err(invalid(field, &reason));
    }
    let log = SuppressionLog::load(lake).await?;
    let current = current_suppressions(&log.events);
    let now = Utc::now();
    let event = match step {
        SuppressionStep::Grant {
            subject,
            valid_from,
            days,
            rationale,
        } => {
            if rationale.trim().is_empty() {
                return Err(invalid(
                    "rationale",
                    "is required (why the alerts are suppressed)",
                ));
            }
            if !(1..=MAX_SUPPRESSION_DAYS).contains(days) {
                return Err(invalid(
                    "days",
                    &format!(
                        "a suppression holds from 1 to {MAX_SUPPRESSION_DAYS} days, not {days}"
                    ),
                ));
            }
            let (kind, prefix, customer_id, counterparty_name, rule_id, ent_num) = match subject {
                SuppressionSubject::Rule {
                    customer_id,
                    rule_id,
                } => (
                    "suppress_rule",
                    "SUP",
                    Some(customer_id.clone()),
                    None,
                    Some(rule_id.clone()),
                    None,
                ),
                SuppressionSubject::CustomerWhitelist {
                    customer_id,
                    ent_num,
                } => (
                    "whitelist",
                    "WL",
                    Some(customer_id.clone()),
                    None,
                    None,
                    Some(*ent_num),
                ),
                SuppressionSubject::CounterpartyWhitelist { name, ent_num } => (
                    "whitelist",
                    "WL",
                    None,
                    Some(name.clone()),
                    None,
                    Some(*ent_num),
                ),
            };
            let entry_fingerprint = match ent_num {
                Some(ent_num) => Some(
                    hit_fingerprint(
                        lake,
                        customer_id.as_deref(),
                        counterparty_name.as_deref(),
                        ent_num,
                    )
                    .await?
                    .ok_or_else(|| {
                        invalid(
                            "sdn_ent_num",
                            &format!(
                                "gold.sanctions_hits holds no hit of this party on entry \
                                     {ent_num} to whitelist"
                            ),
                        )
                    })?,
                ),
                None => {
                    let customer = customer_id.as_deref().unwrap_or_default();
                    if !customer_exists(lake, customer).await? {
                        return Err(invalid(
                            "customer_id",
                            "no such customer in silver.customers",
                        ));
                    }
                    None
                }
            };
            let decision_id = format!("{prefix}-{:04}", current.len() + 1);
            SuppressionEvent {
                event_id: format!("{decision_id}-E0001"),
                decision_id,
                sequence: 1,
                kind: kind.to_string(),
                action: "grant".to_string(),
                customer_id,
                counterparty_name,
                rule_id,
                sdn_ent_num: ent_num,
                entry_fingerprint,
                valid_from: *valid_from,
                expires_on: *valid_from + chrono::Duration::days(days - 1),
                rationale: rationale.trim().to_string(),
                actor: actor.user.clone(),
                role: actor.role.clone(),
                event_time: now,
            }
        }
        SuppressionStep::Revoke {
            decision_id,
            rationale,
        } => {
            let last = current
                .get(decision_id)
                .ok_or_else(|| invalid("decision_id", "no such suppression"))?;
            if last.action != "grant" {
                return Err(invalid("state", "the decision was revoked already"));
            }
            if rationale.trim().is_empty() {
                return Err(invalid("rationale", "is required"));
            }
            let sequence = last.sequence + 1;
            SuppressionEvent {
                event_id: format!("{decision_id}-E{sequence:04}"),
                sequence,
                action: "revoke".to_string(),
                rationale: rationale.trim().to_string(),
                actor: actor.user.clone(),
                role: actor.role.clone(),
                event_time: now,
                ..last.clone()
            }
        }
    };
    let table_def = suppression_events_table()?;
    let batch = events_batch(table_def, std::slice::from_ref(&event))?;
    // Every decision claims the log's next position: of two concurrent decisions one lands,
    // so that two people cannot both take decision number N.
    let claims = std::iter::once(("log", log.events.len() as i64 + 1));
    append_claiming(log.table, table_def, batch, "paylake-suppression", claims).await?;
    Ok(event)
}

/// The fingerprint of the entry in the party's latest hit on it.
async fn hit_fingerprint(
    lake: &Lake,
    customer_id: Option<&str>,
    counterparty_name: Option<&str>,
    ent_num: i64,
) -> Result<Option<String>> {
    let context = paylake_catalog::session::tables_session(lake, &["gold.sanctions_hits"]).await?;
    let party = match (customer_id, counterparty_name) {
        (Some(customer), _) => format!("customer_id = {}", text_literal(customer)),
        (None, Some(name)) => format!(
            "customer_id IS NULL AND screened_name = {}",
            text_literal(name)
        ),
        (None, None) => return Ok(None),
    };
    let sql = format!(
        "SELECT entry_fingerprint FROM gold.sanctions_hits \
         WHERE {party} AND sdn_ent_num = {ent_num} AND entry_fingerprint IS NOT NULL \
         ORDER BY business_date DESC LIMIT 1"
    );
    let batches = context.sql(&sql).await?.collect().await?;
    Ok(batches
        .iter()
        .find(|batch| batch.num_rows() > 0)
        .and_then(|batch| text_at(batch, "entry_fingerprint", 0)))
}

fn events_batch(table: &TableDef, events: &[SuppressionEvent]) -> Result<RecordBatch> {
    let text = |value: fn(&SuppressionEvent) -> Option<&str>| strings(events.iter().map(value));
    let columns: Vec<ArrayRef> = vec![
        text(|event| Some(&event.event_id)),
        text(|event| Some(&event.decision_id)),
        Arc::new(Int64Array::from_iter_values(
            events.iter().map(|event| event.sequence),
        )),
        text(|event| Some(&event.kind)),
        text(|event| Some(&event.action)),
        text(|event| event.customer_id.as_deref()),
        text(|event| event.counterparty_name.as_deref()),
        text(|event| event.rule_id.as_deref()),
        Arc::new(Int64Array::from_iter(
            events.iter().map(|event| event.sdn_ent_num),
        )),
        text(|event| event.entry_fingerprint.as_deref()),
        dates(events.iter().map(|event| event.valid_from)),
        dates(events.iter().map(|event| event.expires_on)),
        text(|event| Some(&event.rationale)),
        text(|event| Some(&event.actor)),
        text(|event| Some(&event.role)),
        timestamps(events.iter().map(|event| Some(event.event_time))),
    ];
    Ok(columns_batch(table, columns)?)
}

fn event_of_row(batch: &RecordBatch, row: usize) -> Result<SuppressionEvent> {
    let text = |column: &'static str| text_at(batch, column, row);
    let decision_id = text("decision_id").unwrap_or_default();
    let invalid = |field: &'static str, reason: String| DecisionsError::InvalidSuppression {
        subject: format!("decisions.suppression_events, {decision_id}"),
        field,
        reason,
    };
    let required =
        |column: &'static str| text(column).ok_or_else(|| invalid(column, "is empty".to_string()));
    let date = |column: &'static str| {
        required(column)?
            .parse::<NaiveDate>()
            .map_err(|error| invalid(column, error.to_string()))
    };
    let integer = |column: &'static str| {
        text(column)
            .map(|value| value.parse::<i64>())
            .transpose()
            .map_err(|error| invalid(column, error.to_string()))
    };
    Ok(SuppressionEvent {
        event_id: required("event_id")?,
        sequence: integer("sequence")?.ok_or_else(|| invalid("sequence", "is empty".into()))?,
        kind: required("kind")?,
        action: required("action")?,
        customer_id: text("customer_id"),
        counterparty_name: text("counterparty_name"),
        rule_id: text("rule_id"),
        sdn_ent_num: integer("sdn_ent_num")?,
        entry_fingerprint: text("entry_fingerprint"),
        valid_from: date("valid_from")?,
        expires_on: date("expires_on")?,
        rationale: required("rationale")?,
        actor: required("actor")?,
        role: required("role")?,
        event_time: timestamp_at(batch, "event_time", row)
            .ok_or_else(|| invalid("event_time", "is empty".to_string()))?,
        decision_id: decision_id.clone(),
    })
}
