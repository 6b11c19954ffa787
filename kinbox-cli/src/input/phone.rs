//! Phone flags, read by `kinbox_input::phone`.

use clap::Arg;
pub use kinbox_input::phone::{HELP, normalize};

/// A phone flag (`contacts list --phone`): [`normalize`], with how a phone
/// may be written added to its help.
pub fn arg(arg: Arg) -> Arg {
    crate::input::values::with_note(arg, HELP)
        .value_parser(crate::input::values::TextParser::new(normalize))
}
