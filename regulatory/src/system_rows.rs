//! Rows of the regulatory system tables, appended as Delta commits: a delivered export and an
//! acknowledged filing.

use std::sync::Arc;

use arrow::array::{ArrayRef, Decimal128Array, Int64Array};
use chrono::{DateTime, NaiveDate, Utc};
use paylake_catalog::registry::{MONEY_PRECISION, MONEY_SCALE};
use paylake_catalog::rows::{
    append_columns, append_columns_once, dates, string_lists, strings, timestamps,
};
use paylake_catalog::{registry, Lake, Zone};

use crate::error::Result;

/// One row of `system.regulatory_exports`.
pub struct ExportRow {
    pub export_id: String,
    pub kind: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub filing_date: NaiveDate,
    pub revision: i64,
    pub location: String,
    pub manifest_sha256: String,
    pub record_count: i64,
    pub total_amount_cents: i128,
    pub record_keys: Vec<String>,
    pub schedule: Option<String>,
    pub scheduled_for: Option<DateTime<Utc>>,
    pub recorded_at: DateTime<Utc>,
    pub status: String,
}

/// One row of `system.regulatory_filings`.
pub struct FilingRow {
    pub acknowledgement_file: String,
    pub export_id: Option<String>,
    pub activity_number: i64,
    pub activity_seq: i64,
    pub record_key: Option<String>,
    pub bsa_id: Option<String>,
    pub status: String,
    pub warning_count: i64,
    pub error_count: i64,
    pub errors: Vec<String>,
    pub loaded_at: DateTime<Utc>,
}

pub async fn append_exports(lake: &Lake, rows: &[ExportRow]) -> Result<()> {
    let columns: Vec<ArrayRef> = vec![
        strings(rows.iter().map(|row| Some(row.export_id.as_str()))),
        strings(rows.iter().map(|row| Some(row.kind.as_str()))),
        dates(rows.iter().map(|row| row.period_start)),
        dates(rows.iter().map(|row| row.period_end)),
        dates(rows.iter().map(|row| row.filing_date)),
        Arc::new(Int64Array::from_iter_values(
            rows.iter().map(|row| row.revision),
        )),
        strings(rows.iter().map(|row| Some(row.location.as_str()))),
        strings(rows.iter().map(|row| Some(row.manifest_sha256.as_str()))),
        Arc::new(Int64Array::from_iter_values(
            rows.iter().map(|row| row.record_count),
        )),
        Arc::new(
            Decimal128Array::from_iter_values(rows.iter().map(|row| row.total_amount_cents))
                .with_precision_and_scale(MONEY_PRECISION, MONEY_SCALE)?,
        ),
        string_lists(rows.iter().map(|row| &row.record_keys)),
        strings(rows.iter().map(|row| row.schedule.as_deref())),
        timestamps(rows.iter().map(|row| row.scheduled_for)),
        timestamps(rows.iter().map(|row| Some(row.recorded_at))),
        strings(rows.iter().map(|row| Some(row.status.as_str()))),
    ];
    append_rows(lake, "regulatory_exports", columns).await
}

/// Appends the filings of one acknowledgement, once: `false` (and nothing written) when the
/// table already holds the acknowledgement `acknowledgement_id`.
pub async fn append_filings(
    lake: &Lake,
    rows: &[FilingRow],
    acknowledgement_id: &str,
) -> Result<bool> {
    let columns: Vec<ArrayRef> = vec![
        strings(
            rows.iter()
                .map(|row| Some(row.acknowledgement_file.as_str())),
        ),
        strings(rows.iter().map(|row| row.export_id.as_deref())),
        Arc::new(Int64Array::from_iter_values(
            rows.iter().map(|row| row.activity_number),
        )),
        Arc::new(Int64Array::from_iter_values(
            rows.iter().map(|row| row.activity_seq),
        )),
        strings(rows.iter().map(|row| row.record_key.as_deref())),
        strings(rows.iter().map(|row| row.bsa_id.as_deref())),
        strings(rows.iter().map(|row| Some(row.status.as_str()))),
        Arc::new(Int64Array::from_iter_values(
            rows.iter().map(|row| row.warning_count),
        )),
        Arc::new(Int64Array::from_iter_values(
            rows.iter().map(|row| row.error_count),
        )),
        string_lists(rows.iter().map(|row| &row.errors)),
        timestamps(rows.iter().map(|row| Some(row.loaded_at))),
    ];
    let table = registry().get(Zone::System, "regulatory_filings")?;
    Ok(append_columns_once(lake, table, columns, acknowledgement_id).await?)
}

async fn append_rows(lake: &Lake, table_name: &str, columns: Vec<ArrayRef>) -> Result<()> {
    let table = registry().get(Zone::System, table_name)?;
    Ok(append_columns(lake, table, columns).await?)
}
