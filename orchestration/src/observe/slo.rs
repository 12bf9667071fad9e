//! Freshness SLOs and their error budgets.
//!
//! Each SLO promises that an asset's business date D is ready by a local time of day D + n (in
//! the business time zone), on a share of dates (the objective). A source's date is ready when
//! every change committed in it has landed in bronze; a gold asset's date when its partition was
//! first built successfully. Over the last business dates the lake holds, each date is met, missed
//! (late or never ready past the deadline) or pending (deadline still ahead). The error budget is
//! the misses the objective allows; what is left of it says how much more may go wrong.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use arrow::array::{Array, Date32Array, TimestampMicrosecondArray};
use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use datafusion::prelude::SessionContext;
use serde::{Deserialize, Serialize};

use super::metrics::Exposition;
use crate::error::{OrchestrationError, Result};

/// The SLOs paylake ships (`slo.toml`).
pub const DEFAULT_SLOS: &str = include_str!("../../../slo.toml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SloSettings {
    pub version: String,
    /// How many of the latest business dates each SLO is judged over.
    pub window_dates: usize,
    pub freshness: Vec<FreshnessSlo>,
}

/// One promise: `asset` of date D ready by `ready_by` on D + `days_after`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FreshnessSlo {
    pub name: String,
    /// `bronze.<table>` for a source, `gold.<table>` for a dataset.
    pub asset: String,
    /// Local time of day, HH:MM.
    pub ready_by: String,
    pub days_after: i64,
    /// Share of dates that must be on time, in (0, 1).
    pub objective: f64,
}

impl SloSettings {
    pub fn parse(text: &str, origin: &str) -> Result<Self> {
        let settings: SloSettings =
            toml::from_str(text).map_err(|err| OrchestrationError::Config {
                path: origin.into(),
                reason: err.to_string(),
            })?;
        for slo in &settings.freshness {
            let problem = if !(slo.objective > 0.0 && slo.objective < 1.0) {
                Some(format!(
                    "objective {} is not between 0 and 1",
                    slo.objective
                ))
            } else if NaiveTime::parse_from_str(&slo.ready_by, "%H:%M").is_err() {
                Some(format!("ready_by '{}' is not HH:MM", slo.ready_by))
            } else if !(slo.asset.starts_with("bronze.") || slo.asset.starts_with("gold.")) {
                Some(format!(
                    "asset '{}' is neither bronze.<source table> nor gold.<table>",
                    slo.asset
                ))
            } else {
                paylake_catalog::registry()
                    .find(&slo.asset)
                    .err()
                    .map(|err| err.to_string())
            };
            if let Some(problem) = problem {
                return Err(OrchestrationError::Config {
                    path: origin.into(),
                    reason: format!("slo '{}': {problem}", slo.name),
                });
            }
        }
        Ok(settings)
    }

    /// The configured file, or the shipped SLOs.
    pub fn load(path: Option<&Path>) -> Result<Self> {
        match path {
            Some(path) => {
                let text =
                    std::fs::read_to_string(path).map_err(|source| OrchestrationError::Io {
                        path: path.to_path_buf(),
                        source,
                    })?;
                Self::parse(&text, &path.display().to_string())
            }
            None => Self::parse(DEFAULT_SLOS, "slo.toml (shipped)"),
        }
    }
}

/// How one date fared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DateStatus {
    Met,
    Missed,
    Pending,
}

/// One date of one SLO.
#[derive(Debug, Clone, Serialize)]
pub struct DateReadiness {
    pub business_date: NaiveDate,
    pub deadline: DateTime<Utc>,
    pub ready_at: Option<DateTime<Utc>>,
    pub status: DateStatus,
}

/// One SLO over its window.
#[derive(Debug, Clone, Serialize)]
pub struct SloOutcome {
    pub name: String,
    pub asset: String,
    pub objective: f64,
    pub dates: Vec<DateReadiness>,
}

impl SloOutcome {
    fn count(&self, status: DateStatus) -> usize {
        self.dates
            .iter()
            .filter(|date| date.status == status)
            .count()
    }
    pub fn met(&self) -> usize {
        self.count(DateStatus::Met)
    }
    pub fn missed(&self) -> usize {
        self.count(DateStatus::Missed)
    }
    pub fn pending(&self) -> usize {
        self.count(DateStatus::Pending)
    }
    /// Met over judged (met and missed); 1 when nothing is judged yet.
    pub fn attainment(&self) -> f64 {
        let judged = self.met() + self.missed();
        if judged == 0 {
            return 1.0;
        }
        self.met() as f64 / judged as f64
    }
    /// The misses the objective allows over the judged dates.
    pub fn budget(&self) -> f64 {
        (1.0 - self.objective) * (self.met() + self.missed()) as f64
    }
    /// Share of the budget left: 1 untouched, 0 spent, below 0 overspent.
    pub fn budget_remaining(&self) -> f64 {
        let budget = self.budget();
        if budget <= 0.0 {
            return if self.missed() == 0 {
                1.0
            } else {
                f64::NEG_INFINITY
            };
        }
        (budget - self.missed() as f64) / budget
    }
    /// The latest a judged date was ready after its deadline (or is, unready).
    pub fn worst_lateness(&self, as_of: DateTime<Utc>) -> Option<chrono::Duration> {
        self.dates
            .iter()
            .filter(|date| date.status == DateStatus::Missed)
            .map(|date| date.ready_at.unwrap_or(as_of) - date.deadline)
            .max()
    }
}

/// Every SLO's outcome as of one instant.
#[derive(Debug, Clone, Serialize)]
pub struct SloReport {
    pub as_of: DateTime<Utc>,
    pub version: String,
    pub outcomes: Vec<SloOutcome>,
}

/// The deadline of `date`: `ready_by` local time on `date + days_after`.
pub fn deadline(slo: &FreshnessSlo, date: NaiveDate, timezone: Tz) -> Result<DateTime<Utc>> {
    let time = NaiveTime::parse_from_str(&slo.ready_by, "%H:%M")
        .map_err(|err| OrchestrationError::Usage(format!("slo '{}': {err}", slo.name)))?;
    let local = (date + chrono::Duration::days(slo.days_after)).and_time(time);
    // A time the clocks skip (spring forward) is taken an hour later, as the clock reads it.
    timezone
        .from_local_datetime(&local)
        .earliest()
        .or_else(|| {
            timezone
                .from_local_datetime(&(local + chrono::Duration::hours(1)))
                .earliest()
        })
        .map(|time| time.with_timezone(&Utc))
        .ok_or_else(|| OrchestrationError::Usage(format!("{local} does not exist in {timezone}")))
}

/// Judges `slo` on `expected` dates from when each was ready.
pub fn judge(
    slo: &FreshnessSlo,
    expected: &BTreeSet<NaiveDate>,
    ready: &BTreeMap<NaiveDate, DateTime<Utc>>,
    window_dates: usize,
    timezone: Tz,
    as_of: DateTime<Utc>,
) -> Result<SloOutcome> {
    let as_of_date = as_of.with_timezone(&timezone).date_naive();
    let window: Vec<NaiveDate> = expected
        .iter()
        .copied()
        .filter(|date| *date <= as_of_date)
        .rev()
        .take(window_dates)
        .collect();
    let mut dates = Vec::new();
    for date in window.into_iter().rev() {
        let deadline = deadline(slo, date, timezone)?;
        // Readiness after the instant judged is not known at that instant.
        let ready_at = ready
            .get(&date)
            .copied()
            .filter(|ready_at| *ready_at <= as_of);
        let status = match ready_at {
            Some(ready_at) if ready_at <= deadline => DateStatus::Met,
            Some(_) => DateStatus::Missed,
            None if deadline < as_of => DateStatus::Missed,
            None => DateStatus::Pending,
        };
        dates.push(DateReadiness {
            business_date: date,
            deadline,
            ready_at,
            status,
        });
    }
    Ok(SloOutcome {
        name: slo.name.clone(),
        asset: slo.asset.clone(),
        objective: slo.objective,
        dates,
    })
}

async fn dated_times(
    context: &SessionContext,
    query: &str,
    parameters: &[(&str, String)],
) -> Result<BTreeMap<NaiveDate, DateTime<Utc>>> {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("the epoch is a date");
    let mut times = BTreeMap::new();
    let sql = paylake_catalog::sql::render(query, parameters)?;
    for batch in context.sql(&sql).await?.collect().await? {
        let dates = batch.column(0).as_any().downcast_ref::<Date32Array>();
        let instants = batch
            .column(1)
            .as_any()
            .downcast_ref::<TimestampMicrosecondArray>();
        let (Some(dates), Some(instants)) = (dates, instants) else {
            continue;
        };
        for row in 0..batch.num_rows() {
            if dates.is_null(row) {
                continue;
            }
            let date = epoch + chrono::Duration::days(i64::from(dates.value(row)));
            let instant = instants
                .is_valid(row)
                .then(|| DateTime::from_timestamp_micros(instants.value(row)))
                .flatten();
            if let Some(instant) = instant {
                times.insert(date, instant);
            } else {
                times.entry(date).or_insert(DateTime::<Utc>::MAX_UTC);
            }
        }
    }
    Ok(times)
}

/// When each date of a bronze table had all its changes landed: the last ingest of a change
/// committed in it.
async fn source_readiness(
    context: &SessionContext,
    asset: &str,
    timezone: Tz,
) -> Result<BTreeMap<NaiveDate, DateTime<Utc>>> {
    dated_times(
        context,
        "observe/source_readiness.sql",
        &[
            ("asset", asset.to_string()),
            ("timezone", timezone.name().to_string()),
        ],
    )
    .await
}

/// When each date of a gold asset was first built successfully.
async fn gold_readiness(
    context: &SessionContext,
    asset: &str,
) -> Result<BTreeMap<NaiveDate, DateTime<Utc>>> {
    dated_times(
        context,
        "observe/gold_first_built.sql",
        &[("asset", asset.to_string())],
    )
    .await
}

/// Business dates the lake holds: those some change was committed in (by the transactions the
/// payments ledger records), and those some run was asked to build.
async fn lake_dates(
    context: &SessionContext,
    asset: &str,
    timezone: Tz,
) -> Result<BTreeSet<NaiveDate>> {
    let mut dates: BTreeSet<NaiveDate> = source_readiness(context, "bronze.transactions", timezone)
        .await?
        .into_keys()
        .collect();
    if asset.starts_with("gold.") {
        dates.extend(
            dated_times(
                context,
                "observe/gold_dates_asked.sql",
                &[("asset", asset.to_string())],
            )
            .await?
            .into_keys(),
        );
    }
    Ok(dates)
}

/// Every SLO of `settings`, as of `as_of`.
pub async fn evaluate(
    context: &SessionContext,
    settings: &SloSettings,
    timezone: Tz,
    as_of: DateTime<Utc>,
) -> Result<SloReport> {
    let mut outcomes = Vec::new();
    for slo in &settings.freshness {
        let ready = if slo.asset.starts_with("bronze.") {
            source_readiness(context, &slo.asset, timezone).await?
        } else {
            gold_readiness(context, &slo.asset).await?
        };
        let mut expected = lake_dates(context, &slo.asset, timezone).await?;
        if slo.asset.starts_with("bronze.") {
            expected.extend(ready.keys().copied());
        }
        outcomes.push(judge(
            slo,
            &expected,
            &ready,
            settings.window_dates,
            timezone,
            as_of,
        )?);
    }
    Ok(SloReport {
        as_of,
        version: settings.version.clone(),
        outcomes,
    })
}

fn hours(duration: chrono::Duration) -> String {
    let minutes = duration.num_minutes();
    if minutes.abs() < 120 {
        return format!("{minutes} min");
    }
    let hours = minutes as f64 / 60.0;
    if hours.abs() < 72.0 {
        return format!("{hours:.1} h");
    }
    format!("{:.1} d", hours / 24.0)
}

impl SloReport {
    /// The report as a console table.
    pub fn render(&self) -> String {
        let mut text = format!(
            "freshness SLOs (version {}) as of {}, over each one's last business dates\n",
            self.version,
            self.as_of.format("%Y-%m-%d %H:%M UTC")
        );
        text.push_str(&format!(
            "{:<28} {:<26} {:>9} {:>6} {:>4} {:>6} {:>7} {:>10} {:>8} {:>9}  {}\n",
            "slo",
            "asset",
            "objective",
            "dates",
            "met",
            "missed",
            "pending",
            "attainment",
            "budget",
            "left",
            "worst lateness"
        ));
        for outcome in &self.outcomes {
            let left = outcome.budget_remaining();
            let left = if left.is_finite() {
                format!("{:.0}%", left * 100.0)
            } else {
                "spent".to_string()
            };
            let verdict = if outcome.attainment() >= outcome.objective {
                ""
            } else {
                "  BREACHED"
            };
            text.push_str(&format!(
                "{:<28} {:<26} {:>8.1}% {:>6} {:>4} {:>6} {:>7} {:>9.1}% {:>8.2} {:>9}  {}{}\n",
                outcome.name,
                outcome.asset,
                outcome.objective * 100.0,
                outcome.dates.len(),
                outcome.met(),
                outcome.missed(),
                outcome.pending(),
                outcome.attainment() * 100.0,
                outcome.budget(),
                left,
                outcome
                    .worst_lateness(self.as_of)
                    .map(hours)
                    .unwrap_or_else(|| "-".into()),
                verdict
            ));
        }
        text
    }

    /// The SLOs as Prometheus metrics.
    pub fn add_metrics(&self, metrics: &mut Exposition) {
        metrics.family(
            "paylake_slo_objective",
            "gauge",
            "Share of business dates each SLO promises on time.",
        );
        metrics.family(
            "paylake_slo_attainment_ratio",
            "gauge",
            "Share of judged business dates that were on time.",
        );
        metrics.family(
            "paylake_slo_error_budget_remaining_ratio",
            "gauge",
            "Share of each SLO's error budget left (below 0: overspent).",
        );
        metrics.family(
            "paylake_slo_dates_missed",
            "gauge",
            "Business dates of the window that missed their deadline.",
        );
        for outcome in &self.outcomes {
            let labels = [
                ("slo", outcome.name.as_str()),
                ("asset", outcome.asset.as_str()),
            ];
            metrics.sample("paylake_slo_objective", &labels, outcome.objective);
            metrics.sample(
                "paylake_slo_attainment_ratio",
                &labels,
                outcome.attainment(),
            );
            let left = outcome.budget_remaining();
            metrics.sample(
                "paylake_slo_error_budget_remaining_ratio",
                &labels,
                if left.is_finite() { left } else { -1.0 },
            );
            metrics.sample("paylake_slo_dates_missed", &labels, outcome.missed() as f64);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slo() -> FreshnessSlo {
        FreshnessSlo {
            name: "ctr".into(),
            asset: "gold.ctr_candidates".into(),
            ready_by: "06:00".into(),
            days_after: 1,
            objective: 0.9,
        }
    }

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn deadlines_are_local_time_the_day_after() {
        let tz: Tz = "America/New_York".parse().unwrap();
        let date = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        assert_eq!(
            deadline(&slo(), date, tz).unwrap(),
            utc("2026-03-03T11:00:00Z")
        );
        // Daylight saving time starts on 2026-03-08 in New York.
        let date = NaiveDate::from_ymd_opt(2026, 3, 8).unwrap();
        assert_eq!(
            deadline(&slo(), date, tz).unwrap(),
            utc("2026-03-09T10:00:00Z")
        );
    }

    #[test]
    fn dates_are_met_missed_or_pending_and_the_budget_follows() {
        let tz: Tz = "America/New_York".parse().unwrap();
        let day = |d| NaiveDate::from_ymd_opt(2026, 3, d).unwrap();
        let expected: BTreeSet<NaiveDate> = (1..=12).map(day).collect();
        let mut ready = BTreeMap::new();
        for d in 1..=10 {
            ready.insert(day(d), utc(&format!("2026-03-{:02}T08:00:00Z", d + 1)));
        }
        // 2026-03-05 built late, at 13:00 UTC on the 6th (08:00 local, two hours late).
        ready.insert(day(5), utc("2026-03-06T13:00:00Z"));
        let as_of = utc("2026-03-13T09:00:00Z");
        let outcome = judge(&slo(), &expected, &ready, 28, tz, as_of).unwrap();
        // The 11th never built (deadline passed): missed; the 12th's deadline is ahead.
        assert_eq!(
            (outcome.met(), outcome.missed(), outcome.pending()),
            (9, 2, 1)
        );
        assert!((outcome.attainment() - 9.0 / 11.0).abs() < 1e-9);
        assert!((outcome.budget() - 1.1).abs() < 1e-9);
        assert!(outcome.budget_remaining() < 0.0);
        assert_eq!(
            outcome.worst_lateness(as_of),
            Some(as_of - deadline(&slo(), day(11), tz).unwrap())
        );
        let last_three = judge(&slo(), &expected, &ready, 3, tz, as_of).unwrap();
        assert_eq!(last_three.dates.len(), 3);
        assert_eq!(last_three.dates[0].business_date, day(10));
    }

    #[test]
    fn shipped_slos_parse_and_bad_ones_are_refused() {
        let settings = SloSettings::parse(DEFAULT_SLOS, "slo.toml").unwrap();
        assert!(settings
            .freshness
            .iter()
            .any(|slo| slo.asset == "gold.ctr_candidates"));
        let bad = DEFAULT_SLOS.replacen("objective = 0.99", "objective = 1.5", 1);
        let err = SloSettings::parse(&bad, "x.toml").unwrap_err().to_string();
        assert!(err.contains("x.toml") && err.contains("objective"), "{err}");
    }
}
