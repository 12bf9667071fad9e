//! Quality gates: checks attached to assets.
//!
//! - Every gold table's rows are audited before they are published (write-audit-publish): the
//!   key is unique within the date and never null. Rows that fail are not written.
//! - After ingest, every silver table's key is unique and never null, and the counts reconcile
//!   between zones: each ingest run's records read equal those taken into bronze plus those
//!   quarantined, source by source.
//! - After the ledger integrity step, the ledger balances: no journal of the date has debits
//!   other than its credits. A failure stops the reconciliation built on that ledger.
//!
//! A failed check of severity error blocks the steps it gates; every check, passed or failed,
//! is a row of `system.asset_checks`.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

use arrow::array::{Array, Int64Array};
use arrow::record_batch::RecordBatch;
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use datafusion::datasource::MemTable;
use datafusion::prelude::SessionContext;
use paylake_catalog::gate::PublicationGate;
use paylake_catalog::sql::TemplateValue;
use paylake_catalog::{registry, TableDef, Zone};

use super::graph::{AssetGraph, StepId};
use crate::error::Result;

/// How much a failed check matters. Every check paylake ships stops what it gates; the
/// column is there for checks that only warn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// Stops what the check gates.
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
        }
    }
}

/// One check's result.
#[derive(Debug, Clone)]
pub struct CheckOutcome {
    pub asset: String,
    pub check_name: String,
    pub business_date: Option<NaiveDate>,
    pub severity: Severity,
    pub passed: bool,
    pub failing_rows: i64,
    pub message: String,
    pub checked_at: DateTime<Utc>,
    /// Steps a failure stops.
    pub gates: BTreeSet<StepId>,
}

impl CheckOutcome {
    /// Whether this outcome stops `step`.
    pub fn blocks(&self, step: StepId) -> bool {
        !self.passed && self.severity == Severity::Error && self.gates.contains(&step)
    }
}

/// Runs the check query `sql/checks/<name>.sql` with `parameters` and returns its single
/// integer.
async fn count(
    context: &SessionContext,
    name: &str,
    parameters: &[(&str, TemplateValue)],
) -> Result<i64> {
    let sql = paylake_catalog::sql::render_values(&format!("checks/{name}.sql"), parameters)?;
    let batches = context.sql(&sql).await?.collect().await?;
    let value = batches
        .iter()
        .find(|batch| batch.num_rows() > 0)
        .and_then(|batch| {
            let column = batch.column(0).as_any().downcast_ref::<Int64Array>()?;
            (!column.is_null(0)).then(|| column.value(0))
        });
    Ok(value.unwrap_or(0))
}

/// The unique-key and not-null-key checks of `relation` (a registered name) holding rows of
/// `table`.
async fn key_checks(
    context: &SessionContext,
    table: &TableDef,
    relation: &str,
    business_date: Option<NaiveDate>,
    gates: &BTreeSet<StepId>,
) -> Result<Vec<CheckOutcome>> {
    if table.key.is_empty() {
        return Ok(Vec::new());
    }
    let keys = table.key.join(", ");
    let parameters = [
        ("relation", TemplateValue::from(relation)),
        (
            "key",
            TemplateValue::from_iter(table.key.iter().map(|column| TemplateValue::from(*column))),
        ),
    ];
    let duplicated = count(context, "duplicated_keys", &parameters).await?;
    let null_keys = count(context, "null_keys", &parameters).await?;
    let outcome = |check_name: &str, failing_rows: i64, message: String| CheckOutcome {
        asset: table.qualified_name(),
        check_name: check_name.to_string(),
        business_date,
        severity: Severity::Error,
        passed: failing_rows == 0,
        failing_rows,
        message,
        checked_at: Utc::now(),
        gates: gates.clone(),
    };
    Ok(vec![
        outcome(
            "unique_key",
            duplicated,
            if duplicated == 0 {
                format!("({keys}) is unique")
            } else {
                format!("{duplicated} values of ({keys}) occur more than once")
            },
        ),
        outcome(
            "key_not_null",
            null_keys,
            if null_keys == 0 {
                format!("({keys}) is never null")
            } else {
                format!("{null_keys} rows have a null in ({keys})")
            },
        ),
    ])
}

/// The gate gold writes pass through; it keeps every outcome for the checks table, and the
/// rows of every date it let through for the runs table.
#[derive(Debug, Default)]
pub struct GoldGate {
    outcomes: Mutex<Vec<CheckOutcome>>,
    /// Rows of the date last published, by `zone.table`.
    published_rows: Mutex<BTreeMap<String, i64>>,
}

impl GoldGate {
    /// The outcomes recorded since the last call.
    pub fn take_outcomes(&self) -> Vec<CheckOutcome> {
        std::mem::take(&mut self.outcomes.lock().expect("gate lock"))
    }

    /// The rows each table was let through with since the last call, by `zone.table`.
    pub fn take_published_rows(&self) -> BTreeMap<String, i64> {
        std::mem::take(&mut self.published_rows.lock().expect("gate lock"))
    }
}

#[async_trait]
impl PublicationGate for GoldGate {
    async fn audit(
        &self,
        table: &TableDef,
        business_date: NaiveDate,
        batches: &[RecordBatch],
    ) -> std::result::Result<(), String> {
        if table.zone != Zone::Gold {
            return Ok(());
        }
        let audit = async {
            let context = SessionContext::new();
            let rows = MemTable::try_new(table.schema.clone(), vec![batches.to_vec()])?;
            context.register_table("candidate_rows", Arc::new(rows))?;
            key_checks(
                &context,
                table,
                "candidate_rows",
                Some(business_date),
                &BTreeSet::new(),
            )
            .await
        };
        // The gate's queries are the gate's, not the step's: they stay out of its record.
        let (outcomes, _gate_sql) = paylake_catalog::sql::recording(audit).await;
        let outcomes = outcomes.map_err(|err| format!("audit failed: {err}"))?;
        let failures: Vec<String> = outcomes
            .iter()
            .filter(|outcome| !outcome.passed)
            .map(|outcome| format!("{}: {}", outcome.check_name, outcome.message))
            .collect();
        self.outcomes.lock().expect("gate lock").extend(outcomes);
        if failures.is_empty() {
            let rows = batches.iter().map(RecordBatch::num_rows).sum::<usize>();
            self.published_rows.lock().expect("gate lock").insert(
                table.qualified_name(),
                i64::try_from(rows).unwrap_or(i64::MAX),
            );
            Ok(())
        } else {
            Err(failures.join("; "))
        }
    }
}

/// The steps that read `table`, which a failed check of it stops.
fn readers_of(graph: &AssetGraph, table: &str) -> BTreeSet<StepId> {
    graph
        .steps()
        .iter()
        .filter(|step| step.reads.iter().any(|read| read == table))
        .map(|step| step.name)
        .collect()
}

/// The checks of what ingest publishes: silver keys, and counts reconciled between zones.
pub async fn ingest_checks(
    context: &SessionContext,
    graph: &AssetGraph,
) -> Result<Vec<CheckOutcome>> {
    let mut outcomes = Vec::new();
    for table in registry().tables() {
        // Silver tables merged from a bronze table hold one row per key; the others (histories,
        // findings) are logs.
        let merged = registry().get(Zone::Bronze, table.name).is_ok();
        if table.zone != Zone::Silver || !merged {
            continue;
        }
        let name = table.qualified_name();
        let gates = readers_of(graph, &name);
        match key_checks(context, table, &name, None, &gates).await {
            Ok(checked) => outcomes.extend(checked),
            // A table that cannot be read cannot be trusted: the check fails, naming why.
            Err(error) => outcomes.push(CheckOutcome {
                asset: name.clone(),
                check_name: "unique_key".to_string(),
                business_date: None,
                severity: Severity::Error,
                passed: false,
                failing_rows: 0,
                message: format!("{name} could not be checked: {error}"),
                checked_at: Utc::now(),
                gates,
            }),
        }
    }
    // Counts that do not reconcile put every record of the run in doubt: no gold is built.
    let every_date_step: BTreeSet<StepId> = graph
        .steps()
        .iter()
        .filter(|step| step.partitioned())
        .map(|step| step.name)
        .collect();
    outcomes.extend(zone_counts(context, &every_date_step).await?);
    Ok(outcomes)
}

/// Each source's records read, in every ingest run, equal those taken plus those quarantined,
/// and each source's quarantined records are the rows its quarantine table holds for the run.
async fn zone_counts(
    context: &SessionContext,
    gates: &BTreeSet<StepId>,
) -> Result<Vec<CheckOutcome>> {
    let mut outcomes = Vec::new();
    for source in paylake_catalog::registry::QUARANTINE_SOURCES {
        let failing_runs = count(
            context,
            "counts_reconciled",
            &[("source", TemplateValue::from(source))],
        )
        .await?;
        outcomes.push(CheckOutcome {
            asset: format!("quarantine.{source}"),
            check_name: "counts_reconciled".to_string(),
            business_date: None,
            severity: Severity::Error,
            passed: failing_runs == 0,
            failing_rows: failing_runs,
            message: if failing_runs == 0 {
                format!("every {source} ingest run: read = taken + quarantined, quarantine rows match")
            } else {
                format!("{failing_runs} {source} ingest runs do not reconcile read, taken and quarantined")
            },
            checked_at: Utc::now(),
            gates: gates.clone(),
        });
    }
    Ok(outcomes)
}

/// The ledger of the date balances: what the integrity step found for its journals. The step
/// that declares it names what a failure stops (its reconciliation and report).
pub async fn ledger_balanced(
    context: &SessionContext,
    business_date: NaiveDate,
) -> Result<CheckOutcome> {
    let unbalanced = count(
        context,
        "ledger_balanced",
        &[(
            "business_date",
            TemplateValue::from(business_date.to_string()),
        )],
    )
    .await?;
    Ok(CheckOutcome {
        asset: "gold.ledger_integrity".to_string(),
        check_name: "ledger_balanced".to_string(),
        business_date: Some(business_date),
        severity: Severity::Error,
        passed: unbalanced == 0,
        failing_rows: unbalanced,
        message: if unbalanced == 0 {
            "every journal of the date balances".to_string()
        } else {
            format!("{unbalanced} journals of the date do not balance: reconciliation withheld")
        },
        checked_at: Utc::now(),
        gates: BTreeSet::new(),
    })
}
