//! Real services the integration tests start for themselves.

pub mod postgres;
