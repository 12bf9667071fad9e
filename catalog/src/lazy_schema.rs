//! A zone of a lake session whose tables are opened when a query first names them. Opening a
//! table reads its Delta log; a lake holds over a hundred tables and a step reads a handful, so
//! a session that opened all of them up front paid for every table's log on every run, more as
//! the logs and the partitioned tables' files grow. Each table is opened once per session, at
//! its version then; a job that writes a table re-points the session at it (`refresh_table`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use datafusion::catalog::{SchemaProvider, TableProvider};
use datafusion::error::{DataFusionError, Result as DataFusionResult};
use datafusion::execution::runtime_env::RuntimeEnv;

use crate::lake::Lake;
use crate::registry::{registry, Zone};
use crate::session::{current_provider, ScanMode};

#[derive(Debug)]
pub(crate) struct LazyZoneSchema {
    lake: Lake,
    zone: Zone,
    mode: ScanMode,
    /// Where the tables' object stores are registered for the scans (the session's).
    runtime: Arc<RuntimeEnv>,
    opened: Mutex<HashMap<String, Arc<dyn TableProvider>>>,
}

impl LazyZoneSchema {
    pub(crate) fn new(lake: Lake, zone: Zone, mode: ScanMode, runtime: Arc<RuntimeEnv>) -> Self {
        LazyZoneSchema {
            lake,
            zone,
            mode,
            runtime,
            opened: Mutex::new(HashMap::new()),
        }
    }

    fn opened(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<dyn TableProvider>>> {
        self.opened.lock().unwrap_or_else(PoisonError::into_inner)
    }

    async fn open(&self, name: &str) -> crate::error::Result<Option<Arc<dyn TableProvider>>> {
        let Ok(table) = registry().get(self.zone, name) else {
            return Ok(None);
        };
        current_provider(&self.lake, table, self.mode, &self.runtime)
            .await
            .map(Some)
    }
}

#[async_trait]
impl SchemaProvider for LazyZoneSchema {
    fn table_names(&self) -> Vec<String> {
        registry()
            .tables()
            .iter()
            .filter(|table| table.zone == self.zone)
            .map(|table| table.name.to_string())
            .collect()
    }

    async fn table(&self, name: &str) -> DataFusionResult<Option<Arc<dyn TableProvider>>> {
        if let Some(provider) = self.opened().get(name) {
            return Ok(Some(Arc::clone(provider)));
        }
        let Some(provider) = self
            .open(name)
            .await
            .map_err(|error| DataFusionError::External(Box::new(error)))?
        else {
            return Ok(None);
        };
        // Two queries may open the same table at once: the first to finish is kept.
        Ok(Some(Arc::clone(
            self.opened().entry(name.to_string()).or_insert(provider),
        )))
    }

    fn register_table(
        &self,
        name: String,
        table: Arc<dyn TableProvider>,
    ) -> DataFusionResult<Option<Arc<dyn TableProvider>>> {
        Ok(self.opened().insert(name, table))
    }

    fn deregister_table(&self, name: &str) -> DataFusionResult<Option<Arc<dyn TableProvider>>> {
        Ok(self.opened().remove(name))
    }

    fn table_exist(&self, name: &str) -> bool {
        self.opened().contains_key(name) || registry().get(self.zone, name).is_ok()
    }
}
