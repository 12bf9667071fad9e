//! What every job shares: the business day it runs for, SQL templates, and the write of one
//! date's partition.

use arrow::record_batch::RecordBatch;
use chrono::NaiveDate;
use chrono_tz::Tz;
use datafusion::prelude::{col, lit, SessionContext};
use datafusion::scalar::ScalarValue;
use paylake_catalog::delta::{conform_to_schema, open_or_create_table, replace_where};
use paylake_catalog::{Lake, TableDef};

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
        template
            .replace("{business_date}", &self.date.format("%Y-%m-%d").to_string())
            .replace("{timezone}", self.timezone.name())
    }

    fn days_since_epoch(&self) -> i32 {
        let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("the epoch is a date");
        i32::try_from((self.date - epoch).num_days()).expect("business dates fit in i32 days")
    }
}

/// Runs a SQL template for a business day.
pub async fn query(
    context: &SessionContext,
    day: &BusinessDay,
    template: &str,
) -> Result<Vec<RecordBatch>> {
    Ok(context.sql(&day.render(template)).await?.collect().await?)
}

/// Replaces the business date's partition of a gold table with `batches`.
pub async fn replace_business_date(
    lake: &Lake,
    table: &TableDef,
    day: &BusinessDay,
    batches: Vec<RecordBatch>,
) -> Result<u64> {
    debug_assert!(table.partition_by == ["business_date"]);
    let mut conformed = batches
        .iter()
        .map(|batch| conform_to_schema(batch, &table.schema))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    if conformed.is_empty() {
        // An empty date still replaces what an earlier run wrote.
        conformed.push(RecordBatch::new_empty(table.schema.clone()));
    }
    let rows = conformed.iter().map(|batch| batch.num_rows() as u64).sum();
    let delta_table = open_or_create_table(lake, table).await?;
    let predicate = col("business_date").eq(lit(ScalarValue::Date32(Some(day.days_since_epoch()))));
    replace_where(delta_table, table, conformed, predicate).await?;
    Ok(rows)
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
        assert_eq!(
            day.render("DATE '{business_date}' AT TIME ZONE '{timezone}'"),
            "DATE '2026-03-02' AT TIME ZONE 'Europe/London'"
        );
        assert_eq!(day.days_since_epoch(), 20_514);
        let err = BusinessDay::new(day.date, "Mars/Olympus").unwrap_err();
        assert!(err.to_string().contains("Mars/Olympus"));
    }
}
