//! Options accepted by every command: `--profile`, `--base-url`, `--timeout`, `--retries`,
//! `-v`; declared once, in [`GlobalArgs`]. The output options (`-o`, `--json`…) are only on
//! the commands that print answers (`crate::output::args`).

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

use clap::parser::ValueSource;
use clap::{Arg, ArgAction, ArgMatches, FromArgMatches as _};

use crate::CliError;
use crate::config::credentials::PROFILE_ENV;

pub const DEFAULT_PROFILE: &str = "default";
pub const HEADING: &str = "Global options";
/// Where a value in use was found. Precedence: a flag, then an environment
/// variable, then the selected profile, then the default.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// On the command line, e.g. `--base-url`.
    Flag(&'static str),
    /// In the environment, e.g. `KINBOX_BASE_URL`.
    Env(&'static str),
    /// In a profile of the credentials file.
    Profile {
        name: String,
        path: PathBuf,
    },
    Default,
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Flag(flag) => f.write_str(flag),
            Source::Env(var) => write!(f, "the {var} environment variable"),
            Source::Profile { name, path } => {
                write!(f, "profile \"{name}\" in {}", path.display())
            }
            Source::Default => f.write_str("the default"),
        }
    }
}

/// The ids of the options whose origin matters (see [`Source`]).
const PROFILE: &str = "profile";
const BASE_URL: &str = "base-url";
const TZ: &str = "tz";

/// How results are printed on stdout (`-o`, declared in `crate::output::args`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// JSON: a list one compact object per line; one object indented on a
    /// terminal, compact otherwise.
    Json,
    /// An aligned table of the main fields: id, name and a few more per
    /// resource.
    Table,
}

/// The global options as given. Their defaults are the SDK's (timeout, base
/// URL, retry wait). Read through [`Globals`], which also knows where each
/// value came from.
#[derive(Debug, clap::Args)]
#[group(skip)]
pub struct GlobalArgs {
    #[arg(
        id = PROFILE,
        long = "profile",
        value_name = "NAME",
        env = PROFILE_ENV,
        hide_env_values = true,
        global = true,
        help_heading = HEADING,
        help = "The stored profile whose token to use [default: default]",
        long_help = "The stored profile whose token and base URL to use, as saved by `kinbox \
                     auth login --profile NAME`; a profile is a host and its token, and its \
                     token is only ever sent to its host. A profile that is not stored is an \
                     error. KINBOX_TOKEN, when set, takes precedence over the profile's token, \
                     and goes only to KINBOX_BASE_URL (else the default API). [default: default]"
    )]
    pub profile: Option<String>,

    #[arg(
        id = BASE_URL,
        long = "base-url",
        value_name = "URL",
        env = kinbox_api::BASE_URL_ENV,
        hide_env_values = true,
        global = true,
        help_heading = HEADING,
        // The default comes from the spec's `servers`, through the SDK.
        help = format!("The API to talk to [default: {}]", kinbox_api::DEFAULT_BASE_URL),
        long_help = format!(
            "The API to talk to, e.g. a sandbox or a mock. The token is only sent over \
             https, or over http to a loopback address (127.0.0.1, localhost), and only to \
             its own host: a stored profile's token to that profile's base URL, \
             KINBOX_TOKEN to KINBOX_BASE_URL (else the default API). A URL that names \
             another host is refused, and nothing is sent: give the token and the URL \
             together (both in the environment, or a profile stored by `kinbox auth \
             login`). [default: the profile's, else {}]",
            kinbox_api::DEFAULT_BASE_URL
        )
    )]
    pub base_url: Option<String>,

    #[arg(
        id = TZ,
        long = "tz",
        value_name = "ZONE",
        env = crate::config::zone::TZ_ENV,
        hide_env_values = true,
        global = true,
        help_heading = HEADING,
        help = format!(
            "The time zone of dates typed and shown, e.g. UTC [default: the profile's, else {}]",
            crate::config::zone::DEFAULT
        ),
        long_help = format!(
            "The time zone of dates typed without one (--due-date 30/06/2025 is midnight \
             there) and of dates shown in tables: an IANA name, e.g. America/Sao_Paulo, \
             America/Manaus, UTC, Europe/Lisbon. Read from the time zone database built into \
             kinbox, with its history (Brazil's daylight saving until 2019), whatever the \
             machine's zone. [default: the profile's `tz`, else {}, as the Kinbox app shows \
             dates]",
            crate::config::zone::DEFAULT
        )
    )]
    pub tz: Option<String>,

    #[arg(
        long = "timeout",
        value_name = "SECONDS",
        value_parser = clap::value_parser!(u64).range(1..=3600),
        default_value_t = kinbox_api::DEFAULT_TIMEOUT.as_secs(),
        global = true,
        help_heading = HEADING,
        help = "Give up on a request after this many seconds"
    )]
    pub timeout: u64,

    #[arg(
        long = "retries",
        value_name = "N",
        value_parser = clap::value_parser!(u32).range(0..=10),
        default_value_t = kinbox_api::RetryPolicy::DEFAULT_RETRIES,
        global = true,
        help_heading = HEADING,
        help = "Try a failed read again up to N times (429, 5xx, dropped, timed out); 0: never",
        long_help = format!(
            "Try a failed read (GET) again up to N times when the API answers 429, 500, 502, \
             503 or 504, or cannot be reached, drops the connection or times out; waiting as \
             Retry-After asks (seconds or a date), else 0.5 s doubling, with jitter. A wait \
             over {} s is not made: the error is shown, and a warning says why. --retries 0 \
             turns retries off. Creates, updates and deletes are never retried, so nothing is \
             sent twice.",
            kinbox_api::RetryPolicy::default().max_wait.as_secs()
        )
    )]
    pub retries: u32,

    #[arg(
        short = 'v',
        long = "verbose",
        action = ArgAction::Count,
        global = true,
        help_heading = HEADING,
        help = "Log each request and response to stderr (-vv: with request bodies)",
        long_help = "Log each request (method, URL) and response (status, time) to stderr; \
                     -vv also logs request bodies. The token is never logged."
    )]
    pub verbose: u8,
}

/// The global options, for the builder-made command tree
/// (`Command::args(global::args())`): those of [`GlobalArgs`].
pub fn args() -> Vec<Arg> {
    <GlobalArgs as clap::Args>::augment_args(clap::Command::new("kinbox"))
        .get_arguments()
        .cloned()
        .collect()
}

/// The global options, once parsed.
#[derive(Debug)]
pub struct Globals {
    pub profile: String,
    /// `--profile`, `KINBOX_PROFILE` or the default.
    pub profile_source: Source,
    /// `--base-url` or `KINBOX_BASE_URL`, and which; else the profile's or
    /// the default, which only the credentials file can tell.
    pub base_url: Option<(String, Source)>,
    /// `KINBOX_BASE_URL` as set, even when `--base-url` outranks it: the
    /// host that `KINBOX_TOKEN` goes with.
    pub env_base_url: Option<String>,
    /// `--tz` or `KINBOX_TZ`, checked, and which; else the profile's or the
    /// default, found when needed (`config::zone`).
    pub tz: Option<(String, Source)>,
    pub timeout: Duration,
    /// Retries of a failed read (`GET`); writes are never retried.
    pub retries: u32,
    /// Indent JSON: stdout is a terminal.
    pub pretty: bool,
    pub verbose: u8,
}

impl Globals {
    pub fn from_matches(matches: &ArgMatches) -> Result<Self, CliError> {
        let args = GlobalArgs::from_arg_matches(matches)
            .map_err(|e| CliError::Usage(anyhow::Error::new(e)))?;
        let given = |value: Option<String>, id: &str, flag: &'static str, env: &'static str| {
            let value = value
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())?;
            let source = match matches.value_source(id) {
                Some(ValueSource::EnvVariable) => Source::Env(env),
                _ => Source::Flag(flag),
            };
            Some((value, source))
        };
        let (profile, profile_source) = given(args.profile, PROFILE, "--profile", PROFILE_ENV)
            .unwrap_or_else(|| (DEFAULT_PROFILE.to_owned(), Source::Default));
        let tz = given(args.tz, TZ, "--tz", crate::config::zone::TZ_ENV);
        if let Some((name, source)) = &tz {
            // Checked before anything is sent, whether or not a date is read.
            let zone = kinbox_input::date::Zone::named(name)
                .map_err(|why| CliError::usage(format!("{source}: {why}")))?;
            // Date flags were read in the zone found before clap parsed the
            // line (`config::zone`): it must be this one.
            if crate::input::datetime::zone().is_ok_and(|used| used != zone) {
                return Err(CliError::usage(format!(
                    "{source} could not be read before the other flags: write it as `--tz {}` \
                     before the command's own flags",
                    zone.name()
                )));
            }
        }
        Ok(Self {
            profile,
            profile_source,
            base_url: given(
                args.base_url,
                BASE_URL,
                "--base-url",
                kinbox_api::BASE_URL_ENV,
            ),
            env_base_url: std::env::var(kinbox_api::BASE_URL_ENV)
                .ok()
                .map(|url| url.trim().to_owned())
                .filter(|url| !url.is_empty()),
            tz,
            timeout: Duration::from_secs(args.timeout),
            retries: args.retries,
            pretty: std::io::stdout().is_terminal(),
            verbose: args.verbose,
        })
    }

    /// `-v`: the SDK's request and response events (`kinbox-api/src/hooks.rs`)
    /// to stderr, without the token. Only this tool's and the SDK's events
    /// are enabled: the HTTP stack below them is not, so no header can show
    /// up.
    pub fn init_tracing(&self) {
        use tracing_subscriber::filter::{LevelFilter, Targets};
        use tracing_subscriber::prelude::*;
        // Without -v, only the SDK's warnings can show (a retry given up, and
        // why), and only retries give any: no logger is set up otherwise,
        // which keeps a plain command's start-up short.
        let level = match self.verbose {
            0 if self.retries == 0 => return,
            0 => LevelFilter::WARN,
            1 => LevelFilter::DEBUG,
            _ => LevelFilter::TRACE,
        };
        // `kinbox sandbox -v` logs each request the sandbox answers.
        let sandbox = if self.verbose == 0 {
            LevelFilter::WARN
        } else {
            LevelFilter::INFO
        };
        let targets = Targets::new()
            .with_target("kinbox_api", level)
            .with_target("kinbox_cli", level)
            .with_target("kinbox_sandbox", sandbox);
        tracing_subscriber::registry()
            .with(
                tracing_subscriber::fmt::layer()
                    // The token can reach an event by another way than the
                    // header: typed as an id (the URL) or as a value (the
                    // body); each event is written without it.
                    .with_writer(|| crate::error::Redacting::new(std::io::stderr()))
                    .with_ansi(std::io::stderr().is_terminal())
                    .with_target(false)
                    .without_time()
                    .with_filter(targets),
            )
            .init();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn globals(args: &[&str]) -> Globals {
        let cmd = clap::Command::new("kinbox").args(args_for_test());
        Globals::from_matches(&cmd.try_get_matches_from(args).unwrap()).unwrap()
    }

    fn args_for_test() -> Vec<Arg> {
        // The environment of the test process must not leak in.
        args().into_iter().map(|arg| arg.env(None)).collect()
    }

    #[test]
    fn the_timeout_default_is_the_sdks() {
        let globals = globals(&["kinbox"]);
        assert_eq!(globals.timeout, kinbox_api::DEFAULT_TIMEOUT);
        assert_eq!(globals.retries, 3, "reads are retried by default");
        assert_eq!(globals.profile, DEFAULT_PROFILE);
        assert_eq!(globals.profile_source, Source::Default);
        assert_eq!(globals.base_url, None);
    }

    #[test]
    fn given_values_are_read_with_their_source() {
        let globals = globals(&[
            "kinbox",
            "--profile",
            " loja2 ",
            "--base-url",
            "http://127.0.0.1:9",
            "--timeout",
            "5",
            "--retries",
            "2",
            "-vv",
        ]);
        assert_eq!(globals.profile, "loja2");
        assert_eq!(globals.profile_source, Source::Flag("--profile"));
        assert_eq!(
            globals.base_url,
            Some(("http://127.0.0.1:9".to_owned(), Source::Flag("--base-url")))
        );
        assert_eq!(globals.timeout, Duration::from_secs(5));
        assert_eq!(globals.retries, 2);
        assert_eq!(globals.verbose, 2);
    }

    #[test]
    fn blank_values_are_not_given() {
        let globals = globals(&["kinbox", "--profile", " ", "--base-url", ""]);
        assert_eq!(globals.profile_source, Source::Default);
        assert_eq!(globals.base_url, None);
    }
}
