//! Alerts: what every rule produces, their stable ids, and their rows in `gold.aml_alerts`.

use std::sync::Arc;

use arrow::array::{ArrayRef, Date32Array, Decimal128Array, Int64Array, RecordBatch, StringArray};
use chrono::NaiveDate;
use paylake_catalog::rows::string_lists;
use paylake_catalog::{registry, Zone};
use sha2::{Digest, Sha256};

use super::config::AmlRules;
use crate::error::Result;
use crate::job::day_number;

/// One alert of one rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    pub rule_id: String,
    pub customer_id: Option<String>,
    pub account_id: Option<String>,
    pub business_date: NaiveDate,
    /// 0 to 100.
    pub score: i64,
    /// USD at scale 2.
    pub amount_usd_cents: Option<i128>,
    /// The evidence, in the order the rule gave it.
    pub transaction_ids: Vec<String>,
    /// Every account the evidence touches, sorted, the subject's first.
    pub account_ids: Vec<String>,
    /// One line a person can read.
    pub reason: String,
    /// What tells apart two alerts of one subject with the same evidence: a sanctions hit's
    /// party, entry and entry fingerprint. Part of the id.
    pub subject_detail: Option<String>,
    /// The suppression or whitelist decision in force for the alert: it is written, and opens
    /// no case.
    pub suppressed_by: Option<String>,
}

impl Alert {
    /// Stable across re-runs of the same inputs: the rule, the date, the subject account and the
    /// set of evidence transactions.
    pub fn alert_id(&self) -> String {
        let mut evidence = self.transaction_ids.clone();
        evidence.sort();
        evidence.dedup();
        let date = self.business_date.to_string();
        let subject = [
            self.rule_id.as_str(),
            &date,
            self.account_id.as_deref().unwrap_or(""),
            self.customer_id.as_deref().unwrap_or(""),
        ];
        let parts: Vec<&str> = subject
            .into_iter()
            .chain(self.subject_detail.as_deref())
            .chain(evidence.iter().map(String::as_str))
            .collect();
        let hex = stable_hex_id(&parts, 10);
        format!("AL-{}-{hex}", self.business_date.format("%Y%m%d"))
    }

    /// Puts the evidence accounts in a reader's order: the subject first, then the others sorted.
    pub fn normalise(mut self) -> Self {
        let mut others: Vec<String> = self
            .account_ids
            .drain(..)
            .filter(|id| Some(id) != self.account_id.as_ref())
            .collect();
        others.sort();
        others.dedup();
        self.account_ids = self.account_id.iter().cloned().chain(others).collect();
        self
    }
}

/// A hex id that depends only on `parts`, in order: the first `bytes` of their SHA-256, each
/// part ended by a NUL so that ("ab", "c") and ("a", "bc") differ.
pub fn stable_hex_id(parts: &[&str], bytes: usize) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part.as_bytes());
        hasher.update([0]);
    }
    hasher.finalize()[..bytes]
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// The rows of `gold.aml_alerts` for `alerts`, with the rules' version and parameters.
pub fn alerts_batch(alerts: &[Alert], rules: &AmlRules) -> Result<RecordBatch> {
    let table = registry().get(Zone::Gold, "aml_alerts")?;
    let text = |values: Vec<Option<String>>| -> ArrayRef { Arc::new(StringArray::from(values)) };
    let columns: Vec<ArrayRef> = vec![
        text(alerts.iter().map(|alert| Some(alert.alert_id())).collect()),
        text(
            alerts
                .iter()
                .map(|alert| Some(alert.rule_id.clone()))
                .collect(),
        ),
        text(alerts.iter().map(|_| Some(rules.version.clone())).collect()),
        text(
            alerts
                .iter()
                .map(|alert| Some(rules.parameters_json(&alert.rule_id)))
                .collect(),
        ),
        text(
            alerts
                .iter()
                .map(|alert| alert.customer_id.clone())
                .collect(),
        ),
        text(
            alerts
                .iter()
                .map(|alert| alert.account_id.clone())
                .collect(),
        ),
        Arc::new(Int64Array::from(
            alerts.iter().map(|alert| alert.score).collect::<Vec<_>>(),
        )),
        Arc::new(
            Decimal128Array::from(
                alerts
                    .iter()
                    .map(|alert| alert.amount_usd_cents)
                    .collect::<Vec<_>>(),
            )
            .with_precision_and_scale(18, 2)?,
        ),
        string_lists(alerts.iter().map(|alert| &alert.transaction_ids)),
        string_lists(alerts.iter().map(|alert| &alert.account_ids)),
        text(
            alerts
                .iter()
                .map(|alert| Some(alert.reason.clone()))
                .collect(),
        ),
        Arc::new(Date32Array::from(
            alerts
                .iter()
                .map(|alert| day_number(alert.business_date) as i32)
                .collect::<Vec<_>>(),
        )),
        text(
            alerts
                .iter()
                .map(|alert| alert.suppressed_by.clone())
                .collect(),
        ),
    ];
    debug_assert_eq!(columns.len(), table.schema.fields().len());
    // Columns in the registry's order; conforming names the list items as the table does.
    let names = table
        .schema
        .fields()
        .iter()
        .map(|field| field.name().clone());
    let batch = RecordBatch::try_from_iter(names.zip(columns))?;
    Ok(paylake_catalog::delta::conform_to_schema(
        &batch,
        &table.schema,
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alert(transaction_ids: &[&str]) -> Alert {
        Alert {
            rule_id: "fan_in".into(),
            customer_id: Some("C1".into()),
            account_id: Some("A1".into()),
            business_date: NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(),
            score: 55,
            amount_usd_cents: Some(100_000),
            transaction_ids: transaction_ids.iter().map(|id| id.to_string()).collect(),
            account_ids: vec!["A3".into(), "A1".into(), "A2".into(), "A3".into()],
            reason: "x".into(),
            subject_detail: None,
            suppressed_by: None,
        }
    }

    #[test]
    fn ids_depend_on_the_evidence_set_not_its_order() {
        assert_eq!(
            alert(&["T1", "T2"]).alert_id(),
            alert(&["T2", "T1"]).alert_id()
        );
        assert_ne!(alert(&["T1", "T2"]).alert_id(), alert(&["T1"]).alert_id());
        assert!(alert(&["T1"]).alert_id().starts_with("AL-20260302-"));
    }

    #[test]
    fn the_subject_account_comes_first_then_the_others_once_each() {
        assert_eq!(alert(&["T1"]).normalise().account_ids, ["A1", "A2", "A3"]);
    }

    #[test]
    fn alerts_become_rows_of_the_gold_table() {
        let batch = alerts_batch(&[alert(&["T1"])], &AmlRules::defaults()).unwrap();
        assert_eq!(batch.num_rows(), 1);
        assert_eq!(
            batch.schema(),
            registry().get(Zone::Gold, "aml_alerts").unwrap().schema
        );
    }
}
