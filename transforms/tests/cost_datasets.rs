//! Cost files delivered, ingested and turned into the cost datasets: the real FOCUS sample's
//! totals equal the sums of its file, and a legacy CUR file's cost survives to the last digit.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use arrow::array::AsArray;
use arrow::datatypes::DataType;
use paylake_catalog::money::{format_decimal, parse_decimal};
use paylake_catalog::registry::COST_SCALE;
use paylake_catalog::{lake_session, Lake};
use paylake_ingest::ingest_lake;
use paylake_ingest::landing::{deliver_files, FileKind};
use paylake_transforms::cost::build_cost_datasets;
use paylake_transforms::finance_rules::FinanceRules;
use paylake_transforms::BusinessDay;

fn shared_data(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/data")
        .join(relative)
}

/// Ingests `files` of `kind` into a new lake and builds the cost datasets of every UTC day
/// their charge periods start on.
async fn lake_with_cost(dir: &Path, kind: FileKind, files: &[PathBuf]) -> Lake {
    let lake = Lake::open(dir.to_str().unwrap()).unwrap();
    deliver_files(&lake.landing_dir().unwrap(), kind, files).unwrap();
    ingest_lake(&lake, &|_| {}).await.unwrap();
    let context = lake_session(&lake).await.unwrap();
    let dates = context
        .sql("SELECT DISTINCT CAST(CAST(charge_period_start AS DATE) AS VARCHAR) FROM silver.cost_line_items")
        .await
        .unwrap()
        .collect()
        .await
        .unwrap();
    let dates: BTreeSet<String> = dates
        .iter()
        .flat_map(|batch| {
            arrow::compute::cast(batch.column(0), &DataType::Utf8)
                .unwrap()
                .as_string::<i32>()
                .iter()
                .flatten()
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(!dates.is_empty());
    let rules = FinanceRules::defaults();
    for date in dates {
        let day = BusinessDay::new(date.parse().unwrap(), "UTC").unwrap();
        build_cost_datasets(&lake, &context, &day, &rules)
            .await
            .unwrap();
    }
    lake
}

/// One exact decimal of a one-row query, as text at the cost scale.
async fn decimal_text(lake: &Lake, sql: &str) -> String {
    let context = lake_session(lake).await.unwrap();
    let batches = context.sql(sql).await.unwrap().collect().await.unwrap();
    let column =
        arrow::compute::cast(batches[0].column(0), &DataType::Decimal128(38, COST_SCALE)).unwrap();
    let value = column
        .as_primitive::<arrow::datatypes::Decimal128Type>()
        .value(0);
    format_decimal(value, COST_SCALE as u32)
}

/// The exact sum of a column of a CSV file, read as decimal text (NULL and empty count 0).
fn file_sum(path: &Path, column: &str) -> String {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let index = reader
        .headers()
        .unwrap()
        .iter()
        .position(|header| header == column)
        .unwrap();
    let total: i128 = reader
        .records()
        .map(|record| {
            let text = record.unwrap()[index].to_string();
            if text.is_empty() || text == "NULL" {
                0
            } else {
                parse_decimal(&text, COST_SCALE as u32).unwrap()
            }
        })
        .sum();
    format_decimal(total, COST_SCALE as u32)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_focus_sample_totals_equal_the_sums_of_its_file() {
    let dir = tempfile::tempdir().unwrap();
    let sample = shared_data("cost/focus-1.0/focus_sample.csv");
    let lake = lake_with_cost(dir.path(), FileKind::Focus, std::slice::from_ref(&sample)).await;
    for (column, gold_column) in [
        ("BilledCost", "billed_cost"),
        ("EffectiveCost", "effective_cost"),
    ] {
        let expected = file_sum(&sample, column);
        assert_eq!(
            decimal_text(
                &lake,
                &format!("SELECT SUM({gold_column}) FROM gold.cost_daily")
            )
            .await,
            expected,
            "{column} by account and service"
        );
        // Every row is allocated to a channel or shared: allocation keeps the total.
        assert_eq!(
            decimal_text(
                &lake,
                &format!(
                    "SELECT SUM({gold_column}) FROM gold.cost_daily WHERE channel IS NOT NULL"
                )
            )
            .await,
            expected
        );
    }
    // Tags are counted per key: each row with a key appears once under it, exactly as many
    // times as the file's rows carry the key.
    let mut expected: std::collections::BTreeMap<String, i64> = Default::default();
    let mut reader = csv::Reader::from_path(&sample).unwrap();
    let tags = reader
        .headers()
        .unwrap()
        .iter()
        .position(|header| header == "Tags")
        .unwrap();
    for record in reader.records() {
        let text = record.unwrap()[tags].to_string();
        if text.is_empty() || text == "NULL" {
            continue;
        }
        let keys: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&text).unwrap();
        for key in keys.keys() {
            *expected.entry(key.clone()).or_default() += 1;
        }
    }
    assert!(expected.len() > 5, "{expected:?}");
    let context = lake_session(&lake).await.unwrap();
    let counted = context
        .sql("SELECT tag_key, CAST(SUM(line_count) AS BIGINT) FROM gold.cost_by_tag GROUP BY tag_key")
        .await
        .unwrap()
        .collect()
        .await
        .unwrap();
    let mut per_key: std::collections::BTreeMap<String, i64> = Default::default();
    for batch in &counted {
        let keys = arrow::compute::cast(batch.column(0), &DataType::Utf8).unwrap();
        let lines = batch
            .column(1)
            .as_primitive::<arrow::datatypes::Int64Type>();
        for row in 0..batch.num_rows() {
            per_key.insert(
                keys.as_string::<i32>().value(row).to_string(),
                lines.value(row),
            );
        }
    }
    assert_eq!(per_key, expected, "lines per tag key against the file");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_legacy_cur_file_keeps_its_cost_to_the_last_digit() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("cur-2026-03.csv");
    std::fs::write(
        &report,
        "identity/LineItemId,identity/TimeInterval,bill/PayerAccountId,lineItem/LineItemType,lineItem/UsageStartDate,lineItem/UsageEndDate,lineItem/ProductCode,product/ProductName,lineItem/ResourceId,lineItem/UnblendedCost,lineItem/NetUnblendedCost,lineItem/CurrencyCode,reservation/EffectiveCost,savingsPlan/SavingsPlanEffectiveCost,resourceTags/user:channel\n\
         c1,2026-03-02T00:00:00Z/2026-03-03T00:00:00Z,111122223333,Usage,2026-03-02T00:00:00Z,2026-03-03T00:00:00Z,AmazonS3,Amazon Simple Storage Service,arn:aws:s3:::lake,1234.5678901234,,USD,,,web\n\
         c2,2026-03-02T00:00:00Z/2026-03-03T00:00:00Z,111122223333,Usage,2026-03-02T00:00:00Z,2026-03-03T00:00:00Z,AWSLambda,AWS Lambda,fn,4.8E-9,,USD,,,\n\
         c3,2026-03-02T00:00:00Z/2026-03-03T00:00:00Z,111122223333,Usage,2026-03-02T00:00:00Z,2026-03-03T00:00:00Z,AmazonS3,Amazon Simple Storage Service,arn:aws:s3:::logs,0.01,,USD,,,mobile\n",
    )
    .unwrap();
    let lake = lake_with_cost(dir.path().join("lake").as_path(), FileKind::Cur, &[report]).await;
    assert_eq!(
        decimal_text(&lake, "SELECT SUM(billed_cost) FROM gold.cost_daily").await,
        "1234.577890128200"
    );
    assert_eq!(
        decimal_text(
            &lake,
            "SELECT SUM(billed_cost) FROM gold.cost_daily WHERE service_name = 'Amazon Simple Storage Service'"
        )
        .await,
        "1234.577890123400"
    );
}
