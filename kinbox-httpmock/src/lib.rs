//! Typed [httpmock](https://docs.rs/httpmock) helpers for every Kinbox API
//! operation, generated from the same OpenAPI description as `kinbox-api`.
//!
//! Each operation gets a `MockServerExt` method; its `When` and `Then`
//! builders only accept what the description allows for that operation.

#[rustfmt::skip]
#[allow(clippy::all)]
mod generated_httpmock;

pub use generated_httpmock::*;
