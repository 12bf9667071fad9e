//! Screening that never sleeps and rules that learn from decisions, through the `paylake`
//! binary: a new sanctions publication alerts exactly its differences; suppressions are written
//! and marked, open no case and expire; a backtest of a raised threshold lists the alerts it
//! removes with what people decided about them; a rules version goes live only when someone
//! other than its proposer approves it.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::OnceLock;

use crate::support;

const DAYS: &str = "3";
const PAYMENTS_PER_DAY: &str = "100";

/// `paylake` with the simulator's customers named after the 2022 SDN list.
fn paylake_command(args: &[&str]) -> std::process::Command {
    let mut command = support::paylake_command();
    command.args(args).env(
        "PAYLAKE_OFAC_SDN_CSV",
        support::shared_data("sanctions/ofac-2022-01-31/sdn.csv"),
    );
    command
}

fn paylake(args: &[&str]) -> String {
    support::run(&mut paylake_command(args))
}

fn paylake_output(args: &[&str]) -> Output {
    paylake_command(args)
        .output()
        .expect("the paylake binary runs")
}

fn rows(lake: &str, query: &str) -> Vec<Vec<String>> {
    support::csv_rows(&paylake(&["sql", "--lake", lake, "--format", "csv", query]))
}

/// A demo lake of three days, built once and copied for each test.
fn demo_lake(into: &Path) -> String {
    static DEMO: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, built) = DEMO.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let lake = dir.path().join("lake");
        paylake(&[
            "demo",
            "--lake",
            lake.to_str().unwrap(),
            "--days",
            DAYS,
            "--payments-per-day",
            PAYMENTS_PER_DAY,
        ]);
        (dir, lake)
    });
    let copy = into.join("lake");
    let status = std::process::Command::new("cp")
        .arg("-r")
        .arg(built)
        .arg(&copy)
        .status()
        .unwrap();
    assert!(status.success());
    copy.to_str().unwrap().to_string()
}

/// The one publication folder of the lake's landing.
fn publication_folder(lake: &str) -> PathBuf {
    let folders: Vec<PathBuf> = std::fs::read_dir(Path::new(lake).join("landing/sanctions/ofac"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    assert_eq!(folders.len(), 1, "{folders:?}");
    folders[0].clone()
}

#[test]
fn a_new_publication_alerts_exactly_its_differences_and_hits_already_alerted_stay_quiet() {
    let dir = tempfile::tempdir().unwrap();
    let lake = &demo_lake(dir.path());
    // On the last date every hit was seen the day before: none alerts.
    let last = rows(
        lake,
        "SELECT customer_id, sdn_ent_num, sdn_program, change FROM gold.sanctions_hits \
         WHERE business_date = DATE '2026-03-04' ORDER BY customer_id",
    );
    assert!(last.len() >= 3, "{last:?}");
    assert!(last.iter().all(|hit| hit[3] == "unchanged"), "{last:?}");
    let (removed_customer, removed_entry) = (&last[0][0], &last[0][1]);
    let (changed_customer, changed_entry, changed_program) =
        (&last[1][0], &last[1][1], &last[1][2]);
    let hit_customers: BTreeSet<&String> = last.iter().map(|hit| &hit[0]).collect();
    let unhit = rows(
        lake,
        "SELECT customer_id, full_name FROM silver.customers \
         WHERE full_name LIKE '% %' ORDER BY customer_id",
    )
    .into_iter()
    .find(|customer| !hit_customers.contains(&customer[0]))
    .expect("a customer without a hit");

    // The next publication: one entry a customer hits removed, another's program changed, a
    // new entry named as a customer no entry matched.
    let published = publication_folder(lake);
    let next = dir.path().join("next");
    std::fs::create_dir_all(&next).unwrap();
    for name in ["alt.csv", "add.csv"] {
        std::fs::copy(published.join(name), next.join(name)).unwrap();
    }
    let sdn = std::fs::read_to_string(published.join("sdn.csv")).unwrap();
    let mut lines: Vec<String> = Vec::new();
    let mut changed = false;
    for line in sdn.lines() {
        if line.starts_with(&format!("{removed_entry},")) {
            continue;
        }
        if line.starts_with(&format!("{changed_entry},")) {
            let field = format!(",{changed_program},");
            assert!(line.contains(&field), "{line}");
            lines.push(line.replacen(&field, &format!(",{changed_program}] [CYBER2,"), 1));
            changed = true;
            continue;
        }
        lines.push(line.to_string());
    }
    assert!(changed);
    lines.push(format!(
        "99999001,\"{}\",individual,SDGT,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ",
        unhit[1]
    ));
    // And one named as the processor that pays the payouts: a counterparty of the bank
    // statements, not a customer.
    lines.push(
        "99999002,\"ADYEN N.V.\",-0- ,SDGT,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ".to_string(),
    );
    std::fs::write(next.join("sdn.csv"), lines.join("\n") + "\n").unwrap();
    let files: Vec<String> = ["sdn.csv", "alt.csv", "add.csv"]
        .iter()
        .map(|name| next.join(name).to_str().unwrap().to_string())
        .collect();
    let mut load = vec!["load", "--lake", lake, "--kind", "ofac"];
    load.extend(files.iter().map(String::as_str));
    // Loading the publication screens everyone against it at once: the latest date again.
    let summary = paylake(&load);
    assert!(
        summary.contains("re-screening 2026-03-04 against the new list")
            && summary.contains("2 entries added, 1 changed, 1 removed"),
        "{summary}"
    );
    // The next date finds the same hits, all seen the day before: no alert.
    paylake(&["run", "--lake", lake, "--date", "2026-03-05"]);
    let next_day = rows(
        lake,
        "SELECT change, COUNT(*) AS hits FROM gold.sanctions_hits \
         WHERE business_date = DATE '2026-03-05' GROUP BY change",
    );
    assert_eq!(next_day.len(), 1, "{next_day:?}");
    assert_eq!(next_day[0][0], "unchanged");

    let hits = rows(
        lake,
        "SELECT customer_id, sdn_ent_num, change, publication FROM gold.sanctions_hits \
         WHERE business_date = DATE '2026-03-04' ORDER BY customer_id, sdn_ent_num",
    );
    let publication = hits[0][3].clone();
    assert!(publication.starts_with("sanctions/ofac/"), "{publication}");
    assert_ne!(
        Path::new(&publication),
        published
            .strip_prefix(Path::new(lake).join("landing"))
            .unwrap()
    );
    assert!(hits.iter().all(|hit| hit[3] == publication), "{hits:?}");
    assert!(
        !hits
            .iter()
            .any(|hit| &hit[0] == removed_customer && &hit[1] == removed_entry),
        "{hits:?}"
    );
    // Exactly the differences alert: the changed entry's hit and every hit on the new entry,
    // among them the customer it was named after; the hits found again unchanged do not.
    let expected: BTreeSet<(String, String, String)> = hits
        .iter()
        .filter(|hit| hit[2] != "unchanged")
        .map(|hit| (hit[0].clone(), hit[1].clone(), hit[2].clone()))
        .collect();
    assert!(expected.contains(&(
        changed_customer.clone(),
        changed_entry.clone(),
        "entry_changed".to_string()
    )));
    assert!(expected.contains(&(unhit[0].clone(), "99999001".to_string(), "new".to_string())));
    assert!(
        expected.iter().all(|(_, entry, _)| entry == changed_entry
            || entry == "99999001"
            || entry == "99999002"),
        "{expected:?}"
    );
    assert_eq!(
        hits.iter().filter(|hit| hit[2] == "unchanged").count(),
        last.len() - 2,
        "{hits:?}"
    );
    let alerts = rows(
        lake,
        "SELECT customer_id, reason FROM gold.aml_alerts \
         WHERE business_date = DATE '2026-03-04' AND rule_id = 'sanctions_screening'",
    );
    let alerted: BTreeSet<String> = alerts.iter().map(|alert| alert[0].clone()).collect();
    let expected_customers: BTreeSet<String> = expected
        .iter()
        .map(|(customer, _, _)| customer.clone())
        .collect();
    assert_eq!(alerted, expected_customers, "{alerts:?}");
    assert_eq!(alerts.len(), expected.len(), "{alerts:?}");
    // The counterparty hits the entry named after it, and its hit points to every bank
    // statement entry of the lake that named it, of every date.
    let named = rows(
        lake,
        "SELECT COUNT(DISTINCT concat(statement_id, '/', entry_reference)) AS entries \
         FROM silver.bank_statement_entries WHERE debtor_name = 'Adyen N.V.'",
    );
    assert_ne!(named[0][0], "0");
    let counterparty = rows(
        lake,
        "SELECT party_type, CAST(cardinality(transaction_ids) AS VARCHAR) AS movements, change \
         FROM gold.sanctions_hits WHERE business_date = DATE '2026-03-04' AND sdn_ent_num = 99999002",
    );
    assert_eq!(
        counterparty,
        [vec![
            "camt053_debtor".to_string(),
            named[0][0].clone(),
            "new".to_string()
        ]]
    );
    // The cache moved to the publication: its entries are the new list's.
    let cached = rows(
        lake,
        &format!(
            "SELECT COUNT(*) FROM system.screened_entries WHERE sdn_ent_num IN (99999001, {removed_entry})"
        ),
    );
    assert_eq!(cached[0][0], "1");
}

/// A customer and rule that alert on two consecutive dates of the demo.
fn alerting_on_two_dates(lake: &str) -> (String, String, String, String) {
    let pairs = rows(
        lake,
        "SELECT a.customer_id, a.rule_id, CAST(a.business_date AS VARCHAR) AS first, \
                CAST(b.business_date AS VARCHAR) AS second \
         FROM gold.aml_alerts AS a JOIN gold.aml_alerts AS b \
           ON a.customer_id = b.customer_id AND a.rule_id = b.rule_id \
          AND b.business_date = a.business_date + INTERVAL '1 day' \
         WHERE a.rule_id <> 'sanctions_screening' AND a.business_date > DATE '2026-03-02' \
         ORDER BY 1, 2, 3",
    );
    let pair = pairs.first().expect("a customer alerting on two dates");
    (
        pair[0].clone(),
        pair[1].clone(),
        pair[2].clone(),
        pair[3].clone(),
    )
}

#[test]
fn a_suppressed_rule_still_writes_its_alerts_marked_opens_no_case_and_expires() {
    let dir = tempfile::tempdir().unwrap();
    let reference = demo_lake(dir.path());
    let (customer, rule, first, second) = alerting_on_two_dates(&reference);

    // The same simulation, run a date at a time: the suppression is decided before its date.
    let lake = dir.path().join("suppressed");
    let lake = lake.to_str().unwrap();
    paylake(&[
        "simulate",
        "--lake",
        lake,
        "--days",
        DAYS,
        "--payments-per-day",
        PAYMENTS_PER_DAY,
    ]);
    paylake(&["run", "--lake", lake, "--date", "2026-03-02"]);
    let suppress = |role: &str, days: &str| {
        paylake_output(&[
            "aml",
            "suppress",
            "--lake",
            lake,
            "--user",
            "bea",
            "--role",
            role,
            "--customer",
            &customer,
            "--rule",
            &rule,
            "--from",
            &first,
            "--days",
            days,
            "--rationale",
            "known seasonal cash business, reviewed",
        ])
    };
    let refused = suppress("investigator", "1");
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("may not 'suppress_alerts'"),
        "{refused:?}"
    );
    let too_long = suppress("approver", "181");
    assert!(!too_long.status.success());
    assert!(
        String::from_utf8_lossy(&too_long.stderr).contains("from 1 to 180 days"),
        "{too_long:?}"
    );
    let granted = suppress("approver", "1");
    assert!(granted.status.success(), "{granted:?}");
    for date in ["2026-03-03", "2026-03-04"] {
        paylake(&["run", "--lake", lake, "--date", date]);
    }

    let marked = rows(
        lake,
        &format!(
            "SELECT alert_id, CAST(business_date AS VARCHAR) AS day, suppressed_by FROM gold.aml_alerts \
             WHERE customer_id = '{customer}' AND rule_id = '{rule}' \
               AND business_date IN (DATE '{first}', DATE '{second}') ORDER BY business_date"
        ),
    );
    let on =
        |date: &str| -> Vec<&Vec<String>> { marked.iter().filter(|row| row[1] == date).collect() };
    // Suppressed on its day: written, marked with the decision.
    assert!(!on(&first).is_empty(), "{marked:?}");
    assert!(
        on(&first).iter().all(|row| row[2] == "SUP-0001"),
        "{marked:?}"
    );
    // The day after it expired: alerting as before.
    assert!(!on(&second).is_empty(), "{marked:?}");
    assert!(
        on(&second).iter().all(|row| row[2].is_empty()),
        "{marked:?}"
    );
    let in_cases: BTreeSet<String> = rows(
        lake,
        "SELECT DISTINCT alert_id FROM (SELECT unnest(alert_ids) AS alert_id FROM decisions.case_events)",
    )
    .into_iter()
    .map(|row| row[0].clone())
    .collect();
    assert!(
        on(&first).iter().all(|row| !in_cases.contains(&row[0])),
        "{marked:?}"
    );
    assert!(
        on(&second).iter().all(|row| in_cases.contains(&row[0])),
        "{marked:?}"
    );
    // The rule's effectiveness counts them as suppressed, under the version that raised them.
    let metrics = rows(
        lake,
        &format!(
            "SELECT CAST(suppressed AS VARCHAR) AS suppressed, rule_version FROM gold.case_metrics \
             WHERE business_date = DATE '{first}' AND rule_id = '{rule}'"
        ),
    );
    assert_eq!(
        metrics,
        [vec![on(&first).len().to_string(), support::aml_rules().1]]
    );
    // The decision is on record: who, in which role, why, until when.
    let decisions = rows(
        lake,
        "SELECT decision_id, kind, action, actor, role, CAST(valid_from AS VARCHAR) AS from_day, \
                CAST(expires_on AS VARCHAR) AS to_day \
         FROM decisions.suppression_events",
    );
    assert_eq!(
        decisions,
        [vec![
            "SUP-0001".to_string(),
            "suppress_rule".to_string(),
            "grant".to_string(),
            "bea".to_string(),
            "approver".to_string(),
            first.clone(),
            first.clone(),
        ]]
    );
}

/// The shipped rules with another version and one value changed.
fn candidate_rules(dir: &Path, version: &str, from: &str, to: &str) -> PathBuf {
    let (text, shipped) = support::aml_rules();
    let changed = text
        .replacen(
            &format!("version = \"{shipped}\""),
            &format!("version = \"{version}\""),
            1,
        )
        .replacen(from, to, 1);
    assert_ne!(changed, text);
    let path = dir.join(format!("{version}.toml"));
    std::fs::write(&path, changed).unwrap();
    path
}

#[test]
fn a_backtest_of_a_raised_threshold_lists_the_alerts_it_removes_with_their_dispositions() {
    let dir = tempfile::tempdir().unwrap();
    let lake = &demo_lake(dir.path());
    // A person files a SAR on a case whose CTR alert the raise will remove: a loss.
    let lost = rows(
        lake,
        "SELECT a.alert_id, t.case_id FROM gold.aml_alerts AS a \
         JOIN (SELECT case_id, unnest(alert_ids) AS alert_id FROM decisions.case_events \
               WHERE action = 'open') AS t ON t.alert_id = a.alert_id \
         WHERE a.rule_id = 'ctr' AND a.amount_usd <= 20000 AND t.case_id NOT IN \
           (SELECT case_id FROM decisions.case_events WHERE action <> 'open' AND action <> 'attach') \
         ORDER BY a.alert_id LIMIT 1",
    );
    let (lost_alert, lost_case) = (&lost[0][0], &lost[0][1]);
    for step in [
        vec!["assign", "--to", "ines"],
        vec!["start"],
        vec![
            "escalate",
            "--rationale",
            "cash deposits with no business behind them",
        ],
        vec![
            "decide",
            "--decision",
            "file",
            "--narrative",
            "The customer deposited cash on consecutive days with no business to explain it.",
        ],
    ] {
        let mut args = vec!["case", step[0], lost_case.as_str(), "--lake", lake];
        args.extend(["--user", "ines", "--role", "investigator"]);
        args.extend(&step[1..]);
        paylake(&args);
    }
    paylake(&[
        "case", "approve", lost_case, "--lake", lake, "--user", "omar", "--role", "approver",
    ]);

    let candidate = candidate_rules(
        dir.path(),
        "2026.12.2-ctr20k",
        "[rules.ctr]\nthreshold_usd = 10000",
        "[rules.ctr]\nthreshold_usd = 20000",
    );
    let html = dir.path().join("backtest.html");
    let output = paylake_output(&[
        "aml",
        "backtest",
        "--lake",
        lake,
        "--rules",
        candidate.to_str().unwrap(),
        "--from",
        "2026-03-02",
        "--to",
        "2026-03-04",
        "--format",
        "json",
        "--html",
        html.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let backtest: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap_or_else(|err| {
        panic!(
            "{err}: {stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    // What the raise removes: every live CTR alert of a day under USD 20,000, nothing else.
    let expected: BTreeSet<String> = rows(
        lake,
        "SELECT alert_id FROM gold.aml_alerts WHERE rule_id = 'ctr' AND amount_usd <= 20000",
    )
    .into_iter()
    .map(|row| row[0].clone())
    .collect();
    assert!(!expected.is_empty());
    let removed = backtest["removed"].as_array().unwrap();
    let removed_ids: BTreeSet<String> = removed
        .iter()
        .map(|alert| alert["alert_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(removed_ids, expected);
    assert!(
        backtest["added"].as_array().unwrap().is_empty(),
        "{backtest}"
    );
    // Each removed alert with its case and how the case was decided, as the case log has it.
    let decided = rows(
        lake,
        "SELECT alert_id, case_id FROM (SELECT case_id, unnest(alert_ids) AS alert_id \
         FROM decisions.case_events WHERE action IN ('open', 'attach'))",
    );
    for alert in removed {
        let id = alert["alert_id"].as_str().unwrap();
        let case = decided
            .iter()
            .find(|row| row[0] == id)
            .map(|row| row[1].as_str());
        assert_eq!(alert["case_id"].as_str(), case, "{alert}");
        assert!(
            alert["disposition"].as_str().is_some_and(|d| !d.is_empty()),
            "{alert}"
        );
    }
    // The loss is listed first, as approved for filing, and the command fails for it.
    assert_eq!(
        removed[0]["alert_id"].as_str(),
        Some(lost_alert.as_str()),
        "{backtest}"
    );
    assert_eq!(removed[0]["disposition"], "sar_approved", "{backtest}");
    assert_eq!(removed[0]["loss"], true);
    assert!(
        removed[1..].iter().all(|alert| alert["loss"] == false),
        "{backtest}"
    );
    assert!(!output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("whose cases became SARs"),
        "{output:?}"
    );
    let ctr = backtest["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|rule| rule["rule_id"] == "ctr")
        .unwrap();
    assert_eq!(ctr["removed"].as_u64().unwrap() as usize, expected.len());
    assert_eq!(
        ctr["live_alerts"].as_u64().unwrap() - ctr["candidate_alerts"].as_u64().unwrap(),
        expected.len() as u64
    );
    // The simulator's truth is in the lake: precision and recall are measured, both ways.
    assert_eq!(backtest["truth"], true);
    assert!(ctr["live_recall"].as_f64().is_some() && ctr["candidate_recall"].as_f64().is_some());
    let page = std::fs::read_to_string(&html).unwrap();
    for id in &expected {
        assert!(page.contains(id.as_str()), "{id} missing from the page");
    }

    // A candidate naming a parameter no rule has is refused before any work.
    let misspelt = candidate_rules(
        dir.path(),
        "2026.12.2-typo",
        "threshold_usd = 10000",
        "treshold_usd = 10000",
    );
    let refused = paylake_output(&[
        "aml",
        "backtest",
        "--lake",
        lake,
        "--rules",
        misspelt.to_str().unwrap(),
        "--from",
        "2026-03-02",
        "--to",
        "2026-03-04",
    ]);
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("treshold_usd"),
        "{refused:?}"
    );
}

#[test]
fn a_rules_version_goes_live_only_when_someone_other_than_its_proposer_approves_it() {
    let dir = tempfile::tempdir().unwrap();
    let lake = &demo_lake(dir.path());
    let candidate = candidate_rules(
        dir.path(),
        "2026.12.2-ctr12k",
        "[rules.ctr]\nthreshold_usd = 10000",
        "[rules.ctr]\nthreshold_usd = 12000",
    );
    let rules = |args: &[&str]| {
        let mut all = vec!["aml", "rules"];
        all.extend(args);
        all.extend(["--lake", lake]);
        paylake_output(&all)
    };
    let propose = || {
        rules(&[
            "propose",
            candidate.to_str().unwrap(),
            "--from",
            "2026-03-02",
            "--to",
            "2026-03-04",
            "--user",
            "ann",
            "--role",
            "approver",
        ])
    };
    let proposed = propose();
    assert!(proposed.status.success(), "{proposed:?}");
    // Proposing it twice is refused: a changed file needs a new version.
    assert!(!propose().status.success());

    let self_approval = rules(&[
        "approve",
        "2026.12.2-ctr12k",
        "--user",
        "ann",
        "--role",
        "approver",
    ]);
    assert!(!self_approval.status.success());
    assert!(
        String::from_utf8_lossy(&self_approval.stderr)
            .contains("ann proposed this version; a second person approves or rejects it"),
        "{self_approval:?}"
    );
    let investigator = rules(&[
        "approve",
        "2026.12.2-ctr12k",
        "--user",
        "ivan",
        "--role",
        "investigator",
    ]);
    assert!(!investigator.status.success());
    assert!(String::from_utf8_lossy(&investigator.stderr).contains("may not 'approve_rules'"));
    // Still not live: the next date runs the rules it ran before.
    let listed = String::from_utf8(rules(&["list", "--format", "json"]).stdout).unwrap();
    let versions: serde_json::Value = serde_json::from_str(&listed).unwrap();
    assert_eq!(versions[0]["state"], "proposed", "{versions}");

    let approved = rules(&[
        "approve",
        "2026.12.2-ctr12k",
        "--user",
        "bob",
        "--role",
        "approver",
    ]);
    assert!(approved.status.success(), "{approved:?}");
    let listed = String::from_utf8(rules(&["list", "--format", "json"]).stdout).unwrap();
    let versions: serde_json::Value = serde_json::from_str(&listed).unwrap();
    assert_eq!(versions[0]["state"], "live", "{versions}");
    assert_eq!(versions[0]["proposed_by"], "ann");
    assert_eq!(versions[0]["decided_by"], "bob");
    let backtest = rows(
        lake,
        "SELECT backtest FROM decisions.rules_events WHERE action = 'propose'",
    );
    assert!(!backtest.is_empty());

    // The live version runs: a date rebuilt names it on every alert.
    paylake(&["run", "--lake", lake, "--date", "2026-03-04"]);
    let versions_named = rows(
        lake,
        "SELECT DISTINCT rule_version FROM gold.aml_alerts WHERE business_date = DATE '2026-03-04'",
    );
    assert_eq!(versions_named, [vec!["2026.12.2-ctr12k".to_string()]]);
}
