//! Quality gates: checks attached to assets.
//!
//! - Every gold table's rows are audited before they are published (write-audit-publish): the
//!   key is unique within the date and never null. Rows that fail are not written.
//! - After ingest, every silver table's key is unique and never null, and the counts reconcile
//!   between zones: each ingest run's records read equal those taken into bronze plus those
//!   quarantined, source by source.
//! - After the ledger integrity step, the ledger balances: no journal of the date has debits
//!   other than its credits. A failure stops the reconciliation built on that ledger.
//!
//! A failed check of severity error blocks the steps it gates; every check, passed or failed,
//! is a row of `system.asset_checks`.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

use arrow::array::{Array, Int64Array};
use arrow::record_batch::RecordBatch;
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use datafusion::datasource::MemTable;
use datafusion::prelude::SessionContext;
use datafusion::scalar::ScalarValue;
use paylake_catalog::delta::{data_version, files_written_since, missing_live_files, open_table};
use paylake_catalog::gate::PublicationGate;
use paylake_catalog::session::{register_files, table_session};
use paylake_catalog::sql::TemplateValue;
use paylake_catalog::{registry, Lake, TableDef, Zone};

use super::graph::{AssetGraph, StepId};
use crate::error::Result;

/// How much a failed check matters. Every check paylake ships stops what it gates; the
/// column is there for checks that only warn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// Stops what the check gates.
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
        }
    }
}

/// One check's result.
#[derive(Debug, Clone)]
pub struct CheckOutcome {
    pub asset: String,
    pub check_name: String,
    pub business_date: Option<NaiveDate>,
    pub severity: Severity,
    pub passed: bool,
    pub failing_rows: i64,
    pub message: String,
    pub checked_at: DateTime<Utc>,
    /// Steps a failure stops.
    pub gates: BTreeSet<StepId>,
    /// The Delta version of the silver table a check of the whole table stands for.
    pub table_version: Option<u64>,
}

impl CheckOutcome {
    /// The failed `unique_key` check of a table that could not be read: a table that cannot be
    /// read cannot be trusted.
    fn could_not_check(name: &str, reason: String, gates: &BTreeSet<StepId>) -> Self {
        CheckOutcome {
            asset: name.to_string(),
            check_name: "unique_key".to_string(),
            business_date: None,
            severity: Severity::Error,
            passed: false,
            failing_rows: 0,
            message: format!("{name} could not be checked: {reason}"),
            checked_at: Utc::now(),
            gates: gates.clone(),
            table_version: None,
        }
    }

    /// Whether this outcome stops `step`.
    pub fn blocks(&self, step: StepId) -> bool {
        !self.passed && self.severity == Severity::Error && self.gates.contains(&step)
    }
}

/// Runs the check query `sql/checks/<name>.sql` with `parameters` and returns its single
/// integer.
async fn count(
    context: &SessionContext,
    name: &str,
    parameters: &[(&str, TemplateValue)],
) -> Result<i64> {
    let sql = paylake_catalog::sql::render_values(&format!("checks/{name}.sql"), parameters)?;
    let batches = context.sql(&sql).await?.collect().await?;
    Ok(single_count(&batches))
}

/// The single integer a check query returns; 0 when it returns none.
fn single_count(batches: &[RecordBatch]) -> i64 {
    let value = batches
        .iter()
        .find(|batch| batch.num_rows() > 0)
        .and_then(|batch| {
            let column = batch.column(0).as_any().downcast_ref::<Int64Array>()?;
            (!column.is_null(0)).then(|| column.value(0))
        });
    value.unwrap_or(0)
}

/// The unique-key and not-null-key checks of `relation` (a registered name) holding rows of
/// `table`.
async fn key_checks(
    context: &SessionContext,
    table: &TableDef,
    relation: &str,
    business_date: Option<NaiveDate>,
    gates: &BTreeSet<StepId>,
) -> Result<Vec<CheckOutcome>> {
    if table.key.is_empty() {
        return Ok(Vec::new());
    }
    let parameters = key_parameters(table, relation);
    let duplicated = count(context, "duplicated_keys", &parameters).await?;
    let null_keys = count(context, "null_keys", &parameters).await?;
    Ok(key_outcomes(
        table,
        business_date,
        gates,
        KeyCounts {
            duplicated,
            null_keys,
        },
        "",
    ))
}

/// The parameters of the key checks' SQL: the relation read and the table's key.
fn key_parameters<'a>(table: &TableDef, relation: &'a str) -> Vec<(&'a str, TemplateValue)> {
    vec![
        ("relation", TemplateValue::from(relation)),
        (
            "key",
            TemplateValue::from_iter(table.key.iter().map(|column| TemplateValue::from(*column))),
        ),
    ]
}

/// What the key checks of a table found.
#[derive(Debug, Clone, Copy, Default)]
struct KeyCounts {
    /// Values of the key that occur more than once.
    duplicated: i64,
    /// Rows with a null in a key column.
    null_keys: i64,
}

/// The outcomes of the unique-key and not-null-key checks of `table`; `scope` says what they
/// read when it was not every row (appended to each message).
fn key_outcomes(
    table: &TableDef,
    business_date: Option<NaiveDate>,
    gates: &BTreeSet<StepId>,
    counts: KeyCounts,
    scope: &str,
) -> Vec<CheckOutcome> {
    let keys = table.key.join(", ");
    let KeyCounts {
        duplicated,
        null_keys,
    } = counts;
    let outcome = |check_name: &str, failing_rows: i64, message: String| CheckOutcome {
        asset: table.qualified_name(),
        check_name: check_name.to_string(),
        business_date,
        severity: Severity::Error,
        passed: failing_rows == 0,
        failing_rows,
        message,
        checked_at: Utc::now(),
        gates: gates.clone(),
        table_version: None,
    };
    vec![
        outcome(
            "unique_key",
            duplicated,
            if duplicated == 0 {
                format!("({keys}) is unique{scope}")
            } else {
                format!("{duplicated} values of ({keys}) occur more than once{scope}")
            },
        ),
        outcome(
            "key_not_null",
            null_keys,
            if null_keys == 0 {
                format!("({keys}) is never null{scope}")
            } else {
                format!("{null_keys} rows have a null in ({keys}){scope}")
            },
        ),
    ]
}

/// The gate gold writes pass through; it keeps every outcome for the checks table, and the
/// rows of every date it let through for the runs table.
#[derive(Debug, Default)]
pub struct GoldGate {
    outcomes: Mutex<Vec<CheckOutcome>>,
    /// Rows of the date last published, by `zone.table`.
    published_rows: Mutex<BTreeMap<String, i64>>,
}

impl GoldGate {
    /// The outcomes recorded since the last call.
    pub fn take_outcomes(&self) -> Vec<CheckOutcome> {
        std::mem::take(&mut self.outcomes.lock().expect("gate lock"))
    }

    /// The rows each table was let through with since the last call, by `zone.table`.
    pub fn take_published_rows(&self) -> BTreeMap<String, i64> {
        std::mem::take(&mut self.published_rows.lock().expect("gate lock"))
    }
}

#[async_trait]
impl PublicationGate for GoldGate {
    async fn audit(
        &self,
        table: &TableDef,
        business_date: NaiveDate,
        batches: &[RecordBatch],
    ) -> std::result::Result<(), String> {
        if table.zone != Zone::Gold {
            return Ok(());
        }
        let audit = async {
            let context = SessionContext::new();
            let rows = MemTable::try_new(table.schema.clone(), vec![batches.to_vec()])?;
            context.register_table("candidate_rows", Arc::new(rows))?;
            key_checks(
                &context,
                table,
                "candidate_rows",
                Some(business_date),
                &BTreeSet::new(),
            )
            .await
        };
        // The gate's queries are the gate's, not the step's: they stay out of its record.
        let (outcomes, _gate_sql) = paylake_catalog::sql::recording(audit).await;
        let outcomes = outcomes.map_err(|err| format!("audit failed: {err}"))?;
        let failures: Vec<String> = outcomes
            .iter()
            .filter(|outcome| !outcome.passed)
            .map(|outcome| format!("{}: {}", outcome.check_name, outcome.message))
            .collect();
        self.outcomes.lock().expect("gate lock").extend(outcomes);
        if failures.is_empty() {
            let rows = batches.iter().map(RecordBatch::num_rows).sum::<usize>();
            self.published_rows.lock().expect("gate lock").insert(
                table.qualified_name(),
                i64::try_from(rows).unwrap_or(i64::MAX),
            );
            Ok(())
        } else {
            Err(failures.join("; "))
        }
    }
}

/// The steps that read `table`, which a failed check of it stops.
fn readers_of(graph: &AssetGraph, table: &str) -> BTreeSet<StepId> {
    graph
        .steps()
        .iter()
        .filter(|step| step.reads.iter().any(|read| read == table))
        .map(|step| step.name)
        .collect()
}

/// The checks of what ingest publishes: silver keys, and counts reconciled between zones.
pub async fn ingest_checks(
    lake: &Lake,
    context: &SessionContext,
    graph: &AssetGraph,
) -> Result<Vec<CheckOutcome>> {
    use futures::StreamExt;
    let last_passed = key_checks_last_passed(context).await;
    // Silver tables merged from a bronze table hold one row per key; the others (histories,
    // findings) are logs.
    let merged_tables = registry().tables().iter().filter(|table| {
        table.zone == Zone::Silver && registry().get(Zone::Bronze, table.name).is_ok()
    });
    // Most of a table's check is waiting on its log and files: a few tables at once.
    let checked: Vec<Vec<CheckOutcome>> = futures::stream::iter(merged_tables)
        .map(|table| {
            let name = table.qualified_name();
            let gates = readers_of(graph, &name);
            let since = last_passed.get(&name).copied();
            async move {
                match silver_key_checks(lake, context, table, since, &gates).await {
                    Ok(checked) => checked,
                    Err(error) => vec![CheckOutcome::could_not_check(
                        &name,
                        error.to_string(),
                        &gates,
                    )],
                }
            }
        })
        .buffered(CONCURRENT_TABLE_CHECKS)
        .collect()
        .await;
    let mut outcomes: Vec<CheckOutcome> = checked.into_iter().flatten().collect();
    // Counts that do not reconcile put every record of the run in doubt: no gold is built.
    let every_date_step: BTreeSet<StepId> = graph
        .steps()
        .iter()
        .filter(|step| step.partitioned())
        .map(|step| step.name)
        .collect();
    outcomes.extend(zone_counts(context, &every_date_step).await?);
    Ok(outcomes)
}

/// Silver tables checked at once.
const CONCURRENT_TABLE_CHECKS: usize = 4;

/// How far back a silver table's last passing key check is looked for: a table not checked for
/// longer is checked whole (and the commits since may have been cleaned up).
const KEY_CHECK_START_DAYS: i64 = 7;

/// The relation of the rows written since a silver table's key last passed its checks.
const CHANGED_ROWS: &str = "changed_rows";

/// The newest version of each silver table at which both its key checks passed in one run, from
/// the last [`KEY_CHECK_START_DAYS`]. Empty when the checks table cannot tell (a lake whose
/// checks predate `table_version`): every table is then checked whole, which costs more and
/// finds the same.
async fn key_checks_last_passed(context: &SessionContext) -> BTreeMap<String, u64> {
    let since = Utc::now().date_naive() - chrono::Duration::days(KEY_CHECK_START_DAYS);
    let read = async {
        let sql = paylake_catalog::sql::render_values(
            "checks/key_checks_last_passed.sql",
            &[("since", TemplateValue::from(since.to_string()))],
        )?;
        let batches = context.sql(&sql).await?.collect().await?;
        let mut versions = BTreeMap::new();
        for batch in &batches {
            let assets = paylake_catalog::batches::as_text(batch.column(0))?;
            let Some(numbers) = batch.column(1).as_any().downcast_ref::<Int64Array>() else {
                continue;
            };
            for row in 0..batch.num_rows() {
                if assets.is_null(row) || numbers.is_null(row) {
                    continue;
                }
                let version = u64::try_from(numbers.value(row)).unwrap_or_default();
                versions.insert(assets.value(row).to_string(), version);
            }
        }
        Ok::<_, crate::error::OrchestrationError>(versions)
    };
    read.await.unwrap_or_else(|error| {
        tracing::info!(%error, "no earlier key checks to start from: silver checked whole");
        BTreeMap::new()
    })
}

/// The key checks of silver table `table`, reading only the rows written since `since`, the
/// version at which they last passed. A key that now occurs twice occurs at least once in a
/// file written since (the rows of that version were unique and never null), so only those
/// files' rows are tested for null keys, and only their keys are counted across the table,
/// whose files outside their key range are skipped by their statistics. A table whose rows did
/// not change since is not read; without `since`, or when that version can no longer be read,
/// the whole table is checked. Either way, a live file missing from storage fails the check.
async fn silver_key_checks(
    lake: &Lake,
    lake_context: &SessionContext,
    table: &TableDef,
    since: Option<u64>,
    gates: &BTreeSet<StepId>,
) -> Result<Vec<CheckOutcome>> {
    let name = table.qualified_name();
    let Some(delta_table) = open_table(lake, table).await? else {
        // Not written yet: the lake session reads it empty, and the checks pass.
        return key_checks(lake_context, table, &name, None, gates).await;
    };
    let version = delta_table.version().unwrap_or_default();
    let missing = missing_live_files(&delta_table, table).await?;
    if let Some(first) = missing.first() {
        let reason = format!(
            "{} files of version {version} are missing from storage, the first {first}",
            missing.len()
        );
        return Ok(vec![CheckOutcome::could_not_check(&name, reason, gates)]);
    }
    // The files written since the version the checks last passed at; `None` when the whole
    // table must be read (never checked, or that version can no longer be read).
    let written_since = match since.filter(|since| *since <= version) {
        None => None,
        Some(since) if data_version(&delta_table, table).await?.unwrap_or(version) <= since => {
            Some((since, Vec::new()))
        }
        Some(since) => match files_written_since(&delta_table, table, since).await {
            Ok(written) => Some((since, written)),
            Err(error) => {
                tracing::info!(table = %name, %error, "version {since} cannot be read: checked whole");
                None
            }
        },
    };
    let context = table_session(table, &delta_table).await?;
    let mut outcomes = match written_since {
        None => key_checks(&context, table, &name, None, gates).await?,
        // No rows written (or only removed): none can repeat a key or bring a null one.
        Some((since, written)) if written.is_empty() => {
            let scope = format!(": no rows written since version {since}, when it was checked");
            key_outcomes(table, None, gates, KeyCounts::default(), &scope)
        }
        Some((since, written)) => {
            let scope = format!(
                " among the rows of the {} files written since version {since}",
                written.len()
            );
            register_files(&context, CHANGED_ROWS, &delta_table, written).await?;
            let counts = KeyCounts {
                duplicated: duplicated_changed_keys(&context, table, &name).await?,
                null_keys: count(&context, "null_keys", &key_parameters(table, CHANGED_ROWS))
                    .await?,
            };
            key_outcomes(table, None, gates, counts, &scope)
        }
    };
    for outcome in &mut outcomes {
        outcome.table_version = Some(version);
    }
    Ok(outcomes)
}

/// The values of `table`'s key among [`CHANGED_ROWS`] that occur more than once in `relation`.
async fn duplicated_changed_keys(
    context: &SessionContext,
    table: &TableDef,
    relation: &str,
) -> Result<i64> {
    let mut parameters = key_parameters(table, relation);
    parameters.push(("changed", TemplateValue::from(CHANGED_ROWS)));
    let range_sql =
        paylake_catalog::sql::render_values("checks/changed_key_range.sql", &parameters)?;
    let range = context.sql(&range_sql).await?.collect().await?;
    let Some(batch) = range.iter().find(|batch| batch.num_rows() > 0) else {
        return Ok(0);
    };
    let least = ScalarValue::try_from_array(batch.column(0), 0)?;
    let greatest = ScalarValue::try_from_array(batch.column(1), 0)?;
    if least.is_null() || greatest.is_null() {
        // Every changed row has a null first key column: the not-null check fails on them.
        return Ok(0);
    }
    let sql =
        paylake_catalog::sql::render_values("checks/duplicated_changed_keys.sql", &parameters)?;
    let batches = context
        .sql(&sql)
        .await?
        .with_param_values(vec![least, greatest])?
        .collect()
        .await?;
    Ok(single_count(&batches))
}

/// Each source's records read, in every ingest run, equal those taken plus those quarantined,
/// and each source's quarantined records are the rows its quarantine table holds for the run.
async fn zone_counts(
    context: &SessionContext,
    gates: &BTreeSet<StepId>,
) -> Result<Vec<CheckOutcome>> {
    use futures::{StreamExt, TryStreamExt};
    let counted: Vec<(&str, i64)> =
        futures::stream::iter(paylake_catalog::registry::QUARANTINE_SOURCES)
            .map(|source| async move {
                let parameters = [("source", TemplateValue::from(source))];
                Ok::<_, crate::error::OrchestrationError>((
                    source,
                    count(context, "counts_reconciled", &parameters).await?,
                ))
            })
            .buffered(CONCURRENT_TABLE_CHECKS)
            .try_collect()
            .await?;
    let mut outcomes = Vec::new();
    for (source, failing_runs) in counted {
        outcomes.push(CheckOutcome {
            asset: format!("quarantine.{source}"),
            check_name: "counts_reconciled".to_string(),
            business_date: None,
            severity: Severity::Error,
            passed: failing_runs == 0,
            failing_rows: failing_runs,
            message: if failing_runs == 0 {
                format!("every {source} ingest run: read = taken + quarantined, quarantine rows match")
            } else {
                format!("{failing_runs} {source} ingest runs do not reconcile read, taken and quarantined")
            },
            checked_at: Utc::now(),
            gates: gates.clone(),
            table_version: None,
        });
    }
    Ok(outcomes)
}

/// The ledger of the date balances: what the integrity step found for its journals. The step
/// that declares it names what a failure stops (its reconciliation and report).
pub async fn ledger_balanced(
    context: &SessionContext,
    business_date: NaiveDate,
) -> Result<CheckOutcome> {
    let unbalanced = count(
        context,
        "ledger_balanced",
        &[(
            "business_date",
            TemplateValue::from(business_date.to_string()),
        )],
    )
    .await?;
    Ok(CheckOutcome {
        asset: "gold.ledger_integrity".to_string(),
        check_name: "ledger_balanced".to_string(),
        business_date: Some(business_date),
        severity: Severity::Error,
        passed: unbalanced == 0,
        failing_rows: unbalanced,
        message: if unbalanced == 0 {
            "every journal of the date balances".to_string()
        } else {
            format!("{unbalanced} journals of the date do not balance: reconciliation withheld")
        },
        checked_at: Utc::now(),
        gates: BTreeSet::new(),
        table_version: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::datatypes::DataType;
    use paylake_catalog::delta::{append, open_or_create_table};
    use paylake_catalog::rows::columns_batch;

    /// Appends rows of `silver.transactions` with the given keys and creation dates, in one
    /// commit (one file per month); the table's version after it.
    async fn append_transactions(lake: &Lake, rows: &[(&str, &str)]) -> u64 {
        let table = registry().get(Zone::Silver, "transactions").unwrap();
        let columns = table
            .schema
            .fields()
            .iter()
            .map(|field| {
                let texts: Vec<String> = rows
                    .iter()
                    .map(
                        |(key, date)| match (field.name().as_str(), field.data_type()) {
                            ("transaction_id", _) => key.to_string(),
                            (_, DataType::Date32) => format!("{}-01", &date[..7]),
                            (_, DataType::Timestamp(..)) => format!("{date}T12:00:00Z"),
                            (_, DataType::Utf8) => format!("{}-{key}", field.name()),
                            _ => "1".to_string(),
                        },
                    )
                    .collect();
                let text = arrow::array::StringArray::from(texts);
                arrow::compute::cast(&text, field.data_type()).unwrap()
            })
            .collect();
        let batch = columns_batch(table, columns).unwrap();
        let delta_table = open_or_create_table(lake, table).await.unwrap();
        append(delta_table, table, vec![batch], vec![])
            .await
            .unwrap()
            .version()
            .unwrap()
    }

    async fn check(lake: &Lake, since: Option<u64>) -> (CheckOutcome, CheckOutcome) {
        let table = registry().get(Zone::Silver, "transactions").unwrap();
        let context = paylake_catalog::lake_session(lake).await.unwrap();
        let outcomes = silver_key_checks(lake, &context, table, since, &BTreeSet::new())
            .await
            .unwrap();
        let [unique, not_null] = <[CheckOutcome; 2]>::try_from(outcomes).unwrap();
        assert_eq!(
            (unique.check_name.as_str(), not_null.check_name.as_str()),
            ("unique_key", "key_not_null")
        );
        (unique, not_null)
    }

    /// The data files of the table's partition of `month`.
    fn files_of_month(lake_dir: &std::path::Path, month: &str) -> Vec<std::path::PathBuf> {
        let folder = lake_dir.join(format!("silver/transactions/_created_month={month}-01"));
        std::fs::read_dir(&folder)
            .unwrap_or_else(|error| panic!("{}: {error}", folder.display()))
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "parquet"))
            .collect()
    }

    #[tokio::test]
    async fn a_silver_key_check_reads_only_the_rows_written_since_it_last_passed() {
        let dir = tempfile::tempdir().unwrap();
        let lake = Lake::open(dir.path().to_str().unwrap()).unwrap();
        let march = [
            ("T00000001", "2026-03-02"),
            ("T00000002", "2026-03-03"),
            ("T00000003", "2026-03-04"),
        ];
        let first = append_transactions(&lake, &march).await;

        // Never checked: the whole table is read, and the version is recorded with the outcome.
        let (unique, not_null) = check(&lake, None).await;
        assert!(unique.passed && not_null.passed, "{unique:?} {not_null:?}");
        assert_eq!(unique.table_version, Some(first));
        assert_eq!(unique.message, "(transaction_id) is unique");

        // Unchanged since it passed: nothing is read.
        let (unique, _) = check(&lake, Some(first)).await;
        assert!(unique.passed, "{unique:?}");
        assert!(
            unique.message.contains("no rows written since"),
            "{unique:?}"
        );

        // April's new key is counted across the table; March's file lies outside its range and
        // is skipped by its statistics: garbage in it is never read.
        let april = append_transactions(&lake, &[("T00000004", "2026-04-01")]).await;
        let march_files = files_of_month(dir.path(), "2026-03");
        assert_eq!(march_files.len(), 1);
        let march_bytes = std::fs::read(&march_files[0]).unwrap();
        std::fs::write(&march_files[0], b"not parquet").unwrap();
        let (unique, not_null) = check(&lake, Some(first)).await;
        assert!(unique.passed && not_null.passed, "{unique:?} {not_null:?}");
        assert_eq!(unique.table_version, Some(april));
        assert!(
            unique.message.contains(&format!(
                "among the rows of the 1 files written since version {first}"
            )),
            "{unique:?}"
        );
        // The whole table's check does read it.
        assert!(check_whole_fails(&lake).await);
        std::fs::write(&march_files[0], march_bytes).unwrap();

        // A key of March written again in May (its creation time changed at the source): the
        // duplicate is found from the May file, and keeps being found while it stays.
        let may = append_transactions(&lake, &[("T00000002", "2026-05-04")]).await;
        for _ in 0..2 {
            let (unique, not_null) = check(&lake, Some(april)).await;
            assert!(!unique.passed, "{unique:?}");
            assert_eq!(unique.failing_rows, 1);
            assert_eq!(unique.table_version, Some(may));
            assert!(not_null.passed, "{not_null:?}");
        }

        // A live file gone from storage fails the check without reading anything.
        std::fs::remove_file(&files_of_month(dir.path(), "2026-04")[0]).unwrap();
        let table = registry().get(Zone::Silver, "transactions").unwrap();
        let context = paylake_catalog::lake_session(&lake).await.unwrap();
        let outcomes = silver_key_checks(&lake, &context, table, Some(may), &BTreeSet::new())
            .await
            .unwrap();
        assert_eq!(outcomes.len(), 1);
        assert!(!outcomes[0].passed);
        assert!(
            outcomes[0].message.contains("1 files of version"),
            "{:?}",
            outcomes[0]
        );
    }

    /// Whether the whole-table key check of `silver.transactions` fails to read it.
    async fn check_whole_fails(lake: &Lake) -> bool {
        let table = registry().get(Zone::Silver, "transactions").unwrap();
        let context = paylake_catalog::lake_session(lake).await.unwrap();
        key_checks(
            &context,
            table,
            "silver.transactions",
            None,
            &BTreeSet::new(),
        )
        .await
        .is_err()
    }
}
