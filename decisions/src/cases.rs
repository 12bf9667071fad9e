//! A case as its events leave it: replayed, never stored, so the state an examiner reads is the
//! one the events prove.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;

use crate::events::CaseEvent;
use crate::lifecycle::{ActionKind, CaseState, SarDecision};

/// The current state of one case.
#[derive(Debug, Clone, Serialize)]
pub struct Case {
    pub case_id: String,
    pub subject_id: String,
    pub customer_id: Option<String>,
    pub state: CaseState,
    /// The sequence of its last event: an action on the case appends the next one.
    pub last_sequence: i64,
    pub assignee: Option<String>,
    pub alert_ids: Vec<String>,
    /// The business date of its first alert: the SAR deadline runs from here.
    pub first_detected: Option<NaiveDate>,
    pub last_detected: Option<NaiveDate>,
    pub opened_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// How it closed (`false_positive`, `not_suspicious`, or `no_file` once approved).
    pub close_outcome: Option<String>,
    /// The pending or approved SAR decision, with who made it.
    pub decision: Option<SarDecision>,
    pub decided_by: Option<String>,
    pub narrative: Option<String>,
    pub approved_by: Option<String>,
    pub export_id: Option<String>,
    pub bsa_id: Option<String>,
    pub filed_at: Option<DateTime<Utc>>,
}

impl Case {
    /// The last day a SAR on this case is on time: `sar_days` after its first detection.
    pub fn sar_due(&self, sar_days: i64) -> Option<NaiveDate> {
        self.first_detected
            .map(|detected| detected + Duration::days(sar_days))
    }

    fn apply(&mut self, event: &CaseEvent) {
        debug_assert_eq!(event.sequence, self.last_sequence + 1, "events in order");
        self.last_sequence = event.sequence;
        self.state = event.to_state;
        self.updated_at = event.event_time;
        for alert_id in &event.alert_ids {
            if !self.alert_ids.contains(alert_id) {
                self.alert_ids.push(alert_id.clone());
            }
        }
        if let Some(detected) = event.detected_on {
            self.first_detected = Some(self.first_detected.map_or(detected, |d| d.min(detected)));
            self.last_detected = Some(self.last_detected.map_or(detected, |d| d.max(detected)));
        }
        match event.action {
            ActionKind::Assign => self.assignee = event.assignee.clone(),
            ActionKind::Close => self.close_outcome = event.outcome.clone(),
            ActionKind::Decide => {
                self.decision = event.outcome.as_deref().and_then(|text| text.parse().ok());
                self.decided_by = Some(event.actor.clone());
                self.narrative = event.narrative.clone();
                self.approved_by = None;
            }
            ActionKind::Approve => {
                self.approved_by = Some(event.actor.clone());
                if self.decision == Some(SarDecision::NoFile) {
                    self.close_outcome = Some(SarDecision::NoFile.as_str().to_string());
                }
            }
            ActionKind::Return => self.approved_by = None,
            ActionKind::File => {
                self.export_id = event.export_id.clone();
                self.filed_at = Some(event.event_time);
            }
            ActionKind::Acknowledge => self.bsa_id = event.bsa_id.clone(),
            ActionKind::Open
            | ActionKind::Attach
            | ActionKind::Start
            | ActionKind::Escalate
            | ActionKind::ContinuingReview => {}
        }
    }

    fn opened_by(event: &CaseEvent) -> Case {
        let mut case = Case::before_opening(
            event.case_id.clone(),
            event.subject_id.clone(),
            event.customer_id.clone(),
            event.event_time,
        );
        case.apply(event);
        case
    }

    /// A case as it stands before its first event: what that event is taken on.
    pub(crate) fn before_opening(
        case_id: String,
        subject_id: String,
        customer_id: Option<String>,
        time: DateTime<Utc>,
    ) -> Case {
        Case {
            case_id,
            subject_id,
            customer_id,
            state: CaseState::New,
            last_sequence: 0,
            assignee: None,
            alert_ids: Vec::new(),
            first_detected: None,
            last_detected: None,
            opened_at: time,
            updated_at: time,
            close_outcome: None,
            decision: None,
            decided_by: None,
            narrative: None,
            approved_by: None,
            export_id: None,
            bsa_id: None,
            filed_at: None,
        }
    }
}

/// Every case of `events` (in case and sequence order), by case id.
pub fn replay(events: &[CaseEvent]) -> BTreeMap<String, Case> {
    let mut cases: BTreeMap<String, Case> = BTreeMap::new();
    for event in events {
        match cases.get_mut(&event.case_id) {
            Some(case) => case.apply(event),
            None => {
                cases.insert(event.case_id.clone(), Case::opened_by(event));
            }
        }
    }
    cases
}

/// A case as a queue shows it: with its SAR deadline and the days left to it.
#[derive(Debug, Clone, Serialize)]
pub struct QueueRow {
    #[serde(flatten)]
    pub case: Case,
    pub sar_due: Option<NaiveDate>,
    /// Days left to the SAR deadline (negative when past it), while a person still owes work.
    pub days_to_due: Option<i64>,
    pub overdue: bool,
}

/// Every case of `events` as of `today`, the ones a person still owes work on first, most
/// urgent SAR deadline (`sar_days` after the first alert) first.
pub fn queue(events: &[CaseEvent], sar_days: i64, today: NaiveDate) -> Vec<QueueRow> {
    let mut rows: Vec<QueueRow> = replay(events)
        .into_values()
        .map(|case| {
            let sar_due = case.sar_due(sar_days);
            let days_to_due = sar_due
                .filter(|_| case.state.awaits_work())
                .map(|due| (due - today).num_days());
            QueueRow {
                overdue: days_to_due.is_some_and(|days| days < 0),
                sar_due,
                days_to_due,
                case,
            }
        })
        .collect();
    rows.sort_by(|left, right| {
        (
            !left.case.state.awaits_work(),
            left.sar_due,
            &left.case.case_id,
        )
            .cmp(&(
                !right.case.state.awaits_work(),
                right.sar_due,
                &right.case.case_id,
            ))
    });
    rows
}

/// The events of one case, in order.
pub fn history<'a>(events: &'a [CaseEvent], case_id: &str) -> Vec<&'a CaseEvent> {
    events
        .iter()
        .filter(|event| event.case_id == case_id)
        .collect()
}
