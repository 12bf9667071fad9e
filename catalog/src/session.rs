//! A DataFusion session that sees every table of the lake as `zone.table`.

use std::sync::Arc;

use datafusion::catalog::{MemorySchemaProvider, TableProvider};
use datafusion::datasource::MemTable;
use datafusion::execution::runtime_env::RuntimeEnv;
use datafusion::execution::SessionStateBuilder;
use datafusion::prelude::{SessionConfig, SessionContext};
use deltalake::DeltaTable;

use crate::delta::open_table;
use crate::error::{CatalogError, Result};
use crate::lake::Lake;
use crate::live_scan::LiveFilesTable;
use crate::registry::{registry, TableDef, Zone};

/// How a session reads the lake's Delta tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ScanMode {
    /// Through delta-rs's own provider (the embedded engine).
    #[default]
    Delta,
    /// As the Parquet scan of each snapshot's live files (`LiveFilesTable`), which engines
    /// planning on other machines can serialise.
    LiveFiles,
}

/// The configuration every lake session starts from.
pub fn lake_session_config() -> SessionConfig {
    SessionConfig::new()
        .with_information_schema(true)
        .with_default_catalog_and_schema("datafusion", "public")
}

/// Builds a session with one schema per zone. A table that does not exist yet is registered
/// empty with its registry schema, so that jobs and queries plan before their first data lands.
pub async fn lake_session(lake: &Lake) -> Result<SessionContext> {
    lake_session_on(
        SessionContext::new_with_config(lake_session_config()),
        lake,
        ScanMode::Delta,
    )
    .await
}

/// Registers the lake's tables in `context` (one made with `lake_session_config`), read the
/// way `mode` says.
pub async fn lake_session_on(
    context: SessionContext,
    lake: &Lake,
    mode: ScanMode,
) -> Result<SessionContext> {
    context
        .state_ref()
        .write()
        .config_mut()
        .set_extension(std::sync::Arc::new(mode));
    let catalog = context
        .catalog("datafusion")
        .expect("the default catalog exists in a new session");
    for zone in Zone::ALL {
        catalog.register_schema(
            zone.as_str(),
            Arc::new(crate::lazy_schema::LazyZoneSchema::new(
                lake.clone(),
                zone,
                mode,
                context.runtime_env(),
            )),
        )?;
    }
    Ok(context)
}

/// Registers `tables` in `context`, a schema per zone: each at its latest version, or empty
/// with its registry schema when it does not exist yet.
async fn register_tables<'a>(
    context: &SessionContext,
    lake: &Lake,
    tables: impl IntoIterator<Item = &'a TableDef>,
) -> Result<()> {
    let catalog = context
        .catalog("datafusion")
        .expect("the default catalog exists in a new session");
    for zone in Zone::ALL {
        catalog.register_schema(zone.as_str(), Arc::new(MemorySchemaProvider::new()))?;
    }
    let mode = scan_mode(context);
    for table in tables {
        let provider = current_provider(lake, table, mode, &context.runtime_env()).await?;
        register(context, table, provider)?;
    }
    Ok(())
}

/// A session that sees only the tables named (`zone.table`), as they are now: what a page
/// reads, without opening every table of the lake.
pub async fn tables_session(lake: &Lake, names: &[&str]) -> Result<SessionContext> {
    let context = SessionContext::new_with_config(lake_session_config());
    let tables = names
        .iter()
        .map(|name| registry().find(name))
        .collect::<Result<Vec<_>>>()?;
    register_tables(&context, lake, tables).await?;
    Ok(context)
}

/// A session that sees one table, as `zone.table`, at the snapshot `delta_table` holds: what a
/// writer reads before it appends through the same snapshot (so a concurrent commit conflicts).
pub async fn table_session(table: &TableDef, delta_table: &DeltaTable) -> Result<SessionContext> {
    let context = SessionContext::new_with_config(lake_session_config());
    let catalog = context
        .catalog("datafusion")
        .expect("the default catalog exists in a new session");
    catalog.register_schema(table.zone.as_str(), Arc::new(MemorySchemaProvider::new()))?;
    let provider = delta_provider(&context, table, delta_table).await?;
    register(&context, table, provider)?;
    Ok(context)
}

/// Registers as `name` in `context` the rows of `delta_table`'s snapshot that lie in `paths`,
/// live files of that snapshot (as [`crate::delta::files_written_since`] lists them): what
/// changed since an earlier version, for work that reads only that. `context` must already read
/// `delta_table` (as [`table_session`] makes it), which registers the table's store.
pub async fn register_files(
    context: &SessionContext,
    name: &str,
    delta_table: &DeltaTable,
    paths: Vec<String>,
) -> Result<()> {
    debug_assert!(!paths.is_empty(), "callers skip a change without files");
    let provider = delta_table.table_provider().with_file_paths(paths).await?;
    context.register_table(name, provider)?;
    Ok(())
}

/// Points the session's `zone.table` at a version of the table just written, so that the jobs
/// after a write in one session read what it wrote.
pub async fn refresh_table(
    context: &SessionContext,
    table: &TableDef,
    delta_table: &DeltaTable,
) -> Result<()> {
    let provider = delta_provider(context, table, delta_table).await?;
    register(context, table, provider)
}

fn scan_mode(context: &SessionContext) -> ScanMode {
    context
        .state()
        .config()
        .get_extension::<ScanMode>()
        .map(|mode| *mode)
        .unwrap_or_default()
}

async fn delta_provider(
    context: &SessionContext,
    table: &TableDef,
    delta_table: &DeltaTable,
) -> Result<Arc<dyn TableProvider>> {
    snapshot_provider(
        table,
        delta_table,
        scan_mode(context),
        &context.runtime_env(),
    )
    .await
}

/// `table` in `lake` as it is now, read the way `mode` says; empty with its registry schema when
/// it does not exist yet, so that jobs and queries plan before its first data lands.
pub(crate) async fn current_provider(
    lake: &Lake,
    table: &TableDef,
    mode: ScanMode,
    runtime: &Arc<RuntimeEnv>,
) -> Result<Arc<dyn TableProvider>> {
    match open_table(lake, table).await? {
        Some(delta_table) => snapshot_provider(table, &delta_table, mode, runtime).await,
        None => Ok(Arc::new(MemTable::try_new(
            table.schema.clone(),
            vec![vec![]],
        )?)),
    }
}

/// The snapshot `delta_table` holds, read the way `mode` says, its object store registered in
/// `runtime` for the scans.
async fn snapshot_provider(
    table: &TableDef,
    delta_table: &DeltaTable,
    mode: ScanMode,
    runtime: &Arc<RuntimeEnv>,
) -> Result<Arc<dyn TableProvider>> {
    if mode == ScanMode::LiveFiles {
        return Ok(Arc::new(LiveFilesTable::of_snapshot(table, delta_table)?));
    }
    // A state over the session's runtime only to register the store there: a lazy zone cannot
    // hold the session's own state (the two would own each other).
    let registering = SessionStateBuilder::new()
        .with_runtime_env(Arc::clone(runtime))
        .build();
    delta_table
        .update_datafusion_session(&registering)
        .map_err(|err| CatalogError::delta(table.qualified_name(), err))?;
    Ok(delta_table.table_provider().await?)
}

pub(crate) fn register(
    context: &SessionContext,
    table: &TableDef,
    provider: Arc<dyn TableProvider>,
) -> Result<()> {
    let schema = context
        .catalog("datafusion")
        .and_then(|catalog| catalog.schema(table.zone.as_str()))
        .expect("lake sessions have a schema per zone");
    schema.deregister_table(table.name)?;
    schema.register_table(table.name.to_string(), provider)?;
    Ok(())
}
