//! `kinbox auth login | status | logout`: the token of each profile, stored
//! in the per-user credentials file.

use std::io::IsTerminal as _;

use clap::{Arg, ArgMatches, Command};
use kinbox_api::{Client, KinboxError, TOKEN_ENV, Token};

use crate::CliError;
use crate::config::{CONFIG_DIR_ENV, Credentials, Profile, credentials_path};
use crate::context::Context;

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
                     ${CONFIG_DIR_ENV} or your config directory (~/.config/kinbox on Linux). \
                     --base-url, when given on the command line, is stored with it.\n\n\
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
                     the API it is sent to, and check it with one request. Exits with 1 when \
                     there is no token or the API refuses it."
                )),
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
                return Err(CliError::Usage(
                    "the token is not taken from the command line, where the shell history \
                     and other users could see it: paste it at the prompt, or pipe it on \
                     stdin (`kinbox auth login < token.txt`)"
                        .to_owned(),
                ));
            }
            login(context).await
        }
        Some(("status", _)) => status(context).await,
        Some(("logout", _)) => logout(context),
        _ => unreachable!("clap requires a known subcommand"),
    }
}

async fn login(context: &Context) -> Result<(), CliError> {
    let text = read_token()?;
    let token = Token::new(text).map_err(|e| CliError::Usage(e.to_string()))?;
    let base_url = context
        .globals
        .base_url
        .clone()
        .unwrap_or_else(|| kinbox_api::DEFAULT_BASE_URL.to_owned());
    let client = context.client_for(token.clone(), &base_url)?;
    check(&client).await.map_err(|e| {
        CliError::Failure(format!(
            "the token was not accepted, nothing was stored: {e}"
        ))
    })?;

    let path = credentials_path()?;
    let mut credentials = Credentials::load(&path)?;
    credentials.profiles.insert(
        context.profile_name().to_owned(),
        Profile {
            token: token.expose().to_owned(),
            base_url: context
                .globals
                .base_url
                .clone()
                .filter(|_| context.globals.base_url_is_explicit),
        },
    );
    credentials.save(&path)?;
    eprintln!(
        "Logged in to {base_url}: the token of profile `{}` is stored in {}",
        context.profile_name(),
        path.display()
    );
    if std::env::var_os(TOKEN_ENV).is_some() {
        eprintln!("note: {TOKEN_ENV} is set and takes precedence over the stored token");
    }
    Ok(())
}

/// From a prompt without echo on a terminal, else the whole of stdin.
fn read_token() -> Result<String, CliError> {
    let text = if std::io::stdin().is_terminal() {
        rpassword::prompt_password("Kinbox API token (Configurações > Integrações > API): ")
            .map_err(|e| CliError::Failure(format!("cannot read the token: {e}")))?
    } else {
        crate::limits::read_text(
            std::io::stdin().lock(),
            crate::limits::TOKEN,
            "the token on stdin",
        )
        .map_err(CliError::Usage)?
    };
    if text.trim().is_empty() {
        return Err(CliError::Usage(
            "no token given: paste it at the prompt, or pipe it on stdin \
             (`kinbox auth login < token.txt`)"
                .to_owned(),
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
    let (token, source, base_url) = context.credentials()?;
    println!("Profile: {}", context.profile_name());
    println!("Token:   from {source}");
    println!("API:     {base_url}");
    let client = context.client_for(token, &base_url)?;
    match check(&client).await {
        Ok(()) => {
            println!("Status:  the API accepts the token");
            Ok(())
        }
        Err(e) => {
            println!("Status:  the API refuses the token");
            Err(CliError::Failure(e.to_string()))
        }
    }
}

fn logout(context: &Context) -> Result<(), CliError> {
    let path = credentials_path()?;
    let mut credentials = Credentials::load(&path)?;
    if credentials
        .profiles
        .remove(context.profile_name())
        .is_none()
    {
        return Err(CliError::Failure(format!(
            "no token is stored for profile `{}` in {}",
            context.profile_name(),
            path.display()
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
