//! Inline SVG charts, so that a report stays one self-contained file.

use std::fmt::Write as _;

use arrow::record_batch::RecordBatch;

use crate::html::{cell, escape};

/// One bar: its label and its value as exact decimal text (shown as written).
pub struct Bar {
    pub label: String,
    pub value: String,
}

/// The bars of a query's rows: the text of column `label`, the value of column `value`.
pub fn bars(batches: &[RecordBatch], label: &str, value: &str) -> Vec<Bar> {
    batches
        .iter()
        .flat_map(|batch| {
            (0..batch.num_rows()).map(move |row| Bar {
                label: cell(batch, label, row),
                value: cell(batch, value, row),
            })
        })
        .collect()
}

const BAR_HEIGHT: usize = 22;
const LABEL_WIDTH: usize = 220;
const PLOT_WIDTH: usize = 420;

/// A horizontal bar chart. Values are drawn to scale; the value text beside each bar is the
/// exact figure (the float is only the bar's length).
pub fn bar_chart(title: &str, bars: &[Bar]) -> String {
    let mut svg = String::new();
    let _ = write!(svg, "<figure><figcaption>{}</figcaption>", escape(title));
    if bars.is_empty() {
        svg.push_str("<p class=\"none\">Nothing to show.</p></figure>");
        return svg;
    }
    let lengths: Vec<f64> = bars
        .iter()
        .map(|bar| bar.value.parse::<f64>().unwrap_or(0.0).max(0.0))
        .collect();
    let largest = lengths.iter().copied().fold(0.0_f64, f64::max);
    let height = bars.len() * BAR_HEIGHT + 8;
    let width = LABEL_WIDTH + PLOT_WIDTH + 140;
    let _ = write!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"{width}\" \
         height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-size=\"12\">"
    );
    for (index, (bar, length)) in bars.iter().zip(&lengths).enumerate() {
        let y = index * BAR_HEIGHT + 4;
        let bar_width = if largest > 0.0 {
            (length / largest * PLOT_WIDTH as f64).round() as usize
        } else {
            0
        };
        let _ = write!(
            svg,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\
             <rect x=\"{LABEL_WIDTH}\" y=\"{y}\" width=\"{}\" height=\"{}\" fill=\"#3b82c4\">\
             <title>{}: {}</title></rect>\
             <text x=\"{}\" y=\"{}\">{}</text>",
            LABEL_WIDTH - 6,
            y + 14,
            escape(&bar.label),
            bar_width.max(1),
            BAR_HEIGHT - 6,
            escape(&bar.label),
            escape(&bar.value),
            LABEL_WIDTH + bar_width + 6,
            y + 14,
            escape(&bar.value),
        );
    }
    svg.push_str("</svg></figure>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_largest_and_labels_are_escaped() {
        let chart = bar_chart(
            "breaks <by> category",
            &[
                Bar {
                    label: "a&b".into(),
                    value: "10".into(),
                },
                Bar {
                    label: "c".into(),
                    value: "5".into(),
                },
            ],
        );
        assert!(chart.contains("breaks &lt;by&gt; category"));
        assert!(chart.contains(&format!("width=\"{PLOT_WIDTH}\"")));
        assert!(chart.contains(&format!("width=\"{}\"", PLOT_WIDTH / 2)));
        assert!(chart.contains("a&amp;b"));
        assert!(bar_chart("empty", &[]).contains("Nothing to show"));
    }
}
