//! HTML pages from minijinja templates, for every stage that writes one (the reports, the
//! workbench): an environment that escapes every value, and query rows as template records.

use std::fmt::Write as _;

use arrow::array::Array;
use arrow::record_batch::RecordBatch;
use arrow::util::display::array_value_to_string;
use minijinja::{escape_formatter, AutoEscape, Environment, UndefinedBehavior, Value};

/// An environment holding `templates` (name, source), HTML-escaping every value.
pub fn html_environment(
    templates: &[(&'static str, &'static str)],
) -> Result<Environment<'static>, minijinja::Error> {
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
    environment.add_template(
        "money_flow.html",
        include_str!("../templates/money_flow.html"),
    )?;
    for (name, source) in templates {
        environment.add_template(name, source)?;
    }
    Ok(environment)
}

/// Renders the template `name` of `environment` (as [`html_environment`] built it) with
/// `context`; an error says what went wrong, with its causes.
pub fn render(
    environment: &Result<Environment<'static>, minijinja::Error>,
    name: &str,
    context: Value,
) -> Result<String, String> {
    let environment = environment.as_ref().map_err(crate::sql::describe)?;
    environment
        .get_template(name)
        .and_then(|template| template.render(context))
        .map_err(|error| crate::sql::describe(&error))
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
