//! QuickSight over the gold tables: an Athena data source, and a direct-query dataset per gold
//! table, as the inputs of CreateDataSource and CreateDataSet. Personal-data columns are left
//! out of the datasets (dashboards are for analysts; see access.toml), and so are list
//! columns, which QuickSight does not read from Athena.

use arrow::datatypes::DataType;
use paylake_catalog::TableDef;
use serde_json::{json, Value};

pub const DATA_SOURCE_ID: &str = "paylake-athena";

/// CreateDataSource's input: Athena in the paylake workgroup.
pub fn data_source(account_id: &str, workgroup: &str) -> Value {
    json!({
        "AwsAccountId": account_id,
        "DataSourceId": DATA_SOURCE_ID,
        "Name": "paylake lake (Athena)",
        "Type": "ATHENA",
        "DataSourceParameters": { "AthenaParameters": { "WorkGroup": workgroup } },
        "SslProperties": { "DisableSsl": false },
        "Tags": [{ "Key": "project", "Value": "paylake" }]
    })
}

/// The QuickSight type of a column; `None` for what QuickSight cannot read.
fn column_type(data_type: &DataType) -> Option<(&'static str, Option<&'static str>)> {
    Some(match data_type {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => ("STRING", None),
        DataType::Boolean => ("BOOLEAN", None),
        DataType::Int8 | DataType::Int16 | DataType::Int32 | DataType::Int64 => ("INTEGER", None),
        // Money and rates are exact decimals: QuickSight's fixed-point decimal keeps them so.
        DataType::Decimal128(..) => ("DECIMAL", Some("FIXED")),
        DataType::Float32 | DataType::Float64 => ("DECIMAL", Some("FLOAT")),
        DataType::Date32 | DataType::Timestamp(..) => ("DATETIME", None),
        _ => return None,
    })
}

/// CreateDataSet's input for one gold table, read through `database` in Athena.
pub fn dataset(account_id: &str, region: &str, database: &str, table: &TableDef) -> Value {
    let columns: Vec<Value> = table
        .schema
        .fields()
        .iter()
        .filter(|field| !table.personal_data.contains(&field.name().as_str()))
        .filter_map(|field| {
            let (kind, sub_type) = column_type(field.data_type())?;
            let mut column = json!({ "Name": field.name(), "Type": kind });
            if let Some(sub_type) = sub_type {
                column["SubType"] = json!(sub_type);
            }
            Some(column)
        })
        .collect();
    let physical_id = format!("{}-athena", table.name);
    json!({
        "AwsAccountId": account_id,
        "DataSetId": format!("paylake-gold-{}", table.name.replace('_', "-")),
        "Name": format!("paylake {}", table.qualified_name()),
        "PhysicalTableMap": {
            physical_id.clone(): {
                "RelationalTable": {
                    "DataSourceArn": format!("arn:aws:quicksight:{region}:{account_id}:datasource/{DATA_SOURCE_ID}"),
                    "Catalog": "AwsDataCatalog",
                    "Schema": database,
                    "Name": table.name,
                    "InputColumns": columns
                }
            }
        },
        "LogicalTableMap": {
            physical_id.clone(): {
                "Alias": table.name,
                "Source": { "PhysicalTableId": physical_id }
            }
        },
        "ImportMode": "DIRECT_QUERY",
        "Tags": [{ "Key": "project", "Value": "paylake" }, { "Key": "owner", "Value": table.owner }]
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datasets_leave_out_personal_data_and_keep_money_exact() {
        let table = paylake_catalog::registry()
            .find("gold.ctr_candidates")
            .unwrap();
        let dataset = dataset("111122223333", "us-east-1", "gold", table);
        let physical = &dataset["PhysicalTableMap"]["ctr_candidates-athena"]["RelationalTable"];
        let columns = physical["InputColumns"].as_array().unwrap();
        let names: Vec<&str> = columns
            .iter()
            .map(|c| c["Name"].as_str().unwrap())
            .collect();
        assert!(names.contains(&"customer_id"));
        assert!(!names.contains(&"customer_name"), "{names:?}");
        let total = columns
            .iter()
            .find(|c| c["Name"] == "total_amount_usd")
            .unwrap();
        assert_eq!(
            (total["Type"].as_str(), total["SubType"].as_str()),
            (Some("DECIMAL"), Some("FIXED"))
        );
        assert_eq!(physical["Schema"], "gold");
    }
}
