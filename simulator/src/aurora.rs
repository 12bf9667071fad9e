//! The Aurora side: customers, accounts, transactions, ledger and FX rates as the changes DMS
//! captures (full load, then inserts, updates and deletes), written as DMS files.

use std::collections::BTreeMap;
use std::path::Path;

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::clock::{Clock, MICROS_PER_DAY, MICROS_PER_HOUR, MICROS_PER_MINUTE};
use super::movements::{Fate, FxRates, Movement};
use super::people::{Account, Customer, Population};
use super::SimulationConfig;
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

/// Writes the full-load and CDC files of every Aurora table; returns how many files.
pub fn write(
    landing_dir: &Path,
    rng: &mut ChaCha8Rng,
    config: &SimulationConfig,
    clock: &Clock,
    population: &Population,
    movements: &[Movement],
    fx_rates: &FxRates,
) -> Result<u64> {
    let load_time = Clock::utc_midnight_micros(clock.start_date) - MICROS_PER_HOUR;
    let mut files = 0;

    let customer_load: Vec<DmsChange> = population
        .customers
        .iter()
        .map(|customer| {
            change(
                "I",
                load_time,
                customer_row(customer, &customer.address, customer.created_micros),
            )
        })
        .collect();
    let account_load: Vec<DmsChange> = population
        .accounts
        .iter()
        .map(|account| change("I", load_time, account_row(account, population)))
        .collect();
    for (table, rows) in [("customers", customer_load), ("accounts", account_load)] {
        let path = landing_dir
            .join(table_folder(table))
            .join(dms::load_file_name());
        dms::write_file(&path, table, &rows, false)?;
        mark_delivered(&path, load_time)?;
        files += 1;
    }

    let mut cdc: BTreeMap<&'static str, Vec<DmsChange>> = BTreeMap::new();
    // Customers move house during the period.
    for day in 0..config.days {
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
    }
    // Movements older than the full load are in it, as they stood: posted.
    let (history, movements): (Vec<&Movement>, Vec<&Movement>) =
        movements.iter().partition(|movement| {
            movement.resolved_micros < load_time && movement.fate == Fate::Posted
        });
    let transaction_load: Vec<DmsChange> = history
        .iter()
        .map(|movement| {
            let row = transaction_row(movement, population, "posted", movement.resolved_micros);
            change("I", load_time, row)
        })
        .collect();
    let ledger_load: Vec<DmsChange> = history
        .iter()
        .flat_map(|movement| ledger_rows(movement, population))
        .map(|row| change("I", load_time, row))
        .collect();
    for (table, rows) in [
        ("transactions", transaction_load),
        ("ledger_entries", ledger_load),
    ] {
        if rows.is_empty() {
            continue;
        }
        let path = landing_dir
            .join(table_folder(table))
            .join(dms::load_file_name());
        dms::write_file(&path, table, &rows, false)?;
        mark_delivered(&path, load_time)?;
        files += 1;
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

    // DMS writes a CDC file per table per period; here, per UTC day, named at the day's end.
    for (table, mut changes) in cdc {
        changes.sort_by_key(|change| change.commit_micros);
        let mut by_day: BTreeMap<i64, Vec<DmsChange>> = BTreeMap::new();
        for change in changes {
            by_day
                .entry(change.commit_micros.div_euclid(MICROS_PER_DAY))
                .or_default()
                .push(change);
        }
        for (day, changes) in by_day {
            let written_at = (day + 1) * MICROS_PER_DAY - 1_000;
            let path = landing_dir
                .join(table_folder(table))
                .join(dms::cdc_file_name(written_at));
            dms::write_file(&path, table, &changes, true)?;
            mark_delivered(&path, written_at)?;
            files += 1;
        }
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
