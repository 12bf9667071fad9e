//! Suppressions and whitelists in the workbench: the decisions in the lake, each with its way
//! to end it early, and the form that takes a new one, through
//! `paylake_decisions::suppressions::act_on_suppression` like `paylake aml suppress` and
//! `paylake aml whitelist`. Only roles with `suppress_alerts` in access.toml open these pages.

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Form;
use minijinja::context;
use paylake_decisions::suppressions::{
    act_on_suppression, current_suppressions, SuppressionLog, SuppressionStep, SuppressionSubject,
    MAX_SUPPRESSION_DAYS,
};
use paylake_decisions::Actor;

use crate::pages::{
    audit_view, message, page, refusal_status, session_value, signed_in, with_cookie, FormPost,
    Shared,
};

/// The page: every decision as its last event leaves it, and the form of a new one.
pub async fn suppressions_page(State(workbench): State<Shared>, headers: HeaderMap) -> Response {
    let (session, cookie) = match signed_in(&workbench, &headers) {
        Ok(signed_in) => signed_in,
        Err(response) => return *response,
    };
    if !session.areas.suppressions {
        let refused = message(
            StatusCode::FORBIDDEN,
            Some(&session),
            "No suppressions",
            &format!("the role {} decides no suppressions", session.role),
            None,
        );
        return with_cookie(refused, cookie);
    }
    // The decisions name customers and counterparties: a look is audited as a query is.
    let what = "workbench: suppressions page".to_string();
    if let Err(response) = audit_view(
        &workbench,
        &session,
        what,
        &["decisions.suppression_events"],
        None,
    )
    .await
    {
        return with_cookie(response, cookie);
    }
    let log = match SuppressionLog::load(&workbench.lake).await {
        Ok(log) => log,
        Err(error) => {
            let failed = message(
                StatusCode::INTERNAL_SERVER_ERROR,
                Some(&session),
                "The lake could not be read",
                &error.to_string(),
                None,
            );
            return with_cookie(failed, cookie);
        }
    };
    let decisions: Vec<_> = current_suppressions(&log.events)
        .into_values()
        .map(|decision| {
            context! {
                decision_id => decision.decision_id,
                kind => decision.kind,
                state => decision.action,
                party => decision.customer_id.or(decision.counterparty_name).unwrap_or_default(),
                subject => decision.rule_id.unwrap_or_else(|| decision
                    .sdn_ent_num
                    .map_or_else(String::new, |ent_num| format!("SDN entry {ent_num}"))),
                valid_from => decision.valid_from.to_string(),
                expires_on => decision.expires_on.to_string(),
                actor => decision.actor,
                rationale => decision.rationale,
            }
        })
        .collect();
    let values = context! {
        session => session_value(&session),
        decisions,
        max_days => MAX_SUPPRESSION_DAYS,
    };
    with_cookie(page(StatusCode::OK, "suppressions.html", values), cookie)
}

/// A new suppression (`kind` = `suppress_rule`) or whitelist (`whitelist`).
pub async fn suppress(
    State(workbench): State<Shared>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let post = match FormPost::checked(&workbench, &headers, &form, "/suppressions".to_string()) {
        Ok(post) => post,
        Err(response) => return *response,
    };
    let field = |name: &str| {
        form.get(name)
            .map(|value| value.trim().to_string())
            .unwrap_or_default()
    };
    let customer = field("customer");
    let subject = match field("kind").as_str() {
        "suppress_rule" => SuppressionSubject::Rule {
            customer_id: customer,
            rule_id: field("rule"),
        },
        "whitelist" => {
            let Ok(ent_num) = field("ent_num").parse::<i64>() else {
                return post.refuse(
                    StatusCode::BAD_REQUEST,
                    "ent_num: an SDN entry's number is required",
                );
            };
            if customer.is_empty() {
                SuppressionSubject::CounterpartyWhitelist {
                    name: field("counterparty"),
                    ent_num,
                }
            } else {
                SuppressionSubject::CustomerWhitelist {
                    customer_id: customer,
                    ent_num,
                }
            }
        }
        other => {
            return post.refuse(
                StatusCode::BAD_REQUEST,
                &format!("'{other}' is not a kind of suppression"),
            )
        }
    };
    let (Ok(valid_from), Ok(days)) = (
        field("valid_from").parse::<chrono::NaiveDate>(),
        field("days").parse::<i64>(),
    ) else {
        return post.refuse(
            StatusCode::BAD_REQUEST,
            "valid_from (YYYY-MM-DD) and days (a number) are required",
        );
    };
    let step = SuppressionStep::Grant {
        subject,
        valid_from,
        days,
        rationale: field("rationale"),
    };
    take(&workbench, &post, &step).await
}

/// Ends a decision before it expires.
pub async fn revoke(
    State(workbench): State<Shared>,
    headers: HeaderMap,
    Path(decision_id): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let post = match FormPost::checked(&workbench, &headers, &form, "/suppressions".to_string()) {
        Ok(post) => post,
        Err(response) => return *response,
    };
    let step = SuppressionStep::Revoke {
        decision_id,
        rationale: form.get("rationale").cloned().unwrap_or_default(),
    };
    take(&workbench, &post, &step).await
}

async fn take(workbench: &crate::Workbench, post: &FormPost, step: &SuppressionStep) -> Response {
    let actor = Actor {
        user: post.session.user.clone(),
        role: post.session.role.clone(),
    };
    match act_on_suppression(&workbench.lake, &workbench.access, &actor, step).await {
        Ok(event) => {
            tracing::info!(
                user = post.session.user,
                decision_id = event.decision_id,
                action = event.action,
                "suppression decided"
            );
            post.done()
        }
        Err(error) => post.refuse(refusal_status(&error), &error.to_string()),
    }
}
