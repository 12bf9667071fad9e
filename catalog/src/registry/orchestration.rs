//! paylake's record of its own runs: every materialisation of an asset and every quality check.

use arrow::datatypes::{DataType, Field};

use super::{boolean, date, integer, schema_of, text, timestamp, TableDef, Zone};

pub(super) fn orchestration_tables() -> Vec<TableDef> {
    let required = |name: &str| Field::new(name, DataType::Utf8, false);
    vec![
        TableDef {
            zone: Zone::System,
            name: "asset_runs",
            schema: schema_of([
                required("materialization_id"),
                required("run_id"),
                required("asset"),
                required("step"),
                date("business_date"),
                required("status"),
                integer("attempts"),
                timestamp("started_at"),
                timestamp("finished_at"),
                integer("duration_ms"),
                integer("rows_written"),
                text("versions_read"),
                text("versions_written"),
                text("data_version"),
                text("code_version"),
                text("engine"),
                text("error"),
                date("run_date"),
            ]),
            key: vec!["materialization_id"],
            partition_by: vec!["run_date"],
            personal_data: vec![],
            owner: "data-platform",
            description: "One row per asset and business date each `paylake run` or `backfill` \
                          touched: succeeded, failed (after retries), blocked by a failed \
                          upstream or check, or fresh (skipped); the Delta versions read and \
                          written (JSON, zone.table to version), rows, duration, the data \
                          version the inputs gave, and the error.",
            full_snapshot: false,
        },
        TableDef {
            zone: Zone::System,
            name: "asset_checks",
            schema: schema_of([
                required("check_id"),
                required("run_id"),
                required("asset"),
                required("check_name"),
                date("business_date"),
                required("severity"),
                boolean("passed"),
                integer("failing_rows"),
                text("message"),
                timestamp("checked_at"),
                date("run_date"),
            ]),
            key: vec!["check_id"],
            partition_by: vec!["run_date"],
            personal_data: vec![],
            owner: "data-platform",
            description: "Every quality check of a run: unique keys, not null, counts \
                          reconciled between zones, ledger balanced. A failed check of \
                          severity error stops the gold write it audits, or the steps \
                          downstream of the silver table it audits.",
            full_snapshot: false,
        },
    ]
}
