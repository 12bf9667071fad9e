use std::path::PathBuf;

/// Errors of the command line and the steps it drives.
#[derive(Debug, thiserror::Error)]
pub enum OrchestrationError {
    #[error(transparent)]
    Catalog(#[from] paylake_catalog::CatalogError),

    #[error(transparent)]
    Ingest(#[from] paylake_ingest::IngestError),

    #[error(transparent)]
    Transform(#[from] paylake_transforms::TransformError),

    #[error(transparent)]
    Report(#[from] paylake_reports::ReportError),

    #[error(transparent)]
    Serving(#[from] paylake_serving::ServingError),

    #[error(transparent)]
    Regulatory(#[from] paylake_regulatory::RegulatoryError),

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
}

pub type Result<T, E = OrchestrationError> = std::result::Result<T, E>;

// Boxed: DataFusion's error is large, and every Result carries it.
impl From<datafusion::error::DataFusionError> for OrchestrationError {
    fn from(error: datafusion::error::DataFusionError) -> Self {
        OrchestrationError::DataFusion(Box::new(error))
    }
}
