use std::path::{Path, PathBuf};

use paylake_ingest::error::IngestError;

/// Errors of the source simulator.
#[derive(Debug, thiserror::Error)]
pub enum SimulatorError {
    /// Writing a source file in its producer's format failed.
    #[error(transparent)]
    Ingest(#[from] IngestError),

    #[error("io error on '{path}': {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("reading the sanctions list: {0}")]
    Csv(#[from] csv::Error),

    #[error("invalid simulation settings: {0}")]
    InvalidSimulation(String),
}

pub type Result<T, E = SimulatorError> = std::result::Result<T, E>;

impl SimulatorError {
    pub fn io(path: &Path, source: std::io::Error) -> Self {
        SimulatorError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}
