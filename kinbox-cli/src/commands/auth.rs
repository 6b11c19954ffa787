//! `kinbox auth login | status | logout`: the token of each profile, stored
//! in the per-user credentials file.

use std::io::IsTerminal as _;

use clap::{Arg, ArgMatches, Command};
use kinbox_api::{Client, DEFAULT_BASE_URL, ErrorKind, KinboxError, TOKEN_ENV, Token};

use crate::CliError;
use crate::config::context::{Context, Resolved, Stored};
use crate::config::credentials::{CONFIG_DIR_ENV, Profile};
use crate::config::global::Source;

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
                .long_about(format!(
                    "Check an API token and store it for a profile.\n\n\
                     The token is read from a prompt that does not echo it, or from stdin when \
                     stdin is not a terminal; never from the command line, where other users \
                     and the shell history could see it. It is checked with one request (the \
                     first deal), then stored in credentials.toml, readable by you only, in \
                     ${CONFIG_DIR_ENV} or your config directory (~/.config/kinbox on Linux), \
                     with the base URL it was checked against unless that is the default: \
                     --base-url, else KINBOX_BASE_URL, else the profile's. A credentials file \
                     that cannot be read is never overwritten.\n\n\
                     Tokens are created in the Kinbox app under Configurações > Integrações > \
                     API, and act with the permissions of the user who made them."
                ))
                .after_help(
                    "Examples:\n  \
                     kinbox auth login\n  \
                     kinbox auth login --profile loja2 < token.txt\n  \
                     pass show kinbox | kinbox auth login --profile sandbox --base-url http://127.0.0.1:8080",
                ),
        )
        .subcommand(
            Command::new("status")
                .about("Show which token is in use, and check it")
                .long_about(format!(
                    "Show which token is in use ({TOKEN_ENV}, else the selected profile's) and \
                     the API it is sent to, where each comes from, and check the token with one \
                     request (the first deal). Then list the stored profiles, marking the \
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
            login(context).await
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

async fn login(context: &Context) -> Result<(), CliError> {
    // Before asking for the token: a file that cannot be written to is
    // reported first.
    let stored = load_for_writing()?;
    let text = read_token()?;
    let token = Token::new(text).map_err(|e| CliError::Usage(anyhow::Error::new(e)))?;
    let (base_url, base_url_source) = context.resolve_base_url(&stored);
    let client = context.client_for(token.clone(), &base_url)?;
    check(&client).await.map_err(|e| {
        CliError::failure(format!(
            "the token was not accepted, nothing was stored: {e}"
        ))
    })?;

    // Read again, under the lock until written: it may have changed while
    // the token was checked, and other logins may be writing it now.
    let _lock = crate::config::credentials::lock(&crate::config::credentials::credentials_path()?)?;
    let Stored {
        path,
        mut credentials,
    } = load_for_writing()?;
    // Later runs send this token where it was checked, not to the default.
    let stored_url = (base_url != DEFAULT_BASE_URL).then(|| base_url.clone());
    credentials.profiles.insert(
        context.profile_name().to_owned(),
        Profile {
            token: token.expose().to_owned(),
            base_url: stored_url.clone(),
        },
    );
    credentials.save(&path)?;
    match stored_url {
        None => eprintln!(
            "Logged in to {base_url}: the token of profile `{}` is stored in {}",
            context.profile_name(),
            path.display()
        ),
        Some(_) => eprintln!(
            "Logged in to {base_url} (from {base_url_source}): the token of profile `{}` is \
             stored in {}, with that base URL",
            context.profile_name(),
            path.display()
        ),
    }
    if std::env::var_os(TOKEN_ENV).is_some() {
        eprintln!("note: {TOKEN_ENV} is set and takes precedence over the stored token");
    }
    Ok(())
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
    } = context.resolve()?;
    match &context.globals.profile_source {
        Source::Default => println!("Profile: {}", context.profile_name()),
        source => println!("Profile: {} (from {source})", context.profile_name()),
    }
    println!("Token:   from {token_source}");
    println!("API:     {base_url} (from {base_url_source})");
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
