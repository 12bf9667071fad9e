//! AMLSim samples (IBM/AMLSim `nodes.csv` + `transactions.csv`) as a payment processor's silver
//! tables, and the account-level precision, recall and F1 of the rules against `isFraud`.
//!
//! Each node is a customer with one USD account; each transfer becomes its two movements (out of
//! the sender, into the receiver); the time step is the day, and a transfer's place in the file
//! orders it within its day.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow::array::{
    new_null_array, ArrayRef, Decimal128Array, RecordBatch, StringArray, TimestampMicrosecondArray,
};
use chrono::NaiveDate;
use datafusion::catalog::MemorySchemaProvider;
use datafusion::datasource::MemTable;
use datafusion::prelude::SessionContext;
use paylake_catalog::money::parse_decimal;
use paylake_catalog::{registry, Zone};
use serde::Serialize;

use crate::error::{EvaluationError, Result};
use crate::{ratio, Scores};
use paylake_transforms::aml::suite::detect;
use paylake_transforms::aml::{AmlRules, DateRange};

/// Day of time step 0; AMLSim steps carry no calendar.
const FIRST_DAY: (i32, u32, u32) = (2025, 1, 1);

/// An AMLSim sample read into memory.
#[derive(Debug, Clone)]
pub struct AmlSimSample {
    /// Node id and whether AMLSim marked it as laundering, and its fraud step (-1: none).
    pub nodes: Vec<(String, bool, i64)>,
    /// Sender, receiver, amount in cents, time step.
    pub transfers: Vec<(String, String, i128, i64)>,
}

impl AmlSimSample {
    /// The sample with every amount multiplied by `factor`. AMLSim's values have no unit, and
    /// most are far below the rules' USD minimums: scaled, the same traffic shows whether a
    /// rule stays quiet only because the amounts are small.
    pub fn with_amounts_scaled(mut self, factor: u32) -> Self {
        for transfer in &mut self.transfers {
            transfer.2 *= i128::from(factor);
        }
        self
    }
}

/// Reads `nodes.csv` and `transactions.csv` from a folder, or from a `.tgz` of one.
pub fn read_sample(location: &Path) -> Result<AmlSimSample> {
    let folder = if location.is_dir() {
        location.to_path_buf()
    } else {
        extract(location)?
    };
    let nodes_path = find_file(&folder, "nodes.csv")?;
    let transactions_path = find_file(&folder, "transactions.csv")?;
    let mut nodes = Vec::new();
    for (line, record) in records(&nodes_path)? {
        let field = |index: usize, name: &str| field(&nodes_path, line, &record, index, name);
        let node_id = field(0, "nodeid")?.to_string();
        let is_fraud = field(1, "isFraud")? == "1";
        let fraud_step = record
            .get(3)
            .and_then(|text| text.trim().parse().ok())
            .unwrap_or(-1);
        nodes.push((node_id, is_fraud, fraud_step));
    }
    let mut transfers = Vec::new();
    for (line, record) in records(&transactions_path)? {
        let field =
            |index: usize, name: &str| field(&transactions_path, line, &record, index, name);
        let amount = parse_cents(field(2, "value")?).ok_or_else(|| {
            EvaluationError::Invalid(format!(
                "{} line {line}: value '{}' is not an amount",
                transactions_path.display(),
                field(2, "value").unwrap_or_default()
            ))
        })?;
        let step = field(3, "time")?.parse::<i64>().map_err(|_| {
            EvaluationError::Invalid(format!(
                "{} line {line}: time is not a whole number",
                transactions_path.display()
            ))
        })?;
        transfers.push((
            field(0, "sourceNodeId")?.to_string(),
            field(1, "targetNodeId")?.to_string(),
            amount,
            step,
        ));
    }
    Ok(AmlSimSample { nodes, transfers })
}

fn extract(archive: &Path) -> Result<PathBuf> {
    let folder = std::env::temp_dir().join(format!("paylake-amlsim-{}", std::process::id()));
    std::fs::create_dir_all(&folder).map_err(|source| EvaluationError::Io {
        path: folder.clone(),
        source,
    })?;
    let status = std::process::Command::new("tar")
        .arg("xzf")
        .arg(archive)
        .arg("-C")
        .arg(&folder)
        .status()
        .map_err(|source| EvaluationError::Io {
            path: archive.to_path_buf(),
            source,
        })?;
    if !status.success() {
        return Err(EvaluationError::Invalid(format!(
            "{} could not be unpacked with tar",
            archive.display()
        )));
    }
    Ok(folder)
}

fn find_file(folder: &Path, name: &str) -> Result<PathBuf> {
    let direct = folder.join(name);
    if direct.exists() {
        return Ok(direct);
    }
    let entries = std::fs::read_dir(folder).map_err(|source| EvaluationError::Io {
        path: folder.to_path_buf(),
        source,
    })?;
    for entry in entries.flatten() {
        let nested = entry.path().join(name);
        if nested.exists() {
            return Ok(nested);
        }
    }
    Err(EvaluationError::Invalid(format!(
        "{} holds no {name}",
        folder.display()
    )))
}

fn records(path: &Path) -> Result<Vec<(u64, csv::StringRecord)>> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .map_err(|err| EvaluationError::Invalid(format!("{}: {err}", path.display())))?;
    let mut rows = Vec::new();
    for record in reader.records() {
        let record =
            record.map_err(|err| EvaluationError::Invalid(format!("{}: {err}", path.display())))?;
        let line = record
            .position()
            .map(|position| position.line())
            .unwrap_or_default();
        rows.push((line, record));
    }
    Ok(rows)
}

fn field<'a>(
    path: &Path,
    line: u64,
    record: &'a csv::StringRecord,
    index: usize,
    name: &str,
) -> Result<&'a str> {
    record
        .get(index)
        .map(str::trim)
        .filter(|text| !text.is_empty())
        .ok_or_else(|| {
            EvaluationError::Invalid(format!(
                "{} line {line}: field {name} is missing",
                path.display()
            ))
        })
}

/// A non-negative amount as cents. AMLSim writes values with up to three decimals; the third
/// is rounded half up, as the only rounding the sample needs.
fn parse_cents(text: &str) -> Option<i128> {
    let thousandths = parse_decimal(text, 3).ok().filter(|value| *value >= 0)?;
    Some((thousandths + 5) / 10)
}

/// The sample as silver tables, in a session the suite can run on, and the dates it covers.
pub fn session_of(sample: &AmlSimSample) -> Result<(SessionContext, DateRange)> {
    let first_day =
        NaiveDate::from_ymd_opt(FIRST_DAY.0, FIRST_DAY.1, FIRST_DAY.2).expect("a valid date");
    let midnight = |step: i64| {
        (first_day + chrono::Duration::days(step))
            .and_hms_opt(0, 0, 0)
            .expect("midnight exists")
            .and_utc()
            .timestamp_micros()
    };
    let ids: Vec<String> = sample
        .nodes
        .iter()
        .map(|(id, _, _)| format!("N{id}"))
        .collect();
    let customers = table_batch(
        "customers",
        vec![
            (
                "customer_id",
                Arc::new(StringArray::from(ids.clone())) as ArrayRef,
            ),
            (
                "customer_type",
                Arc::new(StringArray::from(vec!["person"; ids.len()])),
            ),
            (
                "country",
                Arc::new(StringArray::from(vec!["US"; ids.len()])),
            ),
        ],
    )?;
    let accounts = table_batch(
        "accounts",
        vec![
            (
                "account_id",
                Arc::new(StringArray::from(ids.clone())) as ArrayRef,
            ),
            ("customer_id", Arc::new(StringArray::from(ids))),
            (
                "currency",
                Arc::new(StringArray::from(vec!["USD"; sample.nodes.len()])),
            ),
            (
                "status",
                Arc::new(StringArray::from(vec!["open"; sample.nodes.len()])),
            ),
        ],
    )?;
    let count = sample.transfers.len() * 2;
    let mut transaction_ids = Vec::with_capacity(count);
    let mut accounts_of = Vec::with_capacity(count);
    let mut types = Vec::with_capacity(count);
    let mut amounts = Vec::with_capacity(count);
    let mut counterparties = Vec::with_capacity(count);
    let mut times = Vec::with_capacity(count);
    let mut position_in_day: HashMap<i64, i64> = HashMap::new();
    let (mut first_step, mut last_step) = (i64::MAX, i64::MIN);
    for (index, (from, to, cents, step)) in sample.transfers.iter().enumerate() {
        first_step = first_step.min(*step);
        last_step = last_step.max(*step);
        let position = position_in_day.entry(*step).or_default();
        *position += 1;
        // Spread over the day in file order, a second apart.
        let at = midnight(*step) + 6 * 3_600_000_000 + *position * 1_000_000;
        for (leg, account, counterparty) in [("transfer_out", from, to), ("transfer_in", to, from)]
        {
            transaction_ids.push(format!("X{index}-{}", &leg[9..]));
            accounts_of.push(format!("N{account}"));
            types.push(leg);
            amounts.push(*cents);
            counterparties.push(format!("N{counterparty}"));
            times.push(at);
        }
    }
    let transactions = table_batch(
        "transactions",
        vec![
            (
                "transaction_id",
                Arc::new(StringArray::from(transaction_ids)) as ArrayRef,
            ),
            (
                "account_id",
                Arc::new(StringArray::from(accounts_of.clone())),
            ),
            ("customer_id", Arc::new(StringArray::from(accounts_of))),
            ("transaction_type", Arc::new(StringArray::from(types))),
            (
                "amount",
                Arc::new(Decimal128Array::from(amounts).with_precision_and_scale(18, 2)?),
            ),
            ("currency", Arc::new(StringArray::from(vec!["USD"; count]))),
            ("channel", Arc::new(StringArray::from(vec!["web"; count]))),
            (
                "counterparty_account_id",
                Arc::new(StringArray::from(counterparties)),
            ),
            ("status", Arc::new(StringArray::from(vec!["posted"; count]))),
            (
                "created_at",
                Arc::new(TimestampMicrosecondArray::from(times.clone()).with_timezone("UTC")),
            ),
            (
                "updated_at",
                Arc::new(TimestampMicrosecondArray::from(times).with_timezone("UTC")),
            ),
        ],
    )?;
    let fx_rates = table_batch("fx_rates", vec![])?;
    let context = SessionContext::new();
    let schema = Arc::new(MemorySchemaProvider::new());
    for (name, batch) in [
        ("customers", customers),
        ("accounts", accounts),
        ("transactions", transactions),
        ("fx_rates", fx_rates),
    ] {
        let table = MemTable::try_new(batch.schema(), vec![vec![batch]])?;
        datafusion::catalog::SchemaProvider::register_table(
            schema.as_ref(),
            name.to_string(),
            Arc::new(table),
        )?;
    }
    context
        .catalog("datafusion")
        .expect("a new session has its default catalog")
        .register_schema("silver", schema)?;
    if first_step > last_step {
        return Err(EvaluationError::Invalid(
            "the sample holds no transactions".into(),
        ));
    }
    let range = DateRange {
        from: first_day + chrono::Duration::days(first_step),
        to: first_day + chrono::Duration::days(last_step),
        timezone: chrono_tz::UTC,
    };
    Ok((context, range))
}

/// A batch of a silver table with the given columns; the others are null.
fn table_batch(table: &str, columns: Vec<(&str, ArrayRef)>) -> Result<RecordBatch> {
    let definition = registry().get(Zone::Silver, table)?;
    let rows = columns.first().map(|(_, array)| array.len()).unwrap_or(0);
    let given: HashMap<&str, ArrayRef> = columns.into_iter().collect();
    let arrays = definition
        .schema
        .fields()
        .iter()
        .map(|field| match given.get(field.name().as_str()) {
            Some(array) => Ok(arrow::compute::cast(array, field.data_type())?),
            None => Ok(new_null_array(field.data_type(), rows)),
        })
        .collect::<Result<Vec<_>>>()?;
    // Lineage columns are not null in the lake; here nothing was ingested, so they are.
    let schema = arrow::datatypes::Schema::new(
        definition
            .schema
            .fields()
            .iter()
            .map(|field| field.as_ref().clone().with_nullable(true))
            .collect::<Vec<_>>(),
    );
    Ok(RecordBatch::try_new(Arc::new(schema), arrays)?)
}

#[derive(Debug, Clone, Serialize)]
pub struct RuleAccounts {
    pub alerts: usize,
    /// Accounts the rule alerted on: its alerts' subjects.
    pub subject_accounts: usize,
    /// The share of the sample's accounts the rule alerted on (the measure of a flood).
    pub share_of_accounts: Option<f64>,
    /// Accounts the rule's alerts name: subjects and the counterparties of their evidence.
    pub accounts: usize,
    pub share_of_named_accounts: Option<f64>,
    pub precision: Option<f64>,
    pub recall: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AmlSimEvaluation {
    /// `None` when no account was flagged.
    pub precision: Option<f64>,
    /// `None` when the sample has no laundering account.
    pub recall: Option<f64>,
    pub f1: Option<f64>,
    pub by_typology: BTreeMap<String, RuleAccounts>,
    pub accounts: usize,
    pub laundering_accounts: usize,
    pub flagged_accounts: usize,
    /// Recall over the laundering accounts AMLSim gave a fraud step, the ones that moved money
    /// as laundering within the simulation.
    pub recall_of_accounts_with_fraud_step: Option<f64>,
    pub transfers: usize,
}

/// One rule's alerts, the accounts they are on and the accounts they name.
#[derive(Default)]
struct RuleTally<'a> {
    alerts: usize,
    subjects: HashSet<&'a String>,
    named: HashSet<&'a String>,
}

/// Runs the suite on a sample and scores the accounts its alerts name.
pub async fn evaluate_sample(sample: &AmlSimSample, rules: &AmlRules) -> Result<AmlSimEvaluation> {
    let (context, range) = session_of(sample)?;
    let detection = detect(&context, &range, rules).await?;
    let laundering: HashSet<String> = sample
        .nodes
        .iter()
        .filter(|(_, is_fraud, _)| *is_fraud)
        .map(|(id, _, _)| format!("N{id}"))
        .collect();
    let stepped: HashSet<String> = sample
        .nodes
        .iter()
        .filter(|(_, is_fraud, step)| *is_fraud && *step >= 0)
        .map(|(id, _, _)| format!("N{id}"))
        .collect();
    let mut flagged: HashSet<&String> = HashSet::new();
    let mut per_rule: BTreeMap<String, RuleTally> = BTreeMap::new();
    for alert in &detection.alerts {
        let tally = per_rule.entry(alert.rule_id.clone()).or_default();
        tally.alerts += 1;
        tally.subjects.extend(alert.account_id.as_ref());
        for account in &alert.account_ids {
            flagged.insert(account);
            tally.named.insert(account);
        }
    }
    let hits = |accounts: &HashSet<&String>| {
        accounts
            .iter()
            .filter(|id| laundering.contains(**id))
            .count()
    };
    let overall = Scores::from_counts(hits(&flagged), flagged.len(), laundering.len());
    let stepped_found = flagged.iter().filter(|id| stepped.contains(**id)).count();
    Ok(AmlSimEvaluation {
        precision: overall.precision,
        recall: overall.recall,
        f1: overall.f1,
        by_typology: per_rule
            .into_iter()
            .map(|(rule_id, tally)| {
                let scores =
                    Scores::from_counts(hits(&tally.named), tally.named.len(), laundering.len());
                (
                    rule_id,
                    RuleAccounts {
                        alerts: tally.alerts,
                        subject_accounts: tally.subjects.len(),
                        share_of_accounts: ratio(tally.subjects.len(), sample.nodes.len()),
                        accounts: tally.named.len(),
                        share_of_named_accounts: ratio(tally.named.len(), sample.nodes.len()),
                        precision: scores.precision,
                        recall: scores.recall,
                    },
                )
            })
            .collect(),
        accounts: sample.nodes.len(),
        laundering_accounts: laundering.len(),
        flagged_accounts: flagged.len(),
        recall_of_accounts_with_fraud_step: ratio(stepped_found, stepped.len()),
        transfers: sample.transfers.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_become_cents_without_floats() {
        assert_eq!(parse_cents("103.55"), Some(10_355));
        assert_eq!(parse_cents("2.5"), Some(250));
        assert_eq!(parse_cents("7"), Some(700));
        assert_eq!(parse_cents("0.125"), Some(13));
        assert_eq!(parse_cents("abc"), None);
        assert_eq!(parse_cents("-1.00"), None);
    }

    #[test]
    fn a_scaled_sample_moves_the_same_transfers_with_amounts_multiplied_exactly() {
        let sample = AmlSimSample {
            nodes: vec![("1".into(), false, -1), ("2".into(), true, 3)],
            transfers: vec![
                ("1".into(), "2".into(), 10_355, 0),
                ("2".into(), "1".into(), 13, 1),
            ],
        };
        let scaled = sample.clone().with_amounts_scaled(100);
        assert_eq!(scaled.nodes, sample.nodes);
        let amounts: Vec<i128> = scaled.transfers.iter().map(|transfer| transfer.2).collect();
        assert_eq!(amounts, [1_035_500, 1_300]);
    }
}
