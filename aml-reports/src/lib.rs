//! Compliance reports: pages a compliance officer opens, built from gold tables.

pub mod ctr_report;
pub mod error;
mod html;

pub use ctr_report::write_ctr_report;
pub use error::{ReportError, Result};
