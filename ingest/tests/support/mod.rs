//! What the integration tests share: real services they start for themselves, and reading
//! a lake back.

#![allow(dead_code)] // each test binary uses the parts it needs

pub mod lake;
pub mod moto;
pub mod postgres;
