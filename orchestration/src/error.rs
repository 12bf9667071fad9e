use std::path::PathBuf;

/// Errors of the command line and the steps it drives.
#[derive(Debug, thiserror::Error)]
pub enum OrchestrationError {
    #[error(transparent)]
    Catalog(#[from] paylake_catalog::CatalogError),

    #[error(transparent)]
    Ingest(#[from] paylake_ingest::IngestError),

    #[error(transparent)]
    Simulator(#[from] paylake_simulator::SimulatorError),

    #[error(transparent)]
    Transform(#[from] paylake_transforms::TransformError),

    #[error(transparent)]
    Evaluation(#[from] paylake_evaluation::EvaluationError),

    #[error(transparent)]
    Bench(#[from] paylake_bench::BenchError),

    #[error(transparent)]
    Report(#[from] paylake_reports::ReportError),

    #[error(transparent)]
    Serving(#[from] paylake_serving::ServingError),

    #[error(transparent)]
    Regulatory(#[from] paylake_regulatory::RegulatoryError),

    #[error(transparent)]
    Ballista(#[from] paylake_ballista::BallistaError),

    #[error(transparent)]
    Decisions(#[from] paylake_decisions::DecisionsError),

    #[error(transparent)]
    Workbench(#[from] paylake_workbench::WorkbenchError),

    #[error(transparent)]
    DataFusion(Box<datafusion::error::DataFusionError>),

    #[error(transparent)]
    Arrow(#[from] arrow::error::ArrowError),

    #[error(transparent)]
    Parquet(#[from] parquet::errors::ParquetError),

    #[error("configuration file '{path}': {reason}")]
    Config { path: PathBuf, reason: String },

    #[error("io error on '{path}': {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("{0}")]
    Usage(String),

    /// An erasure request the law does not allow yet; the refusal is recorded.
    #[error("erasure of customer {customer_id} refused: {reason}")]
    ErasureRefused { customer_id: String, reason: String },

    /// Some steps or checks failed; the rest of the graph ran.
    #[error("maintenance run {run_id}: {failures} tables could not be maintained (see system.asset_runs): {first_error}")]
    MaintenanceFailed {
        run_id: String,
        failures: usize,
        first_error: String,
    },

    #[error("run {run_id}: {failures} steps did not succeed, {failed_checks} checks failed (see system.asset_runs and system.asset_checks)")]
    RunFailed {
        run_id: String,
        failures: usize,
        failed_checks: usize,
    },
}

pub type Result<T, E = OrchestrationError> = std::result::Result<T, E>;

// Boxed: DataFusion's error is large, and every Result carries it.
impl From<datafusion::error::DataFusionError> for OrchestrationError {
    fn from(error: datafusion::error::DataFusionError) -> Self {
        OrchestrationError::DataFusion(Box::new(error))
    }
}

impl OrchestrationError {
    /// The catalog error underneath, whichever stage raised it.
    fn catalog_error(&self) -> Option<&paylake_catalog::CatalogError> {
        match self {
            OrchestrationError::Catalog(error) => Some(error),
            OrchestrationError::Ingest(paylake_ingest::IngestError::Catalog(error))
            | OrchestrationError::Transform(paylake_transforms::TransformError::Catalog(error))
            | OrchestrationError::Report(paylake_reports::ReportError::Catalog(error))
            | OrchestrationError::Regulatory(paylake_regulatory::RegulatoryError::Catalog(error))
            | OrchestrationError::Decisions(paylake_decisions::DecisionsError::Catalog(error)) => {
                Some(error)
            }
            _ => None,
        }
    }

    /// The DataFusion error underneath, whichever stage raised it.
    fn datafusion_error(&self) -> Option<&datafusion::error::DataFusionError> {
        match self {
            OrchestrationError::DataFusion(error)
            | OrchestrationError::Ingest(paylake_ingest::IngestError::DataFusion(error))
            | OrchestrationError::Transform(paylake_transforms::TransformError::DataFusion(
                error,
            ))
            | OrchestrationError::Report(paylake_reports::ReportError::DataFusion(error))
            | OrchestrationError::Regulatory(paylake_regulatory::RegulatoryError::DataFusion(
                error,
            )) => Some(error),
            OrchestrationError::Catalog(paylake_catalog::CatalogError::DataFusion(error)) => {
                Some(error)
            }
            _ => None,
        }
    }

    /// Whether a retry may succeed: a commit lost to a concurrent writer, or storage that
    /// failed to answer. Bad input, bad settings and failed checks are not transient.
    pub fn is_transient(&self) -> bool {
        use datafusion::error::DataFusionError;
        if let Some(catalog) = self.catalog_error() {
            return catalog.is_commit_conflict()
                || matches!(
                    catalog,
                    paylake_catalog::CatalogError::ObjectStore { .. }
                        | paylake_catalog::CatalogError::Io { .. }
                );
        }
        if let Some(datafusion) = self.datafusion_error() {
            return matches!(
                datafusion.find_root(),
                DataFusionError::ObjectStore(_) | DataFusionError::IoError(_)
            );
        }
        matches!(
            self,
            OrchestrationError::Io { .. }
                | OrchestrationError::Decisions(
                    paylake_decisions::DecisionsError::ConcurrentChange { .. }
                )
        )
    }

    /// The publication gate refused the rows: a check failed, nothing was written.
    pub fn is_check_failure(&self) -> bool {
        matches!(
            self.catalog_error(),
            Some(paylake_catalog::CatalogError::PublicationRefused { .. })
        )
    }
}
