//! A person's action on a case: allowed to their role, valid in the case's state, with the
//! text it needs, appended as one event or refused with nothing written.

use chrono::Utc;
use paylake_catalog::access::{AccessSettings, Role};
use paylake_catalog::Lake;

use crate::cases::{replay, Case};
use crate::error::{DecisionsError, Result};
use crate::events::{CaseEvent, EventLog};
use crate::lifecycle::{ActionKind, CaseState, CloseOutcome, SarDecision, NARRATIVE_LIMIT_CHARS};

/// Who acts, in which role of `access.toml`.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user: String,
    pub role: String,
}

/// What a person does to a case, with what it needs said.
#[derive(Debug, Clone)]
pub enum CaseAction {
    Assign {
        assignee: String,
    },
    Start,
    Close {
        outcome: CloseOutcome,
        rationale: String,
    },
    Escalate {
        rationale: String,
    },
    /// A SAR to file needs the investigator's narrative; a decision not to file, a rationale.
    Decide {
        decision: SarDecision,
        text: String,
    },
    Approve {
        rationale: Option<String>,
    },
    Return {
        rationale: String,
    },
}

impl CaseAction {
    pub fn kind(&self) -> ActionKind {
        match self {
            CaseAction::Assign { .. } => ActionKind::Assign,
            CaseAction::Start => ActionKind::Start,
            CaseAction::Close { .. } => ActionKind::Close,
            CaseAction::Escalate { .. } => ActionKind::Escalate,
            CaseAction::Decide { .. } => ActionKind::Decide,
            CaseAction::Approve { .. } => ActionKind::Approve,
            CaseAction::Return { .. } => ActionKind::Return,
        }
    }
}

/// An action on a case, with the state the person saw when they chose it.
#[derive(Debug, Clone)]
pub struct ActionRequest {
    pub case_id: String,
    /// The state the action was chosen in; when the case has moved on since, it is refused.
    /// `None` takes the state as read now (a script that does not know it).
    pub expected_state: Option<CaseState>,
    pub action: CaseAction,
}

/// Takes `request` as `actor`: checks the role, the text, the state and four eyes, then
/// appends the event. Returns it.
pub async fn act(
    lake: &Lake,
    access: &AccessSettings,
    actor: &Actor,
    request: &ActionRequest,
) -> Result<CaseEvent> {
    let kind = request.action.kind();
    let role = access.role(&actor.role)?;
    if actor.user.trim().is_empty() {
        return Err(DecisionsError::Invalid {
            case_id: request.case_id.clone(),
            field: "user",
            reason: "every action names the person who takes it".to_string(),
        });
    }
    if !role
        .case_actions
        .iter()
        .any(|allowed| allowed == kind.as_str())
    {
        return Err(DecisionsError::NotPermitted {
            user: actor.user.clone(),
            role: actor.role.clone(),
            action: kind,
        });
    }
    validate_text(&request.case_id, &request.action)?;

    let log = EventLog::load(lake).await?;
    let cases = replay(&log.events);
    let case = cases
        .get(&request.case_id)
        .ok_or_else(|| DecisionsError::UnknownCase(request.case_id.clone()))?;
    check_state_and_people(case, actor, request)?;
    let event = event_for(case, actor, &request.action);
    match log.append(std::slice::from_ref(&event)).await {
        Ok(()) => Ok(event),
        Err(DecisionsError::ConcurrentChange { .. }) => {
            // Someone else's event landed first: name the state it left the case in.
            let now = replay(&EventLog::load(lake).await?.events);
            let state = now
                .get(&request.case_id)
                .map_or(case.state, |current| current.state);
            Err(DecisionsError::Conflict {
                case_id: request.case_id.clone(),
                expected: case.state,
                current: state,
            })
        }
        Err(other) => Err(other),
    }
}

fn required_text(case_id: &str, field: &'static str, text: &str) -> Result<()> {
    if text.trim().is_empty() {
        return Err(DecisionsError::Invalid {
            case_id: case_id.to_string(),
            field,
            reason: "is required".to_string(),
        });
    }
    Ok(())
}

fn validate_text(case_id: &str, action: &CaseAction) -> Result<()> {
    match action {
        CaseAction::Assign { assignee } => required_text(case_id, "assignee", assignee),
        CaseAction::Start | CaseAction::Approve { .. } => Ok(()),
        CaseAction::Close { rationale, .. }
        | CaseAction::Escalate { rationale }
        | CaseAction::Return { rationale } => required_text(case_id, "rationale", rationale),
        CaseAction::Decide {
            decision: SarDecision::NoFile,
            text,
        } => required_text(case_id, "rationale", text),
        CaseAction::Decide {
            decision: SarDecision::File,
            text,
        } => {
            required_text(case_id, "narrative", text)?;
            let characters = text.chars().count();
            if characters > NARRATIVE_LIMIT_CHARS {
                return Err(DecisionsError::Invalid {
                    case_id: case_id.to_string(),
                    field: "narrative",
                    reason: format!(
                        "has {characters} characters; a SAR narrative holds at most {NARRATIVE_LIMIT_CHARS}"
                    ),
                });
            }
            Ok(())
        }
    }
}

fn check_state_and_people(case: &Case, actor: &Actor, request: &ActionRequest) -> Result<()> {
    if let Some(expected) = request.expected_state {
        if expected != case.state {
            return Err(DecisionsError::Conflict {
                case_id: case.case_id.clone(),
                expected,
                current: case.state,
            });
        }
    }
    match refusal(case, &actor.user, request.action.kind()) {
        Some(refused) => Err(refused),
        None => Ok(()),
    }
}

/// Whether `role` grants `kind` (`access.toml`'s `case_actions`).
fn role_permits(role: &Role, kind: ActionKind) -> bool {
    role.case_actions
        .iter()
        .any(|allowed| allowed == kind.as_str())
}

/// Why `user` may not take `kind` on `case` as it stands: the state does not allow it, the case
/// is someone else's to start, or the decision is their own to approve (four eyes).
fn refusal(case: &Case, user: &str, kind: ActionKind) -> Option<DecisionsError> {
    if !kind.allowed_from().contains(&case.state) {
        return Some(DecisionsError::NotAllowedInState {
            case_id: case.case_id.clone(),
            action: kind,
            state: case.state,
        });
    }
    if kind == ActionKind::Start && case.assignee.as_deref() != Some(user) {
        return Some(DecisionsError::Invalid {
            case_id: case.case_id.clone(),
            field: "user",
            reason: format!(
                "the case is assigned to {}, not {user}",
                case.assignee.as_deref().unwrap_or("nobody"),
            ),
        });
    }
    if matches!(kind, ActionKind::Approve | ActionKind::Return)
        && case.decided_by.as_deref() == Some(user)
    {
        return Some(DecisionsError::FourEyes {
            case_id: case.case_id.clone(),
            user: user.to_string(),
        });
    }
    None
}

/// The actions a person (`user` in `role`) may take on `case` now: what a page offers them,
/// by the same rules [`act`] enforces.
pub fn allowed_actions(role: &Role, user: &str, case: &Case) -> Vec<ActionKind> {
    ActionKind::ALL
        .into_iter()
        .filter(|kind| !kind.is_automatic() && role_permits(role, *kind))
        .filter(|kind| refusal(case, user, *kind).is_none())
        .collect()
}

fn event_for(case: &Case, actor: &Actor, action: &CaseAction) -> CaseEvent {
    let mut event = CaseEvent::next_on(case, action.kind(), &actor.user, &actor.role, Utc::now());
    match action {
        CaseAction::Assign { assignee } => event.assignee = Some(assignee.trim().to_string()),
        CaseAction::Start => {}
        CaseAction::Close { outcome, rationale } => {
            event.outcome = Some(outcome.as_str().to_string());
            event.rationale = Some(rationale.trim().to_string());
        }
        CaseAction::Escalate { rationale } | CaseAction::Return { rationale } => {
            event.rationale = Some(rationale.trim().to_string());
        }
        CaseAction::Decide { decision, text } => {
            event.outcome = Some(decision.as_str().to_string());
            match decision {
                SarDecision::File => event.narrative = Some(text.trim().to_string()),
                SarDecision::NoFile => event.rationale = Some(text.trim().to_string()),
            }
        }
        CaseAction::Approve { rationale } => {
            event.outcome = case.decision.map(|decision| decision.as_str().to_string());
            event.rationale = rationale
                .as_deref()
                .map(str::trim)
                .filter(|text| !text.is_empty())
                .map(str::to_string);
        }
    }
    event
}

/// Why `actor` may not take `action` (a step of access.toml's `case_actions`), as the field at
/// fault and the reason; `None` when they may. An unknown role is an error.
pub(crate) fn role_refusal(
    access: &AccessSettings,
    actor: &Actor,
    action: &str,
) -> Result<Option<(&'static str, String)>> {
    let role = access.role(&actor.role)?;
    if actor.user.trim().is_empty() {
        return Ok(Some((
            "user",
            "every action names the person who takes it".to_string(),
        )));
    }
    if !role.case_actions.iter().any(|allowed| allowed == action) {
        return Ok(Some((
            "role",
            format!(
                "{} acts as {}, which may not '{action}' (access.toml, case_actions)",
                actor.user, actor.role
            ),
        )));
    }
    Ok(None)
}

/// Whether `customer_id` is a customer of `silver.customers`.
pub(crate) async fn customer_exists(lake: &Lake, customer_id: &str) -> Result<bool> {
    let context = paylake_catalog::session::tables_session(lake, &["silver.customers"]).await?;
    let sql = format!(
        "SELECT customer_id FROM silver.customers WHERE customer_id = {}",
        paylake_catalog::sql::text_literal(customer_id)
    );
    let rows: usize = context
        .sql(&sql)
        .await?
        .collect()
        .await?
        .iter()
        .map(arrow::record_batch::RecordBatch::num_rows)
        .sum();
    Ok(rows > 0)
}
