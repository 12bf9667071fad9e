//! `gold.ctr_candidates`: Currency Transaction Report candidates of a business date.

use arrow::array::{Array, AsArray};
use datafusion::prelude::SessionContext;
use paylake_catalog::Lake;

use crate::error::{Result, TransformError};
use crate::job::{query, rebuild_date, BusinessDay, INSTANTS_SQL};

const CANDIDATES_SQL: &str = "transforms/gold_ctr_candidates.sql";
const CASH_WITHOUT_RATE_SQL: &str = "transforms/ctr_cash_without_rate.sql";

/// The SQL files the job runs, below `sql/`.
pub const SQL_FILES: [&str; 4] = [
    CANDIDATES_SQL,
    CASH_WITHOUT_RATE_SQL,
    "decisions/ctr_exemptions.sql",
    INSTANTS_SQL,
];

/// Builds the date's CTR candidates and replaces its partition. Returns the number of rows.
///
/// Refuses to run when a posted cash transaction of the date has no FX rate: leaving it out
/// would understate a customer's total.
pub async fn build_ctr_candidates(
    lake: &Lake,
    context: &SessionContext,
    day: &BusinessDay,
) -> Result<u64> {
    let missing_rates = query(context, day, CASH_WITHOUT_RATE_SQL).await?;
    if let Some(reason) = describe_missing_rates(&missing_rates)? {
        return Err(TransformError::MissingInput {
            job: "gold.ctr_candidates",
            business_date: day.date,
            reason,
        });
    }
    let sql = day.render::<&str>(CANDIDATES_SQL, &[])?;
    let candidates = rebuild_date(lake, context, day, "ctr_candidates", &sql).await?;
    Ok(candidates.iter().map(|batch| batch.num_rows() as u64).sum())
}

fn describe_missing_rates(batches: &[arrow::record_batch::RecordBatch]) -> Result<Option<String>> {
    let mut parts = Vec::new();
    for batch in batches {
        // DataFusion may return strings as Utf8View.
        let currencies = arrow::compute::cast(batch.column(0), &arrow::datatypes::DataType::Utf8)?;
        let currencies = currencies.as_string::<i32>();
        let counts = batch
            .column(1)
            .as_primitive::<arrow::datatypes::Int64Type>();
        for row in 0..batch.num_rows() {
            if currencies.is_valid(row) {
                parts.push(format!(
                    "{} cash transactions in {} have no rate in silver.fx_rates",
                    counts.value(row),
                    currencies.value(row)
                ));
            }
        }
    }
    Ok((!parts.is_empty()).then(|| parts.join("; ")))
}
