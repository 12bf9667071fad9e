//! `paylake bench year`: a lake run day after day, as production runs it.
//!
//! Each business date, the simulator grows a source folder by that day (`paylake simulate
//! --days 1`, which continues the simulation the folder holds), each file stamped with the
//! moment its producer delivered it. The files delivered by the time the daily graph starts
//! (07:00 UTC of the day after, 02:00 in New York in winter) and not delivered before are put
//! into the lake's landing, and `paylake ingest`, `paylake run --date` and `paylake maintain`
//! run as their own processes, as the deployment runs them. The bench prints, for
//! days 1, 10, 30, 90, 180 and 365 (and the last): the time of each, the peak RSS, the lake's
//! size and the layout of its largest tables; then whether a day late in the period costs what
//! a day early in it cost. Every day's times and peak RSS go to `days.csv` in the workdir. Maintenance keeps the time-travel window of the bench's days
//! (`paylake maintain --keep-versions-since`), since its days pass in seconds.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

use chrono::NaiveDate;
use paylake_catalog::maintenance::{table_layout, MaintenanceSettings, TableLayout};
use paylake_catalog::{registry, Lake};

use crate::{io_error, measure, BenchError, Result};

/// What `bench year` simulates and where.
#[derive(Debug, Clone)]
pub struct YearSettings {
    pub days: u32,
    pub payments_per_day: u32,
    pub start_date: NaiveDate,
    pub workdir: PathBuf,
    /// The paylake binary the days run with.
    pub paylake: PathBuf,
    /// The settings file the days run with, if not the default.
    pub config: Option<PathBuf>,
}

/// The days the bench reports on.
const REPORTED_DAYS: [u32; 6] = [1, 10, 30, 90, 180, 365];

/// Goals of the issue this bench answers: the last month's day costs at most this much more
/// than a day of the first month, at the same volume.
const MAX_LATE_TO_EARLY_RATIO: f64 = 1.25;
/// Files under the small size in one partition: more means compaction fell behind. (Compacted
/// files are counted beside: an unpartitioned table keeps one per `small_file_mib` it holds.)
const MAX_SMALL_FILES_PER_PARTITION: usize = 2;
const MAX_PEAK_RSS_BYTES: u64 = 2 * 1024 * 1024 * 1024;

/// One day's measurements.
#[derive(Debug, Clone, Copy)]
struct Day {
    files_delivered: usize,
    ingest_seconds: f64,
    run_seconds: f64,
    maintain_seconds: f64,
    peak_rss_bytes: u64,
}

impl Day {
    /// The day's work: ingest and the date's graph (maintenance is reported beside).
    fn work_seconds(&self) -> f64 {
        self.ingest_seconds + self.run_seconds
    }
}

/// The file of the workdir that holds every day's figures.
pub const DAYS_CSV: &str = "days.csv";

/// A line of `days.csv`.
#[derive(serde::Serialize)]
struct DayRecord {
    day: u32,
    date: NaiveDate,
    files_delivered: usize,
    ingest_seconds: f64,
    run_seconds: f64,
    maintain_seconds: f64,
    peak_rss_mib: f64,
}

impl DayRecord {
    fn new(day: u32, date: NaiveDate, measured: &Day) -> Self {
        DayRecord {
            day,
            date,
            files_delivered: measured.files_delivered,
            ingest_seconds: measured.ingest_seconds,
            run_seconds: measured.run_seconds,
            maintain_seconds: measured.maintain_seconds,
            peak_rss_mib: mib(measured.peak_rss_bytes),
        }
    }
}

/// A landing file of the source and when it was delivered.
struct Delivery {
    relative_path: PathBuf,
    delivered: SystemTime,
}

pub async fn bench_year(settings: &YearSettings) -> Result<()> {
    let workdir = &settings.workdir;
    if workdir.exists() {
        std::fs::remove_dir_all(workdir).map_err(io_error(workdir))?;
    }
    let source = workdir.join("source");
    let lake_root = workdir.join("lake");
    std::fs::create_dir_all(&lake_root).map_err(io_error(&lake_root))?;

    eprintln!(
        "simulating {} days of {} payments a day into {}, a day at a time",
        settings.days,
        settings.payments_per_day,
        source.display()
    );
    let mut simulation_seconds = 0.0;
    let mut simulation_peak_rss_bytes = 0;
    let mut delivered_paths: std::collections::HashSet<PathBuf> = Default::default();
    let lake = Lake::open(
        lake_root
            .to_str()
            .ok_or_else(|| BenchError::Process("the workdir is not valid UTF-8".into()))?,
    )?;
    let maintenance = maintenance_settings(settings.config.as_deref())?;
    let mut days = Vec::new();
    // Every day's figures, not only the reported days': a late-days mean can be traced to its
    // days, and a stopped run keeps the days it finished.
    let days_csv_path = workdir.join(DAYS_CSV);
    let mut days_csv = csv::Writer::from_path(&days_csv_path)
        .map_err(|error| BenchError::Process(format!("{}: {error}", days_csv_path.display())))?;
    println!(
        "{:>5} {:>10} {:>6} {:>9} {:>7} {:>10} {:>9} {:>10} {:>8}",
        "day",
        "date",
        "files",
        "ingest s",
        "run s",
        "maintain s",
        "peak MiB",
        "lake MiB",
        "commits"
    );
    // The days pass in seconds here: maintenance's time-travel window is counted in the
    // bench's days, from the moment the first day of the window started, so that vacuum and
    // log cleanup do what a year of real days would have them do.
    let keep_days = maintenance
        .keep_versions_days
        .max(paylake_catalog::maintenance::MIN_KEEP_VERSIONS_DAYS) as usize;
    let mut days_started: Vec<chrono::DateTime<chrono::Utc>> = Vec::new();
    for day_index in 0..settings.days {
        days_started.push(chrono::Utc::now());
        let window_starts = days_started[days_started.len().saturating_sub(keep_days)];
        let date = settings.start_date + chrono::Duration::days(i64::from(day_index));
        let graph_starts = (date + chrono::Duration::days(1))
            .and_hms_opt(7, 0, 0)
            .expect("07:00 is a time")
            .and_utc();
        let cutoff = SystemTime::UNIX_EPOCH
            + std::time::Duration::from_secs(u64::try_from(graph_starts.timestamp()).unwrap_or(0));
        let simulation = measure(
            paylake_command(settings, "simulate", &source)
                .arg("--days")
                .arg("1")
                .arg("--payments-per-day")
                .arg(settings.payments_per_day.to_string())
                .arg("--start-date")
                .arg(settings.start_date.to_string()),
            "paylake simulate",
        )?;
        simulation_seconds += simulation.seconds;
        simulation_peak_rss_bytes = simulation_peak_rss_bytes.max(simulation.peak_rss_bytes);
        let mut due: Vec<Delivery> = source_deliveries(&source.join("landing"))?
            .into_iter()
            .filter(|delivery| {
                delivery.delivered <= cutoff && !delivered_paths.contains(&delivery.relative_path)
            })
            .collect();
        due.sort_by_key(|delivery| delivery.delivered);
        for delivery in &due {
            deliver(
                &source.join("landing"),
                &lake_root.join("landing"),
                delivery,
            )?;
            delivered_paths.insert(delivery.relative_path.clone());
        }
        // The day's records carry the replayed day's ingest time, so that bronze lies in
        // months as a lake ingesting every day for a year does.
        let ingest = measure(
            paylake_command(settings, "ingest", &lake_root)
                .arg("--ingest-time")
                .arg(graph_starts.to_rfc3339()),
            "paylake ingest",
        )?;
        let run = measure(
            paylake_command(settings, "run", &lake_root)
                .arg("--date")
                .arg(date.to_string()),
            &format!("paylake run --date {date}"),
        )?;
        let maintain = measure(
            paylake_command(settings, "maintain", &lake_root)
                .arg("--keep-versions-since")
                .arg(window_starts.to_rfc3339()),
            "paylake maintain",
        )?;
        let measured = Day {
            files_delivered: due.len(),
            ingest_seconds: ingest.seconds,
            run_seconds: run.seconds,
            maintain_seconds: maintain.seconds,
            peak_rss_bytes: ingest
                .peak_rss_bytes
                .max(run.peak_rss_bytes)
                .max(maintain.peak_rss_bytes),
        };
        days.push(measured);
        let day_number = day_index + 1;
        days_csv
            .serialize(DayRecord::new(day_number, date, &measured))
            .and_then(|()| days_csv.flush().map_err(csv::Error::from))
            .map_err(|error| {
                BenchError::Process(format!("{}: {error}", days_csv_path.display()))
            })?;
        if REPORTED_DAYS.contains(&day_number) || day_number == settings.days {
            let layouts = layouts(&lake, &maintenance).await?;
            let commits: u64 = layouts.iter().map(|layout| layout.commits).sum();
            println!(
                "{day_number:>5} {date:>10} {:>6} {:>9.2} {:>7.2} {:>10.2} {:>9.0} {:>10.1} {:>8}",
                measured.files_delivered,
                measured.ingest_seconds,
                measured.run_seconds,
                measured.maintain_seconds,
                mib(measured.peak_rss_bytes),
                mib(folder_bytes(&lake_root)?),
                commits
            );
            print_largest_tables(&layouts);
            print_slowest_steps(&lake, date, measured.run_seconds).await?;
        }
    }
    println!(
        "simulation: {} days, one `paylake simulate --days 1` a day: {:.1} s in all, {:.0} MiB peak RSS",
        settings.days,
        simulation_seconds,
        mib(simulation_peak_rss_bytes)
    );
    summarize(&days, &layouts(&lake, &maintenance).await?)
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / 1_048_576.0
}

fn paylake_command(settings: &YearSettings, command: &str, lake: &Path) -> Command {
    let mut process = Command::new(&settings.paylake);
    if let Some(config) = &settings.config {
        process.arg("--config").arg(config);
    }
    process.arg(command).arg("--lake").arg(lake);
    process
}

/// Every file the simulator delivered (its truth aside), with its delivery time.
fn source_deliveries(landing: &Path) -> Result<Vec<Delivery>> {
    let mut deliveries = Vec::new();
    let mut folders = vec![landing.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).map_err(io_error(&folder))? {
            let entry = entry.map_err(io_error(&folder))?;
            let path = entry.path();
            // The simulator's truth and state (`_truth`, `_simulation`) are not deliveries.
            if path
                .file_name()
                .is_some_and(|name| name.to_string_lossy().starts_with('_'))
            {
                continue;
            }
            let metadata = entry.metadata().map_err(io_error(&path))?;
            if metadata.is_dir() {
                folders.push(path);
                continue;
            }
            let relative_path = path
                .strip_prefix(landing)
                .expect("walked below landing")
                .to_path_buf();
            deliveries.push(Delivery {
                relative_path,
                delivered: metadata.modified().map_err(io_error(&path))?,
            });
        }
    }
    Ok(deliveries)
}

/// Puts a source file into the lake's landing, as its producer would (a hard link: the same
/// bytes, without copying a year twice).
fn deliver(source_landing: &Path, lake_landing: &Path, delivery: &Delivery) -> Result<()> {
    let from = source_landing.join(&delivery.relative_path);
    let to = lake_landing.join(&delivery.relative_path);
    if let Some(folder) = to.parent() {
        std::fs::create_dir_all(folder).map_err(io_error(folder))?;
    }
    if std::fs::hard_link(&from, &to).is_err() {
        std::fs::copy(&from, &to).map_err(io_error(&from))?;
    }
    Ok(())
}

fn folder_bytes(folder: &Path) -> Result<u64> {
    let mut total = 0;
    let mut folders = vec![folder.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).map_err(io_error(&folder))? {
            let entry = entry.map_err(io_error(&folder))?;
            let metadata = entry.metadata().map_err(io_error(&entry.path()))?;
            if metadata.is_dir() {
                folders.push(entry.path());
            } else {
                total += metadata.len();
            }
        }
    }
    Ok(total)
}

/// The `[maintenance]` settings of the configuration the days run with.
fn maintenance_settings(config: Option<&Path>) -> Result<MaintenanceSettings> {
    let Some(config) = config else {
        return Ok(MaintenanceSettings::default());
    };
    let text = std::fs::read_to_string(config).map_err(io_error(config))?;
    let invalid = |error: &dyn std::fmt::Display| {
        BenchError::Process(format!("{}: {error}", config.display()))
    };
    let document: toml::Table = text.parse().map_err(|error| invalid(&error))?;
    match document.get("maintenance") {
        None => Ok(MaintenanceSettings::default()),
        Some(section) => section.clone().try_into().map_err(|error| invalid(&error)),
    }
}

async fn layouts(lake: &Lake, maintenance: &MaintenanceSettings) -> Result<Vec<TableLayout>> {
    let mut layouts = Vec::new();
    for table in registry().tables() {
        if let Some(layout) = table_layout(lake, table, maintenance).await? {
            layouts.push(layout);
        }
    }
    Ok(layouts)
}

/// The four tables with the most live bytes.
fn print_largest_tables(layouts: &[TableLayout]) {
    let mut largest: Vec<&TableLayout> = layouts.iter().collect();
    largest.sort_by_key(|layout| std::cmp::Reverse((layout.live_bytes, layout.commits)));
    for layout in largest.iter().take(4) {
        println!(
            "      {:<30} {:>7.1} MiB {:>5} files in {:>4} partitions (at most {} in one, {} small), {:>5} commits",
            layout.table,
            mib(layout.live_bytes),
            layout.live_files,
            layout.partitions,
            layout.max_files_per_partition,
            layout.max_small_files_per_partition,
            layout.commits
        );
    }
}

/// The date's five slowest graph steps, as `system.asset_runs` recorded them, and how much of
/// the run's time no step accounts for (starting, opening tables, recording).
async fn print_slowest_steps(lake: &Lake, date: NaiveDate, run_seconds: f64) -> Result<()> {
    let context = paylake_catalog::session::tables_session(lake, &["system.asset_runs"]).await?;
    let batches = context
        .sql(&format!(
            // A step that writes several assets records its duration on each of them.
            "SELECT step, CAST(max(duration_ms) AS BIGINT) AS ms FROM system.asset_runs \
             WHERE business_date = DATE '{date}' AND step <> 'maintain' \
             GROUP BY step ORDER BY ms DESC, step"
        ))
        .await?
        .collect()
        .await?;
    // (step, milliseconds), slowest first.
    let mut steps: Vec<(String, i64)> = Vec::new();
    for batch in &batches {
        // Read as the engine typed them (text may come as a view type): cast, then downcast.
        let step_names = arrow::compute::cast(batch.column(0), &arrow::datatypes::DataType::Utf8)?;
        let step_names = arrow::array::cast::as_string_array(&step_names);
        let millis = arrow::compute::cast(batch.column(1), &arrow::datatypes::DataType::Int64)?;
        let millis = arrow::array::cast::as_primitive_array::<arrow::datatypes::Int64Type>(&millis);
        for row in 0..batch.num_rows() {
            steps.push((step_names.value(row).to_string(), millis.value(row)));
        }
    }
    let steps_seconds = steps.iter().map(|(_, millis)| *millis).sum::<i64>() as f64 / 1000.0;
    let slowest: Vec<String> = steps
        .iter()
        .take(5)
        .map(|(step, millis)| format!("{step} {:.2}", *millis as f64 / 1000.0))
        .collect();
    println!(
        "      run: {} steps {steps_seconds:.2} s, outside steps {:.2} s; slowest: {}",
        steps.len(),
        run_seconds - steps_seconds,
        slowest.join(", ")
    );
    Ok(())
}

fn mean(days: &[Day]) -> Option<f64> {
    (!days.is_empty()).then(|| days.iter().map(Day::work_seconds).sum::<f64>() / days.len() as f64)
}

/// Prints the late-to-early ratio and the layout and memory goals; an error when one is missed.
fn summarize(days: &[Day], layouts: &[TableLayout]) -> Result<()> {
    let early = &days[days.len().min(9)..days.len().min(40)];
    let late = &days[days.len().saturating_sub(30)..];
    let mut missed = Vec::new();
    match (mean(early), mean(late)) {
        (Some(early_mean), Some(late_mean)) if days.len() >= 40 => {
            let ratio = late_mean / early_mean;
            println!(
                "ingest + run: days 10-40 {early_mean:.2} s a day, last 30 days {late_mean:.2} s a day: {ratio:.3}x (goal at most {MAX_LATE_TO_EARLY_RATIO}x)"
            );
            if ratio > MAX_LATE_TO_EARLY_RATIO {
                missed.push(format!("a late day costs {ratio:.3}x an early one"));
            }
        }
        _ => println!(
            "ingest + run: fewer than 40 days, no late-to-early ratio (mean {:.2} s a day)",
            mean(days).unwrap_or_default()
        ),
    }
    if let Some(largest) = layouts.iter().max_by_key(|layout| layout.live_bytes) {
        println!(
            "largest table after maintenance: {} ({:.1} MiB in {} files, at most {} in one partition)",
            largest.table,
            mib(largest.live_bytes),
            largest.live_files,
            largest.max_files_per_partition
        );
    }
    let crowded = layouts
        .iter()
        .max_by_key(|layout| layout.max_small_files_per_partition);
    if let Some(crowded) = crowded {
        println!(
            "most small files in one partition after maintenance: {} ({}; goal at most {MAX_SMALL_FILES_PER_PARTITION})",
            crowded.max_small_files_per_partition, crowded.table
        );
        if crowded.max_small_files_per_partition > MAX_SMALL_FILES_PER_PARTITION {
            missed.push(format!(
                "{} holds {} small files in one partition",
                crowded.table, crowded.max_small_files_per_partition
            ));
        }
    }
    let peak = days.iter().map(|day| day.peak_rss_bytes).max().unwrap_or(0);
    println!(
        "peak RSS of a day's processes: {:.0} MiB (goal under {:.0} MiB)",
        mib(peak),
        mib(MAX_PEAK_RSS_BYTES)
    );
    if peak >= MAX_PEAK_RSS_BYTES {
        missed.push(format!("peak RSS {:.0} MiB", mib(peak)));
    }
    if missed.is_empty() {
        return Ok(());
    }
    Err(BenchError::Process(format!(
        "bench year missed its goals: {}",
        missed.join("; ")
    )))
}
