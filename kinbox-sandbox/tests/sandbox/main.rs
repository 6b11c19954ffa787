//! kinbox-sandbox driven through the real SDK (and raw HTTP where the SDK
//! would refuse to send), every answer checked against the spec.

mod common;
mod deals;
mod faults;
mod lifecycle;
mod validation;
