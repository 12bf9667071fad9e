//! `ledger_integrity`: journal and bank statement balances. Its check `ledger_balanced`
//! withholds the date's reconciliation and its page while a journal does not balance.

use futures::future::BoxFuture;
use paylake_transforms::job::INSTANTS_SQL;
use paylake_transforms::recon::integrity::{build_ledger_integrity, LEDGER_INTEGRITY_SQL};

use super::{assets, DateCheck, DateContext, DateStep, Step, StepKind, StepOutput};
use crate::assets::checks::ledger_balanced;
use crate::error::Result;

pub fn step() -> Step {
    Step {
        name: "ledger_integrity",
        description: "journal and bank statement balances",
        writes: assets(&["gold.ledger_integrity"]),
        reads: assets(&[
            "silver.ledger_entries",
            "silver.bank_statement_entries",
            "silver.bank_statement_balances",
        ]),
        sql: vec![LEDGER_INTEGRITY_SQL, INSTANTS_SQL],
        rules: Vec::new(),
        kind: StepKind::Date(DateStep::new(run).checked_by(DateCheck {
            gates: &["reconciliation", "recon_report"],
            run: |context, date| Box::pin(ledger_balanced(context, date)),
        })),
    }
}

fn run<'a>(date: &'a DateContext<'_>) -> BoxFuture<'a, Result<StepOutput>> {
    Box::pin(async move {
        let integrity = build_ledger_integrity(date.lake, date.context, &date.day()?).await?;
        Ok(StepOutput::summary(format!(
            "{} integrity checks ({} violated)",
            integrity.checks, integrity.violations
        )))
    })
}
