//! `paylake bench`: each harness measures paylake beside a floor or a peer on the same data in
//! the same run, and prints the figures. The peers are the Python scripts of this folder.

#![cfg_attr(not(test), deny(unused_crate_dependencies))]

mod aml;
mod error;
mod ingest;
mod recon;
mod screening;
mod year;

pub use aml::{bench_aml, run_suite_on_parquet};
pub use error::{BenchError, Result};
pub use ingest::{bench_ingest, run_floor, BenchSource};
pub use recon::{bench_recon, run_match_on_parquet};
pub use screening::bench_screening;
pub use year::{bench_year, YearSettings};

use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use arrow::array::{ArrayRef, RecordBatch};
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
    let schema = Arc::new(Schema::new(
        columns
            .iter()
            .map(|(name, array)| Field::new(*name, array.data_type().clone(), true))
            .collect::<Vec<_>>(),
    ));
    let batch = RecordBatch::try_new(
        schema,
        columns.into_iter().map(|(_, array)| array).collect(),
    )?;
    write_batch(folder, name, 0, &batch)
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

/// The counts under `key` of a JSON result file; empty when the run left none.
fn read_counts(path: &Path, key: &str) -> BTreeMap<String, u64> {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
        .and_then(|value| value.get(key).cloned())
        .and_then(|counts| serde_json::from_value(counts).ok())
        .unwrap_or_default()
}

/// paylake's run and the DuckDB peer's over the same generated tables, each measured as its
/// own process, with the result files they wrote.
pub(crate) struct BesidePeer {
    pub(crate) paylake: Measure,
    pub(crate) peer: Result<Measure>,
    pub(crate) paylake_output: PathBuf,
    pub(crate) peer_output: PathBuf,
}

/// Runs `paylake <paylake_run> --data <data> --output paylake.json`, then the peer script of this
/// folder as `python <peer_script> --data <data> --sql <workdir>/sql <peer_arguments> --output
/// peer.json`: the peer reads the SQL paylake runs, written to `<workdir>/sql` by the caller.
pub(crate) fn run_beside_duckdb_peer(
    workdir: &Path,
    data: &Path,
    paylake_run: &[&str],
    python: &str,
    peer_script: &str,
    peer_arguments: &[&std::ffi::OsStr],
) -> Result<BesidePeer> {
    let exe = std::env::current_exe().map_err(io_error(Path::new("paylake")))?;
    let paylake_output = workdir.join("paylake.json");
    let paylake = measure(
        Command::new(&exe)
            .args(paylake_run)
            .arg("--data")
            .arg(data)
            .arg("--output")
            .arg(&paylake_output),
        &format!("paylake {}", paylake_run.join(" ")),
    )?;
    let peer_output = workdir.join("peer.json");
    let peer = measure(
        Command::new(python)
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join(peer_script))
            .arg("--data")
            .arg(data)
            .arg("--sql")
            .arg(workdir.join("sql"))
            .args(peer_arguments)
            .arg("--output")
            .arg(&peer_output),
        "the peer (DuckDB)",
    );
    Ok(BesidePeer {
        paylake,
        peer,
        paylake_output,
        peer_output,
    })
}

/// Prints paylake's and the peer's time, memory and ratio, then the counts under `key` of each
/// one's result file side by side, for `rows` (every row either has when empty), marking those
/// that differ.
pub(crate) fn print_beside_peer(run: BesidePeer, key: &str, heading: &str, rows: &[&str]) {
    let BesidePeer {
        paylake,
        peer,
        paylake_output,
        peer_output,
    } = run;
    let paylake = &paylake;
    let results = (paylake_output.as_path(), peer_output.as_path());
    print_line("paylake (DataFusion)", paylake);
    let peer = match peer {
        Ok(peer) => peer,
        Err(err) => {
            println!("  peer not measured: {err}");
            return;
        }
    };
    print_line("peer (DuckDB SQL)", &peer);
    println!(
        "  paylake is {:.2}x the peer's speed",
        peer.seconds / paylake.seconds
    );
    let (ours, theirs) = (read_counts(results.0, key), read_counts(results.1, key));
    let rows: Vec<String> = if rows.is_empty() {
        ours.keys()
            .chain(theirs.keys())
            .cloned()
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect()
    } else {
        rows.iter().map(|row| row.to_string()).collect()
    };
    let width = rows
        .iter()
        .map(String::len)
        .max()
        .unwrap_or(0)
        .max(heading.len());
    println!("  {heading:<width$} {:>9} {:>9}", "paylake", "peer");
    for row in rows {
        let mine = ours.get(&row).copied().unwrap_or_default();
        let peers = theirs.get(&row).copied().unwrap_or_default();
        let mark = if mine == peers { "" } else { "  (differs)" };
        println!("  {row:<width$} {mine:>9} {peers:>9}{mark}");
    }
}
