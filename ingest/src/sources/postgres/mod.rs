//! Aurora PostgreSQL directly, through logical replication with the `pgoutput` plugin: an
//! initial snapshot consistent with the replication slot, then the stream of committed
//! changes, each transaction into bronze exactly once.

pub mod pgoutput;
pub mod replication;
