//! The decision logs on real Delta tables: alerts taken into cases, a person's actions, two
//! officers acting on one case at once, the case metrics, and finance's work on breaks.

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, Int64Array};
use chrono::NaiveDate;
use paylake_catalog::access::AccessSettings;
use paylake_catalog::delta::replace_date_partition;
use paylake_catalog::rows::{columns_batch, dates, string_lists, strings};
use paylake_catalog::{lake_session, registry, Lake, Zone};
use paylake_decisions::breaks::{act_on_break, BreakRequest, BreakState, BreakWork};
use paylake_decisions::cases::replay;
use paylake_decisions::intake::take_in_alerts;
use paylake_decisions::{
    act, ActionRequest, Actor, CaseAction, CaseState, CloseOutcome, DecisionsError, EventLog,
};

fn date(day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, day).unwrap()
}

/// Writes `alerts` (alert id, customer id) of the structuring rule as the gold.aml_alerts of
/// `business_date`, then takes them into cases.
async fn alerts_on(lake: &Lake, business_date: NaiveDate, alerts: &[(&str, &str)]) {
    let of_rule: Vec<(&str, &str, &str)> = alerts
        .iter()
        .map(|(alert, customer)| (*alert, *customer, "structuring"))
        .collect();
    rule_alerts_on(lake, business_date, &of_rule).await;
}

/// Writes `alerts` (alert id, customer id, rule) as the gold.aml_alerts of `business_date`, then
/// takes them into cases.
async fn rule_alerts_on(lake: &Lake, business_date: NaiveDate, alerts: &[(&str, &str, &str)]) {
    let table = registry().get(Zone::Gold, "aml_alerts").unwrap();
    let text = |values: Vec<Option<&str>>| strings(values.into_iter());
    let rows = alerts.len();
    let no_lists: Vec<Vec<String>> = vec![Vec::new(); rows];
    let columns: Vec<ArrayRef> = vec![
        text(alerts.iter().map(|(id, _, _)| Some(*id)).collect()),
        text(alerts.iter().map(|(_, _, rule)| Some(*rule)).collect()),
        text(vec![Some("1"); rows]),
        text(vec![Some(r#"{"score":70,"threshold_usd":8000}"#); rows]),
        text(
            alerts
                .iter()
                .map(|(_, customer, _)| Some(*customer))
                .collect(),
        ),
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
        text(vec![None; rows]),
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

/// One row of gold.case_metrics as text, by column.
async fn case_metrics_row(
    lake: &Lake,
    business_date: NaiveDate,
    rule: &str,
) -> std::collections::BTreeMap<String, String> {
    let context = lake_session(lake).await.unwrap();
    let batches = context
        .sql(&format!(
            "SELECT * FROM gold.case_metrics WHERE business_date = DATE '{business_date}' \
             AND rule_id = '{rule}'"
        ))
        .await
        .unwrap()
        .collect()
        .await
        .unwrap();
    let batch = batches.iter().find(|batch| batch.num_rows() > 0).unwrap();
    assert_eq!(batch.num_rows(), 1);
    batch
        .schema()
        .fields()
        .iter()
        .zip(batch.columns())
        .map(|(field, column)| {
            let value = if column.is_null(0) {
                "NULL".to_string()
            } else {
                arrow::util::display::array_value_to_string(column, 0).unwrap()
            };
            (field.name().clone(), value)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn case_metrics_count_each_rules_alerts_by_the_dispositions_of_their_cases() {
    use paylake_transforms::aml::case_metrics::build_case_metrics;
    use paylake_transforms::BusinessDay;

    let dir = tempfile::tempdir().unwrap();
    let lake = Lake::open(dir.path().to_str().unwrap()).unwrap();
    let access = AccessSettings::defaults();
    // C1 holds a structuring and a fan-out alert, C2 a structuring alert, C3 a fan-out alert.
    rule_alerts_on(
        &lake,
        date(2),
        &[
            ("A1", "C1", "structuring"),
            ("A2", "C2", "structuring"),
            ("A3", "C3", "fan_out"),
            ("A4", "C1", "fan_out"),
        ],
    )
    .await;
    let before_decisions = chrono::Utc::now();
    let investigator = actor("ines", "investigator");
    let approver = actor("omar", "approver");
    let steps: [(&Actor, &str, CaseAction); 6] = [
        (
            &investigator,
            "CASE-C1-2026-03-02",
            CaseAction::Close {
                outcome: CloseOutcome::FalsePositive,
                rationale: "monthly payroll runs".into(),
            },
        ),
        (
            &investigator,
            "CASE-C2-2026-03-02",
            CaseAction::Assign {
                assignee: "ines".into(),
            },
        ),
        (&investigator, "CASE-C2-2026-03-02", CaseAction::Start),
        (
            &investigator,
            "CASE-C2-2026-03-02",
            CaseAction::Escalate {
                rationale: "cash deposits kept under the threshold".into(),
            },
        ),
        (
            &investigator,
            "CASE-C2-2026-03-02",
            CaseAction::Decide {
                decision: paylake_decisions::SarDecision::File,
                text: "Between 2 and 6 March the customer deposited cash in nine amounts.".into(),
            },
        ),
        (
            &approver,
            "CASE-C2-2026-03-02",
            CaseAction::Approve { rationale: None },
        ),
    ];
    for (who, case_id, action) in steps {
        act(&lake, &access, who, &request(case_id, None, action))
            .await
            .unwrap();
    }

    let timezone = "America/New_York";
    let day = BusinessDay::new(date(2), timezone).unwrap();
    let context = lake_session(&lake).await.unwrap();
    // As the log stood before anyone decided: alerts in cases, nothing dispositioned.
    build_case_metrics(&lake, &context, &day, 30, before_decisions)
        .await
        .unwrap();
    let structuring = case_metrics_row(&lake, date(2), "structuring").await;
    assert_eq!(structuring["alerts"], "2");
    assert_eq!(structuring["cases"], "2");
    assert_eq!(structuring["cases_opened"], "2");
    assert_eq!(structuring["dispositioned"], "0");
    assert_eq!(structuring["precision"], "NULL");
    assert_eq!(structuring["median_days_to_disposition"], "NULL");

    // As it stands now: rebuilt in place, the decisions counted.
    let now = chrono::Utc::now();
    build_case_metrics(&lake, &context, &day, 30, now)
        .await
        .unwrap();
    let days = (now
        .with_timezone(&timezone.parse::<chrono_tz::Tz>().unwrap())
        .date_naive()
        - date(2))
    .num_days();
    let structuring = case_metrics_row(&lake, date(2), "structuring").await;
    assert_eq!(structuring["alerts"], "2");
    assert_eq!(structuring["closed_false_positive"], "1");
    assert_eq!(structuring["escalated"], "1");
    assert_eq!(structuring["filed"], "0");
    assert_eq!(structuring["dispositioned"], "2");
    assert_eq!(structuring["precision"], "0.5000");
    // Where its false positive sat: USD 10,000 against a threshold of 8,000.
    assert_eq!(structuring["rule_version"], "1");
    assert_eq!(structuring["suppressed"], "0");
    assert_eq!(structuring["false_positive_lowest_usd"], "10000.00");
    assert_eq!(structuring["amount_parameter"], "threshold_usd = 8000");
    assert_eq!(structuring["false_positive_median_ratio"], "1.25");
    assert_eq!(
        structuring["median_days_to_disposition"],
        format!("{days}.0")
    );
    // C2's SAR is approved but not filed 30 days after its alert: past its deadline.
    assert_eq!(
        structuring["past_deadline"],
        if days > 30 { "1" } else { "0" }
    );
    let fan_out = case_metrics_row(&lake, date(2), "fan_out").await;
    assert_eq!(fan_out["alerts"], "2");
    assert_eq!(fan_out["cases"], "2");
    assert_eq!(fan_out["closed_false_positive"], "1");
    assert_eq!(fan_out["escalated"], "0");
    assert_eq!(fan_out["dispositioned"], "1");
    assert_eq!(fan_out["precision"], "0.0000");
    // C3 was never worked.
    assert_eq!(fan_out["past_deadline"], if days > 30 { "1" } else { "0" });
    let rows = context
        .sql("SELECT * FROM gold.case_metrics")
        .await
        .unwrap()
        .count()
        .await
        .unwrap();
    assert_eq!(rows, 2, "a rebuild replaces the date's rows");
}

/// Writes `breaks` (break id, category, difference in USD cents) as gold.recon_breaks of
/// `business_date`, every other column null.
async fn breaks_on(lake: &Lake, business_date: NaiveDate, breaks: &[(&str, &str, i128)]) {
    let table = registry().get(Zone::Gold, "recon_breaks").unwrap();
    let rows = breaks.len();
    let columns: Vec<ArrayRef> = table
        .schema
        .fields()
        .iter()
        .map(|field| -> ArrayRef {
            match field.name().as_str() {
                "break_id" => strings(breaks.iter().map(|(id, _, _)| Some(*id))),
                "category" => strings(breaks.iter().map(|(_, category, _)| Some(*category))),
                "currency" => strings(std::iter::repeat_n(Some("USD"), rows)),
                "status" => strings(std::iter::repeat_n(Some("open"), rows)),
                "difference" => Arc::new(
                    arrow::array::Decimal128Array::from_iter_values(
                        breaks.iter().map(|(_, _, cents)| *cents),
                    )
                    .with_precision_and_scale(18, 2)
                    .unwrap(),
                ),
                "age_days" => Arc::new(Int64Array::from(vec![3; rows])),
                "business_date" => dates(std::iter::repeat_n(business_date, rows)),
                _ => arrow::array::new_null_array(field.data_type(), rows),
            }
        })
        .collect();
    let batch = columns_batch(table, columns).unwrap();
    let context = lake_session(lake).await.unwrap();
    replace_date_partition(lake, &context, table, business_date, &[batch])
        .await
        .unwrap();
}

fn break_request(break_id: &str, work: BreakWork) -> BreakRequest {
    BreakRequest {
        break_id: break_id.to_string(),
        expected_state: None,
        work,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn finance_writes_off_small_breaks_alone_and_large_ones_with_a_second_person() {
    let dir = tempfile::tempdir().unwrap();
    let lake = Lake::open(dir.path().to_str().unwrap()).unwrap();
    let access = AccessSettings::defaults();
    breaks_on(
        &lake,
        date(9),
        &[
            ("B-SMALL", "amount_mismatch", 100),
            ("B-LARGE", "duplicate", -18478),
            ("B-MATCH", "missing_in_processor", 29439),
        ],
    )
    .await;
    let clerk = actor("sofia", "finance");
    let controller = actor("daniel", "finance_controller");
    let threshold = "100.00";
    let take = |who: &Actor, break_id: &str, work: BreakWork| {
        let request = break_request(break_id, work);
        let who = who.clone();
        let lake = &lake;
        let access = &access;
        async move { act_on_break(lake, access, &who, &request, threshold).await }
    };
    let note = |text: &str| text.to_string();

    // Up to the threshold, the clerk decides alone.
    let small = take(
        &clerk,
        "B-SMALL",
        BreakWork::WriteOff {
            note: note("rounding"),
        },
    )
    .await
    .unwrap();
    assert_eq!(small.to_state, BreakState::WrittenOff);
    assert_eq!(small.amount_usd, Some(100));
    assert_eq!(small.business_date, date(9));

    // Above it (the absolute difference counts), the write-off waits for someone else.
    let large = take(
        &clerk,
        "B-LARGE",
        BreakWork::WriteOff {
            note: note("refunded"),
        },
    )
    .await
    .unwrap();
    assert_eq!(large.to_state, BreakState::PendingWriteOff);
    let own = take(&clerk, "B-LARGE", BreakWork::Approve { note: None }).await;
    assert!(
        matches!(own, Err(DecisionsError::BreakNotPermitted { .. })),
        "{own:?}"
    );
    let controller_as_clerk = actor("sofia", "finance_controller");
    let four_eyes = take(
        &controller_as_clerk,
        "B-LARGE",
        BreakWork::Approve { note: None },
    )
    .await;
    assert!(
        matches!(four_eyes, Err(DecisionsError::BreakFourEyes { .. })),
        "{four_eyes:?}"
    );
    let approved = take(&controller, "B-LARGE", BreakWork::Approve { note: None })
        .await
        .unwrap();
    assert_eq!(approved.to_state, BreakState::WrittenOff);

    // Bad input writes nothing.
    let before = paylake_decisions::breaks::BreakLog::load(&lake)
        .await
        .unwrap()
        .events
        .len();
    for (who, break_id, work) in [
        (
            &clerk,
            "B-MATCH",
            BreakWork::Match {
                counter_item: note(" "),
                note: note("found"),
            },
        ),
        (&clerk, "B-MATCH", BreakWork::WriteOff { note: note("") }),
        (
            &clerk,
            "B-NONE",
            BreakWork::Annotate {
                note: note("where is it"),
            },
        ),
        (
            &clerk,
            "B-SMALL",
            BreakWork::Annotate {
                note: note("settled already"),
            },
        ),
        (
            &actor("ines", "investigator"),
            "B-MATCH",
            BreakWork::Annotate { note: note("hi") },
        ),
    ] {
        assert!(take(who, break_id, work).await.is_err());
    }
    assert_eq!(
        paylake_decisions::breaks::BreakLog::load(&lake)
            .await
            .unwrap()
            .events
            .len(),
        before
    );

    // A manual match names the counter-item; of two at once, one lands.
    let (first, second) = tokio::join!(
        take(
            &clerk,
            "B-MATCH",
            BreakWork::Match {
                counter_item: note("ADJ-1"),
                note: note("adjustment file")
            }
        ),
        take(
            &actor("marco", "finance"),
            "B-MATCH",
            BreakWork::Match {
                counter_item: note("ADJ-2"),
                note: note("adjustment file")
            }
        ),
    );
    assert!(first.is_ok() != second.is_ok(), "{first:?} {second:?}");
    let loser = if first.is_ok() { second } else { first };
    assert!(
        matches!(
            loser,
            Err(DecisionsError::BreakConflict {
                current: BreakState::Matched,
                ..
            })
        ),
        "{loser:?}"
    );
    let events = paylake_decisions::breaks::BreakLog::load(&lake)
        .await
        .unwrap()
        .events;
    let matches: Vec<_> = events
        .iter()
        .filter(|event| event.break_id == "B-MATCH")
        .collect();
    assert_eq!(matches.len(), 1);
    assert!(matches[0]
        .counter_item
        .as_deref()
        .unwrap()
        .starts_with("ADJ-"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_ctr_exemption_needs_a_second_officer_and_a_known_customer() {
    use paylake_decisions::exemptions::{
        act_on_exemption, ExemptionLog, ExemptionPhase, ExemptionState, ExemptionStep,
    };
    let dir = tempfile::tempdir().unwrap();
    let lake = Lake::open(dir.path().to_str().unwrap()).unwrap();
    let access = AccessSettings::defaults();
    let customers = registry().get(Zone::Silver, "customers").unwrap();
    let columns: Vec<ArrayRef> = customers
        .schema
        .fields()
        .iter()
        .map(|field| match field.name().as_str() {
            "customer_id" => strings([Some("C1")].into_iter()),
            _ if field.is_nullable() => arrow::array::new_null_array(field.data_type(), 1),
            // The lineage columns: any value of their type.
            _ => arrow::compute::cast(
                &arrow::array::StringArray::from(vec!["0"]),
                field.data_type(),
            )
            .unwrap(),
        })
        .collect();
    let batch = columns_batch(customers, columns).unwrap();
    let table = paylake_catalog::delta::open_or_create_table(&lake, customers)
        .await
        .unwrap();
    paylake_catalog::delta::append(table, customers, vec![batch], vec![])
        .await
        .unwrap();

    let investigator = actor("ines", "investigator");
    let approver = actor("omar", "approver");
    let propose = |customer: &str, basis: &str| ExemptionStep::Propose {
        customer_id: customer.to_string(),
        phase: ExemptionPhase::Phase2,
        basis: basis.to_string(),
        fincen_110_date: date(1),
        note: None,
    };
    for (who, step) in [
        (&investigator, propose("C404", "payroll customer")),
        (&investigator, propose("C1", " ")),
        (&approver, propose("C1", "payroll customer")),
    ] {
        assert!(act_on_exemption(&lake, &access, who, &step).await.is_err());
    }
    assert!(ExemptionLog::load(&lake).await.unwrap().events.is_empty());

    let proposed = act_on_exemption(
        &lake,
        &access,
        &investigator,
        &propose("C1", "payroll customer"),
    )
    .await
    .unwrap();
    assert_eq!(proposed.exemption_id, "EX-C1-1");
    let approve = ExemptionStep::Approve {
        exemption_id: "EX-C1-1".to_string(),
        note: None,
    };
    // The proposer, even as an approver, may not approve their own proposal.
    let own = act_on_exemption(&lake, &access, &actor("ines", "approver"), &approve).await;
    assert!(own.unwrap_err().to_string().contains("second officer"));
    let approved = act_on_exemption(&lake, &access, &approver, &approve)
        .await
        .unwrap();
    assert_eq!(approved.to_state, ExemptionState::Exempt);
    assert_eq!(approved.basis, "payroll customer");
    assert_eq!(approved.fincen_110_date, date(1));
    // Approved once; a revocation needs its reason.
    assert!(act_on_exemption(&lake, &access, &approver, &approve)
        .await
        .is_err());
    let revoke = |note: &str| ExemptionStep::Revoke {
        exemption_id: "EX-C1-1".to_string(),
        effective_to: date(20),
        note: note.to_string(),
    };
    assert!(act_on_exemption(&lake, &access, &approver, &revoke(""))
        .await
        .is_err());
    let revoked = act_on_exemption(
        &lake,
        &access,
        &approver,
        &revoke("customer sold the business"),
    )
    .await
    .unwrap();
    assert_eq!(revoked.to_state, ExemptionState::Revoked);
    assert_eq!(revoked.effective_to, Some(date(20)));
    assert_eq!(ExemptionLog::load(&lake).await.unwrap().events.len(), 3);
}
