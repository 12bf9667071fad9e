//! Ingest's integration tests: each module lands files or streams (some through moto's server
//! or a PostgreSQL started on a free port) and reads the lake back.
//!
//! One test binary rather than one per module: it is linked once, and the test harness runs
//! its tests side by side (one per core), where separate binaries would run one after another.

mod support;

mod aws_streams;
mod comprehend_pii;
mod file_sources;
mod free_text_pii;
mod history;
mod postgres_replication;
mod quarantine;
mod schema_evolution;
mod silver_merge;
