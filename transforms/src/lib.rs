//! Transforms: DataFusion jobs that build the gold datasets from silver, one business date at a
//! time. Each job rebuilds its date's partition whole, so the same inputs give the same output.

// Every dependency in Cargo.toml is used by the library (a dependency only its tests use is
// a dev-dependency); the test build checks it, so CI needs no separate tool.
#![cfg_attr(not(test), deny(unused_crate_dependencies))]

pub mod aml;
pub mod cost;
pub mod error;
pub mod finance_rules;
pub mod job;
pub mod recon;

pub use error::{Result, TransformError};
pub use job::BusinessDay;
