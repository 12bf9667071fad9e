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
use super::pick;
use crate::delivery::mark_delivered;
use crate::error::Result;
use crate::state::{PendingStreamFile, SimulationState, UnbookedPayout};
use paylake_ingest::rows::format_decimal;
use paylake_ingest::sources::camt053::{self, RelatedParties, Statement, StatementEntry};
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
/// payment's images) only when its file is written.
struct StreamChange {
    shard: u64,
    sequence: u64,
    at: i64,
    payment_index: usize,
    state: usize,
}

/// An event of a payment on Kinesis, built into its record when its object is written.
#[derive(Clone)]
struct PaymentEvent {
    sequence: u64,
    arrival_micros: i64,
    payment_index: usize,
    event_type: &'static str,
    at: i64,
}

/// What one business day of card payments wrote.
#[derive(Debug, Default)]
pub struct PaymentsWritten {
    pub payments: u64,
    pub stream_records: u64,
    pub kinesis_records: u64,
    pub files: u64,
    pub recon_breaks: Vec<ReconBreak>,
}

struct Payment {
    /// Counted from 1 over the whole simulation: `P000000001` is the first.
    number: u64,
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

/// Simulates business day `day` of card payments and writes what its producers deliver: the
/// day's stream records and Kinesis events (those of later states, such as a settlement the
/// next morning or a refund, in files delivered when they happen), the settlement batches no
/// later day adds to, and the bank statements of their payouts.
pub fn simulate_day(
    landing_dir: &Path,
    rng: &mut ChaCha8Rng,
    clock: &Clock,
    population: &Population,
    state: &mut SimulationState,
    day: u32,
) -> Result<PaymentsWritten> {
    let payments = generate_payments(rng, clock, population, state, day);
    let mut written = PaymentsWritten {
        payments: payments.len() as u64,
        ..PaymentsWritten::default()
    };
    // What a run writes ends with the settlement batch of the day after its last day: later
    // changes wait for the run that simulates their days, so that the stream never runs
    // ahead of the settlement reports.
    let horizon_micros = Clock::utc_midnight_micros(clock.business_date(day + 2));
    let changes = stream_changes(&payments, state);
    written.stream_records = changes.len() as u64;
    written.files += write_stream_records(
        landing_dir,
        &changes,
        &payments,
        population,
        state,
        horizon_micros,
    )?;
    let events = payment_events(rng, &payments, state);
    written.kinesis_records = events.len() as u64;
    written.files += write_payment_events(landing_dir, &events, &payments, population)?;

    add_settlement_lines(&payments, clock, state, day, &mut written.recon_breaks);
    // A payment captured on day D settles in batch D + 1, a refund or chargeback later: after
    // day D no later day adds a line to batch D + 1 or before.
    let last_complete_batch = i64::from(day) + 1;
    written.files += close_batches(
        landing_dir,
        clock,
        state,
        last_complete_batch,
        &mut written.recon_breaks,
    )?;
    Ok(written)
}

fn generate_payments(
    rng: &mut ChaCha8Rng,
    clock: &Clock,
    population: &Population,
    state: &mut SimulationState,
    day: u32,
) -> Vec<Payment> {
    let mut payments = Vec::with_capacity(state.payments_per_day as usize);
    for _ in 0..state.payments_per_day {
        let customer = rng.random_range(0..population.customers.len());
        let created = clock.local_micros(day, rng.random_range(7 * 3600..22 * 3600));
        let authorized = created + i64::from(rng.random_range(1..4_u32)) * MICROS_PER_SECOND;
        let mut states = vec![("created", created, None)];
        if rng.random_bool(0.05) {
            states.push(("failed", authorized, Some(*pick(rng, &FAILURE_REASONS))));
        } else {
            let captured = authorized + i64::from(rng.random_range(1..60_u32)) * MICROS_PER_MINUTE;
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
        state.payments_written += 1;
        let number = state.payments_written;
        payments.push(Payment {
            number,
            id: format!("P{number:09}"),
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
    payments
}

/// Every state of the day's payments as a stream change, in time order, numbered after the
/// sequence numbers of the days before.
fn stream_changes(payments: &[Payment], state: &mut SimulationState) -> Vec<StreamChange> {
    let mut changes: Vec<(i64, usize, usize)> = Vec::new();
    for (payment_index, payment) in payments.iter().enumerate() {
        for payment_state in 0..payment.states.len() {
            changes.push((
                payment.states[payment_state].1,
                payment_index,
                payment_state,
            ));
        }
    }
    changes.sort();
    let first_sequence = state.stream_sequences_used;
    state.stream_sequences_used += changes.len() as u64;
    changes
        .into_iter()
        .zip(first_sequence..)
        .map(
            |((at, payment_index, payment_state), sequence)| StreamChange {
                shard: (payments[payment_index].number - 1) % SHARDS,
                sequence,
                at,
                payment_index,
                state: payment_state,
            },
        )
        .collect()
}

impl StreamChange {
    fn record(&self, payments: &[Payment], population: &Population) -> StreamRecord {
        let payment = &payments[self.payment_index];
        let state = self.state;
        let mut keys = Map::new();
        keys.insert("payment_id".into(), string_attribute(&payment.id));
        StreamRecord {
            event_id: format!(
                "{:032x}",
                u128::from(payment.number - 1) << 8 | state as u128
            ),
            event_name: if state == 0 { "INSERT" } else { "MODIFY" },
            approximate_creation_seconds: self.at / MICROS_PER_SECOND,
            sequence_number: format!(
                "{}",
                100_000_000_000_000_000_000_u128 + u128::from(self.sequence)
            ),
            keys,
            new_image: Some(payment.image(population, state)),
            old_image: (state > 0).then(|| payment.image(population, state - 1)),
        }
    }
}

fn payment_events(
    rng: &mut ChaCha8Rng,
    payments: &[Payment],
    state: &mut SimulationState,
) -> Vec<PaymentEvent> {
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
    let first_sequence = state.event_sequences_used;
    state.event_sequences_used += events.len() as u64;
    let mut records = Vec::with_capacity(events.len());
    for ((arrival, payment_index, event_type, at), sequence) in
        events.into_iter().zip(first_sequence..)
    {
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
                49_000_000_000_000_000_000_u128 + u128::from(self.sequence)
            ),
            arrival_millis: self.arrival_micros / 1000,
            partition_key: payment.id.clone(),
            event,
        }
    }
}

/// The settlement batch of an instant: its UTC date, counted from the first business date.
fn batch_of(clock: &Clock, micros: i64) -> i64 {
    let date = chrono::DateTime::from_timestamp_micros(micros)
        .expect("simulated times are valid")
        .date_naive();
    (date - clock.start_date).num_days()
}

/// Adds the settlement lines of the day's payments to their open batches, with one injected
/// break of each kind in the first USD payment of batches 2, 3 and 4.
fn add_settlement_lines(
    payments: &[Payment],
    clock: &Clock,
    state: &mut SimulationState,
    day: u32,
    breaks: &mut Vec<ReconBreak>,
) {
    for payment in payments {
        let Some(settled) = payment.settled_micros() else {
            continue;
        };
        let batch = batch_of(clock, settled);
        debug_assert!(
            batch > i64::from(day),
            "batch {batch} closed before day {day}"
        );
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
        let break_here = payment.currency == "USD" && !state.broken_batches.contains(&batch);
        if break_here {
            state.broken_batches.push(batch);
        }
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
        let lines = state.open_batches.entry(batch).or_default();
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
            let batch = batch_of(clock, *at);
            state
                .open_batches
                .entry(batch)
                .or_default()
                .push(SettlementLine {
                    creation_micros: *at,
                    record_type: record_type.into(),
                    modification_reference: format!("{}-{record_type}", payment.id),
                    gross_debit: Some(payment.amount_cents),
                    net_debit: Some(payment.amount_cents + fee_cents),
                    batch_number: batch,
                    ..base.clone()
                });
        }
    }
    // Only the batches that can still receive a break need remembering.
    state.broken_batches.retain(|batch| *batch > i64::from(day));
}

fn payout_reference(batch: i64, currency: &str) -> String {
    format!("PAYOUT-{batch:04}-{currency}")
}

/// Closes every open batch up to `last_complete_batch`: each closes with one payout per
/// currency of what it owes the merchants, and is written as the processor's report. Then
/// writes the bank statements no open batch can still book on. Returns how many files.
fn close_batches(
    landing_dir: &Path,
    clock: &Clock,
    state: &mut SimulationState,
    last_complete_batch: i64,
    breaks: &mut Vec<ReconBreak>,
) -> Result<u64> {
    let mut files = 0;
    while let Some(entry) = state.open_batches.first_entry() {
        if *entry.key() > last_complete_batch {
            break;
        }
        let (batch, mut lines) = entry.remove_entry();
        let mut owed: BTreeMap<String, i128> = BTreeMap::new();
        for line in &lines {
            *owed.entry(line.currency.clone()).or_default() +=
                line.net_credit.unwrap_or(0) - line.net_debit.unwrap_or(0);
        }
        let batch_date = clock.start_date + Duration::days(batch);
        let closed_at = Clock::utc_midnight_micros(batch_date) + 23 * MICROS_PER_HOUR;
        for (currency, amount) in owed {
            if amount <= 0 {
                continue;
            }
            let payout = SettlementLine {
                merchant_account: "ALL".into(),
                creation_micros: closed_at,
                record_type: "MerchantPayout".into(),
                modification_reference: payout_reference(batch, &currency),
                currency,
                net_debit: Some(amount),
                batch_number: batch,
                ..SettlementLine::default()
            };
            book_payout(state, batch_date, &payout, breaks);
            lines.push(payout);
        }
        let path = landing_dir.join(settlement::file_name(batch));
        settlement::write_file(&path, &lines)?;
        // The processor reports a batch an hour after its last line.
        let last_line = lines.iter().map(|line| line.creation_micros).max();
        mark_delivered(&path, last_line.unwrap_or_default() + MICROS_PER_HOUR)?;
        files += 1;
    }
    // A payout lands at the earliest the day after its batch: every statement up to the day
    // after the last closed batch is complete.
    let last_complete_statement = clock.start_date + Duration::days(last_complete_batch + 1);
    files += write_statements(landing_dir, state, last_complete_statement)?;
    Ok(files)
}

/// Sends a payout to the bank of its currency, which books it the next day; one is never
/// booked (missing_in_bank) and one three days late (timing).
fn book_payout(
    state: &mut SimulationState,
    batch_date: NaiveDate,
    payout: &SettlementLine,
    breaks: &mut Vec<ReconBreak>,
) {
    let Some(&(currency, _)) = BANK_IBANS.iter().find(|(code, _)| *code == payout.currency) else {
        return;
    };
    let batch = payout.batch_number;
    let amount = payout.net_debit.unwrap_or(0);
    let mut booking = batch_date + Duration::days(1);
    if batch == 5 && currency == "USD" {
        breaks.push(ReconBreak {
            break_type: "missing_in_bank",
            business_date: batch_date,
            reference: payout.modification_reference.clone(),
            currency,
            amount_cents: amount,
        });
        return;
    }
    if batch == 3 && currency == "EUR" {
        booking = batch_date + Duration::days(3);
        breaks.push(ReconBreak {
            break_type: "timing",
            business_date: batch_date,
            reference: payout.modification_reference.clone(),
            currency,
            amount_cents: amount,
        });
    }
    state.unbooked_payouts.push(UnbookedPayout {
        currency: currency.to_string(),
        entry: StatementEntry {
            reference: format!("BNK-{}", payout.modification_reference),
            amount_cents: amount,
            credit: true,
            booking_date: booking,
            value_date: booking,
            end_to_end_id: payout.modification_reference.clone(),
            remittance_info: format!("Settlement batch {batch} payout"),
            // The processor pays the payout; the settlement report is in its format.
            related_parties: RelatedParties {
                debtor: Some("Adyen N.V.".to_string()),
                ..RelatedParties::default()
            },
        },
    });
}

/// Writes one statement per date and currency for the payouts booked up to `last_date`, each
/// opening at the balance the last one closed at.
fn write_statements(
    landing_dir: &Path,
    state: &mut SimulationState,
    last_date: NaiveDate,
) -> Result<u64> {
    let (booked, unbooked): (Vec<UnbookedPayout>, Vec<UnbookedPayout>) =
        std::mem::take(&mut state.unbooked_payouts)
            .into_iter()
            .partition(|payout| payout.entry.booking_date <= last_date);
    state.unbooked_payouts = unbooked;
    let mut entries: BTreeMap<(NaiveDate, String), Vec<StatementEntry>> = BTreeMap::new();
    for payout in booked {
        entries
            .entry((payout.entry.booking_date, payout.currency))
            .or_default()
            .push(payout.entry);
    }
    let mut files = 0;
    for ((date, currency), entries) in entries {
        let iban = BANK_IBANS
            .iter()
            .find(|(code, _)| *code == currency)
            .map(|(_, iban)| *iban)
            .expect("statements are made for known currencies");
        let opening = state
            .statement_balances
            .entry(currency.clone())
            .or_insert(5_000_000);
        let statement = Statement {
            id: format!("STMT-{date}-{currency}"),
            iban: iban.to_string(),
            currency: currency.clone(),
            created_at_micros: Clock::utc_midnight_micros(date) + 20 * MICROS_PER_HOUR,
            statement_date: date,
            opening_balance_cents: *opening,
            entries,
        };
        *opening = statement.closing_balance_cents();
        let path = landing_dir.join(camt053::file_name(date, &currency));
        camt053::write_file(&path, &statement)?;
        // The bank sends a day's statement the next morning.
        let next_morning = Clock::utc_midnight_micros(date) + MICROS_PER_DAY + 6 * MICROS_PER_HOUR;
        mark_delivered(&path, next_morning)?;
        files += 1;
    }
    Ok(files)
}

/// Puts the day's stream records into files, one per shard and UTC day of the changes, named
/// by its first sequence number, and writes those delivered before `horizon_micros`; the others
/// (refunds and chargebacks still to come) wait in the state. Returns how many files it wrote.
fn write_stream_records(
    landing_dir: &Path,
    changes: &[StreamChange],
    payments: &[Payment],
    population: &Population,
    state: &mut SimulationState,
    horizon_micros: i64,
) -> Result<u64> {
    let mut by_file: BTreeMap<(u64, i64), Vec<&StreamChange>> = BTreeMap::new();
    for change in changes {
        let utc_day = change.at.div_euclid(MICROS_PER_DAY);
        by_file
            .entry((change.shard, utc_day))
            .or_default()
            .push(change);
    }
    for ((shard, _), changes) in &by_file {
        let records: Vec<StreamRecord> = changes
            .iter()
            .map(|change| change.record(payments, population))
            .collect();
        let relative_path = format!(
            "{}/shardId-00000001700000000000-{shard:08}/{}.jsonl",
            dynamodb::TABLE_FOLDER,
            records[0].sequence_number
        );
        // The stream's consumer writes the file as its last record arrives.
        let delivered_micros = changes
            .iter()
            .map(|change| change.at)
            .max()
            .unwrap_or_default();
        state.pending_stream_files.push(PendingStreamFile {
            relative_path,
            delivered_micros,
            records: records.into_iter().map(StreamRecord::into_json).collect(),
        });
    }
    deliver_stream_files(landing_dir, state, horizon_micros)
}

/// Writes the pending stream files delivered before `horizon_micros`, in the order they were
/// made. Returns how many.
fn deliver_stream_files(
    landing_dir: &Path,
    state: &mut SimulationState,
    horizon_micros: i64,
) -> Result<u64> {
    let (due, later): (Vec<PendingStreamFile>, Vec<PendingStreamFile>) =
        std::mem::take(&mut state.pending_stream_files)
            .into_iter()
            .partition(|file| file.delivered_micros < horizon_micros);
    state.pending_stream_files = later;
    let written = due.len() as u64;
    for file in due {
        let path = landing_dir.join(&file.relative_path);
        dynamodb::write_json_records(&path, file.records)?;
        mark_delivered(&path, file.delivered_micros)?;
    }
    Ok(written)
}

/// Writes the day's Kinesis events as Firehose objects, one per hour of arrival. Returns how
/// many files.
fn write_payment_events(
    landing_dir: &Path,
    events: &[PaymentEvent],
    payments: &[Payment],
    population: &Population,
) -> Result<u64> {
    let mut by_hour: BTreeMap<i64, Vec<&PaymentEvent>> = BTreeMap::new();
    for event in events {
        let hour = event.arrival_micros / 1000 * 1000 / MICROS_PER_HOUR;
        by_hour.entry(hour).or_default().push(event);
    }
    let mut files = 0;
    for (hour, events) in &by_hour {
        let records: Vec<KinesisRecord> = events
            .iter()
            .map(|event| event.record(payments, population))
            .collect();
        let delivered = (hour + 1) * MICROS_PER_HOUR - MICROS_PER_MINUTE;
        let key = kinesis::object_key(delivered, *hour as u64);
        let path = landing_dir.join(key);
        // A day's events arrive between 07:00 and a little after midnight, local time, so no
        // hour holds the events of two days.
        debug_assert!(!path.exists(), "{} written twice", path.display());
        kinesis::write_firehose_object(&path, &records)?;
        mark_delivered(&path, delivered)?;
        files += 1;
    }
    Ok(files)
}
