//! The Glue Data Catalog: a database per zone and, per Delta table, a table in the form Athena
//! reads natively (`table_type=DELTA`), with the columns of the Delta log's current schema.

use std::collections::BTreeMap;

use aws_sdk_glue::types::{Column, DatabaseInput, SerDeInfo, StorageDescriptor, TableInput};
use paylake_catalog::delta::open_table;
use paylake_catalog::{registry, Lake, TableDef, Zone};

use crate::error::{Result, ServingError};
use crate::settings::AwsSettings;
use crate::types::glue_type;

const SERVICE: &str = "glue";
const PARQUET_INPUT: &str = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat";
const PARQUET_OUTPUT: &str = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat";
const PARQUET_SERDE: &str = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe";

/// What a sync did.
#[derive(Debug, Default)]
pub struct SyncSummary {
    pub databases_created: Vec<String>,
    pub tables_created: Vec<String>,
    /// Tables whose columns or location changed (a schema that evolved).
    pub tables_updated: Vec<String>,
    pub tables_unchanged: usize,
    /// Tables of the registry the lake has not written yet, left out of the catalog.
    pub tables_not_written: Vec<String>,
}

/// A Glue column: name, type, and whether it holds personal data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GlueColumn {
    pub name: String,
    pub glue_type: String,
}

/// Creates the zones' databases and creates or updates a table per written Delta table.
pub async fn sync_catalog(
    client: &aws_sdk_glue::Client,
    lake: &Lake,
    settings: &AwsSettings,
) -> Result<SyncSummary> {
    let mut summary = SyncSummary::default();
    for zone in Zone::ALL {
        let database = settings.database_of(zone.as_str());
        if ensure_database(client, &database, zone).await? {
            summary.databases_created.push(database);
        }
    }
    for table in registry().tables() {
        let Some(delta_table) = open_table(lake, table).await? else {
            summary.tables_not_written.push(table.qualified_name());
            continue;
        };
        let schema = delta_table
            .snapshot()
            .map_err(|err| ServingError::Table {
                table: table.qualified_name(),
                reason: err.to_string(),
            })?
            .snapshot()
            .arrow_schema();
        let columns: Vec<GlueColumn> = schema
            .fields()
            .iter()
            .map(|field| GlueColumn {
                name: field.name().clone(),
                glue_type: glue_type(field.data_type()),
            })
            .collect();
        let database = settings.database_of(table.zone.as_str());
        let location = lake.table_url(table).to_string();
        match existing_table(client, &database, table.name).await? {
            None => {
                create_table(client, &database, table, &columns, &location).await?;
                summary.tables_created.push(table.qualified_name());
            }
            Some((existing_columns, existing_location))
                if existing_columns == columns && existing_location == location =>
            {
                summary.tables_unchanged += 1;
            }
            Some(_) => {
                let input = table_input(table, &columns, &location)?;
                client
                    .update_table()
                    .database_name(&database)
                    .table_input(input)
                    .send()
                    .await
                    .map_err(|err| {
                        ServingError::aws(
                            SERVICE,
                            format!("UpdateTable {database}.{}", table.name),
                            err,
                        )
                    })?;
                summary.tables_updated.push(table.qualified_name());
            }
        }
    }
    tracing::info!(
        created = summary.tables_created.len(),
        updated = summary.tables_updated.len(),
        unchanged = summary.tables_unchanged,
        "glue catalog synced"
    );
    Ok(summary)
}

/// Creates the database unless it exists; whether it was created.
async fn ensure_database(
    client: &aws_sdk_glue::Client,
    database: &str,
    zone: Zone,
) -> Result<bool> {
    if client.get_database().name(database).send().await.is_ok() {
        return Ok(false);
    }
    let input = DatabaseInput::builder()
        .name(database)
        .description(format!("paylake {} zone", zone.as_str()))
        .build()
        .map_err(|err| ServingError::build(SERVICE, format!("CreateDatabase {database}"), err))?;
    match client.create_database().database_input(input).send().await {
        Ok(_) => Ok(true),
        Err(err)
            if err
                .as_service_error()
                .is_some_and(|e| e.is_already_exists_exception()) =>
        {
            Ok(false)
        }
        Err(err) => Err(ServingError::aws(
            SERVICE,
            format!("CreateDatabase {database}"),
            err,
        )),
    }
}

/// The columns and location of a catalog table, or `None` when there is none.
async fn existing_table(
    client: &aws_sdk_glue::Client,
    database: &str,
    name: &str,
) -> Result<Option<(Vec<GlueColumn>, String)>> {
    let output = match client
        .get_table()
        .database_name(database)
        .name(name)
        .send()
        .await
    {
        Ok(output) => output,
        Err(err)
            if err
                .as_service_error()
                .is_some_and(|e| e.is_entity_not_found_exception()) =>
        {
            return Ok(None)
        }
        Err(err) => {
            return Err(ServingError::aws(
                SERVICE,
                format!("GetTable {database}.{name}"),
                err,
            ))
        }
    };
    let descriptor = output.table().and_then(|table| table.storage_descriptor());
    let columns = descriptor
        .map(|descriptor| {
            descriptor
                .columns()
                .iter()
                .map(|column| GlueColumn {
                    name: column.name().to_string(),
                    glue_type: column.r#type().unwrap_or_default().to_string(),
                })
                .collect()
        })
        .unwrap_or_default();
    let location = descriptor
        .and_then(|descriptor| descriptor.location())
        .unwrap_or_default()
        .to_string();
    Ok(Some((columns, location)))
}

async fn create_table(
    client: &aws_sdk_glue::Client,
    database: &str,
    table: &TableDef,
    columns: &[GlueColumn],
    location: &str,
) -> Result<()> {
    client
        .create_table()
        .database_name(database)
        .table_input(table_input(table, columns, location)?)
        .send()
        .await
        .map_err(|err| {
            ServingError::aws(
                SERVICE,
                format!("CreateTable {database}.{}", table.name),
                err,
            )
        })?;
    Ok(())
}

/// A Delta table as Athena reads it natively: `table_type=DELTA` at the table's location.
fn table_input(table: &TableDef, columns: &[GlueColumn], location: &str) -> Result<TableInput> {
    let operation = || format!("TableInput {}", table.qualified_name());
    let glue_columns = columns
        .iter()
        .map(|column| {
            let personal = table.personal_data.contains(&column.name.as_str());
            Column::builder()
                .name(&column.name)
                .r#type(&column.glue_type)
                .set_comment(personal.then(|| "personal data".to_string()))
                .set_parameters(personal.then(|| {
                    BTreeMap::from([("personal_data".to_string(), "true".to_string())])
                        .into_iter()
                        .collect()
                }))
                .build()
                .map_err(|err| ServingError::build(SERVICE, operation(), err))
        })
        .collect::<Result<Vec<_>>>()?;
    let descriptor = StorageDescriptor::builder()
        .set_columns(Some(glue_columns))
        .location(location)
        .input_format(PARQUET_INPUT)
        .output_format(PARQUET_OUTPUT)
        .serde_info(
            SerDeInfo::builder()
                .serialization_library(PARQUET_SERDE)
                .build(),
        )
        .build();
    TableInput::builder()
        .name(table.name)
        .description(table.description)
        .owner(table.owner)
        .table_type("EXTERNAL_TABLE")
        .parameters("table_type", "DELTA")
        .parameters("EXTERNAL", "TRUE")
        .parameters("classification", "delta")
        .parameters("paylake.partitioned_by", table.partition_by.join(","))
        .parameters("paylake.personal_data", table.personal_data.join(","))
        .storage_descriptor(descriptor)
        .build()
        .map_err(|err| ServingError::build(SERVICE, operation(), err))
}
