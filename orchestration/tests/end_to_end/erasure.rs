//! `paylake erase`: refused inside the retention period with the legal reason, refused to a role
//! without the permission, and once the retention has run out, the customer's personal data is
//! gone from every zone, older versions and the landing copy included, and the event recorded.

use std::path::Path;

use chrono::TimeZone;
use paylake_ingest::rows::Value;
use paylake_ingest::sources::dms::{write_file, DmsChange};

use crate::support;

fn paylake(args: &[&str]) -> String {
    support::run(support::paylake_command().args(args))
}

fn micros(year: i32, month: u32, day: u32) -> i64 {
    chrono::Utc
        .with_ymd_and_hms(year, month, day, 12, 0, 0)
        .unwrap()
        .timestamp_micros()
}

/// Closes every account of `customer` by a DMS change file committed on `closed_on`.
fn close_accounts(lake: &str, customer: &str, closed_on: (i32, u32, u32)) {
    let accounts = support::sorted_rows(
        lake,
        &format!(
            "SELECT account_id, account_type, currency FROM silver.accounts \
             WHERE customer_id = '{customer}'"
        ),
    );
    assert!(!accounts.is_empty(), "{customer} holds accounts");
    let closed = micros(closed_on.0, closed_on.1, closed_on.2);
    let changes: Vec<DmsChange> = accounts
        .iter()
        .map(|line| {
            let fields: Vec<&str> = line.split(',').collect();
            DmsChange {
                op: "U",
                commit_micros: closed,
                values: vec![
                    Value::from(fields[0]),
                    Value::from(customer),
                    Value::from(fields[1]),
                    Value::from(fields[2]),
                    Value::from("closed"),
                    Value::TimestampMicros(micros(2019, 1, 7)),
                    Value::TimestampMicros(closed),
                ],
            }
        })
        .collect();
    let file = Path::new(lake).join(format!(
        "landing/aurora/public/accounts/{}{:02}{:02}-120000000-{customer}.parquet",
        closed_on.0, closed_on.1, closed_on.2
    ));
    write_file(&file, "accounts", &changes, true).unwrap();
}

/// Every landing file under `folder` whose bytes hold `text`.
/// Whether a file holds `text`: in any value of any column of a Parquet file (whose pages are
/// compressed, so its bytes would not show it), anywhere in any other file.
fn file_holds_text(path: &Path, text: &str) -> bool {
    if path
        .extension()
        .is_some_and(|extension| extension == "parquet")
    {
        let opened = std::fs::File::open(path).unwrap();
        let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(opened)
            .unwrap()
            .build()
            .unwrap();
        return reader.map(Result::unwrap).any(|batch| {
            batch.columns().iter().any(|column| {
                (0..column.len()).any(|row| {
                    arrow::util::display::array_value_to_string(column, row)
                        .unwrap()
                        .contains(text)
                })
            })
        });
    }
    String::from_utf8_lossy(&std::fs::read(path).unwrap()).contains(text)
}

/// The files under `folder` (the simulator's truth aside) that hold `text`.
fn files_holding(folder: &Path, text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut folders: Vec<_> = folder
        .exists()
        .then(|| folder.to_path_buf())
        .into_iter()
        .collect();
    while let Some(current) = folders.pop() {
        for entry in std::fs::read_dir(&current).unwrap().flatten() {
            let path = entry.path();
            // The simulator's labels are the test's truth, not the processor's records.
            if path.ends_with("_truth") {
                continue;
            }
            if path.is_dir() {
                folders.push(path);
            } else if file_holds_text(&path, text) {
                found.push(path.display().to_string());
            }
        }
    }
    found
}

#[test]
fn erasure_is_refused_inside_the_retention_and_removes_the_customer_everywhere_after_it() {
    let dir = tempfile::tempdir().unwrap();
    let lake_path = dir.path().join("lake");
    let lake = lake_path.to_str().unwrap();
    paylake(&[
        "simulate",
        "--lake",
        lake,
        "--days",
        "2",
        "--payments-per-day",
        "40",
        "--start-date",
        "2019-01-07",
    ]);
    paylake(&["ingest", "--lake", lake]);
    let customers = support::sorted_rows(
        lake,
        "SELECT DISTINCT customer_id FROM silver.accounts ORDER BY 1 LIMIT 4",
    );
    let [gone, recent, open, due] =
        [&customers[0], &customers[1], &customers[2], &customers[3]].map(String::as_str);
    let gone_name = support::sorted_rows(
        lake,
        &format!("SELECT full_name FROM silver.customers WHERE customer_id = '{gone}'"),
    )
    .remove(0);
    let gone_name = gone_name.as_str();
    assert!(gone_name.len() > 5, "a name to look for: {gone_name}");
    // One relationship ended in 2019, one a year ago; the third is open.
    // Others' transfers name the customer in their memos ("transfer <name>").
    let mentions = |zone: &str| {
        support::sorted_rows(
            lake,
            &format!(
                "SELECT count(*) FROM {zone}.transactions \
                 WHERE strpos(memo, '{}') > 0 AND customer_id <> '{gone}'",
                gone_name.replace('\'', "''")
            ),
        )
        .remove(0)
    };
    assert_ne!(
        mentions("silver"),
        "0",
        "the simulation names {gone_name} in no memo"
    );
    close_accounts(lake, gone, (2019, 6, 3));
    close_accounts(lake, due, (2020, 2, 3));
    let last_year = chrono::Utc::now().date_naive() - chrono::Duration::days(365);
    use chrono::Datelike;
    close_accounts(
        lake,
        recent,
        (last_year.year(), last_year.month(), last_year.day()),
    );
    paylake(&["ingest", "--lake", lake]);
    // Maintenance leaves older versions' files behind for time travel: erasure must find them.
    paylake(&["maintain", "--lake", lake]);
    assert!(!files_holding(&lake_path.join("landing/aurora"), gone_name).is_empty());
    // The search sees into compressed Parquet: silver holds the name before the erasure.
    assert!(!files_holding(&lake_path.join("silver"), gone_name).is_empty());

    let erase = |customer: &str, role: &str| {
        support::paylake_command()
            .args([
                "erase",
                "--lake",
                lake,
                "--customer",
                customer,
                "--user",
                "dpo@processor.example",
                "--role",
                role,
                "--note",
                "request DSR-2026-0042",
            ])
            .output()
            .unwrap()
    };
    let refused = erase(open, "approver");
    assert!(!refused.status.success());
    let message = String::from_utf8_lossy(&refused.stderr);
    assert!(
        message.contains("relationship is open") && message.contains("31 CFR 1010.430(d)"),
        "{message}"
    );
    let refused = erase(recent, "approver");
    assert!(!refused.status.success());
    let message = String::from_utf8_lossy(&refused.stderr);
    let until = (last_year + chrono::Duration::days(5 * 365 + 2)).to_string();
    assert!(
        message.contains(&format!("retained until {until}")) && message.contains("31 CFR"),
        "{message}"
    );
    let not_permitted = erase(gone, "investigator");
    assert!(!not_permitted.status.success());
    assert!(String::from_utf8_lossy(&not_permitted.stderr).contains("may not erase"));

    let output = erase(gone, "approver");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        (mentions("bronze"), mentions("silver")),
        ("0".into(), "0".into())
    );
    // No zone holds the name any more, in any file of any version, nor does landing.
    for zone in ["bronze", "silver", "gold", "quarantine", "decisions"] {
        let holding = files_holding(&lake_path.join(zone), gone_name);
        assert!(holding.is_empty(), "{zone}: {holding:?}");
    }
    let holding = files_holding(&lake_path.join("landing"), gone_name);
    assert!(holding.is_empty(), "landing: {holding:?}");
    // The customer's other columns, and everyone else's data, are kept.
    let kept = support::sorted_rows(
        lake,
        &format!(
            "SELECT customer_id, full_name IS NULL, email IS NULL, country IS NOT NULL \
             FROM silver.customers WHERE customer_id IN ('{gone}', '{recent}')"
        ),
    );
    assert_eq!(
        kept,
        [
            format!("{gone},true,true,true"),
            format!("{recent},false,false,true")
        ]
    );
    let history = support::sorted_rows(
        lake,
        &format!(
            "SELECT count(*) FROM silver.customers_history \
             WHERE customer_id = '{gone}' AND full_name IS NOT NULL"
        ),
    );
    assert_eq!(history, ["0"]);
    // Ingest does not take the rewritten landing files again.
    let before = support::sorted_rows(lake, "SELECT count(*) FROM bronze.customers");
    paylake(&["ingest", "--lake", lake]);
    assert_eq!(
        support::sorted_rows(lake, "SELECT count(*) FROM bronze.customers"),
        before
    );

    // The retention schedule erases the one other customer past retention, and only them.
    let scheduled = support::run(support::paylake_command().args([
        "erase",
        "--lake",
        lake,
        "--due",
        "--user",
        "retention-schedule",
        "--role",
        "approver",
        "--note",
        "retention schedule 2026-12",
        "--format",
        "json",
    ]));
    let scheduled: serde_json::Value = serde_json::from_str(&scheduled).unwrap();
    let erased: Vec<&str> = scheduled
        .as_array()
        .unwrap()
        .iter()
        .map(|customer| customer["customer_id"].as_str().unwrap())
        .collect();
    assert_eq!(erased, [due]);

    let events = support::sorted_rows(
        lake,
        "SELECT customer_id, action, actor, note, rows_erased > 0, landing_files_rewritten > 0 \
         FROM decisions.erasure_events",
    );
    assert_eq!(
        events,
        [
            format!("{gone},erased,dpo@processor.example,request DSR-2026-0042,true,true"),
            format!("{open},refused,dpo@processor.example,request DSR-2026-0042,false,false"),
            format!("{recent},refused,dpo@processor.example,request DSR-2026-0042,false,false"),
            format!("{due},erased,retention-schedule,retention schedule 2026-12,true,true"),
        ]
        .into_iter()
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect::<Vec<_>>()
    );
}
