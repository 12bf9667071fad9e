//! The report pages are minijinja templates under `reports/templates/`: HTML files a designer
//! can read and change. The report code queries the rows and lays out the drawings; the
//! templates write the markup, HTML-escaping every value.

use std::sync::LazyLock;

use minijinja::{Environment, Value};
pub use paylake_catalog::pages::{cell, record, records};

use crate::error::{ReportError, Result};

/// Every template, compiled into the binary so that a report needs no file beside it.
const TEMPLATES: [(&str, &str); 8] = [
    ("style.css", include_str!("../templates/style.css")),
    ("page.html", include_str!("../templates/page.html")),
    ("macros.html", include_str!("../templates/macros.html")),
    ("aml.html", include_str!("../templates/aml.html")),
    ("ctr.html", include_str!("../templates/ctr.html")),
    ("recon.html", include_str!("../templates/recon.html")),
    ("cost.html", include_str!("../templates/cost.html")),
    ("backtest.html", include_str!("../templates/backtest.html")),
];

static ENVIRONMENT: LazyLock<Result<Environment<'static>, minijinja::Error>> =
    LazyLock::new(|| paylake_catalog::pages::html_environment(&TEMPLATES));

/// Renders the page template `name` with `context` (a map of the values it shows).
pub fn render(name: &str, context: Value) -> Result<String> {
    let mut page =
        paylake_catalog::pages::render(&ENVIRONMENT, name, context).map_err(|reason| {
            ReportError::Template {
                template: name.to_string(),
                reason,
            }
        })?;
    page.push('\n');
    Ok(page)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::StringArray;
    use arrow::datatypes::{DataType, Field, Schema};
    use arrow::record_batch::RecordBatch;
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
            ("exemption", &[""]),
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
