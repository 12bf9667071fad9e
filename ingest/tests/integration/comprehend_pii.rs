//! Amazon Comprehend as the PII detector, through the real SDK against moto's server. moto
//! answers DetectPiiEntities with the same entities for any text (a NAME at characters 50-58,
//! an EMAIL at 230-259), so this tests the API flow and the use of the offsets, not detection.

use crate::support::moto::Moto;
use arrow::array::AsArray;
use paylake_catalog::{lake_session, Lake};
use paylake_ingest::ingest_lake_with;
use paylake_ingest::pii::ComprehendPiiDetector;
use paylake_ingest::rows::Value;
use paylake_ingest::sources::dms::{load_file_name, write_file, DmsChange};

const T0: i64 = 1_772_400_000_000_000;

fn transaction(id: &str, memo: &str) -> DmsChange {
    let mut values: Vec<Value> = vec![
        id.into(),
        "A1".into(),
        "C1".into(),
        "transfer_out".into(),
        Value::Decimal(100),
    ];
    values.extend(["USD", "online", "A2", "completed"].map(Value::from));
    values.extend([
        memo.into(),
        Value::TimestampMicros(T0),
        Value::TimestampMicros(T0),
    ]);
    DmsChange {
        op: "I",
        commit_micros: T0,
        values,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn comprehend_findings_redact_memos_at_their_offsets() {
    let moto = Moto::start();
    let detector = ComprehendPiiDetector::new(&moto.sdk_config().await);
    let dir = tempfile::tempdir().unwrap();
    let lake = Lake::open(dir.path().to_str().unwrap()).unwrap();
    // Characters 50-58 and 230-259 of the long memo are where moto says the entities are.
    let long_memo = format!(
        "{}Ana Lima{}{}{}",
        "x".repeat(50),
        "y".repeat(172),
        "ana.lima2@example-bank.com.br",
        "z"
    );
    assert_eq!(long_memo.chars().count(), 260);
    write_file(
        &dir.path()
            .join("landing/aurora/public/transactions")
            .join(load_file_name()),
        "transactions",
        &[
            transaction("T1", &long_memo),
            transaction("T2", "short memo"),
        ],
        false,
    )
    .unwrap();
    ingest_lake_with(&lake, &detector, None, &|_| {})
        .await
        .unwrap();

    let context = lake_session(&lake).await.unwrap();
    let batches = context
        .sql("SELECT transaction_id, memo FROM silver.transactions ORDER BY 1")
        .await
        .unwrap()
        .collect()
        .await
        .unwrap();
    let memos =
        arrow::compute::cast(batches[0].column(1), &arrow::datatypes::DataType::Utf8).unwrap();
    let memos = memos.as_string::<i32>();
    assert_eq!(
        memos.value(0),
        format!("{}[NAME]{}[EMAIL]z", "x".repeat(50), "y".repeat(172))
    );
    // The canned offsets fall outside the short memo: nothing is cut from it.
    assert_eq!(memos.value(1), "short memo");
    let findings = context
        .sql("SELECT pii_type, start_offset, end_offset, detector FROM silver.pii_findings ORDER BY start_offset")
        .await
        .unwrap()
        .collect()
        .await
        .unwrap();
    assert_eq!(findings[0].num_rows(), 2);
    let detector_names =
        arrow::compute::cast(findings[0].column(3), &arrow::datatypes::DataType::Utf8).unwrap();
    assert_eq!(detector_names.as_string::<i32>().value(0), "comprehend");
}
