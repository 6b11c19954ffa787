//! `--custom-field PLACEHOLDER=VALUE`: a deal's custom field by the key
//! Kinbox shows, checked by `kinbox_input::custom_fields`.

use std::ffi::OsStr;

use clap::builder::TypedValueParser;
use clap::error::ErrorKind;
use clap::{Arg, ArgAction, Command};
pub use kinbox_input::custom_fields::{Assignment, apply_in, current, deal_definitions};

pub const ARG: &str = "custom-field";

pub fn arg() -> Arg {
    Arg::new(ARG)
        .long(ARG)
        .value_name("PLACEHOLDER=VALUE")
        .action(ArgAction::Append)
        .value_parser(AssignmentParser)
        .help("A custom field by its placeholder, e.g. cpf=060.715.303-54; repeatable")
        .long_help(
            "A custom field by its placeholder (the key Kinbox shows, listed by `kinbox \
             custom-fields list -o table`), e.g. cpf=060.715.303-54; repeat for several. \
             The value is checked against the field's type before anything is sent: \
             number and decimal must be numbers, written as --value takes them (1890,50, \
             1.890,50, R$ 1.890,50), boolean true or false, date 2024-05-31 or 31/05/2024, \
             datetime 2024-05-31T18:00:00-03:00 or 31/05/2024 18:00 (in the zone of --tz), select \
             one of its options, multi-select options separated by commas, json valid \
             JSON. It is sent as text with the field's type, e.g. \
             {\"value\": \"30\", \"type\": \"number\"}. Fields of --json-body's \
             customFields are kept unless named here.",
        )
}

#[derive(Clone, Copy, Debug)]
struct AssignmentParser;

impl TypedValueParser for AssignmentParser {
    type Value = Assignment;

    fn parse_ref(
        &self,
        cmd: &Command,
        _arg: Option<&Arg>,
        value: &OsStr,
    ) -> Result<Assignment, clap::Error> {
        let text = value.to_string_lossy();
        match text.split_once('=') {
            Some((placeholder, value)) if !placeholder.trim().is_empty() => Ok(Assignment {
                placeholder: placeholder.trim().to_owned(),
                value: value.to_owned(),
            }),
            _ => Err(clap::Error::raw(
                ErrorKind::ValueValidation,
                format!(
                    "invalid value '{text}' for '--custom-field': expected \
                     PLACEHOLDER=VALUE, e.g. cpf=060.715.303-54\n"
                ),
            )
            .with_cmd(cmd)),
        }
    }
}
