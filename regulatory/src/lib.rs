//! Regulatory filing: the gold AML datasets turned into the files regulators accept.
//!
//! - `fincen`: FinCEN BSA E-Filing batches, CTR (FinCEN 112) and SAR (FinCEN 111);
//! - `goaml`: goAML STR and CTR reports;
//! - `package`: export packages with their manifest, delivered to a folder or an S3 prefix
//!   (with Object Lock retention where the bucket has it), never overwriting a delivered one;
//! - `schedule` and `cron`: export schedules that run what is due, catching up missed ticks;
//! - `deadlines`: what is due to FinCEN, when, and what is late (`gold.filing_deadlines`);
//! - `acknowledgements`: FinCEN's acknowledgements into `system.regulatory_filings`.

// Every dependency in Cargo.toml is used by the library (a dependency only its tests use is
// a dev-dependency); the test build checks it, so CI needs no separate tool.
#![cfg_attr(not(test), deny(unused_crate_dependencies))]

pub mod acknowledgements;
pub mod cron;
pub mod deadlines;
mod destination;
pub mod error;
pub mod fincen;
pub mod goaml;
pub mod package;
pub mod records;
pub mod schedule;
pub mod settings;
mod system_rows;
pub mod xml;

pub use error::{RegulatoryError, Result};
pub use package::{export_package, ExportKind, ExportOutcome, ExportRequest};
pub use settings::RegulatorySettings;
