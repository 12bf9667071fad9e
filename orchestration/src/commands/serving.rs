//! `paylake catalog`, `paylake athena` and `paylake warehouse`: the lake served to analysts.

use std::sync::Arc;

use arrow::array::{ArrayRef, StringArray};
use arrow::datatypes::{DataType, Field, Schema};
use arrow::record_batch::RecordBatch;
use paylake_catalog::access::{table_grants, ColumnGrant};
use paylake_catalog::registry;
use paylake_serving::{athena, glue, lake_formation, sql_files, warehouse};

use crate::cli::{AthenaCommand, CatalogCommand, OutputFormat, WarehouseCommand};
use crate::config::Settings;
use crate::error::{OrchestrationError, Result};
use crate::output::format_batches;

use super::{open_lake, spinner};

async fn sdk_config() -> aws_config::SdkConfig {
    aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await
}

pub async fn catalog(settings: &Settings, command: CatalogCommand) -> Result<()> {
    match command {
        CatalogCommand::Sync { lake } => {
            let lake = open_lake(settings, &lake)?;
            let client = aws_sdk_glue::Client::new(&sdk_config().await);
            let bar = spinner("syncing the Glue catalog");
            let summary = glue::sync_catalog(&client, &lake, &settings.aws).await?;
            bar.finish_and_clear();
            println!(
                "glue: {} databases created, {} tables created, {} updated, {} unchanged, {} not written yet",
                summary.databases_created.len(),
                summary.tables_created.len(),
                summary.tables_updated.len(),
                summary.tables_unchanged,
                summary.tables_not_written.len()
            );
            println!(
                "parquet (symlink manifest) partitions: {} added, {} removed",
                summary.partitions_added, summary.partitions_removed
            );
            for table in &summary.tables_updated {
                println!("  updated (schema or location changed): {table}");
            }
            Ok(())
        }
        CatalogCommand::Grant { lake } => {
            let lake = open_lake(settings, &lake)?;
            let sdk = sdk_config().await;
            let summary = lake_formation::apply_grants(
                &aws_sdk_lakeformation::Client::new(&sdk),
                &aws_sdk_glue::Client::new(&sdk),
                &lake,
                &settings.aws,
                &settings.access()?,
            )
            .await?;
            println!(
                "lake formation: {} grants made, {} revoked, {} unchanged; {} tables tagged by zone, {} personal-data columns tagged",
                summary.granted, summary.revoked, summary.unchanged, summary.tables_tagged, summary.columns_tagged
            );
            Ok(())
        }
        CatalogCommand::Grants { role, format } => print_grants(settings, role.as_deref(), format),
        CatalogCommand::SqlFiles { out } => {
            let files = sql_files::sql_files(|zone| settings.aws.database_of(zone))?;
            for (relative, text) in &files {
                let path = out.join(relative);
                if let Some(folder) = path.parent() {
                    std::fs::create_dir_all(folder).map_err(|source| OrchestrationError::Io {
                        path: folder.to_path_buf(),
                        source,
                    })?;
                }
                std::fs::write(&path, text)
                    .map_err(|source| OrchestrationError::Io { path, source })?;
            }
            println!("wrote {} SQL files under {}", files.len(), out.display());
            Ok(())
        }
    }
}

fn print_grants(settings: &Settings, only_role: Option<&str>, format: OutputFormat) -> Result<()> {
    let access = settings.access()?;
    if let Some(role) = only_role {
        access.role(role)?;
    }
    let grants: Vec<_> = table_grants(&access)
        .into_iter()
        .filter(|grant| only_role.is_none_or(|role| grant.role.name == role))
        .collect();
    let column = |values: Vec<String>| -> ArrayRef { Arc::new(StringArray::from(values)) };
    let schema = Arc::new(Schema::new(
        ["role", "table", "columns", "personal_data"]
            .map(|name| Field::new(name, DataType::Utf8, false))
            .to_vec(),
    ));
    let batch = RecordBatch::try_new(
        schema,
        vec![
            column(grants.iter().map(|g| g.role.name.clone()).collect()),
            column(grants.iter().map(|g| g.table.qualified_name()).collect()),
            column(
                grants
                    .iter()
                    .map(|g| match &g.columns {
                        ColumnGrant::All => "all".to_string(),
                        ColumnGrant::Excluding(columns) => {
                            format!("all but {}", columns.join(", "))
                        }
                    })
                    .collect(),
            ),
            column(
                grants
                    .iter()
                    .map(|g| {
                        if g.table.personal_data.is_empty() {
                            "-".to_string()
                        } else {
                            format!("{:?}", g.role.personal_data).to_lowercase()
                        }
                    })
                    .collect(),
            ),
        ],
    )?;
    print!("{}", format_batches(&[batch], format)?);
    Ok(())
}

pub async fn athena(settings: &Settings, command: AthenaCommand) -> Result<()> {
    let AthenaCommand::Query {
        database,
        format,
        file,
        query,
    } = command;
    let query = super::query_text(file, query)?;
    let client = aws_sdk_athena::Client::new(&sdk_config().await);
    let database = database.unwrap_or_else(|| settings.aws.database_of("gold"));
    let bar = spinner("waiting for Athena");
    let result = athena::run_query(&client, &settings.aws, &database, &query).await?;
    bar.finish_and_clear();
    eprintln!("athena query {} succeeded", result.query_execution_id);
    let schema = Arc::new(Schema::new(
        result
            .columns
            .iter()
            .map(|name| Field::new(name, DataType::Utf8, true))
            .collect::<Vec<_>>(),
    ));
    let columns: Vec<ArrayRef> = (0..result.columns.len())
        .map(|index| {
            Arc::new(
                result
                    .rows
                    .iter()
                    .map(|row| row.get(index).cloned().flatten())
                    .collect::<StringArray>(),
            ) as ArrayRef
        })
        .collect();
    let batch = RecordBatch::try_new(schema, columns)?;
    print!("{}", format_batches(&[batch], format)?);
    Ok(())
}

pub async fn warehouse(settings: &Settings, command: WarehouseCommand) -> Result<()> {
    let WarehouseCommand::Load { lake, date, tables } = command;
    let lake = open_lake(settings, &lake)?;
    let tables = if tables.is_empty() {
        sql_files::served_tables()
    } else {
        tables
            .iter()
            .map(|name| registry().find(name))
            .collect::<paylake_catalog::Result<Vec<_>>>()?
    };
    let client = aws_sdk_redshiftdata::Client::new(&sdk_config().await);
    let bar = spinner(&format!("loading {date} into Redshift"));
    let loads = warehouse::load_date(&client, &lake, &settings.aws, &tables, date).await?;
    bar.finish_and_clear();
    for load in &loads {
        println!(
            "{}: version {}, {} files ({} bytes), manifest {}, statement {}",
            load.table,
            load.delta_version,
            load.files,
            load.bytes,
            load.manifest,
            load.statement_id
        );
    }
    println!("loaded {date} into Redshift: {} tables", loads.len());
    Ok(())
}
