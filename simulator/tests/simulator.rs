//! The simulator: deterministic for a seed, and its files are what the readers take in full.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use paylake_ingest::landing::list_files;
use paylake_ingest::sources::Source;
use paylake_simulator::{simulate, SimulationConfig};

fn small_config(seed: u64) -> SimulationConfig {
    SimulationConfig {
        days: 3,
        payments_per_day: 60,
        seed,
        ofac_sdn_csv: Some(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../shared/data/sanctions/ofac-2022-01-31/sdn.csv"),
        ),
        ..SimulationConfig::default()
    }
}

fn file_contents(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut folders = vec![root.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                folders.push(path);
            } else {
                let relative = path.strip_prefix(root).unwrap().to_path_buf();
                files.insert(relative, std::fs::read(&path).unwrap());
            }
        }
    }
    files
}

#[test]
fn the_same_seed_writes_the_same_files_and_another_seed_does_not() {
    let dir = tempfile::tempdir().unwrap();
    simulate(&dir.path().join("a"), &small_config(7)).unwrap();
    simulate(&dir.path().join("b"), &small_config(7)).unwrap();
    simulate(&dir.path().join("c"), &small_config(8)).unwrap();
    let first = file_contents(&dir.path().join("a"));
    assert!(first.len() > 20);
    assert!(
        first == file_contents(&dir.path().join("b")),
        "same seed, different files"
    );
    assert!(
        first != file_contents(&dir.path().join("c")),
        "another seed, same files"
    );
}

#[test]
fn every_simulated_record_is_taken_by_its_reader() {
    let dir = tempfile::tempdir().unwrap();
    let summary = simulate(dir.path(), &small_config(1)).unwrap();
    assert_eq!(summary.truth_files.len(), 6);
    for source in Source::ALL {
        let files = list_files(dir.path(), source).unwrap();
        assert!(!files.is_empty(), "no {} files", source.name());
        for file in files {
            let parsed = source.read_file(&file.path, &file.relative_path);
            assert!(
                parsed.quarantined.is_empty(),
                "{}: {:?}",
                file.relative_path,
                parsed.quarantined.first()
            );
            assert!(
                parsed.records_taken() > 0,
                "{} is empty",
                file.relative_path
            );
        }
    }
    // The sanctioned-name customers and their truth.
    let sanctions =
        std::fs::read_to_string(dir.path().join("_truth/sanctions_matches.csv")).unwrap();
    assert_eq!(sanctions.lines().count(), 4, "{sanctions}");
}

#[test]
fn a_simulation_continued_day_by_day_writes_what_one_run_writes() {
    let dir = tempfile::tempdir().unwrap();
    let whole = dir.path().join("whole");
    let grown = dir.path().join("grown");
    // Enough customers for every injected case.
    let config = |days| SimulationConfig {
        days,
        payments_per_day: 600,
        ..small_config(11)
    };
    let summary = simulate(&whole, &config(10)).unwrap();
    assert_eq!(summary.first_date, SimulationConfig::default().start_date);
    // Grown as production grows: a first week (its cases are injected inside the first run),
    // then one day and then two at a time. The payments in flight, their open settlement
    // batches and the payouts on their way to the bank cross the runs.
    let mut first_dates = Vec::new();
    for days in [7, 1, 2] {
        first_dates.push(simulate(&grown, &config(days)).unwrap().first_date);
    }
    let start = SimulationConfig::default().start_date;
    assert_eq!(
        first_dates,
        [
            start,
            start + chrono::Duration::days(7),
            start + chrono::Duration::days(8)
        ]
    );
    let whole_files = file_contents(&whole);
    let grown_files = file_contents(&grown);
    let names = |files: &BTreeMap<PathBuf, Vec<u8>>| files.keys().cloned().collect::<Vec<_>>();
    assert_eq!(names(&whole_files), names(&grown_files));
    for (path, bytes) in &whole_files {
        assert!(
            grown_files[path] == *bytes,
            "{} differs between one run and three",
            path.display()
        );
    }
    // Every typology of the first week is in the truth once, with its transactions.
    let typologies = std::fs::read_to_string(grown.join("_truth/typologies.csv")).unwrap();
    for typology in ["structuring", "round_amounts", "fan_in", "peer_outlier"] {
        let rows: Vec<&str> = typologies
            .lines()
            .filter(|line| line.starts_with(&format!("{typology},")))
            .collect();
        assert_eq!(rows.len(), 1, "{typology}: {typologies}");
    }
    let structuring = typologies
        .lines()
        .find(|line| line.starts_with("structuring,"))
        .unwrap();
    assert_eq!(
        structuring.rsplit(',').next().unwrap().split(' ').count(),
        4,
        "{structuring}"
    );
}

#[test]
fn a_continuation_with_other_settings_is_refused_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    simulate(dir.path(), &small_config(5)).unwrap();
    let before = file_contents(dir.path());
    let other_seed = simulate(dir.path(), &small_config(6))
        .unwrap_err()
        .to_string();
    assert!(other_seed.contains("seed 5"), "{other_seed}");
    let other_volume = SimulationConfig {
        payments_per_day: 80,
        ..small_config(5)
    };
    let refused = simulate(dir.path(), &other_volume).unwrap_err().to_string();
    assert!(refused.contains("payments per day 60"), "{refused}");
    assert!(
        before == file_contents(dir.path()),
        "a refused run wrote files"
    );

    // Landing that holds a simulation's truth but no state cannot be continued.
    std::fs::remove_dir_all(dir.path().join(paylake_simulator::STATE_FOLDER)).unwrap();
    let stateless = simulate(dir.path(), &small_config(5))
        .unwrap_err()
        .to_string();
    assert!(stateless.contains("without its state"), "{stateless}");
}
