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
mod movements;
mod people;
mod truth;

pub mod error;

pub use error::{Result, SimulatorError};

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
#[derive(Debug, Clone, Default)]
pub struct SimulationSummary {
    pub files_written: u64,
    pub customers: u64,
    pub money_movements: u64,
    pub payments: u64,
    pub stream_records: u64,
    pub kinesis_records: u64,
    pub ctr_truth_rows: u64,
    pub truth_files: Vec<PathBuf>,
}

/// Simulates `config.days` business days into `landing_dir`.
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
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    let clock = clock::Clock::new(config);
    let sanctions_entries = match &config.ofac_sdn_csv {
        Some(path) => people::read_sdn_individuals(path)?,
        None => Vec::new(),
    };
    let population = people::generate(&mut rng, config, &clock, &sanctions_entries);
    let fx_rates = movements::generate_fx_rates(&mut rng, config);
    let money = movements::generate(&mut rng, config, &clock, &population);
    let payments = card_payments::generate(&mut rng, config, &clock, &population);

    let mut summary = SimulationSummary {
        customers: population.customers.len() as u64,
        money_movements: money.movements.len() as u64,
        payments: payments.payment_count,
        stream_records: payments.stream_record_count(),
        kinesis_records: payments.kinesis_record_count(),
        ..SimulationSummary::default()
    };
    summary.files_written += aurora::write(
        landing_dir,
        &mut rng,
        config,
        &clock,
        &population,
        &money.movements,
        &fx_rates,
    )?;
    summary.files_written += card_payments::write(landing_dir, &payments, &population)?;
    let (cost_files, cost_anomalies) = cost::write(landing_dir, &mut rng, &clock)?;
    summary.files_written += cost_files;
    if let Some(sdn_csv) = &config.ofac_sdn_csv {
        summary.files_written += publish_sanctions_list(landing_dir, sdn_csv, config)?;
    }

    let ctr_truth = truth::ctr_truth(&population, &money.movements, &fx_rates, &clock);
    summary.ctr_truth_rows = ctr_truth.len() as u64;
    summary.truth_files = truth::write_all(
        landing_dir,
        &population,
        &ctr_truth,
        &money.cases,
        &payments.recon_breaks,
        &cost_anomalies,
    )?;
    Ok(summary)
}

/// Delivers the OFAC list the population was screened against (sdn.csv and, beside it,
/// alt.csv and add.csv) as one publication dated the first business day.
fn publish_sanctions_list(
    landing_dir: &Path,
    sdn_csv: &Path,
    config: &SimulationConfig,
) -> Result<u64> {
    let folder = landing_dir
        .join(paylake_ingest::sources::ofac::LANDING_FOLDER)
        .join(config.start_date.format("%Y%m%dT000000000000Z").to_string());
    std::fs::create_dir_all(&folder).map_err(|source| SimulatorError::io(&folder, source))?;
    let mut delivered = 0;
    for (name, _) in paylake_ingest::sources::ofac::FILES {
        let source = sdn_csv.with_file_name(name);
        if !source.exists() {
            continue;
        }
        let target = folder.join(name);
        std::fs::copy(&source, &target).map_err(|err| SimulatorError::io(&source, err))?;
        delivery::mark_delivered(
            &target,
            clock::Clock::utc_midnight_micros(config.start_date),
        )?;
        delivered += 1;
    }
    Ok(delivered)
}

/// A value drawn uniformly from a slice.
fn pick<'a, T>(rng: &mut ChaCha8Rng, items: &'a [T]) -> &'a T {
    use rand::Rng;
    &items[rng.random_range(0..items.len())]
}
