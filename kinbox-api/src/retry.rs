//! [`RetryPolicy`]: when a failed read is tried again.

use std::time::Duration;

/// When the client tries a request again, on its own.
///
/// Only reads (`GET`) are retried: they change nothing, so sending one twice
/// is harmless, while a repeated create could make two deals. A read is
/// retried when the connection could not be made, or when the API answers
/// 429, 502, 503 or 504; it waits as long as `Retry-After` asks, or else
/// `base_delay`, doubling at each attempt. An answer that asks for a longer
/// wait than `max_wait` is returned as it is, so the caller decides.
///
/// Off by default (`max_retries: 0`): set it with
/// [`ClientConfig::retries`](crate::ClientConfig::retries).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts after the first one.
    pub max_retries: u32,
    /// Wait before the first retry when the server says nothing.
    pub base_delay: Duration,
    /// The longest single wait the client accepts.
    pub max_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 0,
            base_delay: Duration::from_millis(500),
            max_wait: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// How long to wait before retry number `attempt` (0 for the first),
    /// given the server's `Retry-After` if any; `None` means do not retry.
    pub(crate) fn wait(&self, attempt: u32, retry_after: Option<Duration>) -> Option<Duration> {
        if attempt >= self.max_retries {
            return None;
        }
        let wait = retry_after
            .unwrap_or_else(|| self.base_delay.saturating_mul(2u32.saturating_pow(attempt)));
        (wait <= self.max_wait).then_some(wait)
    }

    pub(crate) fn retries_status(status: reqwest::StatusCode) -> bool {
        matches!(status.as_u16(), 429 | 502 | 503 | 504)
    }
}

/// `Retry-After` in seconds. The HTTP-date form is not read: Kinbox is not
/// known to send it, and without it the base delay applies.
pub(crate) fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()
        .map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_honour_retry_after_and_stop() {
        let policy = RetryPolicy {
            max_retries: 3,
            base_delay: Duration::from_millis(100),
            max_wait: Duration::from_secs(5),
        };
        assert_eq!(policy.wait(0, None), Some(Duration::from_millis(100)));
        assert_eq!(policy.wait(2, None), Some(Duration::from_millis(400)));
        assert_eq!(policy.wait(3, None), None, "three retries at most");
        assert_eq!(
            policy.wait(0, Some(Duration::from_secs(2))),
            Some(Duration::from_secs(2))
        );
        assert_eq!(
            policy.wait(0, Some(Duration::from_secs(60))),
            None,
            "longer than max_wait"
        );
        assert_eq!(RetryPolicy::default().wait(0, None), None, "off by default");
    }
}
