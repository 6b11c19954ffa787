//! `kinbox auth login | status | logout`: the token of each profile, stored
//! in the per-user credentials file.

use std::io::IsTerminal as _;

use clap::{Arg, ArgMatches, Command};
use kinbox_api::{Client, DEFAULT_BASE_URL, ErrorKind, KinboxError, TOKEN_ENV, Token};

use crate::CliError;
use crate::config::context::{Context, Resolved, Stored, same_host};
use crate::config::credentials::{CONFIG_DIR_ENV, Profile};
use crate::config::global::{DEFAULT_PROFILE, Source};

/// `auth login --no-check`: store a token that cannot be checked now.
const NO_CHECK: &str = "no-check";

pub fn command() -> Command {
    Command::new("auth")
        .about("Store, check and remove the API token")
        .subcommand_required(true)
        .arg_required_else_help(true)
        .subcommand(
            Command::new("login")
                .about("Check an API token and store it for a profile")
                .arg(
                    // Only to refuse a token given on the command line
                    // without echoing it back.
                    Arg::new("token")
                        .hide(true)
                        .num_args(1..)
                        .value_parser(clap::builder::NonEmptyStringValueParser::new()),
                )
                .arg(
                    Arg::new(NO_CHECK)
                        .long(NO_CHECK)
                        .action(clap::ArgAction::SetTrue)
                        .help("Store the token without checking it (e.g. offline)"),
                )
                .long_about(format!(
                    "Check an API token and store it for a profile.\n\n\
                     The token is read from a prompt that does not echo it, or from stdin when \
                     stdin is not a terminal; never from the command line, where other users \
                     and the shell history could see it. It is checked with one request (the \
                     first deal); a token the API refuses is not stored, and one that cannot be \
                     checked (the API cannot be reached, or fails) is not stored either, unless \
                     --no-check says to (exit status 4 otherwise). It is stored in \
                     credentials.toml, readable by you only, in ${CONFIG_DIR_ENV} or your config \
                     directory (~/.config/kinbox on Linux), with the base URL it was checked \
                     against unless that is the default: --base-url, else KINBOX_BASE_URL, else \
                     the profile's; --tz, when given, is kept as the profile's time zone. A \
                     credentials file that cannot be read is never overwritten.\n\n\
                     A profile is a host and its token: the token is only ever sent to that \
                     host. Without --profile, a login to the default API stores profile \
                     `default`; a login to another host (a sandbox) stores a profile named \
                     after it (`sandbox` for 127.0.0.1, else the host's name) and says so, \
                     leaving `default` as it was. A profile that holds another host's token \
                     is not overwritten: log out of it first, or choose another name.\n\n\
                     Tokens are created in the Kinbox app under Configurações > Integrações > \
                     API, and act with the permissions of the user who made them."
                ))
                .after_help(
                    "Examples:\n  \
                     kinbox auth login\n  \
                     kinbox auth login --profile loja2 < token.txt\n  \
                     pass show kinbox | kinbox auth login --profile sandbox --base-url http://127.0.0.1:8080\n\n\
                     Exit status:\n  \
                     0  the token was checked (or --no-check) and stored\n  \
                     1  the API refuses the token (401, 403); nothing was stored\n  \
                     2  usage error, e.g. the profile holds another host's token; nothing was sent\n  \
                     4  the token could not be checked (unreachable, timed out, 5xx, 429);\n     \
                     nothing was stored",
                ),
        )
        .subcommand(
            Command::new("status")
                .about("Show which token is in use, and check it")
                .long_about(format!(
                    "Show which token is in use ({TOKEN_ENV}, else the selected profile's), \
                     the API it is sent to and the time zone of dates, where each comes from, \
                     and check the token with one request (the first deal). Then list the stored profiles, marking the \
                     selected one with *."
                ))
                .after_help(
                    "Exit status:\n  \
                     0  the API accepts the token\n  \
                     1  no token is available, or the API refuses it (401, 403)\n  \
                     2  usage error, e.g. a base URL that is not acceptable; nothing was sent\n  \
                     4  the token could not be checked: the API could not be reached, timed\n     \
                     out, or failed (5xx, 429, an unexpected answer)",
                ),
        )
        .subcommand(
            Command::new("logout")
                .about("Remove the stored token of a profile")
                .long_about(format!(
                    "Remove the stored token of the selected profile from credentials.toml. \
                     {TOKEN_ENV}, if set, is not affected. The token itself stays valid until \
                     it is revoked in the Kinbox app."
                )),
        )
}

pub async fn run(context: &Context, matches: &ArgMatches) -> Result<(), CliError> {
    match matches.subcommand() {
        Some(("login", login_matches)) => {
            if login_matches.contains_id("token") {
                return Err(CliError::usage(
                    "the token is not taken from the command line, where the shell history \
                     and other users could see it: paste it at the prompt, or pipe it on \
                     stdin (`kinbox auth login < token.txt`)",
                ));
            }
            login(context, login_matches).await
        }
        Some(("status", _)) => status(context).await,
        Some(("logout", _)) => logout(context),
        _ => unreachable!("clap requires a known subcommand"),
    }
}

/// The credentials file for `auth login`, which rewrites it: one it cannot
/// read is left alone, since it may hold the tokens of other profiles.
fn load_for_writing() -> Result<Stored, CliError> {
    Stored::load().map_err(|error| {
        CliError::failure(format!(
            "{error}\nNothing was stored: `kinbox auth login` does not overwrite a credentials \
             file it cannot read, which may hold the tokens of other profiles"
        ))
    })
}

/// The profile a login stores its token in, and whether it was named by
/// the user or derived from the host.
#[derive(Debug, PartialEq, Eq)]
enum Name {
    Given(String),
    Derived(String),
}

impl Name {
    fn as_str(&self) -> &str {
        match self {
            Name::Given(name) | Name::Derived(name) => name,
        }
    }
}

/// The host a stored profile's token is for.
fn host_of(profile: &Profile) -> &str {
    profile
        .base_url
        .as_deref()
        .map(str::trim)
        .filter(|url| !url.is_empty())
        .unwrap_or(DEFAULT_BASE_URL)
}

/// `--profile` (or `KINBOX_PROFILE`) when given; else `default` for the
/// default API or the default profile's own host; else a name derived from
/// the host, `sandbox` for a loopback address (`sandbox-PORT` when
/// `sandbox` holds another host), the host's name otherwise: a login to a
/// sandbox never replaces the production token of `default`.
fn profile_for_login(context: &Context, stored: &Stored, base_url: &str) -> Name {
    if context.globals.profile_source != Source::Default {
        return Name::Given(context.profile_name().to_owned());
    }
    let profiles = &stored.credentials.profiles;
    let free_or_same = |name: &str| {
        profiles
            .get(name)
            .is_none_or(|profile| same_host(host_of(profile), base_url))
    };
    let default_is_this_host = profiles
        .get(DEFAULT_PROFILE)
        .is_some_and(|profile| same_host(host_of(profile), base_url));
    if same_host(base_url, DEFAULT_BASE_URL) || default_is_this_host {
        return Name::Given(DEFAULT_PROFILE.to_owned());
    }
    let url = url::Url::parse(base_url).ok();
    let host = url
        .as_ref()
        .and_then(|url| url.host_str())
        .unwrap_or("api")
        .trim_matches(['[', ']'])
        .to_ascii_lowercase();
    let loopback = host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    let port = url.as_ref().and_then(url::Url::port);
    let mut candidates = Vec::new();
    if loopback {
        candidates.push("sandbox".to_owned());
        candidates.extend(port.map(|port| format!("sandbox-{port}")));
    } else {
        let host: String = host
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                    c
                } else {
                    '-'
                }
            })
            .collect();
        candidates.push(host.clone());
        candidates.extend(port.map(|port| format!("{host}-{port}")));
    }
    let name = candidates
        .iter()
        .find(|name| free_or_same(name))
        .cloned()
        .unwrap_or_else(|| {
            (2..)
                .map(|n| format!("{}-{n}", candidates[0]))
                .find(|name| free_or_same(name))
                .expect("some name is free")
        });
    Name::Derived(name)
}

async fn login(context: &Context, matches: &ArgMatches) -> Result<(), CliError> {
    // Before asking for the token: a file that cannot be written to is
    // reported first.
    let stored = load_for_writing()?;
    let (base_url, base_url_source) = context.resolve_base_url(&stored);
    let name = profile_for_login(context, &stored, &base_url);
    refuse_another_host(&stored, name.as_str(), &base_url, &base_url_source)?;
    let text = read_token()?;
    let token = Token::new(text).map_err(|e| CliError::Usage(anyhow::Error::new(e)))?;
    let client = context.client_for(token.clone(), &base_url)?;
    let checked = if matches.get_flag(NO_CHECK) {
        false
    } else {
        match check(&client).await {
            Ok(()) => true,
            Err(e) if matches!(e.kind(), ErrorKind::Unauthorized | ErrorKind::Forbidden) => {
                return Err(CliError::failure(format!(
                    "the token was not accepted, nothing was stored: {e}"
                )));
            }
            Err(e) => {
                return Err(CliError::unchecked(format!(
                    "the token could not be checked, so nothing was stored: {e}. Try again when \
                     {base_url} can be reached, or store it unchecked with `kinbox auth login \
                     --{NO_CHECK}`"
                )));
            }
        }
    };

    // Read again, under the lock until written: it may have changed while
    // the token was checked, and other logins may be writing it now.
    let _lock = crate::config::credentials::lock(&crate::config::credentials::credentials_path()?)?;
    let stored = load_for_writing()?;
    refuse_another_host(&stored, name.as_str(), &base_url, &base_url_source)?;
    let Stored {
        path,
        mut credentials,
    } = stored;
    // Later runs send this token where it was checked, not to the default.
    let stored_url = (!same_host(&base_url, DEFAULT_BASE_URL)).then(|| base_url.clone());
    let replaced = credentials.profiles.contains_key(name.as_str());
    // `--tz` given with the login is kept as the profile's zone.
    let tz = match &context.globals.tz {
        Some((tz, Source::Flag(_))) => Some(tz.clone()),
        _ => credentials
            .profiles
            .get(name.as_str())
            .and_then(|profile| profile.tz.clone()),
    };
    credentials.profiles.insert(
        name.as_str().to_owned(),
        Profile {
            token: token.expose().to_owned(),
            base_url: stored_url.clone(),
            tz,
        },
    );
    credentials.save(&path)?;
    let how = if checked {
        "checked"
    } else {
        "NOT checked: --no-check"
    };
    let what = if replaced { "replaced" } else { "stored" };
    let from = match base_url_source {
        Source::Default => String::new(),
        source => format!(" (from {source})"),
    };
    eprintln!(
        "Logged in to {base_url}{from}: the token of profile `{}` ({how}) is {what} in {}{}",
        name.as_str(),
        path.display(),
        if stored_url.is_some() {
            ", with that base URL: it is only ever sent there"
        } else {
            ""
        }
    );
    if let Name::Derived(name) = &name {
        eprintln!(
            "The profile is named `{name}` after its host, so that the `{DEFAULT_PROFILE}` \
             profile is left as it was; use it with `--profile {name}` or \
             KINBOX_PROFILE={name}, or log in with --profile NAME to choose the name"
        );
    }
    if std::env::var_os(TOKEN_ENV).is_some() {
        eprintln!("note: {TOKEN_ENV} is set and takes precedence over the stored token");
    }
    Ok(())
}

/// A profile keeps the token of one host: logging in to another host under
/// its name would send its next runs elsewhere, so it is refused.
fn refuse_another_host(
    stored: &Stored,
    name: &str,
    base_url: &str,
    source: &Source,
) -> Result<(), CliError> {
    let Some(existing) = stored.credentials.profiles.get(name) else {
        return Ok(());
    };
    let host = host_of(existing);
    if same_host(host, base_url) {
        return Ok(());
    }
    Err(CliError::usage(format!(
        "profile `{name}` holds the token of {host}, and this login is for {base_url} (from \
         {source}); nothing was stored. Log in to {base_url} under another name with --profile \
         NAME, or remove `{name}` first with `kinbox auth logout --profile {name}`"
    )))
}

/// From a prompt without echo on a terminal, else the whole of stdin.
fn read_token() -> Result<String, CliError> {
    let text = if std::io::stdin().is_terminal() {
        rpassword::prompt_password("Kinbox API token (Configurações > Integrações > API): ")
            .map_err(|e| CliError::failure(format!("cannot read the token: {e}")))?
    } else {
        crate::input::limits::read_text(
            std::io::stdin().lock(),
            crate::input::limits::TOKEN,
            "the token on stdin",
        )
        .map_err(CliError::usage)?
    };
    if text.trim().is_empty() {
        return Err(CliError::usage(
            "no token given: paste it at the prompt, or pipe it on stdin \
             (`kinbox auth login < token.txt`)",
        ));
    }
    Ok(text)
}

/// The cheapest authenticated request: the first deal.
async fn check(client: &Client) -> Result<(), KinboxError> {
    client.list_deals().limit(1u32).send().await?;
    Ok(())
}

async fn status(context: &Context) -> Result<(), CliError> {
    let Resolved {
        token: (token, token_source),
        base_url: (base_url, base_url_source),
        ..
    } = context.resolve()?;
    match &context.globals.profile_source {
        Source::Default => println!("Profile: {}", context.profile_name()),
        source => println!("Profile: {} (from {source})", context.profile_name()),
    }
    println!("Token:   from {token_source}");
    println!("API:     {base_url} (from {base_url_source})");
    println!("Zone:    {}", zone_in_use(context));
    let client = context.client_for(token, &base_url)?;
    let checked = check(&client).await;
    match &checked {
        Ok(()) => println!("Status:  the API accepts the token"),
        Err(e) if matches!(e.kind(), ErrorKind::Unauthorized | ErrorKind::Forbidden) => {
            println!("Status:  the API refuses the token")
        }
        Err(_) => println!("Status:  unknown: the API could not be reached or failed"),
    }
    println!();
    print_profiles(context);
    match checked {
        Ok(()) => Ok(()),
        Err(e) if matches!(e.kind(), ErrorKind::Unauthorized | ErrorKind::Forbidden) => {
            Err(CliError::Failure(anyhow::Error::new(e)))
        }
        Err(e) => Err(CliError::unchecked(format!(
            "the token could not be checked: {e}"
        ))),
    }
}

/// The time zone of dates typed and shown, and where it comes from.
fn zone_in_use(context: &Context) -> String {
    let zone = match crate::input::datetime::zone() {
        Ok(zone) => zone,
        Err(why) => return crate::error::printable(&why),
    };
    let source = match &context.globals.tz {
        Some((_, source)) => Some(source.clone()),
        None => Stored::load().ok().and_then(|stored| {
            stored
                .credentials
                .profiles
                .get(context.profile_name())?
                .tz
                .as_ref()?;
            Some(Source::Profile {
                name: context.profile_name().to_owned(),
                path: stored.path,
            })
        }),
    };
    match source {
        Some(source) => format!("{zone} (from {source})"),
        None => format!("{zone} (the default)"),
    }
}

/// Every stored profile, the selected one marked, with the API it is for.
fn print_profiles(context: &Context) {
    let stored = match Stored::load() {
        Ok(stored) => stored,
        Err(error) => {
            println!("Profiles: the credentials file cannot be read (see below)");
            eprintln!("warning: {}", crate::error::printable(&error.to_string()));
            return;
        }
    };
    if stored.credentials.profiles.is_empty() {
        println!("Profiles: none stored in {}", stored.path.display());
        return;
    }
    println!("Profiles in {} (* selected):", stored.path.display());
    let width = stored
        .credentials
        .profiles
        .keys()
        .map(|name| name.chars().count())
        .max()
        .unwrap_or(0);
    for (name, profile) in &stored.credentials.profiles {
        let mark = if name == context.profile_name() {
            '*'
        } else {
            ' '
        };
        let url = profile.base_url.as_deref().unwrap_or(DEFAULT_BASE_URL);
        println!(
            "{mark} {}",
            crate::error::printable(&format!("{name:width$}  {url}"))
        );
    }
}

fn logout(context: &Context) -> Result<(), CliError> {
    let _lock = crate::config::credentials::lock(&crate::config::credentials::credentials_path()?)?;
    let Stored {
        path,
        mut credentials,
    } = Stored::load()?;
    if credentials
        .profiles
        .remove(context.profile_name())
        .is_none()
    {
        return Err(CliError::failure(format!(
            "no token is stored for profile `{}`: {}",
            context.profile_name(),
            Stored { path, credentials }.names()
        )));
    }
    credentials.save(&path)?;
    eprintln!(
        "Removed the token of profile `{}` from {}",
        context.profile_name(),
        path.display()
    );
    if std::env::var_os(TOKEN_ENV).is_some() {
        eprintln!("note: {TOKEN_ENV} is still set");
    }
    Ok(())
}
