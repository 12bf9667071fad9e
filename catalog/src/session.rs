//! A DataFusion session that sees every table of the lake as `zone.table`.

use std::sync::Arc;

use datafusion::catalog::MemorySchemaProvider;
use datafusion::datasource::MemTable;
use datafusion::prelude::{SessionConfig, SessionContext};

use crate::delta::open_table;
use crate::error::{CatalogError, Result};
use crate::lake::Lake;
use crate::registry::{registry, Zone};

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
        let schema = catalog
            .schema(table.zone.as_str())
            .expect("every zone schema was registered above");
        let provider: Arc<dyn datafusion::catalog::TableProvider> =
            match open_table(lake, table).await? {
                Some(delta_table) => {
                    delta_table
                        .update_datafusion_session(&context.state())
                        .map_err(|err| CatalogError::delta(table.qualified_name(), err))?;
                    delta_table.table_provider().await?
                }
                None => Arc::new(MemTable::try_new(table.schema.clone(), vec![vec![]])?),
            };
        schema.register_table(table.name.to_string(), provider)?;
    }
    Ok(context)
}
