//! Typed [httpmock](https://docs.rs/httpmock) helpers for every Kinbox API
//! operation, generated from the same OpenAPI description as `kinbox-api`.
//!
//! Each operation gets a `MockServerExt` method; its `When` and `Then`
//! builders only accept what the description allows for that operation.
//!
//! Mocking `create_deal` in a test of code that creates deals: the mock
//! matches the exact body the code must send and answers with the deal the
//! API would return (201), so a test fails if the request drifts.
//!
//! ```
//! use httpmock::MockServer;
//! use kinbox_api::types::{CustomFieldsInput, Deal, DealCreate, DealStatus};
//! use kinbox_api::{ClientConfig, Token};
//! use kinbox_httpmock::MockServerExt;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let server = MockServer::start();
//!
//! let new_deal: DealCreate = DealCreate::builder()
//!     .name("Pedido #1042")
//!     .value(1890.0)
//!     .status(DealStatus::Open)
//!     .pipeline_id("65f0c0ffee0000000000aaaa")
//!     .stage_id("65f0c0ffee0000000000bbbb")
//!     .contact_id(123456)
//!     .custom_fields(CustomFieldsInput::new())
//!     .try_into()?;
//! let answer: Deal = serde_json::from_value(serde_json::json!({
//!     "id": "65f0c0ffee0000000000cccc",
//!     "name": "Pedido #1042",
//!     "value": 1890.0,
//!     "status": "open",
//!     "pipelineId": "65f0c0ffee0000000000aaaa",
//!     "stageId": "65f0c0ffee0000000000bbbb",
//!     "customFields": {},
//!     "contact": {"id": 123456},
//! }))?;
//! let create_deal = server.create_deal(|when, then| {
//!     when.body(&new_deal);
//!     then.created(&answer);
//! });
//!
//! // The code under test, given a client pointed at the mock.
//! let client = ClientConfig::new(Token::new("test-token")?)
//!     .base_url(server.base_url())
//!     .build()?;
//! let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
//! let created = runtime.block_on(client.create_deal().body(new_deal.clone()).send())?;
//!
//! assert_eq!(created.status(), 201);
//! assert_eq!(created.id, "65f0c0ffee0000000000cccc");
//! create_deal.assert(); // called exactly once, with that body
//! # Ok(()) }
//! ```

#[rustfmt::skip]
#[allow(clippy::all)]
mod generated_httpmock;

pub use generated_httpmock::*;
