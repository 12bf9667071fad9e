//! paylake's jobs on Apache DataFusion Ballista.
//!
//! The client plans each query against the lake's tables and sends the logical plan to a
//! Ballista scheduler, which plans it physically and hands stages to executors. delta-rs's scan
//! has no codec, so each Delta table is registered as the Parquet scan of its snapshot's live
//! files (`paylake_catalog::live_scan`), pinned to the version the client read; the rows the
//! jobs derive from them are committed here, on the client, through delta-rs.
//!
//! [`LakeCodec`] carries paylake's tables across: the scheduler and the executors must use it
//! too, which is what the `paylake-executor` binary is (a Ballista scheduler or executor with
//! paylake's codec).

use std::sync::Arc;

use ballista::prelude::SessionConfigExt;
use datafusion::execution::session_state::SessionStateBuilder;
use datafusion::prelude::SessionContext;
use paylake_catalog::{lake_session_config, lake_session_on, Lake, ScanMode};

mod codec;

pub use codec::LakeCodec;

/// Errors of the Ballista engine.
#[derive(Debug, thiserror::Error)]
pub enum BallistaError {
    #[error("cannot reach the ballista scheduler at '{scheduler}': {source}")]
    Scheduler {
        scheduler: String,
        #[source]
        source: Box<datafusion::error::DataFusionError>,
    },

    #[error(transparent)]
    Catalog(#[from] paylake_catalog::CatalogError),
}

pub type Result<T, E = BallistaError> = std::result::Result<T, E>;

/// A lake session whose queries run on the Ballista cluster at `scheduler` (`df://host:port`).
pub async fn lake_session(lake: &Lake, scheduler: &str) -> Result<SessionContext> {
    use ballista::extension::SessionContextExt;
    let config =
        lake_session_config().with_ballista_logical_extension_codec(Arc::new(LakeCodec::default()));
    let state = SessionStateBuilder::new()
        .with_config(config)
        .with_default_features()
        .build();
    let context = SessionContext::remote_with_state(scheduler, state)
        .await
        .map_err(|source| BallistaError::Scheduler {
            scheduler: scheduler.to_string(),
            source: Box::new(source),
        })?;
    Ok(lake_session_on(context, lake, ScanMode::LiveFiles).await?)
}
