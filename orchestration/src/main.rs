//! The `paylake` binary.

// Every dependency in Cargo.toml is used by this binary or the executor's (see
// `bin/paylake_executor.rs`); the test build checks it, so CI needs no separate tool.
#![cfg_attr(not(test), deny(unused_crate_dependencies))]

mod assets;
mod cli;
mod commands;
mod config;
mod deploy;
mod error;
mod observe;
mod output;
mod steps;

use std::io::IsTerminal;

use clap::Parser;
use tracing_subscriber::EnvFilter;

fn main() -> std::process::ExitCode {
    // Rust ignores SIGPIPE, so a print to a closed pipe (`paylake sql ... | head`) panics; with
    // the default action the process ends quietly, as other command-line tools do. Sockets are
    // unaffected: the standard library and tokio send with MSG_NOSIGNAL.
    sigpipe::reset();
    let cli = cli::Cli::parse();
    // Two lines of delta-rs are noise here: the kernel logs an error each time a table is
    // created (it first looks for a log that is not there yet), and MERGE warns about a scan
    // metric it derives. Real failures reach us as errors, so both are silenced by default.
    const QUIET: &str =
        "buoyant_kernel::snapshot::builder=off,deltalake_core::operations::merge=error";
    let default_filter = match cli.verbose {
        0 => format!("warn,{QUIET}"),
        1 => format!("info,{QUIET}"),
        _ => "debug".to_string(),
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_filter)),
        )
        .with_writer(std::io::stderr)
        .with_ansi(colours_wanted())
        .init();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: cannot start the async runtime: {err}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            let mut source = std::error::Error::source(&err);
            while let Some(cause) = source {
                eprintln!("  caused by: {cause}");
                source = cause.source();
            }
            std::process::ExitCode::FAILURE
        }
    }
}

/// Log lines are coloured only on a terminal, and never when `NO_COLOR` is set
/// (<https://no-color.org>): redirected to a file, they stay plain text.
fn colours_wanted() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}
