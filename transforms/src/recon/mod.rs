//! Reconciliation datasets for finance. So far: the ledger's and the bank statements'
//! integrity checks.

pub mod integrity;
