//! Reading a lake back in tests.

use arrow::array::AsArray;
use paylake_catalog::{lake_session, Lake};

/// The rows of a query over the lake, each as its values' text joined by `separator`
/// (`null` for a null).
pub async fn rows_joined(lake: &Lake, query: &str, separator: &str) -> Vec<String> {
    let context = lake_session(lake).await.unwrap();
    let batches = context.sql(query).await.unwrap().collect().await.unwrap();
    let mut rows = Vec::new();
    for batch in batches {
        // DataFusion may hand strings back as Utf8View: text is compared as Utf8.
        let columns: Vec<_> = batch
            .columns()
            .iter()
            .map(|column| arrow::compute::cast(column, &arrow::datatypes::DataType::Utf8).unwrap())
            .collect();
        for row in 0..batch.num_rows() {
            let values: Vec<String> = columns
                .iter()
                .map(|column| {
                    if column.is_null(row) {
                        "null".to_string()
                    } else {
                        column.as_string::<i32>().value(row).to_string()
                    }
                })
                .collect();
            rows.push(values.join(separator));
        }
    }
    rows
}

/// [`rows_joined`] with values separated by a space.
pub async fn rows(lake: &Lake, query: &str) -> Vec<String> {
    rows_joined(lake, query, " ").await
}
