//! `paylake erase`: a customer's personal data erased from every zone once the law allows it,
//! refused before, and either way recorded in `decisions.erasure_events`.

use std::collections::BTreeMap;

use arrow::array::{Array, ArrayRef, Int64Array, TimestampMicrosecondArray};
use chrono::{DateTime, NaiveDate, Utc};
use paylake_catalog::delta::{append, open_or_create_table};
use paylake_catalog::erasure::{erase_customer_from_table, subject_link, TableErasure};
use paylake_catalog::registry::Retention;
use paylake_catalog::rows::{columns_batch, optional_dates, strings, timestamps};
use paylake_catalog::sql::{render, text_literal};
use paylake_catalog::{registry, Lake, Zone};
use paylake_ingest::landing::LandingStore;
use paylake_ingest::landing_erasure::{erase_customer_from_landing, LandingErasure};
use serde_json::json;

use crate::cli::OutputFormat;
use crate::config::Settings;
use crate::error::{OrchestrationError, Result};

/// The case action of access.toml that lets a role erase a customer.
pub const ERASE_ACTION: &str = "erase_customer";

/// Who asks to erase whom, and why.
#[derive(Debug, Clone)]
pub struct ErasureRequest {
    pub customer_id: String,
    pub user: String,
    pub role: String,
    pub note: String,
}

/// Where the customer's relationship stands (`sql/commands/customer_relationship.sql`).
#[derive(Debug, Clone, Copy)]
struct Relationship {
    known: bool,
    open_accounts: i64,
    /// The last record the relationship left: an account closed, money moved, a profile change.
    ended_at: Option<DateTime<Utc>>,
}

pub async fn run(
    settings: &Settings,
    lake: &Lake,
    request: &ErasureRequest,
    format: OutputFormat,
) -> Result<()> {
    check_request(settings, request)?;
    let relationship = relationship(lake, &request.customer_id).await?;
    if !relationship.known {
        return Err(OrchestrationError::Usage(format!(
            "unknown customer '{}': no version of it in silver.customers_history",
            request.customer_id
        )));
    }
    let retention = customer_retention();
    let retained_until = relationship
        .ended_at
        .map(|ended| (ended + chrono::Duration::days(i64::from(retention.days))).date_naive());
    let today = Utc::now().date_naive();
    let refusal = if relationship.open_accounts > 0 {
        Some(format!(
            "the relationship is open ({} accounts not closed); {} while it lasts and after",
            relationship.open_accounts, retention.basis
        ))
    } else {
        retained_until
            .filter(|until| *until > today)
            .map(|until| format!("retained until {until}: {}", retention.basis))
    };
    if let Some(reason) = refusal {
        record(
            lake,
            request,
            &ErasureRecord {
                action: "refused",
                reason: &reason,
                ended_at: relationship.ended_at,
                retained_until,
                tables: &[],
                landing: &LandingErasure::default(),
            },
        )
        .await?;
        return Err(OrchestrationError::ErasureRefused {
            customer_id: request.customer_id.clone(),
            reason,
        });
    }

    let mut tables = Vec::new();
    for table in registry().tables() {
        if subject_link(table).is_none() {
            continue;
        }
        if let Some(erased) = erase_customer_from_table(lake, table, &request.customer_id).await? {
            tracing::info!(table = %erased.table, rows = erased.rows_erased, files = erased.files_deleted, "erased");
            tables.push(erased);
        }
    }
    let landing =
        erase_customer_from_landing(&LandingStore::open(lake)?, &request.customer_id).await?;
    let reason = format!(
        "retention ran out on {}: {}",
        retained_until.map_or_else(|| "-".to_string(), |until| until.to_string()),
        retention.basis
    );
    record(
        lake,
        request,
        &ErasureRecord {
            action: "erased",
            reason: &reason,
            ended_at: relationship.ended_at,
            retained_until,
            tables: &tables,
            landing: &landing,
        },
    )
    .await?;
    print_outcome(&request.customer_id, &tables, &landing, format);
    Ok(())
}

/// The person, their role's permission and the note are all required.
fn check_request(settings: &Settings, request: &ErasureRequest) -> Result<()> {
    for (field, value) in [("user", &request.user), ("note", &request.note)] {
        if value.trim().is_empty() {
            return Err(OrchestrationError::Usage(format!(
                "an erasure names its {field}: it is recorded with the erasure"
            )));
        }
    }
    let access = settings.access()?;
    let role = access.role(&request.role)?;
    if !role
        .case_actions
        .iter()
        .any(|action| action == ERASE_ACTION)
    {
        return Err(OrchestrationError::Usage(format!(
            "role '{}' may not erase customers (access.toml grants '{ERASE_ACTION}' to the roles that may)",
            request.role
        )));
    }
    Ok(())
}

/// The longest retention of the tables that hold a customer's personal data: what the
/// registry says must pass before any of it goes.
fn customer_retention() -> Retention {
    registry()
        .tables()
        .iter()
        .filter(|table| subject_link(table).is_some())
        .map(|table| table.retention())
        .max_by_key(|retention| retention.days)
        .unwrap_or_else(|| registry().tables()[0].retention())
}

async fn relationship(lake: &Lake, customer_id: &str) -> Result<Relationship> {
    let context = paylake_catalog::lake_session(lake).await?;
    let sql = render(
        "commands/customer_relationship.sql",
        &[("customer", text_literal(customer_id))],
    )?;
    let batches = context.sql(&sql).await?.collect().await?;
    let Some(batch) = batches.iter().find(|batch| batch.num_rows() > 0) else {
        return Ok(Relationship {
            known: false,
            open_accounts: 0,
            ended_at: None,
        });
    };
    let count = |name: &str| -> Result<i64> {
        let column = arrow::compute::cast(
            batch
                .column_by_name(name)
                .expect("the query names its columns"),
            &arrow::datatypes::DataType::Int64,
        )?;
        let values = column
            .as_any()
            .downcast_ref::<Int64Array>()
            .expect("cast to Int64");
        Ok(if values.is_null(0) {
            0
        } else {
            values.value(0)
        })
    };
    let moment = |name: &str| -> Result<Option<DateTime<Utc>>> {
        let column = arrow::compute::cast(
            batch
                .column_by_name(name)
                .expect("the query names its columns"),
            &arrow::datatypes::DataType::Timestamp(arrow::datatypes::TimeUnit::Microsecond, None),
        )?;
        let values = column
            .as_any()
            .downcast_ref::<TimestampMicrosecondArray>()
            .expect("cast to timestamps");
        Ok((!values.is_null(0))
            .then(|| DateTime::from_timestamp_micros(values.value(0)))
            .flatten())
    };
    let ended_at = [
        "last_closed_at",
        "last_transaction_at",
        "last_payment_at",
        "last_profile_change_at",
    ]
    .into_iter()
    .map(moment)
    .collect::<Result<Vec<_>>>()?
    .into_iter()
    .flatten()
    .max();
    Ok(Relationship {
        known: count("customer_versions")? > 0,
        open_accounts: count("open_accounts")?,
        ended_at,
    })
}

/// What one erasure event says.
struct ErasureRecord<'a> {
    action: &'static str,
    reason: &'a str,
    ended_at: Option<DateTime<Utc>>,
    retained_until: Option<NaiveDate>,
    tables: &'a [TableErasure],
    landing: &'a LandingErasure,
}

async fn record(lake: &Lake, request: &ErasureRequest, event: &ErasureRecord<'_>) -> Result<()> {
    let table = registry().get(Zone::Decisions, "erasure_events")?;
    let per_table: BTreeMap<&str, serde_json::Value> = event
        .tables
        .iter()
        .filter(|erased| erased.rows_erased > 0 || erased.files_deleted > 0)
        .map(|erased| {
            (
                erased.table.as_str(),
                json!({"rows": erased.rows_erased, "files_deleted": erased.files_deleted}),
            )
        })
        .collect();
    let integer = |value: usize| -> ArrayRef {
        std::sync::Arc::new(Int64Array::from(vec![
            i64::try_from(value).unwrap_or(i64::MAX)
        ]))
    };
    let one = |value: &str| strings(std::iter::once(Some(value)));
    let columns = vec![
        one(&uuid::Uuid::new_v4().to_string()),
        one(&request.customer_id),
        one(event.action),
        one(event.reason),
        timestamps(std::iter::once(event.ended_at)),
        optional_dates(std::iter::once(event.retained_until)),
        integer(event.tables.iter().map(|erased| erased.rows_erased).sum()),
        integer(event.tables.iter().map(|erased| erased.files_deleted).sum()),
        integer(event.landing.files_rewritten.len()),
        one(&serde_json::Value::from(serde_json::Map::from_iter(
            per_table
                .into_iter()
                .map(|(name, value)| (name.to_string(), value)),
        ))
        .to_string()),
        one(&request.user),
        one(&request.role),
        one(&request.note),
        timestamps(std::iter::once(Some(Utc::now()))),
    ];
    let batch = columns_batch(table, columns)?;
    append(
        open_or_create_table(lake, table).await?,
        table,
        vec![batch],
        vec![],
    )
    .await?;
    Ok(())
}

fn print_outcome(
    customer_id: &str,
    tables: &[TableErasure],
    landing: &LandingErasure,
    format: OutputFormat,
) {
    if format == OutputFormat::Json {
        println!(
            "{}",
            json!({"customer_id": customer_id, "tables": tables, "landing": landing})
        );
        return;
    }
    println!(
        "{:<36} {:>12} {:>14}",
        "table", "rows erased", "files deleted"
    );
    for erased in tables {
        println!(
            "{:<36} {:>12} {:>14}",
            erased.table, erased.rows_erased, erased.files_deleted
        );
    }
    println!(
        "landing: {} files rewritten, {} records erased",
        landing.files_rewritten.len(),
        landing.records_erased
    );
    for file in &landing.files_not_rewritten {
        println!("landing file not rewritten: {file}");
    }
}
