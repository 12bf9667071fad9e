//! Type-2 history of slowly changing entities (customers, accounts): every version of a row
//! with the time it became known and the time the next one replaced it, so that AML can ask
//! what was known of a customer at the time of a transaction.
//!
//! The history is rebuilt from bronze whenever bronze has changed, in one commit that records
//! the bronze version it covers; a late change therefore lands between the versions it falls
//! between, as it should, rather than after them.

use datafusion::prelude::SessionContext;
use deltalake::kernel::transaction::CommitProperties;
use deltalake::kernel::Transaction;
use deltalake::protocol::SaveMode;
use paylake_catalog::delta::{
    app_transaction_version, conform_to_schema, open_or_create_table, open_table,
};
use paylake_catalog::registry::{IS_CURRENT, IS_DELETED, VALID_FROM, VALID_TO};
use paylake_catalog::{lineage, registry, CatalogError, Lake, Zone};

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
    let bronze_version =
        i64::try_from(bronze_table.version().unwrap_or(0)).expect("delta versions fit in i64");
    let history_delta = open_or_create_table(lake, history).await?;
    let app_id = format!("paylake-history:{}", bronze.qualified_name());
    if app_transaction_version(&history_delta, history, &app_id).await? == Some(bronze_version) {
        return Ok(None);
    }

    let context = SessionContext::new();
    bronze_table
        .update_datafusion_session(&context.state())
        .map_err(|err| CatalogError::delta(bronze.qualified_name(), err))?;
    context.register_table("bronze", bronze_table.table_provider().await?)?;
    let business_columns = history
        .business_fields()
        .iter()
        .map(|field| field.name().as_str())
        .filter(|name| ![VALID_FROM, VALID_TO, IS_CURRENT, IS_DELETED].contains(name))
        .map(|name| format!("\"{name}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let order = lineage::SOURCE_ORDER;
    // One row per change (a change delivered twice counts once), each valid until the next.
    let query = format!(
        "WITH changes AS (
             SELECT *, row_number() OVER (PARTITION BY \"{key}\", \"{order}\" ORDER BY \"{order}\") AS _copy
             FROM bronze),
         versions AS (
             SELECT {business_columns},
                    COALESCE(\"{commit}\", \"{ingest}\") AS \"{VALID_FROM}\",
                    LEAD(COALESCE(\"{commit}\", \"{ingest}\")) OVER (PARTITION BY \"{key}\" ORDER BY \"{order}\") AS \"{VALID_TO}\",
                    \"{op}\" = 'D' AS \"{IS_DELETED}\",
                    \"{order}\"
             FROM changes WHERE _copy = 1)
         SELECT {business_columns}, \"{VALID_FROM}\", \"{VALID_TO}\",
                \"{VALID_TO}\" IS NULL AND NOT \"{IS_DELETED}\" AS \"{IS_CURRENT}\",
                \"{IS_DELETED}\", \"{order}\"
         FROM versions",
        commit = lineage::SOURCE_COMMIT_TIME,
        ingest = lineage::INGEST_TIME,
        op = lineage::OP,
    );
    let batches = context.sql(&query).await?.collect().await?;
    let batches = batches
        .iter()
        .map(|batch| conform_to_schema(batch, &history.schema))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    let versions: usize = batches.iter().map(|batch| batch.num_rows()).sum();
    history_delta
        .write(batches)
        .with_save_mode(SaveMode::Overwrite)
        .with_commit_properties(
            CommitProperties::default()
                .with_application_transaction(Transaction::new(&app_id, bronze_version)),
        )
        .await
        .map_err(|err| CatalogError::delta(history.qualified_name(), err))?;
    Ok(Some(versions as u64))
}
