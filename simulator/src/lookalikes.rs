//! Legitimate look-alikes: ordinary customers whose honest activity comes near or over an AML
//! rule's thresholds, as real books hold them. A cash-heavy shop banks its takings just under
//! the CTR threshold every other day, a business pays its staff on payday, a marketplace
//! seller is paid by many buyers, parents and children send money back and forth, a landlord
//! collects round rents, a salary arrives and mostly leaves for rent and bills the same day, a
//! market stall takes ten times its usual cash on its fortnightly market days.
//!
//! None of it is laundering: the truth file `lookalikes.csv` lists each such activity with the
//! rule it resembles, and an alert on it is a false positive. The behaviours are fixed here,
//! not fitted to the rules' current thresholds, so that a rule cannot be tuned by changing
//! the data it is measured on.

use chrono::NaiveDate;
use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::clock::{MICROS_PER_DAY, MICROS_PER_HOUR};
use crate::movements::Builder;
use crate::people::Population;

/// What a look-alike does, and the rule its activity resembles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    /// Banks the day's cash takings, USD 8,200 to 9,600, every other business day.
    CashHeavyShop,
    /// Pays ten employees USD 1,200 to 2,500 each, every fifth business day.
    Payroll,
    /// Is paid USD 300 to 900 by four buyers a day, new ones every day.
    MarketplaceSeller,
    /// A parent sends USD 1,500 to 3,000 to a grown child, who pays 95% back two days later,
    /// once a week.
    FamilyTransfers,
    /// Collects rent of USD 1,000, 2,000 or 3,000 from three tenants, every tenth business day.
    Landlord,
    /// Receives a salary of USD 5,200 to 7,000 and pays 85% to 95% of it on (rent, card bill)
    /// within hours, every tenth business day.
    SalaryPassThrough,
    /// A market stall: banks USD 300 to 600 of takings most days (for the 45 days before the
    /// first day too), and USD 4,000 to 6,500 on the three market days of each fortnight.
    SeasonalStall,
}

impl Behaviour {
    const ALL: [Behaviour; 7] = [
        Behaviour::CashHeavyShop,
        Behaviour::Payroll,
        Behaviour::MarketplaceSeller,
        Behaviour::FamilyTransfers,
        Behaviour::Landlord,
        Behaviour::SalaryPassThrough,
        Behaviour::SeasonalStall,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Behaviour::CashHeavyShop => "cash_heavy_shop",
            Behaviour::Payroll => "payroll",
            Behaviour::MarketplaceSeller => "marketplace_seller",
            Behaviour::FamilyTransfers => "family_transfers",
            Behaviour::Landlord => "landlord",
            Behaviour::SalaryPassThrough => "salary_pass_through",
            Behaviour::SeasonalStall => "seasonal_stall",
        }
    }

    /// The rule whose thresholds the behaviour comes near.
    pub fn resembles(self) -> &'static str {
        match self {
            Behaviour::CashHeavyShop => "structuring",
            Behaviour::Payroll => "fan_out",
            Behaviour::MarketplaceSeller => "fan_in",
            Behaviour::FamilyTransfers => "cycle",
            Behaviour::Landlord => "round_amounts",
            Behaviour::SalaryPassThrough => "rapid_movement",
            Behaviour::SeasonalStall => "velocity_spike",
        }
    }
}

/// One look-alike customer and the customers its behaviour deals with.
#[derive(Debug, Clone)]
pub struct LookAlike {
    pub behaviour: Behaviour,
    pub customer: usize,
    /// Employees, buyers, the child, tenants, or the employer and the payees.
    pub partners: Vec<usize>,
}

/// One day's activity of a look-alike, as the truth lists it: the subject's account first.
#[derive(Debug, Clone)]
pub struct LookAlikeActivity {
    pub behaviour: &'static str,
    pub resembles: &'static str,
    pub business_date: NaiveDate,
    pub account_ids: Vec<String>,
    pub transaction_ids: Vec<String>,
}

/// What a parent sends on `day`: USD 1,500 to 3,000, the same whenever it is asked (the
/// child's repayment two days later is worked out from it).
fn family_amount(number: usize, day: u32) -> i128 {
    let mix = (number as u64 + 1).wrapping_mul(7_919) ^ u64::from(day).wrapping_mul(104_729);
    150_000 + i128::from(mix % 150_000)
}

/// A stall's market days: three of each fortnight of its rhythm.
fn is_market_day(beat: u32) -> bool {
    beat % 14 < 3
}

/// The seasonal stalls' ordinary takings before the first day: USD 300 to 600 on two days of
/// every three of the 45 days before it, as a bank holds them from the full load.
pub(crate) fn history_before_first_day(builder: &mut Builder<'_>, look_alikes: &[LookAlike]) {
    for look_alike in look_alikes {
        if look_alike.behaviour != Behaviour::SeasonalStall {
            continue;
        }
        for back in 1..=45_i64 {
            if back % 3 == 0 {
                continue;
            }
            let takings = builder.cents(300, 600);
            // Banked in the afternoon, so that it posted before the full load of the first day.
            let at = builder.clock.local_micros(0, 15 * 3600) - back * MICROS_PER_DAY;
            builder.cash(look_alike.customer, "cash_deposit", takings, "pos", at);
        }
    }
}

/// Look-alikes per behaviour: one per 250 customers, at least two.
fn per_behaviour(population: &Population) -> usize {
    (population.customers.len() / 250).max(2)
}

/// Casts the look-alikes from the background customers of one currency (their counterparties
/// too), each customer in one role at most.
pub fn cast(rng: &mut ChaCha8Rng, population: &Population, background: &[usize]) -> Vec<LookAlike> {
    let mut usd: Vec<usize> = background
        .iter()
        .copied()
        .filter(|index| population.accounts[*index].currency == "USD")
        .collect();
    usd.shuffle(rng);
    let mut free = usd.into_iter();
    let mut take = |count: usize| -> Option<Vec<usize>> {
        let taken: Vec<usize> = free.by_ref().take(count).collect();
        (taken.len() == count).then_some(taken)
    };
    let mut look_alikes = Vec::new();
    for behaviour in Behaviour::ALL {
        let partner_count = match behaviour {
            Behaviour::CashHeavyShop => 0,
            Behaviour::Payroll => 10,
            Behaviour::MarketplaceSeller => 0,
            Behaviour::FamilyTransfers => 1,
            Behaviour::Landlord => 3,
            Behaviour::SalaryPassThrough => 3,
            Behaviour::SeasonalStall => 0,
        };
        for _ in 0..per_behaviour(population) {
            let Some(mut customers) = take(1 + partner_count) else {
                return look_alikes;
            };
            let customer = customers.remove(0);
            look_alikes.push(LookAlike {
                behaviour,
                customer,
                partners: customers,
            });
        }
    }
    look_alikes
}

/// The look-alikes' activity of business day `day`. Buyers of a marketplace seller are drawn
/// from `background` each day.
pub(crate) fn generate_day(
    builder: &mut Builder<'_>,
    look_alikes: &[LookAlike],
    background: &[usize],
    day: u32,
    date: NaiveDate,
) -> Vec<LookAlikeActivity> {
    let mut activities = Vec::new();
    for (number, look_alike) in look_alikes.iter().enumerate() {
        // Each look-alike keeps its own rhythm, shifted by its number.
        let beat = day + number as u32;
        let subject = look_alike.customer;
        let mut ids: Vec<String> = Vec::new();
        let mut accounts = vec![builder.account_id(subject)];
        match look_alike.behaviour {
            Behaviour::CashHeavyShop if beat.is_multiple_of(2) => {
                let amount = builder.cents(8_200, 9_600);
                let at = builder.clock.local_micros(day, 17 * 3600);
                ids.push(builder.cash(subject, "cash_deposit", amount, "pos", at));
            }
            Behaviour::Payroll if beat.is_multiple_of(5) => {
                for (position, &employee) in look_alike.partners.iter().enumerate() {
                    let amount = builder.cents(1_200, 2_500);
                    let at = builder
                        .clock
                        .local_micros(day, 9 * 3600 + position as u32 * 60);
                    ids.extend(builder.transfer(subject, employee, amount, at));
                    accounts.push(builder.account_id(employee));
                }
            }
            Behaviour::MarketplaceSeller => {
                for _ in 0..4 {
                    let buyer = background[builder.rng.random_range(0..background.len())];
                    if buyer == subject || builder.population.accounts[buyer].currency != "USD" {
                        continue;
                    }
                    let amount = builder.cents(300, 900);
                    let at = builder
                        .clock
                        .local_micros(day, builder.rng.random_range(8 * 3600..22 * 3600));
                    ids.extend(builder.transfer(buyer, subject, amount, at));
                    accounts.push(builder.account_id(buyer));
                }
            }
            Behaviour::FamilyTransfers if beat.is_multiple_of(7) => {
                let child = look_alike.partners[0];
                let amount = family_amount(number, day);
                let at = builder.clock.local_micros(day, 19 * 3600);
                ids.extend(builder.transfer(subject, child, amount, at));
                accounts.push(builder.account_id(child));
            }
            Behaviour::FamilyTransfers if beat % 7 == 2 && day >= 2 => {
                // The child pays back 95% of what came two days before.
                let child = look_alike.partners[0];
                let back = family_amount(number, day - 2) * 95 / 100;
                let at = builder.clock.local_micros(day, 20 * 3600);
                ids.extend(builder.transfer(child, subject, back, at));
                accounts.push(builder.account_id(child));
            }
            Behaviour::Landlord if beat.is_multiple_of(10) => {
                for (position, &tenant) in look_alike.partners.iter().enumerate() {
                    let rent = [100_000, 200_000, 300_000][position % 3];
                    let at = builder
                        .clock
                        .local_micros(day, 8 * 3600 + position as u32 * 1800);
                    ids.extend(builder.transfer(tenant, subject, rent, at));
                    accounts.push(builder.account_id(tenant));
                }
            }
            Behaviour::SeasonalStall => {
                let takings = if is_market_day(beat) {
                    builder.cents(4_000, 6_500)
                } else {
                    builder.cents(300, 600)
                };
                let at = builder.clock.local_micros(day, 18 * 3600);
                ids.push(builder.cash(subject, "cash_deposit", takings, "pos", at));
            }
            Behaviour::SalaryPassThrough if beat % 10 == 5 => {
                let (employer, payees) = (look_alike.partners[0], &look_alike.partners[1..]);
                let salary = builder.cents(5_200, 7_000);
                let paid_at = builder.clock.local_micros(day, 8 * 3600);
                ids.extend(builder.transfer(employer, subject, salary, paid_at));
                accounts.push(builder.account_id(employer));
                let spent = salary * i128::from(builder.rng.random_range(85..=95_u32)) / 100;
                let shares = [spent * 2 / 3, spent - spent * 2 / 3];
                for (position, (&payee, share)) in payees.iter().zip(shares).enumerate() {
                    let at = paid_at + (2 + position as i64) * MICROS_PER_HOUR;
                    ids.extend(builder.transfer(subject, payee, share, at));
                    accounts.push(builder.account_id(payee));
                }
            }
            _ => {}
        }
        if ids.is_empty() {
            continue;
        }
        activities.push(LookAlikeActivity {
            behaviour: look_alike.behaviour.name(),
            resembles: look_alike.behaviour.resembles(),
            business_date: date,
            account_ids: accounts,
            transaction_ids: ids,
        });
    }
    activities
}
