//! Simulated time: business days in the configured zone, stored as UTC microseconds.

use chrono::{Duration, NaiveDate, NaiveTime, TimeZone};
use chrono_tz::Tz;

pub const MICROS_PER_SECOND: i64 = 1_000_000;
pub const MICROS_PER_MINUTE: i64 = 60 * MICROS_PER_SECOND;
pub const MICROS_PER_HOUR: i64 = 60 * MICROS_PER_MINUTE;
pub const MICROS_PER_DAY: i64 = 24 * MICROS_PER_HOUR;

#[derive(Debug, Clone)]
pub struct Clock {
    pub start_date: NaiveDate,
    pub timezone: Tz,
}

impl Clock {
    pub fn new(start_date: NaiveDate, timezone: Tz) -> Self {
        Clock {
            start_date,
            timezone,
        }
    }

    pub fn business_date(&self, day: u32) -> NaiveDate {
        self.start_date + Duration::days(i64::from(day))
    }

    /// UTC microseconds of the last millisecond of business day `day`, local time.
    pub fn day_end_micros(&self, day: u32) -> i64 {
        self.local_micros(day + 1, 0) - 1_000
    }

    /// UTC microseconds of a local wall-clock time `seconds_into_day` on business day `day`.
    pub fn local_micros(&self, day: u32, seconds_into_day: u32) -> i64 {
        let date = self.business_date(day);
        let time = NaiveTime::from_num_seconds_from_midnight_opt(seconds_into_day.min(86_399), 0)
            .expect("seconds within a day");
        self.timezone
            .from_local_datetime(&date.and_time(time))
            .earliest()
            // A wall time skipped by a DST change: take the hour after.
            .unwrap_or_else(|| {
                self.timezone
                    .from_utc_datetime(&(date.and_time(time) + Duration::hours(1)))
            })
            .timestamp_micros()
    }

    /// The business date of a UTC instant.
    pub fn date_of(&self, micros: i64) -> NaiveDate {
        chrono::DateTime::from_timestamp_micros(micros)
            .expect("simulated times are valid")
            .with_timezone(&self.timezone)
            .date_naive()
    }

    /// UTC midnight at the start of a calendar date, in microseconds.
    pub fn utc_midnight_micros(date: NaiveDate) -> i64 {
        date.and_time(NaiveTime::MIN).and_utc().timestamp_micros()
    }
}
