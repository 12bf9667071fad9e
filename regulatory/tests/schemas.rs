//! Every kind of filing paylake writes validates against the regulator's schema, with the
//! records that strain it: a business, a customer unknown to the lake, foreign currency,
//! markup and quotes in names, a narrative longer than one FinCEN block with line breaks.
//! Validation is xmllint against the XSDs in ../shared/data/regulatory.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use paylake_regulatory::acknowledgements::parse_acknowledgement;
use paylake_regulatory::fincen::{ctr_batch, sar_batch};
use paylake_regulatory::goaml::{ctr_report, str_report};
use paylake_regulatory::records::{CtrRecord, SarRecord, Subject, Transaction};
use paylake_regulatory::RegulatorySettings;

fn shared_data(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/data")
        .join(relative)
}

fn validate(xml: &str, schema: &str, name: &str) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(name);
    std::fs::write(&file, xml).unwrap();
    let output = std::process::Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(shared_data(schema))
        .arg(&file)
        .output()
        .expect("xmllint is installed by the test command");
    assert!(
        output.status.success(),
        "{name} does not validate:\n{}\n{xml}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn date(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

fn person() -> Subject {
    Subject {
        customer_id: "C000001".into(),
        full_name: Some("Siobhán Ní O'Brien".into()),
        is_business: false,
        date_of_birth: Some(date("1979-03-23")),
        street: Some("12  Quay   Street".into()),
        city: Some("Springfield".into()),
        country: Some("IE".into()),
        phone: Some("+353 1 555 0100".into()),
        occupation: Some("a very long occupation text that runs well past fifty characters".into()),
    }
}

fn business() -> Subject {
    Subject {
        customer_id: "C000004".into(),
        full_name: Some("Lotus & <Foods> LLC".into()),
        is_business: true,
        date_of_birth: None,
        street: Some("541 Cedar Ln".into()),
        city: Some("Springfield".into()),
        country: Some("US".into()),
        phone: None,
        occupation: Some("precious metals".into()),
    }
}

fn unknown() -> Subject {
    Subject {
        customer_id: "C999999".into(),
        full_name: None,
        is_business: false,
        date_of_birth: None,
        street: None,
        city: None,
        country: None,
        phone: None,
        occupation: None,
    }
}

fn transaction(id: &str, kind: &str, currency: &str) -> Transaction {
    Transaction {
        transaction_id: id.into(),
        account_id: "A000012".into(),
        transaction_type: kind.into(),
        amount: "9500.55".into(),
        currency: currency.into(),
        amount_usd: Some(
            if currency == "USD" {
                "9500.55"
            } else {
                "10355.60"
            }
            .into(),
        ),
        usd_rate: Some(if currency == "USD" { "1" } else { "1.09000000" }.into()),
        channel: "pos".into(),
        counterparty_account_id: kind.starts_with("transfer").then(|| "A000077".into()),
        created_at: "2026-03-02T15:04:05".into(),
    }
}

fn ctr_records() -> Vec<CtrRecord> {
    [person(), business(), unknown()]
        .into_iter()
        .enumerate()
        .map(|(index, subject)| CtrRecord {
            record_key: format!("CTR-{}-2026-03-02", subject.customer_id),
            business_date: date("2026-03-02"),
            subject,
            cash_in_cents: 1_900_101 * (index as i128 + 1),
            cash_out_cents: if index == 1 { 1_200_000 } else { 0 },
            channels: vec!["pos".into(), "atm".into()],
            transactions: vec![
                transaction("T1", "cash_deposit", "USD"),
                transaction("T2", "cash_deposit", "EUR"),
                transaction("T3", "cash_withdrawal", "USD"),
            ],
        })
        .collect()
}

fn sar_records() -> Vec<SarRecord> {
    let long_narrative = format!(
        "Between 2026-03-01 and 2026-03-05 the customer <moved> funds.\n\n{}",
        "Funds went round in a cycle of four accounts & came back. ".repeat(150)
    );
    assert!(long_narrative.len() > 4000);
    // The unknown subject's SAR continues one FinCEN acknowledged earlier.
    [person(), business(), unknown()]
        .into_iter()
        .map(|subject| SarRecord {
            continuing: subject.full_name.is_none(),
            prior_bsa_id: subject
                .full_name
                .is_none()
                .then(|| "31000123456789".to_string()),
            record_key: format!("SAR-{}-2026-03-05", subject.customer_id),
            business_date: date("2026-03-05"),
            subject,
            period_start: date("2026-03-01"),
            period_end: date("2026-03-05"),
            total_cents: 4_408_659,
            typologies: vec![
                "cycle".into(),
                "round_amounts".into(), // the same subtype as cycle: written once
                "structuring".into(),
                "sanctions_screening".into(), // unclassified: "other"
            ],
            narrative: long_narrative.clone(),
            transactions: vec![
                transaction("T4", "transfer_out", "USD"),
                transaction("T5", "transfer_in", "EUR"),
                transaction("T6", "cash_deposit", "USD"),
            ],
        })
        .collect()
}

#[test]
fn fincen_batches_validate_and_carry_their_totals() {
    let settings = RegulatorySettings::defaults();
    let ctr = ctr_batch(&ctr_records(), &settings, date("2026-03-03"));
    validate(
        &ctr.xml,
        "regulatory/fincen/EFL_CTRXBatchSchema.xsd",
        "ctr.xml",
    );
    // Whole dollars rounded up: 19001.01 -> 19002, 38002.02 -> 38003, 12000.00, 57003.03 -> 57004.
    assert_eq!(ctr.total_amount_dollars, 19_002 + 38_003 + 12_000 + 57_004);
    assert!(ctr
        .xml
        .contains(&format!("TotalAmount=\"{}\"", ctr.total_amount_dollars)));
    assert_eq!(ctr.activity_records.len(), 3);
    assert_eq!(ctr.party_count, 3 * 6);
    assert!(ctr
        .xml
        .contains("<RawEntityIndividualLastName>O&apos;Brien</RawEntityIndividualLastName>"));
    assert!(ctr
        .xml
        .contains("<RawIndividualFirstName>Siobhán Ní</RawIndividualFirstName>"));
    assert!(ctr
        .xml
        .contains("<RawEntityIndividualLastName>Lotus &amp; &lt;Foods&gt; LLC<"));
    assert!(ctr
        .xml
        .contains("<RawStreetAddress1Text>12 Quay Street</RawStreetAddress1Text>"));

    let sar = sar_batch(&sar_records(), &settings, date("2026-03-06"));
    validate(
        &sar.xml,
        "regulatory/fincen/EFL_SARXBatchSchema.xsd",
        "sar.xml",
    );
    assert_eq!(sar.total_amount_dollars, 3 * 44_087);
    assert_eq!(
        sar.xml
            .matches("<ActivityNarrativeSequenceNumber>2<")
            .count(),
        3
    );
    assert!(sar
        .xml
        .contains("<OtherSuspiciousActivityTypeText>sanctions screening<"));
    // Two initial reports and one continuing report naming the filing it continues.
    assert_eq!(sar.xml.matches("<InitialReportIndicator>Y<").count(), 2);
    assert_eq!(
        sar.xml
            .matches("<ContinuingActivityReportIndicator>Y<")
            .count(),
        1
    );
    assert!(sar
        .xml
        .contains("<EFilingPriorDocumentNumber>31000123456789</EFilingPriorDocumentNumber>"));
    let mut numbers: Vec<&str> = sar
        .xml
        .split("SeqNum=\"")
        .skip(1)
        .map(|rest| &rest[..rest.find('"').unwrap()])
        .collect();
    let count = numbers.len();
    numbers.sort();
    numbers.dedup();
    assert_eq!(numbers.len(), count, "SeqNums are unique");
}

#[test]
fn goaml_reports_validate_for_every_kind_of_subject() {
    let settings = RegulatorySettings::defaults();
    for record in sar_records() {
        let report = str_report(&record, &settings, date("2026-03-06")).unwrap();
        assert!(report.file_name.starts_with("STR_SAR-"));
        validate(
            &report.xml,
            "regulatory/goaml/goAMLSchema.xsd",
            &report.file_name,
        );
        assert!(report
            .xml
            .contains("<foreign_currency_code>EUR</foreign_currency_code>"));
    }
    for record in ctr_records() {
        let report = ctr_report(&record, &settings, date("2026-03-03")).unwrap();
        validate(
            &report.xml,
            "regulatory/goaml/goAMLSchema.xsd",
            &report.file_name,
        );
    }
    // A record without evidence is refused with the record and field named.
    let mut empty = sar_records().remove(0);
    empty.transactions.clear();
    let err = str_report(&empty, &settings, date("2026-03-06"))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("SAR-C000001-2026-03-05") && err.contains("transaction_ids"),
        "{err}"
    );
}

#[test]
fn acknowledgements_give_bsa_ids_and_errors_per_filing() {
    let path = shared_data("regulatory/fincen/ctr_acknowledgement.xml");
    let filings = parse_acknowledgement(&std::fs::read_to_string(&path).unwrap(), "ctr").unwrap();
    let summary: Vec<(Option<&str>, &str, usize)> = filings
        .iter()
        .map(|filing| {
            (
                filing.bsa_id.as_deref(),
                filing.status(),
                filing.errors.len(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (Some("31000000000001"), "accepted_with_warnings", 1),
            (Some("31000000000002"), "accepted", 0),
            (Some("31000000000003"), "accepted_with_warnings", 2),
        ]
    );
    assert_eq!(filings[0].errors[0].type_code, "F18");
    assert_eq!(filings[2].errors[1].context, "EFilingBatchXML/Activity[3]");
    let err = parse_acknowledgement("<html/>", "page.html")
        .unwrap_err()
        .to_string();
    assert!(err.contains("page.html"), "{err}");
}
