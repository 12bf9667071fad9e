use std::path::PathBuf;

/// Errors of the workbench.
#[derive(Debug, thiserror::Error)]
pub enum WorkbenchError {
    #[error(transparent)]
    Catalog(#[from] paylake_catalog::CatalogError),

    #[error(transparent)]
    Decisions(#[from] paylake_decisions::DecisionsError),

    #[error(transparent)]
    DataFusion(Box<datafusion::error::DataFusionError>),

    #[error("template {name}: {reason}")]
    Template { name: String, reason: String },

    #[error("users file {path}: {reason}")]
    UsersFile { path: PathBuf, reason: String },

    #[error("io error on '{path}': {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error("listening on {address}: {source}")]
    Listen {
        address: String,
        source: std::io::Error,
    },

    #[error("{0}")]
    Invalid(String),
}

pub type Result<T, E = WorkbenchError> = std::result::Result<T, E>;

// Boxed: DataFusion's error is large, and every Result carries it.
impl From<datafusion::error::DataFusionError> for WorkbenchError {
    fn from(error: datafusion::error::DataFusionError) -> Self {
        WorkbenchError::DataFusion(Box::new(error))
    }
}
