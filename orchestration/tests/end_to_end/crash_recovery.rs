//! Exactly once under crashes: `paylake ingest` is killed with SIGKILL at random moments, at
//! least twenty times, and re-run each time; the silver tables then equal those of one clean
//! run on the same landing files, row for row.

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use paylake_catalog::{registry, Zone};

use crate::support;

const KILLS: usize = 20;

fn paylake(args: &[&str]) -> String {
    support::run(support::paylake_command().args(args))
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A table's rows as sorted CSV lines, without the id of the run that wrote them (the one
/// thing two correct histories of ingest runs may differ in).
fn table_rows(lake: &str, table: &str) -> Vec<String> {
    let text = paylake(&[
        "sql",
        "--lake",
        lake,
        "--format",
        "csv",
        &format!("SELECT * FROM {table}"),
    ]);
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let kept: Vec<usize> = (0..headers.len())
        .filter(|index| &headers[*index] != "_ingest_run")
        .collect();
    let mut rows: Vec<String> = reader
        .records()
        .map(|record| {
            let record = record.unwrap();
            kept.iter()
                .map(|index| record[*index].to_string())
                .collect::<Vec<_>>()
                .join("\u{1f}")
        })
        .collect();
    rows.sort();
    rows
}

/// A small deterministic generator of kill delays.
struct Delays(u64);

impl Delays {
    fn next_millis(&mut self, max: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        50 + (self.0 >> 33) % max.max(1)
    }
}

#[test]
fn silver_after_twenty_sigkills_equals_one_clean_run() {
    let dir = tempfile::tempdir().unwrap();
    let clean = dir.path().join("clean");
    let crashed = dir.path().join("crashed");
    let (clean_arg, crashed_arg) = (clean.to_str().unwrap(), crashed.to_str().unwrap());
    paylake(&[
        "simulate",
        "--lake",
        clean_arg,
        "--days",
        "2",
        "--payments-per-day",
        "300",
    ]);
    copy_tree(&clean.join("landing"), &crashed.join("landing"));

    let started = Instant::now();
    paylake(&["ingest", "--lake", clean_arg]);
    let clean_millis = started.elapsed().as_millis() as u64;

    let mut delays = Delays(0x5eed);
    let mut kills = 0;
    let mut attempts = 0;
    while kills < KILLS {
        attempts += 1;
        assert!(
            attempts < 200,
            "ingest kept finishing before it could be killed"
        );
        let mut child = support::paylake_command()
            .args(["ingest", "--lake", crashed_arg])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delays.next_millis(clean_millis / 3)));
        if child.try_wait().unwrap().is_none() {
            // `Child::kill` sends SIGKILL on Unix: no destructor, no flush, no cleanup.
            child.kill().unwrap();
            kills += 1;
        }
        child.wait().unwrap();
    }
    paylake(&["ingest", "--lake", crashed_arg]);

    for table in registry().tables() {
        if table.zone != Zone::Silver {
            continue;
        }
        let name = table.qualified_name();
        let expected = table_rows(clean_arg, &name);
        let found = table_rows(crashed_arg, &name);
        assert_eq!(
            found.len(),
            expected.len(),
            "{name}: row count after {kills} kills"
        );
        assert!(found == expected, "{name}: rows differ after {kills} kills");
    }
    // Bronze holds each landing record once, whatever the kills interrupted.
    for table in registry().tables() {
        if table.zone == Zone::Bronze {
            let count = format!("SELECT count(*) AS n FROM {}", table.qualified_name());
            assert_eq!(
                paylake(&["sql", "--lake", crashed_arg, "--format", "csv", &count]),
                paylake(&["sql", "--lake", clean_arg, "--format", "csv", &count]),
                "{}",
                table.qualified_name()
            );
        }
    }
}
