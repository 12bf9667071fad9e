//! `gold.cost_budgets`: each budget of `finance-rules.toml` on a date, with its month-to-date
//! cost, the month-end forecast at the month's daily run rate, and the alerts AWS Budgets would
//! send (ACTUAL and FORECASTED at each threshold).

use std::sync::Arc;

use arrow::array::{
    ArrayRef, AsArray, Date32Array, Decimal128Array, ListBuilder, StringArray, StringBuilder,
};
use arrow::datatypes::{DataType, Decimal128Type, Field};
use arrow::record_batch::RecordBatch;
use chrono::{Datelike, NaiveDate};
use datafusion::prelude::SessionContext;
use paylake_catalog::money::parse_decimal;
use paylake_catalog::registry::{COST_PRECISION, COST_SCALE};
use paylake_catalog::{registry, Zone};

use crate::error::Result;
use crate::finance_rules::Budget;
use crate::job::day_number;

/// Percentages carry two decimals.
const PERCENT_PRECISION: u8 = 18;
const PERCENT_SCALE: i8 = 2;

/// One budget's standing on a date; amounts at the cost scale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BudgetStatus {
    pub name: String,
    pub service: Option<String>,
    pub limit: i128,
    pub month_to_date: i128,
    pub forecast: i128,
    /// Hundredths of a percent of the limit.
    pub actual_percent: i128,
    pub forecast_percent: i128,
    pub alerts: Vec<String>,
}

/// The first day of the date's month.
pub fn month_start(date: NaiveDate) -> NaiveDate {
    date.with_day(1).expect("every month has a first day")
}

fn days_in_month(date: NaiveDate) -> i64 {
    let next = if date.month() == 12 {
        NaiveDate::from_ymd_opt(date.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(date.year(), date.month() + 1, 1)
    }
    .expect("the next month starts on a valid date");
    (next - month_start(date)).num_days()
}

/// The month's cost so far by service, below `sql/`.
pub const MONTH_TO_DATE_SQL: &str = "transforms/cost/month_to_date.sql";

/// Standing of every budget on `date`, from `cost_lines`.
pub async fn budget_statuses(
    context: &SessionContext,
    date: NaiveDate,
    budgets: &[Budget],
) -> Result<Vec<BudgetStatus>> {
    let sql = paylake_catalog::sql::render(
        MONTH_TO_DATE_SQL,
        &[
            ("month_start_day", day_number(month_start(date)).to_string()),
            ("day", day_number(date).to_string()),
        ],
    )?;
    let mut by_service: Vec<(Option<String>, i128)> = Vec::new();
    for batch in context.sql(&sql).await?.collect().await? {
        let services = arrow::compute::cast(batch.column(0), &DataType::Utf8)?;
        let costs = batch.column(1).as_primitive::<Decimal128Type>();
        for (service, cost) in services.as_string::<i32>().iter().zip(costs.iter()) {
            by_service.push((service.map(str::to_string), cost.unwrap_or(0)));
        }
    }
    let elapsed = i128::from(date.day());
    let total_days = i128::from(days_in_month(date));
    budgets
        .iter()
        .map(|budget| {
            let month_to_date: i128 = by_service
                .iter()
                .filter(|(service, _)| {
                    budget.service.is_none() || service.as_deref() == budget.service.as_deref()
                })
                .map(|(_, cost)| cost)
                .sum();
            let forecast = month_to_date * total_days / elapsed;
            let limit = parse_decimal(&budget.monthly_limit_usd, COST_SCALE as u32)
                .expect("budget limits are checked when the rules are read");
            let percent_of_limit = |amount: i128| {
                if limit == 0 {
                    0
                } else {
                    amount * 10_i128.pow(PERCENT_SCALE as u32) * 100 / limit
                }
            };
            let (actual_percent, forecast_percent) =
                (percent_of_limit(month_to_date), percent_of_limit(forecast));
            let mut alerts = Vec::new();
            for threshold in &budget.alert_thresholds_percent {
                let threshold_hundredths = i128::from(*threshold) * 100;
                if actual_percent >= threshold_hundredths {
                    alerts.push(format!("ACTUAL {threshold}%"));
                } else if forecast_percent >= threshold_hundredths {
                    alerts.push(format!("FORECASTED {threshold}%"));
                }
            }
            Ok(BudgetStatus {
                name: budget.name.clone(),
                service: budget.service.clone(),
                limit,
                month_to_date,
                forecast,
                actual_percent,
                forecast_percent,
                alerts,
            })
        })
        .collect()
}

/// The rows of `gold.cost_budgets` for a date.
pub fn budgets_batch(date: NaiveDate, statuses: &[BudgetStatus]) -> Result<RecordBatch> {
    let schema = registry().get(Zone::Gold, "cost_budgets")?.schema.clone();
    let decimals = |values: Vec<i128>, precision: u8, scale: i8| -> Result<ArrayRef> {
        Ok(Arc::new(
            Decimal128Array::from(values).with_precision_and_scale(precision, scale)?,
        ))
    };
    let mut alerts = ListBuilder::new(StringBuilder::new()).with_field(Arc::new(Field::new(
        "element",
        DataType::Utf8,
        true,
    )));
    for status in statuses {
        for alert in &status.alerts {
            alerts.values().append_value(alert);
        }
        alerts.append(true);
    }
    let texts = |values: Vec<Option<String>>| -> ArrayRef { Arc::new(StringArray::from(values)) };
    let columns: Vec<ArrayRef> = vec![
        texts(statuses.iter().map(|s| Some(s.name.clone())).collect()),
        texts(statuses.iter().map(|s| s.service.clone()).collect()),
        decimals(
            statuses.iter().map(|s| s.limit).collect(),
            COST_PRECISION,
            COST_SCALE,
        )?,
        decimals(
            statuses.iter().map(|s| s.month_to_date).collect(),
            COST_PRECISION,
            COST_SCALE,
        )?,
        decimals(
            statuses.iter().map(|s| s.forecast).collect(),
            COST_PRECISION,
            COST_SCALE,
        )?,
        decimals(
            statuses.iter().map(|s| s.actual_percent).collect(),
            PERCENT_PRECISION,
            PERCENT_SCALE,
        )?,
        decimals(
            statuses.iter().map(|s| s.forecast_percent).collect(),
            PERCENT_PRECISION,
            PERCENT_SCALE,
        )?,
        Arc::new(alerts.finish()),
        Arc::new(Date32Array::from(vec![
            i32::try_from(day_number(date))
                .expect("dates fit in Date32");
            statuses.len()
        ])),
    ];
    let batch = RecordBatch::try_new(schema, columns)?;
    Ok(batch)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_have_their_lengths() {
        let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(days_in_month(date(2026, 2, 10)), 28);
        assert_eq!(days_in_month(date(2024, 2, 29)), 29);
        assert_eq!(days_in_month(date(2026, 12, 31)), 31);
        assert_eq!(month_start(date(2026, 3, 8)), date(2026, 3, 1));
    }
}
