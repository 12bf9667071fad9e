//! `paylake break`: the reconciliation breaks open at the latest reconciled date, and a
//! person's decision on one.

use paylake_catalog::money::format_decimal;
use paylake_decisions::breaks::{
    act_on_break, open_breaks, BreakRequest, BreakState, BreakWork, OpenBreak,
};
use paylake_decisions::Actor;
use serde::Serialize;

use super::cases::{expected_state, to_json};
use crate::cli::{BreakCommand, BreakTarget, OutputFormat};
use crate::config::Settings;
use crate::error::{OrchestrationError, Result};

pub async fn run(settings: &Settings, command: BreakCommand) -> Result<()> {
    match command {
        BreakCommand::List {
            lake,
            reader,
            state,
            format,
        } => {
            let lake = super::open_lake(settings, &lake)?;
            super::readers::allow_reading(
                settings,
                &lake,
                &reader,
                "paylake break list".to_string(),
                "decisions.break_events",
                // Finance's queue: the roles that work breaks, and paylake itself.
                |role, _| !role.break_actions.is_empty() || role.write,
            )
            .await?;
            let states = state
                .iter()
                .map(|text| {
                    text.parse::<BreakState>()
                        .map_err(OrchestrationError::Usage)
                })
                .collect::<Result<Vec<_>>>()?;
            let breaks: Vec<OpenBreak> = open_breaks(&lake, None)
                .await?
                .into_iter()
                .filter(|open| states.is_empty() || states.contains(&open.work.state))
                .collect();
            print_breaks(&breaks, format)
        }
        BreakCommand::Assign { target, to } => {
            take(settings, &target, BreakWork::Assign { assignee: to }).await
        }
        BreakCommand::Annotate { target, note } => {
            take(settings, &target, BreakWork::Annotate { note }).await
        }
        BreakCommand::Match {
            target,
            counter_item,
            note,
        } => take(settings, &target, BreakWork::Match { counter_item, note }).await,
        BreakCommand::WriteOff { target, note } => {
            take(settings, &target, BreakWork::WriteOff { note }).await
        }
        BreakCommand::Approve { target, note } => {
            take(settings, &target, BreakWork::Approve { note }).await
        }
        BreakCommand::Reject { target, note } => {
            take(settings, &target, BreakWork::Reject { note }).await
        }
    }
}

/// Takes `work` on the target break and prints the event it wrote.
async fn take(settings: &Settings, target: &BreakTarget, work: BreakWork) -> Result<()> {
    let lake = super::open_lake(settings, &target.lake)?;
    let request = BreakRequest {
        break_id: target.break_id.clone(),
        expected_state: expected_state(target.expect.as_deref())?,
        work,
    };
    let actor = Actor {
        user: target.user.clone(),
        role: target.role.clone(),
    };
    let rules = settings.finance_rules()?;
    let event = act_on_break(
        &lake,
        &settings.access()?,
        &actor,
        &request,
        &rules.breaks.write_off_approval_above_usd,
    )
    .await?;
    println!(
        "break {} {}: {} -> {} by {} ({}), event {}; takes effect in the reconciliation of {}",
        event.break_id,
        event.action,
        event.from_state,
        event.to_state,
        event.actor,
        event.role,
        event.event_id,
        event.business_date
    );
    Ok(())
}

/// A break as `paylake break list` prints it.
#[derive(Serialize)]
struct BreakView<'a> {
    break_id: &'a str,
    category: &'a str,
    currency: Option<&'a str>,
    amount: Option<String>,
    amount_usd: Option<String>,
    age_days: i64,
    status: &'a str,
    state: BreakState,
    assignee: Option<&'a str>,
    business_date: String,
    reference: &'a str,
}

impl<'a> BreakView<'a> {
    fn of(open: &'a OpenBreak) -> Self {
        BreakView {
            break_id: &open.break_id,
            category: &open.category,
            currency: open.currency.as_deref(),
            amount: open.amount.map(|cents| format_decimal(cents, 2)),
            amount_usd: open.amount_usd.map(|cents| format_decimal(cents, 2)),
            age_days: open.age_days,
            status: &open.status,
            state: open.work.state,
            assignee: open.work.assignee.as_deref(),
            business_date: open.business_date.to_string(),
            reference: open.columns.get("reference").map_or("", String::as_str),
        }
    }
}

fn print_breaks(breaks: &[OpenBreak], format: OutputFormat) -> Result<()> {
    let views: Vec<BreakView> = breaks.iter().map(BreakView::of).collect();
    match format {
        OutputFormat::Json => println!("{}", to_json(&views)?),
        OutputFormat::Csv => {
            println!("break_id,category,currency,amount,age_days,status,state,assignee,reference");
            for view in &views {
                println!(
                    "{},{},{},{},{},{},{},{},{}",
                    view.break_id,
                    view.category,
                    view.currency.unwrap_or(""),
                    view.amount.as_deref().unwrap_or(""),
                    view.age_days,
                    view.status,
                    view.state,
                    view.assignee.unwrap_or(""),
                    view.reference
                );
            }
        }
        OutputFormat::Table => {
            println!(
                "{:<16} {:<22} {:>14} {:>4}  {:<13} {:<17} {:<12} reference",
                "break", "category", "amount", "age", "status", "work", "assignee"
            );
            for view in &views {
                let amount = format!(
                    "{} {}",
                    view.amount.as_deref().unwrap_or("-"),
                    view.currency.unwrap_or("")
                );
                println!(
                    "{:<16} {:<22} {:>14} {:>4}  {:<13} {:<17} {:<12} {}",
                    view.break_id,
                    view.category,
                    amount,
                    view.age_days,
                    view.status,
                    view.state,
                    view.assignee.unwrap_or("-"),
                    view.reference
                );
            }
            println!(
                "{} breaks open at {}",
                views.len(),
                views
                    .first()
                    .map_or_else(|| "-".to_string(), |view| view.business_date.clone())
            );
        }
    }
    Ok(())
}
