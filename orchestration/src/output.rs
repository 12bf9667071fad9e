//! Printing query results as a table, CSV or JSON.

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, StringArray};
use arrow::datatypes::{DataType, Field, Schema};
use arrow::record_batch::RecordBatch;
use arrow::util::display::array_value_to_string;

use crate::cli::OutputFormat;
use crate::error::Result;

pub fn format_batches(batches: &[RecordBatch], format: OutputFormat) -> Result<String> {
    let text = match format {
        OutputFormat::Table => {
            arrow::util::pretty::pretty_format_batches(batches)?.to_string() + "\n"
        }
        OutputFormat::Csv => {
            let mut buffer = Vec::new();
            {
                let mut writer = arrow::csv::WriterBuilder::new()
                    .with_header(true)
                    .build(&mut buffer);
                for batch in batches {
                    writer.write(&nested_as_text(batch)?)?;
                }
            }
            String::from_utf8_lossy(&buffer).into_owned()
        }
        OutputFormat::Json => {
            let mut buffer = Vec::new();
            {
                let mut writer = arrow::json::ArrayWriter::new(&mut buffer);
                for batch in batches {
                    writer.write(batch)?;
                }
                writer.finish()?;
            }
            let mut text = String::from_utf8_lossy(&buffer).into_owned();
            if text.is_empty() {
                text.push_str("[]");
            }
            text + "\n"
        }
    };
    Ok(text)
}

/// CSV has no lists or structs: such columns are written as their display text, `[a, b]`.
fn nested_as_text(batch: &RecordBatch) -> Result<RecordBatch> {
    let mut fields = Vec::new();
    let mut columns: Vec<ArrayRef> = Vec::new();
    for (field, column) in batch.schema().fields().iter().zip(batch.columns()) {
        if !column.data_type().is_nested() {
            fields.push(field.as_ref().clone());
            columns.push(column.clone());
            continue;
        }
        let text = (0..column.len())
            .map(|row| {
                column
                    .is_valid(row)
                    .then(|| array_value_to_string(column, row))
                    .transpose()
            })
            .collect::<std::result::Result<StringArray, _>>()?;
        fields.push(Field::new(field.name(), DataType::Utf8, true));
        columns.push(Arc::new(text));
    }
    Ok(RecordBatch::try_new(
        Arc::new(Schema::new(fields)),
        columns,
    )?)
}
