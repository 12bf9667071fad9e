//! The lake on S3 (moto's server), landing included, with the standard AWS configuration:
//! two ingests of the same landing files at once lose nothing and duplicate nothing, thanks
//! to S3 conditional writes under Delta's commits.

use crate::moto;
use crate::support;
use crate::support::run;

use std::process::Command;

use paylake_catalog::{registry, Zone};

fn paylake(moto: &moto::Moto) -> Command {
    let mut command = support::paylake_command();
    moto.aws_env(&mut command);
    command
}

/// Every bronze and silver table's row count, in one query.
fn table_counts_query() -> String {
    let counts: Vec<String> = registry()
        .tables()
        .iter()
        .filter(|table| matches!(table.zone, Zone::Bronze | Zone::Silver))
        .map(|table| {
            format!(
                "(SELECT count(*) FROM {0}) AS \"{0}\"",
                table.qualified_name()
            )
        })
        .collect();
    assert!(counts.len() > 20);
    format!("SELECT {}", counts.join(", "))
}

#[test]
fn concurrent_ingests_on_s3_equal_one_ingest_on_disk() {
    let moto = moto::Moto::start();
    moto.python("client('s3').create_bucket(Bucket='lake')");
    let dir = tempfile::tempdir().unwrap();
    let local = dir.path().join("local");
    let local_arg = local.to_str().unwrap();
    let simulation = ["--days", "1", "--payments-per-day", "150", "--seed", "9"];
    run(paylake(&moto)
        .args(["simulate", "--lake", local_arg])
        .args(simulation));
    run(paylake(&moto).args(["ingest", "--lake", local_arg]));
    let query = table_counts_query();
    let on_disk =
        run(paylake(&moto).args(["sql", "--lake", local_arg, "--format", "json", &query]));
    assert!(on_disk.contains("\"silver.payments\":150"), "{on_disk}");

    // Rounds of two ingests of the same files started together (threads released by one
    // barrier): each round's lake holds every record exactly once, and over the rounds the
    // writer that lost a commit race saw the conflict and retried.
    const ROUNDS: usize = 3;
    let mut retried = 0;
    for round in 0..ROUNDS {
        let remote = format!("s3://lake/round-{round}");
        run(paylake(&moto)
            .args(["simulate", "--lake", &remote])
            .args(simulation));
        let barrier = std::sync::Barrier::new(2);
        let outputs: Vec<std::process::Output> = std::thread::scope(|scope| {
            let racers: Vec<_> = (0..2)
                .map(|_| {
                    scope.spawn(|| {
                        let mut ingest = paylake(&moto);
                        ingest.args(["ingest", "--lake", &remote]);
                        barrier.wait();
                        ingest.output().unwrap()
                    })
                })
                .collect();
            racers
                .into_iter()
                .map(|racer| racer.join().unwrap())
                .collect()
        });
        for output in &outputs {
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert!(output.status.success(), "a racing ingest failed: {stderr}");
            if stderr.contains("another writer committed first; retrying") {
                retried += 1;
            }
        }
        let on_s3 =
            run(paylake(&moto).args(["sql", "--lake", &remote, "--format", "json", &query]));
        assert_eq!(on_s3, on_disk, "round {round}");
    }
    assert!(
        retried >= 1,
        "in {ROUNDS} rounds no racing ingest lost a commit and retried"
    );
    let remote = "s3://lake/round-0";
    // A business date builds on S3 too, its report included.
    let built = run(paylake(&moto).args(["run", "--lake", remote, "--date", "2026-03-02"]));
    assert!(
        built.contains("s3://lake/round-0/reports/aml/2026-03-02.html"),
        "{built}"
    );
    let report = moto.python(
        "print(client('s3').get_object(Bucket='lake', Key='round-0/reports/aml/2026-03-02.html')['Body'].read().decode()[:200])",
    );
    assert!(
        report.contains("<html") || report.contains("<!DOCTYPE"),
        "{report}"
    );
    // Stream consumers land on S3 too, checkpoints included: a second pass lands nothing.
    moto.python(
        "import json\nk = client('kinesis')\nk.create_stream(StreamName='payment-events', ShardCount=2)\n\
for i in range(7):\n    k.put_record(StreamName='payment-events', PartitionKey=str(i), \
Data=json.dumps({'event_id': 'K%d' % i, 'payment_id': 'P1', 'event_type': 'auth'}))",
    );
    let consumed = run(paylake(&moto).args([
        "consume",
        "--lake",
        remote,
        "--kinesis-stream",
        "payment-events",
    ]));
    assert!(consumed.contains("7 records"), "{consumed}");
    let again = run(paylake(&moto).args([
        "consume",
        "--lake",
        remote,
        "--kinesis-stream",
        "payment-events",
    ]));
    assert!(again.contains("0 records"), "{again}");
    let events = run(paylake(&moto).args([
        "sql",
        "--lake",
        remote,
        "--format",
        "csv",
        "SELECT count(*) AS n FROM silver.payment_events WHERE event_id LIKE 'K%'",
    ]));
    assert_eq!(events.lines().nth(1), Some("7"));
    // And the objects really are on S3.
    let listing = moto.python(
        "print(client('s3').list_objects_v2(Bucket='lake', Prefix='round-0/silver/payments/_delta_log/')['KeyCount'])",
    );
    assert!(listing.trim().parse::<u32>().unwrap() >= 1);
    // A regulatory export to a bucket with Object Lock: every object is retained, COMPLIANCE,
    // (moto answers GetObjectRetention empty, so the object's headers are read),
    // for the five years of the settings; exported again, the package is found unchanged.
    moto.python("client('s3').create_bucket(Bucket='filings', ObjectLockEnabledForBucket=True)");
    let export = [
        "export",
        "--lake",
        remote,
        "--kind",
        "fincen-ctr",
        "--from",
        "2026-03-02",
        "--to",
        "2026-03-02",
        "--out",
        "s3://filings/fincen",
        "--filing-date",
        "2026-03-03",
    ];
    let delivered = run(paylake(&moto).args(export));
    assert!(delivered.contains("(delivered)"), "{delivered}");
    assert!(
        delivered.contains("object lock COMPLIANCE until"),
        "{delivered}"
    );
    let retention = moto.python(
        "from datetime import datetime, timezone\n\
s3 = client('s3')\n\
keys = [o['Key'] for o in s3.list_objects_v2(Bucket='filings')['Contents']]\n\
rows = [(k, s3.head_object(Bucket='filings', Key=k)) for k in keys]\n\
now = datetime.now(timezone.utc)\n\
print(chr(10).join('%s %s %d' % (k, r['ObjectLockMode'], (r['ObjectLockRetainUntilDate'] - now).days // 365) for k, r in rows))",
    );
    assert!(
        retention.contains("fincen-ctr_2026-03-02_2026-03-02/manifest.json"),
        "{retention}"
    );
    for line in retention.lines().filter(|line| !line.is_empty()) {
        assert!(
            line.ends_with("COMPLIANCE 4") || line.ends_with("COMPLIANCE 5"),
            "{line}"
        );
    }
    let again = run(paylake(&moto).args(export));
    assert!(again.contains("already delivered, unchanged"), "{again}");

    // A bucket whose lock configuration cannot be read (here: there is no such bucket) fails
    // the export, naming the bucket, before anything is written; a bucket that simply has no
    // lock configured is written to without retention.
    let to = |out: &'static str| {
        let mut to_out = export;
        let destination = 1 + export.iter().position(|arg| *arg == "--out").unwrap();
        to_out[destination] = out;
        to_out
    };
    let unreadable = paylake(&moto)
        .args(to("s3://no-such-bucket/fincen"))
        .output()
        .unwrap();
    let refusal = String::from_utf8_lossy(&unreadable.stderr);
    assert!(
        !unreadable.status.success(),
        "exported without its retention"
    );
    assert!(
        refusal.contains("s3://no-such-bucket")
            && refusal.contains("Object Lock configuration cannot be read"),
        "{refusal}"
    );
    moto.python("client('s3').create_bucket(Bucket='unlocked')");
    let unlocked = run(paylake(&moto).args(to("s3://unlocked/fincen")));
    assert!(unlocked.contains("(delivered)"), "{unlocked}");
    assert!(!unlocked.contains("object lock"), "{unlocked}");
}
