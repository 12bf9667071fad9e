//! Customers with their KYC profile and accounts, including customers whose names are variants
//! of OFAC SDN entries.

use std::path::Path;

use chrono::{Duration, NaiveDate};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::clock::{Clock, MICROS_PER_DAY};
use super::pick;
use crate::error::{Result, SimulatorError};

const FIRST_NAMES: [&str; 24] = [
    "James", "Maria", "Wei", "Fatima", "Olga", "Carlos", "Aisha", "John", "Elena", "Kenji",
    "Priya", "Lucas", "Amara", "Noah", "Sofia", "Omar", "Hannah", "Diego", "Yuki", "Liam", "Zara",
    "Ivan", "Grace", "Mateo",
];
const LAST_NAMES: [&str; 24] = [
    "Smith", "Garcia", "Chen", "Khan", "Petrova", "Silva", "Okafor", "Brown", "Rossi", "Tanaka",
    "Patel", "Martin", "Nwosu", "Miller", "Lopez", "Haddad", "Schmidt", "Torres", "Sato", "Walsh",
    "Ahmed", "Volkov", "Kim", "Diaz",
];
const BUSINESS_WORDS: [&str; 12] = [
    "Harbor", "Summit", "Bluebird", "Granite", "Lotus", "Pioneer", "Maple", "Atlas", "Cobalt",
    "Sunrise", "Meridian", "Orchid",
];
const BUSINESS_KINDS: [&str; 6] = [
    "Trading",
    "Foods",
    "Logistics",
    "Motors",
    "Jewelers",
    "Exchange",
];
const OCCUPATIONS: [&str; 8] = [
    "engineer",
    "teacher",
    "nurse",
    "driver",
    "student",
    "retired",
    "self-employed",
    "lawyer",
];
const INDUSTRIES: [&str; 6] = [
    "retail",
    "restaurants",
    "money services",
    "car dealers",
    "precious metals",
    "import export",
];
const COUNTRIES: [&str; 8] = ["US", "US", "US", "GB", "DE", "MX", "NG", "AE"];
/// Myanmar: on FATF's list of high-risk jurisdictions subject to a call for action.
pub const HIGH_RISK_COUNTRY: &str = "MM";
const STREETS: [&str; 6] = [
    "Main St", "Oak Ave", "Pine Rd", "Elm St", "Cedar Ln", "Lake Dr",
];

#[derive(Debug, Clone)]
pub struct Customer {
    pub id: String,
    pub customer_type: &'static str,
    pub full_name: String,
    pub country: &'static str,
    pub occupation: Option<&'static str>,
    pub industry: Option<&'static str>,
    pub is_pep: bool,
    pub risk_rating: &'static str,
    pub date_of_birth: Option<NaiveDate>,
    pub address: String,
    pub email: String,
    pub phone: String,
    pub created_micros: i64,
}

#[derive(Debug, Clone)]
pub struct Account {
    pub id: String,
    pub customer: usize,
    pub currency: &'static str,
    pub opened_micros: i64,
}

/// An OFAC SDN individual.
#[derive(Debug, Clone)]
pub struct SdnEntry {
    pub ent_num: String,
    pub name: String,
}

/// A customer whose name is a variant of an SDN entry.
#[derive(Debug, Clone)]
pub struct SanctionsCase {
    pub customer: usize,
    pub entry: SdnEntry,
    pub variant: &'static str,
}

#[derive(Debug, Clone)]
pub struct Population {
    pub customers: Vec<Customer>,
    /// One account per customer, `accounts[i].customer == i`.
    pub accounts: Vec<Account>,
    pub sanctions_cases: Vec<SanctionsCase>,
    /// A customer in a jurisdiction on FATF's call-for-action list, the counterparty of the
    /// injected high-risk-jurisdiction case; it takes part in nothing else.
    pub high_risk_customer: usize,
}

impl Population {
    /// Indexes of customers whose account is in USD, the ones typologies are injected into.
    pub fn usd_customers(&self) -> Vec<usize> {
        self.accounts
            .iter()
            .filter(|account| {
                account.currency == "USD" && account.customer != self.high_risk_customer
            })
            .map(|account| account.customer)
            .collect()
    }
}

/// Reads the individuals of an OFAC SDN legacy CSV (no header, `-0-` for empty).
pub fn read_sdn_individuals(path: &Path) -> Result<Vec<SdnEntry>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_path(path)
        .map_err(|err| SimulatorError::InvalidSimulation(format!("{}: {err}", path.display())))?;
    let mut entries = Vec::new();
    for record in reader.records() {
        let record = record?;
        let (Some(ent_num), Some(name), Some(kind)) = (record.get(0), record.get(1), record.get(2))
        else {
            continue;
        };
        // Names of individuals read "LAST, First Middle".
        if kind.trim() == "individual" && name.contains(", ") {
            entries.push(SdnEntry {
                ent_num: ent_num.trim().to_string(),
                name: name.trim().to_string(),
            });
        }
    }
    Ok(entries)
}

fn title_case(word: &str) -> String {
    let lower = word.to_lowercase();
    let mut chars = lower.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().collect::<String>() + chars.as_str())
        .unwrap_or_default()
}

/// A name as a customer would give it: "First LAST" in title case, with a variation.
fn sanctions_variant(entry: &SdnEntry, variant: &'static str) -> String {
    let (last, given) = entry.name.split_once(", ").unwrap_or((&entry.name, ""));
    let given_words: Vec<String> = given.split_whitespace().map(title_case).collect();
    let last = last
        .split_whitespace()
        .map(title_case)
        .collect::<Vec<_>>()
        .join(" ");
    match variant {
        // Middle names dropped.
        "dropped_middle_name" => format!(
            "{} {last}",
            given_words.first().cloned().unwrap_or_default()
        ),
        // One letter doubled, as a clerk's typo.
        "typo" => {
            let mut name = format!("{} {last}", given_words.join(" "));
            if let Some((index, letter)) = name.char_indices().nth(2) {
                name.insert(index, letter);
            }
            name
        }
        _ => format!("{} {last}", given_words.join(" ")),
    }
}

pub fn generate(
    rng: &mut ChaCha8Rng,
    payments_per_day: u32,
    clock: &Clock,
    sanctions_entries: &[SdnEntry],
) -> Population {
    let customer_count = (payments_per_day as usize / 4).max(80);
    let first_day = Clock::utc_midnight_micros(clock.start_date);
    let mut customers = Vec::with_capacity(customer_count + 3);
    let mut accounts = Vec::with_capacity(customer_count + 3);
    for index in 0..customer_count {
        let is_business = rng.random_bool(0.2);
        let full_name = if is_business {
            format!(
                "{} {} LLC",
                pick(rng, &BUSINESS_WORDS),
                pick(rng, &BUSINESS_KINDS)
            )
        } else {
            format!("{} {}", pick(rng, &FIRST_NAMES), pick(rng, &LAST_NAMES))
        };
        customers.push(new_customer(rng, index, full_name, is_business, first_day));
    }
    let mut sanctions_cases = Vec::new();
    for (case_number, variant) in ["reordered", "dropped_middle_name", "typo"]
        .into_iter()
        .enumerate()
    {
        if sanctions_entries.is_empty() {
            break;
        }
        let entry = pick(rng, sanctions_entries).clone();
        let index = customers.len();
        let name = sanctions_variant(&entry, variant);
        let mut customer = new_customer(rng, index, name, false, first_day);
        customer.country = COUNTRIES[case_number + 5];
        customers.push(customer);
        sanctions_cases.push(SanctionsCase {
            customer: index,
            entry,
            variant,
        });
    }
    let high_risk_customer = customers.len();
    let mut customer = new_customer(
        rng,
        high_risk_customer,
        "Thiha Aung".into(),
        false,
        first_day,
    );
    customer.country = HIGH_RISK_COUNTRY;
    customers.push(customer);
    for (index, customer) in customers.iter().enumerate() {
        let roll: f64 = rng.random();
        let currency = if roll < 0.8 || index == high_risk_customer {
            "USD"
        } else if roll < 0.9 {
            "EUR"
        } else {
            "GBP"
        };
        accounts.push(Account {
            id: format!("A{:06}", index + 1),
            customer: index,
            currency,
            opened_micros: customer.created_micros + MICROS_PER_DAY,
        });
    }
    Population {
        customers,
        accounts,
        sanctions_cases,
        high_risk_customer,
    }
}

fn new_customer(
    rng: &mut ChaCha8Rng,
    index: usize,
    full_name: String,
    is_business: bool,
    first_day_micros: i64,
) -> Customer {
    let id = format!("C{:06}", index + 1);
    let handle: String = full_name
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_lowercase();
    let risk_roll: f64 = rng.random();
    let country = *pick(rng, &COUNTRIES);
    Customer {
        customer_type: if is_business { "business" } else { "person" },
        country,
        occupation: (!is_business).then(|| *pick(rng, &OCCUPATIONS)),
        industry: is_business.then(|| *pick(rng, &INDUSTRIES)),
        is_pep: !is_business && rng.random_bool(0.02),
        risk_rating: if risk_roll < 0.8 {
            "low"
        } else if risk_roll < 0.95 {
            "medium"
        } else {
            "high"
        },
        date_of_birth: (!is_business).then(|| {
            NaiveDate::from_ymd_opt(1950, 1, 1).expect("a valid date")
                + Duration::days(rng.random_range(0..18_000))
        }),
        address: format!(
            "{} {}, Springfield",
            rng.random_range(1..999),
            pick(rng, &STREETS)
        ),
        email: format!("{handle}{}@example.com", index + 1),
        phone: format!("+1555{:07}", rng.random_range(0..10_000_000)),
        created_micros: first_day_micros - i64::from(rng.random_range(30..2_000)) * MICROS_PER_DAY,
        id,
        full_name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanctions_variants_read_like_customer_names() {
        let entry = SdnEntry {
            ent_num: "1".into(),
            name: "ABDUL, Hamid Karim".into(),
        };
        assert_eq!(sanctions_variant(&entry, "reordered"), "Hamid Karim Abdul");
        assert_eq!(
            sanctions_variant(&entry, "dropped_middle_name"),
            "Hamid Abdul"
        );
        assert_eq!(sanctions_variant(&entry, "typo"), "Hammid Karim Abdul");
    }
}
