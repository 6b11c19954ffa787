//! Flag values checked before anything is sent: numbers JSON can carry, and
//! ids that can be a path segment.

use std::ffi::OsStr;

use clap::builder::TypedValueParser;
use clap::error::ErrorKind;
use clap::{Arg, Command};

/// A decimal number (`--value`, `--price`): finite, since JSON has no NaN or
/// infinity (serde would send them as `null`), and negative where the spec
/// allows it.
#[derive(Clone, Copy, Debug)]
pub struct NumberParser;

impl TypedValueParser for NumberParser {
    type Value = f64;

    fn parse_ref(
        &self,
        cmd: &Command,
        arg: Option<&Arg>,
        value: &OsStr,
    ) -> Result<f64, clap::Error> {
        let text = value.to_string_lossy();
        parse_number(&text).map_err(|reason| invalid(cmd, arg, &text, &reason))
    }
}

/// `text` as a finite number, or why not.
pub fn parse_number(text: &str) -> Result<f64, String> {
    let number: f64 = text
        .trim()
        .parse()
        .map_err(|_| "expected a number, like 1890 or 1890.50".to_owned())?;
    if number.is_finite() {
        Ok(number)
    } else {
        Err(
            "expected a finite number: JSON cannot carry NaN or infinity, and numbers beyond \
             ±1.8e308 are infinite"
                .to_owned(),
        )
    }
}

/// An id given as a positional (`kinbox deals get ID`): anything but what
/// cannot be a path segment (the SDK encodes the rest).
#[derive(Clone, Copy, Debug)]
pub struct PathIdParser;

impl TypedValueParser for PathIdParser {
    type Value = String;

    fn parse_ref(
        &self,
        cmd: &Command,
        arg: Option<&Arg>,
        value: &OsStr,
    ) -> Result<String, clap::Error> {
        let text = value.to_string_lossy();
        kinbox_api::check_path_id(&text)
            .map(|()| text.clone().into_owned())
            .map_err(|reason| invalid(cmd, arg, &text, &reason.to_string()))
    }
}

fn invalid(cmd: &Command, arg: Option<&Arg>, text: &str, reason: &str) -> clap::Error {
    let arg = arg.map(|a| format!(" for '{a}'")).unwrap_or_default();
    clap::Error::raw(
        ErrorKind::ValueValidation,
        format!(
            "invalid value '{}'{arg}: {reason}\n",
            kinbox_api::server_text::escape_controls(text)
        ),
    )
    .with_cmd(cmd)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(crate::tests::proptest_config())]

        /// Any text: refused, or a finite number that JSON writes as a
        /// number (never `null`).
        #[test]
        fn number_flags_give_finite_numbers_or_an_error(text in ".{0,40}|[-+]?[0-9.eE]{0,400}|[-+]?(inf|infinity|nan|NaN)") {
            if let Ok(number) = parse_number(&text) {
                prop_assert!(number.is_finite());
                prop_assert!(serde_json::to_value(number).unwrap().is_number());
            }
        }

        #[test]
        fn finite_numbers_are_read_back_exactly(number in any::<f64>().prop_filter("finite", |n| n.is_finite())) {
            prop_assert_eq!(parse_number(&number.to_string()), Ok(number));
        }
    }

    #[test]
    fn numbers_json_cannot_carry_are_refused() {
        for text in ["NaN", "nan", "inf", "-inf", "infinity", "1e309", "-1e309"] {
            assert!(parse_number(text).is_err(), "{text}");
        }
        assert_eq!(parse_number("-5"), Ok(-5.0));
        assert_eq!(parse_number(" 1890.50 "), Ok(1890.5));
        assert_eq!(parse_number("1e3"), Ok(1000.0));
        assert!(parse_number("ten").is_err());
    }
}
