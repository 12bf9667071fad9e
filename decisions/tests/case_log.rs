//! The case log on a real Delta table: alerts taken into cases, a person's actions, and two
//! officers acting on one case at once.

use std::sync::Arc;

use arrow::array::{ArrayRef, Int64Array};
use chrono::NaiveDate;
use paylake_catalog::access::AccessSettings;
use paylake_catalog::delta::replace_date_partition;
use paylake_catalog::rows::{columns_batch, dates, string_lists, strings};
use paylake_catalog::{lake_session, registry, Lake, Zone};
use paylake_decisions::cases::replay;
use paylake_decisions::intake::take_in_alerts;
use paylake_decisions::{
    act, ActionRequest, Actor, CaseAction, CaseState, CloseOutcome, DecisionsError, EventLog,
};

fn date(day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, day).unwrap()
}

/// Writes `alerts` (alert id, customer id) as the gold.aml_alerts of `business_date`, then takes
/// them into cases.
async fn alerts_on(lake: &Lake, business_date: NaiveDate, alerts: &[(&str, &str)]) {
    let table = registry().get(Zone::Gold, "aml_alerts").unwrap();
    let text = |values: Vec<Option<&str>>| strings(values.into_iter());
    let rows = alerts.len();
    let no_lists: Vec<Vec<String>> = vec![Vec::new(); rows];
    let columns: Vec<ArrayRef> = vec![
        text(alerts.iter().map(|(id, _)| Some(*id)).collect()),
        text(vec![Some("structuring"); rows]),
        text(vec![Some("1"); rows]),
        text(vec![None; rows]),
        text(alerts.iter().map(|(_, customer)| Some(*customer)).collect()),
        text(vec![Some("A1"); rows]),
        Arc::new(Int64Array::from(vec![80; rows])),
        Arc::new(
            arrow::array::Decimal128Array::from(vec![1_000_000; rows])
                .with_precision_and_scale(18, 2)
                .unwrap(),
        ),
        string_lists(no_lists.iter()),
        string_lists(no_lists.iter()),
        text(vec![Some("deposits under the CTR threshold"); rows]),
        dates(std::iter::repeat_n(business_date, rows)),
    ];
    let batch = columns_batch(table, columns).unwrap();
    let context = lake_session(lake).await.unwrap();
    replace_date_partition(lake, &context, table, business_date, &[batch])
        .await
        .unwrap();
    take_in_alerts(lake, &context, business_date).await.unwrap();
}

fn actor(user: &str, role: &str) -> Actor {
    Actor {
        user: user.to_string(),
        role: role.to_string(),
    }
}

fn request(case_id: &str, expected: Option<CaseState>, action: CaseAction) -> ActionRequest {
    ActionRequest {
        case_id: case_id.to_string(),
        expected_state: expected,
        action,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn of_two_concurrent_actions_on_a_case_exactly_one_lands() {
    let dir = tempfile::tempdir().unwrap();
    let lake = Lake::open(dir.path().to_str().unwrap()).unwrap();
    let access = AccessSettings::defaults();
    alerts_on(&lake, date(2), &[("A1", "C1")]).await;
    let case_id = "CASE-C1-2026-03-02";
    act(
        &lake,
        &access,
        &actor("bo", "approver"),
        &request(
            case_id,
            None,
            CaseAction::Assign {
                assignee: "ines".into(),
            },
        ),
    )
    .await
    .unwrap();

    // Ines closes the case while Bo reassigns it, both from the state they saw.
    for round in 0..5 {
        let events_before = EventLog::load(&lake).await.unwrap().events.len();
        let state = replay(&EventLog::load(&lake).await.unwrap().events)[case_id].state;
        if state == CaseState::Closed {
            break;
        }
        let close = request(
            case_id,
            Some(state),
            CaseAction::Close {
                outcome: CloseOutcome::FalsePositive,
                rationale: format!("round {round}: payroll"),
            },
        );
        let reassign = request(
            case_id,
            Some(state),
            CaseAction::Assign {
                assignee: format!("li{round}"),
            },
        );
        let (ines, bo) = (actor("ines", "investigator"), actor("bo", "approver"));
        let (closed, reassigned) = tokio::join!(
            act(&lake, &access, &ines, &close),
            act(&lake, &access, &bo, &reassign)
        );
        let landed = [closed.is_ok(), reassigned.is_ok()];
        assert_eq!(
            landed.iter().filter(|ok| **ok).count(),
            1,
            "round {round}: {closed:?} {reassigned:?}"
        );
        let refusal = closed.err().or(reassigned.err()).unwrap();
        assert!(
            matches!(refusal, DecisionsError::Conflict { .. }),
            "the loser is told the case moved on: {refusal}"
        );
        assert!(refusal.to_string().contains(case_id), "{refusal}");
        let events = EventLog::load(&lake).await.unwrap().events;
        assert_eq!(events.len(), events_before + 1, "exactly one event landed");
        let sequences: Vec<i64> = events.iter().map(|event| event.sequence).collect();
        assert_eq!(sequences, (1..=events.len() as i64).collect::<Vec<_>>());
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn alerts_join_the_open_case_and_a_rebuilt_date_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let lake = Lake::open(dir.path().to_str().unwrap()).unwrap();
    let access = AccessSettings::defaults();
    alerts_on(&lake, date(2), &[("A1", "C1"), ("A2", "C2")]).await;
    alerts_on(&lake, date(3), &[("A3", "C1")]).await;
    // The same date again (a rebuild with stable alert ids): nothing new.
    let before = EventLog::load(&lake).await.unwrap().events;
    alerts_on(&lake, date(3), &[("A3", "C1")]).await;
    assert_eq!(EventLog::load(&lake).await.unwrap().events, before);

    let cases = replay(&before);
    assert_eq!(cases.len(), 2);
    let c1 = &cases["CASE-C1-2026-03-02"];
    assert_eq!(c1.alert_ids, ["A1", "A3"]);
    assert_eq!(c1.sar_due(30), Some(date(2) + chrono::Duration::days(30)));

    // Closed, the case takes no more alerts: the next one opens a new case.
    let investigator = actor("ines", "investigator");
    for action in [
        CaseAction::Assign {
            assignee: "ines".into(),
        },
        CaseAction::Close {
            outcome: CloseOutcome::NotSuspicious,
            rationale: "seasonal trade, invoices on file".into(),
        },
    ] {
        act(
            &lake,
            &access,
            &investigator,
            &request("CASE-C1-2026-03-02", None, action),
        )
        .await
        .unwrap();
    }
    alerts_on(&lake, date(4), &[("A4", "C1")]).await;
    let cases = replay(&EventLog::load(&lake).await.unwrap().events);
    assert_eq!(cases["CASE-C1-2026-03-02"].state, CaseState::Closed);
    assert_eq!(cases["CASE-C1-2026-03-02"].alert_ids, ["A1", "A3"]);
    assert_eq!(cases["CASE-C1-2026-03-04"].alert_ids, ["A4"]);
}
