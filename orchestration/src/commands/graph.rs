//! `paylake run`, `backfill` and `assets`: the asset graph from the command line.

use chrono::NaiveDate;
use paylake_catalog::Lake;

use super::spinner;
use crate::assets::graph::AssetGraph;
use crate::assets::records::Status;
use crate::assets::runner::{self, Engine, RunReport, RunRequest};
use crate::assets::selection;
use crate::cli::{EngineKind, GraphArgs, OutputFormat};
use crate::config::Settings;
use crate::error::{OrchestrationError, Result};
use crate::observe;

/// The run `args` ask for, over `dates`.
pub fn request(settings: &Settings, dates: Vec<NaiveDate>, args: &GraphArgs) -> Result<RunRequest> {
    let graph = AssetGraph::paylake();
    let engine = match args.engine {
        EngineKind::Embedded => Engine::Embedded,
        EngineKind::Ballista => Engine::Ballista {
            scheduler: args.scheduler.clone().ok_or_else(|| {
                OrchestrationError::Usage(
                    "--engine ballista needs --scheduler df://HOST:PORT".into(),
                )
            })?,
        },
    };
    Ok(RunRequest {
        dates,
        selection: selection::select(&graph, &args.select)?,
        force: args.force,
        engine,
        retry: settings.runs,
        schedules_start: None,
    })
}

/// The date to run: the one given, or the day before a scheduled instant's local date.
pub fn business_date(
    settings: &Settings,
    date: Option<NaiveDate>,
    scheduled_at: Option<&str>,
) -> Result<NaiveDate> {
    if let Some(date) = date {
        return Ok(date);
    }
    let text = scheduled_at.unwrap_or_default();
    let instant = chrono::DateTime::parse_from_rfc3339(text)
        .map_err(|err| OrchestrationError::Usage(format!("--scheduled-at '{text}': {err}")))?;
    let local = instant.with_timezone(&settings.timezone()?).date_naive();
    Ok(local - chrono::Duration::days(1))
}

/// The dates from `from` to `to`, both included.
pub fn date_range(from: NaiveDate, to: NaiveDate) -> Result<Vec<NaiveDate>> {
    if to < from {
        return Err(OrchestrationError::Usage(format!(
            "--to {to} is before --from {from}"
        )));
    }
    Ok(from.iter_days().take_while(|date| *date <= to).collect())
}

/// Runs `request`, prints what each step did, and writes the run's lineage events and metrics.
/// Fails when a step or check failed, after everything that could run has run.
pub async fn run_and_print(
    settings: &Settings,
    lake: &Lake,
    request: &RunRequest,
) -> Result<RunReport> {
    let graph = AssetGraph::paylake();
    let bar = spinner("running");
    let report = runner::run(settings, lake, &graph, request, &|step| {
        bar.set_message(step.to_string())
    })
    .await?;
    bar.finish_and_clear();
    print_report(&graph, &report);
    observe::write_run_files(lake, &graph, &report).await?;
    Ok(report)
}

/// Screens every customer and counterparty against the list in force at once: the latest
/// business date screened is rebuilt from `gold.sanctions_hits` on (its hits against the new
/// list, the alerts of the hits that are new or on a changed entry, their cases). Nothing when
/// no date was screened yet.
pub async fn rescreen_latest_date(settings: &Settings, lake: &Lake) -> Result<()> {
    let context = paylake_catalog::session::tables_session(lake, &["gold.sanctions_hits"]).await?;
    let statement = paylake_catalog::sql::statement(LATEST_SCREENED_DATE_SQL)?;
    let batches = context.sql(&statement).await?.collect().await?;
    let latest = batches
        .iter()
        .find(|batch| batch.num_rows() > 0)
        .and_then(|batch| {
            use arrow::array::{Array, AsArray};
            let dates = batch
                .column(0)
                .as_primitive::<arrow::datatypes::Date32Type>();
            dates.is_valid(0).then(|| dates.value_as_date(0)).flatten()
        });
    let Some(date) = latest else {
        println!("no business date screened yet: the next run screens against the new list");
        return Ok(());
    };
    println!("re-screening {date} against the new list");
    let graph = AssetGraph::paylake();
    let request = RunRequest {
        dates: vec![date],
        selection: selection::select(&graph, &["gold.sanctions_hits+".to_string()])?,
        force: false,
        engine: Engine::Embedded,
        retry: settings.runs,
        schedules_start: None,
    };
    let report = run_and_print(settings, lake, &request).await?;
    outcome(&report)
}

/// The latest business date of `gold.sanctions_hits`.
const LATEST_SCREENED_DATE_SQL: &str = "commands/latest_screened_date.sql";

/// Runs `request` as [`run_and_print`] does, printing nothing; fails when anything failed.
pub async fn run_quietly(
    settings: &Settings,
    lake: &Lake,
    request: &RunRequest,
) -> Result<RunReport> {
    let graph = AssetGraph::paylake();
    let report = runner::run(settings, lake, &graph, request, &|_| {}).await?;
    observe::write_run_files(lake, &graph, &report).await?;
    outcome(&report)?;
    Ok(report)
}

/// The run's outcome as an error when anything failed.
pub fn outcome(report: &RunReport) -> Result<()> {
    let failures = report.failures();
    let failed_checks = report.checks.iter().filter(|check| !check.passed).count();
    if failures == 0 {
        return Ok(());
    }
    Err(OrchestrationError::RunFailed {
        run_id: report.run_id.clone(),
        failures,
        failed_checks,
    })
}

fn print_report(graph: &AssetGraph, report: &RunReport) {
    println!("run {}", report.run_id);
    for result in &report.results {
        let date = result
            .business_date
            .map_or_else(|| "-".repeat(10), |date| date.to_string());
        let status = result.status.map_or("fresh", Status::as_str);
        let what = match &result.error {
            Some(error) => error.clone(),
            None => result.output.summary.clone(),
        };
        let attempts = if result.attempts > 1 {
            format!(" ({} attempts)", result.attempts)
        } else {
            String::new()
        };
        println!(
            "  {date}  {:<18} {status:<12} {:>7.1} s  {what}{attempts}",
            graph.step(result.step).name,
            result.duration_ms as f64 / 1000.0
        );
        for line in &result.output.details {
            println!("  {:<10}  {line}", "");
        }
    }
    for check in report.checks.iter().filter(|check| !check.passed) {
        println!(
            "  check failed: {} {} ({}): {}",
            check.asset,
            check.check_name,
            check.severity.as_str(),
            check.message
        );
    }
}

/// `paylake assets`: the graph as a table.
pub fn print_assets(format: OutputFormat) -> Result<()> {
    use arrow::array::{BooleanArray, StringArray};
    let graph = AssetGraph::paylake();
    let steps = graph.steps();
    // Ingest writes every bronze, silver and quarantine table: named by zone, not one by one.
    let join = |lists: Vec<&Vec<String>>| -> Vec<String> {
        lists
            .into_iter()
            .map(|list| {
                if list.len() <= 8 {
                    return list.join(" ");
                }
                let zones: std::collections::BTreeSet<&str> = list
                    .iter()
                    .filter_map(|name| name.split('.').next())
                    .collect();
                format!(
                    "{} tables of {}",
                    list.len(),
                    zones.into_iter().collect::<Vec<_>>().join(", ")
                )
            })
            .collect()
    };
    let columns: Vec<(&str, arrow::array::ArrayRef)> = vec![
        (
            "step",
            std::sync::Arc::new(StringArray::from_iter_values(
                steps.iter().map(|step| step.name),
            )),
        ),
        (
            "partitioned",
            std::sync::Arc::new(
                steps
                    .iter()
                    .map(|step| Some(step.partitioned()))
                    .collect::<BooleanArray>(),
            ),
        ),
        (
            "writes",
            std::sync::Arc::new(StringArray::from_iter_values(join(
                steps.iter().map(|step| &step.writes).collect(),
            ))),
        ),
        (
            "reads",
            std::sync::Arc::new(StringArray::from_iter_values(join(
                steps.iter().map(|step| &step.reads).collect(),
            ))),
        ),
        (
            "description",
            std::sync::Arc::new(StringArray::from_iter_values(
                steps.iter().map(|step| step.description),
            )),
        ),
    ];
    let batch = arrow::record_batch::RecordBatch::try_from_iter(columns)?;
    print!("{}", crate::output::format_batches(&[batch], format)?);
    Ok(())
}
