//! The AML suite through the `paylake` binary: every case the simulator injects is found by its
//! rule, no rule floods, alert ids survive a rebuild, a changed rules file shows in the alerts,
//! the risk and SAR tables hold together, and an AMLSim sample scores as measured.

use std::path::Path;

use crate::support;

fn paylake(args: &[&str], envs: &[(&str, &Path)]) -> String {
    let mut command = support::paylake_command();
    command.args(args).env(
        "PAYLAKE_OFAC_SDN_CSV",
        support::shared_data("sanctions/ofac-2022-01-31/sdn.csv"),
    );
    for (name, value) in envs {
        command.env(name, value);
    }
    support::run(&mut command)
}

fn last_json_line(output: &str) -> serde_json::Value {
    let line = output.lines().last().expect("output has lines");
    serde_json::from_str(line).unwrap_or_else(|err| panic!("{err}: {line}"))
}

fn sql(lake: &str, query: &str) -> Vec<String> {
    paylake(&["sql", "--lake", lake, "--format", "csv", query], &[])
        .lines()
        .skip(1)
        .filter(|line| !line.is_empty())
        .map(str::to_string)
        .collect()
}

#[test]
fn every_injected_case_is_found_and_the_gold_tables_hold_together() {
    let dir = tempfile::tempdir().unwrap();
    let lake = dir.path().join("lake");
    let lake = lake.to_str().unwrap();
    paylake(
        &[
            "demo",
            "--lake",
            lake,
            "--days",
            "7",
            "--payments-per-day",
            "2000",
        ],
        &[],
    );

    // 500 customers: enough that 2% of the accounts is ten of them, not three.
    let evaluation = last_json_line(&paylake(
        &["aml", "eval", "--lake", lake, "--format", "json"],
        &[],
    ));
    let typologies = evaluation["by_typology"].as_array().unwrap();
    let found: Vec<&str> = typologies
        .iter()
        .map(|row| row["typology"].as_str().unwrap())
        .collect();
    for typology in [
        "ctr",
        "structuring",
        "rapid_pass_through",
        "fan_in",
        "fan_out",
        "scatter_gather",
        "gather_scatter",
        "cycle",
        "split_transfers",
        "high_risk_jurisdiction",
        "dormant_reactivated",
        "velocity_spike",
        "round_amounts",
        "peer_outlier",
        "sanctions_screening",
    ] {
        assert!(
            found.contains(&typology),
            "{typology} was not injected: {found:?}"
        );
    }
    // Strictly: a case is found only by an alert of its rule on its subject account.
    for row in typologies {
        assert!(row["cases"].as_u64().unwrap() > 0, "no cases: {row}");
        assert_eq!(
            row["recall"].as_f64(),
            Some(1.0),
            "a case was missed: {row}"
        );
    }
    // An alert is right only on a case of its own typology. Floors under the figures measured
    // at this version, with the simulator's legitimate look-alikes (a shop banking cash under
    // the CTR threshold, payroll, a marketplace seller, family transfers, a landlord, a salary
    // spent the same day, a market stall's market days) fooling the rules they resemble.
    for row in evaluation["by_rule"].as_array().unwrap() {
        let floor = match row["rule_id"].as_str().unwrap() {
            "sanctions_screening" => continue,
            "fan_in" => 0.125,
            "velocity_spike" => 0.2,
            "cycle" | "fan_out" | "round_amounts" => 0.33,
            "structuring" => 0.5,
            _ => 1.0,
        };
        assert!(
            row["precision"].as_f64().unwrap() >= floor,
            "a rule's alerts are wrong more often than measured: {row}"
        );
        // An alert on a look-alike is never counted right (a CTR is owed whoever's cash it is).
        assert!(
            row["rule_id"] == "ctr"
                || row["about_injected_activity"].as_u64().unwrap()
                    + row["on_lookalikes"].as_u64().unwrap()
                    <= row["alerts"].as_u64().unwrap(),
            "{row}"
        );
    }
    // No rule floods: each alerts on at most 2% of the accounts, look-alikes and all. A CTR is
    // owed on every cash day over the threshold, however many there are.
    for row in evaluation["by_rule"].as_array().unwrap() {
        if row["rule_id"] == "ctr" || row["rule_id"] == "sanctions_screening" {
            continue;
        }
        assert!(
            row["share_of_accounts"].as_f64().unwrap() <= 0.02,
            "a rule floods: {row}"
        );
    }
    // Every behaviour of the look-alikes is there, and the rules it resembles were fooled.
    let look_alikes = evaluation["lookalikes"].as_array().unwrap();
    assert_eq!(look_alikes.len(), 7, "{look_alikes:?}");
    for row in look_alikes {
        assert!(row["activities"].as_u64().unwrap() > 0, "{row}");
    }
    assert!(
        look_alikes
            .iter()
            .any(|row| row["alerted"].as_u64().unwrap() > 0),
        "no look-alike was alerted on: the evaluation could not miss"
    );

    // Every alert explains itself and carries the rules' version and its evidence (a sanctions
    // alert's evidence is its hit, named in its reason).
    let (rules, version) = support::aml_rules();
    let incomplete = sql(
        lake,
        &format!(
            "SELECT alert_id FROM gold.aml_alerts WHERE reason IS NULL OR rule_version <> '{version}' \
             OR (cardinality(transaction_ids) = 0 AND rule_id <> 'sanctions_screening') \
             OR parameters NOT LIKE '{{%'"
        ),
    );
    assert!(incomplete.is_empty(), "{incomplete:?}");

    // A rebuild gives the same alerts with the same ids, not more.
    let ids_query =
        "SELECT alert_id FROM gold.aml_alerts WHERE business_date = DATE '2026-03-04' ORDER BY 1";
    let before = sql(lake, ids_query);
    assert!(!before.is_empty());
    paylake(&["run", "--lake", lake, "--date", "2026-03-04"], &[]);
    assert_eq!(sql(lake, ids_query), before);

    // A changed rules file shows in the date's alerts, which it replaces.
    let rules = rules
        .replace(&format!("version = \"{version}\""), "version = \"test.2\"")
        .replace("[rules.cycle]\n", "[rules.cycle]\nenabled = false\n");
    let rules_path = dir.path().join("rules.toml");
    std::fs::write(&rules_path, rules).unwrap();
    paylake(
        &["run", "--lake", lake, "--date", "2026-03-04"],
        &[("PAYLAKE_AML_RULES", &rules_path)],
    );
    let versions = sql(
        lake,
        "SELECT DISTINCT rule_version FROM gold.aml_alerts WHERE business_date = DATE '2026-03-04'",
    );
    assert_eq!(versions, ["test.2"]);
    let cycles = sql(
        lake,
        "SELECT alert_id FROM gold.aml_alerts WHERE business_date = DATE '2026-03-04' AND rule_id = 'cycle'",
    );
    assert!(cycles.is_empty(), "{cycles:?}");

    // Risk: one row per customer and date, the score the capped sum of the points shown.
    let inconsistent = sql(
        lake,
        "SELECT customer_id FROM gold.customer_risk WHERE risk_score <> LEAST(100, country_points + \
         business_type_points + pep_points + alert_points + sanctions_points)",
    );
    assert!(inconsistent.is_empty(), "{inconsistent:?}");
    let per_customer = sql(
        lake,
        "SELECT (SELECT COUNT(*) FROM gold.customer_risk WHERE business_date = DATE '2026-03-08') = \
         (SELECT COUNT(*) FROM silver.customers)",
    );
    assert_eq!(per_customer, ["true"]);
    let listed = sql(
        lake,
        "SELECT risk_rating FROM gold.customer_risk WHERE business_date = DATE '2026-03-08' AND country = 'MM'",
    );
    assert_eq!(
        listed,
        ["medium"],
        "a customer in a call-for-action country"
    );

    // SAR cases: each one names its customer, typologies and evidence, one per customer and date.
    let cases = sql(
        lake,
        "SELECT case_id, customer_id, narrative FROM gold.sar_candidates ORDER BY business_date",
    );
    assert!(!cases.is_empty());
    let incomplete = sql(
        lake,
        "SELECT case_id FROM gold.sar_candidates WHERE cardinality(typologies) = 0 OR \
         cardinality(transaction_ids) = 0 OR strpos(narrative, customer_id) = 0 OR total_amount_usd <= 0",
    );
    assert!(incomplete.is_empty(), "{incomplete:?}");
}

#[test]
fn an_amlsim_sample_scores_as_measured() {
    let sample = support::shared_data("aml/amlsim/20K_fanin200.tgz");
    let output = paylake(
        &[
            "aml",
            "eval",
            "--amlsim",
            sample.to_str().unwrap(),
            "--format",
            "json",
        ],
        &[],
    );
    let scores = last_json_line(&output);
    assert_eq!(scores["laundering_accounts"], 954, "{output}");
    // Floors under the figures measured at this version (precision 0.972, recall 0.556): a
    // change that loses detections fails here. Why recall stays far from 0.9 on this sample is
    // in README.md.
    assert!(scores["precision"].as_f64().unwrap() >= 0.9, "{output}");
    assert!(scores["recall"].as_f64().unwrap() >= 0.5, "{output}");
    assert!(scores["f1"].as_f64().unwrap() >= 0.65, "{output}");
    assert!(
        scores["by_typology"]["split_transfers"]["accounts"]
            .as_u64()
            .unwrap()
            > 400
    );

    // No rule floods, at AMLSim's amounts or at realistic ones (x100: transfers of USD 250 to
    // 60,000): each alerts on at most 2% of the accounts. Measured before each rule stated its
    // minimum evidence, at x100: velocity_spike 79.77% (against every calendar day),
    // rapid_movement 15.09% (one pass-through of 80% or more).
    for scale in ["1", "100"] {
        let scores = last_json_line(&paylake(
            &[
                "aml",
                "eval",
                "--amlsim",
                sample.to_str().unwrap(),
                "--amount-scale",
                scale,
                "--format",
                "json",
            ],
            &[],
        ));
        for (rule_id, row) in scores["by_typology"].as_object().unwrap() {
            assert!(
                row["share_of_accounts"].as_f64().unwrap() <= 0.02,
                "{rule_id} floods at amounts x{scale}: {row}"
            );
        }
    }
}

#[test]
fn a_broken_amlsim_file_is_named_with_its_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("nodes.csv"),
        "nodeid,isFraud,init_balance,fraudStep\n0,0,1.00,-1\n1,1,2.00,3\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("transactions.csv"),
        "sourceNodeId,targetNodeId,value,time\n0,1,10.00,1\n1,0,ten,2\n",
    )
    .unwrap();
    let output = support::paylake_command()
        .args(["aml", "eval", "--amlsim", dir.path().to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("transactions.csv line 3") && stderr.contains("'ten'"),
        "{stderr}"
    );
}
