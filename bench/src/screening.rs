//! `paylake bench screening`: how fast names screen against the whole OFAC SDN list with its
//! aliases, and how well: recall on variants of listed individuals' names (typos, dropped or
//! swapped names, other transliterations) and false positives on names of unlisted people, at
//! the threshold of the rules file. The list is read as production reads it: loaded into a
//! scratch lake and taken from `silver.sanctions_*`.

use std::path::{Path, PathBuf};
use std::time::Instant;

use paylake_catalog::{lake_session, Lake};
use paylake_ingest::ingest_lake_with;
use paylake_ingest::landing::{deliver_files, FileKind};
use paylake_ingest::pii::EmbeddedPiiDetector;
use paylake_transforms::aml::screening::variants::{
    listed_variants, unlisted_names, ProbeName, VARIANT_KINDS,
};
use paylake_transforms::aml::screening::{
    list_from_lake, screen_parties, ListedNameInput, Party, ScreeningIndex,
};
use paylake_transforms::aml::AmlRules;

use super::io_error;
use crate::error::Result;

pub async fn bench_screening(rules: &AmlRules, names: usize, sdn_folder: &Path) -> Result<()> {
    let min_score = f64::from(rules.screening.min_score) / 100.0;
    let (listed, list_version) = load_list(sdn_folder).await?;
    let started = Instant::now();
    let index = ScreeningIndex::build(listed.clone(), rules.screening.min_token_length);
    let build_seconds = started.elapsed().as_secs_f64();

    let variant_count = (names / 5).max(VARIANT_KINDS.len());
    let mut probes = listed_variants(&listed, variant_count, 7);
    probes.extend(unlisted_names(
        &listed,
        names.saturating_sub(probes.len()),
        11,
    ));
    let parties: Vec<Party> = probes
        .iter()
        .enumerate()
        .map(|(position, probe)| Party {
            party_type: probe.kind.to_string(),
            customer_id: position.to_string(),
            name: probe.name.clone(),
        })
        .collect();

    let started = Instant::now();
    let hits = screen_parties(&index, &parties, min_score);
    let screen_seconds = started.elapsed().as_secs_f64();

    println!(
        "OFAC SDN list {} ({list_version}): {} names (primary and aliases) indexed in {build_seconds:.2} s",
        sdn_folder.display(),
        index.len()
    );
    println!(
        "screened {} names in {screen_seconds:.2} s ({:.0} names/s) at min_score {}",
        parties.len(),
        parties.len() as f64 / screen_seconds,
        rules.screening.min_score
    );
    report_quality(&probes, &hits);
    Ok(())
}

/// The list as screening reads it in production: delivered like `paylake load --kind ofac`
/// into a scratch lake, ingested, and read back from `silver.sanctions_*`.
async fn load_list(sdn_folder: &Path) -> Result<(Vec<ListedNameInput>, String)> {
    let scratch = tempfile::tempdir().map_err(io_error(Path::new("scratch lake")))?;
    let lake = Lake::open(scratch.path().to_str().unwrap_or_default())?;
    let files: Vec<PathBuf> = ["sdn.csv", "alt.csv", "add.csv"]
        .iter()
        .map(|name| sdn_folder.join(name))
        .filter(|path| path.exists())
        .collect();
    deliver_files(&lake.landing_dir()?, FileKind::Ofac, &files)?;
    ingest_lake_with(&lake, &EmbeddedPiiDetector, None, &|_| {}).await?;
    let context = lake_session(&lake).await?;
    Ok(list_from_lake(&context).await?)
}

fn report_quality(probes: &[ProbeName], hits: &[paylake_transforms::aml::screening::Hit]) {
    let mut matched_expected = vec![false; probes.len()];
    let mut any_hit = vec![false; probes.len()];
    for hit in hits {
        let position: usize = hit
            .party
            .customer_id
            .parse()
            .expect("positions were numbered above");
        any_hit[position] = true;
        if probes[position].expected_ent_num == Some(hit.ent_num) {
            matched_expected[position] = true;
        }
    }
    println!(
        "  {:<18} {:>7} {:>7} {:>8}",
        "kind", "names", "found", "recall"
    );
    for kind in VARIANT_KINDS {
        let members: Vec<usize> = (0..probes.len())
            .filter(|&i| probes[i].kind == kind)
            .collect();
        let found = members.iter().filter(|&&i| matched_expected[i]).count();
        println!(
            "  {kind:<18} {:>7} {found:>7} {:>8.3}",
            members.len(),
            found as f64 / members.len().max(1) as f64
        );
    }
    let listed: Vec<usize> = (0..probes.len())
        .filter(|&i| probes[i].expected_ent_num.is_some())
        .collect();
    let found = listed.iter().filter(|&&i| matched_expected[i]).count();
    let unlisted: Vec<usize> = (0..probes.len())
        .filter(|&i| probes[i].expected_ent_num.is_none())
        .collect();
    let false_positives = unlisted.iter().filter(|&&i| any_hit[i]).count();
    println!(
        "recall {:.3} ({found} of {} variants); false-positive rate {:.4} ({false_positives} of {} unlisted names hit)",
        found as f64 / listed.len().max(1) as f64,
        listed.len(),
        false_positives as f64 / unlisted.len().max(1) as f64,
        unlisted.len()
    );
}
