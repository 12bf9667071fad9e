//! `gold.ledger_integrity`: every journal balances per currency, and every bank statement's
//! opening balance plus its booked entries equals its closing balance.

use datafusion::prelude::SessionContext;
use paylake_catalog::Lake;

use crate::error::Result;
use crate::job::{rebuild_date, BusinessDay};
use paylake_catalog::batches::count_values;

/// The SQL file of the checks, below `sql/`.
pub const LEDGER_INTEGRITY_SQL: &str = "transforms/recon/ledger_integrity.sql";

/// What the date's checks found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IntegrityOutcome {
    pub checks: u64,
    pub violations: u64,
}

/// Runs the date's checks and replaces its partition of `gold.ledger_integrity`.
pub async fn build_ledger_integrity(
    lake: &Lake,
    context: &SessionContext,
    day: &BusinessDay,
) -> Result<IntegrityOutcome> {
    let sql = day.render::<&str>(LEDGER_INTEGRITY_SQL, &[])?;
    let batches = rebuild_date(lake, context, day, "ledger_integrity", &sql).await?;
    let checks = batches.iter().map(|batch| batch.num_rows() as u64).sum();
    let violations = count_values(&batches, "status")?
        .get("violation")
        .copied()
        .unwrap_or(0);
    if violations > 0 {
        tracing::warn!(business_date = %day.date, violations, "ledger integrity violated");
    }
    Ok(IntegrityOutcome { checks, violations })
}
