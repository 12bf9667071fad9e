//! Reconciliation datasets for finance: the ledger's and the bank statements' integrity checks,
//! and the staged three-way match of payments, settlements and bank credits with its breaks.

pub mod integrity;
pub mod reconciliation;
pub mod three_way;
