use std::path::PathBuf;

/// Errors of serving the lake: the AWS calls, and what they were asked to do.
#[derive(Debug, thiserror::Error)]
pub enum ServingError {
    #[error(transparent)]
    Catalog(#[from] paylake_catalog::CatalogError),

    /// An AWS call failed; `operation` names the call and what it was for.
    #[error("{service} {operation}: {message}")]
    Aws {
        service: &'static str,
        operation: String,
        message: String,
    },

    #[error("{service} statement {statement_id} {state}: {reason}")]
    Statement {
        service: &'static str,
        statement_id: String,
        state: String,
        reason: String,
    },

    #[error("{service} statement {statement_id} still {state} after {seconds} s; it may still finish (see its id)")]
    Timeout {
        service: &'static str,
        statement_id: String,
        state: String,
        seconds: u64,
    },

    #[error("table {table}: {reason}")]
    Table { table: String, reason: String },

    #[error("io error on '{path}': {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

pub type Result<T, E = ServingError> = std::result::Result<T, E>;

impl ServingError {
    /// A request the SDK could not build (a required field missing).
    pub fn build(
        service: &'static str,
        operation: impl Into<String>,
        error: impl std::fmt::Display,
    ) -> Self {
        ServingError::Aws {
            service,
            operation: operation.into(),
            message: error.to_string(),
        }
    }

    /// An AWS SDK error, with its service's own message when it gave one.
    pub fn aws<E>(service: &'static str, operation: impl Into<String>, error: E) -> Self
    where
        E: std::error::Error + aws_sdk_glue::error::ProvideErrorMetadata,
    {
        let message = match (error.code(), error.message()) {
            (Some(code), Some(message)) => format!("{code}: {message}"),
            (Some(code), None) => code.to_string(),
            _ => aws_sdk_glue::error::DisplayErrorContext(&error).to_string(),
        };
        ServingError::Aws {
            service,
            operation: operation.into(),
            message,
        }
    }
}
