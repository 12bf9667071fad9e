//! Who may read what: roles from `access.toml`, the grants they get from the table registry,
//! and the same policy enforced on local queries (`paylake sql --role R`), with every query
//! written to `system.query_audit`.

pub mod audit;
pub mod guard;
pub mod policy;
pub mod settings;

pub use guard::{authorize, plan_query, role_session, GuardedQuery, PlannedQuery};
pub use policy::{table_grants, ColumnGrant, TableGrant};
pub use settings::{AccessSettings, PersonalData, Role};
