//! Options accepted by every command: `--profile`, `--base-url`, `--timeout`, `--retries`,
//! `--output`, `-v`.

use std::io::IsTerminal;
use std::time::Duration;

use clap::{Arg, ArgAction, ArgMatches, value_parser};

use crate::CliError;
use crate::config::PROFILE_ENV;

pub const DEFAULT_PROFILE: &str = "default";
const DEFAULT_TIMEOUT_SECS: u64 = 30;
const HEADING: &str = "Global options";

/// How results are printed on stdout.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// JSON: indented on a terminal, compact otherwise; `list --all` prints
    /// one item per line.
    Json,
    /// An aligned table of the main fields: id, name and a few more per
    /// resource.
    Table,
}

/// The global options, once parsed.
#[derive(Debug)]
pub struct Globals {
    pub profile: String,
    pub base_url: Option<String>,
    /// `--base-url` was given on the command line (not by the environment).
    pub base_url_is_explicit: bool,
    pub timeout: Duration,
    /// Retries of a failed read (`GET`); writes are never retried.
    pub retries: u32,
    pub format: Format,
    /// Indent JSON: stdout is a terminal.
    pub pretty: bool,
    pub verbose: u8,
}

pub fn args() -> [Arg; 6] {
    [
        Arg::new("output")
            .short('o')
            .long("output")
            .value_name("FORMAT")
            .value_parser(value_parser!(Format))
            .default_value("json")
            .global(true)
            .help_heading(HEADING)
            .help("How to print results"),
        Arg::new("profile")
            .long("profile")
            .value_name("NAME")
            .env(PROFILE_ENV)
            .hide_env_values(true)
            .global(true)
            .help_heading(HEADING)
            .help("The stored profile whose token to use [default: default]")
            .long_help(
                "The stored profile whose token and base URL to use, as saved by `kinbox \
                 auth login --profile NAME`. KINBOX_TOKEN, when set, takes precedence over \
                 the profile's token. [default: default]",
            ),
        Arg::new("base-url")
            .long("base-url")
            .value_name("URL")
            .env(kinbox_api::BASE_URL_ENV)
            .hide_env_values(true)
            .global(true)
            .help_heading(HEADING)
            // The default comes from the spec's `servers`, through the SDK.
            .help(format!(
                "The API to talk to [default: {}]",
                kinbox_api::DEFAULT_BASE_URL
            ))
            .long_help(format!(
                "The API to talk to, e.g. a sandbox or a mock. The token is only sent over \
                 https, or over http to a loopback address (127.0.0.1, localhost). \
                 [default: the profile's, else {}]",
                kinbox_api::DEFAULT_BASE_URL
            )),
        Arg::new("timeout")
            .long("timeout")
            .value_name("SECONDS")
            .value_parser(value_parser!(u64).range(1..=3600))
            .default_value("30")
            .global(true)
            .help_heading(HEADING)
            .help("Give up on a request after this many seconds"),
        Arg::new("retries")
            .long("retries")
            .value_name("N")
            .value_parser(value_parser!(u32).range(0..=10))
            .default_value("0")
            .global(true)
            .help_heading(HEADING)
            .help("Try a failed read again up to N times (429, 5xx, dropped, timed out)")
            .long_help(format!(
                "Try a failed read (GET) again up to N times when the API answers 429, 500, 502, \
                 503 or 504, or cannot be reached, drops the connection or times out; waiting as \
                 Retry-After asks (seconds or a date), else 0.5 s doubling, with jitter. A wait \
                 over {} s is not made: the error is shown, and a warning says why. Creates, \
                 updates and deletes are never retried, so nothing is sent twice.",
                kinbox_api::RetryPolicy::default().max_wait.as_secs()
            )),
        Arg::new("verbose")
            .short('v')
            .long("verbose")
            .action(ArgAction::Count)
            .global(true)
            .help_heading(HEADING)
            .help("Log each request and response to stderr (-vv: with request bodies)")
            .long_help(
                "Log each request (method, URL) and response (status, time) to stderr; \
                 -vv also logs request bodies. The token is never logged.",
            ),
    ]
}

impl Globals {
    pub fn from_matches(matches: &ArgMatches) -> Result<Self, CliError> {
        let profile = matches
            .get_one::<String>("profile")
            .map(|p| p.trim().to_owned())
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| DEFAULT_PROFILE.to_owned());
        let base_url = matches
            .get_one::<String>("base-url")
            .map(|url| url.trim().to_owned())
            .filter(|url| !url.is_empty());
        let timeout = Duration::from_secs(
            matches
                .get_one::<u64>("timeout")
                .copied()
                .unwrap_or(DEFAULT_TIMEOUT_SECS),
        );
        Ok(Self {
            profile,
            base_url,
            base_url_is_explicit: matches.value_source("base-url")
                == Some(clap::parser::ValueSource::CommandLine),
            timeout,
            retries: matches.get_one::<u32>("retries").copied().unwrap_or(0),
            format: matches
                .get_one::<Format>("output")
                .copied()
                .unwrap_or(Format::Json),
            pretty: std::io::stdout().is_terminal(),
            verbose: matches.get_count("verbose"),
        })
    }

    /// `-v`: the SDK's request and response events (`kinbox-api/src/hooks.rs`)
    /// to stderr. Only this tool's and the SDK's events are enabled: the HTTP
    /// stack below them is not, so no header can show up.
    pub fn init_tracing(&self) {
        // Without -v, the SDK's warnings still show (a retry given up, and why).
        let level = match self.verbose {
            0 => "warn",
            1 => "debug",
            _ => "trace",
        };
        // `kinbox sandbox -v` logs each request the sandbox answers.
        let filter = tracing_subscriber::EnvFilter::new(format!(
            "kinbox_api={level},kinbox_cli={level},kinbox_sandbox={}",
            if self.verbose == 0 { "warn" } else { "info" }
        ));
        tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .with_ansi(std::io::stderr().is_terminal())
            .with_target(false)
            .without_time()
            .init();
    }
}
