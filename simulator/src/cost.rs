//! Daily cloud cost of the platform, as FOCUS rows: shared services, the API gateways each
//! payment channel owns (tagged with its channel), and one injected cost anomaly.

use std::path::Path;

use chrono::NaiveDate;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::clock::{Clock, MICROS_PER_DAY, MICROS_PER_HOUR};
use crate::delivery::mark_delivered;
use crate::error::Result;
use paylake_ingest::sources::focus::{self, FocusRow};

/// (service, category, resource, typical daily cost in USD, channel tag)
const RESOURCES: [(&str, &str, &str, u32, Option<&str>); 11] = [
    (
        "Amazon Simple Storage Service",
        "Storage",
        "arn:aws:s3:::paylake-lake",
        40,
        None,
    ),
    (
        "Amazon Kinesis",
        "Analytics",
        "arn:aws:kinesis:us-east-1:123456789012:stream/payment-events",
        25,
        None,
    ),
    (
        "Amazon DynamoDB",
        "Databases",
        "arn:aws:dynamodb:us-east-1:123456789012:table/payments",
        60,
        None,
    ),
    (
        "Amazon Relational Database Service",
        "Databases",
        "arn:aws:rds:us-east-1:123456789012:cluster:core",
        120,
        None,
    ),
    (
        "AWS Database Migration Service",
        "Databases",
        "arn:aws:dms:us-east-1:123456789012:rep:core-cdc",
        18,
        None,
    ),
    (
        "Amazon Athena",
        "Analytics",
        "arn:aws:athena:us-east-1:123456789012:workgroup/analysts",
        9,
        None,
    ),
    (
        "Amazon API Gateway",
        "Networking",
        "arn:aws:apigateway:us-east-1::/restapis/mobile",
        12,
        Some("mobile"),
    ),
    (
        "Amazon API Gateway",
        "Networking",
        "arn:aws:apigateway:us-east-1::/restapis/web",
        10,
        Some("web"),
    ),
    (
        "Amazon API Gateway",
        "Networking",
        "arn:aws:apigateway:us-east-1::/restapis/partner-api",
        6,
        Some("partner_api"),
    ),
    (
        "Amazon API Gateway",
        "Networking",
        "arn:aws:apigateway:us-east-1::/restapis/third-party",
        5,
        Some("third_party"),
    ),
    (
        "Amazon API Gateway",
        "Networking",
        "arn:aws:apigateway:us-east-1::/restapis/pos",
        4,
        Some("pos"),
    ),
];

/// The resource whose cost jumps on the anomaly day, and by how much.
const ANOMALOUS_RESOURCE: usize = 1;
const ANOMALY_FACTOR: i128 = 4;
/// The anomaly falls on this business day (counted from the first), when the run is that long.
const ANOMALY_DAY: u32 = 5;

/// A cost anomaly the simulator injected: its service, resource and UTC billing date.
#[derive(Debug, Clone)]
pub struct CostAnomaly {
    pub date: NaiveDate,
    pub service: &'static str,
    pub resource: &'static str,
}

/// Writes the billing export of business day `day`; returns the anomaly injected into it, if
/// one was.
pub fn write_day(
    landing_dir: &Path,
    rng: &mut ChaCha8Rng,
    clock: &Clock,
    day: u32,
) -> Result<Option<CostAnomaly>> {
    let mut anomaly = None;
    let date = clock.business_date(day);
    let start = Clock::utc_midnight_micros(date);
    let anomalous_day = day == ANOMALY_DAY;
    let rows: Vec<FocusRow> = RESOURCES
        .iter()
        .enumerate()
        .map(|(index, (service, category, resource, daily, channel))| {
            // Cost drawn in ten-thousandths of a dollar, scaled to the FOCUS cost scale.
            let mut cost = i128::from(rng.random_range(daily * 8_000..daily * 12_000))
                * 10_i128.pow(focus::COST_SCALE - 4);
            if anomalous_day && index == ANOMALOUS_RESOURCE {
                cost *= ANOMALY_FACTOR;
                anomaly = Some(CostAnomaly {
                    date,
                    service,
                    resource,
                });
            }
            let tags_json = match channel {
                Some(channel) => format!(
                    r#"{{"application": "paylake", "environment": "prod", "channel": "{channel}"}}"#
                ),
                None => r#"{"application": "paylake", "environment": "prod"}"#.to_string(),
            };
            FocusRow {
                billing_account_id: "123456789012".into(),
                service_name: (*service).into(),
                service_category: (*category).into(),
                resource_id: (*resource).into(),
                charge_period_start_micros: start,
                charge_period_end_micros: start + MICROS_PER_DAY,
                billed_cost: cost,
                effective_cost: cost - cost / 10,
                tags_json,
            }
        })
        .collect();
    let path = landing_dir.join(focus::file_name(date));
    focus::write_file(&path, &rows)?;
    // The billing export of a day arrives the next day.
    mark_delivered(&path, start + MICROS_PER_DAY + 6 * MICROS_PER_HOUR)?;
    Ok(anomaly)
}
