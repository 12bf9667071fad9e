use std::path::PathBuf;

/// Errors of a bench: its data, its contenders, or the paylake code it measures.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    #[error(transparent)]
    Catalog(#[from] paylake_catalog::CatalogError),

    #[error(transparent)]
    Ingest(#[from] paylake_ingest::IngestError),

    #[error(transparent)]
    Transform(#[from] paylake_transforms::TransformError),

    #[error(transparent)]
    DataFusion(Box<datafusion::error::DataFusionError>),

    #[error(transparent)]
    Arrow(#[from] arrow::error::ArrowError),

    #[error(transparent)]
    Parquet(#[from] parquet::errors::ParquetError),

    #[error("io error on '{path}': {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// The two sides of a bench computed different outputs: the figures would compare unequal
    /// work, so the bench fails.
    #[error("{0}")]
    Differs(String),

    /// A contender that could not start or did not finish.
    #[error("{0}")]
    Process(String),
}

pub type Result<T, E = BenchError> = std::result::Result<T, E>;

// Boxed: DataFusion's error is large, and every Result carries it.
impl From<datafusion::error::DataFusionError> for BenchError {
    fn from(error: datafusion::error::DataFusionError) -> Self {
        BenchError::DataFusion(Box::new(error))
    }
}
