//! The SDK's tests, in one binary: each file a module, linked once (a test
//! binary per file linked the SDK, httpmock and the sandbox thirteen times).
//!
//! - `all_operations`: every operation of the spec, one table row per call.
//! - `client_config`, `retries`: configuration, the token, retries.
//! - `errors`, `hostile_answers`, `tolerant_reading`: what the SDK makes of
//!   error answers, broken and hostile servers, and answers the spec allows.
//! - `operations`, `payloads`, `resources`, `resource_lists`: the bodies and
//!   answers of each resource, checked against the spec.
//! - `pagination`: `stream()`.
//! - `import`: the bulk import against the sandbox and its faults.
//! - `properties`: proptest over hostile input (`scripts/properties-long.sh`
//!   runs it longer).

mod common;

mod all_operations;
mod client_config;
mod errors;
mod hostile_answers;
mod import;
mod operations;
mod pagination;
mod payloads;
mod properties;
mod resource_lists;
mod resources;
mod retries;
mod tolerant_reading;
