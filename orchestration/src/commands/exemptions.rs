//! `paylake exemption`: CTR exemptions proposed, approved, rejected and revoked.

use paylake_decisions::exemptions::{
    act_on_exemption, current_exemptions, ExemptionLog, ExemptionStep,
};
use paylake_decisions::Actor;

use super::cases::to_json;
use crate::cli::{ExemptionActor, ExemptionCommand, OutputFormat};
use crate::config::Settings;
use crate::error::{OrchestrationError, Result};

pub async fn run(settings: &Settings, command: ExemptionCommand) -> Result<()> {
    let (actor, step) = match command {
        ExemptionCommand::List {
            lake,
            reader,
            format,
        } => {
            let lake = super::open_lake(settings, &lake)?;
            super::readers::allow_reading(
                settings,
                &lake,
                &reader,
                "paylake exemption list".to_string(),
                "decisions.exemption_events",
                |role, exemptions| role.reads(exemptions) || !role.case_actions.is_empty(),
            )
            .await?;
            let log = ExemptionLog::load(&lake).await?;
            let current: Vec<_> = current_exemptions(&log.events).into_values().collect();
            if format == OutputFormat::Json {
                println!("{}", to_json(&current)?);
                return Ok(());
            }
            println!(
                "{:<22} {:<10} {:<9} {:<9} {:<11} {:<11} basis",
                "exemption", "customer", "state", "phase", "FinCEN 110", "ends"
            );
            for exemption in &current {
                println!(
                    "{:<22} {:<10} {:<9} {:<9} {:<11} {:<11} {}",
                    exemption.exemption_id,
                    exemption.customer_id,
                    exemption.to_state,
                    exemption.phase,
                    exemption.fincen_110_date,
                    exemption
                        .effective_to
                        .map_or_else(|| "-".to_string(), |date| date.to_string()),
                    exemption.basis
                );
            }
            println!("{} exemptions", current.len());
            return Ok(());
        }
        ExemptionCommand::Propose {
            actor,
            customer,
            phase,
            basis,
            fincen_110_date,
            note,
        } => (
            actor,
            ExemptionStep::Propose {
                customer_id: customer,
                phase: phase.parse().map_err(OrchestrationError::Usage)?,
                basis,
                fincen_110_date,
                note,
            },
        ),
        ExemptionCommand::Approve {
            actor,
            exemption_id,
            note,
        } => (actor, ExemptionStep::Approve { exemption_id, note }),
        ExemptionCommand::Reject {
            actor,
            exemption_id,
            note,
        } => (actor, ExemptionStep::Reject { exemption_id, note }),
        ExemptionCommand::Revoke {
            actor,
            exemption_id,
            effective_to,
            note,
        } => (
            actor,
            ExemptionStep::Revoke {
                exemption_id,
                effective_to,
                note,
            },
        ),
    };
    take(settings, &actor, &step).await
}

async fn take(settings: &Settings, actor: &ExemptionActor, step: &ExemptionStep) -> Result<()> {
    let lake = super::open_lake(settings, &actor.lake)?;
    let person = Actor {
        user: actor.user.clone(),
        role: actor.role.clone(),
    };
    let event = act_on_exemption(&lake, &settings.access()?, &person, step).await?;
    println!(
        "exemption {} of {} {}: {} -> {} by {} ({}); in force from {}{}",
        event.exemption_id,
        event.customer_id,
        event.action,
        event.from_state.map_or("-", |state| state.as_str()),
        event.to_state,
        event.actor,
        event.role,
        event.fincen_110_date,
        event
            .effective_to
            .map_or_else(String::new, |date| format!(" to {date}")),
    );
    Ok(())
}
