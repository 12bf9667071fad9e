//! The alerts of sanctions screening: a hit of the date that is new, or whose entry changed
//! since the date before, is an alert of the rule `sanctions_screening`; a hit found again on
//! an unchanged entry is not, so a hit already decided stays decided.

use arrow::array::{Array, AsArray};
use arrow::datatypes::{DataType, Int64Type};
use datafusion::prelude::SessionContext;

use super::alerts::Alert;
use crate::error::Result;
use crate::job::BusinessDay;

/// The rule id of screening's alerts in `gold.aml_alerts`.
pub const SANCTIONS_RULE_ID: &str = "sanctions_screening";
const ALERTING_HITS_SQL: &str = "transforms/screening/alerting_hits.sql";

/// The SQL files read, below `sql/`.
pub const SQL_FILES: [&str; 1] = [ALERTING_HITS_SQL];

/// An alerting hit: the party and the entry as screened, which a whitelist is checked against.
#[derive(Debug, Clone)]
pub struct SanctionsAlert {
    pub alert: Alert,
    pub counterparty_name: Option<String>,
    pub ent_num: i64,
    pub fingerprint: String,
}

/// The date's alerting hits of `gold.sanctions_hits` as alerts.
pub async fn sanctions_alerts(
    context: &SessionContext,
    day: &BusinessDay,
) -> Result<Vec<SanctionsAlert>> {
    let sql = day.render::<&str>(ALERTING_HITS_SQL, &[])?;
    let mut alerts = Vec::new();
    for batch in context.sql(&sql).await?.collect().await? {
        let text = |name: &str| -> Result<arrow::array::ArrayRef> {
            let column = batch.column_by_name(name).ok_or_else(|| {
                arrow::error::ArrowError::SchemaError(format!("{ALERTING_HITS_SQL}: no {name}"))
            })?;
            Ok(arrow::compute::cast(column, &DataType::Utf8)?)
        };
        let integer = |name: &str| -> Result<arrow::array::ArrayRef> {
            let column = batch.column_by_name(name).ok_or_else(|| {
                arrow::error::ArrowError::SchemaError(format!("{ALERTING_HITS_SQL}: no {name}"))
            })?;
            Ok(arrow::compute::cast(column, &DataType::Int64)?)
        };
        let (party_types, customers, names, entry_names, matched, programs) = (
            text("party_type")?,
            text("customer_id")?,
            text("screened_name")?,
            text("sdn_name")?,
            text("matched_name")?,
            text("sdn_program")?,
        );
        let (publications, fingerprints, changes) = (
            text("publication")?,
            text("entry_fingerprint")?,
            text("change")?,
        );
        let (ent_nums, scores) = (integer("sdn_ent_num")?, integer("score")?);
        let movements = batch
            .column_by_name("transaction_ids")
            .map(paylake_catalog::rows::text_lists_of)
            .transpose()?;
        let value = |array: &arrow::array::ArrayRef, row: usize| {
            let array = array.as_string::<i32>();
            array.is_valid(row).then(|| array.value(row).to_string())
        };
        for row in 0..batch.num_rows() {
            let ent_num = ent_nums.as_primitive::<Int64Type>().value(row);
            let customer_id = value(&customers, row);
            let screened_name = value(&names, row).unwrap_or_default();
            let party_type = value(&party_types, row).unwrap_or_default();
            let fingerprint = value(&fingerprints, row).unwrap_or_default();
            let change = value(&changes, row).unwrap_or_default();
            let transaction_ids: Vec<String> = movements
                .as_ref()
                .map(|lists| lists[row].clone())
                .unwrap_or_default();
            let whose = match &customer_id {
                Some(customer) => format!("customer {customer}"),
                None => format!("{} '{screened_name}'", party_type.replace('_', " ")),
            };
            let why = if change == "entry_changed" {
                "its entry changed"
            } else {
                "new"
            };
            let alert = Alert {
                rule_id: SANCTIONS_RULE_ID.to_string(),
                customer_id: customer_id.clone(),
                account_id: None,
                business_date: day.date,
                score: scores.as_primitive::<Int64Type>().value(row).clamp(0, 100),
                amount_usd_cents: None,
                transaction_ids,
                account_ids: Vec::new(),
                reason: format!(
                    "{whose} matches SDN entry {ent_num} '{}' as '{}' ({}%, {}), {why} in \
                     publication {}",
                    value(&entry_names, row).unwrap_or_default(),
                    value(&matched, row).unwrap_or_default(),
                    scores.as_primitive::<Int64Type>().value(row),
                    value(&programs, row).unwrap_or_default(),
                    value(&publications, row).unwrap_or_default(),
                ),
                subject_detail: Some(format!(
                    "{party_type}\t{screened_name}\t{ent_num}\t{fingerprint}"
                )),
                suppressed_by: None,
            };
            alerts.push(SanctionsAlert {
                alert,
                counterparty_name: customer_id.is_none().then_some(screened_name),
                ent_num,
                fingerprint,
            });
        }
    }
    Ok(alerts)
}
