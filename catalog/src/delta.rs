//! Delta table helpers: create from the registry, append with application transactions,
//! replace a partition, and ask which source positions a table already holds.

use arrow::record_batch::RecordBatch;
use datafusion::prelude::Expr;
use deltalake::kernel::engine::arrow_conversion::TryIntoKernel;
use deltalake::kernel::transaction::CommitProperties;
use deltalake::kernel::{StructType, Transaction};
use deltalake::parquet::basic::Compression;
use deltalake::parquet::file::properties::WriterProperties;
use deltalake::parquet::schema::types::ColumnPath;
use deltalake::protocol::SaveMode;
use deltalake::DeltaTable;

use crate::error::{CatalogError, Result};
use crate::lake::Lake;
use crate::registry::TableDef;

/// Opens a table, or `None` when it has not been created yet.
pub async fn open_table(lake: &Lake, table: &TableDef) -> Result<Option<DeltaTable>> {
    // delta-rs refuses a local location that does not exist; that is simply no table yet.
    if let Ok(folder) = lake.table_url(table).to_file_path() {
        if !folder.exists() {
            return Ok(None);
        }
    }
    let delta_table = DeltaTable::try_from_url_with_storage_options(
        lake.table_url(table),
        lake.storage_options(),
    )
    .await
    .map_err(|err| CatalogError::delta(table.qualified_name(), err))?;
    Ok(delta_table.version().is_some().then_some(delta_table))
}

/// Opens a table, creating it empty from its registry definition when it does not exist.
pub async fn open_or_create_table(lake: &Lake, table: &TableDef) -> Result<DeltaTable> {
    if let Some(existing) = open_table(lake, table).await? {
        return Ok(existing);
    }
    let delta_error = |err| CatalogError::delta(table.qualified_name(), err);
    if let Ok(folder) = lake.table_url(table).to_file_path() {
        std::fs::create_dir_all(&folder).map_err(|source| CatalogError::Io {
            path: folder.clone(),
            source,
        })?;
    }
    let delta_schema: StructType = table.schema.as_ref().try_into_kernel()?;
    let empty = DeltaTable::try_from_url_with_storage_options(
        lake.table_url(table),
        lake.storage_options(),
    )
    .await
    .map_err(delta_error)?;
    let created = empty
        .create()
        .with_table_name(table.qualified_name())
        .with_comment(table.description)
        .with_columns(delta_schema.fields().cloned())
        .with_partition_columns(table.partition_by.iter().copied())
        // A concurrent creator wins; we then open its table.
        .with_save_mode(SaveMode::Ignore)
        .await
        .map_err(delta_error)?;
    Ok(created)
}

/// Whether a table is partitioned as its registry entry says (a table written before its entry
/// changed is not, and is rewritten once in the new layout).
pub fn laid_out_as_registered(delta_table: &DeltaTable, table: &TableDef) -> Result<bool> {
    Ok(delta_table
        .snapshot()
        .map_err(|err| CatalogError::delta(table.qualified_name(), err))?
        .metadata()
        .partition_columns()
        .iter()
        .eq(table.partition_by.iter()))
}

/// Commits that rearrange a table's files without changing its rows (`paylake maintain`).
const MAINTENANCE_OPERATIONS: [&str; 3] = ["OPTIMIZE", "VACUUM START", "VACUUM END"];

/// The version of the last commit that changed the table's rows: compaction and vacuum commits
/// after it do not count, so that what read the table is not made stale, and silver is not
/// merged again, because its files were rearranged.
pub async fn data_version(delta_table: &DeltaTable, table: &TableDef) -> Result<Option<u64>> {
    use futures::TryStreamExt;
    let Some(current_version) = delta_table.version() else {
        return Ok(None);
    };
    // A maintenance pass writes at most three commits, so the last data commit is usually
    // among the last few; a table left unchanged through many passes needs a longer look.
    let mut limit = 8;
    loop {
        let mut version = current_version;
        let mut history = delta_table.history(Some(limit));
        while let Some(commit) = history
            .try_next()
            .await
            .map_err(|err| CatalogError::delta(table.qualified_name(), err))?
        {
            let maintenance = commit
                .operation
                .as_deref()
                .is_some_and(|operation| MAINTENANCE_OPERATIONS.contains(&operation));
            if !maintenance || version == 0 {
                return Ok(Some(version));
            }
            version -= 1;
        }
        if limit as u64 > current_version {
            return Ok(Some(version));
        }
        limit *= 4;
    }
}

/// The actions of commit `version`, or `None` when its file is gone (cleaned after a
/// checkpoint).
async fn commit_actions(
    delta_table: &DeltaTable,
    table: &TableDef,
    version: u64,
) -> Result<Option<Vec<deltalake::kernel::Action>>> {
    let delta_error = |err| CatalogError::delta(table.qualified_name(), err);
    let Some(commit) = delta_table
        .log_store()
        .read_commit_entry(version)
        .await
        .map_err(delta_error)?
    else {
        return Ok(None);
    };
    let actions = deltalake::logstore::get_actions(version, &commit).map_err(delta_error)?;
    Ok(Some(actions))
}

/// The data files that the commits after `since_version` added with new rows, when the table
/// only grew since: appends, and maintenance that left the added files alone. `None` when the
/// log cannot tell (a commit was cleaned away, rows were removed or rewritten, an added file
/// was compacted since); the caller then reads the whole table.
pub async fn files_appended_since(
    delta_table: &DeltaTable,
    table: &TableDef,
    since_version: u64,
) -> Result<Option<Vec<deltalake::kernel::Add>>> {
    use deltalake::kernel::Action;
    let Some(current_version) = delta_table.version() else {
        return Ok(None);
    };
    let mut added = Vec::new();
    let mut removed_paths = std::collections::HashSet::new();
    for version in since_version + 1..=current_version {
        let Some(actions) = commit_actions(delta_table, table, version).await? else {
            return Ok(None);
        };
        for action in actions {
            match action {
                Action::Add(add) if add.data_change => added.push(add),
                Action::Remove(remove) if remove.data_change => return Ok(None),
                Action::Remove(remove) => {
                    removed_paths.insert(remove.path);
                }
                _ => {}
            }
        }
    }
    if added.iter().any(|add| removed_paths.contains(&add.path)) {
        return Ok(None);
    }
    Ok(Some(added))
}

/// The paths of the files the snapshot `delta_table` holds reads (relative to the table's
/// root). A file not among them is no longer part of the current version.
pub fn live_file_paths(
    delta_table: &DeltaTable,
) -> deltalake::DeltaResult<std::collections::HashSet<String>> {
    Ok(delta_table
        .snapshot()?
        .log_data()
        .iter()
        .map(|file| file.path().to_string())
        .collect())
}

/// The live files of `delta_table`'s snapshot that a commit after `version` added, sorted:
/// every row written or rewritten since lies in one of them. Read from those commits alone (a
/// few small JSON files a day), not by replaying the log as of `version`. An error when one of
/// them is gone (cleaned up after a checkpoint).
pub async fn files_written_since(
    delta_table: &DeltaTable,
    table: &TableDef,
    version: u64,
) -> Result<Vec<String>> {
    use deltalake::kernel::Action;
    let current_version = delta_table.version().unwrap_or_default();
    let live = live_file_paths(delta_table)
        .map_err(|err| CatalogError::delta(table.qualified_name(), err))?;
    let mut written = std::collections::BTreeSet::new();
    for commit in version + 1..=current_version {
        let Some(actions) = commit_actions(delta_table, table, commit).await? else {
            return Err(CatalogError::delta(
                table.qualified_name(),
                deltalake::DeltaTableError::Generic(format!(
                    "commit {commit} is no longer in the log"
                )),
            ));
        };
        for action in actions {
            if let Action::Add(add) = action {
                // The log keeps paths percent-encoded; the snapshot lists them decoded.
                let path = percent_encoding::percent_decode_str(&add.path)
                    .decode_utf8_lossy()
                    .into_owned();
                if live.contains(&path) {
                    written.insert(path);
                }
            }
        }
    }
    Ok(written.into_iter().collect())
}

/// The live files of `delta_table`'s snapshot that its storage no longer holds, sorted: a
/// table missing any cannot be read whole. One listing of the table's folder.
pub async fn missing_live_files(delta_table: &DeltaTable, table: &TableDef) -> Result<Vec<String>> {
    use futures::TryStreamExt;
    let delta_error = |err| CatalogError::delta(table.qualified_name(), err);
    let stored: std::collections::HashSet<String> = delta_table
        .object_store()
        .list(None)
        .map_ok(|object| object.location.to_string())
        .try_collect()
        .await
        .map_err(|source| CatalogError::ObjectStore {
            location: table.qualified_name(),
            source: Box::new(source),
        })?;
    let mut missing: Vec<String> = live_file_paths(delta_table)
        .map_err(delta_error)?
        .into_iter()
        .filter(|path| !stored.contains(path))
        .collect();
    missing.sort();
    Ok(missing)
}

/// Every application transaction of a table, by application id, with the version each last
/// recorded: one replay of the log (the last checkpoint's `txn` column and the commits after
/// it), where asking per id replays the log once per id. delta-rs offers only the per-id
/// lookup, so the replay is kept here.
pub async fn app_transactions(
    delta_table: &DeltaTable,
    table: &TableDef,
) -> Result<std::collections::HashMap<String, i64>> {
    use deltalake::kernel::Action;
    use deltalake::logstore::object_store::ObjectStoreExt;
    use deltalake::Path;
    let delta_error = |err| CatalogError::delta(table.qualified_name(), err);
    let mut transactions = std::collections::HashMap::new();
    let Some(current_version) = delta_table.version() else {
        return Ok(transactions);
    };
    let log_store = delta_table.log_store();
    let store = log_store.object_store(None);
    let checkpoint = match store.get(&Path::from("_delta_log/_last_checkpoint")).await {
        Ok(found) => {
            let bytes = found.bytes().await.map_err(|err| delta_error(err.into()))?;
            let last: LastCheckpoint = serde_json::from_slice(&bytes).map_err(|err| {
                CatalogError::delta(
                    table.qualified_name(),
                    deltalake::DeltaTableError::Generic(format!(
                        "unreadable _last_checkpoint: {err}"
                    )),
                )
            })?;
            Some(last).filter(|last| last.version <= current_version)
        }
        Err(deltalake::ObjectStoreError::NotFound { .. }) => None,
        Err(err) => return Err(delta_error(err.into())),
    };
    let mut first_commit = 0;
    if let Some(last) = checkpoint {
        let context = datafusion::prelude::SessionContext::new();
        delta_table
            .update_datafusion_session(&context.state())
            .map_err(delta_error)?;
        let table_root = log_store
            .root_url()
            .as_str()
            .trim_end_matches('/')
            .to_string();
        let files: Vec<String> = match last.parts {
            None | Some(1) => vec![format!("{:020}.checkpoint.parquet", last.version)],
            Some(parts) => (1..=parts)
                .map(|part| {
                    format!(
                        "{:020}.checkpoint.{part:010}.{parts:010}.parquet",
                        last.version
                    )
                })
                .collect(),
        };
        for file in files {
            let url = format!("{table_root}/_delta_log/{file}");
            let batches = context
                .read_parquet(url, Default::default())
                .await?
                .filter(datafusion::prelude::col("txn").is_not_null())?
                .select(vec![
                    datafusion::functions::core::expr_fn::get_field(
                        datafusion::prelude::col("txn"),
                        "appId",
                    )
                    .alias("app_id"),
                    datafusion::functions::core::expr_fn::get_field(
                        datafusion::prelude::col("txn"),
                        "version",
                    )
                    .alias("version"),
                ])?
                .collect()
                .await?;
            for batch in &batches {
                let app_ids =
                    arrow::compute::cast(batch.column(0), &arrow::datatypes::DataType::Utf8)?;
                let app_ids = arrow::array::AsArray::as_string::<i32>(app_ids.as_ref());
                let versions =
                    arrow::compute::cast(batch.column(1), &arrow::datatypes::DataType::Int64)?;
                let versions = arrow::array::AsArray::as_primitive::<arrow::datatypes::Int64Type>(
                    versions.as_ref(),
                );
                for row in 0..batch.num_rows() {
                    if arrow::array::Array::is_valid(app_ids, row)
                        && arrow::array::Array::is_valid(versions, row)
                    {
                        transactions.insert(app_ids.value(row).to_string(), versions.value(row));
                    }
                }
            }
        }
        first_commit = last.version + 1;
    }
    for version in first_commit..=current_version {
        let Some(actions) = commit_actions(delta_table, table, version).await? else {
            continue;
        };
        for action in actions {
            if let Action::Txn(transaction) = action {
                transactions.insert(transaction.app_id, transaction.version);
            }
        }
    }
    Ok(transactions)
}

/// The fields of `_delta_log/_last_checkpoint` the log replay needs.
#[derive(serde::Deserialize)]
struct LastCheckpoint {
    version: u64,
    parts: Option<u64>,
}

/// The last version recorded by an application transaction of `app_id`, if any.
pub async fn app_transaction_version(
    delta_table: &DeltaTable,
    table: &TableDef,
    app_id: &str,
) -> Result<Option<i64>> {
    let Ok(state) = delta_table.snapshot() else {
        return Ok(None);
    };
    state
        .transaction_version(delta_table.log_store().as_ref(), app_id)
        .await
        .map_err(|err| CatalogError::delta(table.qualified_name(), err))
}

/// Appends batches in one commit that also records the given application transactions, so
/// that the source positions and the data become visible together or not at all.
pub async fn append(
    delta_table: DeltaTable,
    table: &TableDef,
    batches: Vec<RecordBatch>,
    transactions: Vec<Transaction>,
) -> Result<DeltaTable> {
    append_with_schema_mode(delta_table, table, batches, transactions, None).await
}

/// Appends like [`append`], adding to the table any nullable column the batches bring that
/// it lacks (schema evolution) and filling with nulls the columns they lack.
pub async fn append_evolving_schema(
    delta_table: DeltaTable,
    table: &TableDef,
    batches: Vec<RecordBatch>,
    transactions: Vec<Transaction>,
) -> Result<DeltaTable> {
    let merge = Some(deltalake::operations::write::SchemaMode::Merge);
    append_with_schema_mode(delta_table, table, batches, transactions, merge).await
}

/// How paylake writes a table's Parquet files: Snappy, as delta-rs does, and no dictionary for
/// the columns whose values hardly repeat (the source order, one per change, and the table's
/// key). Building a dictionary of such a column costs a hash and a compare per value, and the
/// writer drops it anyway once it outgrows its page.
pub fn writer_properties(table: &TableDef) -> WriterProperties {
    let unique_columns = table
        .key
        .iter()
        .copied()
        .chain([crate::lineage::SOURCE_ORDER])
        .filter(|column| table.schema.field_with_name(column).is_ok());
    unique_columns
        .fold(
            WriterProperties::builder().set_compression(Compression::SNAPPY),
            |builder, column| {
                builder.set_column_dictionary_enabled(ColumnPath::from(column), false)
            },
        )
        .build()
}

async fn append_with_schema_mode(
    delta_table: DeltaTable,
    table: &TableDef,
    batches: Vec<RecordBatch>,
    transactions: Vec<Transaction>,
    schema_mode: Option<deltalake::operations::write::SchemaMode>,
) -> Result<DeltaTable> {
    let write = delta_table
        .write(batches)
        .with_save_mode(SaveMode::Append)
        .with_writer_properties(writer_properties(table))
        .with_commit_properties(
            CommitProperties::default().with_application_transactions(transactions),
        );
    let write = match schema_mode {
        Some(mode) => write.with_schema_mode(mode),
        None => write,
    };
    write
        .await
        .map_err(|err| CatalogError::delta(table.qualified_name(), err))
}

/// Replaces the whole table with `batches` in one commit (creating it when absent): for state
/// that is rewritten whole, as screening's cache of names when the list changes.
pub async fn overwrite_table(
    lake: &Lake,
    table: &TableDef,
    batches: Vec<RecordBatch>,
) -> Result<DeltaTable> {
    let delta_table = open_or_create_table(lake, table).await?;
    delta_table
        .write(batches)
        .with_save_mode(SaveMode::Overwrite)
        .with_writer_properties(writer_properties(table))
        .with_schema_mode(deltalake::operations::write::SchemaMode::Merge)
        .await
        .map_err(|err| CatalogError::delta(table.qualified_name(), err))
}

/// Replaces the rows matching `partition_predicate` with `batches`, in one commit. A nullable
/// column the registry added since the table was created is added to it (schema evolution), so
/// that a lake built by an older paylake takes the new column on its next rebuild.
pub async fn replace_where(
    delta_table: DeltaTable,
    table: &TableDef,
    batches: Vec<RecordBatch>,
    partition_predicate: Expr,
) -> Result<DeltaTable> {
    delta_table
        .write(batches)
        .with_save_mode(SaveMode::Overwrite)
        .with_replace_where(partition_predicate)
        .with_partition_columns(table.partition_by.iter().copied())
        .with_schema_mode(deltalake::operations::write::SchemaMode::Merge)
        .await
        .map_err(|err| CatalogError::delta(table.qualified_name(), err))
}

/// Casts a batch's columns, by name, to a table's schema (for example a query's
/// `List(item)` to the table's `List(element)`, or `Decimal(38,2)` to `Decimal(18,2)`).
pub fn conform_to_schema(
    batch: &RecordBatch,
    schema: &arrow::datatypes::SchemaRef,
) -> Result<RecordBatch> {
    let columns = schema
        .fields()
        .iter()
        .map(|field| {
            let column = batch.column_by_name(field.name()).ok_or_else(|| {
                arrow::error::ArrowError::SchemaError(format!(
                    "the job's output lacks column '{}'",
                    field.name()
                ))
            })?;
            arrow::compute::cast(column, field.data_type())
        })
        .collect::<std::result::Result<Vec<_>, _>>()?;
    Ok(RecordBatch::try_new(schema.clone(), columns)?)
}

/// Replaces the `business_date` partition of a date-partitioned table with `batches` (cast to
/// the table's schema) and points `context` at the new version, so that the date's later jobs
/// in the same session read it. Returns the number of rows written.
pub async fn replace_date_partition(
    lake: &Lake,
    context: &datafusion::prelude::SessionContext,
    table: &TableDef,
    business_date: chrono::NaiveDate,
    batches: &[RecordBatch],
) -> Result<u64> {
    use datafusion::prelude::{col, lit};
    use datafusion::scalar::ScalarValue;
    debug_assert!(table.partition_by == ["business_date"]);
    let mut conformed = batches
        .iter()
        .map(|batch| conform_to_schema(batch, &table.schema))
        .collect::<Result<Vec<_>>>()?;
    if conformed.is_empty() {
        // An empty date still replaces what an earlier run wrote.
        conformed.push(RecordBatch::new_empty(table.schema.clone()));
    }
    let rows = conformed.iter().map(|batch| batch.num_rows() as u64).sum();
    if let Some(gate) = crate::gate::installed_gate(context) {
        gate.audit(table, business_date, &conformed)
            .await
            .map_err(|reason| CatalogError::PublicationRefused {
                table: table.qualified_name(),
                business_date,
                reason,
            })?;
    }
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).expect("the epoch is a date");
    let day_number = (business_date - epoch).num_days();
    let day_number = i32::try_from(day_number).expect("business dates fit in i32 days");
    let delta_table = open_or_create_table(lake, table).await?;
    let predicate = col("business_date").eq(lit(ScalarValue::Date32(Some(day_number))));
    let written = replace_where(delta_table, table, conformed, predicate).await?;
    crate::session::refresh_table(context, table, &written).await?;
    Ok(rows)
}
