//! Evaluation against the simulator's truth (`landing/_truth/`), strict: a case counts as found
//! only when an alert of its typology's rule names the case's subject account and shares a
//! transaction with it (recall per typology); an alert counts as right only when it shares a
//! transaction with a case of its own typology, or, for the CTR rule, when its customer had a
//! cash day over the threshold on its date (precision per rule). A typology without cases and a
//! rule without alerts have no figure, not a perfect one.

use std::collections::{BTreeMap, HashSet};

use arrow::array::{Array, AsArray};
use arrow::datatypes::DataType;
use chrono::NaiveDate;
use datafusion::prelude::SessionContext;
use paylake_catalog::{lake_session, Lake};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::error::{EvaluationError, Result};
use crate::{ratio, Scores};

const TRUTH_FOLDER: &str = "landing/_truth";
/// The name the screening goes by in the evaluation, beside the rules.
const SCREENING: &str = "sanctions_screening";

/// The rule expected to find each injected typology. The overall figures are those of the
/// rules; screening is reported beside them.
pub fn rule_of_typology(typology: &str) -> &str {
    match typology {
        "rapid_pass_through" => "rapid_movement",
        other => other,
    }
}

#[derive(Debug, Clone)]
pub(crate) struct TruthCase {
    pub(crate) typology: String,
    /// The account at the centre of the case: the first of the truth's accounts.
    pub(crate) subject_account: String,
    pub(crate) transaction_ids: HashSet<String>,
}

/// What the simulator injected into a lake: its typology cases and its CTR days.
pub(crate) struct Truth {
    pub(crate) cases: Vec<TruthCase>,
    pub(crate) ctr_days: Vec<(String, NaiveDate)>,
}

/// The lake's truth, or `None` for a lake the simulator did not write.
pub(crate) async fn truth_of_lake(lake: &Lake) -> Result<Option<Truth>> {
    if read_truth_if_written::<TypologyRow>(lake, "typologies.csv")
        .await?
        .is_none()
    {
        return Ok(None);
    }
    Ok(Some(Truth {
        cases: read_cases(lake).await?,
        ctr_days: read_ctr_days(lake).await?,
    }))
}

#[derive(Debug, Clone)]
struct StoredAlert {
    rule_id: String,
    customer_id: String,
    account_id: Option<String>,
    business_date: NaiveDate,
    transaction_ids: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TypologyRecall {
    pub typology: String,
    pub rule_id: String,
    pub cases: usize,
    pub found: usize,
    /// `None` when no case of the typology was injected.
    pub recall: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RulePrecision {
    pub rule_id: String,
    pub alerts: usize,
    pub about_injected_activity: usize,
    /// Alerts on a legitimate look-alike's activity.
    pub on_lookalikes: usize,
    /// `None` when the rule raised no alert.
    pub precision: Option<f64>,
    /// The share of the lake's accounts the rule alerted on, over every date: how much of the
    /// population it flags.
    pub share_of_accounts: Option<f64>,
}

/// How often the legitimate look-alikes of one behaviour were alerted on.
#[derive(Debug, Clone, Serialize)]
pub struct LookAlikeAlerts {
    pub behaviour: String,
    /// The rule the behaviour comes near.
    pub resembles: String,
    /// Days of the behaviour's activity.
    pub activities: usize,
    /// Those an alert of any rule shares a transaction with: false positives.
    pub alerted: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct LakeEvaluation {
    pub by_typology: Vec<TypologyRecall>,
    pub by_rule: Vec<RulePrecision>,
    pub lookalikes: Vec<LookAlikeAlerts>,
    pub overall: Scores,
}

/// Compares `gold.aml_alerts` of every date with the simulator's truth in the lake.
pub async fn evaluate_lake(lake: &Lake) -> Result<LakeEvaluation> {
    let cases = read_cases(lake).await?;
    let ctr_days = read_ctr_days(lake).await?;
    let context = lake_session(lake).await?;
    let alerts = read_alerts(&context).await?;
    let population = count_accounts(&context).await?;

    let mut by_typology: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for case in &cases {
        let rule_id = rule_of_typology(&case.typology);
        let found = alerts.iter().any(|alert| {
            alert.rule_id == rule_id
                && alert.account_id.as_deref() == Some(case.subject_account.as_str())
                && alert
                    .transaction_ids
                    .iter()
                    .any(|id| case.transaction_ids.contains(id))
        });
        let entry = by_typology.entry(case.typology.clone()).or_default();
        entry.0 += 1;
        entry.1 += usize::from(found);
    }
    // CTR cases: a customer's cash day over the threshold, found by a ctr alert of that day.
    let ctr_alert_days: HashSet<(String, NaiveDate)> = alerts
        .iter()
        .filter(|alert| alert.rule_id == "ctr")
        .map(|alert| (alert.customer_id.clone(), alert.business_date))
        .collect();
    let ctr_found = ctr_days
        .iter()
        .filter(|day| ctr_alert_days.contains(day))
        .count();
    by_typology.insert("ctr".into(), (ctr_days.len(), ctr_found));

    // Sanctions: every customer named after a listed individual is hit on its entry.
    let sanctioned = read_sanctions_truth(lake).await?;
    let hits = read_hits(&context).await?;
    let sanctions_found = sanctioned.iter().filter(|case| hits.contains(case)).count();
    by_typology.insert(SCREENING.into(), (sanctioned.len(), sanctions_found));

    // The transactions of each rule's cases: an alert is right only on its own typology's.
    let mut case_transactions_by_rule: BTreeMap<&str, HashSet<&String>> = BTreeMap::new();
    for case in &cases {
        case_transactions_by_rule
            .entry(rule_of_typology(&case.typology))
            .or_default()
            .extend(&case.transaction_ids);
    }
    let ctr_day_set: HashSet<&(String, NaiveDate)> = ctr_days.iter().collect();
    let look_alikes = read_lookalikes(lake).await?;
    let look_alike_transactions: HashSet<&String> = look_alikes
        .iter()
        .flat_map(|activity| &activity.transaction_ids)
        .collect();
    let mut on_lookalikes: BTreeMap<String, usize> = BTreeMap::new();
    let mut accounts_alerted: BTreeMap<String, HashSet<&str>> = BTreeMap::new();
    let mut by_rule: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for alert in &alerts {
        if let Some(account) = &alert.account_id {
            accounts_alerted
                .entry(alert.rule_id.clone())
                .or_default()
                .insert(account);
        }
        if alert
            .transaction_ids
            .iter()
            .any(|id| look_alike_transactions.contains(id))
        {
            *on_lookalikes.entry(alert.rule_id.clone()).or_default() += 1;
        }
        let about_injected = if alert.rule_id == "ctr" {
            ctr_day_set.contains(&(alert.customer_id.clone(), alert.business_date))
        } else {
            case_transactions_by_rule
                .get(alert.rule_id.as_str())
                .is_some_and(|injected| {
                    alert.transaction_ids.iter().any(|id| injected.contains(id))
                })
        };
        let entry = by_rule.entry(alert.rule_id.clone()).or_default();
        entry.0 += 1;
        entry.1 += usize::from(about_injected);
    }

    by_rule.insert(
        SCREENING.into(),
        (
            hits.len(),
            hits.iter().filter(|hit| sanctioned.contains(hit)).count(),
        ),
    );

    let (cases_total, cases_found) = by_typology
        .iter()
        .filter(|(typology, _)| typology.as_str() != SCREENING)
        .map(|(_, counts)| counts)
        .fold((0, 0), |(total, found), (cases, hits)| {
            (total + cases, found + hits)
        });
    let (alerts_total, alerts_true) = by_rule
        .iter()
        .filter(|(rule_id, _)| rule_id.as_str() != SCREENING)
        .map(|(_, counts)| counts)
        .fold((0, 0), |(total, good), (alerts, hits)| {
            (total + alerts, good + hits)
        });
    let overall = Scores::from_rates(
        ratio(alerts_true, alerts_total),
        ratio(cases_found, cases_total),
    );
    Ok(LakeEvaluation {
        by_typology: by_typology
            .into_iter()
            .map(|(typology, (cases, found))| TypologyRecall {
                rule_id: rule_of_typology(&typology).to_string(),
                recall: ratio(found, cases),
                typology,
                cases,
                found,
            })
            .collect(),
        by_rule: by_rule
            .into_iter()
            .map(|(rule_id, (alerts, good))| RulePrecision {
                precision: ratio(good, alerts),
                on_lookalikes: on_lookalikes.get(&rule_id).copied().unwrap_or_default(),
                // Screening's hits name customers, not accounts.
                share_of_accounts: (rule_id != SCREENING)
                    .then(|| {
                        ratio(
                            accounts_alerted.get(&rule_id).map_or(0, HashSet::len),
                            population,
                        )
                    })
                    .flatten(),
                rule_id,
                alerts,
                about_injected_activity: good,
            })
            .collect(),
        lookalikes: look_alike_alerts(&look_alikes, &alerts),
        overall,
    })
}

/// The rows of a truth file, read by its column names.
async fn read_truth<T: DeserializeOwned>(lake: &Lake, name: &str) -> Result<Vec<T>> {
    read_truth_if_written(lake, name).await?.ok_or_else(|| {
        EvaluationError::Invalid(format!(
            "{TRUTH_FOLDER}/{name} is not in the lake {}: the truth comes with simulated sources (paylake simulate)",
            lake.root()
        ))
    })
}

/// The rows of a truth file, or `None` when the simulation that wrote the lake did not write
/// that file (a later addition to the truth).
async fn read_truth_if_written<T: DeserializeOwned>(
    lake: &Lake,
    name: &str,
) -> Result<Option<Vec<T>>> {
    let relative = format!("{TRUTH_FOLDER}/{name}");
    let Some(bytes) = lake.read_file(&relative).await? else {
        return Ok(None);
    };
    csv::Reader::from_reader(bytes.as_slice())
        .deserialize()
        .collect::<std::result::Result<Vec<T>, _>>()
        .map(Some)
        .map_err(|err| EvaluationError::Invalid(format!("{relative}: {err}")))
}

#[derive(Deserialize)]
struct TypologyRow {
    typology: String,
    /// Space-separated, the subject first.
    account_ids: String,
    /// Space-separated.
    transaction_ids: String,
}

#[derive(Deserialize)]
struct CtrRow {
    business_date: NaiveDate,
    customer_id: String,
}

#[derive(Deserialize)]
struct SanctionsRow {
    customer_id: String,
    sdn_ent_num: i64,
}

async fn read_cases(lake: &Lake) -> Result<Vec<TruthCase>> {
    Ok(read_truth::<TypologyRow>(lake, "typologies.csv")
        .await?
        .into_iter()
        .map(|row| TruthCase {
            subject_account: row
                .account_ids
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .to_string(),
            transaction_ids: row
                .transaction_ids
                .split_whitespace()
                .map(str::to_string)
                .collect(),
            typology: row.typology,
        })
        .collect())
}

#[derive(Deserialize)]
struct LookAlikeRow {
    behaviour: String,
    resembles: String,
    /// Space-separated.
    transaction_ids: String,
}

struct LookAlikeActivity {
    behaviour: String,
    resembles: String,
    transaction_ids: HashSet<String>,
}

/// The legitimate look-alikes' activity; none in a lake simulated before they existed.
async fn read_lookalikes(lake: &Lake) -> Result<Vec<LookAlikeActivity>> {
    let rows = read_truth_if_written::<LookAlikeRow>(lake, "lookalikes.csv").await?;
    Ok(rows
        .unwrap_or_default()
        .into_iter()
        .map(|row| LookAlikeActivity {
            behaviour: row.behaviour,
            resembles: row.resembles,
            transaction_ids: row
                .transaction_ids
                .split_whitespace()
                .map(str::to_string)
                .collect(),
        })
        .collect())
}

/// Per behaviour: its activities, and those an alert shares a transaction with.
fn look_alike_alerts(
    activities: &[LookAlikeActivity],
    alerts: &[StoredAlert],
) -> Vec<LookAlikeAlerts> {
    let alerted_transactions: HashSet<&String> = alerts
        .iter()
        .flat_map(|alert| &alert.transaction_ids)
        .collect();
    let mut by_behaviour: BTreeMap<(&str, &str), (usize, usize)> = BTreeMap::new();
    for activity in activities {
        let entry = by_behaviour
            .entry((&activity.behaviour, &activity.resembles))
            .or_default();
        entry.0 += 1;
        entry.1 += usize::from(
            activity
                .transaction_ids
                .iter()
                .any(|id| alerted_transactions.contains(id)),
        );
    }
    by_behaviour
        .into_iter()
        .map(
            |((behaviour, resembles), (activities, alerted))| LookAlikeAlerts {
                behaviour: behaviour.to_string(),
                resembles: resembles.to_string(),
                activities,
                alerted,
            },
        )
        .collect()
}

async fn read_ctr_days(lake: &Lake) -> Result<Vec<(String, NaiveDate)>> {
    let mut days: Vec<(String, NaiveDate)> = read_truth::<CtrRow>(lake, "ctr_candidates.csv")
        .await?
        .into_iter()
        .map(|row| (row.customer_id, row.business_date))
        .collect();
    days.sort();
    days.dedup();
    Ok(days)
}

/// (customer, SDN entry) of each customer the simulator named after a listed individual.
async fn read_sanctions_truth(lake: &Lake) -> Result<HashSet<(String, i64)>> {
    Ok(read_truth::<SanctionsRow>(lake, "sanctions_matches.csv")
        .await?
        .into_iter()
        .map(|row| (row.customer_id, row.sdn_ent_num))
        .collect())
}

/// Distinct (customer, SDN entry) of `gold.sanctions_hits` over every date.
async fn read_hits(context: &SessionContext) -> Result<HashSet<(String, i64)>> {
    let batches = context
        .sql("SELECT DISTINCT customer_id, sdn_ent_num FROM gold.sanctions_hits")
        .await?
        .collect()
        .await?;
    let mut hits = HashSet::new();
    for batch in batches {
        let customers = arrow::compute::cast(batch.column(0), &DataType::Utf8)?;
        let customers = customers.as_string::<i32>();
        let entries = batch
            .column(1)
            .as_primitive::<arrow::datatypes::Int64Type>();
        for row in 0..batch.num_rows() {
            if customers.is_valid(row) && entries.is_valid(row) {
                hits.insert((customers.value(row).to_string(), entries.value(row)));
            }
        }
    }
    Ok(hits)
}

/// The accounts of the lake, the population the rules watch.
async fn count_accounts(context: &SessionContext) -> Result<usize> {
    let batches = context
        .sql("SELECT count(*) FROM silver.accounts")
        .await?
        .collect()
        .await?;
    Ok(batches
        .first()
        .filter(|batch| batch.num_rows() > 0)
        .map_or(0, |batch| {
            batch
                .column(0)
                .as_primitive::<arrow::datatypes::Int64Type>()
                .value(0) as usize
        }))
}

async fn read_alerts(context: &SessionContext) -> Result<Vec<StoredAlert>> {
    let batches = context
        .sql(
            "SELECT rule_id, customer_id, business_date, transaction_ids, account_id \
             FROM gold.aml_alerts",
        )
        .await?
        .collect()
        .await?;
    let text_list = DataType::List(std::sync::Arc::new(arrow::datatypes::Field::new(
        "item",
        DataType::Utf8,
        true,
    )));
    let mut alerts = Vec::new();
    for batch in batches {
        let rules = arrow::compute::cast(batch.column(0), &DataType::Utf8)?;
        let customers = arrow::compute::cast(batch.column(1), &DataType::Utf8)?;
        let lists = arrow::compute::cast(batch.column(3), &text_list)?;
        let accounts = arrow::compute::cast(batch.column(4), &DataType::Utf8)?;
        let (rules, customers, lists, accounts) = (
            rules.as_string::<i32>(),
            customers.as_string::<i32>(),
            lists.as_list::<i32>(),
            accounts.as_string::<i32>(),
        );
        let dates = batch
            .column(2)
            .as_primitive::<arrow::datatypes::Date32Type>();
        for row in 0..batch.num_rows() {
            let Some(business_date) = dates.value_as_date(row) else {
                continue;
            };
            let ids = lists.value(row);
            alerts.push(StoredAlert {
                rule_id: rules.value(row).to_string(),
                customer_id: if customers.is_valid(row) {
                    customers.value(row).to_string()
                } else {
                    String::new()
                },
                account_id: accounts
                    .is_valid(row)
                    .then(|| accounts.value(row).to_string()),
                business_date,
                transaction_ids: ids
                    .as_string::<i32>()
                    .iter()
                    .flatten()
                    .map(str::to_string)
                    .collect(),
            });
        }
    }
    Ok(alerts)
}
