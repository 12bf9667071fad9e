//! A continuing SAR on a real lake: a case filed and acknowledged, back in review when its
//! customer's activity goes on 90 days after filing, decided and approved again, is filed
//! again as a continuing activity report naming the BSA ID of the first filing, and only once.

use std::sync::Arc;

use arrow::array::{ArrayRef, Int64Array};
use chrono::NaiveDate;
use paylake_catalog::access::AccessSettings;
use paylake_catalog::delta::replace_date_partition;
use paylake_catalog::rows::{columns_batch, dates, string_lists, strings};
use paylake_catalog::{lake_session, registry, Lake, Zone};
use paylake_decisions::cases::replay;
use paylake_decisions::filing::record_acknowledged;
use paylake_decisions::intake::take_in_alerts;
use paylake_decisions::{act, ActionRequest, Actor, CaseAction, CaseState, EventLog, SarDecision};
use paylake_regulatory::{export_package, ExportKind, ExportRequest, RegulatorySettings};

/// Writes one fan-out alert of customer C1 as the gold.aml_alerts of `business_date` and takes
/// it into cases.
async fn alert_on(lake: &Lake, business_date: NaiveDate, alert_id: &str) {
    let table = registry().get(Zone::Gold, "aml_alerts").unwrap();
    let one = |value: Option<&str>| strings(std::iter::once(value));
    let no_list: Vec<Vec<String>> = vec![Vec::new()];
    let columns: Vec<ArrayRef> = vec![
        one(Some(alert_id)),
        one(Some("fan_out")),
        one(Some("1")),
        one(None),
        one(Some("C1")),
        one(Some("A1")),
        Arc::new(Int64Array::from(vec![80])),
        Arc::new(
            arrow::array::Decimal128Array::from(vec![2_500_000])
                .with_precision_and_scale(18, 2)
                .unwrap(),
        ),
        string_lists(no_list.iter()),
        string_lists(no_list.iter()),
        one(Some("12 senders within 3 days")),
        dates(std::iter::once(business_date)),
        one(None),
    ];
    let batch = columns_batch(table, columns).unwrap();
    let context = lake_session(lake).await.unwrap();
    replace_date_partition(lake, &context, table, business_date, &[batch])
        .await
        .unwrap();
    take_in_alerts(lake, &context, business_date).await.unwrap();
}

async fn take(lake: &Lake, who: &Actor, case_id: &str, action: CaseAction) {
    let request = ActionRequest {
        case_id: case_id.to_string(),
        expected_state: None,
        action,
    };
    act(lake, &AccessSettings::defaults(), who, &request)
        .await
        .unwrap();
}

/// Exports the SARs of `from`..`to` into `out` and returns the package's record keys and SAR XML.
async fn export_sars(
    lake: &Lake,
    out: &std::path::Path,
    from: NaiveDate,
    to: NaiveDate,
) -> (Vec<String>, String) {
    let context = lake_session(lake).await.unwrap();
    let outcome = export_package(
        lake,
        &context,
        &RegulatorySettings::defaults(),
        &ExportRequest {
            kind: ExportKind::FincenSar,
            from,
            to,
            filing_date: to,
            out: out.to_str().unwrap().to_string(),
            schedule: None,
        },
    )
    .await
    .unwrap();
    let xml = outcome
        .files
        .iter()
        .find(|file| file.ends_with(".xml"))
        .map(|file| std::fs::read_to_string(file).unwrap())
        .unwrap_or_default();
    (outcome.record_keys, xml)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_continuing_sar_is_filed_again_naming_the_first_filing() {
    let dir = tempfile::tempdir().unwrap();
    let lake = Lake::open(dir.path().join("lake").to_str().unwrap()).unwrap();
    let out = dir.path().join("exports");
    let investigator = Actor {
        user: "ines".into(),
        role: "investigator".into(),
    };
    let approver = Actor {
        user: "omar".into(),
        role: "approver".into(),
    };
    let march = |day| NaiveDate::from_ymd_opt(2026, 3, day).unwrap();
    alert_on(&lake, march(2), "A1").await;
    let case_id = "CASE-C1-2026-03-02";
    for (who, action) in [
        (
            &investigator,
            CaseAction::Assign {
                assignee: "ines".into(),
            },
        ),
        (&investigator, CaseAction::Start),
        (
            &investigator,
            CaseAction::Escalate {
                rationale: "funds fanned out the same day".into(),
            },
        ),
        (
            &investigator,
            CaseAction::Decide {
                decision: SarDecision::File,
                text: "Twelve senders paid the customer within three days.".into(),
            },
        ),
        (&approver, CaseAction::Approve { rationale: None }),
    ] {
        take(&lake, who, case_id, action).await;
    }
    let (first, first_xml) = export_sars(&lake, &out, march(1), march(31)).await;
    assert_eq!(first, [case_id]);
    assert!(first_xml.contains("<InitialReportIndicator>Y<"));
    record_acknowledged(
        &lake,
        &[(case_id.to_string(), "31000000000042".to_string())],
    )
    .await
    .unwrap();

    // Activity goes on; 90 days after the filing the case is back in review.
    let filed_on = chrono::Utc::now().date_naive();
    alert_on(&lake, filed_on + chrono::Duration::days(91), "A2").await;
    let cases = replay(&EventLog::load(&lake).await.unwrap().events);
    assert_eq!(cases[case_id].state, CaseState::ContinuingReview);
    for (who, action) in [
        (
            &investigator,
            CaseAction::Escalate {
                rationale: "the fan-out went on".into(),
            },
        ),
        (
            &investigator,
            CaseAction::Decide {
                decision: SarDecision::File,
                text: "The customer kept receiving funds from new senders.".into(),
            },
        ),
        (&approver, CaseAction::Approve { rationale: None }),
    ] {
        take(&lake, who, case_id, action).await;
    }
    let (second, second_xml) = export_sars(
        &lake,
        &out,
        march(1) + chrono::Duration::days(365),
        march(31) + chrono::Duration::days(365),
    )
    .await;
    assert_eq!(second, [case_id], "the continuing SAR is filed");
    assert!(
        second_xml.contains("<ContinuingActivityReportIndicator>Y<"),
        "{second_xml}"
    );
    assert!(second_xml.contains("<EFilingPriorDocumentNumber>31000000000042<"));
    assert!(second_xml.contains("The customer kept receiving funds from new senders."));

    // Filed since its latest approval, it is not filed a third time.
    let (third, _) = export_sars(
        &lake,
        &out,
        march(1) + chrono::Duration::days(400),
        march(1) + chrono::Duration::days(401),
    )
    .await;
    assert!(third.is_empty(), "{third:?}");
}
