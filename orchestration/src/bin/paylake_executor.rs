//! `paylake-executor`: a Ballista scheduler or executor that reads paylake's lake.
//!
//! Ballista ships its own scheduler and executor binaries; this one is the same processes with
//! paylake's logical codec (the lake's pinned tables and in-memory intermediates), functions and
//! settings, so that `paylake run --engine ballista` can send them its jobs.

use clap::{Parser, Subcommand};
use paylake_ballista::cluster::{
    serve_executor, serve_scheduler, ExecutorOptions, SchedulerOptions,
};

/// A Ballista scheduler or executor carrying paylake's codec.
#[derive(Debug, Parser)]
#[command(name = "paylake-executor", version)]
struct Cli {
    #[command(subcommand)]
    role: Role,
}

#[derive(Debug, Subcommand)]
enum Role {
    /// Run a scheduler: clients send it queries, executors register with it.
    Scheduler(SchedulerOptions),
    /// Run an executor that registers with a scheduler and runs its tasks.
    Executor(ExecutorOptions),
}

fn main() -> std::process::ExitCode {
    // Planning and decoding the jobs' plans recurse deeply (the AML rules' joins and unions):
    // the default 2 MiB thread stacks overflow on them, in debug builds especially.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(32 * 1024 * 1024)
        .build();
    match runtime {
        Ok(runtime) => runtime.block_on(serve()),
        Err(error) => {
            eprintln!("paylake-executor: cannot start the runtime: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn serve() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        // Coloured only on a terminal: an executor's log usually goes to a file.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let outcome = match Cli::parse().role {
        Role::Scheduler(options) => serve_scheduler(options).await,
        Role::Executor(options) => serve_executor(options).await,
    };
    match outcome {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("paylake-executor: {message}");
            std::process::ExitCode::FAILURE
        }
    }
}
