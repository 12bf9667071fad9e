//! Cloud cost and usage in FinOps FOCUS 1.x, as AWS Data Exports writes it.
//!
//! Layout: `cost/focus/<date>.csv`, FOCUS column names in the header, `NULL` for nulls,
//! costs as decimals with up to twelve fractional digits.

use std::path::Path;

use super::delimited::{read_csv, report_time, write_csv, CsvLayout};
use super::ParsedFile;
use crate::error::Result;
use crate::rows::format_decimal;

pub const LANDING_FOLDER: &str = "cost/focus";
pub const ENTITY: &str = "cost_line_items";
/// Scale of the cost columns' unscaled values.
pub const COST_SCALE: u32 = 12;

const LAYOUT: CsvLayout = CsvLayout {
    entity: ENTITY,
    columns: &[
        ("BillingAccountId", "billing_account_id"),
        ("ProviderName", "provider_name"),
        ("ServiceName", "service_name"),
        ("ServiceCategory", "service_category"),
        ("ResourceId", "resource_id"),
        ("ChargeCategory", "charge_category"),
        ("ChargePeriodStart", "charge_period_start"),
        ("ChargePeriodEnd", "charge_period_end"),
        ("BilledCost", "billed_cost"),
        ("EffectiveCost", "effective_cost"),
        ("BillingCurrency", "billing_currency"),
        ("Tags", "tags"),
    ],
    line_id_column: "line_id",
    required_value: None,
};

/// One FOCUS row to write; costs are unscaled at [`COST_SCALE`].
#[derive(Debug, Clone)]
pub struct FocusRow {
    pub billing_account_id: String,
    pub service_name: String,
    pub service_category: String,
    pub resource_id: String,
    pub charge_period_start_micros: i64,
    pub charge_period_end_micros: i64,
    pub billed_cost: i128,
    pub effective_cost: i128,
    pub tags_json: String,
}

pub fn file_name(date: chrono::NaiveDate) -> String {
    format!("{LANDING_FOLDER}/{date}.csv")
}

pub fn write_file(path: &Path, rows: &[FocusRow]) -> Result<()> {
    write_csv(
        path,
        LAYOUT.columns.iter().map(|(header, _)| *header),
        rows.iter().map(|row| {
            vec![
                row.billing_account_id.clone(),
                "AWS".to_string(),
                row.service_name.clone(),
                row.service_category.clone(),
                row.resource_id.clone(),
                "Usage".to_string(),
                report_time(row.charge_period_start_micros),
                report_time(row.charge_period_end_micros),
                format_decimal(row.billed_cost, COST_SCALE),
                format_decimal(row.effective_cost, COST_SCALE),
                "USD".to_string(),
                row.tags_json.clone(),
            ]
        }),
    )
}

pub fn read_file(path: &Path, relative_path: &str) -> ParsedFile {
    read_csv(path, relative_path, &LAYOUT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_of_the_real_focus_sample_arrives() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../shared/data/cost/focus-1.0/focus_sample.csv");
        let parsed = read_file(&path, "cost/focus/focus_sample.csv");
        assert!(
            parsed.quarantined.is_empty(),
            "{:?}",
            &parsed.quarantined[..1]
        );
        assert_eq!(parsed.records_taken(), 1000);
    }
}
