//! Where the token and base URL come from, and the one HTTP client of a run.

use std::path::PathBuf;

use kinbox_api::{Client, ClientConfig, ConfigError, DEFAULT_BASE_URL, TOKEN_ENV, Token};

use crate::CliError;
use crate::config::{Credentials, Profile, credentials_path};
use crate::global::Globals;

/// Sent after the SDK's own `User-Agent`.
const USER_AGENT: &str = concat!("kinbox-cli/", env!("CARGO_PKG_VERSION"));

/// Where the token in use was found.
#[derive(Debug)]
pub enum TokenSource {
    Env,
    Profile(PathBuf),
}

impl std::fmt::Display for TokenSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TokenSource::Env => write!(f, "the {TOKEN_ENV} environment variable"),
            TokenSource::Profile(path) => write!(f, "{}", path.display()),
        }
    }
}

pub struct Context {
    pub globals: Globals,
}

impl Context {
    pub fn new(globals: Globals) -> Self {
        Self { globals }
    }

    pub fn profile_name(&self) -> &str {
        &self.globals.profile
    }

    /// The selected profile, if one is stored.
    pub fn stored_profile(&self) -> Result<Option<(Profile, PathBuf)>, CliError> {
        let path = credentials_path()?;
        let mut credentials = Credentials::load(&path)?;
        Ok(credentials
            .profiles
            .remove(&self.globals.profile)
            .map(|profile| (profile, path)))
    }

    /// `KINBOX_TOKEN`, else the selected profile's token, and the base URL:
    /// `--base-url` / `KINBOX_BASE_URL`, else the profile's, else production.
    pub fn credentials(&self) -> Result<(Token, TokenSource, String), CliError> {
        let stored = self.stored_profile()?;
        let profile_url = stored.as_ref().and_then(|(p, _)| p.base_url.clone());
        let base_url = self
            .globals
            .base_url
            .clone()
            .or(profile_url)
            .unwrap_or_else(|| DEFAULT_BASE_URL.to_owned());
        let env_token = std::env::var(TOKEN_ENV)
            .ok()
            .filter(|t| !t.trim().is_empty());
        let (token, source) = match (env_token, stored) {
            (Some(token), _) => (token, TokenSource::Env),
            (None, Some((profile, path))) => (profile.token, TokenSource::Profile(path)),
            (None, None) => return Err(self.missing_token()),
        };
        let token = Token::new(token).map_err(|e| {
            CliError::Failure(format!("the token from {source} cannot be used: {e}"))
        })?;
        Ok((token, source, base_url))
    }

    fn missing_token(&self) -> CliError {
        CliError::Failure(format!(
            "no Kinbox API token: set {TOKEN_ENV}, or run `kinbox auth login{}` to store one \
             (tokens are created in the Kinbox app under Configurações > Integrações > API)",
            match self.globals.profile.as_str() {
                crate::global::DEFAULT_PROFILE => String::new(),
                other => format!(" --profile {other}"),
            }
        ))
    }

    /// The client for API commands. Fails, sending nothing, when no token is
    /// available or the base URL is not acceptable.
    pub fn client(&self) -> Result<Client, CliError> {
        let (token, _, base_url) = self.credentials()?;
        self.client_for(token, &base_url)
    }

    pub fn client_for(&self, token: Token, base_url: &str) -> Result<Client, CliError> {
        crate::error::redact_from_output(&token);
        ClientConfig::new(token)
            .base_url(base_url)
            .timeout(self.globals.timeout)
            .retries(self.globals.retries)
            .user_agent_suffix(USER_AGENT)
            .build()
            .map_err(|error| match error {
                ConfigError::InvalidBaseUrl { .. } | ConfigError::InsecureBaseUrl { .. } => {
                    CliError::Usage(error.to_string())
                }
                error => CliError::Failure(error.to_string()),
            })
    }
}
