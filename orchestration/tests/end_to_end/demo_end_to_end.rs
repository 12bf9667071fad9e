//! The demo at small scale, end to end, through the `paylake` binary as a user runs it.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::support;

fn paylake(args: &[&str]) -> String {
    support::run(support::paylake_command().args(args).env(
        "PAYLAKE_OFAC_SDN_CSV",
        support::shared_data("sanctions/ofac-2022-01-31/sdn.csv"),
    ))
}

/// Files in every `_delta_log` below the lake: a commit adds one.
fn delta_log_files(lake: &Path) -> BTreeSet<PathBuf> {
    let mut files = BTreeSet::new();
    let mut folders = vec![lake.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                folders.push(path);
            } else if path
                .parent()
                .is_some_and(|parent| parent.ends_with("_delta_log"))
            {
                files.insert(path);
            }
        }
    }
    files
}

#[test]
fn demo_finds_exactly_the_injected_ctr_cases_and_reingest_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let lake = dir.path().join("lake");
    let lake_arg = lake.to_str().unwrap();
    let summary = paylake(&[
        "demo",
        "--lake",
        lake_arg,
        "--days",
        "5",
        "--payments-per-day",
        "120",
    ]);
    assert!(summary.contains("reports:"), "{summary}");
    // The demo files its period: the daily CTR schedule caught up from the first date (one
    // tick a day, 2026-03-02 to the day after the last), the AML report of the whole period.
    let ctr_ticks = summary
        .lines()
        .filter(|line| line.trim_start().starts_with("ctr-daily"))
        .count();
    assert_eq!(ctr_ticks, 6, "{summary}");
    assert!(lake
        .join("exports/fincen-ctr_2026-03-06_2026-03-06/manifest.json")
        .exists());
    assert!(lake
        .join("reports/aml/period-2026-03-02_2026-03-06.html")
        .exists());
    for day in 2..=6 {
        let report = lake.join(format!("reports/aml/2026-03-0{day}.html"));
        assert!(report.exists(), "missing {}", report.display());
    }

    // gold.ctr_candidates equals the simulator's truth: no miss, no extra, same totals.
    let truth_text =
        std::fs::read_to_string(lake.join("landing/_truth/ctr_candidates.csv")).unwrap();
    let truth: BTreeSet<Vec<String>> = support::csv_rows(&truth_text).into_iter().collect();
    assert!(
        truth.len() >= 10,
        "the simulation injects CTR cases every day: {truth:?}"
    );
    let gold = paylake(&[
        "sql",
        "--lake",
        lake_arg,
        "--format",
        "csv",
        "SELECT CAST(business_date AS VARCHAR), customer_id, direction, \
         CAST(total_amount_usd AS VARCHAR), CAST(transaction_count AS VARCHAR) \
         FROM gold.ctr_candidates ORDER BY 1, 2, 3",
    ]);
    let gold: BTreeSet<Vec<String>> = support::csv_rows(&gold).into_iter().collect();
    assert_eq!(gold, truth);

    // Every candidate, with each of its transactions, is in the report of its date.
    let evidence = paylake(&[
        "sql",
        "--lake",
        lake_arg,
        "--format",
        "csv",
        "SELECT CAST(business_date AS VARCHAR), customer_id, array_to_string(transaction_ids, ' ') \
         FROM gold.ctr_candidates ORDER BY 1, 2",
    ]);
    let evidence = support::csv_rows(&evidence);
    assert_eq!(evidence.len(), gold.len(), "{evidence:?}");
    for candidate in &evidence {
        let (date, customer, transactions) = (&candidate[0], &candidate[1], &candidate[2]);
        let report =
            std::fs::read_to_string(lake.join(format!("reports/aml/{date}.html"))).unwrap();
        assert!(
            report.contains(customer.as_str()),
            "the report of {date} lacks {customer}"
        );
        for transaction in transactions.split(' ') {
            assert!(
                report.contains(transaction),
                "the report of {date} lacks {customer}'s transaction {transaction}"
            );
        }
    }

    // Re-running ingest over the same files commits nothing.
    // The simulated ledger balances and its bank statements add up, every date.
    let integrity = paylake(&[
        "sql",
        "--lake",
        lake_arg,
        "--format",
        "csv",
        "SELECT check_type, status, count(*) FROM gold.ledger_integrity GROUP BY 1, 2 ORDER BY 1, 2",
    ]);
    let integrity = support::csv_rows(&integrity);
    assert_eq!(integrity.len(), 2, "{integrity:?}");
    assert!(integrity.iter().all(|row| row[1] == "ok"), "{integrity:?}");

    let before = delta_log_files(&lake);
    let again = paylake(&["ingest", "--lake", lake_arg]);
    assert!(again.contains("aurora"), "{again}");
    assert_eq!(delta_log_files(&lake), before, "a second ingest committed");

    // A malformed record lands in quarantine with its reason; the rest of the file is taken.
    let shard = lake.join("landing/dynamodb/payments/shardId-00000001700000000000-00000099");
    std::fs::create_dir_all(&shard).unwrap();
    let good = r#"{"eventID":"x1","eventName":"INSERT","dynamodb":{"ApproximateCreationDateTime":1772445600,"Keys":{"payment_id":{"S":"PTEST1"}},"NewImage":{"payment_id":{"S":"PTEST1"},"amount":{"N":"12.50"},"currency":{"S":"USD"},"status":{"S":"created"}},"SequenceNumber":"900000000000000000000001"}}"#;
    let bad_amount = good.replace("PTEST1", "PTEST2").replace("12.50", "twelve");
    std::fs::write(
        shard.join("900.jsonl"),
        format!("{good}\n{{\"eventName\": \n{bad_amount}\n"),
    )
    .unwrap();
    paylake(&["ingest", "--lake", lake_arg]);
    let quarantined = paylake(&[
        "sql",
        "--lake",
        lake_arg,
        "--format",
        "csv",
        "SELECT source_position, reason FROM quarantine.dynamodb ORDER BY source_position",
    ]);
    let rows = support::csv_rows(&quarantined);
    assert_eq!(rows.len(), 2, "{quarantined}");
    assert!(
        quarantined.contains("line 2: malformed JSON"),
        "{quarantined}"
    );
    assert!(
        quarantined.contains("line 3: field 'amount'"),
        "{quarantined}"
    );
    let taken = paylake(&[
        "sql",
        "--lake",
        lake_arg,
        "--format",
        "csv",
        "SELECT amount FROM silver.payments WHERE payment_id = 'PTEST1'",
    ]);
    assert_eq!(support::csv_rows(&taken), vec![vec!["12.50".to_string()]]);

    // read = taken + quarantined, per run and source.
    let balance = paylake(&[
        "sql",
        "--lake",
        lake_arg,
        "--format",
        "csv",
        "SELECT count(*) FROM system.ingest_runs \
         WHERE records_read <> records_taken + records_quarantined",
    ]);
    assert_eq!(support::csv_rows(&balance), vec![vec!["0".to_string()]]);
}

#[test]
fn the_genkgo_camt053_sample_is_flagged_where_its_balances_do_not_add_up() {
    let dir = tempfile::tempdir().unwrap();
    let lake = dir.path().join("lake");
    let lake_arg = lake.to_str().unwrap();
    let samples: Vec<String> = ["camt053.v2.minimal.xml", "camt053.v8.xml"]
        .iter()
        .map(|name| {
            support::shared_data(&format!("bank/camt053/{name}"))
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    let mut load = vec!["load", "--lake", lake_arg, "--kind", "camt053"];
    load.extend(samples.iter().map(String::as_str));
    paylake(&load);
    paylake(&["run", "--lake", lake_arg, "--date", "2014-12-30"]);
    // The sample's opening balance (18.15 CR) and its two booked entries (17.70 net) do not
    // reach its closing balance (27.00 DR): a real statement like it must not pass unseen.
    let checks = paylake(&[
        "sql",
        "--lake",
        lake_arg,
        "--format",
        "csv",
        "SELECT check_type, CAST(difference AS VARCHAR), status FROM gold.ledger_integrity",
    ]);
    assert_eq!(
        support::csv_rows(&checks),
        vec![vec![
            "statement_balance".to_string(),
            "62.85".to_string(),
            "violation".to_string()
        ]]
    );
    // The violation is a reconciliation break too, carried until written off.
    let breaks = paylake(&[
        "sql",
        "--lake",
        lake_arg,
        "--format",
        "csv",
        "SELECT field, CAST(difference AS VARCHAR), status FROM gold.recon_breaks \
         WHERE category = 'integrity_violation'",
    ]);
    assert_eq!(
        support::csv_rows(&breaks),
        vec![vec![
            "statement_balance".to_string(),
            "62.85".to_string(),
            "open".to_string()
        ]]
    );
}
