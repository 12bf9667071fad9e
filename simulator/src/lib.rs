//! The source simulator: a payment processor's operational stores over a number of business
//! days, written into `landing/` in the formats their real producers write (DMS Parquet,
//! DynamoDB stream records, Firehose objects of Kinesis records, settlement CSV, camt.053,
//! FOCUS), with labelled AML cases and reconciliation breaks and their truth in
//! `landing/_truth/`. The same seed gives the same files.

// Every dependency in Cargo.toml is used by the library (a dependency only its tests use is
// a dev-dependency); the test build checks it, so CI needs no separate tool.
#![cfg_attr(not(test), deny(unused_crate_dependencies))]

mod aurora;
mod card_payments;
mod clock;
mod cost;
mod delivery;
mod lookalikes;
mod movements;
mod people;
mod state;
mod truth;

pub mod error;

pub use error::{Result, SimulatorError};
pub use state::STATE_FOLDER;
pub use truth::TRUTH_FOLDER;

/// The folders under landing a simulation reads back to continue: its state and the truth it
/// appends to.
pub const CARRIED_FOLDERS: [&str; 2] = [STATE_FOLDER, TRUTH_FOLDER];

use state::SimulationState;

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use chrono_tz::Tz;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// Settings of a simulation.
#[derive(Debug, Clone)]
pub struct SimulationConfig {
    pub start_date: NaiveDate,
    pub days: u32,
    pub payments_per_day: u32,
    pub seed: u64,
    /// Time zone whose calendar days are the business dates.
    pub business_timezone: Tz,
    /// OFAC SDN list (legacy CSV) whose entries seed the sanctioned-name customers.
    pub ofac_sdn_csv: Option<PathBuf>,
}

impl Default for SimulationConfig {
    fn default() -> Self {
        SimulationConfig {
            start_date: NaiveDate::from_ymd_opt(2026, 3, 2).expect("a valid date"),
            days: 7,
            payments_per_day: 1000,
            seed: 42,
            business_timezone: chrono_tz::America::New_York,
            ofac_sdn_csv: None,
        }
    }
}

/// What a simulation wrote.
#[derive(Debug, Clone)]
pub struct SimulationSummary {
    /// The first business date this run simulated: the start date, or the day after the last
    /// one of the simulation it continued.
    pub first_date: NaiveDate,
    pub days: u32,
    pub files_written: u64,
    pub customers: u64,
    pub money_movements: u64,
    pub payments: u64,
    pub stream_records: u64,
    pub kinesis_records: u64,
    pub ctr_truth_rows: u64,
    pub truth_files: Vec<PathBuf>,
}

/// The independent random streams of a simulation: each day draws each part from its own
/// stream of the seed, so that a day is the same whichever run writes it.
#[derive(Debug, Clone, Copy)]
enum Stream {
    Population,
    Cast,
    HistoryBeforeFirstDay,
    FxRates,
    Money,
    Aurora,
    CardPayments,
    Cost,
}

fn random_stream(seed: u64, stream: Stream, day: u32) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(u64::from(day) << 8 | stream as u64);
    rng
}

/// Simulates `config.days` business days into `landing_dir`, one day at a time: each day's
/// files are written before the next day is drawn, so memory holds one day (and the
/// settlement batches still open). On a landing folder that already holds a simulation, it
/// continues that simulation from the day after its last, with its seed, volume, calendar and
/// customers; `config.start_date` is then not used.
pub fn simulate(landing_dir: &Path, config: &SimulationConfig) -> Result<SimulationSummary> {
    if config.days == 0 {
        return Err(SimulatorError::InvalidSimulation(
            "days must be at least 1".into(),
        ));
    }
    if config.payments_per_day < 20 {
        return Err(SimulatorError::InvalidSimulation(
            "payments per day must be at least 20".into(),
        ));
    }
    let mut state = match SimulationState::read(landing_dir)? {
        Some(state) => continued_state(landing_dir, config, state)?,
        None => first_state(landing_dir, config)?,
    };
    let timezone: Tz = state
        .business_timezone
        .parse()
        .map_err(|err| SimulatorError::InvalidSimulation(format!("business time zone: {err}")))?;
    let clock = clock::Clock::new(state.start_date, timezone);
    let sanctions_entries = match &state.ofac_sdn_csv {
        Some(path) => people::read_sdn_individuals(path)?,
        None => Vec::new(),
    };
    let population = people::generate(
        &mut random_stream(state.seed, Stream::Population, 0),
        state.payments_per_day,
        &clock,
        &sanctions_entries,
    );
    let cast = movements::Cast::new(&mut random_stream(state.seed, Stream::Cast, 0), &population);
    let truth = truth::TruthFiles::open(landing_dir)?;
    let first_day = state.next_day;
    let mut summary = SimulationSummary {
        first_date: clock.business_date(first_day),
        days: config.days,
        files_written: 0,
        customers: population.customers.len() as u64,
        money_movements: 0,
        payments: 0,
        stream_records: 0,
        kinesis_records: 0,
        ctr_truth_rows: 0,
        truth_files: truth.paths(),
    };
    let simulation = Simulation {
        landing_dir,
        clock: &clock,
        population: &population,
        cast: &cast,
        truth: &truth,
    };
    if first_day == 0 {
        simulation.before_first_day(&mut state, &mut summary)?;
    }
    for day in first_day..first_day + config.days {
        simulation.simulate_day(&mut state, day, &mut summary)?;
        state.next_day = day + 1;
        state.write(landing_dir)?;
    }
    Ok(summary)
}

/// The state of a new simulation, refused where landing holds truth of a simulation that
/// cannot be continued (it would be written a second time beside it).
fn first_state(landing_dir: &Path, config: &SimulationConfig) -> Result<SimulationState> {
    let truth_folder = landing_dir.join(truth::TRUTH_FOLDER);
    if truth_folder.exists() {
        return Err(SimulatorError::InvalidSimulation(format!(
            "'{}' holds a simulation without its state ({}/{}): simulate into a new lake",
            landing_dir.display(),
            state::STATE_FOLDER,
            "state.json"
        )));
    }
    Ok(SimulationState {
        seed: config.seed,
        start_date: config.start_date,
        payments_per_day: config.payments_per_day,
        business_timezone: config.business_timezone.name().to_string(),
        ofac_sdn_csv: config.ofac_sdn_csv.clone(),
        injection_days: config.days.min(movements::CASE_DAYS),
        next_day: 0,
        movements_written: 0,
        payments_written: 0,
        stream_sequences_used: 0,
        event_sequences_used: 0,
        eur_rate: movements::FIRST_EUR_RATE,
        gbp_rate: movements::FIRST_GBP_RATE,
        open_case_transactions: Default::default(),
        open_batches: Default::default(),
        broken_batches: Vec::new(),
        unbooked_payouts: Vec::new(),
        statement_balances: Default::default(),
        pending_stream_files: Vec::new(),
    })
}

/// The state to continue from, refused when the settings ask for another simulation than the
/// one the lake holds.
fn continued_state(
    landing_dir: &Path,
    config: &SimulationConfig,
    state: SimulationState,
) -> Result<SimulationState> {
    let refuse = |setting: &str, held: String, asked: String| {
        SimulatorError::InvalidSimulation(format!(
            "'{}' holds a simulation with {setting} {held} (asked: {asked}): continue it with \
             the same {setting}, or simulate into a new lake",
            landing_dir.display()
        ))
    };
    if state.seed != config.seed {
        return Err(refuse(
            "seed",
            state.seed.to_string(),
            config.seed.to_string(),
        ));
    }
    if state.payments_per_day != config.payments_per_day {
        return Err(refuse(
            "payments per day",
            state.payments_per_day.to_string(),
            config.payments_per_day.to_string(),
        ));
    }
    if state.business_timezone != config.business_timezone.name() {
        return Err(refuse(
            "business time zone",
            state.business_timezone.clone(),
            config.business_timezone.name().to_string(),
        ));
    }
    Ok(state)
}

/// What every day of one run shares.
struct Simulation<'a> {
    landing_dir: &'a Path,
    clock: &'a clock::Clock,
    population: &'a people::Population,
    cast: &'a movements::Cast,
    truth: &'a truth::TruthFiles,
}

impl Simulation<'_> {
    /// The full load DMS took before the first day, the OFAC publication the population was
    /// screened against, and the truth of its sanctioned-name customers.
    fn before_first_day(
        &self,
        state: &mut SimulationState,
        summary: &mut SimulationSummary,
    ) -> Result<()> {
        let history = movements::history_before_first_day(
            &mut random_stream(state.seed, Stream::HistoryBeforeFirstDay, 0),
            self.clock,
            self.population,
            self.cast,
            state,
        );
        summary.money_movements += history.len() as u64;
        summary.files_written +=
            aurora::write_full_load(self.landing_dir, self.clock, self.population, &history)?;
        if let Some(sdn_csv) = &state.ofac_sdn_csv {
            summary.files_written +=
                publish_sanctions_list(self.landing_dir, sdn_csv, state.start_date)?;
        }
        self.truth.append_sanctions_matches(self.population)
    }

    fn simulate_day(
        &self,
        state: &mut SimulationState,
        day: u32,
        summary: &mut SimulationSummary,
    ) -> Result<()> {
        let seed = state.seed;
        let date = self.clock.business_date(day);
        let fx_rates =
            movements::fx_rates_of_day(&mut random_stream(seed, Stream::FxRates, day), state, date);
        let money = movements::generate_day(
            &mut random_stream(seed, Stream::Money, day),
            self.clock,
            self.population,
            self.cast,
            state,
            day,
        );
        summary.money_movements += money.movements.len() as u64;
        summary.files_written += aurora::write_day(
            self.landing_dir,
            &mut random_stream(seed, Stream::Aurora, day),
            self.clock,
            self.population,
            day,
            &money.movements,
            &fx_rates,
        )?;
        let payments = card_payments::simulate_day(
            self.landing_dir,
            &mut random_stream(seed, Stream::CardPayments, day),
            self.clock,
            self.population,
            state,
            day,
        )?;
        summary.payments += payments.payments;
        summary.stream_records += payments.stream_records;
        summary.kinesis_records += payments.kinesis_records;
        summary.files_written += payments.files;
        let cost_anomaly = cost::write_day(
            self.landing_dir,
            &mut random_stream(seed, Stream::Cost, day),
            self.clock,
            day,
        )?;
        summary.files_written += 1;

        let ctr_truth = truth::ctr_truth(self.population, &money.movements, &fx_rates, self.clock);
        summary.ctr_truth_rows += ctr_truth.len() as u64;
        self.truth.append_ctr(&ctr_truth)?;
        self.truth.append_cases(&money.cases)?;
        self.truth.append_lookalikes(&money.look_alikes)?;
        self.truth.append_recon_breaks(&payments.recon_breaks)?;
        self.truth.append_cost_anomalies(cost_anomaly.as_slice())
    }
}

/// Delivers the OFAC list the population was screened against (sdn.csv and, beside it,
/// alt.csv and add.csv) as one publication dated the first business day.
fn publish_sanctions_list(
    landing_dir: &Path,
    sdn_csv: &Path,
    start_date: NaiveDate,
) -> Result<u64> {
    let folder = landing_dir
        .join(paylake_ingest::sources::ofac::LANDING_FOLDER)
        .join(start_date.format("%Y%m%dT000000000000Z").to_string());
    std::fs::create_dir_all(&folder).map_err(|source| SimulatorError::io(&folder, source))?;
    let mut delivered = 0;
    for (name, _) in paylake_ingest::sources::ofac::FILES {
        let source = sdn_csv.with_file_name(name);
        if !source.exists() {
            continue;
        }
        let target = folder.join(name);
        std::fs::copy(&source, &target).map_err(|err| SimulatorError::io(&source, err))?;
        delivery::mark_delivered(&target, clock::Clock::utc_midnight_micros(start_date))?;
        delivered += 1;
    }
    Ok(delivered)
}

/// A value drawn uniformly from a slice.
fn pick<'a, T>(rng: &mut ChaCha8Rng, items: &'a [T]) -> &'a T {
    use rand::Rng;
    &items[rng.random_range(0..items.len())]
}
