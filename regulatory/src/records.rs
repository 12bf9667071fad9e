//! What a filing reports, read from the gold tables of a period: CTR candidates grouped into
//! one report per customer and day, SAR cases, their customers and evidence transactions.

use std::collections::BTreeMap;

use arrow::array::Array;
use arrow::record_batch::RecordBatch;
use arrow::util::display::array_value_to_string;
use chrono::{DateTime, NaiveDate, Utc};
use datafusion::prelude::SessionContext;
use paylake_catalog::money::parse_decimal;

use crate::error::{RegulatoryError, Result};

/// A customer as the filings name them.
#[derive(Debug, Clone, PartialEq)]
pub struct Subject {
    pub customer_id: String,
    /// Absent when the customer is not in silver: the filing then says the name is unknown.
    pub full_name: Option<String>,
    pub is_business: bool,
    pub date_of_birth: Option<NaiveDate>,
    pub street: Option<String>,
    pub city: Option<String>,
    pub country: Option<String>,
    pub phone: Option<String>,
    pub occupation: Option<String>,
}

impl Subject {
    /// Given and family name of a person (the last word is the family name).
    pub fn first_and_last_name(&self) -> (Option<String>, Option<String>) {
        let Some(name) = &self.full_name else {
            return (None, None);
        };
        match name.trim().rsplit_once(' ') {
            Some((first, last)) if !self.is_business => (
                Some(first.trim().to_string()),
                Some(last.trim().to_string()),
            ),
            _ => (None, Some(name.trim().to_string())),
        }
    }
}

/// One evidence transaction.
#[derive(Debug, Clone, PartialEq)]
pub struct Transaction {
    pub transaction_id: String,
    pub account_id: String,
    pub transaction_type: String,
    /// Decimal text in the transaction's currency.
    pub amount: String,
    pub currency: String,
    /// The amount in USD at the day's rate; absent when the day has no rate.
    pub amount_usd: Option<String>,
    /// USD per unit of the currency on the day.
    pub usd_rate: Option<String>,
    pub channel: String,
    pub counterparty_account_id: Option<String>,
    /// UTC, `YYYY-MM-DDTHH:MM:SS`.
    pub created_at: String,
}

impl Transaction {
    pub fn is_cash_in(&self) -> bool {
        self.transaction_type == "cash_deposit"
    }
    pub fn is_cash_out(&self) -> bool {
        self.transaction_type == "cash_withdrawal"
    }
}

/// One CTR: a customer's cash of one business day, in and out, in USD cents.
#[derive(Debug, Clone, PartialEq)]
pub struct CtrRecord {
    pub record_key: String,
    pub business_date: NaiveDate,
    pub subject: Subject,
    pub cash_in_cents: i128,
    pub cash_out_cents: i128,
    pub channels: Vec<String>,
    pub transactions: Vec<Transaction>,
}

impl CtrRecord {
    /// Cash in and out together, in USD cents.
    pub fn total_cents(&self) -> i128 {
        self.cash_in_cents + self.cash_out_cents
    }
}

/// One SAR: a case approved for filing (decisions.case_events).
#[derive(Debug, Clone, PartialEq)]
pub struct SarRecord {
    pub record_key: String,
    /// The date the case's first alert was detected.
    pub business_date: NaiveDate,
    pub subject: Subject,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub total_cents: i128,
    pub typologies: Vec<String>,
    pub narrative: String,
    pub transactions: Vec<Transaction>,
    /// A continuing activity report: the case was filed before this approval; with the BSA ID
    /// FinCEN gave that filing, when it was acknowledged.
    pub continuing: bool,
    pub prior_bsa_id: Option<String>,
}

/// The queries of the exports, below `sql/`.
const CTR_SQL: &str = "regulatory/exports/ctr_records.sql";
const SAR_SQL: &str = "regulatory/exports/sar_records.sql";
const CTR_EVIDENCE_SQL: &str = "regulatory/exports/ctr_evidence.sql";
const SAR_EVIDENCE_SQL: &str = "regulatory/exports/sar_evidence.sql";
const TRANSACTIONS_SQL: &str = "regulatory/exports/transactions.sql";

/// The CTRs of the business dates from `from` to `to`: one per customer and day.
pub async fn ctr_records(
    context: &SessionContext,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<CtrRecord>> {
    let parameters = period(from, to);
    let rows = query(context, CTR_SQL, &parameters).await?;
    let mut transactions = evidence(context, CTR_EVIDENCE_SQL, &parameters).await?;
    let mut records: BTreeMap<String, CtrRecord> = BTreeMap::new();
    for row in rows.iter().flat_map(batch_rows) {
        let customer_id = row.required("customer_id")?;
        let business_date = row.date("business_day")?;
        let record_key = format!("CTR-{customer_id}-{business_date}");
        let cents = row.cents("total_amount_usd", &record_key)?;
        let record = records
            .entry(record_key.clone())
            .or_insert_with(|| CtrRecord {
                record_key: record_key.clone(),
                business_date,
                subject: row.subject(&customer_id),
                cash_in_cents: 0,
                cash_out_cents: 0,
                channels: Vec::new(),
                transactions: transactions.remove(&record_key).unwrap_or_default(),
            });
        match row.text("direction").as_deref() {
            Some("cash_in") => record.cash_in_cents += cents,
            Some("cash_out") => record.cash_out_cents += cents,
            other => {
                return Err(RegulatoryError::InvalidRecord {
                    table: "gold.ctr_candidates",
                    record: record_key,
                    field: "direction",
                    reason: format!("expected cash_in or cash_out, found {other:?}"),
                })
            }
        }
        for channel in row.text("channels").unwrap_or_default().split(',') {
            if !channel.is_empty() && !record.channels.iter().any(|known| known == channel) {
                record.channels.push(channel.to_string());
            }
        }
    }
    let mut records: Vec<CtrRecord> = records.into_values().collect();
    records.sort_by(|left, right| {
        (left.business_date, &left.subject.customer_id)
            .cmp(&(right.business_date, &right.subject.customer_id))
    });
    Ok(records)
}

/// Which approved SAR decisions a package files (see `sql/regulatory/exports/sar_cases.sql`).
#[derive(Debug, Clone)]
pub struct SarSelection {
    /// The package kind (`fincen-sar`, `goaml`): a case is filed once per kind.
    pub kind: &'static str,
    /// The package's id without revision: its earlier revisions' cases stay in it.
    pub base_id: String,
    /// Approvals up to this time are filed (the schedule's tick, or the export's start).
    pub cutoff: DateTime<Utc>,
}

impl SarSelection {
    fn parameters(&self) -> Vec<(&'static str, String)> {
        vec![
            ("kind", self.kind.to_string()),
            ("base_id", self.base_id.clone()),
            (
                "cutoff",
                self.cutoff.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string(),
            ),
        ]
    }
}

/// The SARs a package files: the cases an investigator decided to file and a second officer
/// approved, with the investigator's narrative.
pub async fn sar_records(
    context: &SessionContext,
    selection: &SarSelection,
) -> Result<Vec<SarRecord>> {
    let parameters = selection.parameters();
    let rows = query(context, SAR_SQL, &parameters).await?;
    let mut transactions = evidence(context, SAR_EVIDENCE_SQL, &parameters).await?;
    let mut records = Vec::new();
    for row in rows.iter().flat_map(batch_rows) {
        let record_key = row.required("case_id")?;
        let narrative = row.text("narrative").unwrap_or_default();
        if narrative.trim().is_empty() {
            return Err(RegulatoryError::InvalidRecord {
                table: "decisions.case_events",
                record: record_key,
                field: "narrative",
                reason: "an approved SAR decision without the investigator's narrative".into(),
            });
        }
        records.push(SarRecord {
            business_date: row.date("business_day")?,
            subject: row.subject(&row.text("customer_id").unwrap_or_default()),
            period_start: row.date("first_day")?,
            period_end: row.date("last_day")?,
            total_cents: row.cents("total_amount_usd", &record_key)?,
            typologies: row
                .text("typologies")
                .unwrap_or_default()
                .split(',')
                .filter(|typology| !typology.is_empty())
                .map(str::to_string)
                .collect(),
            narrative,
            transactions: transactions.remove(&record_key).unwrap_or_default(),
            continuing: row.text("continuing").as_deref() == Some("true"),
            prior_bsa_id: row.text("prior_bsa_id"),
            record_key,
        });
    }
    Ok(records)
}

/// The business dates from `from` to `to` as query parameters.
fn period(from: NaiveDate, to: NaiveDate) -> Vec<(&'static str, String)> {
    vec![("from", from.to_string()), ("to", to.to_string())]
}

/// Runs the export query `sql/<path>` with `parameters`.
async fn query(
    context: &SessionContext,
    path: &str,
    parameters: &[(&'static str, String)],
) -> Result<Vec<RecordBatch>> {
    let sql = paylake_catalog::sql::render(path, parameters)?;
    Ok(context.sql(&sql).await?.collect().await?)
}

/// The evidence transactions of each record; `keys_path` is the query of its
/// (record_key, transaction_id) pairs, rendered with `parameters`.
async fn evidence(
    context: &SessionContext,
    keys_path: &str,
    parameters: &[(&'static str, String)],
) -> Result<BTreeMap<String, Vec<Transaction>>> {
    let mut parameters = parameters.to_vec();
    parameters.push(("evidence", keys_path.to_string()));
    let sql = paylake_catalog::sql::render(TRANSACTIONS_SQL, &parameters)?;
    let batches = context.sql(&sql).await?.collect().await?;
    let mut by_record: BTreeMap<String, Vec<Transaction>> = BTreeMap::new();
    for row in batches.iter().flat_map(batch_rows) {
        by_record
            .entry(row.required("record_key")?)
            .or_default()
            .push(Transaction {
                transaction_id: row.required("transaction_id")?,
                account_id: row.text("account_id").unwrap_or_default(),
                transaction_type: row.text("transaction_type").unwrap_or_default(),
                amount: row.text("amount").unwrap_or_default(),
                currency: row.text("currency").unwrap_or_default(),
                amount_usd: row.text("amount_usd"),
                usd_rate: row.text("usd_rate"),
                channel: row.text("channel").unwrap_or_default(),
                counterparty_account_id: row.text("counterparty_account_id"),
                created_at: row.text("created_at_utc").unwrap_or_default(),
            });
    }
    Ok(by_record)
}

/// One row of a query's result, read by column name.
pub(crate) struct Row<'a> {
    batch: &'a RecordBatch,
    index: usize,
}

pub(crate) fn batch_rows(batch: &RecordBatch) -> impl Iterator<Item = Row<'_>> {
    (0..batch.num_rows()).map(move |index| Row { batch, index })
}

impl Row<'_> {
    pub(crate) fn text(&self, column: &str) -> Option<String> {
        let array = self.batch.column_by_name(column)?;
        if !array.is_valid(self.index) {
            return None;
        }
        array_value_to_string(array, self.index)
            .ok()
            .filter(|text| !text.trim().is_empty())
    }

    fn required(&self, column: &'static str) -> Result<String> {
        self.text(column)
            .ok_or_else(|| RegulatoryError::InvalidRecord {
                table: "gold",
                record: format!("row {}", self.index),
                field: column,
                reason: "is empty".to_string(),
            })
    }

    fn date(&self, column: &'static str) -> Result<NaiveDate> {
        let text = self.required(column)?;
        text.parse().map_err(|_| RegulatoryError::InvalidRecord {
            table: "gold",
            record: format!("row {}", self.index),
            field: column,
            reason: format!("'{text}' is not a date"),
        })
    }

    fn cents(&self, column: &'static str, record: &str) -> Result<i128> {
        let text = self.text(column).unwrap_or_default();
        parse_decimal(&text, 2).map_err(|reason| RegulatoryError::InvalidRecord {
            table: "gold",
            record: record.to_string(),
            field: column,
            reason,
        })
    }

    fn subject(&self, customer_id: &str) -> Subject {
        let (street, city) = match self.text("address") {
            Some(address) => match address.rsplit_once(',') {
                Some((street, city)) => (
                    Some(street.trim().to_string()),
                    Some(city.trim().to_string()),
                ),
                None => (Some(address.trim().to_string()), None),
            },
            None => (None, None),
        };
        Subject {
            customer_id: customer_id.to_string(),
            full_name: self
                .text("known_customer")
                .and_then(|_| self.text("full_name")),
            is_business: self.text("customer_type").as_deref() == Some("business"),
            date_of_birth: self
                .text("date_of_birth")
                .and_then(|text| text.parse().ok()),
            street,
            city,
            country: self.text("country"),
            phone: self.text("phone"),
            occupation: self.text("occupation"),
        }
    }
}

/// Whole dollars, rounded up, as FinCEN asks amounts to be recorded.
pub fn whole_dollars_rounded_up(cents: i128) -> i128 {
    debug_assert!(cents >= 0, "filed amounts are not negative");
    (cents + 99).div_euclid(100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_round_up_to_whole_dollars_and_names_split() {
        assert_eq!(whole_dollars_rounded_up(1_000_001), 10_001);
        assert_eq!(whole_dollars_rounded_up(1_000_000), 10_000);
        assert_eq!(whole_dollars_rounded_up(0), 0);
        let mut subject = Subject {
            customer_id: "C1".into(),
            full_name: Some("Mary Ann Smith".into()),
            is_business: false,
            date_of_birth: None,
            street: None,
            city: None,
            country: None,
            phone: None,
            occupation: None,
        };
        assert_eq!(
            subject.first_and_last_name(),
            (Some("Mary Ann".into()), Some("Smith".into()))
        );
        subject.is_business = true;
        assert_eq!(
            subject.first_and_last_name(),
            (None, Some("Mary Ann Smith".into()))
        );
    }
}
