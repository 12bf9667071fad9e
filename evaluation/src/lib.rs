//! How well the rules detect: against the simulator's truth in a lake (every injected case,
//! per typology and per rule), and against AMLSim samples (account-level precision, recall, F1).

#![cfg_attr(not(test), deny(unused_crate_dependencies))]

pub mod amlsim;
pub mod backtest;
mod error;
pub mod simulator;

pub use error::{EvaluationError, Result};

use serde::Serialize;

/// Precision, recall and F1 from counts. A figure with an empty denominator is `None` (no
/// alerts, no cases): nothing out of nothing measures nothing, and is not reported as 1.0.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Scores {
    pub precision: Option<f64>,
    pub recall: Option<f64>,
    pub f1: Option<f64>,
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
    pub fn from_rates(precision: Option<f64>, recall: Option<f64>) -> Self {
        let f1 = precision.zip(recall).map(|(precision, recall)| {
            if precision + recall == 0.0 {
                0.0
            } else {
                2.0 * precision * recall / (precision + recall)
            }
        });
        Scores {
            precision,
            recall,
            f1,
        }
    }
}

/// `part / whole`; `None` for nothing out of nothing.
pub fn ratio(part: usize, whole: usize) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// A share as a percentage with two decimals, or "-" for none.
pub fn shown_percent(share: Option<f64>) -> String {
    share.map_or_else(|| "-".to_string(), |share| format!("{:.2}", 100.0 * share))
}

/// A figure as the reports print it: three decimals, or what an empty denominator means.
pub fn shown(figure: Option<f64>, empty: &str) -> String {
    figure.map_or_else(|| empty.to_string(), |value| format!("{value:.3}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_follow_their_definitions() {
        let scores = Scores::from_counts(8, 10, 16);
        assert!((scores.precision.unwrap() - 0.8).abs() < 1e-9);
        assert!((scores.recall.unwrap() - 0.5).abs() < 1e-9);
        assert!((scores.f1.unwrap() - 2.0 * 0.8 * 0.5 / 1.3).abs() < 1e-9);
        assert!(Scores::from_counts(0, 3, 4).f1.unwrap().abs() < 1e-9);
    }

    #[test]
    fn nothing_out_of_nothing_is_no_figure_not_a_perfect_one() {
        let scores = Scores::from_counts(0, 0, 0);
        assert_eq!(
            (scores.precision, scores.recall, scores.f1),
            (None, None, None)
        );
        assert_eq!(Scores::from_counts(0, 0, 5).recall, Some(0.0));
        assert_eq!(shown(ratio(0, 0), "no cases"), "no cases");
    }
}
