//! The cycle rule: money that returns to its origin through 2 to 6 hops. A depth-first search
//! over the transfer graph, where each hop must leave after the one before, within the window
//! of the first, and pass on between `min_retained_ratio` and all of what it received. Every
//! cycle is found once, from its earliest transfer, because a later transfer cannot lead back
//! to an earlier one.

use paylake_catalog::money::format_decimal;

use super::alerts::Alert;
use super::config::AmlRules;
use super::graph::Graph;
use super::rules::DateRange;
use crate::error::Result;
use crate::job::date_of_day;

/// Searches stop after this many cycles from one transfer: a dense cluster is reported by its
/// first cycles, not enumerated whole.
const MAX_CYCLES_PER_START: usize = 20;

#[derive(Debug, Clone)]
pub struct CycleSettings {
    pub min_hops: usize,
    pub max_hops: usize,
    pub window_micros: i64,
    /// Every hop moves at least this many USD cents.
    pub min_amount_cents: i128,
    pub min_retained_ratio: f64,
    pub score: i64,
}

impl CycleSettings {
    pub fn from_rules(rules: &AmlRules) -> Result<Self> {
        Ok(CycleSettings {
            min_hops: rules.number("cycle", "min_hops")? as usize,
            max_hops: rules.number("cycle", "max_hops")? as usize,
            window_micros: (rules.number("cycle", "window_days")? * 86_400_000_000.0) as i64,
            min_amount_cents: (rules.number("cycle", "min_amount_usd")? * 100.0).round() as i128,
            min_retained_ratio: rules.number("cycle", "min_retained_ratio")?,
            score: rules.number("cycle", "score")? as i64,
        })
    }
}

/// Finds the cycles of a built graph whose last transfer falls on a date of `range`.
pub fn find_cycles_in(
    graph: &Graph,
    range: &DateRange,
    settings: &CycleSettings,
) -> Result<Vec<Alert>> {
    let mut alerts = Vec::new();
    let mut path = Vec::with_capacity(settings.max_hops);
    for start in 0..graph.edges.len() {
        if graph.edges[start].amount < settings.min_amount_cents {
            continue;
        }
        let mut found = Vec::new();
        path.clear();
        path.push(start);
        extend(graph, settings, &mut path, &mut found);
        for cycle in found {
            let last = &graph.edges[*cycle.last().expect("a cycle has hops")];
            if last.day_number < range.from_day() || last.day_number > range.to_day() {
                continue;
            }
            alerts.push(cycle_alert(graph, &cycle, settings));
        }
    }
    Ok(alerts)
}

fn extend(
    graph: &Graph,
    settings: &CycleSettings,
    path: &mut Vec<usize>,
    found: &mut Vec<Vec<usize>>,
) {
    if found.len() >= MAX_CYCLES_PER_START {
        return;
    }
    let first = &graph.edges[path[0]];
    let last = &graph.edges[*path.last().expect("the path starts with an edge")];
    let deadline = first.at_micros + settings.window_micros;
    // Transfers out of the current account after the last hop, by time.
    for &next_index in graph.outgoing_after(last.to, last.at_micros) {
        let next = &graph.edges[next_index];
        if next.at_micros > deadline {
            break;
        }
        if next.amount < settings.min_amount_cents {
            continue;
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

fn cycle_alert(graph: &Graph, cycle: &[usize], settings: &CycleSettings) -> Alert {
    debug_assert!(cycle.len() >= 2);
    let first = &graph.edges[cycle[0]];
    let last = &graph.edges[*cycle.last().expect("a cycle has hops")];
    let accounts: Vec<String> = cycle
        .iter()
        .map(|&index| graph.accounts[graph.edges[index].from as usize].clone())
        .collect();
    let hours = (last.at_micros - first.at_micros) / 3_600_000_000;
    Alert {
        rule_id: "cycle".into(),
        customer_id: graph.customer_id(cycle[0]),
        account_id: Some(graph.accounts[first.from as usize].clone()),
        business_date: date_of_day(last.day_number),
        score: (settings.score + 5 * (cycle.len() as i64 - 2)).min(100),
        amount_usd_cents: Some(first.amount),
        transaction_ids: cycle
            .iter()
            .map(|&index| graph.transaction_id(index).to_string())
            .collect(),
        account_ids: accounts.clone(),
        reason: format!(
            "USD {} returned to its origin through {} hops ({}) within {} hours, USD {} arriving back",
            format_decimal(first.amount, 2),
            cycle.len(),
            accounts.join(" -> "),
            hours,
            format_decimal(last.amount, 2)
        ),
        subject_detail: None,
        suppressed_by: None,
    }
}
