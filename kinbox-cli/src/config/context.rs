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
    /// The host the token belongs to, and where that was said: the
    /// profile's base URL for a profile's token, `KINBOX_BASE_URL` (else
    /// the default) for `KINBOX_TOKEN`.
    pub token_host: (String, Source),
    /// The selected profile's token, when it is stored.
    profile_token: Option<Token>,
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
    /// the profile's, else the SDK's default. A token only goes to its own
    /// host ([`check_binding`]). The credentials file is only read when one
    /// of them is not given or a profile is named, so that a broken file
    /// does not stop a run that does not need it.
    pub fn resolve(&self) -> Result<Resolved, CliError> {
        let resolved = resolve(&self.globals, env_token(), Stored::load)?;
        check_binding(&resolved)?;
        Ok(resolved)
    }

    /// The base URL for a token that does not come from [`Context::resolve`]
    /// (`auth login`): the same precedence, with `stored` read already.
    pub fn resolve_base_url(&self, stored: &Stored) -> (String, Source) {
        base_url(&self.globals, Some(stored))
    }

    /// The client for API commands. Fails, sending nothing, when no token is
    /// available, the base URL is not acceptable, or the token is not the
    /// base URL's.
    pub fn client(&self) -> Result<Client, CliError> {
        let resolved = resolve(&self.globals, env_token(), Stored::load)?;
        // The base URL is checked first (plain http to another host is a
        // usage error whatever the token), then the token's host.
        let client = self.client_for(resolved.token.0.clone(), &resolved.base_url.0)?;
        check_binding(&resolved)?;
        Ok(client)
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
    env_var(TOKEN_ENV)
}

fn env_var(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .map(|value| value.trim().to_owned())
        .filter(|value| !value.is_empty())
}

/// [`Context::resolve`], with the environment's token and the file's reader
/// passed in.
fn resolve(
    globals: &Globals,
    env_token: Option<String>,
    load: impl FnOnce() -> Result<Stored, CliError>,
) -> Result<Resolved, CliError> {
    let named = globals.profile_source != Source::Default;
    let stored = if env_token.is_none() || globals.base_url.is_none() || named {
        Some(load()?)
    } else {
        None
    };
    let profile = stored.as_ref().and_then(|s| s.profile(&globals.profile));
    if let Some(stored) = &stored
        && named
        && profile.is_none()
    {
        // A profile asked for by name must exist, whatever else is set: a
        // typo must not fall back to another account.
        return Err(unknown_profile(globals, stored));
    }
    let (token, source, own_host) = match (env_token, &stored, profile) {
        (Some(token), _, _) => {
            // A token from the environment belongs with a base URL from the
            // environment, or else with the default API.
            let own_host = match &globals.env_base_url {
                Some(url) => (url.clone(), Source::Env(kinbox_api::BASE_URL_ENV)),
                None => (DEFAULT_BASE_URL.to_owned(), Source::Default),
            };
            (token, Source::Env(TOKEN_ENV), own_host)
        }
        (None, Some(stored), Some(profile)) => {
            let source = stored.source(&globals.profile);
            let own_host = match profile.base_url.as_deref().map(str::trim) {
                Some(url) if !url.is_empty() => (url.to_owned(), source.clone()),
                _ => (DEFAULT_BASE_URL.to_owned(), Source::Default),
            };
            (profile.token.clone(), source, own_host)
        }
        (None, Some(stored), None) => return Err(no_token(globals, stored)),
        (None, None, _) => unreachable!("the file is read when KINBOX_TOKEN is not set"),
    };
    let token = Token::new(token)
        .map_err(|e| CliError::failure(format!("the token from {source} cannot be used: {e}")))?;
    Ok(Resolved {
        token: (token, source),
        base_url: base_url(globals, stored.as_ref()),
        token_host: own_host,
        // The profile's token, to tell whether KINBOX_TOKEN is that token.
        profile_token: profile.and_then(|p| Token::new(p.token.clone()).ok()),
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

/// Whether two base URLs name the same API: scheme, host, port and path,
/// compared as URLs (`HTTP://Localhost:80/` is `http://localhost`).
pub fn same_host(a: &str, b: &str) -> bool {
    fn normal(url: &str) -> Option<(String, String, Option<u16>, String)> {
        let url = url::Url::parse(url.trim()).ok()?;
        Some((
            url.scheme().to_owned(),
            url.host_str()?.to_ascii_lowercase(),
            url.port_or_known_default(),
            url.path().trim_end_matches('/').to_owned(),
        ))
    }
    match (normal(a), normal(b)) {
        (Some(a), Some(b)) => a == b,
        _ => a.trim().trim_end_matches('/') == b.trim().trim_end_matches('/'),
    }
}

/// A token is sent to its own host only: a profile's to the profile's base
/// URL, `KINBOX_TOKEN` to `KINBOX_BASE_URL` (or the default API when that
/// is not set). Whatever else `--base-url`, `KINBOX_BASE_URL`, `--profile`
/// or `KINBOX_TOKEN` say, a token saved for a sandbox never reaches
/// production or any other host; the error says which value came from
/// where, and how to say both.
pub fn check_binding(resolved: &Resolved) -> Result<(), CliError> {
    let (token, token_source) = &resolved.token;
    let (url, url_source) = &resolved.base_url;
    let (own, own_source) = &resolved.token_host;
    if same_host(url, own) {
        return Ok(());
    }
    // KINBOX_TOKEN holding the very token the profile keeps for this host.
    if let (Source::Env(_), Source::Profile { .. }, Some(stored)) =
        (token_source, url_source, &resolved.profile_token)
        && stored.expose() == token.expose()
    {
        return Ok(());
    }
    let own_from = match own_source {
        Source::Default => "the default API".to_owned(),
        source => format!("from {source}"),
    };
    let fix = match (token_source, url_source) {
        (Source::Profile { name, .. }, Source::Flag(_) | Source::Env(_)) => format!(
            "to use {url}, store a token for it (`kinbox auth login --profile NAME --base-url \
             {url}`) and choose that profile with --profile NAME; to use profile `{name}`, \
             drop {url_source}"
        ),
        (Source::Env(_), Source::Flag(_)) => format!(
            "to send {TOKEN_ENV} to {url}, give the URL in the environment too \
             ({}={url}) instead of {url_source}; or store a token for it with `kinbox auth \
             login --profile NAME --base-url {url}`",
            kinbox_api::BASE_URL_ENV
        ),
        (Source::Env(_), Source::Profile { name, .. }) => format!(
            "to send {TOKEN_ENV} to {url}, set {}={url} too; to use profile `{name}`'s own \
             token, unset {TOKEN_ENV}",
            kinbox_api::BASE_URL_ENV
        ),
        _ => format!(
            "give the token and the URL together: both in the environment ({TOKEN_ENV} and \
             {}), or a profile stored with `kinbox auth login --profile NAME --base-url {url}`",
            kinbox_api::BASE_URL_ENV
        ),
    };
    Err(CliError::usage(format!(
        "refusing to send the token from {token_source} to {url} (from {url_source}): that \
         token is for {own} ({own_from}), and a token is only sent to the host it was given \
         with. Nothing was sent. {}{}",
        fix[..1].to_uppercase(),
        &fix[1..]
    )))
}

/// A profile named by `--profile` or `KINBOX_PROFILE` that is not stored.
fn unknown_profile(globals: &Globals, stored: &Stored) -> CliError {
    let name = &globals.profile;
    let other = match &globals.profile_source {
        Source::Env(var) => format!("choose another with --profile, or unset {var}"),
        _ => "choose another with --profile".to_owned(),
    };
    CliError::failure(format!(
        "there is no profile `{name}` (from {}): {}. Create it with `kinbox auth login \
         --profile {name}`, or {other}",
        globals.profile_source,
        stored.names()
    ))
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
    unknown_profile(globals, stored)
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
            env_base_url: base_url
                .as_ref()
                .filter(|(_, s)| matches!(s, Source::Env(_)))
                .map(|(u, _)| (*u).to_owned()),
            base_url: base_url.map(|(u, s)| (u.to_owned(), s)),
            tz: None,
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
                    tz: None,
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
             --profile lojas2`, or choose another with --profile"
        );
        // Even with KINBOX_TOKEN: a typo must not fall back to another account.
        let error = resolve(
            &globals(Some(("lojas2", Source::Flag("--profile"))), None),
            Some("e".into()),
            file,
        )
        .unwrap_err()
        .to_string();
        assert!(error.starts_with("there is no profile `lojas2`"), "{error}");
    }

    #[test]
    fn a_token_goes_only_to_its_own_host() {
        const SANDBOX: &str = "http://127.0.0.1:8080";
        const OTHER: &str = "http://127.0.0.1:9999";
        let file = || {
            Ok(stored(&[
                ("default", "prod", None),
                ("sandbox", "sand", Some(SANDBOX)),
            ]))
        };
        let flag = |url| Some((url, Source::Flag("--base-url")));
        let env = |url| Some((url, Source::Env("KINBOX_BASE_URL")));
        let sandbox = || Some(("sandbox", Source::Flag("--profile")));
        let bound = |profile, url, token: Option<&str>| {
            let r = resolve(&globals(profile, url), token.map(str::to_owned), file)?;
            check_binding(&r).map(|()| r.base_url.0)
        };
        // Allowed: each token to its own host.
        assert_eq!(bound(sandbox(), None, None).unwrap(), SANDBOX);
        assert_eq!(
            bound(sandbox(), flag("http://127.0.0.1:8080/"), None).unwrap(),
            "http://127.0.0.1:8080/"
        );
        assert_eq!(bound(None, None, None).unwrap(), DEFAULT_BASE_URL);
        assert_eq!(bound(None, None, Some("e")).unwrap(), DEFAULT_BASE_URL);
        assert_eq!(bound(None, env(OTHER), Some("e")).unwrap(), OTHER);
        assert_eq!(bound(sandbox(), env(OTHER), Some("e")).unwrap(), OTHER);
        // KINBOX_TOKEN that is the profile's own token.
        assert_eq!(bound(sandbox(), None, Some("sand")).unwrap(), SANDBOX);
        // Refused: a stored token to another host, KINBOX_TOKEN to a host
        // it was not given with.
        for (profile, url, token) in [
            (sandbox(), flag(OTHER), None),
            (sandbox(), env(OTHER), None),
            (None, flag(OTHER), None),
            (None, env(SANDBOX), None),
            (None, flag(OTHER), Some("e")),
            (sandbox(), None, Some("e")),
            (sandbox(), flag(SANDBOX), Some("e")),
        ] {
            let case = format!("{profile:?} {url:?} {token:?}");
            let error = bound(profile, url, token).expect_err(&case).to_string();
            assert!(
                error.starts_with("refusing to send the token from "),
                "{case}: {error}"
            );
        }
    }

    #[test]
    fn hosts_are_compared_as_urls() {
        assert!(same_host("http://127.0.0.1:8080", "http://127.0.0.1:8080/"));
        assert!(same_host("HTTP://LocalHost:80/", "http://localhost"));
        assert!(same_host(
            "https://api4.kinbox.com.br",
            "https://api4.kinbox.com.br:443/"
        ));
        assert!(!same_host("http://127.0.0.1:8080", "http://127.0.0.1:8081"));
        assert!(!same_host("http://127.0.0.1:8080", "http://localhost:8080"));
        assert!(!same_host(
            "https://api4.kinbox.com.br",
            "https://api4.kinbox.com.br.evil.example"
        ));
        assert!(!same_host(
            "https://api4.kinbox.com.br/v1",
            "https://api4.kinbox.com.br"
        ));
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
