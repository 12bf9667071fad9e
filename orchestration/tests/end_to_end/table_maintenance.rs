//! Table maintenance under faults: `paylake maintain` killed with SIGKILL at random moments
//! leaves every table readable with the same rows, and maintenance running beside an ingest
//! loses nothing.

use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant, SystemTime};

use paylake_catalog::{lake_session, registry, Lake};

use crate::support;

const KILLS: usize = 8;

fn paylake(args: &[&str]) -> String {
    support::run(support::paylake_command().args(args))
}

/// The source files a simulation delivered, oldest delivery first.
fn deliveries(landing: &Path) -> Vec<(SystemTime, PathBuf)> {
    let mut found = Vec::new();
    let mut folders = vec![landing.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap().flatten() {
            let path = entry.path();
            if path.ends_with("_truth") {
                continue;
            }
            if path.is_dir() {
                folders.push(path);
            } else {
                let delivered = entry.metadata().unwrap().modified().unwrap();
                found.push((delivered, path.strip_prefix(landing).unwrap().to_path_buf()));
            }
        }
    }
    found.sort();
    found
}

/// Copies the given share of the source's deliveries into a lake's landing.
fn deliver(source: &Path, lake: &Path, files: &[(SystemTime, PathBuf)]) {
    for (_, relative) in files {
        let target = lake.join("landing").join(relative);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(source.join("landing").join(relative), target).unwrap();
    }
}

/// Each table's row count and an order-independent digest of its rows. The runs table is
/// left out: maintenance itself appends to it.
async fn table_contents(lake_root: &Path) -> BTreeMap<String, (usize, u64)> {
    let lake = Lake::open(lake_root.to_str().unwrap()).unwrap();
    let context = lake_session(&lake).await.unwrap();
    let mut contents = BTreeMap::new();
    for table in registry().tables() {
        let name = table.qualified_name();
        if name == "system.asset_runs" {
            continue;
        }
        let Ok(frame) = context.sql(&format!("SELECT * FROM {name}")).await else {
            continue; // not created in this lake
        };
        let batches = frame
            .collect()
            .await
            .unwrap_or_else(|error| panic!("{name} is unreadable: {error}"));
        let mut rows = 0;
        let mut digest = 0_u64;
        for batch in &batches {
            for row in 0..batch.num_rows() {
                let mut hasher = std::collections::hash_map::DefaultHasher::new();
                for column in batch.columns() {
                    arrow::util::display::array_value_to_string(column, row)
                        .unwrap()
                        .hash(&mut hasher);
                }
                digest = digest.wrapping_add(hasher.finish());
                rows += 1;
            }
        }
        contents.insert(name, (rows, digest));
    }
    contents
}

/// A two-day simulation's source folder, and a lake that took the first `fifths` fifths of its
/// files in four ingests (so that its tables hold several small files); the files not taken.
fn lake_of_small_files(
    dir: &Path,
    fifths: usize,
) -> (PathBuf, PathBuf, Vec<(SystemTime, PathBuf)>) {
    let source = dir.join("source");
    let lake = dir.join("lake");
    paylake(&[
        "simulate",
        "--lake",
        source.to_str().unwrap(),
        "--days",
        "2",
        "--payments-per-day",
        "200",
    ]);
    let mut files = deliveries(&source.join("landing"));
    let rest = files.split_off(files.len() * fifths.min(5) / 5);
    for share in files.chunks(files.len().div_ceil(4)) {
        deliver(&source, &lake, share);
        paylake(&["ingest", "--lake", lake.to_str().unwrap()]);
    }
    (source, lake, rest)
}

#[tokio::test(flavor = "multi_thread")]
async fn maintenance_killed_at_random_moments_leaves_every_table_readable_with_the_same_rows() {
    let dir = tempfile::tempdir().unwrap();
    let (_, lake, _) = lake_of_small_files(dir.path(), 5);
    let lake_arg = lake.to_str().unwrap();
    let before = table_contents(&lake).await;
    assert!(before.len() > 10, "the lake holds tables: {before:?}");

    // How long one pass takes, on a copy, bounds the kill delays.
    let copy = dir.path().join("copy");
    support::run(
        std::process::Command::new("cp")
            .arg("-r")
            .arg(&lake)
            .arg(&copy),
    );
    let started = Instant::now();
    paylake(&["maintain", "--lake", copy.to_str().unwrap()]);
    let pass_millis = started.elapsed().as_millis() as u64;

    let mut seed = 0x5eed_u64;
    let mut kills = 0;
    let mut attempts = 0;
    while kills < KILLS {
        attempts += 1;
        assert!(
            attempts < 100,
            "maintenance kept finishing before it could be killed"
        );
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let delay = 20 + (seed >> 33) % pass_millis.max(1);
        let mut child = support::paylake_command()
            .args(["maintain", "--lake", lake_arg])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay));
        if child.try_wait().unwrap().is_none() {
            // SIGKILL: no destructor, no flush, no cleanup.
            child.kill().unwrap();
            kills += 1;
        }
        child.wait().unwrap();
        assert_eq!(
            table_contents(&lake).await,
            before,
            "the tables changed after a kill {delay} ms into maintenance"
        );
    }
    // A whole pass after the kills finishes the work and changes no row either.
    paylake(&["maintain", "--lake", lake_arg]);
    assert_eq!(table_contents(&lake).await, before);
}

#[tokio::test(flavor = "multi_thread")]
async fn maintenance_beside_ingest_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (source, lake, later) = lake_of_small_files(dir.path(), 3);
    let lake_arg = lake.to_str().unwrap();
    // The same landing ingested in one go, with no maintenance, is what every table must hold.
    let reference = dir.path().join("reference");
    deliver(&source, &reference, &deliveries(&source.join("landing")));
    paylake(&["ingest", "--lake", reference.to_str().unwrap()]);

    // The later files arrive in three shares; each share's ingest starts together with a
    // maintenance pass.
    assert!(!later.is_empty());
    for share in later.chunks(later.len().div_ceil(3)) {
        deliver(&source, &lake, share);
        let barrier = std::sync::Arc::new(std::sync::Barrier::new(2));
        let runners: Vec<_> = ["ingest", "maintain"]
            .into_iter()
            .map(|command| {
                let barrier = barrier.clone();
                let lake = lake_arg.to_string();
                std::thread::spawn(move || {
                    barrier.wait();
                    support::paylake_command()
                        .args([command, "--lake", &lake])
                        .output()
                        .unwrap()
                })
            })
            .collect();
        for runner in runners {
            let output = runner.join().unwrap();
            assert!(
                output.status.success(),
                "{}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
    }
    let found = table_contents(&lake).await;
    let expected = table_contents(&reference).await;
    for zone in ["bronze.", "silver."] {
        for (table, (rows, _)) in expected.iter().filter(|(name, _)| name.starts_with(zone)) {
            assert_eq!(
                found.get(table).map(|(rows, _)| *rows),
                Some(*rows),
                "{table}: rows after ingest beside maintenance"
            );
        }
    }
}
