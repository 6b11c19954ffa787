//! What a person types, as flag values and request bodies: clap parsers over
//! the `kinbox-input` crate, the body assembled from `--json-body` and the
//! flags, and what the API requires that a person leaves out.

pub mod confirm;
pub mod custom_fields;
pub mod datetime;
pub mod defaults;
pub mod limits;
pub mod name_flags;
pub mod phone;
pub mod request_body;
pub mod values;
