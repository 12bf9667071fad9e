//! The compliance workbench, `paylake serve`: the page a compliance officer works in all day.
//! Server-rendered HTML from templates, usable without JavaScript, one axum server:
//!
//! - `users`: the users file (Argon2id password hashes, the roles of `access.toml` per user);
//! - `sessions`: sign-in sessions that expire when idle, CSRF tokens, slowed-down retries;
//! - `data`: the queue and a case page's facts, from the case log and `sql/workbench/`;
//! - `pages`: the handlers; every action goes through `paylake_decisions::act`.

// Every dependency in Cargo.toml is used by the library (a dependency only its tests use is
// a dev-dependency); the test build checks it, so CI needs no separate tool.
#![cfg_attr(not(test), deny(unused_crate_dependencies))]

pub mod break_pages;
pub mod data;
pub mod error;
pub mod pages;
pub mod sessions;
pub mod suppression_pages;
mod templates;
pub mod users;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::routing::{get, post};
use axum::Router;
use paylake_catalog::access::AccessSettings;
use paylake_catalog::Lake;
use serde::Deserialize;

pub use error::{Result, WorkbenchError};
use sessions::Sessions;

/// How people sign in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthMode {
    /// With a password of the users file.
    Local,
    /// As the user an authenticating proxy (OIDC in front) names in this header; the users
    /// file still says their roles.
    TrustedHeader { header: String },
}

/// The `[workbench]` settings of `paylake.toml`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkbenchSettings {
    /// The users file; `<lake>/workbench/users.toml` for a lake in a folder.
    #[serde(default)]
    pub users_file: Option<PathBuf>,
    /// `local` (passwords) or `trusted_header`.
    #[serde(default = "default_auth")]
    pub auth: String,
    /// The header an authenticating proxy names the user in (`trusted_header`).
    #[serde(default = "default_trusted_header")]
    pub trusted_header: String,
    /// Minutes without a request after which a session ends.
    #[serde(default = "default_idle_minutes")]
    pub session_idle_minutes: u64,
}

fn default_auth() -> String {
    "local".to_string()
}

fn default_trusted_header() -> String {
    "X-Forwarded-User".to_string()
}

fn default_idle_minutes() -> u64 {
    30
}

impl Default for WorkbenchSettings {
    fn default() -> Self {
        WorkbenchSettings {
            users_file: None,
            auth: default_auth(),
            trusted_header: default_trusted_header(),
            session_idle_minutes: default_idle_minutes(),
        }
    }
}

impl WorkbenchSettings {
    pub fn auth_mode(&self) -> Result<AuthMode> {
        match self.auth.as_str() {
            "local" => Ok(AuthMode::Local),
            "trusted_header" => Ok(AuthMode::TrustedHeader {
                header: self.trusted_header.clone(),
            }),
            other => Err(WorkbenchError::Invalid(format!(
                "workbench auth '{other}' (expected local or trusted_header)"
            ))),
        }
    }

    /// The users file of `lake`.
    pub fn users_file(&self, lake: &Lake) -> Result<PathBuf> {
        if let Some(path) = &self.users_file {
            return Ok(path.clone());
        }
        lake.root()
            .to_file_path()
            .map(|root| root.join("workbench").join("users.toml"))
            .map_err(|()| {
                WorkbenchError::Invalid(
                    "a lake on object storage needs workbench.users_file (PAYLAKE_USERS_FILE)"
                        .to_string(),
                )
            })
    }
}

/// What the pages share.
pub struct Workbench {
    pub lake: Lake,
    /// Page views, committed to `system.query_audit` as a group.
    pub audit: paylake_catalog::access::audit::AuditLog,
    pub access: AccessSettings,
    pub users_file: PathBuf,
    pub auth: AuthMode,
    /// Days from a case's first alert to its SAR deadline.
    pub sar_days: i64,
    /// A write-off above this amount (USD) needs a second person (finance-rules.toml).
    pub write_off_approval_above_usd: String,
    pub sessions: Sessions,
}

impl Workbench {
    pub fn new(
        lake: Lake,
        access: AccessSettings,
        settings: &WorkbenchSettings,
        sar_days: i64,
        write_off_approval_above_usd: String,
    ) -> Result<Workbench> {
        Ok(Workbench {
            users_file: settings.users_file(&lake)?,
            auth: settings.auth_mode()?,
            sessions: Sessions::new(Duration::from_secs(60 * settings.session_idle_minutes)),
            audit: paylake_catalog::access::audit::AuditLog::new(lake.clone()),
            lake,
            access,
            sar_days,
            write_off_approval_above_usd,
        })
    }
}

/// The workbench's routes.
pub fn router(workbench: Workbench) -> Router {
    Router::new()
        .route("/", get(pages::case_queue))
        .route("/approvals", get(pages::approval_queue))
        .route(
            "/cases/{case_id}",
            get(pages::case_page).post(pages::case_action),
        )
        .route("/breaks", get(break_pages::break_queue))
        .route(
            "/breaks/{break_id}",
            get(break_pages::break_page).post(break_pages::break_action),
        )
        .route(
            "/suppressions",
            get(suppression_pages::suppressions_page).post(suppression_pages::suppress),
        )
        .route(
            "/suppressions/{decision_id}/revoke",
            post(suppression_pages::revoke),
        )
        .route("/login", get(pages::login_page).post(pages::login))
        .route("/logout", post(pages::logout))
        .with_state(Arc::new(workbench))
}
