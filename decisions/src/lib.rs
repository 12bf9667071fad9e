//! Decisions: the layer people write. An AML case groups a customer's alerts; investigators
//! and approvers work it, and every action is an event appended to `decisions.case_events`,
//! from which the case's state is replayed. Computed tables read these decisions (a SAR export
//! files only approved ones); decisions never rewrite computed tables.
//!
//! - `lifecycle`: the states of a case and the actions each allows;
//! - `events`: the event log, read at one snapshot and appended through it, so that of two
//!   concurrent actions on one case exactly one lands;
//! - `cases`: a case replayed from its events;
//! - `intake`: a date's alerts into cases (one open case per customer);
//! - `work`: a person's action: role, text, state and four eyes checked;
//! - `filing`: approved SARs filed by an export package and acknowledged by FinCEN;
//! - `suppressions`: rules suppressed for a customer and whitelisted SDN hits, with expiry;
//! - `rules_versions`: AML rules versions proposed by one person and approved by another.

// Every dependency in Cargo.toml is used by the library (a dependency only its tests use is
// a dev-dependency); the test build checks it, so CI needs no separate tool.
#![cfg_attr(not(test), deny(unused_crate_dependencies))]

#[macro_use]
mod named;

pub mod breaks;
pub mod cases;
pub mod error;
pub mod events;
pub mod exemptions;
pub mod filing;
pub mod intake;
pub mod lifecycle;
pub mod rules_versions;
pub mod suppressions;
pub mod work;

pub use cases::Case;
pub use error::{DecisionsError, Result};
pub use events::{CaseEvent, EventLog};
pub use lifecycle::{ActionKind, CaseState, CloseOutcome, SarDecision};
pub use work::{act, ActionRequest, Actor, CaseAction};
