//! The report pages are minijinja templates under `reports/templates/`: HTML files a designer
//! can read and change. The report code queries the rows and lays out the drawings; the
//! templates write the markup, HTML-escaping every value.

use std::fmt::Write as _;
use std::sync::LazyLock;

use arrow::array::Array;
use arrow::record_batch::RecordBatch;
use arrow::util::display::array_value_to_string;
use minijinja::{escape_formatter, AutoEscape, Environment, UndefinedBehavior, Value};

use crate::error::{ReportError, Result};

/// Every template, compiled into the binary so that a report needs no file beside it.
const TEMPLATES: [(&str, &str); 7] = [
    ("style.css", include_str!("../templates/style.css")),
    ("page.html", include_str!("../templates/page.html")),
    ("macros.html", include_str!("../templates/macros.html")),
    ("aml.html", include_str!("../templates/aml.html")),
    ("ctr.html", include_str!("../templates/ctr.html")),
    ("recon.html", include_str!("../templates/recon.html")),
    ("cost.html", include_str!("../templates/cost.html")),
];

static ENVIRONMENT: LazyLock<Result<Environment<'static>, minijinja::Error>> =
    LazyLock::new(|| {
        let mut environment = Environment::new();
        // A field the template names and the query does not return is an error, not a blank.
        environment.set_undefined_behavior(UndefinedBehavior::Strict);
        // minijinja's HTML escaping also writes '/' as "&#x2f;", which would hide the paths and
        // stream names of a page ("stream/payment-events") from a search of the file; a slash
        // needs no escaping in text or quoted attributes, so it is written between escaped parts.
        environment.set_formatter(|out, state, value| match value.as_str() {
            Some(text) if *state.auto_escape() == AutoEscape::Html && !value.is_safe() => {
                for (index, part) in text.split('/').enumerate() {
                    if index > 0 {
                        out.write_char('/')?;
                    }
                    escape_formatter(out, state, &Value::from(part))?;
                }
                Ok(())
            }
            _ => escape_formatter(out, state, value),
        });
        for (name, source) in TEMPLATES {
            environment.add_template(name, source)?;
        }
        Ok(environment)
    });

/// Renders the page template `name` with `context` (a map of the values it shows).
pub fn render(name: &str, context: Value) -> Result<String> {
    let failed = |error: &minijinja::Error| ReportError::Template {
        template: name.to_string(),
        reason: paylake_catalog::sql::describe(error),
    };
    let environment = ENVIRONMENT.as_ref().map_err(failed)?;
    let template = environment
        .get_template(name)
        .map_err(|error| failed(&error))?;
    let mut page = template.render(context).map_err(|error| failed(&error))?;
    page.push('\n');
    Ok(page)
}

/// The rows of `batches` as template records: each column's display text by its name.
pub fn records(batches: &[RecordBatch]) -> Value {
    batches
        .iter()
        .flat_map(|batch| (0..batch.num_rows()).map(move |row| record(batch, row, Vec::new())))
        .collect()
}

/// Row `row` of `batch` as a template record, with `extra` fields beside its columns.
pub fn record(batch: &RecordBatch, row: usize, extra: Vec<(String, Value)>) -> Value {
    let schema = batch.schema();
    let columns = schema.fields().iter().map(|field| {
        let name = field.name().to_string();
        let text = cell(batch, &name, row);
        (name, Value::from(text))
    });
    Value::from_pairs(columns.chain(extra))
}

/// The value of `column` at `row` as display text; empty for null.
pub fn cell(batch: &RecordBatch, column: &str, row: usize) -> String {
    match batch.column_by_name(column) {
        Some(array) if array.is_valid(row) => array_value_to_string(array, row).unwrap_or_default(),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::StringArray;
    use arrow::datatypes::{DataType, Field, Schema};
    use minijinja::context;

    use super::*;

    fn batch(columns: &[(&str, &[&str])]) -> RecordBatch {
        let schema = Schema::new(
            columns
                .iter()
                .map(|(name, _)| Field::new(*name, DataType::Utf8, true))
                .collect::<Vec<_>>(),
        );
        let arrays = columns
            .iter()
            .map(|(_, values)| Arc::new(StringArray::from(values.to_vec())) as _)
            .collect();
        RecordBatch::try_new(Arc::new(schema), arrays).unwrap()
    }

    #[test]
    fn markup_in_data_is_escaped_and_a_missing_field_is_an_error() {
        let candidates = batch(&[
            ("customer_id", &["C1"]),
            ("customer_name", &["<b>O'Neil & Co</b>"]),
            ("direction", &["cash_in"]),
            ("total_amount_usd", &["12000.00"]),
            ("transaction_count", &["2"]),
            ("channels", &["branch"]),
        ]);
        let with_transactions = Value::from(vec![record(
            &candidates,
            0,
            vec![("transactions".to_string(), Value::from(Vec::<Value>::new()))],
        )]);
        let page = render(
            "ctr.html",
            context! { date => "2026-03-02", timezone => "America/New_York", candidates => with_transactions },
        )
        .unwrap();
        assert!(page.starts_with("<!DOCTYPE html>"), "{page}");
        assert!(
            page.contains("&lt;b&gt;O&#x27;Neil &amp; Co&lt;/b&gt;"),
            "{page}"
        );
        assert!(page.contains("(America/New_York)"), "{page}");
        assert!(!page.contains("<b>O'Neil"), "{page}");
        assert!(page.contains("1 candidate(s)"), "{page}");

        let without_transactions = records(&[candidates]);
        let error = render(
            "ctr.html",
            context! { date => "2026-03-02", timezone => "UTC", candidates => without_transactions },
        )
        .unwrap_err();
        assert!(error.to_string().contains("ctr.html"), "{error}");
    }
}
