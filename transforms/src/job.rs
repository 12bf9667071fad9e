//! What every job shares: the business day it runs for, day numbers, its SQL templates, and
//! the write of one date's partition into the session the date's jobs share.

use arrow::record_batch::RecordBatch;
use chrono::NaiveDate;
use chrono_tz::Tz;
use datafusion::prelude::SessionContext;
use paylake_catalog::delta::replace_date_partition;
use paylake_catalog::{registry, sql, Lake, TableDef, Zone};

use crate::error::{Result, TransformError};

/// A business date in the processor's business calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BusinessDay {
    pub date: NaiveDate,
    pub timezone: Tz,
}

impl BusinessDay {
    pub fn new(date: NaiveDate, timezone_name: &str) -> Result<Self> {
        let timezone = timezone_name
            .parse::<Tz>()
            .map_err(|_| TransformError::UnknownTimezone(timezone_name.to_string()))?;
        Ok(BusinessDay { date, timezone })
    }

    /// The parameters every template of a date receives: `business_date` and `timezone`. Both
    /// come from typed values, never from free text, so they cannot break out of their literals.
    /// `created_from` and `created_before` bound the instants that can fall on the date
    /// ([`creation_bounds`]).
    pub fn parameters(&self) -> Vec<(String, String)> {
        let mut parameters = vec![
            (
                "business_date".to_string(),
                self.date.format("%Y-%m-%d").to_string(),
            ),
            ("timezone".to_string(), self.timezone.name().to_string()),
        ];
        parameters.extend(creation_bounds(self.date, self.date));
        parameters
    }

    /// Renders `sql/<path>` for the day: its parameters and `more`.
    pub fn render<N: AsRef<str>>(&self, path: &str, more: &[(N, String)]) -> Result<String> {
        let mut parameters = self.parameters();
        parameters.extend(
            more.iter()
                .map(|(name, value)| (name.as_ref().to_string(), value.clone())),
        );
        Ok(sql::render(path, &parameters)?)
    }
}

/// The macros that bound a time column by instants (`created_from`, `created_before`): every job
/// whose SQL imports it declares it among its files.
pub const INSTANTS_SQL: &str = "transforms/instants.sql";

/// Midnight UTC at the start of `date`, as the text of a timestamp literal (`instants.sql`).
pub fn utc_midnight(date: NaiveDate) -> String {
    date.and_hms_opt(0, 0, 0)
        .expect("midnight exists")
        .and_utc()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// `created_from` and `created_before`: the instants that can fall on the business dates
/// `from..=to` in any time zone (every UTC offset lies within a day), with a day to spare on
/// each side. A bound on a time column itself lets a scan skip silver's months and files
/// outside the dates, where a business date computed from it prunes nothing.
pub fn creation_bounds(from: NaiveDate, to: NaiveDate) -> [(String, String); 2] {
    [
        (
            "created_from".to_string(),
            utc_midnight(from - chrono::Duration::days(1)),
        ),
        (
            "created_before".to_string(),
            utc_midnight(to + chrono::Duration::days(2)),
        ),
    ]
}

/// Days since 1970-01-01: the day number windows are computed with, and Arrow's Date32.
pub fn day_number(date: NaiveDate) -> i64 {
    (date - epoch()).num_days()
}

/// The date of a day number.
pub fn date_of_day(day_number: i64) -> NaiveDate {
    epoch() + chrono::Duration::days(day_number)
}

fn epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).expect("the epoch is a date")
}

/// Runs `sql` and registers its rows in `context` as the in-memory table `name`, replacing one
/// of that name. A query without rows registers its planned columns, so that what reads the
/// table still plans. Returns the number of rows.
pub async fn materialize(context: &SessionContext, name: &str, sql: &str) -> Result<usize> {
    let frame = context.sql(sql).await?;
    let planned_schema = std::sync::Arc::new(frame.schema().as_arrow().clone());
    let batches = frame.collect().await?;
    let rows = batches.iter().map(RecordBatch::num_rows).sum();
    // Batches carry the schema as executed, which may differ from the plan's in nullability.
    let schema = batches.first().map_or(planned_schema, RecordBatch::schema);
    let table = datafusion::datasource::MemTable::try_new(schema, vec![batches])?;
    context.deregister_table(name)?;
    context.register_table(name, std::sync::Arc::new(table))?;
    Ok(rows)
}

/// Registers `sql` in `context` as the view `name`, replacing one of that name: what reads it
/// runs the query, and nothing is held.
pub async fn register_view(context: &SessionContext, name: &str, sql: &str) -> Result<()> {
    let view = context.sql(sql).await?.into_view();
    context.deregister_table(name)?;
    context.register_table(name, view)?;
    Ok(())
}

/// Runs the template `sql/<path>` for a business day.
pub async fn query(
    context: &SessionContext,
    day: &BusinessDay,
    path: &str,
) -> Result<Vec<RecordBatch>> {
    let sql = day.render::<&str>(path, &[])?;
    Ok(context.sql(&sql).await?.collect().await?)
}

/// Runs a date's SQL (rendered) and replaces the date's partition of `gold.<table>` with its
/// rows, which it returns.
pub async fn rebuild_date(
    lake: &Lake,
    context: &SessionContext,
    day: &BusinessDay,
    table: &str,
    sql: &str,
) -> Result<Vec<RecordBatch>> {
    let batches = context.sql(sql).await?.collect().await?;
    let definition = registry().get(Zone::Gold, table)?;
    let rows = replace_business_date(lake, context, definition, day, batches.clone()).await?;
    tracing::info!(business_date = %day.date, rows, table, "gold table built");
    Ok(batches)
}

/// Replaces the business date's partition of a gold table with `batches`, and points `context`
/// at the new version. Returns the number of rows written.
pub async fn replace_business_date(
    lake: &Lake,
    context: &SessionContext,
    table: &TableDef,
    day: &BusinessDay,
    batches: Vec<RecordBatch>,
) -> Result<u64> {
    Ok(replace_date_partition(lake, context, table, day.date, &batches).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_receive_the_date_and_zone_and_bad_zones_are_refused() {
        let day = BusinessDay::new(
            NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(),
            "Europe/London",
        )
        .unwrap();
        let sql = day
            .render::<&str>("transforms/ctr_cash_without_rate.sql", &[])
            .unwrap();
        assert!(sql.contains("DATE '2026-03-02'"), "{sql}");
        assert!(sql.contains("AT TIME ZONE 'Europe/London'"), "{sql}");
        assert_eq!(day_number(day.date), 20_514);
        assert_eq!(date_of_day(day_number(day.date)), day.date);
        let err = BusinessDay::new(day.date, "Mars/Olympus").unwrap_err();
        assert!(err.to_string().contains("Mars/Olympus"));
    }
}
