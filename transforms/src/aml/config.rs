//! `aml-rules.toml`: the versioned thresholds of every detector, the screening threshold, the
//! risk points and the SAR grouping. The file shipped with paylake is compiled in as the
//! default; a file of one's own replaces it whole.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::error::{read_rules_file, Result, TransformError};

/// The rules file paylake ships, with each default and its source in comments.
pub const DEFAULT_RULES_TOML: &str = include_str!("../../../aml-rules.toml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AmlRules {
    /// Recorded in every alert, so that a change of threshold shows.
    pub version: String,
    /// Parameters of each rule by rule id, as written in the file.
    pub rules: BTreeMap<String, toml::Table>,
    pub screening: ScreeningSettings,
    pub risk: RiskSettings,
    pub sar: SarSettings,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScreeningSettings {
    /// Hits score at least this, in percent.
    pub min_score: u32,
    /// Tokens this short or shorter match only exactly.
    pub min_token_length: usize,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RiskSettings {
    pub call_for_action_country_points: i64,
    pub increased_monitoring_country_points: i64,
    pub high_risk_industries: Vec<String>,
    pub high_risk_industry_points: i64,
    pub pep_points: i64,
    pub points_per_alert: i64,
    pub max_alert_points: i64,
    pub alert_lookback_days: i64,
    pub sanctions_hit_points: i64,
    pub medium_from: i64,
    pub high_from: i64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SarSettings {
    pub lookback_days: i64,
    pub min_max_score: i64,
    pub min_distinct_rules: i64,
}

impl AmlRules {
    /// The rules paylake ships.
    pub fn defaults() -> Self {
        Self::parse(DEFAULT_RULES_TOML, Path::new("aml-rules.toml (built in)"))
            .expect("the built-in rules file is valid")
    }

    /// Reads a rules file; errors name the file.
    pub fn load(path: &Path) -> Result<Self> {
        Self::parse(&read_rules_file(path)?, path)
    }

    pub fn parse(text: &str, origin: &Path) -> Result<Self> {
        let rules: AmlRules = toml::from_str(text).map_err(|err| TransformError::Rules {
            origin: origin.display().to_string(),
            reason: err.to_string(),
        })?;
        rules.validate(origin)?;
        Ok(rules)
    }

    /// The parameters of a rule, or `None` when the rule is missing or switched off.
    pub fn enabled(&self, rule_id: &str) -> Option<&toml::Table> {
        let parameters = self.rules.get(rule_id)?;
        let enabled = parameters
            .get("enabled")
            .and_then(toml::Value::as_bool)
            .unwrap_or(true);
        enabled.then_some(parameters)
    }

    /// A numeric parameter of a rule.
    pub fn number(&self, rule_id: &str, name: &str) -> Result<f64> {
        let value = self
            .rules
            .get(rule_id)
            .and_then(|parameters| parameters.get(name));
        match value {
            Some(toml::Value::Integer(number)) => Ok(*number as f64),
            Some(toml::Value::Float(number)) => Ok(*number),
            _ => Err(TransformError::Rules {
                origin: format!("rules.{rule_id}"),
                reason: format!("parameter '{name}' is missing or not a number"),
            }),
        }
    }

    /// A list-of-text parameter of a rule (country lists).
    pub fn text_list(&self, rule_id: &str, name: &str) -> Vec<String> {
        self.rules
            .get(rule_id)
            .and_then(|parameters| parameters.get(name))
            .and_then(toml::Value::as_array)
            .map(|values| {
                values
                    .iter()
                    .filter_map(|value| value.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The parameters of a rule as JSON text, as recorded with its alerts.
    pub fn parameters_json(&self, rule_id: &str) -> String {
        self.rules
            .get(rule_id)
            .map(|parameters| serde_json::to_string(parameters).unwrap_or_default())
            .unwrap_or_else(|| "{}".to_string())
    }

    fn validate(&self, origin: &Path) -> Result<()> {
        let invalid = |reason: String| TransformError::Rules {
            origin: origin.display().to_string(),
            reason,
        };
        if self.version.trim().is_empty() {
            return Err(invalid("'version' is empty".into()));
        }
        // The rules and parameters paylake knows are the shipped file's: a misspelt name
        // would otherwise run a rule without the threshold it was meant to change.
        let shipped: toml::Table =
            toml::from_str(DEFAULT_RULES_TOML).expect("the built-in rules file is TOML");
        let shipped_rules = shipped
            .get("rules")
            .and_then(toml::Value::as_table)
            .expect("the built-in rules file has rules");
        for (rule_id, parameters) in &self.rules {
            let Some(known) = shipped_rules.get(rule_id).and_then(toml::Value::as_table) else {
                let names: Vec<&str> = shipped_rules.keys().map(String::as_str).collect();
                return Err(invalid(format!(
                    "rules.{rule_id}: no such rule; the rules are {}",
                    names.join(", ")
                )));
            };
            let known_names = || {
                known
                    .keys()
                    .map(String::as_str)
                    .chain(["enabled"])
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            if let Some(unknown) = parameters
                .keys()
                .find(|name| *name != "enabled" && !known.contains_key(*name))
            {
                return Err(invalid(format!(
                    "rules.{rule_id}.{unknown}: no such parameter; rules.{rule_id} takes {}",
                    known_names()
                )));
            }
            if let Some(missing) = known.keys().find(|name| !parameters.contains_key(*name)) {
                return Err(invalid(format!(
                    "rules.{rule_id}.{missing} is missing; rules.{rule_id} takes {}",
                    known_names()
                )));
            }
            for (name, value) in parameters {
                let fits = match value {
                    toml::Value::Integer(number) => *number >= 0,
                    toml::Value::Float(number) => number.is_finite() && *number >= 0.0,
                    toml::Value::Boolean(_) => name == "enabled",
                    // Lists of codes are rendered into SQL: letters only.
                    toml::Value::Array(values) => values.iter().all(|value| {
                        value
                            .as_str()
                            .is_some_and(|code| code.chars().all(|c| c.is_ascii_alphanumeric()))
                    }),
                    _ => false,
                };
                if !fits {
                    return Err(invalid(format!(
                        "rules.{rule_id}.{name}: expected a non-negative number, true/false for \
                         'enabled', or a list of letter codes; found {value}"
                    )));
                }
            }
            if let Some(score) = parameters.get("score").and_then(toml::Value::as_integer) {
                if score > 100 {
                    return Err(invalid(format!(
                        "rules.{rule_id}.score is {score}; scores run from 0 to 100"
                    )));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_rules_parse_and_name_every_rule() {
        let rules = AmlRules::defaults();
        for rule_id in crate::aml::rules::RULE_IDS {
            assert!(rules.enabled(rule_id).is_some(), "{rule_id} has no section");
        }
        assert!((rules.number("ctr", "threshold_usd").unwrap() - 10_000.0).abs() < 1e-9);
        assert!(rules.parameters_json("cycle").contains("\"max_hops\":6"));
    }

    #[test]
    fn an_unknown_rule_or_parameter_or_a_missing_one_is_refused_with_its_name() {
        for (text, expected) in [
            (
                DEFAULT_RULES_TOML.replace("[rules.fan_in]", "[rules.fan_inn]"),
                "rules.fan_inn: no such rule",
            ),
            (
                DEFAULT_RULES_TOML.replace("min_deposits = 2", "min_deposit = 2"),
                "rules.structuring.min_deposit: no such parameter",
            ),
            (
                DEFAULT_RULES_TOML.replace("min_passes = 2\n", ""),
                "rules.rapid_movement.min_passes is missing",
            ),
        ] {
            let err = AmlRules::parse(&text, Path::new("candidate.toml"))
                .unwrap_err()
                .to_string();
            assert!(
                err.contains("candidate.toml") && err.contains(expected),
                "{err}"
            );
        }
        let switched_off =
            DEFAULT_RULES_TOML.replace("[rules.cycle]\n", "[rules.cycle]\nenabled = false\n");
        assert!(AmlRules::parse(&switched_off, Path::new("mine.toml")).is_ok());
    }

    #[test]
    fn bad_values_are_refused_with_the_rule_and_parameter_named() {
        let text = DEFAULT_RULES_TOML.replace("min_deposits = 2", "min_deposits = \"two\"");
        let err = AmlRules::parse(&text, Path::new("mine.toml"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("mine.toml") && err.contains("rules.structuring.min_deposits"),
            "{err}"
        );
        let text =
            DEFAULT_RULES_TOML.replace("call_for_action = [\"KP\"", "call_for_action = [\"K'P\"");
        assert!(AmlRules::parse(&text, Path::new("x.toml")).is_err());
    }

    #[test]
    fn a_rule_can_be_switched_off() {
        let text =
            DEFAULT_RULES_TOML.replace("[rules.fan_in]\n", "[rules.fan_in]\nenabled = false\n");
        let rules = AmlRules::parse(&text, Path::new("x.toml")).unwrap();
        assert!(rules.enabled("fan_in").is_none());
        assert!(rules.enabled("fan_out").is_some());
    }
}
