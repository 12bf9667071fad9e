//! A drawing (inline SVG) of how money moved between the accounts of a network alert: the
//! accounts on a circle, an arrow per evidence transfer with its amount, the alert's own
//! account highlighted.

use std::fmt::Write as _;

use crate::html::escape;

/// One transfer between two accounts, its amount as exact decimal text.
pub struct Transfer {
    pub from: String,
    pub to: String,
    pub amount: String,
    pub currency: String,
}

const SIZE: f64 = 420.0;
const RADIUS: f64 = 160.0;
const NODE_RADIUS: f64 = 26.0;

/// The drawing of `transfers`; `subject` is the alert's account.
pub fn money_flow(transfers: &[Transfer], subject: &str) -> String {
    let mut accounts: Vec<&str> = Vec::new();
    for transfer in transfers {
        for account in [transfer.from.as_str(), transfer.to.as_str()] {
            if !accounts.contains(&account) {
                accounts.push(account);
            }
        }
    }
    if accounts.is_empty() {
        return "<p class=\"none\">No transfer among the evidence to draw.</p>".to_string();
    }
    let centre = SIZE / 2.0;
    let position = |account: &str| {
        let index = accounts
            .iter()
            .position(|known| *known == account)
            .unwrap_or(0);
        let angle = std::f64::consts::TAU * index as f64 / accounts.len() as f64
            - std::f64::consts::FRAC_PI_2;
        (centre + RADIUS * angle.cos(), centre + RADIUS * angle.sin())
    };
    let mut svg = format!(
        "<svg class=\"flow\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"{SIZE}\" \
         height=\"{SIZE}\" viewBox=\"0 0 {SIZE} {SIZE}\" font-size=\"10\">\
         <defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" \
         markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\">\
         <path d=\"M 0 0 L 10 5 L 0 10 z\" fill=\"#57606a\"/></marker></defs>"
    );
    for transfer in transfers {
        let (x1, y1) = position(&transfer.from);
        let (x2, y2) = position(&transfer.to);
        let length = ((x2 - x1).powi(2) + (y2 - y1).powi(2)).sqrt().max(1.0);
        // Arrows stop at the circles' edges.
        let (dx, dy) = ((x2 - x1) / length, (y2 - y1) / length);
        let (start_x, start_y) = (x1 + dx * NODE_RADIUS, y1 + dy * NODE_RADIUS);
        let (end_x, end_y) = (x2 - dx * NODE_RADIUS, y2 - dy * NODE_RADIUS);
        let _ = write!(
            svg,
            "<line x1=\"{start_x:.1}\" y1=\"{start_y:.1}\" x2=\"{end_x:.1}\" y2=\"{end_y:.1}\" \
             stroke=\"#57606a\" stroke-width=\"1.5\" marker-end=\"url(#arrow)\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#1b1f24\">{} {}</text>",
            (start_x + end_x) / 2.0,
            (start_y + end_y) / 2.0 - 3.0,
            escape(&transfer.currency),
            escape(&transfer.amount),
        );
    }
    for account in &accounts {
        let (x, y) = position(account);
        let fill = if *account == subject {
            "#f6c343"
        } else {
            "#dbe9f6"
        };
        let _ = write!(
            svg,
            "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"{NODE_RADIUS}\" fill=\"{fill}\" \
             stroke=\"#3b82c4\"><title>{name}</title></circle>\
             <text x=\"{x:.1}\" y=\"{label_y:.1}\" text-anchor=\"middle\">{name}</text>",
            name = escape(account),
            label_y = y + 3.0,
        );
    }
    svg.push_str("</svg>");
    svg
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
        let svg = money_flow(&transfers, "A1");
        assert_eq!(svg.matches("<circle").count(), 2);
        assert_eq!(svg.matches("marker-end").count(), 2);
        assert!(svg.contains("USD 95.00"));
        assert!(svg.contains("#f6c343"), "the subject is highlighted");
        assert!(money_flow(&[], "A1").contains("No transfer"));
    }
}
