//! Destructive commands (`delete`): the object is read first, then the user
//! confirms on a terminal, or gives `--yes` when no one is there to ask (as
//! `gh` does); what was deleted is said afterwards.

use std::io::{BufRead as _, IsTerminal as _, Write as _};

use clap::{Arg, ArgAction, ArgMatches};
use serde_json::Value;

use crate::CliError;

pub const ARG: &str = "yes";

pub fn arg() -> Arg {
    Arg::new(ARG)
        .short('y')
        .long(ARG)
        .action(ArgAction::SetTrue)
        .help("Delete without asking; needed when stdin is not a terminal")
}

/// Asks whether to delete `what` (the object as read), unless `--yes`.
pub fn delete(matches: &ArgMatches, noun: &str, what: &Value) -> Result<(), CliError> {
    let label = describe(noun, what);
    if matches.get_flag(ARG) {
        return Ok(());
    }
    if !std::io::stdin().is_terminal() {
        return Err(CliError::usage(format!(
            "refusing to delete {label} without confirmation: stdin is not a terminal, so \
             pass --yes to delete it"
        )));
    }
    eprint!("Delete {label}? This cannot be undone. [y/N] ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| CliError::failure(format!("cannot read the answer: {e}")))?;
    match answer.trim().to_lowercase().as_str() {
        "y" | "yes" | "s" | "sim" => Ok(()),
        _ => Err(CliError::usage(format!("{label} was not deleted"))),
    }
}

/// Said on stderr once it is gone.
pub fn deleted(noun: &str, what: &Value) {
    eprintln!("deleted {}", describe(noun, what));
}

/// `deal 65f0… "Pedido #1042"`, its text escaped.
fn describe(noun: &str, what: &Value) -> String {
    let text = |value: &Value| match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    };
    let id = what.get("id").map(text).unwrap_or_default();
    let label = match what.get("name").map(text) {
        Some(name) => format!("{noun} {id} \"{name}\""),
        None => format!("{noun} {id}"),
    };
    kinbox_api::server_text::escape_controls(&label).into_owned()
}
