//! `paylake bench screening --rescreen-names N`: a new publication that changed 1% of the list's
//! entries (a third removed, a third with another program, a third new, named after screened
//! names), and N names screened under the list before it. The incremental re-screen (the cache
//! moved to the new list: only the added and changed entries screened, against every name) runs
//! beside a full re-screen of the same names against the whole new list, each as its own
//! process; the bench fails unless both leave every name with the same hits.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::Instant;

use arrow::array::{ArrayRef, AsArray, Int64Array, StringArray};
use paylake_transforms::aml::screening::rescreen::{name_key, ScreeningCache};
use paylake_transforms::aml::screening::{ListedNameInput, ScreeningIndex};
use paylake_transforms::aml::AmlRules;

use super::io_error;
use crate::compare::Outputs;
use crate::error::Result;
use crate::screening::{query_parquet, read_list, text_column, write_list};
use crate::{measure, print_line, write_parquet_file, write_steps};

/// The re-screen's hits as both runs' files are compared.
const HIT_COLUMNS: [&str; 4] = [
    "name_key",
    "CAST(ent_num AS VARCHAR) AS ent_num",
    "matched_name",
    "CAST(score AS VARCHAR) AS score",
];

/// Of every 300 entries: one removed, one with another program, and one added.
const CHANGE_EVERY: usize = 300;

/// The next publication of `listed`: 1% of its entries changed, the new ones named after
/// `names` (so that they hit).
pub(crate) fn next_publication(listed: &[ListedNameInput], names: &[&str]) -> Vec<ListedNameInput> {
    let entries: Vec<i64> = listed
        .iter()
        .map(|name| name.ent_num)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let removed: BTreeSet<i64> = entries.iter().step_by(CHANGE_EVERY).copied().collect();
    let changed: BTreeSet<i64> = entries
        .iter()
        .skip(CHANGE_EVERY / 2)
        .step_by(CHANGE_EVERY)
        .copied()
        .collect();
    let mut next: Vec<ListedNameInput> = listed
        .iter()
        .filter(|name| !removed.contains(&name.ent_num))
        .cloned()
        .map(|mut name| {
            if changed.contains(&name.ent_num) {
                name.program = format!("{}] [CYBER2", name.program);
            }
            name
        })
        .collect();
    let first_new = entries.last().copied().unwrap_or_default() + 1;
    let stride = (names.len() / removed.len().max(1)).max(1);
    for (offset, name) in names.iter().step_by(stride).take(removed.len()).enumerate() {
        next.push(ListedNameInput {
            ent_num: first_new + offset as i64,
            entry_name: name.to_string(),
            name: name.to_string(),
            name_type: "primary".to_string(),
            program: "SDGT".to_string(),
            sdn_type: "individual".to_string(),
        });
    }
    next
}

/// Writes both lists and the names, runs the incremental and the full re-screen each as its own
/// process, prints their times and memory, and compares their hits.
pub(crate) async fn bench_rescreening(
    listed: &[ListedNameInput],
    names: &[&str],
    workdir: &Path,
) -> Result<()> {
    let data = workdir.join("rescreen-data");
    std::fs::create_dir_all(&data).map_err(io_error(&data))?;
    write_list(&data.join("list.parquet"), listed)?;
    let next = next_publication(listed, names);
    write_list(&data.join("next-list.parquet"), &next)?;
    write_parquet_file(
        &data.join("names.parquet"),
        vec![(
            "name",
            Arc::new(StringArray::from_iter_values(names.iter().copied())) as ArrayRef,
        )],
    )?;
    let exe = std::env::current_exe().map_err(io_error(Path::new("paylake")))?;
    let mut outputs = Vec::new();
    let mut measures = Vec::new();
    for mode in ["incremental", "full"] {
        let output = workdir.join(format!("rescreen-{mode}"));
        std::fs::create_dir_all(&output).map_err(io_error(&output))?;
        measures.push(measure(
            Command::new(&exe)
                .args(["bench", "screening-rescreen", "--mode", mode, "--data"])
                .arg(&data)
                .arg("--output")
                .arg(&output),
            &format!("paylake bench screening-rescreen --mode {mode}"),
        )?);
        outputs.push(output);
    }
    let steps: Vec<Vec<(String, f64)>> = outputs
        .iter()
        .map(|output| crate::read_steps(output))
        .collect::<Result<_>>()?;
    let step = |run: usize, name: &str| {
        steps[run]
            .iter()
            .find(|(step, _)| step == name)
            .map_or(f64::NAN, |(_, seconds)| *seconds)
    };
    let (incremental, full) = (step(0, "re-screen"), step(1, "re-screen"));
    // Screening caches by normalised name: names that normalise alike are screened once.
    let distinct = names
        .iter()
        .map(|name| name_key(name))
        .collect::<BTreeSet<_>>()
        .len();
    println!(
        "re-screening: {} names ({distinct} distinct) against a publication that changed {} of {} entries",
        names.len(),
        changed_entries(listed, &next),
        listed
            .iter()
            .map(|name| name.ent_num)
            .collect::<BTreeSet<_>>()
            .len()
    );
    print_line("incremental (process)", &measures[0]);
    print_line("full (process)", &measures[1]);
    println!(
        "  re-screen: incremental {incremental:.2} s, full {full:.2} s ({:.0} distinct names/s); \
         incremental is {:.3} of the full (goal: under 0.1)",
        distinct as f64 / full,
        incremental / full
    );
    let hits = Outputs::open(
        "the re-screened hits",
        &outputs[0].join("hits.parquet"),
        &outputs[1].join("hits.parquet"),
    )
    .await?;
    let equal = hits.compare(&HIT_COLUMNS, "score").await?;
    println!("  hits equal after both re-screens: {equal}");
    Ok(())
}

fn changed_entries(listed: &[ListedNameInput], next: &[ListedNameInput]) -> usize {
    let before = paylake_transforms::aml::screening::rescreen::entry_fingerprints(listed);
    let after = paylake_transforms::aml::screening::rescreen::entry_fingerprints(next);
    let changed_or_added = after
        .iter()
        .filter(|(ent_num, fingerprint)| before.get(ent_num) != Some(*fingerprint))
        .count();
    changed_or_added
        + before
            .keys()
            .filter(|ent_num| !after.contains_key(ent_num))
            .count()
}

/// One side of the re-screening bench: `incremental` screens the names under the first list,
/// then moves the cache to the next (the re-screen timed); `full` screens them against the next
/// list whole (timed). Both write every name's hits to `output/hits.parquet`.
pub async fn run_rescreen_on_parquet(
    rules: &AmlRules,
    mode: &str,
    data: &Path,
    output: &Path,
) -> Result<()> {
    let min_score = f64::from(rules.screening.min_score) / 100.0;
    let min_token_length = rules.screening.min_token_length;
    let mut keys = Vec::new();
    for batch in query_parquet(&data.join("names.parquet"), "SELECT name FROM input").await? {
        let names = text_column(&batch, 0)?;
        keys.extend(names.as_string::<i32>().iter().flatten().map(name_key));
    }
    let next = read_list(&data.join("next-list.parquet")).await?;
    let mut cache = ScreeningCache::default();
    let mut steps = Vec::new();
    if mode == "incremental" {
        let started = Instant::now();
        let first = read_list(&data.join("list.parquet")).await?;
        cache.move_to_version(&first, "first", min_token_length, min_score);
        let index = ScreeningIndex::build(first, min_token_length);
        cache.screen_new(&index, keys.iter().cloned(), min_score);
        steps.push((
            "screen under the first list",
            started.elapsed().as_secs_f64(),
        ));
        let started = Instant::now();
        cache.move_to_version(&next, "next", min_token_length, min_score);
        steps.push(("re-screen", started.elapsed().as_secs_f64()));
    } else {
        let started = Instant::now();
        cache.move_to_version(&next, "next", min_token_length, min_score);
        let index = ScreeningIndex::build(next, min_token_length);
        cache.screen_new(&index, keys.iter().cloned(), min_score);
        steps.push(("re-screen", started.elapsed().as_secs_f64()));
    }
    let started = Instant::now();
    std::fs::create_dir_all(output).map_err(io_error(output))?;
    let mut rows: Vec<(&String, i64, &str, i64)> = Vec::new();
    for (key, hits) in &cache.hits {
        rows.extend(
            hits.iter()
                .map(|hit| (key, hit.ent_num, hit.matched_name.as_str(), hit.score)),
        );
    }
    write_parquet_file(
        &output.join("hits.parquet"),
        vec![
            (
                "name_key",
                Arc::new(StringArray::from_iter_values(
                    rows.iter().map(|row| row.0.as_str()),
                )) as ArrayRef,
            ),
            (
                "ent_num",
                Arc::new(Int64Array::from_iter_values(rows.iter().map(|row| row.1))),
            ),
            (
                "matched_name",
                Arc::new(StringArray::from_iter_values(rows.iter().map(|row| row.2))),
            ),
            (
                "score",
                Arc::new(Int64Array::from_iter_values(rows.iter().map(|row| row.3))),
            ),
        ],
    )?;
    steps.push(("write hits", started.elapsed().as_secs_f64()));
    write_steps(output, &steps)
}
