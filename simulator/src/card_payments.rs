//! Card payments in DynamoDB (created → authorized → captured → settled, some failed, refunded
//! or charged back) with their stream records, payment events on Kinesis, the processor's
//! settlement batches, the bank statements of its payouts, and injected reconciliation breaks.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{Duration, NaiveDate};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Map, Value as Json};

use super::clock::{Clock, MICROS_PER_DAY, MICROS_PER_HOUR, MICROS_PER_MINUTE, MICROS_PER_SECOND};
use super::people::Population;
use super::{pick, SimulationConfig};
use crate::delivery::mark_delivered;
use crate::error::Result;
use paylake_ingest::rows::format_decimal;
use paylake_ingest::sources::camt053::{self, Statement, StatementEntry};
use paylake_ingest::sources::dynamodb::{
    self, null_attribute, number_attribute, string_attribute, StreamRecord,
};
use paylake_ingest::sources::kinesis::{self, KinesisRecord};
use paylake_ingest::sources::settlement::{self, SettlementLine};

const CHANNELS: [&str; 5] = ["mobile", "web", "partner_api", "third_party", "pos"];
const FAILURE_REASONS: [&str; 3] = ["insufficient_funds", "do_not_honor", "suspected_fraud"];
const SHARDS: u64 = 2;
const BANK_IBANS: [(&str, &str); 3] = [
    ("USD", "US64SVBKUS6S3300958879"),
    ("EUR", "DE89370400440532013000"),
    ("GBP", "GB29NWBK60161331926819"),
];

/// A break between the processor's records, the settlement report and the bank.
#[derive(Debug, Clone)]
pub struct ReconBreak {
    /// missing_in_settlement, amount_mismatch, duplicate_in_settlement, missing_in_bank, timing.
    pub break_type: &'static str,
    pub business_date: NaiveDate,
    pub reference: String,
    pub currency: &'static str,
    pub amount_cents: i128,
}

/// A change of a payment as the DynamoDB stream carries it: built into its record (with the
/// payment's images) only when its file is written, so that the period's records are never
/// all in memory at once.
struct StreamChange {
    shard: u64,
    sequence: usize,
    at: i64,
    payment_index: usize,
    state: usize,
}

/// An event of a payment on Kinesis, built into its record when its object is written.
#[derive(Clone)]
struct PaymentEvent {
    sequence: usize,
    arrival_micros: i64,
    payment_index: usize,
    event_type: &'static str,
    at: i64,
}

pub struct CardPayments {
    pub payment_count: u64,
    payments: Vec<Payment>,
    stream_changes: Vec<StreamChange>,
    payment_events: Vec<PaymentEvent>,
    pub settlement_batches: BTreeMap<i64, Vec<SettlementLine>>,
    pub statements: Vec<Statement>,
    pub recon_breaks: Vec<ReconBreak>,
}

struct Payment {
    id: String,
    customer: usize,
    merchant: String,
    amount_cents: i128,
    currency: &'static str,
    channel: &'static str,
    card_last4: String,
    created_micros: i64,
    /// (status, time, failure reason)
    states: Vec<(&'static str, i64, Option<&'static str>)>,
}

impl Payment {
    fn image(&self, population: &Population, state: usize) -> Map<String, Json> {
        let (status, at, failure) = self.states[state];
        let created = chrono::DateTime::from_timestamp_micros(self.created_micros)
            .expect("simulated times are valid")
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let mut image = Map::new();
        image.insert("payment_id".into(), string_attribute(&self.id));
        image.insert(
            "customer_id".into(),
            string_attribute(&population.customers[self.customer].id),
        );
        image.insert(
            "account_id".into(),
            string_attribute(&population.accounts[self.customer].id),
        );
        image.insert("merchant_id".into(), string_attribute(&self.merchant));
        image.insert(
            "amount".into(),
            number_attribute(&format_decimal(self.amount_cents, 2)),
        );
        image.insert("currency".into(), string_attribute(self.currency));
        image.insert("channel".into(), string_attribute(self.channel));
        image.insert("status".into(), string_attribute(status));
        image.insert("card_last4".into(), string_attribute(&self.card_last4));
        image.insert(
            "failure_reason".into(),
            failure.map_or_else(null_attribute, string_attribute),
        );
        image.insert("created_at".into(), string_attribute(&created));
        image.insert(
            "updated_at".into(),
            number_attribute(&(at / 1000).to_string()),
        );
        image.insert(
            "metadata".into(),
            json!({"M": {"risk_score": {"N": "0.12"}, "three_ds": {"BOOL": true}}}),
        );
        image
    }

    fn settled_micros(&self) -> Option<i64> {
        self.states
            .iter()
            .find(|(status, _, _)| *status == "settled")
            .map(|(_, at, _)| *at)
    }
}

fn fee(amount_cents: i128, basis_points: i128) -> i128 {
    (amount_cents * basis_points + 5_000) / 10_000
}

pub fn generate(
    rng: &mut ChaCha8Rng,
    config: &SimulationConfig,
    clock: &Clock,
    population: &Population,
) -> CardPayments {
    let mut payments = Vec::new();
    for day in 0..config.days {
        for _ in 0..config.payments_per_day {
            let customer = rng.random_range(0..population.customers.len());
            let created = clock.local_micros(day, rng.random_range(7 * 3600..22 * 3600));
            let authorized = created + i64::from(rng.random_range(1..4_u32)) * MICROS_PER_SECOND;
            let mut states = vec![("created", created, None)];
            if rng.random_bool(0.05) {
                states.push(("failed", authorized, Some(*pick(rng, &FAILURE_REASONS))));
            } else {
                let captured =
                    authorized + i64::from(rng.random_range(1..60_u32)) * MICROS_PER_MINUTE;
                let settled_date = clock.date_of(captured) + Duration::days(1);
                let settled = Clock::utc_midnight_micros(settled_date)
                    + 6 * MICROS_PER_HOUR
                    + i64::from(rng.random_range(0..3_600_u32)) * MICROS_PER_SECOND;
                states.push(("authorized", authorized, None));
                states.push(("captured", captured, None));
                states.push(("settled", settled, None));
                let roll: f64 = rng.random();
                if roll < 0.02 {
                    states.push(("refunded", settled + MICROS_PER_DAY, None));
                } else if roll < 0.03 {
                    states.push(("charged_back", settled + 2 * MICROS_PER_DAY, None));
                }
            }
            let channel = *pick(rng, &CHANNELS);
            payments.push(Payment {
                id: format!("P{:09}", payments.len() + 1),
                customer,
                merchant: format!("M{:04}", rng.random_range(1..40)),
                amount_cents: i128::from(rng.random_range(500..50_000_u32)),
                currency: population.accounts[customer].currency,
                channel,
                card_last4: format!("{:04}", rng.random_range(0..10_000)),
                created_micros: created,
                states,
            });
        }
    }
    let stream_changes = stream_changes(&payments);
    let payment_events = payment_events(rng, &payments);
    let (settlement_batches, mut recon_breaks) = settlement_batches(&payments, clock);
    let statements = bank_statements(&settlement_batches, clock, &mut recon_breaks);
    CardPayments {
        payment_count: payments.len() as u64,
        payments,
        stream_changes,
        payment_events,
        settlement_batches,
        statements,
        recon_breaks,
    }
}

impl CardPayments {
    pub fn stream_record_count(&self) -> u64 {
        self.stream_changes.len() as u64
    }

    pub fn kinesis_record_count(&self) -> u64 {
        self.payment_events.len() as u64
    }
}

fn stream_changes(payments: &[Payment]) -> Vec<StreamChange> {
    let mut changes: Vec<(i64, usize, usize)> = Vec::new();
    for (payment_index, payment) in payments.iter().enumerate() {
        for state in 0..payment.states.len() {
            changes.push((payment.states[state].1, payment_index, state));
        }
    }
    changes.sort();
    changes
        .into_iter()
        .enumerate()
        .map(|(sequence, (at, payment_index, state))| StreamChange {
            shard: payment_index as u64 % SHARDS,
            sequence,
            at,
            payment_index,
            state,
        })
        .collect()
}

impl StreamChange {
    fn record(&self, payments: &[Payment], population: &Population) -> StreamRecord {
        let payment = &payments[self.payment_index];
        let state = self.state;
        let mut keys = Map::new();
        keys.insert("payment_id".into(), string_attribute(&payment.id));
        StreamRecord {
            event_id: format!("{:032x}", (self.payment_index as u128) << 8 | state as u128),
            event_name: if state == 0 { "INSERT" } else { "MODIFY" },
            approximate_creation_seconds: self.at / MICROS_PER_SECOND,
            sequence_number: format!(
                "{}",
                100_000_000_000_000_000_000_u128 + self.sequence as u128
            ),
            keys,
            new_image: Some(payment.image(population, state)),
            old_image: (state > 0).then(|| payment.image(population, state - 1)),
        }
    }
}

fn payment_events(rng: &mut ChaCha8Rng, payments: &[Payment]) -> Vec<PaymentEvent> {
    let mut events: Vec<(i64, usize, &'static str, i64)> = Vec::new();
    for (payment_index, payment) in payments.iter().enumerate() {
        let mut add = |event_type: &'static str, at: i64| {
            let arrival = at + i64::from(rng.random_range(200..2_000_u32)) * 1_000;
            events.push((arrival, payment_index, event_type, at));
        };
        add("device", payment.created_micros);
        add("geo", payment.created_micros);
        for (status, at, _) in &payment.states {
            match *status {
                "authorized" | "failed" => add("auth", *at),
                "captured" => add("capture", *at),
                _ => {}
            }
        }
    }
    events.sort_by(|left, right| {
        left.0
            .cmp(&right.0)
            .then_with(|| payments[left.1].id.cmp(&payments[right.1].id))
    });
    let mut records = Vec::with_capacity(events.len());
    for (sequence, (arrival, payment_index, event_type, at)) in events.into_iter().enumerate() {
        let event = PaymentEvent {
            sequence,
            arrival_micros: arrival,
            payment_index,
            event_type,
            at,
        };
        // Firehose delivers at least once: some records arrive again an hour later.
        if rng.random_bool(0.02) {
            let mut repeat = event.clone();
            repeat.arrival_micros += MICROS_PER_HOUR;
            records.push(repeat);
        }
        records.push(event);
    }
    records.sort_by_key(|event| event.arrival_micros / 1000);
    records
}

impl PaymentEvent {
    fn record(&self, payments: &[Payment], population: &Population) -> KinesisRecord {
        let payment = &payments[self.payment_index];
        let customer = &population.customers[payment.customer];
        let occurred = chrono::DateTime::from_timestamp_micros(self.at)
            .expect("simulated times are valid")
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let event = json!({
            "payment_id": payment.id,
            "customer_id": customer.id,
            "event_type": self.event_type,
            "channel": payment.channel,
            "device_id": format!("dev-{}", customer.id),
            "ip_address": format!("203.0.113.{}", payment.customer % 250),
            "country": customer.country,
            "occurred_at": occurred,
            "event_id": format!("EV{:010}", self.sequence + 1),
        });
        KinesisRecord {
            sequence_number: format!(
                "{}",
                49_000_000_000_000_000_000_u128 + self.sequence as u128
            ),
            arrival_millis: self.arrival_micros / 1000,
            partition_key: payment.id.clone(),
            event,
        }
    }
}

fn settlement_batches(
    payments: &[Payment],
    clock: &Clock,
) -> (BTreeMap<i64, Vec<SettlementLine>>, Vec<ReconBreak>) {
    let batch_of = |micros: i64| -> i64 {
        let date = chrono::DateTime::from_timestamp_micros(micros)
            .expect("simulated times are valid")
            .date_naive();
        (date - clock.start_date).num_days()
    };
    let mut batches: BTreeMap<i64, Vec<SettlementLine>> = BTreeMap::new();
    let mut breaks = Vec::new();
    let mut broken_batches = std::collections::BTreeSet::new();
    for payment in payments {
        let Some(settled) = payment.settled_micros() else {
            continue;
        };
        let batch = batch_of(settled);
        let base = SettlementLine {
            merchant_account: payment.merchant.clone(),
            psp_reference: payment.id.clone(),
            merchant_reference: format!("order-{}", &payment.id[1..]),
            payment_method: "visa".into(),
            currency: payment.currency.to_string(),
            batch_number: batch,
            ..SettlementLine::default()
        };
        let business_date = clock.date_of(payment.created_micros);
        // One break of each kind, in the first USD payment of its batch.
        let break_here = payment.currency == "USD" && broken_batches.insert(batch);
        if break_here && batch == 2 {
            breaks.push(ReconBreak {
                break_type: "missing_in_settlement",
                business_date,
                reference: payment.id.clone(),
                currency: payment.currency,
                amount_cents: payment.amount_cents,
            });
            continue;
        }
        let gross = if break_here && batch == 3 {
            breaks.push(ReconBreak {
                break_type: "amount_mismatch",
                business_date,
                reference: payment.id.clone(),
                currency: payment.currency,
                amount_cents: 100,
            });
            payment.amount_cents + 100
        } else {
            payment.amount_cents
        };
        let (interchange, scheme_fees, markup, commission) =
            (fee(gross, 20), fee(gross, 5), fee(gross, 10), 10);
        let settled_line = SettlementLine {
            creation_micros: settled,
            record_type: "Settled".into(),
            gross_credit: Some(gross),
            net_credit: Some(gross - interchange - scheme_fees - markup - commission),
            interchange: Some(interchange),
            scheme_fees: Some(scheme_fees),
            markup: Some(markup),
            commission: Some(commission),
            ..base.clone()
        };
        let lines = batches.entry(batch).or_default();
        if break_here && batch == 4 {
            breaks.push(ReconBreak {
                break_type: "duplicate_in_settlement",
                business_date,
                reference: payment.id.clone(),
                currency: payment.currency,
                amount_cents: gross,
            });
            lines.push(settled_line.clone());
        }
        lines.push(settled_line);
        for (status, at, _) in &payment.states {
            let (record_type, fee_cents) = match *status {
                "refunded" => ("Refunded", 0),
                "charged_back" => ("Chargeback", 1_500),
                _ => continue,
            };
            batches
                .entry(batch_of(*at))
                .or_default()
                .push(SettlementLine {
                    creation_micros: *at,
                    record_type: record_type.into(),
                    modification_reference: format!("{}-{record_type}", payment.id),
                    gross_debit: Some(payment.amount_cents),
                    net_debit: Some(payment.amount_cents + fee_cents),
                    batch_number: batch_of(*at),
                    ..base.clone()
                });
        }
    }
    // Each batch closes with one payout per currency of what it owes the merchants.
    for (batch, lines) in batches.iter_mut() {
        let mut owed: BTreeMap<String, i128> = BTreeMap::new();
        for line in lines.iter() {
            *owed.entry(line.currency.clone()).or_default() +=
                line.net_credit.unwrap_or(0) - line.net_debit.unwrap_or(0);
        }
        let closed_at = Clock::utc_midnight_micros(clock.start_date + Duration::days(*batch))
            + 23 * MICROS_PER_HOUR;
        for (currency, amount) in owed {
            if amount <= 0 {
                continue;
            }
            lines.push(SettlementLine {
                merchant_account: "ALL".into(),
                creation_micros: closed_at,
                record_type: "MerchantPayout".into(),
                modification_reference: payout_reference(*batch, &currency),
                currency,
                net_debit: Some(amount),
                batch_number: *batch,
                ..SettlementLine::default()
            });
        }
    }
    (batches, breaks)
}

fn payout_reference(batch: i64, currency: &str) -> String {
    format!("PAYOUT-{batch:04}-{currency}")
}

fn bank_statements(
    batches: &BTreeMap<i64, Vec<SettlementLine>>,
    clock: &Clock,
    breaks: &mut Vec<ReconBreak>,
) -> Vec<Statement> {
    // Payouts land on the bank account of their currency the next day.
    let mut entries: BTreeMap<(NaiveDate, &'static str), Vec<StatementEntry>> = BTreeMap::new();
    for (batch, lines) in batches {
        for line in lines
            .iter()
            .filter(|line| line.record_type == "MerchantPayout")
        {
            let Some(&(currency, _)) = BANK_IBANS.iter().find(|(code, _)| *code == line.currency)
            else {
                continue;
            };
            let batch_date = clock.start_date + Duration::days(*batch);
            let amount = line.net_debit.unwrap_or(0);
            let mut booking = batch_date + Duration::days(1);
            if *batch == 5 && currency == "USD" {
                breaks.push(ReconBreak {
                    break_type: "missing_in_bank",
                    business_date: batch_date,
                    reference: line.modification_reference.clone(),
                    currency,
                    amount_cents: amount,
                });
                continue;
            }
            if *batch == 3 && currency == "EUR" {
                booking = batch_date + Duration::days(3);
                breaks.push(ReconBreak {
                    break_type: "timing",
                    business_date: batch_date,
                    reference: line.modification_reference.clone(),
                    currency,
                    amount_cents: amount,
                });
            }
            entries
                .entry((booking, currency))
                .or_default()
                .push(StatementEntry {
                    reference: format!("BNK-{}", line.modification_reference),
                    amount_cents: amount,
                    credit: true,
                    booking_date: booking,
                    value_date: booking,
                    end_to_end_id: line.modification_reference.clone(),
                    remittance_info: format!("Settlement batch {batch} payout"),
                });
        }
    }
    let mut balances: BTreeMap<&str, i128> = BTreeMap::new();
    entries
        .into_iter()
        .map(|((date, currency), entries)| {
            let iban = BANK_IBANS
                .iter()
                .find(|(code, _)| *code == currency)
                .map(|(_, iban)| *iban)
                .expect("statements are made for known currencies");
            let opening = balances.entry(currency).or_insert(5_000_000);
            let statement = Statement {
                id: format!("STMT-{date}-{currency}"),
                iban: iban.to_string(),
                currency: currency.to_string(),
                created_at_micros: Clock::utc_midnight_micros(date) + 20 * MICROS_PER_HOUR,
                statement_date: date,
                opening_balance_cents: *opening,
                entries,
            };
            *opening = statement.closing_balance_cents();
            statement
        })
        .collect()
}

/// Writes every file of the payments side; returns how many.
pub fn write(landing_dir: &Path, payments: &CardPayments, population: &Population) -> Result<u64> {
    let mut files = 0;
    // Stream records: one file per shard and UTC day, named by its first sequence number.
    let mut by_file: BTreeMap<(u64, i64), Vec<&StreamChange>> = BTreeMap::new();
    for change in &payments.stream_changes {
        let day = change.at / MICROS_PER_SECOND / 86_400;
        by_file.entry((change.shard, day)).or_default().push(change);
    }
    for ((shard, _), changes) in &by_file {
        let records: Vec<StreamRecord> = changes
            .iter()
            .map(|change| change.record(&payments.payments, population))
            .collect();
        let relative = format!(
            "{}/shardId-00000001700000000000-{shard:08}/{}.jsonl",
            dynamodb::TABLE_FOLDER,
            records[0].sequence_number
        );
        let path = landing_dir.join(relative);
        dynamodb::write_file(&path, &records)?;
        // The stream's consumer writes the file as its last record arrives.
        let last_change = changes
            .iter()
            .map(|change| change.at)
            .max()
            .unwrap_or_default();
        mark_delivered(&path, last_change)?;
        files += 1;
    }
    // Firehose buffers an hour of records per object.
    let mut by_hour: BTreeMap<i64, Vec<&PaymentEvent>> = BTreeMap::new();
    for event in &payments.payment_events {
        let hour = event.arrival_micros / 1000 * 1000 / MICROS_PER_HOUR;
        by_hour.entry(hour).or_default().push(event);
    }
    for (hour, events) in &by_hour {
        let records: Vec<KinesisRecord> = events
            .iter()
            .map(|event| event.record(&payments.payments, population))
            .collect();
        let delivered = (hour + 1) * MICROS_PER_HOUR - MICROS_PER_MINUTE;
        let key = kinesis::object_key(delivered, *hour as u64);
        let path = landing_dir.join(key);
        kinesis::write_firehose_object(&path, &records)?;
        mark_delivered(&path, delivered)?;
        files += 1;
    }
    for (batch, lines) in &payments.settlement_batches {
        let path = landing_dir.join(settlement::file_name(*batch));
        settlement::write_file(&path, lines)?;
        // The processor reports a batch an hour after its last line.
        let last_line = lines.iter().map(|line| line.creation_micros).max();
        mark_delivered(&path, last_line.unwrap_or_default() + MICROS_PER_HOUR)?;
        files += 1;
    }
    for statement in &payments.statements {
        let relative = camt053::file_name(statement.statement_date, &statement.currency);
        let path = landing_dir.join(relative);
        camt053::write_file(&path, statement)?;
        // The bank sends a day's statement the next morning.
        let next_morning = Clock::utc_midnight_micros(statement.statement_date)
            + MICROS_PER_DAY
            + 6 * MICROS_PER_HOUR;
        mark_delivered(&path, next_morning)?;
        files += 1;
    }
    Ok(files)
}
