//! The cluster's processes: a Ballista scheduler and executor carrying paylake's codec, function
//! registry and settings. The `paylake-executor` binary starts them.

use std::net::SocketAddr;
use std::sync::Arc;

use ballista_executor::executor_process::{start_executor_process, ExecutorProcessConfig};
use ballista_scheduler::cluster::BallistaCluster;
use ballista_scheduler::config::SchedulerConfig;
use ballista_scheduler::scheduler_process::start_server;

use crate::LakeCodec;

/// Where a scheduler listens (the options of `paylake-executor scheduler`).
#[derive(Debug, Clone, clap::Args)]
pub struct SchedulerOptions {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind_host: String,
    /// gRPC port (clients connect to df://HOST:PORT).
    #[arg(long, default_value_t = 50050)]
    pub port: u16,
}

/// Where an executor listens and which scheduler it registers with (the options of
/// `paylake-executor executor`).
#[derive(Debug, Clone, clap::Args)]
pub struct ExecutorOptions {
    /// Address to listen on, and to advertise to the scheduler and other executors.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind_host: String,
    /// Arrow Flight port, from which other executors fetch shuffle data.
    #[arg(long = "port", default_value_t = 50051)]
    pub flight_port: u16,
    /// gRPC port of the executor.
    #[arg(long, default_value_t = 50052)]
    pub grpc_port: u16,
    /// Host of the scheduler to register with.
    #[arg(long, default_value = "127.0.0.1")]
    pub scheduler_host: String,
    /// gRPC port of that scheduler.
    #[arg(long, default_value_t = 50050)]
    pub scheduler_port: u16,
    /// Task slots (default: the machine's cores).
    #[arg(long)]
    pub concurrent_tasks: Option<usize>,
    /// Where shuffle files go (default: a temporary folder).
    #[arg(long)]
    pub work_dir: Option<String>,
}

/// Runs a scheduler until it stops; `Err` says why it could not start.
pub async fn serve_scheduler(options: SchedulerOptions) -> Result<(), String> {
    let SchedulerOptions { bind_host, port } = options;
    let address: SocketAddr = format!("{bind_host}:{port}")
        .parse()
        .map_err(|error| format!("bad address {bind_host}:{port}: {error}"))?;
    let config = SchedulerConfig {
        bind_host,
        bind_port: port,
        override_logical_codec: Some(Arc::new(LakeCodec::default())),
        override_config_producer: Some(Arc::new(crate::cluster_config)),
        // Whatever a client sends, the jobs plan with the cluster's planner settings.
        override_session_builder: Some(Arc::new(crate::scheduler_session_state)),
        ..SchedulerConfig::default()
    };
    let cluster = BallistaCluster::new_from_config(&config)
        .await
        .map_err(|error| error.to_string())?;
    start_server(cluster, address, Arc::new(config))
        .await
        .map_err(|error| error.to_string())
}

/// Runs an executor until it stops; `Err` says why it could not start.
pub async fn serve_executor(options: ExecutorOptions) -> Result<(), String> {
    let mut config = ExecutorProcessConfig {
        bind_host: options.bind_host.clone(),
        external_host: Some(options.bind_host),
        port: options.flight_port,
        grpc_port: options.grpc_port,
        scheduler_host: options.scheduler_host,
        scheduler_port: options.scheduler_port,
        work_dir: options.work_dir,
        override_logical_codec: Some(Arc::new(LakeCodec::default())),
        override_function_registry: Some(Arc::new(crate::function_registry())),
        override_config_producer: Some(Arc::new(crate::cluster_config)),
        ..ExecutorProcessConfig::default()
    };
    if let Some(slots) = options.concurrent_tasks {
        config.vcores = slots;
    }
    start_executor_process(Arc::new(config))
        .await
        .map_err(|error| error.to_string())
}
