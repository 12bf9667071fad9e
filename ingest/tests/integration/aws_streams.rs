//! Stream consumers against moto's server: Kinesis shards (with a reshard) and the DynamoDB
//! Streams API, landed with per-shard checkpoints and taken into silver exactly once.

use crate::support::lake::rows;

use crate::support::moto::Moto;
use paylake_catalog::Lake;
use paylake_ingest::ingest_lake;
use paylake_ingest::landing::LandingStore;
use paylake_ingest::sources::{dynamodb_consumer, kinesis_consumer};

async fn put_events(client: &aws_sdk_kinesis::Client, ids: std::ops::Range<u32>) {
    for id in ids {
        let event = format!(
            r#"{{"event_id":"E{id:03}","payment_id":"P{}","event_type":"auth","occurred_at":"2026-03-02T10:00:{:02}Z"}}"#,
            id % 7,
            id % 60
        );
        client
            .put_record()
            .stream_name("payment-events")
            .partition_key(format!("P{}", id % 7))
            .data(aws_sdk_kinesis::primitives::Blob::new(event))
            .send()
            .await
            .unwrap();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn kinesis_shards_and_a_reshard_arrive_once() {
    let moto = Moto::start();
    let config = moto.sdk_config().await;
    let kinesis = aws_sdk_kinesis::Client::new(&config);
    kinesis
        .create_stream()
        .stream_name("payment-events")
        .shard_count(2)
        .send()
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let lake = Lake::open(dir.path().to_str().unwrap()).unwrap();
    let landing = LandingStore::open(&lake).unwrap();

    put_events(&kinesis, 0..10).await;
    let first = kinesis_consumer::consume_stream(&kinesis, "payment-events", &landing, 4)
        .await
        .unwrap();
    assert_eq!((first.shards, first.records), (2, 10));

    // Resharding closes the two shards and opens their children.
    kinesis
        .update_shard_count()
        .stream_name("payment-events")
        .target_shard_count(4)
        .scaling_type(aws_sdk_kinesis::types::ScalingType::UniformScaling)
        .send()
        .await
        .unwrap();
    put_events(&kinesis, 10..25).await;
    let second = kinesis_consumer::consume_stream(&kinesis, "payment-events", &landing, 4)
        .await
        .unwrap();
    assert_eq!(second.records, 15, "{second:?}");
    assert!(second.shards > 2, "{second:?}");

    // Nothing new: nothing landed, nothing taken twice.
    let third = kinesis_consumer::consume_stream(&kinesis, "payment-events", &landing, 4)
        .await
        .unwrap();
    assert_eq!(third.records, 0);
    ingest_lake(&lake, &|_| {}).await.unwrap();
    ingest_lake(&lake, &|_| {}).await.unwrap();
    assert_eq!(
        rows(
            &lake,
            "SELECT count(*), count(DISTINCT event_id) FROM bronze.payment_events"
        )
        .await,
        vec!["25 25"]
    );
    assert_eq!(
        rows(&lake, "SELECT count(*) FROM silver.payment_events").await,
        vec!["25"]
    );
    assert_eq!(
        rows(&lake, "SELECT event_id, payment_id, CAST(occurred_at AS VARCHAR) FROM silver.payment_events WHERE event_id = 'E024'").await,
        vec!["E024 P3 2026-03-02T10:00:24Z"]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn dynamodb_stream_changes_arrive_with_exact_amounts() {
    let moto = Moto::start();
    moto.python(
        r#"
db = client('dynamodb')
db.create_table(TableName='payments', KeySchema=[{'AttributeName': 'payment_id', 'KeyType': 'HASH'}],
    AttributeDefinitions=[{'AttributeName': 'payment_id', 'AttributeType': 'S'}],
    BillingMode='PAY_PER_REQUEST',
    StreamSpecification={'StreamEnabled': True, 'StreamViewType': 'NEW_AND_OLD_IMAGES'})
for payment_id, amount in [('P1', '12.50'), ('P2', '0.10'), ('P3', '99999999.99')]:
    db.put_item(TableName='payments', Item={'payment_id': {'S': payment_id}, 'amount': {'N': amount},
        'currency': {'S': 'USD'}, 'status': {'S': 'created'}})
# Attributes the lake's registry does not list: a map, a string set, a list and a binary.
db.put_item(TableName='payments', Item={'payment_id': {'S': 'P4'}, 'amount': {'N': '5.00'},
    'status': {'S': 'created'},
    'risk': {'M': {'score': {'N': '0.875'}, 'device': {'S': 'd-1'}}},
    'tags': {'SS': ['vip', 'eu']}, 'attempts': {'L': [{'N': '1'}, {'N': '2'}]},
    'token': {'B': b'\x00\x01\x02'}})
db.update_item(TableName='payments', Key={'payment_id': {'S': 'P1'}},
    UpdateExpression='SET #s = :s', ExpressionAttributeNames={'#s': 'status'},
    ExpressionAttributeValues={':s': {'S': 'captured'}})
db.delete_item(TableName='payments', Key={'payment_id': {'S': 'P2'}})
"#,
    );
    let config = moto.sdk_config().await;
    let streams = aws_sdk_dynamodbstreams::Client::new(&config);
    let dir = tempfile::tempdir().unwrap();
    let lake = Lake::open(dir.path().to_str().unwrap()).unwrap();
    let landing = LandingStore::open(&lake).unwrap();

    let report = dynamodb_consumer::consume_table_stream(&streams, "payments", &landing, 2)
        .await
        .unwrap();
    assert_eq!(report.records, 6, "{report:?}");
    let again = dynamodb_consumer::consume_table_stream(&streams, "payments", &landing, 2)
        .await
        .unwrap();
    assert_eq!(again.records, 0);

    let ingested = ingest_lake(&lake, &|_| {}).await.unwrap();
    assert_eq!(
        ingested.sources["dynamodb"].records_quarantined, 0,
        "{:?}",
        ingested.sources
    );
    assert_eq!(
        rows(
            &lake,
            "SELECT payment_id, amount, status FROM silver.payments ORDER BY 1"
        )
        .await,
        vec![
            "P1 12.50 captured",
            "P3 99999999.99 created",
            "P4 5.00 created"
        ]
    );
    // Every DynamoDB type arrives typed: M a struct, N exact, SS and L lists, B binary.
    assert_eq!(
        rows(
            &lake,
            "SELECT payment_id, CAST(risk['score'] AS VARCHAR), risk['device'], array_length(tags), \
             CAST(attempts[2] AS VARCHAR), encode(token, 'hex') FROM silver.payments ORDER BY 1"
        )
        .await,
        vec!["P1 null null null null null", "P3 null null null null null", "P4 0.875 d-1 2 2 000102"]
    );
}
