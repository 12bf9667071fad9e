//! Alerts into cases: each alert of a business date joins its customer's open case, or opens
//! one. An alert already in a case is never taken twice, so rebuilding a date (stable alert ids)
//! changes no case, and a case keeps every alert a decision was about.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Duration, NaiveDate, Utc};
use datafusion::prelude::SessionContext;
use paylake_catalog::Lake;

use crate::cases::{replay, Case};
use crate::error::{DecisionsError, Result};
use crate::events::{append_derived, paylake_event, CaseEvent};
use crate::lifecycle::{ActionKind, CaseState};

/// The alerts of a date, by subject (`sql/decisions/intake_alerts.sql`).
pub const INTAKE_ALERTS_SQL: &str = "decisions/intake_alerts.sql";

/// Days after filing when continuing activity puts a case back in review (FinCEN asks for a
/// continuing SAR every 120 days; the review starts at 90 so the next one is on time).
pub const CONTINUING_REVIEW_DAYS: i64 = 90;

/// What the intake of a date did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct IntakeSummary {
    pub cases_opened: usize,
    pub alerts_added: usize,
    pub alerts_already_in_cases: usize,
    pub cases_to_continuing_review: usize,
}

/// One alert of the date.
#[derive(Debug, Clone)]
struct DateAlert {
    alert_id: String,
    subject_id: String,
    customer_id: Option<String>,
}

/// Takes the alerts of `business_date` (read through `context`) into cases.
pub async fn take_in_alerts(
    lake: &Lake,
    context: &SessionContext,
    business_date: NaiveDate,
) -> Result<IntakeSummary> {
    let alerts = date_alerts(context, business_date).await?;
    append_derived(lake, |events| intake_events(events, &alerts, business_date)).await
}

async fn date_alerts(context: &SessionContext, business_date: NaiveDate) -> Result<Vec<DateAlert>> {
    let sql = paylake_catalog::sql::render(
        INTAKE_ALERTS_SQL,
        &[("business_date", business_date.to_string())],
    )?;
    let batches = context.sql(&sql).await?.collect().await?;
    let mut alerts = Vec::new();
    for batch in &batches {
        // Text columns arrive as Utf8 or Utf8View, depending on the scan: read them as Utf8.
        let column = |name: &str| {
            batch
                .column_by_name(name)
                .and_then(|array| {
                    arrow::compute::cast(array, &arrow::datatypes::DataType::Utf8).ok()
                })
                .and_then(|array| {
                    array
                        .as_any()
                        .downcast_ref::<arrow::array::StringArray>()
                        .cloned()
                })
        };
        let (Some(alert_ids), Some(subject_ids), Some(customer_ids)) = (
            column("alert_id"),
            column("subject_id"),
            column("customer_id"),
        ) else {
            return Err(DecisionsError::Invalid {
                case_id: String::new(),
                field: "alert_id",
                reason: format!(
                    "{INTAKE_ALERTS_SQL} returns no alert_id, subject_id or customer_id column"
                ),
            });
        };
        for row in 0..batch.num_rows() {
            use arrow::array::Array;
            alerts.push(DateAlert {
                alert_id: alert_ids.value(row).to_string(),
                subject_id: subject_ids.value(row).to_string(),
                customer_id: customer_ids
                    .is_valid(row)
                    .then(|| customer_ids.value(row).to_string()),
            });
        }
    }
    Ok(alerts)
}

/// The events that take `alerts` into the cases of `events`.
fn intake_events(
    events: &[CaseEvent],
    alerts: &[DateAlert],
    business_date: NaiveDate,
) -> (Vec<CaseEvent>, IntakeSummary) {
    let cases = replay(events);
    let known_alerts: BTreeSet<&str> = cases
        .values()
        .flat_map(|case| case.alert_ids.iter().map(String::as_str))
        .collect();
    let mut summary = IntakeSummary::default();
    let mut new_by_subject: BTreeMap<&str, Vec<&DateAlert>> = BTreeMap::new();
    for alert in alerts {
        if known_alerts.contains(alert.alert_id.as_str()) {
            summary.alerts_already_in_cases += 1;
        } else {
            new_by_subject
                .entry(&alert.subject_id)
                .or_default()
                .push(alert);
        }
    }
    let now = Utc::now();
    let mut new_events = Vec::new();
    for (subject_id, subject_alerts) in new_by_subject {
        let alert_ids: Vec<String> = subject_alerts.iter().map(|a| a.alert_id.clone()).collect();
        let customer_id = subject_alerts[0].customer_id.clone();
        let open_case = cases
            .values()
            .filter(|case| case.subject_id == subject_id && case.state.is_open())
            .max_by_key(|case| case.opened_at);
        let event = match open_case {
            Some(case) => {
                summary.alerts_added += alert_ids.len();
                paylake_event(case, ActionKind::Attach, now)
            }
            None => {
                summary.cases_opened += 1;
                summary.alerts_added += alert_ids.len();
                let case_id = new_case_id(&cases, subject_id, business_date);
                opening_event(case_id, subject_id, customer_id, now)
            }
        };
        let mut event = event;
        event.alert_ids = alert_ids;
        event.detected_on = Some(business_date);
        new_events.push(event);
    }
    for case in cases.values() {
        if due_for_continuing_review(case, &new_events, business_date) {
            summary.cases_to_continuing_review += 1;
            let already = new_events
                .iter()
                .filter(|e| e.case_id == case.case_id)
                .count() as i64;
            let mut event = paylake_event(case, ActionKind::ContinuingReview, now);
            event.sequence += already;
            event.event_id = CaseEvent::id_for(&case.case_id, event.sequence);
            new_events.push(event);
        }
    }
    (new_events, summary)
}

/// A filed case goes back to review when alerts came after its filing and 90 days have passed.
fn due_for_continuing_review(
    case: &Case,
    new_events: &[CaseEvent],
    business_date: NaiveDate,
) -> bool {
    let Some(filed_at) = case.filed_at else {
        return false;
    };
    if case.state != CaseState::Filed {
        return false;
    }
    let filed_on = filed_at.date_naive();
    let later_activity = case.last_detected.is_some_and(|last| last > filed_on)
        || new_events.iter().any(|event| event.case_id == case.case_id);
    later_activity && business_date >= filed_on + Duration::days(CONTINUING_REVIEW_DAYS)
}

/// The event that opens a case: paylake's, from no state to `new`.
fn opening_event(
    case_id: String,
    subject_id: &str,
    customer_id: Option<String>,
    now: chrono::DateTime<Utc>,
) -> CaseEvent {
    // A case that does not exist yet, as its events will replay it before the first one.
    let before = Case::before_opening(case_id, subject_id.to_string(), customer_id, now);
    let mut event = paylake_event(&before, ActionKind::Open, now);
    event.from_state = None;
    event
}

/// `CASE-<subject>-<date>`, with a suffix when the subject's earlier case of that date is closed.
fn new_case_id(
    cases: &BTreeMap<String, Case>,
    subject_id: &str,
    business_date: NaiveDate,
) -> String {
    let base = format!("CASE-{subject_id}-{business_date}");
    let mut candidate = base.clone();
    let mut suffix = 2;
    while cases.contains_key(&candidate) {
        candidate = format!("{base}-{suffix}");
        suffix += 1;
    }
    candidate
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alert(id: &str, subject: &str) -> DateAlert {
        DateAlert {
            alert_id: id.to_string(),
            subject_id: subject.to_string(),
            customer_id: Some(subject.to_string()),
        }
    }

    fn date(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, day).unwrap()
    }

    #[test]
    fn later_alerts_join_the_open_case_and_known_alerts_are_not_taken_twice() {
        let (first, summary) = intake_events(&[], &[alert("A1", "C1"), alert("A2", "C1")], date(3));
        assert_eq!(summary.cases_opened, 1);
        assert_eq!(first.len(), 1);
        assert_eq!(first[0].case_id, "CASE-C1-2026-03-03");
        assert_eq!(first[0].alert_ids, ["A1", "A2"]);

        let (second, summary) =
            intake_events(&first, &[alert("A3", "C1"), alert("A1", "C1")], date(4));
        assert_eq!(summary.cases_opened, 0);
        assert_eq!(summary.alerts_already_in_cases, 1);
        assert_eq!(second.len(), 1);
        assert_eq!(second[0].action, ActionKind::Attach);
        assert_eq!(second[0].case_id, "CASE-C1-2026-03-03");
        assert_eq!(second[0].sequence, 2);

        let all: Vec<CaseEvent> = first.into_iter().chain(second).collect();
        let (again, summary) = intake_events(&all, &[alert("A3", "C1")], date(4));
        assert!(again.is_empty(), "a rebuilt date adds nothing");
        assert_eq!(summary.alerts_already_in_cases, 1);
        let cases = replay(&all);
        let case = &cases["CASE-C1-2026-03-03"];
        assert_eq!(case.alert_ids, ["A1", "A2", "A3"]);
        assert_eq!(case.first_detected, Some(date(3)));
        assert_eq!(case.last_detected, Some(date(4)));
    }

    #[test]
    fn a_closed_case_takes_no_alert_a_new_case_opens() {
        let (mut events, _) = intake_events(&[], &[alert("A1", "C1")], date(3));
        let cases = replay(&events);
        let mut close = paylake_event(&cases["CASE-C1-2026-03-03"], ActionKind::Close, Utc::now());
        close.actor = "ana".into();
        events.push(close);
        let (next, summary) = intake_events(&events, &[alert("A9", "C1")], date(3));
        assert_eq!(summary.cases_opened, 1);
        assert_eq!(next[0].case_id, "CASE-C1-2026-03-03-2");
    }
}
