//! Ingest: landing files in the formats real producers write → `bronze.*` (append-only, with
//! lineage) → `silver.*` (current state by MERGE), with every unreadable record in
//! `quarantine.*`.

pub mod bronze;
pub mod error;
pub mod history;
pub mod landing;
pub mod pii;
pub mod pipeline;
pub mod rows;
pub mod silver;
pub mod sources;

pub use error::{IngestError, Result};
pub use pipeline::{ingest_lake, ingest_lake_with, refresh_silver, IngestReport, SourceReport};
