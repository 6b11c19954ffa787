//! Flag values checked before anything is sent: numbers JSON can carry (read
//! by `kinbox_input::number`), and ids that can be a path segment.

use std::ffi::OsStr;

use clap::builder::TypedValueParser;
use clap::error::ErrorKind;
use clap::{Arg, Command};
pub use kinbox_input::number::{MONEY_HELP, NUMBER_HELP, parse_number};

/// The decimal flags that hold an amount of money.
const MONEY: [&str; 2] = ["value", "price"];

/// A decimal flag: [`NUMBER`], with the ways a number may be written
/// added to its help.
pub fn number_arg(arg: Arg) -> Arg {
    let note = if MONEY.contains(&arg.get_id().as_str()) {
        MONEY_HELP
    } else {
        NUMBER_HELP
    };
    with_note(arg, note).value_parser(NUMBER)
}

/// `arg` with `note` added to its help (how a value may be written).
pub fn with_note(arg: Arg, note: &str) -> Arg {
    let help = match arg.get_help() {
        Some(help) => format!("{} {note}", help.to_string().trim_end()),
        None => note.to_owned(),
    };
    arg.help(help)
}

/// A flag value read by a function from text, with the function's reason
/// as the error: one parser for numbers, phones and path ids.
#[derive(Clone, Copy)]
pub struct TextParser<T> {
    read: fn(&str) -> Result<T, String>,
}

impl<T> TextParser<T> {
    pub const fn new(read: fn(&str) -> Result<T, String>) -> Self {
        Self { read }
    }
}

impl<T: Clone + Send + Sync + 'static> TypedValueParser for TextParser<T> {
    type Value = T;

    fn parse_ref(&self, cmd: &Command, arg: Option<&Arg>, value: &OsStr) -> Result<T, clap::Error> {
        let text = value.to_string_lossy();
        (self.read)(&text).map_err(|reason| invalid(cmd, arg, &text, &reason))
    }
}

/// A decimal number (`--value`, `--price`): finite, since JSON has no NaN or
/// infinity (serde would send them as `null`), and negative where the spec
/// allows it. Brazilian notation is read too: see [`read_number`].
pub const NUMBER: TextParser<f64> = TextParser::new(parse_number);

/// An id given as a positional (`kinbox deals get ID`): anything but what
/// cannot be a path segment (the SDK encodes the rest).
pub const PATH_ID: TextParser<String> = TextParser::new(|text| {
    kinbox_api::check_path_id(text)
        .map(|()| text.to_owned())
        .map_err(|reason| reason.to_string())
});

/// The error of a flag value that does not fit: which value, which flag,
/// and why, the value escaped (it is echoed to the terminal).
pub fn invalid(cmd: &Command, arg: Option<&Arg>, text: &str, reason: &str) -> clap::Error {
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
