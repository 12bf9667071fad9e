//! A DataFusion session that sees every table of the lake as `zone.table`.

use std::sync::Arc;

use datafusion::catalog::{MemorySchemaProvider, TableProvider};
use datafusion::datasource::MemTable;
use datafusion::prelude::{SessionConfig, SessionContext};
use deltalake::DeltaTable;

use crate::delta::open_table;
use crate::error::{CatalogError, Result};
use crate::lake::Lake;
use crate::registry::{registry, TableDef, Zone};

/// Builds a session with one schema per zone. A table that does not exist yet is registered
/// empty with its registry schema, so that jobs and queries plan before their first data lands.
pub async fn lake_session(lake: &Lake) -> Result<SessionContext> {
    let config = SessionConfig::new()
        .with_information_schema(true)
        .with_default_catalog_and_schema("datafusion", "public");
    let context = SessionContext::new_with_config(config);
    let catalog = context
        .catalog("datafusion")
        .expect("the default catalog exists in a new session");
    for zone in Zone::ALL {
        catalog.register_schema(zone.as_str(), Arc::new(MemorySchemaProvider::new()))?;
    }
    for table in registry().tables() {
        let provider: Arc<dyn TableProvider> = match open_table(lake, table).await? {
            Some(delta_table) => delta_provider(&context, table, &delta_table).await?,
            None => Arc::new(MemTable::try_new(table.schema.clone(), vec![vec![]])?),
        };
        register(&context, table, provider)?;
    }
    Ok(context)
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

async fn delta_provider(
    context: &SessionContext,
    table: &TableDef,
    delta_table: &DeltaTable,
) -> Result<Arc<dyn TableProvider>> {
    delta_table
        .update_datafusion_session(&context.state())
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
