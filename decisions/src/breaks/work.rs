//! A person's action on a reconciliation break: allowed to their role (`access.toml`'s
//! `break_actions`), valid in the break's state, with the text it needs, appended as one event
//! or refused with nothing written. A write-off above the approval amount waits for a second
//! person, who may not be the one who asked for it.

use std::collections::BTreeMap;

use arrow::record_batch::RecordBatch;
use chrono::{NaiveDate, Utc};
use paylake_catalog::access::{AccessSettings, Role};
use paylake_catalog::money::parse_decimal;
use paylake_catalog::sql::text_literal;
use paylake_catalog::Lake;

use super::events::{break_events_table, replay_breaks, BreakEvent, BreakLog, BreakWorkState};
use super::lifecycle::{BreakAction, BreakState};
use crate::error::{DecisionsError, Result};
use crate::events::text_at;
use crate::work::Actor;

/// The query of the breaks open at the latest reconciled date (`sql/decisions/open_breaks.sql`).
pub const OPEN_BREAKS_SQL: &str = "decisions/open_breaks.sql";

/// What a person does to a break, with what it needs said.
#[derive(Debug, Clone)]
pub enum BreakWork {
    Assign {
        assignee: String,
    },
    Annotate {
        note: String,
    },
    /// Matched by hand to `counter_item`, the other side's item (a settlement line, a payment,
    /// a bank entry), with why.
    Match {
        counter_item: String,
        note: String,
    },
    WriteOff {
        note: String,
    },
    Approve {
        note: Option<String>,
    },
    Reject {
        note: String,
    },
}

impl BreakWork {
    pub fn action(&self) -> BreakAction {
        match self {
            BreakWork::Assign { .. } => BreakAction::Assign,
            BreakWork::Annotate { .. } => BreakAction::Annotate,
            BreakWork::Match { .. } => BreakAction::Match,
            BreakWork::WriteOff { .. } => BreakAction::WriteOff,
            BreakWork::Approve { .. } => BreakAction::Approve,
            BreakWork::Reject { .. } => BreakAction::Reject,
        }
    }
}

/// An action on a break, with the state the person saw when they chose it (`None`: as read now).
#[derive(Debug, Clone)]
pub struct BreakRequest {
    pub break_id: String,
    pub expected_state: Option<BreakState>,
    pub work: BreakWork,
}

/// A break open at the latest reconciled date, as a person works it: its row of
/// `gold.recon_breaks`, its amount, and where finance's work on it stands.
#[derive(Debug, Clone)]
pub struct OpenBreak {
    pub break_id: String,
    pub category: String,
    pub currency: Option<String>,
    pub business_date: NaiveDate,
    pub age_days: i64,
    /// The amount in the break's currency and in USD, in cents (USD unknown without a rate).
    pub amount: Option<i128>,
    pub amount_usd: Option<i128>,
    /// `open` or `write_off_due` (the reconciliation's status).
    pub status: String,
    pub work: BreakWorkState,
    /// Every column of the row as text, for pages and listings.
    pub columns: BTreeMap<String, String>,
}

/// The breaks open at the latest reconciled date (every one when `break_id` is `None`), each
/// with finance's work on it, oldest first.
pub async fn open_breaks(lake: &Lake, break_id: Option<&str>) -> Result<Vec<OpenBreak>> {
    // Reading the queue creates no table: the reconciliation's inputs stay as they were.
    let work = match paylake_catalog::delta::open_table(lake, break_events_table()?).await? {
        Some(_) => replay_breaks(&BreakLog::load(lake).await?.events),
        None => BTreeMap::new(),
    };
    breaks_with_work(lake, break_id, &work).await
}

/// The open breaks (one when `break_id` names it), each with its work as `work` replays it.
async fn breaks_with_work(
    lake: &Lake,
    break_id: Option<&str>,
    work: &BTreeMap<String, BreakWorkState>,
) -> Result<Vec<OpenBreak>> {
    let context =
        paylake_catalog::session::tables_session(lake, &["gold.recon_breaks", "silver.fx_rates"])
            .await?;
    let literal = break_id.map_or_else(|| "NULL".to_string(), text_literal);
    let sql = paylake_catalog::sql::render(OPEN_BREAKS_SQL, &[("break_id".to_string(), literal)])?;
    let batches = context.sql(&sql).await?.collect().await?;
    let mut breaks = Vec::new();
    for batch in &batches {
        for row in 0..batch.num_rows() {
            breaks.push(open_break_of_row(batch, row, work)?);
        }
    }
    Ok(breaks)
}

fn open_break_of_row(
    batch: &RecordBatch,
    row: usize,
    work: &BTreeMap<String, BreakWorkState>,
) -> Result<OpenBreak> {
    let text = |column: &str| text_at(batch, column, row);
    let break_id = text("break_id").unwrap_or_default();
    let invalid = |field: &'static str, reason: String| DecisionsError::InvalidBreakEvent {
        break_id: break_id.clone(),
        field,
        reason,
    };
    let cents = |column: &'static str| {
        text(column)
            .map(|amount| parse_decimal(&amount, 2))
            .transpose()
            .map_err(|reason| invalid(column, reason))
    };
    let columns = batch
        .schema()
        .fields()
        .iter()
        .map(|field| {
            let value = text(field.name()).unwrap_or_default();
            (field.name().clone(), value)
        })
        .collect();
    Ok(OpenBreak {
        category: text("category").unwrap_or_default(),
        currency: text("currency"),
        business_date: text("business_date")
            .unwrap_or_default()
            .parse()
            .map_err(|error: chrono::ParseError| invalid("business_date", error.to_string()))?,
        age_days: text("age_days")
            .unwrap_or_default()
            .parse()
            .map_err(|error: std::num::ParseIntError| invalid("age_days", error.to_string()))?,
        amount: cents("amount")?,
        amount_usd: cents("amount_usd")?,
        status: text("status").unwrap_or_default(),
        work: work.get(&break_id).cloned().unwrap_or_default(),
        columns,
        break_id,
    })
}

/// Whether a write-off of `open_break` needs a second person: above `approval_above_usd`
/// (decimal text), or of an amount without a USD rate.
fn needs_approval(open_break: &OpenBreak, approval_above_usd: i128) -> bool {
    open_break
        .amount_usd
        .is_none_or(|amount_usd| amount_usd > approval_above_usd)
}

/// Takes `request` as `actor`: checks the role, the text, the break and its state and four
/// eyes, then appends the event. Returns it. `approval_above_usd` is finance-rules.toml's
/// `breaks.write_off_approval_above_usd`.
pub async fn act_on_break(
    lake: &Lake,
    access: &AccessSettings,
    actor: &Actor,
    request: &BreakRequest,
    approval_above_usd: &str,
) -> Result<BreakEvent> {
    let invalid = |field: &'static str, reason: &str| DecisionsError::InvalidBreak {
        break_id: request.break_id.clone(),
        field,
        reason: reason.to_string(),
    };
    let threshold = parse_decimal(approval_above_usd, 2)
        .map_err(|reason| invalid("write_off_approval_above_usd", &reason))?;
    let action = request.work.action();
    let role = access.role(&actor.role)?;
    if actor.user.trim().is_empty() {
        return Err(invalid(
            "user",
            "every action names the person who takes it",
        ));
    }
    if !role_permits(role, action) {
        return Err(DecisionsError::BreakNotPermitted {
            user: actor.user.clone(),
            role: actor.role.clone(),
            action,
        });
    }
    validate_text(&request.break_id, &request.work)?;

    // The log is read once, at the snapshot the event is appended through.
    let log = BreakLog::load(lake).await?;
    let open_break = breaks_with_work(lake, Some(&request.break_id), &replay_breaks(&log.events))
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| DecisionsError::UnknownBreak(request.break_id.clone()))?;
    let work = open_break.work.clone();
    if let Some(expected) = request.expected_state {
        if expected != work.state {
            return Err(DecisionsError::BreakConflict {
                break_id: request.break_id.clone(),
                expected,
                current: work.state,
            });
        }
    }
    if let Some(refused) = break_refusal(&request.break_id, &work, &actor.user, action) {
        return Err(refused);
    }
    let event = event_for(&open_break, &work, actor, &request.work, threshold);
    match log.append(std::slice::from_ref(&event)).await {
        Ok(()) => Ok(event),
        Err(DecisionsError::ConcurrentChange { .. }) => {
            let now = replay_breaks(&BreakLog::load(lake).await?.events);
            Err(DecisionsError::BreakConflict {
                break_id: request.break_id.clone(),
                expected: work.state,
                current: now
                    .get(&request.break_id)
                    .map_or(work.state, |current| current.state),
            })
        }
        Err(other) => Err(other),
    }
}

/// Whether `role` grants `action` (`access.toml`'s `break_actions`).
fn role_permits(role: &Role, action: BreakAction) -> bool {
    role.break_actions
        .iter()
        .any(|allowed| allowed == action.as_str())
}

/// Why `user` may not take `action` on a break as `work` leaves it: the state does not allow
/// it, or the write-off is their own to approve (four eyes).
fn break_refusal(
    break_id: &str,
    work: &BreakWorkState,
    user: &str,
    action: BreakAction,
) -> Option<DecisionsError> {
    if !action.allowed_from().contains(&work.state) {
        return Some(DecisionsError::BreakNotAllowedInState {
            break_id: break_id.to_string(),
            action,
            state: work.state,
        });
    }
    if matches!(action, BreakAction::Approve | BreakAction::Reject)
        && work.write_off_requested_by.as_deref() == Some(user)
    {
        return Some(DecisionsError::BreakFourEyes {
            break_id: break_id.to_string(),
            user: user.to_string(),
        });
    }
    None
}

/// The actions `user` in `role` may take on a break now: what a page offers them, by the rules
/// [`act_on_break`] enforces.
pub fn allowed_break_actions(role: &Role, user: &str, open_break: &OpenBreak) -> Vec<BreakAction> {
    BreakAction::ALL
        .into_iter()
        .filter(|action| role_permits(role, *action))
        .filter(|action| {
            break_refusal(&open_break.break_id, &open_break.work, user, *action).is_none()
        })
        .collect()
}

fn validate_text(break_id: &str, work: &BreakWork) -> Result<()> {
    let required = |field: &'static str, text: &str| {
        if text.trim().is_empty() {
            return Err(DecisionsError::InvalidBreak {
                break_id: break_id.to_string(),
                field,
                reason: "is required".to_string(),
            });
        }
        Ok(())
    };
    match work {
        BreakWork::Assign { assignee } => required("assignee", assignee),
        BreakWork::Annotate { note }
        | BreakWork::WriteOff { note }
        | BreakWork::Reject { note } => required("note", note),
        BreakWork::Match { counter_item, note } => {
            required("counter_item", counter_item)?;
            required("note", note)
        }
        BreakWork::Approve { .. } => Ok(()),
    }
}

fn event_for(
    open_break: &OpenBreak,
    work: &BreakWorkState,
    actor: &Actor,
    request: &BreakWork,
    approval_above_usd: i128,
) -> BreakEvent {
    let action = request.action();
    let sequence = work.last_sequence + 1;
    let trimmed = |text: &str| Some(text.trim().to_string());
    let (assignee, counter_item, note) = match request {
        BreakWork::Assign { assignee } => (trimmed(assignee), None, None),
        BreakWork::Match { counter_item, note } => (None, trimmed(counter_item), trimmed(note)),
        BreakWork::Annotate { note }
        | BreakWork::WriteOff { note }
        | BreakWork::Reject { note } => (None, None, trimmed(note)),
        BreakWork::Approve { note } => (
            None,
            None,
            note.as_deref()
                .map(str::trim)
                .filter(|text| !text.is_empty())
                .map(str::to_string),
        ),
    };
    BreakEvent {
        event_id: BreakEvent::id_for(&open_break.break_id, sequence),
        break_id: open_break.break_id.clone(),
        sequence,
        business_date: open_break.business_date,
        category: Some(open_break.category.clone()),
        currency: open_break.currency.clone(),
        amount: open_break.amount,
        amount_usd: open_break.amount_usd,
        action,
        from_state: work.state,
        to_state: action.target(work.state, needs_approval(open_break, approval_above_usd)),
        actor: actor.user.clone(),
        role: actor.role.clone(),
        assignee,
        counter_item,
        note,
        event_time: Utc::now(),
    }
}
