//! `finance-rules.toml`: the reconciliation's matching rules, windows and tolerances, the fee
//! contract, how long breaks are carried, and the cost anomaly thresholds and budgets. The file
//! shipped with paylake is compiled in as the default; a file of one's own replaces it whole.

use std::path::Path;

use paylake_catalog::money::parse_decimal;
use serde::Deserialize;

use crate::error::{read_rules_file, Result, TransformError};

/// The rules file paylake ships, with the meaning of each value in comments.
pub const DEFAULT_FINANCE_RULES_TOML: &str = include_str!("../../finance-rules.toml");

/// Decimal places a rule's amount or percent may carry.
const RULE_DECIMAL_SCALE: u32 = 8;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FinanceRules {
    /// Recorded in every match and break, so that a change of rule shows.
    pub version: String,
    pub settlement: SettlementRules,
    pub fees: FeeContract,
    pub payout: PayoutRules,
    pub breaks: BreakRules,
    pub cost: CostRules,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettlementRules {
    pub expected_lag_days: u32,
    pub window_days: u32,
    pub amount_tolerance_absolute: String,
    pub amount_tolerance_percent: String,
    pub fx_tolerance_percent: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeeContract {
    pub interchange_bps: String,
    pub scheme_fee_bps: String,
    pub markup_bps: String,
    pub commission: String,
    pub tolerance: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PayoutRules {
    pub expected_lag_days: u32,
    pub window_days: u32,
    pub amount_tolerance_absolute: String,
    /// A payout's batch holds lines created at most this many days before it: the match reads
    /// only those days of settlement lines for a batch's net.
    #[serde(default = "default_longest_batch_days")]
    pub longest_batch_days: u32,
}

fn default_longest_batch_days() -> u32 {
    7
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BreakRules {
    pub write_off_after_days: u32,
    /// A write-off above this amount in USD needs a second person's approval.
    pub write_off_approval_above_usd: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CostRules {
    /// The tag whose value names the payment channel a cost row belongs to.
    pub allocation_tag: String,
    pub anomalies: AnomalyRules,
    #[serde(default)]
    pub budgets: Vec<Budget>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnomalyRules {
    pub baseline_days: u32,
    pub min_baseline_days: u32,
    pub min_impact_usd: String,
    pub min_impact_percent: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Budget {
    pub name: String,
    /// A ServiceName; the budget covers all cost when absent.
    pub service: Option<String>,
    pub monthly_limit_usd: String,
    pub alert_thresholds_percent: Vec<u32>,
}

impl FinanceRules {
    /// The rules paylake ships.
    pub fn defaults() -> Self {
        Self::parse(
            DEFAULT_FINANCE_RULES_TOML,
            Path::new("finance-rules.toml (built in)"),
        )
        .expect("the built-in finance rules are valid")
    }

    /// Reads a rules file; errors name the file.
    pub fn load(path: &Path) -> Result<Self> {
        Self::parse(&read_rules_file(path)?, path)
    }

    pub fn parse(text: &str, origin: &Path) -> Result<Self> {
        let invalid = |reason: String| TransformError::FinanceRules {
            origin: origin.display().to_string(),
            reason,
        };
        let rules: FinanceRules = toml::from_str(text).map_err(|err| invalid(err.to_string()))?;
        if rules.version.trim().is_empty() {
            return Err(invalid("'version' is empty".into()));
        }
        for (name, value) in rules.decimal_values() {
            let parsed = parse_decimal(value, RULE_DECIMAL_SCALE)
                .map_err(|reason| invalid(format!("{name}: {reason}")))?;
            if parsed < 0 {
                return Err(invalid(format!("{name}: '{value}' is negative")));
            }
        }
        for budget in &rules.cost.budgets {
            if budget.alert_thresholds_percent.is_empty() {
                return Err(invalid(format!(
                    "cost.budgets '{}': alert_thresholds_percent is empty",
                    budget.name
                )));
            }
        }
        Ok(rules)
    }

    /// Every decimal-text value with its place in the file, for validation.
    fn decimal_values(&self) -> Vec<(String, &str)> {
        let mut values = vec![
            (
                "settlement.amount_tolerance_absolute",
                &self.settlement.amount_tolerance_absolute,
            ),
            (
                "settlement.amount_tolerance_percent",
                &self.settlement.amount_tolerance_percent,
            ),
            (
                "settlement.fx_tolerance_percent",
                &self.settlement.fx_tolerance_percent,
            ),
            ("fees.interchange_bps", &self.fees.interchange_bps),
            ("fees.scheme_fee_bps", &self.fees.scheme_fee_bps),
            ("fees.markup_bps", &self.fees.markup_bps),
            ("fees.commission", &self.fees.commission),
            ("fees.tolerance", &self.fees.tolerance),
            (
                "payout.amount_tolerance_absolute",
                &self.payout.amount_tolerance_absolute,
            ),
            (
                "breaks.write_off_approval_above_usd",
                &self.breaks.write_off_approval_above_usd,
            ),
            (
                "cost.anomalies.min_impact_usd",
                &self.cost.anomalies.min_impact_usd,
            ),
            (
                "cost.anomalies.min_impact_percent",
                &self.cost.anomalies.min_impact_percent,
            ),
        ]
        .into_iter()
        .map(|(name, value)| (name.to_string(), value.as_str()))
        .collect::<Vec<_>>();
        for budget in &self.cost.budgets {
            values.push((
                format!("cost.budgets '{}'.monthly_limit_usd", budget.name),
                budget.monthly_limit_usd.as_str(),
            ));
        }
        values
    }

    /// How many days before a date the reconciliation looks: a break is carried until written
    /// off, and its counterpart may arrive up to the longest window after it was due.
    pub fn horizon_days(&self) -> i64 {
        let longest_window = (self.settlement.expected_lag_days + self.settlement.window_days)
            .max(self.payout.expected_lag_days + self.payout.window_days);
        i64::from(self.breaks.write_off_after_days + longest_window + 1)
    }
}

/// A checked decimal text as a SQL literal of the given type.
pub fn decimal_literal(value: &str, precision: u8, scale: u8) -> String {
    debug_assert!(parse_decimal(value, RULE_DECIMAL_SCALE).is_ok());
    format!("CAST('{}' AS DECIMAL({precision}, {scale}))", value.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_rules_parse() {
        let rules = FinanceRules::defaults();
        assert_eq!(rules.settlement.expected_lag_days, 1);
        assert_eq!(rules.cost.budgets.len(), 3);
        assert_eq!(rules.horizon_days(), 30 + 4 + 1);
    }

    #[test]
    fn floats_and_negative_amounts_are_refused_with_their_place_named() {
        let text = DEFAULT_FINANCE_RULES_TOML.replace("tolerance = \"0.02\"", "tolerance = 0.02");
        let err = FinanceRules::parse(&text, Path::new("mine.toml"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("mine.toml") && err.contains("tolerance"),
            "{err}"
        );
        let text =
            DEFAULT_FINANCE_RULES_TOML.replace("commission = \"0.10\"", "commission = \"-0.10\"");
        let err = FinanceRules::parse(&text, Path::new("mine.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("fees.commission"), "{err}");
        let text =
            DEFAULT_FINANCE_RULES_TOML.replace("commission = \"0.10\"", "commission = \"0.1x\"");
        assert!(FinanceRules::parse(&text, Path::new("mine.toml")).is_err());
    }
}
