//! The screening cache in the lake: `system.screened_names` and `system.screened_entries`
//! (`sql/transforms/screening/tables.toml`), read whole at the start of a date's screening,
//! rewritten whole when the list version changed, appended with the names first seen otherwise.

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, Int64Array, RecordBatch};
use arrow::datatypes::{DataType, Int64Type};
use paylake_catalog::rows::{columns_batch, strings};
use paylake_catalog::session::tables_session;
use paylake_catalog::sql::statement;
use paylake_catalog::{registry, Lake, Zone};

use super::rescreen::{CachedHit, ScreeningCache};
use crate::error::Result;

const CACHED_NAMES_SQL: &str = "transforms/screening/cached_names.sql";
const CACHED_ENTRIES_SQL: &str = "transforms/screening/cached_entries.sql";
const CACHED_COUNTERPARTIES_SQL: &str = "transforms/screening/cached_counterparties.sql";

/// The SQL files the cache is read with, below `sql/`.
pub const SQL_FILES: [&str; 3] = [
    CACHED_NAMES_SQL,
    CACHED_ENTRIES_SQL,
    CACHED_COUNTERPARTIES_SQL,
];

/// A counterparty name screened: its kind of party and key, and the name as first seen.
pub type KnownCounterparties = BTreeMap<(String, String), String>;

/// Every counterparty name screened so far (`system.screened_counterparties`).
pub async fn load_counterparties(lake: &Lake) -> Result<KnownCounterparties> {
    let context = tables_session(lake, &["system.screened_counterparties"]).await?;
    let mut known = KnownCounterparties::new();
    for batch in context
        .sql(&statement(CACHED_COUNTERPARTIES_SQL)?)
        .await?
        .collect()
        .await?
    {
        let columns = (0..3)
            .map(|index| text_column(&batch, index))
            .collect::<Result<Vec<_>>>()?;
        let text =
            |index: usize, row: usize| columns[index].as_string::<i32>().value(row).to_string();
        for row in 0..batch.num_rows() {
            known.insert((text(0, row), text(1, row)), text(2, row));
        }
    }
    Ok(known)
}

/// Records counterparty names seen for the first time: (kind of party, key, name).
pub async fn append_counterparties(lake: &Lake, seen: &[(String, String, String)]) -> Result<()> {
    if seen.is_empty() {
        return Ok(());
    }
    let table = registry().get(Zone::System, "screened_counterparties")?;
    let columns: Vec<ArrayRef> = vec![
        strings(
            seen.iter()
                .map(|(party_type, _, _)| Some(party_type.as_str())),
        ),
        strings(seen.iter().map(|(_, key, _)| Some(key.as_str()))),
        strings(seen.iter().map(|(_, _, name)| Some(name.as_str()))),
    ];
    let batch = columns_batch(table, columns)?;
    let delta_table = paylake_catalog::delta::open_or_create_table(lake, table).await?;
    paylake_catalog::delta::append(delta_table, table, vec![batch], Vec::new()).await?;
    Ok(())
}

/// The cache as the lake holds it (empty when screening never ran).
pub async fn load_cache(lake: &Lake) -> Result<ScreeningCache> {
    let context =
        tables_session(lake, &["system.screened_names", "system.screened_entries"]).await?;
    let mut cache = ScreeningCache::default();
    let entries = context
        .sql(&statement(CACHED_ENTRIES_SQL)?)
        .await?
        .collect()
        .await?;
    for batch in &entries {
        let versions = text_column(batch, 0)?;
        let ent_nums = arrow::compute::cast(batch.column(1), &DataType::Int64)?;
        let fingerprints = text_column(batch, 2)?;
        let (versions, fingerprints) =
            (versions.as_string::<i32>(), fingerprints.as_string::<i32>());
        for row in 0..batch.num_rows() {
            cache.screened_against = versions.value(row).to_string();
            cache.fingerprints.insert(
                ent_nums.as_primitive::<Int64Type>().value(row),
                fingerprints.value(row).to_string(),
            );
        }
    }
    let names = context
        .sql(&statement(CACHED_NAMES_SQL)?)
        .await?
        .collect()
        .await?;
    for batch in &names {
        let columns = (0..8)
            .map(|index| match index {
                1 | 7 => Ok(arrow::compute::cast(batch.column(index), &DataType::Int64)?),
                _ => text_column(batch, index),
            })
            .collect::<Result<Vec<ArrayRef>>>()?;
        let text = |index: usize| columns[index].as_string::<i32>();
        let integer = |index: usize| columns[index].as_primitive::<Int64Type>();
        for row in 0..batch.num_rows() {
            let hits = cache
                .hits
                .entry(text(0).value(row).to_string())
                .or_default();
            if integer(1).is_null(row) {
                continue;
            }
            hits.push(CachedHit {
                ent_num: integer(1).value(row),
                fingerprint: text(2).value(row).to_string(),
                entry_name: text(3).value(row).to_string(),
                matched_name: text(4).value(row).to_string(),
                matched_name_type: text(5).value(row).to_string(),
                program: text(6).value(row).to_string(),
                score: integer(7).value(row),
            });
        }
    }
    Ok(cache)
}

/// Writes the cache: whole when `rewrite` (the list version changed), else only the rows of
/// `new_keys`.
pub async fn save_cache(
    lake: &Lake,
    cache: &ScreeningCache,
    rewrite: bool,
    new_keys: &[String],
) -> Result<()> {
    let names_table = registry().get(Zone::System, "screened_names")?;
    if rewrite {
        let mut keys: Vec<&String> = cache.hits.keys().collect();
        keys.sort();
        let batch = names_batch(cache, keys.into_iter())?;
        paylake_catalog::delta::overwrite_table(lake, names_table, vec![batch]).await?;
        let entries_table = registry().get(Zone::System, "screened_entries")?;
        let columns: Vec<ArrayRef> = vec![
            strings(
                cache
                    .fingerprints
                    .keys()
                    .map(|_| Some(cache.screened_against.as_str())),
            ),
            Arc::new(Int64Array::from_iter_values(
                cache.fingerprints.keys().copied(),
            )),
            strings(
                cache
                    .fingerprints
                    .values()
                    .map(|value| Some(value.as_str())),
            ),
        ];
        let batch = columns_batch(entries_table, columns)?;
        paylake_catalog::delta::overwrite_table(lake, entries_table, vec![batch]).await?;
        return Ok(());
    }
    if new_keys.is_empty() {
        return Ok(());
    }
    let batch = names_batch(cache, new_keys.iter())?;
    let delta_table = paylake_catalog::delta::open_or_create_table(lake, names_table).await?;
    paylake_catalog::delta::append(delta_table, names_table, vec![batch], Vec::new()).await?;
    Ok(())
}

/// One row per hit of each key, or one row without an entry for a key that matched nothing.
fn names_batch<'a>(
    cache: &'a ScreeningCache,
    keys: impl Iterator<Item = &'a String>,
) -> Result<RecordBatch> {
    let table = registry().get(Zone::System, "screened_names")?;
    let mut rows: Vec<(&str, Option<&CachedHit>)> = Vec::new();
    for key in keys {
        match cache.hits.get(key).map(Vec::as_slice) {
            None | Some([]) => rows.push((key, None)),
            Some(hits) => rows.extend(hits.iter().map(|hit| (key.as_str(), Some(hit)))),
        }
    }
    let hit_text =
        |value: fn(&CachedHit) -> &str| strings(rows.iter().map(|(_, hit)| hit.map(value)));
    let columns: Vec<ArrayRef> = vec![
        strings(rows.iter().map(|(key, _)| Some(*key))),
        strings(rows.iter().map(|_| Some(cache.screened_against.as_str()))),
        Arc::new(Int64Array::from_iter(
            rows.iter().map(|(_, hit)| hit.map(|hit| hit.ent_num)),
        )),
        hit_text(|hit| &hit.fingerprint),
        hit_text(|hit| &hit.entry_name),
        hit_text(|hit| &hit.matched_name),
        hit_text(|hit| &hit.matched_name_type),
        hit_text(|hit| &hit.program),
        Arc::new(Int64Array::from_iter(
            rows.iter().map(|(_, hit)| hit.map(|hit| hit.score)),
        )),
    ];
    Ok(columns_batch(table, columns)?)
}

fn text_column(batch: &RecordBatch, index: usize) -> Result<ArrayRef> {
    Ok(arrow::compute::cast(batch.column(index), &DataType::Utf8)?)
}
