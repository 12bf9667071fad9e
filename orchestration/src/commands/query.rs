//! `paylake sql` and `paylake tables`.

use std::sync::Arc;

use arrow::array::{ArrayRef, Int64Array, StringArray};
use arrow::datatypes::{DataType, Field, Schema};
use arrow::record_batch::RecordBatch;
use datafusion::prelude::SessionContext;
use paylake_catalog::{lake_session, registry, Lake};

use crate::cli::OutputFormat;
use crate::error::Result;
use crate::output::format_batches;

pub async fn sql(lake: &Lake, query: &str, format: OutputFormat) -> Result<()> {
    let context = lake_session(lake).await?;
    let frame = context.sql(query).await?;
    let schema = Arc::new(frame.schema().as_arrow().clone());
    let mut batches = frame.collect().await?;
    // An empty result still shows its columns.
    if batches.is_empty() {
        batches.push(RecordBatch::new_empty(schema));
    }
    print!("{}", format_batches(&batches, format)?);
    Ok(())
}

/// Row count of every table of the registry; a table not created yet counts 0.
pub async fn table_row_counts(context: &SessionContext) -> Result<Vec<(String, i64)>> {
    let mut counts = Vec::new();
    for table in registry().tables() {
        let name = table.qualified_name();
        let batches = context
            .sql(&format!("SELECT count(*) FROM {name}"))
            .await?
            .collect()
            .await?;
        let rows = batches
            .first()
            .and_then(|batch| batch.column(0).as_any().downcast_ref::<Int64Array>())
            .map_or(0, |counts| counts.value(0));
        counts.push((name, rows));
    }
    Ok(counts)
}

pub async fn tables(lake: &Lake, format: OutputFormat) -> Result<()> {
    let context = lake_session(lake).await?;
    let counts = table_row_counts(&context).await?;
    let descriptions: Vec<&str> = registry()
        .tables()
        .iter()
        .map(|table| table.description)
        .collect();
    let schema = Arc::new(Schema::new(vec![
        Field::new("table", DataType::Utf8, false),
        Field::new("rows", DataType::Int64, false),
        Field::new("description", DataType::Utf8, false),
    ]));
    let columns: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from_iter_values(
            counts.iter().map(|(name, _)| name.as_str()),
        )),
        Arc::new(Int64Array::from_iter_values(
            counts.iter().map(|(_, rows)| *rows),
        )),
        Arc::new(StringArray::from_iter_values(descriptions)),
    ];
    let batch = RecordBatch::try_new(schema, columns)?;
    print!("{}", format_batches(&[batch], format)?);
    Ok(())
}
