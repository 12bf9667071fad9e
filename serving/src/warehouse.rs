//! Loading gold into Redshift, one business date at a time: a manifest lists the Delta
//! table's live Parquet files of that date (never a file a later commit removed), and one
//! BatchExecuteStatement runs, as one transaction, the schema and table creation when missing,
//! COPY into staging, MERGE into the target and the removal of the rows the date no longer
//! holds; it is polled until it ends or the timeout passes.

use std::time::Duration;

use aws_sdk_redshiftdata::types::StatusString;
use chrono::NaiveDate;
use paylake_catalog::{Lake, TableDef};
use serde_json::json;

use crate::error::{Result, ServingError};
use crate::live_files::{live_files, DataFile};
use crate::poll::{wait_for, StatementState};
use crate::settings::AwsSettings;
use crate::sql_files::{
    is_served, redshift_create_schemas, redshift_create_table, redshift_load_statements,
};

const SERVICE: &str = "redshift-data";

/// The load of one table's business date.
#[derive(Debug)]
pub struct TableLoad {
    pub table: String,
    pub delta_version: i64,
    pub files: usize,
    pub bytes: i64,
    pub manifest: String,
    pub statement_id: String,
}

/// The manifest COPY reads: Parquet needs each file's `content_length`.
pub fn copy_manifest(files: &[DataFile]) -> String {
    let entries: Vec<_> = files
        .iter()
        .map(|file| json!({"url": file.url, "mandatory": true, "meta": {"content_length": file.bytes}}))
        .collect();
    serde_json::to_string_pretty(&json!({ "entries": entries })).expect("a manifest serialises")
}

/// Loads `business_date` of each table: writes its manifest under
/// `<lake>/_warehouse/manifests/`, then runs the load as one transaction and waits for it.
pub async fn load_date(
    client: &aws_sdk_redshiftdata::Client,
    lake: &Lake,
    settings: &AwsSettings,
    tables: &[&TableDef],
    business_date: NaiveDate,
) -> Result<Vec<TableLoad>> {
    if !matches!(lake.root().scheme(), "s3" | "s3a") {
        return Err(ServingError::Table {
            table: "(lake)".to_string(),
            reason: format!(
                "Redshift COPY reads from S3, and the lake at {} is not on S3",
                lake.root()
            ),
        });
    }
    if let Some(table) = tables.iter().find(|table| !is_served(table)) {
        return Err(ServingError::Table {
            table: table.qualified_name(),
            reason: "only tables partitioned by business date (the gold tables) load into Redshift"
                .to_string(),
        });
    }
    let mut loads = Vec::new();
    for table in tables {
        let Some(live) = live_files(lake, table).await? else {
            tracing::info!(table = %table.qualified_name(), "not written yet; nothing to load");
            continue;
        };
        let files = live
            .by_date
            .get(&business_date.format("%Y-%m-%d").to_string())
            .cloned()
            .unwrap_or_default();
        let relative = format!(
            "_warehouse/manifests/{}/{}/business_date={business_date}/v{}.manifest",
            table.zone.as_str(),
            table.name,
            live.delta_version
        );
        let manifest = lake
            .write_file(&relative, copy_manifest(&files).into_bytes())
            .await?;
        let mut load = redshift_load_statements(
            table,
            &manifest,
            &settings.redshift_iam_role,
            &business_date.to_string(),
        )?;
        if files.is_empty() {
            // COPY refuses an empty manifest; an empty date still removes the rows it had.
            load.remove(1);
        }
        // A fresh warehouse gets its schema and table in the same transaction.
        let mut statements = redshift_create_schemas()?;
        statements.push(redshift_create_table(table)?);
        statements.extend(load);
        let statement_id = run_batch(
            client,
            settings,
            statements,
            &format!("paylake load {} {business_date}", table.qualified_name()),
        )
        .await?;
        loads.push(TableLoad {
            table: table.qualified_name(),
            delta_version: live.delta_version,
            files: files.len(),
            bytes: files.iter().map(|file| file.bytes).sum(),
            manifest,
            statement_id,
        });
    }
    Ok(loads)
}

/// Runs `statements` as one transaction and waits until it finishes, fails or times out.
pub async fn run_batch(
    client: &aws_sdk_redshiftdata::Client,
    settings: &AwsSettings,
    statements: Vec<String>,
    name: &str,
) -> Result<String> {
    let started = client
        .batch_execute_statement()
        .set_sqls(Some(statements))
        .database(&settings.redshift_database)
        .set_workgroup_name(
            settings
                .redshift_workgroup
                .clone()
                .filter(|_| settings.redshift_cluster.is_none()),
        )
        .set_cluster_identifier(settings.redshift_cluster.clone())
        .set_db_user(settings.redshift_db_user.clone())
        .statement_name(name)
        .send()
        .await
        .map_err(|err| {
            ServingError::aws(SERVICE, format!("BatchExecuteStatement ({name})"), err)
        })?;
    let id = started.id().unwrap_or_default().to_string();
    let timeout = Duration::from_secs(settings.statement_timeout_seconds);
    wait_for(SERVICE, &id, timeout, || batch_state(client, &id)).await?;
    Ok(id)
}

/// The state of a batch, as [`wait_for`] reads it.
async fn batch_state(client: &aws_sdk_redshiftdata::Client, id: &str) -> Result<StatementState> {
    let statement = client
        .describe_statement()
        .id(id)
        .send()
        .await
        .map_err(|err| ServingError::aws(SERVICE, format!("DescribeStatement {id}"), err))?;
    Ok(match statement.status() {
        Some(StatusString::Finished) => StatementState::Succeeded,
        Some(ended @ (StatusString::Failed | StatusString::Aborted)) => StatementState::Ended {
            state: ended.as_str().to_lowercase(),
            reason: statement.error().unwrap_or("no reason given").to_string(),
        },
        other => StatementState::Running(
            other.map_or("unknown".to_string(), |state| state.as_str().to_lowercase()),
        ),
    })
}
