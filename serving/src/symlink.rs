//! Gold tables as partitioned Parquet tables, for engines that do not read the Delta log
//! (Redshift Spectrum, Presto, Athena engine 2).
//!
//! Per business date a symlink manifest lists the live Parquet files, as Delta Lake's
//! `GENERATE symlink_format_manifest` writes it:
//! `<table>/_symlink_format_manifest/business_date=D/manifest`. The Glue table of the same
//! name in the `<zone>_parquet` database reads them through `SymlinkTextInputFormat`, with one
//! partition per date. A sync rewrites the manifests, adds the new dates' partitions and drops
//! the partitions of dates the table no longer holds.

use std::collections::BTreeSet;

use aws_sdk_glue::types::{
    PartitionInput, PartitionValueList, SerDeInfo, StorageDescriptor, TableInput,
};
use deltalake::DeltaTable;
use paylake_catalog::{Lake, TableDef};

use crate::error::{Result, ServingError};
use crate::glue::{
    columns_of, ensure_database, upsert_table, GlueColumn, Upsert, PARQUET_SERDE, SERVICE,
};
use crate::live_files::live_files_of;
use crate::settings::AwsSettings;
use crate::sql_files::is_served;

const SYMLINK_INPUT: &str = "org.apache.hadoop.hive.ql.io.SymlinkTextInputFormat";
const IGNORE_KEY_OUTPUT: &str = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat";
/// Glue takes at most 100 partitions per BatchCreatePartition and 25 per BatchDeletePartition.
const CREATE_BATCH: usize = 100;
const DELETE_BATCH: usize = 25;

/// What syncing one Parquet table did.
pub struct ParquetTableSync {
    /// `<zone>_parquet.<table>`.
    pub name: String,
    pub table: Upsert,
    pub partitions_added: usize,
    pub partitions_removed: usize,
}

/// The Glue database of a zone's Parquet tables.
pub fn parquet_database(settings: &AwsSettings, zone: &str) -> String {
    format!("{}_parquet", settings.database_of(zone))
}

/// Where a table's manifests live, under its Delta folder.
fn manifest_root(lake: &Lake, table: &TableDef) -> String {
    format!("{}_symlink_format_manifest/", lake.table_url(table))
}

/// Writes the manifests of `table` (opened as `delta_table`) and catalogs it as a partitioned
/// Parquet table; `columns` are the Delta log's.
pub async fn sync_parquet_table(
    client: &aws_sdk_glue::Client,
    lake: &Lake,
    settings: &AwsSettings,
    table: &TableDef,
    delta_table: &DeltaTable,
    columns: &[GlueColumn],
) -> Result<ParquetTableSync> {
    debug_assert!(is_served(table));
    let database = parquet_database(settings, table.zone.as_str());
    let name = format!("{database}.{}", table.name);
    ensure_database(
        client,
        &database,
        &format!(
            "paylake {} zone: Parquet tables over symlink manifests",
            table.zone.as_str()
        ),
    )
    .await?;
    let live = live_files_of(delta_table, table)?;
    for (date, files) in &live.by_date {
        let lines: Vec<&str> = files.iter().map(|file| file.url.as_str()).collect();
        let relative = format!(
            "{}/{}/_symlink_format_manifest/business_date={date}/manifest",
            table.zone.as_str(),
            table.name
        );
        lake.write_file(&relative, format!("{}\n", lines.join("\n")).into_bytes())
            .await?;
    }

    let (data_columns, partition_columns): (Vec<GlueColumn>, Vec<GlueColumn>) = columns
        .iter()
        .cloned()
        .partition(|column| !table.partition_by.contains(&column.name.as_str()));
    let root = manifest_root(lake, table);
    let input = TableInput::builder()
        .name(table.name)
        .description(format!(
            "{} Parquet over symlink manifests of the Delta table's live files, one partition per business date.",
            table.description
        ))
        .owner(table.owner)
        .table_type("EXTERNAL_TABLE")
        .parameters("EXTERNAL", "TRUE")
        .parameters("classification", "parquet")
        .set_partition_keys(Some(columns_of(table, &partition_columns)?))
        .storage_descriptor(symlink_descriptor(table, &data_columns, &root)?)
        .build()
        .map_err(|err| ServingError::build(SERVICE, format!("TableInput {name}"), err))?;
    let outcome = upsert_table(client, &database, input).await?;

    let existing = existing_partitions(client, &database, table.name).await?;
    let live_dates: BTreeSet<String> = live.by_date.keys().cloned().collect();
    let added: Vec<&String> = live_dates.difference(&existing).collect();
    let removed: Vec<&String> = existing.difference(&live_dates).collect();
    for chunk in added.chunks(CREATE_BATCH) {
        let inputs = chunk
            .iter()
            .map(|date| {
                Ok(PartitionInput::builder()
                    .values(date.as_str())
                    .storage_descriptor(symlink_descriptor(
                        table,
                        &data_columns,
                        &format!("{root}business_date={date}/"),
                    )?)
                    .build())
            })
            .collect::<Result<Vec<_>>>()?;
        let output = client
            .batch_create_partition()
            .database_name(&database)
            .table_name(table.name)
            .set_partition_input_list(Some(inputs))
            .send()
            .await
            .map_err(|err| {
                ServingError::aws(SERVICE, format!("BatchCreatePartition {name}"), err)
            })?;
        if let Some(error) = output.errors().first() {
            return Err(ServingError::Aws {
                service: SERVICE,
                operation: format!("BatchCreatePartition {name}"),
                message: format!("{error:?}"),
            });
        }
    }
    for chunk in removed.chunks(DELETE_BATCH) {
        let values = chunk
            .iter()
            .map(|date| {
                PartitionValueList::builder()
                    .values(date.as_str())
                    .build()
                    .map_err(|err| ServingError::build(SERVICE, "PartitionValueList", err))
            })
            .collect::<Result<Vec<_>>>()?;
        client
            .batch_delete_partition()
            .database_name(&database)
            .table_name(table.name)
            .set_partitions_to_delete(Some(values))
            .send()
            .await
            .map_err(|err| {
                ServingError::aws(SERVICE, format!("BatchDeletePartition {name}"), err)
            })?;
    }
    Ok(ParquetTableSync {
        name,
        table: outcome,
        partitions_added: added.len(),
        partitions_removed: removed.len(),
    })
}

fn symlink_descriptor(
    table: &TableDef,
    columns: &[GlueColumn],
    location: &str,
) -> Result<StorageDescriptor> {
    Ok(StorageDescriptor::builder()
        .set_columns(Some(columns_of(table, columns)?))
        .location(location)
        .input_format(SYMLINK_INPUT)
        .output_format(IGNORE_KEY_OUTPUT)
        .serde_info(
            SerDeInfo::builder()
                .serialization_library(PARQUET_SERDE)
                .build(),
        )
        .build())
}

/// The business dates the catalog holds partitions for.
async fn existing_partitions(
    client: &aws_sdk_glue::Client,
    database: &str,
    table: &str,
) -> Result<BTreeSet<String>> {
    let mut dates = BTreeSet::new();
    let mut pages = client
        .get_partitions()
        .database_name(database)
        .table_name(table)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|err| {
            ServingError::aws(SERVICE, format!("GetPartitions {database}.{table}"), err)
        })?;
        dates.extend(
            page.partitions()
                .iter()
                .filter_map(|partition| partition.values().first().cloned()),
        );
    }
    Ok(dates)
}
