//! The detection rules: each a SQL file over `aml_movements` (the relational ones) or a graph
//! search (cycles), all producing [`Alert`]s for the business dates of a run.

use std::sync::Arc;

use arrow::array::{Array, AsArray, RecordBatch};
use arrow::datatypes::{DataType, Field};
use chrono::NaiveDate;
use chrono_tz::Tz;
use datafusion::prelude::SessionContext;

use super::alerts::Alert;
use super::config::AmlRules;
use super::cycles;
use super::graph::Graph;
use super::scatter_gather;
use crate::error::{Result, TransformError};
use crate::job::{creation_bounds, day_number, materialize, INSTANTS_SQL};
use paylake_catalog::sql::{self, text_literal_list};
use paylake_catalog::CatalogError;

/// Every rule of the suite, in the order they run.
pub const RULE_IDS: [&str; 14] = [
    "ctr",
    "structuring",
    "rapid_movement",
    "fan_in",
    "fan_out",
    "scatter_gather",
    "gather_scatter",
    "cycle",
    "split_transfers",
    "high_risk_jurisdiction",
    "dormant_reactivated",
    "velocity_spike",
    "round_amounts",
    "peer_outlier",
];

/// The view every rule reads, registered by [`prepare_movements`].
pub const MOVEMENTS_TABLE: &str = "aml_movements";
const MOVEMENTS_SQL: &str = "transforms/aml/movements.sql";
/// Each customer's volume per day, from `aml_movements`, held beside it.
pub const CUSTOMER_DAYS_TABLE: &str = "aml_customer_days";
const CUSTOMER_DAYS_SQL: &str = "transforms/aml/customer_days.sql";
const TRANSFER_EDGES_SQL: &str = "transforms/aml/transfer_edges.sql";

/// A rule written as SQL, with the values its file needs besides its parameters.
struct SqlRule {
    id: &'static str,
    /// Its file under `sql/`.
    sql: &'static str,
    fixed: &'static [(&'static str, &'static str)],
}

const SQL_RULES: [SqlRule; 13] = [
    SqlRule {
        id: "ctr",
        sql: "transforms/aml/ctr.sql",
        fixed: &[],
    },
    SqlRule {
        id: "structuring",
        sql: "transforms/aml/structuring.sql",
        fixed: &[],
    },
    SqlRule {
        id: "rapid_movement",
        sql: "transforms/aml/rapid_movement.sql",
        fixed: &[],
    },
    SqlRule {
        id: "fan_in",
        sql: "transforms/aml/concentration.sql",
        fixed: &[("leg", "transfer_in"), ("counterparties", "senders")],
    },
    SqlRule {
        id: "fan_out",
        sql: "transforms/aml/concentration.sql",
        fixed: &[("leg", "transfer_out"), ("counterparties", "beneficiaries")],
    },
    SqlRule {
        id: "scatter_gather",
        sql: "transforms/aml/scatter_gather.sql",
        fixed: &[],
    },
    SqlRule {
        id: "gather_scatter",
        sql: "transforms/aml/gather_scatter.sql",
        fixed: &[],
    },
    SqlRule {
        id: "split_transfers",
        sql: "transforms/aml/split_transfers.sql",
        fixed: &[],
    },
    SqlRule {
        id: "high_risk_jurisdiction",
        sql: "transforms/aml/high_risk_jurisdiction.sql",
        fixed: &[],
    },
    SqlRule {
        id: "dormant_reactivated",
        sql: "transforms/aml/dormant_reactivated.sql",
        fixed: &[],
    },
    SqlRule {
        id: "velocity_spike",
        sql: "transforms/aml/velocity_spike.sql",
        fixed: &[],
    },
    SqlRule {
        id: "round_amounts",
        sql: "transforms/aml/round_amounts.sql",
        fixed: &[],
    },
    SqlRule {
        id: "peer_outlier",
        sql: "transforms/aml/peer_outlier.sql",
        fixed: &[],
    },
];

/// The SQL files the suite runs, below `sql/`: the movements, the transfer edges of the path
/// searches, and each relational rule.
pub fn sql_files() -> Vec<&'static str> {
    let mut files = vec![
        MOVEMENTS_SQL,
        CUSTOMER_DAYS_SQL,
        INSTANTS_SQL,
        TRANSFER_EDGES_SQL,
    ];
    files.extend(SQL_RULES.iter().map(|rule| rule.sql));
    files
}

/// The business dates a run builds, `from..=to`, in one calendar.
#[derive(Debug, Clone, Copy)]
pub struct DateRange {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub timezone: Tz,
}

impl DateRange {
    /// Dates of the UTC calendar.
    pub fn utc(from: NaiveDate, to: NaiveDate) -> Self {
        DateRange {
            from,
            to,
            timezone: chrono_tz::UTC,
        }
    }

    pub fn from_day(&self) -> i64 {
        day_number(self.from)
    }
    pub fn to_day(&self) -> i64 {
        day_number(self.to)
    }
}

/// Days before the first date of a run that the rules look at: the longest window of any rule,
/// and a day more for movements that cross midnight.
pub fn lookback_days(rules: &AmlRules) -> i64 {
    let mut longest = 1.0_f64;
    for (rule_id, parameters) in &rules.rules {
        for name in ["window_days", "baseline_days", "lookback_days"] {
            if parameters.contains_key(name) {
                longest = longest.max(rules.number(rule_id, name).unwrap_or(0.0));
            }
        }
        if parameters.contains_key("window_hours") {
            longest =
                longest.max((rules.number(rule_id, "window_hours").unwrap_or(0.0) / 24.0).ceil());
        }
    }
    longest as i64 + 1
}

/// Materialises `aml_movements` for the run in `context`, which must see `silver.transactions`
/// and `silver.fx_rates`, and `aml_customer_days` from it. Returns the number of movements.
pub async fn prepare_movements(
    context: &SessionContext,
    range: &DateRange,
    rules: &AmlRules,
) -> Result<usize> {
    let movements = materialize(context, MOVEMENTS_TABLE, &movements_sql(range, rules)?).await?;
    materialize(context, CUSTOMER_DAYS_TABLE, &customer_days_sql()?).await?;
    Ok(movements)
}

/// The statement of `aml_customer_days`, which reads `aml_movements`.
pub fn customer_days_sql() -> Result<String> {
    Ok(sql::statement(CUSTOMER_DAYS_SQL)?)
}

/// The statement of `aml_movements` for `range`, parameters filled. Benchmarks hand this same
/// text to their peer.
pub fn movements_sql(range: &DateRange, rules: &AmlRules) -> Result<String> {
    let lookback = lookback_days(rules);
    let mut parameters = vec![("lookback_days".to_string(), lookback.to_string())];
    parameters.extend(creation_bounds(
        range.from - chrono::Duration::days(lookback),
        range.to,
    ));
    render("movements", MOVEMENTS_SQL, range, &parameters)
}

/// The transfer graph of a run, built for the first path rule that needs it and kept for the
/// next: every payment out of the longest path window, whatever its amount (each search applies
/// its own minimum).
#[derive(Default)]
pub struct TransferGraph(Option<Graph>);

impl TransferGraph {
    async fn get_or_build(
        &mut self,
        context: &SessionContext,
        range: &DateRange,
        rules: &AmlRules,
    ) -> Result<&Graph> {
        if self.0.is_none() {
            let window_days = ["cycle", "scatter_gather"]
                .iter()
                .filter(|rule_id| rules.enabled(rule_id).is_some())
                .map(|rule_id| rules.number(rule_id, "window_days"))
                .collect::<Result<Vec<_>>>()?
                .into_iter()
                .fold(1.0_f64, f64::max);
            let values = [
                ("min_amount_usd".to_string(), "0".to_string()),
                ("window_days".to_string(), (window_days as i64).to_string()),
            ];
            let sql = render("transfer_edges", TRANSFER_EDGES_SQL, range, &values)?;
            let edges = context.sql(&sql).await?.collect().await?;
            self.0 = Some(Graph::from_batches(&edges)?);
        }
        Ok(self.0.as_ref().expect("built above"))
    }
}

/// Runs one rule over the prepared movements. A switched-off rule gives no alerts.
pub async fn run_rule(
    context: &SessionContext,
    rule_id: &str,
    range: &DateRange,
    rules: &AmlRules,
    transfer_graph: &mut TransferGraph,
) -> Result<Vec<Alert>> {
    if rules.enabled(rule_id).is_none() {
        return Ok(Vec::new());
    }
    if rule_id == "cycle" {
        let settings = cycles::CycleSettings::from_rules(rules)?;
        let graph = transfer_graph.get_or_build(context, range, rules).await?;
        return cycles::find_cycles_in(graph, range, &settings);
    }
    if rule_id == "scatter_gather" {
        let settings = scatter_gather::ScatterGatherSettings::from_rules(rules)?;
        let graph = transfer_graph.get_or_build(context, range, rules).await?;
        return Ok(scatter_gather::find_scatter_gather(graph, range, &settings));
    }
    let sql = rule_sql(rule_id, range, rules)?.ok_or_else(|| TransformError::Rules {
        origin: format!("rules.{rule_id}"),
        reason: "no such rule".into(),
    })?;
    let batches = context
        .sql(&sql)
        .await
        .map_err(|err| rule_error(rule_id, err))?
        .collect()
        .await
        .map_err(|err| rule_error(rule_id, err))?;
    alerts_from_batches(rule_id, &batches)
}

/// The SQL statement of a rule for `range`, parameters filled; `None` for a switched-off rule
/// and for the cycle search, which has none. Benchmarks hand this same text to their peer. (For
/// scatter_gather, paylake runs the equivalent graph search instead.)
pub fn rule_sql(rule_id: &str, range: &DateRange, rules: &AmlRules) -> Result<Option<String>> {
    let Some(parameters) = rules.enabled(rule_id) else {
        return Ok(None);
    };
    let Some(rule) = SQL_RULES.iter().find(|rule| rule.id == rule_id) else {
        return Ok(None);
    };
    render(
        rule.id,
        rule.sql,
        range,
        &rule_values(parameters, rule.fixed),
    )
    .map(Some)
}

fn rule_error(rule_id: &str, err: datafusion::error::DataFusionError) -> TransformError {
    TransformError::RuleFailed {
        rule_id: rule_id.to_string(),
        reason: err.to_string(),
    }
}

/// The text each placeholder of a rule's file is replaced with.
fn rule_values(
    parameters: &toml::Table,
    fixed: &[(&'static str, &'static str)],
) -> Vec<(String, String)> {
    let mut values: Vec<(String, String)> = fixed
        .iter()
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect();
    for (name, value) in parameters {
        let text = match value {
            toml::Value::Integer(number) => number.to_string(),
            toml::Value::Float(number) => number.to_string(),
            toml::Value::Boolean(flag) => flag.to_string(),
            toml::Value::Array(codes) => {
                let codes: Vec<&str> = codes.iter().filter_map(toml::Value::as_str).collect();
                text_literal_list(&codes)
            }
            other => other.to_string(),
        };
        values.push((name.clone(), text));
    }
    values
}

/// Renders a rule's file with the run's dates and zone, then `values`. A parameter the file
/// needs that `values` lack is a rules file without a parameter the SQL needs.
pub fn render(
    rule_id: &str,
    path: &str,
    range: &DateRange,
    values: &[(String, String)],
) -> Result<String> {
    let mut parameters = vec![
        ("from_day".to_string(), range.from_day().to_string()),
        ("to_day".to_string(), range.to_day().to_string()),
        ("timezone".to_string(), range.timezone.name().to_string()),
    ];
    parameters.extend(values.iter().cloned());
    sql::render(path, &parameters).map_err(|error| match error {
        CatalogError::SqlTemplate { file, reason } => TransformError::Rules {
            origin: format!("rules.{rule_id} (sql/{file})"),
            reason: format!("a parameter the rule's SQL needs is not set: {reason}"),
        },
        other => other.into(),
    })
}

/// Reads the common output columns of a SQL rule into alerts.
fn alerts_from_batches(rule_id: &str, batches: &[RecordBatch]) -> Result<Vec<Alert>> {
    let text_list = DataType::List(Arc::new(Field::new("item", DataType::Utf8, true)));
    let mut alerts = Vec::new();
    for batch in batches {
        let column = |name: &str, data_type: &DataType| -> Result<arrow::array::ArrayRef> {
            let array = batch
                .column_by_name(name)
                .ok_or_else(|| TransformError::RuleFailed {
                    rule_id: rule_id.to_string(),
                    reason: format!("the rule's SQL returns no column '{name}'"),
                })?;
            Ok(arrow::compute::cast(array, data_type)?)
        };
        let customer_ids = column("customer_id", &DataType::Utf8)?;
        let account_ids = column("account_id", &DataType::Utf8)?;
        let dates = column("business_date", &DataType::Date32)?;
        let scores = column("score", &DataType::Int64)?;
        let amounts = column("amount_usd", &DataType::Decimal128(18, 2))?;
        let transaction_ids = column("transaction_ids", &text_list)?;
        let evidence_accounts = column("account_ids", &text_list)?;
        let reasons = column("reason", &DataType::Utf8)?;
        let customer_ids = customer_ids.as_string::<i32>();
        let account_ids = account_ids.as_string::<i32>();
        let dates = dates.as_primitive::<arrow::datatypes::Date32Type>();
        let scores = scores.as_primitive::<arrow::datatypes::Int64Type>();
        let amounts = amounts.as_primitive::<arrow::datatypes::Decimal128Type>();
        let transaction_ids = transaction_ids.as_list::<i32>();
        let evidence_accounts = evidence_accounts.as_list::<i32>();
        let reasons = reasons.as_string::<i32>();
        for row in 0..batch.num_rows() {
            let Some(business_date) = dates.value_as_date(row) else {
                continue;
            };
            alerts.push(Alert {
                rule_id: rule_id.to_string(),
                customer_id: customer_ids
                    .is_valid(row)
                    .then(|| customer_ids.value(row).to_string()),
                account_id: account_ids
                    .is_valid(row)
                    .then(|| account_ids.value(row).to_string()),
                business_date,
                score: if scores.is_valid(row) {
                    scores.value(row).clamp(0, 100)
                } else {
                    0
                },
                amount_usd_cents: amounts.is_valid(row).then(|| amounts.value(row)),
                transaction_ids: strings_of(transaction_ids, row),
                account_ids: strings_of(evidence_accounts, row),
                reason: reasons.value(row).to_string(),
                subject_detail: None,
                suppressed_by: None,
            });
        }
    }
    Ok(alerts)
}

fn strings_of(lists: &arrow::array::ListArray, row: usize) -> Vec<String> {
    if lists.is_null(row) {
        return Vec::new();
    }
    let values = lists.value(row);
    let values = values.as_string::<i32>();
    values.iter().flatten().map(str::to_string).collect()
}
