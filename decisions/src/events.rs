//! `decisions.case_events`: every event of every case, read whole at one snapshot of the table
//! and appended through that same snapshot, so that two writers of one case cannot both land.

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, Int64Array};
use arrow::record_batch::RecordBatch;
use arrow::util::display::array_value_to_string;
use backon::{ExponentialBuilder, Retryable};
use chrono::{DateTime, NaiveDate, Utc};
use deltalake::kernel::Transaction;
use deltalake::DeltaTable;
use paylake_catalog::delta::{append, open_or_create_table};
use paylake_catalog::rows::{columns_batch, optional_dates, string_lists, strings, timestamps};
use paylake_catalog::session::table_session;
use paylake_catalog::{registry, Lake, TableDef, Zone};

use crate::cases::Case;
use crate::error::{DecisionsError, Result};
use crate::lifecycle::{ActionKind, CaseState};

/// The query of every event, in case order (`sql/decisions/case_events.sql`).
pub const CASE_EVENTS_SQL: &str = "decisions/case_events.sql";

/// One event of a case: what happened, who did it in which role, from which state to which.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseEvent {
    pub event_id: String,
    pub case_id: String,
    /// 1 for the event that opened the case, then one more per event.
    pub sequence: i64,
    pub customer_id: Option<String>,
    /// The customer, or `account:<id>` for alerts on an account without a known customer.
    pub subject_id: String,
    /// The alerts the event brought into the case (open, attach).
    pub alert_ids: Vec<String>,
    /// The business date the alerts were detected on (open, attach).
    pub detected_on: Option<NaiveDate>,
    pub action: ActionKind,
    pub from_state: Option<CaseState>,
    pub to_state: CaseState,
    pub actor: String,
    pub role: String,
    pub assignee: Option<String>,
    /// `false_positive` / `not_suspicious` (close), `file` / `no_file` (decide).
    pub outcome: Option<String>,
    pub rationale: Option<String>,
    pub narrative: Option<String>,
    pub export_id: Option<String>,
    pub bsa_id: Option<String>,
    pub event_time: DateTime<Utc>,
}

impl CaseEvent {
    /// The id of the `sequence`th event of a case: unique because one event per sequence lands.
    pub fn id_for(case_id: &str, sequence: i64) -> String {
        format!("{case_id}-E{sequence:04}")
    }

    /// The next event of `case`, `action` taken by `actor` in `role`, with nothing said yet.
    pub(crate) fn next_on(
        case: &Case,
        action: ActionKind,
        actor: &str,
        role: &str,
        now: DateTime<Utc>,
    ) -> CaseEvent {
        let sequence = case.last_sequence + 1;
        CaseEvent {
            event_id: CaseEvent::id_for(&case.case_id, sequence),
            case_id: case.case_id.clone(),
            sequence,
            customer_id: case.customer_id.clone(),
            subject_id: case.subject_id.clone(),
            alert_ids: Vec::new(),
            detected_on: None,
            action,
            from_state: Some(case.state),
            to_state: action.target(case.state, case.decision),
            actor: actor.to_string(),
            role: role.to_string(),
            assignee: None,
            outcome: None,
            rationale: None,
            narrative: None,
            export_id: None,
            bsa_id: None,
            event_time: now,
        }
    }
}

/// paylake's own name and role on the events it writes.
pub const PAYLAKE_ACTOR: &str = "paylake";
pub const PAYLAKE_ROLE: &str = "pipeline";

/// The next event of `case` taken by paylake itself.
pub(crate) fn paylake_event(case: &Case, action: ActionKind, now: DateTime<Utc>) -> CaseEvent {
    CaseEvent::next_on(case, action, PAYLAKE_ACTOR, PAYLAKE_ROLE, now)
}

/// The table of case events.
pub fn case_events_table() -> Result<&'static TableDef> {
    Ok(registry().get(Zone::Decisions, "case_events")?)
}

/// Every event at one snapshot of the table, and that snapshot to append through.
pub struct EventLog {
    table: DeltaTable,
    pub events: Vec<CaseEvent>,
}

impl EventLog {
    /// Reads every event of the lake's case log (creating the empty table when there is none).
    pub async fn load(lake: &Lake) -> Result<EventLog> {
        let (table, batches) = read_log(lake, case_events_table()?, CASE_EVENTS_SQL).await?;
        let mut events = Vec::new();
        for batch in &batches {
            let alert_lists = alert_id_lists(batch)?;
            for row in 0..batch.num_rows() {
                events.push(event_of_row(batch, &alert_lists, row)?);
            }
        }
        Ok(EventLog { table, events })
    }

    /// Appends `events` in one commit, each case's last event claiming the case's transaction.
    /// A concurrent commit that added an event to one of these cases first makes this one fail
    /// with [`DecisionsError::Conflict`]; nothing of it lands.
    pub async fn append(self, events: &[CaseEvent]) -> Result<()> {
        if events.is_empty() {
            return Ok(());
        }
        let table_def = case_events_table()?;
        let batch = events_batch(table_def, events)?;
        let sequences = events
            .iter()
            .map(|event| (event.case_id.as_str(), event.sequence));
        append_claiming(self.table, table_def, batch, "paylake-case", sequences).await
    }
}

/// Reads a decision log whole (`sql` below `sql/`) at one snapshot of `table_def`, creating the
/// empty table when there is none; returns the snapshot to append through and the rows.
pub(crate) async fn read_log(
    lake: &Lake,
    table_def: &TableDef,
    sql: &str,
) -> Result<(DeltaTable, Vec<RecordBatch>)> {
    let table = open_or_create_table(lake, table_def).await?;
    let context = table_session(table_def, &table).await?;
    let statement = paylake_catalog::sql::statement(sql)?;
    let batches = context.sql(&statement).await?.collect().await?;
    Ok((table, batches))
}

/// Parses every row of `batches` with `parse`.
pub(crate) fn rows_of<T>(
    batches: &[RecordBatch],
    parse: impl Fn(&RecordBatch, usize) -> Result<T>,
) -> Result<Vec<T>> {
    let mut parsed = Vec::new();
    for batch in batches {
        for row in 0..batch.num_rows() {
            parsed.push(parse(batch, row)?);
        }
    }
    Ok(parsed)
}

/// Appends `batch` to `table` in one commit that claims, for each subject (a case, a break),
/// the application transaction `<prefix>:<subject>` at the subject's last sequence in the batch.
/// A concurrent commit that added an event to one of these subjects first makes this one fail
/// with [`DecisionsError::ConcurrentChange`]; nothing of it lands.
pub(crate) async fn append_claiming<'a>(
    table: DeltaTable,
    table_def: &TableDef,
    batch: RecordBatch,
    prefix: &str,
    sequences: impl Iterator<Item = (&'a str, i64)>,
) -> Result<()> {
    let mut last_sequence: std::collections::BTreeMap<&str, i64> = Default::default();
    for (subject, sequence) in sequences {
        let entry = last_sequence.entry(subject).or_default();
        *entry = (*entry).max(sequence);
    }
    let transactions = last_sequence
        .iter()
        .map(|(subject, sequence)| Transaction::new(format!("{prefix}:{subject}"), *sequence))
        .collect();
    match append(table, table_def, vec![batch], transactions).await {
        Ok(_) => Ok(()),
        Err(error) if error.is_commit_conflict() => Err(DecisionsError::ConcurrentChange {
            cases: last_sequence
                .keys()
                .map(|subject| subject.to_string())
                .collect(),
        }),
        Err(error) => Err(error.into()),
    }
}

/// Reads the log, appends the events `derive` makes of it, and returns what `derive` said of
/// them; when a person's event on one of those cases lands in between, it reads and derives
/// again (paylake's own events never overrule a person's).
pub(crate) async fn append_derived<T>(
    lake: &Lake,
    derive: impl Fn(&[CaseEvent]) -> (Vec<CaseEvent>, T),
) -> Result<T> {
    let derive = &derive;
    (|| async move {
        let log = EventLog::load(lake).await?;
        let (new_events, outcome) = derive(&log.events);
        log.append(&new_events).await?;
        Ok(outcome)
    })
    .retry(ExponentialBuilder::default().with_max_times(5))
    .when(|error: &DecisionsError| matches!(error, DecisionsError::ConcurrentChange { .. }))
    .await
}

fn events_batch(table: &TableDef, events: &[CaseEvent]) -> Result<RecordBatch> {
    let text = |value: fn(&CaseEvent) -> Option<&str>| strings(events.iter().map(value));
    let columns: Vec<ArrayRef> = vec![
        text(|event| Some(&event.event_id)),
        text(|event| Some(&event.case_id)),
        Arc::new(Int64Array::from_iter_values(
            events.iter().map(|event| event.sequence),
        )),
        text(|event| event.customer_id.as_deref()),
        text(|event| Some(&event.subject_id)),
        string_lists(events.iter().map(|event| &event.alert_ids)),
        optional_dates(events.iter().map(|event| event.detected_on)),
        text(|event| Some(event.action.as_str())),
        text(|event| event.from_state.map(CaseState::as_str)),
        text(|event| Some(event.to_state.as_str())),
        text(|event| Some(&event.actor)),
        text(|event| Some(&event.role)),
        text(|event| event.assignee.as_deref()),
        text(|event| event.outcome.as_deref()),
        text(|event| event.rationale.as_deref()),
        text(|event| event.narrative.as_deref()),
        text(|event| event.export_id.as_deref()),
        text(|event| event.bsa_id.as_deref()),
        timestamps(events.iter().map(|event| Some(event.event_time))),
    ];
    Ok(columns_batch(table, columns)?)
}

/// The `alert_ids` column as lists of Utf8, whatever list and string types the scan gave.
fn alert_id_lists(batch: &RecordBatch) -> Result<arrow::array::ListArray> {
    use arrow::datatypes::{DataType, Field};
    let invalid = |reason: String| DecisionsError::InvalidEvent {
        case_id: String::new(),
        field: "alert_ids",
        reason,
    };
    let column = batch
        .column_by_name("alert_ids")
        .ok_or_else(|| invalid("the column is missing".to_string()))?;
    let utf8_lists = DataType::List(Arc::new(Field::new_list_field(DataType::Utf8, true)));
    let cast = arrow::compute::cast(column, &utf8_lists).map_err(|err| invalid(err.to_string()))?;
    cast.as_any()
        .downcast_ref::<arrow::array::ListArray>()
        .cloned()
        .ok_or_else(|| invalid("is not a list".to_string()))
}

fn event_of_row(
    batch: &RecordBatch,
    alert_lists: &arrow::array::ListArray,
    row: usize,
) -> Result<CaseEvent> {
    let text = |column: &'static str| text_at(batch, column, row);
    let case_id = text("case_id").unwrap_or_default();
    let invalid = |field: &'static str, reason: String| DecisionsError::InvalidEvent {
        case_id: case_id.clone(),
        field,
        reason,
    };
    let required =
        |column: &'static str| text(column).ok_or_else(|| invalid(column, "is empty".to_string()));
    let sequence = required("sequence")?
        .parse::<i64>()
        .map_err(|err| invalid("sequence", err.to_string()))?;
    let alert_ids = if alert_lists.is_valid(row) {
        let values = alert_lists.value(row);
        (0..values.len())
            .filter_map(|index| array_value_to_string(&values, index).ok())
            .collect()
    } else {
        Vec::new()
    };
    let detected_on = text("detected_on")
        .map(|date| date.parse::<NaiveDate>())
        .transpose()
        .map_err(|err| invalid("detected_on", err.to_string()))?;
    let event_time = timestamp_at(batch, "event_time", row)
        .ok_or_else(|| invalid("event_time", "is empty".to_string()))?;
    Ok(CaseEvent {
        event_id: required("event_id")?,
        sequence,
        customer_id: text("customer_id"),
        subject_id: required("subject_id")?,
        alert_ids,
        detected_on,
        action: required("action")?
            .parse()
            .map_err(|reason| invalid("action", reason))?,
        from_state: text("from_state")
            .map(|state| state.parse())
            .transpose()
            .map_err(|reason| invalid("from_state", reason))?,
        to_state: required("to_state")?
            .parse()
            .map_err(|reason| invalid("to_state", reason))?,
        actor: required("actor")?,
        role: required("role")?,
        assignee: text("assignee"),
        outcome: text("outcome"),
        rationale: text("rationale"),
        narrative: text("narrative"),
        export_id: text("export_id"),
        bsa_id: text("bsa_id"),
        event_time,
        case_id: case_id.clone(),
    })
}

/// The value of `column` at `row` as text; `None` when null or absent.
pub(crate) fn text_at(batch: &RecordBatch, column: &str, row: usize) -> Option<String> {
    let array = batch.column_by_name(column)?;
    if array.is_null(row) {
        return None;
    }
    array_value_to_string(array, row).ok()
}

/// The UTC timestamp of `column` at `row`; `None` when null, absent or not microseconds.
pub(crate) fn timestamp_at(batch: &RecordBatch, column: &str, row: usize) -> Option<DateTime<Utc>> {
    batch
        .column_by_name(column)?
        .as_any()
        .downcast_ref::<arrow::array::TimestampMicrosecondArray>()
        .filter(|times| times.is_valid(row))
        .and_then(|times| DateTime::from_timestamp_micros(times.value(row)))
}
