//! The staged three-way match: internal payments ↔ the processor's settlement lines ↔ the bank's
//! statement credits, as of the end of a business date.
//!
//! The match first registers its inputs (`recon_ledger`, `recon_processor`, `recon_payouts`,
//! `recon_bank`, `recon_rates`) over the reconciliation's horizon, each seen as of the date, and
//! the lines that repeat a payment's line (`recon_repeated_lines`), then runs
//! the stages of `payments.sql` and `payouts.sql` into one table of outcomes, `recon_outcomes`. The stage SQL is engine-neutral: the benchmark runs the same files on DuckDB.
//! The input SQL uses two day functions, `local_day(instant)` and `date_day(date)`, that each
//! engine expands into its own dialect.

use chrono_tz::Tz;
use datafusion::prelude::SessionContext;

use crate::error::{Result, TransformError};
use crate::finance_rules::{decimal_literal, FinanceRules};
use crate::job::{creation_bounds, date_of_day, materialize, register_view, utc_midnight};
use paylake_catalog::sql;
use paylake_catalog::CatalogError;

/// The inputs of the match, in the order they are built: (table, SQL file).
pub const INPUT_QUERIES: [(&str, &str); 5] = [
    ("recon_ledger", "transforms/recon/ledger_items.sql"),
    ("recon_processor", "transforms/recon/processor_items.sql"),
    ("recon_payouts", "transforms/recon/payout_items.sql"),
    ("recon_bank", "transforms/recon/bank_items.sql"),
    ("recon_rates", "transforms/recon/rate_items.sql"),
];

/// Inputs read in place rather than held: the two large ones, each read by a few scans.
pub const INPUT_VIEWS: [&str; 2] = ["recon_ledger", "recon_processor"];

/// Built after the inputs and read by the payment stage: the settlement lines that repeat a
/// payment's line, few, held in memory: (table, SQL file).
pub const PAIRING_QUERIES: [(&str, &str); 1] = [(
    "recon_repeated_lines",
    "transforms/recon/repeated_lines.sql",
)];

/// The stages, each producing outcome rows: (name, SQL file), united by `outcomes.sql`.
pub const STAGE_QUERIES: [(&str, &str); 2] = [
    ("payments", "transforms/recon/payments.sql"),
    ("payouts", "transforms/recon/payouts.sql"),
];

/// Where the outcomes of every stage are registered.
pub const OUTCOMES_TABLE: &str = "recon_outcomes";

/// The window of one match run: the day numbers it sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MatchWindow {
    /// The run sees what existed at the end of this day.
    pub as_of_day: i64,
    /// The first day whose items it considers.
    pub from_day: i64,
}

impl MatchWindow {
    pub fn new(as_of_day: i64, rules: &FinanceRules) -> Self {
        MatchWindow {
            as_of_day,
            from_day: as_of_day - rules.horizon_days(),
        }
    }
}

/// Every parameter the stage SQL takes, from the rules and the window.
pub fn stage_parameters(rules: &FinanceRules, window: &MatchWindow) -> Vec<(String, String)> {
    let rule = |value: &str| decimal_literal(value, 18, 8);
    let settlement = &rules.settlement;
    let fees = &rules.fees;
    [
        ("as_of_day", window.as_of_day.to_string()),
        ("from_day", window.from_day.to_string()),
        (
            "settlement_lag_days",
            settlement.expected_lag_days.to_string(),
        ),
        ("settlement_window_days", settlement.window_days.to_string()),
        (
            "amount_tolerance_absolute",
            rule(&settlement.amount_tolerance_absolute),
        ),
        (
            "amount_tolerance_percent",
            rule(&settlement.amount_tolerance_percent),
        ),
        (
            "fx_tolerance_percent",
            rule(&settlement.fx_tolerance_percent),
        ),
        ("interchange_bps", rule(&fees.interchange_bps)),
        ("scheme_fee_bps", rule(&fees.scheme_fee_bps)),
        ("markup_bps", rule(&fees.markup_bps)),
        ("commission", rule(&fees.commission)),
        ("fee_tolerance", rule(&fees.tolerance)),
        (
            "payout_lag_days",
            rules.payout.expected_lag_days.to_string(),
        ),
        ("payout_window_days", rules.payout.window_days.to_string()),
        (
            "payout_amount_tolerance_absolute",
            rule(&rules.payout.amount_tolerance_absolute),
        ),
        (
            "batch_lines_from",
            utc_midnight(
                date_of_day(window.from_day)
                    - chrono::Duration::days(i64::from(rules.payout.longest_batch_days) + 1),
            ),
        ),
    ]
    .into_iter()
    .map(|(name, value)| (name.to_string(), value))
    .chain(creation_bounds(
        date_of_day(window.from_day),
        date_of_day(window.as_of_day),
    ))
    .collect()
}

/// Expands the day functions of the input SQL for DataFusion: the day number (days since
/// 1970-01-01) of an instant's local date in `timezone`, and of a date; and the UTC instant
/// literals.
pub fn expand_day_functions(sql: &str, timezone: Tz) -> String {
    let local_day =
        regex::Regex::new(r"local_day\(([A-Za-z_][A-Za-z0-9_.]*)\)").expect("a valid pattern");
    let date_day =
        regex::Regex::new(r"date_day\(([A-Za-z_][A-Za-z0-9_.]*)\)").expect("a valid pattern");
    let with_local = local_day.replace_all(
        sql,
        format!(
            "CAST(CAST(CAST(to_local_time($1 AT TIME ZONE '{}') AS DATE) AS INT) AS BIGINT)",
            timezone.name()
        )
        .as_str(),
    );
    let with_dates = date_day.replace_all(&with_local, "CAST(CAST($1 AS INT) AS BIGINT)");
    let utc_instant = regex::Regex::new(r"utc_instant\('([^']*)'\)").expect("a valid pattern");
    utc_instant
        .replace_all(
            &with_dates,
            r#"arrow_cast('$1', 'Timestamp(Microsecond, Some("UTC"))')"#,
        )
        .into_owned()
}

/// Renders a stage's file; a parameter it needs that the rules lack is named.
pub fn render_stage(name: &str, path: &str, parameters: &[(String, String)]) -> Result<String> {
    sql::render(path, parameters).map_err(|error| match error {
        CatalogError::SqlTemplate { file, reason } => TransformError::FinanceRules {
            origin: format!("reconciliation stage {name} (sql/{file})"),
            reason,
        },
        other => other.into(),
    })
}

/// The stages' union, keeping what the date's gold tables read (`outcomes.sql`).
pub fn outcomes_sql(parameters: &[(String, String)]) -> Result<String> {
    render_stage("outcomes", OUTCOMES_SQL, parameters)
}

/// The file that unites the stages.
pub const OUTCOMES_SQL: &str = "transforms/recon/outcomes.sql";

/// Materialises the inputs as of the window's last day, runs every stage, and registers the
/// outcomes as [`OUTCOMES_TABLE`]. `context` must see the silver tables.
pub async fn run_match(
    context: &SessionContext,
    rules: &FinanceRules,
    window: &MatchWindow,
    timezone: Tz,
) -> Result<MatchRun> {
    let parameters = stage_parameters(rules, window);
    let mut steps = Vec::new();
    for (table, path) in INPUT_QUERIES {
        let started = std::time::Instant::now();
        let sql = expand_day_functions(&render_stage(table, path, &parameters)?, timezone);
        if INPUT_VIEWS.contains(&table) {
            register_view(context, table, &sql).await?;
        } else {
            materialize(context, table, &sql).await?;
        }
        steps.push((table, started.elapsed()));
    }
    for (table, path) in PAIRING_QUERIES {
        let started = std::time::Instant::now();
        materialize(context, table, &render_stage(table, path, &parameters)?).await?;
        steps.push((table, started.elapsed()));
    }
    let started = std::time::Instant::now();
    let outcomes = materialize(context, OUTCOMES_TABLE, &outcomes_sql(&parameters)?).await?;
    steps.push((OUTCOMES_TABLE, started.elapsed()));
    Ok(MatchRun { outcomes, steps })
}

/// What a match run did: its outcome rows, and the time of each table it built, in order.
#[derive(Debug)]
pub struct MatchRun {
    pub outcomes: usize,
    pub steps: Vec<(&'static str, std::time::Duration)>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_functions_expand_and_every_stage_parameter_is_set() {
        let expanded = expand_day_functions(
            "SELECT local_day(p.created_at), date_day(booking_date), utc_instant('2026-03-01T00:00:00Z')",
            chrono_tz::Europe::London,
        );
        assert!(expanded.contains("to_local_time(p.created_at AT TIME ZONE 'Europe/London')"));
        assert!(expanded.contains("CAST(CAST(booking_date AS INT) AS BIGINT)"));
        assert!(expanded.contains(
            r#"arrow_cast('2026-03-01T00:00:00Z', 'Timestamp(Microsecond, Some("UTC"))')"#
        ));
        let rules = FinanceRules::defaults();
        let parameters = stage_parameters(&rules, &MatchWindow::new(20_500, &rules));
        for (name, path) in INPUT_QUERIES
            .iter()
            .chain(PAIRING_QUERIES.iter())
            .chain(STAGE_QUERIES.iter())
        {
            render_stage(name, path, &parameters).unwrap();
        }
        let outcomes = outcomes_sql(&parameters).unwrap();
        assert!(
            outcomes.trim_end().ends_with("event_day = 20500"),
            "{outcomes}"
        );
        assert!(outcomes.contains("UNION ALL") && outcomes.contains("recon_repeated_lines"));
        let error = render_stage("payments", STAGE_QUERIES[0].1, &[]).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("sql/transforms/recon/payments.sql"),
            "{error}"
        );
    }

    /// The ledger's items read only payments created or changed inside the horizon, and a
    /// payment created long before it but refunded inside it still expects its Refunded line.
    #[tokio::test]
    async fn the_ledger_items_bound_creation_but_keep_old_payments_changed_inside_the_horizon() {
        let context = SessionContext::new();
        context.sql("CREATE SCHEMA silver").await.unwrap();
        let utc =
            |text: &str| format!("arrow_cast('{text}', 'Timestamp(Microsecond, Some(\"UTC\"))')");
        let payment = |id: &str, status: &str, created: &str, updated: &str| {
            format!(
                "('{id}', 'USD', CAST('10.00' AS DECIMAL(18, 2)), 'card', '{status}', {}, {})",
                utc(created),
                utc(updated)
            )
        };
        let rows = [
            // Created 60 days before the as-of date, refunded on it.
            payment(
                "P1",
                "refunded",
                "2026-05-01T12:00:00Z",
                "2026-06-30T12:00:00Z",
            ),
            // Created and settled 60 days before: outside the horizon.
            payment(
                "P2",
                "settled",
                "2026-05-01T12:00:00Z",
                "2026-05-02T12:00:00Z",
            ),
            // Captured on the as-of date.
            payment(
                "P3",
                "captured",
                "2026-06-30T09:00:00Z",
                "2026-06-30T09:00:00Z",
            ),
            // Captured after it.
            payment(
                "P4",
                "captured",
                "2026-07-04T09:00:00Z",
                "2026-07-04T09:00:00Z",
            ),
        ];
        context
            .sql(&format!(
                "CREATE TABLE silver.payments AS SELECT * FROM (VALUES {}) \
                 AS p(payment_id, currency, amount, channel, status, created_at, updated_at)",
                rows.join(", ")
            ))
            .await
            .unwrap()
            .collect()
            .await
            .unwrap();
        let rules = FinanceRules::defaults();
        let as_of = chrono::NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
        let window = MatchWindow::new(crate::job::day_number(as_of), &rules);
        let parameters = stage_parameters(&rules, &window);
        let sql = expand_day_functions(
            &render_stage("recon_ledger", INPUT_QUERIES[0].1, &parameters).unwrap(),
            chrono_tz::UTC,
        );
        let batches = context
            .sql(&format!(
                "SELECT payment_id || ' ' || record_type FROM ({sql}) ORDER BY 1"
            ))
            .await
            .unwrap()
            .collect()
            .await
            .unwrap();
        let items: Vec<String> = batches
            .iter()
            .flat_map(|batch| {
                let text = paylake_catalog::batches::as_text(batch.column(0)).unwrap();
                (0..arrow::array::Array::len(&text)).map(move |row| text.value(row).to_string())
            })
            .collect();
        assert_eq!(items, ["P1 Refunded", "P3 Settled"]);
    }
}
