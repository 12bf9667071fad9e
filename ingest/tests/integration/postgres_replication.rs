//! Logical replication from a real PostgreSQL 15 (pgoutput): snapshot consistent with the
//! slot, inserts, updates, deletes, a primary-key change, a truncate, a value that does not
//! fit, a column the source adds, and a crash between the lake's commit and the slot's
//! confirmation; every call is an ingest run of the Aurora source.

use crate::support::lake::rows as lake_rows;
use crate::support::postgres::Postgres;
use paylake_catalog::Lake;
use paylake_ingest::bronze::IngestRun;
use paylake_ingest::sources::postgres::replication::{
    ReplicationReport, ReplicationSettings, Replicator,
};
use paylake_ingest::{refresh_silver, SourceReport};

const SCHEMA: &str = "
CREATE TABLE customers (customer_id text PRIMARY KEY, customer_type text, full_name text,
  country text, occupation text, industry text, is_pep boolean, risk_rating text,
  date_of_birth date, address text, email text, phone text, created_at timestamptz,
  updated_at timestamptz, segment text);
CREATE TABLE accounts (account_id text PRIMARY KEY, customer_id text, account_type text,
  currency text, status text, opened_at timestamptz, updated_at timestamptz);
CREATE TABLE transactions (transaction_id text PRIMARY KEY, account_id text, customer_id text,
  transaction_type text, amount numeric, currency text, channel text,
  counterparty_account_id text, status text, memo text, created_at timestamptz,
  updated_at timestamptz);
CREATE TABLE fx_rates (rate_date date, currency text, usd_rate numeric,
  PRIMARY KEY (rate_date, currency));
INSERT INTO customers VALUES
  ('C1', 'person', 'Ana Lima', 'BR', 'engineer', NULL, false, 'low', '1990-01-02', 'Rua 1',
   'ana@example.com', '+5511999990000', '2026-03-01 10:00:00+00', '2026-03-01 10:00:00+00',
   'retail'),
  ('C2', 'person', 'Bo Chen', 'US', 'teacher', NULL, true, 'high', '1980-05-06', 'Main St 2',
   'bo@example.com', '+14155550100', '2026-03-01 11:00:00.123456+00', '2026-03-01 11:00:00+00',
   NULL);
INSERT INTO accounts VALUES ('A1', 'C1', 'checking', 'USD', 'open', '2026-03-01 10:00:00+00',
  '2026-03-01 10:00:00+00');
";

fn settings(postgres: &Postgres) -> ReplicationSettings {
    ReplicationSettings {
        connection: postgres.connection(),
        slot: "paylake_test".into(),
        publication: "paylake_test".into(),
        batch_changes: 3,
    }
}

async fn source_rows(client: &tokio_postgres::Client, query: &str) -> Vec<String> {
    client
        .simple_query(query)
        .await
        .unwrap()
        .into_iter()
        .filter_map(|message| match message {
            tokio_postgres::SimpleQueryMessage::Row(row) => Some(
                (0..row.len())
                    .map(|index| row.get(index).unwrap_or("null").to_string())
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
            _ => None,
        })
        .collect()
}

/// One replication call, then silver merged from what it brought.
async fn replicate_and_merge(replicator: &Replicator, lake: &Lake) -> ReplicationReport {
    let report = replicator.replicate(lake).await.unwrap();
    refresh_silver(lake, &|_| {}).await.unwrap();
    report
}

/// Runs `statements` on the source, then replicates and merges.
async fn change_and_replicate(
    (source, replicator, lake): (&tokio_postgres::Client, &Replicator, &Lake),
    statements: &str,
) {
    source.batch_execute(statements).await.unwrap();
    replicate_and_merge(replicator, lake).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn changes_arrive_once_in_order_and_survive_a_crash_before_confirmation() {
    let postgres = Postgres::start();
    let source = postgres.client().await;
    source.batch_execute(SCHEMA).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let lake = Lake::open(dir.path().to_str().unwrap()).unwrap();

    // First run: slot, publication and a snapshot of what exists.
    let replicator = Replicator::connect(settings(&postgres)).await.unwrap();
    let report = replicate_and_merge(&replicator, &lake).await;
    assert_eq!(report.snapshot_rows, 3);
    let customers =
        "SELECT customer_id, risk_rating, is_pep, created_at FROM silver.customers ORDER BY 1";
    assert_eq!(
        lake_rows(&lake, customers).await,
        vec![
            "C1 low false 2026-03-01T10:00:00Z",
            "C2 high true 2026-03-01T11:00:00.123456Z"
        ]
    );
    // A column the registry does not know is carried along from the snapshot on.
    assert_eq!(
        lake_rows(
            &lake,
            "SELECT customer_id, segment FROM silver.customers ORDER BY 1"
        )
        .await,
        vec!["C1 retail", "C2 null"]
    );
    drop(replicator);

    // Changes in several transactions, one of them changing a primary key.
    source
        .batch_execute(
            "BEGIN;
             INSERT INTO customers (customer_id, risk_rating, is_pep) VALUES ('C3', 'medium', false);
             UPDATE customers SET risk_rating = 'medium' WHERE customer_id = 'C1';
             UPDATE customers SET risk_rating = 'high' WHERE customer_id = 'C1';
             COMMIT;
             DELETE FROM customers WHERE customer_id = 'C2';
             UPDATE accounts SET account_id = 'A9', status = 'frozen' WHERE account_id = 'A1';
             INSERT INTO transactions (transaction_id, account_id, amount, currency, memo)
               VALUES ('T1', 'A9', 125.50, 'USD', 'rent, receipt to ana@example.com'),
                      ('T2', 'A9', 1.234, 'USD', 'fraction of a cent');
             INSERT INTO fx_rates VALUES ('2026-03-01', 'EUR', 1.08), ('2026-03-01', 'GBP', 1.27);",
        )
        .await
        .unwrap();

    // A crash: the lake has committed a batch, but the slot was never told.
    let crashed = Replicator::connect(settings(&postgres)).await.unwrap();
    let batch = crashed.next_batch(&lake).await.unwrap();
    assert!(!batch.is_empty());
    crashed
        .commit(
            &lake,
            &batch,
            &IngestRun::start(),
            &mut SourceReport::default(),
        )
        .await
        .unwrap();
    drop(crashed);

    let replicator = Replicator::connect(settings(&postgres)).await.unwrap();
    let report = replicate_and_merge(&replicator, &lake).await;
    assert_eq!(report.snapshot_rows, 0);
    assert_eq!(report.quarantined, 1);

    // Each change once in bronze, though its transaction was decoded twice.
    assert_eq!(
        lake_rows(&lake, "SELECT count(*) FROM (SELECT _source_order FROM bronze.customers GROUP BY 1 HAVING count(*) > 1)").await,
        vec!["0"]
    );
    assert_eq!(
        lake_rows(
            &lake,
            "SELECT customer_id, risk_rating FROM silver.customers ORDER BY 1"
        )
        .await,
        source_rows(
            &source,
            "SELECT customer_id, risk_rating FROM customers ORDER BY 1"
        )
        .await
    );
    assert_eq!(
        lake_rows(
            &lake,
            "SELECT account_id, status FROM silver.accounts ORDER BY 1"
        )
        .await,
        vec!["A9 frozen"]
    );
    assert_eq!(
        lake_rows(
            &lake,
            "SELECT transaction_id, amount, memo FROM silver.transactions ORDER BY 1"
        )
        .await,
        vec!["T1 125.50 rent, receipt to [EMAIL]"]
    );
    let reasons = lake_rows(&lake, "SELECT reason FROM quarantine.aurora").await;
    assert!(
        reasons[0].contains("field 'amount'") && reasons[0].contains("more than 2 decimal places"),
        "{reasons:?}"
    );
    assert!(
        reasons[0].starts_with("postgres/paylake_test/"),
        "{reasons:?}"
    );
    // Each call is a run of the Aurora source whose counts reconcile with quarantine. The
    // snapshot's units are its five tables (one missing from the source); the second run
    // skips the transaction the crashed commit wrote and takes the one after it (the
    // statements of one simple query are one transaction).
    assert_eq!(
        lake_rows(
            &lake,
            "SELECT files_taken, records_read, records_taken, records_quarantined, \
             (SELECT count(*) FROM quarantine.aurora WHERE _ingest_run = runs.run_id) \
             FROM system.ingest_runs AS runs WHERE source = 'aurora' ORDER BY started_at"
        )
        .await,
        vec!["5 3 3 0 0", "1 7 6 1 1"]
    );

    // The source adds columns: their changes bring them to bronze and silver, typed as the
    // source declares them, and null where a row had none.
    change_and_replicate(
        (&source, &replicator, &lake),
        "ALTER TABLE accounts ADD COLUMN credit_limit numeric(12,2), ADD COLUMN tier int4;
         INSERT INTO accounts VALUES ('A2', 'C1', 'savings', 'USD', 'open', NULL, NULL,
           2500.50, 3);
         UPDATE customers SET segment = 'business' WHERE customer_id = 'C3';",
    )
    .await;
    assert_eq!(
        lake_rows(
            &lake,
            "SELECT account_id, credit_limit, tier, arrow_typeof(credit_limit), arrow_typeof(tier) \
             FROM silver.accounts ORDER BY 1"
        )
        .await,
        vec![
            "A2 2500.50 3 Decimal128(12, 2) Int64",
            "A9 null null Decimal128(12, 2) Int64"
        ]
    );
    assert_eq!(
        lake_rows(
            &lake,
            "SELECT customer_id, segment FROM silver.customers ORDER BY 1"
        )
        .await,
        vec!["C1 retail", "C3 business"]
    );

    // A truncate removes every row the lake holds of the table.
    change_and_replicate(
        (&source, &replicator, &lake),
        "TRUNCATE fx_rates; INSERT INTO fx_rates VALUES ('2026-03-02', 'EUR', 1.09);",
    )
    .await;
    assert_eq!(
        lake_rows(
            &lake,
            "SELECT CAST(rate_date AS VARCHAR), currency, usd_rate FROM silver.fx_rates"
        )
        .await,
        vec!["2026-03-02 EUR 1.09000000"]
    );

    // Nothing left to take, and the slot stands at the end of the stream.
    let again = replicator.replicate(&lake).await.unwrap();
    assert_eq!((again.transactions, again.changes), (0, 0));
    let slot = source_rows(
        &source,
        "SELECT confirmed_flush_lsn >= pg_current_wal_insert_lsn() - 1000 FROM pg_replication_slots WHERE slot_name = 'paylake_test'",
    )
    .await;
    assert_eq!(slot, vec!["t"]);
}
