//! The HTML page of a rules backtest (`paylake aml backtest --html`).

use minijinja::Value;

use crate::templates::render;
use crate::Result;

/// The page of `backtest`, the JSON of `paylake_evaluation::backtest::Backtest`.
pub fn backtest_page(backtest: &serde_json::Value) -> Result<String> {
    render(
        "backtest.html",
        minijinja::context! { backtest => template_value(backtest) },
    )
}

/// JSON as template values (paylake's minijinja is built without its serde feature, which
/// would bring serde's derive machinery into every template's build for this one page).
fn template_value(json: &serde_json::Value) -> Value {
    match json {
        serde_json::Value::Null => Value::from(()),
        serde_json::Value::Bool(flag) => Value::from(*flag),
        serde_json::Value::Number(number) => match number.as_i64() {
            Some(integer) => Value::from(integer),
            None => Value::from(number.as_f64().unwrap_or_default()),
        },
        serde_json::Value::String(text) => Value::from(text.as_str()),
        serde_json::Value::Array(items) => {
            Value::from(items.iter().map(template_value).collect::<Vec<_>>())
        }
        serde_json::Value::Object(fields) => Value::from_pairs(
            fields
                .iter()
                .map(|(name, value)| (name.clone(), template_value(value))),
        ),
    }
}
