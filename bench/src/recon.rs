//! `paylake bench recon`: the staged three-way match over generated silver tables as Parquet
//! (`--rows` payments against as many settlement lines, their payouts and bank credits), beside
//! the peer: the same stage SQL as DuckDB over the same files (`bench/peer_recon.py`). Both run
//! as their own processes; the bench prints time, peak RSS and the outcomes by category and
//! rule of each, which must agree.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use arrow::array::{
    ArrayRef, Date32Array, Decimal128Array, Int64Array, RecordBatch, StringArray,
    TimestampMicrosecondArray,
};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use chrono::NaiveDate;
use paylake_transforms::finance_rules::FinanceRules;
use paylake_transforms::job::day_number;
use paylake_transforms::recon::three_way::{
    outcomes_sql, render_stage, run_match, stage_parameters, MatchWindow, INPUT_QUERIES,
    INPUT_VIEWS, OUTCOMES_TABLE, PAIRING_QUERIES,
};

use super::{
    changed_copy_for_peer, generate_tables, io_error, parquet_session, print_beside_peer,
    run_beside_duckdb_peer, write_batch, write_steps, write_table, Lcg,
};
use crate::compare::Outputs;
use crate::error::Result;

const DAYS: i64 = 30;
const ROWS_PER_FILE: u64 = 1_000_000;
const MICROS_PER_DAY: i64 = 86_400_000_000;
const CURRENCIES: [&str; 3] = ["USD", "EUR", "GBP"];
const CHANNELS: [&str; 5] = ["mobile", "web", "partner_api", "third_party", "pos"];
const TABLES: [&str; 4] = [
    "payments",
    "settlement_lines",
    "bank_statement_entries",
    "fx_rates",
];

fn first_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 1).expect("a valid date")
}

/// The run is as of the last batch's day: it matches every payment, and holds the matches of
/// that day and every break and open item.
fn match_window(rules: &FinanceRules) -> MatchWindow {
    let mut window = MatchWindow::new(day_number(first_date()) + DAYS, rules);
    window.from_day = day_number(first_date()) - 1;
    window
}

fn money(values: Vec<Option<i128>>) -> Result<ArrayRef> {
    Ok(Arc::new(
        Decimal128Array::from(values).with_precision_and_scale(18, 2)?,
    ))
}

fn utc_type() -> DataType {
    DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
}

fn lines_schema() -> SchemaRef {
    let text = |name| Field::new(name, DataType::Utf8, true);
    let amount = |name| Field::new(name, DataType::Decimal128(18, 2), true);
    Arc::new(Schema::new(vec![
        text("settlement_line_id"),
        text("psp_reference"),
        text("record_type"),
        Field::new("batch_number", DataType::Int64, true),
        text("gross_currency"),
        amount("gross_credit"),
        amount("gross_debit"),
        text("net_currency"),
        amount("net_credit"),
        amount("net_debit"),
        amount("interchange"),
        amount("scheme_fees"),
        amount("markup"),
        amount("commission"),
        Field::new("creation_date", utc_type(), true),
        text("modification_reference"),
    ]))
}

/// Settlement lines being collected for one file.
#[derive(Default)]
struct Lines {
    id: Vec<String>,
    psp_reference: Vec<Option<String>>,
    record_type: Vec<&'static str>,
    batch: Vec<i64>,
    currency: Vec<&'static str>,
    gross_credit: Vec<Option<i128>>,
    net_credit: Vec<Option<i128>>,
    net_debit: Vec<Option<i128>>,
    fees: Vec<[Option<i128>; 4]>,
    created: Vec<i64>,
    reference: Vec<Option<String>>,
}

impl Lines {
    fn batch(self) -> Result<RecordBatch> {
        let rows = self.id.len();
        let fee = |index: usize| money(self.fees.iter().map(|fees| fees[index]).collect());
        let columns: Vec<ArrayRef> = vec![
            Arc::new(StringArray::from(self.id)),
            Arc::new(StringArray::from(self.psp_reference)),
            Arc::new(StringArray::from(self.record_type)),
            Arc::new(Int64Array::from(self.batch)),
            Arc::new(StringArray::from(self.currency.clone())),
            money(self.gross_credit)?,
            money(vec![None; rows])?,
            Arc::new(StringArray::from(self.currency)),
            money(self.net_credit)?,
            money(self.net_debit)?,
            fee(0)?,
            fee(1)?,
            fee(2)?,
            fee(3)?,
            Arc::new(TimestampMicrosecondArray::from(self.created).with_timezone("UTC")),
            Arc::new(StringArray::from(self.reference)),
        ];
        Ok(RecordBatch::try_new(lines_schema(), columns)?)
    }
}

fn fee(amount_cents: i128, basis_points: i128) -> i128 {
    (amount_cents * basis_points + 5_000) / 10_000
}

/// Writes `rows` payments over thirty days, a Settled line for each (a day later), one payout a
/// day per currency and a bank credit for each. About one payment in a thousand loses its line,
/// one in a thousand settles a unit off, one in two thousand is reported twice; one payout in
/// twenty never reaches the bank.
fn write_data(folder: &Path, rows: u64) -> Result<()> {
    let mut random = Lcg(7);
    let start = first_date()
        .and_hms_opt(0, 0, 0)
        .expect("midnight")
        .and_utc()
        .timestamp_micros();
    let mut owed: BTreeMap<(i64, &'static str), i128> = BTreeMap::new();
    let mut written = 0_u64;
    let mut part = 0;
    while written < rows {
        let in_file = ROWS_PER_FILE.min(rows - written);
        let (mut ids, mut currencies, mut amounts, mut channels, mut created) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let mut lines = Lines::default();
        for offset in 0..in_file {
            let number = written + offset;
            let id = format!("P{number:010}");
            let day = random.below(DAYS as u64) as i64;
            let at = start + day * MICROS_PER_DAY + random.below(20 * 3_600) as i64 * 1_000_000;
            let currency = CURRENCIES[random.below(3) as usize];
            let cents = 500 + random.below(50_000) as i128;
            ids.push(id.clone());
            currencies.push(currency);
            amounts.push(Some(cents));
            channels.push(CHANNELS[random.below(5) as usize]);
            created.push(at);
            let roll = random.below(2_000);
            if roll < 2 {
                continue;
            }
            let gross = if roll < 4 { cents + 100 } else { cents };
            let fees = [fee(gross, 20), fee(gross, 5), fee(gross, 10), 10];
            let net = gross - fees.iter().sum::<i128>();
            let batch = day + 1;
            let copies = if roll == 4 { 2 } else { 1 };
            for copy in 0..copies {
                lines.id.push(format!("L{number:010}-{copy}"));
                lines.psp_reference.push(Some(id.clone()));
                lines.record_type.push("Settled");
                lines.batch.push(batch);
                lines.currency.push(currency);
                lines.gross_credit.push(Some(gross));
                lines.net_credit.push(Some(net));
                lines.net_debit.push(None);
                lines.fees.push(fees.map(Some));
                lines
                    .created
                    .push(start + batch * MICROS_PER_DAY + 6 * 3_600_000_000);
                lines.reference.push(None);
                *owed.entry((batch, currency)).or_default() += net;
            }
        }
        let updated: Vec<i64> = created.iter().map(|at| at + MICROS_PER_DAY).collect();
        let payments = RecordBatch::try_new(
            Arc::new(Schema::new(vec![
                Field::new("payment_id", DataType::Utf8, true),
                Field::new("currency", DataType::Utf8, true),
                Field::new("amount", DataType::Decimal128(18, 2), true),
                Field::new("channel", DataType::Utf8, true),
                Field::new("status", DataType::Utf8, true),
                Field::new("created_at", utc_type(), true),
                Field::new("updated_at", utc_type(), true),
            ])),
            vec![
                Arc::new(StringArray::from(ids)),
                Arc::new(StringArray::from(currencies)),
                money(amounts)?,
                Arc::new(StringArray::from(channels)),
                Arc::new(StringArray::from(vec!["settled"; in_file as usize])),
                Arc::new(TimestampMicrosecondArray::from(created).with_timezone("UTC")),
                Arc::new(TimestampMicrosecondArray::from(updated).with_timezone("UTC")),
            ],
        )?;
        write_batch(folder, "payments", part, &payments)?;
        write_batch(folder, "settlement_lines", part, &lines.batch()?)?;
        written += in_file;
        part += 1;
    }

    let mut payouts = Lines::default();
    let (mut entry_ids, mut e2e, mut entry_currencies, mut entry_amounts, mut booked) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (index, ((batch, currency), amount)) in owed.iter().enumerate() {
        let reference = format!("PAYOUT-{batch:04}-{currency}");
        payouts.id.push(format!("Y{index:06}"));
        payouts.psp_reference.push(None);
        payouts.record_type.push("MerchantPayout");
        payouts.batch.push(*batch);
        payouts.currency.push(currency);
        payouts.gross_credit.push(None);
        payouts.net_credit.push(None);
        payouts.net_debit.push(Some(*amount));
        payouts.fees.push([None; 4]);
        payouts
            .created
            .push(start + batch * MICROS_PER_DAY + 18 * 3_600_000_000);
        payouts.reference.push(Some(reference.clone()));
        if index % 20 == 7 {
            continue;
        }
        entry_ids.push(format!("BNK-{reference}"));
        e2e.push(reference);
        entry_currencies.push(*currency);
        entry_amounts.push(Some(*amount));
        booked.push(i32::try_from(day_number(first_date()) + batch + 1).expect("a Date32"));
    }
    write_batch(folder, "settlement_lines", part, &payouts.batch()?)?;
    let entries = entry_ids.len();
    write_table(
        folder,
        "bank_statement_entries",
        vec![
            (
                "statement_id",
                Arc::new(StringArray::from(vec!["S"; entries])),
            ),
            ("entry_reference", Arc::new(StringArray::from(entry_ids))),
            (
                "account_iban",
                Arc::new(StringArray::from(vec!["US00"; entries])),
            ),
            ("end_to_end_id", Arc::new(StringArray::from(e2e))),
            ("currency", Arc::new(StringArray::from(entry_currencies))),
            ("amount", money(entry_amounts)?),
            (
                "credit_debit",
                Arc::new(StringArray::from(vec!["CRDT"; entries])),
            ),
            ("status", Arc::new(StringArray::from(vec!["BOOK"; entries]))),
            ("booking_date", Arc::new(Date32Array::from(booked))),
        ],
    )?;
    let rate_days: Vec<i32> = (0..DAYS + 2)
        .flat_map(|day| {
            let day = i32::try_from(day_number(first_date()) + day).expect("a Date32");
            [day, day]
        })
        .collect();
    let rates = rate_days.len();
    write_table(
        folder,
        "fx_rates",
        vec![
            ("rate_date", Arc::new(Date32Array::from(rate_days))),
            (
                "currency",
                Arc::new(StringArray::from(
                    (0..rates)
                        .map(|index| if index % 2 == 0 { "EUR" } else { "GBP" })
                        .collect::<Vec<_>>(),
                )),
            ),
            (
                "usd_rate",
                Arc::new(
                    Decimal128Array::from(
                        (0..rates)
                            .map(|index| {
                                if index % 2 == 0 {
                                    108_000_000
                                } else {
                                    127_000_000
                                }
                            })
                            .collect::<Vec<i128>>(),
                    )
                    .with_precision_and_scale(18, 8)?,
                ),
            ),
        ],
    )?;
    Ok(())
}

/// The staged match over the Parquet folder (run by `bench recon` as its own process). Writes
/// every outcome row to `<output>/outcomes.parquet` and each step's time to
/// `<output>/steps.json`.
pub async fn run_match_on_parquet(rules: &FinanceRules, data: &Path, output: &Path) -> Result<()> {
    let context = parquet_session(data, &TABLES).await?;
    let utc = paylake_transforms::BusinessDay::new(first_date(), "UTC")?.timezone;
    let run = run_match(&context, rules, &match_window(rules), utc).await?;
    let mut steps: Vec<(&str, f64)> = run
        .steps
        .iter()
        .map(|(table, elapsed)| (*table, elapsed.as_secs_f64()))
        .collect();
    let started = std::time::Instant::now();
    let outcomes = context.table(OUTCOMES_TABLE).await?;
    let schema = std::sync::Arc::new(outcomes.schema().as_arrow().clone());
    let path = output.join("outcomes.parquet");
    let mut writer = parquet::arrow::ArrowWriter::try_new(
        std::fs::File::create(&path).map_err(io_error(&path))?,
        schema,
        None,
    )?;
    for batch in outcomes.collect().await? {
        writer.write(&batch)?;
    }
    writer.close()?;
    steps.push(("write outcomes", started.elapsed().as_secs_f64()));
    write_steps(output, &steps)
}

pub async fn bench_recon(
    rules: &FinanceRules,
    rows: u64,
    workdir: &Path,
    python: &str,
    change_peer_input: bool,
) -> Result<()> {
    let data = generate_tables(
        workdir,
        &format!("{rows} payments and their settlement lines"),
        |data| write_data(data, rows),
    )?;
    let peer_data = if change_peer_input {
        // The last payment a thousand units more than its settlement line: a break on one
        // side only.
        changed_copy_for_peer(workdir, &data, "payments", |batches| {
            let last = batches.len().checked_sub(1)?;
            let row = batches[last].num_rows().checked_sub(1)?;
            let amounts = batches[last].column_by_name("amount")?;
            let amounts =
                arrow::array::AsArray::as_primitive::<arrow::datatypes::Decimal128Type>(amounts);
            Some((last, row, amounts.value(row) + 100_000))
        })?
    } else {
        data.clone()
    };

    // The peer runs the very SQL paylake runs, with the same parameters; it expands the day
    // functions of the inputs in its own dialect. An input paylake reads in place is a view
    // on both sides, one it holds is a table on both.
    let sql_folder = workdir.join("sql");
    std::fs::create_dir_all(&sql_folder).map_err(io_error(&sql_folder))?;
    let parameters = stage_parameters(rules, &match_window(rules));
    for (index, (name, template)) in INPUT_QUERIES
        .iter()
        .chain(PAIRING_QUERIES.iter())
        .enumerate()
    {
        let kind = if INPUT_VIEWS.contains(name) {
            "view"
        } else {
            "table"
        };
        let path = sql_folder.join(format!("{index:02}-{kind}-{name}.sql"));
        std::fs::write(&path, render_stage(name, template, &parameters)?)
            .map_err(io_error(&path))?;
    }
    let path = sql_folder.join(format!("99-table-{OUTCOMES_TABLE}.sql"));
    std::fs::write(&path, outcomes_sql(&parameters)?).map_err(io_error(&path))?;

    let sides = run_beside_duckdb_peer(
        workdir,
        (&data, &peer_data),
        &["bench", "recon-run"],
        python,
        "peer_recon.py",
        &[],
    )?;
    println!(
        "staged three-way match: {rows} payments against their settlement lines, payouts and \
         bank credits"
    );
    print_beside_peer(&sides)?;
    let (ours, theirs) = (
        sides.paylake_output.join("outcomes.parquet"),
        sides.peer_output.join("outcomes.parquet"),
    );
    let columns: Vec<String> =
        parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(
            std::fs::File::open(&ours).map_err(io_error(&ours))?,
        )?
        .schema()
        .fields()
        .iter()
        .map(|field| format!("\"{}\"", field.name()))
        .collect();
    let columns: Vec<&str> = columns.iter().map(String::as_str).collect();
    let outcomes = Outputs::open("the reconciliation outcomes", &ours, &theirs).await?;
    let outcome_key = "concat(outcome, ' ', COALESCE(category, ''), ' ', rule_id)";
    outcomes
        .print_counts("outcome category rule", outcome_key, &[])
        .await?;
    let equal = outcomes.compare(&columns, outcome_key).await?;
    println!("  outcomes equal on both sides: {equal}");
    Ok(())
}
