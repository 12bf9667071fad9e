//! `paylake case`: the case queue, one case, and a person's next step on it.

use chrono::{NaiveDate, Utc};
use paylake_catalog::Lake;
use paylake_decisions::cases::{history, replay, QueueRow};
use paylake_decisions::{act, ActionRequest, Actor, Case, CaseAction, CaseState, EventLog};
use serde::Serialize;

use super::readers::allow_reading;
use crate::cli::{CaseCommand, CaseTarget, OutputFormat};
use crate::config::Settings;
use crate::error::{OrchestrationError, Result};

const CASE_EVENTS: &str = "decisions.case_events";

/// Whether a role sees cases: it reads the case log, or works cases.
fn works_cases(
    role: &paylake_catalog::access::Role,
    case_events: &paylake_catalog::TableDef,
) -> bool {
    role.reads(case_events) || !role.case_actions.is_empty()
}

pub async fn run(settings: &Settings, command: CaseCommand) -> Result<()> {
    let sar_days = i64::from(settings.regulatory()?.deadlines.sar_days);
    match command {
        CaseCommand::List {
            lake,
            reader,
            state,
            assignee,
            format,
        } => {
            let lake = super::open_lake(settings, &lake)?;
            allow_reading(
                settings,
                &lake,
                &reader,
                "paylake case list".to_string(),
                CASE_EVENTS,
                works_cases,
            )
            .await?;
            let states = state
                .iter()
                .map(|text| text.parse::<CaseState>().map_err(OrchestrationError::Usage))
                .collect::<Result<Vec<_>>>()?;
            let cases = queue(&lake, sar_days).await?;
            let rows: Vec<QueueRow> = cases
                .into_iter()
                .filter(|row| states.is_empty() || states.contains(&row.case.state))
                .filter(|row| {
                    assignee.is_none() || row.case.assignee.as_deref() == assignee.as_deref()
                })
                .collect();
            print_queue(&rows, format)
        }
        CaseCommand::Show {
            lake,
            reader,
            case_id,
            format,
        } => {
            let lake = super::open_lake(settings, &lake)?;
            allow_reading(
                settings,
                &lake,
                &reader,
                format!("paylake case show {case_id}"),
                CASE_EVENTS,
                works_cases,
            )
            .await?;
            show(&lake, &case_id, sar_days, format).await
        }
        CaseCommand::Assign { target, to } => {
            take(settings, &target, CaseAction::Assign { assignee: to }).await
        }
        CaseCommand::Start { target } => take(settings, &target, CaseAction::Start).await,
        CaseCommand::Close {
            target,
            outcome,
            rationale,
        } => {
            let outcome = outcome.parse().map_err(OrchestrationError::Usage)?;
            take(settings, &target, CaseAction::Close { outcome, rationale }).await
        }
        CaseCommand::Escalate { target, rationale } => {
            take(settings, &target, CaseAction::Escalate { rationale }).await
        }
        CaseCommand::Decide {
            target,
            decision,
            narrative,
            narrative_file,
            rationale,
        } => {
            let decision = decision.parse().map_err(OrchestrationError::Usage)?;
            let narrative = match narrative_file {
                Some(path) => Some(std::fs::read_to_string(&path).map_err(|source| {
                    OrchestrationError::Io {
                        path: path.clone(),
                        source,
                    }
                })?),
                None => narrative,
            };
            let text = narrative.or(rationale).unwrap_or_default();
            take(settings, &target, CaseAction::Decide { decision, text }).await
        }
        CaseCommand::Approve { target, rationale } => {
            take(settings, &target, CaseAction::Approve { rationale }).await
        }
        CaseCommand::Return { target, rationale } => {
            take(settings, &target, CaseAction::Return { rationale }).await
        }
    }
}

/// Takes `action` on the target case and prints the event it wrote.
async fn take(settings: &Settings, target: &CaseTarget, action: CaseAction) -> Result<()> {
    let lake = super::open_lake(settings, &target.lake)?;
    let request = ActionRequest {
        case_id: target.case_id.clone(),
        expected_state: expected_state(target.expect.as_deref())?,
        action,
    };
    let actor = Actor {
        user: target.user.clone(),
        role: target.role.clone(),
    };
    let event = act(&lake, &settings.access()?, &actor, &request).await?;
    println!(
        "{} {}: {} -> {} by {} ({})",
        event.case_id,
        event.action,
        event.from_state.map_or("-", CaseState::as_str),
        event.to_state,
        event.actor,
        event.role
    );
    Ok(())
}

/// The state a person expects a case or break in (`--expect`), read from its name.
pub(super) fn expected_state<S: std::str::FromStr<Err = String>>(
    expect: Option<&str>,
) -> Result<Option<S>> {
    expect
        .map(str::parse)
        .transpose()
        .map_err(OrchestrationError::Usage)
}

/// Every case, the ones still waiting on a person first, by SAR deadline.
pub async fn queue(lake: &Lake, sar_days: i64) -> Result<Vec<QueueRow>> {
    let log = EventLog::load(lake).await?;
    Ok(paylake_decisions::cases::queue(
        &log.events,
        sar_days,
        Utc::now().date_naive(),
    ))
}

fn print_queue(rows: &[QueueRow], format: OutputFormat) -> Result<()> {
    match format {
        OutputFormat::Json => println!("{}", to_json(&rows)?),
        OutputFormat::Csv => {
            println!("case_id,subject_id,state,assignee,alerts,first_detected,sar_due,overdue");
            for row in rows {
                println!(
                    "{},{},{},{},{},{},{},{}",
                    row.case.case_id,
                    row.case.subject_id,
                    row.case.state,
                    row.case.assignee.as_deref().unwrap_or(""),
                    row.case.alert_ids.len(),
                    row.case
                        .first_detected
                        .map(|d| d.to_string())
                        .unwrap_or_default(),
                    row.sar_due.map(|d| d.to_string()).unwrap_or_default(),
                    row.overdue
                );
            }
        }
        OutputFormat::Table => {
            println!(
                "{:<34} {:<18} {:<12} {:>6}  {:<10}  when",
                "case", "state", "assignee", "alerts", "SAR due"
            );
            for row in rows {
                let when = match row.days_to_due {
                    Some(days) if days < 0 => format!("overdue by {} days", -days),
                    Some(days) => format!("{days} days left"),
                    None => String::new(),
                };
                println!(
                    "{:<34} {:<18} {:<12} {:>6}  {:<10}  {}",
                    row.case.case_id,
                    row.case.state,
                    row.case.assignee.as_deref().unwrap_or("-"),
                    row.case.alert_ids.len(),
                    row.sar_due.map(|d| d.to_string()).unwrap_or_default(),
                    when
                );
            }
            println!("{} cases", rows.len());
        }
    }
    Ok(())
}

async fn show(lake: &Lake, case_id: &str, sar_days: i64, format: OutputFormat) -> Result<()> {
    let log = EventLog::load(lake).await?;
    let cases = replay(&log.events);
    let case = cases
        .get(case_id)
        .ok_or_else(|| paylake_decisions::DecisionsError::UnknownCase(case_id.to_string()))?;
    let events = history(&log.events, case_id);
    if format == OutputFormat::Json {
        #[derive(Serialize)]
        struct Shown<'a> {
            #[serde(flatten)]
            case: &'a Case,
            sar_due: Option<NaiveDate>,
            events: Vec<EventView<'a>>,
        }
        let shown = Shown {
            case,
            sar_due: case.sar_due(sar_days),
            events: events.iter().map(|event| EventView::of(event)).collect(),
        };
        println!("{}", to_json(&shown)?);
        return Ok(());
    }
    println!("case {} ({})", case.case_id, case.subject_id);
    println!("  state       {}", case.state);
    println!("  assignee    {}", case.assignee.as_deref().unwrap_or("-"));
    println!(
        "  detected    {} .. {}   SAR due {}",
        case.first_detected
            .map(|d| d.to_string())
            .unwrap_or_default(),
        case.last_detected
            .map(|d| d.to_string())
            .unwrap_or_default(),
        case.sar_due(sar_days)
            .map(|d| d.to_string())
            .unwrap_or_default()
    );
    println!("  alerts      {}", case.alert_ids.join(", "));
    if let Some(decision) = case.decision {
        println!(
            "  decision    {} by {}{}",
            decision.as_str(),
            case.decided_by.as_deref().unwrap_or("-"),
            case.approved_by
                .as_deref()
                .map(|approver| format!(", approved by {approver}"))
                .unwrap_or_default()
        );
    }
    if let Some(export_id) = &case.export_id {
        println!(
            "  filed       {export_id}{}",
            case.bsa_id
                .as_deref()
                .map(|bsa| format!(", BSA ID {bsa}"))
                .unwrap_or_default()
        );
    }
    println!("events:");
    for event in events {
        let said = event
            .narrative
            .as_deref()
            .or(event.rationale.as_deref())
            .unwrap_or("");
        println!(
            "  {:>3} {} {:<18} {:<16} -> {:<18} {} ({}) {}",
            event.sequence,
            event.event_time.format("%Y-%m-%d %H:%M:%S"),
            event.action,
            event.from_state.map_or("-", CaseState::as_str),
            event.to_state,
            event.actor,
            event.role,
            said
        );
    }
    Ok(())
}

/// An event as `case show --format json` prints it.
#[derive(Serialize)]
struct EventView<'a> {
    sequence: i64,
    action: &'static str,
    from_state: Option<&'static str>,
    to_state: &'static str,
    actor: &'a str,
    role: &'a str,
    assignee: Option<&'a str>,
    outcome: Option<&'a str>,
    rationale: Option<&'a str>,
    narrative: Option<&'a str>,
    alert_ids: &'a [String],
    export_id: Option<&'a str>,
    bsa_id: Option<&'a str>,
    event_time: String,
}

impl<'a> EventView<'a> {
    fn of(event: &'a paylake_decisions::CaseEvent) -> Self {
        EventView {
            sequence: event.sequence,
            action: event.action.as_str(),
            from_state: event.from_state.map(CaseState::as_str),
            to_state: event.to_state.as_str(),
            actor: &event.actor,
            role: &event.role,
            assignee: event.assignee.as_deref(),
            outcome: event.outcome.as_deref(),
            rationale: event.rationale.as_deref(),
            narrative: event.narrative.as_deref(),
            alert_ids: &event.alert_ids,
            export_id: event.export_id.as_deref(),
            bsa_id: event.bsa_id.as_deref(),
            event_time: event.event_time.to_rfc3339(),
        }
    }
}

pub(super) fn to_json(value: &impl Serialize) -> Result<String> {
    serde_json::to_string_pretty(value)
        .map_err(|err| OrchestrationError::Usage(format!("printing JSON: {err}")))
}
