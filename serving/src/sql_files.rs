//! The SQL that serves the lake, generated from the registry: Athena DDL and a latest-date view
//! for every gold table, Redshift DDL with a distribution and sort key per table, and the Redshift load (COPY
//! into staging, MERGE into the target). `paylake catalog sql-files` writes them under `sql/`;
//! a test keeps the committed files equal to what this module generates.

use paylake_catalog::{registry, TableDef, Zone};

use crate::types::redshift_type;

/// Placeholders of the committed files, filled in when the SQL runs.
pub const LAKE_PLACEHOLDER: &str = "${lake}";
pub const MANIFEST_PLACEHOLDER: &str = "${manifest}";
pub const IAM_ROLE_PLACEHOLDER: &str = "${iam_role}";
pub const BUSINESS_DATE_PLACEHOLDER: &str = "${business_date}";

/// Columns that spread rows of a table evenly over Redshift slices and co-locate the joins
/// analysts make, in order of preference.
const DISTRIBUTION_KEYS: [&str; 4] = ["customer_id", "account_id", "payment_id", "service"];

/// Whether a table is served by business date: the gold tables, loaded into Redshift and
/// catalogued as Parquet partitions one date at a time.
pub fn is_served(table: &TableDef) -> bool {
    table.zone == Zone::Gold && table.partition_by == ["business_date"]
}

/// The tables served by business date.
pub fn served_tables() -> Vec<&'static TableDef> {
    registry()
        .tables()
        .iter()
        .filter(|t| is_served(t))
        .collect()
}

/// Athena's DDL of a Delta table: Athena reads the columns and partitions from the log.
pub fn athena_table_ddl(table: &TableDef, database: &str, lake_root: &str) -> String {
    let mut sql = header(table);
    sql.push_str("-- Athena reads the columns and the partitions from the Delta log:\n");
    for field in table.schema.fields() {
        sql.push_str(&format!(
            "--   {} {}\n",
            field.name(),
            crate::types::glue_type(field.data_type())
        ));
    }
    sql.push_str(&format!(
        "CREATE EXTERNAL TABLE {database}.{name}\nLOCATION '{root}/{zone}/{name}/'\nTBLPROPERTIES ('table_type' = 'DELTA');\n",
        name = table.name,
        root = lake_root.trim_end_matches('/'),
        zone = table.zone.as_str(),
    ));
    sql
}

/// Athena's view of a gold table's latest business date, what most dashboards show.
pub fn athena_latest_view(table: &TableDef, database: &str) -> String {
    let mut sql = header(table);
    sql.push_str(&format!(
        "-- The rows of the latest business date the table holds.\nCREATE OR REPLACE VIEW {database}.{name}_latest AS\nSELECT *\nFROM {database}.{name}\nWHERE business_date = (SELECT max(business_date) FROM {database}.{name});\n",
        name = table.name
    ));
    sql
}

fn header(table: &TableDef) -> String {
    let personal = if table.personal_data.is_empty() {
        "none".to_string()
    } else {
        table.personal_data.join(", ")
    };
    format!(
        "-- {}: {}\n-- Owner: {}. Key: {}. Personal data: {personal}.\n-- Generated from the table registry by `paylake catalog sql-files`; do not edit.\n",
        table.qualified_name(),
        table.description.split_whitespace().collect::<Vec<_>>().join(" "),
        table.owner,
        table.key.join(", "),
    )
}

/// The distribution key of a table in Redshift, when one of its columns makes a good one.
pub fn distribution_key(table: &TableDef) -> Option<&'static str> {
    DISTRIBUTION_KEYS
        .into_iter()
        .find(|key| table.schema.field_with_name(key).is_ok())
}

/// The sort key: the business date first (loads and most queries filter on it), then the
/// table's key.
pub fn sort_key(table: &TableDef) -> Vec<&'static str> {
    let mut columns: Vec<&'static str> = table.partition_by.clone();
    for column in &table.key {
        if !columns.contains(column) && columns.len() < 3 {
            columns.push(column);
        }
    }
    columns
}

/// Redshift's DDL of a gold table, as committed under `sql/redshift/tables/`.
pub fn redshift_table_ddl(table: &TableDef) -> String {
    format!("{}{};\n", header(table), redshift_create_table(table))
}

/// The `CREATE TABLE IF NOT EXISTS` of a gold table: its columns, a distribution key, and the
/// sort key.
pub fn redshift_create_table(table: &TableDef) -> String {
    let columns: Vec<String> = table
        .schema
        .fields()
        .iter()
        .map(|field| {
            let not_null = if field.is_nullable() { "" } else { " NOT NULL" };
            format!(
                "  {} {}{not_null}",
                field.name(),
                redshift_type(field.data_type())
            )
        })
        .collect();
    let distribution = match distribution_key(table) {
        Some(key) => format!("DISTSTYLE KEY\nDISTKEY ({key})"),
        None => "DISTSTYLE EVEN".to_string(),
    };
    format!(
        "CREATE TABLE IF NOT EXISTS {} (\n{}\n)\n{distribution}\nCOMPOUND SORTKEY ({})",
        table.qualified_name(),
        columns.join(",\n"),
        sort_key(table).join(", ")
    )
}

/// The schemas the warehouse holds.
pub fn redshift_create_schemas() -> Vec<String> {
    vec!["CREATE SCHEMA IF NOT EXISTS gold".to_string()]
}

/// The statements that load one business date of a gold table, run as one transaction: COPY
/// the date's live Parquet files (listed in a manifest) into staging, then MERGE into the
/// target and delete the date's rows the lake no longer holds. The files carry no partition
/// column (Delta keeps it in the path), so staging adds it.
pub fn redshift_load_statements(
    table: &TableDef,
    manifest_url: &str,
    iam_role: &str,
    business_date: &str,
) -> Vec<String> {
    debug_assert_eq!(
        table.partition_by,
        ["business_date"],
        "gold is loaded by business date"
    );
    let target = table.qualified_name();
    let files_stage = format!("stage_files_{}", table.name);
    let stage = format!("stage_{}", table.name);
    let file_columns: Vec<String> = table
        .schema
        .fields()
        .iter()
        .filter(|field| !table.partition_by.contains(&field.name().as_str()))
        .map(|field| format!("  {} {}", field.name(), redshift_type(field.data_type())))
        .collect();
    let nested = table
        .schema
        .fields()
        .iter()
        .any(|field| redshift_type(field.data_type()) == "SUPER");
    let serialize = if nested { " SERIALIZETOJSON" } else { "" };
    let columns: Vec<&str> = table
        .schema
        .fields()
        .iter()
        .map(|f| f.name().as_str())
        .collect();
    let mut match_columns: Vec<&str> = table.key.clone();
    if !match_columns.contains(&"business_date") {
        match_columns.push("business_date");
    }
    let on = match_columns
        .iter()
        .map(|column| format!("t.{column} = s.{column}"))
        .collect::<Vec<_>>()
        .join(" AND ");
    let updates = columns
        .iter()
        .filter(|column| !match_columns.contains(column))
        .map(|column| format!("{column} = s.{column}"))
        .collect::<Vec<_>>()
        .join(", ");
    let values = columns
        .iter()
        .map(|column| format!("s.{column}"))
        .collect::<Vec<_>>()
        .join(", ");
    let gone = match_columns
        .iter()
        .map(|column| format!("s.{column} = {target}.{column}"))
        .collect::<Vec<_>>()
        .join(" AND ");
    vec![
        format!("CREATE TEMP TABLE {files_stage} (\n{}\n)", file_columns.join(",\n")),
        format!(
            "COPY {files_stage} FROM '{manifest_url}' IAM_ROLE '{iam_role}' FORMAT AS PARQUET{serialize} MANIFEST"
        ),
        format!(
            "CREATE TEMP TABLE {stage} AS SELECT *, CAST('{business_date}' AS DATE) AS business_date FROM {files_stage}"
        ),
        format!(
            "MERGE INTO {target} AS t USING {stage} AS s ON {on}\nWHEN MATCHED THEN UPDATE SET {updates}\nWHEN NOT MATCHED THEN INSERT ({}) VALUES ({values})",
            columns.join(", ")
        ),
        format!(
            "DELETE FROM {target} WHERE business_date = CAST('{business_date}' AS DATE) AND NOT EXISTS (SELECT 1 FROM {stage} AS s WHERE {gone})"
        ),
    ]
}

/// Every generated SQL file, as (path under `sql/`, text).
pub fn sql_files(database_of: impl Fn(&str) -> String) -> Vec<(String, String)> {
    let mut files = Vec::new();
    let mut schemas = String::from(
        "-- The Redshift schemas paylake loads; generated by `paylake catalog sql-files`.\n",
    );
    for statement in redshift_create_schemas() {
        schemas.push_str(&format!("{statement};\n"));
    }
    files.push(("redshift/schemas.sql".to_string(), schemas));
    for table in served_tables() {
        files.push((
            format!("athena/tables/{}.sql", table.qualified_name()),
            athena_table_ddl(table, &database_of(table.zone.as_str()), LAKE_PLACEHOLDER),
        ));
        files.push((
            format!("athena/views/{}_latest.sql", table.qualified_name()),
            athena_latest_view(table, &database_of(table.zone.as_str())),
        ));
        files.push((
            format!("redshift/tables/{}.sql", table.qualified_name()),
            redshift_table_ddl(table),
        ));
        let mut load = header(table).replace(
            "-- Generated",
            "-- Loads one business date, as one transaction (BatchExecuteStatement).\n-- Generated",
        );
        for statement in redshift_load_statements(
            table,
            MANIFEST_PLACEHOLDER,
            IAM_ROLE_PLACEHOLDER,
            BUSINESS_DATE_PLACEHOLDER,
        ) {
            load.push_str(&statement);
            load.push_str(";\n");
        }
        files.push((
            format!("redshift/load/{}.sql", table.qualified_name()),
            load,
        ));
    }
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alerts_are_distributed_by_customer_and_sorted_by_date() {
        let alerts = registry().find("gold.aml_alerts").unwrap();
        assert_eq!(distribution_key(alerts), Some("customer_id"));
        assert_eq!(sort_key(alerts)[0], "business_date");
        let ddl = redshift_table_ddl(alerts);
        assert!(ddl.contains("DISTKEY (customer_id)"), "{ddl}");
    }

    #[test]
    fn the_load_stages_the_files_without_the_partition_column_and_merges_on_the_key() {
        let candidates = registry().find("gold.ctr_candidates").unwrap();
        let statements =
            redshift_load_statements(candidates, "s3://b/m.manifest", "arn:role", "2026-03-02");
        assert_eq!(statements.len(), 5);
        assert!(!statements[0].contains("business_date"));
        assert!(
            statements[1].contains("FROM 's3://b/m.manifest'")
                && statements[1].ends_with("MANIFEST")
        );
        assert!(statements[3].starts_with("MERGE INTO gold.ctr_candidates AS t"));
        assert!(statements[4].contains("NOT EXISTS"));
    }
}
