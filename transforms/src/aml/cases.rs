//! What the alerts and hits of a date add up to: `gold.customer_risk` (every customer's risk
//! with each factor's points) and `gold.sar_candidates` (a customer's alerts grouped into one
//! case with a draft narrative). Both are SQL over gold and silver, rebuilt per date.

use paylake_catalog::{lake_session, registry, Lake, Zone};

use super::config::AmlRules;
use crate::error::Result;
use crate::job::{query, replace_business_date, BusinessDay};

const CUSTOMER_RISK_SQL: &str = include_str!("../../../sql/transforms/aml/customer_risk.sql");
const SAR_CANDIDATES_SQL: &str = include_str!("../../../sql/transforms/aml/sar_candidates.sql");

/// A SQL literal list of codes or names; `NULL` for an empty list so that `IN (NULL)` matches
/// nothing.
fn literal_list(values: &[String]) -> String {
    if values.is_empty() {
        return "NULL".to_string();
    }
    values
        .iter()
        .map(|value| format!("'{}'", value.replace('\'', "''")))
        .collect::<Vec<_>>()
        .join(", ")
}

fn fill(template: &str, values: &[(&str, String)]) -> String {
    values
        .iter()
        .fold(template.to_string(), |sql, (name, value)| {
            sql.replace(&format!("{{{name}}}"), value)
        })
}

/// Builds the date's customer risk and replaces its partition. Returns the number of customers.
/// Reads the date's alerts and sanctions hits, so it runs after them.
pub async fn build_customer_risk(lake: &Lake, day: &BusinessDay, rules: &AmlRules) -> Result<u64> {
    let risk = &rules.risk;
    let template = fill(
        CUSTOMER_RISK_SQL,
        &[
            (
                "call_for_action",
                literal_list(&rules.text_list("high_risk_jurisdiction", "call_for_action")),
            ),
            (
                "increased_monitoring",
                literal_list(&rules.text_list("high_risk_jurisdiction", "increased_monitoring")),
            ),
            (
                "high_risk_industries",
                literal_list(&risk.high_risk_industries),
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
    );
    build_from_sql(lake, day, "customer_risk", &template).await
}

/// Builds the date's SAR candidates from the alerts of the look-back period and replaces its
/// partition. Returns the number of cases.
pub async fn build_sar_candidates(lake: &Lake, day: &BusinessDay, rules: &AmlRules) -> Result<u64> {
    let sar = &rules.sar;
    let template = fill(
        SAR_CANDIDATES_SQL,
        &[
            ("lookback_days", sar.lookback_days.to_string()),
            ("min_max_score", sar.min_max_score.to_string()),
            ("min_distinct_rules", sar.min_distinct_rules.to_string()),
        ],
    );
    build_from_sql(lake, day, "sar_candidates", &template).await
}

/// Runs a date's SQL and replaces the date's partition of `gold.<table>` with its rows.
async fn build_from_sql(
    lake: &Lake,
    day: &BusinessDay,
    table: &str,
    template: &str,
) -> Result<u64> {
    let context = lake_session(lake).await?;
    let batches = query(&context, day, template).await?;
    let definition = registry().get(Zone::Gold, table)?;
    let rows = replace_business_date(lake, definition, day, batches).await?;
    tracing::info!(business_date = %day.date, rows, table, "gold table built");
    Ok(rows)
}
