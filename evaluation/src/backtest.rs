//! Backtesting a candidate rules file: the suite run with it over a period of the lake's
//! history, publishing nothing, beside the alerts the live rules raised in that period. Per
//! rule: alerts added and removed (an alert's id depends on its rule, date, subject and
//! evidence, not on the thresholds, so the same finding has the same id under both), what
//! people decided about the removed ones (a removed alert whose case ended in a SAR is a loss,
//! listed first), alerts per day, and where the lake holds the simulator's truth, precision and
//! recall of both.

use std::collections::{BTreeMap, HashSet};

use arrow::array::{Array, AsArray};
use arrow::datatypes::{DataType, Date32Type};
use chrono::NaiveDate;
use chrono_tz::Tz;
use paylake_catalog::session::lake_session;
use paylake_catalog::Lake;
use paylake_transforms::aml::config::AmlRules;
use paylake_transforms::aml::rules::DateRange;
use paylake_transforms::aml::suite::detect;
use serde::Serialize;

use crate::simulator::{rule_of_typology, truth_of_lake, Truth};
use crate::{ratio, Result};

const ALERT_DISPOSITIONS_SQL: &str = "evaluation/alert_dispositions.sql";
const PERIOD_TRANSACTIONS_SQL: &str = "evaluation/period_transactions.sql";

/// Dispositions that mean the alert's case ended in a SAR: removing such an alert loses it.
const LOSSES: [&str; 2] = ["sar_filed", "sar_approved"];

/// An alert only one side raised.
#[derive(Debug, Clone, Serialize)]
pub struct ChangedAlert {
    pub alert_id: String,
    pub rule_id: String,
    pub business_date: NaiveDate,
    pub customer_id: Option<String>,
    pub account_id: Option<String>,
    /// For a removed alert: its case and what people decided (see
    /// `sql/evaluation/alert_dispositions.sql`); none for an added one.
    pub case_id: Option<String>,
    pub disposition: Option<String>,
    /// A removed alert whose case ended in a SAR.
    pub loss: bool,
}

/// One rule's backtest.
#[derive(Debug, Clone, Serialize)]
pub struct RuleBacktest {
    pub rule_id: String,
    pub live_alerts: usize,
    pub candidate_alerts: usize,
    pub added: usize,
    pub removed: usize,
    /// The removed alerts by disposition.
    pub removed_by_disposition: BTreeMap<String, usize>,
    pub losses: usize,
    pub live_per_day: f64,
    pub candidate_per_day: f64,
    /// Where the lake holds truth: alerts about the rule's own injected typology.
    pub live_precision: Option<f64>,
    pub candidate_precision: Option<f64>,
    /// Where the lake holds truth: the rule's injected cases of the period found.
    pub live_recall: Option<f64>,
    pub candidate_recall: Option<f64>,
}

/// A backtest of a candidate rules file over a period.
#[derive(Debug, Clone, Serialize)]
pub struct Backtest {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub days: usize,
    /// The rules versions the live alerts of the period were raised by.
    pub live_versions: Vec<String>,
    pub candidate_version: String,
    /// Whether the lake holds the simulator's truth (precision and recall are measured).
    pub truth: bool,
    pub rules: Vec<RuleBacktest>,
    /// Removed alerts, the losses first.
    pub removed: Vec<ChangedAlert>,
    pub added: Vec<ChangedAlert>,
}

impl Backtest {
    /// Removed alerts whose case ended in a SAR.
    pub fn losses(&self) -> usize {
        self.removed.iter().filter(|alert| alert.loss).count()
    }
}

/// A live alert of the period with what became of it.
struct LiveAlert {
    alert: ChangedAlert,
    rule_version: String,
    transaction_ids: Vec<String>,
}

/// An alert of either side, as truth judges it.
struct Judged<'a> {
    rule_id: &'a str,
    customer_id: Option<&'a str>,
    account_id: Option<&'a str>,
    business_date: NaiveDate,
    transaction_ids: &'a [String],
}

/// Runs `candidate` over `from..=to` of the lake and compares it with the live alerts.
pub async fn backtest(
    lake: &Lake,
    candidate: &AmlRules,
    from: NaiveDate,
    to: NaiveDate,
    timezone: Tz,
) -> Result<Backtest> {
    if to < from {
        return Err(crate::EvaluationError::Invalid(format!(
            "the period ends ({to}) before it starts ({from})"
        )));
    }
    let context = lake_session(lake).await?;
    let live = live_alerts(&context, from, to).await?;
    let range = DateRange { from, to, timezone };
    let candidate_alerts = detect(&context, &range, candidate).await?.alerts;
    let truth = truth_of_lake(lake).await?;
    let period_transactions = match &truth {
        Some(_) => period_transactions(&context, from, to, timezone).await?,
        None => HashSet::new(),
    };

    let live_ids: HashSet<&str> = live
        .iter()
        .map(|alert| alert.alert.alert_id.as_str())
        .collect();
    let candidate_ids: Vec<String> = candidate_alerts
        .iter()
        .map(|alert| alert.alert_id())
        .collect();
    let candidate_set: HashSet<&str> = candidate_ids.iter().map(String::as_str).collect();
    let mut removed: Vec<ChangedAlert> = live
        .iter()
        .filter(|alert| !candidate_set.contains(alert.alert.alert_id.as_str()))
        .map(|alert| alert.alert.clone())
        .collect();
    removed.sort_by(|a, b| {
        (!a.loss, a.business_date, &a.rule_id, &a.alert_id).cmp(&(
            !b.loss,
            b.business_date,
            &b.rule_id,
            &b.alert_id,
        ))
    });
    let added: Vec<ChangedAlert> = candidate_alerts
        .iter()
        .zip(&candidate_ids)
        .filter(|(_, id)| !live_ids.contains(id.as_str()))
        .map(|(alert, id)| ChangedAlert {
            alert_id: id.clone(),
            rule_id: alert.rule_id.clone(),
            business_date: alert.business_date,
            customer_id: alert.customer_id.clone(),
            account_id: alert.account_id.clone(),
            case_id: None,
            disposition: None,
            loss: false,
        })
        .collect();

    let days = ((to - from).num_days() + 1) as usize;
    let live_judged: Vec<Judged> = live
        .iter()
        .map(|alert| Judged {
            rule_id: &alert.alert.rule_id,
            customer_id: alert.alert.customer_id.as_deref(),
            account_id: alert.alert.account_id.as_deref(),
            business_date: alert.alert.business_date,
            transaction_ids: &alert.transaction_ids,
        })
        .collect();
    let candidate_judged: Vec<Judged> = candidate_alerts
        .iter()
        .map(|alert| Judged {
            rule_id: &alert.rule_id,
            customer_id: alert.customer_id.as_deref(),
            account_id: alert.account_id.as_deref(),
            business_date: alert.business_date,
            transaction_ids: &alert.transaction_ids,
        })
        .collect();
    let mut rule_ids: Vec<&str> = live_judged
        .iter()
        .chain(&candidate_judged)
        .map(|alert| alert.rule_id)
        .collect();
    rule_ids.sort();
    rule_ids.dedup();
    let rules = rule_ids
        .into_iter()
        .map(|rule_id| {
            let count = |alerts: &[Judged]| alerts.iter().filter(|a| a.rule_id == rule_id).count();
            let (live_count, candidate_count) = (count(&live_judged), count(&candidate_judged));
            let removed_here: Vec<&ChangedAlert> = removed
                .iter()
                .filter(|alert| alert.rule_id == rule_id)
                .collect();
            let mut removed_by_disposition = BTreeMap::new();
            for alert in &removed_here {
                let disposition = alert.disposition.clone().unwrap_or_default();
                *removed_by_disposition.entry(disposition).or_default() += 1;
            }
            let scores = |alerts: &[Judged]| match &truth {
                Some(truth) => judge(truth, &period_transactions, rule_id, alerts, from, to),
                None => (None, None),
            };
            let (live_precision, live_recall) = scores(&live_judged);
            let (candidate_precision, candidate_recall) = scores(&candidate_judged);
            RuleBacktest {
                rule_id: rule_id.to_string(),
                live_alerts: live_count,
                candidate_alerts: candidate_count,
                added: added
                    .iter()
                    .filter(|alert| alert.rule_id == rule_id)
                    .count(),
                removed: removed_here.len(),
                losses: removed_here.iter().filter(|alert| alert.loss).count(),
                removed_by_disposition,
                live_per_day: live_count as f64 / days as f64,
                candidate_per_day: candidate_count as f64 / days as f64,
                live_precision,
                candidate_precision,
                live_recall,
                candidate_recall,
            }
        })
        .collect();
    let mut live_versions: Vec<String> = live
        .iter()
        .map(|alert| alert.rule_version.clone())
        .collect();
    live_versions.sort();
    live_versions.dedup();
    Ok(Backtest {
        from,
        to,
        days,
        live_versions,
        candidate_version: candidate.version.clone(),
        truth: truth.is_some(),
        rules,
        removed,
        added,
    })
}

/// Precision and recall of one rule's alerts against the truth: an alert is right when its
/// evidence is of an injected case of the rule's typology (for `ctr`, a CTR day of the truth);
/// a case of the period (one of its transactions created in it) is found by an alert of the
/// rule on its subject account sharing a transaction.
fn judge(
    truth: &Truth,
    period_transactions: &HashSet<String>,
    rule_id: &str,
    alerts: &[Judged],
    from: NaiveDate,
    to: NaiveDate,
) -> (Option<f64>, Option<f64>) {
    let alerts: Vec<&Judged> = alerts
        .iter()
        .filter(|alert| alert.rule_id == rule_id)
        .collect();
    if rule_id == "ctr" {
        let days: HashSet<(&str, NaiveDate)> = truth
            .ctr_days
            .iter()
            .filter(|(_, date)| (from..=to).contains(date))
            .map(|(customer, date)| (customer.as_str(), *date))
            .collect();
        let alerted: HashSet<(&str, NaiveDate)> = alerts
            .iter()
            .filter_map(|alert| Some((alert.customer_id?, alert.business_date)))
            .collect();
        let right = alerts
            .iter()
            .filter(|alert| {
                alert
                    .customer_id
                    .is_some_and(|customer| days.contains(&(customer, alert.business_date)))
            })
            .count();
        let found = days.iter().filter(|day| alerted.contains(day)).count();
        return (ratio(right, alerts.len()), ratio(found, days.len()));
    }
    let cases: Vec<_> = truth
        .cases
        .iter()
        .filter(|case| rule_of_typology(&case.typology) == rule_id)
        .collect();
    let injected: HashSet<&String> = cases
        .iter()
        .flat_map(|case| &case.transaction_ids)
        .collect();
    let right = alerts
        .iter()
        .filter(|alert| alert.transaction_ids.iter().any(|id| injected.contains(id)))
        .count();
    let in_period: Vec<_> = cases
        .iter()
        .filter(|case| {
            case.transaction_ids
                .iter()
                .any(|id| period_transactions.contains(id))
        })
        .collect();
    let found = in_period
        .iter()
        .filter(|case| {
            alerts.iter().any(|alert| {
                alert.account_id == Some(case.subject_account.as_str())
                    && alert
                        .transaction_ids
                        .iter()
                        .any(|id| case.transaction_ids.contains(id))
            })
        })
        .count();
    (ratio(right, alerts.len()), ratio(found, in_period.len()))
}

async fn live_alerts(
    context: &datafusion::prelude::SessionContext,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<LiveAlert>> {
    let sql = paylake_catalog::sql::render(
        ALERT_DISPOSITIONS_SQL,
        &[("from", from.to_string()), ("to", to.to_string())],
    )?;
    let mut alerts = Vec::new();
    for batch in context.sql(&sql).await?.collect().await? {
        let text = |name: &str| -> Result<arrow::array::ArrayRef> {
            let column = batch.column_by_name(name).ok_or_else(|| {
                crate::EvaluationError::Invalid(format!(
                    "{ALERT_DISPOSITIONS_SQL} returns no {name}"
                ))
            })?;
            Ok(arrow::compute::cast(column, &DataType::Utf8)?)
        };
        let columns = [
            "alert_id",
            "rule_id",
            "rule_version",
            "customer_id",
            "account_id",
            "case_id",
            "disposition",
        ]
        .map(text);
        let [ids, rules, versions, customers, accounts, cases, dispositions] = columns;
        let (ids, rules, versions, customers, accounts, cases, dispositions) = (
            ids?,
            rules?,
            versions?,
            customers?,
            accounts?,
            cases?,
            dispositions?,
        );
        let value = |array: &arrow::array::ArrayRef, row: usize| {
            let array = array.as_string::<i32>();
            array.is_valid(row).then(|| array.value(row).to_string())
        };
        let dates = batch
            .column_by_name("business_date")
            .map(|column| column.as_primitive::<Date32Type>().clone());
        let lists = batch
            .column_by_name("transaction_ids")
            .map(paylake_catalog::rows::text_lists_of)
            .transpose()?;
        for row in 0..batch.num_rows() {
            let Some(business_date) = dates.as_ref().and_then(|dates| dates.value_as_date(row))
            else {
                continue;
            };
            let disposition = value(&dispositions, row);
            let transaction_ids = lists
                .as_ref()
                .map(|lists| lists[row].clone())
                .unwrap_or_default();
            alerts.push(LiveAlert {
                alert: ChangedAlert {
                    alert_id: value(&ids, row).unwrap_or_default(),
                    rule_id: value(&rules, row).unwrap_or_default(),
                    business_date,
                    customer_id: value(&customers, row),
                    account_id: value(&accounts, row),
                    case_id: value(&cases, row),
                    loss: disposition
                        .as_deref()
                        .is_some_and(|disposition| LOSSES.contains(&disposition)),
                    disposition,
                },
                rule_version: value(&versions, row).unwrap_or_default(),
                transaction_ids,
            });
        }
    }
    Ok(alerts)
}

async fn period_transactions(
    context: &datafusion::prelude::SessionContext,
    from: NaiveDate,
    to: NaiveDate,
    timezone: Tz,
) -> Result<HashSet<String>> {
    let mut parameters = vec![
        ("from".to_string(), from.to_string()),
        ("to".to_string(), to.to_string()),
        ("timezone".to_string(), timezone.name().to_string()),
    ];
    parameters.extend(paylake_transforms::job::creation_bounds(from, to));
    let sql = paylake_catalog::sql::render(PERIOD_TRANSACTIONS_SQL, &parameters)?;
    let mut ids = HashSet::new();
    for batch in context.sql(&sql).await?.collect().await? {
        let column = arrow::compute::cast(batch.column(0), &DataType::Utf8)?;
        ids.extend(
            column
                .as_string::<i32>()
                .iter()
                .flatten()
                .map(str::to_string),
        );
    }
    Ok(ids)
}
