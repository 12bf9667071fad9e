//! The bronze changes a silver merge or a history rebuild reads.
//!
//! Bronze is append-only, so after the first merge only the keys in the files committed since
//! the version last merged can change. For those keys, every change bronze holds is read (a
//! late insert must meet the delete that came before it), found through a range of the first
//! key that the files' statistics prune on, then a semi-join on the whole key. The rest of
//! bronze is not read.

use datafusion::common::JoinType;
use datafusion::functions_aggregate::expr_fn::{max, min};
use datafusion::prelude::{ident, lit, SessionContext};
use datafusion::scalar::ScalarValue;
use deltalake::DeltaTable;
use paylake_catalog::delta::files_appended_since;
use paylake_catalog::{CatalogError, TableDef};

use crate::error::Result;

/// What was registered as `bronze` in the session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BronzeScope {
    /// Every row of bronze: the first merge, or the log could not tell which files are new.
    Whole,
    /// The changes of the keys in the files added since the version covered; those files
    /// are also registered as `new_changes`.
    ChangedKeys { files_added: usize },
}

/// Registers in `context` as `bronze` the changes a merge covering `covered_version` of
/// `bronze_table` must read, keyed by `key`.
pub async fn register_bronze_changes(
    context: &SessionContext,
    bronze_table: &DeltaTable,
    bronze: &TableDef,
    covered_version: Option<i64>,
    key: &[&str],
) -> Result<BronzeScope> {
    debug_assert!(!key.is_empty(), "a merged table has a key");
    bronze_table
        .update_datafusion_session(&context.state())
        .map_err(|err| CatalogError::delta(bronze.qualified_name(), err))?;
    let appended = match covered_version.and_then(|version| u64::try_from(version).ok()) {
        Some(version) => files_appended_since(bronze_table, bronze, version).await?,
        None => None,
    };
    let whole = bronze_table.table_provider().await?;
    let Some(added_files) = appended else {
        context.register_table("bronze", whole)?;
        return Ok(BronzeScope::Whole);
    };
    let files_added = added_files.len();
    context.register_table(
        "new_changes",
        bronze_table.table_provider().with_adds(added_files).await?,
    )?;
    context.register_table("all_changes", whole)?;

    let first_key = key[0];
    let bounds = context
        .table("new_changes")
        .await?
        .aggregate(vec![], vec![min(ident(first_key)), max(ident(first_key))])?
        .collect()
        .await?;
    let bound = |column: usize| -> Result<ScalarValue> {
        match bounds.iter().find(|batch| batch.num_rows() > 0) {
            Some(batch) => Ok(ScalarValue::try_from_array(batch.column(column), 0)?),
            None => Ok(ScalarValue::Null),
        }
    };
    let (low, high) = (bound(0)?, bound(1)?);
    if low.is_null() || high.is_null() {
        // No keyed row was added: nothing to merge beyond the new files themselves.
        context.register_table("bronze", context.table("new_changes").await?.into_view())?;
        return Ok(BronzeScope::ChangedKeys { files_added });
    }
    let new_keys = context
        .table("new_changes")
        .await?
        .select(
            key.iter()
                .map(|column| ident(*column).alias(format!("_new_{column}")))
                .collect::<Vec<_>>(),
        )?
        .distinct()?;
    let new_key_columns: Vec<String> = key.iter().map(|column| format!("_new_{column}")).collect();
    let new_key_refs: Vec<&str> = new_key_columns.iter().map(String::as_str).collect();
    let of_changed_keys = context
        .table("all_changes")
        .await?
        .filter(ident(first_key).between(lit(low), lit(high)))?
        .join(new_keys, JoinType::LeftSemi, key, &new_key_refs, None)?;
    context.register_table("bronze", of_changed_keys.into_view())?;
    Ok(BronzeScope::ChangedKeys { files_added })
}
