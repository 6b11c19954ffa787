//! Date-time flags (`--due-date`, `--created-at-from`, …), read by
//! `kinbox_input::date`, with a message that shows the accepted forms, in
//! the time zone of the run ([`zone`]), the one tables show dates in too.

use std::ffi::OsStr;
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use clap::builder::TypedValueParser;
use clap::{Arg, Command};
pub use kinbox_input::date::{DayEdge, END_HELP, EXAMPLE, HELP, Zone, parse_in};

/// How the zone of a run is found, once: set before the command line is
/// parsed ([`use_zone`]), since date flags are read while it is, and
/// asked for only when a date is read or shown, so that a run without
/// dates never looks for it.
type Resolver = Box<dyn FnOnce() -> Result<Zone, String> + Send>;

enum State {
    Unresolved(Resolver),
    Resolved(Result<Zone, String>),
}

static ZONE: Mutex<Option<State>> = Mutex::new(None);

/// Makes `resolve` the way this run finds its zone (`--tz`, `KINBOX_TZ`,
/// the profile's, Brasília).
pub fn use_zone(resolve: impl FnOnce() -> Result<Zone, String> + Send + 'static) {
    *ZONE.lock().unwrap_or_else(|e| e.into_inner()) = Some(State::Unresolved(Box::new(resolve)));
}

/// The time zone of this run: where dates without a zone are read, and
/// where tables show dates. Brasília unless [`use_zone`] said otherwise.
pub fn zone() -> Result<Zone, String> {
    let mut state = ZONE.lock().unwrap_or_else(|e| e.into_inner());
    let resolved = match state.take() {
        None => Ok(Zone::brasilia()),
        Some(State::Unresolved(resolve)) => resolve(),
        Some(State::Resolved(resolved)) => resolved,
    };
    *state = Some(State::Resolved(resolved.clone()));
    resolved
}

/// How the help names a date-time flag's value.
pub const VALUE_NAME: &str = "DATETIME";

/// Whether the flag `id` ends a range of an API filter, which includes its
/// bound (`--created-at-to`, `--won-lost-date-to`: "at or before").
pub fn is_range_end(id: &str) -> bool {
    id.ends_with("-at-to") || id.ends_with("-date-to")
}

/// A date-time flag: [`DateTimeParser`], with the accepted forms added to its
/// help.
pub fn arg(arg: Arg) -> Arg {
    let note = if is_range_end(arg.get_id().as_str()) {
        format!("{HELP} {END_HELP}")
    } else {
        HELP.to_owned()
    };
    crate::input::values::with_note(arg, &note)
        .value_parser(DateTimeParser)
        .value_name(VALUE_NAME)
}

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
        let edge = match arg {
            Some(arg) if is_range_end(arg.get_id().as_str()) => DayEdge::End,
            _ => DayEdge::Start,
        };
        zone()
            .and_then(|zone| parse_in(&text, edge, &zone))
            .map(|date| date.with_timezone(&Utc))
            .map_err(|reason| crate::input::values::invalid(cmd, arg, &text, &reason))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ends_of_ranges_are_known_by_their_flags() {
        assert!(is_range_end("created-at-to"));
        assert!(is_range_end("won-lost-date-to"));
        assert!(!is_range_end("scheduled-to"));
        assert!(!is_range_end("created-at-from"));
    }
}
