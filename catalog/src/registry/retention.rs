//! How long each table's rows are kept, and the law that says so. A payment processor is a
//! money services business under the Bank Secrecy Act: its records of customers and of the money
//! they moved are kept five years (31 CFR 1010.430(d)), and a customer's identifying information
//! five years after the account is closed (31 CFR 1020.220(a)(3)(ii)). Personal data is erased
//! on request only once that period has run out (`catalog/src/erasure.rs`).

use super::{TableDef, Zone};

/// The five years of the BSA, in days (leap days included, so that no record goes a day early).
pub const BSA_RETENTION_DAYS: u32 = 5 * 365 + 2;

/// The legal basis of keeping customers' records five years.
pub const BSA_RETENTION_BASIS: &str =
    "31 CFR 1010.430(d) and 1020.220(a)(3)(ii): BSA records, and a customer's identifying \
     information, are kept five years after the account is closed";

/// How long a table's rows are kept, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    /// Days a row is kept after the relationship it belongs to ended.
    pub days: u32,
    pub basis: &'static str,
}

impl TableDef {
    /// The table's retention. Every zone derives from customers' records or decides about
    /// them (quarantine holds the records that could not be taken, system tables the runs and
    /// queries that read them), so every table keeps the BSA's five years.
    pub fn retention(&self) -> Retention {
        let basis = match self.zone {
            Zone::Bronze | Zone::Silver | Zone::Quarantine => BSA_RETENTION_BASIS,
            Zone::Gold | Zone::Decisions => {
                "31 CFR 1010.430(d): the records a filing or a decision not to file rests on \
                 are kept five years"
            }
            Zone::System => {
                "31 CFR 1010.430(d): the record of how BSA records were made and read is kept \
                 as long as they are"
            }
        };
        Retention {
            days: BSA_RETENTION_DAYS,
            basis,
        }
    }
}
