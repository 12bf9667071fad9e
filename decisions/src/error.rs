use paylake_catalog::CatalogError;

use crate::breaks::lifecycle::{BreakAction, BreakState};
use crate::lifecycle::{ActionKind, CaseState};

/// Errors of case work and break work. A refused action writes no event.
#[derive(Debug, thiserror::Error)]
pub enum DecisionsError {
    #[error(transparent)]
    Catalog(#[from] CatalogError),

    #[error(transparent)]
    DataFusion(Box<datafusion::error::DataFusionError>),

    #[error("case {0}: no such case")]
    UnknownCase(String),

    #[error("case {case_id}: expected it {expected}, but it is {current} now; look at it again")]
    Conflict {
        case_id: String,
        expected: CaseState,
        current: CaseState,
    },

    #[error("case {case_id}: '{action}' is not allowed while the case is {state}")]
    NotAllowedInState {
        case_id: String,
        action: ActionKind,
        state: CaseState,
    },

    #[error("{user} acts as {role}, which may not '{action}' (access.toml, case_actions)")]
    NotPermitted {
        user: String,
        role: String,
        action: ActionKind,
    },

    #[error(
        "case {case_id}: {user} made this SAR decision; a second officer approves or returns it"
    )]
    FourEyes { case_id: String, user: String },

    #[error("case {case_id}, {field}: {reason}")]
    Invalid {
        case_id: String,
        field: &'static str,
        reason: String,
    },

    #[error("decisions.case_events, case {case_id}, field {field}: {reason}")]
    InvalidEvent {
        case_id: String,
        field: &'static str,
        reason: String,
    },

    #[error("break {0}: no such break open at the latest reconciled date")]
    UnknownBreak(String),

    #[error("break {break_id}: expected it {expected}, but it is {current} now; look at it again")]
    BreakConflict {
        break_id: String,
        expected: BreakState,
        current: BreakState,
    },

    #[error("break {break_id}: '{action}' is not allowed while the break is {state}")]
    BreakNotAllowedInState {
        break_id: String,
        action: BreakAction,
        state: BreakState,
    },

    #[error(
        "{user} acts as {role}, which may not '{action}' a break (access.toml, break_actions)"
    )]
    BreakNotPermitted {
        user: String,
        role: String,
        action: BreakAction,
    },

    #[error(
        "break {break_id}: {user} asked for this write-off; a second person approves or rejects it"
    )]
    BreakFourEyes { break_id: String, user: String },

    #[error("break {break_id}, {field}: {reason}")]
    InvalidBreak {
        break_id: String,
        field: &'static str,
        reason: String,
    },

    #[error("decisions.break_events, break {break_id}, field {field}: {reason}")]
    InvalidBreakEvent {
        break_id: String,
        field: &'static str,
        reason: String,
    },

    #[error("exemption {0}: no such exemption")]
    UnknownExemption(String),

    #[error("exemption {subject}, {field}: {reason}")]
    InvalidExemption {
        subject: String,
        field: &'static str,
        reason: String,
    },

    #[error("rules version {version}, {field}: {reason}")]
    InvalidRules {
        version: String,
        field: &'static str,
        reason: String,
    },

    #[error("suppression {subject}, {field}: {reason}")]
    InvalidSuppression {
        subject: String,
        field: &'static str,
        reason: String,
    },

    /// Another writer added an event to one of these cases first; nothing of ours landed.
    #[error("cases {}: changed by someone else meanwhile", cases.join(", "))]
    ConcurrentChange { cases: Vec<String> },
}

pub type Result<T, E = DecisionsError> = std::result::Result<T, E>;

// Boxed: DataFusion's error is large, and every Result carries it.
impl From<datafusion::error::DataFusionError> for DecisionsError {
    fn from(error: datafusion::error::DataFusionError) -> Self {
        DecisionsError::DataFusion(Box::new(error))
    }
}
