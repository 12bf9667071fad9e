//! FinCEN CTR batches (FinCEN 112, form type CTRX): one activity per customer and business day,
//! the person conducting on their own behalf (party 50) with their cash in and out and the
//! accounts it moved through.

use chrono::NaiveDate;

use crate::fincen::parties::{
    account, institution_parties, subject_birth_date, subject_details, subject_entity_indicator,
};
use crate::fincen::{BatchWriter, FincenBatch};
use crate::records::{whole_dollars_rounded_up, CtrRecord};
use crate::settings::RegulatorySettings;

const PERSON_ON_OWN_BEHALF: &str = "50";
const DEPOSITS: &str = "55";
const WITHDRAWALS: &str = "56";
const CASH_IN_ACCOUNT: &str = "8";
const CASH_OUT_ACCOUNT: &str = "9";

/// The CTR batch of `records`, filed on `filing_date`. `records` must not be empty: a batch
/// holds at least one activity.
pub fn ctr_batch(
    records: &[CtrRecord],
    settings: &RegulatorySettings,
    filing_date: NaiveDate,
) -> FincenBatch {
    let mut batch = BatchWriter::start("CTRX", records.len(), &[]);
    for record in records {
        let cash_in = whole_dollars_rounded_up(record.cash_in_cents);
        let cash_out = whole_dollars_rounded_up(record.cash_out_cents);
        batch.total_amount_dollars += cash_in + cash_out;
        let amount_text = |dollars: i128| {
            if dollars > 0 {
                dollars.to_string()
            } else {
                String::new()
            }
        };

        batch.start_activity(&record.record_key, filing_date, None);
        let document = &mut batch.document;
        document.open_numbered("ActivityAssociation");
        document.leaf("CorrectsAmendsPriorReportIndicator", "");
        document.leaf("FinCENDirectBackFileIndicator", "");
        document.leaf("InitialReportIndicator", "Y");
        document.close();
        batch.party_count += institution_parties(document, settings);

        document.open_numbered("Party");
        document.leaf("ActivityPartyTypeCode", PERSON_ON_OWN_BEHALF);
        subject_birth_date(document, &record.subject);
        document.optional_leaf(
            "IndividualEntityCashInAmountText",
            Some(&amount_text(cash_in)),
        );
        document.optional_leaf(
            "IndividualEntityCashOutAmountText",
            Some(&amount_text(cash_out)),
        );
        subject_entity_indicator(document, &record.subject);
        subject_details(document, &record.subject);
        let mut accounts: Vec<(&str, &str)> = Vec::new();
        for transaction in &record.transactions {
            let association = if transaction.is_cash_in() {
                CASH_IN_ACCOUNT
            } else if transaction.is_cash_out() {
                CASH_OUT_ACCOUNT
            } else {
                continue;
            };
            let account = (transaction.account_id.as_str(), association);
            if !transaction.account_id.is_empty() && !accounts.contains(&account) {
                accounts.push(account);
            }
        }
        for (account_number, association) in accounts {
            account(document, account_number, association);
        }
        document.close();
        batch.party_count += 1;

        document.open_numbered("CurrencyTransactionActivity");
        let cash_transactions = record
            .transactions
            .iter()
            .filter(|transaction| transaction.is_cash_in() || transaction.is_cash_out())
            .count();
        let aggregated = if cash_transactions > 1 { "Y" } else { "" };
        document.leaf("AggregateTransactionIndicator", aggregated);
        document.leaf("ArmoredCarServiceIndicator", "");
        let atm = record.channels.iter().any(|channel| channel == "atm");
        document.leaf("ATMIndicator", if atm { "Y" } else { "" });
        document.leaf("MailDepositShipmentIndicator", "");
        document.leaf("NightDepositIndicator", "");
        document.leaf("SharedBranchingIndicator", "");
        document.leaf("TotalCashInReceiveAmountText", &amount_text(cash_in));
        document.leaf("TotalCashOutAmountText", &amount_text(cash_out));
        document.leaf(
            "TransactionDateText",
            &record.business_date.format("%Y%m%d").to_string(),
        );
        for (code, dollars) in [(DEPOSITS, cash_in), (WITHDRAWALS, cash_out)] {
            if dollars == 0 {
                continue;
            }
            document.open_numbered("CurrencyTransactionActivityDetail");
            document.leaf("CurrencyTransactionActivityDetailTypeCode", code);
            document.leaf("DetailTransactionAmountText", &dollars.to_string());
            document.leaf("OtherCurrencyTransactionActivityDetailText", "");
            document.leaf("OtherForeignCurrencyCountryText", "");
            document.close();
        }
        document.close();
        document.close();
    }
    batch.finish()
}
