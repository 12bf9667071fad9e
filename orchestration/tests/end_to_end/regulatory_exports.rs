//! Regulatory filing through the `paylake` binary, on a demo lake: exports that validate
//! against FinCEN's and goAML's schemas, manifests that hold their files' digests, packages
//! never overwritten, schedules that catch up and record their runs, deadlines that show what
//! is late, acknowledgements tied to the records they acknowledge, and the AML report as
//! headless Chromium renders and prints it.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::support;

fn paylake(args: &[&str], settings: &Path) -> String {
    let mut command = support::paylake_command();
    command.args(args).env("PAYLAKE_REGULATORY", settings).env(
        "PAYLAKE_OFAC_SDN_CSV",
        support::shared_data("sanctions/ofac-2022-01-31/sdn.csv"),
    );
    support::run(&mut command)
}

fn sql(lake: &str, settings: &Path, query: &str) -> Vec<Vec<String>> {
    support::csv_rows(&paylake(
        &["sql", "--lake", lake, "--format", "csv", query],
        settings,
    ))
}

/// Validates an XML file against its schema with xmllint; fails the test with its message.
fn assert_validates(file: &Path) {
    let name = file.file_name().unwrap().to_string_lossy().to_string();
    let schema = if name.starts_with("CTRX_") {
        "regulatory/fincen/EFL_CTRXBatchSchema.xsd"
    } else if name.starts_with("SARX_") {
        "regulatory/fincen/EFL_SARXBatchSchema.xsd"
    } else {
        "regulatory/goaml/goAMLSchema.xsd"
    };
    let output = std::process::Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(support::shared_data(schema))
        .arg(file)
        .output()
        .expect("xmllint is installed by the test command");
    assert!(
        output.status.success(),
        "{} does not validate:\n{}",
        file.display(),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Every XML file under `folder`, and every manifest checked against the files it lists.
fn check_packages(folder: &Path) -> usize {
    let mut validated = 0;
    for package in std::fs::read_dir(folder).unwrap() {
        let package = package.unwrap().path();
        let manifest: serde_json::Value =
            serde_json::from_slice(&std::fs::read(package.join("manifest.json")).unwrap()).unwrap();
        for file in manifest["files"].as_array().unwrap() {
            let path = package.join(file["path"].as_str().unwrap());
            let bytes = std::fs::read(&path).unwrap();
            let digest: String = Sha256::digest(&bytes)
                .iter()
                .map(|byte| format!("{byte:02x}"))
                .collect();
            assert_eq!(file["sha256"], digest, "{}", path.display());
            assert_eq!(file["bytes"], bytes.len(), "{}", path.display());
            assert_validates(&path);
            validated += 1;
        }
        assert!(
            manifest["tables_read"]["silver.customers"].is_u64(),
            "{manifest}"
        );
        assert_eq!(manifest["generator"]["name"], "paylake");
    }
    validated
}

#[test]
fn exports_validate_schedules_catch_up_and_deadlines_show_what_is_late() {
    let dir = tempfile::tempdir().unwrap();
    let lake_path = dir.path().join("lake");
    let lake = lake_path.to_str().unwrap();
    // The shipped settings, with the schedules starting on the first business date.
    let shipped =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../regulatory.toml"))
            .unwrap();
    let settings = dir.path().join("regulatory.toml");
    std::fs::write(
        &settings,
        shipped.replace(
            "out = \"{lake}/exports\"",
            "out = \"{lake}/exports\"\nstart = \"2026-03-02T00:00:00-05:00\"",
        ),
    )
    .unwrap();
    // The demo files its period by the schedules; here it files nothing, so that the test
    // sees deadlines pass first, then the schedules catch up.
    let unscheduled = dir.path().join("unscheduled.toml");
    std::fs::write(
        &unscheduled,
        &shipped[..shipped.find("[[schedules]]").unwrap()],
    )
    .unwrap();
    paylake(
        &[
            "demo",
            "--lake",
            lake,
            "--days",
            "7",
            "--payments-per-day",
            "100",
        ],
        &unscheduled,
    );

    // A CTR export filed late: the 2026-03-02 CTRs filed on 03-25, after their due date (03-17).
    let manual = dir.path().join("manual");
    let manual_arg = manual.to_str().unwrap();
    let export_late = [
        "export",
        "--lake",
        lake,
        "--kind",
        "fincen-ctr",
        "--from",
        "2026-03-02",
        "--to",
        "2026-03-02",
        "--out",
        manual_arg,
        "--filing-date",
        "2026-03-25",
    ];
    let first = paylake(&export_late, &settings);
    assert!(first.contains("(delivered)"), "{first}");
    let statuses = sql(
        lake,
        &settings,
        "SELECT filing_kind, status, CAST(COUNT(*) AS VARCHAR) FROM gold.filing_deadlines \
         WHERE business_date = DATE '2026-03-25' GROUP BY 1, 2 ORDER BY 1, 2",
    );
    let has = |kind: &str, status: &str| {
        statuses
            .iter()
            .any(|row| row[0] == kind && row[1] == status && row[2] != "0")
    };
    assert!(has("fincen-ctr", "filed_late"), "{statuses:?}");
    assert!(
        has("fincen-ctr", "late"),
        "later CTRs are unfiled past due: {statuses:?}"
    );
    assert!(has("fincen-sar", "due"), "SARs have 30 days: {statuses:?}");
    let due_dates = sql(
        lake,
        &settings,
        "SELECT DISTINCT CAST(due_date AS VARCHAR) FROM gold.filing_deadlines \
         WHERE business_date = DATE '2026-03-25' AND trigger_date = DATE '2026-03-02' \
         ORDER BY 1",
    );
    assert_eq!(
        due_dates,
        [
            vec!["2026-03-17".to_string()],
            vec!["2026-04-01".to_string()]
        ],
        "CTR 15 days, SAR 30 days"
    );

    // Exported again: the same content is found delivered; nothing is overwritten.
    let package = manual.join("fincen-ctr_2026-03-02_2026-03-02");
    let before = std::fs::read(package.join("manifest.json")).unwrap();
    let again = paylake(&export_late, &settings);
    assert!(again.contains("already delivered, unchanged"), "{again}");
    assert_eq!(
        std::fs::read(package.join("manifest.json")).unwrap(),
        before
    );
    // Changed content (another filing date) is the next revision, beside the first.
    let mut changed = export_late.to_vec();
    *changed.last_mut().unwrap() = "2026-03-26";
    let revised = paylake(&changed, &settings);
    assert!(
        revised.contains("fincen-ctr_2026-03-02_2026-03-02.r2 (delivered)"),
        "{revised}"
    );
    assert_eq!(
        std::fs::read(package.join("manifest.json")).unwrap(),
        before
    );
    assert!(check_packages(&manual) >= 2);

    // The schedules catch up every tick from their start: CTR daily at 06:00, SAR and goAML
    // weekly on Mondays (2026-03-02 and 03-09), in New York time.
    let due = paylake(
        &[
            "schedule",
            "run-due",
            "--lake",
            lake,
            "--now",
            "2026-03-09T15:00:00Z",
        ],
        &settings,
    );
    let runs = sql(
        lake,
        &settings,
        "SELECT schedule, CAST(COUNT(*) AS VARCHAR) FROM system.regulatory_exports \
         WHERE schedule IS NOT NULL GROUP BY schedule ORDER BY schedule",
    );
    assert_eq!(
        runs,
        [
            vec!["ctr-daily".to_string(), "8".to_string()],
            vec!["goaml-weekly".to_string(), "2".to_string()],
            vec!["sar-weekly".to_string(), "2".to_string()],
        ],
        "{due}"
    );
    let nothing = paylake(
        &[
            "schedule",
            "run-due",
            "--lake",
            lake,
            "--now",
            "2026-03-09T15:30:00Z",
        ],
        &settings,
    );
    assert!(nothing.contains("no export is due"), "{nothing}");
    let validated = check_packages(&lake_path.join("exports"));
    assert!(validated >= 4, "{validated} files validated");
    // Every CTR of the week is filed by the schedules as of 03-09. A SAR is filed only when an
    // investigator decided it and a second officer approved it: the demo's one approved case
    // is filed, the cases still worked are due (none is 30 days old), the closed ones owe none.
    let open_ctrs = sql(
        lake,
        &settings,
        "SELECT record_key, status FROM gold.filing_deadlines WHERE business_date = DATE \
         '2026-03-09' AND trigger_date <= DATE '2026-03-08' AND filing_kind = 'fincen-ctr' \
         AND status NOT IN ('filed')",
    );
    assert!(open_ctrs.is_empty(), "{open_ctrs:?}");
    let sar_statuses = sql(
        lake,
        &settings,
        "SELECT status, CAST(COUNT(*) AS VARCHAR) FROM gold.filing_deadlines WHERE business_date \
         = DATE '2026-03-09' AND filing_kind = 'fincen-sar' GROUP BY status ORDER BY status",
    );
    assert_eq!(sar_statuses[0][0], "due", "{sar_statuses:?}");
    assert_eq!(
        sar_statuses[1],
        ["filed".to_string(), "1".to_string()],
        "{sar_statuses:?}"
    );
    let closed_owed = sql(
        lake,
        &settings,
        "SELECT d.record_key FROM gold.filing_deadlines d JOIN decisions.case_events e \
         ON e.case_id = d.record_key AND e.action = 'close' WHERE d.business_date = DATE '2026-03-09'",
    );
    assert!(
        closed_owed.is_empty(),
        "a closed case owes no SAR: {closed_owed:?}"
    );

    // FinCEN's acknowledgement of the weekly SAR batch: the BSA ID of the case it filed.
    let load_ack = |file: &Path| {
        paylake(
            &[
                "filings",
                "load-ack",
                "--lake",
                lake,
                "--export",
                "fincen-sar_2026-03-02_2026-03-08",
                file.to_str().unwrap(),
            ],
            &settings,
        )
    };
    let acknowledged = load_ack(&support::shared_data(
        "regulatory/fincen/sar_acknowledgement.xml",
    ));
    assert!(acknowledged.contains("31000055053784"), "{acknowledged}");
    // The same acknowledgement delivered again, under another name, is recorded once.
    let filings_recorded = |lake: &str| {
        sql(
            lake,
            &settings,
            "SELECT CAST(count(*) AS VARCHAR) FROM system.regulatory_filings",
        )
    };
    let recorded_once = filings_recorded(lake);
    let copy = dir.path().join("sar_acknowledgement_again.xml");
    std::fs::copy(
        support::shared_data("regulatory/fincen/sar_acknowledgement.xml"),
        &copy,
    )
    .unwrap();
    let loaded_again = load_ack(&copy);
    assert!(loaded_again.contains("already loaded"), "{loaded_again}");
    assert_eq!(filings_recorded(lake), recorded_once);
    let filings = sql(
        lake,
        &settings,
        "SELECT f.bsa_id, f.status, CAST(f.warning_count AS VARCHAR), f.record_key \
         FROM system.regulatory_filings f JOIN decisions.case_events e \
         ON e.case_id = f.record_key AND e.action = 'file' ORDER BY f.activity_number",
    );
    assert_eq!(filings.len(), 1, "the package filed one case: {filings:?}");
    assert_eq!(
        filings[0][..3],
        ["31000055053784", "accepted_with_warnings", "2"]
    );
    let case: serde_json::Value = serde_json::from_str(&paylake(
        &[
            "case",
            "show",
            "--lake",
            lake,
            &filings[0][3],
            "--format",
            "json",
        ],
        &settings,
    ))
    .unwrap();
    assert_eq!(case["state"], "filed", "{case}");
    assert_eq!(case["bsa_id"], "31000055053784", "{case}");

    // The AML report of the week, as a compliance officer's browser shows and prints it.
    let written = paylake(
        &[
            "report",
            "aml",
            "--lake",
            lake,
            "--from",
            "2026-03-02",
            "--to",
            "2026-03-08",
            "--pdf",
        ],
        &settings,
    );
    let page = PathBuf::from(written.lines().next().unwrap());
    let pdf = std::fs::read(written.lines().nth(1).unwrap()).unwrap();
    assert!(
        pdf.starts_with(b"%PDF") && pdf.len() > 10_000,
        "{} bytes",
        pdf.len()
    );
    let dom = String::from_utf8(support::chromium(&page, dir.path(), "--dump-dom")).unwrap();
    for expected in [
        "id=\"glance\"",
        "Alerts by typology",
        "Alerts by day",
        "Customers by risk rating",
        "id=\"ctr-table\"",
        "id=\"sar-table\"",
        "id=\"sanctions-table\"",
        "id=\"deadline-table\"",
        "How the money moved",
        "<svg class=\"flow\"",
        &format!("rules version {}", support::aml_rules().1),
    ] {
        assert!(dom.contains(expected), "the page lacks {expected}");
    }
    // A cycle alert's drawing: an arrow per evidence transfer.
    let cycle_section = dom
        .split("<section class=\"alert\"")
        .find(|section| section.contains("cycle alert"));
    let cycle_section = cycle_section.expect("the demo injects a cycle");
    assert!(
        cycle_section.matches("marker-end").count() >= 3,
        "{cycle_section}"
    );
    let screenshot = dir.path().join("report.png");
    support::chromium(
        &page,
        dir.path(),
        &format!("--screenshot={}", screenshot.display()),
    );
    let png = std::fs::read(&screenshot).unwrap();
    assert!(png.starts_with(b"\x89PNG"));
    // A blank page compresses to a few kilobytes; charts and tables do not.
    assert!(
        png.len() > 30_000,
        "the screenshot looks blank: {} bytes",
        png.len()
    );
}
