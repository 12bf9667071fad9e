//! Reading query results that every stage needs.

use arrow::record_batch::RecordBatch;

use crate::error::Result;

/// How many rows of a job's output hold each value of a text column (statuses, categories).
pub fn count_values(
    batches: &[RecordBatch],
    column: &str,
) -> Result<std::collections::BTreeMap<String, u64>> {
    use arrow::array::AsArray;
    let mut counts = std::collections::BTreeMap::new();
    for batch in batches {
        let Some(values) = batch.column_by_name(column) else {
            continue;
        };
        let values = arrow::compute::cast(values, &arrow::datatypes::DataType::Utf8)?;
        for value in values.as_string::<i32>().iter().flatten() {
            *counts.entry(value.to_string()).or_default() += 1;
        }
    }
    Ok(counts)
}

/// A column as text, whichever string type the engine produced it in (`Utf8View` from Parquet
/// scans, `Utf8` from literals), or the display text of another type.
pub fn as_text(column: &arrow::array::ArrayRef) -> Result<arrow::array::StringArray> {
    use arrow::array::AsArray;
    let text = arrow::compute::cast(column, &arrow::datatypes::DataType::Utf8)?;
    Ok(text.as_string::<i32>().clone())
}
