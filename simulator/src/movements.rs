//! Money movements of customers (cash deposits and withdrawals, transfers), the daily FX rate
//! table, and the injected AML typologies: currency transactions over the CTR threshold,
//! structuring just under it, fan-in, fan-out, cycles and rapid pass-through.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::clock::{Clock, MICROS_PER_DAY, MICROS_PER_HOUR, MICROS_PER_MINUTE};
use super::people::Population;
use super::pick;
use crate::lookalikes::{self, LookAlike, LookAlikeActivity};
use crate::state::SimulationState;

/// Unscaled FX rates have eight decimals.
pub const RATE_ONE: i128 = 100_000_000;
const CASH_CHANNELS: [&str; 3] = ["pos", "third_party", "partner_api"];
const TRANSFER_CHANNELS: [&str; 3] = ["mobile", "web", "partner_api"];

/// USD per unit of currency, per date, unscaled at eight decimals.
pub type FxRates = BTreeMap<(NaiveDate, &'static str), i128>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    Posted,
    Voided,
    /// Deleted from the table before it posted (a DMS `D` change).
    Deleted,
}

#[derive(Debug, Clone)]
pub struct Movement {
    pub id: String,
    pub account: usize,
    /// cash_deposit, cash_withdrawal, transfer_in, transfer_out.
    pub kind: &'static str,
    pub amount_cents: i128,
    pub channel: &'static str,
    pub counterparty_account: Option<usize>,
    pub memo: String,
    pub created_micros: i64,
    /// When it posted, was voided or deleted.
    pub resolved_micros: i64,
    pub fate: Fate,
}

impl Movement {
    pub fn is_cash(&self) -> bool {
        matches!(self.kind, "cash_deposit" | "cash_withdrawal")
    }
}

/// An injected case, as truth for the detectors.
#[derive(Debug, Clone)]
pub struct TypologyCase {
    pub typology: &'static str,
    pub business_date: NaiveDate,
    /// The account at the centre first (the target of a fan-in, the source of a fan-out).
    pub account_ids: Vec<String>,
    pub transaction_ids: Vec<String>,
}

pub struct Money {
    pub movements: Vec<Movement>,
    pub cases: Vec<TypologyCase>,
    /// Legitimate activity that resembles a typology.
    pub look_alikes: Vec<LookAlikeActivity>,
}

/// Today's FX rates: yesterday's (carried in the state) moved by a small step, quoted to six
/// decimals.
pub fn fx_rates_of_day(
    rng: &mut ChaCha8Rng,
    state: &mut SimulationState,
    date: NaiveDate,
) -> FxRates {
    state.eur_rate += i128::from(rng.random_range(-400..=400_i32)) * 100;
    state.gbp_rate += i128::from(rng.random_range(-400..=400_i32)) * 100;
    FxRates::from([
        ((date, "USD"), RATE_ONE),
        ((date, "EUR"), state.eur_rate),
        ((date, "GBP"), state.gbp_rate),
    ])
}

/// The rates before the first day's step.
pub const FIRST_EUR_RATE: i128 = 108_000_000;
pub const FIRST_GBP_RATE: i128 = 127_000_000;

pub(crate) struct Builder<'a> {
    pub(crate) rng: &'a mut ChaCha8Rng,
    pub(crate) clock: &'a Clock,
    pub(crate) population: &'a Population,
    /// Movements of the days before this one (their ids are taken).
    movements_before: u64,
    movements: Vec<Movement>,
}

impl<'a> Builder<'a> {
    /// A builder of the movements of a day, numbered after those `state` has written.
    fn new(
        rng: &'a mut ChaCha8Rng,
        clock: &'a Clock,
        population: &'a Population,
        state: &SimulationState,
    ) -> Self {
        Builder {
            rng,
            clock,
            population,
            movements_before: state.movements_written,
            movements: Vec::new(),
        }
    }

    /// The id of the account of the customer at `index` (one account per customer).
    pub(crate) fn account_id(&self, index: usize) -> String {
        self.population.accounts[index].id.clone()
    }

    /// How many movements the simulation holds so far.
    fn movement_count(&self) -> u64 {
        self.movements_before + self.movements.len() as u64
    }

    fn next_id(&self) -> String {
        format!("T{:08}", self.movement_count() + 1)
    }

    /// Adds one movement and returns its id.
    #[allow(clippy::too_many_arguments)] // one argument per column of the movement
    fn add(
        &mut self,
        account: usize,
        kind: &'static str,
        amount_cents: i128,
        channel: &'static str,
        counterparty_account: Option<usize>,
        created_micros: i64,
        fate: Fate,
    ) -> String {
        debug_assert!(amount_cents > 0);
        let id = self.next_id();
        let memo = match kind {
            "cash_deposit" => "cash deposit".to_string(),
            "cash_withdrawal" => "cash withdrawal".to_string(),
            _ => {
                let counterparty =
                    counterparty_account.map(|index| &self.population.customers[index]);
                let name = counterparty
                    .map(|customer| customer.full_name.as_str())
                    .unwrap_or_default();
                // Now and then people type contact details into the memo, as they do.
                match counterparty {
                    Some(customer) if self.movement_count() % 40 == 7 => {
                        format!("transfer {name}, receipt to {}", customer.email)
                    }
                    Some(customer) if self.movement_count() % 40 == 23 => {
                        format!("transfer {name}, call {} if late", customer.phone)
                    }
                    _ => format!("transfer {name}"),
                }
            }
        };
        let resolved_micros =
            created_micros + i64::from(self.rng.random_range(1..30_u32)) * MICROS_PER_MINUTE;
        self.movements.push(Movement {
            id: id.clone(),
            account,
            kind,
            amount_cents,
            channel,
            counterparty_account,
            memo,
            created_micros,
            resolved_micros,
            fate,
        });
        id
    }

    /// A posted cash deposit or withdrawal. Returns its id.
    pub(crate) fn cash(
        &mut self,
        account: usize,
        kind: &'static str,
        amount_cents: i128,
        channel: &'static str,
        at: i64,
    ) -> String {
        debug_assert!(matches!(kind, "cash_deposit" | "cash_withdrawal"));
        self.add(account, kind, amount_cents, channel, None, at, Fate::Posted)
    }

    /// A transfer: one movement out of `from`, one into `to`. Returns both ids.
    pub(crate) fn transfer(
        &mut self,
        from: usize,
        to: usize,
        amount_cents: i128,
        at: i64,
    ) -> [String; 2] {
        let channel = *pick(self.rng, &TRANSFER_CHANNELS);
        [
            self.add(
                from,
                "transfer_out",
                amount_cents,
                channel,
                Some(to),
                at,
                Fate::Posted,
            ),
            self.add(
                to,
                "transfer_in",
                amount_cents,
                channel,
                Some(from),
                at,
                Fate::Posted,
            ),
        ]
    }

    /// A local time during business hours of `day`.
    fn business_hours(&mut self, day: u32) -> i64 {
        self.clock
            .local_micros(day, self.rng.random_range(8 * 3600..20 * 3600))
    }

    pub(crate) fn cents(&mut self, low_dollars: u32, high_dollars: u32) -> i128 {
        i128::from(self.rng.random_range(low_dollars * 100..high_dollars * 100))
    }

    fn finish(self, state: &mut SimulationState) -> Vec<Movement> {
        state.movements_written = self.movement_count();
        self.movements
    }
}

/// Who does what: the customers reserved for injected cases, those who bring cash over the
/// CTR threshold, and the background. Drawn from the seed alone, so that every day casts the
/// same customers, in whichever run it is written.
pub struct Cast {
    /// Customers of the graph typologies and structuring take part in nothing else, so that
    /// each injected pattern is exactly what the truth says.
    reserved: Vec<usize>,
    open_customers: Vec<usize>,
    background_customers: Vec<usize>,
    look_alikes: Vec<LookAlike>,
}

impl Cast {
    pub fn new(rng: &mut ChaCha8Rng, population: &Population) -> Self {
        let mut usd_customers = population.usd_customers();
        usd_customers.shuffle(rng);
        let reserved_count = RESERVED_CUSTOMERS.min(usd_customers.len() / 2);
        let mut reserved: Vec<usize> = usd_customers.drain(..reserved_count).collect();
        // The peer outlier's pair (the last two) are people: their peer groups are the large ones.
        for slot in [RESERVED_CUSTOMERS - 1, RESERVED_CUSTOMERS - 2] {
            if slot >= reserved.len() {
                continue;
            }
            if let Some(person) = (0..=slot)
                .rev()
                .find(|&index| population.customers[reserved[index]].customer_type == "person")
            {
                reserved.swap(person, slot);
            }
        }
        let background_customers: Vec<usize> = (0..population.customers.len())
            .filter(|index| !reserved.contains(index) && *index != population.high_risk_customer)
            .collect();
        // Drawn after everything else, so that adding them changed no other customer's role.
        let look_alikes = lookalikes::cast(rng, population, &background_customers);
        Cast {
            reserved,
            open_customers: usd_customers,
            background_customers,
            look_alikes,
        }
    }

    fn has_every_case(&self) -> bool {
        self.reserved.len() >= RESERVED_CUSTOMERS
    }
}

/// What the accounts of the behaviour cases did before the first day, in the full load: the
/// dormant account's one small deposit 200 days back, the small deposits on most of the 45
/// days before the velocity spike, and the seasonal stalls' ordinary takings.
pub fn history_before_first_day(
    rng: &mut ChaCha8Rng,
    clock: &Clock,
    population: &Population,
    cast: &Cast,
    state: &mut SimulationState,
) -> Vec<Movement> {
    let mut builder = Builder::new(rng, clock, population, state);
    if cast.has_every_case() {
        let dormant = cast.reserved[44];
        let long_ago = clock.local_micros(0, 11 * 3600) - 200 * MICROS_PER_DAY;
        let small = builder.cents(100, 300);
        builder.cash(dormant, "cash_deposit", small, "pos", long_ago);

        let spiking = cast.reserved[45];
        for back in 1..=45_i64 {
            if back % 4 == 0 {
                continue;
            }
            let amount = builder.cents(80, 250);
            let at = clock.local_micros(0, 12 * 3600) - back * MICROS_PER_DAY;
            builder.cash(spiking, "cash_deposit", amount, "pos", at);
        }
    }
    lookalikes::history_before_first_day(&mut builder, &cast.look_alikes);
    builder.finish(state)
}

/// The money movements of business day `day` and the cases injected into them.
pub fn generate_day(
    rng: &mut ChaCha8Rng,
    clock: &Clock,
    population: &Population,
    cast: &Cast,
    state: &mut SimulationState,
    day: u32,
) -> Money {
    let mut builder = Builder::new(rng, clock, population, state);
    let mut cases = Vec::new();
    let per_day = (state.payments_per_day / 20).max(10);
    let open_customers = &cast.open_customers;
    let background_customers = &cast.background_customers;
    let date = clock.business_date(day);

    // Ordinary activity; a few are voided or deleted before they post.
    for _ in 0..per_day {
        let customer = *pick(builder.rng, background_customers);
        let kind = if builder.rng.random_bool(0.6) {
            "cash_deposit"
        } else {
            "cash_withdrawal"
        };
        let amount = builder.cents(20, 3_000);
        let at = builder.business_hours(day);
        let channel = *pick(builder.rng, &CASH_CHANNELS);
        let roll: f64 = builder.rng.random();
        let fate = if roll < 0.03 {
            Fate::Voided
        } else if roll < 0.04 {
            Fate::Deleted
        } else {
            Fate::Posted
        };
        builder.add(customer, kind, amount, channel, None, at, fate);
    }
    for _ in 0..per_day {
        let from = *pick(builder.rng, background_customers);
        let to = *pick(builder.rng, background_customers);
        if from == to || population.accounts[from].currency != population.accounts[to].currency {
            continue;
        }
        let amount = builder.cents(10, 2_000);
        let at = builder.business_hours(day);
        builder.transfer(from, to, amount, at);
    }

    // Cash over the CTR threshold: several deposits over channels, and withdrawals.
    for _ in 0..2 {
        let customer = *pick(builder.rng, open_customers);
        let parts = builder.rng.random_range(2..4_u32);
        for _ in 0..parts {
            let amount = builder.cents(4_000, 9_000);
            let at = builder.business_hours(day);
            let channel = *pick(builder.rng, &CASH_CHANNELS);
            builder.cash(customer, "cash_deposit", amount, channel, at);
        }
    }
    let customer = *pick(builder.rng, open_customers);
    for _ in 0..2 {
        let amount = builder.cents(5_500, 7_000);
        let at = builder.business_hours(day);
        builder.cash(customer, "cash_withdrawal", amount, "pos", at);
    }

    // Edge cases of the threshold, once per simulation.
    if day == 0 {
        // Exactly USD 10,000.00 is not over the threshold.
        let customer = *pick(builder.rng, open_customers);
        let at = builder.business_hours(day);
        builder.cash(customer, "cash_deposit", 1_000_000, "pos", at);
        // A voided deposit never counts.
        let customer = *pick(builder.rng, open_customers);
        let at = builder.business_hours(day);
        builder.add(
            customer,
            "cash_deposit",
            1_500_000,
            "pos",
            None,
            at,
            Fate::Voided,
        );
        // Late in the evening local time: already the next day in UTC.
        let customer = *pick(builder.rng, open_customers);
        let at = clock.local_micros(day, 23 * 3600 + 1800);
        builder.cash(customer, "cash_deposit", 1_200_000, "third_party", at);
    }

    // Foreign-currency cash, converted at the day's rate: 10,000 EUR is over USD 10,000,
    // 7,800 GBP is not.
    if day == 1 {
        for (currency, amount) in [("EUR", 500_000), ("GBP", 390_000)] {
            let Some(customer) = background_customers
                .iter()
                .copied()
                .find(|index| population.accounts[*index].currency == currency)
            else {
                continue;
            };
            for hour in [10, 15] {
                let at = clock.local_micros(day, hour * 3600);
                builder.cash(customer, "cash_deposit", amount, "pos", at);
            }
        }
    }

    let reserved = &cast.reserved;
    let injection_days = state.injection_days;
    inject_graph_typologies(&mut builder, &mut cases, reserved, day, date);
    inject_behaviour_typologies(
        &mut builder,
        &mut cases,
        reserved,
        day,
        injection_days,
        date,
    );
    inject_typologies_over_days(&mut builder, &mut cases, state, reserved, day);
    // Last, so that the random draws of everything above are what they were without them.
    let look_alikes = lookalikes::generate_day(
        &mut builder,
        &cast.look_alikes,
        background_customers,
        day,
        date,
    );

    Money {
        movements: builder.finish(state),
        cases,
        look_alikes,
    }
}

/// Cases whose transactions fall on several days: structuring (one deposit just under the
/// threshold on each of the first four days) and round amounts (deposits in whole thousands on
/// the three days up to its injection day). Their transactions wait in the state until the
/// case's last day.
fn inject_typologies_over_days(
    builder: &mut Builder<'_>,
    cases: &mut Vec<TypologyCase>,
    state: &mut SimulationState,
    reserved: &[usize],
    day: u32,
) {
    let structuring_days = state.injection_days.min(4);
    if let Some(&customer) = reserved.first() {
        if day < structuring_days {
            let amount = builder.cents(9_000, 9_900);
            let last = day + 1 == structuring_days;
            let part = CasePart {
                typology: "structuring",
                customer,
                amount_cents: amount,
                closes_case_of: last.then_some(0),
            };
            add_case_part(builder, cases, state, day, part);
        }
    }
    if reserved.len() >= RESERVED_CUSTOMERS {
        let injected_on = injection_day(6, state.injection_days);
        for (back, dollars) in [(2_u32, 2_000), (1, 3_000), (0, 5_000)] {
            if injected_on.saturating_sub(back) != day {
                continue;
            }
            let part = CasePart {
                typology: "round_amounts",
                customer: reserved[46],
                amount_cents: dollars * 100,
                closes_case_of: (back == 0).then_some(injected_on),
            };
            add_case_part(builder, cases, state, day, part);
        }
    }
}

/// One deposit of a case that spans days.
struct CasePart {
    typology: &'static str,
    customer: usize,
    amount_cents: i128,
    /// On the case's last day: the business day the case is dated.
    closes_case_of: Option<u32>,
}

fn add_case_part(
    builder: &mut Builder<'_>,
    cases: &mut Vec<TypologyCase>,
    state: &mut SimulationState,
    day: u32,
    part: CasePart,
) {
    let at = builder.business_hours(day);
    let id = builder.cash(part.customer, "cash_deposit", part.amount_cents, "pos", at);
    let transactions = state
        .open_case_transactions
        .entry(part.typology.to_string())
        .or_default();
    transactions.push(id);
    let Some(case_day) = part.closes_case_of else {
        return;
    };
    cases.push(TypologyCase {
        typology: part.typology,
        business_date: builder.clock.business_date(case_day),
        account_ids: vec![builder.account_id(part.customer)],
        transaction_ids: state
            .open_case_transactions
            .remove(part.typology)
            .unwrap_or_default(),
    });
}

/// The cases are injected on the first days of a simulation, up to this many (on fewer when
/// its first run is shorter).
pub const CASE_DAYS: u32 = 7;

/// Customers reserved for injected cases: structuring (1), fan-in (11), fan-out (11), cycle (4),
/// rapid pass-through (2), scatter-gather (5), gather-scatter (7), split transfers (2),
/// high-risk jurisdiction (1), dormant (1), velocity (1), round amounts (1), peer outlier (2).
const RESERVED_CUSTOMERS: usize = 49;

/// The day of the simulation a case is injected on: `preferred`, or the last day of a shorter
/// simulation.
fn injection_day(preferred: u32, days: u32) -> u32 {
    preferred.min(days.saturating_sub(1))
}

/// Scatter-gather, gather-scatter, split transfers, a high-risk jurisdiction, a dormant account,
/// a velocity spike and a peer outlier, on days 4 to 6.
fn inject_behaviour_typologies(
    builder: &mut Builder<'_>,
    cases: &mut Vec<TypologyCase>,
    reserved: &[usize],
    day: u32,
    days: u32,
    date: NaiveDate,
) {
    if reserved.len() < RESERVED_CUSTOMERS {
        return;
    }
    let case =
        |builder: &Builder<'_>, typology, accounts: &[usize], transaction_ids| TypologyCase {
            typology,
            business_date: date,
            account_ids: accounts
                .iter()
                .map(|&index| builder.account_id(index))
                .collect(),
            transaction_ids,
        };
    if day == injection_day(4, days) {
        // Scatter-gather: one origin pays three intermediaries, each forwards nearly all of it
        // to one beneficiary an hour later.
        let (origin, intermediaries, beneficiary) = (reserved[29], &reserved[30..33], reserved[33]);
        let mut ids = Vec::new();
        let mut at = builder.clock.local_micros(day, 9 * 3600);
        for &intermediary in intermediaries {
            let amount = builder.cents(2_000, 4_000);
            ids.extend(builder.transfer(origin, intermediary, amount, at));
            ids.extend(builder.transfer(
                intermediary,
                beneficiary,
                amount - amount / 40,
                at + MICROS_PER_HOUR,
            ));
            at += 20 * MICROS_PER_MINUTE;
        }
        let accounts: Vec<usize> = [origin]
            .into_iter()
            .chain(intermediaries.iter().copied())
            .chain([beneficiary])
            .collect();
        cases.push(case(builder, "scatter_gather", &accounts, ids));

        // Split transfers: four payments to the same beneficiary in one afternoon.
        let (payer, payee) = (reserved[41], reserved[42]);
        let mut ids = Vec::new();
        for part in 0..4 {
            let amount = builder.cents(600, 900);
            let at = builder.clock.local_micros(day, 13 * 3600 + part * 1200);
            ids.extend(builder.transfer(payer, payee, amount, at));
        }
        cases.push(case(builder, "split_transfers", &[payer, payee], ids));
    }
    if day == injection_day(5, days) {
        // Gather-scatter: three senders pay a hub, which pays three others on the same day.
        let (sources, hub, beneficiaries) = (&reserved[34..37], reserved[37], &reserved[38..41]);
        let mut ids = Vec::new();
        let mut total = 0;
        for (position, &source) in sources.iter().enumerate() {
            let amount = builder.cents(2_000, 3_000);
            total += amount;
            let at = builder
                .clock
                .local_micros(day, 9 * 3600 + position as u32 * 600);
            ids.extend(builder.transfer(source, hub, amount, at));
        }
        for (position, &beneficiary) in beneficiaries.iter().enumerate() {
            let at = builder
                .clock
                .local_micros(day, 14 * 3600 + position as u32 * 600);
            ids.extend(builder.transfer(hub, beneficiary, total * 95 / 100 / 3, at));
        }
        // The hub is the case's subject: first, as every case lists its subject.
        let accounts: Vec<usize> = std::iter::once(hub)
            .chain(sources.iter().copied())
            .chain(beneficiaries.iter().copied())
            .collect();
        cases.push(case(builder, "gather_scatter", &accounts, ids));

        // High-risk jurisdiction: two payments to a customer in Myanmar.
        let (payer, listed) = (reserved[43], builder.population.high_risk_customer);
        let mut ids = Vec::new();
        for hour in [10, 16] {
            let amount = builder.cents(3_000, 4_500);
            let at = builder.clock.local_micros(day, hour * 3600);
            ids.extend(builder.transfer(payer, listed, amount, at));
        }
        cases.push(case(
            builder,
            "high_risk_jurisdiction",
            &[payer, listed],
            ids,
        ));
    }
    if day == injection_day(6, days) {
        // Dormant: one small deposit 200 days before the first day, then a large one.
        let dormant = reserved[44];
        let amount = builder.cents(6_000, 7_900);
        let at = builder.business_hours(day);
        let reactivated = builder.cash(dormant, "cash_deposit", amount, "pos", at);
        cases.push(case(
            builder,
            "dormant_reactivated",
            &[dormant],
            vec![reactivated],
        ));

        // Velocity: small deposits on most of the 45 days before the first, then USD
        // 7,500-10,000 in a day.
        let spiking = reserved[45];
        let mut ids = Vec::new();
        for _ in 0..3 {
            let amount = builder.cents(2_500, 3_300);
            let at = builder.business_hours(day);
            ids.push(builder.cash(spiking, "cash_deposit", amount, "partner_api", at));
        }
        cases.push(case(builder, "velocity_spike", &[spiking], ids));

        // Peer outlier: one customer pays another USD 150,000-200,000, far above any peer's day
        // (the largest ordinary days are cash days of USD 10,000-30,000).
        let (payer, payee) = (reserved[47], reserved[48]);
        let amount = builder.cents(150_000, 200_000);
        let at = builder.business_hours(day);
        let ids = builder.transfer(payer, payee, amount, at).to_vec();
        cases.push(case(builder, "peer_outlier", &[payer, payee], ids));
    }
}

/// Fan-in, fan-out, a cycle and a rapid pass-through, each on its own day of the first four.
fn inject_graph_typologies(
    builder: &mut Builder<'_>,
    cases: &mut Vec<TypologyCase>,
    reserved: &[usize],
    day: u32,
    date: NaiveDate,
) {
    // reserved[0] structures; the others are split between the typologies.
    if reserved.len() < 29 {
        return;
    }
    match day {
        0 | 1 => {
            let (centre, others) = if day == 0 {
                (reserved[1], &reserved[2..12])
            } else {
                (reserved[12], &reserved[13..23])
            };
            let typology = if day == 0 { "fan_in" } else { "fan_out" };
            let mut ids = Vec::new();
            for &other in others {
                let amount = builder.cents(900, 3_000);
                let at = builder.business_hours(day);
                let pair = if day == 0 {
                    builder.transfer(other, centre, amount, at)
                } else {
                    builder.transfer(centre, other, amount, at)
                };
                ids.extend(pair);
            }
            let mut account_ids = vec![builder.account_id(centre)];
            account_ids.extend(others.iter().map(|&other| builder.account_id(other)));
            cases.push(TypologyCase {
                typology,
                business_date: date,
                account_ids,
                transaction_ids: ids,
            });
        }
        2 => {
            let ring = &reserved[23..27];
            let mut amount = builder.cents(4_800, 5_200);
            let mut at = builder.clock.local_micros(day, 9 * 3600);
            let mut ids = Vec::new();
            for (position, &from) in ring.iter().enumerate() {
                let to = ring[(position + 1) % ring.len()];
                ids.extend(builder.transfer(from, to, amount, at));
                // Each hop keeps a small cut.
                amount -= amount / 50;
                at += MICROS_PER_HOUR;
            }
            cases.push(TypologyCase {
                typology: "cycle",
                business_date: date,
                account_ids: ring
                    .iter()
                    .map(|&index| builder.account_id(index))
                    .collect(),
                transaction_ids: ids,
            });
        }
        3 => {
            // A funnel account: a third party deposits cash, the mule wires nearly all of it on
            // within the hour and a half; twice in the day (FinCEN FIN-2014-A005).
            let (mule, beneficiary) = (reserved[27], reserved[28]);
            let mut transaction_ids = Vec::new();
            for hour in [10, 15] {
                let amount = builder.cents(7_000, 9_000);
                let at = builder.clock.local_micros(day, hour * 3600);
                transaction_ids.push(builder.cash(mule, "cash_deposit", amount, "third_party", at));
                transaction_ids.extend(builder.transfer(
                    mule,
                    beneficiary,
                    amount - amount / 100,
                    at + 90 * MICROS_PER_MINUTE,
                ));
            }
            cases.push(TypologyCase {
                typology: "rapid_pass_through",
                business_date: date,
                account_ids: vec![builder.account_id(mule), builder.account_id(beneficiary)],
                transaction_ids,
            });
        }
        _ => {}
    }
}
