//! Names of the lineage columns every bronze and silver row carries.
//!
//! They let each silver row, gold row and alert be traced back to the landing record it came from.

/// Change operation: `I` insert, `U` update (after-image), `D` delete (before-image).
pub const OP: &str = "_op";
/// A string that sorts in source order (commit time, file, row; or stream sequence number).
pub const SOURCE_ORDER: &str = "_source_order";
/// Commit time of the change in the source system, UTC.
pub const SOURCE_COMMIT_TIME: &str = "_source_commit_time";
/// Landing file (relative to `landing/`) the record was read from.
pub const SOURCE_FILE: &str = "_source_file";
/// Row, line or record number inside the landing file, starting at 1.
pub const SOURCE_POSITION: &str = "_source_position";
/// Id of the ingest run that took the record.
pub const INGEST_RUN: &str = "_ingest_run";
/// Time the ingest run took the record, UTC.
pub const INGEST_TIME: &str = "_ingest_time";
/// Bronze's partition: the first day of the month of `_ingest_time` (UTC). Bronze is
/// append-only, so a day's ingest adds files to the current month alone, and compacting it
/// rewrites only that month, however long the table grows.
pub const INGEST_MONTH: &str = "_ingest_month";
/// Silver's partition of an entity with an immutable creation time: the first day of that
/// time's month (UTC). A change meets its row in one month's partition, so a merge rewrites
/// the months a day's changes reach, not the whole table.
pub const CREATED_MONTH: &str = "_created_month";
