//! The transfer graph the path typologies search: accounts as nodes, payments out as edges,
//! each account's edges in time order. Built from `transfer_edges.sql`.

use std::collections::HashMap;

use arrow::array::{Array, ArrayRef, AsArray, RecordBatch, StringViewArray};
use arrow::datatypes::DataType;

use crate::error::Result;

/// One transfer of the graph. Its ids stay in the batches they came in.
#[derive(Debug, Clone)]
pub struct Edge {
    batch: u32,
    row: u32,
    pub from: u32,
    pub to: u32,
    /// USD cents.
    pub amount: i128,
    pub at_micros: i64,
    pub day_number: i64,
}

pub struct Graph {
    pub accounts: Vec<String>,
    pub edges: Vec<Edge>,
    /// Edge indexes leaving each account, by time.
    pub outgoing: Vec<Vec<usize>>,
    transaction_ids: Vec<StringViewArray>,
    customer_ids: Vec<StringViewArray>,
}

fn column<'a>(batch: &'a RecordBatch, name: &str) -> &'a ArrayRef {
    batch
        .column_by_name(name)
        .expect("transfer_edges.sql names it")
}

/// A text column as string views: no copy when it already is one.
fn text_column(batch: &RecordBatch, name: &str) -> Result<StringViewArray> {
    let array = arrow::compute::cast(column(batch, name), &DataType::Utf8View)?;
    Ok(array.as_string_view().clone())
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
        let mut transaction_ids = Vec::with_capacity(batches.len());
        let mut customer_ids = Vec::with_capacity(batches.len());
        for (batch_index, batch) in batches.iter().enumerate() {
            let from = text_column(batch, "from_account")?;
            let to = text_column(batch, "to_account")?;
            let amounts =
                arrow::compute::cast(column(batch, "amount_usd"), &DataType::Decimal128(18, 2))?;
            let times = arrow::compute::cast(
                column(batch, "created_at"),
                &DataType::Timestamp(arrow::datatypes::TimeUnit::Microsecond, None),
            )?;
            let days = arrow::compute::cast(column(batch, "day_number"), &DataType::Int64)?;
            let amounts = amounts.as_primitive::<arrow::datatypes::Decimal128Type>();
            let times = times.as_primitive::<arrow::datatypes::TimestampMicrosecondType>();
            let days = days.as_primitive::<arrow::datatypes::Int64Type>();
            for row in 0..batch.num_rows() {
                if from.is_null(row) || to.is_null(row) || amounts.is_null(row) {
                    continue;
                }
                edges.push(Edge {
                    batch: batch_index as u32,
                    row: row as u32,
                    from: intern(from.value(row)),
                    to: intern(to.value(row)),
                    amount: amounts.value(row),
                    at_micros: times.value(row),
                    day_number: days.value(row),
                });
            }
            transaction_ids.push(text_column(batch, "transaction_id")?);
            customer_ids.push(text_column(batch, "from_customer")?);
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
            transaction_ids,
            customer_ids,
        })
    }

    pub fn transaction_id(&self, edge: usize) -> &str {
        let edge = &self.edges[edge];
        self.transaction_ids[edge.batch as usize].value(edge.row as usize)
    }

    /// The customer who made the payment.
    pub fn customer_id(&self, edge: usize) -> Option<String> {
        let edge = &self.edges[edge];
        let customers = &self.customer_ids[edge.batch as usize];
        customers
            .is_valid(edge.row as usize)
            .then(|| customers.value(edge.row as usize).to_string())
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
