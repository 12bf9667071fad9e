//! Finance's exception queue: the reconciliation breaks open at the latest reconciled date, a
//! break's page with its history, and the next step on it, taken through
//! `paylake_decisions::breaks::act_on_break` like `paylake break`. Only roles with
//! `break_actions` in access.toml open these pages.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Form;
use minijinja::{context, Value};
use paylake_catalog::money::format_decimal;
use paylake_decisions::breaks::events::BreakLog;
use paylake_decisions::breaks::work::allowed_break_actions;
use paylake_decisions::breaks::{
    act_on_break, open_breaks, BreakAction, BreakRequest, BreakState, BreakWork, OpenBreak,
};
use paylake_decisions::{Actor, DecisionsError};
use serde::Deserialize;

use crate::pages::{
    audit_view, message, page, refusal_status, session_value, signed_in, with_cookie, FormPost,
    Shared,
};
use crate::sessions::Session;
use crate::Workbench;

/// The tables a break page reads.
const BREAK_PAGE_TABLES: [&str; 3] = [
    "gold.recon_breaks",
    "silver.fx_rates",
    "decisions.break_events",
];

/// The refusal of a role that works no breaks, or `None`.
fn refuse_role(session: &Session) -> Option<Response> {
    (!session.areas.breaks).then(|| {
        message(
            StatusCode::FORBIDDEN,
            Some(session),
            "No breaks",
            &format!("the role {} works no reconciliation breaks", session.role),
            None,
        )
    })
}

/// The signed-in person, when their role works breaks; otherwise the page that says why.
fn finance_session(
    workbench: &Workbench,
    headers: &HeaderMap,
) -> Result<(Session, Option<String>), Box<Response>> {
    let (session, cookie) = signed_in(workbench, headers)?;
    match refuse_role(&session) {
        Some(refused) => Err(Box::new(with_cookie(refused, cookie))),
        None => Ok((session, cookie)),
    }
}

fn break_value(open: &OpenBreak) -> Value {
    let column = |name: &str| open.columns.get(name).cloned().unwrap_or_default();
    context! {
        break_id => open.break_id.clone(),
        category => open.category.clone(),
        reference => column("reference"),
        left => format!("{} {}", column("left_side"), column("left_reference")),
        right => format!("{} {}", column("right_side"), column("right_reference")),
        field => column("field"),
        expected_value => column("expected_value"),
        actual_value => column("actual_value"),
        detail => column("detail"),
        currency => open.currency.clone(),
        amount => open.amount.map(|cents| format_decimal(cents, 2)),
        amount_usd => open.amount_usd.map(|cents| format_decimal(cents, 2)),
        age_days => open.age_days,
        status => open.status.clone(),
        business_date => open.business_date.to_string(),
        state => open.work.state.as_str(),
        assignee => open.work.assignee.clone(),
        requested_by => open.work.write_off_requested_by.clone(),
    }
}

#[derive(Deserialize, Default)]
pub struct BreakFilters {
    #[serde(default)]
    state: String,
}

pub async fn break_queue(
    State(workbench): State<Shared>,
    headers: HeaderMap,
    Query(filters): Query<BreakFilters>,
) -> Response {
    let (session, cookie) = match finance_session(&workbench, &headers) {
        Ok(signed_in) => signed_in,
        Err(response) => return *response,
    };
    let breaks = match open_breaks(&workbench.lake, None).await {
        Ok(breaks) => breaks,
        Err(error) => return lake_unreadable(&session, &error),
    };
    let shown: Vec<Value> = breaks
        .iter()
        .filter(|open| filters.state.is_empty() || open.work.state.as_str() == filters.state)
        .map(break_value)
        .collect();
    let states: Vec<&str> = BreakState::ALL.iter().map(|state| state.as_str()).collect();
    let values = context! {
        session => session_value(&session),
        breaks => shown,
        states,
        filter_state => filters.state,
        approval_above_usd => workbench.write_off_approval_above_usd.clone(),
    };
    with_cookie(page(StatusCode::OK, "breaks.html", values), cookie)
}

fn lake_unreadable(session: &Session, error: &dyn std::fmt::Display) -> Response {
    message(
        StatusCode::INTERNAL_SERVER_ERROR,
        Some(session),
        "The lake could not be read",
        &error.to_string(),
        None,
    )
}

pub async fn break_page(
    State(workbench): State<Shared>,
    headers: HeaderMap,
    Path(break_id): Path<String>,
) -> Response {
    let (session, cookie) = match finance_session(&workbench, &headers) {
        Ok(signed_in) => signed_in,
        Err(response) => return *response,
    };
    with_cookie(render_break(&workbench, &session, &break_id).await, cookie)
}

async fn render_break(workbench: &Workbench, session: &Session, break_id: &str) -> Response {
    let Ok(role) = workbench.access.role(&session.role) else {
        return refuse_role(session).unwrap_or_else(|| StatusCode::FORBIDDEN.into_response());
    };
    let loaded = async {
        let open = open_breaks(&workbench.lake, Some(break_id)).await?;
        let log = BreakLog::load(&workbench.lake).await?;
        Ok::<_, DecisionsError>((open, log.events))
    };
    let (open, events) = match loaded.await {
        Ok(loaded) => loaded,
        Err(error) => return lake_unreadable(session, &error),
    };
    let what = format!("workbench: break page {break_id}");
    if let Err(response) = audit_view(workbench, session, what, &BREAK_PAGE_TABLES, None).await {
        return response;
    }
    let Some(open) = open.into_iter().next() else {
        return message(
            StatusCode::NOT_FOUND,
            Some(session),
            "No such break",
            &format!("break {break_id}: no such break open at the latest reconciled date"),
            Some("/breaks"),
        );
    };
    let history: Vec<Value> = events
        .iter()
        .filter(|event| event.break_id == break_id)
        .map(|event| {
            context! {
                sequence => event.sequence,
                time => event.event_time.format("%Y-%m-%d %H:%M:%S").to_string(),
                actor => event.actor.clone(),
                role => event.role.clone(),
                action => event.action.as_str(),
                from_state => event.from_state.as_str(),
                to_state => event.to_state.as_str(),
                assignee => event.assignee.clone(),
                counter_item => event.counter_item.clone(),
                note => event.note.clone(),
            }
        })
        .collect();
    let values = context! {
        session => session_value(session),
        item => break_value(&open),
        actions => allowed_break_actions(role, &session.user, &open)
            .into_iter()
            .map(BreakAction::as_str)
            .collect::<Vec<_>>(),
        approval_above_usd => workbench.write_off_approval_above_usd.clone(),
        events => history,
    };
    page(StatusCode::OK, "break.html", values)
}

pub async fn break_action(
    State(workbench): State<Shared>,
    headers: HeaderMap,
    Path(break_id): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let post = match FormPost::checked(&workbench, &headers, &form, format!("/breaks/{break_id}")) {
        Ok(post) => post,
        Err(response) => return *response,
    };
    let refuse = |status: StatusCode, reason: &str| post.refuse(status, reason);
    let session = &post.session;
    let field = |name: &str| form.get(name).cloned().unwrap_or_default();
    let work = match field("action").as_str() {
        "assign" => BreakWork::Assign {
            assignee: field("assignee"),
        },
        "annotate" => BreakWork::Annotate {
            note: field("note"),
        },
        "match" => BreakWork::Match {
            counter_item: field("counter_item"),
            note: field("note"),
        },
        "write_off" => BreakWork::WriteOff {
            note: field("note"),
        },
        "approve" => BreakWork::Approve {
            note: Some(field("note")),
        },
        "reject" => BreakWork::Reject {
            note: field("note"),
        },
        other => {
            return refuse(
                StatusCode::BAD_REQUEST,
                &format!("'{other}' is not an action a person takes on a break"),
            )
        }
    };
    let expected_state = match field("expected_state").parse::<BreakState>() {
        Ok(state) => state,
        Err(reason) => return refuse(StatusCode::BAD_REQUEST, &reason),
    };
    let request = BreakRequest {
        break_id: break_id.clone(),
        expected_state: Some(expected_state),
        work,
    };
    let actor = Actor {
        user: session.user.clone(),
        role: session.role.clone(),
    };
    match act_on_break(
        &workbench.lake,
        &workbench.access,
        &actor,
        &request,
        &workbench.write_off_approval_above_usd,
    )
    .await
    {
        Ok(event) => {
            tracing::info!(
                user = session.user,
                break_id,
                action = event.action.as_str(),
                "break action"
            );
            post.done()
        }
        Err(error) => {
            let status = refusal_status(&error);
            refuse(status, &error.to_string())
        }
    }
}
