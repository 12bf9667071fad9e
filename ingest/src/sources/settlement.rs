//! Processor settlement CSV, in the layout of an acquirer's settlement details report: one
//! line per settled, refunded or charged-back payment, fee line and merchant payout of a batch.
//!
//! Layout: `settlements/settlement_detail_report_batch_<N>.csv`. Amounts are decimals in the
//! gross or net currency; times are local to the `TimeZone` column (paylake accepts UTC).

use std::path::Path;

use super::delimited::{read_csv, report_time, write_csv, CsvLayout};
use super::ParsedFile;
use crate::error::Result;
use crate::rows::format_decimal;

pub const LANDING_FOLDER: &str = "settlements";
pub const ENTITY: &str = "settlement_lines";
pub const COMPANY_ACCOUNT: &str = "PaylakeProcessingCOM";

/// Every header of the report, in the order the processor writes them.
const HEADERS: [&str; 22] = [
    "Company Account",
    "Merchant Account",
    "Psp Reference",
    "Merchant Reference",
    "Payment Method",
    "Creation Date",
    "TimeZone",
    "Type",
    "Modification Reference",
    "Gross Currency",
    "Gross Debit (GC)",
    "Gross Credit (GC)",
    "Exchange Rate",
    "Net Currency",
    "Net Debit (NC)",
    "Net Credit (NC)",
    "Commission (NC)",
    "Markup (NC)",
    "Scheme Fees (NC)",
    "Interchange (NC)",
    "Payment Method Variant",
    "Batch Number",
];

/// The headers paylake keeps and the registry column each fills.
const LAYOUT: CsvLayout = CsvLayout {
    entity: ENTITY,
    columns: &[
        ("Company Account", "company_account"),
        ("Merchant Account", "merchant_account"),
        ("Psp Reference", "psp_reference"),
        ("Merchant Reference", "merchant_reference"),
        ("Payment Method", "payment_method"),
        ("Creation Date", "creation_date"),
        ("Type", "record_type"),
        ("Modification Reference", "modification_reference"),
        ("Gross Currency", "gross_currency"),
        ("Gross Debit (GC)", "gross_debit"),
        ("Gross Credit (GC)", "gross_credit"),
        ("Net Currency", "net_currency"),
        ("Net Debit (NC)", "net_debit"),
        ("Net Credit (NC)", "net_credit"),
        ("Commission (NC)", "commission"),
        ("Markup (NC)", "markup"),
        ("Scheme Fees (NC)", "scheme_fees"),
        ("Interchange (NC)", "interchange"),
        ("Batch Number", "batch_number"),
    ],
    line_id_column: "settlement_line_id",
    required_value: Some(("TimeZone", "UTC")),
};

/// One line of the report. Amounts are in cents.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SettlementLine {
    pub merchant_account: String,
    pub psp_reference: String,
    pub merchant_reference: String,
    pub payment_method: String,
    pub creation_micros: i64,
    /// Settled, Refunded, Chargeback, Fee, MerchantPayout.
    pub record_type: String,
    pub modification_reference: String,
    pub currency: String,
    pub gross_debit: Option<i128>,
    pub gross_credit: Option<i128>,
    pub net_debit: Option<i128>,
    pub net_credit: Option<i128>,
    pub commission: Option<i128>,
    pub markup: Option<i128>,
    pub scheme_fees: Option<i128>,
    pub interchange: Option<i128>,
    pub batch_number: i64,
}

pub fn file_name(batch_number: i64) -> String {
    format!("{LANDING_FOLDER}/settlement_detail_report_batch_{batch_number}.csv")
}

pub fn write_file(path: &Path, lines: &[SettlementLine]) -> Result<()> {
    let amount = |cents: Option<i128>| {
        cents
            .map(|cents| format_decimal(cents, 2))
            .unwrap_or_default()
    };
    write_csv(
        path,
        HEADERS,
        lines.iter().map(|line| {
            vec![
                COMPANY_ACCOUNT.to_string(),
                line.merchant_account.clone(),
                line.psp_reference.clone(),
                line.merchant_reference.clone(),
                line.payment_method.clone(),
                report_time(line.creation_micros),
                "UTC".to_string(),
                line.record_type.clone(),
                line.modification_reference.clone(),
                line.currency.clone(),
                amount(line.gross_debit),
                amount(line.gross_credit),
                "1".to_string(),
                line.currency.clone(),
                amount(line.net_debit),
                amount(line.net_credit),
                amount(line.commission),
                amount(line.markup),
                amount(line.scheme_fees),
                amount(line.interchange),
                String::new(),
                line.batch_number.to_string(),
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
    use crate::rows::Value;
    use paylake_catalog::{registry, Zone};

    #[test]
    fn report_lines_read_back_and_a_bad_amount_is_quarantined() {
        let dir = tempfile::tempdir().unwrap();
        let relative = file_name(3);
        let path = dir.path().join(&relative);
        let line = SettlementLine {
            psp_reference: "PSP1".into(),
            record_type: "Settled".into(),
            currency: "EUR".into(),
            gross_credit: Some(10_050),
            net_credit: Some(9_900),
            batch_number: 3,
            ..SettlementLine::default()
        };
        write_file(&path, &[line.clone(), line]).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, text.replacen("100.50", "100.5x", 1)).unwrap();
        let parsed = read_file(&path, &relative);
        assert_eq!(parsed.records_read, 2);
        assert_eq!(parsed.records_taken(), 1);
        assert!(parsed.quarantined[0]
            .reason
            .contains("line 2: field 'gross_credit'"));
        let table = registry().get(Zone::Silver, ENTITY).unwrap();
        let net = table.schema.index_of("net_credit").unwrap();
        assert_eq!(parsed.taken[ENTITY][0].values[net], Value::Decimal(9_900));
        assert_eq!(
            parsed.taken[ENTITY][0].values[0],
            Value::Text(format!("{relative}:3"))
        );
    }
}
