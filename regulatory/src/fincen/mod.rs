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
