//! Where the token and base URL come from ([`Context::resolve`]), and the
//! one HTTP client of a run.

use std::path::PathBuf;

use kinbox_api::{Client, ClientConfig, ConfigError, DEFAULT_BASE_URL, TOKEN_ENV, Token};

use crate::CliError;
use crate::config::credentials::{Credentials, Profile, credentials_path};
use crate::config::global::{DEFAULT_PROFILE, Globals, Source};

/// Sent after the SDK's own `User-Agent`.
const USER_AGENT: &str = concat!("kinbox-cli/", env!("CARGO_PKG_VERSION"));

/// The credentials file, read.
pub struct Stored {
    pub path: PathBuf,
    pub credentials: Credentials,
}

impl Stored {
    /// Reads the credentials file; a missing file has no profiles.
    pub fn load() -> Result<Self, CliError> {
        let path = credentials_path()?;
        let credentials = Credentials::load(&path)?;
        Ok(Self { path, credentials })
    }

    /// `` `a`, `b` `` or a sentence saying there are none.
    pub fn names(&self) -> String {
        if self.credentials.profiles.is_empty() {
            return format!("{} holds no profile", self.path.display());
        }
        let names: Vec<String> = self
            .credentials
            .profiles
            .keys()
            .map(|name| format!("`{name}`"))
            .collect();
        format!(
            "the profiles in {} are {}",
            self.path.display(),
            names.join(", ")
        )
    }

    fn profile(&self, name: &str) -> Option<&Profile> {
        self.credentials.profiles.get(name)
    }

    fn source(&self, name: &str) -> Source {
        Source::Profile {
            name: name.to_owned(),
            path: self.path.clone(),
        }
    }
}

/// The token and base URL of a run, each with where it was found.
#[derive(Debug)]
pub struct Resolved {
    pub token: (Token, Source),
    pub base_url: (String, Source),
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

    /// The token and base URL every command uses: `KINBOX_TOKEN`, else the
    /// selected profile's token; `--base-url`, else `KINBOX_BASE_URL`, else
    /// the profile's, else the SDK's default. The credentials file is only
    /// read when one of them is not given, so that a broken file does not
    /// stop a run that does not need it.
    pub fn resolve(&self) -> Result<Resolved, CliError> {
        resolve(&self.globals, env_token(), Stored::load)
    }

    /// The base URL for a token that does not come from [`Context::resolve`]
    /// (`auth login`): the same precedence, with `stored` read already.
    pub fn resolve_base_url(&self, stored: &Stored) -> (String, Source) {
        base_url(&self.globals, Some(stored))
    }

    /// The client for API commands. Fails, sending nothing, when no token is
    /// available or the base URL is not acceptable.
    pub fn client(&self) -> Result<Client, CliError> {
        let Resolved {
            token: (token, _),
            base_url: (base_url, _),
        } = self.resolve()?;
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
                    CliError::Usage(anyhow::Error::new(error))
                }
                error => CliError::Failure(anyhow::Error::new(error)),
            })
    }
}

fn env_token() -> Option<String> {
    std::env::var(TOKEN_ENV)
        .ok()
        .filter(|t| !t.trim().is_empty())
}

/// [`Context::resolve`], with the environment's token and the file's reader
/// passed in.
fn resolve(
    globals: &Globals,
    env_token: Option<String>,
    load: impl FnOnce() -> Result<Stored, CliError>,
) -> Result<Resolved, CliError> {
    let stored = if env_token.is_none() || globals.base_url.is_none() {
        Some(load()?)
    } else {
        None
    };
    let (token, source) = match (env_token, &stored) {
        (Some(token), _) => (token, Source::Env(TOKEN_ENV)),
        (None, Some(stored)) => match stored.profile(&globals.profile) {
            Some(profile) => (profile.token.clone(), stored.source(&globals.profile)),
            None => return Err(no_token(globals, stored)),
        },
        (None, None) => unreachable!("the file is read when KINBOX_TOKEN is not set"),
    };
    let token = Token::new(token)
        .map_err(|e| CliError::failure(format!("the token from {source} cannot be used: {e}")))?;
    Ok(Resolved {
        token: (token, source),
        base_url: base_url(globals, stored.as_ref()),
    })
}

fn base_url(globals: &Globals, stored: Option<&Stored>) -> (String, Source) {
    if let Some(given) = &globals.base_url {
        return given.clone();
    }
    stored
        .and_then(|stored| {
            let url = stored
                .profile(&globals.profile)?
                .base_url
                .as_deref()?
                .trim();
            (!url.is_empty()).then(|| (url.to_owned(), stored.source(&globals.profile)))
        })
        .unwrap_or_else(|| (DEFAULT_BASE_URL.to_owned(), Source::Default))
}

/// No `KINBOX_TOKEN`, and the selected profile is not stored.
fn no_token(globals: &Globals, stored: &Stored) -> CliError {
    let name = &globals.profile;
    if globals.profile_source == Source::Default && name == DEFAULT_PROFILE {
        let others = if stored.credentials.profiles.is_empty() {
            String::new()
        } else {
            format!(
                "; or choose a stored profile with --profile: {}",
                stored.names()
            )
        };
        return CliError::failure(format!(
            "no Kinbox API token: set {TOKEN_ENV}, or run `kinbox auth login` to store one \
             (tokens are created in the Kinbox app under Configurações > Integrações > API){others}"
        ));
    }
    CliError::failure(format!(
        "there is no profile `{name}` (from {}): {}. Create it with `kinbox auth login \
         --profile {name}`, choose another with --profile, or set {TOKEN_ENV}",
        globals.profile_source,
        stored.names()
    ))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    const PATH: &str = "/conf/credentials.toml";

    fn globals(profile: Option<(&str, Source)>, base_url: Option<(&str, Source)>) -> Globals {
        let (profile, profile_source) = profile
            .map(|(p, s)| (p.to_owned(), s))
            .unwrap_or((DEFAULT_PROFILE.to_owned(), Source::Default));
        Globals {
            profile,
            profile_source,
            base_url: base_url.map(|(u, s)| (u.to_owned(), s)),
            timeout: Duration::from_secs(1),
            retries: 0,
            pretty: false,
            verbose: 0,
        }
    }

    fn stored(profiles: &[(&str, &str, Option<&str>)]) -> Stored {
        let mut credentials = Credentials::default();
        for (name, token, base_url) in profiles {
            credentials.profiles.insert(
                (*name).to_owned(),
                Profile {
                    token: (*token).to_owned(),
                    base_url: base_url.map(str::to_owned),
                },
            );
        }
        Stored {
            path: PathBuf::from(PATH),
            credentials,
        }
    }

    fn in_profile(name: &str) -> Source {
        Source::Profile {
            name: name.to_owned(),
            path: PathBuf::from(PATH),
        }
    }

    fn sources(resolved: &Resolved) -> (&Source, &str, &Source) {
        (
            &resolved.token.1,
            &resolved.base_url.0,
            &resolved.base_url.1,
        )
    }

    #[test]
    fn flag_then_env_then_profile_then_default() {
        let file = || Ok(stored(&[("default", "t", Some("http://127.0.0.1:1"))]));
        let flag = Some(("http://127.0.0.1:2", Source::Flag("--base-url")));
        let env = Some(("http://127.0.0.1:3", Source::Env("KINBOX_BASE_URL")));

        let r = resolve(&globals(None, flag), None, file).unwrap();
        assert_eq!(
            sources(&r),
            (
                &in_profile("default"),
                "http://127.0.0.1:2",
                &Source::Flag("--base-url")
            )
        );
        let r = resolve(&globals(None, env), Some("e".into()), file).unwrap();
        assert_eq!(
            sources(&r),
            (
                &Source::Env(TOKEN_ENV),
                "http://127.0.0.1:3",
                &Source::Env("KINBOX_BASE_URL")
            )
        );
        let r = resolve(&globals(None, None), Some("e".into()), file).unwrap();
        assert_eq!(
            sources(&r),
            (
                &Source::Env(TOKEN_ENV),
                "http://127.0.0.1:1",
                &in_profile("default")
            )
        );
        let r = resolve(&globals(None, None), None, || {
            Ok(stored(&[("default", "t", None)]))
        })
        .unwrap();
        assert_eq!(
            sources(&r),
            (&in_profile("default"), DEFAULT_BASE_URL, &Source::Default)
        );
    }

    #[test]
    fn the_file_is_not_read_when_token_and_base_url_are_given() {
        let r = resolve(
            &globals(
                None,
                Some(("http://127.0.0.1:2", Source::Flag("--base-url"))),
            ),
            Some("e".into()),
            || panic!("read"),
        )
        .unwrap();
        assert_eq!(r.token.1, Source::Env(TOKEN_ENV));
    }

    #[test]
    fn an_unknown_profile_names_the_stored_ones() {
        let file = || Ok(stored(&[("default", "t", None), ("loja2", "u", None)]));
        let error = resolve(
            &globals(Some(("lojas2", Source::Flag("--profile"))), None),
            None,
            file,
        )
        .unwrap_err()
        .to_string();
        assert_eq!(
            error,
            "there is no profile `lojas2` (from --profile): the profiles in \
             /conf/credentials.toml are `default`, `loja2`. Create it with `kinbox auth login \
             --profile lojas2`, choose another with --profile, or set KINBOX_TOKEN"
        );
        // KINBOX_TOKEN, when set, is used whatever the profile.
        let r = resolve(
            &globals(Some(("lojas2", Source::Flag("--profile"))), None),
            Some("e".into()),
            file,
        )
        .unwrap();
        assert_eq!(sources(&r).1, DEFAULT_BASE_URL);
    }

    #[test]
    fn the_resolved_token_does_not_show_in_debug() {
        let r = resolve(&globals(None, None), Some("kbx-secret".into()), || {
            Ok(stored(&[]))
        })
        .unwrap();
        assert!(!format!("{r:?}").contains("kbx-secret"), "{r:?}");
    }
}
