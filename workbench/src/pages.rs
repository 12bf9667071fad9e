//! The workbench's pages and forms: sign-in, the case queue, the approval queue, a case page and
//! the case's next step. Every form carries the session's CSRF token and the state the page
//! showed; an action is taken through `paylake_decisions::act`, like `paylake case`.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use minijinja::value::Serde;
use minijinja::{context, Value};
use paylake_catalog::access::audit::QueryAuditRow;
use paylake_catalog::access::Role;
use paylake_decisions::cases::{replay, QueueRow};
use paylake_decisions::work::allowed_actions;
use paylake_decisions::{
    act, ActionKind, ActionRequest, Actor, CaseAction, CaseState, DecisionsError, EventLog,
};
use serde::Deserialize;

use crate::data::{case_facts, queue, QueueEntry, CASE_PAGE_TABLES};
use crate::sessions::{session_token, Areas, Session, SESSION_COOKIE};
use crate::templates::render;
use crate::users::UsersFile;
use crate::{AuthMode, Workbench};

pub type Shared = Arc<Workbench>;

/// A page, or the reason there is none.
pub(crate) fn page(status: StatusCode, template: &str, values: Value) -> Response {
    match render(template, values) {
        Ok(html) => (status, Html(html)).into_response(),
        Err(error) => {
            tracing::error!(%error, template, "rendering a workbench page");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "the page could not be rendered",
            )
                .into_response()
        }
    }
}

pub(crate) fn message(
    status: StatusCode,
    session: Option<&Session>,
    heading: &str,
    text: &str,
    back: Option<&str>,
) -> Response {
    page(
        status,
        "message.html",
        context! { session => session.map(session_value), heading, message => text, back },
    )
}

pub(crate) fn session_value(session: &Session) -> Value {
    context! {
        user => session.user.clone(),
        role => session.role.clone(),
        csrf => session.csrf_token.clone(),
        cases => session.areas.cases,
        approver => session.areas.case_approvals,
        breaks => session.areas.breaks,
        suppressions => session.areas.suppressions,
    }
}

/// What `role` may open: cases when it reads them or works them, approvals when it approves
/// SAR decisions, breaks when it works them.
fn areas(workbench: &Workbench, role: &str) -> Areas {
    let Ok(role) = workbench.access.role(role) else {
        return Areas::default();
    };
    let table = paylake_decisions::events::case_events_table().ok();
    Areas {
        cases: table.is_some_and(|table| role.reads(table)) || !role.case_actions.is_empty(),
        case_approvals: role.case_actions.iter().any(|action| action == "approve"),
        breaks: !role.break_actions.is_empty(),
        suppressions: role
            .case_actions
            .iter()
            .any(|action| action == "suppress_alerts"),
    }
}

/// The signed-in person, or where to send them: the sign-in page, or (behind the
/// authenticating proxy) a session started for the user the proxy names.
pub(crate) fn signed_in(
    workbench: &Workbench,
    headers: &HeaderMap,
) -> Result<(Session, Option<String>), Box<Response>> {
    let cookie = headers
        .get(header::COOKIE)
        .and_then(|value| value.to_str().ok());
    if let Some(session) = session_token(cookie).and_then(|token| workbench.sessions.get(&token)) {
        return Ok((session, None));
    }
    match &workbench.auth {
        AuthMode::Local => Err(Box::new(Redirect::to("/login").into_response())),
        AuthMode::TrustedHeader { header: name } => {
            let user = headers
                .get(name.as_str())
                .and_then(|value| value.to_str().ok())
                .map(str::trim)
                .filter(|user| !user.is_empty());
            let known = user.and_then(|user| {
                let users = UsersFile::load(&workbench.users_file).ok()?;
                users.find(user).cloned()
            });
            let Some(known) = known else {
                return Err(Box::new(message(
                    StatusCode::FORBIDDEN,
                    None,
                    "Not signed in",
                    "the authenticating proxy named no user of the users file",
                    None,
                )));
            };
            let role = known.roles.first().cloned().unwrap_or_default();
            let token = workbench
                .sessions
                .start(&known.name, &role, areas(workbench, &role));
            let session = workbench
                .sessions
                .get(&token)
                .expect("a session just started");
            Ok((session, Some(session_cookie(&token))))
        }
    }
}

fn session_cookie(token: &str) -> String {
    format!("{SESSION_COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/")
}

/// The role of the session, when it may see cases at all.
fn case_role<'a>(workbench: &'a Workbench, session: &Session) -> Option<&'a Role> {
    let role = workbench.access.role(&session.role).ok()?;
    let table = paylake_decisions::events::case_events_table().ok()?;
    (role.reads(table) || !role.case_actions.is_empty()).then_some(role)
}

/// Records in `system.query_audit` that the session's person looked at `what`, which read
/// `tables` (or was refused for `refused`): reading cases is audited like querying them. When the
/// look cannot be recorded, the page is not shown.
pub(crate) async fn audit_view(
    workbench: &Workbench,
    session: &Session,
    what: String,
    tables: &[&str],
    refused: Option<String>,
) -> Result<(), Response> {
    let row = QueryAuditRow::view(
        &session.user,
        &session.role,
        &workbench.access.version,
        what,
        tables,
    );
    let row = match refused {
        Some(reason) => row.refused(reason),
        None => row,
    };
    workbench.audit.record(row).await.map_err(|error| {
        tracing::error!(%error, user = session.user, "recording a workbench page view");
        message(
            StatusCode::INTERNAL_SERVER_ERROR,
            Some(session),
            "The view could not be audited",
            &error.to_string(),
            None,
        )
    })
}

/// The HTTP status of a refused action on a case or a break.
pub(crate) fn refusal_status(error: &DecisionsError) -> StatusCode {
    use DecisionsError::*;
    match error {
        Conflict { .. }
        | NotAllowedInState { .. }
        | BreakConflict { .. }
        | BreakNotAllowedInState { .. } => StatusCode::CONFLICT,
        NotPermitted { .. } | FourEyes { .. } | BreakNotPermitted { .. } | BreakFourEyes { .. } => {
            StatusCode::FORBIDDEN
        }
        UnknownCase(_) | UnknownBreak(_) | UnknownExemption(_) => StatusCode::NOT_FOUND,
        Invalid { .. }
        | InvalidBreak { .. }
        | InvalidExemption { .. }
        | InvalidSuppression { .. }
        | InvalidRules { .. } => StatusCode::BAD_REQUEST,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// A form posted by a signed-in person, with the page it came from.
pub(crate) struct FormPost {
    pub session: Session,
    cookie: Option<String>,
    back: String,
}

impl FormPost {
    /// The post's person, or the page that refuses it: a form that does not carry the
    /// session's CSRF token was not made by one of its pages.
    pub fn checked(
        workbench: &Workbench,
        headers: &HeaderMap,
        form: &HashMap<String, String>,
        back: String,
    ) -> Result<FormPost, Box<Response>> {
        let (session, cookie) = signed_in(workbench, headers)?;
        let post = FormPost {
            session,
            cookie,
            back,
        };
        if form.get("csrf") != Some(&post.session.csrf_token) {
            tracing::warn!(
                user = post.session.user,
                page = post.back,
                "workbench form without its CSRF token"
            );
            return Err(Box::new(post.refuse(
                StatusCode::FORBIDDEN,
                "the form is not this session's (missing or wrong CSRF token); reload the page",
            )));
        }
        Ok(post)
    }

    /// Nothing was written: the page says why, with the way back.
    pub fn refuse(&self, status: StatusCode, reason: &str) -> Response {
        with_cookie(
            message(
                status,
                Some(&self.session),
                "Refused",
                reason,
                Some(&self.back),
            ),
            self.cookie.clone(),
        )
    }

    /// The action landed: back to the page it came from.
    pub fn done(&self) -> Response {
        with_cookie(
            Redirect::to(&self.back).into_response(),
            self.cookie.clone(),
        )
    }
}

pub(crate) fn with_cookie(response: Response, cookie: Option<String>) -> Response {
    match cookie {
        Some(cookie) => ([(header::SET_COOKIE, cookie)], response).into_response(),
        None => response,
    }
}

pub async fn login_page(State(workbench): State<Shared>) -> Response {
    if !matches!(workbench.auth, AuthMode::Local) {
        return Redirect::to("/").into_response();
    }
    page(
        StatusCode::OK,
        "login.html",
        context! { session => Value::from(()), error => Value::from(()) },
    )
}

#[derive(Deserialize)]
pub struct SignIn {
    user: String,
    password: String,
    #[serde(default)]
    role: String,
}

pub async fn login(State(workbench): State<Shared>, Form(sign_in): Form<SignIn>) -> Response {
    if !matches!(workbench.auth, AuthMode::Local) {
        return Redirect::to("/").into_response();
    }
    let user = sign_in.user.trim();
    // Repeated wrong passwords for a user are answered ever more slowly.
    tokio::time::sleep(workbench.sessions.sign_in_delay(user)).await;
    let refused = |error: &str| {
        page(
            StatusCode::UNAUTHORIZED,
            "login.html",
            context! { session => Value::from(()), error },
        )
    };
    let users = match UsersFile::load(&workbench.users_file) {
        Ok(users) => users,
        Err(error) => return refused(&error.to_string()),
    };
    let Some(known) = users.verify(user, &sign_in.password) else {
        workbench.sessions.record_failure(user);
        tracing::warn!(user, "workbench sign-in refused");
        return refused("wrong user name or password");
    };
    let role = match sign_in.role.trim() {
        "" => known.roles.first().cloned(),
        asked => known.roles.iter().find(|role| *role == asked).cloned(),
    };
    let Some(role) = role else {
        return refused("that role is not one of yours");
    };
    workbench.sessions.clear_failures(user);
    let token = workbench
        .sessions
        .start(&known.name, &role, areas(&workbench, &role));
    tracing::info!(user, role, "workbench sign-in");
    (
        [(header::SET_COOKIE, session_cookie(&token))],
        Redirect::to("/"),
    )
        .into_response()
}

#[derive(Deserialize)]
pub struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

pub async fn logout(
    State(workbench): State<Shared>,
    headers: HeaderMap,
    Form(form): Form<CsrfOnly>,
) -> Response {
    let cookie = headers
        .get(header::COOKIE)
        .and_then(|value| value.to_str().ok());
    if let Some(token) = session_token(cookie) {
        if workbench
            .sessions
            .get(&token)
            .is_some_and(|session| session.csrf_token == form.csrf)
        {
            workbench.sessions.end(&token);
        }
    }
    (
        [(
            header::SET_COOKIE,
            format!("{SESSION_COOKIE}=; Max-Age=0; Path=/"),
        )],
        Redirect::to("/login"),
    )
        .into_response()
}

#[derive(Deserialize, Default)]
pub struct QueueFilters {
    #[serde(default)]
    state: String,
    #[serde(default)]
    assignee: String,
    #[serde(default)]
    typology: String,
    #[serde(default)]
    risk: String,
}

pub async fn case_queue(
    State(workbench): State<Shared>,
    headers: HeaderMap,
    Query(filters): Query<QueueFilters>,
) -> Response {
    queue_page(&workbench, &headers, filters, "/", "Case queue").await
}

pub async fn approval_queue(State(workbench): State<Shared>, headers: HeaderMap) -> Response {
    let filters = QueueFilters {
        state: CaseState::PendingApproval.as_str().to_string(),
        ..QueueFilters::default()
    };
    queue_page(
        &workbench,
        &headers,
        filters,
        "/approvals",
        "Decisions waiting for approval",
    )
    .await
}

async fn queue_page(
    workbench: &Workbench,
    headers: &HeaderMap,
    filters: QueueFilters,
    path: &str,
    heading: &str,
) -> Response {
    let (session, cookie) = match signed_in(workbench, headers) {
        Ok(signed_in) => signed_in,
        Err(response) => return *response,
    };
    if case_role(workbench, &session).is_none() {
        if session.areas.breaks && path == "/" {
            return with_cookie(Redirect::to("/breaks").into_response(), cookie);
        }
        let text = format!("the role {} sees no cases", session.role);
        return with_cookie(
            message(
                StatusCode::FORBIDDEN,
                Some(&session),
                "No cases",
                &text,
                None,
            ),
            cookie,
        );
    }
    // By default the cases a person still owes work on; `all`, or one state, on request.
    let keep = |row: &QueueRow| {
        let state_kept = match filters.state.as_str() {
            "" => row.case.state.awaits_work(),
            "all" => true,
            state => row.case.state.as_str() == state,
        };
        state_kept
            && (filters.assignee.is_empty()
                || row.case.assignee.as_deref() == Some(filters.assignee.as_str()))
    };
    let entries = match queue(&workbench.lake, workbench.sar_days, keep).await {
        Ok(entries) => entries,
        Err(error) => {
            return message(
                StatusCode::INTERNAL_SERVER_ERROR,
                Some(&session),
                "The lake could not be read",
                &error.to_string(),
                None,
            )
        }
    };
    let shown: Vec<Value> = entries
        .iter()
        .filter(|entry| filters.typology.is_empty() || entry.typologies.contains(&filters.typology))
        .filter(|entry| {
            filters.risk.is_empty() || entry.risk.as_deref() == Some(filters.risk.as_str())
        })
        .map(entry_value)
        .collect();
    let states: Vec<&str> = CaseState::ALL.iter().map(|state| state.as_str()).collect();
    let values = context! {
        session => session_value(&session),
        heading,
        path,
        states,
        entries => shown,
        filters => context! {
            state => filters.state, assignee => filters.assignee,
            typology => filters.typology, risk => filters.risk,
        },
    };
    with_cookie(page(StatusCode::OK, "queue.html", values), cookie)
}

fn entry_value(entry: &QueueEntry) -> Value {
    let case = &entry.row.case;
    context! {
        case_id => case.case_id.clone(),
        subject_id => case.subject_id.clone(),
        state => case.state.as_str(),
        assignee => case.assignee.clone(),
        typologies => entry.typologies.clone(),
        risk => entry.risk.clone(),
        alerts => case.alert_ids.len(),
        first_detected => case.first_detected.map(|date| date.to_string()),
        sar_due => entry.row.sar_due.map(|date| date.to_string()),
        days_to_due => entry.row.days_to_due,
        overdue => entry.row.overdue,
        aged => entry.aged(),
    }
}

pub async fn case_page(
    State(workbench): State<Shared>,
    headers: HeaderMap,
    Path(case_id): Path<String>,
) -> Response {
    let (session, cookie) = match signed_in(&workbench, &headers) {
        Ok(signed_in) => signed_in,
        Err(response) => return *response,
    };
    with_cookie(
        render_case(&workbench, &session, &case_id, StatusCode::OK).await,
        cookie,
    )
}

async fn render_case(
    workbench: &Workbench,
    session: &Session,
    case_id: &str,
    status: StatusCode,
) -> Response {
    let what = format!("workbench: case page {case_id}");
    let Some(role) = case_role(workbench, session) else {
        let text = format!("the role {} sees no cases", session.role);
        if let Err(response) = audit_view(workbench, session, what, &[], Some(text.clone())).await {
            return response;
        }
        return message(
            StatusCode::FORBIDDEN,
            Some(session),
            "No cases",
            &text,
            None,
        );
    };
    let loaded = async {
        let log = EventLog::load(&workbench.lake).await?;
        let Some(case) = replay(&log.events).remove(case_id) else {
            return Ok::<_, crate::WorkbenchError>(None);
        };
        let facts = case_facts(&workbench.lake, &case, &log.events).await?;
        Ok::<_, crate::WorkbenchError>(Some((case, facts)))
    };
    let (case, facts) = match loaded.await {
        Ok(Some(found)) => found,
        Ok(None) => {
            return message(
                StatusCode::NOT_FOUND,
                Some(session),
                "No such case",
                &format!("case {case_id}: no such case"),
                Some("/"),
            )
        }
        Err(error) => {
            return message(
                StatusCode::INTERNAL_SERVER_ERROR,
                Some(session),
                "The lake could not be read",
                &error.to_string(),
                None,
            )
        }
    };
    if let Err(response) = audit_view(workbench, session, what, &CASE_PAGE_TABLES, None).await {
        return response;
    }
    let events: Vec<Value> = facts
        .events
        .iter()
        .map(|event| {
            context! {
                sequence => event.sequence,
                time => event.event_time.format("%Y-%m-%d %H:%M:%S").to_string(),
                actor => event.actor.clone(),
                role => event.role.clone(),
                action => event.action.as_str(),
                assignee => event.assignee.clone(),
                outcome => event.outcome.clone(),
                from_state => event.from_state.map(CaseState::as_str),
                to_state => event.to_state.as_str(),
                said => event.narrative.as_deref().or(event.rationale.as_deref()).unwrap_or(""),
            }
        })
        .collect();
    let prior_cases: Vec<Value> = facts
        .prior_cases
        .iter()
        .map(|prior| Value::from(Serde(prior)))
        .collect();
    let values = context! {
        session => session_value(session),
        case => Value::from(Serde(&case)),
        sar_due => case.sar_due(workbench.sar_days).map(|date| date.to_string()),
        actions => allowed_actions(role, &session.user, &case)
            .into_iter()
            .map(ActionKind::as_str)
            .collect::<Vec<_>>(),
        customer => facts.customer,
        risk => facts.risk,
        alerts => facts.alerts,
        evidence => facts.evidence,
        money_flow => facts.money_flow,
        sanctions_hits => facts.sanctions_hits,
        summary => facts.summary,
        prior_cases,
        events,
    };
    page(status, "case.html", values)
}

pub async fn case_action(
    State(workbench): State<Shared>,
    headers: HeaderMap,
    Path(case_id): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let post = match FormPost::checked(&workbench, &headers, &form, format!("/cases/{case_id}")) {
        Ok(post) => post,
        Err(response) => return *response,
    };
    let refuse = |status: StatusCode, reason: &str| post.refuse(status, reason);
    let session = &post.session;
    let parsed = parse_action(&form).and_then(|action| {
        let expected = form.get("expected_state").map_or("", String::as_str);
        Ok((action, expected.parse::<CaseState>()?))
    });
    let (action, expected_state) = match parsed {
        Ok(parsed) => parsed,
        Err(reason) => return refuse(StatusCode::BAD_REQUEST, &reason),
    };
    let request = ActionRequest {
        case_id: case_id.clone(),
        expected_state: Some(expected_state),
        action,
    };
    let actor = Actor {
        user: session.user.clone(),
        role: session.role.clone(),
    };
    match act(&workbench.lake, &workbench.access, &actor, &request).await {
        Ok(event) => {
            tracing::info!(
                user = session.user,
                case_id,
                action = event.action.as_str(),
                "case action"
            );
            post.done()
        }
        Err(error) => {
            let status = refusal_status(&error);
            refuse(status, &error.to_string())
        }
    }
}

/// The action a case form asks for, with its fields.
fn parse_action(form: &HashMap<String, String>) -> Result<CaseAction, String> {
    let field = |name: &str| form.get(name).map(String::as_str).unwrap_or("");
    let text = |name: &str| field(name).to_string();
    Ok(match field("action") {
        "assign" => CaseAction::Assign {
            assignee: text("assignee"),
        },
        "start" => CaseAction::Start,
        "close" => CaseAction::Close {
            outcome: field("outcome").parse()?,
            rationale: text("rationale"),
        },
        "escalate" => CaseAction::Escalate {
            rationale: text("rationale"),
        },
        "decide" => CaseAction::Decide {
            decision: field("decision").parse()?,
            text: text("text"),
        },
        "approve" => CaseAction::Approve {
            rationale: Some(text("rationale")),
        },
        "return" => CaseAction::Return {
            rationale: text("rationale"),
        },
        other => {
            return Err(format!(
                "'{other}' is not an action a person takes on a case"
            ))
        }
    })
}
