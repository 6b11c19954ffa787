//! The command tree and how a command runs: the generated commands named and
//! adapted, the hand-written ones registered beside them.

pub mod dispatch;
pub mod handwritten;
pub mod hooks;
pub mod list_all;
pub mod tree;
pub mod words;
