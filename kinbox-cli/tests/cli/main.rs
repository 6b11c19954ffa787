//! End-to-end tests of the `kinbox` binary against a local httpmock server:
//! the request each command sends, what it prints, and its exit status.

mod api;
mod auth;
mod brazil;
mod deals;
mod help;
mod hosts;
mod mcp;
mod names;
mod output;
mod reads;
mod resources;
mod safety;
mod secrets;
mod support;
mod usage;
