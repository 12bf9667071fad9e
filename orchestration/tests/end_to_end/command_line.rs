//! The command line as a shell uses it: output piped into a command that stops reading, logs
//! redirected to a file, a lake folder mistyped.

use std::io::{BufRead, BufReader};
use std::os::unix::process::ExitStatusExt;
use std::process::Stdio;

use crate::support::{paylake_command, run};

/// A lake with something in it: one simulated day delivered to its landing folder.
fn simulated_lake(dir: &std::path::Path) -> String {
    let lake = dir.join("lake");
    let lake = lake.to_str().unwrap().to_string();
    run(paylake_command().args([
        "simulate",
        "--lake",
        &lake,
        "--days",
        "1",
        "--payments-per-day",
        "20",
    ]));
    lake
}

#[test]
fn a_query_piped_into_a_reader_that_stops_early_ends_quietly_and_is_still_audited() {
    let dir = tempfile::tempdir().unwrap();
    let lake = simulated_lake(dir.path());
    let mut query = paylake_command()
        .args([
            "sql",
            "--lake",
            &lake,
            "--format",
            "csv",
            "SELECT value FROM generate_series(1, 500000)",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read the header and one row, then close the pipe, as `| head -2` does.
    let mut first_lines = BufReader::new(query.stdout.take().unwrap()).lines();
    assert_eq!(first_lines.next().unwrap().unwrap(), "value");
    assert_eq!(first_lines.next().unwrap().unwrap(), "1");
    drop(first_lines);
    let ended = query.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&ended.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        stderr.is_empty(),
        "nothing is said on a closed pipe: {stderr}"
    );
    assert!(
        ended.status.success() || ended.status.signal() == Some(13),
        "ended by SIGPIPE or normally, not by an error: {:?}",
        ended.status
    );
    let audited = run(paylake_command().args([
        "sql",
        "--lake",
        &lake,
        "--format",
        "csv",
        "SELECT CAST(rows_returned AS VARCHAR) FROM system.query_audit \
         WHERE query_text LIKE '%generate_series(1, 500000)%'",
    ]));
    assert_eq!(audited.lines().nth(1), Some("500000"), "{audited}");
}

#[test]
fn a_reading_command_pointed_at_a_folder_without_a_lake_says_so_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let empty_folder = dir.path().join("not-a-lake");
    std::fs::create_dir(&empty_folder).unwrap();
    let missing_folder = dir.path().join("no-such-folder");
    for place in [&empty_folder, &missing_folder] {
        let place = place.to_str().unwrap();
        for command in [
            vec!["sql", "--lake", place, "SELECT 1"],
            vec!["tables", "--lake", place],
            vec!["maintain", "--lake", place],
        ] {
            let output = paylake_command().args(&command).output().unwrap();
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert!(!output.status.success(), "{command:?} answered");
            assert!(
                stderr.contains(&format!("no lake at '{place}'"))
                    && stderr.contains("paylake demo --lake"),
                "{command:?}: {stderr}"
            );
        }
    }
    assert_eq!(std::fs::read_dir(&empty_folder).unwrap().count(), 0);
    assert!(!missing_folder.exists());
}

#[test]
fn log_lines_written_to_a_file_carry_no_colour_codes() {
    let dir = tempfile::tempdir().unwrap();
    let lake = simulated_lake(dir.path());
    // Standard error is a pipe here, as it is when redirected to a file.
    let output = paylake_command()
        .args(["-v", "ingest", "--lake", &lake])
        .output()
        .unwrap();
    assert!(output.status.success());
    let log = String::from_utf8_lossy(&output.stderr);
    assert!(
        log.contains(" INFO "),
        "info lines are logged with -v: {log}"
    );
    assert!(!log.contains('\u{1b}'), "no escape codes: {log}");
}
