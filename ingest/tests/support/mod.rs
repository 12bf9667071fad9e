//! Real services the integration tests start for themselves.

#![allow(dead_code)] // each test binary uses the services it needs

pub mod moto;
pub mod postgres;
