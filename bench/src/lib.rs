//! `paylake bench`: each harness measures paylake beside a floor or a peer on the same data in
//! the same run, and prints the figures. The peers are the Python scripts of this folder.

#![cfg_attr(not(test), deny(unused_crate_dependencies))]

mod aml;
mod compare;
mod error;
mod ingest;
mod recon;
mod rescreening;
mod screening;
mod year;

pub use aml::{bench_aml, run_suite_on_parquet};
pub use error::{BenchError, Result};
pub use ingest::{bench_ingest, run_floor, BenchSource};
pub use recon::{bench_recon, run_match_on_parquet};
pub use rescreening::run_rescreen_on_parquet;
pub use screening::{bench_screening, run_screening_on_parquet};
pub use year::{bench_year, YearSettings};

use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use arrow::array::{ArrayRef, AsArray, RecordBatch};
use arrow::datatypes::{Field, Schema};
use datafusion::catalog::MemorySchemaProvider;
use datafusion::prelude::{ParquetReadOptions, SessionContext};
use parquet::arrow::ArrowWriter;

/// A deterministic generator; the bench needs repeatable data, not cryptographic quality.
pub(crate) struct Lcg(pub(crate) u64);

impl Lcg {
    pub(crate) fn below(&mut self, bound: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % bound.max(1)
    }
}

/// One measured run.
pub(crate) struct Measure {
    pub(crate) seconds: f64,
    pub(crate) peak_rss_bytes: u64,
}

pub(crate) fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> BenchError + '_ {
    move |source| BenchError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Runs a command to its end, polling its peak resident set size.
pub(crate) fn measure(command: &mut Command, what: &str) -> Result<Measure> {
    let started = Instant::now();
    let mut child = command
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|source| BenchError::Process(format!("cannot start {what}: {source}")))?;
    let status_path = PathBuf::from(format!("/proc/{}/status", child.id()));
    let mut peak_kib = 0_u64;
    loop {
        if let Ok(status) = std::fs::read_to_string(&status_path) {
            if let Some(kib) = status
                .lines()
                .find_map(|line| line.strip_prefix("VmHWM:"))
                .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
            {
                peak_kib = peak_kib.max(kib);
            }
        }
        if let Some(status) = child.try_wait().map_err(io_error(&status_path))? {
            if !status.success() {
                let mut stderr = String::new();
                if let Some(mut pipe) = child.stderr.take() {
                    use std::io::Read;
                    let _ = pipe.read_to_string(&mut stderr);
                }
                return Err(BenchError::Process(format!(
                    "{what} failed: {}",
                    stderr.trim()
                )));
            }
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Ok(Measure {
        seconds: started.elapsed().as_secs_f64(),
        peak_rss_bytes: peak_kib * 1024,
    })
}

pub(crate) fn print_line(name: &str, measure: &Measure) {
    println!(
        "  {name:<24} {:>8.2} s {:>8.0} MiB peak RSS",
        measure.seconds,
        measure.peak_rss_bytes as f64 / 1_048_576.0
    );
}

/// Empties `workdir` and writes the bench's generated tables into `<workdir>/silver` with
/// `write`, saying what and how long. Returns the tables' folder.
pub(crate) fn generate_tables(
    workdir: &Path,
    what: &str,
    write: impl FnOnce(&Path) -> Result<()>,
) -> Result<PathBuf> {
    if workdir.exists() {
        std::fs::remove_dir_all(workdir).map_err(io_error(workdir))?;
    }
    let data = workdir.join("silver");
    eprintln!("writing {what} into {}", data.display());
    let started = Instant::now();
    write(&data)?;
    eprintln!("written in {:.1} s", started.elapsed().as_secs_f64());
    Ok(data)
}

/// Writes one table of generated columns as a single Parquet file `<folder>/<name>/`.
pub(crate) fn write_table(folder: &Path, name: &str, columns: Vec<(&str, ArrayRef)>) -> Result<()> {
    let table_folder = folder.join(name);
    std::fs::create_dir_all(&table_folder).map_err(io_error(&table_folder))?;
    write_parquet_file(&table_folder.join("part-0000.parquet"), columns)
}

/// Writes one batch as the Parquet file `<folder>/<table>/part-<part>.parquet`.
pub(crate) fn write_batch(
    folder: &Path,
    table: &str,
    part: usize,
    batch: &RecordBatch,
) -> Result<()> {
    let table_folder = folder.join(table);
    std::fs::create_dir_all(&table_folder).map_err(io_error(&table_folder))?;
    let path = table_folder.join(format!("part-{part:04}.parquet"));
    let mut writer = ArrowWriter::try_new(
        File::create(&path).map_err(io_error(&path))?,
        batch.schema(),
        None,
    )?;
    writer.write(batch)?;
    writer.close()?;
    Ok(())
}

/// A session that sees each generated table's Parquet folder as `silver.<table>`.
pub(crate) async fn parquet_session(data: &Path, tables: &[&str]) -> Result<SessionContext> {
    let context = SessionContext::new();
    context
        .catalog("datafusion")
        .expect("a new session has its default catalog")
        .register_schema("silver", Arc::new(MemorySchemaProvider::new()))?;
    for table in tables {
        let folder = data.join(table);
        context
            .register_parquet(
                format!("silver.{table}"),
                folder.to_string_lossy().as_ref(),
                ParquetReadOptions::default(),
            )
            .await?;
    }
    Ok(context)
}

/// Writes one table of generated or computed columns as the Parquet file `path`.
pub(crate) fn write_parquet_file(path: &Path, columns: Vec<(&str, ArrayRef)>) -> Result<()> {
    let schema = Arc::new(Schema::new(
        columns
            .iter()
            .map(|(name, array)| Field::new(*name, array.data_type().clone(), true))
            .collect::<Vec<_>>(),
    ));
    let batch = RecordBatch::try_new(
        schema.clone(),
        columns.into_iter().map(|(_, array)| array).collect(),
    )?;
    let mut writer =
        ArrowWriter::try_new(File::create(path).map_err(io_error(path))?, schema, None)?;
    writer.write(&batch)?;
    writer.close()?;
    Ok(())
}

/// Writes the time of each step of a run, in order, to `<output>/steps.json`, as the peers do.
pub(crate) fn write_steps(output: &Path, steps: &[(&str, f64)]) -> Result<()> {
    let path = output.join("steps.json");
    let json = serde_json::json!({ "steps": steps });
    std::fs::write(&path, json.to_string()).map_err(io_error(&path))
}

/// The steps and their seconds a run wrote to `<output>/steps.json`.
pub(crate) fn read_steps(output: &Path) -> Result<Vec<(String, f64)>> {
    let path = output.join("steps.json");
    let text = std::fs::read_to_string(&path).map_err(io_error(&path))?;
    #[derive(serde::Deserialize)]
    struct Steps {
        steps: Vec<(String, f64)>,
    }
    serde_json::from_str::<Steps>(&text)
        .map(|steps| steps.steps)
        .map_err(|err| {
            BenchError::Process(format!("{} is not a steps file: {err}", path.display()))
        })
}

/// A copy of the generated tables for the peer in which one amount of the last file of
/// `table` is changed by `change` (given that file's batches, it returns the batch and row to
/// change and the new amount in cents): the bench must then fail, which is how its comparison
/// is tested (`--change-peer-input`).
pub(crate) fn changed_copy_for_peer(
    workdir: &Path,
    data: &Path,
    table: &str,
    change: impl FnOnce(&[RecordBatch]) -> Option<(usize, usize, i128)>,
) -> Result<PathBuf> {
    let copy = workdir.join("peer-silver");
    let mut last_file = None;
    for entry in std::fs::read_dir(data).map_err(io_error(data))? {
        let folder = entry.map_err(io_error(data))?.path();
        let Some(name) = folder.file_name() else {
            continue;
        };
        let target = copy.join(name);
        std::fs::create_dir_all(&target).map_err(io_error(&target))?;
        let mut files = std::fs::read_dir(&folder)
            .map_err(io_error(&folder))?
            .map(|file| file.map(|file| file.path()))
            .collect::<std::io::Result<Vec<_>>>()
            .map_err(io_error(&folder))?;
        files.sort();
        for file in &files {
            let destination = target.join(file.file_name().unwrap_or_default());
            std::fs::copy(file, &destination).map_err(io_error(file))?;
            if name == table {
                last_file = Some(destination);
            }
        }
    }
    let last_file = last_file.ok_or_else(|| {
        BenchError::Process(format!("no files of {table} under {}", data.display()))
    })?;
    let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(
        File::open(&last_file).map_err(io_error(&last_file))?,
    )?
    .build()?;
    let mut batches = reader.collect::<std::result::Result<Vec<_>, _>>()?;
    let (batch_index, row, cents) = change(&batches).ok_or_else(|| {
        BenchError::Process(format!("no row of {} to change", last_file.display()))
    })?;
    let batch = &batches[batch_index];
    let index = batch.schema().index_of("amount")?;
    let amounts = batch
        .column(index)
        .as_primitive::<arrow::datatypes::Decimal128Type>();
    let changed = amounts
        .iter()
        .enumerate()
        .map(|(at, amount)| if at == row { Some(cents) } else { amount })
        .collect::<arrow::array::Decimal128Array>()
        .with_data_type(arrow::array::Array::data_type(amounts).clone());
    let mut columns = batch.columns().to_vec();
    columns[index] = Arc::new(changed);
    batches[batch_index] = RecordBatch::try_new(batch.schema(), columns)?;
    let mut writer = ArrowWriter::try_new(
        File::create(&last_file).map_err(io_error(&last_file))?,
        batches[0].schema(),
        None,
    )?;
    for batch in &batches {
        writer.write(batch)?;
    }
    writer.close()?;
    eprintln!(
        "the peer reads {} with one amount of {table} changed",
        copy.display()
    );
    Ok(copy)
}

/// paylake's run and the DuckDB peer's, each measured as its own process, with the folders
/// they wrote their outputs and `steps.json` to.
pub(crate) struct Sides {
    pub(crate) paylake: Measure,
    pub(crate) peer: Measure,
    pub(crate) paylake_output: PathBuf,
    pub(crate) peer_output: PathBuf,
}

/// Runs `paylake <paylake_run> --data <data> --output <workdir>/paylake-output`, then the peer
/// script of this folder as `python <peer_script> --data <peer data> --sql <workdir>/sql
/// <peer_arguments> --output <workdir>/peer-output`: the peer reads the SQL paylake runs,
/// written to `<workdir>/sql` by the caller. A peer that fails fails the bench.
pub(crate) fn run_beside_duckdb_peer(
    workdir: &Path,
    (data, peer_data): (&Path, &Path),
    paylake_run: &[&str],
    python: &str,
    peer_script: &str,
    peer_arguments: &[&std::ffi::OsStr],
) -> Result<Sides> {
    let exe = std::env::current_exe().map_err(io_error(Path::new("paylake")))?;
    let paylake_output = workdir.join("paylake-output");
    let peer_output = workdir.join("peer-output");
    for output in [&paylake_output, &peer_output] {
        std::fs::create_dir_all(output).map_err(io_error(output))?;
    }
    let paylake = measure(
        Command::new(&exe)
            .args(paylake_run)
            .arg("--data")
            .arg(data)
            .arg("--output")
            .arg(&paylake_output),
        &format!("paylake {}", paylake_run.join(" ")),
    )?;
    let peer = measure(
        Command::new(python)
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join(peer_script))
            .arg("--data")
            .arg(peer_data)
            .arg("--sql")
            .arg(workdir.join("sql"))
            .args(peer_arguments)
            .arg("--output")
            .arg(&peer_output),
        "the peer (DuckDB)",
    )?;
    Ok(Sides {
        paylake,
        peer,
        paylake_output,
        peer_output,
    })
}

/// Prints paylake's and the peer's time, memory and ratio, then each step's time on both sides.
pub(crate) fn print_beside_peer(sides: &Sides) -> Result<()> {
    print_sides_named(sides, "paylake (DataFusion)", "peer (DuckDB SQL)")
}

/// As [`print_beside_peer`], with each side's engine named.
pub(crate) fn print_sides_named(sides: &Sides, ours: &str, theirs: &str) -> Result<()> {
    print_line(ours, &sides.paylake);
    print_line(theirs, &sides.peer);
    println!(
        "  paylake is {:.2}x the peer's speed",
        sides.peer.seconds / sides.paylake.seconds
    );
    let ours = read_steps(&sides.paylake_output)?;
    let theirs: BTreeMap<String, f64> = read_steps(&sides.peer_output)?.into_iter().collect();
    println!("  {:<24} {:>9} {:>9}", "step (s)", "paylake", "peer");
    for (step, seconds) in &ours {
        match theirs.get(step) {
            Some(peer_seconds) => println!("  {step:<24} {seconds:>9.3} {peer_seconds:>9.3}"),
            None => println!("  {step:<24} {seconds:>9.3} {:>9}", "-"),
        }
    }
    for (step, peer_seconds) in &theirs {
        if !ours.iter().any(|(name, _)| name == step) {
            println!("  {step:<24} {:>9} {peer_seconds:>9.3}", "-");
        }
    }
    Ok(())
}
