//! The workbench pages are minijinja templates under `workbench/templates/`: server-rendered
//! HTML with no script and no external resource, every value escaped.

use std::sync::LazyLock;

use minijinja::{Environment, Value};

use crate::error::{Result, WorkbenchError};

/// Every template, compiled into the binary.
const TEMPLATES: [(&str, &str); 9] = [
    ("style.css", include_str!("../templates/style.css")),
    ("page.html", include_str!("../templates/page.html")),
    ("login.html", include_str!("../templates/login.html")),
    ("queue.html", include_str!("../templates/queue.html")),
    ("case.html", include_str!("../templates/case.html")),
    ("message.html", include_str!("../templates/message.html")),
    ("breaks.html", include_str!("../templates/breaks.html")),
    ("break.html", include_str!("../templates/break.html")),
    (
        "suppressions.html",
        include_str!("../templates/suppressions.html"),
    ),
];

static ENVIRONMENT: LazyLock<Result<Environment<'static>, minijinja::Error>> =
    LazyLock::new(|| paylake_catalog::pages::html_environment(&TEMPLATES));

/// Renders the page template `name` with `context`.
pub fn render(name: &str, context: Value) -> Result<String> {
    paylake_catalog::pages::render(&ENVIRONMENT, name, context).map_err(|reason| {
        WorkbenchError::Template {
            name: name.to_string(),
            reason,
        }
    })
}
