//! The transfer graph the path typologies search: accounts as nodes, payments out as edges,
//! each account's edges in time order. Built from `transfer_edges.sql`.

use std::collections::HashMap;

use arrow::array::{Array, AsArray, RecordBatch};
use arrow::datatypes::DataType;
use chrono::NaiveDate;

use crate::error::Result;

/// One transfer of the graph.
#[derive(Debug, Clone)]
pub struct Edge {
    pub transaction_id: String,
    pub from: u32,
    pub to: u32,
    pub customer_id: Option<String>,
    /// USD cents; ratios between hops only, so the scale does not matter.
    pub amount: i128,
    pub at_micros: i64,
    pub day_number: i64,
}

pub struct Graph {
    pub accounts: Vec<String>,
    pub edges: Vec<Edge>,
    /// Edge indexes leaving each account, by time.
    pub outgoing: Vec<Vec<usize>>,
}

impl Graph {
    pub fn from_batches(batches: &[RecordBatch]) -> Result<Graph> {
        let mut account_index: HashMap<String, u32> = HashMap::new();
        let mut accounts = Vec::new();
        let mut intern = |id: &str| -> u32 {
            if let Some(index) = account_index.get(id) {
                return *index;
            }
            let index = accounts.len() as u32;
            accounts.push(id.to_string());
            account_index.insert(id.to_string(), index);
            index
        };
        let mut edges = Vec::new();
        for batch in batches {
            let text = |name: &str| {
                arrow::compute::cast(
                    batch
                        .column_by_name(name)
                        .expect("transfer_edges.sql names it"),
                    &DataType::Utf8,
                )
            };
            let ids = text("transaction_id")?;
            let from = text("from_account")?;
            let to = text("to_account")?;
            let customers = text("from_customer")?;
            let amounts = arrow::compute::cast(
                batch
                    .column_by_name("amount_usd")
                    .expect("transfer_edges.sql names it"),
                &DataType::Decimal128(18, 2),
            )?;
            let times = arrow::compute::cast(
                batch
                    .column_by_name("created_at")
                    .expect("transfer_edges.sql names it"),
                &DataType::Timestamp(arrow::datatypes::TimeUnit::Microsecond, None),
            )?;
            let days = arrow::compute::cast(
                batch
                    .column_by_name("day_number")
                    .expect("transfer_edges.sql names it"),
                &DataType::Int64,
            )?;
            let (ids, from, to, customers) = (
                ids.as_string::<i32>(),
                from.as_string::<i32>(),
                to.as_string::<i32>(),
                customers.as_string::<i32>(),
            );
            let amounts = amounts.as_primitive::<arrow::datatypes::Decimal128Type>();
            let times = times.as_primitive::<arrow::datatypes::TimestampMicrosecondType>();
            let days = days.as_primitive::<arrow::datatypes::Int64Type>();
            for row in 0..batch.num_rows() {
                if from.is_null(row) || to.is_null(row) || amounts.is_null(row) {
                    continue;
                }
                edges.push(Edge {
                    transaction_id: ids.value(row).to_string(),
                    from: intern(from.value(row)),
                    to: intern(to.value(row)),
                    customer_id: customers
                        .is_valid(row)
                        .then(|| customers.value(row).to_string()),
                    amount: amounts.value(row),
                    at_micros: times.value(row),
                    day_number: days.value(row),
                });
            }
        }
        let mut outgoing = vec![Vec::new(); accounts.len()];
        for (index, edge) in edges.iter().enumerate() {
            outgoing[edge.from as usize].push(index);
        }
        for list in &mut outgoing {
            list.sort_by_key(|&index| (edges[index].at_micros, index));
        }
        Ok(Graph {
            accounts,
            edges,
            outgoing,
        })
    }
}

impl Graph {
    /// Edges leaving `account` strictly after `after_micros`, in time order.
    pub fn outgoing_after(&self, account: u32, after_micros: i64) -> &[usize] {
        let outgoing = &self.outgoing[account as usize];
        let begin = outgoing.partition_point(|&index| self.edges[index].at_micros <= after_micros);
        &outgoing[begin..]
    }
}

/// The date of a day number (days since 1970-01-01).
pub fn date_of_day(day_number: i64) -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).expect("the epoch is a date")
        + chrono::Duration::days(day_number)
}

/// USD cents as `1234.56`.
pub fn format_cents(cents: i128) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", cents.abs() / 100, cents.abs() % 100)
}
