//! `paylake serve-metrics`: the lake's metrics over HTTP (axum) for Prometheus to scrape.
//!
//! Each scrape of `/metrics` reads the runs, checks and SLOs as they are then; nothing is kept
//! between scrapes, so several servers can serve one lake.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use chrono::Utc;
use paylake_catalog::{lake_session, Lake};

use super::slo::{evaluate, SloSettings};
use crate::error::{OrchestrationError, Result};

/// The content type of OpenMetrics text, which prometheus-client writes.
const OPENMETRICS: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// What every scrape reads.
struct Served {
    lake: Lake,
    slos: SloSettings,
    timezone: chrono_tz::Tz,
}

/// Serves until interrupted.
pub async fn serve(
    lake: &Lake,
    slos: &SloSettings,
    timezone: chrono_tz::Tz,
    listen: &str,
) -> Result<()> {
    let io = |source| OrchestrationError::Io {
        path: listen.into(),
        source,
    };
    let listener = tokio::net::TcpListener::bind(listen).await.map_err(io)?;
    let address = listener.local_addr().map_err(io)?;
    let app = metrics_router(lake, slos, timezone)
        .fallback(|| async { (StatusCode::NOT_FOUND, "metrics are at /metrics\n") });
    println!("serving metrics at http://{address}/metrics");
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(io)
}

/// `/metrics`, for a server of its own or beside the workbench.
pub fn metrics_router(lake: &Lake, slos: &SloSettings, timezone: chrono_tz::Tz) -> Router {
    let served = Arc::new(Served {
        lake: lake.clone(),
        slos: slos.clone(),
        timezone,
    });
    Router::new()
        .route("/metrics", get(scrape))
        .with_state(served)
}

async fn scrape(State(served): State<Arc<Served>>) -> impl IntoResponse {
    match metrics_text(&served).await {
        Ok(text) => (StatusCode::OK, [(header::CONTENT_TYPE, OPENMETRICS)], text),
        Err(error) => {
            tracing::warn!(%error, "metrics scrape failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                format!("{error}\n"),
            )
        }
    }
}

async fn metrics_text(served: &Served) -> Result<String> {
    let context = lake_session(&served.lake).await?;
    let report = evaluate(&context, &served.slos, served.timezone, Utc::now()).await?;
    super::metrics::lake_metrics(&context, &report).await
}
