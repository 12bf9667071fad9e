//! The Aurora side: customers, accounts, transactions, ledger and FX rates as the changes DMS
//! captures (full load, then inserts, updates and deletes), written as DMS files.

use std::collections::BTreeMap;
use std::path::Path;

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::clock::{Clock, MICROS_PER_HOUR, MICROS_PER_MINUTE};
use super::movements::{Fate, FxRates, Movement};
use super::people::{Account, Customer, Population};
use crate::delivery::mark_delivered;
use crate::error::Result;
use paylake_ingest::rows::{days_since_epoch, Value};
use paylake_ingest::sources::dms::{self, DmsChange};

fn customer_row(customer: &Customer, address: &str, updated_micros: i64) -> Vec<Value> {
    vec![
        Value::from(customer.id.as_str()),
        Value::from(customer.customer_type),
        Value::from(customer.full_name.as_str()),
        Value::from(customer.country),
        Value::from(customer.occupation),
        Value::from(customer.industry),
        Value::Boolean(customer.is_pep),
        Value::from(customer.risk_rating),
        customer
            .date_of_birth
            .map_or(Value::Null, |date| Value::Date(days_since_epoch(date))),
        Value::from(address),
        Value::from(customer.email.as_str()),
        Value::from(customer.phone.as_str()),
        Value::TimestampMicros(customer.created_micros),
        Value::TimestampMicros(updated_micros),
    ]
}

fn account_row(account: &Account, population: &Population) -> Vec<Value> {
    vec![
        Value::from(account.id.as_str()),
        Value::from(population.customers[account.customer].id.as_str()),
        Value::from("checking"),
        Value::from(account.currency),
        Value::from("open"),
        Value::TimestampMicros(account.opened_micros),
        Value::TimestampMicros(account.opened_micros),
    ]
}

fn transaction_row(
    movement: &Movement,
    population: &Population,
    status: &str,
    updated_micros: i64,
) -> Vec<Value> {
    let account = &population.accounts[movement.account];
    vec![
        Value::from(movement.id.as_str()),
        Value::from(account.id.as_str()),
        Value::from(population.customers[account.customer].id.as_str()),
        Value::from(movement.kind),
        Value::Decimal(movement.amount_cents),
        Value::from(account.currency),
        Value::from(movement.channel),
        Value::from(
            movement
                .counterparty_account
                .map(|index| population.accounts[index].id.clone()),
        ),
        Value::from(status),
        Value::from(movement.memo.as_str()),
        Value::TimestampMicros(movement.created_micros),
        Value::TimestampMicros(updated_micros),
    ]
}

/// The two postings of a posted movement: the customer's account and the processor's
/// general-ledger account of its currency.
fn ledger_rows(movement: &Movement, population: &Population) -> [Vec<Value>; 2] {
    let account = &population.accounts[movement.account];
    let customer_side = match movement.kind {
        "cash_deposit" | "transfer_in" => "credit",
        _ => "debit",
    };
    let ledger_side = if customer_side == "credit" {
        "debit"
    } else {
        "credit"
    };
    let contra = if movement.is_cash() {
        format!("GL-CASH-{}", account.currency)
    } else {
        format!("GL-CLEARING-{}", account.currency)
    };
    let posting = |suffix: &str, account_id: &str, direction: &str| {
        vec![
            Value::Text(format!("{}-{suffix}", movement.id)),
            Value::from(movement.id.as_str()),
            Value::from(account_id),
            Value::from(direction),
            Value::Decimal(movement.amount_cents),
            Value::from(account.currency),
            Value::TimestampMicros(movement.resolved_micros),
        ]
    };
    [
        posting("1", &account.id, customer_side),
        posting("2", &contra, ledger_side),
    ]
}

fn change(op: &'static str, commit_micros: i64, values: Vec<Value>) -> DmsChange {
    DmsChange {
        op,
        commit_micros,
        values,
    }
}

/// Writes the full load DMS took before the first day: every customer and account, and the
/// movements that had posted by then. Returns how many files.
pub fn write_full_load(
    landing_dir: &Path,
    clock: &Clock,
    population: &Population,
    history: &[Movement],
) -> Result<u64> {
    let load_time = Clock::utc_midnight_micros(clock.start_date) - MICROS_PER_HOUR;
    debug_assert!(history
        .iter()
        .all(|movement| movement.resolved_micros < load_time && movement.fate == Fate::Posted));
    let customers = population
        .customers
        .iter()
        .map(|customer| customer_row(customer, &customer.address, customer.created_micros))
        .collect();
    let accounts = population
        .accounts
        .iter()
        .map(|account| account_row(account, population))
        .collect();
    // Movements older than the full load are in it, as they stood: posted.
    let transactions = history
        .iter()
        .map(|movement| transaction_row(movement, population, "posted", movement.resolved_micros))
        .collect();
    let ledger_entries = history
        .iter()
        .flat_map(|movement| ledger_rows(movement, population))
        .collect();
    let mut files = 0;
    for (table, rows) in [
        ("customers", customers),
        ("accounts", accounts),
        ("transactions", transactions),
        ("ledger_entries", ledger_entries),
    ] {
        let rows: Vec<Vec<Value>> = rows;
        if rows.is_empty() {
            continue;
        }
        let changes: Vec<DmsChange> = rows
            .into_iter()
            .map(|row| change("I", load_time, row))
            .collect();
        let path = landing_dir
            .join(table_folder(table))
            .join(dms::load_file_name());
        dms::write_file(&path, table, &changes, false)?;
        mark_delivered(&path, load_time)?;
        files += 1;
    }
    Ok(files)
}

/// Writes the CDC files of business day `day`: the day's customer updates, movements (as they
/// were inserted, then posted, voided or deleted), ledger postings and FX rates. DMS writes a
/// CDC file per table per period; here per business day, named at its local end. Returns how
/// many files.
pub fn write_day(
    landing_dir: &Path,
    rng: &mut ChaCha8Rng,
    clock: &Clock,
    population: &Population,
    day: u32,
    movements: &[Movement],
    fx_rates: &FxRates,
) -> Result<u64> {
    let mut cdc: BTreeMap<&'static str, Vec<DmsChange>> = BTreeMap::new();
    // Customers move house.
    for minute in 0..2 {
        let index = rng.random_range(0..population.customers.len());
        let customer = &population.customers[index];
        let at = clock.local_micros(day, 12 * 3600 + minute * 60);
        let address = format!("{} Harbor View, Riverton", rng.random_range(1..500));
        cdc.entry("customers").or_default().push(change(
            "U",
            at,
            customer_row(customer, &address, at),
        ));
    }
    for movement in movements {
        let transactions = cdc.entry("transactions").or_default();
        let created = movement.created_micros;
        let resolved = movement.resolved_micros;
        transactions.push(change(
            "I",
            created,
            transaction_row(movement, population, "pending", created),
        ));
        match movement.fate {
            Fate::Posted => {
                transactions.push(change(
                    "U",
                    resolved,
                    transaction_row(movement, population, "posted", resolved),
                ));
                for row in ledger_rows(movement, population) {
                    cdc.entry("ledger_entries")
                        .or_default()
                        .push(change("I", resolved, row));
                }
            }
            Fate::Voided => transactions.push(change(
                "U",
                resolved,
                transaction_row(movement, population, "voided", resolved),
            )),
            // A delete carries the before-image.
            Fate::Deleted => transactions.push(change(
                "D",
                resolved,
                transaction_row(movement, population, "pending", created),
            )),
        }
    }
    for ((date, currency), rate) in fx_rates {
        let at = Clock::utc_midnight_micros(*date) + 5 * MICROS_PER_MINUTE;
        cdc.entry("fx_rates").or_default().push(change(
            "I",
            at,
            vec![
                Value::Date(days_since_epoch(*date)),
                Value::from(*currency),
                Value::Decimal(*rate),
            ],
        ));
    }

    let written_at = clock.day_end_micros(day);
    let mut files = 0;
    for (table, mut changes) in cdc {
        changes.sort_by_key(|change| change.commit_micros);
        debug_assert!(changes
            .iter()
            .all(|change| change.commit_micros <= written_at));
        let path = landing_dir
            .join(table_folder(table))
            .join(dms::cdc_file_name(written_at));
        dms::write_file(&path, table, &changes, true)?;
        mark_delivered(&path, written_at)?;
        files += 1;
    }
    Ok(files)
}

fn table_folder(table: &str) -> String {
    let (schema, _) = dms::TABLES
        .iter()
        .find(|(_, known)| *known == table)
        .expect("the simulator writes replicated tables only");
    format!("{}/{schema}/{table}", dms::LANDING_FOLDER)
}
