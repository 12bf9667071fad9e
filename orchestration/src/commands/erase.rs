//! `paylake erase`: a customer's personal data erased from every zone once the law allows it,
//! refused before, and either way recorded in `decisions.erasure_events`.

use std::collections::{BTreeMap, BTreeSet};

use arrow::array::{Array, ArrayRef, AsArray, Int64Array};
use arrow::datatypes::{DataType, Int64Type, TimeUnit, TimestampMicrosecondType};
use chrono::{DateTime, NaiveDate, Utc};
use paylake_catalog::delta::{append, open_or_create_table};
use paylake_catalog::erasure::{
    erase_customers_from_table, erase_mentions_from_table, subject_link, TableErasure,
};
use paylake_catalog::registry::Retention;
use paylake_catalog::rows::{columns_batch, optional_dates, strings, timestamps};
use paylake_catalog::sql::{render_values, text_literal, TemplateValue};
use paylake_catalog::{registry, Lake, Zone};
use paylake_ingest::landing::LandingStore;
use paylake_ingest::landing_erasure::{erase_customers_from_landing, LandingErasure};
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
    /// The name others' free text may mention the customer by (null once erased).
    full_name: Option<String>,
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
        let erased = erase(lake, request, &due, retention).await?;
        return print_outcomes(&erased, format);
    };
    let Some(relationship) = relationships.first() else {
        return Err(OrchestrationError::Usage(format!(
            "unknown customer '{customer_id}': no version of it in silver.customers_history"
        )));
    };
    if let Some(reason) = relationship.refusal(retention, today) {
        let refused = ErasureRecord {
            relationship,
            action: "refused",
            reason: reason.clone(),
            retained_until: relationship.retained_until(retention),
            tables: &[],
            landing: &LandingErasure::default(),
        };
        record(lake, request, &[refused]).await?;
        return Err(OrchestrationError::ErasureRefused {
            customer_id: customer_id.clone(),
            reason,
        });
    }
    let erased = erase(lake, request, &[relationship], retention).await?;
    print_outcomes(&erased, format)
}

/// What erasing one customer did.
#[derive(Debug, serde::Serialize)]
struct CustomerErasure {
    customer_id: String,
    tables: Vec<TableErasure>,
    landing: LandingErasure,
}

/// Erases the customers the law allows erasing, in every table and the landing copy (one pass
/// over landing for all of them), and records one event each, in one commit.
async fn erase(
    lake: &Lake,
    request: &ErasureRequest,
    relationships: &[&Relationship],
    retention: Retention,
) -> Result<Vec<CustomerErasure>> {
    let customers: BTreeSet<String> = relationships
        .iter()
        .map(|relationship| relationship.customer_id.clone())
        .collect();
    let names: BTreeMap<String, String> = relationships
        .iter()
        .filter_map(|relationship| {
            let name = relationship.full_name.clone()?;
            Some((relationship.customer_id.clone(), name))
        })
        .collect();
    let mut landing =
        erase_customers_from_landing(&LandingStore::open(lake)?, &customers, &names).await?;
    // One update per table for every customer erased, then the mentions of each one's name.
    let mut tables_by_customer: BTreeMap<String, Vec<TableErasure>> = BTreeMap::new();
    for table in registry().tables() {
        if subject_link(table).is_none() {
            continue;
        }
        let Some(erased) = erase_customers_from_table(lake, table, &customers).await? else {
            continue;
        };
        for (customer_id, mut erasure) in erased {
            if let Some(name) = names.get(&customer_id) {
                let (rows, files) = erase_mentions_from_table(lake, table, name).await?;
                erasure.mentions_redacted = rows;
                erasure.files_deleted += files;
            }
            tracing::info!(customer = %customer_id, table = %erasure.table, rows = erasure.rows_erased, mentions = erasure.mentions_redacted, files = erasure.files_deleted, "erased");
            tables_by_customer
                .entry(customer_id)
                .or_default()
                .push(erasure);
        }
    }
    // Tables that tie no row to a customer but may hold the name as text (screening's cache).
    for table in registry().tables() {
        if subject_link(table).is_some()
            || paylake_catalog::erasure::free_text_columns(table).is_empty()
            || table.zone == paylake_catalog::Zone::Silver
        {
            continue;
        }
        for (customer_id, name) in &names {
            let (rows, files) = erase_mentions_from_table(lake, table, name).await?;
            if rows == 0 && files == 0 {
                continue;
            }
            tracing::info!(customer = %customer_id, table = %table.qualified_name(), mentions = rows, files, "erased");
            tables_by_customer
                .entry(customer_id.clone())
                .or_default()
                .push(TableErasure {
                    table: table.qualified_name(),
                    rows_erased: 0,
                    files_deleted: files,
                    version: None,
                    mentions_redacted: rows,
                });
        }
    }
    let erased: Vec<CustomerErasure> = relationships
        .iter()
        .map(|relationship| {
            let customer_id = &relationship.customer_id;
            CustomerErasure {
                customer_id: customer_id.clone(),
                tables: tables_by_customer.remove(customer_id).unwrap_or_default(),
                landing: landing.remove(customer_id).unwrap_or_default(),
            }
        })
        .collect();
    let events: Vec<ErasureRecord> = relationships
        .iter()
        .zip(&erased)
        .map(|(relationship, customer)| {
            let retained_until = relationship.retained_until(retention);
            ErasureRecord {
                relationship,
                action: "erased",
                reason: format!(
                    "retention ran out on {}: {}",
                    retained_until.map_or_else(|| "-".to_string(), |until| until.to_string()),
                    retention.basis
                ),
                retained_until,
                tables: &customer.tables,
                landing: &customer.landing,
            }
        })
        .collect();
    record(lake, request, &events).await?;
    Ok(erased)
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
        // No table holding personal data: nothing to keep, and nothing to erase either.
        .unwrap_or(Retention {
            days: 0,
            basis: "no table holds personal data",
        })
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
        let names = column("full_name", &DataType::Utf8)?;
        let names = names.as_string::<i32>();
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
                full_name: (!names.is_null(row)).then(|| names.value(row).to_string()),
            });
        }
    }
    Ok(found)
}

/// What one erasure event says.
struct ErasureRecord<'a> {
    relationship: &'a Relationship,
    action: &'static str,
    reason: String,
    retained_until: Option<NaiveDate>,
    tables: &'a [TableErasure],
    landing: &'a LandingErasure,
}

async fn record(lake: &Lake, request: &ErasureRequest, events: &[ErasureRecord<'_>]) -> Result<()> {
    if events.is_empty() {
        return Ok(());
    }
    let table = registry().get(Zone::Decisions, "erasure_events")?;
    let count = |value: usize| i64::try_from(value).unwrap_or(i64::MAX);
    let integers = |values: Vec<i64>| -> ArrayRef { std::sync::Arc::new(Int64Array::from(values)) };
    let per_table = |event: &ErasureRecord| {
        let erased: serde_json::Map<String, serde_json::Value> = event
            .tables
            .iter()
            .filter(|erased| erased.rows_erased > 0 || erased.files_deleted > 0)
            .map(|erased| {
                (
                    erased.table.clone(),
                    json!({"rows": erased.rows_erased, "files_deleted": erased.files_deleted}),
                )
            })
            .collect();
        serde_json::Value::from(erased).to_string()
    };
    let event_ids: Vec<String> = events
        .iter()
        .map(|_| uuid::Uuid::new_v4().to_string())
        .collect();
    let tables_erased: Vec<String> = events.iter().map(per_table).collect();
    let same = |value: &str| strings(events.iter().map(|_| Some(value)));
    let now = Utc::now();
    let columns = vec![
        strings(event_ids.iter().map(|id| Some(id.as_str()))),
        strings(
            events
                .iter()
                .map(|event| Some(event.relationship.customer_id.as_str())),
        ),
        strings(events.iter().map(|event| Some(event.action))),
        strings(events.iter().map(|event| Some(event.reason.as_str()))),
        timestamps(events.iter().map(|event| event.relationship.ended_at)),
        optional_dates(events.iter().map(|event| event.retained_until)),
        integers(
            events
                .iter()
                .map(|event| count(event.tables.iter().map(|erased| erased.rows_erased).sum()))
                .collect(),
        ),
        integers(
            events
                .iter()
                .map(|event| count(event.tables.iter().map(|erased| erased.files_deleted).sum()))
                .collect(),
        ),
        integers(
            events
                .iter()
                .map(|event| count(event.landing.files_rewritten.len()))
                .collect(),
        ),
        strings(tables_erased.iter().map(|text| Some(text.as_str()))),
        same(&request.user),
        same(&request.role),
        same(&request.note),
        timestamps(events.iter().map(|_| Some(now))),
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
            "  {:<34} {:>12} {:>18} {:>14}",
            "table", "rows erased", "mentions redacted", "files deleted"
        );
        for table in &customer.tables {
            println!(
                "  {:<34} {:>12} {:>18} {:>14}",
                table.table, table.rows_erased, table.mentions_redacted, table.files_deleted
            );
        }
        println!(
            "  landing: {} files rewritten, {} records erased, {} mentions redacted",
            customer.landing.files_rewritten.len(),
            customer.landing.records_erased,
            customer.landing.mentions_redacted
        );
    }
    println!("{} customers erased", erased.len());
    Ok(())
}
