//! The detection suite: every enabled rule over the movements of a run's dates, and the write
//! of their alerts into `gold.aml_alerts`, one business date replaced whole, with screening's
//! alerting hits and the suppressions in force.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use datafusion::prelude::SessionContext;
use paylake_catalog::{registry, Lake, Zone};

use super::alerts::{alerts_batch, Alert};
use super::config::AmlRules;
use super::rules::{prepare_movements, run_rule, DateRange, TransferGraph, RULE_IDS};
use super::sanctions_alerts::sanctions_alerts;
use super::suppression::{mark_suppressed, mark_whitelisted, suppressions_in_force};
use crate::error::Result;
use crate::job::{replace_business_date, BusinessDay};

/// What a run of the suite found.
#[derive(Debug, Default)]
pub struct Detection {
    /// Movements of the run's dates and look-back.
    pub movements: usize,
    /// The time taken to build them.
    pub movements_elapsed: Duration,
    pub alerts: Vec<Alert>,
    /// Alerts and time per rule.
    pub per_rule: BTreeMap<&'static str, (usize, Duration)>,
}

/// Runs every enabled rule for the dates of `range` over a session that sees
/// `silver.transactions`, `silver.fx_rates`, `silver.customers` and `silver.accounts`.
pub async fn detect(
    context: &SessionContext,
    range: &DateRange,
    rules: &AmlRules,
) -> Result<Detection> {
    let started = Instant::now();
    let movements = prepare_movements(context, range, rules).await?;
    let mut detection = Detection {
        movements,
        movements_elapsed: started.elapsed(),
        ..Detection::default()
    };
    let mut transfer_graph = TransferGraph::default();
    for rule_id in RULE_IDS {
        let started = Instant::now();
        let alerts = run_rule(context, rule_id, range, rules, &mut transfer_graph).await?;
        tracing::info!(
            rule_id,
            alerts = alerts.len(),
            elapsed_ms = started.elapsed().as_millis() as u64,
            "rule ran"
        );
        detection
            .per_rule
            .insert(rule_id, (alerts.len(), started.elapsed()));
        detection
            .alerts
            .extend(alerts.into_iter().map(Alert::normalise));
    }
    detection.alerts.sort_by(|a, b| {
        (
            a.business_date,
            &a.rule_id,
            &a.account_id,
            &a.transaction_ids,
        )
            .cmp(&(
                b.business_date,
                &b.rule_id,
                &b.account_id,
                &b.transaction_ids,
            ))
    });
    Ok(detection)
}

/// The date's alerts: every rule's, and screening's alerting hits of `gold.sanctions_hits`,
/// each marked with the suppression or whitelist decision in force that covers it.
pub async fn date_alerts(
    context: &SessionContext,
    day: &BusinessDay,
    rules: &AmlRules,
) -> Result<Vec<Alert>> {
    let range = DateRange {
        from: day.date,
        to: day.date,
        timezone: day.timezone,
    };
    let mut alerts = detect(context, &range, rules).await?.alerts;
    let suppressions = suppressions_in_force(context, day).await?;
    mark_suppressed(&mut alerts, &suppressions);
    let mut hits = sanctions_alerts(context, day).await?;
    mark_whitelisted(&mut hits, &suppressions);
    alerts.extend(hits.into_iter().map(|hit| hit.alert));
    Ok(alerts)
}

/// Builds the date's alerts and replaces its partition of `gold.aml_alerts`. `context` is the
/// lake session of the date's jobs.
pub async fn build_aml_alerts(
    lake: &Lake,
    context: &SessionContext,
    day: &BusinessDay,
    rules: &AmlRules,
) -> Result<Vec<Alert>> {
    let alerts = date_alerts(context, day, rules).await?;
    let batch = alerts_batch(&alerts, rules)?;
    let table = registry().get(Zone::Gold, "aml_alerts")?;
    replace_business_date(lake, context, table, day, vec![batch]).await?;
    tracing::info!(
        business_date = %day.date,
        alerts = alerts.len(),
        suppressed = alerts.iter().filter(|alert| alert.suppressed_by.is_some()).count(),
        "gold.aml_alerts built"
    );
    Ok(alerts)
}
