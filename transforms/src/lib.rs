//! Transforms: DataFusion jobs that build the gold datasets from silver, one business date at a
//! time. Each job rebuilds its date's partition whole, so the same inputs give the same output.

pub mod aml;
pub mod cost;
pub mod error;
pub mod finance_rules;
pub mod job;
pub mod recon;

pub use error::{Result, TransformError};
pub use job::BusinessDay;
