//! `gold.ctr_candidates`: Currency Transaction Report candidates of a business date.

use arrow::array::{Array, AsArray};
use paylake_catalog::{lake_session, registry, Lake, Zone};

use crate::error::{Result, TransformError};
use crate::job::{query, replace_business_date, BusinessDay};

const CANDIDATES_SQL: &str = include_str!("../../../sql/transforms/gold_ctr_candidates.sql");
const CASH_WITHOUT_RATE_SQL: &str =
    include_str!("../../../sql/transforms/ctr_cash_without_rate.sql");

/// Builds the date's CTR candidates and replaces its partition. Returns the number of rows.
///
/// Refuses to run when a posted cash transaction of the date has no FX rate: leaving it out
/// would understate a customer's total.
pub async fn build_ctr_candidates(lake: &Lake, day: &BusinessDay) -> Result<u64> {
    let context = lake_session(lake).await?;
    let missing_rates = query(&context, day, CASH_WITHOUT_RATE_SQL).await?;
    if let Some(reason) = describe_missing_rates(&missing_rates)? {
        return Err(TransformError::MissingInput {
            job: "gold.ctr_candidates",
            business_date: day.date,
            reason,
        });
    }
    let candidates = query(&context, day, CANDIDATES_SQL).await?;
    let table = registry().get(Zone::Gold, "ctr_candidates")?;
    let rows = replace_business_date(lake, table, day, candidates).await?;
    tracing::info!(business_date = %day.date, rows, "gold.ctr_candidates built");
    Ok(rows)
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
