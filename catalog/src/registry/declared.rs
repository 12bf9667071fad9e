//! Tables declared beside the SQL that writes them: each `tables.toml` under `sql/` (as
//! `sql/transforms/aml/tables.toml`) lists the tables of its folder's stage, as dbt declares a
//! model's columns beside the model. The registry takes them in, so a gold table's schema
//! changes in its stage's folder, not in the catalog.

use arrow::datatypes::{DataType, Field};
use serde::Deserialize;

use super::{
    boolean, cost, date, integer, money, rate, schema_of, text, text_list, timestamp, TableDef,
    Zone,
};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TablesFile {
    table: Vec<DeclaredTable>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DeclaredTable {
    name: String,
    #[serde(default = "gold")]
    zone: String,
    owner: String,
    description: String,
    key: Vec<String>,
    #[serde(default)]
    partition_by: Vec<String>,
    #[serde(default)]
    personal_data: Vec<String>,
    /// `name type [not null]`, in the table's column order.
    columns: Vec<String>,
}

fn gold() -> String {
    "gold".to_string()
}

/// Every table of the compiled-in `tables.toml` files, in the order of their paths.
///
/// The files are part of the build, like the SQL beside them; one that does not describe its
/// tables is a defect of the build, found by the registry's tests, so it panics naming the file.
pub(super) fn declared_tables() -> Vec<TableDef> {
    crate::sql::COMPILED_TABLE_FILES
        .iter()
        .flat_map(|(path, text)| {
            parse_tables_file(text).unwrap_or_else(|reason| panic!("sql/{path}: {reason}"))
        })
        .collect()
}

fn parse_tables_file(text: &str) -> Result<Vec<TableDef>, String> {
    let file: TablesFile = toml::from_str(text).map_err(|err| err.to_string())?;
    file.table.into_iter().map(table_def).collect()
}

fn table_def(table: DeclaredTable) -> Result<TableDef, String> {
    let zone = match table.zone.as_str() {
        "gold" => Zone::Gold,
        "silver" => Zone::Silver,
        "system" => Zone::System,
        "decisions" => Zone::Decisions,
        other => return Err(format!("table {}: unknown zone '{other}'", table.name)),
    };
    let columns = table
        .columns
        .iter()
        .map(|column| {
            parse_column(column).map_err(|reason| format!("table {}: {reason}", table.name))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(TableDef {
        zone,
        name: leak(table.name),
        schema: schema_of(columns),
        key: table.key.into_iter().map(leak).collect(),
        partition_by: table.partition_by.into_iter().map(leak).collect(),
        month_of: None,
        personal_data: table.personal_data.into_iter().map(leak).collect(),
        owner: leak(table.owner),
        description: leak(table.description.trim().to_string()),
        full_snapshot: false,
    })
}

/// The registry is built once and lives as long as the process; its names are `'static` so
/// that every other table definition can be written as literals.
fn leak(text: String) -> &'static str {
    Box::leak(text.into_boxed_str())
}

/// `name type [not null]`.
fn parse_column(column: &str) -> Result<Field, String> {
    let mut words = column.split_whitespace();
    let (Some(name), Some(kind)) = (words.next(), words.next()) else {
        return Err(format!("column '{column}' is not `name type [not null]`"));
    };
    let rest: Vec<&str> = words.collect();
    let nullable = match rest.as_slice() {
        [] => true,
        ["not", "null"] => false,
        _ => {
            return Err(format!(
                "column '{column}' ends in neither its type nor `not null`"
            ))
        }
    };
    let field = match kind {
        "text" => text(name),
        "integer" => integer(name),
        "boolean" => boolean(name),
        "date" => date(name),
        "timestamp" => timestamp(name),
        "money" => money(name),
        "rate" => rate(name),
        "cost" => cost(name),
        "text_list" => text_list(name),
        decimal if decimal.starts_with("decimal(") => {
            Field::new(name, parse_decimal(decimal, column)?, true)
        }
        other => return Err(format!("column '{column}' has unknown type '{other}'")),
    };
    Ok(field.with_nullable(nullable))
}

/// `decimal(p,s)`.
fn parse_decimal(kind: &str, column: &str) -> Result<DataType, String> {
    let invalid = || format!("column '{column}': '{kind}' is not decimal(precision,scale)");
    let inner = kind
        .strip_prefix("decimal(")
        .and_then(|rest| rest.strip_suffix(')'))
        .ok_or_else(invalid)?;
    let (precision, scale) = inner.split_once(',').ok_or_else(invalid)?;
    let precision: u8 = precision.trim().parse().map_err(|_| invalid())?;
    let scale: i8 = scale.trim().parse().map_err(|_| invalid())?;
    Ok(DataType::Decimal128(precision, scale))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_read_as_their_types_and_nullability() {
        let tables = parse_tables_file(
            r#"
            [[table]]
            name = "t"
            owner = "finance"
            description = "d"
            key = ["id"]
            columns = ["id text not null", "amount money", "share decimal(18,2)", "ids text_list"]
            "#,
        )
        .unwrap();
        let schema = &tables[0].schema;
        assert_eq!(tables[0].zone, Zone::Gold);
        assert!(!schema.field_with_name("id").unwrap().is_nullable());
        assert_eq!(
            schema.field_with_name("amount").unwrap().data_type(),
            &DataType::Decimal128(18, 2)
        );
        assert_eq!(
            schema.field_with_name("share").unwrap().data_type(),
            &DataType::Decimal128(18, 2)
        );
        assert!(matches!(
            schema.field_with_name("ids").unwrap().data_type(),
            DataType::List(_)
        ));
    }

    #[test]
    fn a_bad_column_is_an_error_naming_the_table_and_the_column() {
        let error = parse_tables_file(
            r#"
            [[table]]
            name = "t"
            owner = "finance"
            description = "d"
            key = []
            columns = ["amount float"]
            "#,
        )
        .err()
        .unwrap();
        assert!(
            error.contains("table t") && error.contains("amount float"),
            "{error}"
        );
    }

    #[test]
    fn the_gold_tables_of_the_sql_folder_are_declared() {
        let names: Vec<&str> = declared_tables().iter().map(|table| table.name).collect();
        for expected in ["aml_alerts", "ctr_candidates", "recon_breaks", "cost_daily"] {
            assert!(
                names.contains(&expected),
                "{expected} missing from {names:?}"
            );
        }
    }
}
