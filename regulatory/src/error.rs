use paylake_catalog::CatalogError;

/// Errors of regulatory filing.
#[derive(Debug, thiserror::Error)]
pub enum RegulatoryError {
    #[error(transparent)]
    Catalog(#[from] CatalogError),

    #[error(transparent)]
    DataFusion(Box<datafusion::error::DataFusionError>),

    #[error(transparent)]
    Decisions(#[from] paylake_decisions::DecisionsError),

    #[error(transparent)]
    Arrow(#[from] arrow::error::ArrowError),

    #[error("reading {path}: {source}")]
    Io {
        path: std::path::PathBuf,
        source: std::io::Error,
    },

    #[error("regulatory settings {origin}: {reason}")]
    Settings { origin: String, reason: String },

    #[error("cron expression '{expression}': {reason}")]
    Cron { expression: String, reason: String },

    #[error("{table}, record {record}, field {field}: {reason}")]
    InvalidRecord {
        table: &'static str,
        record: String,
        field: &'static str,
        reason: String,
    },

    #[error("acknowledgement {file}: {reason}")]
    Acknowledgement { file: String, reason: String },

    #[error("export destination {location}: {reason}")]
    Destination { location: String, reason: String },

    #[error("s3 {operation} {location}: {reason}")]
    S3 {
        operation: &'static str,
        location: String,
        reason: String,
    },
}

pub type Result<T, E = RegulatoryError> = std::result::Result<T, E>;

// Boxed: DataFusion's error is large, and every Result carries it.
impl From<datafusion::error::DataFusionError> for RegulatoryError {
    fn from(error: datafusion::error::DataFusionError) -> Self {
        RegulatoryError::DataFusion(Box::new(error))
    }
}
