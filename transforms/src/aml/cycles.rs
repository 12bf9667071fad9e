//! The cycle rule: money that returns to its origin through 2 to 6 hops. A depth-first search
//! over the transfer graph, where each hop must leave after the one before, within the window
//! of the first, and pass on between `min_retained_ratio` and all of what it received. Every cycle is found once, from its
//! earliest transfer, because a later transfer cannot lead back to an earlier one.

use std::collections::HashMap;

use arrow::array::{Array, AsArray, RecordBatch};
use arrow::datatypes::DataType;
use chrono::NaiveDate;

use super::alerts::Alert;
use super::config::AmlRules;
use super::rules::DateRange;
use crate::error::Result;

/// Searches stop after this many cycles from one transfer: a dense cluster is reported by its
/// first cycles, not enumerated whole.
const MAX_CYCLES_PER_START: usize = 20;

#[derive(Debug, Clone)]
pub struct CycleSettings {
    pub min_hops: usize,
    pub max_hops: usize,
    pub window_micros: i64,
    pub min_retained_ratio: f64,
    pub score: i64,
}

impl CycleSettings {
    pub fn from_rules(rules: &AmlRules) -> Result<Self> {
        Ok(CycleSettings {
            min_hops: rules.number("cycle", "min_hops")? as usize,
            max_hops: rules.number("cycle", "max_hops")? as usize,
            window_micros: (rules.number("cycle", "window_days")? * 86_400_000_000.0) as i64,
            min_retained_ratio: rules.number("cycle", "min_retained_ratio")?,
            score: rules.number("cycle", "score")? as i64,
        })
    }
}

/// One transfer of the graph.
#[derive(Debug, Clone)]
struct Edge {
    transaction_id: String,
    from: u32,
    to: u32,
    customer_id: Option<String>,
    /// USD cents; ratios between hops only, so the scale does not matter.
    amount: i128,
    at_micros: i64,
    day_number: i64,
}

struct Graph {
    accounts: Vec<String>,
    edges: Vec<Edge>,
    /// Edge indexes leaving each account, by time.
    outgoing: Vec<Vec<usize>>,
}

impl Graph {
    fn from_batches(batches: &[RecordBatch]) -> Result<Graph> {
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
            let text = |name: &str| arrow::compute::cast(batch.column_by_name(name).expect("cycle_edges.sql names it"), &DataType::Utf8);
            let ids = text("transaction_id")?;
            let from = text("from_account")?;
            let to = text("to_account")?;
            let customers = text("from_customer")?;
            let amounts = arrow::compute::cast(
                batch.column_by_name("amount_usd").expect("cycle_edges.sql names it"),
                &DataType::Decimal128(18, 2),
            )?;
            let times = arrow::compute::cast(
                batch.column_by_name("created_at").expect("cycle_edges.sql names it"),
                &DataType::Timestamp(arrow::datatypes::TimeUnit::Microsecond, None),
            )?;
            let days = arrow::compute::cast(
                batch.column_by_name("day_number").expect("cycle_edges.sql names it"),
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
                    customer_id: customers.is_valid(row).then(|| customers.value(row).to_string()),
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

/// Finds the cycles whose last transfer falls on a date of `range`.
pub fn find_cycles(
    batches: &[RecordBatch],
    range: &DateRange,
    settings: &CycleSettings,
) -> Result<Vec<Alert>> {
    let graph = Graph::from_batches(batches)?;
    let mut alerts = Vec::new();
    let mut path = Vec::with_capacity(settings.max_hops);
    for start in 0..graph.edges.len() {
        let mut found = Vec::new();
        path.clear();
        path.push(start);
        extend(&graph, settings, &mut path, &mut found);
        for cycle in found {
            let last = &graph.edges[*cycle.last().expect("a cycle has hops")];
            if last.day_number < range.from_day() || last.day_number > range.to_day() {
                continue;
            }
            alerts.push(cycle_alert(&graph, &cycle, settings, range));
        }
    }
    Ok(alerts)
}

fn extend(graph: &Graph, settings: &CycleSettings, path: &mut Vec<usize>, found: &mut Vec<Vec<usize>>) {
    if found.len() >= MAX_CYCLES_PER_START {
        return;
    }
    let first = &graph.edges[path[0]];
    let last = &graph.edges[*path.last().expect("the path starts with an edge")];
    let deadline = first.at_micros + settings.window_micros;
    let outgoing = &graph.outgoing[last.to as usize];
    // Transfers out of the current account after the last hop, by time.
    let begin = outgoing.partition_point(|&index| graph.edges[index].at_micros <= last.at_micros);
    for &next_index in &outgoing[begin..] {
        let next = &graph.edges[next_index];
        if next.at_micros > deadline {
            break;
        }
        let ratio = next.amount as f64 / last.amount as f64;
        if ratio < settings.min_retained_ratio || ratio > 1.0 {
            continue;
        }
        let hops = path.len() + 1;
        if next.to == first.from {
            if hops >= settings.min_hops {
                let mut cycle = path.clone();
                cycle.push(next_index);
                found.push(cycle);
                if found.len() >= MAX_CYCLES_PER_START {
                    return;
                }
            }
            continue;
        }
        let revisits = path.iter().any(|&index| graph.edges[index].from == next.to);
        if revisits || hops >= settings.max_hops {
            continue;
        }
        path.push(next_index);
        extend(graph, settings, path, found);
        path.pop();
    }
}

fn cycle_alert(graph: &Graph, cycle: &[usize], settings: &CycleSettings, range: &DateRange) -> Alert {
    debug_assert!(cycle.len() >= 2);
    let first = &graph.edges[cycle[0]];
    let last = &graph.edges[*cycle.last().expect("a cycle has hops")];
    let accounts: Vec<String> = cycle
        .iter()
        .map(|&index| graph.accounts[graph.edges[index].from as usize].clone())
        .collect();
    let hours = (last.at_micros - first.at_micros) / 3_600_000_000;
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("the epoch is a date");
    let _ = range;
    Alert {
        rule_id: "cycle".into(),
        customer_id: first.customer_id.clone(),
        account_id: Some(graph.accounts[first.from as usize].clone()),
        business_date: epoch + chrono::Duration::days(last.day_number),
        score: (settings.score + 5 * (cycle.len() as i64 - 2)).min(100),
        amount_usd_cents: Some(first.amount),
        transaction_ids: cycle
            .iter()
            .map(|&index| graph.edges[index].transaction_id.clone())
            .collect(),
        account_ids: accounts.clone(),
        reason: format!(
            "USD {} returned to its origin through {} hops ({}) within {} hours, USD {} arriving back",
            format_cents(first.amount),
            cycle.len(),
            accounts.join(" -> "),
            hours,
            format_cents(last.amount)
        ),
    }
}

/// USD cents as `1234.56`.
pub fn format_cents(cents: i128) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", cents.abs() / 100, cents.abs() % 100)
}
