//! `paylake bench year` at small scale: every day is delivered, ingested, run and maintained,
//! and the lake records each of them.

use crate::support;

#[test]
fn a_short_year_delivers_runs_and_maintains_every_day() {
    let dir = tempfile::tempdir().unwrap();
    let workdir = dir.path().join("year");
    let output = support::run(support::paylake_command().args([
        "bench",
        "year",
        "--days",
        "3",
        "--payments-per-day",
        "100",
        "--workdir",
        workdir.to_str().unwrap(),
    ]));
    // Days 1 and 3 (the last) are reported.
    for date in ["2026-03-02", "2026-03-04"] {
        assert!(output.contains(date), "no line for {date}:\n{output}");
    }
    assert!(output.contains("peak RSS of a day's processes"), "{output}");
    // Every day's figures, reported or not, are in days.csv.
    let days_csv = std::fs::read_to_string(workdir.join("days.csv")).unwrap();
    let lines: Vec<&str> = days_csv.lines().collect();
    assert_eq!(lines.len(), 4, "a header and three days:\n{days_csv}");
    assert!(
        lines[0].starts_with("day,date,files_delivered,ingest_seconds,run_seconds"),
        "{days_csv}"
    );
    assert!(lines[2].starts_with("2,2026-03-03,"), "{days_csv}");

    let lake = workdir.join("lake");
    let lake = lake.to_str().unwrap();
    let dates_built = support::sorted_rows(
        lake,
        "SELECT DISTINCT CAST(business_date AS VARCHAR) FROM system.asset_runs \
         WHERE step = 'aml_alerts' AND status = 'succeeded'",
    );
    assert_eq!(dates_built, ["2026-03-02", "2026-03-03", "2026-03-04"]);
    // Each day's maintenance pass is recorded, one row per table it maintained.
    let maintenance_runs = support::sorted_rows(
        lake,
        "SELECT count(DISTINCT run_id) FROM system.asset_runs WHERE step = 'maintain' AND status = 'succeeded'",
    );
    assert_eq!(maintenance_runs, ["3"]);
    // Landing holds what was delivered, without the simulator's truth.
    assert!(workdir.join("lake/landing/aurora").is_dir());
    assert!(!workdir.join("lake/landing/_truth").exists());
}
