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
    assert_eq!(summary.truth_files.len(), 5);
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
