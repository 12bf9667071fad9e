use paylake_catalog::CatalogError;

/// Errors of report rendering.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(transparent)]
    Catalog(#[from] CatalogError),

    #[error(transparent)]
    DataFusion(Box<datafusion::error::DataFusionError>),

    #[error(transparent)]
    Arrow(#[from] arrow::error::ArrowError),

    #[error("report template {template}: {reason}")]
    Template { template: String, reason: String },

    #[error("printing {path} to pdf: {reason}")]
    Print {
        path: std::path::PathBuf,
        reason: String,
    },
}

pub type Result<T, E = ReportError> = std::result::Result<T, E>;

// Boxed: DataFusion's error is large, and every Result carries it.
impl From<datafusion::error::DataFusionError> for ReportError {
    fn from(error: datafusion::error::DataFusionError) -> Self {
        ReportError::DataFusion(Box::new(error))
    }
}
