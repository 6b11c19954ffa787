//! End-to-end tests of the `kinbox` binary: against a local httpmock server,
//! the request each command sends, what it prints, and its exit status;
//! against `kinbox-sandbox`, the flows (`sandbox`, `import`, `mcp`); with
//! answers drawn from the spec (`answers`). One test binary, linked once
//! (each file under `tests/` would be a binary of its own).

mod answers;
mod api;
mod auth;
mod brazil;
mod deals;
mod help;
mod hosts;
mod import;
mod mcp;
mod names;
mod output;
mod reads;
mod resources;
mod safety;
mod sandbox;
mod secrets;
mod support;
mod usage;
