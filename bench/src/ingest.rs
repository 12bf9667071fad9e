//! `paylake bench ingest`: landing to silver for DMS Parquet CDC and DynamoDB stream records,
//! beside the floor (read the records, write them once as Parquet) and the peer (the same
//! landing to silver with Python `deltalake` and `polars`), on the same files in one run.
//!
//! Each contender runs as its own process, so that its peak RSS is its own; the bench polls
//! `/proc/<pid>/status` for the high-water mark while it runs.

use std::fs::File;
use std::path::Path;
use std::process::Command;

use arrow::array::RecordBatch;
use parquet::arrow::ArrowWriter;
use paylake_catalog::{registry, Lake, Zone};
use paylake_ingest::landing::list_files;
use paylake_ingest::rows::{rows_to_batch, Value};
use paylake_ingest::sources::dms::{self, DmsChange};
use paylake_ingest::sources::dynamodb::{self, number_attribute, string_attribute, StreamRecord};
use paylake_ingest::sources::Source;
use serde_json::Map;

use super::{io_error, measure, Lcg, Measure};
use crate::compare::{digest_of_rows, RowsDigest};
use crate::error::Result;

/// A source the ingest bench generates landing files for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BenchSource {
    /// AWS DMS Parquet CDC files of transactions.
    Dms,
    /// DynamoDB stream records of payments.
    Dynamodb,
}

impl BenchSource {
    /// The name the command line and the peer script know the source by.
    pub fn name(self) -> &'static str {
        match self {
            BenchSource::Dms => "dms",
            BenchSource::Dynamodb => "dynamodb",
        }
    }
}

/// Records per landing file, about what DMS and a stream consumer write per object.
const RECORDS_PER_FILE: u64 = 100_000;
const T0_MICROS: i64 = 1_772_400_000_000_000;

/// A transaction's memo: mostly a plain reference; one in a hundred carries personal data
/// (an email, a card number, a phone number) that both sides must redact alike.
fn memo(key: u64) -> String {
    match key % 300 {
        0 => format!("refund to payer{key}@example.com"),
        100 => "card 4111 1111 1111 1111 declined".to_string(),
        200 => format!("call back +1 415 555 {:04}", key % 10_000),
        _ => "invoice 2026-03".to_string(),
    }
}

/// DMS CDC files of `transactions`: 70% inserts of new keys, the rest updates of earlier ones.
fn write_dms_landing(landing: &Path, records: u64) -> Result<()> {
    let folder = landing.join("aurora/public/transactions");
    let mut random = Lcg(7);
    let mut keys = 0_u64;
    let mut written = 0_u64;
    while written < records {
        let count = RECORDS_PER_FILE.min(records - written);
        let changes: Vec<DmsChange> = (0..count)
            .map(|index| {
                let at = T0_MICROS + ((written + index) as i64) * 1_000;
                let (op, key) = if keys == 0 || random.below(10) < 7 {
                    keys += 1;
                    ("I", keys)
                } else {
                    ("U", 1 + random.below(keys))
                };
                DmsChange {
                    op,
                    commit_micros: at,
                    values: vec![
                        Value::Text(format!("T{key:09}")),
                        Value::Text(format!("A{:06}", key % 50_000)),
                        Value::Text(format!("C{:06}", key % 40_000)),
                        Value::from("transfer_out"),
                        Value::Decimal(i128::from(random.below(5_000_000)) + 1),
                        Value::from("USD"),
                        Value::from("online"),
                        Value::Text(format!("A{:06}", random.below(50_000))),
                        Value::from(if op == "I" { "pending" } else { "completed" }),
                        Value::from(memo(key)),
                        Value::TimestampMicros(at),
                        Value::TimestampMicros(at),
                    ],
                }
            })
            .collect();
        let path = folder.join(dms::cdc_file_name(T0_MICROS + written as i64 * 1_000));
        dms::write_file(&path, "transactions", &changes, true)?;
        written += count;
    }
    Ok(())
}

/// DynamoDB stream records of `payments`: inserts, then modifications of earlier payments.
fn write_dynamodb_landing(landing: &Path, records: u64) -> Result<()> {
    let folder = landing.join("dynamodb/payments/shardId-00000001");
    let mut random = Lcg(11);
    let mut keys = 0_u64;
    let mut written = 0_u64;
    while written < records {
        let count = RECORDS_PER_FILE.min(records - written);
        let stream_records: Vec<StreamRecord> = (0..count)
            .map(|index| {
                let sequence = written + index + 1;
                let (event_name, key) = if keys == 0 || random.below(10) < 7 {
                    keys += 1;
                    ("INSERT", keys)
                } else {
                    ("MODIFY", 1 + random.below(keys))
                };
                let payment_id = format!("P{key:09}");
                let mut image = Map::new();
                image.insert("payment_id".into(), string_attribute(&payment_id));
                image.insert(
                    "customer_id".into(),
                    string_attribute(&format!("C{:06}", key % 40_000)),
                );
                image.insert(
                    "account_id".into(),
                    string_attribute(&format!("A{:06}", key % 50_000)),
                );
                image.insert(
                    "merchant_id".into(),
                    string_attribute(&format!("M{:04}", key % 900)),
                );
                let cents = random.below(5_000_000) + 1;
                image.insert(
                    "amount".into(),
                    number_attribute(&format!("{}.{:02}", cents / 100, cents % 100)),
                );
                image.insert("currency".into(), string_attribute("USD"));
                image.insert("channel".into(), string_attribute("card_present"));
                image.insert(
                    "status".into(),
                    string_attribute(if event_name == "INSERT" {
                        "created"
                    } else {
                        "captured"
                    }),
                );
                image.insert("card_last4".into(), string_attribute("4242"));
                image.insert(
                    "created_at".into(),
                    string_attribute("2026-03-02T10:00:00Z"),
                );
                image.insert(
                    "updated_at".into(),
                    number_attribute(&(1_772_445_600_000 + sequence).to_string()),
                );
                let mut keys_map = Map::new();
                keys_map.insert("payment_id".into(), string_attribute(&payment_id));
                StreamRecord {
                    event_id: format!("ev{sequence:012}"),
                    event_name,
                    approximate_creation_seconds: 1_772_445_600 + (sequence / 1000) as i64,
                    sequence_number: format!("{sequence:021}"),
                    keys: keys_map,
                    new_image: Some(image),
                    old_image: None,
                }
            })
            .collect();
        let path = folder.join(format!("{:021}.jsonl", written + 1));
        dynamodb::write_file(&path, &stream_records)?;
        written += count;
    }
    Ok(())
}

/// The floor: every landing record of the source read and written once as Parquet.
pub fn run_floor(landing: &Path, source: BenchSource, output: &Path) -> Result<u64> {
    let (source, entity) = match source {
        BenchSource::Dms => (Source::Aurora, "transactions"),
        BenchSource::Dynamodb => (Source::DynamoDb, "payments"),
    };
    let table = registry().get(Zone::Silver, entity)?;
    let schema = std::sync::Arc::new(arrow::datatypes::Schema::new(
        table.business_fields().into_iter().collect::<Vec<_>>(),
    ));
    let file = File::create(output).map_err(io_error(output))?;
    let mut writer = ArrowWriter::try_new(file, schema.clone(), None)?;
    let mut records = 0;
    for landing_file in list_files(landing, source)? {
        let parsed = source.read_file(&landing_file.path, &landing_file.relative_path);
        let rows: Vec<Vec<Value>> = parsed
            .taken
            .into_values()
            .flatten()
            .map(|record| record.values)
            .collect();
        records += rows.len() as u64;
        writer.write(&rows_to_batch(&schema, &rows)?)?;
        let business_columns: Vec<usize> = (0..schema.fields().len()).collect();
        for taken in parsed.taken_columns.into_values().flatten() {
            records += taken.num_rows() as u64;
            let business = taken.project(&business_columns)?;
            writer.write(&RecordBatch::try_new(
                schema.clone(),
                business.columns().to_vec(),
            )?)?;
        }
    }
    writer.close()?;
    Ok(records)
}

fn print_line(name: &str, records: u64, measure: &Measure, floor_seconds: f64) {
    println!(
        "  {name:<28} {:>9.2} s {:>12.0} records/s {:>8.0} MiB peak RSS {:>6.2}x floor",
        measure.seconds,
        records as f64 / measure.seconds,
        measure.peak_rss_bytes as f64 / 1_048_576.0,
        measure.seconds / floor_seconds
    );
}

/// The digest of a silver table's rows: the business columns and the lineage both sides keep
/// (landing file and position).
async fn silver_digest(lake_root: &Path, entity: &str) -> Result<RowsDigest> {
    let lake = Lake::open(lake_root.to_str().unwrap_or_default())?;
    let table = registry().get(Zone::Silver, entity)?;
    let Some(delta_table) = paylake_catalog::delta::open_table(&lake, table).await? else {
        return Err(crate::error::BenchError::Process(format!(
            "no silver.{entity} under {}",
            lake_root.display()
        )));
    };
    let context = paylake_catalog::session::table_session(table, &delta_table).await?;
    let columns: Vec<String> = table
        .business_fields()
        .iter()
        .map(|field| field.name().clone())
        .chain([
            paylake_catalog::lineage::SOURCE_FILE.to_string(),
            paylake_catalog::lineage::SOURCE_POSITION.to_string(),
        ])
        .map(|name| format!("\"{name}\""))
        .collect();
    let query = format!(
        "SELECT {} FROM {}",
        columns.join(", "),
        table.qualified_name()
    );
    digest_of_rows(&context, &query).await
}

/// Generates the landing files, then measures floor, paylake and peer on them, and compares
/// paylake's silver with the peer's; an error when they differ or the peer failed.
pub async fn bench_ingest(
    records: u64,
    sources: &[BenchSource],
    workdir: &Path,
    python: &str,
) -> Result<()> {
    let exe = std::env::current_exe().map_err(io_error(Path::new("paylake")))?;
    let peer_script = Path::new(env!("CARGO_MANIFEST_DIR")).join("peer_ingest.py");
    for source in sources {
        let name = source.name();
        let root = workdir.join(name);
        if root.exists() {
            std::fs::remove_dir_all(&root).map_err(io_error(&root))?;
        }
        let paylake_lake = root.join("paylake");
        let landing = Lake::open(paylake_lake.to_str().unwrap_or_default())?.landing_dir()?;
        eprintln!(
            "writing {records} {name} records into {}",
            landing.display()
        );
        match source {
            BenchSource::Dms => write_dms_landing(&landing, records)?,
            BenchSource::Dynamodb => write_dynamodb_landing(&landing, records)?,
        }
        let floor_output = root.join("floor.parquet");
        let floor = measure(
            Command::new(&exe)
                .args(["bench", "floor", "--source", name, "--landing"])
                .arg(&landing)
                .arg("--output")
                .arg(&floor_output),
            "the floor",
        )?;
        let paylake = measure(
            Command::new(&exe)
                .args(["ingest", "--lake"])
                .arg(&paylake_lake),
            "paylake ingest",
        )?;
        let peer = measure(
            Command::new(python)
                .arg(&peer_script)
                .args(["--kind", name, "--landing"])
                .arg(&landing)
                .arg("--lake")
                .arg(root.join("peer")),
            "the peer (python deltalake + polars)",
        );
        println!("{name}: {records} records, landing to silver");
        print_line(
            "floor (read, write parquet)",
            records,
            &floor,
            floor.seconds,
        );
        print_line("paylake ingest", records, &paylake, floor.seconds);
        let peer = peer?;
        print_line("peer (deltalake + polars)", records, &peer, floor.seconds);
        println!(
            "  paylake is {:.2}x the peer's speed",
            peer.seconds / paylake.seconds
        );
        let entity = match source {
            BenchSource::Dms => "transactions",
            BenchSource::Dynamodb => "payments",
        };
        let ours = silver_digest(&paylake_lake, entity).await?;
        let theirs = silver_digest(&root.join("peer"), entity).await?;
        if ours != theirs {
            return Err(crate::error::BenchError::Differs(format!(
                "{name}: silver.{entity} differs: paylake {ours}, the peer {theirs}"
            )));
        }
        println!("  silver.{entity} equal on both sides: {ours}");
    }
    Ok(())
}
