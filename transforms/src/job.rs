//! What every job shares: the business day it runs for, day numbers, SQL templates and their
//! literals, and the write of one date's partition into the session the date's jobs share.

use arrow::record_batch::RecordBatch;
use chrono::NaiveDate;
use chrono_tz::Tz;
use datafusion::prelude::SessionContext;
use paylake_catalog::delta::replace_date_partition;
use paylake_catalog::{registry, Lake, TableDef, Zone};

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

    /// Fills the `{business_date}` and `{timezone}` parameters of a SQL template. Both come
    /// from typed values, never from free text, so they cannot break out of their literals.
    pub fn render(&self, template: &str) -> String {
        fill_placeholders(
            template,
            &[
                ("business_date", self.date.format("%Y-%m-%d").to_string()),
                ("timezone", self.timezone.name().to_string()),
            ],
        )
    }
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

/// Replaces each `{name}` of a SQL template with its value. Values come from typed settings
/// (numbers, dates, zone names, codes checked when read), never from free text.
pub fn fill_placeholders<N: AsRef<str>>(template: &str, values: &[(N, String)]) -> String {
    values
        .iter()
        .fold(template.to_string(), |sql, (name, value)| {
            sql.replace(&format!("{{{}}}", name.as_ref()), value)
        })
}

/// The first `{name}` a filled template still holds: a parameter its settings lack.
pub fn unfilled_placeholder(sql: &str) -> Option<String> {
    let start = sql.find('{')?;
    let end = sql[start..]
        .find('}')
        .map_or(sql.len(), |offset| start + offset + 1);
    Some(sql[start..end].to_string())
}

/// A text as a SQL literal, its quotes doubled.
pub fn sql_text(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

/// A list of texts as SQL literals for `IN (...)`; `NULL` for an empty list, so that the
/// condition matches nothing rather than failing to parse.
pub fn sql_text_list<S: AsRef<str>>(values: &[S]) -> String {
    if values.is_empty() {
        return "NULL".to_string();
    }
    values
        .iter()
        .map(|value| sql_text(value.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
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

/// Runs a SQL template for a business day.
pub async fn query(
    context: &SessionContext,
    day: &BusinessDay,
    template: &str,
) -> Result<Vec<RecordBatch>> {
    Ok(context.sql(&day.render(template)).await?.collect().await?)
}

/// Runs a date's SQL and replaces the date's partition of `gold.<table>` with its rows, which it
/// returns.
pub async fn rebuild_date(
    lake: &Lake,
    context: &SessionContext,
    day: &BusinessDay,
    table: &str,
    template: &str,
) -> Result<Vec<RecordBatch>> {
    let batches = query(context, day, template).await?;
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
    fn placeholders_fill_and_leftovers_are_named() {
        let sql = fill_placeholders("x > {low} AND y IN ({codes})", &[("low", "5".into())]);
        assert_eq!(sql, "x > 5 AND y IN ({codes})");
        assert_eq!(unfilled_placeholder(&sql).as_deref(), Some("{codes}"));
        assert_eq!(sql_text_list(&["KP", "O'X"]), "'KP', 'O''X'");
        assert_eq!(sql_text_list::<&str>(&[]), "NULL");
    }

    #[test]
    fn templates_receive_the_date_and_zone_and_bad_zones_are_refused() {
        let day = BusinessDay::new(
            NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(),
            "Europe/London",
        )
        .unwrap();
        assert_eq!(
            day.render("DATE '{business_date}' AT TIME ZONE '{timezone}'"),
            "DATE '2026-03-02' AT TIME ZONE 'Europe/London'"
        );
        assert_eq!(day_number(day.date), 20_514);
        assert_eq!(date_of_day(day_number(day.date)), day.date);
        let err = BusinessDay::new(day.date, "Mars/Olympus").unwrap_err();
        assert!(err.to_string().contains("Mars/Olympus"));
    }
}
