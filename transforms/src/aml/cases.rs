//! What the alerts and hits of a date add up to: `gold.customer_risk` (every customer's risk
//! with each factor's points) and `gold.sar_candidates` (a customer's alerts grouped into one
//! case with a draft narrative). Both are SQL over gold and silver, rebuilt per date.

use datafusion::prelude::SessionContext;
use paylake_catalog::Lake;

use super::config::AmlRules;
use crate::error::Result;
use paylake_catalog::sql::text_literal_list;

use crate::job::{rebuild_date, BusinessDay};

/// The SQL file of customer risk, below `sql/`.
pub const CUSTOMER_RISK_SQL: &str = "transforms/aml/customer_risk.sql";
/// The SQL file of SAR candidates, below `sql/`.
pub const SAR_CANDIDATES_SQL: &str = "transforms/aml/sar_candidates.sql";

/// Builds the date's customer risk and replaces its partition. Returns the number of customers.
/// Reads the date's alerts and sanctions hits from `context`, so it runs after them.
pub async fn build_customer_risk(
    lake: &Lake,
    context: &SessionContext,
    day: &BusinessDay,
    rules: &AmlRules,
) -> Result<u64> {
    let risk = &rules.risk;
    let sql = day.render(
        CUSTOMER_RISK_SQL,
        &[
            (
                "call_for_action",
                text_literal_list(&rules.text_list("high_risk_jurisdiction", "call_for_action")),
            ),
            (
                "increased_monitoring",
                text_literal_list(
                    &rules.text_list("high_risk_jurisdiction", "increased_monitoring"),
                ),
            ),
            (
                "high_risk_industries",
                text_literal_list(&risk.high_risk_industries),
            ),
            (
                "call_for_action_country_points",
                risk.call_for_action_country_points.to_string(),
            ),
            (
                "increased_monitoring_country_points",
                risk.increased_monitoring_country_points.to_string(),
            ),
            (
                "high_risk_industry_points",
                risk.high_risk_industry_points.to_string(),
            ),
            ("pep_points", risk.pep_points.to_string()),
            ("points_per_alert", risk.points_per_alert.to_string()),
            ("max_alert_points", risk.max_alert_points.to_string()),
            ("alert_lookback_days", risk.alert_lookback_days.to_string()),
            (
                "sanctions_hit_points",
                risk.sanctions_hit_points.to_string(),
            ),
            ("medium_from", risk.medium_from.to_string()),
            ("high_from", risk.high_from.to_string()),
        ],
    )?;
    let batches = rebuild_date(lake, context, day, "customer_risk", &sql).await?;
    Ok(batches.iter().map(|batch| batch.num_rows() as u64).sum())
}

/// Builds the date's SAR candidates from the alerts of the look-back period and replaces its
/// partition. Returns the number of cases.
pub async fn build_sar_candidates(
    lake: &Lake,
    context: &SessionContext,
    day: &BusinessDay,
    rules: &AmlRules,
) -> Result<u64> {
    let sar = &rules.sar;
    let sql = day.render(
        SAR_CANDIDATES_SQL,
        &[
            ("lookback_days", sar.lookback_days.to_string()),
            ("min_max_score", sar.min_max_score.to_string()),
            ("min_distinct_rules", sar.min_distinct_rules.to_string()),
        ],
    )?;
    let batches = rebuild_date(lake, context, day, "sar_candidates", &sql).await?;
    Ok(batches.iter().map(|batch| batch.num_rows() as u64).sum())
}
