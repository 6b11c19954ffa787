//! Date-time flags (`--due-date`, `--created-at-from`, …): RFC 3339, with a
//! message that shows the expected form.

use std::ffi::OsStr;

use chrono::{DateTime, Utc};
use clap::builder::TypedValueParser;
use clap::error::ErrorKind;
use clap::{Arg, Command};

pub const VALUE_NAME: &str = "DATETIME";
pub const EXAMPLE: &str = "2024-05-31T18:00:00-03:00";

#[derive(Clone, Copy, Debug)]
pub struct DateTimeParser;

impl TypedValueParser for DateTimeParser {
    type Value = DateTime<Utc>;

    fn parse_ref(
        &self,
        cmd: &Command,
        arg: Option<&Arg>,
        value: &OsStr,
    ) -> Result<Self::Value, clap::Error> {
        let text = value.to_string_lossy();
        DateTime::parse_from_rfc3339(text.trim())
            .map(|date| date.with_timezone(&Utc))
            .map_err(|_| {
                let arg = arg.map(|a| format!(" for '{a}'")).unwrap_or_default();
                clap::Error::raw(
                    ErrorKind::ValueValidation,
                    format!(
                        "invalid value '{text}'{arg}: expected a date-time with a time zone, \
                         like {EXAMPLE} or 2024-05-31T21:00:00Z\n"
                    ),
                )
                .with_cmd(cmd)
            })
    }
}
