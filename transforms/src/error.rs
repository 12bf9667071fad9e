use paylake_catalog::CatalogError;

/// Errors of the transform jobs.
#[derive(Debug, thiserror::Error)]
pub enum TransformError {
    #[error(transparent)]
    Catalog(#[from] CatalogError),

    #[error(transparent)]
    DataFusion(Box<datafusion::error::DataFusionError>),

    #[error(transparent)]
    Arrow(#[from] arrow::error::ArrowError),

    #[error("unknown business time zone '{0}' (expected an IANA name such as America/New_York)")]
    UnknownTimezone(String),

    #[error("reading {path}: {source}")]
    Io {
        path: std::path::PathBuf,
        source: std::io::Error,
    },

    #[error("aml rules {origin}: {reason}")]
    Rules { origin: String, reason: String },

    #[error("finance rules {origin}: {reason}")]
    FinanceRules { origin: String, reason: String },

    #[error("aml rule {rule_id} failed: {reason}")]
    RuleFailed { rule_id: String, reason: String },

    #[error("{job} for {business_date}: {reason}")]
    MissingInput {
        job: &'static str,
        business_date: chrono::NaiveDate,
        reason: String,
    },
}

pub type Result<T, E = TransformError> = std::result::Result<T, E>;

/// The text of a rules file; the error names the file.
pub fn read_rules_file(path: &std::path::Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|source| TransformError::Io {
        path: path.to_path_buf(),
        source,
    })
}

// Boxed: DataFusion's error is large, and every Result carries it.
impl From<datafusion::error::DataFusionError> for TransformError {
    fn from(error: datafusion::error::DataFusionError) -> Self {
        TransformError::DataFusion(Box::new(error))
    }
}
