//! The drawing of how money moved between accounts (a network alert's evidence in the AML
//! report, a case's evidence in the workbench): the accounts on a circle, an arrow per transfer
//! with its amount, the subject's own accounts highlighted. The layout is computed here, the
//! markup is the `money_flow` macro of `catalog/templates/money_flow.html`, which every page
//! environment of `pages::html_environment` holds.

use arrow::record_batch::RecordBatch;
use minijinja::{context, Value};

use crate::pages::cell;

/// One transfer between two accounts, its amount as exact decimal text.
pub struct Transfer {
    pub from: String,
    pub to: String,
    pub amount: String,
    pub currency: String,
}

const SIZE: u32 = 420;
const RADIUS: f64 = 160.0;
const NODE_RADIUS: u32 = 26;

impl Transfer {
    /// The transfer an evidence transaction records (columns `account_id`,
    /// `counterparty_account_id`, `transaction_type`, `amount`, `currency`), in the direction
    /// the money went; none without a counterparty.
    pub fn of_transaction(batch: &RecordBatch, row: usize) -> Option<Transfer> {
        let account = cell(batch, "account_id", row);
        let counterparty = cell(batch, "counterparty_account_id", row);
        if counterparty.is_empty() {
            return None;
        }
        let (from, to) = match cell(batch, "transaction_type", row).as_str() {
            "transfer_in" => (counterparty, account),
            _ => (account, counterparty),
        };
        Some(Transfer {
            from,
            to,
            amount: cell(batch, "amount", row),
            currency: cell(batch, "currency", row),
        })
    }
}

/// The layout of `transfers`; `subjects` are the accounts to highlight (the alert's, the
/// customer's).
pub fn money_flow(transfers: &[Transfer], subjects: &[String]) -> Value {
    let mut accounts: Vec<&str> = Vec::new();
    for transfer in transfers {
        for account in [transfer.from.as_str(), transfer.to.as_str()] {
            if !accounts.contains(&account) {
                accounts.push(account);
            }
        }
    }
    let centre = f64::from(SIZE) / 2.0;
    let position = |account: &str| {
        let index = accounts
            .iter()
            .position(|known| *known == account)
            .unwrap_or(0);
        let angle = std::f64::consts::TAU * index as f64 / accounts.len() as f64
            - std::f64::consts::FRAC_PI_2;
        (centre + RADIUS * angle.cos(), centre + RADIUS * angle.sin())
    };
    let coordinate = |value: f64| format!("{value:.1}");
    let node_radius = f64::from(NODE_RADIUS);
    let arrows: Vec<Value> = transfers
        .iter()
        .map(|transfer| {
            let (x1, y1) = position(&transfer.from);
            let (x2, y2) = position(&transfer.to);
            let length = ((x2 - x1).powi(2) + (y2 - y1).powi(2)).sqrt().max(1.0);
            // Arrows stop at the circles' edges.
            let (dx, dy) = ((x2 - x1) / length, (y2 - y1) / length);
            let (start_x, start_y) = (x1 + dx * node_radius, y1 + dy * node_radius);
            let (end_x, end_y) = (x2 - dx * node_radius, y2 - dy * node_radius);
            context! {
                x1 => coordinate(start_x),
                y1 => coordinate(start_y),
                x2 => coordinate(end_x),
                y2 => coordinate(end_y),
                label_x => coordinate((start_x + end_x) / 2.0),
                label_y => coordinate((start_y + end_y) / 2.0 - 3.0),
                currency => transfer.currency.clone(),
                amount => transfer.amount.clone(),
            }
        })
        .collect();
    let nodes: Vec<Value> = accounts
        .iter()
        .map(|account| {
            let (x, y) = position(account);
            context! {
                name => account.to_string(),
                x => coordinate(x),
                y => coordinate(y),
                label_y => coordinate(y + 3.0),
                subject => subjects.iter().any(|subject| subject == account),
            }
        })
        .collect();
    context! { size => SIZE, node_radius => NODE_RADIUS, accounts => nodes, arrows }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_account_is_drawn_once_and_every_transfer_is_an_arrow() {
        let transfers = [
            Transfer {
                from: "A1".into(),
                to: "A2".into(),
                amount: "100.00".into(),
                currency: "USD".into(),
            },
            Transfer {
                from: "A2".into(),
                to: "A1".into(),
                amount: "95.00".into(),
                currency: "USD".into(),
            },
        ];
        let flow = money_flow(&transfers, &["A1".to_string()]);
        let accounts = flow.get_attr("accounts").unwrap();
        assert_eq!(accounts.len(), Some(2));
        let subjects: Vec<bool> = accounts
            .try_iter()
            .unwrap()
            .map(|account| account.get_attr("subject").unwrap().is_true())
            .collect();
        assert_eq!(
            subjects,
            [true, false],
            "the alert's account is highlighted"
        );
        let arrows = flow.get_attr("arrows").unwrap();
        assert_eq!(arrows.len(), Some(2));
        assert_eq!(
            arrows
                .get_item(&Value::from(1))
                .unwrap()
                .get_attr("amount")
                .unwrap()
                .as_str(),
            Some("95.00")
        );
        // The first account sits at the top of the circle, the arrow leaving it starts at the
        // circle's edge below.
        assert_eq!(
            accounts
                .get_item(&Value::from(0))
                .unwrap()
                .get_attr("y")
                .unwrap()
                .as_str(),
            Some("50.0")
        );
        assert_eq!(
            money_flow(&[], &["A1".to_string()])
                .get_attr("accounts")
                .unwrap()
                .len(),
            Some(0)
        );
    }
}
