//! Type-2 history of customers: every version with its validity, late changes slotted in
//! where they belong, deletes closing the row, and the question AML asks ("what did we know
//! of this customer at that time?") answered by a range predicate.

use crate::support::lake::rows;

use paylake_catalog::Lake;
use paylake_ingest::ingest_lake;
use paylake_ingest::rows::Value;
use paylake_ingest::sources::dms::{cdc_file_name, load_file_name, write_file, DmsChange};

const T0: i64 = 1_772_400_000_000_000;
const HOUR: i64 = 3_600_000_000;

fn customer(op: &'static str, at: i64, id: &str, risk: &str) -> DmsChange {
    DmsChange {
        op,
        commit_micros: at,
        values: vec![
            id.into(),
            "person".into(),
            "Ana Lima".into(),
            "BR".into(),
            "engineer".into(),
            Value::Null,
            Value::Boolean(false),
            risk.into(),
            Value::Date(7000),
            "Rua 1".into(),
            "ana@example.com".into(),
            "+5511999990000".into(),
            Value::TimestampMicros(T0),
            Value::TimestampMicros(at),
        ],
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn customer_versions_keep_their_validity_through_late_changes_and_deletes() {
    let dir = tempfile::tempdir().unwrap();
    let lake = Lake::open(dir.path().to_str().unwrap()).unwrap();
    let folder = dir.path().join("landing/aurora/public/customers");
    write_file(
        &folder.join(load_file_name()),
        "customers",
        &[
            customer("I", T0, "C1", "low"),
            customer("I", T0, "C2", "low"),
        ],
        false,
    )
    .unwrap();
    write_file(
        &folder.join(cdc_file_name(T0 + 3 * HOUR)),
        "customers",
        &[
            customer("U", T0 + 2 * HOUR, "C1", "high"),
            customer("D", T0 + 3 * HOUR, "C2", "low"),
        ],
        true,
    )
    .unwrap();
    ingest_lake(&lake, &|_| {}).await.unwrap();
    // A change committed at T0+1h arrives after the T0+2h one.
    write_file(
        &folder.join(cdc_file_name(T0 + 4 * HOUR)),
        "customers",
        &[customer("U", T0 + HOUR, "C1", "medium")],
        true,
    )
    .unwrap();
    ingest_lake(&lake, &|_| {}).await.unwrap();

    let query = "SELECT customer_id, risk_rating, \
                 CAST((CAST(valid_from AS BIGINT) - 1772400000000000) / 3600000000 AS INT), \
                 CAST((CAST(valid_to AS BIGINT) - 1772400000000000) / 3600000000 AS INT), \
                 is_current, is_deleted \
                 FROM silver.customers_history ORDER BY customer_id, valid_from";
    assert_eq!(
        rows(&lake, query).await,
        vec![
            "C1 low 0 1 false false",
            "C1 medium 1 2 false false",
            "C1 high 2 null true false",
            "C2 low 0 3 false false",
            "C2 low 3 null false true",
        ]
    );
    // What was known at T0 + 90 minutes.
    let as_of = "SELECT customer_id, risk_rating FROM silver.customers_history \
                 WHERE valid_from <= to_timestamp_micros(1772405400000000) \
                   AND (valid_to IS NULL OR valid_to > to_timestamp_micros(1772405400000000)) \
                   AND NOT is_deleted ORDER BY 1";
    assert_eq!(rows(&lake, as_of).await, vec!["C1 medium", "C2 low"]);
    // Silver's current state agrees with the history's current rows.
    assert_eq!(
        rows(&lake, "SELECT customer_id, risk_rating FROM silver.customers ORDER BY 1").await,
        rows(&lake, "SELECT customer_id, risk_rating FROM silver.customers_history WHERE is_current ORDER BY 1").await
    );
}
