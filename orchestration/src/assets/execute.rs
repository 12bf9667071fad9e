//! What each step does: the jobs of the other stages, called for one business date.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use datafusion::prelude::SessionContext;
use paylake_catalog::Lake;
use paylake_transforms::aml::cases::{build_customer_risk, build_sar_candidates};
use paylake_transforms::aml::ctr::build_ctr_candidates;
use paylake_transforms::aml::screening::build_sanctions_hits;
use paylake_transforms::aml::suite::build_aml_alerts;
use paylake_transforms::cost::build_cost_datasets;
use paylake_transforms::recon::integrity::build_ledger_integrity;
use paylake_transforms::recon::reconciliation::build_reconciliation;
use paylake_transforms::BusinessDay;

use super::graph::StepId;
use crate::config::Settings;
use crate::error::{OrchestrationError, Result};

/// What a step did, for the console and the runs table.
#[derive(Debug, Default, Clone)]
pub struct StepOutput {
    /// One line on what was built (counts, breaks, alerts).
    pub summary: String,
    /// Lines to show below it (the export runs, one each).
    pub details: Vec<String>,
    /// Where a report or export was written.
    pub locations: Vec<String>,
}

impl StepOutput {
    fn summary(summary: String) -> Self {
        StepOutput {
            summary,
            ..StepOutput::default()
        }
    }

    fn location(location: String) -> Self {
        StepOutput {
            summary: location.clone(),
            locations: vec![location],
            ..StepOutput::default()
        }
    }
}

/// What the date steps share: settings, the lake, and the session the date's jobs write
/// through (each write points it at the new version).
pub struct DateSteps<'a> {
    pub settings: &'a Settings,
    pub lake: &'a Lake,
    pub context: &'a SessionContext,
    pub date: NaiveDate,
    /// When the export schedules start, for a lake without exports yet (the demo's first date);
    /// otherwise the regulatory settings decide.
    pub schedules_start: Option<DateTime<Utc>>,
}

impl DateSteps<'_> {
    pub async fn run(&self, step: StepId) -> Result<StepOutput> {
        let day = BusinessDay::new(self.date, &self.settings.business_timezone)?;
        let (lake, context) = (self.lake, self.context);
        Ok(match step {
            StepId::Ingest => {
                return Err(OrchestrationError::Usage(
                    "ingest is not a step of a business date".into(),
                ))
            }
            StepId::CtrCandidates => {
                let rows = build_ctr_candidates(lake, context, &day).await?;
                StepOutput::summary(format!("{rows} CTR candidates"))
            }
            StepId::AmlAlerts => {
                let rules = self.settings.aml_rules()?;
                let alerts = build_aml_alerts(lake, context, &day, &rules).await?;
                StepOutput::summary(format!("{} AML alerts", alerts.len()))
            }
            StepId::SanctionsHits => {
                let rules = self.settings.aml_rules()?;
                let hits = build_sanctions_hits(lake, context, &day, &rules).await?;
                StepOutput::summary(format!("{} sanctions hits", hits.len()))
            }
            StepId::CustomerRisk => {
                let rules = self.settings.aml_rules()?;
                let rated = build_customer_risk(lake, context, &day, &rules).await?;
                StepOutput::summary(format!("{rated} customers rated"))
            }
            StepId::SarCandidates => {
                let rules = self.settings.aml_rules()?;
                let cases = build_sar_candidates(lake, context, &day, &rules).await?;
                StepOutput::summary(format!("{cases} SAR candidates"))
            }
            StepId::LedgerIntegrity => {
                let integrity = build_ledger_integrity(lake, context, &day).await?;
                StepOutput::summary(format!(
                    "{} integrity checks ({} violated)",
                    integrity.checks, integrity.violations
                ))
            }
            StepId::Reconciliation => {
                let rules = self.settings.finance_rules()?;
                let outcome = build_reconciliation(lake, context, &day, &rules).await?;
                let breaks: Vec<String> = outcome
                    .breaks_by_category
                    .iter()
                    .map(|(category, count)| format!("{category} {count}"))
                    .collect();
                StepOutput::summary(format!(
                    "{} matched, {} open breaks{}{}",
                    outcome.matches,
                    outcome.breaks(),
                    if breaks.is_empty() { "" } else { ": " },
                    breaks.join(", ")
                ))
            }
            StepId::Cost => {
                let rules = self.settings.finance_rules()?;
                let cost = build_cost_datasets(lake, context, &day, &rules).await?;
                StepOutput::summary(format!(
                    "{} cost rows, {} anomalies, budget alerts: {}",
                    cost.daily_rows,
                    cost.anomalies,
                    if cost.budget_alerts.is_empty() {
                        "none".to_string()
                    } else {
                        cost.budget_alerts.join(", ")
                    }
                ))
            }
            StepId::RegulatoryExports => self.exports(day).await?,
            StepId::FilingDeadlines => {
                let counts = paylake_regulatory::deadlines::build_filing_deadlines(
                    lake,
                    context,
                    &self.settings.regulatory()?,
                    self.date,
                )
                .await?;
                StepOutput::summary(format!(
                    "filings owed: {} due, {} late, {} filed, {} filed late",
                    counts.due, counts.late, counts.filed, counts.filed_late
                ))
            }
            StepId::CtrReport => StepOutput::location(
                paylake_reports::write_ctr_report(lake, context, self.date, day.timezone).await?,
            ),
            StepId::ReconReport => StepOutput::location(
                paylake_reports::write_recon_report(lake, context, self.date).await?,
            ),
            StepId::CostReport => StepOutput::location(
                paylake_reports::write_cost_report(lake, context, self.date).await?,
            ),
        })
    }

    /// The export schedules due by noon of the day after the date, in the business time zone:
    /// the daily CTR batch of the date, and on Mondays the weekly SAR and goAML packages.
    async fn exports(&self, day: BusinessDay) -> Result<StepOutput> {
        let mut regulatory = self.settings.regulatory()?;
        if let Some(start) = self.schedules_start {
            for schedule in &mut regulatory.schedules {
                schedule.start.get_or_insert_with(|| start.to_rfc3339());
            }
        }
        let now = local_time(day, self.date + chrono::Duration::days(1), 12)?;
        let runs = paylake_regulatory::schedule::run_due(
            self.lake,
            self.context,
            &regulatory,
            day.timezone,
            now,
        )
        .await?;
        let details = runs
            .iter()
            .map(|run| {
                format!(
                    "{:<13} {}  {:>3} records  {}",
                    run.schedule,
                    run.tick.format("%Y-%m-%d %H:%MZ"),
                    run.outcome.record_count,
                    run.outcome.manifest_location
                )
            })
            .collect();
        Ok(StepOutput {
            summary: format!("{} scheduled exports", runs.len()),
            details,
            locations: runs
                .iter()
                .map(|run| run.outcome.manifest_location.clone())
                .collect(),
        })
    }
}

/// `hour`:00 of `date` in the business time zone, as UTC.
pub fn local_time(day: BusinessDay, date: NaiveDate, hour: u32) -> Result<DateTime<Utc>> {
    let naive = date
        .and_hms_opt(hour, 0, 0)
        .ok_or_else(|| OrchestrationError::Usage(format!("{hour}:00 is not an hour")))?;
    day.timezone
        .from_local_datetime(&naive)
        .earliest()
        .map(|time| time.with_timezone(&Utc))
        .ok_or_else(|| OrchestrationError::Usage(format!("{date} {hour}:00 does not exist")))
}
