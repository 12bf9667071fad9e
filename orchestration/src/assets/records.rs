//! The runs table and the checks table: what each run materialised, and what it checked.

use std::collections::BTreeMap;

use arrow::array::{Array, ArrayRef, BooleanArray, Date32Array, Int64Array};
use chrono::{DateTime, NaiveDate, Utc};
use datafusion::prelude::SessionContext;
use paylake_catalog::batches::as_text;
use paylake_catalog::delta::{append_evolving_schema, open_or_create_table};
use paylake_catalog::rows::{append_columns, columns_batch, dates, strings, timestamps};
use paylake_catalog::{registry, Lake, Zone};

use super::checks::CheckOutcome;
use super::versions::PartitionVersions;
use crate::error::Result;

/// How a materialisation ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Succeeded,
    /// Failed after its retries.
    Failed,
    /// Its rows failed a check of the publication gate: nothing was written.
    CheckFailed,
    /// Not run: an upstream step failed, or a check stopped it.
    Blocked,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Succeeded => "succeeded",
            Status::Failed => "failed",
            Status::CheckFailed => "check_failed",
            Status::Blocked => "blocked",
        }
    }

    pub fn is_success(self) -> bool {
        self == Status::Succeeded
    }
}

/// One asset's materialisation (or its failure) for one business date.
#[derive(Debug, Clone)]
pub struct Materialization {
    pub materialization_id: String,
    pub run_id: String,
    pub asset: String,
    pub step: String,
    pub business_date: Option<NaiveDate>,
    pub status: Status,
    pub attempts: i64,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    pub rows_written: Option<i64>,
    pub versions_read: BTreeMap<String, String>,
    pub versions_written: BTreeMap<String, String>,
    pub data_version: Option<String>,
    pub code_version: String,
    pub engine: String,
    pub error: Option<String>,
}

impl Materialization {
    /// A success of `asset` by `step` for `date` starting now, with nothing read or written
    /// yet; the caller fills in what it knows.
    pub fn new(
        run_id: &str,
        asset: &str,
        step: &str,
        date: Option<NaiveDate>,
        engine: &str,
    ) -> Materialization {
        let now = Utc::now();
        Materialization {
            materialization_id: uuid::Uuid::new_v4().to_string(),
            run_id: run_id.to_string(),
            asset: asset.to_string(),
            step: step.to_string(),
            business_date: date,
            status: Status::Succeeded,
            attempts: 1,
            started_at: now,
            finished_at: now,
            rows_written: None,
            versions_read: BTreeMap::new(),
            versions_written: BTreeMap::new(),
            data_version: None,
            code_version: String::new(),
            engine: engine.to_string(),
            error: None,
        }
    }

    pub fn duration_ms(&self) -> i64 {
        (self.finished_at - self.started_at).num_milliseconds()
    }
}

fn json(map: &BTreeMap<String, String>) -> String {
    serde_json::to_string(map).unwrap_or_else(|_| "{}".to_string())
}

fn int64s(values: impl Iterator<Item = Option<i64>>) -> ArrayRef {
    std::sync::Arc::new(values.collect::<Int64Array>())
}

/// Appends `materializations` to `system.asset_runs`, in one commit.
pub async fn record_materializations(
    lake: &Lake,
    materializations: &[Materialization],
) -> Result<()> {
    if materializations.is_empty() {
        return Ok(());
    }
    let rows = materializations;
    let table = registry().get(Zone::System, "asset_runs")?;
    let versions_read: Vec<String> = rows.iter().map(|row| json(&row.versions_read)).collect();
    let versions_written: Vec<String> =
        rows.iter().map(|row| json(&row.versions_written)).collect();
    let columns: Vec<ArrayRef> = vec![
        strings(rows.iter().map(|row| Some(row.materialization_id.as_str()))),
        strings(rows.iter().map(|row| Some(row.run_id.as_str()))),
        strings(rows.iter().map(|row| Some(row.asset.as_str()))),
        strings(rows.iter().map(|row| Some(row.step.as_str()))),
        optional_dates(rows.iter().map(|row| row.business_date)),
        strings(rows.iter().map(|row| Some(row.status.as_str()))),
        int64s(rows.iter().map(|row| Some(row.attempts))),
        timestamps(rows.iter().map(|row| Some(row.started_at))),
        timestamps(rows.iter().map(|row| Some(row.finished_at))),
        int64s(rows.iter().map(|row| Some(row.duration_ms()))),
        int64s(rows.iter().map(|row| row.rows_written)),
        strings(versions_read.iter().map(|text| Some(text.as_str()))),
        strings(versions_written.iter().map(|text| Some(text.as_str()))),
        strings(rows.iter().map(|row| row.data_version.as_deref())),
        strings(rows.iter().map(|row| Some(row.code_version.as_str()))),
        strings(rows.iter().map(|row| Some(row.engine.as_str()))),
        strings(rows.iter().map(|row| row.error.as_deref())),
        dates(rows.iter().map(|row| row.finished_at.date_naive())),
    ];
    append_columns(lake, table, columns).await?;
    Ok(())
}

/// Appends `outcomes` to `system.asset_checks`, in one commit.
pub async fn record_checks(lake: &Lake, run_id: &str, outcomes: &[CheckOutcome]) -> Result<()> {
    if outcomes.is_empty() {
        return Ok(());
    }
    let table = registry().get(Zone::System, "asset_checks")?;
    let ids: Vec<String> = outcomes
        .iter()
        .map(|_| uuid::Uuid::new_v4().to_string())
        .collect();
    let columns: Vec<ArrayRef> = vec![
        strings(ids.iter().map(|id| Some(id.as_str()))),
        strings(outcomes.iter().map(|_| Some(run_id))),
        strings(outcomes.iter().map(|outcome| Some(outcome.asset.as_str()))),
        strings(
            outcomes
                .iter()
                .map(|outcome| Some(outcome.check_name.as_str())),
        ),
        optional_dates(outcomes.iter().map(|outcome| outcome.business_date)),
        strings(
            outcomes
                .iter()
                .map(|outcome| Some(outcome.severity.as_str())),
        ),
        std::sync::Arc::new(
            outcomes
                .iter()
                .map(|outcome| Some(outcome.passed))
                .collect::<BooleanArray>(),
        ),
        int64s(outcomes.iter().map(|outcome| Some(outcome.failing_rows))),
        strings(
            outcomes
                .iter()
                .map(|outcome| Some(outcome.message.as_str())),
        ),
        timestamps(outcomes.iter().map(|outcome| Some(outcome.checked_at))),
        dates(
            outcomes
                .iter()
                .map(|outcome| outcome.checked_at.date_naive()),
        ),
        int64s(outcomes.iter().map(|outcome| {
            outcome
                .table_version
                .map(|version| i64::try_from(version).unwrap_or(i64::MAX))
        })),
    ];
    // A lake whose checks table predates `table_version` gains the column with this append.
    let batch = columns_batch(table, columns)?;
    let delta_table = open_or_create_table(lake, table).await?;
    append_evolving_schema(delta_table, table, vec![batch], vec![]).await?;
    Ok(())
}

fn optional_dates(values: impl Iterator<Item = Option<NaiveDate>>) -> ArrayRef {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("the epoch is a date");
    std::sync::Arc::new(
        values
            .map(|date| date.and_then(|date| i32::try_from((date - epoch).num_days()).ok()))
            .collect::<Date32Array>(),
    )
}

/// The data version of the last success of every asset partition dated `from_date..=to_date`,
/// from `system.asset_runs`.
pub async fn last_successes(
    context: &SessionContext,
    from_date: NaiveDate,
    to_date: NaiveDate,
) -> Result<PartitionVersions> {
    let sql = paylake_catalog::sql::render(
        "orchestration/last_successes.sql",
        &[
            ("from_date", from_date.to_string()),
            ("to_date", to_date.to_string()),
        ],
    )?;
    let batches = context.sql(&sql).await?.collect().await?;
    let mut versions = PartitionVersions::default();
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("the epoch is a date");
    for batch in batches {
        let assets = as_text(batch.column(0))?;
        let data_versions = as_text(batch.column(2))?;
        let Some(days) = batch.column(1).as_any().downcast_ref::<Date32Array>() else {
            continue;
        };
        for row in 0..batch.num_rows() {
            if data_versions.is_null(row) || days.is_null(row) {
                continue;
            }
            let date = epoch + chrono::Duration::days(i64::from(days.value(row)));
            versions.set(assets.value(row), date, data_versions.value(row));
        }
    }
    Ok(versions)
}
