//! What the integration tests share: real services they start for themselves, and reading
//! a lake back.

pub mod lake;
#[allow(dead_code)] // shared with orchestration's end-to-end tests, which use the rest
pub mod moto;
pub mod postgres;
