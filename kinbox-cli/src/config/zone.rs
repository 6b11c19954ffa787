//! The time zone of a run: `--tz`, else `KINBOX_TZ`, else the selected
//! profile's `tz`, else Brasília (`America/Sao_Paulo`). Dates typed without
//! a zone are read in it, and tables show dates in it, so a date typed on a
//! server in UTC lands on the same day in the Kinbox app and is shown back
//! as it was typed.
//!
//! Date flags are read while clap parses the command line, so the zone is
//! found from the raw arguments ([`before_parsing`]); it is looked up only
//! when a date is read or shown, and `Globals` checks afterwards that clap
//! read the same `--tz`.

use std::ffi::OsString;

use kinbox_input::date::{DEFAULT_ZONE, Zone};

use crate::config::credentials::{Credentials, PROFILE_ENV, credentials_path};
use crate::config::global::{DEFAULT_PROFILE, Source};

/// Selects the time zone when `--tz` is not given.
pub const TZ_ENV: &str = "KINBOX_TZ";
/// The global flag.
pub const FLAG: &str = "--tz";

/// The value of `--tz FLAG`, `--tz=VALUE`, or `--profile`, in `argv`
/// (before a `--`), the last one given; `None` when not given.
pub fn flag_value(argv: &[OsString], flag: &str) -> Option<String> {
    let mut found = None;
    let mut words = argv.iter().skip(1).map(|w| w.to_string_lossy());
    let with_equals = format!("{flag}=");
    while let Some(word) = words.next() {
        if word == "--" {
            break;
        }
        if word == flag {
            found = words.next().map(|v| v.into_owned());
        } else if let Some(value) = word.strip_prefix(&with_equals) {
            found = Some(value.to_owned());
        }
    }
    found
}

/// Where the zone comes from, found without reading anything.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Given {
    /// `--tz` or `KINBOX_TZ`, and which.
    pub tz: Option<(String, Source)>,
    /// The profile whose `tz` applies when neither is given.
    pub profile: String,
}

impl Given {
    /// From the arguments and the environment.
    pub fn from_process(argv: &[OsString]) -> Self {
        let nonblank = |v: String| (!v.trim().is_empty()).then(|| v.trim().to_owned());
        let tz = flag_value(argv, FLAG)
            .and_then(nonblank)
            .map(|v| (v, Source::Flag(FLAG)))
            .or_else(|| {
                std::env::var(TZ_ENV)
                    .ok()
                    .and_then(nonblank)
                    .map(|v| (v, Source::Env(TZ_ENV)))
            });
        let profile = flag_value(argv, "--profile")
            .and_then(nonblank)
            .or_else(|| std::env::var(PROFILE_ENV).ok().and_then(nonblank))
            .unwrap_or_else(|| DEFAULT_PROFILE.to_owned());
        Self { tz, profile }
    }

    /// The zone: the one given, else the profile's (read from the
    /// credentials file; a file that cannot be read is left to the command
    /// that needs its token to report), else Brasília.
    pub fn resolve(self) -> Result<Zone, String> {
        let profile = self.profile.clone();
        resolve(self, move || {
            let path = credentials_path().ok()?;
            let tz = Credentials::load(&path)
                .ok()?
                .profiles
                .get(&profile)?
                .tz
                .clone()?;
            Some((
                tz,
                Source::Profile {
                    name: profile,
                    path,
                },
            ))
        })
    }
}

/// [`Given::resolve`] with the profile's `tz` looked up by `profile_tz`.
fn resolve(
    given: Given,
    profile_tz: impl FnOnce() -> Option<(String, Source)>,
) -> Result<Zone, String> {
    let (name, source) = match given.tz {
        Some(given) => given,
        None => match profile_tz() {
            Some(stored) => stored,
            None => return Ok(Zone::brasilia()),
        },
    };
    Zone::named(&name).map_err(|why| format!("{why} (the zone came from {source})"))
}

/// The default zone's name, for help texts.
pub const DEFAULT: &str = DEFAULT_ZONE;

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(words: &[&str]) -> Vec<OsString> {
        std::iter::once("kinbox")
            .chain(words.iter().copied())
            .map(OsString::from)
            .collect()
    }

    #[test]
    fn the_flag_is_found_in_either_form_before_a_double_dash() {
        assert_eq!(flag_value(&argv(&["deals", "list"]), FLAG), None);
        assert_eq!(
            flag_value(&argv(&["--tz", "UTC", "deals", "list"]), FLAG).as_deref(),
            Some("UTC")
        );
        assert_eq!(
            flag_value(&argv(&["deals", "list", "--tz=Europe/Lisbon"]), FLAG).as_deref(),
            Some("Europe/Lisbon")
        );
        assert_eq!(
            flag_value(&argv(&["--tz", "UTC", "x", "--tz", "America/Manaus"]), FLAG).as_deref(),
            Some("America/Manaus"),
            "the last one, as clap reads it"
        );
        assert_eq!(flag_value(&argv(&["api", "--", "--tz", "UTC"]), FLAG), None);
    }

    #[test]
    fn flag_then_env_then_profile_then_brasilia() {
        let given = |tz: Option<(&str, Source)>| Given {
            tz: tz.map(|(v, s)| (v.to_owned(), s)),
            profile: "default".to_owned(),
        };
        let stored = || Some(("Europe/Lisbon".to_owned(), Source::Default));
        let zone = |given, stored: &dyn Fn() -> Option<(String, Source)>| {
            resolve(given, stored).map(|zone| zone.name().to_owned())
        };
        assert_eq!(
            zone(given(Some(("utc", Source::Flag(FLAG)))), &stored),
            Ok("UTC".to_owned())
        );
        assert_eq!(zone(given(None), &stored), Ok("Europe/Lisbon".to_owned()));
        assert_eq!(zone(given(None), &|| None), Ok(DEFAULT.to_owned()));
        let error = zone(
            given(Some(("Brasil/Fortaleza", Source::Env(TZ_ENV)))),
            &stored,
        )
        .unwrap_err();
        assert!(
            error.starts_with(
                "unknown time zone `Brasil/Fortaleza`: give an IANA name, e.g. America/Sao_Paulo"
            ),
            "{error}"
        );
        assert!(
            error.ends_with("(the zone came from the KINBOX_TZ environment variable)"),
            "{error}"
        );
    }
}
