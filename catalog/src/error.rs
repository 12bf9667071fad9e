use std::path::PathBuf;

/// Errors of the catalog: lake locations, table definitions and Delta/DataFusion access.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("invalid lake location '{location}': {reason}")]
    InvalidLakeLocation { location: String, reason: String },

    /// A command that reads a lake was pointed at a place that holds none.
    #[error(
        "no lake at '{0}': make one with `paylake demo --lake {0}`, or deliver files with \
         `paylake simulate --lake {0}` and take them with `paylake ingest --lake {0}`"
    )]
    NoLake(String),

    #[error("unknown table '{0}' (see `paylake tables` for the registry)")]
    UnknownTable(String),

    #[error("io error on '{path}': {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("delta error on table '{table}': {source}")]
    Delta {
        table: String,
        // Boxed: the delta-rs and DataFusion errors are large, and every Result carries them.
        #[source]
        source: Box<deltalake::DeltaTableError>,
    },

    #[error("object store error on '{location}': {source}")]
    ObjectStore {
        location: String,
        #[source]
        source: Box<deltalake::ObjectStoreError>,
    },

    #[error("parquet error on '{location}': {source}")]
    Parquet {
        location: String,
        #[source]
        source: Box<datafusion::parquet::errors::ParquetError>,
    },

    /// A query or a look at a case could not be audited, so it is not shown.
    #[error("the access could not be audited: {0}")]
    AuditNotRecorded(String),

    #[error("invalid access settings in {origin}: {reason}")]
    AccessSettings { origin: String, reason: String },

    #[error("unknown role '{role}' (roles: {known})")]
    UnknownRole { role: String, known: String },

    /// A query the role may not run; the reason names the table or column and why.
    #[error("refused for role '{role}': {reason}")]
    Refused { role: String, reason: String },

    /// The publication gate found the rows failing a check; the partition was not replaced.
    #[error("{table} of {business_date} not published: {reason}")]
    PublicationRefused {
        table: String,
        business_date: chrono::NaiveDate,
        reason: String,
    },

    #[error("unknown sql file 'sql/{0}'")]
    UnknownSqlFile(String),

    #[error("sql template 'sql/{file}': {reason}")]
    SqlTemplate { file: String, reason: String },

    #[error(transparent)]
    DataFusion(Box<datafusion::error::DataFusionError>),

    #[error(transparent)]
    Arrow(#[from] arrow::error::ArrowError),
}

pub type Result<T, E = CatalogError> = std::result::Result<T, E>;

impl CatalogError {
    /// Whether a commit lost a race with another writer's commit (a retry may succeed).
    pub fn is_commit_conflict(&self) -> bool {
        use deltalake::kernel::transaction::TransactionError;
        use deltalake::DeltaTableError;
        let CatalogError::Delta { source, .. } = self else {
            return false;
        };
        matches!(
            source.as_ref(),
            DeltaTableError::VersionAlreadyExists(_)
                | DeltaTableError::Transaction {
                    source: TransactionError::CommitConflict(_)
                        | TransactionError::MaxCommitAttempts(_)
                        | TransactionError::VersionAlreadyExists(_)
                }
        )
    }

    pub fn delta(table: impl Into<String>, source: deltalake::DeltaTableError) -> Self {
        CatalogError::Delta {
            table: table.into(),
            source: Box::new(source),
        }
    }
}

impl From<datafusion::error::DataFusionError> for CatalogError {
    fn from(error: datafusion::error::DataFusionError) -> Self {
        CatalogError::DataFusion(Box::new(error))
    }
}
