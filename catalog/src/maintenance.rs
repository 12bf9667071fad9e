//! Table maintenance, so that a lake that runs for years stays as fast as a new one: small files
//! compacted (delta-rs `optimize`, bin-packing per partition, in two tiers), a checkpoint of
//! a long log (readers then read one Parquet file instead of replaying every JSON commit), and
//! files no version inside the time-travel window uses removed (`vacuum`). Maintenance never
//! changes a table's rows: compaction rewrites files with the same rows in a new version, and
//! vacuum keeps every file a version of the last `keep_versions_days` needs, so time travel and
//! backfills that reach back that far still read what they read before.
//!
//! Compaction is tiered so that a day's maintenance does not grow with the table. Bin-packing
//! everything under the target size would rewrite the one growing file of an unpartitioned,
//! append-only table every day (and keep a copy of it for every day of the window). Instead a
//! minor compaction packs only files under `small_file_mib` into files of about that size, which
//! then stay as they are; a major compaction to `target_file_mib` runs only once
//! `major_compaction_files` such files lie in one partition. Each file is thus rewritten a
//! bounded number of times, and a day's compaction writes at most a few small files' worth.

use std::num::NonZeroU64;

use deltalake::DeltaTable;

use crate::delta::{laid_out_as_registered, open_table, writer_properties};
use crate::error::{CatalogError, Result};
use crate::lake::Lake;
use crate::lineage::{INGEST_MONTH, INGEST_TIME};
use crate::registry::TableDef;

/// How tables are maintained (`[maintenance]` in paylake.toml).
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MaintenanceSettings {
    /// The size compaction aims for, in MiB.
    #[serde(default = "default_target_file_mib")]
    pub target_file_mib: u64,
    /// Files under this size, in MiB, are compacted on every run (minor compaction).
    #[serde(default = "default_small_file_mib")]
    pub small_file_mib: u64,
    /// How many files between `small_file_mib` and `target_file_mib` one partition may hold
    /// before they are compacted to the target size (major compaction).
    #[serde(default = "default_major_compaction_files")]
    pub major_compaction_files: usize,
    /// How far back time travel must still read: vacuum keeps every file a version of these
    /// last days needs. At least 7 (Delta's own floor), so that no running reader or pinned
    /// scan loses a file.
    #[serde(default = "default_keep_versions_days")]
    pub keep_versions_days: u32,
    /// A time-travel window that starts at this instant instead of `keep_versions_days` ago,
    /// with no floor: for replays that pass days in minutes (the year bench), whose windows
    /// must be counted in the replay's days. Never set from the settings file.
    #[serde(skip)]
    pub keep_versions_since: Option<chrono::DateTime<chrono::Utc>>,
}

fn default_target_file_mib() -> u64 {
    128
}

fn default_small_file_mib() -> u64 {
    8
}

fn default_major_compaction_files() -> usize {
    8
}

fn default_keep_versions_days() -> u32 {
    30
}

impl Default for MaintenanceSettings {
    fn default() -> Self {
        MaintenanceSettings {
            target_file_mib: default_target_file_mib(),
            small_file_mib: default_small_file_mib(),
            major_compaction_files: default_major_compaction_files(),
            keep_versions_days: default_keep_versions_days(),
            keep_versions_since: None,
        }
    }
}

/// The version from which maintenance writes a checkpoint of a table's log.
pub const CHECKPOINT_FROM_VERSION: u64 = 20;

/// Commits after a table's last checkpoint from which maintenance writes the next one (Delta's
/// own `checkpointInterval` default). A checkpoint rewrites the table's whole file list: a
/// table committed to once a day (a gold table, a file per business date) gets one every ten
/// days, not a rewrite that grows with every day of its history each day.
pub const CHECKPOINT_INTERVAL: u64 = 10;

/// The version of the table's last checkpoint, from `_delta_log/_last_checkpoint`; `None`
/// when there is none (or its hint cannot be parsed: a checkpoint is then written).
async fn last_checkpoint_version(lake: &Lake, table_def: &TableDef) -> Result<Option<u64>> {
    let hint_path = format!(
        "{}/{}/_delta_log/_last_checkpoint",
        table_def.zone.as_str(),
        table_def.name
    );
    let Some(hint) = lake.read_file(&hint_path).await? else {
        return Ok(None);
    };
    Ok(serde_json::from_slice::<serde_json::Value>(&hint)
        .ok()
        .and_then(|hint| hint.get("version")?.as_u64()))
}

/// The shortest time-travel window vacuum accepts, in days (Delta's default retention).
pub const MIN_KEEP_VERSIONS_DAYS: u32 = 7;

/// What maintaining a table did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaintenanceOutcome {
    pub table: String,
    /// Live data files before and after compaction.
    pub files_before: usize,
    pub files_after: usize,
    /// The compaction that ran: none when no partition held two files to pack.
    pub compaction: Compaction,
    /// Files compaction rewrote, and the files it wrote.
    pub files_compacted: u64,
    pub files_written: u64,
    /// Files vacuum deleted (no version of the window used them).
    pub files_vacuumed: usize,
    /// Expired commit files removed from the log.
    pub log_files_removed: usize,
    /// The table's version before and after maintenance.
    pub version_before: u64,
    pub version: u64,
}

/// Which compaction a maintenance run chose for a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compaction {
    None,
    /// Files under `small_file_mib` packed to that size.
    Minor,
    /// Every file under `target_file_mib` packed to that size.
    Major,
    /// The whole table rewritten in its registry's partitioning, once: a bronze table written
    /// before bronze was partitioned by ingest month.
    Repartition,
}

impl Compaction {
    pub fn as_str(self) -> &'static str {
        match self {
            Compaction::None => "none",
            Compaction::Minor => "minor",
            Compaction::Major => "major",
            Compaction::Repartition => "repartition",
        }
    }
}

/// The sizes of a table's live files in bytes, by partition (the folder a file lies in, below
/// the table's root; empty for an unpartitioned table).
fn file_sizes_by_partition(
    table: &DeltaTable,
    name: &str,
) -> Result<std::collections::HashMap<String, Vec<u64>>> {
    let snapshot = table
        .snapshot()
        .map_err(|error| CatalogError::delta(name, error))?;
    let mut sizes: std::collections::HashMap<String, Vec<u64>> = Default::default();
    for file in snapshot.log_data().iter() {
        let path = file.path();
        let partition = path
            .rsplit_once('/')
            .map_or(String::new(), |(folder, _)| folder.to_string());
        sizes
            .entry(partition)
            .or_default()
            .push(u64::try_from(file.size()).unwrap_or_default());
    }
    Ok(sizes)
}

/// The compaction `sizes` call for: major once a partition holds enough mid-size files, minor
/// when a partition holds at least two small files, else none.
fn choose_compaction(
    sizes: &std::collections::HashMap<String, Vec<u64>>,
    settings: &MaintenanceSettings,
) -> Compaction {
    let small_bytes = settings.small_file_mib.saturating_mul(1024 * 1024);
    let target_bytes = settings.target_file_mib.saturating_mul(1024 * 1024);
    let count_in = |files: &Vec<u64>, range: std::ops::Range<u64>| {
        files.iter().filter(|size| range.contains(size)).count()
    };
    if sizes.values().any(|files| {
        count_in(files, small_bytes..target_bytes) >= settings.major_compaction_files.max(2)
    }) {
        return Compaction::Major;
    }
    if sizes
        .values()
        .any(|files| count_in(files, 0..small_bytes) >= 2)
    {
        return Compaction::Minor;
    }
    Compaction::None
}

/// How a table lies in storage: what maintenance keeps small.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableLayout {
    pub table: String,
    /// Commits of the log (the version plus one).
    pub commits: u64,
    pub live_files: usize,
    /// The bytes of the live files (the current version, without older versions' files).
    pub live_bytes: u64,
    /// Partitions holding live files (1 for an unpartitioned table with files).
    pub partitions: usize,
    pub max_files_per_partition: usize,
    /// The most files under `small_file_mib` in one partition: what compaction has not
    /// caught up with.
    pub max_small_files_per_partition: usize,
}

/// The layout of `table_def` in `lake`; `None` when the table does not exist yet.
pub async fn table_layout(
    lake: &Lake,
    table_def: &TableDef,
    settings: &MaintenanceSettings,
) -> Result<Option<TableLayout>> {
    let name = table_def.qualified_name();
    let Some(table) = open_table(lake, table_def).await? else {
        return Ok(None);
    };
    let small_bytes = settings.small_file_mib.saturating_mul(1024 * 1024);
    let sizes = file_sizes_by_partition(&table, &name)?;
    let most = |count: &dyn Fn(&Vec<u64>) -> usize| sizes.values().map(count).max().unwrap_or(0);
    Ok(Some(TableLayout {
        commits: table.version().unwrap_or_default() + 1,
        live_files: sizes.values().map(Vec::len).sum(),
        live_bytes: sizes.values().flatten().sum(),
        partitions: sizes.len(),
        max_files_per_partition: most(&Vec::len),
        max_small_files_per_partition: most(&|files| {
            files.iter().filter(|size| **size < small_bytes).count()
        }),
        table: name,
    }))
}

/// Compacts, checkpoints and vacuums `table_def` in `lake`; `None` when the table does not
/// exist yet.
///
/// A writer that commits first (an ingest merging into silver while its files are compacted)
/// wins; maintenance then starts over from the new version, a few times with jittered pauses.
pub async fn maintain_table(
    lake: &Lake,
    table_def: &TableDef,
    settings: &MaintenanceSettings,
) -> Result<Option<MaintenanceOutcome>> {
    maintain_table_counting_attempts(lake, table_def, settings)
        .await
        .0
}

/// [`maintain_table`], with the number of attempts it took (1 when no writer came first).
pub async fn maintain_table_counting_attempts(
    lake: &Lake,
    table_def: &TableDef,
    settings: &MaintenanceSettings,
) -> (Result<Option<MaintenanceOutcome>>, u32) {
    use backon::{ExponentialBuilder, Retryable};
    let pauses = ExponentialBuilder::new()
        .with_min_delay(std::time::Duration::from_millis(50))
        .with_max_times(7)
        .with_jitter();
    let attempts = std::sync::atomic::AtomicU32::new(0);
    let result = (|| {
        attempts.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        maintain_table_once(lake, table_def, settings)
    })
    .retry(pauses)
    .sleep(tokio::time::sleep)
    .when(CatalogError::is_commit_conflict)
    .await;
    (result, attempts.into_inner())
}

async fn maintain_table_once(
    lake: &Lake,
    table_def: &TableDef,
    settings: &MaintenanceSettings,
) -> Result<Option<MaintenanceOutcome>> {
    let name = table_def.qualified_name();
    let delta_error = |error| CatalogError::delta(name.clone(), error);
    let Some(table) = open_table(lake, table_def).await? else {
        return Ok(None);
    };
    let keep_days = settings.keep_versions_days.max(MIN_KEEP_VERSIONS_DAYS);
    let sizes = file_sizes_by_partition(&table, &name)?;
    let files_before = sizes.values().map(Vec::len).sum();
    let version_before = table.version().unwrap_or_default();
    let repartition =
        table_def.partition_by == [INGEST_MONTH] && !laid_out_as_registered(&table, table_def)?;
    let compaction = if repartition {
        Compaction::Repartition
    } else {
        choose_compaction(&sizes, settings)
    };
    // delta-rs's optimize leaves files over its target alone and packs the rest up to it: with
    // the small size as target it is the minor compaction.
    let target_mib = match compaction {
        Compaction::None | Compaction::Minor | Compaction::Repartition => settings.small_file_mib,
        Compaction::Major => settings.target_file_mib,
    };
    let (table, files_compacted, files_written) = if compaction == Compaction::None {
        (table, 0, 0)
    } else if compaction == Compaction::Repartition {
        let table = partition_by_ingest_month(table, table_def).await?;
        let files_written: usize = file_sizes_by_partition(&table, &name)?
            .values()
            .map(Vec::len)
            .sum();
        (table, files_before as u64, files_written as u64)
    } else {
        let target =
            NonZeroU64::new(target_mib.saturating_mul(1024 * 1024)).unwrap_or(NonZeroU64::MIN);
        let (table, metrics) = table
            .optimize()
            .with_target_size(target)
            .await
            .map_err(delta_error)?;
        (table, metrics.num_files_removed, metrics.num_files_added)
    };
    // A checkpoint pays off on a long log: on a short one, reading its Parquet costs more than
    // replaying the few JSON commits (measured on the demo lake: ingest 0.42 s without
    // checkpoints, 1.2 s with one on every table, debug build).
    let version = table.version().unwrap_or_default();
    let checkpoint_due = match last_checkpoint_version(lake, table_def).await? {
        Some(last) => version >= last + CHECKPOINT_INTERVAL,
        None => version >= CHECKPOINT_FROM_VERSION,
    };
    if checkpoint_due {
        deltalake::checkpoints::create_checkpoint(&table, None)
            .await
            .map_err(delta_error)?;
    }
    // Commits older than the log retention (Delta's `logRetentionDuration`, 30 days) that a
    // checkpoint covers are no longer needed to read any version of the window.
    let log_files_removed = match settings.keep_versions_since {
        None => deltalake::checkpoints::cleanup_metadata(&table, None).await,
        Some(since) => {
            deltalake::protocol::checkpoints::cleanup_expired_logs_for(
                table.version().unwrap_or_default(),
                table.log_store().as_ref(),
                since.timestamp_millis(),
                None,
            )
            .await
        }
    }
    .map_err(delta_error)?;
    let vacuum = match settings.keep_versions_since {
        None => table
            .vacuum()
            .with_retention_period(chrono::Duration::days(i64::from(keep_days))),
        // Delta refuses a window under its 7 days unless told that this is meant.
        Some(since) => table
            .vacuum()
            .with_retention_period((chrono::Utc::now() - since).max(chrono::Duration::zero()))
            .with_enforce_retention_duration(false),
    };
    let (table, vacuum) = vacuum.await.map_err(delta_error)?;
    let files_after = file_sizes_by_partition(&table, &name)?
        .values()
        .map(Vec::len)
        .sum();
    Ok(Some(MaintenanceOutcome {
        files_before,
        files_after,
        compaction,
        files_compacted,
        files_written,
        files_vacuumed: vacuum.files_deleted.len(),
        log_files_removed,
        version_before,
        version: table.version().unwrap_or_default(),
        table: name,
    }))
}

/// Rewrites a bronze table written before bronze was partitioned by ingest month with that
/// partitioning, in one commit: the same rows, each in the month of its `_ingest_time`. The
/// rows stream from the old files into the new ones. The files the table took (its
/// application transactions) are table state, kept across the rewrite.
async fn partition_by_ingest_month(table: DeltaTable, table_def: &TableDef) -> Result<DeltaTable> {
    use datafusion::functions::expr_fn::date_trunc;
    use datafusion::prelude::{cast, coalesce, col, lit};
    use deltalake::operations::write::SchemaMode;
    use deltalake::protocol::SaveMode;
    let name = table_def.qualified_name();
    // The write plans the rows' scan in this session: delta-rs's planner must be in it.
    let context = deltalake::delta_datafusion::create_session().into_inner();
    let rows = context.read_table(table.table_provider().await?)?;
    let month_of_ingest = cast(
        date_trunc(lit("month"), col(INGEST_TIME)),
        arrow::datatypes::DataType::Date32,
    );
    // A table that already gained the column as an ordinary one (appended to after the
    // registry partitioned it) keeps the months it has.
    let month = if rows.schema().has_column_with_unqualified_name(INGEST_MONTH) {
        coalesce(vec![col(INGEST_MONTH), month_of_ingest])
    } else {
        month_of_ingest
    };
    let plan = rows
        .with_column(INGEST_MONTH, month)?
        .into_unoptimized_plan();
    table
        .write(Vec::new())
        .with_input_plan(plan)
        .with_session_state(std::sync::Arc::new(context.state()))
        .with_save_mode(SaveMode::Overwrite)
        .with_schema_mode(SchemaMode::Overwrite)
        .with_partition_columns(table_def.partition_by.iter().copied())
        .with_writer_properties(writer_properties(table_def))
        .await
        .map_err(|error| CatalogError::delta(name, error))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::{registry, Zone};
    use crate::rows::append_row_of_text;

    /// The rows of `table` at `version`, sorted, as text.
    async fn rows_at(lake: &Lake, table: &TableDef, version: Option<u64>) -> Vec<String> {
        let mut delta_table = open_table(lake, table).await.unwrap().unwrap();
        if let Some(version) = version {
            delta_table.load_version(version).await.unwrap();
        }
        let context = crate::session::table_session(table, &delta_table)
            .await
            .unwrap();
        let batches = context
            .sql(&format!("SELECT * FROM {}", table.qualified_name()))
            .await
            .unwrap()
            .collect()
            .await
            .unwrap();
        let mut rows: Vec<String> = batches
            .iter()
            .flat_map(|batch| {
                (0..batch.num_rows()).map(move |row| {
                    batch
                        .columns()
                        .iter()
                        .map(|column| {
                            arrow::util::display::array_value_to_string(column, row).unwrap()
                        })
                        .collect::<Vec<_>>()
                        .join(",")
                })
            })
            .collect();
        rows.sort();
        rows
    }

    /// Appends one row of `table` made from `commit`, in a commit of its own; its version.
    async fn append_one_row(lake: &Lake, table: &TableDef, commit: u32) -> u64 {
        append_one_padded_row(lake, table, commit, 0).await
    }

    /// Like `append_one_row`, with `padding_kib` KiB of incompressible text in each text
    /// column, for files of a chosen size.
    async fn append_one_padded_row(
        lake: &Lake,
        table: &TableDef,
        commit: u32,
        padding_kib: usize,
    ) -> u64 {
        // Random UUIDs are all but incompressible: the file is about as large as the text.
        let padding: String = (0..padding_kib * 1024 / 32)
            .map(|_| uuid::Uuid::new_v4().simple().to_string())
            .collect();
        let day = commit % 9 + 1;
        append_row_of_text(lake, table, |field| {
            use arrow::datatypes::DataType;
            match field.data_type() {
                DataType::Utf8 => format!("{}-{commit}{padding}", field.name()),
                DataType::Date32 => format!("2026-03-0{day}"),
                DataType::Timestamp(..) => format!("2026-03-0{day}T12:00:00Z"),
                _ => commit.to_string(),
            }
        })
        .await
    }

    /// Moves the removals of commit `version` `days` into the past, as if it had been
    /// committed then.
    fn age_removals(lake_dir: &std::path::Path, table: &TableDef, version: u64, days: i64) {
        let commit = lake_dir
            .join(table.zone.as_str())
            .join(table.name)
            .join(format!("_delta_log/{version:020}.json"));
        let then = chrono::Utc::now().timestamp_millis() - days * 86_400_000;
        let aged: Vec<String> = std::fs::read_to_string(&commit)
            .unwrap()
            .lines()
            .map(|line| {
                let mut action: serde_json::Value = serde_json::from_str(line).unwrap();
                if let Some(remove) = action.get_mut("remove") {
                    remove["deletionTimestamp"] = then.into();
                }
                action.to_string()
            })
            .collect();
        std::fs::write(&commit, aged.join("\n") + "\n").unwrap();
    }

    #[tokio::test]
    async fn a_bronze_table_written_before_bronze_was_partitioned_is_repartitioned_by_ingest_month_once(
    ) {
        use crate::delta::{app_transactions, append, open_or_create_table};
        use deltalake::kernel::Transaction;
        let lake_dir = tempfile::tempdir().unwrap();
        let lake = Lake::open(lake_dir.path().to_str().unwrap()).unwrap();
        let bronze = registry().get(Zone::Bronze, "fx_rates").unwrap();
        // The table as paylake wrote it before: no `_ingest_month`, no partitions.
        let mut unpartitioned = bronze.clone();
        unpartitioned.partition_by = Vec::new();
        unpartitioned.schema = std::sync::Arc::new(arrow::datatypes::Schema::new(
            bronze
                .schema
                .fields()
                .iter()
                .filter(|field| field.name() != INGEST_MONTH)
                .cloned()
                .collect::<Vec<_>>(),
        ));
        for (file, ingest_time) in [("a", "2026-03-31T23:59:59Z"), ("b", "2026-04-01T00:00:00Z")] {
            let columns = unpartitioned
                .schema
                .fields()
                .iter()
                .map(|field| {
                    let text = match field.data_type() {
                        _ if field.name() == INGEST_TIME => ingest_time.to_string(),
                        arrow::datatypes::DataType::Date32 => "2026-03-02".to_string(),
                        arrow::datatypes::DataType::Utf8 => format!("{}-{file}", field.name()),
                        _ => "1".to_string(),
                    };
                    let text = arrow::array::StringArray::from(vec![text]);
                    arrow::compute::cast(&text, field.data_type()).unwrap()
                })
                .collect();
            let batch = crate::rows::columns_batch(&unpartitioned, columns).unwrap();
            let delta_table = open_or_create_table(&lake, &unpartitioned).await.unwrap();
            let marker = Transaction::new(format!("landing:{file}"), 1);
            append(delta_table, &unpartitioned, vec![batch], vec![marker])
                .await
                .unwrap();
        }
        let rows_before = rows_at(&lake, &unpartitioned, None).await;

        let settings = MaintenanceSettings::default();
        let outcome = maintain_table(&lake, bronze, &settings)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(outcome.compaction, Compaction::Repartition);
        let table = open_table(&lake, bronze).await.unwrap().unwrap();
        assert_eq!(
            table.snapshot().unwrap().metadata().partition_columns(),
            &vec![INGEST_MONTH.to_string()]
        );
        // Every row, each in the month of its ingest time, and the files taken still known.
        let months = rows_at(&lake, bronze, None).await;
        assert_eq!(months.len(), 2);
        for (before, after) in rows_before.iter().zip(&months) {
            assert!(after.starts_with(before.as_str()), "{before} / {after}");
        }
        assert!(months[0].ends_with(",2026-03-01") && months[1].ends_with(",2026-04-01"));
        let taken = app_transactions(&table, bronze).await.unwrap();
        assert!(taken.contains_key("landing:a") && taken.contains_key("landing:b"));
        let mut folders: Vec<String> = file_sizes_by_partition(&table, "bronze.fx_rates")
            .unwrap()
            .into_keys()
            .collect();
        folders.sort();
        assert_eq!(
            folders,
            ["_ingest_month=2026-03-01", "_ingest_month=2026-04-01"]
        );
        // Once: the next pass finds the table laid out as registered.
        let again = maintain_table(&lake, bronze, &settings)
            .await
            .unwrap()
            .unwrap();
        assert_ne!(again.compaction, Compaction::Repartition);
    }

    #[tokio::test]
    async fn compaction_keeps_every_row_and_every_version_of_the_window_readable() {
        let dir = tempfile::tempdir().unwrap();
        let lake = Lake::open(dir.path().to_str().unwrap()).unwrap();
        let table = registry().get(Zone::Quarantine, "cost").unwrap();
        // Five small commits: five files.
        let mut versions = Vec::new();
        for commit in 0..5 {
            versions.push(append_one_row(&lake, table, commit).await);
        }
        let before: Vec<Vec<String>> = {
            let mut all = Vec::new();
            for version in &versions {
                all.push(rows_at(&lake, table, Some(*version)).await);
            }
            all
        };
        let outcome = maintain_table(&lake, table, &MaintenanceSettings::default())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(outcome.files_before, 5);
        assert_eq!(outcome.files_after, 1, "{outcome:?}");
        assert_eq!(outcome.files_vacuumed, 0, "every file is inside the window");
        // The rows did not change: the data version is still the last append's, so nothing
        // that read the table becomes stale.
        let maintained = open_table(&lake, table).await.unwrap().unwrap();
        assert!(maintained.version().unwrap() > versions[4]);
        assert_eq!(
            crate::delta::data_version(&maintained, table)
                .await
                .unwrap(),
            Some(versions[4])
        );
        assert_eq!(rows_at(&lake, table, None).await, before[4]);
        // Time travel inside the window reads what it read before.
        for (version, rows) in versions.iter().zip(&before) {
            assert_eq!(&rows_at(&lake, table, Some(*version)).await, rows);
        }
        // Maintaining again has nothing to compact.
        let again = maintain_table(&lake, table, &MaintenanceSettings::default())
            .await
            .unwrap()
            .unwrap();
        assert_eq!((again.files_before, again.files_compacted), (1, 0));
    }

    #[test]
    fn compaction_is_major_only_once_enough_mid_size_files_lie_in_one_partition() {
        let settings = MaintenanceSettings {
            target_file_mib: 128,
            small_file_mib: 8,
            major_compaction_files: 3,
            keep_versions_days: 30,
            keep_versions_since: None,
        };
        let mib = 1024 * 1024;
        let layout = |partitions: &[&[u64]]| {
            partitions
                .iter()
                .enumerate()
                .map(|(index, sizes)| {
                    (
                        format!("day={index}"),
                        sizes.iter().map(|size| size * mib).collect(),
                    )
                })
                .collect()
        };
        // One small file next to large ones: nothing to pack.
        assert_eq!(
            choose_compaction(&layout(&[&[200, 9, 1], &[1]]), &settings),
            Compaction::None
        );
        // Two small files in one partition: minor, whatever lies beside them.
        assert_eq!(
            choose_compaction(&layout(&[&[200, 9, 1, 1], &[1]]), &settings),
            Compaction::Minor
        );
        // Three mid-size files in one partition (not across two): major.
        assert_eq!(
            choose_compaction(&layout(&[&[9, 9], &[9]]), &settings),
            Compaction::None
        );
        assert_eq!(
            choose_compaction(&layout(&[&[9, 20, 127, 1]]), &settings),
            Compaction::Major
        );
        // Files at or over the target never count.
        assert_eq!(
            choose_compaction(&layout(&[&[128, 300, 9]]), &settings),
            Compaction::None
        );
    }

    #[tokio::test]
    async fn minor_compaction_leaves_files_over_the_small_size_alone_and_major_packs_them() {
        let dir = tempfile::tempdir().unwrap();
        let lake = Lake::open(dir.path().to_str().unwrap()).unwrap();
        let table = registry().get(Zone::Quarantine, "cost").unwrap();
        let settings = MaintenanceSettings {
            target_file_mib: 128,
            small_file_mib: 1,
            major_compaction_files: 2,
            keep_versions_days: 30,
            keep_versions_since: None,
        };
        // A file over 1 MiB, then three small ones.
        append_one_padded_row(&lake, table, 0, 1536).await;
        for commit in 1..4 {
            append_one_row(&lake, table, commit).await;
        }
        let files_before_minor = {
            let opened = open_table(&lake, table).await.unwrap().unwrap();
            let sizes = file_sizes_by_partition(&opened, "cost").unwrap();
            assert_eq!(
                sizes[""].iter().filter(|size| **size > 1024 * 1024).count(),
                1,
                "{sizes:?}"
            );
            opened.get_file_uris().unwrap().collect::<Vec<_>>()
        };
        let before = rows_at(&lake, table, None).await;
        let minor = maintain_table(&lake, table, &settings)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(minor.compaction, Compaction::Minor);
        assert_eq!(
            (minor.files_before, minor.files_compacted, minor.files_after),
            (4, 3, 2),
            "the three small files packed into one, the large one untouched: {minor:?}"
        );
        let after_minor: Vec<String> = open_table(&lake, table)
            .await
            .unwrap()
            .unwrap()
            .get_file_uris()
            .unwrap()
            .collect();
        let untouched = files_before_minor
            .iter()
            .filter(|uri| after_minor.contains(uri))
            .count();
        assert_eq!(untouched, 1, "the large file is still live as it was");
        assert_eq!(rows_at(&lake, table, None).await, before);
        // A second large file: two mid-size files in the partition call for a major
        // compaction, which packs everything into one file.
        append_one_padded_row(&lake, table, 4, 1536).await;
        let major = maintain_table(&lake, table, &settings)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(major.compaction, Compaction::Major, "{major:?}");
        assert_eq!((major.files_before, major.files_after), (3, 1), "{major:?}");
        assert_eq!(rows_at(&lake, table, None).await.len(), 5);
    }

    #[tokio::test]
    async fn vacuum_removes_only_files_no_version_of_the_window_reads() {
        let dir = tempfile::tempdir().unwrap();
        let lake = Lake::open(dir.path().to_str().unwrap()).unwrap();
        let table = registry().get(Zone::Quarantine, "cost").unwrap();
        let mut last_append = 0;
        for commit in 0..5 {
            last_append = append_one_row(&lake, table, commit).await;
        }
        // The first compaction replaced the five files: as if it ran 40 days ago, outside
        // the 30 days of time travel kept.
        let first = maintain_table(&lake, table, &MaintenanceSettings::default())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(first.files_vacuumed, 0);
        let compaction_version = last_append + 1;
        let before_compaction = rows_at(&lake, table, Some(compaction_version - 1)).await;
        age_removals(dir.path(), table, compaction_version, 40);
        // Two appends inside the window, then maintenance again.
        let mut window_versions = vec![first.version];
        for commit in 5..7 {
            window_versions.push(append_one_row(&lake, table, commit).await);
        }
        let mut window_rows = Vec::new();
        for version in &window_versions {
            window_rows.push(rows_at(&lake, table, Some(*version)).await);
        }
        let second = maintain_table(&lake, table, &MaintenanceSettings::default())
            .await
            .unwrap()
            .unwrap();
        // Only the five files removed 40 days ago went; the files the window's versions
        // read, replaced just now, stay.
        assert_eq!(second.files_vacuumed, 5, "{second:?}");
        for (version, rows) in window_versions.iter().zip(&window_rows) {
            assert_eq!(&rows_at(&lake, table, Some(*version)).await, rows);
        }
        assert_eq!(rows_at(&lake, table, None).await, window_rows[2]);
        assert_eq!(before_compaction.len(), 5);
        // A version from before the window cannot be read any more: its files are gone.
        let mut old = open_table(&lake, table).await.unwrap().unwrap();
        old.load_version(compaction_version - 1).await.unwrap();
        let context = crate::session::table_session(table, &old).await.unwrap();
        let read = context
            .sql(&format!("SELECT * FROM {}", table.qualified_name()))
            .await
            .unwrap()
            .collect()
            .await;
        assert!(read.is_err(), "a vacuumed version still read");
    }

    #[tokio::test]
    async fn a_checkpoint_is_written_every_ten_commits_not_on_every_pass() {
        let dir = tempfile::tempdir().unwrap();
        let lake = Lake::open(dir.path().to_str().unwrap()).unwrap();
        let table = registry().get(Zone::Quarantine, "cost").unwrap();
        let settings = MaintenanceSettings::default();
        let checkpoint =
            |lake: Lake| async move { last_checkpoint_version(&lake, table).await.unwrap() };
        for commit in 0..CHECKPOINT_FROM_VERSION as u32 {
            append_one_row(&lake, table, commit).await;
        }
        maintain_table(&lake, table, &settings).await.unwrap();
        let first = checkpoint(lake.clone()).await.expect("a first checkpoint");
        // Daily passes with a commit between them (and their own compaction) leave it.
        for commit in 100..102 {
            append_one_row(&lake, table, commit).await;
            maintain_table(&lake, table, &settings).await.unwrap();
            assert_eq!(checkpoint(lake.clone()).await, Some(first));
        }
        for commit in 200..200 + CHECKPOINT_INTERVAL as u32 {
            append_one_row(&lake, table, commit).await;
        }
        maintain_table(&lake, table, &settings).await.unwrap();
        let next = checkpoint(lake.clone()).await.unwrap();
        assert!(next >= first + CHECKPOINT_INTERVAL, "{first} then {next}");
        // Every row is still there.
        assert_eq!(rows_at(&lake, table, None).await.len(), 20 + 2 + 10);
    }

    #[tokio::test]
    async fn a_window_since_an_instant_vacuums_and_cleans_the_log_of_everything_before_it() {
        let dir = tempfile::tempdir().unwrap();
        let lake = Lake::open(dir.path().to_str().unwrap()).unwrap();
        let table = registry().get(Zone::Quarantine, "cost").unwrap();
        for commit in 0..CHECKPOINT_FROM_VERSION as u32 {
            append_one_row(&lake, table, commit).await;
        }
        let days_window = maintain_table(&lake, table, &MaintenanceSettings::default())
            .await
            .unwrap()
            .unwrap();
        // The compaction's replaced files and the commits stay inside 30 days.
        assert!(days_window.files_compacted > 1, "{days_window:?}");
        assert_eq!(
            (days_window.files_vacuumed, days_window.log_files_removed),
            (0, 0)
        );
        let rows = rows_at(&lake, table, None).await;
        let first_version_rows = rows_at(&lake, table, Some(1)).await;
        assert_eq!(first_version_rows.len(), 1);

        // A window that starts now keeps only what the current version reads.
        let settings = MaintenanceSettings {
            keep_versions_since: Some(chrono::Utc::now()),
            ..MaintenanceSettings::default()
        };
        let instant_window = maintain_table(&lake, table, &settings)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            instant_window.files_vacuumed as u64, days_window.files_compacted,
            "{instant_window:?}"
        );
        assert!(instant_window.log_files_removed > 0, "{instant_window:?}");
        assert_eq!(rows_at(&lake, table, None).await, rows);
        let mut old = open_table(&lake, table).await.unwrap().unwrap();
        assert!(
            old.load_version(1).await.is_err(),
            "a version before the window still loads"
        );
    }
}
