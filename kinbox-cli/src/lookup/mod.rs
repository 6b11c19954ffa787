//! Objects found by name rather than by id; every lookup is a read made
//! before the write.

pub mod deal_stage;
pub mod named;
