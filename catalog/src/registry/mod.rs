//! The table registry: one definition per table, from which every other view of the table
//! (Delta creation, DataFusion registration, `paylake tables`, docs) is derived. The source
//! entities (and their bronze, silver and history tables) are defined here; the gold tables are
//! declared beside the SQL that writes them (`sql/**/tables.toml`, read by `declared.rs`).

use std::sync::{Arc, OnceLock};

use arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};

use crate::error::{CatalogError, Result};
use crate::lineage;

mod access;
mod declared;
mod retention;

pub use retention::{Retention, BSA_RETENTION_BASIS, BSA_RETENTION_DAYS};

/// Precision and scale of money amounts: up to 16 integer digits, cents.
pub const MONEY_PRECISION: u8 = 18;
pub const MONEY_SCALE: i8 = 2;
/// Foreign exchange rates carry eight decimals.
pub const RATE_PRECISION: u8 = 18;
pub const RATE_SCALE: i8 = 8;
/// Cloud cost rows are billed in fractions of a cent (real FOCUS exports carry 11 digits).
pub const COST_PRECISION: u8 = 38;
pub const COST_SCALE: i8 = 12;

/// The zones of the lake, in the order data flows through them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Zone {
    Bronze,
    Silver,
    Gold,
    Quarantine,
    System,
    /// What people decided: case work, approvals, written as append-only events.
    Decisions,
}

impl Zone {
    pub const ALL: [Zone; 6] = [
        Zone::Bronze,
        Zone::Silver,
        Zone::Gold,
        Zone::Quarantine,
        Zone::System,
        Zone::Decisions,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Zone::Bronze => "bronze",
            Zone::Silver => "silver",
            Zone::Gold => "gold",
            Zone::Quarantine => "quarantine",
            Zone::System => "system",
            Zone::Decisions => "decisions",
        }
    }
}

/// One table of the lake.
#[derive(Debug, Clone)]
pub struct TableDef {
    pub zone: Zone,
    pub name: &'static str,
    pub schema: SchemaRef,
    /// Columns that identify a row; silver merges on them.
    pub key: Vec<&'static str>,
    pub partition_by: Vec<&'static str>,
    /// A silver table partitioned by month (`partition_by` is `[_created_month]`): the
    /// immutable time column whose month is the row's partition.
    pub month_of: Option<&'static str>,
    /// Columns holding personal data (masked for roles without access, redacted in exports).
    pub personal_data: Vec<&'static str>,
    pub owner: &'static str,
    pub description: &'static str,
    /// Each delivery is the whole table (a list published in full): silver holds the rows of
    /// the latest delivery only, so an entry left out of it is removed.
    pub full_snapshot: bool,
}

impl TableDef {
    /// `zone.table`, the name under which SQL sees the table.
    pub fn qualified_name(&self) -> String {
        format!("{}.{}", self.zone.as_str(), self.name)
    }

    /// The columns that come from the source, without paylake's `_`-prefixed lineage columns.
    pub fn business_fields(&self) -> Vec<arrow::datatypes::FieldRef> {
        self.schema
            .fields()
            .iter()
            .filter(|field| !field.name().starts_with('_'))
            .cloned()
            .collect()
    }
}

/// Every table of the lake.
#[derive(Debug)]
pub struct Registry {
    tables: Vec<TableDef>,
}

impl Registry {
    pub fn tables(&self) -> &[TableDef] {
        &self.tables
    }

    pub fn get(&self, zone: Zone, name: &str) -> Result<&TableDef> {
        self.tables
            .iter()
            .find(|table| table.zone == zone && table.name == name)
            .ok_or_else(|| CatalogError::UnknownTable(format!("{}.{name}", zone.as_str())))
    }

    /// Looks a table up by its `zone.table` name.
    pub fn find(&self, qualified_name: &str) -> Result<&TableDef> {
        self.tables
            .iter()
            .find(|table| table.qualified_name() == qualified_name)
            .ok_or_else(|| CatalogError::UnknownTable(qualified_name.to_string()))
    }
}

/// The registry of this build of paylake.
pub fn registry() -> &'static Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY.get_or_init(build_registry)
}

// Column constructors keep the definitions below readable.
fn text(name: &str) -> Field {
    Field::new(name, DataType::Utf8, true)
}
fn money(name: &str) -> Field {
    Field::new(
        name,
        DataType::Decimal128(MONEY_PRECISION, MONEY_SCALE),
        true,
    )
}
fn cost(name: &str) -> Field {
    Field::new(name, DataType::Decimal128(COST_PRECISION, COST_SCALE), true)
}
fn rate(name: &str) -> Field {
    Field::new(name, DataType::Decimal128(RATE_PRECISION, RATE_SCALE), true)
}
fn timestamp(name: &str) -> Field {
    Field::new(name, utc_timestamp_type(), true)
}
fn date(name: &str) -> Field {
    Field::new(name, DataType::Date32, true)
}
fn boolean(name: &str) -> Field {
    Field::new(name, DataType::Boolean, true)
}
fn integer(name: &str) -> Field {
    Field::new(name, DataType::Int64, true)
}
fn text_list(name: &str) -> Field {
    Field::new(
        name,
        DataType::List(Arc::new(Field::new("element", DataType::Utf8, true))),
        true,
    )
}

/// Times in the lake are UTC microseconds.
pub fn utc_timestamp_type() -> DataType {
    DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
}

/// A table fed by a source: its business columns, from which bronze and silver are derived.
struct SourceEntity {
    name: &'static str,
    columns: Vec<Field>,
    key: Vec<&'static str>,
    personal_data: Vec<&'static str>,
    owner: &'static str,
    description: &'static str,
    full_snapshot: bool,
    /// When the entity came to be, a time no later change alters: silver is partitioned by its
    /// month, so that a day's changes rewrite the months they reach, not the whole table.
    /// `None` for small tables, tables whose rows change for years (customers, accounts) and
    /// lists delivered whole.
    created_at: Option<&'static str>,
}

/// Lineage columns of bronze: every record as received plus where and when it came from.
fn bronze_lineage_columns() -> Vec<Field> {
    vec![
        Field::new(lineage::OP, DataType::Utf8, false),
        Field::new(lineage::SOURCE_ORDER, DataType::Utf8, false),
        timestamp(lineage::SOURCE_COMMIT_TIME),
        Field::new(lineage::SOURCE_FILE, DataType::Utf8, false),
        Field::new(lineage::SOURCE_POSITION, DataType::Int64, false),
        Field::new(lineage::INGEST_RUN, DataType::Utf8, false),
        Field::new(lineage::INGEST_TIME, utc_timestamp_type(), false),
    ]
}

/// Lineage columns of silver: enough to order a late change and to find the bronze record.
fn silver_lineage_columns() -> Vec<Field> {
    vec![
        Field::new(lineage::SOURCE_ORDER, DataType::Utf8, false),
        timestamp(lineage::SOURCE_COMMIT_TIME),
        Field::new(lineage::SOURCE_FILE, DataType::Utf8, false),
        Field::new(lineage::SOURCE_POSITION, DataType::Int64, false),
        Field::new(lineage::INGEST_RUN, DataType::Utf8, false),
    ]
}

fn schema_of(columns: impl IntoIterator<Item = Field>) -> SchemaRef {
    Arc::new(Schema::new(columns.into_iter().collect::<Vec<_>>()))
}

fn source_entities() -> Vec<SourceEntity> {
    vec![
        SourceEntity {
            name: "customers",
            columns: vec![
                text("customer_id"),
                text("customer_type"),
                text("full_name"),
                text("country"),
                text("occupation"),
                text("industry"),
                boolean("is_pep"),
                text("risk_rating"),
                date("date_of_birth"),
                text("address"),
                text("email"),
                text("phone"),
                timestamp("created_at"),
                timestamp("updated_at"),
            ],
            key: vec!["customer_id"],
            personal_data: vec!["full_name", "date_of_birth", "address", "email", "phone"],
            owner: "compliance",
            description: "Customers with their KYC profile (Aurora public.customers).",
            full_snapshot: false,
            created_at: None,
        },
        SourceEntity {
            name: "accounts",
            columns: vec![
                text("account_id"),
                text("customer_id"),
                text("account_type"),
                text("currency"),
                text("status"),
                timestamp("opened_at"),
                timestamp("updated_at"),
            ],
            key: vec!["account_id"],
            personal_data: vec![],
            owner: "finance",
            description: "Customer accounts (Aurora public.accounts).",
            full_snapshot: false,
            created_at: None,
        },
        SourceEntity {
            name: "transactions",
            columns: vec![
                text("transaction_id"),
                text("account_id"),
                text("customer_id"),
                text("transaction_type"),
                money("amount"),
                text("currency"),
                text("channel"),
                text("counterparty_account_id"),
                text("status"),
                text("memo"),
                timestamp("created_at"),
                timestamp("updated_at"),
            ],
            key: vec!["transaction_id"],
            personal_data: vec!["memo"],
            owner: "finance",
            description: "Money movements of customers: cash deposits and withdrawals, transfers \
                          (Aurora public.transactions).",
            full_snapshot: false,
            created_at: Some("created_at"),
        },
        SourceEntity {
            name: "ledger_entries",
            columns: vec![
                text("entry_id"),
                text("transaction_id"),
                text("account_id"),
                text("direction"),
                money("amount"),
                text("currency"),
                timestamp("posted_at"),
            ],
            key: vec!["entry_id"],
            personal_data: vec![],
            owner: "finance",
            description: "Double-entry ledger postings (Aurora public.ledger_entries).",
            full_snapshot: false,
            created_at: Some("posted_at"),
        },
        SourceEntity {
            name: "fx_rates",
            columns: vec![date("rate_date"), text("currency"), rate("usd_rate")],
            key: vec!["rate_date", "currency"],
            personal_data: vec![],
            owner: "finance",
            description: "Daily rate of one unit of a currency in USD (Aurora public.fx_rates).",
            full_snapshot: false,
            created_at: None,
        },
        SourceEntity {
            name: "payments",
            columns: vec![
                text("payment_id"),
                text("customer_id"),
                text("account_id"),
                text("merchant_id"),
                money("amount"),
                text("currency"),
                text("channel"),
                text("status"),
                text("card_last4"),
                text("failure_reason"),
                timestamp("created_at"),
                timestamp("updated_at"),
            ],
            key: vec!["payment_id"],
            personal_data: vec!["card_last4"],
            owner: "payments",
            description: "Card payments and their state (DynamoDB payments table, via its stream).",
            full_snapshot: false,
            created_at: Some("created_at"),
        },
        SourceEntity {
            name: "payment_events",
            columns: vec![
                text("event_id"),
                text("payment_id"),
                text("customer_id"),
                text("event_type"),
                text("channel"),
                text("device_id"),
                text("ip_address"),
                text("country"),
                timestamp("occurred_at"),
            ],
            key: vec!["event_id"],
            personal_data: vec!["device_id", "ip_address"],
            owner: "payments",
            description: "Payment events: auth, capture, device, geo (Kinesis via Firehose).",
            full_snapshot: false,
            created_at: Some("occurred_at"),
        },
        SourceEntity {
            name: "settlement_lines",
            columns: vec![
                text("settlement_line_id"),
                text("company_account"),
                text("merchant_account"),
                text("psp_reference"),
                text("merchant_reference"),
                text("payment_method"),
                timestamp("creation_date"),
                text("record_type"),
                text("modification_reference"),
                text("gross_currency"),
                money("gross_debit"),
                money("gross_credit"),
                text("net_currency"),
                money("net_debit"),
                money("net_credit"),
                money("commission"),
                money("markup"),
                money("scheme_fees"),
                money("interchange"),
                integer("batch_number"),
            ],
            key: vec!["settlement_line_id"],
            personal_data: vec![],
            owner: "finance",
            description: "Processor settlement details report lines, one per line of each file.",
            full_snapshot: false,
            created_at: Some("creation_date"),
        },
        SourceEntity {
            name: "bank_statement_entries",
            columns: vec![
                text("statement_id"),
                text("entry_reference"),
                text("account_iban"),
                money("amount"),
                text("currency"),
                text("credit_debit"),
                text("status"),
                date("booking_date"),
                date("value_date"),
                text("end_to_end_id"),
                text("remittance_info"),
                text("bank_transaction_code"),
                text("debtor_name"),
                text("creditor_name"),
                text("ultimate_debtor_name"),
                text("ultimate_creditor_name"),
            ],
            key: vec!["statement_id", "entry_reference"],
            personal_data: vec![
                "remittance_info",
                "debtor_name",
                "creditor_name",
                "ultimate_debtor_name",
                "ultimate_creditor_name",
            ],
            owner: "finance",
            description: "Entries of ISO 20022 camt.053 bank statements.",
            full_snapshot: false,
            created_at: None,
        },
        SourceEntity {
            name: "bank_statement_balances",
            columns: vec![
                text("statement_id"),
                text("account_iban"),
                text("balance_type"),
                money("amount"),
                text("currency"),
                text("credit_debit"),
                date("balance_date"),
            ],
            key: vec!["statement_id", "balance_type"],
            personal_data: vec![],
            owner: "finance",
            description: "Opening and closing balances of camt.053 bank statements.",
            full_snapshot: false,
            created_at: None,
        },
        SourceEntity {
            name: "cost_line_items",
            columns: vec![
                text("line_id"),
                text("billing_account_id"),
                text("provider_name"),
                text("service_name"),
                text("service_category"),
                text("resource_id"),
                text("charge_category"),
                timestamp("charge_period_start"),
                timestamp("charge_period_end"),
                cost("billed_cost"),
                cost("effective_cost"),
                text("billing_currency"),
                text("tags"),
            ],
            key: vec!["line_id"],
            personal_data: vec![],
            owner: "finance",
            description: "Cloud cost and usage rows in FinOps FOCUS column names.",
            full_snapshot: false,
            created_at: Some("charge_period_start"),
        },
        SourceEntity {
            name: "sanctions_entries",
            columns: vec![
                integer("ent_num"),
                text("name"),
                text("sdn_type"),
                text("program"),
                text("title"),
                text("call_sign"),
                text("vessel_type"),
                text("tonnage"),
                text("gross_registered_tonnage"),
                text("vessel_flag"),
                text("vessel_owner"),
                text("remarks"),
            ],
            // The published list repeats an ent_num for two different parties (2677 in the
            // list of 2022-01-31): the name completes the key so that neither is lost.
            key: vec!["ent_num", "name"],
            personal_data: vec![],
            owner: "compliance",
            description: "OFAC Specially Designated Nationals list entries (sdn.csv); the latest \
                          published list.",
            full_snapshot: true,
            created_at: None,
        },
        SourceEntity {
            name: "sanctions_aliases",
            columns: vec![
                integer("ent_num"),
                integer("alt_num"),
                text("alt_type"),
                text("alt_name"),
                text("remarks"),
            ],
            key: vec!["ent_num", "alt_num"],
            personal_data: vec![],
            owner: "compliance",
            description: "Aliases (a.k.a., f.k.a., n.k.a.) of OFAC SDN entries (alt.csv).",
            full_snapshot: true,
            created_at: None,
        },
        SourceEntity {
            name: "sanctions_addresses",
            columns: vec![
                integer("ent_num"),
                integer("add_num"),
                text("address"),
                text("city_state_postal_code"),
                text("country"),
                text("remarks"),
            ],
            key: vec!["ent_num", "add_num"],
            personal_data: vec![],
            owner: "compliance",
            description: "Addresses of OFAC SDN entries (add.csv).",
            full_snapshot: true,
            created_at: None,
        },
    ]
}

/// Sources whose unreadable records each have a quarantine table.
pub const QUARANTINE_SOURCES: [&str; 7] = [
    "aurora",
    "dynamodb",
    "kinesis",
    "settlements",
    "bank_statements",
    "cost",
    "sanctions",
];

/// Free-text columns, `(entity, column)`: what people type there may hold personal data, so
/// ingest redacts it (see `paylake_ingest::pii`).
pub const FREE_TEXT_COLUMNS: [(&str, &str); 8] = [
    ("transactions", "memo"),
    ("bank_statement_entries", "remittance_info"),
    ("settlement_lines", "merchant_reference"),
    ("settlement_lines", "modification_reference"),
    // Screening's cache of the names it screened (normalised) and the counterparty names of
    // whitelists: an erased customer's name is found there as a mention and replaced.
    ("screened_names", "name_key"),
    ("screened_counterparties", "name_key"),
    ("screened_counterparties", "name"),
    ("suppression_events", "counterparty_name"),
];

/// Entities that also keep a type-2 history: `(entity, key column, history table)`.
pub const HISTORY_ENTITIES: [(&str, &str, &str); 2] = [
    ("customers", "customer_id", "customers_history"),
    ("accounts", "account_id", "accounts_history"),
];
/// When a version of a row became known (the source commit time of its change), UTC.
pub const VALID_FROM: &str = "valid_from";
/// When the next version replaced it, or null while it is current.
pub const VALID_TO: &str = "valid_to";
pub const IS_CURRENT: &str = "is_current";
/// The version records a delete: the row stopped existing at `valid_from`.
pub const IS_DELETED: &str = "is_deleted";

fn build_registry() -> Registry {
    let mut tables = Vec::new();
    for entity in source_entities() {
        tables.push(TableDef {
            zone: Zone::Bronze,
            name: entity.name,
            schema: schema_of(
                entity
                    .columns
                    .iter()
                    .cloned()
                    .chain(bronze_lineage_columns())
                    .chain([Field::new(lineage::INGEST_MONTH, DataType::Date32, true)]),
            ),
            key: entity.key.clone(),
            partition_by: vec![lineage::INGEST_MONTH],
            month_of: None,
            personal_data: entity.personal_data.clone(),
            owner: entity.owner,
            description: entity.description,
            full_snapshot: entity.full_snapshot,
        });
        let partition_column = entity
            .created_at
            .map(|_| Field::new(lineage::CREATED_MONTH, DataType::Date32, true));
        tables.push(TableDef {
            zone: Zone::Silver,
            name: entity.name,
            schema: schema_of(
                entity
                    .columns
                    .into_iter()
                    .chain(silver_lineage_columns())
                    .chain(partition_column),
            ),
            key: entity.key,
            partition_by: entity
                .created_at
                .map(|_| vec![lineage::CREATED_MONTH])
                .unwrap_or_default(),
            month_of: entity.created_at,
            personal_data: entity.personal_data,
            owner: entity.owner,
            description: entity.description,
            full_snapshot: entity.full_snapshot,
        });
    }

    tables.extend(declared::declared_tables());
    tables.extend(access::access_tables());

    for source in QUARANTINE_SOURCES {
        tables.push(TableDef {
            zone: Zone::Quarantine,
            name: source,
            schema: schema_of([
                Field::new("source_file", DataType::Utf8, false),
                Field::new("source_position", DataType::Int64, true),
                text("target_table"),
                Field::new("reason", DataType::Utf8, false),
                text("raw_payload"),
                Field::new(lineage::INGEST_RUN, DataType::Utf8, false),
                Field::new(lineage::INGEST_TIME, utc_timestamp_type(), false),
            ]),
            key: vec!["source_file", "source_position"],
            partition_by: vec![],
            month_of: None,
            personal_data: vec!["raw_payload"],
            owner: "data-platform",
            description: "Records that could not be taken, with their origin and the reason.",
            full_snapshot: false,
        });
    }

    tables.push(TableDef {
        zone: Zone::System,
        name: "ingest_runs",
        schema: schema_of([
            Field::new("run_id", DataType::Utf8, false),
            Field::new("source", DataType::Utf8, false),
            timestamp("started_at"),
            timestamp("finished_at"),
            integer("files_taken"),
            integer("records_read"),
            integer("records_taken"),
            integer("records_quarantined"),
        ]),
        key: vec!["run_id", "source"],
        partition_by: vec![],
        month_of: None,
        personal_data: vec![],
        owner: "data-platform",
        description: "One row per ingest run and source: records read, taken and quarantined.",
        full_snapshot: false,
    });

    for (entity, key, history_table) in HISTORY_ENTITIES {
        let current = tables
            .iter()
            .find(|table| table.zone == Zone::Silver && table.name == entity)
            .expect("history entities are source entities")
            .clone();
        tables.push(TableDef {
            zone: Zone::Silver,
            name: history_table,
            schema: schema_of(
                current
                    .business_fields()
                    .iter()
                    .map(|field| field.as_ref().clone())
                    .chain([
                        Field::new(VALID_FROM, utc_timestamp_type(), false),
                        timestamp(VALID_TO),
                        Field::new(IS_CURRENT, DataType::Boolean, false),
                        Field::new(IS_DELETED, DataType::Boolean, false),
                        Field::new(lineage::SOURCE_ORDER, DataType::Utf8, false),
                    ]),
            ),
            key: vec![key, VALID_FROM],
            partition_by: vec![],
            month_of: None,
            personal_data: current.personal_data.clone(),
            owner: current.owner,
            description: current.description,
            full_snapshot: false,
        });
    }

    tables.push(TableDef {
        zone: Zone::Silver,
        name: "pii_findings",
        schema: schema_of([
            Field::new("source_table", DataType::Utf8, false),
            Field::new("record_key", DataType::Utf8, false),
            Field::new("column_name", DataType::Utf8, false),
            Field::new("pii_type", DataType::Utf8, false),
            Field::new("start_offset", DataType::Int64, false),
            Field::new("end_offset", DataType::Int64, false),
            Field::new("detector", DataType::Utf8, false),
            Field::new(lineage::SOURCE_FILE, DataType::Utf8, false),
            Field::new(lineage::SOURCE_POSITION, DataType::Int64, false),
        ]),
        key: vec!["source_table", "record_key", "column_name", "start_offset"],
        partition_by: vec![],
        month_of: None,
        personal_data: vec![],
        owner: "compliance",
        description: "Personal data found in free-text fields (memos, references) and redacted \
                      from silver: which record, column, character range and kind, never the text.",
        full_snapshot: false,
    });

    Registry { tables }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_has_a_unique_qualified_name_and_its_key_in_its_schema() {
        let registry = registry();
        let mut names = std::collections::HashSet::new();
        for table in registry.tables() {
            assert!(
                names.insert(table.qualified_name()),
                "duplicate {}",
                table.qualified_name()
            );
            for column in table
                .key
                .iter()
                .chain(&table.partition_by)
                .chain(&table.personal_data)
            {
                assert!(
                    table.schema.field_with_name(column).is_ok(),
                    "{} names column {column} that its schema lacks",
                    table.qualified_name()
                );
            }
        }
    }

    #[test]
    fn money_columns_are_decimals_never_floats() {
        for table in registry().tables() {
            for field in table.schema.fields() {
                assert!(
                    !matches!(
                        field.data_type(),
                        DataType::Float16 | DataType::Float32 | DataType::Float64
                    ),
                    "{}.{} is a float",
                    table.qualified_name(),
                    field.name()
                );
            }
        }
    }

    #[test]
    fn bronze_and_silver_share_business_columns() {
        let registry = registry();
        let bronze = registry.find("bronze.transactions").unwrap();
        let silver = registry.find("silver.transactions").unwrap();
        let amount = silver.schema.field_with_name("amount").unwrap();
        assert_eq!(
            bronze.schema.field_with_name("amount").unwrap().data_type(),
            amount.data_type()
        );
        assert!(bronze.schema.field_with_name(lineage::OP).is_ok());
        assert!(silver.schema.field_with_name(lineage::OP).is_err());
    }
}
