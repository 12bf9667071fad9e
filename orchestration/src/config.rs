//! Settings: `paylake.toml` (or `--config FILE`), then `PAYLAKE_*` environment variables, then
//! command-line flags, each overriding the one before.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{OrchestrationError, Result};
use crate::steps::{RulesFile, RulesSection};

pub const DEFAULT_CONFIG_FILE: &str = "paylake.toml";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    lake: Option<String>,
    business_timezone: Option<String>,
    ofac_sdn_csv: Option<PathBuf>,
    aml_rules: Option<PathBuf>,
    finance_rules: Option<PathBuf>,
    regulatory: Option<PathBuf>,
    access: Option<PathBuf>,
    kms_key_id: Option<String>,
    slo: Option<PathBuf>,
    sql_dir: Option<PathBuf>,
    runs: Option<crate::assets::retry::RetryPolicy>,
    aws: Option<paylake_serving::AwsSettings>,
    workbench: Option<paylake_workbench::WorkbenchSettings>,
    maintenance: Option<paylake_catalog::maintenance::MaintenanceSettings>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Lake root: a folder or an `s3://bucket/prefix` URL.
    pub lake: String,
    /// IANA time zone of the business calendar.
    pub business_timezone: String,
    /// OFAC SDN list used by the simulator for sanctioned-name customers.
    pub ofac_sdn_csv: Option<PathBuf>,
    /// AML rules file; the rules paylake ships when unset.
    pub aml_rules: Option<PathBuf>,
    /// Finance rules file (reconciliation, fees, cost budgets); the shipped rules when unset.
    pub finance_rules: Option<PathBuf>,
    /// Regulatory filing settings (filer, deadlines, schedules); the shipped ones when unset.
    pub regulatory: Option<PathBuf>,
    /// Roles and their grants; the shipped ones when unset.
    pub access: Option<PathBuf>,
    /// KMS key every object written to S3 is encrypted with (SSE-KMS); S3's default when unset.
    pub kms_key_id: Option<String>,
    /// Freshness SLOs; the shipped ones when unset.
    pub slo: Option<PathBuf>,
    /// A copy of `sql/` to read the queries from, so that an edited query runs without a
    /// rebuild; the queries compiled in when unset.
    pub sql_dir: Option<PathBuf>,
    /// How steps are retried.
    pub runs: crate::assets::retry::RetryPolicy,
    /// Glue, Athena and Redshift: where the lake is served to analysts.
    pub aws: paylake_serving::AwsSettings,
    /// The workbench: its users file and how people sign in.
    pub workbench: paylake_workbench::WorkbenchSettings,
    /// How `paylake maintain` compacts and vacuums tables.
    pub maintenance: paylake_catalog::maintenance::MaintenanceSettings,
    /// The AML rules version approved in the lake (`decisions.rules_events`), which runs
    /// instead of `aml_rules` once one was approved; set by [`Settings::with_live_rules`].
    pub live_aml_rules: Option<LiveRules>,
}

/// An approved AML rules version: its name and the whole file.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveRules {
    pub version: String,
    pub text: String,
}

impl Settings {
    /// The business calendar's time zone.
    pub fn timezone(&self) -> Result<chrono_tz::Tz> {
        self.business_timezone.parse().map_err(|_| {
            OrchestrationError::Usage(format!(
                "unknown business time zone '{}'",
                self.business_timezone
            ))
        })
    }

    /// The regulatory settings in force: the configured file, or the shipped defaults.
    pub fn regulatory(&self) -> Result<paylake_regulatory::RegulatorySettings> {
        match &self.regulatory {
            Some(path) => Ok(paylake_regulatory::RegulatorySettings::load(path)?),
            None => Ok(paylake_regulatory::RegulatorySettings::defaults()),
        }
    }
}

impl Settings {
    /// The roles and grants in force: the configured file, or the shipped defaults.
    pub fn access(&self) -> Result<paylake_catalog::access::AccessSettings> {
        match &self.access {
            Some(path) => Ok(paylake_catalog::access::AccessSettings::load(path)?),
            None => Ok(paylake_catalog::access::AccessSettings::defaults()),
        }
    }
}

impl Settings {
    /// The AML rules in force: the version approved in the lake, else the configured file, else
    /// the shipped defaults.
    pub fn aml_rules(&self) -> Result<paylake_transforms::aml::AmlRules> {
        if let Some(live) = &self.live_aml_rules {
            let origin = format!("decisions.rules_events, version {}", live.version);
            return Ok(paylake_transforms::aml::AmlRules::parse(
                &live.text,
                Path::new(&origin),
            )?);
        }
        match &self.aml_rules {
            Some(path) => Ok(paylake_transforms::aml::AmlRules::load(path)?),
            None => Ok(paylake_transforms::aml::AmlRules::defaults()),
        }
    }
}

impl Settings {
    /// The finance rules in force: the configured file, or the shipped defaults.
    pub fn finance_rules(&self) -> Result<paylake_transforms::finance_rules::FinanceRules> {
        match &self.finance_rules {
            Some(path) => Ok(paylake_transforms::finance_rules::FinanceRules::load(path)?),
            None => Ok(paylake_transforms::finance_rules::FinanceRules::defaults()),
        }
    }
}

impl Settings {
    /// These settings with the AML rules version approved in `lake`, when one was: what every
    /// run of the lake's steps uses.
    pub async fn with_live_rules(&self, lake: &paylake_catalog::Lake) -> Result<Settings> {
        let log = paylake_decisions::rules_versions::RulesLog::load(lake).await?;
        let live = paylake_decisions::rules_versions::live_version(&log.events);
        Ok(Settings {
            live_aml_rules: live.map(|version| LiveRules {
                version: version.version,
                text: version.rules_text,
            }),
            ..self.clone()
        })
    }

    /// The text of a rules file in force: the configured file, or the shipped one (for the AML
    /// rules, the version approved in the lake first).
    pub fn rules_text(&self, file: RulesFile) -> Result<String> {
        if let (RulesFile::Aml, Some(live)) = (file, &self.live_aml_rules) {
            return Ok(live.text.clone());
        }
        let (configured, shipped) = match file {
            RulesFile::Aml => (
                &self.aml_rules,
                paylake_transforms::aml::config::DEFAULT_RULES_TOML,
            ),
            RulesFile::Finance => (
                &self.finance_rules,
                paylake_transforms::finance_rules::DEFAULT_FINANCE_RULES_TOML,
            ),
            RulesFile::Regulatory => (
                &self.regulatory,
                paylake_regulatory::settings::DEFAULT_SETTINGS,
            ),
        };
        match configured {
            Some(path) => std::fs::read_to_string(path).map_err(|source| OrchestrationError::Io {
                path: path.clone(),
                source,
            }),
            None => Ok(shipped.to_string()),
        }
    }

    /// One section of a rules file in force, with the file's `version`, as canonical TOML: what
    /// a step's code version is made of. Comments and the other sections do not change it.
    pub fn rules_section(&self, RulesSection(file, path): RulesSection) -> Result<String> {
        let text = self.rules_text(file)?;
        let table: toml::Table = text.parse().map_err(|err: toml::de::Error| {
            OrchestrationError::Usage(format!("rules file {file:?}: {err}"))
        })?;
        let mut value = Some(toml::Value::Table(table.clone()));
        for key in path.split('.') {
            value = value.and_then(|value| value.get(key).cloned());
        }
        let section = value.map_or_else(|| "absent".to_string(), |value| value.to_string());
        let version = table
            .get("version")
            .map_or_else(String::new, toml::Value::to_string);
        Ok(format!("{file:?} {path} {version}\n{section}"))
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            lake: "./lake".to_string(),
            business_timezone: "America/New_York".to_string(),
            ofac_sdn_csv: None,
            aml_rules: None,
            live_aml_rules: None,
            finance_rules: None,
            regulatory: None,
            access: None,
            kms_key_id: None,
            slo: None,
            sql_dir: None,
            runs: crate::assets::retry::RetryPolicy::default(),
            aws: paylake_serving::AwsSettings::default(),
            workbench: paylake_workbench::WorkbenchSettings::default(),
            maintenance: paylake_catalog::maintenance::MaintenanceSettings::default(),
        }
    }
}

/// Loads settings. `explicit` must exist; the default file is read only when present.
pub fn load(explicit: Option<&Path>) -> Result<Settings> {
    load_with_env(explicit, |name| std::env::var(name).ok())
}

fn load_with_env(
    explicit: Option<&Path>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Settings> {
    let mut settings = Settings::default();
    let path = explicit
        .map(Path::to_path_buf)
        .or_else(|| Some(PathBuf::from(DEFAULT_CONFIG_FILE)).filter(|path| path.exists()));
    if let Some(path) = path {
        let text = std::fs::read_to_string(&path).map_err(|source| OrchestrationError::Io {
            path: path.clone(),
            source,
        })?;
        let file: ConfigFile = toml::from_str(&text).map_err(|err| OrchestrationError::Config {
            path: path.clone(),
            reason: err.to_string(),
        })?;
        let base = path.parent().unwrap_or(Path::new("."));
        if let Some(lake) = file.lake {
            settings.lake = lake;
        }
        if let Some(zone) = file.business_timezone {
            settings.business_timezone = zone;
        }
        // Relative paths in the file are relative to the file.
        settings.ofac_sdn_csv = file.ofac_sdn_csv.map(|csv| base.join(csv));
        settings.aml_rules = file.aml_rules.map(|rules| base.join(rules));
        settings.finance_rules = file.finance_rules.map(|rules| base.join(rules));
        settings.regulatory = file.regulatory.map(|path| base.join(path));
        settings.access = file.access.map(|path| base.join(path));
        settings.kms_key_id = file.kms_key_id;
        settings.slo = file.slo.map(|path| base.join(path));
        settings.sql_dir = file.sql_dir.map(|path| base.join(path));
        if let Some(runs) = file.runs {
            settings.runs = runs;
        }
        if let Some(aws) = file.aws {
            settings.aws = aws;
        }
        if let Some(mut workbench) = file.workbench {
            workbench.users_file = workbench.users_file.map(|path| base.join(path));
            settings.workbench = workbench;
        }
        if let Some(maintenance) = file.maintenance {
            settings.maintenance = maintenance;
        }
    }
    if let Some(lake) = env("PAYLAKE_LAKE") {
        settings.lake = lake;
    }
    if let Some(zone) = env("PAYLAKE_BUSINESS_TIMEZONE") {
        settings.business_timezone = zone;
    }
    if let Some(csv) = env("PAYLAKE_OFAC_SDN_CSV") {
        settings.ofac_sdn_csv = Some(PathBuf::from(csv));
    }
    if let Some(rules) = env("PAYLAKE_AML_RULES") {
        settings.aml_rules = Some(PathBuf::from(rules));
    }
    if let Some(rules) = env("PAYLAKE_FINANCE_RULES") {
        settings.finance_rules = Some(PathBuf::from(rules));
    }
    if let Some(path) = env("PAYLAKE_REGULATORY") {
        settings.regulatory = Some(PathBuf::from(path));
    }
    if let Some(path) = env("PAYLAKE_ACCESS") {
        settings.access = Some(PathBuf::from(path));
    }
    if let Some(key) = env("PAYLAKE_KMS_KEY_ID") {
        settings.kms_key_id = Some(key).filter(|key| !key.is_empty());
    }
    if let Some(path) = env("PAYLAKE_SLO") {
        settings.slo = Some(PathBuf::from(path));
    }
    if let Some(path) = env("PAYLAKE_SQL_DIR") {
        settings.sql_dir = Some(PathBuf::from(path)).filter(|path| !path.as_os_str().is_empty());
    }
    settings.aws.apply_env(&env);
    if let Some(path) = env("PAYLAKE_USERS_FILE") {
        settings.workbench.users_file = Some(PathBuf::from(path));
    }
    if let Some(auth) = env("PAYLAKE_WORKBENCH_AUTH") {
        settings.workbench.auth = auth;
    }
    Ok(settings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_then_environment_override_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("paylake.toml");
        std::fs::write(&path, "lake = \"/data/lake\"\nbusiness_timezone = \"Europe/London\"\nofac_sdn_csv = \"sdn.csv\"\n").unwrap();
        let from_file = load_with_env(Some(&path), |_| None).unwrap();
        assert_eq!(from_file.lake, "/data/lake");
        assert_eq!(from_file.business_timezone, "Europe/London");
        assert_eq!(from_file.ofac_sdn_csv, Some(dir.path().join("sdn.csv")));
        let overridden = load_with_env(Some(&path), |name| {
            (name == "PAYLAKE_LAKE").then(|| "s3://bucket/lake".to_string())
        })
        .unwrap();
        assert_eq!(overridden.lake, "s3://bucket/lake");
    }

    #[test]
    fn unknown_keys_are_refused_with_the_file_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("paylake.toml");
        std::fs::write(&path, "lakes = \"x\"\n").unwrap();
        let err = load_with_env(Some(&path), |_| None)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("paylake.toml") && err.contains("lakes"),
            "{err}"
        );
    }
}
