//! Ingest: landing files in the formats real producers write → `bronze.*` (append-only, with
//! lineage) → `silver.*` (current state by MERGE), with every unreadable record in
//! `quarantine.*`.

// Every dependency in Cargo.toml is used by the library (a dependency only its tests use is
// a dev-dependency); the test build checks it, so CI needs no separate tool.
#![cfg_attr(not(test), deny(unused_crate_dependencies))]

pub mod bronze;
pub mod changes;
pub mod error;
pub mod history;
pub mod landing;
pub mod landing_erasure;
pub mod pii;
pub mod pipeline;
pub mod rows;
pub mod silver;
pub mod sources;

pub use error::{IngestError, Result};
pub use pipeline::{ingest_lake, ingest_lake_with, refresh_silver, IngestReport, SourceReport};
