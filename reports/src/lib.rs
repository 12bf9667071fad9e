//! Reports: self-contained HTML pages compliance officers and finance open, built from gold
//! tables.

// Every dependency in Cargo.toml is used by the library (a dependency only its tests use is
// a dev-dependency); the test build checks it, so CI needs no separate tool.
#![cfg_attr(not(test), deny(unused_crate_dependencies))]

pub mod aml_report;
pub mod backtest_page;
mod charts;
pub mod cost_report;
pub mod ctr_report;
mod date_query;
pub mod error;
pub mod recon_report;
mod templates;

pub use aml_report::{print_to_pdf, write_aml_report};
pub use backtest_page::backtest_page;
pub use cost_report::write_cost_report;
pub use ctr_report::write_ctr_report;
pub use error::{ReportError, Result};
pub use recon_report::write_recon_report;
