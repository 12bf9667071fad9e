//! AML datasets.

pub mod ctr;
