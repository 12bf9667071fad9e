//! `paylake serve-metrics`: the lake's metrics over HTTP for Prometheus to scrape.
//!
//! Each scrape of `/metrics` reads the runs, checks and SLOs as they are then; nothing is kept
//! between scrapes, so several servers can serve one lake.

use chrono::Utc;
use paylake_catalog::{lake_session, Lake};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::slo::{evaluate, SloSettings};
use crate::error::{OrchestrationError, Result};

/// Serves until interrupted.
pub async fn serve(
    lake: &Lake,
    slos: &SloSettings,
    timezone: chrono_tz::Tz,
    listen: &str,
) -> Result<()> {
    let listener = TcpListener::bind(listen)
        .await
        .map_err(|source| OrchestrationError::Io {
            path: listen.into(),
            source,
        })?;
    let address = listener
        .local_addr()
        .map_err(|source| OrchestrationError::Io {
            path: listen.into(),
            source,
        })?;
    println!("serving metrics at http://{address}/metrics");
    loop {
        let (stream, _) = tokio::select! {
            accepted = listener.accept() => accepted.map_err(|source| OrchestrationError::Io { path: listen.into(), source })?,
            _ = tokio::signal::ctrl_c() => return Ok(()),
        };
        if let Err(error) = answer(stream, lake, slos, timezone).await {
            tracing::warn!(%error, "metrics request failed");
        }
    }
}

async fn answer(
    mut stream: TcpStream,
    lake: &Lake,
    slos: &SloSettings,
    timezone: chrono_tz::Tz,
) -> Result<()> {
    let io = |source| OrchestrationError::Io {
        path: "metrics connection".into(),
        source,
    };
    let mut request = vec![0u8; 4096];
    let read = stream.read(&mut request).await.map_err(io)?;
    let request = String::from_utf8_lossy(&request[..read]);
    let path = request.split_whitespace().nth(1).unwrap_or("/");
    let (status, body) = if path == "/metrics" {
        match metrics_text(lake, slos, timezone).await {
            Ok(text) => ("200 OK", text),
            Err(error) => ("500 Internal Server Error", format!("{error}\n")),
        }
    } else {
        ("404 Not Found", "metrics are at /metrics\n".to_string())
    };
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(response.as_bytes()).await.map_err(io)?;
    stream.shutdown().await.map_err(io)?;
    Ok(())
}

async fn metrics_text(lake: &Lake, slos: &SloSettings, timezone: chrono_tz::Tz) -> Result<String> {
    let context = lake_session(lake).await?;
    let report = evaluate(&context, slos, timezone, Utc::now()).await?;
    super::metrics::lake_metrics(&context, &report).await
}
