//! Golden-file tests of the SQL jobs: each folder under `tests/golden/<gold table>/` holds the
//! input tables as `<zone>.<table>.csv`, a `case.toml` with the business date and time zone,
//! and `expected.csv`, the gold rows of that date. Missing input columns are null (lineage
//! columns get placeholders).

use std::path::Path;
use std::sync::Arc;

use arrow::array::{new_null_array, ArrayRef, Int64Array, StringArray};
use arrow::datatypes::{DataType, Schema};
use arrow::record_batch::RecordBatch;
use chrono::NaiveDate;
use paylake_catalog::delta::{append, open_or_create_table};
use paylake_catalog::{lake_session, registry, Lake, TableDef};
use paylake_transforms::aml::ctr::build_ctr_candidates;
use paylake_transforms::aml::suite::build_aml_alerts;
use paylake_transforms::aml::AmlRules;
use paylake_transforms::finance_rules::FinanceRules;
use paylake_transforms::recon::integrity::build_ledger_integrity;
use paylake_transforms::recon::reconciliation::build_reconciliation;
use paylake_transforms::BusinessDay;

#[derive(serde::Deserialize)]
struct Case {
    business_date: NaiveDate,
    timezone: String,
    /// The columns compared, when not all of them.
    #[serde(default)]
    columns: Option<Vec<String>>,
    /// The folder of the input tables, relative to the case, when another case's.
    #[serde(default)]
    inputs: Option<String>,
}

/// Reads an input CSV with the registry types of the columns it has.
fn load_csv(path: &Path, table: &TableDef) -> RecordBatch {
    let text = std::fs::read_to_string(path).unwrap();
    let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
    let fields: Vec<_> = header
        .iter()
        .map(|name| {
            table
                .schema
                .field_with_name(name)
                .unwrap_or_else(|_| panic!("{} has no column {name}", table.qualified_name()))
                .clone()
                .with_nullable(true)
        })
        .collect();
    let partial_schema = Arc::new(Schema::new(fields));
    let mut reader = arrow::csv::ReaderBuilder::new(partial_schema)
        .with_header(true)
        .build(std::io::Cursor::new(text.clone()))
        .unwrap();
    let partial = reader.next().unwrap().unwrap();
    let rows = partial.num_rows();
    let columns: Vec<ArrayRef> = table
        .schema
        .fields()
        .iter()
        .map(|field| match partial.column_by_name(field.name()) {
            Some(column) => column.clone(),
            None if field.is_nullable() => new_null_array(field.data_type(), rows),
            None => match field.data_type() {
                DataType::Int64 => Arc::new(Int64Array::from(vec![0; rows])) as ArrayRef,
                _ => Arc::new(StringArray::from(vec!["golden"; rows])) as ArrayRef,
            },
        })
        .collect();
    RecordBatch::try_new(table.schema.clone(), columns).unwrap()
}

/// Appends every `<zone>.<table>.csv` of `folder` to its table in `lake`.
async fn load_inputs(lake: &Lake, folder: &Path) {
    for entry in std::fs::read_dir(folder).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(table_name) = name.strip_suffix(".csv").filter(|name| name.contains('.')) else {
            continue;
        };
        let table = registry().find(table_name).unwrap();
        let batch = load_csv(&entry.path(), table);
        let delta_table = open_or_create_table(lake, table).await.unwrap();
        append(delta_table, table, vec![batch], vec![])
            .await
            .unwrap();
    }
}

async fn run_case(folder: &Path) {
    let job = folder.file_name().unwrap().to_str().unwrap().to_string();
    let case: Case =
        toml::from_str(&std::fs::read_to_string(folder.join("case.toml")).unwrap()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let lake = Lake::open(dir.path().to_str().unwrap()).unwrap();
    load_inputs(&lake, &folder.join(case.inputs.as_deref().unwrap_or("."))).await;
    let day = BusinessDay::new(case.business_date, &case.timezone).unwrap();
    build(&job, &lake, &day).await;

    let table = registry().find(&format!("gold.{job}")).unwrap();
    let columns: Vec<String> = table
        .schema
        .fields()
        .iter()
        .filter(|field| {
            field.name() == "business_date"
                || case
                    .columns
                    .as_ref()
                    .is_none_or(|columns| columns.contains(field.name()))
        })
        .map(|field| match field.data_type() {
            DataType::List(_) => format!("array_to_string({0}, ', ') AS {0}", field.name()),
            _ => format!("CAST({0} AS VARCHAR) AS {0}", field.name()),
        })
        .collect();
    let key_order = match &case.columns {
        Some(columns) => columns.join(", "),
        None => table.key.join(", "),
    };
    // business_date first, as the expected files read.
    let query = format!(
        "SELECT business_date, * EXCLUDE (business_date) FROM (SELECT {} FROM gold.{job} \
         WHERE business_date = DATE '{}' ORDER BY {key_order})",
        columns.join(", "),
        case.business_date
    );
    let context = lake_session(&lake).await.unwrap();
    let batches = context.sql(&query).await.unwrap().collect().await.unwrap();
    let mut actual = Vec::new();
    {
        let mut writer = arrow::csv::WriterBuilder::new()
            .with_header(true)
            .build(&mut actual);
        for batch in &batches {
            writer.write(batch).unwrap();
        }
    }
    let expected = std::fs::read_to_string(folder.join("expected.csv")).unwrap();
    assert_eq!(
        String::from_utf8(actual).unwrap(),
        expected,
        "golden case {}",
        folder.display()
    );

    // Rebuilding the same date gives the same rows, not twice the rows.
    build(&job, &lake, &day).await;
    let again = lake_session(&lake).await.unwrap();
    let rows = again
        .sql(&format!("SELECT * FROM gold.{job}"))
        .await
        .unwrap()
        .count()
        .await
        .unwrap();
    assert_eq!(
        rows,
        expected.lines().count() - 1,
        "a rebuild duplicated rows"
    );
}

/// Runs the job that builds `gold.<job>`, and the jobs it reads from.
async fn build(job: &str, lake: &Lake, day: &BusinessDay) {
    let rules = AmlRules::defaults();
    let context = lake_session(lake).await.unwrap();
    match job {
        "ctr_candidates" => {
            build_ctr_candidates(lake, &context, day).await.unwrap();
        }
        "aml_alerts" => {
            build_aml_alerts(lake, &context, day, &rules).await.unwrap();
        }
        "ledger_integrity" => {
            build_ledger_integrity(lake, &context, day).await.unwrap();
        }
        "recon_breaks" | "recon_matches" => {
            build_ledger_integrity(lake, &context, day).await.unwrap();
            build_reconciliation(lake, &context, day, &FinanceRules::defaults())
                .await
                .unwrap();
        }
        other => panic!("no job builds gold.{other}"),
    }
}

#[tokio::test]
async fn every_golden_case_matches_its_expected_rows() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let mut cases = 0;
    for entry in std::fs::read_dir(&root).unwrap().flatten() {
        if entry.path().is_dir() {
            run_case(&entry.path()).await;
            cases += 1;
        }
    }
    assert!(cases >= 1);
}

#[tokio::test]
async fn cash_without_a_rate_stops_the_job_with_the_currency_named() {
    let dir = tempfile::tempdir().unwrap();
    let lake = Lake::open(dir.path().join("lake").to_str().unwrap()).unwrap();
    let input = dir.path().join("silver.transactions.csv");
    std::fs::write(
        &input,
        "transaction_id,customer_id,transaction_type,amount,currency,status,created_at\n\
         T1,C1,cash_deposit,2000000.00,JPY,posted,2026-03-02T15:00:00Z\n",
    )
    .unwrap();
    let table = registry().find("silver.transactions").unwrap();
    let delta_table = open_or_create_table(&lake, table).await.unwrap();
    append(delta_table, table, vec![load_csv(&input, table)], vec![])
        .await
        .unwrap();
    let day = BusinessDay::new(
        NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(),
        "America/New_York",
    )
    .unwrap();
    let context = lake_session(&lake).await.unwrap();
    let err = build_ctr_candidates(&lake, &context, &day)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("2026-03-02") && err.contains("JPY"), "{err}");
}

/// Rows of `sql` as text, a line per row with the columns joined by commas.
async fn lines(lake: &Lake, sql: &str) -> Vec<String> {
    let context = lake_session(lake).await.unwrap();
    let batches = context.sql(sql).await.unwrap().collect().await.unwrap();
    let mut lines = Vec::new();
    for batch in &batches {
        for row in 0..batch.num_rows() {
            let cells: Vec<String> = batch
                .columns()
                .iter()
                .map(|column| arrow::util::display::array_value_to_string(column, row).unwrap())
                .collect();
            lines.push(cells.join(","));
        }
    }
    lines
}

/// Records finance's decisions (break id, sequence, business date, action, from, to, counter
/// item) as events of decisions.break_events, as `paylake break` would.
async fn decide(lake: &Lake, folder: &Path, events: &[(&str, i64, &str, &str, &str, &str, &str)]) {
    let mut csv = String::from(
        "event_id,break_id,sequence,business_date,action,from_state,to_state,actor,role,counter_item,event_time\n",
    );
    for (break_id, sequence, date, action, from, to, counter_item) in events {
        csv.push_str(&format!(
            "BRK-{break_id}-E{sequence:04},{break_id},{sequence},{date},{action},{from},{to},sofia,finance,{counter_item},2026-03-20T12:00:00Z\n"
        ));
    }
    let path = folder.join("decisions.break_events.csv");
    std::fs::write(&path, csv).unwrap();
    let table = registry().find("decisions.break_events").unwrap();
    let delta_table = open_or_create_table(lake, table).await.unwrap();
    append(delta_table, table, vec![load_csv(&path, table)], vec![])
        .await
        .unwrap();
}

async fn reconcile(lake: &Lake, date: NaiveDate, rules: &FinanceRules) {
    let day = BusinessDay::new(date, "UTC").unwrap();
    let context = lake_session(lake).await.unwrap();
    build_ledger_integrity(lake, &context, &day).await.unwrap();
    build_reconciliation(lake, &context, &day, rules)
        .await
        .unwrap();
}

fn march(day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, day).unwrap()
}

#[tokio::test]
async fn a_break_settled_by_a_person_is_a_manual_match_or_a_write_off_on_the_decisions_date() {
    let inputs = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/recon_breaks");
    let dir = tempfile::tempdir().unwrap();
    let lake = Lake::open(dir.path().join("lake").to_str().unwrap()).unwrap();
    load_inputs(&lake, &inputs).await;
    let rules = FinanceRules::defaults();
    reconcile(&lake, march(10), &rules).await;
    let break_of = |reference: &'static str| {
        let lake = &lake;
        async move {
            lines(
                lake,
                &format!(
                    "SELECT break_id FROM gold.recon_breaks WHERE business_date = DATE '2026-03-10' \
                     AND reference = '{reference}' AND category IN ('duplicate', 'amount_mismatch')"
                ),
            )
            .await
            .remove(0)
        }
    };
    let duplicate = break_of("P01").await;
    let mismatch = break_of("P03").await;
    decide(
        &lake,
        dir.path(),
        &[
            (
                &duplicate,
                1,
                "2026-03-10",
                "match",
                "open",
                "matched",
                "L01-refund",
            ),
            (
                &mismatch,
                1,
                "2026-03-10",
                "write_off",
                "open",
                "written_off",
                "",
            ),
        ],
    )
    .await;
    reconcile(&lake, march(10), &rules).await;

    // On the decision's date: a manual match naming the counter-item and the decision...
    let manual = lines(
        &lake,
        "SELECT rule_id, stage, reference, right_reference, decision_id FROM gold.recon_matches \
         WHERE business_date = DATE '2026-03-10' AND rule_id = 'manual'",
    )
    .await;
    assert_eq!(
        manual,
        [format!("manual,0,P01,L01-refund,BRK-{duplicate}-E0001")]
    );
    // ...the write-off shown once with its decision, the matched break gone.
    let settled = lines(
        &lake,
        &format!(
            "SELECT break_id, status, decision_id FROM gold.recon_breaks \
             WHERE business_date = DATE '2026-03-10' AND break_id IN ('{duplicate}', '{mismatch}')"
        ),
    )
    .await;
    assert_eq!(
        settled,
        [format!("{mismatch},written_off,BRK-{mismatch}-E0001")]
    );
    // The next date carries neither and matches nothing by hand again.
    reconcile(&lake, march(11), &rules).await;
    let next_day = lines(
        &lake,
        &format!(
            "SELECT break_id FROM gold.recon_breaks WHERE business_date = DATE '2026-03-11' \
             AND break_id IN ('{duplicate}', '{mismatch}') \
             UNION ALL SELECT match_id FROM gold.recon_matches \
             WHERE business_date = DATE '2026-03-11' AND rule_id = 'manual'"
        ),
    )
    .await;
    assert!(next_day.is_empty(), "{next_day:?}");
}

#[tokio::test]
async fn a_break_past_the_write_off_age_is_carried_until_a_person_writes_it_off() {
    let inputs = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/recon_breaks");
    let dir = tempfile::tempdir().unwrap();
    let lake = Lake::open(dir.path().join("lake").to_str().unwrap()).unwrap();
    load_inputs(&lake, &inputs).await;
    let mut rules = FinanceRules::defaults();
    rules.breaks.write_off_after_days = 2;
    let status_of_p06 = |date: NaiveDate| {
        let lake = &lake;
        async move {
            lines(
                lake,
                &format!(
                    "SELECT break_id, status, age_days FROM gold.recon_breaks \
                     WHERE business_date = DATE '{date}' AND reference = 'P06'"
                ),
            )
            .await
        }
    };
    // P06's currency mismatch arose on 03-09: open at age 1, due for write-off at 2, and
    // carried on past the items the match reads while nobody decides.
    for day in 10..=13 {
        reconcile(&lake, march(day), &rules).await;
    }
    let carried = status_of_p06(march(13)).await;
    assert_eq!(carried.len(), 1, "{carried:?}");
    let break_id = carried[0].split(',').next().unwrap().to_string();
    assert_eq!(carried[0], format!("{break_id},write_off_due,4"));
    assert_eq!(
        status_of_p06(march(10)).await,
        [format!("{break_id},open,1")]
    );

    decide(
        &lake,
        dir.path(),
        &[(
            &break_id,
            1,
            "2026-03-14",
            "write_off",
            "open",
            "written_off",
            "",
        )],
    )
    .await;
    reconcile(&lake, march(14), &rules).await;
    reconcile(&lake, march(15), &rules).await;
    assert_eq!(
        status_of_p06(march(14)).await,
        [format!("{break_id},written_off,5")]
    );
    assert!(status_of_p06(march(15)).await.is_empty());
}
