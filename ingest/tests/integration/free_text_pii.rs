//! Free text passes the PII detector on its way in: silver keeps the redacted memo and
//! `silver.pii_findings` says where the personal data was, never what it was.

use crate::support;

use paylake_catalog::Lake;
use paylake_ingest::ingest_lake;
use paylake_ingest::rows::Value;
use paylake_ingest::sources::dms::{load_file_name, write_file, DmsChange};

const T0: i64 = 1_772_400_000_000_000;

fn transaction(id: &str, memo: &str) -> DmsChange {
    DmsChange {
        op: "I",
        commit_micros: T0,
        values: vec![
            id.into(),
            "A1".into(),
            "C1".into(),
            "transfer_out".into(),
            Value::Decimal(12_500),
            "USD".into(),
            "online".into(),
            "A2".into(),
            "completed".into(),
            memo.into(),
            Value::TimestampMicros(T0),
            Value::TimestampMicros(T0),
        ],
    }
}

async fn rows(lake: &Lake, query: &str) -> Vec<String> {
    support::lake::rows_joined(lake, query, " | ").await
}

#[tokio::test(flavor = "multi_thread")]
async fn memos_are_redacted_in_the_lake_and_findings_located() {
    let dir = tempfile::tempdir().unwrap();
    let lake = Lake::open(dir.path().to_str().unwrap()).unwrap();
    let file = dir
        .path()
        .join("landing/aurora/public/transactions")
        .join(load_file_name());
    write_file(
        &file,
        "transactions",
        &[
            transaction("T1", "rent, receipt to ana@example.com or +44 20 7946 0958"),
            transaction("T2", "card 4111-1111-1111-1111 refund"),
            transaction("T3", "groceries"),
        ],
        false,
    )
    .unwrap();
    ingest_lake(&lake, &|_| {}).await.unwrap();

    assert_eq!(
        rows(
            &lake,
            "SELECT transaction_id, memo FROM silver.transactions ORDER BY 1"
        )
        .await,
        vec![
            "T1 | rent, receipt to [EMAIL] or [PHONE]",
            "T2 | card [CREDIT_DEBIT_NUMBER] refund",
            "T3 | groceries",
        ]
    );
    assert_eq!(
        rows(
            &lake,
            "SELECT count(*) FROM bronze.transactions WHERE memo LIKE '%@%' OR memo LIKE '%4111%'"
        )
        .await,
        vec!["0"]
    );
    assert_eq!(
        rows(
            &lake,
            "SELECT source_table, record_key, column_name, pii_type, start_offset, end_offset, detector, _source_position
             FROM silver.pii_findings ORDER BY record_key, start_offset"
        )
        .await,
        vec![
            "silver.transactions | T1 | memo | EMAIL | 17 | 32 | embedded | 1",
            "silver.transactions | T1 | memo | PHONE | 36 | 52 | embedded | 1",
            "silver.transactions | T2 | memo | CREDIT_DEBIT_NUMBER | 5 | 24 | embedded | 2",
        ]
    );

    // A second run takes nothing twice.
    ingest_lake(&lake, &|_| {}).await.unwrap();
    assert_eq!(
        rows(&lake, "SELECT count(*) FROM silver.pii_findings").await,
        vec!["3"]
    );
}
