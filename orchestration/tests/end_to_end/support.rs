//! What the tests of the `paylake` binary share: running it, and the external fixtures.

use std::path::PathBuf;
use std::process::Command;

/// A `paylake` command of the binary under test.
pub fn paylake_command() -> Command {
    Command::new(env!("CARGO_BIN_EXE_paylake"))
}

/// Runs a command to its end and returns its standard output; fails the test, with both
/// outputs, when it does not succeed.
pub fn run(command: &mut Command) -> String {
    let output = command.output().expect("the paylake binary runs");
    assert!(
        output.status.success(),
        "{command:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("utf-8 output")
}

/// The rules file the demo runs with, and its `version`, which every alert records.
pub fn aml_rules() -> (String, String) {
    let text = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../aml-rules.toml"),
    )
    .expect("aml-rules.toml is readable");
    let version = text.parse::<toml::Table>().expect("aml-rules.toml is TOML")["version"]
        .as_str()
        .expect("aml-rules.toml names its version")
        .to_string();
    (text, version)
}

/// A file of the external fixtures (`../shared/data`).
pub fn shared_data(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/data")
        .join(relative)
}

/// Rows of a CSV text (`paylake sql --format csv`, a truth file), without its header. Fields
/// hold no commas.
pub fn csv_rows(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .skip(1)
        .filter(|line| !line.is_empty())
        .map(|line| line.split(',').map(str::to_string).collect())
        .collect()
}

/// Runs headless Chromium on a page with one more flag (`--dump-dom`, `--screenshot=PNG`,
/// `--print-to-pdf=PDF`) and returns its standard output: what a reader's browser shows.
pub fn chromium(page: &std::path::Path, scratch: &std::path::Path, flag: &str) -> Vec<u8> {
    let output = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=1200,1600",
            flag,
        ])
        .arg(format!(
            "--user-data-dir={}",
            scratch.join("chromium").display()
        ))
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium is installed by the test command");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

/// The rows `query` returns from `lake`, as CSV lines without the header, sorted: a table's
/// content compared regardless of file and row order.
pub fn sorted_rows(lake: &str, query: &str) -> Vec<String> {
    let csv = run(paylake_command().args(["sql", "--lake", lake, "--format", "csv", query]));
    let mut rows: Vec<String> = csv.lines().skip(1).map(str::to_string).collect();
    rows.sort();
    rows
}
