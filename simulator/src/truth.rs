//! Truth of what the simulator injected, written to `landing/_truth/` as CSV: what the AML
//! and reconciliation jobs must find.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use super::card_payments::ReconBreak;
use super::clock::Clock;
use super::cost::CostAnomaly;
use super::lookalikes::LookAlikeActivity;
use super::movements::{Fate, FxRates, Movement, TypologyCase, RATE_ONE};
use super::people::Population;
use crate::error::{Result, SimulatorError};
use paylake_ingest::rows::format_decimal;
use paylake_ingest::sources::delimited::write_csv;

pub const TRUTH_FOLDER: &str = "_truth";
/// 31 CFR 1010.311: a report for currency transactions of more than USD 10,000 in a day.
pub const CTR_THRESHOLD_CENTS: i128 = 1_000_000;

/// A customer's cash in or out of one business day, over the threshold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CtrTruth {
    pub business_date: NaiveDate,
    pub customer_id: String,
    pub direction: &'static str,
    pub total_usd_cents: i128,
    pub transaction_count: usize,
}

/// Rounds `value / divisor` half away from zero.
fn divide_rounding(value: i128, divisor: i128) -> i128 {
    let quotient = value / divisor;
    let remainder = value % divisor;
    if remainder.abs() * 2 >= divisor {
        quotient + value.signum()
    } else {
        quotient
    }
}

/// USD cents of an amount at the rate of its business date, rounded to the cent per
/// transaction (half away from zero), as the CTR job converts.
pub fn usd_cents(amount_cents: i128, rate: i128) -> i128 {
    divide_rounding(amount_cents * rate, RATE_ONE)
}

/// Every CTR candidate in the final state of the simulated data, computed independently of
/// the pipeline: posted cash only, in and out apart, all channels, per business date.
pub fn ctr_truth(
    population: &Population,
    movements: &[Movement],
    fx_rates: &FxRates,
    clock: &Clock,
) -> Vec<CtrTruth> {
    let mut totals: BTreeMap<(NaiveDate, String, &'static str), (i128, usize)> = BTreeMap::new();
    for movement in movements {
        if !movement.is_cash() || movement.fate != Fate::Posted {
            continue;
        }
        let account = &population.accounts[movement.account];
        let date = clock.date_of(movement.created_micros);
        let Some(rate) = fx_rates.get(&(date, account.currency)) else {
            continue;
        };
        let direction = if movement.kind == "cash_deposit" {
            "cash_in"
        } else {
            "cash_out"
        };
        let customer_id = population.customers[account.customer].id.clone();
        let total = totals.entry((date, customer_id, direction)).or_default();
        total.0 += usd_cents(movement.amount_cents, *rate);
        total.1 += 1;
    }
    totals
        .into_iter()
        .filter(|(_, (cents, _))| *cents > CTR_THRESHOLD_CENTS)
        .map(
            |((business_date, customer_id, direction), (total_usd_cents, transaction_count))| {
                CtrTruth {
                    business_date,
                    customer_id,
                    direction,
                    total_usd_cents,
                    transaction_count,
                }
            },
        )
        .collect()
}

/// The truth files under `landing/_truth/`, each appended to day by day, so that a continued
/// simulation adds the truth of its days to what the runs before it wrote.
pub struct TruthFiles {
    folder: PathBuf,
}

const CTR_FILE: (&str, &[&str]) = (
    "ctr_candidates.csv",
    &[
        "business_date",
        "customer_id",
        "direction",
        "total_amount_usd",
        "transaction_count",
    ],
);
const TYPOLOGIES_FILE: (&str, &[&str]) = (
    "typologies.csv",
    &[
        "typology",
        "business_date",
        "account_ids",
        "transaction_ids",
    ],
);
const SANCTIONS_FILE: (&str, &[&str]) = (
    "sanctions_matches.csv",
    &[
        "customer_id",
        "customer_name",
        "variant",
        "sdn_ent_num",
        "sdn_name",
    ],
);
const RECON_BREAKS_FILE: (&str, &[&str]) = (
    "recon_breaks.csv",
    &[
        "break_type",
        "business_date",
        "reference",
        "currency",
        "amount",
    ],
);
const COST_ANOMALIES_FILE: (&str, &[&str]) = (
    "cost_anomalies.csv",
    &["business_date", "service_name", "resource_id"],
);
/// Legitimate activity that resembles a typology (see `lookalikes`): an alert on it is wrong.
const LOOKALIKES_FILE: (&str, &[&str]) = (
    "lookalikes.csv",
    &[
        "behaviour",
        "resembles",
        "business_date",
        "account_ids",
        "transaction_ids",
    ],
);
const FILES: [(&str, &[&str]); 6] = [
    CTR_FILE,
    TYPOLOGIES_FILE,
    LOOKALIKES_FILE,
    SANCTIONS_FILE,
    RECON_BREAKS_FILE,
    COST_ANOMALIES_FILE,
];

impl TruthFiles {
    /// Opens the truth folder of `landing_dir`, creating every file with its header line
    /// where it does not exist yet.
    pub fn open(landing_dir: &Path) -> Result<Self> {
        let folder = landing_dir.join(TRUTH_FOLDER);
        std::fs::create_dir_all(&folder).map_err(|source| SimulatorError::io(&folder, source))?;
        for (name, headers) in FILES {
            let path = folder.join(name);
            if !path.exists() {
                write_csv(&path, headers.iter().copied(), Vec::<Vec<String>>::new())?;
            }
        }
        Ok(TruthFiles { folder })
    }

    pub fn paths(&self) -> Vec<PathBuf> {
        FILES
            .iter()
            .map(|(name, _)| self.folder.join(name))
            .collect()
    }

    fn append(
        &self,
        file: (&str, &[&str]),
        rows: impl IntoIterator<Item = Vec<String>>,
    ) -> Result<()> {
        let path = self.folder.join(file.0);
        let opened = std::fs::File::options()
            .append(true)
            .open(&path)
            .map_err(|source| SimulatorError::io(&path, source))?;
        let mut writer = csv::WriterBuilder::new()
            .has_headers(false)
            .from_writer(opened);
        for row in rows {
            debug_assert_eq!(row.len(), file.1.len());
            writer.write_record(row)?;
        }
        writer
            .flush()
            .map_err(|source| SimulatorError::io(&path, source))
    }

    pub fn append_ctr(&self, rows: &[CtrTruth]) -> Result<()> {
        self.append(
            CTR_FILE,
            rows.iter().map(|row| {
                vec![
                    row.business_date.to_string(),
                    row.customer_id.clone(),
                    row.direction.to_string(),
                    format_decimal(row.total_usd_cents, 2),
                    row.transaction_count.to_string(),
                ]
            }),
        )
    }

    pub fn append_cases(&self, cases: &[TypologyCase]) -> Result<()> {
        self.append(
            TYPOLOGIES_FILE,
            cases.iter().map(|case| {
                vec![
                    case.typology.to_string(),
                    case.business_date.to_string(),
                    case.account_ids.join(" "),
                    case.transaction_ids.join(" "),
                ]
            }),
        )
    }

    pub fn append_lookalikes(&self, activities: &[LookAlikeActivity]) -> Result<()> {
        self.append(
            LOOKALIKES_FILE,
            activities.iter().map(|activity| {
                vec![
                    activity.behaviour.to_string(),
                    activity.resembles.to_string(),
                    activity.business_date.to_string(),
                    activity.account_ids.join(" "),
                    activity.transaction_ids.join(" "),
                ]
            }),
        )
    }

    /// The customers whose names are variants of SDN entries (written with the population,
    /// on the first day).
    pub fn append_sanctions_matches(&self, population: &Population) -> Result<()> {
        self.append(
            SANCTIONS_FILE,
            population.sanctions_cases.iter().map(|case| {
                let customer = &population.customers[case.customer];
                vec![
                    customer.id.clone(),
                    customer.full_name.clone(),
                    case.variant.to_string(),
                    case.entry.ent_num.clone(),
                    case.entry.name.clone(),
                ]
            }),
        )
    }

    pub fn append_recon_breaks(&self, recon_breaks: &[ReconBreak]) -> Result<()> {
        self.append(
            RECON_BREAKS_FILE,
            recon_breaks.iter().map(|row| {
                vec![
                    row.break_type.to_string(),
                    row.business_date.to_string(),
                    row.reference.clone(),
                    row.currency.to_string(),
                    format_decimal(row.amount_cents, 2),
                ]
            }),
        )
    }

    pub fn append_cost_anomalies(&self, anomalies: &[CostAnomaly]) -> Result<()> {
        self.append(
            COST_ANOMALIES_FILE,
            anomalies.iter().map(|row| {
                vec![
                    row.date.to_string(),
                    row.service.to_string(),
                    row.resource.to_string(),
                ]
            }),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversion_rounds_half_away_from_zero_to_the_cent() {
        // 100.01 EUR at 1.08 = 108.0108 USD -> 108.01
        assert_eq!(usd_cents(10_001, 108_000_000), 10_801);
        // 0.05 at 1.1 = 0.055 -> 0.06
        assert_eq!(usd_cents(5, 110_000_000), 6);
        assert_eq!(usd_cents(100, RATE_ONE), 100);
    }
}
