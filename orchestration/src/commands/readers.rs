//! Who may read the decisions from the command line: `paylake case list|show`, `paylake break
//! list` and `paylake exemption list` run in a role of access.toml, like `paylake sql`, and each
//! look is a row of `system.query_audit`, refused or not.

use paylake_catalog::access::audit::{record_query, QueryAuditRow};
use paylake_catalog::access::Role;
use paylake_catalog::{registry, CatalogError, Lake, TableDef};

use super::query::current_user;
use crate::cli::ReaderArgs;
use crate::config::Settings;
use crate::error::Result;

/// Checks that the reader's role may look at `table` (`may_read` says from the role and the
/// table), and records the look at `what`; refused, nothing is shown.
pub async fn allow_reading(
    settings: &Settings,
    lake: &Lake,
    reader: &ReaderArgs,
    what: String,
    table: &str,
    may_read: fn(&Role, &TableDef) -> bool,
) -> Result<()> {
    let access = settings.access()?;
    let role_name = reader.role.as_deref().unwrap_or(&access.default_role);
    let role = access.role(role_name)?;
    let user = reader.user.clone().unwrap_or_else(current_user);
    let definition = registry().find(table)?;
    let row = QueryAuditRow::view(&user, role_name, &access.version, what, &[table]);
    if may_read(role, definition) {
        record_query(lake, &row).await?;
        return Ok(());
    }
    let reason = format!("the role {role_name} may not look at {table} here");
    record_query(lake, &row.refused(reason.clone())).await?;
    Err(CatalogError::Refused {
        role: role_name.to_string(),
        reason,
    }
    .into())
}
