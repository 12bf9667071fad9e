//! Bar charts as inline SVG, so that a report stays one self-contained file: the layout is
//! computed here, the markup is the `bar_chart` macro of `templates/macros.html`.

use arrow::record_batch::RecordBatch;
use minijinja::{context, Value};

use crate::templates::cell;

const BAR_HEIGHT: usize = 22;
const LABEL_WIDTH: usize = 220;
const PLOT_WIDTH: usize = 420;

/// A horizontal bar chart of a query's rows: a bar per row, labelled by column `label`, as long
/// as column `value`. Values are drawn to scale; the text beside each bar is the exact figure
/// (the float is only the bar's length).
pub fn bar_chart(title: &str, batches: &[RecordBatch], label: &str, value: &str) -> Value {
    let bars: Vec<(String, String)> = batches
        .iter()
        .flat_map(|batch| {
            (0..batch.num_rows()).map(move |row| (cell(batch, label, row), cell(batch, value, row)))
        })
        .collect();
    let lengths: Vec<f64> = bars
        .iter()
        .map(|(_, value)| value.parse::<f64>().unwrap_or(0.0).max(0.0))
        .collect();
    let largest = lengths.iter().copied().fold(0.0_f64, f64::max);
    let placed: Vec<Value> = bars
        .into_iter()
        .zip(&lengths)
        .enumerate()
        .map(|(index, ((label, value), length))| {
            let width = if largest > 0.0 {
                (length / largest * PLOT_WIDTH as f64).round() as usize
            } else {
                0
            };
            context! { label, value, y => index * BAR_HEIGHT + 4, width => width.max(1) }
        })
        .collect();
    context! {
        title,
        width => LABEL_WIDTH + PLOT_WIDTH + 140,
        height => placed.len() * BAR_HEIGHT + 8,
        label_width => LABEL_WIDTH,
        bar_height => BAR_HEIGHT - 6,
        bars => placed,
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::StringArray;
    use arrow::datatypes::{DataType, Field, Schema};

    use super::*;

    #[test]
    fn bars_scale_to_the_largest() {
        let schema = Schema::new(vec![
            Field::new("category", DataType::Utf8, false),
            Field::new("breaks", DataType::Utf8, false),
        ]);
        let rows = RecordBatch::try_new(
            Arc::new(schema),
            vec![
                Arc::new(StringArray::from(vec!["a&b", "c", "d"])),
                Arc::new(StringArray::from(vec!["10", "5", "0"])),
            ],
        )
        .unwrap();
        let chart = bar_chart("breaks by category", &[rows], "category", "breaks");
        let widths: Vec<usize> = chart
            .get_attr("bars")
            .unwrap()
            .try_iter()
            .unwrap()
            .map(|bar| usize::try_from(bar.get_attr("width").unwrap()).unwrap())
            .collect();
        assert_eq!(widths, [PLOT_WIDTH, PLOT_WIDTH / 2, 1]);
        let empty = bar_chart("empty", &[], "category", "breaks");
        assert_eq!(empty.get_attr("bars").unwrap().len(), Some(0));
    }
}
