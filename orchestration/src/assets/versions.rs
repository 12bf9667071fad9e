//! Data versions: when an asset partition is stale.
//!
//! A step's partition is fresh when its last success saw the same inputs as now: the same code
//! (paylake's version and the rules it applies), the same version of each table it reads, and the
//! same data version of each upstream partition (the day before, for steps that carry state).
//! The data version is a digest of all of these, recorded with every materialisation; the same
//! inputs give the same digest, so a re-run with nothing changed does nothing.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use paylake_catalog::delta::open_table;
use paylake_catalog::{registry, Lake};
use sha2::{Digest, Sha256};

use super::graph::{AssetGraph, Step};
use crate::config::Settings;
use crate::error::Result;

/// What an input was when a step read it.
pub type InputVersions = BTreeMap<String, String>;

/// The Delta version of each table, read once and refreshed after the steps that write them.
#[derive(Debug, Default)]
pub struct TableVersions {
    known: HashMap<String, Option<i64>>,
}

impl TableVersions {
    /// The data version of `zone.table` (its last commit that changed rows); `None` when it has
    /// not been written yet.
    pub async fn version(&mut self, lake: &Lake, table: &str) -> Result<Option<i64>> {
        if let Some(version) = self.known.get(table) {
            return Ok(*version);
        }
        let definition = registry().find(table)?;
        // The last version that changed rows: maintenance makes nothing stale.
        let version = match open_table(lake, definition).await? {
            Some(delta_table) => paylake_catalog::delta::data_version(&delta_table, definition)
                .await?
                .and_then(|version| i64::try_from(version).ok()),
            None => None,
        };
        self.known.insert(table.to_string(), version);
        Ok(version)
    }

    /// Forgets what `tables` were, after a step wrote them.
    pub fn forget<'a>(&mut self, tables: impl IntoIterator<Item = &'a String>) {
        for table in tables {
            self.known.remove(table);
        }
    }
}

/// The code a step runs: paylake's version, the business calendar, the text of every SQL file
/// it declares (as read from the folder in use), and each rules section it applies. An edited
/// query or rule makes exactly the partitions of the steps that run it stale.
pub fn code_version(settings: &Settings, step: &Step) -> Result<String> {
    let mut parts = vec![
        env!("CARGO_PKG_VERSION").to_string(),
        step.name.to_string(),
        settings.business_timezone.clone(),
    ];
    for file in paylake_catalog::sql::expand(&step.sql)? {
        let text = paylake_catalog::sql::text(&file)?;
        parts.push(format!("{file}\n{text}"));
    }
    for section in &step.rules {
        parts.push(settings.rules_section(*section)?);
    }
    let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
    Ok(digest(&parts))
}

/// The inputs of `step` for `date`: each table read (its Delta version, or the data version of
/// the upstream partition that wrote it), and the day before for steps that carry state.
pub async fn input_versions(
    lake: &Lake,
    graph: &AssetGraph,
    step: &Step,
    date: NaiveDate,
    tables: &mut TableVersions,
    partitions: &PartitionVersions,
) -> Result<InputVersions> {
    let mut inputs = InputVersions::new();
    for asset in &step.reads {
        let writer = graph.writer_of(asset).map(|id| graph.step(id));
        let version = match writer {
            Some(writer) if writer.partitioned() && writer.name != step.name => partitions
                .get(asset, date)
                .map_or_else(|| "none".to_string(), |version| format!("data:{version}")),
            _ if asset.starts_with("landing.") => continue,
            _ => tables
                .version(lake, asset)
                .await?
                .map_or_else(|| "none".to_string(), |version| format!("delta:{version}")),
        };
        inputs.insert(asset.clone(), version);
    }
    if step.reads_previous_date() {
        let previous = date - chrono::Duration::days(1);
        for asset in &step.writes {
            let version = partitions
                .get(asset, previous)
                .map_or_else(|| "none".to_string(), |version| format!("data:{version}"));
            inputs.insert(format!("{asset}@{previous}"), version);
        }
    }
    Ok(inputs)
}

/// The data version of a partition built by `code_version` from `inputs`.
pub fn data_version(code_version: &str, inputs: &InputVersions) -> String {
    let mut parts = vec![code_version.to_string()];
    parts.extend(
        inputs
            .iter()
            .map(|(asset, version)| format!("{asset}={version}")),
    );
    let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
    digest(&parts)
}

/// The data version of each asset partition last built successfully.
#[derive(Debug, Default, Clone)]
pub struct PartitionVersions {
    versions: HashMap<(String, NaiveDate), String>,
}

impl PartitionVersions {
    pub fn get(&self, asset: &str, date: NaiveDate) -> Option<&str> {
        self.versions
            .get(&(asset.to_string(), date))
            .map(String::as_str)
    }

    pub fn set(&mut self, asset: &str, date: NaiveDate, version: &str) {
        self.versions
            .insert((asset.to_string(), date), version.to_string());
    }

    /// Whether every asset `step` writes was last built from `version` for `date`.
    pub fn is_fresh(&self, step: &Step, date: NaiveDate, version: &str) -> bool {
        step.writes
            .iter()
            .all(|asset| self.get(asset, date) == Some(version))
    }
}

fn digest(parts: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part.as_bytes());
        hasher.update([0u8]);
    }
    hasher
        .finalize()
        .iter()
        .take(8)
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_inputs_give_the_same_version_and_any_change_another() {
        let inputs = InputVersions::from([
            ("silver.transactions".to_string(), "delta:4".to_string()),
            ("gold.aml_alerts".to_string(), "data:ab".to_string()),
        ]);
        let version = data_version("code-1", &inputs);
        assert_eq!(version, data_version("code-1", &inputs.clone()));
        assert_eq!(version.len(), 16);
        assert_ne!(version, data_version("code-2", &inputs));
        let mut changed = inputs.clone();
        changed.insert("silver.transactions".into(), "delta:5".into());
        assert_ne!(version, data_version("code-1", &changed));
    }

    #[test]
    fn rules_sections_change_the_code_version_of_the_steps_that_apply_them_only() {
        let settings = Settings::default();
        let graph = AssetGraph::paylake();
        let dir = tempfile::tempdir().unwrap();
        let rules = dir.path().join("aml.toml");
        std::fs::write(
            &rules,
            paylake_transforms::aml::config::DEFAULT_RULES_TOML
                .replace("min_distinct_rules = 2", "min_distinct_rules = 3"),
        )
        .unwrap();
        // A comment changes no section: nothing is stale for it.
        let commented = dir.path().join("commented.toml");
        std::fs::write(
            &commented,
            format!(
                "# reviewed\n{}",
                paylake_transforms::aml::config::DEFAULT_RULES_TOML
            ),
        )
        .unwrap();
        let changed = Settings {
            aml_rules: Some(rules),
            ..Settings::default()
        };
        let only_commented = Settings {
            aml_rules: Some(commented),
            ..Settings::default()
        };
        for step in graph.steps() {
            let before = code_version(&settings, step).unwrap();
            let after = code_version(&changed, step).unwrap();
            assert_eq!(
                before != after,
                step.name == "sar_candidates",
                "{}",
                step.name
            );
            assert_eq!(before, code_version(&only_commented, step).unwrap());
        }
    }
}
