//! What a simulation carries from one business day to the next, kept beside the landing files
//! in `_simulation/state.json`, so that `paylake simulate` on a lake that already holds a
//! simulation continues it from the day after its last: same customers, same seed stream,
//! and the payments still in flight settle in the batches they were due in.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use paylake_ingest::sources::camt053::StatementEntry;
use paylake_ingest::sources::settlement::SettlementLine;
use serde::{Deserialize, Serialize};

use crate::error::{Result, SimulatorError};

/// The folder under landing that holds the state; ingest reads no folder starting with `_`.
pub const STATE_FOLDER: &str = "_simulation";
const STATE_FILE: &str = "state.json";

/// The state between two business days. Everything else a day needs is drawn from the seed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimulationState {
    pub seed: u64,
    pub start_date: NaiveDate,
    pub payments_per_day: u32,
    /// IANA name of the business time zone.
    pub business_timezone: String,
    /// The OFAC list whose entries seeded the sanctioned-name customers.
    pub ofac_sdn_csv: Option<PathBuf>,
    /// The days the typologies are injected on: the first run's, up to a week.
    pub injection_days: u32,
    /// The next business day to simulate, counted from `start_date`.
    pub next_day: u32,
    /// Movements (`T...`) and payments (`P...`) written so far.
    pub movements_written: u64,
    pub payments_written: u64,
    /// Sequence numbers used so far on the DynamoDB stream and the Kinesis stream.
    pub stream_sequences_used: u64,
    pub event_sequences_used: u64,
    /// Today's USD rates of EUR and GBP, unscaled at eight decimals (a random walk).
    pub eur_rate: i128,
    pub gbp_rate: i128,
    /// Transactions of cases injected over several days, by typology, until the case closes.
    pub open_case_transactions: BTreeMap<String, Vec<String>>,
    /// Settlement batches that later days still add lines to, by batch number.
    pub open_batches: BTreeMap<i64, Vec<SettlementLine>>,
    /// Batches that already hold their injected break.
    pub broken_batches: Vec<i64>,
    /// Payouts on their way to a bank statement not yet written.
    pub unbooked_payouts: Vec<UnbookedPayout>,
    /// Closing balance of the last statement of each currency, in cents.
    pub statement_balances: BTreeMap<String, i128>,
    /// Stream files of changes still to come (refunds, chargebacks) past what the runs so far
    /// delivered, each written by the run that simulates its day.
    pub pending_stream_files: Vec<PendingStreamFile>,
}

/// A DynamoDB stream file not yet delivered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PendingStreamFile {
    /// Its path under landing.
    pub relative_path: String,
    pub delivered_micros: i64,
    /// Its records in their JSON form, in order.
    pub records: Vec<serde_json::Value>,
}

/// A payout the bank books on a later statement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnbookedPayout {
    pub currency: String,
    pub entry: StatementEntry,
}

fn state_path(landing_dir: &Path) -> PathBuf {
    landing_dir.join(STATE_FOLDER).join(STATE_FILE)
}

impl SimulationState {
    /// The state a simulation left in `landing_dir`, if one did.
    pub fn read(landing_dir: &Path) -> Result<Option<SimulationState>> {
        let path = state_path(landing_dir);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => return Err(SimulatorError::io(&path, source)),
        };
        serde_json::from_str(&text).map(Some).map_err(|err| {
            SimulatorError::InvalidSimulation(format!("'{}': {err}", path.display()))
        })
    }

    /// Writes the state aside and renames it over the last, so that a run killed between
    /// two days leaves the state of the last whole day.
    pub fn write(&self, landing_dir: &Path) -> Result<()> {
        let path = state_path(landing_dir);
        let folder = landing_dir.join(STATE_FOLDER);
        std::fs::create_dir_all(&folder).map_err(|source| SimulatorError::io(&folder, source))?;
        let text = serde_json::to_string_pretty(self).map_err(|err| {
            SimulatorError::InvalidSimulation(format!("'{}': {err}", path.display()))
        })?;
        let partial = folder.join(format!(".{STATE_FILE}.partial"));
        std::fs::write(&partial, text).map_err(|source| SimulatorError::io(&partial, source))?;
        std::fs::rename(&partial, &path).map_err(|source| SimulatorError::io(&path, source))
    }
}
