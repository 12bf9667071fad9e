//! The live data files of a Delta table, by business date: what the log holds now, never a
//! file a later commit removed. Engines that do not read the Delta log (Redshift COPY, Redshift
//! Spectrum, older Athena) are handed these lists.

use std::collections::BTreeMap;

use deltalake::DeltaTable;
use paylake_catalog::delta::open_table;
use paylake_catalog::live_scan::LiveFilesSpec;
use paylake_catalog::{Lake, TableDef};

use crate::error::{Result, ServingError};

/// One data file: its URL and size in bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataFile {
    pub url: String,
    pub bytes: i64,
}

/// The live files of a table at one version, by business date (`YYYY-MM-DD`).
#[derive(Debug)]
pub struct LiveFiles {
    pub delta_version: i64,
    pub by_date: BTreeMap<String, Vec<DataFile>>,
}

/// The live files of `table`, which must be partitioned by business date; `None` when the
/// table has not been written yet.
pub async fn live_files(lake: &Lake, table: &TableDef) -> Result<Option<LiveFiles>> {
    debug_assert_eq!(
        table.partition_by,
        ["business_date"],
        "served by business date"
    );
    let Some(delta_table) = open_table(lake, table).await? else {
        return Ok(None);
    };
    live_files_of(&delta_table, table).map(Some)
}

/// The live files of a Delta table already opened (one read of its log for all callers).
pub fn live_files_of(delta_table: &DeltaTable, table: &TableDef) -> Result<LiveFiles> {
    let snapshot = LiveFilesSpec::of_snapshot(table, delta_table)?;
    let Some(date_column) = table
        .partition_by
        .iter()
        .position(|column| *column == "business_date")
    else {
        return Err(ServingError::Table {
            table: table.qualified_name(),
            reason: "not partitioned by business_date".into(),
        });
    };
    let mut by_date: BTreeMap<String, Vec<DataFile>> = BTreeMap::new();
    for file in snapshot.files {
        let Some(Some(date)) = file.partition_values.get(date_column).cloned() else {
            continue;
        };
        by_date.entry(date).or_default().push(DataFile {
            url: file.url,
            bytes: i64::try_from(file.bytes).unwrap_or(i64::MAX),
        });
    }
    Ok(LiveFiles {
        delta_version: snapshot.delta_version,
        by_date,
    })
}
