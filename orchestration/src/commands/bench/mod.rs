//! `paylake bench`: each harness measures paylake beside a floor or a peer on the same data in
//! the same run, and prints the figures.

mod aml;
mod ingest;
mod recon;
mod screening;

pub use aml::{bench_aml, run_suite_on_parquet};
pub use ingest::{bench_ingest, run_floor};
pub use recon::{bench_recon, run_match_on_parquet};
pub use screening::bench_screening;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::error::{OrchestrationError, Result};

/// A deterministic generator; the bench needs repeatable data, not cryptographic quality.
pub(super) struct Lcg(pub(super) u64);

impl Lcg {
    pub(super) fn below(&mut self, bound: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % bound.max(1)
    }
}

/// One measured run.
pub(super) struct Measure {
    pub(super) seconds: f64,
    pub(super) peak_rss_bytes: u64,
}

pub(super) fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> OrchestrationError + '_ {
    move |source| OrchestrationError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Runs a command to its end, polling its peak resident set size.
pub(super) fn measure(command: &mut Command, what: &str) -> Result<Measure> {
    let started = Instant::now();
    let mut child = command
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|source| OrchestrationError::Usage(format!("cannot start {what}: {source}")))?;
    let status_path = PathBuf::from(format!("/proc/{}/status", child.id()));
    let mut peak_kib = 0_u64;
    loop {
        if let Ok(status) = std::fs::read_to_string(&status_path) {
            if let Some(kib) = status
                .lines()
                .find_map(|line| line.strip_prefix("VmHWM:"))
                .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
            {
                peak_kib = peak_kib.max(kib);
            }
        }
        if let Some(status) = child.try_wait().map_err(io_error(&status_path))? {
            if !status.success() {
                let mut stderr = String::new();
                if let Some(mut pipe) = child.stderr.take() {
                    use std::io::Read;
                    let _ = pipe.read_to_string(&mut stderr);
                }
                return Err(OrchestrationError::Usage(format!(
                    "{what} failed: {}",
                    stderr.trim()
                )));
            }
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Ok(Measure {
        seconds: started.elapsed().as_secs_f64(),
        peak_rss_bytes: peak_kib * 1024,
    })
}
