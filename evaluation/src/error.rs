use paylake_catalog::CatalogError;
use paylake_transforms::TransformError;

/// Errors of an evaluation.
#[derive(Debug, thiserror::Error)]
pub enum EvaluationError {
    #[error(transparent)]
    Catalog(#[from] CatalogError),

    #[error(transparent)]
    Transform(#[from] TransformError),

    #[error(transparent)]
    DataFusion(Box<datafusion::error::DataFusionError>),

    #[error(transparent)]
    Arrow(#[from] arrow::error::ArrowError),

    #[error("reading {path}: {source}")]
    Io {
        path: std::path::PathBuf,
        source: std::io::Error,
    },

    /// Input the evaluation cannot use: a sample without its files, a truth file it cannot read.
    #[error("aml evaluation: {0}")]
    Invalid(String),
}

pub type Result<T, E = EvaluationError> = std::result::Result<T, E>;

// Boxed: DataFusion's error is large, and every Result carries it.
impl From<datafusion::error::DataFusionError> for EvaluationError {
    fn from(error: datafusion::error::DataFusionError) -> Self {
        EvaluationError::DataFusion(Box::new(error))
    }
}
