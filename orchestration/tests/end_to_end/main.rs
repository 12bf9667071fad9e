//! paylake end to end: each module drives the `paylake` binary over lakes it builds in a
//! temporary folder (some on moto's S3, PostgreSQL or Ballista started on free ports).
//!
//! One test binary rather than one per module: it is linked once, and the test harness runs
//! its tests side by side (one per core), where separate binaries would run one after another.

#[path = "../../../ingest/tests/integration/support/moto.rs"]
#[allow(dead_code)] // shared with the ingest tests, which use all of it
mod moto;
mod support;

mod aml_detection;
mod analyst_access;
mod asset_graph;
mod ballista_engine;
mod bench_year;
mod case_work;
mod command_line;
mod crash_recovery;
mod demo_end_to_end;
mod erasure;
mod finance;
mod regulatory_exports;
mod rules_that_learn;
mod s3_lake;
mod sanctions_lists;
mod table_maintenance;
