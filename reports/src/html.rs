//! Small helpers to write self-contained HTML.

use arrow::array::Array;
use arrow::record_batch::RecordBatch;
use arrow::util::display::array_value_to_string;

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            other => escaped.push(other),
        }
    }
    escaped
}

/// The value of `column` at `row` as display text; empty for null.
pub fn cell(batch: &RecordBatch, column: &str, row: usize) -> String {
    match batch.column_by_name(column) {
        Some(array) if array.is_valid(row) => array_value_to_string(array, row).unwrap_or_default(),
        _ => String::new(),
    }
}

/// A column of [`table`]: its header, the batch column it shows, and whether it is a number.
pub struct Column {
    pub header: &'static str,
    pub name: &'static str,
    pub numeric: bool,
}

/// A text column of [`table`].
pub const fn text(header: &'static str, name: &'static str) -> Column {
    Column {
        header,
        name,
        numeric: false,
    }
}

/// A right-aligned number column of [`table`].
pub const fn number(header: &'static str, name: &'static str) -> Column {
    Column {
        header,
        name,
        numeric: true,
    }
}

/// The rows of `batches` as an HTML table with the given columns, or `empty` when there are none.
pub fn table(id: &str, batches: &[RecordBatch], columns: &[Column], empty: &str) -> String {
    use std::fmt::Write as _;
    if batches.iter().all(|batch| batch.num_rows() == 0) {
        return format!("<p class=\"none\">{}</p>", escape(empty));
    }
    let mut html = format!("<table id=\"{}\"><thead><tr>", escape(id));
    for column in columns {
        let _ = write!(html, "<th>{}</th>", escape(column.header));
    }
    html.push_str("</tr></thead><tbody>");
    for batch in batches {
        for row in 0..batch.num_rows() {
            html.push_str("<tr>");
            for column in columns {
                let class = if column.numeric { " class=\"num\"" } else { "" };
                let _ = write!(
                    html,
                    "<td{class}>{}</td>",
                    escape(&cell(batch, column.name, row))
                );
            }
            html.push_str("</tr>");
        }
    }
    html.push_str("</tbody></table>");
    html
}

/// The start of a page with its title and heading.
pub fn page_start(title: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{0}</title>\
         <style>{STYLE}</style></head><body><h1>{0}</h1>",
        escape(title)
    )
}

pub const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2rem;color:#1b1f24}\
h1{font-size:1.5rem}h2{font-size:1.1rem;margin-top:2rem}\
table{border-collapse:collapse;margin:.5rem 0 1rem}\
th,td{border:1px solid #c9d1d9;padding:.3rem .6rem;text-align:left}\
th{background:#f3f5f7}td.num{text-align:right;font-variant-numeric:tabular-nums}\
td.time{white-space:nowrap}\
.meta{color:#57606a}.none{padding:1rem;background:#f3f5f7}\
figure{margin:1rem 0}figcaption{font-weight:600;margin-bottom:.3rem}";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_data_is_escaped() {
        assert_eq!(
            escape("<b>O'Neil & Co</b>"),
            "&lt;b&gt;O&#39;Neil &amp; Co&lt;/b&gt;"
        );
    }
}
