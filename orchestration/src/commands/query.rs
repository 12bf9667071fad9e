//! `paylake sql` and `paylake tables`.

use std::sync::Arc;

use arrow::array::{ArrayRef, Int64Array, StringArray};
use arrow::datatypes::{DataType, Field, Schema};
use arrow::record_batch::RecordBatch;
use datafusion::prelude::SessionContext;
use std::time::Instant;

use chrono::Utc;
use paylake_catalog::access::audit::{record_query, QueryAuditRow, QueryOutcome};
use paylake_catalog::access::{authorize, plan_query, role_session, Role};
use paylake_catalog::{lake_session, registry, CatalogError, Lake};

use crate::cli::OutputFormat;
use crate::error::{OrchestrationError, Result};
use crate::output::format_batches;

/// Who asks a query, for the policy and the audit.
pub struct Asker<'settings> {
    pub user: String,
    pub role: &'settings Role,
    pub access_version: &'settings str,
}

/// The user name of this process, for the audit.
pub fn current_user() -> String {
    std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_else(|_| "unknown".to_string())
}

/// Runs a reading query in the asker's role and records it in `system.query_audit`, whether
/// it ran, was refused or failed.
pub async fn sql(lake: &Lake, asker: &Asker<'_>, query: &str, format: OutputFormat) -> Result<()> {
    let started_at = Utc::now();
    let clock = Instant::now();
    let mut audit = QueryAuditRow {
        query_id: uuid::Uuid::new_v4().to_string(),
        started_at,
        duration_ms: 0,
        user_name: asker.user.clone(),
        role: asker.role.name.clone(),
        access_version: asker.access_version.to_string(),
        query_text: query.to_string(),
        tables_read: vec![],
        columns_masked: vec![],
        outcome: QueryOutcome::Ran,
        message: None,
        rows_returned: None,
    };
    let result = run_guarded(lake, asker.role, query, &mut audit).await;
    audit.duration_ms = i64::try_from(clock.elapsed().as_millis()).unwrap_or(i64::MAX);
    let batches = match result {
        Ok(batches) => batches,
        Err(err) => {
            audit.outcome = match &err {
                OrchestrationError::Catalog(CatalogError::Refused { .. }) => QueryOutcome::Refused,
                _ => QueryOutcome::Failed,
            };
            audit.message = Some(err.to_string());
            record_query(lake, &audit).await?;
            return Err(err);
        }
    };
    audit.rows_returned = Some(batches.iter().map(|batch| batch.num_rows() as i64).sum());
    record_query(lake, &audit).await?;
    if !audit.columns_masked.is_empty() {
        eprintln!(
            "note: personal data masked (NULL) for role {}: {}",
            asker.role.name,
            audit.columns_masked.join(", ")
        );
    }
    print!("{}", format_batches(&batches, format)?);
    Ok(())
}

async fn run_guarded(
    lake: &Lake,
    role: &Role,
    query: &str,
    audit: &mut QueryAuditRow,
) -> Result<Vec<RecordBatch>> {
    let context = role_session(lake, role).await?;
    let planned = plan_query(&context, query).await?;
    audit.tables_read = planned.tables_named.clone();
    let guarded = authorize(role, planned)?;
    audit.columns_masked = guarded.columns_masked;
    let schema = Arc::new(guarded.frame.schema().as_arrow().clone());
    let mut batches = guarded.frame.collect().await?;
    // An empty result still shows its columns.
    if batches.is_empty() {
        batches.push(RecordBatch::new_empty(schema));
    }
    Ok(batches)
}

/// Row count of every table of the registry; a table not created yet counts 0.
pub async fn table_row_counts(context: &SessionContext) -> Result<Vec<(String, i64)>> {
    let mut counts = Vec::new();
    for table in registry().tables() {
        let name = table.qualified_name();
        let batches = context
            .sql(&paylake_catalog::sql::render(
                "commands/row_count.sql",
                &[("relation", name.clone())],
            )?)
            .await?
            .collect()
            .await?;
        let rows = batches
            .first()
            .and_then(|batch| batch.column(0).as_any().downcast_ref::<Int64Array>())
            .map_or(0, |counts| counts.value(0));
        counts.push((name, rows));
    }
    Ok(counts)
}

pub async fn tables(lake: &Lake, format: OutputFormat) -> Result<()> {
    let context = lake_session(lake).await?;
    let counts = table_row_counts(&context).await?;
    let descriptions: Vec<&str> = registry()
        .tables()
        .iter()
        .map(|table| table.description)
        .collect();
    let schema = Arc::new(Schema::new(vec![
        Field::new("table", DataType::Utf8, false),
        Field::new("rows", DataType::Int64, false),
        Field::new("description", DataType::Utf8, false),
    ]));
    let columns: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from_iter_values(
            counts.iter().map(|(name, _)| name.as_str()),
        )),
        Arc::new(Int64Array::from_iter_values(
            counts.iter().map(|(_, rows)| *rows),
        )),
        Arc::new(StringArray::from_iter_values(descriptions)),
    ];
    let batch = RecordBatch::try_new(schema, columns)?;
    print!("{}", format_batches(&[batch], format)?);
    Ok(())
}
