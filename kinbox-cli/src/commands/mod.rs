//! The hand-written commands (`kinbox api`, `kinbox auth`, `kinbox deals move`…)
//! and the by-name parts of generated ones; each command is registered once
//! in [`crate::app::handwritten`].

pub mod api;
pub mod auth;
pub mod completion;
pub mod deals;
pub mod man;
pub mod mcp;
#[cfg(feature = "sandbox")]
pub mod sandbox;
