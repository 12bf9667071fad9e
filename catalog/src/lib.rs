//! The lake's catalog: every table paylake knows, where the lake lives, how Delta tables are
//! created, written and read, and a DataFusion session that sees them all as `zone.table`.
//!
//! Every other stage reads and writes tables only through this crate, so the registry is the one
//! place a table is defined.

// Every dependency in Cargo.toml is used by the library (a dependency only its tests use is
// a dev-dependency); the test build checks it, so CI needs no separate tool.
#![cfg_attr(not(test), deny(unused_crate_dependencies))]

pub mod access;
pub mod batches;
pub mod delta;
pub mod erasure;
pub mod error;
pub mod gate;
pub mod lake;
mod lazy_schema;
pub mod lineage;
pub mod live_scan;
pub mod maintenance;
pub mod money;
pub mod money_flow;
pub mod pages;
pub mod registry;
pub mod rows;
pub mod session;
pub mod sql;

pub use error::{CatalogError, Result};
pub use lake::Lake;
pub use registry::{registry, TableDef, Zone};
pub use session::{lake_session, lake_session_config, lake_session_on, refresh_table, ScanMode};
