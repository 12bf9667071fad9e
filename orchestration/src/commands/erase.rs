//! `paylake erase`: a customer's personal data erased from every zone once the law allows it,
//! refused before, and either way recorded in `decisions.erasure_events`.

use std::collections::BTreeMap;

use arrow::array::{Array, ArrayRef, AsArray, Int64Array};
use arrow::datatypes::{DataType, Int64Type, TimeUnit, TimestampMicrosecondType};
use chrono::{DateTime, NaiveDate, Utc};
use paylake_catalog::delta::{append, open_or_create_table};
use paylake_catalog::erasure::{erase_customer_from_table, subject_link, TableErasure};
use paylake_catalog::registry::Retention;
use paylake_catalog::rows::{columns_batch, optional_dates, strings, timestamps};
use paylake_catalog::sql::{render_values, text_literal, TemplateValue};
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
    /// One customer, or `None`: every customer whose retention has run out (the schedule).
    pub customer_id: Option<String>,
    pub user: String,
    pub role: String,
    pub note: String,
}

/// Where a customer's relationship stands (`sql/commands/customer_relationships.sql`).
#[derive(Debug, Clone)]
struct Relationship {
    customer_id: String,
    open_accounts: i64,
    /// The last record the relationship left: an account closed, money moved, a profile change.
    ended_at: Option<DateTime<Utc>>,
    holds_personal_data: bool,
}

impl Relationship {
    fn retained_until(&self, retention: Retention) -> Option<NaiveDate> {
        self.ended_at
            .map(|ended| (ended + chrono::Duration::days(i64::from(retention.days))).date_naive())
    }

    /// Why the law does not allow erasing the customer on `today`, if it does not.
    fn refusal(&self, retention: Retention, today: NaiveDate) -> Option<String> {
        if self.open_accounts > 0 {
            return Some(format!(
                "the relationship is open ({} accounts not closed); {} while it lasts and after",
                self.open_accounts, retention.basis
            ));
        }
        self.retained_until(retention)
            .filter(|until| *until > today)
            .map(|until| format!("retained until {until}: {}", retention.basis))
    }
}

pub async fn run(
    settings: &Settings,
    lake: &Lake,
    request: &ErasureRequest,
    format: OutputFormat,
) -> Result<()> {
    check_request(settings, request)?;
    let retention = customer_retention();
    let today = Utc::now().date_naive();
    let relationships = relationships(lake, request.customer_id.as_deref()).await?;
    let Some(customer_id) = &request.customer_id else {
        // The schedule: every customer past retention whose personal data is still held.
        let due: Vec<&Relationship> = relationships
            .iter()
            .filter(|relationship| {
                relationship.holds_personal_data && relationship.refusal(retention, today).is_none()
            })
            .collect();
        tracing::info!(customers = due.len(), "customers due for erasure");
        let mut erased = Vec::new();
        for relationship in due {
            erased.push(erase(lake, request, relationship, retention).await?);
        }
        return print_outcomes(&erased, format);
    };
    let Some(relationship) = relationships.first() else {
        return Err(OrchestrationError::Usage(format!(
            "unknown customer '{customer_id}': no version of it in silver.customers_history"
        )));
    };
    if let Some(reason) = relationship.refusal(retention, today) {
        record(
            lake,
            request,
            relationship,
            &ErasureRecord {
                action: "refused",
                reason: &reason,
                retained_until: relationship.retained_until(retention),
                tables: &[],
                landing: &LandingErasure::default(),
            },
        )
        .await?;
        return Err(OrchestrationError::ErasureRefused {
            customer_id: customer_id.clone(),
            reason,
        });
    }
    let erased = erase(lake, request, relationship, retention).await?;
    print_outcomes(&[erased], format)
}

/// What erasing one customer did.
#[derive(Debug, serde::Serialize)]
struct CustomerErasure {
    customer_id: String,
    tables: Vec<TableErasure>,
    landing: LandingErasure,
}

/// Erases one customer the law allows erasing, in every table and the landing copy, and
/// records it.
async fn erase(
    lake: &Lake,
    request: &ErasureRequest,
    relationship: &Relationship,
    retention: Retention,
) -> Result<CustomerErasure> {
    let customer_id = &relationship.customer_id;
    let mut tables = Vec::new();
    for table in registry().tables() {
        if subject_link(table).is_none() {
            continue;
        }
        if let Some(erased) = erase_customer_from_table(lake, table, customer_id).await? {
            tracing::info!(table = %erased.table, rows = erased.rows_erased, files = erased.files_deleted, "erased");
            tables.push(erased);
        }
    }
    let landing = erase_customer_from_landing(&LandingStore::open(lake)?, customer_id).await?;
    let retained_until = relationship.retained_until(retention);
    let reason = format!(
        "retention ran out on {}: {}",
        retained_until.map_or_else(|| "-".to_string(), |until| until.to_string()),
        retention.basis
    );
    record(
        lake,
        request,
        relationship,
        &ErasureRecord {
            action: "erased",
            reason: &reason,
            retained_until,
            tables: &tables,
            landing: &landing,
        },
    )
    .await?;
    Ok(CustomerErasure {
        customer_id: customer_id.clone(),
        tables,
        landing,
    })
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

async fn relationships(lake: &Lake, customer_id: Option<&str>) -> Result<Vec<Relationship>> {
    let context = paylake_catalog::lake_session(lake).await?;
    let customers = registry().get(Zone::Silver, "customers")?;
    let sql = render_values(
        "commands/customer_relationships.sql",
        &[
            (
                "customer",
                TemplateValue::from(customer_id.map(text_literal)),
            ),
            (
                "personal_columns",
                TemplateValue::from(customers.personal_data.clone()),
            ),
        ],
    )?;
    let batches = context.sql(&sql).await?.collect().await?;
    let mut found = Vec::new();
    for batch in &batches {
        let column = |name: &str, data_type: &DataType| -> Result<ArrayRef> {
            Ok(arrow::compute::cast(
                batch
                    .column_by_name(name)
                    .expect("the query names its columns"),
                data_type,
            )?)
        };
        let customers = column("customer_id", &DataType::Utf8)?;
        let customers = customers.as_string::<i32>();
        let open = column("open_accounts", &DataType::Int64)?;
        let open = open.as_primitive::<Int64Type>();
        let holds = column("holds_personal_data", &DataType::Boolean)?;
        let holds = holds.as_boolean();
        let moments = [
            "last_closed_at",
            "last_transaction_at",
            "last_payment_at",
            "last_profile_change_at",
        ]
        .into_iter()
        .map(|name| {
            let values = column(name, &DataType::Timestamp(TimeUnit::Microsecond, None))?;
            Ok(values.as_primitive::<TimestampMicrosecondType>().clone())
        })
        .collect::<Result<Vec<_>>>()?;
        for row in 0..batch.num_rows() {
            let ended_at = moments
                .iter()
                .filter(|values| !values.is_null(row))
                .filter_map(|values| DateTime::from_timestamp_micros(values.value(row)))
                .max();
            found.push(Relationship {
                customer_id: customers.value(row).to_string(),
                open_accounts: open.value(row),
                ended_at,
                holds_personal_data: holds.value(row),
            });
        }
    }
    Ok(found)
}

/// What one erasure event says.
struct ErasureRecord<'a> {
    action: &'static str,
    reason: &'a str,
    retained_until: Option<NaiveDate>,
    tables: &'a [TableErasure],
    landing: &'a LandingErasure,
}

async fn record(
    lake: &Lake,
    request: &ErasureRequest,
    relationship: &Relationship,
    event: &ErasureRecord<'_>,
) -> Result<()> {
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
        one(&relationship.customer_id),
        one(event.action),
        one(event.reason),
        timestamps(std::iter::once(relationship.ended_at)),
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

fn print_outcomes(erased: &[CustomerErasure], format: OutputFormat) -> Result<()> {
    if format == OutputFormat::Json {
        println!(
            "{}",
            serde_json::to_string(erased).map_err(|error| {
                OrchestrationError::Usage(format!(
                    "the erasure could not be written as JSON: {error}"
                ))
            })?
        );
        return Ok(());
    }
    for customer in erased {
        println!("customer {}", customer.customer_id);
        println!(
            "  {:<34} {:>12} {:>14}",
            "table", "rows erased", "files deleted"
        );
        for table in &customer.tables {
            println!(
                "  {:<34} {:>12} {:>14}",
                table.table, table.rows_erased, table.files_deleted
            );
        }
        println!(
            "  landing: {} files rewritten, {} records erased",
            customer.landing.files_rewritten.len(),
            customer.landing.records_erased
        );
        for file in &customer.landing.files_not_rewritten {
            println!("  landing file not rewritten: {file}");
        }
    }
    println!("{} customers erased", erased.len());
    Ok(())
}
