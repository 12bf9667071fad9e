//! Printing query results as a table, CSV or JSON.

use arrow::record_batch::RecordBatch;

use crate::cli::OutputFormat;
use crate::error::Result;

pub fn format_batches(batches: &[RecordBatch], format: OutputFormat) -> Result<String> {
    let text = match format {
        OutputFormat::Table => arrow::util::pretty::pretty_format_batches(batches)?.to_string() + "\n",
        OutputFormat::Csv => {
            let mut buffer = Vec::new();
            {
                let mut writer = arrow::csv::WriterBuilder::new()
                    .with_header(true)
                    .build(&mut buffer);
                for batch in batches {
                    writer.write(batch)?;
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
