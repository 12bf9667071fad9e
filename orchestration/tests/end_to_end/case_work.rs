//! AML case work through the `paylake` binary: the demo's cases, an investigator's and an
//! approver's actions on the command line, what is refused, and what the SAR export files.

use std::path::Path;
use std::process::Output;

use crate::support;

fn paylake(args: &[&str]) -> Output {
    support::paylake_command()
        .args(args)
        .env(
            "PAYLAKE_OFAC_SDN_CSV",
            support::shared_data("sanctions/ofac-2022-01-31/sdn.csv"),
        )
        .output()
        .expect("the paylake binary runs")
}

fn succeeds(args: &[&str]) -> String {
    let output = paylake(args);
    assert!(
        output.status.success(),
        "{args:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// Runs a command that must fail and returns what it said.
fn refused(args: &[&str]) -> String {
    let output = paylake(args);
    assert!(!output.status.success(), "{args:?} succeeded");
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn cases(lake: &str) -> Vec<serde_json::Value> {
    let listed = succeeds(&["case", "list", "--lake", lake, "--format", "json"]);
    serde_json::from_str::<serde_json::Value>(&listed)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

fn event_count(lake: &str) -> usize {
    let counted = succeeds(&[
        "sql",
        "--lake",
        lake,
        "--format",
        "csv",
        "SELECT count(*) FROM decisions.case_events",
    ]);
    support::csv_rows(&counted)[0][0].parse().unwrap()
}

/// Every file below `folder`, as text.
fn files_below(folder: &Path) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut folders = vec![folder.to_path_buf()];
    while let Some(next) = folders.pop() {
        for entry in std::fs::read_dir(&next).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                folders.push(path);
            } else {
                let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
                found.push((path.display().to_string(), text));
            }
        }
    }
    found
}

#[test]
fn cases_are_worked_by_people_and_only_approved_sars_are_filed() {
    let dir = tempfile::tempdir().unwrap();
    let lake_path = dir.path().join("lake");
    let lake = lake_path.to_str().unwrap();
    let summary = succeeds(&[
        "demo",
        "--lake",
        lake,
        "--days",
        "4",
        "--payments-per-day",
        "100",
    ]);
    assert!(summary.contains("case work"), "{summary}");

    // The demo leaves cases in many states, one filed.
    let listed = cases(lake);
    let states: std::collections::BTreeSet<String> = listed
        .iter()
        .map(|case| case["state"].as_str().unwrap().to_string())
        .collect();
    assert!(states.len() >= 4, "{states:?}");
    for expected in ["new", "closed", "filed", "returned", "pending_approval"] {
        assert!(states.contains(expected), "no {expected} case: {states:?}");
    }
    // One open case per customer: no customer has two cases open.
    let mut open_subjects: Vec<&str> = listed
        .iter()
        .filter(|case| case["state"] != "closed")
        .map(|case| case["subject_id"].as_str().unwrap())
        .collect();
    let open_cases = open_subjects.len();
    open_subjects.sort();
    open_subjects.dedup();
    assert_eq!(
        open_subjects.len(),
        open_cases,
        "a customer has two open cases"
    );

    // An investigator works a new case: takes it, escalates it, decides to file.
    let new_case = listed.iter().find(|case| case["state"] == "new").unwrap()["case_id"]
        .as_str()
        .unwrap()
        .to_string();
    let as_investigator = |action: &[&str]| -> Vec<String> {
        let mut args: Vec<String> = vec![
            "case".into(),
            action[0].into(),
            "--lake".into(),
            lake.into(),
            new_case.clone(),
        ];
        args.extend(["--user", "ines", "--role", "investigator"].map(String::from));
        args.extend(action[1..].iter().map(|arg| arg.to_string()));
        args
    };
    let run_as = |args: Vec<String>| succeeds(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let fail_as = |args: Vec<String>| refused(&args.iter().map(String::as_str).collect::<Vec<_>>());

    // Bad input is refused and writes no event.
    let events_before = event_count(lake);
    let empty = fail_as(as_investigator(&[
        "close",
        "--outcome",
        "false_positive",
        "--rationale",
        "  ",
    ]));
    assert!(empty.contains("rationale: is required"), "{empty}");
    let wrong_state = fail_as(as_investigator(&[
        "decide",
        "--decision",
        "file",
        "--narrative",
        "x",
    ]));
    assert!(
        wrong_state.contains("'decide' is not allowed while the case is new"),
        "{wrong_state}"
    );
    let stale = fail_as(as_investigator(&[
        "escalate",
        "--rationale",
        "r",
        "--expect",
        "investigating",
    ]));
    assert!(
        stale.contains(&format!(
            "case {new_case}: expected it investigating, but it is new now"
        )),
        "{stale}"
    );
    let analyst = refused(&[
        "case", "assign", "--lake", lake, &new_case, "--user", "ana", "--role", "analyst", "--to",
        "ana",
    ]);
    assert!(
        analyst.contains("ana acts as analyst, which may not 'assign'"),
        "{analyst}"
    );
    let unknown = refused(&[
        "case",
        "start",
        "--lake",
        lake,
        "CASE-NOBODY",
        "--user",
        "ines",
        "--role",
        "investigator",
    ]);
    assert!(
        unknown.contains("case CASE-NOBODY: no such case"),
        "{unknown}"
    );
    assert_eq!(
        event_count(lake),
        events_before,
        "a refused action wrote an event"
    );

    run_as(as_investigator(&["assign", "--to", "ines"]));
    run_as(as_investigator(&["start", "--expect", "assigned"]));
    run_as(as_investigator(&[
        "escalate",
        "--rationale",
        "funds passed on within a day",
    ]));
    let too_long = "n".repeat(20_001);
    let long = fail_as(as_investigator(&[
        "decide",
        "--decision",
        "file",
        "--narrative",
        &too_long,
    ]));
    assert!(
        long.contains("a SAR narrative holds at most 20000"),
        "{long}"
    );
    let narrative = "Ines reviewed the transfers of this customer: funds arrived from three \
                     unrelated senders and left the same day for an exchange.";
    run_as(as_investigator(&[
        "decide",
        "--decision",
        "file",
        "--narrative",
        narrative,
    ]));
    // Four eyes: the investigator cannot approve her own decision, even as an approver.
    let own = refused(&[
        "case", "approve", "--lake", lake, &new_case, "--user", "ines", "--role", "approver",
    ]);
    assert!(own.contains("ines made this SAR decision"), "{own}");
    succeeds(&[
        "case",
        "approve",
        "--lake",
        lake,
        &new_case,
        "--user",
        "bo",
        "--role",
        "approver",
        "--expect",
        "pending_approval",
    ]);

    // The next SAR export files exactly the approved cases, with their narratives.
    let out = dir.path().join("exports");
    succeeds(&[
        "export",
        "--lake",
        lake,
        "--kind",
        "fincen-sar",
        "--from",
        "2026-03-02",
        "--to",
        "2026-03-05",
        "--out",
        out.to_str().unwrap(),
        "--filing-date",
        "2026-03-06",
    ]);
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("fincen-sar_2026-03-02_2026-03-05/manifest.json"))
            .unwrap(),
    )
    .unwrap();
    let filed_keys: Vec<&str> = manifest["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|record| record["record_key"].as_str().unwrap())
        .collect();
    let approved: Vec<String> = cases(lake)
        .iter()
        .filter(|case| case["decision"] == "file" && case["approved_by"].is_string())
        .map(|case| case["case_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(approved.len(), 2, "the demo's and this one");
    let mut filed_sorted: Vec<&str> = filed_keys.clone();
    filed_sorted.sort();
    let mut approved_sorted: Vec<&str> = approved.iter().map(String::as_str).collect();
    approved_sorted.sort();
    assert_eq!(filed_sorted, approved_sorted);
    let batch = files_below(&out)
        .into_iter()
        .find(|(path, _)| path.contains("SARX_"))
        .unwrap()
        .1;
    assert!(
        batch.contains(narrative),
        "the investigator's narrative is filed"
    );
    let shown: serde_json::Value = serde_json::from_str(&succeeds(&[
        "case", "show", "--lake", lake, &new_case, "--format", "json",
    ]))
    .unwrap();
    assert_eq!(shown["state"], "filed", "{shown}");
    // No placeholder text leaves paylake, in any file of any export.
    for (path, text) in files_below(&out)
        .into_iter()
        .chain(files_below(&lake_path.join("exports")))
    {
        assert!(
            !text.contains("[Investigator"),
            "{path} holds placeholder text"
        );
    }

    // Rebuilding the dates keeps every case and event: alert ids are stable.
    let before = cases(lake);
    let events_before = event_count(lake);
    succeeds(&[
        "backfill",
        "--lake",
        lake,
        "--from",
        "2026-03-02",
        "--to",
        "2026-03-05",
        "--force",
    ]);
    assert_eq!(
        event_count(lake),
        events_before,
        "a rebuild added case events"
    );
    let after = cases(lake);
    assert_eq!(
        before
            .iter()
            .map(|case| (&case["case_id"], &case["alert_ids"], &case["state"]))
            .collect::<Vec<_>>(),
        after
            .iter()
            .map(|case| (&case["case_id"], &case["alert_ids"], &case["state"]))
            .collect::<Vec<_>>()
    );

    // Finance sees no cases, and the refusal is audited like a query.
    let refusal = refused(&[
        "case", "list", "--lake", lake, "--role", "finance", "--user", "sam",
    ]);
    assert!(refusal.contains("refused for role 'finance'"), "{refusal}");
    let audited = succeeds(&[
        "sql",
        "--lake",
        lake,
        "--format",
        "csv",
        "SELECT outcome FROM system.query_audit WHERE user_name = 'sam' AND query_text = 'paylake case list'",
    ]);
    assert_eq!(support::csv_rows(&audited), [["refused"]]);

    // A CTR exemption approved by a second officer keeps the customer's CTRs out of the export,
    // with the reason on the candidate.
    let ctr_customer = support::csv_rows(&succeeds(&[
        "sql",
        "--lake",
        lake,
        "--format",
        "csv",
        "SELECT customer_id FROM gold.ctr_candidates WHERE business_date = DATE '2026-03-03' \
         ORDER BY customer_id LIMIT 1",
    ]))[0][0]
        .clone();
    fn exemption<'a>(lake: &'a str, args: &[&'a str]) -> Vec<&'a str> {
        let mut all = vec!["exemption"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--lake", lake]);
        all
    }
    succeeds(&exemption(
        lake,
        &[
            "propose",
            "--user",
            "ines",
            "--role",
            "investigator",
            "--customer",
            &ctr_customer,
            "--phase",
            "phase_2",
            "--basis",
            "payroll customer since 2019",
            "--fincen-110-date",
            "2026-02-15",
        ],
    ));
    let exemption_id = format!("EX-{ctr_customer}-1");
    let own = refused(&exemption(
        lake,
        &[
            "approve",
            &exemption_id,
            "--user",
            "ines",
            "--role",
            "approver",
        ],
    ));
    assert!(own.contains("second officer"), "{own}");
    succeeds(&exemption(
        lake,
        &[
            "approve",
            &exemption_id,
            "--user",
            "omar",
            "--role",
            "approver",
        ],
    ));
    succeeds(&["run", "--lake", lake, "--date", "2026-03-03"]);
    let kept = support::csv_rows(&succeeds(&[
        "sql",
        "--lake",
        lake,
        "--format",
        "csv",
        &format!(
            "SELECT exemption FROM gold.ctr_candidates WHERE business_date = DATE '2026-03-03' \
             AND customer_id = '{ctr_customer}'"
        ),
    ]));
    assert!(kept[0][0].contains(&exemption_id), "{kept:?}");
    let ctr_out = dir.path().join("ctr-exports");
    succeeds(&[
        "export",
        "--lake",
        lake,
        "--kind",
        "fincen-ctr",
        "--from",
        "2026-03-03",
        "--to",
        "2026-03-03",
        "--out",
        ctr_out.to_str().unwrap(),
        "--filing-date",
        "2026-03-04",
    ]);
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(ctr_out.join("fincen-ctr_2026-03-03_2026-03-03/manifest.json"))
            .unwrap(),
    )
    .unwrap();
    let filed: Vec<&str> = manifest["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|record| record["record_key"].as_str().unwrap())
        .collect();
    assert!(!filed.is_empty());
    assert!(
        !filed.contains(&format!("CTR-{ctr_customer}-2026-03-03").as_str()),
        "{filed:?}"
    );
}
