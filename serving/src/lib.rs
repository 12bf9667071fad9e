//! Serving the lake to analysts' engines, all derived from the table registry and the roles:
//!
//! - [`glue`]: a Glue database per zone and a table per Delta table, as Athena reads them, and
//!   for engines that do not read Delta (Redshift Spectrum), each gold table as a partitioned
//!   Parquet table over symlink manifests of its live files ([`symlink`]);
//! - [`lake_formation`]: the roles' grants and LF-tags on personal-data columns;
//! - [`athena`]: running a query in a workgroup and waiting for it;
//! - [`warehouse`]: loading a business date of gold into Redshift (COPY from a manifest of the
//!   Delta table's live files into staging, MERGE into the target, one transaction);
//! - [`sql_files`]: the Athena and Redshift DDL and load SQL under `sql/`.

// Every dependency in Cargo.toml is used by the library (a dependency only its tests use is
// a dev-dependency); the test build checks it, so CI needs no separate tool.
#![cfg_attr(not(test), deny(unused_crate_dependencies))]

pub mod athena;
pub mod error;
pub mod glue;
pub mod lake_formation;
pub mod live_files;
pub mod poll;
pub mod settings;
pub mod sql_files;
pub mod symlink;
pub mod types;
pub mod warehouse;

pub use error::{Result, ServingError};
pub use settings::AwsSettings;
