//! How well the rules detect: against the simulator's truth in a lake (every injected case,
//! per typology and per rule), and against AMLSim samples (account-level precision, recall, F1).

#![cfg_attr(not(test), deny(unused_crate_dependencies))]

pub mod amlsim;
mod error;
pub mod simulator;

pub use error::{EvaluationError, Result};

use serde::Serialize;

/// Precision, recall and F1 from counts; an empty denominator counts as 1.0 (nothing missed,
/// nothing wrong).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Scores {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

impl Scores {
    pub fn from_counts(true_positives: usize, predicted: usize, actual: usize) -> Self {
        Scores::from_rates(
            ratio(true_positives, predicted),
            ratio(true_positives, actual),
        )
    }

    /// Scores from a precision and a recall, which may come from different counts (alerts
    /// for the one, injected cases for the other).
    pub fn from_rates(precision: f64, recall: f64) -> Self {
        let f1 = if precision + recall == 0.0 {
            0.0
        } else {
            2.0 * precision * recall / (precision + recall)
        };
        Scores {
            precision,
            recall,
            f1,
        }
    }
}

/// `part / whole`, or 1.0 for nothing out of nothing.
pub fn ratio(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        1.0
    } else {
        part as f64 / whole as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_follow_their_definitions() {
        let scores = Scores::from_counts(8, 10, 16);
        assert!((scores.precision - 0.8).abs() < 1e-9);
        assert!((scores.recall - 0.5).abs() < 1e-9);
        assert!((scores.f1 - 2.0 * 0.8 * 0.5 / 1.3).abs() < 1e-9);
        assert!((Scores::from_counts(0, 0, 0).precision - 1.0).abs() < 1e-9);
        assert!(Scores::from_counts(0, 3, 4).f1.abs() < 1e-9);
    }
}
