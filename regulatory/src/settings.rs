//! The regulatory settings (`regulatory.toml`): transmitter and filer, goAML reporting entity,
//! deadlines, SAR classification and export schedules.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::error::{RegulatoryError, Result};

/// The settings paylake ships, used when no file is configured.
pub const DEFAULT_SETTINGS: &str = include_str!("../../regulatory.toml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegulatorySettings {
    pub version: String,
    pub transmitter: Transmitter,
    pub filer: Filer,
    pub goaml: GoAmlEntity,
    pub deadlines: Deadlines,
    pub retention: Retention,
    /// Typology → (FinCEN SuspiciousActivityTypeID, SuspiciousActivitySubtypeID).
    pub sar_classification: BTreeMap<String, (u32, u32)>,
    #[serde(default)]
    pub schedules: Vec<ScheduleSettings>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Transmitter {
    pub name: String,
    pub tin: String,
    pub tcc: String,
    pub contact_name: String,
    pub phone: String,
    #[serde(flatten)]
    pub address: Address,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Filer {
    pub name: String,
    pub ein: String,
    pub primary_regulator: String,
    pub organization_type: u32,
    pub contact_office: String,
    pub contact_phone: String,
    #[serde(flatten)]
    pub address: Address,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Address {
    pub street: String,
    pub city: String,
    pub state: String,
    pub zip: String,
    pub country: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GoAmlEntity {
    pub rentity_id: u32,
    pub rentity_branch: String,
    pub institution_code: String,
    pub currency_code_local: String,
    pub reporting_person_first_name: String,
    pub reporting_person_last_name: String,
    pub transmode_cash: String,
    pub transmode_transfer: String,
    pub funds_cash: String,
    pub funds_account: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deadlines {
    pub ctr_days: u32,
    pub sar_days: u32,
    pub sar_no_suspect_days: u32,
}

/// How long delivered packages are kept unchangeable on S3 buckets with Object Lock.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Retention {
    /// COMPLIANCE (no one can shorten it) or GOVERNANCE.
    pub mode: String,
    pub years: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduleSettings {
    pub name: String,
    pub kind: String,
    pub cron: String,
    pub period: String,
    pub out: String,
    /// The first tick to run (RFC 3339); without it a schedule starts at its latest tick.
    pub start: Option<String>,
}

impl RegulatorySettings {
    pub fn defaults() -> Self {
        Self::parse(DEFAULT_SETTINGS, "(shipped)").expect("the shipped regulatory settings parse")
    }

    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|source| RegulatoryError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(&text, &path.display().to_string())
    }

    pub fn parse(text: &str, origin: &str) -> Result<Self> {
        let invalid = |reason: String| RegulatoryError::Settings {
            origin: origin.to_string(),
            reason,
        };
        let settings: RegulatorySettings =
            toml::from_str(text).map_err(|err| invalid(err.to_string()))?;
        for (field, value, length) in [
            ("transmitter.tin", &settings.transmitter.tin, 9),
            ("filer.ein", &settings.filer.ein, 9),
        ] {
            if value.len() != length || !value.chars().all(|c| c.is_ascii_digit()) {
                return Err(invalid(format!(
                    "{field} must be {length} digits, not '{value}'"
                )));
            }
        }
        if !matches!(
            settings.retention.mode.as_str(),
            "COMPLIANCE" | "GOVERNANCE"
        ) {
            return Err(invalid(format!(
                "retention.mode must be COMPLIANCE or GOVERNANCE, not '{}'",
                settings.retention.mode
            )));
        }
        for schedule in &settings.schedules {
            crate::cron::CronSchedule::parse(&schedule.cron)?;
            crate::package::ExportKind::parse(&schedule.kind)
                .map_err(|reason| invalid(format!("schedule {}: {reason}", schedule.name)))?;
            crate::schedule::Period::parse(&schedule.period)
                .map_err(|reason| invalid(format!("schedule {}: {reason}", schedule.name)))?;
        }
        Ok(settings)
    }

    /// The FinCEN classification of a typology; "other" (9/1999) when it has none.
    pub fn classification(&self, typology: &str) -> (u32, u32) {
        self.sar_classification
            .get(typology)
            .copied()
            .unwrap_or((9, 1999))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_settings_parse_and_bad_ones_are_named() {
        let settings = RegulatorySettings::defaults();
        assert_eq!(settings.deadlines.ctr_days, 15);
        assert_eq!(settings.classification("structuring"), (1, 114));
        assert_eq!(settings.classification("unheard_of"), (9, 1999));
        let broken = DEFAULT_SETTINGS.replace("ein = \"123456789\"", "ein = \"12-34\"");
        let err = RegulatorySettings::parse(&broken, "test.toml").unwrap_err();
        assert!(err.to_string().contains("filer.ein"), "{err}");
        let broken = DEFAULT_SETTINGS.replace("cron = \"0 6 * * *\"", "cron = \"0 25 * * *\"");
        let err = RegulatorySettings::parse(&broken, "test.toml").unwrap_err();
        assert!(err.to_string().contains("0 25"), "{err}");
    }
}
