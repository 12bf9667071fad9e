//! Daily cloud cost of the platform, as FOCUS rows.

use std::path::Path;

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::clock::{Clock, MICROS_PER_DAY};
use crate::error::Result;
use crate::sources::focus::{self, FocusRow};

/// (service, category, resource, typical daily cost in USD)
const RESOURCES: [(&str, &str, &str, u32); 6] = [
    (
        "Amazon Simple Storage Service",
        "Storage",
        "arn:aws:s3:::paylake-lake",
        40,
    ),
    (
        "Amazon Kinesis",
        "Analytics",
        "arn:aws:kinesis:us-east-1:123456789012:stream/payment-events",
        25,
    ),
    (
        "Amazon DynamoDB",
        "Databases",
        "arn:aws:dynamodb:us-east-1:123456789012:table/payments",
        60,
    ),
    (
        "Amazon Relational Database Service",
        "Databases",
        "arn:aws:rds:us-east-1:123456789012:cluster:core",
        120,
    ),
    (
        "AWS Database Migration Service",
        "Databases",
        "arn:aws:dms:us-east-1:123456789012:rep:core-cdc",
        18,
    ),
    (
        "Amazon Athena",
        "Analytics",
        "arn:aws:athena:us-east-1:123456789012:workgroup/analysts",
        9,
    ),
];

pub fn write(landing_dir: &Path, rng: &mut ChaCha8Rng, clock: &Clock) -> Result<u64> {
    let mut files = 0;
    for date in clock.business_dates() {
        let start = Clock::utc_midnight_micros(date);
        let rows: Vec<FocusRow> = RESOURCES
            .iter()
            .map(|(service, category, resource, daily)| {
                // Cost drawn in ten-thousandths of a dollar, scaled to the FOCUS cost scale.
                let cost = i128::from(rng.random_range(daily * 8_000..daily * 12_000))
                    * 10_i128.pow(focus::COST_SCALE - 4);
                FocusRow {
                    billing_account_id: "123456789012".into(),
                    service_name: (*service).into(),
                    service_category: (*category).into(),
                    resource_id: (*resource).into(),
                    charge_period_start_micros: start,
                    charge_period_end_micros: start + MICROS_PER_DAY,
                    billed_cost: cost,
                    effective_cost: cost - cost / 10,
                    tags_json: r#"{"application": "paylake", "environment": "prod"}"#.into(),
                }
            })
            .collect();
        focus::write_file(&landing_dir.join(focus::file_name(date)), &rows)?;
        files += 1;
    }
    Ok(files)
}
