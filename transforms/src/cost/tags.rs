//! `cost_tags`: the tags of the cost rows a job reads, one row per key and value. Tags arrive as
//! JSON object text (FOCUS `Tags`, CUR `resourceTags/*`); this engine build has no JSON
//! functions, so they are parsed here once per job.

use std::sync::Arc;

use arrow::array::{AsArray, StringBuilder};
use arrow::datatypes::{DataType, Field, Schema};
use arrow::record_batch::RecordBatch;
use datafusion::datasource::MemTable;
use datafusion::prelude::SessionContext;

use crate::error::Result;

pub const TAGS_TABLE: &str = "cost_tags";

/// The tagged lines, below `sql/`.
pub const TAGGED_LINES_SQL: &str = "transforms/cost/tagged_lines.sql";

/// Reads the tags of `cost_lines` and registers them as [`TAGS_TABLE`]. A tag value that is not
/// text (a number, true/false) is kept as its JSON text; text that is not a JSON object carries
/// no tags (ingest keeps the text as delivered). Returns the number of tags.
pub async fn register_cost_tags(context: &SessionContext) -> Result<usize> {
    let batches = context
        .sql(&paylake_catalog::sql::statement(TAGGED_LINES_SQL)?)
        .await?
        .collect()
        .await?;
    let (mut line_ids, mut keys, mut values) = (
        StringBuilder::new(),
        StringBuilder::new(),
        StringBuilder::new(),
    );
    let mut tags = 0;
    for batch in &batches {
        let line_column = arrow::compute::cast(batch.column(0), &DataType::Utf8)?;
        let tag_column = arrow::compute::cast(batch.column(1), &DataType::Utf8)?;
        for (line_id, text) in line_column
            .as_string::<i32>()
            .iter()
            .zip(tag_column.as_string::<i32>().iter())
        {
            let (Some(line_id), Some(text)) = (line_id, text) else {
                continue;
            };
            for (key, value) in parse_tags(text) {
                line_ids.append_value(line_id);
                keys.append_value(key);
                values.append_value(value);
                tags += 1;
            }
        }
    }
    let schema = Arc::new(Schema::new(vec![
        Field::new("line_id", DataType::Utf8, false),
        Field::new("tag_key", DataType::Utf8, false),
        Field::new("tag_value", DataType::Utf8, false),
    ]));
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![
            Arc::new(line_ids.finish()),
            Arc::new(keys.finish()),
            Arc::new(values.finish()),
        ],
    )?;
    context.deregister_table(TAGS_TABLE)?;
    context.register_table(
        TAGS_TABLE,
        Arc::new(MemTable::try_new(schema, vec![vec![batch]])?),
    )?;
    Ok(tags)
}

/// The key/value pairs of a JSON object's text.
pub fn parse_tags(text: &str) -> Vec<(String, String)> {
    let Ok(serde_json::Value::Object(object)) = serde_json::from_str(text) else {
        return Vec::new();
    };
    object
        .into_iter()
        .filter(|(_, value)| !value.is_null())
        .map(|(key, value)| {
            let value = match value {
                serde_json::Value::String(text) => text,
                other => other.to_string(),
            };
            (key, value)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_pairs_of_text_and_non_objects_have_none() {
        let mut tags = parse_tags(r#"{"channel": "web", "tier": 2, "gone": null}"#);
        tags.sort();
        assert_eq!(
            tags,
            vec![
                ("channel".to_string(), "web".to_string()),
                ("tier".to_string(), "2".to_string())
            ]
        );
        assert!(parse_tags("team=payments").is_empty());
    }
}
