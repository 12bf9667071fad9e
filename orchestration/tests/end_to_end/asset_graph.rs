//! The asset graph as operators use it: runs that skip what is fresh, selections, idempotent
//! re-runs, a failure that blocks only what depends on it (after its retries), quality checks,
//! the SLO report, the metrics endpoint and the lineage events.

use crate::support;

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{paylake_command, run};

fn sql(lake: &str, query: &str) -> Vec<Vec<String>> {
    support::csv_rows(&run(
        paylake_command().args(["sql", "--lake", lake, "--format", "csv", query])
    ))
}

/// Every row of every gold table, sorted: what "the same gold tables" means.
fn gold_fingerprint(lake: &str) -> Vec<String> {
    let tables = sql(lake, "SELECT table_schema || '.' || table_name FROM information_schema.tables WHERE table_schema = 'gold' ORDER BY 1");
    let mut rows = Vec::new();
    for table in tables {
        let name = &table[0];
        let lines = support::sorted_rows(lake, &format!("SELECT * FROM {name}"));
        rows.extend(lines.into_iter().map(|line| format!("{name}|{line}")));
    }
    rows
}

/// The date steps a run printed with `status`, in the order they ran.
fn steps_with_status<'a>(output: &'a str, status: &str) -> Vec<&'a str> {
    output
        .lines()
        .filter(|line| {
            let mut words = line.split_whitespace();
            let dated = words
                .next()
                .is_some_and(|date| date.starts_with(|c: char| c.is_ascii_digit()));
            dated && words.nth(1) == Some(status)
        })
        .filter_map(|line| line.split_whitespace().nth(1))
        .collect()
}

/// Copies a folder of files, recursively.
fn copy_folder(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_folder(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn runs_skip_what_is_fresh_rebuild_what_changed_and_isolate_failures() {
    let dir = tempfile::tempdir().unwrap();
    let lake_path = dir.path().join("lake");
    let lake = lake_path.to_str().unwrap();
    run(paylake_command().args([
        "demo",
        "--lake",
        lake,
        "--days",
        "3",
        "--payments-per-day",
        "100",
    ]));

    // The demo materialised every step of every date, once, and every check passed.
    let succeeded = sql(
        lake,
        "SELECT step, CAST(count(DISTINCT business_date) AS VARCHAR) FROM system.asset_runs \
         WHERE status = 'succeeded' AND business_date IS NOT NULL GROUP BY step ORDER BY step",
    );
    assert_eq!(succeeded.len(), 15, "{succeeded:?}");
    assert!(succeeded.iter().all(|row| row[1] == "3"), "{succeeded:?}");
    let failed_checks = sql(
        lake,
        "SELECT asset, check_name, message FROM system.asset_checks WHERE NOT passed",
    );
    assert!(failed_checks.is_empty(), "{failed_checks:?}");
    let checked = sql(
        lake,
        "SELECT DISTINCT check_name FROM system.asset_checks ORDER BY 1",
    );
    assert_eq!(
        checked.concat(),
        [
            "counts_reconciled",
            "key_not_null",
            "ledger_balanced",
            "unique_key"
        ]
    );
    // A materialisation records what it read and wrote.
    let alerts = sql(
        lake,
        "SELECT CAST(versions_read LIKE '%\"silver.transactions\":\"delta:%' AS VARCHAR), \
         CAST(versions_written LIKE '%\"gold.aml_alerts\":\"delta:%' AS VARCHAR), \
         CAST(rows_written > 0 AS VARCHAR) FROM system.asset_runs \
         WHERE asset = 'gold.aml_alerts' AND business_date = DATE '2026-03-03'",
    );
    assert_eq!(alerts, [["true", "true", "true"]]);
    let runs_before = sql(
        lake,
        "SELECT CAST(count(*) AS VARCHAR) FROM system.asset_runs",
    );
    let gold_before = gold_fingerprint(lake);

    // Nothing changed: every step of the date is fresh and nothing is recorded.
    let again = run(paylake_command().args(["run", "--lake", lake, "--date", "2026-03-03"]));
    assert_eq!(again.matches(" fresh ").count(), 15, "{again}");
    assert_eq!(
        sql(
            lake,
            "SELECT CAST(count(*) AS VARCHAR) FROM system.asset_runs"
        ),
        runs_before
    );

    // A selection with what depends on it, forced.
    let selected = run(paylake_command().args([
        "run",
        "--lake",
        lake,
        "--date",
        "2026-03-03",
        "--select",
        "gold.ledger_integrity+",
        "--force",
    ]));
    let ran: Vec<&str> = selected
        .lines()
        .filter(|line| line.contains(" succeeded "))
        .filter_map(|line| line.split_whitespace().nth(1))
        .collect();
    assert_eq!(
        ran,
        ["ledger_integrity", "reconciliation", "recon_report"],
        "{selected}"
    );

    // Re-runs are idempotent: the whole range rebuilt gives the same gold tables, but for the
    // filing deadlines and the case metrics, which read people's decisions: the demo's
    // investigator closed a case after the run, so its SAR is owed no more, and the metrics
    // measure the log as it stands when they are built.
    run(paylake_command().args([
        "backfill",
        "--lake",
        lake,
        "--from",
        "2026-03-02",
        "--to",
        "2026-03-04",
        "--force",
    ]));
    let without_deadlines = |rows: Vec<String>| -> Vec<String> {
        rows.into_iter()
            .filter(|row| {
                !row.starts_with("gold.filing_deadlines|") && !row.starts_with("gold.case_metrics|")
            })
            .collect()
    };
    assert_eq!(
        without_deadlines(gold_fingerprint(lake)),
        without_deadlines(gold_before)
    );
    let closed_but_owed = sql(
        lake,
        "SELECT d.record_key FROM gold.filing_deadlines d JOIN decisions.case_events e \
         ON e.case_id = d.record_key AND e.action = 'close'",
    );
    assert!(closed_but_owed.is_empty(), "{closed_but_owed:?}");

    // Changed rules make the steps that apply them stale, and only those: a settlement window
    // is the reconciliation's (and so its page's), not the ledger checks', cost's or AML's.
    let rules = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../finance-rules.toml"),
    )
    .unwrap()
    .replacen("window_days = 3", "window_days = 4", 1);
    let rules_path = dir.path().join("finance.toml");
    std::fs::write(&rules_path, rules).unwrap();
    let changed = run(paylake_command()
        .args(["run", "--lake", lake, "--date", "2026-03-04"])
        .env("PAYLAKE_FINANCE_RULES", &rules_path));
    assert_eq!(
        steps_with_status(&changed, "succeeded"),
        ["reconciliation", "recon_report"],
        "{changed}"
    );
    assert_eq!(steps_with_status(&changed, "fresh").len(), 13, "{changed}");

    // An edited query makes exactly the steps that run it, and what reads them, stale: the
    // cost page's numbers come from cost_daily.sql, so cost and its report are rebuilt.
    let sql_copy = dir.path().join("sql");
    copy_folder(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../sql"),
        &sql_copy,
    );
    let edited = sql_copy.join("transforms/cost/cost_daily.sql");
    let query = std::fs::read_to_string(&edited).unwrap();
    std::fs::write(&edited, format!("-- reviewed by finance\n{query}")).unwrap();
    let after_edit = run(paylake_command()
        .args(["run", "--lake", lake, "--date", "2026-03-04"])
        .env("PAYLAKE_FINANCE_RULES", &rules_path)
        .env("PAYLAKE_SQL_DIR", &sql_copy));
    assert_eq!(
        steps_with_status(&after_edit, "succeeded"),
        ["cost", "cost_report"],
        "{after_edit}"
    );
    assert_eq!(
        steps_with_status(&after_edit, "fresh").len(),
        13,
        "{after_edit}"
    );
    // The same folder again: nothing is stale.
    let unchanged = run(paylake_command()
        .args(["run", "--lake", lake, "--date", "2026-03-04"])
        .env("PAYLAKE_FINANCE_RULES", &rules_path)
        .env("PAYLAKE_SQL_DIR", &sql_copy));
    assert_eq!(
        steps_with_status(&unchanged, "fresh").len(),
        15,
        "{unchanged}"
    );

    // A broken input: the cloud cost lines' files are gone. Its check fails, the cost step and
    // its report are blocked, and the rest of the date is built.
    // The table is partitioned by month: its files lie in the partitions' folders.
    let broken = lake_path.join("silver/cost_line_items");
    let mut folders = vec![broken.clone()];
    let mut removed = 0;
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder)
            .unwrap_or_else(|err| panic!("{}: {err}", folder.display()))
            .flatten()
        {
            let path = entry.path();
            if path.is_dir() && !path.ends_with("_delta_log") {
                folders.push(path);
            } else if path
                .extension()
                .is_some_and(|extension| extension == "parquet")
            {
                std::fs::remove_file(&path).unwrap();
                removed += 1;
            }
        }
    }
    assert!(removed > 0, "no data file under {}", broken.display());
    let output = paylake_command()
        .args(["run", "--lake", lake, "--date", "2026-03-04", "--force"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("steps did not succeed"), "{stderr}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("check failed: silver.cost_line_items unique_key"),
        "{stdout}"
    );
    let statuses = sql(
        lake,
        "SELECT step, status, COALESCE(error, '') FROM system.asset_runs AS runs \
         WHERE business_date = DATE '2026-03-04' AND finished_at = (SELECT max(finished_at) \
         FROM system.asset_runs AS latest WHERE latest.step = runs.step \
         AND latest.business_date = DATE '2026-03-04') ORDER BY step",
    );
    let status_of = |step: &str| {
        statuses
            .iter()
            .find(|row| row[0] == step)
            .unwrap_or_else(|| panic!("{step} not recorded: {statuses:?}"))
            .clone()
    };
    let cost = status_of("cost");
    assert_eq!(cost[1], "blocked", "{cost:?}");
    assert!(cost[2].contains("silver.cost_line_items"), "{cost:?}");
    let report = status_of("cost_report");
    assert_eq!(report[1], "blocked", "{report:?}");
    assert!(report[2].contains("upstream step cost"), "{report:?}");
    for built in [
        "aml_alerts",
        "customer_risk",
        "reconciliation",
        "regulatory_exports",
        "ctr_report",
    ] {
        assert_eq!(status_of(built)[1], "succeeded", "{built}: {statuses:?}");
    }

    // OpenLineage events and metrics of each run are in the lake.
    let runs_folder = lake_path.join("runs");
    let mut event_lines = Vec::new();
    for run_folder in std::fs::read_dir(&runs_folder)
        .unwrap_or_else(|err| panic!("{}: {err}", runs_folder.display()))
        .flatten()
    {
        let events = std::fs::read_to_string(run_folder.path().join("openlineage.jsonl")).unwrap();
        event_lines.extend(events.lines().map(str::to_string));
        let metrics = std::fs::read_to_string(run_folder.path().join("metrics.prom")).unwrap();
        assert!(
            metrics.contains("# TYPE paylake_run_step_duration_seconds gauge"),
            "{metrics}"
        );
    }
    let events: Vec<serde_json::Value> = event_lines
        .iter()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let aborted = events
        .iter()
        .find(|event| event["eventType"] == "ABORT" && event["job"]["name"] == "paylake.cost")
        .expect("an ABORT event for the blocked cost step");
    assert!(aborted["run"]["facets"]["errorMessage"]["message"]
        .as_str()
        .unwrap()
        .contains("cost_line_items"));
    let complete = events
        .iter()
        .find(|event| {
            event["eventType"] == "COMPLETE" && event["job"]["name"] == "paylake.aml_alerts"
        })
        .unwrap();
    assert_eq!(
        complete["schemaURL"],
        "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"
    );
    let inputs: Vec<&str> = complete["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|input| {
            input["facets"]["symlinks"]["identifiers"][0]["name"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert!(inputs.contains(&"silver.transactions"), "{inputs:?}");
    assert!(complete["outputs"][0]["outputFacets"]["outputStatistics"]["rowCount"].is_number());

    // The SLO report judges each date of each dataset; the demo's dates were built months after
    // their deadlines, so every judged date is missed and the budgets are spent.
    let slo = run(paylake_command().args([
        "slo",
        "--lake",
        lake,
        "--format",
        "json",
        "--as-of",
        "2026-03-05T09:00:00Z",
    ]));
    let slo: serde_json::Value = serde_json::from_str(&slo).unwrap();
    let ctr = slo["outcomes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|outcome| outcome["asset"] == "gold.ctr_candidates")
        .unwrap();
    let statuses: Vec<&str> = ctr["dates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|date| date["status"].as_str().unwrap())
        .collect();
    // As of 2026-03-05 09:00 UTC, the deadline of the 4th (06:00 New York on the 5th) is ahead.
    assert_eq!(statuses, ["missed", "missed", "pending"], "{ctr}");

    // The metrics endpoint serves the runs, checks and SLOs.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut server = Command::new(env!("CARGO_BIN_EXE_paylake"))
        .args([
            "serve-metrics",
            "--lake",
            lake,
            "--listen",
            &format!("127.0.0.1:{port}"),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let body = loop {
        if let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            stream
                .write_all(b"GET /metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                .unwrap();
            let mut response = String::new();
            stream.read_to_string(&mut response).unwrap();
            break response;
        }
        assert!(
            Instant::now() < deadline,
            "the metrics server never answered"
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    let _ = server.kill();
    let _ = server.wait();
    assert!(body.starts_with("HTTP/1.1 200 OK"), "{body}");
    assert!(
        body.contains(
            "paylake_asset_materializations_total{asset=\"gold.cost_daily\",status=\"blocked\"} 1"
        ),
        "{body}"
    );
    assert!(
        body.contains("paylake_slo_error_budget_remaining_ratio{slo=\"ctr-candidates-by-6am\""),
        "{body}"
    );
    assert!(
        body.contains("paylake_asset_lag_seconds{asset=\"gold.aml_alerts\"}"),
        "{body}"
    );
}
