//! Runs the asset graph: ingest once, then each business date's stale steps in dependency
//! order, with retries, checks, and every materialisation recorded.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use datafusion::prelude::SessionContext;
use paylake_catalog::gate::install_gate;
use paylake_catalog::{lake_session, registry, Lake};

use super::checks::{self, CheckOutcome, GoldGate};
use super::graph::{AssetGraph, Step, StepId};
use super::records::{self, Materialization, Status};
use super::retry::RetryPolicy;
use super::versions::{self, PartitionVersions, TableVersions};
use crate::config::Settings;
use crate::error::Result;
use crate::steps::{DateContext, DateStep, StepKind, StepOutput};

/// The step that takes what landed; not partitioned.
const INGEST: StepId = "ingest";

/// What a run of `step` did not declare: SQL files it read (its code version would not see
/// them change) and lake tables its statements read, by DataFusion's parser (its data version
/// would not see them change).
pub fn undeclared_sql(step: &Step, used: &paylake_catalog::sql::SqlUsed) -> Vec<String> {
    let declared = paylake_catalog::sql::expand(&step.sql).unwrap_or_default();
    let mut undeclared: Vec<String> = used
        .files
        .iter()
        .filter(|file| !declared.contains(file))
        .map(|file| format!("{} runs sql/{file} without declaring it", step.name))
        .collect();
    for (file, statement) in &used.statements {
        let tables = match paylake_catalog::sql::tables_read(statement) {
            Ok(tables) => tables,
            Err(error) => {
                undeclared.push(format!("sql/{file} does not parse: {error}"));
                continue;
            }
        };
        undeclared.extend(
            tables
                .into_iter()
                .filter(|table| !step.reads.contains(table) && !step.writes.contains(table))
                .map(|table| {
                    format!(
                        "{} reads {table} (sql/{file}) without declaring it",
                        step.name
                    )
                }),
        );
    }
    undeclared
}

/// Where the date steps' queries run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Engine {
    /// DataFusion in this process, reading Delta through delta-rs.
    Embedded,
    /// A Ballista cluster (`df://host:port`): queries are planned and run there over each
    /// table's pinned live files; writes are committed here through delta-rs.
    Ballista { scheduler: String },
}

impl Engine {
    pub fn name(&self) -> &'static str {
        match self {
            Engine::Embedded => "embedded",
            Engine::Ballista { .. } => "ballista",
        }
    }

    async fn session(&self, lake: &Lake) -> Result<SessionContext> {
        match self {
            Engine::Embedded => Ok(lake_session(lake).await?),
            Engine::Ballista { scheduler } => {
                Ok(paylake_ballista::lake_session(lake, scheduler).await?)
            }
        }
    }
}

/// What to run.
#[derive(Debug, Clone)]
pub struct RunRequest {
    /// Business dates, in the order they run.
    pub dates: Vec<NaiveDate>,
    pub selection: BTreeSet<StepId>,
    /// Rebuild fresh partitions too.
    pub force: bool,
    pub engine: Engine,
    pub retry: RetryPolicy,
    /// When export schedules without runs start (see `DateContext::schedules_start`).
    pub schedules_start: Option<DateTime<Utc>>,
}

/// How one step of one date ended.
#[derive(Debug, Clone)]
pub struct StepResult {
    pub step: StepId,
    pub business_date: Option<NaiveDate>,
    /// `None`: fresh, not run.
    pub status: Option<Status>,
    pub attempts: u32,
    pub duration_ms: i64,
    pub output: StepOutput,
    pub error: Option<String>,
}

/// Everything a run did.
#[derive(Debug, Default)]
pub struct RunReport {
    pub run_id: String,
    pub results: Vec<StepResult>,
    pub materializations: Vec<Materialization>,
    pub checks: Vec<CheckOutcome>,
}

impl RunReport {
    pub fn failures(&self) -> usize {
        self.results
            .iter()
            .filter(|result| matches!(result.status, Some(status) if !status.is_success()))
            .count()
    }
}

/// Runs `request` over `lake`; `progress` hears each step as it starts.
pub async fn run(
    settings: &Settings,
    lake: &Lake,
    graph: &AssetGraph,
    request: &RunRequest,
    progress: &dyn Fn(&str),
) -> Result<RunReport> {
    // The AML rules version approved in the lake runs, once there is one.
    let settings = &settings.with_live_rules(lake).await?;
    let mut runner = Runner {
        settings,
        lake,
        graph,
        request,
        report: RunReport {
            run_id: uuid::Uuid::new_v4().to_string(),
            ..RunReport::default()
        },
        tables: TableVersions::default(),
        failed: BTreeSet::new(),
        code_versions: code_versions(settings, graph, &request.selection)?,
    };
    if request.selection.contains(&INGEST) {
        progress("ingest");
        runner.ingest().await?;
    }
    let started = std::time::Instant::now();
    let checking_session = lake_session(lake).await?;
    tracing::debug!(elapsed = ?started.elapsed(), "lake session opened");
    // A date's freshness consults its own partitions and the day before's.
    let mut partitions = match (request.dates.iter().min(), request.dates.iter().max()) {
        (Some(first), Some(last)) => {
            let day_before = *first - chrono::Duration::days(1);
            records::last_successes(&checking_session, day_before, *last).await?
        }
        _ => PartitionVersions::default(),
    };
    tracing::debug!(elapsed = ?started.elapsed(), "last successes read");
    if request
        .selection
        .iter()
        .any(|step| graph.step(step).partitioned())
    {
        progress("checking silver");
        let outcomes = checks::ingest_checks(lake, &checking_session, graph).await?;
        tracing::debug!(elapsed = ?started.elapsed(), "silver checked");
        records::record_checks(lake, &runner.report.run_id, &outcomes).await?;
        tracing::debug!(elapsed = ?started.elapsed(), "checks recorded");
        runner.report.checks.extend(outcomes);
    }
    for date in &request.dates {
        runner.run_date(*date, &mut partitions, progress).await?;
        tracing::debug!(elapsed = ?started.elapsed(), %date, "date run");
    }
    Ok(runner.report)
}

/// How one attempt at a step ended, as each of its assets records it.
struct Attempt {
    status: Status,
    attempts: u32,
    started_at: DateTime<Utc>,
    finished_at: DateTime<Utc>,
    code_version: String,
    error: Option<String>,
}

impl Attempt {
    fn new(
        status: Status,
        attempts: u32,
        (started_at, finished_at): (DateTime<Utc>, DateTime<Utc>),
        code_version: &str,
        error: &Option<String>,
    ) -> Self {
        Attempt {
            status,
            attempts,
            started_at,
            finished_at,
            code_version: code_version.to_string(),
            error: error.clone(),
        }
    }
}

struct Runner<'a> {
    settings: &'a Settings,
    lake: &'a Lake,
    graph: &'a AssetGraph,
    request: &'a RunRequest,
    report: RunReport,
    tables: TableVersions,
    /// Steps that did not succeed, by date (`None` for ingest).
    failed: BTreeSet<(StepId, Option<NaiveDate>)>,
    /// Each selected step's code version: its SQL and rules do not change during a run, so they
    /// are read and digested once, not once per date of a backfill.
    code_versions: BTreeMap<StepId, String>,
}

/// The code version of each selected step.
fn code_versions(
    settings: &Settings,
    graph: &AssetGraph,
    selection: &BTreeSet<StepId>,
) -> Result<BTreeMap<StepId, String>> {
    selection
        .iter()
        .map(|id| Ok((*id, versions::code_version(settings, graph.step(id))?)))
        .collect()
}

impl Runner<'_> {
    fn materialization(
        &self,
        step: &Step,
        asset: &str,
        date: Option<NaiveDate>,
    ) -> Materialization {
        Materialization::new(
            &self.report.run_id,
            asset,
            step.name,
            date,
            self.request.engine.name(),
        )
    }

    /// The materialisation of `asset` by `attempt`.
    fn attempted(
        &self,
        step: &Step,
        asset: &str,
        date: Option<NaiveDate>,
        attempt: &Attempt,
    ) -> Materialization {
        Materialization {
            status: attempt.status,
            attempts: i64::from(attempt.attempts),
            started_at: attempt.started_at,
            finished_at: attempt.finished_at,
            code_version: attempt.code_version.clone(),
            error: attempt.error.clone(),
            ..self.materialization(step, asset, date)
        }
    }

    /// Ingest: new landing files into bronze, quarantine and silver. Each table it changed is
    /// a materialisation; a run that found nothing new records nothing.
    async fn ingest(&mut self) -> Result<()> {
        let step = self.graph.step(INGEST).clone();
        let silver: Vec<String> = step
            .writes
            .iter()
            .filter(|table| table.starts_with("silver.") || table.starts_with("system."))
            .cloned()
            .collect();
        let mut before = BTreeMap::new();
        for table in &silver {
            before.insert(table.clone(), self.tables.version(self.lake, table).await?);
        }
        let started_at = Utc::now();
        let lake = self.lake;
        let (result, attempts) = self
            .request
            .retry
            .run("ingest", || async {
                Ok(paylake_ingest::ingest_lake_with(
                    lake,
                    &paylake_ingest::pii::EmbeddedPiiDetector,
                    None,
                    &|_| {},
                )
                .await?)
            })
            .await;
        let finished_at = Utc::now();
        self.tables.forget(&silver);
        let code_version = self.code_versions[step.name].clone();
        let mut rows = Vec::new();
        let (status, error, summary) = match &result {
            Ok(report) => (
                Status::Succeeded,
                None,
                format!(
                    "{} files, {} records taken, {} quarantined",
                    report.files_taken(),
                    report
                        .sources
                        .values()
                        .map(|source| source.records_taken)
                        .sum::<u64>(),
                    report
                        .sources
                        .values()
                        .map(|source| source.records_quarantined)
                        .sum::<u64>()
                ),
            ),
            Err(error) => (Status::Failed, Some(error.to_string()), String::new()),
        };
        let attempt = Attempt::new(
            status,
            attempts,
            (started_at, finished_at),
            &code_version,
            &error,
        );
        for table in &silver {
            let after = self.tables.version(self.lake, table).await?;
            if status.is_success() && after == before[table] {
                continue;
            }
            let mut row = self.attempted(&step, table, None, &attempt);
            if let Some(version) = after {
                row.versions_written
                    .insert(table.clone(), format!("delta:{version}"));
            }
            if let Ok(report) = &result {
                // Rows merged: inserted, updated and deleted.
                row.rows_written = match report.silver.get(table.trim_start_matches("silver.")) {
                    Some(paylake_ingest::silver::MergeOutcome::Merged {
                        inserted,
                        updated,
                        deleted,
                        ..
                    }) => i64::try_from(inserted + updated + deleted).ok(),
                    _ => None,
                };
            }
            rows.push(row);
        }
        if !status.is_success() {
            self.failed.insert((INGEST, None));
        }
        records::record_materializations(self.lake, &rows).await?;
        self.report.materializations.extend(rows);
        self.report.results.push(StepResult {
            step: INGEST,
            business_date: None,
            status: Some(status),
            attempts,
            duration_ms: (finished_at - started_at).num_milliseconds(),
            output: StepOutput {
                summary,
                details: result
                    .as_ref()
                    .ok()
                    .filter(|report| report.files_taken() > 0)
                    .map(|report| {
                        report
                            .sources
                            .iter()
                            .map(|(source, counts)| {
                                format!(
                                    "{source:<16} {:>6} files {:>9} read {:>9} taken {:>6} quarantined",
                                    counts.files_taken,
                                    counts.records_read,
                                    counts.records_taken,
                                    counts.records_quarantined
                                )
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
                ..StepOutput::default()
            },
            error,
        });
        Ok(())
    }

    /// Why `step` may not run for `date`, if something stops it.
    fn blocked_by(&self, step: &Step, date: NaiveDate) -> Option<String> {
        for upstream in self.graph.upstream_steps(step) {
            let upstream_date = self.graph.step(upstream).partitioned().then_some(date);
            if self.failed.contains(&(upstream, upstream_date)) {
                return Some(format!(
                    "upstream step {} did not succeed",
                    self.graph.step(upstream).name
                ));
            }
        }
        if step.reads_previous_date() {
            let previous = date - chrono::Duration::days(1);
            if self.failed.contains(&(step.name, Some(previous))) {
                return Some(format!("{} of {previous} did not succeed", step.name));
            }
        }
        self.report
            .checks
            .iter()
            .find(|outcome| {
                outcome.blocks(step.name)
                    && outcome.business_date.is_none_or(|checked| checked == date)
            })
            .map(|outcome| {
                format!(
                    "check {} of {} failed: {}",
                    outcome.check_name, outcome.asset, outcome.message
                )
            })
    }

    async fn run_date(
        &mut self,
        date: NaiveDate,
        partitions: &mut PartitionVersions,
        progress: &dyn Fn(&str),
    ) -> Result<()> {
        let context = self.request.engine.session(self.lake).await?;
        let gate = Arc::new(GoldGate::default());
        install_gate(&context, gate.clone());
        let date_context = DateContext {
            settings: self.settings,
            lake: self.lake,
            context: &context,
            date,
            schedules_start: self.request.schedules_start,
        };
        for id in self.graph.topological_order() {
            let step = self.graph.step(id).clone();
            let StepKind::Date(DateStep { run: run_date, .. }) = step.kind else {
                continue;
            };
            if !self.request.selection.contains(&id) {
                continue;
            }
            progress(&format!("{date} {}", step.name));
            let code_version = self.code_versions[step.name].clone();
            let inputs = versions::input_versions(
                self.lake,
                self.graph,
                &step,
                date,
                &mut self.tables,
                partitions,
            )
            .await?;
            let data_version = versions::data_version(&code_version, &inputs);
            if let Some(reason) = self.blocked_by(&step, date) {
                self.failed.insert((id, Some(date)));
                let rows: Vec<Materialization> = step
                    .writes
                    .iter()
                    .map(|asset| {
                        let mut row = self.materialization(&step, asset, Some(date));
                        row.status = Status::Blocked;
                        row.attempts = 0;
                        row.versions_read = inputs.clone();
                        row.code_version = code_version.clone();
                        row.error = Some(reason.clone());
                        row
                    })
                    .collect();
                records::record_materializations(self.lake, &rows).await?;
                self.report.materializations.extend(rows);
                self.report.results.push(StepResult {
                    step: id,
                    business_date: Some(date),
                    status: Some(Status::Blocked),
                    attempts: 0,
                    duration_ms: 0,
                    output: StepOutput::default(),
                    error: Some(reason),
                });
                continue;
            }
            if !self.request.force && partitions.is_fresh(&step, date, &data_version) {
                self.report.results.push(StepResult {
                    step: id,
                    business_date: Some(date),
                    status: None,
                    attempts: 0,
                    duration_ms: 0,
                    output: StepOutput::default(),
                    error: None,
                });
                continue;
            }
            let started_at = Utc::now();
            let ((result, attempts), sql_used) = paylake_catalog::sql::recording(
                self.request
                    .retry
                    .run(step.name, || run_date(&date_context)),
            )
            .await;
            // What a step runs and reads is declared, or its data version misses changes.
            debug_assert_eq!(undeclared_sql(&step, &sql_used), Vec::<String>::new());
            let finished_at = Utc::now();
            self.tables.forget(&step.writes);
            let mut step_checks = gate.take_outcomes();
            let published_rows = gate.take_published_rows();
            let (status, error, output) = match result {
                Ok(output) => (Status::Succeeded, None, output),
                Err(error) if error.is_check_failure() => (
                    Status::CheckFailed,
                    Some(error.to_string()),
                    StepOutput::default(),
                ),
                Err(error) => (
                    Status::Failed,
                    Some(error.to_string()),
                    StepOutput::default(),
                ),
            };
            if status.is_success() {
                for check in step.checks() {
                    let mut outcome = (check.run)(&context, date).await?;
                    outcome.gates = check.gates.iter().copied().collect();
                    step_checks.push(outcome);
                }
            }
            let mut rows = Vec::new();
            let attempt = Attempt::new(
                status,
                attempts,
                (started_at, finished_at),
                &code_version,
                &error,
            );
            for asset in &step.writes {
                let mut row = self.attempted(&step, asset, Some(date), &attempt);
                row.versions_read = inputs.clone();
                if status.is_success() {
                    row.data_version = Some(data_version.clone());
                    if registry().find(asset).is_ok() {
                        if let Some(version) = self.tables.version(self.lake, asset).await? {
                            row.versions_written
                                .insert(asset.clone(), format!("delta:{version}"));
                        }
                        // Every date of a gold table is published through the gate.
                        row.rows_written = published_rows.get(asset).copied();
                    }
                    partitions.set(asset, date, &data_version);
                }
                rows.push(row);
            }
            if !status.is_success() {
                self.failed.insert((id, Some(date)));
                tracing::error!(step = step.name, %date, error = error.as_deref().unwrap_or(""), "step did not succeed");
            }
            records::record_materializations(self.lake, &rows).await?;
            records::record_checks(self.lake, &self.report.run_id, &step_checks).await?;
            self.report.materializations.extend(rows);
            self.report.checks.extend(step_checks);
            self.report.results.push(StepResult {
                step: id,
                business_date: Some(date),
                status: Some(status),
                attempts,
                duration_ms: (finished_at - started_at).num_milliseconds(),
                output,
                error,
            });
        }
        Ok(())
    }
}
