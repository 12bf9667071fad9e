//! Maker-checker for the AML rules: a version is proposed by one person with its backtest
//! attached (`paylake aml rules propose`), and becomes live only when a second person with the
//! role for it approves it (`approve_rules` in access.toml's `case_actions`); the proposer may
//! never approve their own. Every step is an event of `decisions.rules_events`; the live version
//! is the last approved, and the pipeline runs it.

use std::sync::Arc;

use arrow::array::{ArrayRef, Int64Array};
use arrow::record_batch::RecordBatch;
use chrono::{DateTime, Utc};
use deltalake::DeltaTable;
use paylake_catalog::access::AccessSettings;
use paylake_catalog::rows::{columns_batch, strings, timestamps};
use paylake_catalog::{registry, Lake, TableDef, Zone};
use sha2::{Digest, Sha256};

use crate::error::{DecisionsError, Result};
use crate::events::{append_claiming, read_log, rows_of, text_at, timestamp_at};
use crate::work::{role_refusal, Actor};

/// The query of every rules event (`sql/decisions/rules_events.sql`).
pub const RULES_EVENTS_SQL: &str = "decisions/rules_events.sql";

/// A step on a rules version.
#[derive(Debug, Clone)]
pub enum RulesStep {
    /// `version` is the file's own `version`; the caller has checked the file is valid.
    Propose {
        version: String,
        rules_text: String,
        backtest: String,
        note: Option<String>,
    },
    Approve {
        version: String,
        note: Option<String>,
    },
    Reject {
        version: String,
        note: String,
    },
}

impl RulesStep {
    /// The action's name, as access.toml's `case_actions` grants it.
    pub fn action(&self) -> &'static str {
        match self {
            RulesStep::Propose { .. } => "propose_rules",
            RulesStep::Approve { .. } => "approve_rules",
            RulesStep::Reject { .. } => "reject_rules",
        }
    }

    fn version(&self) -> &str {
        match self {
            RulesStep::Propose { version, .. }
            | RulesStep::Approve { version, .. }
            | RulesStep::Reject { version, .. } => version,
        }
    }
}

/// One event of a rules version.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RulesEvent {
    pub event_id: String,
    pub version: String,
    pub sequence: i64,
    /// propose, approve, reject.
    pub action: String,
    pub rules_digest: String,
    #[serde(skip)]
    pub rules_text: String,
    #[serde(skip)]
    pub backtest: Option<String>,
    pub actor: String,
    pub role: String,
    pub note: Option<String>,
    pub event_time: DateTime<Utc>,
}

/// A version as its events leave it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RulesVersion {
    pub version: String,
    /// proposed, live, superseded, rejected.
    pub state: String,
    pub rules_digest: String,
    pub proposed_by: String,
    pub proposed_at: DateTime<Utc>,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    #[serde(skip)]
    pub rules_text: String,
    #[serde(skip)]
    pub backtest: Option<String>,
}

/// Every version, in the order proposed; the last approved is `live`, those approved before it
/// `superseded`.
pub fn versions(events: &[RulesEvent]) -> Vec<RulesVersion> {
    let mut versions: Vec<RulesVersion> = Vec::new();
    let mut last_approved: Option<(DateTime<Utc>, String)> = None;
    for event in events {
        match event.action.as_str() {
            "propose" => versions.push(RulesVersion {
                version: event.version.clone(),
                state: "proposed".into(),
                rules_digest: event.rules_digest.clone(),
                proposed_by: event.actor.clone(),
                proposed_at: event.event_time,
                decided_by: None,
                decided_at: None,
                rules_text: event.rules_text.clone(),
                backtest: event.backtest.clone(),
            }),
            action => {
                if let Some(version) = versions.iter_mut().find(|v| v.version == event.version) {
                    version.state = if action == "approve" {
                        "approved".into()
                    } else {
                        "rejected".into()
                    };
                    version.decided_by = Some(event.actor.clone());
                    version.decided_at = Some(event.event_time);
                    if action == "approve"
                        && last_approved
                            .as_ref()
                            .is_none_or(|(time, _)| event.event_time >= *time)
                    {
                        last_approved = Some((event.event_time, event.version.clone()));
                    }
                }
            }
        }
    }
    for version in &mut versions {
        if version.state == "approved" {
            let live = last_approved.as_ref().map(|(_, live)| live) == Some(&version.version);
            version.state = if live { "live" } else { "superseded" }.into();
        }
    }
    versions
}

/// The live version, if one was ever approved.
pub fn live_version(events: &[RulesEvent]) -> Option<RulesVersion> {
    versions(events)
        .into_iter()
        .find(|version| version.state == "live")
}

/// The hex SHA-256 of a rules file's text.
pub fn rules_digest(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

fn rules_events_table() -> Result<&'static TableDef> {
    Ok(registry().get(Zone::Decisions, "rules_events")?)
}

/// Every rules event at one snapshot of the table, and that snapshot to append through.
pub struct RulesLog {
    table: DeltaTable,
    pub events: Vec<RulesEvent>,
}

impl RulesLog {
    pub async fn load(lake: &Lake) -> Result<RulesLog> {
        let (table, batches) = read_log(lake, rules_events_table()?, RULES_EVENTS_SQL).await?;
        let events = rows_of(&batches, event_of_row)?;
        Ok(RulesLog { table, events })
    }
}

/// Takes `step` as `actor`: the role, a version proposed once, decided once, never by its
/// proposer; then appends the event. Returns it.
pub async fn act_on_rules(
    lake: &Lake,
    access: &AccessSettings,
    actor: &Actor,
    step: &RulesStep,
) -> Result<RulesEvent> {
    let invalid = |field: &'static str, reason: &str| DecisionsError::InvalidRules {
        version: step.version().to_string(),
        field,
        reason: reason.to_string(),
    };
    if let Some((field, reason)) = role_refusal(access, actor, step.action())? {
        return Err(invalid(field, &reason));
    }
    let log = RulesLog::load(lake).await?;
    let known = versions(&log.events);
    let existing = known
        .iter()
        .find(|version| version.version == step.version());
    let now = Utc::now();
    let event = match step {
        RulesStep::Propose {
            version,
            rules_text,
            backtest,
            note,
        } => {
            if existing.is_some() {
                return Err(invalid(
                    "version",
                    "was proposed before; a changed rules file needs a new version",
                ));
            }
            RulesEvent {
                event_id: format!("RULES-{version}-E0001"),
                version: version.clone(),
                sequence: 1,
                action: "propose".into(),
                rules_digest: rules_digest(rules_text),
                rules_text: rules_text.clone(),
                backtest: Some(backtest.clone()),
                actor: actor.user.clone(),
                role: actor.role.clone(),
                note: note.clone().filter(|text| !text.trim().is_empty()),
                event_time: now,
            }
        }
        RulesStep::Approve { version, .. } | RulesStep::Reject { version, .. } => {
            let Some(proposed) = existing else {
                return Err(invalid("version", "no such rules version was proposed"));
            };
            if proposed.state != "proposed" {
                return Err(invalid(
                    "state",
                    &format!("the version is {} already", proposed.state),
                ));
            }
            if proposed.proposed_by == actor.user {
                return Err(invalid(
                    "user",
                    &format!(
                        "{} proposed this version; a second person approves or rejects it",
                        actor.user
                    ),
                ));
            }
            let (action, note) = match step {
                RulesStep::Reject { note, .. } => {
                    if note.trim().is_empty() {
                        return Err(invalid("note", "is required (why the version is rejected)"));
                    }
                    ("reject", Some(note.clone()))
                }
                RulesStep::Approve { note, .. } => ("approve", note.clone()),
                RulesStep::Propose { .. } => unreachable!("matched above"),
            };
            let sequence = log
                .events
                .iter()
                .filter(|event| &event.version == version)
                .count() as i64
                + 1;
            RulesEvent {
                event_id: format!("RULES-{version}-E{sequence:04}"),
                version: version.clone(),
                sequence,
                action: action.into(),
                rules_digest: proposed.rules_digest.clone(),
                rules_text: proposed.rules_text.clone(),
                backtest: None,
                actor: actor.user.clone(),
                role: actor.role.clone(),
                note: note.filter(|text| !text.trim().is_empty()),
                event_time: now,
            }
        }
    };
    let claims = std::iter::once(("log", log.events.len() as i64 + 1));
    let batch = events_batch(rules_events_table()?, std::slice::from_ref(&event))?;
    append_claiming(
        log.table,
        rules_events_table()?,
        batch,
        "paylake-rules",
        claims,
    )
    .await?;
    Ok(event)
}

fn events_batch(table: &TableDef, events: &[RulesEvent]) -> Result<RecordBatch> {
    let text = |value: fn(&RulesEvent) -> Option<&str>| strings(events.iter().map(value));
    let columns: Vec<ArrayRef> = vec![
        text(|event| Some(&event.event_id)),
        text(|event| Some(&event.version)),
        Arc::new(Int64Array::from_iter_values(
            events.iter().map(|event| event.sequence),
        )),
        text(|event| Some(&event.action)),
        text(|event| Some(&event.rules_digest)),
        text(|event| Some(&event.rules_text)),
        text(|event| event.backtest.as_deref()),
        text(|event| Some(&event.actor)),
        text(|event| Some(&event.role)),
        text(|event| event.note.as_deref()),
        timestamps(events.iter().map(|event| Some(event.event_time))),
    ];
    Ok(columns_batch(table, columns)?)
}

fn event_of_row(batch: &RecordBatch, row: usize) -> Result<RulesEvent> {
    let text = |column: &'static str| text_at(batch, column, row);
    let version = text("version").unwrap_or_default();
    let invalid = |field: &'static str, reason: String| DecisionsError::InvalidRules {
        version: format!("decisions.rules_events, {version}"),
        field,
        reason,
    };
    let required =
        |column: &'static str| text(column).ok_or_else(|| invalid(column, "is empty".to_string()));
    Ok(RulesEvent {
        event_id: required("event_id")?,
        sequence: required("sequence")?
            .parse()
            .map_err(|error: std::num::ParseIntError| invalid("sequence", error.to_string()))?,
        action: required("action")?,
        rules_digest: required("rules_digest")?,
        rules_text: required("rules_text")?,
        backtest: text("backtest"),
        actor: required("actor")?,
        role: required("role")?,
        note: text("note"),
        event_time: timestamp_at(batch, "event_time", row)
            .ok_or_else(|| invalid("event_time", "is empty".to_string()))?,
        version: version.clone(),
    })
}
