//! AWS Cost and Usage Reports (legacy CUR and CUR 2.0), mapped to FOCUS column names.
//!
//! Layout: `cost/cur/<file>.csv`, a header of CUR column names: CUR's `lineItem/UnblendedCost`
//! or CUR 2.0's `line_item_unblended_cost` (both are read, as one normalised name). The
//! mapping follows the FinOps FOCUS converters: BilledCost is NetUnblendedCost where the
//! report has it, else UnblendedCost; EffectiveCost is the amortised cost of reserved and
//! Savings Plan usage, zero for their recurring fees, else BilledCost; tags become FOCUS's
//! JSON object of `resourceTags/<key>` columns.

use std::collections::HashMap;
use std::path::Path;

use serde_json::{Map, Value as Json};

use super::delimited::{read_csv_lines, CsvLine};
use super::{entity_fields, field_index, ParsedFile, TakenRecord};
use crate::rows::{parse_decimal, parse_timestamp_micros, Value};

pub const FOLDER: &str = "cost/cur";
pub const ENTITY: &str = "cost_line_items";
const COST_SCALE: u32 = super::focus::COST_SCALE;
const TAG_PREFIX: &str = "resource_tags_";

/// A CUR column name in CUR 2.0's snake case: `lineItem/UnblendedCost` → `line_item_unblended_cost`.
pub fn normalise_column(name: &str) -> String {
    let mut normalised = String::with_capacity(name.len() + 8);
    let mut previous_lower = false;
    for character in name.chars() {
        if character == '/' {
            normalised.push('_');
            previous_lower = false;
        } else if character.is_ascii_uppercase() {
            if previous_lower {
                normalised.push('_');
            }
            normalised.push(character.to_ascii_lowercase());
            previous_lower = false;
        } else {
            normalised.push(character);
            previous_lower = character.is_ascii_lowercase() || character.is_ascii_digit();
        }
    }
    normalised
}

/// FOCUS ServiceCategory of an AWS product code, as the converters map the common ones.
fn service_category(product_code: &str) -> &'static str {
    match product_code {
        "AmazonEC2" | "AWSLambda" | "AmazonECS" | "AmazonEKS" | "AWSFargate" => "Compute",
        "AmazonS3" | "AmazonEFS" | "AWSBackup" | "AmazonGlacier" => "Storage",
        "AmazonRDS" | "AmazonDynamoDB" | "AmazonElastiCache" | "AmazonRedshift" => "Databases",
        "AmazonKinesis" | "AmazonKinesisFirehose" | "AmazonAthena" | "AWSGlue" => "Analytics",
        "AmazonVPC" | "AWSDataTransfer" | "AmazonCloudFront" | "AmazonRoute53" => "Networking",
        "AmazonCloudWatch" | "AWSConfig" | "AWSCloudTrail" => "Management and Governance",
        "awskms" | "AWSSecretsManager" | "AmazonGuardDuty" => "Security",
        _ => "Other",
    }
}

/// FOCUS ChargeCategory of a CUR line item type.
fn charge_category(line_item_type: &str) -> &'static str {
    match line_item_type {
        "Tax" => "Tax",
        "Credit"
        | "Refund"
        | "BundledDiscount"
        | "EdpDiscount"
        | "PrivateRateDiscount"
        | "SavingsPlanNegation" => "Credit",
        "Fee" | "RIFee" | "SavingsPlanRecurringFee" | "SavingsPlanUpfrontFee" => "Purchase",
        _ => "Usage",
    }
}

/// One line's fields by normalised column name.
struct Line<'a> {
    fields: HashMap<&'a str, &'a str>,
}

impl Line<'_> {
    fn text(&self, column: &str) -> Option<&str> {
        self.fields
            .get(column)
            .map(|text| text.trim())
            .filter(|text| !text.is_empty())
    }

    fn cost(&self, column: &str) -> std::result::Result<Option<i128>, String> {
        self.text(column)
            .map(|text| {
                parse_decimal(text, COST_SCALE)
                    .map_err(|reason| format!("field '{column}': {reason}"))
            })
            .transpose()
    }

    fn time(&self, column: &str) -> std::result::Result<Value, String> {
        match self.text(column) {
            None => Ok(Value::Null),
            Some(text) => parse_timestamp_micros(text)
                .map(Value::TimestampMicros)
                .map_err(|reason| format!("field '{column}': {reason}")),
        }
    }
}

pub fn read_file(path: &Path, relative_path: &str) -> ParsedFile {
    let mut reader = match csv::ReaderBuilder::new().flexible(true).from_path(path) {
        Ok(reader) => reader,
        Err(err) => {
            return ParsedFile::unreadable(Some(ENTITY), format!("'{relative_path}': {err}"))
        }
    };
    let headers: Vec<String> = match reader.headers() {
        Ok(headers) => headers.iter().map(normalise_column).collect(),
        Err(err) => {
            return ParsedFile::unreadable(
                Some(ENTITY),
                format!("'{relative_path}' has no readable header: {err}"),
            )
        }
    };
    for required in ["identity_line_item_id", "line_item_unblended_cost"] {
        if !headers.iter().any(|header| header == required) {
            return ParsedFile::unreadable(
                Some(ENTITY),
                format!("'{relative_path}' lacks the CUR column '{required}': not a cost and usage report"),
            );
        }
    }
    let fields = entity_fields(ENTITY);
    read_csv_lines(reader, relative_path, ENTITY, 2, |record, position| {
        let line = Line {
            fields: headers
                .iter()
                .map(String::as_str)
                .zip(record.iter())
                .collect(),
        };
        match focus_values(&line, &fields) {
            Ok(values) => {
                CsvLine::Taken(TakenRecord::in_file_order(values, relative_path, position))
            }
            Err(reason) => CsvLine::Refused(reason),
        }
    })
}

/// The FOCUS row of one CUR line, in registry column order.
fn focus_values(
    line: &Line<'_>,
    fields: &[arrow::datatypes::FieldRef],
) -> std::result::Result<Vec<Value>, String> {
    let line_item_id = line
        .text("identity_line_item_id")
        .ok_or("missing key field 'identity/LineItemId'")?;
    // A line item id repeats in every hour or day of the report: the interval completes it.
    let line_id = match line.text("identity_time_interval") {
        Some(interval) => format!("{line_item_id}/{interval}"),
        None => line_item_id.to_string(),
    };
    let unblended = line
        .cost("line_item_unblended_cost")?
        .ok_or("field 'line_item_unblended_cost': is empty")?;
    let billed = line
        .cost("line_item_net_unblended_cost")?
        .unwrap_or(unblended);
    let line_item_type = line.text("line_item_line_item_type").unwrap_or("Usage");
    let effective = match line_item_type {
        "DiscountedUsage" => line.cost("reservation_effective_cost")?.unwrap_or(billed),
        "SavingsPlanCoveredUsage" => line
            .cost("savings_plan_savings_plan_effective_cost")?
            .unwrap_or(billed),
        "RIFee" | "SavingsPlanRecurringFee" | "SavingsPlanNegation" => 0,
        _ => billed,
    };
    let product_code = line.text("line_item_product_code").unwrap_or("");
    let mut tags = Map::new();
    for (column, text) in &line.fields {
        if let Some(key) = column.strip_prefix(TAG_PREFIX) {
            if !text.trim().is_empty() {
                tags.insert(key.to_string(), Json::String(text.trim().to_string()));
            }
        }
    }
    let mut values = vec![Value::Null; fields.len()];
    let mut set = |column: &str, value: Value| values[field_index(fields, column)] = value;
    set("line_id", Value::Text(line_id));
    set(
        "billing_account_id",
        Value::from(line.text("bill_payer_account_id")),
    );
    set("provider_name", Value::from("AWS"));
    set(
        "service_name",
        Value::from(
            line.text("product_product_name")
                .or(Some(product_code).filter(|code| !code.is_empty())),
        ),
    );
    set(
        "service_category",
        Value::from(service_category(product_code)),
    );
    set(
        "resource_id",
        Value::from(line.text("line_item_resource_id")),
    );
    set(
        "charge_category",
        Value::from(charge_category(line_item_type)),
    );
    set(
        "charge_period_start",
        line.time("line_item_usage_start_date")?,
    );
    set("charge_period_end", line.time("line_item_usage_end_date")?);
    set("billed_cost", Value::Decimal(billed));
    set("effective_cost", Value::Decimal(effective));
    set(
        "billing_currency",
        Value::from(line.text("line_item_currency_code").unwrap_or("USD")),
    );
    set(
        "tags",
        if tags.is_empty() {
            Value::Null
        } else {
            Value::Text(Json::Object(tags).to_string())
        },
    );
    Ok(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cur_and_cur2_column_names_normalise_alike() {
        assert_eq!(
            normalise_column("lineItem/UnblendedCost"),
            "line_item_unblended_cost"
        );
        assert_eq!(
            normalise_column("bill/PayerAccountId"),
            "bill_payer_account_id"
        );
        assert_eq!(
            normalise_column("savingsPlan/SavingsPlanEffectiveCost"),
            "savings_plan_savings_plan_effective_cost"
        );
        assert_eq!(
            normalise_column("line_item_unblended_cost"),
            "line_item_unblended_cost"
        );
        assert_eq!(
            normalise_column("resourceTags/user:team"),
            "resource_tags_user:team"
        );
    }

    const REPORT: &str = "\
identity/LineItemId,identity/TimeInterval,bill/PayerAccountId,lineItem/LineItemType,lineItem/UsageStartDate,lineItem/UsageEndDate,lineItem/ProductCode,product/ProductName,lineItem/ResourceId,lineItem/UnblendedCost,lineItem/NetUnblendedCost,lineItem/CurrencyCode,reservation/EffectiveCost,savingsPlan/SavingsPlanEffectiveCost,resourceTags/user:team
a1,2026-11-01T00:00:00Z/2026-11-02T00:00:00Z,111122223333,Usage,2026-11-01T00:00:00Z,2026-11-02T00:00:00Z,AmazonS3,Amazon Simple Storage Service,arn:aws:s3:::lake,1.25,1.20,USD,,,payments
a2,2026-11-01T00:00:00Z/2026-11-02T00:00:00Z,111122223333,DiscountedUsage,2026-11-01T00:00:00Z,2026-11-02T00:00:00Z,AmazonEC2,Amazon Elastic Compute Cloud,i-0abc,0,,USD,0.0834,,
a3,2026-11-01T00:00:00Z/2026-11-02T00:00:00Z,111122223333,RIFee,2026-11-01T00:00:00Z,2026-11-02T00:00:00Z,AmazonEC2,Amazon Elastic Compute Cloud,,2.0016,,USD,,,
a4,2026-11-01T00:00:00Z/2026-11-02T00:00:00Z,111122223333,Usage,2026-11-01T00:00:00Z,2026-11-02T00:00:00Z,AWSLambda,AWS Lambda,fn,4.8E-9,,USD,,,
a5,2026-11-01T00:00:00Z/2026-11-02T00:00:00Z,111122223333,Usage,2026-11-01T00:00:00Z,2026-11-02T00:00:00Z,AWSLambda,AWS Lambda,fn,1.2.3,,USD,,,
";

    #[test]
    fn cur_lines_map_to_focus_costs_categories_and_tags() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cur.csv");
        std::fs::write(&path, REPORT).unwrap();
        let parsed = read_file(&path, "cost/cur/cur.csv");
        assert_eq!(parsed.records_read, 5);
        assert_eq!(parsed.records_taken(), 4);
        assert!(parsed.quarantined[0]
            .reason
            .contains("line 6: field 'line_item_unblended_cost'"));
        let fields = entity_fields(ENTITY);
        let column = |row: usize, name: &str| {
            parsed.taken[ENTITY][row].values[field_index(&fields, name)].clone()
        };
        let cost = |text: &str| Value::Decimal(parse_decimal(text, COST_SCALE).unwrap());
        // BilledCost is the net cost where the report has it.
        assert_eq!(column(0, "billed_cost"), cost("1.20"));
        assert_eq!(column(0, "effective_cost"), cost("1.20"));
        assert_eq!(column(0, "service_category"), Value::from("Storage"));
        assert_eq!(
            column(0, "tags"),
            Value::from(r#"{"user:team":"payments"}"#)
        );
        assert_eq!(
            column(0, "line_id"),
            Value::from("a1/2026-11-01T00:00:00Z/2026-11-02T00:00:00Z")
        );
        // Reserved usage is amortised; the reservation's fee is then not counted again.
        assert_eq!(column(1, "effective_cost"), cost("0.0834"));
        assert_eq!(column(2, "billed_cost"), cost("2.0016"));
        assert_eq!(column(2, "effective_cost"), cost("0"));
        assert_eq!(column(2, "charge_category"), Value::from("Purchase"));
        assert_eq!(column(3, "billed_cost"), Value::Decimal(4_800));
    }

    #[test]
    fn a_csv_without_cur_columns_is_refused_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("other.csv");
        std::fs::write(&path, "a,b\n1,2\n").unwrap();
        let parsed = read_file(&path, "cost/cur/other.csv");
        assert!(parsed.quarantined[0]
            .reason
            .contains("not a cost and usage report"));
    }
}
