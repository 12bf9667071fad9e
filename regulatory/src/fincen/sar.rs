//! FinCEN SAR batches (FinCEN 111, form type SARX): one activity per case, the subject (party
//! 33) with the accounts involved, the suspicious activity's dates, amount and classification,
//! and the narrative in blocks of 4,000 characters.

use chrono::NaiveDate;

use crate::fincen::parties::{
    account, institution_parties, subject_birth_date, subject_details, subject_entity_indicator,
};
use crate::fincen::{digits, fincen_text, BatchWriter, FincenBatch};
use crate::records::{whole_dollars_rounded_up, SarRecord};
use crate::settings::RegulatorySettings;

const SUBJECT: &str = "33";
const INSTITUTION_HOLDING_ACCOUNT: &str = "41";
const ACTIVITY_AFFECTED_ACCOUNT: &str = "7";
const NARRATIVE_BLOCK_CHARS: usize = 4000;
const NARRATIVE_BLOCKS: usize = 5;
const OTHER_SUBTYPE: u32 = 1999;

/// The SAR batch of `records`, filed on `filing_date`. `records` must not be empty.
pub fn sar_batch(
    records: &[SarRecord],
    settings: &RegulatorySettings,
    filing_date: NaiveDate,
) -> FincenBatch {
    let mut batch = BatchWriter::start(
        "SARX",
        records.len(),
        &[
            ("ActivityAttachmentCount", "0".to_string()),
            ("AttachmentCount", "0".to_string()),
        ],
    );
    for record in records {
        let dollars = whole_dollars_rounded_up(record.total_cents);
        batch.total_amount_dollars += dollars;

        batch.start_activity(
            &record.record_key,
            filing_date,
            record.prior_bsa_id.as_deref().filter(|_| record.continuing),
        );
        let document = &mut batch.document;
        document.open_numbered("ActivityAssociation");
        if record.continuing {
            document.leaf("ContinuingActivityReportIndicator", "Y");
        } else {
            document.leaf("InitialReportIndicator", "Y");
        }
        document.close();
        batch.party_count += institution_parties(document, settings);

        document.open_numbered("Party");
        document.leaf("ActivityPartyTypeCode", SUBJECT);
        if record.subject.full_name.is_none() {
            document.leaf("AllCriticalSubjectInformationUnavailableIndicator", "Y");
        }
        subject_birth_date(document, &record.subject);
        subject_entity_indicator(document, &record.subject);
        subject_details(document, &record.subject);
        document.open_numbered("PartyAssociation");
        document.leaf("CustomerIndicator", "Y");
        document.close();
        let mut accounts: Vec<&str> = Vec::new();
        for transaction in &record.transactions {
            let account = transaction.account_id.as_str();
            if !account.is_empty() && !accounts.contains(&account) {
                accounts.push(account);
            }
        }
        if !accounts.is_empty() {
            document.open_numbered("PartyAccountAssociation");
            document.leaf("PartyAccountAssociationTypeCode", ACTIVITY_AFFECTED_ACCOUNT);
            document.open_numbered("Party");
            document.leaf("ActivityPartyTypeCode", INSTITUTION_HOLDING_ACCOUNT);
            document.open_numbered("PartyIdentification");
            document.leaf(
                "PartyIdentificationNumberText",
                &digits(&settings.filer.ein, 25),
            );
            document.leaf("PartyIdentificationTypeCode", "2");
            document.close();
            for number in accounts {
                account(document, number, ACTIVITY_AFFECTED_ACCOUNT);
            }
            document.close();
            batch.party_count += 1;
            document.close();
        }
        document.close();
        batch.party_count += 1;

        document.open_numbered("SuspiciousActivity");
        document.leaf(
            "SuspiciousActivityFromDateText",
            &record.period_start.format("%Y%m%d").to_string(),
        );
        document.leaf(
            "SuspiciousActivityToDateText",
            &record.period_end.format("%Y%m%d").to_string(),
        );
        document.leaf("TotalSuspiciousAmountText", &dollars.to_string());
        let mut written_subtypes = Vec::new();
        for typology in &record.typologies {
            let (type_id, subtype_id) = settings.classification(typology);
            // The schema allows each subtype once per activity.
            if written_subtypes.contains(&subtype_id) {
                continue;
            }
            written_subtypes.push(subtype_id);
            document.open_numbered("SuspiciousActivityClassification");
            if subtype_id == OTHER_SUBTYPE {
                document.leaf(
                    "OtherSuspiciousActivityTypeText",
                    &fincen_text(&typology.replace('_', " "), 50),
                );
            }
            document.leaf("SuspiciousActivitySubtypeID", &subtype_id.to_string());
            document.leaf("SuspiciousActivityTypeID", &type_id.to_string());
            document.close();
        }
        document.close();

        let mut narrative =
            fincen_text(&record.narrative, NARRATIVE_BLOCK_CHARS * NARRATIVE_BLOCKS);
        // The schema asks for at least one block.
        if narrative.is_empty() {
            narrative = format!("Case {} holds no drafted narrative.", record.record_key);
        }
        let characters: Vec<char> = narrative.chars().collect();
        for (index, block) in characters.chunks(NARRATIVE_BLOCK_CHARS).enumerate() {
            document.open_numbered("ActivityNarrativeInformation");
            document.leaf("ActivityNarrativeSequenceNumber", &(index + 1).to_string());
            document.leaf(
                "ActivityNarrativeText",
                &fincen_text(&block.iter().collect::<String>(), NARRATIVE_BLOCK_CHARS),
            );
            document.close();
        }
        document.close();
    }
    batch.finish()
}
