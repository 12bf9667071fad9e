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
use paylake_catalog::sql::{self, TemplateValue};
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
