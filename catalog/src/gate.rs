//! The publication gate: checks that audit a date's rows before they replace a gold partition.
//!
//! Write, audit, publish: a job computes its rows, the gate audits them, and only rows that pass
//! are committed. A refused write leaves the published version untouched, so nothing downstream
//! ever reads rows that failed a check. The orchestrator installs the gate in the session; a
//! session without one (tests, ad-hoc jobs) publishes unaudited.

use std::sync::Arc;

use arrow::record_batch::RecordBatch;
use async_trait::async_trait;
use chrono::NaiveDate;
use datafusion::prelude::SessionContext;

use crate::registry::TableDef;

/// Audits the rows of one business date of one table before they are published.
#[async_trait]
pub trait PublicationGate: Send + Sync + std::fmt::Debug {
    /// `Err` names the failed checks; the rows are then not written.
    async fn audit(
        &self,
        table: &TableDef,
        business_date: NaiveDate,
        batches: &[RecordBatch],
    ) -> std::result::Result<(), String>;
}

/// The gate a session carries, as a session config extension.
#[derive(Debug, Clone)]
struct InstalledGate(Arc<dyn PublicationGate>);

/// Installs `gate` in `context`: every later `replace_date_partition` through it is audited.
pub fn install_gate(context: &SessionContext, gate: Arc<dyn PublicationGate>) {
    context
        .state_ref()
        .write()
        .config_mut()
        .set_extension(Arc::new(InstalledGate(gate)));
}

/// The gate installed in `context`, if any.
pub fn installed_gate(context: &SessionContext) -> Option<Arc<dyn PublicationGate>> {
    context
        .state()
        .config()
        .get_extension::<InstalledGate>()
        .map(|installed| installed.0.clone())
}
