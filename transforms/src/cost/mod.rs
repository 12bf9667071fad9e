//! Cost datasets for finance from `silver.cost_line_items` (FOCUS columns; FOCUS exports and
//! legacy CUR both arrive there): daily cost by account, service and channel, cost by tag,
//! allocation to payment channels and the cost of a settled payment, anomalies, and budgets.

pub mod budgets;
pub mod tags;

use chrono::Duration;
use datafusion::prelude::SessionContext;
use paylake_catalog::Lake;

use crate::error::Result;
use crate::finance_rules::{decimal_literal, FinanceRules};
use crate::job::{
    day_number, materialize, rebuild_date, replace_business_date, utc_midnight, BusinessDay,
    INSTANTS_SQL,
};
use paylake_catalog::sql::text_literal;

const COST_LINES_SQL: &str = "transforms/cost/cost_lines.sql";
const COST_DAILY_SQL: &str = "transforms/cost/cost_daily.sql";
const COST_BY_TAG_SQL: &str = "transforms/cost/cost_by_tag.sql";
const UNIT_ECONOMICS_SQL: &str = "transforms/cost/cost_unit_economics.sql";
const ANOMALIES_SQL: &str = "transforms/cost/cost_anomalies.sql";

/// The SQL files the cost jobs run, below `sql/`.
pub const SQL_FILES: [&str; 8] = [
    COST_LINES_SQL,
    INSTANTS_SQL,
    tags::TAGGED_LINES_SQL,
    COST_DAILY_SQL,
    COST_BY_TAG_SQL,
    UNIT_ECONOMICS_SQL,
    ANOMALIES_SQL,
    budgets::MONTH_TO_DATE_SQL,
];

/// What a date's cost jobs produced.
#[derive(Debug, Clone, Default)]
pub struct CostOutcome {
    pub daily_rows: u64,
    pub anomalies: u64,
    /// Budget alerts, `budget: alert`.
    pub budget_alerts: Vec<String>,
}

/// Builds the date's partitions of `gold.cost_daily`, `gold.cost_by_tag`,
/// `gold.cost_unit_economics`, `gold.cost_anomalies` and `gold.cost_budgets`.
pub async fn build_cost_datasets(
    lake: &Lake,
    context: &SessionContext,
    day: &BusinessDay,
    rules: &FinanceRules,
) -> Result<CostOutcome> {
    let anomalies_rules = &rules.cost.anomalies;
    let first_needed = (day.date - Duration::days(i64::from(anomalies_rules.baseline_days)))
        .min(budgets::month_start(day.date));
    let parameters = [
        ("from_day", day_number(first_needed).to_string()),
        ("to_day", day_number(day.date).to_string()),
        ("charges_from", utc_midnight(first_needed)),
        ("charges_before", utc_midnight(day.date + Duration::days(1))),
        ("day", day_number(day.date).to_string()),
        ("allocation_tag", text_literal(&rules.cost.allocation_tag)),
        ("baseline_days", anomalies_rules.baseline_days.to_string()),
        (
            "min_baseline_days",
            anomalies_rules.min_baseline_days.to_string(),
        ),
        (
            "min_impact_usd",
            decimal_literal(&anomalies_rules.min_impact_usd, 38, 12),
        ),
        (
            "min_impact_percent",
            decimal_literal(&anomalies_rules.min_impact_percent, 18, 8),
        ),
    ];
    let render = |path: &str| day.render(path, &parameters);
    materialize(context, "cost_lines", &render(COST_LINES_SQL)?).await?;
    tags::register_cost_tags(context).await?;

    let daily = rebuild_date(lake, context, day, "cost_daily", &render(COST_DAILY_SQL)?).await?;
    rebuild_date(lake, context, day, "cost_by_tag", &render(COST_BY_TAG_SQL)?).await?;
    rebuild_date(
        lake,
        context,
        day,
        "cost_unit_economics",
        &render(UNIT_ECONOMICS_SQL)?,
    )
    .await?;
    let anomalies = rebuild_date(
        lake,
        context,
        day,
        "cost_anomalies",
        &render(ANOMALIES_SQL)?,
    )
    .await?;

    let statuses = budgets::budget_statuses(context, day.date, &rules.cost.budgets).await?;
    let definition =
        paylake_catalog::registry().get(paylake_catalog::Zone::Gold, "cost_budgets")?;
    let batch = budgets::budgets_batch(day.date, &statuses)?;
    replace_business_date(lake, context, definition, day, vec![batch]).await?;

    let rows = |batches: &[arrow::record_batch::RecordBatch]| {
        batches.iter().map(|batch| batch.num_rows() as u64).sum()
    };
    let outcome = CostOutcome {
        daily_rows: rows(&daily),
        anomalies: rows(&anomalies),
        budget_alerts: statuses
            .iter()
            .flat_map(|status| {
                status
                    .alerts
                    .iter()
                    .map(move |alert| format!("{}: {alert}", status.name))
            })
            .collect(),
    };
    if outcome.anomalies > 0 || !outcome.budget_alerts.is_empty() {
        tracing::warn!(
            business_date = %day.date,
            anomalies = outcome.anomalies,
            budget_alerts = ?outcome.budget_alerts,
            "cost needs attention"
        );
    }
    Ok(outcome)
}
