//! The daily reconciliation: the staged match as of a business date into `gold.recon_matches`,
//! `gold.recon_breaks` and `gold.recon_summary`, with the breaks finance settled by hand
//! (`decisions.break_events`) shown as manual matches and write-offs.

use std::collections::BTreeMap;

use datafusion::prelude::SessionContext;
use paylake_catalog::Lake;

use super::three_way::{run_match, stage_parameters, MatchWindow};
use crate::error::Result;
use crate::finance_rules::FinanceRules;
use crate::job::{day_number, materialize, rebuild_date, BusinessDay};
use paylake_catalog::batches::count_values;
use paylake_catalog::sql::text_literal;

const BREAK_CANDIDATES_SQL: &str = "transforms/recon/break_candidates.sql";
const MATCHES_SQL: &str = "transforms/recon/recon_matches.sql";
const BREAKS_SQL: &str = "transforms/recon/recon_breaks.sql";
const SUMMARY_SQL: &str = "transforms/recon/recon_summary.sql";

/// The SQL files the reconciliation runs, below `sql/`: the match's inputs, pairing, stages and
/// their union, then the three gold tables.
pub fn sql_files() -> Vec<&'static str> {
    use super::three_way::{INPUT_QUERIES, OUTCOMES_SQL, PAIRING_QUERIES, STAGE_QUERIES};
    INPUT_QUERIES
        .iter()
        .chain(PAIRING_QUERIES.iter())
        .chain(STAGE_QUERIES.iter())
        .map(|(_, path)| *path)
        .chain([
            OUTCOMES_SQL,
            BREAK_CANDIDATES_SQL,
            "decisions/settled_breaks.sql",
            MATCHES_SQL,
            BREAKS_SQL,
            SUMMARY_SQL,
        ])
        .collect()
}

/// What a date's reconciliation found.
#[derive(Debug, Clone, Default)]
pub struct ReconOutcome {
    /// Outcome rows the match held: the date's matches, breaks and open items.
    pub outcomes: usize,
    pub matches: u64,
    /// Open breaks (timing_pending included) by category.
    pub breaks_by_category: BTreeMap<String, u64>,
}

impl ReconOutcome {
    pub fn breaks(&self) -> u64 {
        self.breaks_by_category.values().sum()
    }
}

/// Reconciles as of the end of `day` and replaces the date's partitions of the three gold
/// tables. Reads `gold.ledger_integrity` of the date, so it runs after the integrity checks.
pub async fn build_reconciliation(
    lake: &Lake,
    context: &SessionContext,
    day: &BusinessDay,
    rules: &FinanceRules,
) -> Result<ReconOutcome> {
    let window = MatchWindow::new(day_number(day.date), rules);
    let outcomes = run_match(context, rules, &window, day.timezone)
        .await?
        .outcomes;
    let mut parameters = stage_parameters(rules, &window);
    parameters.push((
        "write_off_after_days".into(),
        rules.breaks.write_off_after_days.to_string(),
    ));
    parameters.push(("rules_version".into(), text_literal(&rules.version)));
    parameters.push((
        "previous_date".into(),
        (day.date - chrono::Duration::days(1)).to_string(),
    ));
    let render = |path: &str| day.render(path, &parameters);
    // The breaks with the decisions that settled them, which both the matches (manual ones)
    // and the breaks read.
    materialize(context, "break_candidates", &render(BREAK_CANDIDATES_SQL)?).await?;
    let matches = rebuild_date(lake, context, day, "recon_matches", &render(MATCHES_SQL)?).await?;
    let breaks = rebuild_date(lake, context, day, "recon_breaks", &render(BREAKS_SQL)?).await?;
    rebuild_date(lake, context, day, "recon_summary", &render(SUMMARY_SQL)?).await?;
    let outcome = ReconOutcome {
        outcomes,
        matches: matches.iter().map(|batch| batch.num_rows() as u64).sum(),
        breaks_by_category: count_values(&breaks, "category")?,
    };
    tracing::info!(
        business_date = %day.date,
        matches = outcome.matches,
        breaks = outcome.breaks(),
        "reconciled"
    );
    Ok(outcome)
}
