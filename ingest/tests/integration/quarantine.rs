//! Every kind of bad input goes to `quarantine.<source>` with its file, position, reason and
//! raw payload (or the whole file, where no record can be read), and each run's counts hold:
//! read = taken + quarantined.

use crate::support;

use paylake_catalog::Lake;
use paylake_ingest::ingest_lake;
use paylake_ingest::rows::Value;
use paylake_ingest::sources::dms::{cdc_file_name, write_file, DmsChange};

async fn rows(lake: &Lake, query: &str) -> Vec<String> {
    support::lake::rows_joined(lake, query, " | ").await
}

const GOOD_STREAM_RECORD: &str = r#"{"eventID":"e1","eventName":"INSERT","dynamodb":{"ApproximateCreationDateTime":1772445600,"Keys":{"payment_id":{"S":"P1"}},"NewImage":{"payment_id":{"S":"P1"},"amount":{"N":"12.50"}},"SequenceNumber":"100"}}"#;

#[tokio::test(flavor = "multi_thread")]
async fn each_kind_of_bad_input_is_quarantined_with_its_origin_and_the_counts_add_up() {
    let dir = tempfile::tempdir().unwrap();
    let lake = Lake::open(dir.path().to_str().unwrap()).unwrap();
    let landing = dir.path().join("landing");

    // DynamoDB stream records: good, malformed JSON, unknown op, missing key, a type that does not fit.
    let shard = landing.join("dynamodb/payments/shardId-1");
    std::fs::create_dir_all(&shard).unwrap();
    let unknown_op = GOOD_STREAM_RECORD
        .replace("INSERT", "UPSERT")
        .replace("\"100\"", "\"101\"");
    let missing_key = GOOD_STREAM_RECORD
        .replace(r#""Keys":{"payment_id":{"S":"P1"}},"#, "")
        .replace("\"100\"", "\"102\"");
    let bad_type = GOOD_STREAM_RECORD
        .replace(r#"{"N":"12.50"}"#, r#"{"BOOL":true}"#)
        .replace("\"100\"", "\"103\"");
    std::fs::write(
        shard.join("100-103.jsonl"),
        format!("{GOOD_STREAM_RECORD}\n{{\"eventID\": \n{unknown_op}\n{missing_key}\n{bad_type}\n"),
    )
    .unwrap();

    // DMS: a truncated Parquet file, and a file whose name says Parquet but holds CSV.
    let fx_rates = landing.join("aurora/public/fx_rates");
    let truncated = fx_rates.join(cdc_file_name(1_772_400_000_000_000));
    let change = DmsChange {
        op: "I",
        commit_micros: 1_772_400_000_000_000,
        values: vec![Value::Date(20_000), "EUR".into(), Value::Decimal(1)],
    };
    write_file(&truncated, "fx_rates", &[change], true).unwrap();
    let bytes = std::fs::read(&truncated).unwrap();
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    std::fs::write(
        fx_rates.join(cdc_file_name(1_772_400_001_000_000)),
        "I,2026-03-02,EUR,1.08\n",
    )
    .unwrap();

    let report = ingest_lake(&lake, &|_| {}).await.unwrap();
    let dynamodb = &report.sources["dynamodb"];
    assert_eq!(
        (
            dynamodb.records_read,
            dynamodb.records_taken,
            dynamodb.records_quarantined
        ),
        (5, 1, 4)
    );
    let aurora = &report.sources["aurora"];
    assert_eq!((aurora.records_taken, aurora.records_quarantined), (0, 2));

    let stream = rows(&lake, "SELECT source_file, source_position, target_table, reason, raw_payload FROM quarantine.dynamodb ORDER BY source_position").await;
    assert_eq!(stream.len(), 4);
    let expectations = [
        (2, "malformed JSON"),
        (3, "unknown operation 'UPSERT'"),
        (4, "missing key field 'dynamodb.Keys.payment_id'"),
        (5, "field 'amount': type BOOL does not fit"),
    ];
    for (row, (position, reason)) in stream.iter().zip(expectations) {
        assert!(
            row.starts_with(&format!(
                "dynamodb/payments/shardId-1/100-103.jsonl | {position} | payments | "
            )),
            "{row}"
        );
        assert!(row.contains(reason), "{row} lacks {reason}");
        assert!(row.contains(&format!("line {position}")), "{row}");
        assert!(!row.ends_with("| null"), "raw payload kept: {row}");
    }
    let files = rows(
        &lake,
        "SELECT source_position, reason FROM quarantine.aurora ORDER BY source_file",
    )
    .await;
    assert_eq!(files.len(), 2);
    for file in &files {
        assert!(
            file.starts_with("null | ") && file.contains("not a readable parquet file"),
            "{file}"
        );
    }

    // The run log agrees with the report, and holds read = taken + quarantined.
    assert_eq!(
        rows(&lake, "SELECT source, records_read, records_taken, records_quarantined FROM system.ingest_runs ORDER BY source").await,
        vec!["aurora | 2 | 0 | 2", "dynamodb | 5 | 1 | 4"]
    );
    assert_eq!(
        rows(&lake, "SELECT payment_id, amount FROM silver.payments").await,
        vec!["P1 | 12.50"]
    );
}
