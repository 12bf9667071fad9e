//! Landing → bronze → silver on a temporary lake: ordering, deletes, late files, re-runs.

use std::path::Path;

use arrow::array::AsArray;
use arrow::datatypes::Decimal128Type;
use paylake_catalog::{lake_session, Lake};
use paylake_ingest::ingest_lake;
use paylake_ingest::rows::Value;
use paylake_ingest::sources::dms::{cdc_file_name, load_file_name, write_file, DmsChange};

const T0: i64 = 1_772_400_000_000_000;
const SECOND: i64 = 1_000_000;

fn rate(op: &'static str, at: i64, day: i32, currency: &str, unscaled: i128) -> DmsChange {
    DmsChange {
        op,
        commit_micros: at,
        values: vec![Value::Date(day), currency.into(), Value::Decimal(unscaled)],
    }
}

fn fx_folder(lake: &Path) -> std::path::PathBuf {
    lake.join("landing/aurora/public/fx_rates")
}

async fn silver_rates(lake: &Lake) -> Vec<(String, i128)> {
    let context = lake_session(lake).await.unwrap();
    let batches = context
        .sql("SELECT CAST(rate_date AS VARCHAR) || ' ' || currency, usd_rate FROM silver.fx_rates ORDER BY 1")
        .await
        .unwrap()
        .collect()
        .await
        .unwrap();
    let mut rows = Vec::new();
    for batch in batches {
        // DataFusion may hand strings back as Utf8View.
        let keys =
            arrow::compute::cast(batch.column(0), &arrow::datatypes::DataType::Utf8).unwrap();
        let keys = keys.as_string::<i32>();
        let rates = batch.column(1).as_primitive::<Decimal128Type>();
        for row in 0..batch.num_rows() {
            rows.push((keys.value(row).to_string(), rates.value(row)));
        }
    }
    rows
}

fn delta_log_count(lake: &Path) -> usize {
    ["bronze/fx_rates/_delta_log", "silver/fx_rates/_delta_log"]
        .iter()
        .map(|folder| std::fs::read_dir(lake.join(folder)).map_or(0, |entries| entries.count()))
        .sum()
}

/// A new lake whose fx_rates table has a DMS full load of `rows`.
fn lake_with_full_load(dir: &Path, rows: &[DmsChange]) -> (std::path::PathBuf, Lake) {
    let root = dir.join("lake");
    let lake = Lake::open(root.to_str().unwrap()).unwrap();
    write_file(
        &fx_folder(&root).join(load_file_name()),
        "fx_rates",
        rows,
        false,
    )
    .unwrap();
    (root, lake)
}

#[tokio::test]
async fn latest_change_per_key_wins_deletes_apply_and_late_files_never_go_back() {
    let dir = tempfile::tempdir().unwrap();
    // 20,514 is 2026-03-02.
    let (root, lake) = lake_with_full_load(
        dir.path(),
        &[
            rate("I", T0, 20_514, "EUR", 100_000_000),
            rate("I", T0, 20_514, "GBP", 120_000_000),
        ],
    );
    let folder = fx_folder(&root);
    write_file(
        &folder.join(cdc_file_name(T0 + 10 * SECOND)),
        "fx_rates",
        &[
            // Two changes of one key in one file: only the later reaches silver.
            rate("U", T0 + 2 * SECOND, 20_514, "EUR", 110_000_000),
            rate("U", T0 + 4 * SECOND, 20_514, "EUR", 115_000_000),
            rate("D", T0 + 5 * SECOND, 20_514, "GBP", 120_000_000),
            rate("I", T0 + 6 * SECOND, 20_515, "USD", 100_000_000),
        ],
        true,
    )
    .unwrap();
    let report = ingest_lake(&lake, &|_| {}).await.unwrap();
    assert_eq!(report.sources["aurora"].records_taken, 6);
    assert_eq!(
        silver_rates(&lake).await,
        vec![
            ("2026-03-02 EUR".to_string(), 115_000_000),
            ("2026-03-03 USD".to_string(), 100_000_000)
        ]
    );

    // A file delivered late, whose change is older than what silver holds, changes nothing.
    write_file(
        &folder.join(cdc_file_name(T0 + 5 * SECOND)),
        "fx_rates",
        &[rate("U", T0 + 3 * SECOND, 20_514, "EUR", 90_000_000)],
        true,
    )
    .unwrap();
    ingest_lake(&lake, &|_| {}).await.unwrap();
    assert_eq!(
        silver_rates(&lake).await[0],
        ("2026-03-02 EUR".to_string(), 115_000_000)
    );

    // Nothing new: no commit at all.
    let commits = delta_log_count(&root);
    let report = ingest_lake(&lake, &|_| {}).await.unwrap();
    assert_eq!(report.files_taken(), 0);
    assert_eq!(delta_log_count(&root), commits);
}

#[tokio::test]
async fn a_corrupt_file_is_quarantined_whole_and_the_others_are_taken() {
    let dir = tempfile::tempdir().unwrap();
    let (root, lake) =
        lake_with_full_load(dir.path(), &[rate("I", T0, 20_514, "EUR", 100_000_000)]);
    let folder = fx_folder(&root);
    std::fs::write(folder.join(cdc_file_name(T0 + SECOND)), b"PAR1 truncated").unwrap();
    let report = ingest_lake(&lake, &|_| {}).await.unwrap();
    let aurora = &report.sources["aurora"];
    assert_eq!((aurora.records_taken, aurora.records_quarantined), (1, 1));
    let context = lake_session(&lake).await.unwrap();
    let batches = context
        .sql("SELECT source_file, reason FROM quarantine.aurora")
        .await
        .unwrap()
        .collect()
        .await
        .unwrap();
    let reasons =
        arrow::compute::cast(batches[0].column(1), &arrow::datatypes::DataType::Utf8).unwrap();
    let reason = reasons.as_string::<i32>().value(0).to_string();
    assert!(reason.contains("not a readable parquet file"), "{reason}");
    // The corrupt file is recorded as taken: a re-run does not quarantine it again.
    let again = ingest_lake(&lake, &|_| {}).await.unwrap();
    assert_eq!(again.files_taken(), 0);
}

/// The `bronze_files_read` of silver.fx_rates's merge in an ingest report.
fn fx_files_read(report: &paylake_ingest::pipeline::IngestReport) -> Option<Option<usize>> {
    match report.silver.get("silver.fx_rates") {
        Some(paylake_ingest::silver::MergeOutcome::Merged {
            bronze_files_read, ..
        }) => Some(*bronze_files_read),
        _ => None,
    }
}

#[tokio::test]
async fn a_merge_after_the_first_reads_only_the_new_files_keys_and_a_late_insert_never_undoes_a_delete(
) {
    let dir = tempfile::tempdir().unwrap();
    let (root, lake) = lake_with_full_load(
        dir.path(),
        &[
            rate("I", T0, 20_514, "EUR", 100_000_000),
            rate("I", T0, 20_514, "GBP", 120_000_000),
        ],
    );
    let report = ingest_lake(&lake, &|_| {}).await.unwrap();
    assert_eq!(
        fx_files_read(&report),
        Some(None),
        "the first load reads all of bronze"
    );

    let folder = fx_folder(&root);
    for (offset, unscaled) in [(10, 110_000_000), (20, 111_000_000)] {
        write_file(
            &folder.join(cdc_file_name(T0 + offset * SECOND)),
            "fx_rates",
            &[rate("U", T0 + offset * SECOND, 20_514, "EUR", unscaled)],
            true,
        )
        .unwrap();
        let report = ingest_lake(&lake, &|_| {}).await.unwrap();
        assert_eq!(fx_files_read(&report), Some(Some(1)));
    }

    // Compaction between two merges rearranges bronze's files; the next merge still reads
    // only what is new.
    let bronze = paylake_catalog::registry().find("bronze.fx_rates").unwrap();
    paylake_catalog::maintenance::maintain_table(&lake, bronze, &Default::default())
        .await
        .unwrap()
        .unwrap();
    write_file(
        &folder.join(cdc_file_name(T0 + 30 * SECOND)),
        "fx_rates",
        &[rate("D", T0 + 30 * SECOND, 20_514, "GBP", 120_000_000)],
        true,
    )
    .unwrap();
    let report = ingest_lake(&lake, &|_| {}).await.unwrap();
    assert_eq!(fx_files_read(&report), Some(Some(1)));
    assert_eq!(
        silver_rates(&lake).await,
        vec![("2026-03-02 EUR".to_string(), 111_000_000)]
    );

    // A late file re-inserts GBP with a change older than its delete: the merge reads the
    // key's earlier changes, meets the delete, and GBP stays deleted.
    write_file(
        &folder.join(cdc_file_name(T0 + 25 * SECOND)),
        "fx_rates",
        &[rate("U", T0 + 25 * SECOND, 20_514, "GBP", 125_000_000)],
        true,
    )
    .unwrap();
    ingest_lake(&lake, &|_| {}).await.unwrap();
    assert_eq!(
        silver_rates(&lake).await,
        vec![("2026-03-02 EUR".to_string(), 111_000_000)]
    );
}

/// A stream record as DynamoDB Streams delivers it: `sequence` orders it, `status` is the
/// payment's state after the change.
fn payment_change(sequence: u32, payment: &str, status: &str) -> String {
    format!(
        r#"{{"eventID":"e{sequence}","eventName":"MODIFY","dynamodb":{{"ApproximateCreationDateTime":1772445600,"Keys":{{"payment_id":{{"S":"{payment}"}}}},"NewImage":{{"payment_id":{{"S":"{payment}"}},"status":{{"S":"{status}"}},"amount":{{"N":"12.50"}}}},"SequenceNumber":"{sequence}"}}}}"#
    )
}

/// Each silver payment as `id status`, by id.
async fn payment_statuses(lake: &Lake) -> Vec<String> {
    crate::support::lake::rows_joined(
        lake,
        "SELECT payment_id, status FROM silver.payments ORDER BY payment_id",
        " ",
    )
    .await
}

#[tokio::test]
async fn a_change_delivered_twice_reaches_silver_once() {
    let dir = tempfile::tempdir().unwrap();
    let lake = Lake::open(dir.path().to_str().unwrap()).unwrap();
    let shard = dir.path().join("landing/dynamodb/payments/shardId-1");
    std::fs::create_dir_all(&shard).unwrap();
    // Streams deliver at least once: the last change of P1 comes twice in one file and once
    // more in the next, each copy with the same sequence number.
    let repeated = payment_change(3, "P1", "captured");
    std::fs::write(
        shard.join("1-3.jsonl"),
        [
            payment_change(1, "P1", "authorized"),
            repeated.clone(),
            payment_change(2, "P2", "authorized"),
            repeated.clone(),
        ]
        .join("\n"),
    )
    .unwrap();
    std::fs::write(shard.join("3-3.jsonl"), format!("{repeated}\n")).unwrap();
    let report = ingest_lake(&lake, &|_| {}).await.unwrap();
    assert_eq!(report.sources["dynamodb"].records_taken, 5);
    let silver = payment_statuses(&lake).await;
    assert_eq!(silver, ["P1 captured", "P2 authorized"]);

    // A later merge meets the same repeats among the key's earlier changes.
    std::fs::write(
        shard.join("4-4.jsonl"),
        format!("{}\n", payment_change(4, "P1", "settled")),
    )
    .unwrap();
    ingest_lake(&lake, &|_| {}).await.unwrap();
    let silver = payment_statuses(&lake).await;
    assert_eq!(silver, ["P1 settled", "P2 authorized"]);
}

/// A ledger entry posted at `posted_micros`; `None` leaves every column but the key empty, as a
/// delete that carries only its key does.
fn entry(
    op: &'static str,
    at: i64,
    id: &str,
    amount: i128,
    posted_micros: Option<i64>,
) -> DmsChange {
    let values = match posted_micros {
        Some(posted) => vec![
            id.into(),
            "T1".into(),
            "A1".into(),
            "debit".into(),
            Value::Decimal(amount),
            "USD".into(),
            Value::TimestampMicros(posted),
        ],
        None => {
            let mut values = vec![Value::Null; 7];
            values[0] = id.into();
            values
        }
    };
    DmsChange {
        op,
        commit_micros: at,
        values,
    }
}

/// Microseconds of midnight UTC of the first of `month` 2026, plus `day` days.
fn in_month(month: u32, day: i64) -> i64 {
    chrono::NaiveDate::from_ymd_opt(2026, month, 1)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc()
        .timestamp_micros()
        + day * 86_400 * SECOND
}

fn entries_folder(lake: &Path) -> std::path::PathBuf {
    lake.join("landing/aurora/public/ledger_entries")
}

/// Silver's ledger entries as `id amount month`, sorted.
async fn silver_entries(lake: &Lake) -> Vec<String> {
    let context = lake_session(lake).await.unwrap();
    let batches = context
        .sql(
            "SELECT entry_id || ' ' || CAST(amount AS VARCHAR) || ' ' || CAST(_created_month AS VARCHAR) \
             FROM silver.ledger_entries ORDER BY 1",
        )
        .await
        .unwrap()
        .collect()
        .await
        .unwrap();
    batches
        .iter()
        .flat_map(|batch| {
            let texts =
                arrow::compute::cast(batch.column(0), &arrow::datatypes::DataType::Utf8).unwrap();
            let texts = texts.as_string::<i32>();
            (0..batch.num_rows())
                .map(|row| texts.value(row).to_string())
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The silver files silver.ledger_entries's merge read, from an ingest report.
fn entry_files_scanned(report: &paylake_ingest::pipeline::IngestReport) -> Option<usize> {
    match report.silver.get("silver.ledger_entries") {
        Some(paylake_ingest::silver::MergeOutcome::Merged {
            silver_files_scanned,
            ..
        }) => *silver_files_scanned,
        _ => None,
    }
}

/// The live files of silver.ledger_entries, relative to the table.
async fn silver_entry_files(lake: &Lake) -> std::collections::BTreeSet<String> {
    let table = paylake_catalog::registry()
        .get(paylake_catalog::Zone::Silver, "ledger_entries")
        .unwrap();
    let delta_table = paylake_catalog::delta::open_table(lake, table)
        .await
        .unwrap()
        .unwrap();
    delta_table
        .get_file_uris()
        .unwrap()
        .map(|uri| uri.rsplit("ledger_entries/").next().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_merge_reads_and_rewrites_only_the_months_its_changes_reach() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("lake");
    let lake = Lake::open(root.to_str().unwrap()).unwrap();
    let folder = entries_folder(&root);
    write_file(
        &folder.join(load_file_name()),
        "ledger_entries",
        &[
            entry("I", T0, "E2", 100, Some(in_month(1, 3))),
            entry("I", T0, "E3", 200, Some(in_month(2, 3))),
            entry("I", T0, "E1", 300, Some(in_month(3, 3))),
        ],
        false,
    )
    .unwrap();
    ingest_lake(&lake, &|_| {}).await.unwrap();
    assert_eq!(
        silver_entries(&lake).await,
        [
            "E1 3.00 2026-03-01",
            "E2 1.00 2026-01-01",
            "E3 2.00 2026-02-01"
        ]
    );
    let files_before = silver_entry_files(&lake).await;
    assert_eq!(files_before.len(), 3, "a file per month: {files_before:?}");

    // A change of March's entry and a new March entry. Their keys span every file's key range,
    // so the key alone would rewrite every file; matched on the month too, only March's is.
    write_file(
        &folder.join(cdc_file_name(T0 + 10 * SECOND)),
        "ledger_entries",
        &[
            entry("U", T0 + SECOND, "E1", 350, Some(in_month(3, 3))),
            entry("I", T0 + 2 * SECOND, "E9", 400, Some(in_month(3, 20))),
        ],
        true,
    )
    .unwrap();
    let report = ingest_lake(&lake, &|_| {}).await.unwrap();
    assert_eq!(
        entry_files_scanned(&report),
        Some(1),
        "only March's file is read"
    );
    assert_eq!(
        silver_entries(&lake).await,
        [
            "E1 3.50 2026-03-01",
            "E2 1.00 2026-01-01",
            "E3 2.00 2026-02-01",
            "E9 4.00 2026-03-01"
        ]
    );
    let files_after = silver_entry_files(&lake).await;
    let kept: Vec<&String> = files_before.intersection(&files_after).collect();
    assert_eq!(
        kept.len(),
        2,
        "January's and February's files stay: {kept:?}"
    );
    assert!(
        kept.iter().all(|file| !file.contains("2026-03")),
        "{kept:?}"
    );

    // A delete that carries only its key has no month: it is looked for in every month.
    write_file(
        &folder.join(cdc_file_name(T0 + 20 * SECOND)),
        "ledger_entries",
        &[entry("D", T0 + 3 * SECOND, "E2", 0, None)],
        true,
    )
    .unwrap();
    let report = ingest_lake(&lake, &|_| {}).await.unwrap();
    // Every month's files are candidates, pruned by key range only: January's (E2) and
    // March's (E1 to E9) can hold E2, February's (E3) cannot.
    assert_eq!(entry_files_scanned(&report), Some(2));
    assert_eq!(
        silver_entries(&lake).await,
        [
            "E1 3.50 2026-03-01",
            "E3 2.00 2026-02-01",
            "E9 4.00 2026-03-01"
        ]
    );
}

#[tokio::test]
async fn a_silver_table_written_before_it_was_partitioned_is_rebuilt_by_month_with_its_rows() {
    use deltalake::protocol::SaveMode;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("lake");
    let lake = Lake::open(root.to_str().unwrap()).unwrap();
    write_file(
        &entries_folder(&root).join(load_file_name()),
        "ledger_entries",
        &[
            entry("I", T0, "E1", 100, Some(in_month(1, 3))),
            entry("I", T0, "E2", 200, Some(in_month(2, 3))),
        ],
        false,
    )
    .unwrap();
    ingest_lake(&lake, &|_| {}).await.unwrap();
    let partitioned = silver_entries(&lake).await;

    // The layout of an earlier paylake: the same rows, no month column, no partitions.
    let table = paylake_catalog::registry()
        .get(paylake_catalog::Zone::Silver, "ledger_entries")
        .unwrap();
    let delta_table = paylake_catalog::delta::open_table(&lake, table)
        .await
        .unwrap()
        .unwrap();
    let context = datafusion::prelude::SessionContext::new();
    context
        .register_table(
            "silver_entries",
            delta_table.table_provider().await.unwrap(),
        )
        .unwrap();
    let unpartitioned_rows = context
        .sql("SELECT * EXCEPT (_created_month) FROM silver_entries")
        .await
        .unwrap()
        .collect()
        .await
        .unwrap();
    let old_layout = delta_table
        .write(unpartitioned_rows)
        .with_save_mode(SaveMode::Overwrite)
        .with_schema_mode(deltalake::operations::write::SchemaMode::Overwrite)
        .with_partition_columns(Vec::<String>::new())
        .await
        .unwrap();
    assert!(old_layout
        .snapshot()
        .unwrap()
        .metadata()
        .partition_columns()
        .is_empty());

    // Nothing new landed, yet the next ingest lays silver out by month, with the same rows.
    ingest_lake(&lake, &|_| {}).await.unwrap();
    let rebuilt = paylake_catalog::delta::open_table(&lake, table)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        rebuilt.snapshot().unwrap().metadata().partition_columns(),
        &vec!["_created_month".to_string()]
    );
    assert_eq!(silver_entries(&lake).await, partitioned);
    assert_eq!(silver_entry_files(&lake).await.len(), 2);
}

#[tokio::test]
async fn bronze_lies_in_ingest_months_and_compacting_the_current_month_leaves_the_others_alone() {
    use paylake_catalog::maintenance::{maintain_table, Compaction, MaintenanceSettings};
    use paylake_catalog::{registry, Zone};
    use paylake_ingest::ingest_lake_with;
    use paylake_ingest::pii::EmbeddedPiiDetector;
    let dir = tempfile::tempdir().unwrap();
    let (root, lake) = lake_with_full_load(dir.path(), &[rate("I", T0, 20_514, "EUR", 1)]);
    let ingest_at = |day: &str| {
        let time: chrono::DateTime<chrono::Utc> = format!("{day}T07:00:00Z").parse().unwrap();
        Some(time)
    };
    // Two days of March, then two of April, a file each.
    for (index, day) in ["2026-03-30", "2026-03-31", "2026-04-01", "2026-04-02"]
        .into_iter()
        .enumerate()
    {
        if index > 0 {
            let at = T0 + (index as i64) * SECOND;
            write_file(
                &fx_folder(&root).join(cdc_file_name(at)),
                "fx_rates",
                &[rate("U", at, 20_514, "EUR", index as i128 + 1)],
                true,
            )
            .unwrap();
        }
        ingest_lake_with(&lake, &EmbeddedPiiDetector, ingest_at(day), &|_| {})
            .await
            .unwrap();
    }
    let bronze = registry().get(Zone::Bronze, "fx_rates").unwrap();
    // The live files of a month's partition.
    let files_in = |month: &'static str| {
        let lake = &lake;
        async move {
            let table = paylake_catalog::delta::open_table(lake, bronze)
                .await
                .unwrap()
                .unwrap();
            let folder = format!("_ingest_month={month}/");
            paylake_catalog::delta::live_file_paths(&table)
                .unwrap()
                .into_iter()
                .filter(|path| path.starts_with(&folder))
                .collect::<std::collections::BTreeSet<_>>()
        }
    };
    assert_eq!(files_in("2026-03-01").await.len(), 2);
    assert_eq!(files_in("2026-04-01").await.len(), 2);
    assert_eq!(
        crate::support::lake::rows(
            &lake,
            "SELECT CAST(_ingest_month AS VARCHAR), count(*) FROM bronze.fx_rates GROUP BY 1 ORDER BY 1"
        )
        .await,
        vec!["2026-03-01 2", "2026-04-01 2"]
    );

    // Compaction packs each month's small files; March, closed, is never written again.
    let settings = MaintenanceSettings::default();
    let first = maintain_table(&lake, bronze, &settings)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(first.compaction, Compaction::Minor);
    let march = files_in("2026-03-01").await;
    assert_eq!(march.len(), 1);
    let at = T0 + 9 * SECOND;
    write_file(
        &fx_folder(&root).join(cdc_file_name(at)),
        "fx_rates",
        &[rate("U", at, 20_514, "EUR", 9)],
        true,
    )
    .unwrap();
    ingest_lake_with(
        &lake,
        &EmbeddedPiiDetector,
        ingest_at("2026-04-03"),
        &|_| {},
    )
    .await
    .unwrap();
    let second = maintain_table(&lake, bronze, &settings)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (second.compaction, second.files_compacted),
        (Compaction::Minor, 2)
    );
    assert_eq!(files_in("2026-03-01").await, march);
    assert_eq!(files_in("2026-04-01").await.len(), 1);
    assert_eq!(silver_rates(&lake).await[0].1, 9);
}
