//! `paylake serve` (the workbench and the metrics on one server) and `paylake user add`.

use std::io::BufRead;

use paylake_catalog::Lake;
use paylake_workbench::users::UsersFile;
use paylake_workbench::Workbench;

use crate::config::Settings;
use crate::error::{OrchestrationError, Result};
use crate::observe::serve::metrics_router;
use crate::observe::slo::SloSettings;

/// Serves the workbench and `/metrics` until interrupted.
pub async fn serve(settings: &Settings, lake: &Lake, listen: &str) -> Result<()> {
    let sar_days = i64::from(settings.regulatory()?.deadlines.sar_days);
    let workbench = Workbench::new(
        lake.clone(),
        settings.access()?,
        &settings.workbench,
        sar_days,
        settings
            .finance_rules()?
            .breaks
            .write_off_approval_above_usd,
    )?;
    let users_file = workbench.users_file.clone();
    let slos = SloSettings::load(settings.slo.as_deref())?;
    let app = paylake_workbench::router(workbench).merge(metrics_router(
        lake,
        &slos,
        settings.timezone()?,
    ));
    let io = |source| OrchestrationError::Io {
        path: listen.into(),
        source,
    };
    let listener = tokio::net::TcpListener::bind(listen).await.map_err(io)?;
    let address = listener.local_addr().map_err(io)?;
    println!(
        "workbench at http://{address}/ (users: {}), metrics at http://{address}/metrics",
        users_file.display()
    );
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(io)
}

/// Adds or changes a person of the users file; the password comes from PAYLAKE_NEW_PASSWORD
/// or the first line of standard input.
pub fn add_user(settings: &Settings, lake: &Lake, name: &str, roles: Vec<String>) -> Result<()> {
    let access = settings.access()?;
    for role in &roles {
        access.role(role)?;
    }
    let password = match std::env::var("PAYLAKE_NEW_PASSWORD") {
        Ok(password) => password,
        Err(_) => {
            let mut line = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut line)
                .map_err(|source| OrchestrationError::Io {
                    path: "standard input".into(),
                    source,
                })?;
            line.trim_end_matches(['\r', '\n']).to_string()
        }
    };
    let path = settings.workbench.users_file(lake)?;
    let mut users = UsersFile::load(&path)?;
    users.set(name, roles.clone(), Some(&password))?;
    users.save(&path)?;
    println!("{name} ({}) in {}", roles.join(", "), path.display());
    Ok(())
}
