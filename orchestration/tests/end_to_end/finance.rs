//! Finance end to end through the `paylake` binary: the simulator injects reconciliation breaks
//! and a cost anomaly, the demo and later business dates run, and the gold tables hold exactly
//! what was injected, with the pages that show them.

use std::collections::BTreeSet;

use crate::support;

fn paylake(args: &[&str]) -> String {
    support::run(support::paylake_command().args(args))
}

fn query(lake: &str, sql: &str) -> Vec<Vec<String>> {
    support::csv_rows(&paylake(&["sql", "--lake", lake, "--format", "csv", sql]))
}

/// The category paylake gives each kind of break the simulator injects.
fn expected_category(break_type: &str) -> &'static str {
    match break_type {
        "missing_in_settlement" => "missing_in_processor",
        "amount_mismatch" => "amount_mismatch",
        "duplicate_in_settlement" => "duplicate",
        "missing_in_bank" => "missing_in_bank",
        "timing" => "timing_pending",
        other => panic!("the simulator injects an unknown break type {other}"),
    }
}

#[test]
fn every_injected_break_and_anomaly_is_found_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let lake = dir.path().join("lake");
    let lake_arg = lake.to_str().unwrap();
    paylake(&[
        "demo",
        "--lake",
        lake_arg,
        "--days",
        "7",
        "--payments-per-day",
        "100",
    ]);
    // Past the last simulated date, every counterpart's window has closed.
    for day in 9..=12 {
        paylake(&[
            "run",
            "--lake",
            lake_arg,
            "--date",
            &format!("2026-03-{day:02}"),
        ]);
    }

    let truth_text = std::fs::read_to_string(lake.join("landing/_truth/recon_breaks.csv")).unwrap();
    let truth = support::csv_rows(&truth_text);
    assert_eq!(truth.len(), 5, "one break of each kind: {truth:?}");
    let truth_references: BTreeSet<String> = truth.iter().map(|row| row[2].clone()).collect();

    // At the end, the breaks are exactly the injected ones that never resolve, each with its
    // category, the date it arose and the amount at stake.
    let last = query(
        lake_arg,
        "SELECT category, reference, CAST(origin_date AS VARCHAR), currency, \
         CAST(COALESCE(difference, left_amount, right_amount) AS VARCHAR), status \
         FROM gold.recon_breaks WHERE business_date = DATE '2026-03-12' ORDER BY 2",
    );
    let mut expected: Vec<Vec<String>> = truth
        .iter()
        .filter(|row| row[0] != "timing")
        .map(|row| {
            vec![
                expected_category(&row[0]).to_string(),
                row[2].clone(),
                row[1].clone(),
                row[3].clone(),
                row[4].clone(),
                "open".to_string(),
            ]
        })
        .collect();
    expected.sort_by(|left, right| left[1].cmp(&right[1]));
    // The demo's finance clerk matched one by hand and wrote one off: from the date the
    // decisions took effect those are no longer carried, the match is a manual one.
    let settled: std::collections::BTreeMap<String, String> = query(
        lake_arg,
        "SELECT DISTINCT b.reference, e.to_state FROM decisions.break_events AS e \
         JOIN gold.recon_breaks AS b ON b.break_id = e.break_id \
         WHERE e.to_state IN ('matched', 'written_off')",
    )
    .into_iter()
    .map(|row| (row[0].clone(), row[1].clone()))
    .collect();
    assert_eq!(
        settled.values().cloned().collect::<BTreeSet<_>>(),
        BTreeSet::from(["matched".to_string(), "written_off".to_string()]),
        "{settled:?}"
    );
    let manual: Vec<String> = query(
        lake_arg,
        "SELECT reference FROM gold.recon_matches WHERE rule_id = 'manual'",
    )
    .into_iter()
    .map(|row| row[0].clone())
    .collect();
    let matched_by_hand: Vec<&String> = settled
        .iter()
        .filter(|(_, state)| *state == "matched")
        .map(|(reference, _)| reference)
        .collect();
    assert_eq!(manual.iter().collect::<Vec<_>>(), matched_by_hand);
    expected.retain(|row| !settled.contains_key(&row[1]));
    assert_eq!(last, expected);

    // On no date is anything else a break.
    let every_reference: BTreeSet<String> =
        query(lake_arg, "SELECT DISTINCT reference FROM gold.recon_breaks")
            .into_iter()
            .map(|row| row[0].clone())
            .collect();
    assert_eq!(every_reference, truth_references);

    // The late payout was timing_pending while inside its window, then matched late.
    let timing = truth.iter().find(|row| row[0] == "timing").unwrap();
    let pending_dates = query(
        lake_arg,
        &format!(
            "SELECT DISTINCT category FROM gold.recon_breaks WHERE reference = '{}'",
            timing[2]
        ),
    );
    assert_eq!(
        pending_dates,
        vec![vec![expected_category("timing").to_string()]]
    );
    let late_match = query(
        lake_arg,
        &format!(
            "SELECT rule_id, CAST(days_late AS VARCHAR) FROM gold.recon_matches \
             WHERE reference = '{}' AND right_side = 'bank'",
            timing[2]
        ),
    );
    assert_eq!(late_match.len(), 1, "{late_match:?}");
    assert!(
        late_match[0][1].parse::<i64>().unwrap() > 0,
        "{late_match:?}"
    );

    // Every other payment that reached settlement is matched exactly once.
    let unmatched = query(
        lake_arg,
        "SELECT COUNT(*) FROM silver.payments AS p WHERE p.status IN ('settled', 'refunded', 'charged_back') \
         AND p.payment_id NOT IN (SELECT reference FROM gold.recon_matches WHERE rule_id = 'payment_exact') ",
    );
    assert_eq!(
        unmatched,
        vec![vec!["2".to_string()]],
        "the missing and the mismatched payment"
    );

    // The summary of the last date counts the open breaks per currency: the injected ones
    // the demo's clerk did not settle.
    let summary = query(
        lake_arg,
        "SELECT currency, CAST(open_break_count AS VARCHAR) FROM gold.recon_summary \
         WHERE business_date = DATE '2026-03-12' AND open_break_count > 0",
    );
    assert_eq!(
        summary,
        vec![vec!["USD".to_string(), (4 - settled.len()).to_string()]]
    );

    // Cost: the injected anomaly and nothing else, with its resource as the root cause.
    let anomalies_truth =
        std::fs::read_to_string(lake.join("landing/_truth/cost_anomalies.csv")).unwrap();
    let anomalies = query(
        lake_arg,
        "SELECT CAST(business_date AS VARCHAR), service_name, root_cause_resource \
         FROM gold.cost_anomalies ORDER BY 1",
    );
    assert_eq!(anomalies, support::csv_rows(&anomalies_truth));

    // The pages of the last simulated date show the open breaks, the anomaly's day its anomaly.
    let recon_page = std::fs::read_to_string(lake.join("reports/recon/2026-03-12.html")).unwrap();
    for reference in &truth_references {
        if reference != &timing[2] && !settled.contains_key(reference) {
            assert!(
                recon_page.contains(reference.as_str()),
                "{reference} not on the page"
            );
        }
    }
    assert!(recon_page.contains("<svg"));
    let anomaly_day = &support::csv_rows(&anomalies_truth)[0][0];
    let cost_page =
        std::fs::read_to_string(lake.join(format!("reports/cost/{anomaly_day}.html"))).unwrap();
    assert!(cost_page.contains("stream/payment-events") && cost_page.contains("<svg"));
    let rendered = support::chromium(
        &lake.join("reports/recon/2026-03-12.html"),
        dir.path(),
        "--dump-dom",
    );
    let rendered = String::from_utf8(rendered).unwrap();
    assert!(rendered.contains("<rect"), "the chart did not render");
    assert!(rendered.contains("missing_in_bank"));
}
