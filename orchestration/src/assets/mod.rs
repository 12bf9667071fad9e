//! The asset graph and the runs that materialise it: declaration, selection, staleness, quality
//! gates, retries, and the records each run leaves in `system.asset_runs` and
//! `system.asset_checks`.

pub mod checks;
pub mod graph;
pub mod records;
pub mod retry;
pub mod runner;
pub mod selection;
pub mod versions;
