//! paylake's jobs on Apache DataFusion Ballista.
//!
//! The client plans each query against the lake's tables and sends the logical plan to a
//! Ballista scheduler, which plans it physically and hands stages to executors. delta-rs's scan
//! has no codec, so each Delta table is registered as the Parquet scan of its snapshot's live
//! files (`paylake_catalog::live_scan`), pinned to the version the client read; the rows the
//! jobs derive from them are committed here, on the client, through delta-rs.
//!
//! [`LakeCodec`] carries paylake's tables across: the scheduler and the executors must use it
//! too: [`cluster`] starts Ballista's scheduler and executor with it, which the `paylake-executor`
//! binary does.

// Every dependency in Cargo.toml is used by the library (a dependency only its tests use is
// a dev-dependency); the test build checks it, so CI needs no separate tool.
#![cfg_attr(not(test), deny(unused_crate_dependencies))]

use std::sync::Arc;

use ballista::prelude::SessionConfigExt;
use ballista_core::config::BALLISTA_ADAPTIVE_PLANNER_ENABLED;
use datafusion::execution::session_state::SessionStateBuilder;
use datafusion::prelude::{SessionConfig, SessionContext};
use paylake_catalog::{lake_session_config, lake_session_on, Lake, ScanMode};

pub mod cluster;
mod codec;
mod empty_leaves;

pub use codec::LakeCodec;
pub use empty_leaves::EmptyLeavesAsMemoryScans;

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

/// The session configuration the client, the scheduler and the executors share.
///
/// - Ballista's adaptive planner (AQE) re-plans, without end, a stage it cannot cancel on some
///   of the reconciliation's joins: the jobs use its static distributed planner.
/// - DataFusion's TopK dynamic filters assume every TopK emitter lives in one process, which a
///   distributed plan breaks (a debug assertion fails on the executor): they are off.
///
/// The scheduler also plans with [`EmptyLeavesAsMemoryScans`] (see
/// [`scheduler_session_state`]).
pub fn cluster_config() -> SessionConfig {
    enforce_cluster_settings(SessionConfig::new_with_ballista())
}

/// `config` with the settings of [`cluster_config`].
pub fn enforce_cluster_settings(config: SessionConfig) -> SessionConfig {
    config
        .set_str(BALLISTA_ADAPTIVE_PLANNER_ENABLED, "false")
        .set_bool(
            "datafusion.optimizer.enable_topk_dynamic_filter_pushdown",
            false,
        )
}

/// The session the scheduler plans a job in: Ballista's default session with the cluster
/// settings, and [`EmptyLeavesAsMemoryScans`] as the last physical optimizer rule (after
/// DataFusion's own, which may still produce the leaves it replaces).
pub fn scheduler_session_state(
    config: SessionConfig,
) -> datafusion::error::Result<datafusion::execution::SessionState> {
    let state = ballista_core::utils::default_session_builder(enforce_cluster_settings(config))?;
    Ok(SessionStateBuilder::new_from_existing(state)
        .with_physical_optimizer_rule(Arc::new(EmptyLeavesAsMemoryScans))
        .build())
}

/// The functions paylake's jobs call, for executors to decode their tasks with: every function
/// of a default DataFusion session of this build (the nested-type functions included, which
/// Ballista's own registry leaves out).
pub fn function_registry() -> ballista_core::registry::BallistaFunctionRegistry {
    let state = SessionStateBuilder::new().with_default_features().build();
    ballista_core::registry::BallistaFunctionRegistry {
        scalar_functions: state.scalar_functions().clone(),
        aggregate_functions: state.aggregate_functions().clone(),
        window_functions: state.window_functions().clone(),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cluster_runs_the_static_planner_without_topk_dynamic_filters() {
        let config = cluster_config();
        assert!(!config.ballista_config().adaptive_query_planner_enabled());
        assert!(
            !config
                .options()
                .optimizer
                .enable_topk_dynamic_filter_pushdown
        );
        let state = SessionStateBuilder::new()
            .with_config(config)
            .with_default_features()
            .build();
        use ballista_core::extension::SessionStateExt;
        let upgraded = state
            .upgrade_for_ballista("df://127.0.0.1:1".into())
            .unwrap();
        assert!(!upgraded
            .config()
            .ballista_config()
            .adaptive_query_planner_enabled());
    }
}
