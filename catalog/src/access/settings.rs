//! `access.toml`: the roles, their principals, and which zones, owners and tables they read.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::error::{CatalogError, Result};
use crate::registry::{registry, TableDef, Zone};

/// The access settings paylake ships, compiled in.
pub const DEFAULT_ACCESS: &str = include_str!("../../../access.toml");

/// How a role sees the registry's personal-data columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PersonalData {
    /// Read as stored.
    Allowed,
    /// Read as NULL locally; left out of the Lake Formation column grants.
    Masked,
    /// A query reading one is refused; left out of the Lake Formation column grants.
    Refused,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Role {
    #[serde(skip)]
    pub name: String,
    pub description: String,
    /// IAM principals (role or user ARNs) that act in this role on AWS.
    #[serde(default)]
    pub principals: Vec<String>,
    /// Zones whose tables the role reads.
    #[serde(default)]
    pub zones: Vec<String>,
    /// When set, only the tables of these owners within `zones`.
    #[serde(default)]
    pub owners: Vec<String>,
    /// Tables granted one by one, as `zone.table`.
    #[serde(default)]
    pub tables: Vec<String>,
    pub personal_data: PersonalData,
    /// Rows the role sees of a table (`zone.table` to a SQL condition over its columns); the
    /// other rows are not there for the role.
    #[serde(default)]
    pub row_filters: BTreeMap<String, String>,
    /// Whether the role also writes (paylake's own role).
    #[serde(default)]
    pub write: bool,
    /// The case-work actions the role may take (`assign`, `close`, `approve`, ...); none for a
    /// role that sees no cases.
    #[serde(default)]
    pub case_actions: Vec<String>,
    /// The actions on reconciliation breaks the role may take (`assign`, `match`, `write_off`,
    /// `approve`, ...); none for a role that works no breaks.
    #[serde(default)]
    pub break_actions: Vec<String>,
}

impl Role {
    /// Whether the role reads `table` at all.
    pub fn reads(&self, table: &TableDef) -> bool {
        let qualified_name = table.qualified_name();
        if self.tables.contains(&qualified_name) {
            return true;
        }
        let zone_granted = self.zones.iter().any(|zone| zone == table.zone.as_str());
        let owner_granted = self.owners.is_empty() || self.owners.iter().any(|o| o == table.owner);
        zone_granted && owner_granted
    }

    /// The personal-data columns of `table` this role does not see as stored.
    pub fn withheld_columns<'table>(&self, table: &'table TableDef) -> &'table [&'static str] {
        match self.personal_data {
            PersonalData::Allowed => &[],
            PersonalData::Masked | PersonalData::Refused => &table.personal_data,
        }
    }

    /// Why the role does not read `table`, in words for a refusal.
    pub fn grant_summary(&self) -> String {
        let mut parts = Vec::new();
        if !self.zones.is_empty() {
            let owners = if self.owners.is_empty() {
                String::new()
            } else {
                format!(" owned by {}", self.owners.join(", "))
            };
            parts.push(format!("{} tables{owners}", self.zones.join(", ")));
        }
        if !self.tables.is_empty() {
            parts.push(self.tables.join(", "));
        }
        if parts.is_empty() {
            return "no tables".to_string();
        }
        parts.join("; and ")
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessSettings {
    pub version: String,
    pub default_role: String,
    pub roles: BTreeMap<String, Role>,
}

impl AccessSettings {
    pub fn defaults() -> Self {
        Self::parse(DEFAULT_ACCESS, "(shipped)").expect("the shipped access settings parse")
    }

    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|source| CatalogError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(&text, &path.display().to_string())
    }

    /// Parses and checks the settings: every zone and table they name exists in the registry.
    pub fn parse(text: &str, origin: &str) -> Result<Self> {
        let invalid = |reason: String| CatalogError::AccessSettings {
            origin: origin.to_string(),
            reason,
        };
        let mut settings: AccessSettings =
            toml::from_str(text).map_err(|err| invalid(err.to_string()))?;
        for (name, role) in &mut settings.roles {
            role.name = name.clone();
            for zone in &role.zones {
                if !Zone::ALL.iter().any(|known| known.as_str() == zone) {
                    return Err(invalid(format!("role '{name}': unknown zone '{zone}'")));
                }
            }
            for table in &role.tables {
                registry()
                    .find(table)
                    .map_err(|_| invalid(format!("role '{name}': unknown table '{table}'")))?;
            }
            for table in role.row_filters.keys() {
                let known = registry().find(table).map_err(|_| {
                    invalid(format!(
                        "role '{name}': row filter on unknown table '{table}'"
                    ))
                })?;
                if !role.reads(known) {
                    return Err(invalid(format!(
                        "role '{name}': row filter on '{table}', which the role does not read"
                    )));
                }
            }
        }
        if !settings.roles.contains_key(&settings.default_role) {
            return Err(invalid(format!(
                "default_role '{}' is not a role",
                settings.default_role
            )));
        }
        Ok(settings)
    }

    pub fn role(&self, name: &str) -> Result<&Role> {
        self.roles
            .get(name)
            .ok_or_else(|| CatalogError::UnknownRole {
                role: name.to_string(),
                known: self.roles.keys().cloned().collect::<Vec<_>>().join(", "),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_roles_read_what_their_users_need() {
        let settings = AccessSettings::defaults();
        let table = |name| registry().find(name).unwrap();
        let analyst = settings.role("analyst").unwrap();
        assert!(analyst.reads(table("gold.aml_alerts")));
        assert!(!analyst.reads(table("bronze.customers")));
        assert_eq!(
            analyst.withheld_columns(table("silver.customers")),
            ["full_name", "date_of_birth", "address", "email", "phone"]
        );
        let finance = settings.role("finance").unwrap();
        assert!(finance.reads(table("gold.recon_breaks")));
        assert!(finance.reads(table("gold.cost_daily")));
        assert!(!finance.reads(table("gold.aml_alerts")));
        assert!(!finance.reads(table("silver.customers")));
        let regulator = settings.role("regulator").unwrap();
        assert!(regulator.reads(table("decisions.case_events")));
        assert!(!regulator.reads(table("gold.sar_candidates")));
        assert!(!regulator.reads(table("gold.aml_alerts")));
        assert!(!regulator.reads(table("silver.transactions")));
        // Analysts and finance see no cases and work none.
        for role in [analyst, finance] {
            assert!(!role.reads(table("decisions.case_events")));
            assert!(role.case_actions.is_empty());
        }
        let investigator = settings.role("investigator").unwrap();
        assert!(investigator.reads(table("decisions.case_events")));
        assert!(!investigator.case_actions.iter().any(|a| a == "approve"));
        let approver = settings.role("approver").unwrap();
        assert!(approver.case_actions.iter().any(|a| a == "approve"));
        assert!(!approver.case_actions.iter().any(|a| a == "decide"));
        let compliance = settings.role("compliance_officer").unwrap();
        assert!(compliance
            .withheld_columns(table("silver.customers"))
            .is_empty());
    }

    #[test]
    fn a_role_naming_an_unknown_table_is_refused() {
        let text = DEFAULT_ACCESS.replace("decisions.case_events", "decisions.case_eventz");
        let err = AccessSettings::parse(&text, "access.toml").unwrap_err();
        assert!(
            err.to_string()
                .contains("unknown table 'decisions.case_eventz'"),
            "{err}"
        );
        let text = DEFAULT_ACCESS.replace("\"decisions.case_events\" = ", "\"gold.aml_alerts\" = ");
        let err = AccessSettings::parse(&text, "access.toml").unwrap_err();
        assert!(
            err.to_string()
                .contains("row filter on 'gold.aml_alerts', which the role does not read"),
            "{err}"
        );
        let err = AccessSettings::defaults().role("auditor").unwrap_err();
        assert!(err.to_string().contains("unknown role 'auditor'"), "{err}");
    }
}
