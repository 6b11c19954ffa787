//! Sending one request within the limiter, and reading what its result
//! means for an import: retried reads, and writes sorted by whether they
//! may have been applied.

use std::future::Future;
use std::time::Duration;

use crate::import::shared::Shared;
use crate::retry::Next;
use crate::{ErrorKind, KinboxError, ResponseValue, RetryPolicy};

/// Reads are tried this many times (besides 429s, which wait as they are
/// told and count against [`MAX_RATE_LIMITED`]).
pub(crate) const READ_ATTEMPTS: u32 = 8;
/// The most 429s one request (a read, or one row's creates) waits through
/// before giving up: a server that never lets anything through must not
/// hold an import forever.
pub(crate) const MAX_RATE_LIMITED: u32 = 100;

/// Waits between attempts that failed without a `Retry-After`.
pub(crate) fn backoff(attempt: u32) -> Duration {
    let policy = RetryPolicy {
        max_retries: u32::MAX,
        base_delay: Duration::from_millis(250),
        max_wait: Duration::from_secs(10),
    };
    match policy.next(attempt, None) {
        Next::RetryAfter(wait) => wait,
        Next::GiveUp | Next::WaitTooLong(_) => policy.max_wait,
    }
}

/// What a write's result says about the object it was to make.
#[derive(Debug)]
pub(crate) enum Written<T> {
    Done(T),
    /// 429: not applied; send it again when the pause is over.
    RateLimited,
    /// Never sent (no connection): not applied.
    NotSent(String),
    /// May have been applied: a lost or unreadable answer, or a 5xx.
    Unknown(String),
    /// Refused (4xx other than 429) or not sendable: not applied, and
    /// sending it again would not help.
    Rejected(String),
    /// Not sent: the import stopped sending (the API refused the token, it
    /// was interrupted, the API is gone).
    Halted(String),
}

/// Sends a write (one attempt) within the limiter, for the row `line`
/// (earlier rows go first); not once the import stopped.
pub(crate) async fn write<T, F>(shared: &Shared, line: u64, send: F) -> Written<T>
where
    F: Future<Output = Result<ResponseValue<T>, KinboxError>>,
{
    let limiter = &shared.limiter;
    let permit = shared.unless_stopped(limiter.acquire(line)).await;
    let (Some(permit), None) = (permit, shared.halted()) else {
        return Written::Halted(shared.halted().unwrap_or_default().to_owned());
    };
    limiter.sending();
    let answer = send.await;
    shared.observe(answer.as_ref().err()).await;
    match answer {
        Ok(answer) => {
            permit.success();
            Written::Done(answer.into_inner())
        }
        Err(error) => {
            halt_on_refused_token(shared, &error);
            let written = classify(&error);
            match written {
                Written::Unknown(_) => {
                    limiter.outcome_unknown();
                    drop(permit);
                }
                Written::RateLimited => permit.rate_limited(error.retry_after()),
                Written::Rejected(_) => permit.success(),
                _ => drop(permit),
            }
            written
        }
    }
}

fn classify<T>(error: &KinboxError) -> Written<T> {
    let text = error.to_string();
    match error {
        KinboxError::Api(_) => match error.kind() {
            ErrorKind::RateLimited => Written::RateLimited,
            ErrorKind::Server => Written::Unknown(text),
            _ => Written::Rejected(text),
        },
        KinboxError::InvalidRequest(_) => Written::Rejected(text),
        KinboxError::Network(e) if e.is_connect() || e.is_builder() => Written::NotSent(text),
        // A lost answer, an answer that cannot be read or does not match
        // the description, an odd status: the write may have been applied.
        _ => Written::Unknown(text),
    }
}

/// Sends a read within the limiter, again after a 429 (once the pause is
/// over), a 5xx or a failed connection, up to [`READ_ATTEMPTS`] times. The
/// client may retry it too, as its [`RetryPolicy`] says. For the row
/// `line`, like [`write`].
pub(crate) async fn read<T, F, Fut>(
    shared: &Shared,
    line: u64,
    mut send: F,
) -> Result<T, KinboxError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<ResponseValue<T>, KinboxError>>,
{
    let limiter = &shared.limiter;
    let mut attempt = 0;
    let mut rate_limited = 0;
    loop {
        let permit = shared.unless_stopped(limiter.acquire(line)).await;
        let (Some(permit), None) = (permit, shared.halted()) else {
            let reason = shared.halted().unwrap_or_default();
            return Err(KinboxError::InvalidRequest(halted_message(reason)));
        };
        limiter.sending();
        let answer = send().await;
        shared.observe(answer.as_ref().err()).await;
        let error = match answer {
            Ok(answer) => {
                permit.success();
                return Ok(answer.into_inner());
            }
            Err(error) => error,
        };
        halt_on_refused_token(shared, &error);
        match error.kind() {
            ErrorKind::RateLimited if rate_limited < MAX_RATE_LIMITED => {
                rate_limited += 1;
                permit.rate_limited(error.retry_after());
            }
            ErrorKind::Server | ErrorKind::Other
                if attempt + 1 < READ_ATTEMPTS && retryable(&error) =>
            {
                drop(permit);
                shared.pause(backoff(attempt)).await;
                attempt += 1;
            }
            _ => return Err(error),
        }
    }
}

/// A 401 says the token is wrong or revoked: every later request would be
/// refused alike, so the import stops sending.
fn halt_on_refused_token(shared: &Shared, error: &KinboxError) {
    if error.kind() == ErrorKind::Unauthorized {
        shared.stop(crate::import::Stopped::TokenRefused(error.to_string()));
    }
}

/// Why a request was not sent after the import stopped (`reason`, from
/// [`Stopped`](crate::import::Stopped)'s text).
pub(crate) fn halted_message(reason: &str) -> String {
    format!("the import stopped sending: {reason}")
}

fn retryable(error: &KinboxError) -> bool {
    match error {
        KinboxError::Api(api) => api.status.is_server_error(),
        KinboxError::Network(_) | KinboxError::InvalidResponse { .. } => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ApiError;
    use reqwest::StatusCode;

    fn api(status: u16) -> KinboxError {
        KinboxError::Api(ApiError::new(
            StatusCode::from_u16(status).unwrap(),
            crate::types::Error::default(),
        ))
    }

    fn kind(error: KinboxError) -> &'static str {
        match classify::<()>(&error) {
            Written::Done(()) => "done",
            Written::RateLimited => "rate limited",
            Written::NotSent(_) => "not sent",
            Written::Unknown(_) => "unknown",
            Written::Rejected(_) => "rejected",
            Written::Halted(_) => "halted",
        }
    }

    #[test]
    fn only_what_cannot_have_been_applied_is_sent_again_without_looking() {
        assert_eq!(kind(api(429)), "rate limited");
        for status in [400, 401, 403, 404, 409, 422] {
            assert_eq!(kind(api(status)), "rejected", "{status}");
        }
        // A 5xx may come after the write was applied.
        for status in [500, 502, 503, 504] {
            assert_eq!(kind(api(status)), "unknown", "{status}");
        }
        let lost = KinboxError::OutcomeUnknown {
            reason: "connection closed".to_owned(),
        };
        assert_eq!(kind(lost), "unknown");
        assert_eq!(kind(KinboxError::AnswerTooLarge { limit: 1 }), "unknown");
        assert_eq!(
            kind(KinboxError::InvalidRequest("empty id".to_owned())),
            "rejected"
        );
    }

    #[test]
    fn backoff_grows_and_stays_bounded() {
        assert!(backoff(0) <= Duration::from_millis(250));
        assert!(backoff(3) >= Duration::from_millis(1000));
        assert!(backoff(30) <= Duration::from_secs(10));
    }
}
