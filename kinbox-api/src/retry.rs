//! [`RetryPolicy`]: when a failed read is tried again, and how long to wait.

use std::hash::{BuildHasher as _, Hasher as _};
use std::time::{Duration, SystemTime};

/// When the client tries a request again, on its own.
///
/// Only reads (`GET`) are retried: they change nothing, so sending one twice
/// is harmless, while a repeated create could make two deals. A read is
/// retried when no usable answer came (the connection could not be made,
/// timed out or dropped) or when the API answers 429, 500, 502, 503 or 504.
/// It waits as long as `Retry-After` asks (seconds or an HTTP date), or else
/// `base_delay` doubling at each attempt, each wait drawn at random between
/// half and all of it so that many clients do not retry in step. An answer
/// that asks for a longer wait than `max_wait` is returned as it is, and the
/// client logs why (a `WARN` event); when the retries run out, the last
/// answer or error is returned (and a `DEBUG` event says so).
///
/// On by default: [`RetryPolicy::DEFAULT_RETRIES`] retries, 0.5 s doubling, a wait of at
/// most 30 s, as the SDKs of AWS and Stripe do, since a real API
/// rate-limits and has bad seconds. Set it with
/// [`ClientConfig::retries`](crate::ClientConfig::retries) (0 turns it off)
/// or [`ClientConfig::retry_policy`](crate::ClientConfig::retry_policy).
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
            max_retries: Self::DEFAULT_RETRIES,
            base_delay: Duration::from_millis(500),
            max_wait: Duration::from_secs(30),
        }
    }
}

/// What to do after a failed attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Next {
    /// Wait this long, then try again.
    RetryAfter(Duration),
    /// Retries are off, or all of them were used.
    GiveUp,
    /// The server asked for a wait longer than `max_wait`.
    WaitTooLong(Duration),
}

impl RetryPolicy {
    /// How many times a failed read is tried again unless the client says
    /// otherwise.
    pub const DEFAULT_RETRIES: u32 = 3;

    /// What to do before retry number `attempt` (0 for the first), given the
    /// server's `Retry-After` if any.
    pub(crate) fn next(&self, attempt: u32, retry_after: Option<Duration>) -> Next {
        if attempt >= self.max_retries {
            return Next::GiveUp;
        }
        match retry_after {
            Some(wait) if wait > self.max_wait => Next::WaitTooLong(wait),
            Some(wait) => Next::RetryAfter(wait),
            None => {
                let full = self
                    .base_delay
                    .saturating_mul(2u32.saturating_pow(attempt))
                    .min(self.max_wait);
                Next::RetryAfter(full.mul_f64(0.5 + 0.5 * random_unit()))
            }
        }
    }

    pub(crate) fn retries_status(status: reqwest::StatusCode) -> bool {
        matches!(status.as_u16(), 429 | 500 | 502 | 503 | 504)
    }
}

/// A number in `[0, 1)`, different at each call; enough to spread retries.
fn random_unit() -> f64 {
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(
        SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos(),
    );
    (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64
}

/// `Retry-After`, as seconds or as an HTTP date (a date in the past is no
/// wait at all).
pub(crate) fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let value = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(SystemTime::now()).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            max_retries: 3,
            base_delay: Duration::from_millis(100),
            max_wait: Duration::from_secs(5),
        }
    }

    #[test]
    fn waits_double_with_jitter_and_stop() {
        for _ in 0..100 {
            let Next::RetryAfter(first) = policy().next(0, None) else {
                panic!("the first retry waits")
            };
            assert!((50..=100).contains(&first.as_millis()), "{first:?}");
            let Next::RetryAfter(third) = policy().next(2, None) else {
                panic!("the third retry waits")
            };
            assert!((200..=400).contains(&third.as_millis()), "{third:?}");
        }
        assert_eq!(
            policy().next(3, None),
            Next::GiveUp,
            "three retries at most"
        );
        let default = RetryPolicy::default();
        assert!(
            matches!(default.next(0, None), Next::RetryAfter(_)),
            "on by default"
        );
        assert!(matches!(default.next(2, None), Next::RetryAfter(_)));
        assert_eq!(default.next(3, None), Next::GiveUp, "three by default");
        let off = RetryPolicy {
            max_retries: 0,
            ..RetryPolicy::default()
        };
        assert_eq!(off.next(0, None), Next::GiveUp, "0 turns it off");
    }

    #[test]
    fn retry_after_is_honoured_up_to_the_longest_wait() {
        assert_eq!(
            policy().next(0, Some(Duration::from_secs(2))),
            Next::RetryAfter(Duration::from_secs(2))
        );
        assert_eq!(
            policy().next(0, Some(Duration::from_secs(60))),
            Next::WaitTooLong(Duration::from_secs(60))
        );
    }

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("retry-after", " 7 ".parse().unwrap());
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(7)));
        let in_a_minute = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(60));
        headers.insert("retry-after", in_a_minute.parse().unwrap());
        let wait = retry_after(&headers).unwrap();
        assert!((55..=60).contains(&wait.as_secs()), "{wait:?}");
        headers.insert(
            "retry-after",
            "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap(),
        );
        assert_eq!(
            retry_after(&headers),
            Some(Duration::ZERO),
            "a date in the past"
        );
        headers.insert("retry-after", "soon".parse().unwrap());
        assert_eq!(retry_after(&headers), None);
    }
}
