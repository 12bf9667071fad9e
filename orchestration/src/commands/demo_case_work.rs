//! The demo's people: an investigator and a BSA officer work the first cases of the queue
//! through the same actions as `paylake case`, so that a newcomer finds cases in every state,
//! and the one SAR they approve is exported and filed.

use paylake_catalog::Lake;
use paylake_decisions::{act, ActionRequest, Actor, CaseAction, CloseOutcome, SarDecision};

use paylake_decisions::cases::QueueRow;

use super::cases::queue;
use crate::config::Settings;
use crate::error::Result;

/// The demo's investigators and approver.
pub const DEMO_INVESTIGATOR: &str = "maria.lopez";
pub const DEMO_SECOND_INVESTIGATOR: &str = "li.wei";
pub const DEMO_APPROVER: &str = "james.okafor";
/// The demo's finance clerk and the controller who approves large write-offs.
pub const DEMO_FINANCE: &str = "sofia.rossi";
pub const DEMO_CONTROLLER: &str = "daniel.kim";

/// What the demo's people did, by the state each case was left in, and how to sign in as them.
pub struct CaseWork {
    pub lines: Vec<String>,
    pub sign_in: Vec<String>,
}

/// Writes the demo's people into the lake's users file, each with a new random password (there
/// is no built-in one); returns how to sign in as each.
fn demo_users(settings: &Settings, lake: &Lake) -> Result<Vec<String>> {
    let Ok(path) = settings.workbench.users_file(lake) else {
        return Ok(vec![
            "set workbench.users_file to sign in to the workbench of a lake on S3".to_string(),
        ]);
    };
    let mut users = paylake_workbench::users::UsersFile::load(&path)?;
    let mut lines = Vec::new();
    for (name, role) in [
        (DEMO_INVESTIGATOR, "investigator"),
        (DEMO_SECOND_INVESTIGATOR, "investigator"),
        (DEMO_APPROVER, "approver"),
        (DEMO_FINANCE, "finance"),
        (DEMO_CONTROLLER, "finance_controller"),
    ] {
        let password = paylake_workbench::users::random_password();
        users.set(name, vec![role.to_string()], Some(&password))?;
        lines.push(format!("{name:<14} {role:<18} password {password}"));
    }
    users.save(&path)?;
    Ok(lines)
}

pub async fn play_case_work(settings: &Settings, lake: &Lake) -> Result<CaseWork> {
    let access = settings.access()?;
    let sar_days = i64::from(settings.regulatory()?.deadlines.sar_days);
    let cases: Vec<QueueRow> = queue(lake, sar_days).await?;
    let investigator = Actor {
        user: DEMO_INVESTIGATOR.to_string(),
        role: "investigator".to_string(),
    };
    let approver = Actor {
        user: DEMO_APPROVER.to_string(),
        role: "approver".to_string(),
    };
    let access = &access;
    let mut lines = Vec::new();
    // The first six cases of the queue are worked; the rest stay new.
    for (index, row) in cases.iter().take(6).enumerate() {
        let case_id = &row.case.case_id;
        let alerts = row.case.alert_ids.len();
        let take = move |actor: &Actor, action: CaseAction| {
            let request = ActionRequest {
                case_id: case_id.clone(),
                expected_state: None,
                action,
            };
            let actor = actor.clone();
            async move { act(lake, access, &actor, &request).await }
        };
        let assignee = if index == 4 {
            DEMO_SECOND_INVESTIGATOR
        } else {
            DEMO_INVESTIGATOR
        };
        take(
            &approver,
            CaseAction::Assign {
                assignee: assignee.to_string(),
            },
        )
        .await?;
        if index == 4 {
            lines.push(format!("{case_id}: assigned to {assignee}"));
            continue;
        }
        take(&investigator, CaseAction::Start).await?;
        match index {
            0 => {
                take(
                    &investigator,
                    CaseAction::Close {
                        outcome: CloseOutcome::FalsePositive,
                        rationale: format!(
                            "Reviewed the {alerts} alerts against the customer's profile and 12 \
                             months of history: the payments are payroll and supplier runs the \
                             customer makes every month."
                        ),
                    },
                )
                .await?;
                lines.push(format!(
                    "{case_id}: closed as false_positive by {DEMO_INVESTIGATOR}"
                ));
            }
            1..=3 => {
                take(
                    &investigator,
                    CaseAction::Escalate {
                        rationale: format!(
                            "{alerts} alerts; the counterparties and the timing of the funds \
                             have no business explanation in the customer's file."
                        ),
                    },
                )
                .await?;
                let (decision, text) = if index == 3 {
                    (
                        SarDecision::NoFile,
                        "The customer documented the source of funds (sale of a property, deed \
                         on file); the activity is explained."
                            .to_string(),
                    )
                } else {
                    (SarDecision::File, demo_narrative(row))
                };
                take(&investigator, CaseAction::Decide { decision, text }).await?;
                match index {
                    1 => {
                        take(&approver, CaseAction::Approve { rationale: None }).await?;
                        lines.push(format!(
                            "{case_id}: SAR decided by {DEMO_INVESTIGATOR}, approved by {DEMO_APPROVER}"
                        ));
                    }
                    2 => {
                        take(
                            &approver,
                            CaseAction::Return {
                                rationale: "Name the accounts the funds went to and the dates \
                                            of the largest transfers in the narrative."
                                    .to_string(),
                            },
                        )
                        .await?;
                        lines.push(format!(
                            "{case_id}: SAR decision returned to {DEMO_INVESTIGATOR} by {DEMO_APPROVER}"
                        ));
                    }
                    _ => lines.push(format!(
                        "{case_id}: no_file decided by {DEMO_INVESTIGATOR}, waiting for approval"
                    )),
                }
            }
            _ => lines.push(format!(
                "{case_id}: under investigation by {DEMO_INVESTIGATOR}"
            )),
        }
    }
    Ok(CaseWork {
        lines,
        sign_in: demo_users(settings, lake)?,
    })
}

/// The narrative the demo's investigator writes: what the case shows and what they found.
fn demo_narrative(row: &QueueRow) -> String {
    let case = &row.case;
    format!(
        "Case {} concerns customer {}. Between {} and {} paylake raised {} alerts on the \
         customer's accounts. I reviewed the customer's profile, the evidence transactions and \
         the counterparties. The transfers moved funds through several accounts within days, \
         with no stated business purpose, and the customer did not explain them when asked. \
         The institution reports the activity as suspicious.",
        case.case_id,
        case.customer_id.as_deref().unwrap_or(&case.subject_id),
        case.first_detected
            .map(|d| d.to_string())
            .unwrap_or_default(),
        case.last_detected
            .map(|d| d.to_string())
            .unwrap_or_default(),
        case.alert_ids.len(),
    )
}
