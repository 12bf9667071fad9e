//! Schema evolution: a new nullable source column appears in bronze and silver without a
//! rebuild; a type change that cannot be read quarantines that file with a clear reason and
//! does not stop the other tables.

use crate::support::lake::rows;

use std::path::Path;
use std::sync::Arc;

use arrow::array::{ArrayRef, RecordBatch, StringArray};
use arrow::datatypes::{DataType, Field, Schema};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ArrowWriter;
use paylake_catalog::Lake;
use paylake_ingest::ingest_lake;
use paylake_ingest::rows::Value;
use paylake_ingest::sources::dms::{cdc_file_name, load_file_name, write_file, DmsChange};

const T0: i64 = 1_772_400_000_000_000;

fn customer(op: &'static str, at: i64, id: &str) -> DmsChange {
    let mut values: Vec<Value> = vec![id.into(), "person".into(), format!("Name {id}").into()];
    values.extend([
        "BR".into(),
        "engineer".into(),
        Value::Null,
        Value::Boolean(false),
        "low".into(),
    ]);
    values.extend([
        Value::Date(7000),
        "Rua 1".into(),
        "x@example.com".into(),
        "+5511999990000".into(),
    ]);
    values.extend([Value::TimestampMicros(T0), Value::TimestampMicros(at)]);
    DmsChange {
        op,
        commit_micros: at,
        values,
    }
}

/// Rewrites a Parquet file with one column added or replaced by a text column.
fn with_text_column(path: &Path, name: &str, values: &[Option<&str>]) {
    let batch = ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(path).unwrap())
        .unwrap()
        .build()
        .unwrap()
        .next()
        .unwrap()
        .unwrap();
    let text: ArrayRef = Arc::new(StringArray::from(values.to_vec()));
    let mut fields: Vec<Field> = Vec::new();
    let mut columns: Vec<ArrayRef> = Vec::new();
    for (field, column) in batch.schema().fields().iter().zip(batch.columns()) {
        if field.name() != name {
            fields.push(field.as_ref().clone());
            columns.push(column.clone());
        }
    }
    fields.push(Field::new(name, DataType::Utf8, true));
    columns.push(text);
    let schema = Arc::new(Schema::new(fields));
    let batch = RecordBatch::try_new(schema.clone(), columns).unwrap();
    let mut writer =
        ArrowWriter::try_new(std::fs::File::create(path).unwrap(), schema, None).unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_column_flows_to_silver_and_an_unreadable_type_is_quarantined() {
    let dir = tempfile::tempdir().unwrap();
    let lake = Lake::open(dir.path().to_str().unwrap()).unwrap();
    let customers = dir.path().join("landing/aurora/public/customers");
    let fx_rates = dir.path().join("landing/aurora/public/fx_rates");
    write_file(
        &customers.join(load_file_name()),
        "customers",
        &[customer("I", T0, "C1"), customer("I", T0, "C2")],
        false,
    )
    .unwrap();
    let rate = |at: i64, unscaled: i128| DmsChange {
        op: "U",
        commit_micros: at,
        values: vec![Value::Date(20_000), "EUR".into(), Value::Decimal(unscaled)],
    };
    write_file(
        &fx_rates.join(load_file_name()),
        "fx_rates",
        &[rate(T0, 108_000_000)],
        false,
    )
    .unwrap();
    ingest_lake(&lake, &|_| {}).await.unwrap();

    // The source adds a nullable column...
    let with_nickname = customers.join(cdc_file_name(T0 + 1_000_000));
    write_file(
        &with_nickname,
        "customers",
        &[customer("U", T0 + 1_000_000, "C1")],
        true,
    )
    .unwrap();
    with_text_column(&with_nickname, "nickname", &[Some("Aninha")]);
    // ...and, in another table, changes a decimal to text that cannot be read as one.
    let bad_rates = fx_rates.join(cdc_file_name(T0 + 2_000_000));
    write_file(
        &bad_rates,
        "fx_rates",
        &[rate(T0 + 2_000_000, 109_000_000)],
        true,
    )
    .unwrap();
    with_text_column(&bad_rates, "usd_rate", &[Some("n/a")]);
    let report = ingest_lake(&lake, &|_| {}).await.unwrap();
    assert_eq!(report.sources["aurora"].records_quarantined, 1);

    assert_eq!(
        rows(
            &lake,
            "SELECT customer_id, nickname FROM silver.customers ORDER BY 1"
        )
        .await,
        vec!["C1 Aninha", "C2 null"]
    );
    assert_eq!(
        rows(
            &lake,
            "SELECT count(*) FROM bronze.customers WHERE nickname IS NOT NULL"
        )
        .await,
        vec!["1"]
    );
    let reasons = rows(&lake, "SELECT source_file, reason FROM quarantine.aurora").await;
    assert_eq!(reasons.len(), 1);
    assert!(
        reasons[0].contains("fx_rates") && reasons[0].contains("column 'usd_rate' of type Utf8"),
        "{reasons:?}"
    );
    // The rate stays what the last readable change said.
    assert_eq!(
        rows(&lake, "SELECT usd_rate FROM silver.fx_rates").await,
        vec!["1.08000000"]
    );

    // Later files without the new column still append, with nulls.
    write_file(
        &customers.join(cdc_file_name(T0 + 3_000_000)),
        "customers",
        &[customer("I", T0 + 3_000_000, "C3")],
        true,
    )
    .unwrap();
    ingest_lake(&lake, &|_| {}).await.unwrap();
    assert_eq!(
        rows(
            &lake,
            "SELECT customer_id, nickname FROM silver.customers ORDER BY 1"
        )
        .await,
        vec!["C1 Aninha", "C2 null", "C3 null"]
    );
}
