//! Building a [`Client`]: base URL, bearer token, timeouts, `User-Agent`.

use std::time::Duration;

use reqwest::header::{self, HeaderMap, HeaderValue};

use crate::server_text::Redactor;
use crate::{Client, DEFAULT_BASE_URL, RequestPolicy, RetryPolicy};

/// The environment variable that holds the API token.
pub const TOKEN_ENV: &str = "KINBOX_TOKEN";
/// The environment variable that overrides [`DEFAULT_BASE_URL`].
pub const BASE_URL_ENV: &str = "KINBOX_BASE_URL";

const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a request may take, from sending it to its whole answer, unless
/// [`ClientConfig::timeout`] says otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// The most of a success answer the client reads; a page of 100 deals is a
/// few hundred KiB.
pub const DEFAULT_MAX_ANSWER_BYTES: usize = 16 << 20;
const SDK_USER_AGENT: &str = concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION"));

/// Why a [`Client`] could not be built. Nothing has been sent when this is
/// returned.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(
        "no Kinbox API token: set {TOKEN_ENV} to a token created in the Kinbox app \
         (Configurações > Integrações > API)"
    )]
    MissingToken,
    #[error(
        "the Kinbox API token is not usable: {0}; copy it again from the Kinbox app \
         (Configurações > Integrações > API)"
    )]
    InvalidToken(&'static str),
    #[error("invalid base URL `{url}`: {reason}; expected something like {DEFAULT_BASE_URL}")]
    InvalidBaseUrl { url: String, reason: String },
    #[error(
        "refusing to send the API token over plain http to {host}: use https, or a loopback \
         address (127.0.0.1, localhost) for a local sandbox or mock"
    )]
    InsecureBaseUrl { host: String },
    #[error("invalid User-Agent suffix `{0}`: use visible ASCII, e.g. my-app/1.0")]
    InvalidUserAgent(String),
    #[error("cannot build the HTTP client: {0}")]
    Http(#[source] reqwest::Error),
}

/// The API token. Its `Debug` output never shows the secret.
#[derive(Clone)]
pub struct Token(String);

impl Token {
    /// Checks that `token` can travel in an `Authorization` header.
    pub fn new(token: impl Into<String>) -> Result<Self, ConfigError> {
        let token = token.into().trim().to_owned();
        if token.is_empty() {
            return Err(ConfigError::MissingToken);
        }
        // Bytes, not `&str` slicing: a multi-byte character at byte 7 must
        // not panic (a panic message would carry the token).
        if token
            .as_bytes()
            .get(..7)
            .is_some_and(|prefix| prefix.eq_ignore_ascii_case(b"bearer "))
        {
            return Err(ConfigError::InvalidToken(
                "it starts with `Bearer `; give the token alone",
            ));
        }
        if !token.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(ConfigError::InvalidToken(
                "it contains spaces or characters outside visible ASCII",
            ));
        }
        Ok(Self(token))
    }

    /// The secret itself, for storing it; never print it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

/// Settings for a [`Client`]; start with [`ClientConfig::new`] or
/// [`ClientConfig::from_env`].
///
/// ```
/// use std::time::Duration;
/// use kinbox_api::{ClientConfig, ClientInfo, Token};
///
/// let client = ClientConfig::new(Token::new("my-token")?)
///     .base_url("http://127.0.0.1:8080")
///     .timeout(Duration::from_secs(5))
///     .user_agent_suffix("my-shop/2.1")
///     .build()?;
/// assert_eq!(client.baseurl(), "http://127.0.0.1:8080");
/// # Ok::<(), kinbox_api::ConfigError>(())
/// ```
#[derive(Clone, Debug)]
pub struct ClientConfig {
    token: Token,
    base_url: String,
    connect_timeout: Duration,
    timeout: Duration,
    user_agent_suffix: Option<String>,
    retry: RetryPolicy,
    max_answer_bytes: usize,
}

impl ClientConfig {
    /// Production base URL, 10 s to connect, 30 s per request.
    pub fn new(token: Token) -> Self {
        Self {
            token,
            base_url: DEFAULT_BASE_URL.to_owned(),
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            timeout: DEFAULT_TIMEOUT,
            user_agent_suffix: None,
            retry: RetryPolicy::default(),
            max_answer_bytes: DEFAULT_MAX_ANSWER_BYTES,
        }
    }

    /// Reads the token from `KINBOX_TOKEN` and the base URL from
    /// `KINBOX_BASE_URL` when it is set.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// [`ClientConfig::from_env`] over any source of variables (tests, config
    /// files layered on the environment).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let token = lookup(TOKEN_ENV).ok_or(ConfigError::MissingToken)?;
        let mut config = Self::new(Token::new(token)?);
        if let Some(url) = lookup(BASE_URL_ENV).filter(|url| !url.trim().is_empty()) {
            config = config.base_url(url);
        }
        Ok(config)
    }

    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// Time allowed to open the connection.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Time allowed for a whole request, from sending to the end of the body.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Appended to the `User-Agent` (`kinbox-api/0.1.0 my-app/1.0`), so that
    /// Kinbox can tell integrations apart.
    pub fn user_agent_suffix(mut self, suffix: impl Into<String>) -> Self {
        self.user_agent_suffix = Some(suffix.into());
        self
    }

    /// Retry failed reads (`GET`) up to `max_retries` times (3 unless set;
    /// 0 turns retries off): see [`RetryPolicy`]. Writes are never retried.
    pub fn retries(mut self, max_retries: u32) -> Self {
        self.retry.max_retries = max_retries;
        self
    }

    /// The whole retry policy: delays and the longest acceptable wait.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The most of a success answer that is read (16 MiB by default); a
    /// larger one fails with [`KinboxError::AnswerTooLarge`](crate::KinboxError::AnswerTooLarge),
    /// or, for a write, [`KinboxError::OutcomeUnknown`](crate::KinboxError::OutcomeUnknown).
    /// Error answers are read up to 64 KiB whatever this says.
    pub fn max_answer_bytes(mut self, limit: usize) -> Self {
        self.max_answer_bytes = limit;
        self
    }

    /// Checks the settings and builds the client; sends nothing.
    pub fn build(self) -> Result<Client, ConfigError> {
        let base_url = checked_base_url(&self.base_url)?;

        let mut bearer = HeaderValue::try_from(format!("Bearer {}", self.token.expose()))
            .map_err(|_| ConfigError::InvalidToken("it cannot be sent in an HTTP header"))?;
        // Sensitive values print as `Sensitive` in `Debug` output, and HTTP/2
        // keeps them out of its header compression table.
        bearer.set_sensitive(true);
        let mut headers = HeaderMap::new();
        headers.insert(header::AUTHORIZATION, bearer);

        let user_agent = match &self.user_agent_suffix {
            Some(suffix) => format!("{SDK_USER_AGENT} {suffix}"),
            None => SDK_USER_AGENT.to_owned(),
        };
        let user_agent = HeaderValue::try_from(user_agent).map_err(|_| {
            ConfigError::InvalidUserAgent(self.user_agent_suffix.unwrap_or_default())
        })?;

        let mut http = reqwest::Client::builder()
            .default_headers(headers)
            .user_agent(user_agent)
            .connect_timeout(self.connect_timeout)
            .timeout(self.timeout)
            // A redirect is reported, never followed: a 307 would send a
            // create and its body again, to wherever it points.
            .redirect(reqwest::redirect::Policy::none());
        if base_url.starts_with("http://") {
            // Plain http is for loopback only (a sandbox, a mock), and a
            // client never leaves its base URL: it needs no TLS roots, whose
            // loading reads every file of the system's certificate folder
            // and took most of a short CLI run.
            http = http.tls_certs_only(std::iter::empty());
        }
        let http = http.build().map_err(ConfigError::Http)?;
        let policy = RequestPolicy {
            retry: self.retry,
            max_answer_bytes: self.max_answer_bytes,
            redactor: Redactor::new(self.token.expose()),
        };
        Ok(Client::new_with_client(&base_url, http, policy))
    }
}

impl Client {
    /// A client for `base_url` that authenticates with `token`.
    ///
    /// ```
    /// let client = kinbox_api::Client::with_token(kinbox_api::DEFAULT_BASE_URL, "my-token")?;
    /// # Ok::<(), kinbox_api::ConfigError>(())
    /// ```
    pub fn with_token(base_url: &str, token: impl Into<String>) -> Result<Self, ConfigError> {
        ClientConfig::new(Token::new(token)?)
            .base_url(base_url)
            .build()
    }

    /// A client configured by `KINBOX_TOKEN` and, when set, `KINBOX_BASE_URL`.
    ///
    /// ```no_run
    /// let client = kinbox_api::Client::from_env()?;
    /// # Ok::<(), kinbox_api::ConfigError>(())
    /// ```
    pub fn from_env() -> Result<Self, ConfigError> {
        ClientConfig::from_env()?.build()
    }
}

/// Parses `url`, drops a trailing `/` (operation paths start with one), and
/// allows plain http only to loopback, where a token cannot be sniffed.
fn checked_base_url(url: &str) -> Result<String, ConfigError> {
    let invalid = |reason: &str| ConfigError::InvalidBaseUrl {
        url: url.to_owned(),
        reason: reason.to_owned(),
    };
    let parsed = reqwest::Url::parse(url.trim()).map_err(|e| invalid(&e.to_string()))?;
    match parsed.scheme() {
        "https" => {}
        "http" => {
            let loopback = match parsed.host() {
                Some(url::Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
                Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
                Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
                None => false,
            };
            if !loopback {
                return Err(ConfigError::InsecureBaseUrl {
                    host: parsed.host_str().unwrap_or_default().to_owned(),
                });
            }
        }
        other => return Err(invalid(&format!("the scheme must be https, not `{other}`"))),
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(invalid("it has no host"));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(invalid("it must not have a query or fragment"));
    }
    Ok(parsed.as_str().trim_end_matches('/').to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ClientInfo;

    #[test]
    fn base_urls_are_checked_before_any_request() {
        assert_eq!(
            checked_base_url("https://api4.kinbox.com.br/").unwrap(),
            "https://api4.kinbox.com.br"
        );
        assert_eq!(
            checked_base_url("http://127.0.0.1:8080").unwrap(),
            "http://127.0.0.1:8080"
        );
        assert_eq!(
            checked_base_url("http://localhost:1").unwrap(),
            "http://localhost:1"
        );
        assert_eq!(
            checked_base_url("http://[::1]:9/").unwrap(),
            "http://[::1]:9"
        );
        assert!(matches!(
            checked_base_url("http://api4.kinbox.com.br"),
            Err(ConfigError::InsecureBaseUrl { .. })
        ));
        assert!(matches!(
            checked_base_url("ftp://x.y"),
            Err(ConfigError::InvalidBaseUrl { .. })
        ));
        assert!(matches!(
            checked_base_url("api4.kinbox.com.br"),
            Err(ConfigError::InvalidBaseUrl { .. })
        ));
    }

    #[test]
    fn tokens_are_checked_and_never_shown() {
        assert!(matches!(Token::new("  "), Err(ConfigError::MissingToken)));
        assert!(matches!(
            Token::new("Bearer abc"),
            Err(ConfigError::InvalidToken(_))
        ));
        assert!(matches!(
            Token::new("ab c"),
            Err(ConfigError::InvalidToken(_))
        ));
        let token = Token::new(" s3cr3t-token\n").unwrap();
        assert_eq!(token.expose(), "s3cr3t-token");
        assert!(!format!("{token:?}").contains("s3cr3t"));
        let config = ClientConfig::new(token);
        assert!(!format!("{config:?}").contains("s3cr3t"));
    }

    #[test]
    fn environment_supplies_token_and_base_url() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert!(matches!(
            ClientConfig::from_lookup(env(&[])),
            Err(ConfigError::MissingToken)
        ));
        let config = ClientConfig::from_lookup(env(&[(TOKEN_ENV, "t")])).unwrap();
        assert_eq!(config.base_url, DEFAULT_BASE_URL);
        let config = ClientConfig::from_lookup(env(&[
            (TOKEN_ENV, "t"),
            (BASE_URL_ENV, "http://127.0.0.1:9"),
        ]))
        .unwrap();
        assert_eq!(config.build().unwrap().baseurl(), "http://127.0.0.1:9");
    }
}
