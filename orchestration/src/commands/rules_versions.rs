//! `paylake aml rules`: rules versions proposed with a backtest, approved by another person.

use paylake_decisions::rules_versions::{act_on_rules, versions, RulesLog, RulesStep};
use paylake_decisions::Actor;
use paylake_transforms::aml::AmlRules;

use super::cases::to_json;
use crate::cli::{ExemptionActor, LakeArg, OutputFormat, RulesCommand};
use crate::config::Settings;
use crate::error::{OrchestrationError, Result};

pub async fn run(settings: &Settings, command: RulesCommand) -> Result<()> {
    let (actor, step) = match command {
        RulesCommand::List { lake, format } => return list(settings, &lake, format).await,
        RulesCommand::Propose {
            actor,
            file,
            from,
            to,
            note,
        } => {
            // Refused before any work when the file names an unknown rule or parameter.
            let rules = AmlRules::load(&file)?;
            let rules_text =
                std::fs::read_to_string(&file).map_err(|source| OrchestrationError::Io {
                    path: file.clone(),
                    source,
                })?;
            let lake = super::open_lake(settings, &actor.lake)?;
            let backtest = super::backtest::run_backtest(settings, &lake, &file, from, to).await?;
            eprintln!(
                "backtest over {from} to {to}: {} alerts added, {} removed, {} of them SARs",
                backtest.added.len(),
                backtest.removed.len(),
                backtest.losses()
            );
            let backtest = serde_json::to_string(&backtest)
                .map_err(|err| OrchestrationError::Usage(format!("the backtest as JSON: {err}")))?;
            (
                actor,
                RulesStep::Propose {
                    version: rules.version.clone(),
                    rules_text,
                    backtest,
                    note,
                },
            )
        }
        RulesCommand::Approve {
            actor,
            rules_version,
            note,
        } => (
            actor,
            RulesStep::Approve {
                version: rules_version,
                note,
            },
        ),
        RulesCommand::Reject {
            actor,
            rules_version,
            note,
        } => (
            actor,
            RulesStep::Reject {
                version: rules_version,
                note,
            },
        ),
    };
    take(settings, &actor, &step).await
}

async fn take(settings: &Settings, actor: &ExemptionActor, step: &RulesStep) -> Result<()> {
    let lake = super::open_lake(settings, &actor.lake)?;
    let person = Actor {
        user: actor.user.clone(),
        role: actor.role.clone(),
    };
    let event = act_on_rules(&lake, &settings.access()?, &person, step).await?;
    println!(
        "rules version {} {} by {} ({}) at {}; digest {}",
        event.version,
        match event.action.as_str() {
            "propose" => "proposed",
            "approve" => "approved: it is the live version",
            _ => "rejected",
        },
        event.actor,
        event.role,
        event.event_time.to_rfc3339(),
        event.rules_digest
    );
    Ok(())
}

async fn list(settings: &Settings, lake: &LakeArg, format: OutputFormat) -> Result<()> {
    let lake = super::open_lake(settings, lake)?;
    let log = RulesLog::load(&lake).await?;
    let all = versions(&log.events);
    if format == OutputFormat::Json {
        println!("{}", to_json(&all)?);
        return Ok(());
    }
    println!(
        "{:<14} {:<11} {:<14} {:<26} {:<14} {:<26}",
        "version", "state", "proposed by", "proposed at", "decided by", "decided at"
    );
    for version in &all {
        println!(
            "{:<14} {:<11} {:<14} {:<26} {:<14} {:<26}",
            version.version,
            version.state,
            version.proposed_by,
            version.proposed_at.to_rfc3339(),
            version.decided_by.as_deref().unwrap_or("-"),
            version
                .decided_at
                .map_or_else(|| "-".to_string(), |time| time.to_rfc3339()),
        );
    }
    if !all.iter().any(|version| version.state == "live") {
        println!("no version approved: the configured rules file (or the shipped one) runs");
    }
    Ok(())
}
