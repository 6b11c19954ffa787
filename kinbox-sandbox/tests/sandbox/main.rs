//! kinbox-sandbox driven through the real SDK (and raw HTTP where the SDK
//! would refuse to send), every answer checked against the spec.

mod campaigns;
mod catalogue;
mod common;
mod contacts;
mod deals;
mod faults;
mod lifecycle;
mod limits;
mod pipelines;
mod raw;
mod seeded;
mod sessions;
mod validation;
