use std::path::{Path, PathBuf};

use paylake_catalog::CatalogError;

/// Errors of ingest. A bad record is not an error: it is
/// quarantined. These are the failures that stop a step: storage, I/O, bad configuration.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error(transparent)]
    Catalog(#[from] CatalogError),

    #[error("io error on '{path}': {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error(transparent)]
    Arrow(#[from] arrow::error::ArrowError),

    #[error(transparent)]
    Parquet(#[from] parquet::errors::ParquetError),

    #[error(transparent)]
    DataFusion(Box<datafusion::error::DataFusionError>),

    #[error(transparent)]
    Json(#[from] serde_json::Error),

    #[error(transparent)]
    Csv(#[from] csv::Error),

    #[error("postgresql: {0}")]
    Postgres(#[from] tokio_postgres::Error),

    #[error("personal data detection failed, nothing was stored: {0}")]
    PiiDetection(String),

    #[error("landing store: {0}")]
    Landing(String),

    #[error("aws: {0}")]
    Aws(String),

    #[error("logical replication: {0}")]
    Replication(String),

    #[error("cannot deliver '{path}': {reason}")]
    Delivery { path: PathBuf, reason: String },
}

pub type Result<T, E = IngestError> = std::result::Result<T, E>;

impl IngestError {
    /// Whether a commit lost a race with another writer's commit (a retry may succeed).
    pub fn is_commit_conflict(&self) -> bool {
        matches!(self, IngestError::Catalog(catalog) if catalog.is_commit_conflict())
    }

    pub fn io(path: &Path, source: std::io::Error) -> Self {
        IngestError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

// Boxed: DataFusion's error is large, and every Result carries it.
impl From<datafusion::error::DataFusionError> for IngestError {
    fn from(error: datafusion::error::DataFusionError) -> Self {
        IngestError::DataFusion(Box::new(error))
    }
}
