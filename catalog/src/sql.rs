//! The SQL paylake runs: the files under `sql/`, filled by one template engine.
//!
//! Every query a job, report, export or check runs is a file under `sql/`, named here by its
//! path below `sql/` (`transforms/aml/ctr.sql`). The files are compiled into the binary, so a
//! deployed `paylake` carries its queries; [`use_folder`] (the `sql_dir` setting) reads them
//! from a copy of the folder instead, so an edited query runs without a rebuild, as in dbt.
//!
//! Templates are minijinja: `{{ business_date }}` is a parameter, `{% import %}` brings macros
//! from another file of the folder. Parameters come from typed values (dates, numbers, zone
//! names, codes checked when read, literals quoted by [`text_literal`]), never from free text;
//! a parameter a template names but the caller did not give is an error, not an empty string.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::future::Future;
use std::path::PathBuf;
use std::sync::RwLock;

use crate::error::{CatalogError, Result};

include!(concat!(env!("OUT_DIR"), "/sql_files.rs"));

/// The folder SQL is read from instead of the compiled-in files, when set.
static FOLDER: RwLock<Option<PathBuf>> = RwLock::new(None);

tokio::task_local! {
    /// What the task running inside [`recording`] read and rendered.
    static RECORDING: RefCell<SqlUsed>;
}

/// The SQL a piece of work ran: the files it read (includes and imports too) and the statements
/// it rendered, each with its file.
#[derive(Debug, Default, Clone)]
pub struct SqlUsed {
    pub files: BTreeSet<String>,
    pub statements: Vec<(String, String)>,
}

/// Reads SQL from `folder` (a copy of `sql/`) from now on; `None` goes back to the files
/// compiled in. The same set of files is read either way: the code decides which files it
/// runs, the folder only what they say.
pub fn use_folder(folder: Option<PathBuf>) {
    *FOLDER.write().expect("sql folder lock") = folder;
}

/// The folder SQL is read from, if not the compiled-in files.
fn folder() -> Option<PathBuf> {
    FOLDER.read().expect("sql folder lock").clone()
}

/// Every file compiled in, by its path below `sql/`.
pub fn compiled_files() -> impl Iterator<Item = &'static str> {
    COMPILED_SQL.iter().map(|(path, _)| *path)
}

/// The files a step declares: each entry a file, or a folder ending in `/` for every file
/// under it (`transforms/aml/`).
pub fn expand(declared: &[&str]) -> Result<Vec<String>> {
    let mut files = Vec::new();
    for entry in declared {
        if entry.ends_with('/') {
            let under: Vec<String> = compiled_files()
                .filter(|path| path.starts_with(entry))
                .map(str::to_string)
                .collect();
            if under.is_empty() {
                return Err(CatalogError::UnknownSqlFile(entry.to_string()));
            }
            files.extend(under);
        } else {
            compiled(entry)?;
            files.push(entry.to_string());
        }
    }
    files.sort();
    files.dedup();
    Ok(files)
}

fn compiled(path: &str) -> Result<&'static str> {
    COMPILED_SQL
        .iter()
        .find(|(compiled_path, _)| *compiled_path == path)
        .map(|(_, text)| *text)
        .ok_or_else(|| CatalogError::UnknownSqlFile(path.to_string()))
}

/// The text of `sql/<path>`, from the folder in use or the compiled-in files.
pub fn text(path: &str) -> Result<String> {
    let compiled_text = compiled(path)?;
    let _ = RECORDING.try_with(|used| used.borrow_mut().files.insert(path.to_string()));
    match folder() {
        Some(folder) => {
            let file = folder.join(path);
            std::fs::read_to_string(&file).map_err(|source| CatalogError::Io { path: file, source })
        }
        None => Ok(compiled_text.to_string()),
    }
}

/// Renders the template `sql/<path>` with `parameters` (typed values' text).
pub fn render<N: AsRef<str>>(path: &str, parameters: &[(N, String)]) -> Result<String> {
    let values: Vec<(&str, TemplateValue)> = parameters
        .iter()
        .map(|(name, value)| (name.as_ref(), TemplateValue::from(value.as_str())))
        .collect();
    render_values(path, &values)
}

/// A parameter that is more than a text: a list of identifiers from the registry (a key's
/// columns), a number.
pub use minijinja::Value as TemplateValue;

/// Renders the template `sql/<path>` with `parameters` of any template value.
pub fn render_values(path: &str, parameters: &[(&str, TemplateValue)]) -> Result<String> {
    let mut environment = minijinja::Environment::new();
    environment.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    // Imports and includes (`{% import "regulatory/exports/subject.sql" as subject %}`) read
    // through `text`, so they come from the same folder and count as files used.
    environment.set_loader(|name| match text(name) {
        Ok(source) => Ok(Some(source)),
        Err(CatalogError::UnknownSqlFile(_)) => Ok(None),
        Err(error) => Err(minijinja::Error::new(
            minijinja::ErrorKind::InvalidOperation,
            error.to_string(),
        )),
    });
    let context = TemplateValue::from_pairs(
        parameters
            .iter()
            .map(|(name, value)| (name.to_string(), value.clone())),
    );
    let rendered = environment
        .get_template(path)
        .and_then(|template| template.render(context));
    let rendered = rendered.map_err(|error| CatalogError::SqlTemplate {
        file: path.to_string(),
        reason: describe(&error),
    })?;
    let _ = RECORDING.try_with(|used| {
        used.borrow_mut()
            .statements
            .push((path.to_string(), rendered.clone()))
    });
    Ok(rendered)
}

/// The statement `sql/<path>`, a file without parameters.
pub fn statement(path: &str) -> Result<String> {
    render_values(path, &[])
}

/// A minijinja error with the causes it chains (an undefined name, the line).
pub fn describe(error: &minijinja::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// Runs `future` and returns, with its output, the SQL it read and rendered: what a step really
/// ran, to hold against what it declares.
pub async fn recording<F: Future>(future: F) -> (F::Output, SqlUsed) {
    RECORDING
        .scope(RefCell::new(SqlUsed::default()), async {
            let output = future.await;
            let used = RECORDING.with(|used| used.take());
            (output, used)
        })
        .await
}

/// The lake tables (`zone.table`) a statement reads, found by DataFusion's parser; common table
/// expressions and the session's unqualified intermediates are not lake tables.
pub fn tables_read(sql: &str) -> Result<BTreeSet<String>> {
    use datafusion::sql::parser::DFParser;
    use datafusion::sql::resolve::resolve_table_references;
    let statements = DFParser::parse_sql(sql)?;
    let mut tables = BTreeSet::new();
    for statement in statements {
        let (references, _common_table_expressions) = resolve_table_references(&statement, true)?;
        for reference in references {
            if let Some(zone) = reference.schema() {
                tables.insert(format!("{zone}.{}", reference.table()));
            }
        }
    }
    Ok(tables)
}

/// A text as a SQL literal, its quotes doubled.
pub fn text_literal(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

/// A list of texts as SQL literals for `IN (...)`; `NULL` for an empty list, so that the
/// condition matches nothing rather than failing to parse.
pub fn text_literal_list<S: AsRef<str>>(values: &[S]) -> String {
    if values.is_empty() {
        return "NULL".to_string();
    }
    values
        .iter()
        .map(|value| text_literal(value.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_of_the_sql_folder_is_compiled_in() {
        let on_disk = walk(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../sql"));
        let compiled: BTreeSet<String> = compiled_files().map(str::to_string).collect();
        assert_eq!(on_disk, compiled);
        assert!(compiled.contains("transforms/aml/ctr.sql"));
    }

    fn walk(root: &std::path::Path) -> BTreeSet<String> {
        let mut files = BTreeSet::new();
        let mut folders = vec![root.to_path_buf()];
        while let Some(folder) = folders.pop() {
            for entry in std::fs::read_dir(folder).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    folders.push(path);
                } else if path.extension().is_some_and(|extension| extension == "sql") {
                    let relative = path.strip_prefix(root).unwrap().to_string_lossy();
                    files.insert(relative.replace('\\', "/"));
                }
            }
        }
        files
    }

    #[test]
    fn a_missing_parameter_is_an_error_naming_the_file_and_the_name() {
        let error = render::<&str>("transforms/aml/ctr.sql", &[])
            .unwrap_err()
            .to_string();
        assert!(error.contains("transforms/aml/ctr.sql"), "{error}");
        assert!(error.contains("undefined"), "{error}");
        let error = text("transforms/nope.sql").unwrap_err().to_string();
        assert!(error.contains("transforms/nope.sql"), "{error}");
    }

    #[test]
    fn folders_expand_to_their_files_and_unknown_entries_are_refused() {
        let aml = expand(&["transforms/aml/"]).unwrap();
        assert!(aml.contains(&"transforms/aml/structuring.sql".to_string()));
        assert!(aml.iter().all(|file| file.starts_with("transforms/aml/")));
        assert!(expand(&["transforms/none/"]).is_err());
        assert!(expand(&["transforms/none.sql"]).is_err());
    }

    #[tokio::test]
    async fn files_and_statements_read_inside_a_recording_are_reported() {
        let ((), used) = recording(async {
            text("transforms/cost/cost_daily.sql").unwrap();
            statement("regulatory/exports/last_ticks.sql").unwrap();
        })
        .await;
        assert_eq!(
            used.files,
            BTreeSet::from([
                "regulatory/exports/last_ticks.sql".to_string(),
                "transforms/cost/cost_daily.sql".to_string()
            ])
        );
        assert_eq!(used.statements.len(), 1);
        assert_eq!(used.statements[0].0, "regulatory/exports/last_ticks.sql");
    }

    #[test]
    fn the_parser_finds_the_lake_tables_a_query_reads_not_its_ctes_or_intermediates() {
        let sql = render(
            "transforms/gold_ctr_candidates.sql",
            &[
                ("business_date", "2026-03-02".to_string()),
                ("timezone", "UTC".to_string()),
                ("created_from", "2026-03-01T00:00:00Z".to_string()),
                ("created_before", "2026-03-04T00:00:00Z".to_string()),
            ],
        )
        .unwrap();
        assert_eq!(
            tables_read(&sql).unwrap(),
            BTreeSet::from([
                "decisions.exemption_events".to_string(),
                "silver.customers".to_string(),
                "silver.fx_rates".to_string(),
                "silver.transactions".to_string()
            ])
        );
        let with_cte = "WITH recent AS (SELECT * FROM gold.aml_alerts) \
                        SELECT * FROM recent JOIN aml_movements USING (account_id)";
        assert_eq!(
            tables_read(with_cte).unwrap(),
            BTreeSet::from(["gold.aml_alerts".to_string()])
        );
    }

    #[test]
    fn macros_and_includes_render_from_the_folder() {
        let sql = render(
            "regulatory/exports/transactions.sql",
            &[
                ("kind", "fincen-sar".to_string()),
                ("base_id", "fincen-sar_2026-03-01_2026-03-07".to_string()),
                ("cutoff", "2026-03-09T12:00:00Z".to_string()),
                (
                    "evidence",
                    "regulatory/exports/sar_evidence.sql".to_string(),
                ),
            ],
        )
        .unwrap();
        // An import inside an include (the decisions' current cases inside the SAR cases).
        assert!(sql.contains("FROM decisions.case_events"), "{sql}");
        assert!(
            sql.contains("ROW_NUMBER() OVER (PARTITION BY case_id"),
            "{sql}"
        );
        let records = render(
            "regulatory/exports/ctr_records.sql",
            &[
                ("from", "2026-03-01".to_string()),
                ("to", "2026-03-07".to_string()),
            ],
        )
        .unwrap();
        assert!(
            records.contains("k.customer_id AS known_customer"),
            "{records}"
        );
        assert_eq!(
            tables_read(&records).unwrap(),
            BTreeSet::from([
                "gold.ctr_candidates".to_string(),
                "silver.customers".to_string()
            ])
        );
    }

    #[test]
    fn literals_double_their_quotes_and_an_empty_list_matches_nothing() {
        assert_eq!(text_literal_list(&["KP", "O'X"]), "'KP', 'O''X'");
        assert_eq!(text_literal_list::<&str>(&[]), "NULL");
    }
}
