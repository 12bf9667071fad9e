//! The steps of paylake, each declared once, in a file of its own: its name, the assets it
//! writes and reads, the SQL files and rules sections it runs, the checks that follow it, and
//! what it runs. The graph, `--select`, staleness, the runner and the deployment derive
//! everything from [`all`]; adding a gold dataset is a file here, its job and its SQL.

mod aml_alerts;
mod case_intake;
mod case_metrics;
mod cost;
mod cost_report;
mod ctr_candidates;
mod ctr_report;
mod customer_risk;
mod filing_deadlines;
mod ingest;
mod ledger_integrity;
mod recon_report;
mod reconciliation;
mod regulatory_exports;
mod sanctions_hits;
mod sar_candidates;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use datafusion::prelude::SessionContext;
use futures::future::BoxFuture;
use paylake_catalog::Lake;
use paylake_transforms::BusinessDay;

use crate::assets::checks::CheckOutcome;
use crate::config::Settings;
use crate::error::{OrchestrationError, Result};

/// Every step of this build of paylake, in an order that respects every dependency (ties
/// run in this order, so runs are reproducible).
pub fn all() -> Vec<Step> {
    vec![
        ingest::step(),
        ctr_candidates::step(),
        aml_alerts::step(),
        sanctions_hits::step(),
        customer_risk::step(),
        sar_candidates::step(),
        case_intake::step(),
        case_metrics::step(),
        ledger_integrity::step(),
        reconciliation::step(),
        cost::step(),
        regulatory_exports::step(),
        filing_deadlines::step(),
        ctr_report::step(),
        recon_report::step(),
        cost_report::step(),
    ]
}

/// A step's name: how the graph, `--select`, the runs table and the deployment know it.
pub type StepId = &'static str;

/// One step, declared once.
#[derive(Debug, Clone)]
pub struct Step {
    pub name: StepId,
    pub description: &'static str,
    /// Assets it materialises: tables (`zone.table`), reports (`report.<name>`).
    pub writes: Vec<String>,
    /// Assets it reads (tables of the registry, landing sources, or other steps' assets).
    pub reads: Vec<String>,
    /// The SQL files it runs, below `sql/` (a folder ends in `/`); their text is part of its
    /// code version, so an edited query makes exactly this step's partitions stale.
    pub sql: Vec<&'static str>,
    /// The sections of the rules files it applies; also part of its code version.
    pub rules: Vec<RulesSection>,
    /// What it is and runs.
    pub kind: StepKind,
}

impl Step {
    /// Built per business date (gold); otherwise once per run (ingest).
    pub fn partitioned(&self) -> bool {
        matches!(self.kind, StepKind::Date(_))
    }

    /// Reads its own assets of the day before (open breaks carried forward, rolling risk), so
    /// a date needs the one before it built first.
    pub fn reads_previous_date(&self) -> bool {
        matches!(&self.kind, StepKind::Date(date) if date.reads_previous_date)
    }

    /// The checks that run after the step succeeded for a date.
    pub fn checks(&self) -> &[DateCheck] {
        match &self.kind {
            StepKind::Date(date) => &date.checks,
            StepKind::Ingest => &[],
        }
    }
}

/// What a step is and runs.
#[derive(Debug, Clone)]
pub enum StepKind {
    /// Not partitioned: takes whatever landed, once per run (the runner's ingest).
    Ingest,
    /// Partitioned by business date.
    Date(DateStep),
}

/// A step of a business date: what it runs, whether it reads its own day before, its checks.
#[derive(Debug, Clone)]
pub struct DateStep {
    pub run: RunDate,
    pub reads_previous_date: bool,
    pub checks: Vec<DateCheck>,
}

impl DateStep {
    /// A step of a business date that reads nothing of its own earlier dates and has no checks.
    pub fn new(run: RunDate) -> Self {
        DateStep {
            run,
            reads_previous_date: false,
            checks: Vec::new(),
        }
    }

    /// The same step, reading its own assets of the day before (state carried forward).
    pub fn carrying_state(self) -> Self {
        DateStep {
            reads_previous_date: true,
            ..self
        }
    }

    /// The same step, followed by `check` when it succeeded.
    pub fn checked_by(mut self, check: DateCheck) -> Self {
        self.checks.push(check);
        self
    }
}

/// Runs a step for the date of `context`.
pub type RunDate = for<'a, 'b> fn(&'a DateContext<'b>) -> BoxFuture<'a, Result<StepOutput>>;

/// A check that runs after its step succeeded for a date and, when it fails, stops `gates`.
#[derive(Debug, Clone)]
pub struct DateCheck {
    pub gates: &'static [StepId],
    pub run: for<'a> fn(&'a SessionContext, NaiveDate) -> BoxFuture<'a, Result<CheckOutcome>>,
}

/// A rules file a step applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RulesFile {
    /// `aml-rules.toml`.
    Aml,
    /// `finance-rules.toml`.
    Finance,
    /// `regulatory.toml`.
    Regulatory,
}

/// A section (dotted path) of a rules file: `RulesSection(RulesFile::Aml, "risk")`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RulesSection(pub RulesFile, pub &'static str);

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
    pub fn summary(summary: String) -> Self {
        StepOutput {
            summary,
            ..StepOutput::default()
        }
    }

    pub fn location(location: String) -> Self {
        StepOutput {
            summary: location.clone(),
            locations: vec![location],
            ..StepOutput::default()
        }
    }
}

/// What the steps of one date share: settings, the lake, and the session the date's jobs
/// write through (each write points it at the new version).
pub struct DateContext<'a> {
    pub settings: &'a Settings,
    pub lake: &'a Lake,
    pub context: &'a SessionContext,
    pub date: NaiveDate,
    /// When the export schedules start, for a lake without exports yet (the demo's first date);
    /// otherwise the regulatory settings decide.
    pub schedules_start: Option<DateTime<Utc>>,
}

impl DateContext<'_> {
    /// The date in the business calendar.
    pub fn day(&self) -> Result<BusinessDay> {
        Ok(BusinessDay::new(
            self.date,
            &self.settings.business_timezone,
        )?)
    }
}

/// Names as owned asset names.
fn assets(names: &[&str]) -> Vec<String> {
    names.iter().map(|name| name.to_string()).collect()
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
