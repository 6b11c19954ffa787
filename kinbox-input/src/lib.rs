//! What people type into Kinbox, turned into `kinbox-api`'s typed requests:
//! the one path from human input to a request, shared by the `kinbox` CLI
//! (`deals create`, `deals update`, `deals import`…) and by any program that
//! takes deals from people (a shop's order form, a spreadsheet upload).
//!
//! - [`number`]: amounts as written in Brazil, `R$ 1.890,50`, `1.890,50`,
//!   `1890,50`; `1.890` refused as ambiguous.
//! - [`date`]: `30/06/2024`, `2024-06-30`, `30/06/2024 18:00`, RFC 3339;
//!   without a zone, in the [`date::Zone`] the caller gives (Brasília,
//!   `America/Sao_Paulo`, by default), from a bundled time zone database
//!   with its history: the same on any machine.
//! - [`phone`]: `+55 (85) 99728-1648`, `(85) 99728-1648`, as Kinbox keeps
//!   phones (`5585997281648`).
//! - [`matching`] and [`lookup`]: pipelines, stages, lost reasons and
//!   contacts by the names people see, case and accents aside, with "did you
//!   mean" when a name matches nothing.
//! - [`deal`]: a deal's status in English or Portuguese (`ganho`, `won`).
//! - [`custom_fields`]: `cpf=060.715.303-54`, checked against the field's
//!   type and sent as the API takes it.
//! - [`file`] and [`row`]: CSV (`;`, Latin-1, Excel's ways) and NDJSON read
//!   record by record, and each record checked and turned into a
//!   [`DealCreate`](kinbox_api::types::DealCreate) for
//!   [`kinbox_api::import`].
//!
//! Every error is an [`InputError`]: nothing was sent.
//!
//! A shop's order form, posted as people typed it, made a deal the way
//! `kinbox deals create` makes it:
//!
//! ```no_run
//! use kinbox_api::Client;
//! use kinbox_api::types::{CustomFieldsInput, DealCreate};
//! use kinbox_input::{date, deal, lookup, number};
//!
//! # async fn order(client: &Client) -> Result<(), Box<dyn std::error::Error>> {
//! let pipelines = lookup::pipelines(client).await?;
//! let pipeline = lookup::pipeline_named_in(&pipelines, "vendas", None)?;
//! let stage = lookup::stage_named(pipeline, "Proposta", None)?;
//! let customer = lookup::ContactKey::phone("+55 (85) 99728-1648")?;
//! let (contact_id, _created) =
//!     lookup::contact_id_or_create(client, &customer, Some("Maria Oliveira")).await?;
//! let tags = lookup::tags(client).await?;
//! let due = date::parse_in("30/06/2025", date::DayEdge::Start, &date::Zone::brasilia())?;
//! let created = client
//!     .create_deal()
//!     .body(
//!         DealCreate::builder()
//!             .name("Pedido #1042")
//!             .value(number::read_number("R$ 1.890,50")?)
//!             .status(deal::status("aberto")?)
//!             .pipeline_id(pipeline.id.clone())
//!             .stage_id(stage.id.clone())
//!             .contact_id(contact_id)
//!             .tag_ids(lookup::tag_ids_in(&tags, &["Lead quente".to_owned()])?)
//!             .due_date(Some(due.to_utc()))
//!             .custom_fields(CustomFieldsInput::new()),
//!     )
//!     .send()
//!     .await?;
//! println!("deal {}", created.id);
//! # Ok(())
//! # }
//! ```

pub mod custom_fields;
pub mod date;
pub mod deal;
mod error;
pub mod file;
pub mod lookup;
pub mod matching;
pub mod number;
pub mod phone;
pub mod row;

pub use error::InputError;

/// proptest's settings for the properties of this crate and of the CLI:
/// `PROPTEST_CASES` cases (256 by default), from the seed
/// `PROPTEST_RNG_SEED`, or a fixed one so that CI is repeatable
/// (`scripts/properties-long.sh` varies it).
#[cfg(any(test, feature = "test-support"))]
#[doc(hidden)]
pub fn proptest_config() -> proptest::test_runner::Config {
    let seed = std::env::var("PROPTEST_RNG_SEED")
        .ok()
        .and_then(|seed| seed.parse().ok())
        .unwrap_or(0x6b69_6e62_6f78);
    proptest::test_runner::Config {
        rng_seed: proptest::test_runner::RngSeed::Fixed(seed),
        failure_persistence: None,
        ..Default::default()
    }
}
