//! What a sandbox is started with.

use std::time::Duration;

/// The token printed (and suggested) when none is fixed; any non-empty
/// token is accepted then.
pub const DEFAULT_TOKEN: &str = "sandbox-token";

/// Settings of a sandbox; [`crate::Sandbox::builder`] sets them one by one.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SandboxConfig {
    /// The port on 127.0.0.1; 0 lets the system pick a free one.
    pub port: u16,
    /// The only bearer token accepted; `None` accepts any non-empty token.
    pub token: Option<String>,
    /// Start with no objects at all instead of the seeded workspace
    /// (pipelines "Vendas" and "Pós-venda", contacts, custom fields, tags…;
    /// see the crate docs).
    pub empty: bool,
    pub faults: FaultConfig,
    /// How much one client may take: body size, connections, time to send.
    pub limits: Limits,
}

/// Bounds that keep the sandbox answering whatever a client sends: a flood
/// of connections, huge bodies, or requests that never finish arriving.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The largest request body read, in bytes; a larger one is answered
    /// 413, by its `Content-Length` before any of it is read, or as soon as
    /// a chunked body passes the limit.
    pub max_body_bytes: usize,
    /// Connections open at once. Past it, a new connection takes the place
    /// of the one that has waited longest for a request head (idle, or
    /// stalled halfway through one); a connection in the middle of a request
    /// is never closed. When every one is, the new connection is answered
    /// 503 and closed (up to as many again at once; past that, closed
    /// unanswered). The sandbox holds at most twice this many connections'
    /// descriptors, well within the usual limit of 1,024 at the default.
    pub max_connections: usize,
    /// A connection that does not send a complete request head (request line
    /// and headers) this long after it opens, or after its previous answer,
    /// is closed: this ends stalled clients and idle keep-alive connections.
    pub header_timeout: Duration,
    /// A request whose body has not fully arrived this long after its head
    /// is answered 408, and its connection closed.
    pub body_timeout: Duration,
    /// Objects stored at once, of every resource together (the seeded ones
    /// count): a create past it is answered 507 Insufficient Storage, and
    /// nothing is stored until some are deleted. Memory is the bound: at a
    /// kilobyte or so an object, the default holds about a gigabyte.
    pub max_objects: usize,
}

impl Limits {
    /// 1 MiB: the API's largest bodies (a campaign with its leads) are a
    /// few kilobytes.
    pub const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;
    pub const DEFAULT_MAX_CONNECTIONS: usize = 256;
    pub const DEFAULT_HEADER_TIMEOUT: Duration = Duration::from_secs(5);
    pub const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(10);
    pub const DEFAULT_MAX_OBJECTS: usize = 1_000_000;
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_body_bytes: Self::DEFAULT_MAX_BODY_BYTES,
            max_connections: Self::DEFAULT_MAX_CONNECTIONS,
            header_timeout: Self::DEFAULT_HEADER_TIMEOUT,
            body_timeout: Self::DEFAULT_BODY_TIMEOUT,
            max_objects: Self::DEFAULT_MAX_OBJECTS,
        }
    }
}

/// Failures the sandbox injects so that clients' retry and timeout paths
/// can be tested. All off by default. Random choices come from one
/// generator seeded with `seed`: the same seed and the same sequence of
/// requests give the same answers.
#[derive(Clone, Debug, PartialEq)]
pub struct FaultConfig {
    pub seed: u64,
    /// Answer 429 with `Retry-After` past this many requests per window.
    pub rate_limit: Option<RateLimit>,
    /// The share of requests (0.0–1.0) answered 500 or 503 instead.
    pub server_error_ratio: f64,
    /// Added before every answer.
    pub latency: Duration,
    /// Up to this much more latency, drawn per request.
    pub latency_jitter: Duration,
    /// The share of requests (0.0–1.0) whose connection is closed with no
    /// answer at all.
    pub drop_ratio: f64,
    /// The share of writes (POST, PATCH, PUT, DELETE; 0.0–1.0) that are
    /// applied, then answered in a way the client cannot read: the change is
    /// stored, the client never learns it. Only writes that succeed are
    /// hit; a refused write (4xx) is answered as usual. Its rolls come from a
    /// stream of their own, so turning it on does not change which requests
    /// the other faults hit for a seed.
    pub applied_then_fail_ratio: f64,
    /// How the answer of such a write fails.
    pub applied_then_fail_mode: AppliedThenFailMode,
    /// How long [`AppliedThenFailMode::Timeout`] holds the answer before
    /// closing the connection: longer than the client's timeout.
    pub applied_then_fail_hold: Duration,
}

impl FaultConfig {
    /// Longer than any sane client timeout (the CLI's is 30 s).
    pub const DEFAULT_APPLIED_THEN_FAIL_HOLD: Duration = Duration::from_secs(60);
}

impl Default for FaultConfig {
    fn default() -> Self {
        Self {
            seed: 0,
            rate_limit: None,
            server_error_ratio: 0.0,
            latency: Duration::ZERO,
            latency_jitter: Duration::ZERO,
            drop_ratio: 0.0,
            applied_then_fail_ratio: 0.0,
            applied_then_fail_mode: AppliedThenFailMode::Any,
            applied_then_fail_hold: Self::DEFAULT_APPLIED_THEN_FAIL_HOLD,
        }
    }
}

/// How the answer to an applied write fails (see
/// [`FaultConfig::applied_then_fail_ratio`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum AppliedThenFailMode {
    /// Close the connection without answering.
    Drop,
    /// Hold the answer past the client's timeout, then close the connection.
    Timeout,
    /// Send the success status and headers, then half the body (or none,
    /// for a body-less answer), with a `Content-Length` of the whole; then
    /// close the connection.
    Garbled,
    /// One of the three, drawn per request from the seed.
    #[default]
    Any,
}

/// At most `requests` in each `window`, counted from the first request of
/// the window (a fixed window, so the `Retry-After` it gives is exact).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimit {
    pub requests: u32,
    pub window: Duration,
}

/// A setting that cannot work; nothing was started.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ConfigError {
    #[error("{name} must be between 0.0 and 1.0 (a share of requests), not {value}")]
    RatioOutOfRange { name: &'static str, value: f64 },
    #[error("a rate limit needs at least 1 request per window and a window longer than 0")]
    EmptyRateLimit,
    #[error(
        "{name} must be greater than 0: it bounds what one client may take, and 0 would refuse every request"
    )]
    ZeroLimit { name: &'static str },
    #[error(
        "the token must be non-empty visible ASCII without spaces, as it travels in `Authorization: Bearer <token>`"
    )]
    UnusableToken,
}

impl SandboxConfig {
    /// The bearer token clients should send.
    pub fn token_to_use(&self) -> &str {
        self.token.as_deref().unwrap_or(DEFAULT_TOKEN)
    }

    pub fn validate(&self) -> Result<(), ConfigError> {
        if let Some(token) = &self.token
            && (token.is_empty() || !token.bytes().all(|b| b.is_ascii_graphic()))
        {
            return Err(ConfigError::UnusableToken);
        }
        self.limits.validate()?;
        self.faults.validate()
    }
}

impl Limits {
    pub fn validate(&self) -> Result<(), ConfigError> {
        for (name, zero) in [
            ("max_body_bytes", self.max_body_bytes == 0),
            ("max_connections", self.max_connections == 0),
            ("header_timeout", self.header_timeout.is_zero()),
            ("body_timeout", self.body_timeout.is_zero()),
            ("max_objects", self.max_objects == 0),
        ] {
            if zero {
                return Err(ConfigError::ZeroLimit { name });
            }
        }
        Ok(())
    }
}

impl FaultConfig {
    pub fn validate(&self) -> Result<(), ConfigError> {
        for (name, value) in [
            ("server_error_ratio", self.server_error_ratio),
            ("drop_ratio", self.drop_ratio),
            ("applied_then_fail_ratio", self.applied_then_fail_ratio),
        ] {
            if !(0.0..=1.0).contains(&value) {
                return Err(ConfigError::RatioOutOfRange { name, value });
            }
        }
        if let Some(limit) = self.rate_limit
            && (limit.requests == 0 || limit.window.is_zero())
        {
            return Err(ConfigError::EmptyRateLimit);
        }
        Ok(())
    }

    /// Whether any fault is on.
    pub fn is_active(&self) -> bool {
        self.rate_limit.is_some()
            || self.server_error_ratio > 0.0
            || self.drop_ratio > 0.0
            || self.applied_then_fail_ratio > 0.0
            || !self.latency.is_zero()
            || !self.latency_jitter.is_zero()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_inject_nothing_and_accept_any_token() {
        let config = SandboxConfig::default();
        assert!(config.validate().is_ok());
        assert!(!config.faults.is_active());
        assert_eq!(config.token_to_use(), DEFAULT_TOKEN);
    }

    #[test]
    fn settings_that_cannot_work_are_refused() {
        let ratio = FaultConfig {
            drop_ratio: 1.5,
            ..FaultConfig::default()
        };
        assert!(matches!(
            ratio.validate(),
            Err(ConfigError::RatioOutOfRange {
                name: "drop_ratio",
                ..
            })
        ));
        let nan = FaultConfig {
            server_error_ratio: f64::NAN,
            ..FaultConfig::default()
        };
        assert!(nan.validate().is_err());
        let limit = FaultConfig {
            rate_limit: Some(RateLimit {
                requests: 0,
                window: Duration::from_secs(1),
            }),
            ..FaultConfig::default()
        };
        assert_eq!(limit.validate(), Err(ConfigError::EmptyRateLimit));
        let token = SandboxConfig {
            token: Some("two words".to_owned()),
            ..SandboxConfig::default()
        };
        assert_eq!(token.validate(), Err(ConfigError::UnusableToken));
        let applied = FaultConfig {
            applied_then_fail_ratio: -0.1,
            ..FaultConfig::default()
        };
        assert!(matches!(
            applied.validate(),
            Err(ConfigError::RatioOutOfRange {
                name: "applied_then_fail_ratio",
                ..
            })
        ));
        let connections = SandboxConfig {
            limits: Limits {
                max_connections: 0,
                ..Limits::default()
            },
            ..SandboxConfig::default()
        };
        assert_eq!(
            connections.validate(),
            Err(ConfigError::ZeroLimit {
                name: "max_connections"
            })
        );
    }
}
