//! Cron expressions (minute hour day-of-month month day-of-week), as crontab reads them, through
//! croner (the OCPS rules of Vixie cron): `*`, values, ranges, steps, lists and names; 0 and 7
//! are Sunday; when both day fields are restricted a day matching either runs.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use croner::parser::{CronParser, Seconds, Year};
use croner::Cron;

use crate::error::{RegulatoryError, Result};

#[derive(Debug, Clone)]
pub struct CronSchedule {
    cron: Cron,
}

impl CronSchedule {
    /// Parses a five-field expression; seconds and years are refused, as crontab does.
    pub fn parse(expression: &str) -> Result<Self> {
        let parser = CronParser::builder()
            .seconds(Seconds::Disallowed)
            .year(Year::Disallowed)
            .build();
        let cron = parser
            .parse(expression)
            .map_err(|error| RegulatoryError::Cron {
                expression: expression.to_string(),
                reason: error.to_string(),
            })?;
        Ok(CronSchedule { cron })
    }

    /// Whether the schedule fires at this local minute (what the tests pin croner's rules by).
    #[cfg(test)]
    fn matches(&self, local: chrono::NaiveDateTime) -> bool {
        self.cron.is_time_matching(&local).unwrap_or(false)
    }

    /// The ticks after `after` up to and including `until`, read in the time zone `timezone`.
    pub fn ticks_between(
        &self,
        after: DateTime<Utc>,
        until: DateTime<Utc>,
        timezone: Tz,
    ) -> Vec<DateTime<Utc>> {
        self.cron
            .iter_after(after.with_timezone(&timezone))
            .map(|tick| tick.with_timezone(&Utc))
            .take_while(|tick| *tick <= until)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Datelike, TimeZone};

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn daily_and_weekly_ticks_follow_the_business_time_zone() {
        let new_york: Tz = "America/New_York".parse().unwrap();
        let daily = CronSchedule::parse("0 6 * * *").unwrap();
        let ticks = daily.ticks_between(
            utc("2026-03-01T00:00:00Z"),
            utc("2026-03-04T12:00:00Z"),
            new_york,
        );
        // 06:00 in New York is 11:00 UTC in winter (EST).
        assert_eq!(
            ticks,
            [
                utc("2026-03-01T11:00:00Z"),
                utc("2026-03-02T11:00:00Z"),
                utc("2026-03-03T11:00:00Z"),
                utc("2026-03-04T11:00:00Z")
            ]
        );
        // Across the change to daylight saving time (2026-03-08), 06:00 is 10:00 UTC.
        let after = daily.ticks_between(
            utc("2026-03-08T12:00:00Z"),
            utc("2026-03-09T12:00:00Z"),
            new_york,
        );
        assert_eq!(after, [utc("2026-03-09T10:00:00Z")]);
        let mondays = CronSchedule::parse("0 7 * * 1").unwrap();
        let ticks = mondays.ticks_between(
            utc("2026-03-01T00:00:00Z"),
            utc("2026-03-31T00:00:00Z"),
            chrono_tz::UTC,
        );
        let days: Vec<u32> = ticks.iter().map(|tick| tick.day()).collect();
        assert_eq!(days, [2, 9, 16, 23, 30]);
    }

    #[test]
    fn ranges_steps_lists_and_either_day_field() {
        let schedule = CronSchedule::parse("*/15 9-17 1,15 * 7").unwrap();
        let at = |y, m, d, h, min| {
            Utc.with_ymd_and_hms(y, m, d, h, min, 0)
                .unwrap()
                .naive_utc()
        };
        assert!(schedule.matches(at(2026, 3, 1, 9, 45))); // the 1st, a Sunday
        assert!(schedule.matches(at(2026, 3, 8, 17, 0))); // a Sunday, not the 1st or 15th
        assert!(schedule.matches(at(2026, 3, 15, 12, 30))); // the 15th, a Sunday too
        assert!(!schedule.matches(at(2026, 3, 16, 12, 30))); // a Monday, the 16th
        assert!(!schedule.matches(at(2026, 3, 1, 9, 44)));
        assert!(!schedule.matches(at(2026, 3, 1, 18, 0)));
        for broken in [
            "0 6 * *",
            "0 0 6 * * *",
            "61 * * * *",
            "0 6 * 13 *",
            "*/0 * * * *",
            "0 9-5 * * *",
        ] {
            let err = CronSchedule::parse(broken).unwrap_err().to_string();
            assert!(err.contains(broken), "{broken}: {err}");
        }
    }
}
