//! AML datasets: the detection rules and their alerts, sanctions screening, customer risk, and
//! the CTR and SAR candidates built from them.

pub mod alerts;
pub mod case_metrics;
pub mod cases;
pub mod config;
pub mod ctr;
pub mod cycles;
pub mod graph;
pub mod rules;
pub mod sanctions_alerts;
pub mod scatter_gather;
pub mod screening;
pub mod suite;
pub mod suppression;

pub use alerts::Alert;
pub use config::AmlRules;
pub use rules::DateRange;
