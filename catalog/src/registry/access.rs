//! paylake's record of who read what: every local query, allowed or refused.

use arrow::datatypes::{DataType, Field};

use super::{date, integer, schema_of, text, text_list, timestamp, TableDef, Zone};

pub(super) fn access_tables() -> Vec<TableDef> {
    let required = |name: &str| Field::new(name, DataType::Utf8, false);
    vec![TableDef {
        zone: Zone::System,
        name: "query_audit",
        schema: schema_of([
            required("query_id"),
            timestamp("started_at"),
            integer("duration_ms"),
            required("user_name"),
            required("role"),
            text("access_version"),
            required("query_text"),
            text_list("tables_read"),
            text_list("columns_masked"),
            required("outcome"),
            text("message"),
            integer("rows_returned"),
            date("query_date"),
        ]),
        key: vec!["query_id"],
        partition_by: vec!["query_date"],
        month_of: None,
        personal_data: vec![],
        owner: "data-platform",
        description: "Every query run with `paylake sql`: who, in which role, the query text, \
                      the tables it read, the personal-data columns masked, whether it ran, \
                      was refused (and why) or failed, and the rows it returned.",
        full_snapshot: false,
    }]
}
