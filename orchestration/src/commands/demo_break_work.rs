//! The demo's finance people: a clerk works the reconciliation breaks of the last date through
//! the same actions as `paylake break` (a manual match, a small write-off decided alone, a
//! large one waiting for the controller), so that the finance queue holds breaks in each state
//! and the next reconciliation shows the decisions.

use paylake_catalog::Lake;
use paylake_decisions::breaks::{act_on_break, open_breaks, BreakRequest, BreakWork};
use paylake_decisions::Actor;

use super::demo_case_work::DEMO_FINANCE;
use crate::config::Settings;
use crate::error::Result;

/// Works the open breaks of the latest reconciled date; returns a line per decision.
pub async fn play_break_work(settings: &Settings, lake: &Lake) -> Result<Vec<String>> {
    let access = settings.access()?;
    let threshold = settings
        .finance_rules()?
        .breaks
        .write_off_approval_above_usd;
    let clerk = Actor {
        user: DEMO_FINANCE.to_string(),
        role: "finance".to_string(),
    };
    let breaks = open_breaks(lake, None).await?;
    let mut lines = Vec::new();
    let mut matched = false;
    let mut small_written_off = false;
    let mut large_asked = false;
    for open in breaks
        .iter()
        .filter(|open| open.category != "timing_pending")
    {
        let amount_usd = open.amount_usd.unwrap_or(i128::MAX);
        let below = paylake_catalog::money::parse_decimal(&threshold, 2)
            .is_ok_and(|limit| amount_usd <= limit);
        let work = if !matched && open.category.starts_with("missing_in_") {
            matched = true;
            BreakWork::Match {
                counter_item: format!("ADJ-{}-{}", open.business_date, &open.break_id[..6]),
                note: "The processor booked this payment in its adjustment file, not in the \
                       settlement batch; their support confirmed the line."
                    .to_string(),
            }
        } else if !small_written_off && below {
            small_written_off = true;
            BreakWork::WriteOff {
                note: "Rounding on the processor's side; below the threshold, not worth a claim."
                    .to_string(),
            }
        } else if !large_asked && !below {
            large_asked = true;
            BreakWork::WriteOff {
                note: "The processor charged the payment twice and refunded the customer \
                       directly; nothing to recover from them."
                    .to_string(),
            }
        } else {
            continue;
        };
        for work in [
            BreakWork::Assign {
                assignee: DEMO_FINANCE.to_string(),
            },
            work,
        ] {
            let request = BreakRequest {
                break_id: open.break_id.clone(),
                expected_state: None,
                work,
            };
            let event = act_on_break(lake, &access, &clerk, &request, &threshold).await?;
            if event.action != paylake_decisions::breaks::BreakAction::Assign {
                lines.push(format!(
                    "break {} ({}, {} {}): {} by {DEMO_FINANCE}",
                    open.break_id,
                    open.category,
                    open.columns.get("amount").map_or("", String::as_str),
                    open.currency.as_deref().unwrap_or(""),
                    event.to_state
                ));
            }
        }
    }
    Ok(lines)
}
