//! `decisions.break_events`: every event of every reconciliation break, read whole at one
//! snapshot and appended through it, each break's next event claiming the application
//! transaction `paylake-break:<id>`, so that of two concurrent actions on a break one lands.

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow::array::{ArrayRef, Decimal128Array, Int64Array};
use arrow::record_batch::RecordBatch;
use chrono::{DateTime, NaiveDate, Utc};
use deltalake::DeltaTable;
use paylake_catalog::money::parse_decimal;
use paylake_catalog::rows::{columns_batch, dates, strings, timestamps};
use paylake_catalog::{registry, Lake, TableDef, Zone};

use super::lifecycle::{BreakAction, BreakState};
use crate::error::{DecisionsError, Result};
use crate::events::{append_claiming, read_log, rows_of, text_at, timestamp_at};

/// The query of every break event, in break order (`sql/decisions/break_events.sql`).
pub const BREAK_EVENTS_SQL: &str = "decisions/break_events.sql";

/// One event of a break: who did what in which role, from which state to which.
#[derive(Debug, Clone, PartialEq)]
pub struct BreakEvent {
    pub event_id: String,
    pub break_id: String,
    /// 1 for the first event of the break, then one more per event.
    pub sequence: i64,
    /// The reconciled business date the person saw the break on: a settling decision takes
    /// effect in that date's reconciliation.
    pub business_date: NaiveDate,
    pub category: Option<String>,
    pub currency: Option<String>,
    /// The break's amount in its currency and in USD, in cents.
    pub amount: Option<i128>,
    pub amount_usd: Option<i128>,
    pub action: BreakAction,
    pub from_state: BreakState,
    pub to_state: BreakState,
    pub actor: String,
    pub role: String,
    pub assignee: Option<String>,
    /// The item of the other side a manual match pairs the break with.
    pub counter_item: Option<String>,
    pub note: Option<String>,
    pub event_time: DateTime<Utc>,
}

impl BreakEvent {
    /// The id of the `sequence`th event of a break.
    pub fn id_for(break_id: &str, sequence: i64) -> String {
        format!("BRK-{break_id}-E{sequence:04}")
    }
}

/// A break as its events leave it.
#[derive(Debug, Clone, PartialEq)]
pub struct BreakWorkState {
    pub state: BreakState,
    pub assignee: Option<String>,
    pub last_sequence: i64,
    /// Who asked for the write-off that waits for approval.
    pub write_off_requested_by: Option<String>,
}

impl Default for BreakWorkState {
    fn default() -> Self {
        BreakWorkState {
            state: BreakState::Open,
            assignee: None,
            last_sequence: 0,
            write_off_requested_by: None,
        }
    }
}

/// Every break with events, as they leave it.
pub fn replay_breaks(events: &[BreakEvent]) -> BTreeMap<String, BreakWorkState> {
    let mut breaks: BTreeMap<String, BreakWorkState> = BTreeMap::new();
    for event in events {
        let work = breaks.entry(event.break_id.clone()).or_default();
        debug_assert!(
            event.sequence > work.last_sequence,
            "events replay in order"
        );
        work.state = event.to_state;
        work.last_sequence = event.sequence;
        if event.action == BreakAction::Assign {
            work.assignee = event.assignee.clone();
        }
        work.write_off_requested_by = (event.to_state == BreakState::PendingWriteOff)
            .then(|| {
                if event.action == BreakAction::WriteOff {
                    Some(event.actor.clone())
                } else {
                    work.write_off_requested_by.clone()
                }
            })
            .flatten();
    }
    breaks
}

/// The table of break events.
pub fn break_events_table() -> Result<&'static TableDef> {
    Ok(registry().get(Zone::Decisions, "break_events")?)
}

/// Every break event at one snapshot of the table, and that snapshot to append through.
pub struct BreakLog {
    table: DeltaTable,
    pub events: Vec<BreakEvent>,
}

impl BreakLog {
    /// Reads every event (creating the empty table when there is none).
    pub async fn load(lake: &Lake) -> Result<BreakLog> {
        let (table, batches) = read_log(lake, break_events_table()?, BREAK_EVENTS_SQL).await?;
        let events = rows_of(&batches, event_of_row)?;
        Ok(BreakLog { table, events })
    }

    /// Appends `events` in one commit; a concurrent event on one of their breaks makes it fail
    /// with [`DecisionsError::ConcurrentChange`] and nothing lands.
    pub async fn append(self, events: &[BreakEvent]) -> Result<()> {
        if events.is_empty() {
            return Ok(());
        }
        let table_def = break_events_table()?;
        let batch = events_batch(table_def, events)?;
        let sequences = events
            .iter()
            .map(|event| (event.break_id.as_str(), event.sequence));
        append_claiming(self.table, table_def, batch, "paylake-break", sequences).await
    }
}

fn money(values: impl Iterator<Item = Option<i128>>) -> Result<ArrayRef> {
    let array = Decimal128Array::from_iter(values)
        .with_precision_and_scale(18, 2)
        .map_err(|error| DecisionsError::InvalidBreakEvent {
            break_id: String::new(),
            field: "amount",
            reason: error.to_string(),
        })?;
    Ok(Arc::new(array))
}

fn events_batch(table: &TableDef, events: &[BreakEvent]) -> Result<RecordBatch> {
    let text = |value: fn(&BreakEvent) -> Option<&str>| strings(events.iter().map(value));
    let columns: Vec<ArrayRef> = vec![
        text(|event| Some(&event.event_id)),
        text(|event| Some(&event.break_id)),
        Arc::new(Int64Array::from_iter_values(
            events.iter().map(|event| event.sequence),
        )),
        dates(events.iter().map(|event| event.business_date)),
        text(|event| event.category.as_deref()),
        text(|event| event.currency.as_deref()),
        money(events.iter().map(|event| event.amount))?,
        money(events.iter().map(|event| event.amount_usd))?,
        text(|event| Some(event.action.as_str())),
        text(|event| Some(event.from_state.as_str())),
        text(|event| Some(event.to_state.as_str())),
        text(|event| Some(&event.actor)),
        text(|event| Some(&event.role)),
        text(|event| event.assignee.as_deref()),
        text(|event| event.counter_item.as_deref()),
        text(|event| event.note.as_deref()),
        timestamps(events.iter().map(|event| Some(event.event_time))),
    ];
    Ok(columns_batch(table, columns)?)
}

fn event_of_row(batch: &RecordBatch, row: usize) -> Result<BreakEvent> {
    let text = |column: &'static str| text_at(batch, column, row);
    let break_id = text("break_id").unwrap_or_default();
    let invalid = |field: &'static str, reason: String| DecisionsError::InvalidBreakEvent {
        break_id: break_id.clone(),
        field,
        reason,
    };
    let required =
        |column: &'static str| text(column).ok_or_else(|| invalid(column, "is empty".to_string()));
    let cents = |column: &'static str| {
        text(column)
            .map(|amount| parse_decimal(&amount, 2))
            .transpose()
            .map_err(|reason| invalid(column, reason))
    };
    let event_time = timestamp_at(batch, "event_time", row)
        .ok_or_else(|| invalid("event_time", "is empty".to_string()))?;
    Ok(BreakEvent {
        event_id: required("event_id")?,
        sequence: required("sequence")?
            .parse::<i64>()
            .map_err(|error| invalid("sequence", error.to_string()))?,
        business_date: required("business_date")?
            .parse::<NaiveDate>()
            .map_err(|error| invalid("business_date", error.to_string()))?,
        category: text("category"),
        currency: text("currency"),
        amount: cents("amount")?,
        amount_usd: cents("amount_usd")?,
        action: required("action")?
            .parse()
            .map_err(|reason| invalid("action", reason))?,
        from_state: required("from_state")?
            .parse()
            .map_err(|reason| invalid("from_state", reason))?,
        to_state: required("to_state")?
            .parse()
            .map_err(|reason| invalid("to_state", reason))?,
        actor: required("actor")?,
        role: required("role")?,
        assignee: text("assignee"),
        counter_item: text("counter_item"),
        note: text("note"),
        event_time,
        break_id: break_id.clone(),
    })
}
