//! The suppression and whitelist decisions in force on a date
//! (`sql/decisions/suppressions_in_force.sql`, written by people through `paylake aml
//! suppress` or the workbench), applied to the date's alerts: an alert they cover is still
//! written, with the decision's id in `suppressed_by`, and opens no case.

use arrow::array::{Array, AsArray};
use arrow::datatypes::{DataType, Int64Type};
use datafusion::prelude::SessionContext;

use super::alerts::Alert;
use super::sanctions_alerts::{SanctionsAlert, SANCTIONS_RULE_ID};
use crate::error::Result;
use crate::job::BusinessDay;

const SUPPRESSIONS_IN_FORCE_SQL: &str = "decisions/suppressions_in_force.sql";

/// The SQL files read, below `sql/`.
pub const SQL_FILES: [&str; 1] = [SUPPRESSIONS_IN_FORCE_SQL];

/// A decision in force.
#[derive(Debug, Clone, Default)]
pub struct Suppression {
    pub decision_id: String,
    /// `suppress_rule` or `whitelist`.
    pub kind: String,
    pub customer_id: Option<String>,
    pub counterparty_name: Option<String>,
    pub rule_id: Option<String>,
    pub ent_num: Option<i64>,
    pub entry_fingerprint: Option<String>,
}

/// The decisions in force on the date.
pub async fn suppressions_in_force(
    context: &SessionContext,
    day: &BusinessDay,
) -> Result<Vec<Suppression>> {
    let sql = day.render::<&str>(SUPPRESSIONS_IN_FORCE_SQL, &[])?;
    let mut found = Vec::new();
    for batch in context.sql(&sql).await?.collect().await? {
        let text = |index: usize| arrow::compute::cast(batch.column(index), &DataType::Utf8);
        let columns = (0..7)
            .map(|index| match index {
                5 => arrow::compute::cast(batch.column(index), &DataType::Int64),
                _ => text(index),
            })
            .collect::<std::result::Result<Vec<_>, _>>()?;
        let value = |index: usize, row: usize| {
            let array = columns[index].as_string::<i32>();
            array.is_valid(row).then(|| array.value(row).to_string())
        };
        for row in 0..batch.num_rows() {
            let ent_nums = columns[5].as_primitive::<Int64Type>();
            found.push(Suppression {
                decision_id: value(0, row).unwrap_or_default(),
                kind: value(1, row).unwrap_or_default(),
                customer_id: value(2, row),
                counterparty_name: value(3, row),
                rule_id: value(4, row),
                ent_num: ent_nums.is_valid(row).then(|| ent_nums.value(row)),
                entry_fingerprint: value(6, row),
            });
        }
    }
    Ok(found)
}

/// Marks the alerts of rules a decision suppresses for their customer.
pub fn mark_suppressed(alerts: &mut [Alert], suppressions: &[Suppression]) {
    for alert in alerts.iter_mut() {
        alert.suppressed_by = suppressions
            .iter()
            .find(|decision| {
                decision.kind == "suppress_rule"
                    && decision.rule_id.as_deref() == Some(alert.rule_id.as_str())
                    && decision.customer_id.is_some()
                    && decision.customer_id == alert.customer_id
            })
            .map(|decision| decision.decision_id.clone());
    }
}

/// Marks the sanctions alerts a whitelist covers: the same party, the same entry, and the entry
/// as it was when whitelisted (a changed entry ends the whitelist). A rule suppression of
/// `sanctions_screening` for the customer covers them too.
pub fn mark_whitelisted(alerts: &mut [SanctionsAlert], suppressions: &[Suppression]) {
    for hit in alerts.iter_mut() {
        let whitelist = suppressions.iter().find(|decision| {
            decision.kind == "whitelist"
                && decision.ent_num == Some(hit.ent_num)
                && decision.entry_fingerprint.as_deref() == Some(hit.fingerprint.as_str())
                && match (&hit.alert.customer_id, &hit.counterparty_name) {
                    (Some(customer), _) => decision.customer_id.as_ref() == Some(customer),
                    (None, Some(name)) => decision.counterparty_name.as_ref() == Some(name),
                    (None, None) => false,
                }
        });
        hit.alert.suppressed_by = whitelist.map(|decision| decision.decision_id.clone());
        if hit.alert.suppressed_by.is_none() {
            mark_suppressed(std::slice::from_mut(&mut hit.alert), suppressions);
        }
        debug_assert_eq!(hit.alert.rule_id, SANCTIONS_RULE_ID);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn alert(rule_id: &str, customer: &str) -> Alert {
        Alert {
            rule_id: rule_id.into(),
            customer_id: Some(customer.into()),
            account_id: None,
            business_date: NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(),
            score: 50,
            amount_usd_cents: None,
            transaction_ids: Vec::new(),
            account_ids: Vec::new(),
            reason: String::new(),
            subject_detail: None,
            suppressed_by: None,
        }
    }

    #[test]
    fn a_whitelist_holds_for_its_party_and_entry_as_it_was_and_a_rule_suppression_for_its_rule() {
        let decisions = vec![
            Suppression {
                decision_id: "WL-0001".into(),
                kind: "whitelist".into(),
                customer_id: Some("C1".into()),
                ent_num: Some(7),
                entry_fingerprint: Some("f1".into()),
                ..Suppression::default()
            },
            Suppression {
                decision_id: "SUP-0002".into(),
                kind: "suppress_rule".into(),
                customer_id: Some("C2".into()),
                rule_id: Some("velocity_spike".into()),
                ..Suppression::default()
            },
        ];
        let hit = |customer: &str, ent_num: i64, fingerprint: &str| SanctionsAlert {
            alert: alert(SANCTIONS_RULE_ID, customer),
            counterparty_name: None,
            ent_num,
            fingerprint: fingerprint.into(),
        };
        let mut hits = vec![
            hit("C1", 7, "f1"),
            hit("C1", 7, "f2"),
            hit("C1", 8, "f1"),
            hit("C3", 7, "f1"),
        ];
        mark_whitelisted(&mut hits, &decisions);
        let marks: Vec<_> = hits
            .iter()
            .map(|hit| hit.alert.suppressed_by.as_deref())
            .collect();
        assert_eq!(marks, [Some("WL-0001"), None, None, None]);

        let mut alerts = vec![
            alert("velocity_spike", "C2"),
            alert("structuring", "C2"),
            alert("velocity_spike", "C1"),
        ];
        mark_suppressed(&mut alerts, &decisions);
        let marks: Vec<_> = alerts
            .iter()
            .map(|alert| alert.suppressed_by.as_deref())
            .collect();
        assert_eq!(marks, [Some("SUP-0002"), None, None]);
    }
}
