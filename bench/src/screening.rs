//! `paylake bench screening`: how fast names screen against the whole OFAC SDN list with its
//! aliases, and how well: recall on variants of listed individuals' names (typos, dropped or
//! swapped names, other transliterations) and false positives on names of unlisted people, at
//! the threshold of the rules file. The list is read as production reads it: loaded into a
//! scratch lake and taken from `silver.sanctions_*`. Beside paylake runs a peer
//! (`bench/peer_screening.py`: DuckDB's Jaro-Winkler for the token similarities, the pairing
//! in Python) on the same list and names, each as its own process; the bench fails unless both
//! find the same hits with the same scores.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use arrow::array::{ArrayRef, AsArray, Int64Array, RecordBatch, StringArray};
use arrow::datatypes::{DataType, Int64Type};
use datafusion::prelude::{ParquetReadOptions, SessionContext};
use paylake_catalog::{lake_session, Lake};
use paylake_ingest::ingest_lake_with;
use paylake_ingest::landing::{deliver_files, FileKind};
use paylake_ingest::pii::EmbeddedPiiDetector;
use paylake_transforms::aml::screening::variants::{
    distinct_unlisted_names, listed_variants, unlisted_names, ProbeName, VARIANT_KINDS,
};
use paylake_transforms::aml::screening::{
    list_from_lake, screen_parties, ListedNameInput, Party, ScreeningIndex,
};
use paylake_transforms::aml::AmlRules;

use super::io_error;
use crate::compare::Outputs;
use crate::error::{BenchError, Result};
use crate::{print_sides_named, run_beside_duckdb_peer, write_parquet_file, write_steps};

/// The hits as both sides' files are compared.
const HIT_COLUMNS: [&str; 5] = [
    "party_id",
    "CAST(ent_num AS VARCHAR) AS ent_num",
    "entry_name",
    "matched_name",
    "CAST(score AS VARCHAR) AS score",
];

pub async fn bench_screening(
    rules: &AmlRules,
    (names, rescreen_names): (usize, usize),
    sdn_folder: &Path,
    workdir: &Path,
    python: &str,
    change_peer_input: bool,
) -> Result<()> {
    let (listed, list_version) = load_list(sdn_folder).await?;
    let variant_count = (names / 5).max(VARIANT_KINDS.len());
    let mut probes = listed_variants(&listed, variant_count, 7);
    probes.extend(unlisted_names(
        &listed,
        names.saturating_sub(probes.len()),
        11,
    ));

    if workdir.exists() {
        std::fs::remove_dir_all(workdir).map_err(io_error(workdir))?;
    }
    let data = workdir.join("data");
    std::fs::create_dir_all(&data).map_err(io_error(&data))?;
    write_list(&data.join("list.parquet"), &listed)?;
    let names: Vec<&str> = probes.iter().map(|probe| probe.name.as_str()).collect();
    write_names(&data, &names)?;
    // The peer may read a copy in which the first name, a variant of a listed one, is replaced
    // by a name on no list: the bench must then fail (`--change-peer-input`).
    let peer_data = if change_peer_input {
        let copy = workdir.join("peer-data");
        std::fs::create_dir_all(&copy).map_err(io_error(&copy))?;
        std::fs::copy(data.join("list.parquet"), copy.join("list.parquet"))
            .map_err(io_error(&copy))?;
        let mut changed = names.clone();
        changed[0] = "Zyxwv Qwertyuiop";
        write_names(&copy, &changed)?;
        copy
    } else {
        data.clone()
    };

    let min_score = (f64::from(rules.screening.min_score) / 100.0).to_string();
    let min_token_length = rules.screening.min_token_length.to_string();
    let sides = run_beside_duckdb_peer(
        workdir,
        (&data, &peer_data),
        &["bench", "screening-run"],
        python,
        "peer_screening.py",
        &[
            "--min-score".as_ref(),
            min_score.as_ref(),
            "--min-token-length".as_ref(),
            min_token_length.as_ref(),
        ],
    )?;
    println!(
        "screening: {} names against OFAC SDN list {} ({list_version}, {} names with aliases) at min_score {}",
        probes.len(),
        sdn_folder.display(),
        listed.len(),
        rules.screening.min_score
    );
    print_sides_named(&sides, "paylake (Rust)", "peer (DuckDB, Python)")?;
    let hits_path = sides.paylake_output.join("hits.parquet");
    report_quality(&probes, &hits_of(&hits_path).await?);
    let hits = Outputs::open(
        "the hits",
        &hits_path,
        &sides.peer_output.join("hits.parquet"),
    )
    .await?;
    hits.print_counts("hits by score", "score", &[]).await?;
    let equal = hits.compare(&HIT_COLUMNS, "score").await?;
    println!("  hits equal on both sides: {equal}");
    if rescreen_names > 0 {
        // A fifth variants of listed names (the hits), the rest distinct names on no list.
        let variant_count = (rescreen_names / 5).max(VARIANT_KINDS.len());
        let variants = listed_variants(&listed, variant_count, 13);
        let unlisted =
            distinct_unlisted_names(&listed, rescreen_names.saturating_sub(variants.len()), 17);
        let names: Vec<&str> = variants
            .iter()
            .map(|probe| probe.name.as_str())
            .chain(unlisted.iter().map(String::as_str))
            .collect();
        crate::rescreening::bench_rescreening(&listed, &names, workdir).await?;
    }
    Ok(())
}

/// The names to screen, each with its position as its party id.
fn write_names(folder: &Path, names: &[&str]) -> Result<()> {
    write_parquet_file(
        &folder.join("names.parquet"),
        vec![
            (
                "party_id",
                Arc::new(StringArray::from_iter_values(
                    (0..names.len()).map(|position| position.to_string()),
                )) as ArrayRef,
            ),
            (
                "name",
                Arc::new(StringArray::from_iter_values(names.iter().copied())),
            ),
        ],
    )
}

/// paylake's side: the list and the names from `data`, screened, every hit (its best match per
/// entry) to `output/hits.parquet`, the time of each step to `output/steps.json`.
pub async fn run_screening_on_parquet(rules: &AmlRules, data: &Path, output: &Path) -> Result<()> {
    let min_score = f64::from(rules.screening.min_score) / 100.0;
    let started = Instant::now();
    let listed = read_list(&data.join("list.parquet")).await?;
    let index = ScreeningIndex::build(listed, rules.screening.min_token_length);
    let index_seconds = started.elapsed().as_secs_f64();

    let started = Instant::now();
    let mut parties: Vec<Party> = Vec::new();
    for batch in query_parquet(
        &data.join("names.parquet"),
        "SELECT party_id, name FROM input",
    )
    .await?
    {
        let (ids, names) = (text_column(&batch, 0)?, text_column(&batch, 1)?);
        let (ids, names) = (ids.as_string::<i32>(), names.as_string::<i32>());
        parties.extend((0..batch.num_rows()).map(|row| Party {
            party_type: "probe".to_string(),
            customer_id: ids.value(row).to_string(),
            name: names.value(row).to_string(),
            transaction_ids: Vec::new(),
        }));
    }
    let hits = screen_parties(&index, &parties, min_score);
    let screen_seconds = started.elapsed().as_secs_f64();
    println!(
        "screened {} names in {screen_seconds:.2} s ({:.0} names/s)",
        parties.len(),
        parties.len() as f64 / screen_seconds
    );

    let started = Instant::now();
    std::fs::create_dir_all(output).map_err(io_error(output))?;
    write_parquet_file(
        &output.join("hits.parquet"),
        vec![
            (
                "party_id",
                Arc::new(StringArray::from_iter_values(
                    hits.iter().map(|hit| hit.party.customer_id.as_str()),
                )) as ArrayRef,
            ),
            (
                "ent_num",
                Arc::new(Int64Array::from_iter_values(
                    hits.iter().map(|hit| hit.ent_num),
                )),
            ),
            (
                "entry_name",
                Arc::new(StringArray::from_iter_values(
                    hits.iter().map(|hit| hit.entry_name.as_str()),
                )),
            ),
            (
                "matched_name",
                Arc::new(StringArray::from_iter_values(
                    hits.iter().map(|hit| hit.matched_name.as_str()),
                )),
            ),
            (
                "score",
                Arc::new(Int64Array::from_iter_values(
                    hits.iter().map(|hit| hit.score),
                )),
            ),
        ],
    )?;
    write_steps(
        output,
        &[
            ("index the list", index_seconds),
            ("screen", screen_seconds),
            ("write hits", started.elapsed().as_secs_f64()),
        ],
    )
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

/// The listed names with their position, the order they are indexed in, and what a hit reports
/// of them.
pub(crate) fn write_list(path: &Path, listed: &[ListedNameInput]) -> Result<()> {
    let text = |field: fn(&ListedNameInput) -> &str| -> ArrayRef {
        Arc::new(StringArray::from_iter_values(listed.iter().map(field)))
    };
    write_parquet_file(
        path,
        vec![
            (
                "position",
                Arc::new(Int64Array::from_iter_values(0..listed.len() as i64)) as ArrayRef,
            ),
            (
                "ent_num",
                Arc::new(Int64Array::from_iter_values(
                    listed.iter().map(|name| name.ent_num),
                )),
            ),
            ("entry_name", text(|name| &name.entry_name)),
            ("name", text(|name| &name.name)),
            ("name_type", text(|name| &name.name_type)),
            ("program", text(|name| &name.program)),
            ("sdn_type", text(|name| &name.sdn_type)),
        ],
    )
}

pub(crate) async fn read_list(path: &Path) -> Result<Vec<ListedNameInput>> {
    // In the order it was written: among names scoring the same, the first indexed wins.
    let batches = query_parquet(
        path,
        "SELECT ent_num, entry_name, name, name_type, program, sdn_type FROM input ORDER BY position",
    )
    .await?;
    let mut listed = Vec::new();
    for batch in &batches {
        let ent_nums = batch.column(0).as_primitive::<Int64Type>();
        let texts = (1..6)
            .map(|column| text_column(batch, column))
            .collect::<Result<Vec<_>>>()?;
        let text =
            |column: usize, row: usize| texts[column - 1].as_string::<i32>().value(row).to_string();
        listed.extend((0..batch.num_rows()).map(|row| ListedNameInput {
            ent_num: ent_nums.value(row),
            entry_name: text(1, row),
            name: text(2, row),
            name_type: text(3, row),
            program: text(4, row),
            sdn_type: text(5, row),
        }));
    }
    Ok(listed)
}

/// The batches of `query` over the Parquet file `path`, read as the table `input`.
pub(crate) async fn query_parquet(path: &Path, query: &str) -> Result<Vec<RecordBatch>> {
    let context = SessionContext::new();
    context
        .register_parquet(
            "input",
            path.to_string_lossy().as_ref(),
            ParquetReadOptions::default(),
        )
        .await?;
    Ok(context.sql(query).await?.collect().await?)
}

/// A text column of a batch as `Utf8`, whatever string type the reader gave it.
pub(crate) fn text_column(batch: &RecordBatch, column: usize) -> Result<ArrayRef> {
    Ok(arrow::compute::cast(batch.column(column), &DataType::Utf8)?)
}

/// paylake's hits as (position of the screened name, entry number).
async fn hits_of(path: &Path) -> Result<Vec<(usize, i64)>> {
    let mut hits = Vec::new();
    for batch in query_parquet(path, "SELECT party_id, ent_num FROM input").await? {
        let parties = text_column(&batch, 0)?;
        let (parties, ent_nums) = (
            parties.as_string::<i32>(),
            batch.column(1).as_primitive::<Int64Type>(),
        );
        for row in 0..batch.num_rows() {
            let position = parties.value(row).parse().map_err(|_| {
                BenchError::Process(format!(
                    "{}: party '{}' is not the position of a screened name",
                    path.display(),
                    parties.value(row)
                ))
            })?;
            hits.push((position, ent_nums.value(row)));
        }
    }
    Ok(hits)
}

/// Recall on the variants of listed names and false positives on the unlisted ones, from the
/// hits as (position of the screened name, entry number).
fn report_quality(probes: &[ProbeName], hits: &[(usize, i64)]) {
    let mut matched_expected = vec![false; probes.len()];
    let mut any_hit = vec![false; probes.len()];
    for &(position, ent_num) in hits {
        any_hit[position] = true;
        if probes[position].expected_ent_num == Some(ent_num) {
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
