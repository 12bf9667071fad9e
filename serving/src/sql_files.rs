//! The SQL that serves the lake, generated from the registry through the templates of
//! `sql/serving/`: Athena DDL and a latest-date view for every gold table, Redshift DDL with a
//! distribution and sort key per table, and the Redshift load (COPY into staging, MERGE into the
//! target). `paylake catalog sql-files` writes them under `sql/`; a test keeps the committed
//! files equal to what this module generates.

use paylake_catalog::sql::{self, TemplateValue};
use paylake_catalog::{registry, TableDef, Zone};

use crate::error::Result;
use crate::types::{glue_type, redshift_type};

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
pub fn athena_table_ddl(table: &TableDef, database: &str, lake_root: &str) -> Result<String> {
    render_file(
        "serving/athena_table.sql",
        table,
        vec![
            ("database", TemplateValue::from(database)),
            (
                "lake_root",
                TemplateValue::from(lake_root.trim_end_matches('/')),
            ),
        ],
    )
}

/// Athena's view of a gold table's latest business date, what most dashboards show.
pub fn athena_latest_view(table: &TableDef, database: &str) -> Result<String> {
    render_file(
        "serving/athena_latest_view.sql",
        table,
        vec![("database", TemplateValue::from(database))],
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
pub fn redshift_table_ddl(table: &TableDef) -> Result<String> {
    render_file("serving/redshift_table_file.sql", table, vec![])
}

/// The `CREATE TABLE IF NOT EXISTS` of a gold table: its columns, a distribution key, and the
/// sort key.
pub fn redshift_create_table(table: &TableDef) -> Result<String> {
    render_table("serving/redshift_table.sql", table, vec![])
}

/// The schemas the warehouse holds.
pub fn redshift_create_schemas() -> Result<Vec<String>> {
    Ok(vec![sql::statement("serving/redshift_schemas.sql")?])
}

/// The statements that load one business date of a gold table, run as one transaction
/// (`sql/serving/redshift_load.sql`): the files' staging table, COPY, the staging table with the
/// date, MERGE, and the delete of rows the lake no longer holds.
pub fn redshift_load_statements(
    table: &TableDef,
    manifest_url: &str,
    iam_role: &str,
    business_date: &str,
) -> Result<Vec<String>> {
    debug_assert_eq!(
        table.partition_by,
        ["business_date"],
        "gold is loaded by business date"
    );
    let rendered = render_table(
        "serving/redshift_load.sql",
        table,
        load_parameters(manifest_url, iam_role, business_date),
    )?;
    // The file ends each statement with `;` at a line's end; its values are identifiers from
    // the registry, a URL, an ARN and a date, none of which holds one.
    let statements: Vec<String> = rendered
        .trim_end()
        .trim_end_matches(';')
        .split(";\n")
        .map(str::to_string)
        .collect();
    debug_assert!(statements
        .iter()
        .all(|statement| !statement.trim().is_empty()));
    Ok(statements)
}

fn load_parameters<'a>(
    manifest_url: &str,
    iam_role: &str,
    business_date: &str,
) -> Vec<(&'a str, TemplateValue)> {
    vec![
        ("manifest_url", TemplateValue::from(manifest_url)),
        ("iam_role", TemplateValue::from(iam_role)),
        ("business_date", TemplateValue::from(business_date)),
    ]
}

/// A served table as the templates under `sql/serving/` see it: its names from the registry,
/// the types each engine gives its columns, and the columns the load matches and updates.
fn table_value(table: &TableDef) -> TemplateValue {
    let columns: Vec<TemplateValue> = table
        .schema
        .fields()
        .iter()
        .map(|field| {
            record(vec![
                ("name", TemplateValue::from(field.name().as_str())),
                (
                    "glue_type",
                    TemplateValue::from(glue_type(field.data_type())),
                ),
                (
                    "redshift_type",
                    TemplateValue::from(redshift_type(field.data_type())),
                ),
                ("not_null", TemplateValue::from(!field.is_nullable())),
            ])
        })
        .collect();
    let file_columns: Vec<TemplateValue> = table
        .schema
        .fields()
        .iter()
        .zip(&columns)
        .filter(|(field, _)| !table.partition_by.contains(&field.name().as_str()))
        .map(|(_, column)| column.clone())
        .collect();
    let column_names: Vec<&str> = table
        .schema
        .fields()
        .iter()
        .map(|field| field.name().as_str())
        .collect();
    let mut match_columns: Vec<&str> = table.key.clone();
    if !match_columns.contains(&"business_date") {
        match_columns.push("business_date");
    }
    let update_columns: Vec<&str> = column_names
        .iter()
        .copied()
        .filter(|column| !match_columns.contains(column))
        .collect();
    let nested = table
        .schema
        .fields()
        .iter()
        .any(|field| redshift_type(field.data_type()) == "SUPER");
    record(vec![
        (
            "qualified_name",
            TemplateValue::from(table.qualified_name()),
        ),
        ("name", TemplateValue::from(table.name)),
        ("zone", TemplateValue::from(table.zone.as_str())),
        (
            "description",
            TemplateValue::from(
                table
                    .description
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
        ),
        ("owner", TemplateValue::from(table.owner)),
        ("key", list(&table.key)),
        ("personal_data", list(&table.personal_data)),
        ("columns", TemplateValue::from(columns)),
        ("file_columns", TemplateValue::from(file_columns)),
        ("column_names", list(&column_names)),
        ("match_columns", list(&match_columns)),
        ("update_columns", list(&update_columns)),
        ("nested", TemplateValue::from(nested)),
        (
            "distribution_key",
            TemplateValue::from(distribution_key(table)),
        ),
        ("sort_key", list(&sort_key(table))),
    ])
}

fn list(names: &[&str]) -> TemplateValue {
    names.iter().copied().collect()
}

fn record(fields: Vec<(&str, TemplateValue)>) -> TemplateValue {
    TemplateValue::from_pairs(
        fields
            .into_iter()
            .map(|(name, value)| (name.to_string(), value)),
    )
}

/// A template of `sql/serving/` rendered for `table` with `parameters`.
fn render_table(
    path: &str,
    table: &TableDef,
    mut parameters: Vec<(&str, TemplateValue)>,
) -> Result<String> {
    parameters.push(("table", table_value(table)));
    Ok(sql::render_values(path, &parameters)?)
}

/// A whole generated file: the template's text and the line end the template engine takes
/// from a file's last line.
fn render_file(
    path: &str,
    table: &TableDef,
    parameters: Vec<(&str, TemplateValue)>,
) -> Result<String> {
    Ok(render_table(path, table, parameters)? + "\n")
}

/// Every generated SQL file, as (path under `sql/`, text).
pub fn sql_files(database_of: impl Fn(&str) -> String) -> Result<Vec<(String, String)>> {
    let mut files = Vec::new();
    let mut schemas = String::from(
        "-- The Redshift schemas paylake loads; generated by `paylake catalog sql-files`.\n",
    );
    for statement in redshift_create_schemas()? {
        schemas.push_str(&format!("{statement};\n"));
    }
    files.push(("redshift/schemas.sql".to_string(), schemas));
    for table in served_tables() {
        let database = database_of(table.zone.as_str());
        files.push((
            format!("athena/tables/{}.sql", table.qualified_name()),
            athena_table_ddl(table, &database, LAKE_PLACEHOLDER)?,
        ));
        files.push((
            format!("athena/views/{}_latest.sql", table.qualified_name()),
            athena_latest_view(table, &database)?,
        ));
        files.push((
            format!("redshift/tables/{}.sql", table.qualified_name()),
            redshift_table_ddl(table)?,
        ));
        files.push((
            format!("redshift/load/{}.sql", table.qualified_name()),
            render_file(
                "serving/redshift_load_file.sql",
                table,
                load_parameters(
                    MANIFEST_PLACEHOLDER,
                    IAM_ROLE_PLACEHOLDER,
                    BUSINESS_DATE_PLACEHOLDER,
                ),
            )?,
        ));
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alerts_are_distributed_by_customer_and_sorted_by_date() {
        let alerts = registry().find("gold.aml_alerts").unwrap();
        assert_eq!(distribution_key(alerts), Some("customer_id"));
        assert_eq!(sort_key(alerts)[0], "business_date");
        let ddl = redshift_table_ddl(alerts).unwrap();
        assert!(ddl.contains("DISTKEY (customer_id)"), "{ddl}");
    }

    #[test]
    fn the_load_stages_the_files_without_the_partition_column_and_merges_on_the_key() {
        let candidates = registry().find("gold.ctr_candidates").unwrap();
        let statements =
            redshift_load_statements(candidates, "s3://b/m.manifest", "arn:role", "2026-03-02")
                .unwrap();
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
