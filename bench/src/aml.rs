//! `paylake bench aml`: the whole detection suite over generated silver tables as Parquet
//! (`--transactions` movements over `--days` days), beside the peer: the same rules as DuckDB
//! SQL over the same files (`bench/peer_aml.py`). Both run as their own processes and write
//! every alert as Parquet; the bench prints time, peak RSS and the time of each step of each,
//! and fails unless the two files hold the same alerts.

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use arrow::array::{
    ArrayRef, Date32Array, Decimal128Array, Int64Array, RecordBatch, StringArray,
    TimestampMicrosecondArray,
};
use arrow::datatypes::{DataType, Field, Schema, TimeUnit};
use chrono::NaiveDate;
use parquet::arrow::ArrowWriter;
use paylake_catalog::rows::string_lists;
use paylake_transforms::aml::alerts::Alert;
use paylake_transforms::aml::rules::{customer_days_sql, movements_sql, rule_sql, RULE_IDS};
use paylake_transforms::aml::suite::detect;
use paylake_transforms::aml::{AmlRules, DateRange};
use paylake_transforms::job::day_number;

use super::{
    changed_copy_for_peer, generate_tables, io_error, parquet_session, print_beside_peer,
    run_beside_duckdb_peer, write_parquet_file, write_steps, write_table, Lcg,
};
use crate::compare::Outputs;
use crate::error::Result;

const FIRST_DATE: (i32, u32, u32) = (2026, 1, 1);
const ROWS_PER_FILE: usize = 1_000_000;
const ROWS_PER_BATCH: usize = 100_000;
const MICROS_PER_DAY: i64 = 86_400_000_000;

fn first_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(FIRST_DATE.0, FIRST_DATE.1, FIRST_DATE.2).expect("a valid date")
}

fn range_of(days: u32) -> DateRange {
    DateRange::utc(
        first_date(),
        first_date() + chrono::Duration::days(i64::from(days) - 1),
    )
}

fn transactions_schema() -> Arc<Schema> {
    Arc::new(Schema::new(vec![
        Field::new("transaction_id", DataType::Utf8, false),
        Field::new("account_id", DataType::Utf8, false),
        Field::new("customer_id", DataType::Utf8, false),
        Field::new("transaction_type", DataType::Utf8, false),
        Field::new("amount", DataType::Decimal128(18, 2), false),
        Field::new("currency", DataType::Utf8, false),
        Field::new("channel", DataType::Utf8, false),
        Field::new("counterparty_account_id", DataType::Utf8, true),
        Field::new("status", DataType::Utf8, false),
        Field::new(
            "created_at",
            DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
            false,
        ),
    ]))
}

/// Rows of the transactions table being generated.
#[derive(Default)]
struct Movements {
    accounts: Vec<String>,
    types: Vec<&'static str>,
    amounts: Vec<i128>,
    channels: Vec<&'static str>,
    counterparties: Vec<Option<String>>,
    times: Vec<i64>,
}

impl Movements {
    fn push(
        &mut self,
        account: u64,
        kind: &'static str,
        cents: i128,
        counterparty: Option<u64>,
        at: i64,
    ) {
        self.accounts.push(format!("A{account:07}"));
        self.types.push(kind);
        self.amounts.push(cents);
        self.channels.push(if kind.starts_with("cash") {
            "pos"
        } else {
            "web"
        });
        self.counterparties
            .push(counterparty.map(|other| format!("A{other:07}")));
        self.times.push(at);
    }

    fn len(&self) -> usize {
        self.accounts.len()
    }

    /// The rows as a batch, numbered from `first_id`.
    fn batch(&mut self, first_id: u64) -> Result<RecordBatch> {
        let rows = self.len();
        let ids: Vec<String> = (0..rows as u64)
            .map(|row| format!("T{:010}", first_id + row))
            .collect();
        let accounts = std::mem::take(&mut self.accounts);
        let customers: Vec<String> = accounts
            .iter()
            .map(|account| format!("C{}", &account[1..]))
            .collect();
        let columns: Vec<ArrayRef> = vec![
            Arc::new(StringArray::from(ids)),
            Arc::new(StringArray::from(accounts)),
            Arc::new(StringArray::from(customers)),
            Arc::new(StringArray::from(std::mem::take(&mut self.types))),
            Arc::new(
                Decimal128Array::from(std::mem::take(&mut self.amounts))
                    .with_precision_and_scale(18, 2)?,
            ),
            Arc::new(StringArray::from(vec!["USD"; rows])),
            Arc::new(StringArray::from(std::mem::take(&mut self.channels))),
            Arc::new(StringArray::from(std::mem::take(&mut self.counterparties))),
            Arc::new(StringArray::from(vec!["posted"; rows])),
            Arc::new(
                TimestampMicrosecondArray::from(std::mem::take(&mut self.times))
                    .with_timezone("UTC"),
            ),
        ];
        Ok(RecordBatch::try_new(transactions_schema(), columns)?)
    }
}

/// Writes silver-shaped Parquet: transactions (random card-processor traffic with a few
/// injected patterns), customers, accounts and fx_rates.
fn write_data(folder: &Path, movements: u64, days: u32) -> Result<()> {
    // About twenty movements per customer a month, like a retail book.
    let customers = (movements / 20).max(1_000);
    let mut random = Lcg(42);
    let start = first_date()
        .and_hms_opt(0, 0, 0)
        .expect("midnight")
        .and_utc()
        .timestamp_micros();
    let transactions_folder = folder.join("transactions");
    std::fs::create_dir_all(&transactions_folder).map_err(io_error(&transactions_folder))?;
    let mut written = 0_u64;
    let mut file_index = 0;
    let mut next_id = 0_u64;
    while written < movements {
        let path = transactions_folder.join(format!("part-{file_index:04}.parquet"));
        let file = File::create(&path).map_err(io_error(&path))?;
        let mut writer = ArrowWriter::try_new(file, transactions_schema(), None)?;
        let mut in_file = 0;
        while in_file < ROWS_PER_FILE && written < movements {
            let mut rows = Movements::default();
            while rows.len() < ROWS_PER_BATCH && written + (rows.len() as u64) < movements {
                let day = random.below(u64::from(days)) as i64;
                let at = start
                    + day * MICROS_PER_DAY
                    + (8 * 3600 + random.below(12 * 3600) as i64) * 1_000_000;
                let account = random.below(customers);
                // Amounts from USD 10 to about USD 5,000, most of them small.
                let cents =
                    (1_000 + random.below(20_000) * random.below(25) + random.below(100)) as i128;
                match random.below(1_000) {
                    // Now and then a laundering pattern: ten senders into one account in a day,
                    // a ring of four accounts passing an amount round, a scatter-gather, a
                    // split payment, a funnel account or a day far above the peers'.
                    0 => {
                        for sender in 1..=10 {
                            let from = (account + sender * 7_919) % customers;
                            rows.push(
                                from,
                                "transfer_out",
                                150_000,
                                Some(account),
                                at + (sender as i64) * 60_000_000,
                            );
                            rows.push(
                                account,
                                "transfer_in",
                                150_000,
                                Some(from),
                                at + (sender as i64) * 60_000_000,
                            );
                        }
                    }
                    1 => {
                        let ring: Vec<u64> = (0..4)
                            .map(|hop| (account + hop * 104_729) % customers)
                            .collect();
                        let mut amount = 500_000_i128;
                        for hop in 0..4 {
                            let (from, to) = (ring[hop], ring[(hop + 1) % 4]);
                            let when = at + (hop as i64) * 3_600_000_000;
                            rows.push(from, "transfer_out", amount, Some(to), when);
                            rows.push(to, "transfer_in", amount, Some(from), when);
                            amount -= amount / 50;
                        }
                    }
                    // Scatter-gather: three intermediaries forward to one beneficiary.
                    2 => {
                        let beneficiary = (account + 15_485_863) % customers;
                        for hop in 1..=3_u64 {
                            let intermediary = (account + hop * 7_907) % customers;
                            let when = at + (hop as i64) * 600_000_000;
                            rows.push(account, "transfer_out", 300_000, Some(intermediary), when);
                            rows.push(intermediary, "transfer_in", 300_000, Some(account), when);
                            rows.push(
                                intermediary,
                                "transfer_out",
                                290_000,
                                Some(beneficiary),
                                when + 3_600_000_000,
                            );
                            rows.push(
                                beneficiary,
                                "transfer_in",
                                290_000,
                                Some(intermediary),
                                when + 3_600_000_000,
                            );
                        }
                    }
                    // One payment split in four to the same beneficiary.
                    3 => {
                        let to = (account + 31) % customers;
                        for part in 0..4_i64 {
                            rows.push(
                                account,
                                "transfer_out",
                                90_000,
                                Some(to),
                                at + part * 60_000_000,
                            );
                            rows.push(
                                to,
                                "transfer_in",
                                90_000,
                                Some(account),
                                at + part * 60_000_000,
                            );
                        }
                    }
                    // A funnel account: a cash deposit wired on within the hour, twice a day.
                    4 => {
                        let beneficiary = (account + 49_979) % customers;
                        for pass in 0..2_i64 {
                            let deposited = at + pass * 4 * 3_600_000_000;
                            rows.push(account, "cash_deposit", 800_000, None, deposited);
                            let wired = deposited + 3_600_000_000;
                            rows.push(account, "transfer_out", 792_000, Some(beneficiary), wired);
                            rows.push(beneficiary, "transfer_in", 792_000, Some(account), wired);
                        }
                    }
                    // A day far above any peer's: USD 400,000 paid to another customer.
                    5 => {
                        let to = (account + 611) % customers;
                        rows.push(account, "transfer_out", 40_000_000, Some(to), at);
                        rows.push(to, "transfer_in", 40_000_000, Some(account), at);
                    }
                    roll if roll < 400 => {
                        let kind = if roll % 2 == 0 {
                            "cash_deposit"
                        } else {
                            "cash_withdrawal"
                        };
                        rows.push(account, kind, cents, None, at);
                    }
                    _ => {
                        let to = random.below(customers);
                        if to != account {
                            rows.push(account, "transfer_out", cents, Some(to), at);
                            rows.push(to, "transfer_in", cents, Some(account), at);
                        }
                    }
                }
            }
            let count = rows.len();
            writer.write(&rows.batch(next_id)?)?;
            next_id += count as u64;
            in_file += count;
            written += count as u64;
        }
        writer.close()?;
        file_index += 1;
    }

    let customer_ids: Vec<String> = (0..customers).map(|index| format!("C{index:07}")).collect();
    let account_ids: Vec<String> = (0..customers).map(|index| format!("A{index:07}")).collect();
    let countries: Vec<&str> = (0..customers)
        .map(|index| if index % 997 == 0 { "IR" } else { "US" })
        .collect();
    let kinds: Vec<&str> = (0..customers)
        .map(|index| if index % 5 == 0 { "business" } else { "person" })
        .collect();
    let industries: Vec<Option<&str>> = (0..customers)
        .map(|index| {
            (index % 5 == 0)
                .then_some(["retail", "money services", "restaurants"][(index % 3) as usize])
        })
        .collect();
    let occupations: Vec<Option<&str>> = (0..customers)
        .map(|index| {
            (index % 5 != 0)
                .then_some(["engineer", "teacher", "nurse", "driver"][(index % 4) as usize])
        })
        .collect();
    write_table(
        folder,
        "customers",
        vec![
            (
                "customer_id",
                Arc::new(StringArray::from(customer_ids.clone())) as ArrayRef,
            ),
            ("customer_type", Arc::new(StringArray::from(kinds))),
            (
                "full_name",
                Arc::new(StringArray::from(
                    customer_ids
                        .iter()
                        .map(|id| format!("Customer {id}"))
                        .collect::<Vec<_>>(),
                )),
            ),
            ("country", Arc::new(StringArray::from(countries))),
            ("occupation", Arc::new(StringArray::from(occupations))),
            ("industry", Arc::new(StringArray::from(industries))),
        ],
    )?;
    write_table(
        folder,
        "accounts",
        vec![
            (
                "account_id",
                Arc::new(StringArray::from(account_ids)) as ArrayRef,
            ),
            ("customer_id", Arc::new(StringArray::from(customer_ids))),
            (
                "currency",
                Arc::new(StringArray::from(vec!["USD"; customers as usize])),
            ),
        ],
    )?;
    let dates: Vec<i32> = (0..days)
        .map(|day| day_number(first_date()) as i32 + day as i32)
        .collect();
    write_table(
        folder,
        "fx_rates",
        vec![
            (
                "rate_date",
                Arc::new(Date32Array::from(dates.clone())) as ArrayRef,
            ),
            (
                "currency",
                Arc::new(StringArray::from(vec!["EUR"; dates.len()])),
            ),
            (
                "usd_rate",
                Arc::new(
                    Decimal128Array::from(vec![108_000_000_i128; dates.len()])
                        .with_precision_and_scale(18, 8)?,
                ),
            ),
        ],
    )?;
    Ok(())
}

/// The suite over the Parquet folder (run by `bench aml` as its own process). Writes every
/// alert to `<output>/alerts.parquet` and the time of each step to `<output>/steps.json`.
pub async fn run_suite_on_parquet(
    rules: &AmlRules,
    data: &Path,
    days: u32,
    output: &Path,
) -> Result<()> {
    let context =
        parquet_session(data, &["transactions", "customers", "accounts", "fx_rates"]).await?;
    let detection = detect(&context, &range_of(days), rules).await?;
    let mut steps = vec![("movements", detection.movements_elapsed.as_secs_f64())];
    steps.extend(RULE_IDS.iter().filter_map(|rule| {
        detection
            .per_rule
            .get(rule)
            .map(|(_, elapsed)| (*rule, elapsed.as_secs_f64()))
    }));
    let started = std::time::Instant::now();
    write_alerts(&output.join("alerts.parquet"), &detection.alerts)?;
    steps.push(("write alerts", started.elapsed().as_secs_f64()));
    write_steps(output, &steps)
}

/// Every alert as the bench compares it: its id, rule, date, subject, score, amount, evidence,
/// accounts and reason.
fn write_alerts(path: &Path, alerts: &[Alert]) -> Result<()> {
    let columns: Vec<(&str, ArrayRef)> = vec![
        (
            "alert_id",
            Arc::new(StringArray::from_iter_values(
                alerts.iter().map(Alert::alert_id),
            )),
        ),
        (
            "rule_id",
            Arc::new(StringArray::from_iter_values(
                alerts.iter().map(|alert| &alert.rule_id),
            )),
        ),
        (
            "business_date",
            Arc::new(Date32Array::from_iter_values(
                alerts
                    .iter()
                    .map(|alert| day_number(alert.business_date) as i32),
            )),
        ),
        (
            "customer_id",
            Arc::new(StringArray::from_iter(
                alerts.iter().map(|alert| alert.customer_id.as_deref()),
            )),
        ),
        (
            "account_id",
            Arc::new(StringArray::from_iter(
                alerts.iter().map(|alert| alert.account_id.as_deref()),
            )),
        ),
        (
            "score",
            Arc::new(Int64Array::from_iter_values(
                alerts.iter().map(|alert| alert.score),
            )),
        ),
        (
            "amount_usd",
            Arc::new(
                Decimal128Array::from_iter(alerts.iter().map(|alert| alert.amount_usd_cents))
                    .with_precision_and_scale(18, 2)?,
            ),
        ),
        (
            "transaction_ids",
            string_lists(alerts.iter().map(|alert| &alert.transaction_ids)),
        ),
        (
            "account_ids",
            string_lists(alerts.iter().map(|alert| &alert.account_ids)),
        ),
        (
            "reason",
            Arc::new(StringArray::from_iter_values(
                alerts.iter().map(|alert| &alert.reason),
            )),
        ),
    ];
    write_parquet_file(path, columns)
}

pub async fn bench_aml(
    rules: &AmlRules,
    transactions: u64,
    days: u32,
    workdir: &Path,
    python: &str,
    change_peer_input: bool,
) -> Result<()> {
    let data = generate_tables(
        workdir,
        &format!("{transactions} transactions over {days} days"),
        |data| write_data(data, transactions, days),
    )?;
    let peer_data = if change_peer_input {
        // A cash deposit of USD 15,000: a currency transaction report on one side only.
        changed_copy_for_peer(workdir, &data, "transactions", |batches| {
            batches.iter().enumerate().find_map(|(index, batch)| {
                let types = batch.column_by_name("transaction_type")?;
                let types = arrow::array::cast::as_string_array(types);
                let row = types.iter().position(|kind| kind == Some("cash_deposit"))?;
                Some((index, row, 1_500_000))
            })
        })?
    } else {
        data.clone()
    };

    // The peer runs the very SQL paylake runs, with the same parameters.
    let sql_folder = workdir.join("sql");
    std::fs::create_dir_all(&sql_folder).map_err(io_error(&sql_folder))?;
    let range = range_of(days);
    let movements_path = sql_folder.join("movements.sql");
    std::fs::write(&movements_path, movements_sql(&range, rules)?)
        .map_err(io_error(&movements_path))?;
    let customer_days_path = sql_folder.join("customer_days.sql");
    std::fs::write(&customer_days_path, customer_days_sql()?)
        .map_err(io_error(&customer_days_path))?;
    for rule_id in RULE_IDS {
        if let Some(sql) = rule_sql(rule_id, &range, rules)? {
            let path = sql_folder.join(format!("{rule_id}.sql"));
            std::fs::write(&path, sql).map_err(io_error(&path))?;
        }
    }
    let parameters = serde_json::json!({
        "rule_ids": RULE_IDS,
        "from_day": range.from_day(),
        "to_day": range.to_day(),
        "cycle": rules.enabled("cycle"),
    });
    let parameters_path = workdir.join("parameters.json");
    std::fs::write(&parameters_path, parameters.to_string()).map_err(io_error(&parameters_path))?;

    let sides = run_beside_duckdb_peer(
        workdir,
        (&data, &peer_data),
        &["bench", "aml-run", "--days", &days.to_string()],
        python,
        "peer_aml.py",
        &["--parameters".as_ref(), parameters_path.as_os_str()],
    )?;
    println!(
        "aml suite: {transactions} transactions over {days} days, {} rules",
        RULE_IDS.len()
    );
    print_beside_peer(&sides)?;
    let alerts = Outputs::open(
        "the alerts",
        &sides.paylake_output.join("alerts.parquet"),
        &sides.peer_output.join("alerts.parquet"),
    )
    .await?;
    alerts
        .print_counts("alerts per rule", "rule_id", &RULE_IDS)
        .await?;
    let equal = alerts.compare(&ALERT_COLUMNS, "rule_id").await?;
    println!("  alerts equal on both sides: {equal}");
    Ok(())
}

/// The alerts as both sides' files are compared: every column, the evidence as a set (the
/// rules give it in time order, and two engines may order equal times differently).
const ALERT_COLUMNS: [&str; 10] = [
    "alert_id",
    "rule_id",
    "CAST(business_date AS VARCHAR) AS business_date",
    "customer_id",
    "account_id",
    "CAST(score AS VARCHAR) AS score",
    "CAST(amount_usd AS VARCHAR) AS amount_usd",
    "array_to_string(array_sort(transaction_ids), ',') AS evidence",
    "array_to_string(account_ids, ',') AS account_ids",
    "reason",
];
