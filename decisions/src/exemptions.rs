//! CTR exemptions (31 CFR 1020.315): an investigator proposes that a customer be exempt (a
//! Phase I or Phase II exemption, its basis, and the date its FinCEN Form 110 designation was
//! filed), a second officer approves or rejects it, and an approver revokes it from a date.
//! Every step is an event of `decisions.exemption_events`; the CTR candidates of a customer
//! with an approved exemption in force keep its reason and are not filed
//! (`sql/decisions/ctr_exemptions.sql`). Which role takes which step is access.toml's
//! `case_actions` (`propose_exemption`, `approve_exemption`, `reject_exemption`,
//! `revoke_exemption`).

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow::array::{ArrayRef, Int64Array};
use arrow::record_batch::RecordBatch;
use chrono::{DateTime, NaiveDate, Utc};
use deltalake::DeltaTable;
use paylake_catalog::access::AccessSettings;
use paylake_catalog::rows::{columns_batch, dates, optional_dates, strings, timestamps};
use paylake_catalog::{registry, Lake, TableDef, Zone};

use crate::error::{DecisionsError, Result};
use crate::events::{append_claiming, read_log, rows_of, text_at, timestamp_at};
use crate::work::{customer_exists, role_refusal, Actor};

/// The query of every exemption event (`sql/decisions/exemption_events.sql`).
pub const EXEMPTION_EVENTS_SQL: &str = "decisions/exemption_events.sql";

named_values!(
    /// Where an exemption stands.
    #[derive(serde::Serialize)]
    #[serde(rename_all = "snake_case")]
    ExemptionState, "exemption state", [
    Proposed => "proposed",
    /// Approved: in force from its FinCEN 110 date.
    Exempt => "exempt",
    Rejected => "rejected",
    Revoked => "revoked",
]);

named_values!(
    /// The kind of exempt person (31 CFR 1020.315(b)): Phase I (banks, government, listed
    /// companies and their subsidiaries) or Phase II (non-listed businesses, payroll customers).
    #[derive(serde::Serialize)]
    #[serde(rename_all = "snake_case")]
    ExemptionPhase, "exemption phase", [
    Phase1 => "phase_1",
    Phase2 => "phase_2",
]);

/// A step on an exemption, with what it needs said.
#[derive(Debug, Clone)]
pub enum ExemptionStep {
    Propose {
        customer_id: String,
        phase: ExemptionPhase,
        basis: String,
        fincen_110_date: NaiveDate,
        note: Option<String>,
    },
    Approve {
        exemption_id: String,
        note: Option<String>,
    },
    Reject {
        exemption_id: String,
        note: String,
    },
    /// Ends the exemption: the customer's CTRs from `effective_to` on are filed again.
    Revoke {
        exemption_id: String,
        effective_to: NaiveDate,
        note: String,
    },
}

impl ExemptionStep {
    /// The action's name, as access.toml's `case_actions` grants it.
    pub fn action(&self) -> &'static str {
        match self {
            ExemptionStep::Propose { .. } => "propose_exemption",
            ExemptionStep::Approve { .. } => "approve_exemption",
            ExemptionStep::Reject { .. } => "reject_exemption",
            ExemptionStep::Revoke { .. } => "revoke_exemption",
        }
    }
}

/// One event of an exemption.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ExemptionEvent {
    pub event_id: String,
    pub exemption_id: String,
    pub sequence: i64,
    pub customer_id: String,
    /// propose, approve, reject, revoke.
    pub action: String,
    pub from_state: Option<ExemptionState>,
    pub to_state: ExemptionState,
    pub phase: ExemptionPhase,
    pub basis: String,
    pub fincen_110_date: NaiveDate,
    pub effective_to: Option<NaiveDate>,
    pub actor: String,
    pub role: String,
    pub note: Option<String>,
    pub event_time: DateTime<Utc>,
}

/// Every exemption as its last event leaves it, by id.
pub fn current_exemptions(events: &[ExemptionEvent]) -> BTreeMap<String, ExemptionEvent> {
    let mut current = BTreeMap::new();
    for event in events {
        current.insert(event.exemption_id.clone(), event.clone());
    }
    current
}

fn exemption_events_table() -> Result<&'static TableDef> {
    Ok(registry().get(Zone::Decisions, "exemption_events")?)
}

/// Every exemption event at one snapshot of the table, and that snapshot to append through.
pub struct ExemptionLog {
    table: DeltaTable,
    pub events: Vec<ExemptionEvent>,
}

impl ExemptionLog {
    pub async fn load(lake: &Lake) -> Result<ExemptionLog> {
        let (table, batches) =
            read_log(lake, exemption_events_table()?, EXEMPTION_EVENTS_SQL).await?;
        let events = rows_of(&batches, event_of_row)?;
        Ok(ExemptionLog { table, events })
    }

    async fn append(self, event: &ExemptionEvent) -> Result<()> {
        let table_def = exemption_events_table()?;
        let batch = events_batch(table_def, std::slice::from_ref(event))?;
        let sequences = std::iter::once((event.exemption_id.as_str(), event.sequence));
        append_claiming(self.table, table_def, batch, "paylake-exemption", sequences).await
    }
}

/// Takes `step` as `actor`: checks the role, the text, the customer or the exemption and its
/// state, and four eyes (the proposer may not approve), then appends the event. Returns it.
pub async fn act_on_exemption(
    lake: &Lake,
    access: &AccessSettings,
    actor: &Actor,
    step: &ExemptionStep,
) -> Result<ExemptionEvent> {
    let subject = match step {
        ExemptionStep::Propose { customer_id, .. } => customer_id.clone(),
        ExemptionStep::Approve { exemption_id, .. }
        | ExemptionStep::Reject { exemption_id, .. }
        | ExemptionStep::Revoke { exemption_id, .. } => exemption_id.clone(),
    };
    let invalid = |field: &'static str, reason: &str| DecisionsError::InvalidExemption {
        subject: subject.clone(),
        field,
        reason: reason.to_string(),
    };
    if let Some((field, reason)) = role_refusal(access, actor, step.action())? {
        return Err(invalid(field, &reason));
    }
    let log = ExemptionLog::load(lake).await?;
    let current = current_exemptions(&log.events);
    let now = Utc::now();
    let event = match step {
        ExemptionStep::Propose {
            customer_id,
            phase,
            basis,
            fincen_110_date,
            note,
        } => {
            if basis.trim().is_empty() {
                return Err(invalid("basis", "is required (why the customer is exempt)"));
            }
            if !customer_exists(lake, customer_id).await? {
                return Err(invalid(
                    "customer_id",
                    "no such customer in silver.customers",
                ));
            }
            let number = current
                .values()
                .filter(|event| &event.customer_id == customer_id)
                .count()
                + 1;
            let exemption_id = format!("EX-{customer_id}-{number}");
            ExemptionEvent {
                event_id: format!("{exemption_id}-E0001"),
                exemption_id,
                sequence: 1,
                customer_id: customer_id.clone(),
                action: "propose".to_string(),
                from_state: None,
                to_state: ExemptionState::Proposed,
                phase: *phase,
                basis: basis.trim().to_string(),
                fincen_110_date: *fincen_110_date,
                effective_to: None,
                actor: actor.user.clone(),
                role: actor.role.clone(),
                note: note.clone().filter(|text| !text.trim().is_empty()),
                event_time: now,
            }
        }
        ExemptionStep::Approve { exemption_id, .. }
        | ExemptionStep::Reject { exemption_id, .. }
        | ExemptionStep::Revoke { exemption_id, .. } => {
            let last = current
                .get(exemption_id)
                .ok_or_else(|| DecisionsError::UnknownExemption(exemption_id.clone()))?;
            let (action, allowed_from, to_state) = match step {
                ExemptionStep::Approve { .. } => {
                    ("approve", ExemptionState::Proposed, ExemptionState::Exempt)
                }
                ExemptionStep::Reject { .. } => {
                    ("reject", ExemptionState::Proposed, ExemptionState::Rejected)
                }
                _ => ("revoke", ExemptionState::Exempt, ExemptionState::Revoked),
            };
            if last.to_state != allowed_from {
                return Err(invalid(
                    "state",
                    &format!(
                        "'{action}' is not allowed while the exemption is {}",
                        last.to_state
                    ),
                ));
            }
            let proposer = log
                .events
                .iter()
                .find(|event| &event.exemption_id == exemption_id && event.action == "propose")
                .map(|event| event.actor.as_str());
            if action != "revoke" && proposer == Some(actor.user.as_str()) {
                return Err(invalid(
                    "user",
                    &format!(
                        "{} proposed this exemption; a second officer decides it",
                        actor.user
                    ),
                ));
            }
            let (effective_to, note) = match step {
                ExemptionStep::Revoke {
                    effective_to, note, ..
                } => (Some(*effective_to), Some(note.clone())),
                ExemptionStep::Reject { note, .. } => (None, Some(note.clone())),
                ExemptionStep::Approve { note, .. } | ExemptionStep::Propose { note, .. } => {
                    (None, note.clone())
                }
            };
            if action != "approve" && note.as_deref().is_none_or(|text| text.trim().is_empty()) {
                return Err(invalid("note", "is required"));
            }
            let sequence = last.sequence + 1;
            ExemptionEvent {
                event_id: format!("{exemption_id}-E{sequence:04}"),
                sequence,
                action: action.to_string(),
                from_state: Some(last.to_state),
                to_state,
                effective_to,
                actor: actor.user.clone(),
                role: actor.role.clone(),
                note: note.filter(|text| !text.trim().is_empty()),
                event_time: now,
                ..last.clone()
            }
        }
    };
    log.append(&event).await?;
    Ok(event)
}

fn events_batch(table: &TableDef, events: &[ExemptionEvent]) -> Result<RecordBatch> {
    let text = |value: fn(&ExemptionEvent) -> Option<&str>| strings(events.iter().map(value));
    let columns: Vec<ArrayRef> = vec![
        text(|event| Some(&event.event_id)),
        text(|event| Some(&event.exemption_id)),
        Arc::new(Int64Array::from_iter_values(
            events.iter().map(|event| event.sequence),
        )),
        text(|event| Some(&event.customer_id)),
        text(|event| Some(&event.action)),
        text(|event| event.from_state.map(ExemptionState::as_str)),
        text(|event| Some(event.to_state.as_str())),
        text(|event| Some(event.phase.as_str())),
        text(|event| Some(&event.basis)),
        dates(events.iter().map(|event| event.fincen_110_date)),
        optional_dates(events.iter().map(|event| event.effective_to)),
        text(|event| Some(&event.actor)),
        text(|event| Some(&event.role)),
        text(|event| event.note.as_deref()),
        timestamps(events.iter().map(|event| Some(event.event_time))),
    ];
    Ok(columns_batch(table, columns)?)
}

fn event_of_row(batch: &RecordBatch, row: usize) -> Result<ExemptionEvent> {
    let text = |column: &'static str| text_at(batch, column, row);
    let exemption_id = text("exemption_id").unwrap_or_default();
    let invalid = |field: &'static str, reason: String| DecisionsError::InvalidExemption {
        subject: format!("decisions.exemption_events, {exemption_id}"),
        field,
        reason,
    };
    let required =
        |column: &'static str| text(column).ok_or_else(|| invalid(column, "is empty".to_string()));
    let date = |column: &'static str| {
        text(column)
            .map(|value| value.parse::<NaiveDate>())
            .transpose()
            .map_err(|error| invalid(column, error.to_string()))
    };
    Ok(ExemptionEvent {
        event_id: required("event_id")?,
        sequence: required("sequence")?
            .parse()
            .map_err(|error: std::num::ParseIntError| invalid("sequence", error.to_string()))?,
        customer_id: required("customer_id")?,
        action: required("action")?,
        from_state: text("from_state")
            .map(|state| state.parse())
            .transpose()
            .map_err(|reason| invalid("from_state", reason))?,
        to_state: required("to_state")?
            .parse()
            .map_err(|reason| invalid("to_state", reason))?,
        phase: required("phase")?
            .parse()
            .map_err(|reason| invalid("phase", reason))?,
        basis: required("basis")?,
        fincen_110_date: date("fincen_110_date")?
            .ok_or_else(|| invalid("fincen_110_date", "is empty".to_string()))?,
        effective_to: date("effective_to")?,
        actor: required("actor")?,
        role: required("role")?,
        note: text("note"),
        event_time: timestamp_at(batch, "event_time", row)
            .ok_or_else(|| invalid("event_time", "is empty".to_string()))?,
        exemption_id: exemption_id.clone(),
    })
}
