//! Type-2 history of slowly changing entities (customers, accounts): every version of a row
//! with the time it became known and the time the next one replaced it, so that AML can ask
//! what was known of a customer at the time of a transaction.
//!
//! When bronze has changed, the history of each key it changed is rebuilt from all of that
//! key's changes, in one commit that records the bronze version it covers; a late change
//! therefore lands between the versions it falls between, as it should, rather than after
//! them. Keys bronze did not change keep their rows, so the commit grows with the day's
//! changes, not with the history.

use datafusion::prelude::SessionContext;
use deltalake::kernel::transaction::CommitProperties;
use deltalake::kernel::Transaction;
use deltalake::protocol::SaveMode;
use paylake_catalog::delta::{
    app_transaction_version, conform_to_schema, data_version, open_or_create_table, open_table,
};
use paylake_catalog::registry::{IS_CURRENT, IS_DELETED, VALID_FROM, VALID_TO};
use paylake_catalog::sql::{self, TemplateValue};
use paylake_catalog::{lineage, registry, CatalogError, Lake, Zone};

use crate::changes::{register_bronze_changes, BronzeScope};
use crate::error::Result;

/// Rebuilds `silver.<history_table>` from `bronze.<entity>`; returns the versions written,
/// or `None` when the history already covered bronze's version.
pub async fn rebuild_history(
    lake: &Lake,
    entity: &str,
    key: &str,
    history_table: &str,
) -> Result<Option<u64>> {
    let bronze = registry().get(Zone::Bronze, entity)?;
    let history = registry().get(Zone::Silver, history_table)?;
    let Some(bronze_table) = open_table(lake, bronze).await? else {
        return Ok(None);
    };
    // Compacting bronze adds no change to the history.
    let bronze_version = i64::try_from(data_version(&bronze_table, bronze).await?.unwrap_or(0))
        .expect("delta versions fit in i64");
    let history_delta = open_or_create_table(lake, history).await?;
    let app_id = format!("paylake-history:{}", bronze.qualified_name());
    let covered_version = app_transaction_version(&history_delta, history, &app_id).await?;
    if covered_version == Some(bronze_version) {
        return Ok(None);
    }

    let context = SessionContext::new();
    let scope =
        register_bronze_changes(&context, &bronze_table, bronze, covered_version, &[key]).await?;
    let full_rebuild = scope == BronzeScope::Whole;
    let changed_keys = if full_rebuild {
        Vec::new()
    } else {
        changed_keys(&context, key).await?
    };
    let business_columns: Vec<TemplateValue> = history
        .business_fields()
        .iter()
        .map(|field| field.name().as_str())
        .filter(|name| ![VALID_FROM, VALID_TO, IS_CURRENT, IS_DELETED].contains(name))
        .map(TemplateValue::from)
        .collect();
    let query = sql::render_values(
        "ingest/history_versions.sql",
        &[
            ("key", key.into()),
            ("business_columns", business_columns.into()),
            ("order", lineage::SOURCE_ORDER.into()),
            ("commit_time", lineage::SOURCE_COMMIT_TIME.into()),
            ("ingest_time", lineage::INGEST_TIME.into()),
            ("op", lineage::OP.into()),
            ("valid_from", VALID_FROM.into()),
            ("valid_to", VALID_TO.into()),
            ("is_current", IS_CURRENT.into()),
            ("is_deleted", IS_DELETED.into()),
        ],
    )?;
    let batches = context.sql(&query).await?.collect().await?;
    let batches = batches
        .iter()
        .map(|batch| conform_to_schema(batch, &history.schema))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    let versions: usize = batches.iter().map(|batch| batch.num_rows()).sum();
    let replaced_keys = (!full_rebuild).then_some((key, changed_keys.as_slice()));
    write_history(
        history_delta,
        history,
        batches,
        &app_id,
        bronze_version,
        replaced_keys,
    )
    .await?;
    Ok(Some(versions as u64))
}

/// The distinct keys of the changes registered as `new_changes`.
async fn changed_keys(context: &SessionContext, key: &str) -> Result<Vec<String>> {
    let batches = context
        .sql(&format!("SELECT DISTINCT CAST(\"{key}\" AS VARCHAR) FROM new_changes WHERE \"{key}\" IS NOT NULL"))
        .await?
        .collect()
        .await?;
    let mut keys = Vec::new();
    for batch in &batches {
        for row in 0..batch.num_rows() {
            keys.push(arrow::util::display::array_value_to_string(
                batch.column(0),
                row,
            )?);
        }
    }
    Ok(keys)
}

/// Writes the rebuilt versions with the bronze version they cover: all of the history, or,
/// with `replaced_keys`, in place of the rows of those keys only.
async fn write_history(
    history_delta: deltalake::DeltaTable,
    history: &paylake_catalog::TableDef,
    mut batches: Vec<arrow::record_batch::RecordBatch>,
    app_id: &str,
    bronze_version: i64,
    replaced_keys: Option<(&str, &[String])>,
) -> Result<()> {
    use datafusion::prelude::{ident, lit};
    if batches.is_empty() {
        batches.push(arrow::record_batch::RecordBatch::new_empty(
            history.schema.clone(),
        ));
    }
    let mut write = history_delta
        .write(batches)
        .with_save_mode(SaveMode::Overwrite)
        .with_commit_properties(
            CommitProperties::default()
                .with_application_transaction(Transaction::new(app_id, bronze_version)),
        );
    match replaced_keys {
        // No key changed: the commit only records the version covered.
        Some((_, [])) => write = write.with_save_mode(SaveMode::Append),
        Some((key, keys)) => {
            let keys = keys.iter().map(|value| lit(value.clone())).collect();
            write = write.with_replace_where(ident(key).in_list(keys, false));
        }
        None => {}
    }
    write
        .await
        .map_err(|err| CatalogError::delta(history.qualified_name(), err))?;
    Ok(())
}
