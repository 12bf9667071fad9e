//! Export schedules: each runs its export at every cron tick, for the period that ended the
//! day before the tick. `run_due` runs every tick since the schedule's last recorded run (or
//! its start), oldest first, so missed ticks are caught up; each run is recorded in
//! `system.regulatory_exports` with its schedule and tick.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, Months, NaiveDate, Utc};
use chrono_tz::Tz;
use datafusion::prelude::SessionContext;
use paylake_catalog::Lake;

use crate::cron::CronSchedule;
use crate::error::{RegulatoryError, Result};
use crate::package::{export_package, ExportKind, ExportOutcome, ExportRequest};
use crate::records::batch_rows;
use crate::settings::RegulatorySettings;

/// The span a scheduled export covers, ending the day before its tick.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Day,
    Week,
    /// The previous calendar month.
    Month,
}

impl Period {
    pub fn parse(text: &str) -> std::result::Result<Self, String> {
        match text {
            "day" => Ok(Period::Day),
            "week" => Ok(Period::Week),
            "month" => Ok(Period::Month),
            other => Err(format!(
                "unknown period '{other}' (expected day, week or month)"
            )),
        }
    }

    /// The first and last business date exported by a tick on `tick_date` (local).
    pub fn span(self, tick_date: NaiveDate) -> (NaiveDate, NaiveDate) {
        let last = tick_date - Duration::days(1);
        match self {
            Period::Day => (last, last),
            Period::Week => (tick_date - Duration::days(7), last),
            Period::Month => {
                let first_of_this_month = tick_date.with_day(1).expect("day 1 exists");
                let first_of_previous = first_of_this_month
                    .checked_sub_months(Months::new(1))
                    .expect("a previous month exists");
                (first_of_previous, first_of_this_month - Duration::days(1))
            }
        }
    }
}

/// One scheduled run: its schedule, tick and what it exported.
#[derive(Debug, Clone)]
pub struct ScheduledRun {
    pub schedule: String,
    pub tick: DateTime<Utc>,
    pub outcome: ExportOutcome,
}

/// The latest tick of each schedule, below `sql/`.
const LAST_TICKS_SQL: &str = "regulatory/exports/last_ticks.sql";

/// How far back a schedule without runs or start looks for its latest tick.
const LOOK_BACK_DAYS: i64 = 62;

/// Runs every export due at `now`; `lake_root` fills `{lake}` in the schedules' `out`.
pub async fn run_due(
    lake: &Lake,
    context: &SessionContext,
    settings: &RegulatorySettings,
    timezone: Tz,
    now: DateTime<Utc>,
) -> Result<Vec<ScheduledRun>> {
    let last_ticks = last_ticks(context).await?;
    let lake_root = lake.root().as_str().trim_end_matches('/').to_string();
    let mut runs = Vec::new();
    for schedule in &settings.schedules {
        let cron = CronSchedule::parse(&schedule.cron)?;
        let kind = ExportKind::parse(&schedule.kind)
            .map_err(|reason| settings_error(&schedule.name, reason))?;
        let period = Period::parse(&schedule.period)
            .map_err(|reason| settings_error(&schedule.name, reason))?;
        let ticks = match (last_ticks.get(&schedule.name), &schedule.start) {
            (Some(last), _) => cron.ticks_between(*last, now, timezone),
            (None, Some(start)) => {
                let start = DateTime::parse_from_rfc3339(start)
                    .map_err(|err| settings_error(&schedule.name, format!("start: {err}")))?
                    .with_timezone(&Utc);
                cron.ticks_between(start - Duration::minutes(1), now, timezone)
            }
            (None, None) => cron
                .ticks_between(now - Duration::days(LOOK_BACK_DAYS), now, timezone)
                .into_iter()
                .last()
                .into_iter()
                .collect(),
        };
        for tick in ticks {
            let tick_date = tick.with_timezone(&timezone).date_naive();
            let (from, to) = period.span(tick_date);
            let request = ExportRequest {
                kind,
                from,
                to,
                filing_date: tick_date,
                out: schedule.out.replace("{lake}", &lake_root),
                schedule: Some((schedule.name.clone(), tick)),
            };
            tracing::info!(schedule = schedule.name, %tick, %from, %to, "scheduled export due");
            let outcome = export_package(lake, context, settings, &request).await?;
            runs.push(ScheduledRun {
                schedule: schedule.name.clone(),
                tick,
                outcome,
            });
        }
    }
    Ok(runs)
}

fn settings_error(schedule: &str, reason: String) -> RegulatoryError {
    RegulatoryError::Settings {
        origin: format!("schedule {schedule}"),
        reason,
    }
}

/// The last tick recorded per schedule. Reads the table as it is now, not the session's
/// snapshot, since this run's exports append to it.
async fn last_ticks(context: &SessionContext) -> Result<BTreeMap<String, DateTime<Utc>>> {
    let sql = paylake_catalog::sql::statement(LAST_TICKS_SQL)?;
    let batches = context.sql(&sql).await?.collect().await?;
    let mut last = BTreeMap::new();
    for row in batches.iter().flat_map(batch_rows) {
        let (Some(name), Some(tick)) = (row.text("schedule"), row.text("last_tick")) else {
            continue;
        };
        if let Ok(tick) = chrono::NaiveDateTime::parse_from_str(&tick, "%Y-%m-%dT%H:%M:%S") {
            last.insert(name, tick.and_utc());
        }
    }
    Ok(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_end_the_day_before_the_tick() {
        let date = |text: &str| text.parse::<NaiveDate>().unwrap();
        assert_eq!(
            Period::Day.span(date("2026-03-09")),
            (date("2026-03-08"), date("2026-03-08"))
        );
        assert_eq!(
            Period::Week.span(date("2026-03-09")),
            (date("2026-03-02"), date("2026-03-08"))
        );
        assert_eq!(
            Period::Month.span(date("2026-03-01")),
            (date("2026-02-01"), date("2026-02-28"))
        );
        assert!(Period::parse("fortnight").is_err());
    }
}
