//! The Glue Data Catalog: a database per zone and, per Delta table, a table in the form Athena
//! reads natively (`table_type=DELTA`), with the columns of the Delta log's current schema.
//! Gold tables are also catalogued as partitioned Parquet tables for engines that do not read
//! Delta ([`crate::symlink`]).

use aws_sdk_glue::types::{Column, DatabaseInput, SerDeInfo, StorageDescriptor, TableInput};
use paylake_catalog::delta::open_table;
use paylake_catalog::{registry, Lake, TableDef, Zone};

use crate::error::{Result, ServingError};
use crate::settings::AwsSettings;
use crate::symlink;
use crate::types::glue_type;

pub(crate) const SERVICE: &str = "glue";
const PARQUET_INPUT: &str = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat";
const PARQUET_OUTPUT: &str = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat";
pub(crate) const PARQUET_SERDE: &str =
    "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe";

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
    /// Partitions of the Parquet (symlink manifest) tables added and removed.
    pub partitions_added: usize,
    pub partitions_removed: usize,
}

impl SyncSummary {
    fn count(&mut self, name: String, outcome: Upsert) {
        match outcome {
            Upsert::Created => self.tables_created.push(name),
            Upsert::Updated => self.tables_updated.push(name),
            Upsert::Unchanged => self.tables_unchanged += 1,
        }
    }
}

/// A Glue column: name and Hive type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GlueColumn {
    pub name: String,
    pub glue_type: String,
}

/// What writing a catalog table did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upsert {
    Created,
    Updated,
    Unchanged,
}

/// Creates the zones' databases and creates or updates a table per written Delta table, and a
/// Parquet table per written gold table.
pub async fn sync_catalog(
    client: &aws_sdk_glue::Client,
    lake: &Lake,
    settings: &AwsSettings,
) -> Result<SyncSummary> {
    let mut summary = SyncSummary::default();
    for zone in Zone::ALL {
        let database = settings.database_of(zone.as_str());
        let description = format!("paylake {} zone: Delta tables", zone.as_str());
        if ensure_database(client, &database, &description).await? {
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
        let input = delta_table_input(table, &columns, &location)?;
        let outcome = upsert_table(client, &database, input).await?;
        summary.count(table.qualified_name(), outcome);

        if crate::sql_files::is_served(table) {
            let parquet =
                symlink::sync_parquet_table(client, lake, settings, table, &delta_table, &columns)
                    .await?;
            summary.count(parquet.name, parquet.table);
            summary.partitions_added += parquet.partitions_added;
            summary.partitions_removed += parquet.partitions_removed;
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
pub(crate) async fn ensure_database(
    client: &aws_sdk_glue::Client,
    database: &str,
    description: &str,
) -> Result<bool> {
    match client.get_database().name(database).send().await {
        Ok(_) => return Ok(false),
        Err(err)
            if err
                .as_service_error()
                .is_some_and(|e| e.is_entity_not_found_exception()) => {}
        Err(err) => {
            return Err(ServingError::aws(
                SERVICE,
                format!("GetDatabase {database}"),
                err,
            ))
        }
    }
    let input = DatabaseInput::builder()
        .name(database)
        .description(description)
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

/// What paylake compares of a catalog table to decide whether it changed: columns, partition
/// keys and location.
#[derive(Debug, PartialEq, Eq)]
struct TableShape {
    columns: Vec<GlueColumn>,
    partition_keys: Vec<GlueColumn>,
    location: String,
}

fn glue_columns(columns: &[Column]) -> Vec<GlueColumn> {
    columns
        .iter()
        .map(|column| GlueColumn {
            name: column.name().to_string(),
            glue_type: column.r#type().unwrap_or_default().to_string(),
        })
        .collect()
}

fn shape(descriptor: Option<&StorageDescriptor>, partition_keys: &[Column]) -> TableShape {
    TableShape {
        columns: descriptor
            .map(|d| glue_columns(d.columns()))
            .unwrap_or_default(),
        partition_keys: glue_columns(partition_keys),
        location: descriptor
            .and_then(|d| d.location())
            .unwrap_or_default()
            .to_string(),
    }
}

/// Creates the table, or updates it when its shape differs from `input`'s.
pub(crate) async fn upsert_table(
    client: &aws_sdk_glue::Client,
    database: &str,
    input: TableInput,
) -> Result<Upsert> {
    let name = input.name().to_string();
    let operation = |verb: &str| format!("{verb} {database}.{name}");
    let existing = match client
        .get_table()
        .database_name(database)
        .name(&name)
        .send()
        .await
    {
        Ok(output) => output.table().cloned(),
        Err(err)
            if err
                .as_service_error()
                .is_some_and(|e| e.is_entity_not_found_exception()) =>
        {
            None
        }
        Err(err) => return Err(ServingError::aws(SERVICE, operation("GetTable"), err)),
    };
    let Some(existing) = existing else {
        client
            .create_table()
            .database_name(database)
            .table_input(input)
            .send()
            .await
            .map_err(|err| ServingError::aws(SERVICE, operation("CreateTable"), err))?;
        return Ok(Upsert::Created);
    };
    let wanted = shape(input.storage_descriptor(), input.partition_keys());
    if shape(existing.storage_descriptor(), existing.partition_keys()) == wanted {
        return Ok(Upsert::Unchanged);
    }
    client
        .update_table()
        .database_name(database)
        .table_input(input)
        .send()
        .await
        .map_err(|err| ServingError::aws(SERVICE, operation("UpdateTable"), err))?;
    Ok(Upsert::Updated)
}

/// Glue columns, commented and marked when they hold personal data.
pub(crate) fn columns_of(table: &TableDef, columns: &[GlueColumn]) -> Result<Vec<Column>> {
    columns
        .iter()
        .map(|column| {
            let personal = table.personal_data.contains(&column.name.as_str());
            let mut builder = Column::builder()
                .name(&column.name)
                .r#type(&column.glue_type);
            if personal {
                builder = builder
                    .comment("personal data")
                    .parameters("personal_data", "true");
            }
            builder.build().map_err(|err| {
                ServingError::build(SERVICE, format!("Column {}", table.qualified_name()), err)
            })
        })
        .collect()
}

/// A Delta table as Athena reads it natively: `table_type=DELTA` at the table's location.
fn delta_table_input(
    table: &TableDef,
    columns: &[GlueColumn],
    location: &str,
) -> Result<TableInput> {
    let descriptor = StorageDescriptor::builder()
        .set_columns(Some(columns_of(table, columns)?))
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
        .map_err(|err| {
            ServingError::build(
                SERVICE,
                format!("TableInput {}", table.qualified_name()),
                err,
            )
        })
}
