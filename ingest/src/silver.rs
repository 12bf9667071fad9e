//! Silver: the current state of each source entity, built from bronze by MERGE.
//!
//! The latest change per key in source order wins; a delete removes the row; a change older
//! than the row silver holds (a late file) never overwrites it. Each merge records the bronze
//! version it covers as an application transaction, so merging an unchanged bronze commits
//! nothing, and tells the next merge which bronze files are new: it reads only those, and
//! the MERGE touches only the silver files whose key range can hold their keys.
//!
//! An entity with an immutable creation time is partitioned by its month
//! (`_created_month`), and the MERGE matches on the month too: delta-rs then reads and
//! rewrites only the months a day's changes reach, so a day's merge does not grow with the
//! table. A silver table written before its entity was partitioned is rebuilt from bronze once.

use datafusion::prelude::SessionContext;
use deltalake::kernel::transaction::CommitProperties;
use deltalake::kernel::Transaction;
use paylake_catalog::delta::{
    app_transaction_version, data_version, laid_out_as_registered, open_or_create_table,
    open_table, writer_properties,
};
use paylake_catalog::sql::{self, TemplateValue};
use paylake_catalog::{lineage, registry, CatalogError, Lake, Zone};

use crate::changes::{register_bronze_changes, BronzeScope};
use crate::error::Result;

/// Outcome of merging one entity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MergeOutcome {
    /// Silver already covered this bronze version.
    UpToDate,
    Merged {
        bronze_version: i64,
        inserted: u64,
        updated: u64,
        deleted: u64,
        /// The bronze files added since the last merge, whose keys' changes it read; `None`
        /// when it read all of bronze (the first load, or a log that could not tell).
        bronze_files_read: Option<usize>,
        /// The silver files the MERGE read, after delta-rs pruned by partition and key
        /// range; `None` for a load that replaced or filled the table.
        silver_files_scanned: Option<usize>,
    },
}

/// Merges `bronze.<entity>` into `silver.<entity>`.
pub async fn merge_entity(lake: &Lake, entity: &str) -> Result<MergeOutcome> {
    let bronze = registry().get(Zone::Bronze, entity)?;
    let silver = registry().get(Zone::Silver, entity)?;
    let Some(bronze_table) = open_table(lake, bronze).await? else {
        return Ok(MergeOutcome::UpToDate);
    };
    // The last version that added rows: compacting bronze does not call for a merge.
    let bronze_version = i64::try_from(data_version(&bronze_table, bronze).await?.unwrap_or(0))
        .expect("delta versions fit in i64");
    let silver_table = open_or_create_table(lake, silver).await?;
    let app_id = format!("paylake-silver:{}", bronze.qualified_name());
    let partitioned_as_registered = laid_out_as_registered(&silver_table, silver)?;
    let merged_version = if partitioned_as_registered {
        app_transaction_version(&silver_table, silver, &app_id).await?
    } else {
        tracing::info!(
            table = %silver.qualified_name(),
            partition_by = ?silver.partition_by,
            "silver is laid out otherwise than its registry entry: rebuilt from bronze"
        );
        None
    };
    if merged_version == Some(bronze_version) {
        return Ok(MergeOutcome::UpToDate);
    }
    // Silver is written only by these merges: before the first one it is empty (or laid out
    // otherwise, and then replaced whole).
    let first_load = merged_version.is_none();

    let context = SessionContext::new();
    // After the first load, only the keys of the bronze files committed since the version
    // last merged are read, with their earlier changes.
    let scope =
        register_bronze_changes(&context, &bronze_table, bronze, merged_version, &silver.key)
            .await?;
    let bronze_files_read = match scope {
        BronzeScope::Whole => None,
        BronzeScope::ChangedKeys { files_added } => Some(files_added),
    };
    // Columns the source added (schema evolution) follow into silver, which gains them.
    let evolved: Vec<String> = context
        .table("bronze")
        .await?
        .schema()
        .fields()
        .iter()
        .map(|field| field.name().clone())
        .filter(|name| bronze.schema.field_with_name(name).is_err())
        .collect();

    let silver_columns: Vec<String> = silver
        .schema
        .fields()
        .iter()
        .map(|field| field.name().clone())
        .chain(evolved.iter().cloned())
        .collect();
    fn names<S: AsRef<str>>(columns: &[S]) -> TemplateValue {
        columns
            .iter()
            .map(|column| TemplateValue::from(column.as_ref()))
            .collect()
    }
    let latest_per_key = sql::render_values(
        "ingest/latest_change_per_key.sql",
        &[
            ("columns_of_silver", names(&silver_columns)),
            ("key", names(&silver.key)),
            ("month", lineage::CREATED_MONTH.into()),
            ("month_of", TemplateValue::from(silver.month_of)),
            ("op", lineage::OP.into()),
            ("order", lineage::SOURCE_ORDER.into()),
            ("file", lineage::SOURCE_FILE.into()),
            ("position", lineage::SOURCE_POSITION.into()),
        ],
    )?;
    let source = context.sql(&latest_per_key).await?;
    if first_load {
        let save_mode = if partitioned_as_registered {
            deltalake::protocol::SaveMode::Append
        } else {
            deltalake::protocol::SaveMode::Overwrite
        };
        let (loaded_table, outcome) = load_first(
            silver_table,
            silver,
            source,
            (&app_id, bronze_version),
            save_mode,
        )
        .await?;
        if silver.full_snapshot {
            remove_rows_missing_from_latest_snapshot(&context, loaded_table, silver).await?;
        }
        return Ok(outcome);
    }

    // The changes are few (those of the keys of the new bronze files): held in memory, they
    // are computed once for the partition check and delta-rs's own passes over its source.
    let source_schema = std::sync::Arc::new(source.schema().as_arrow().clone());
    let mut source_rows = source.collect().await?;
    if source_rows.is_empty() {
        // Batches carry the schema the MERGE resolves its columns against.
        source_rows.push(arrow::record_batch::RecordBatch::new_empty(source_schema));
    }
    let month_known = every_change_knows_its_month(&source_rows, silver);
    let source = context.read_batches(source_rows)?;

    // The MERGE's conditions and assignments are delta-rs builder expressions over the
    // registry's columns.
    let quoted = |column: &str| format!("\"{column}\"");
    // Matching on the partition too lets delta-rs read only the months the changes reach. A
    // change without a month (a delete that carries only its key) is looked for everywhere.
    let matched_columns: Vec<&str> = if month_known {
        silver
            .key
            .iter()
            .chain(&silver.partition_by)
            .copied()
            .collect()
    } else {
        silver.key.clone()
    };
    let key_match = matched_columns
        .iter()
        .map(|key| format!("target.\"{key}\" = source.\"{key}\""))
        .collect::<Vec<_>>()
        .join(" AND ");
    let newer = format!(
        "source.\"{order}\" > target.\"{order}\"",
        order = lineage::SOURCE_ORDER
    );
    let is_delete = format!("source.\"{}\" = 'D'", lineage::OP);
    let is_not_delete = format!("source.\"{}\" <> 'D'", lineage::OP);
    let update_columns = silver_columns.clone();
    let insert_columns = silver_columns;
    let (merged_table, metrics) = silver_table
        .merge(source, key_match)
        .with_source_alias("source")
        .with_target_alias("target")
        .with_writer_properties(writer_properties(silver))
        .with_merge_schema(!evolved.is_empty())
        .when_matched_delete(|delete| delete.predicate(format!("{is_delete} AND {newer}")))
        .and_then(|merge| {
            merge.when_matched_update(|update| {
                update_columns.iter().fold(
                    update.predicate(format!("{is_not_delete} AND {newer}")),
                    |update, column| {
                        update.update(column.as_str(), format!("source.{}", quoted(column)))
                    },
                )
            })
        })
        .and_then(|merge| {
            merge.when_not_matched_insert(|insert| {
                insert_columns.iter().fold(
                    insert.predicate(is_not_delete.clone()),
                    |insert, column| {
                        insert.set(column.as_str(), format!("source.{}", quoted(column)))
                    },
                )
            })
        })
        .map_err(|err| CatalogError::delta(silver.qualified_name(), err))?
        .with_commit_properties(
            CommitProperties::default()
                .with_application_transaction(Transaction::new(&app_id, bronze_version)),
        )
        .await
        .map_err(|err| CatalogError::delta(silver.qualified_name(), err))?;
    let deleted_by_snapshot = if silver.full_snapshot {
        remove_rows_missing_from_latest_snapshot(&context, merged_table, silver).await?
    } else {
        0
    };
    Ok(MergeOutcome::Merged {
        bronze_version,
        inserted: metrics.num_target_rows_inserted as u64,
        updated: metrics.num_target_rows_updated as u64,
        deleted: metrics.num_target_rows_deleted as u64 + deleted_by_snapshot,
        bronze_files_read,
        silver_files_scanned: Some(metrics.num_target_files_scanned),
    })
}

/// The first load of an empty silver table: the latest change of each key, deletes left out,
/// appended in one commit (a MERGE would compare every row with nothing). A concurrent first
/// load conflicts on the application transaction, and its retry merges.
///
/// `Overwrite` replaces a silver table laid out otherwise than its registry entry (its
/// partitioning changed) with the same rows in the new layout.
async fn load_first(
    silver_table: deltalake::DeltaTable,
    silver: &paylake_catalog::TableDef,
    latest_per_key: datafusion::dataframe::DataFrame,
    (app_id, bronze_version): (&str, i64),
    save_mode: deltalake::protocol::SaveMode,
) -> Result<(deltalake::DeltaTable, MergeOutcome)> {
    use datafusion::prelude::{col, lit};
    use deltalake::operations::write::SchemaMode;
    let inserts = latest_per_key
        .filter(col(lineage::OP).not_eq(lit("D")))?
        .drop_columns(&[lineage::OP])?;
    let schema = std::sync::Arc::new(inserts.schema().as_arrow().clone());
    let mut rows = inserts.collect().await?;
    // A commit needs a batch even when there is nothing to insert (it still records the
    // bronze version covered).
    if rows.is_empty() {
        rows.push(arrow::record_batch::RecordBatch::new_empty(schema));
    }
    let inserted: u64 = rows.iter().map(|batch| batch.num_rows() as u64).sum();
    let schema_mode = match save_mode {
        deltalake::protocol::SaveMode::Overwrite => SchemaMode::Overwrite,
        _ => SchemaMode::Merge,
    };
    let loaded_table = silver_table
        .write(rows)
        .with_save_mode(save_mode)
        .with_partition_columns(silver.partition_by.iter().copied())
        .with_writer_properties(writer_properties(silver))
        .with_schema_mode(schema_mode)
        .with_commit_properties(
            CommitProperties::default()
                .with_application_transaction(Transaction::new(app_id, bronze_version)),
        )
        .await
        .map_err(|err| CatalogError::delta(silver.qualified_name(), err))?;
    let outcome = MergeOutcome::Merged {
        bronze_version,
        inserted,
        updated: 0,
        deleted: 0,
        bronze_files_read: None,
        silver_files_scanned: None,
    };
    Ok((loaded_table, outcome))
}

/// Whether every change of `rows` carries the month of its partition (always, for a table not
/// partitioned by month).
fn every_change_knows_its_month(
    rows: &[arrow::record_batch::RecordBatch],
    silver: &paylake_catalog::TableDef,
) -> bool {
    if silver.month_of.is_none() {
        return true;
    }
    rows.iter().all(|batch| {
        batch
            .column_by_name(lineage::CREATED_MONTH)
            .is_some_and(|month| month.null_count() == 0)
    })
}

/// For a table delivered whole each time, deletes the rows that the latest delivery (the
/// greatest landing file name, since load ids sort by time) no longer lists.
async fn remove_rows_missing_from_latest_snapshot(
    bronze_context: &SessionContext,
    silver_table: deltalake::DeltaTable,
    silver: &paylake_catalog::TableDef,
) -> Result<u64> {
    let latest = bronze_context
        .sql(&sql::render(
            "ingest/latest_landing_file.sql",
            &[("file", lineage::SOURCE_FILE.to_string())],
        )?)
        .await?
        .collect()
        .await?;
    let Some(latest_file) = latest
        .first()
        .filter(|batch| batch.num_rows() == 1 && !batch.column(0).is_null(0))
        .and_then(|batch| arrow::util::display::array_value_to_string(batch.column(0), 0).ok())
    else {
        return Ok(0);
    };
    let (_table, metrics) = silver_table
        .delete()
        .with_predicate(format!(
            "\"{file}\" <> '{}'",
            latest_file.replace('\'', "''"),
            file = lineage::SOURCE_FILE
        ))
        .await
        .map_err(|err| CatalogError::delta(silver.qualified_name(), err))?;
    Ok(metrics.num_deleted_rows.unwrap_or(0) as u64)
}
