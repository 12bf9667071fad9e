//! `paylake aml suppress`, `whitelist`, `revoke` and `suppressions`: rules suppressed for a
//! customer and SDN hits whitelisted, for at most 180 days.

use paylake_decisions::suppressions::{
    act_on_suppression, current_suppressions, SuppressionLog, SuppressionStep, SuppressionSubject,
};
use paylake_decisions::Actor;

use super::cases::to_json;
use crate::cli::{ExemptionActor, LakeArg, OutputFormat};
use crate::config::Settings;
use crate::error::Result;

/// Takes a suppression step and prints the event.
pub async fn take(
    settings: &Settings,
    actor: &ExemptionActor,
    step: &SuppressionStep,
) -> Result<()> {
    let lake = super::open_lake(settings, &actor.lake)?;
    let person = Actor {
        user: actor.user.clone(),
        role: actor.role.clone(),
    };
    let event = act_on_suppression(&lake, &settings.access()?, &person, step).await?;
    println!(
        "{} {} {}: {} {}{}, {} to {}, by {} ({}): {}",
        event.decision_id,
        event.kind,
        event.action,
        event
            .customer_id
            .as_deref()
            .or(event.counterparty_name.as_deref())
            .unwrap_or("-"),
        event.rule_id.as_deref().unwrap_or_default(),
        event
            .sdn_ent_num
            .map_or_else(String::new, |ent_num| format!("SDN entry {ent_num}")),
        event.valid_from,
        event.expires_on,
        event.actor,
        event.role,
        event.rationale
    );
    Ok(())
}

/// The subject of a whitelist from the command line.
pub fn whitelist_subject(
    customer: Option<String>,
    counterparty: Option<String>,
    ent_num: i64,
) -> SuppressionSubject {
    match (customer, counterparty) {
        (Some(customer_id), _) => SuppressionSubject::CustomerWhitelist {
            customer_id,
            ent_num,
        },
        (None, name) => SuppressionSubject::CounterpartyWhitelist {
            name: name.unwrap_or_default(),
            ent_num,
        },
    }
}

/// Every decision as its last event left it.
pub async fn list(settings: &Settings, lake: &LakeArg, format: OutputFormat) -> Result<()> {
    let lake = super::open_lake(settings, lake)?;
    let log = SuppressionLog::load(&lake).await?;
    let current: Vec<_> = current_suppressions(&log.events).into_values().collect();
    if format == OutputFormat::Json {
        println!("{}", to_json(&current)?);
        return Ok(());
    }
    println!(
        "{:<9} {:<13} {:<7} {:<20} {:<22} {:<11} {:<11} {:<12} rationale",
        "decision", "kind", "state", "party", "rule or SDN entry", "from", "expires", "by"
    );
    for decision in &current {
        println!(
            "{:<9} {:<13} {:<7} {:<20} {:<22} {:<11} {:<11} {:<12} {}",
            decision.decision_id,
            decision.kind,
            decision.action,
            decision
                .customer_id
                .as_deref()
                .or(decision.counterparty_name.as_deref())
                .unwrap_or("-"),
            decision.rule_id.clone().unwrap_or_else(|| decision
                .sdn_ent_num
                .map_or_else(String::new, |ent_num| format!("SDN {ent_num}"))),
            decision.valid_from,
            decision.expires_on,
            decision.actor,
            decision.rationale
        );
    }
    println!("{} decisions", current.len());
    Ok(())
}
