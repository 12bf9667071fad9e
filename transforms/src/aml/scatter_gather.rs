//! The scatter-gather rule as a search of the transfer graph: an origin pays intermediaries that
//! each forward most of it to the same beneficiary. `sql/transforms/aml/scatter_gather.sql` states
//! the same rule relationally (the benchmark's peer runs it, and must give the same alerts); here
//! each payment looks only at the intermediary's later payments of the window, where a SQL
//! engine has to join every payment with every payment of its receiver.

use std::collections::{BTreeMap, BTreeSet};

use paylake_catalog::money::format_decimal;

use super::alerts::Alert;
use super::config::AmlRules;
use super::graph::Graph;
use super::rules::DateRange;
use crate::error::Result;
use crate::job::date_of_day;

#[derive(Debug, Clone)]
pub struct ScatterGatherSettings {
    pub min_intermediaries: usize,
    pub window_days: i64,
    /// Forwarded share in millionths, so that amounts compare exactly.
    pub min_forward_millionths: i128,
    pub min_total_cents: i128,
    pub score: i64,
}

impl ScatterGatherSettings {
    pub fn from_rules(rules: &AmlRules) -> Result<Self> {
        Ok(ScatterGatherSettings {
            min_intermediaries: rules.number("scatter_gather", "min_intermediaries")? as usize,
            window_days: rules.number("scatter_gather", "window_days")? as i64,
            min_forward_millionths: (rules.number("scatter_gather", "min_forward_ratio")? * 1e6)
                .round() as i128,
            min_total_cents: (rules.number("scatter_gather", "min_total_usd")? * 100.0).round()
                as i128,
            score: rules.number("scatter_gather", "score")? as i64,
        })
    }
}

/// A payment on to a beneficiary of money an intermediary received from the origin.
struct Hop {
    intermediary: u32,
    first_leg: usize,
    second_leg: usize,
    last_day: i64,
}

pub fn find_scatter_gather(
    graph: &Graph,
    range: &DateRange,
    settings: &ScatterGatherSettings,
) -> Vec<Alert> {
    // Hops by origin and beneficiary.
    let mut hops: BTreeMap<(u32, u32), Vec<Hop>> = BTreeMap::new();
    for (first_leg, first) in graph.edges.iter().enumerate() {
        for &second_leg in graph.outgoing_after(first.to, first.at_micros) {
            let second = &graph.edges[second_leg];
            if second.day_number >= first.day_number + settings.window_days {
                break;
            }
            let forwards_most =
                second.amount * 1_000_000 >= settings.min_forward_millionths * first.amount;
            if second.to == first.from || !forwards_most || second.amount > first.amount {
                continue;
            }
            hops.entry((first.from, second.to)).or_default().push(Hop {
                intermediary: first.to,
                first_leg,
                second_leg,
                last_day: second.day_number,
            });
        }
    }
    let mut alerts = Vec::new();
    for ((origin, beneficiary), hops) in hops {
        let trigger_days: BTreeSet<i64> = hops
            .iter()
            .map(|hop| hop.last_day)
            .filter(|day| (range.from_day()..=range.to_day()).contains(day))
            .collect();
        for day in trigger_days {
            // Each first leg once, however many pieces it was forwarded in.
            let mut first_legs: BTreeMap<&str, (usize, Vec<usize>)> = BTreeMap::new();
            let mut intermediaries = BTreeSet::new();
            for hop in hops
                .iter()
                .filter(|hop| hop.last_day <= day && hop.last_day > day - settings.window_days)
            {
                intermediaries.insert(hop.intermediary);
                first_legs
                    .entry(graph.transaction_id(hop.first_leg))
                    .or_insert((hop.first_leg, Vec::new()))
                    .1
                    .push(hop.second_leg);
            }
            let total: i128 = first_legs
                .values()
                .map(|(leg, _)| graph.edges[*leg].amount)
                .sum();
            if intermediaries.len() < settings.min_intermediaries
                || total < settings.min_total_cents
            {
                continue;
            }
            let first_ids: Vec<String> = first_legs.keys().map(|id| id.to_string()).collect();
            let second_ids = first_legs.values().flat_map(|(_, seconds)| {
                seconds
                    .iter()
                    .map(|&leg| graph.transaction_id(leg).to_string())
            });
            let origin_customer = first_legs
                .values()
                .next()
                .and_then(|(leg, _)| graph.customer_id(*leg));
            let origin_id = graph.accounts[origin as usize].clone();
            let beneficiary_id = graph.accounts[beneficiary as usize].clone();
            alerts.push(Alert {
                rule_id: "scatter_gather".into(),
                customer_id: origin_customer,
                account_id: Some(origin_id.clone()),
                business_date: date_of_day(day),
                score: (settings.score + 5 * (intermediaries.len() as i64 - settings.min_intermediaries as i64)).min(100),
                amount_usd_cents: Some(total),
                transaction_ids: first_ids.into_iter().chain(second_ids).collect(),
                account_ids: [origin_id, beneficiary_id.clone()]
                    .into_iter()
                    .chain(intermediaries.iter().map(|&index| graph.accounts[index as usize].clone()))
                    .collect(),
                reason: format!(
                    "USD {} sent through {} intermediaries on to account {beneficiary_id} within {} days",
                    format_decimal(total, 2),
                    intermediaries.len(),
                    settings.window_days
                ),
                subject_detail: None,
                suppressed_by: None,
            });
        }
    }
    alerts
}
