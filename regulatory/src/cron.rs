//! Cron expressions (minute hour day-of-month month day-of-week), as crontab reads them:
//! `*`, values, ranges, steps and lists; 0 and 7 are Sunday; when both day fields are
//! restricted a day matching either runs (POSIX cron).

use chrono::{DateTime, Datelike, Duration, NaiveDateTime, Timelike, Utc};
use chrono_tz::Tz;

use crate::error::{RegulatoryError, Result};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CronSchedule {
    minutes: u64,
    hours: u64,
    days_of_month: u64,
    months: u64,
    days_of_week: u64,
    day_of_month_restricted: bool,
    day_of_week_restricted: bool,
}

impl CronSchedule {
    pub fn parse(expression: &str) -> Result<Self> {
        let invalid = |reason: String| RegulatoryError::Cron {
            expression: expression.to_string(),
            reason,
        };
        let fields: Vec<&str> = expression.split_whitespace().collect();
        let [minute, hour, day_of_month, month, day_of_week] = fields[..] else {
            return Err(invalid(format!(
                "expected 5 fields (minute hour day month weekday), found {}",
                fields.len()
            )));
        };
        let mut days_of_week = parse_field(day_of_week, 0, 7, "weekday").map_err(invalid)?;
        // 7 is Sunday too.
        if days_of_week & (1 << 7) != 0 {
            days_of_week |= 1;
        }
        Ok(CronSchedule {
            minutes: parse_field(minute, 0, 59, "minute").map_err(invalid)?,
            hours: parse_field(hour, 0, 23, "hour").map_err(invalid)?,
            days_of_month: parse_field(day_of_month, 1, 31, "day").map_err(invalid)?,
            months: parse_field(month, 1, 12, "month").map_err(invalid)?,
            days_of_week,
            day_of_month_restricted: day_of_month != "*",
            day_of_week_restricted: day_of_week != "*",
        })
    }

    /// Whether the schedule fires at this local minute.
    pub fn matches(&self, local: NaiveDateTime) -> bool {
        let has = |set: u64, value: u32| set & (1 << value) != 0;
        let day_of_month = has(self.days_of_month, local.day());
        let day_of_week = has(self.days_of_week, local.weekday().num_days_from_sunday());
        let day = match (self.day_of_month_restricted, self.day_of_week_restricted) {
            (true, true) => day_of_month || day_of_week,
            _ => day_of_month && day_of_week,
        };
        day && has(self.minutes, local.minute())
            && has(self.hours, local.hour())
            && has(self.months, local.month())
    }

    /// The ticks after `after` up to and including `until`, read in the time zone `timezone`.
    pub fn ticks_between(
        &self,
        after: DateTime<Utc>,
        until: DateTime<Utc>,
        timezone: Tz,
    ) -> Vec<DateTime<Utc>> {
        let mut ticks = Vec::new();
        let start = after
            .with_second(0)
            .and_then(|time| time.with_nanosecond(0))
            .unwrap_or(after)
            + Duration::minutes(1);
        let mut minute = start;
        while minute <= until {
            if self.matches(minute.with_timezone(&timezone).naive_local()) {
                ticks.push(minute);
            }
            minute += Duration::minutes(1);
        }
        ticks
    }
}

/// A field's allowed values as a bit set.
fn parse_field(field: &str, low: u32, high: u32, name: &str) -> std::result::Result<u64, String> {
    let mut set = 0_u64;
    for part in field.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((range, step)) => {
                let step: u32 = step
                    .parse()
                    .ok()
                    .filter(|step| *step > 0)
                    .ok_or_else(|| format!("{name} step '{step}' is not a positive number"))?;
                (range, step)
            }
            None => (part, 1),
        };
        let value = |text: &str| -> std::result::Result<u32, String> {
            text.parse::<u32>()
                .ok()
                .filter(|value| (low..=high).contains(value))
                .ok_or_else(|| format!("{name} '{text}' is not a number from {low} to {high}"))
        };
        let (first, last) = if range == "*" {
            (low, high)
        } else if let Some((first, last)) = range.split_once('-') {
            (value(first)?, value(last)?)
        } else {
            let single = value(range)?;
            // `5/15` means from 5 to the end, every 15.
            (single, if step > 1 { high } else { single })
        };
        if first > last {
            return Err(format!("{name} range '{range}' runs backwards"));
        }
        for allowed in (first..=last).step_by(step as usize) {
            set |= 1 << allowed;
        }
    }
    Ok(set)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

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
        for (broken, named) in [
            ("0 6 * *", "5 fields"),
            ("61 * * * *", "minute '61'"),
            ("0 6 * 13 *", "month '13'"),
            ("*/0 * * * *", "step"),
            ("0 9-5 * * *", "backwards"),
        ] {
            let err = CronSchedule::parse(broken).unwrap_err().to_string();
            assert!(err.contains(named), "{broken}: {err}");
        }
    }
}
