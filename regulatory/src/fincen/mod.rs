//! FinCEN BSA E-Filing batches (namespace `www.fincen.gov/base`): CTR (FinCEN 112) and SAR
//! (FinCEN 111), written to validate against FinCEN's batch schemas.

mod ctr;
mod parties;
mod sar;

pub use ctr::ctr_batch;
pub use sar::sar_batch;

/// A written batch: the XML, the record of each `Activity` in order, and the root totals.
#[derive(Debug, Clone)]
pub struct FincenBatch {
    pub xml: String,
    pub activity_records: Vec<String>,
    pub total_amount_dollars: i128,
    pub party_count: usize,
}

pub const NAMESPACE: &str = "www.fincen.gov/base";

/// A batch being written; its root's totals are filled in when it is finished.
struct BatchWriter {
    document: crate::xml::XmlDocument,
    total_amount_dollars: i128,
    party_count: usize,
    /// The record of each activity, in the order written.
    activity_records: Vec<String>,
}

impl BatchWriter {
    /// Opens the root of a batch of `activity_count` activities of `form_type`.
    fn start(form_type: &str, activity_count: usize, extra_attributes: &[(&str, String)]) -> Self {
        debug_assert!(
            activity_count > 0,
            "a FinCEN batch holds at least one activity"
        );
        let mut document = crate::xml::XmlDocument::new();
        let mut attributes = vec![
            ("xmlns", NAMESPACE.to_string()),
            ("ActivityCount", activity_count.to_string()),
        ];
        attributes.extend(extra_attributes.iter().cloned());
        document.open("EFilingBatchXML", &attributes);
        document.leaf("FormTypeCode", form_type);
        BatchWriter {
            document,
            total_amount_dollars: 0,
            party_count: 0,
            activity_records: Vec::new(),
        }
    }

    /// Opens the activity of `record_key`, filed on `filing_date`.
    /// Opens a record's `Activity`; `prior_document` is the BSA ID of the filing it continues
    /// (FinCEN takes it as a number of up to 14 digits, so anything else is left out).
    fn start_activity(
        &mut self,
        record_key: &str,
        filing_date: chrono::NaiveDate,
        prior_document: Option<&str>,
    ) {
        self.activity_records.push(record_key.to_string());
        self.document.open_numbered("Activity");
        if let Some(bsa_id) = prior_document
            .filter(|id| !id.is_empty() && id.len() <= 14 && id.bytes().all(|b| b.is_ascii_digit()))
        {
            self.document.leaf("EFilingPriorDocumentNumber", bsa_id);
        }
        self.document
            .leaf("FilingDateText", &filing_date.format("%Y%m%d").to_string());
    }

    /// Closes the root and adds its totals.
    fn finish(mut self) -> FincenBatch {
        self.document.close();
        let totals = [
            ("TotalAmount", self.total_amount_dollars.to_string()),
            ("PartyCount", self.party_count.to_string()),
        ];
        FincenBatch {
            xml: self.document.finish_with_root_attributes(&totals),
            activity_records: self.activity_records,
            total_amount_dollars: self.total_amount_dollars,
            party_count: self.party_count,
        }
    }
}

/// A value as FinCEN's string types take it: no leading, trailing or repeated blanks, no line
/// breaks, at most `max_chars` characters.
pub fn fincen_text(value: &str, max_chars: usize) -> String {
    let collapsed = value.split_whitespace().collect::<Vec<_>>().join(" ");
    collapsed
        .chars()
        .take(max_chars)
        .collect::<String>()
        .trim_end()
        .to_string()
}

/// Digits only (phone numbers, TINs, ZIP codes), at most `max_chars`.
pub fn digits(value: &str, max_chars: usize) -> String {
    value
        .chars()
        .filter(char::is_ascii_digit)
        .take(max_chars)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_lose_stray_blanks_and_fit_their_length() {
        assert_eq!(fincen_text("  Acme \n  Corp\t", 150), "Acme Corp");
        assert_eq!(fincen_text("abcdef ghi", 7), "abcdef");
        assert_eq!(digits("+1 (555) 164-3395", 16), "15551643395");
    }
}
