//! The grants of every role on every table, derived from the registry: the one answer that the
//! local query guard, Lake Formation and the docs all give.

use crate::access::settings::{AccessSettings, Role};
use crate::registry::{registry, TableDef};

/// Which columns of a table a grant covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ColumnGrant {
    All,
    /// Every column but these (the personal-data columns the role does not see).
    Excluding(Vec<&'static str>),
}

/// One role's grant on one table.
#[derive(Debug, Clone)]
pub struct TableGrant<'settings> {
    pub role: &'settings Role,
    pub table: &'static TableDef,
    pub columns: ColumnGrant,
}

/// Every grant of every role, role by role in name order, tables in registry order.
pub fn table_grants(settings: &AccessSettings) -> Vec<TableGrant<'_>> {
    let mut grants = Vec::new();
    for role in settings.roles.values() {
        for table in registry().tables() {
            if !role.reads(table) {
                continue;
            }
            let withheld = role.withheld_columns(table);
            let columns = if withheld.is_empty() {
                ColumnGrant::All
            } else {
                ColumnGrant::Excluding(withheld.to_vec())
            };
            grants.push(TableGrant {
                role,
                table,
                columns,
            });
        }
    }
    grants
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn analysts_get_every_silver_and_gold_table_without_personal_data() {
        let settings = AccessSettings::defaults();
        let grants = table_grants(&settings);
        let analyst: Vec<_> = grants.iter().filter(|g| g.role.name == "analyst").collect();
        assert!(analyst
            .iter()
            .all(|g| matches!(g.table.zone.as_str(), "silver" | "gold")));
        let customers = analyst
            .iter()
            .find(|g| g.table.qualified_name() == "silver.customers")
            .unwrap();
        assert_eq!(
            customers.columns,
            ColumnGrant::Excluding(vec![
                "full_name",
                "date_of_birth",
                "address",
                "email",
                "phone"
            ])
        );
        let alerts = analyst
            .iter()
            .find(|g| g.table.qualified_name() == "gold.aml_alerts")
            .unwrap();
        assert_eq!(alerts.columns, ColumnGrant::All);
    }
}
