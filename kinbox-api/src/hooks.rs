//! What happens around every request the generated client sends.
//!
//! - `pre`: nothing is sent with an id that cannot be a path segment, or a
//!   query parameter out of the spec's bounds.
//! - `exec`: each exchange is logged, reads are retried, redirects are not
//!   followed, every answer is read into memory up to a limit, error bodies
//!   are made readable as the spec's `Error` with the token taken out, and a
//!   write's success answer that cannot be read is flagged.
//! - `post`: a write whose answer was lost after it was sent becomes an
//!   "outcome unknown" error.
//! - [`answer`], which the generated operations read answers with: a write's
//!   answer that is not JSON becomes an "outcome unknown" error too.

use std::time::Instant;

use bytes::{Bytes, BytesMut};
use progenitor_client::{ClientHooks, ClientInfo, Error, OperationInfo, ResponseValue};
use reqwest::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderValue};
use reqwest::{Method, ResponseBuilderExt as _, StatusCode};

use crate::error::UnreadableAnswer;
use crate::generated::{QUERY_BOUNDS, WRITE_OPERATIONS};
use crate::retry::Next;
use crate::server_text::Redactor;
use crate::{Client, RetryPolicy};

/// How much of an error answer is read: enough for any message, and a 10 MB
/// HTML page from a proxy costs no more.
pub(crate) const ERROR_BODY_LIMIT: usize = 64 * 1024;

/// How the client treats each request: the client's inner value, set by
/// [`ClientConfig`](crate::ClientConfig).
#[derive(Clone, Debug)]
pub struct RequestPolicy {
    pub(crate) retry: RetryPolicy,
    pub(crate) max_answer_bytes: usize,
    pub(crate) redactor: Redactor,
}

impl Default for RequestPolicy {
    fn default() -> Self {
        Self {
            retry: RetryPolicy::default(),
            max_answer_bytes: crate::config::DEFAULT_MAX_ANSWER_BYTES,
            redactor: Redactor::default(),
        }
    }
}

/// The operation id of a write sent by [`Client::raw`](crate::Client::raw).
pub(crate) const RAW_WRITE: &str = "raw_write";

pub(crate) fn is_write(operation_id: &str) -> bool {
    operation_id == RAW_WRITE || WRITE_OPERATIONS.binary_search(&operation_id).is_ok()
}

impl ClientHooks<RequestPolicy> for Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        info: &OperationInfo,
    ) -> Result<(), Error<E>> {
        if let Some(reason) = crate::path::refused_segment(request.url()) {
            return Err(Error::InvalidRequest(reason));
        }
        check_query_bounds(request.url(), info.operation_id).map_err(Error::InvalidRequest)
    }

    async fn exec(
        &self,
        mut request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let policy = &self.inner().retry;
        let is_read = request.method() == Method::GET;
        let mut attempt = 0;
        loop {
            // A clone is kept before sending, since sending consumes the
            // request; only reads are ever sent again.
            let retry = is_read.then(|| request.try_clone()).flatten();
            let result = match self.send_logged(request, info).await {
                Ok(response) => self.read_answer(response, info).await,
                Err(error) => Err(error),
            };
            let (why, retry_after) = match &result {
                Ok(response) if RetryPolicy::retries_status(response.status()) => (
                    format!("the API answered {}", response.status()),
                    crate::retry::retry_after(response.headers()),
                ),
                Err(error) if !error.is_builder() && !error.is_redirect() => {
                    (crate::error::describe_transport(error), None)
                }
                _ => return result,
            };
            let Some(next) = retry else { return result };
            match policy.next(attempt, retry_after) {
                Next::RetryAfter(wait) => {
                    tracing::debug!(
                        operation = info.operation_id,
                        attempt = attempt + 1,
                        wait_ms = wait.as_millis() as u64,
                        "retrying: {why}"
                    );
                    tokio::time::sleep(wait).await;
                    request = next;
                    attempt += 1;
                }
                Next::GiveUp => {
                    // Debug, not a warning: the caller gets the last answer
                    // or error, which says what failed; retries are on by
                    // default, and every failed read would warn twice.
                    if policy.max_retries > 0 {
                        tracing::debug!(
                            operation = info.operation_id,
                            "giving up after {attempt} retries: {why}"
                        );
                    }
                    return result;
                }
                Next::WaitTooLong(wait) => {
                    tracing::warn!(
                        operation = info.operation_id,
                        "not retrying: the API asks to wait {} s (Retry-After), longer than the \
                         {} s the retry policy accepts",
                        wait.as_secs(),
                        policy.max_wait.as_secs()
                    );
                    return result;
                }
            }
        }
    }

    async fn post<E>(
        &self,
        result: &reqwest::Result<reqwest::Response>,
        info: &OperationInfo,
    ) -> Result<(), Error<E>> {
        match result {
            // A connection that was never made carried nothing: a plain
            // network error. Any other failure may have come after the
            // server applied the write.
            Err(error)
                if is_write(info.operation_id) && !error.is_connect() && !error.is_builder() =>
            {
                // `Custom` is the one error a hook can return; only this hook
                // returns it, and `KinboxError::from` reads it as an unknown
                // outcome.
                Err(Error::Custom(crate::error::describe_transport(error)))
            }
            _ => Ok(()),
        }
    }
}

impl Client {
    async fn send_logged(
        &self,
        request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let started = Instant::now();
        // Only the method and URL are logged: the Authorization header is added
        // by the HTTP client after this point and never passes through here.
        tracing::debug!(
            operation = info.operation_id,
            method = %request.method(),
            url = %request.url(),
            "sending request"
        );
        if let Some(body) = request.body().and_then(reqwest::Body::as_bytes) {
            tracing::trace!(operation = info.operation_id, body = %String::from_utf8_lossy(body), "request body");
        }
        let result = self.client().execute(request).await;
        match &result {
            Ok(response) => tracing::debug!(
                operation = info.operation_id,
                status = response.status().as_u16(),
                elapsed_ms = started.elapsed().as_millis() as u64,
                "received response"
            ),
            Err(error) => tracing::debug!(operation = info.operation_id, %error, "request failed"),
        }
        result
    }

    /// Reads the whole answer, up to its limit, so that a failure while
    /// reading is seen here (and a read can be retried) and an endless body
    /// costs no more than the limit.
    async fn read_answer(
        &self,
        mut response: reqwest::Response,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let policy = self.inner();
        let status = response.status();
        let is_error = status.is_client_error() || status.is_server_error();
        let limit = if is_error {
            ERROR_BODY_LIMIT
        } else {
            policy.max_answer_bytes
        };
        let declared = response.content_length();
        let mut complete = declared.is_none_or(|length| length <= limit as u64);
        let mut body = Body::new(declared.unwrap_or(0).min(limit as u64) as usize);
        while complete {
            match response.chunk().await? {
                Some(chunk) if body.len() + chunk.len() > limit => {
                    let room = limit - body.len();
                    body.push(chunk.slice(..room));
                    complete = false;
                }
                Some(chunk) => body.push(chunk),
                None => break,
            }
        }
        let body = body.into_bytes();
        // Taken, not cloned: the response is dropped once its body is read.
        let headers = std::mem::take(response.headers_mut());
        let url = response.url().clone();
        if is_error {
            return Ok(readable_error(
                status,
                headers,
                url,
                body,
                complete,
                &policy.redactor,
            ));
        }
        // A body that echoes the token must not carry it into a result, an
        // error's preview or a log, nor hide it in escapes that the typed
        // parse (or its error message) would decode.
        let body = policy.redactor.redact_body(body);
        let write = is_write(info.operation_id);
        let unreadable = if !complete {
            Some(UnreadableAnswer {
                reason: format!(
                    "the answer is larger than the {} limit (ClientConfig::max_answer_bytes)",
                    crate::error::byte_size(limit)
                ),
                write,
                limit: Some(limit),
            })
        } else {
            None
        };
        Ok(match unreadable {
            Some(unreadable) => {
                let failing = futures::stream::once(async move {
                    Err::<Bytes, Box<dyn std::error::Error + Send + Sync>>(Box::new(unreadable))
                });
                rebuilt(status, headers, url, reqwest::Body::wrap_stream(failing))
            }
            None => rebuilt(status, headers, url, reqwest::Body::from(body)),
        })
    }
}

fn is_json(body: &[u8]) -> bool {
    serde_json::from_slice::<serde::de::IgnoredAny>(body).is_ok()
}

/// How the generated operations read an answer into its type (`codegen.rs`
/// puts it in place of `ResponseValue::from_response`): a write's answer that
/// is not JSON (cut short or garbled) means the write was applied and its
/// answer lost, an unknown outcome, not a parse error. That is checked only
/// once the typed parse has failed, so a good answer is parsed once.
pub(crate) async fn answer<T: serde::de::DeserializeOwned, E>(
    response: reqwest::Response,
    info: &OperationInfo,
) -> Result<ResponseValue<T>, Error<E>> {
    match ResponseValue::from_response(response).await {
        Err(Error::InvalidResponsePayload(body, error))
            if is_write(info.operation_id) && !body.is_empty() && !is_json(&body) =>
        {
            let unreadable = UnreadableAnswer {
                reason: "the answer is not JSON (cut short or garbled)".to_owned(),
                write: true,
                limit: None,
            };
            Err(match failing_body(unreadable).await {
                Some(carried) => Error::ResponseBodyError(carried),
                None => Error::InvalidResponsePayload(body, error),
            })
        }
        other => other,
    }
}

/// A body error that carries `unreadable` as its source, as the body of an
/// answer that could not be read does; reqwest makes its errors only itself.
async fn failing_body(unreadable: UnreadableAnswer) -> Option<reqwest::Error> {
    let failing = futures::stream::once(async move {
        Err::<Bytes, Box<dyn std::error::Error + Send + Sync>>(Box::new(unreadable))
    });
    reqwest::Response::from(http::Response::new(reqwest::Body::wrap_stream(failing)))
        .bytes()
        .await
        .err()
}

/// An answer read into memory, kept as the one chunk it usually arrives in
/// and copied into a buffer, sized from `Content-Length`, only when it came
/// in several.
struct Body {
    first: Option<Bytes>,
    rest: BytesMut,
    capacity: usize,
}

impl Body {
    fn new(capacity: usize) -> Self {
        Self {
            first: None,
            rest: BytesMut::new(),
            capacity,
        }
    }

    fn len(&self) -> usize {
        self.first.as_ref().map_or(0, Bytes::len) + self.rest.len()
    }

    fn push(&mut self, chunk: Bytes) {
        if self.first.is_none() && self.rest.is_empty() {
            self.first = Some(chunk);
            return;
        }
        if let Some(first) = self.first.take() {
            let capacity = self.capacity.max(first.len() + chunk.len());
            self.rest.reserve(capacity);
            self.rest.extend_from_slice(&first);
        }
        self.rest.extend_from_slice(&chunk);
    }

    fn into_bytes(self) -> Bytes {
        match self.first {
            Some(first) => first,
            None => self.rest.freeze(),
        }
    }
}

fn rebuilt(
    status: StatusCode,
    mut headers: reqwest::header::HeaderMap,
    url: reqwest::Url,
    body: reqwest::Body,
) -> reqwest::Response {
    headers.remove(CONTENT_LENGTH);
    // Given its URL, reqwest need not parse a placeholder one for every
    // answer, and `Response::url` still says where the answer came from.
    let (mut parts, ()) = http::Response::builder()
        .url(url)
        .body(())
        .unwrap_or_default()
        .into_parts();
    parts.status = status;
    parts.headers = headers;
    reqwest::Response::from(http::Response::from_parts(parts, body))
}

/// Kinbox documents no error body, and proxies in front of it answer with
/// HTML or nothing at all. The spec's `Error` is a JSON object; any other body
/// is carried in its `message`, so a caller always gets the status and the
/// server's words instead of a parse failure. The token is taken out of
/// either, since servers echo it back.
fn readable_error(
    status: StatusCode,
    mut headers: reqwest::header::HeaderMap,
    url: reqwest::Url,
    body: Bytes,
    complete: bool,
    redactor: &Redactor,
) -> reqwest::Response {
    let object = match serde_json::from_slice(&body) {
        Ok(serde_json::Value::Object(object)) if complete => Some(object),
        _ => None,
    };
    let mut error = match object {
        Some(object) => serde_json::Value::Object(object),
        None => {
            let mut text = String::from_utf8_lossy(&body).trim().to_owned();
            if !complete {
                text.push_str(&format!(
                    "… [cut: only the first {} of the answer were read]",
                    crate::error::byte_size(body.len())
                ));
            }
            if text.is_empty() {
                serde_json::json!({})
            } else {
                // Shown as it came, but a message that quotes JSON is read
                // by people, who decode its escapes as easily as a parser.
                serde_json::json!({ "message": redactor.redact_text(&text) })
            }
        }
    };
    redactor.redact_json(&mut error);
    tracing::debug!(status = status.as_u16(), body = %crate::server_text::shown(&error.to_string()), "error body");
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    rebuilt(status, headers, url, reqwest::Body::from(error.to_string()))
}

/// Refuses a query parameter outside the bounds the spec gives it.
fn check_query_bounds(url: &reqwest::Url, operation_id: &str) -> Result<(), String> {
    for (name, value) in url.query_pairs() {
        let Some((_, _, min, max)) = QUERY_BOUNDS
            .iter()
            .find(|(op, parameter, _, _)| *op == operation_id && *parameter == name)
        else {
            continue;
        };
        let within = value
            .parse::<i64>()
            .is_ok_and(|n| min.is_none_or(|min| n >= min) && max.is_none_or(|max| n <= max));
        if !within {
            let range = match (min, max) {
                (Some(min), Some(max)) => format!("from {min} to {max}"),
                (Some(min), None) => format!("at least {min}"),
                (None, Some(max)) => format!("at most {max}"),
                (None, None) => unreachable!("only bounded parameters are listed"),
            };
            let hint = if name == "limit" {
                "; to read more items, follow the pages (`stream()`, `--all`)"
            } else {
                ""
            };
            return Err(format!(
                "`{name}` is {value}, but the API takes {range}{hint}"
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_in_one_chunk_is_kept_and_one_in_several_is_joined() {
        let chunk = Bytes::from_static(b"{\"id\": \"65f0\"}");
        let mut body = Body::new(chunk.len());
        body.push(chunk.clone());
        let whole = body.into_bytes();
        assert_eq!(whole, chunk);
        assert_eq!(whole.as_ptr(), chunk.as_ptr(), "a lone chunk is not copied");

        let mut body = Body::new(4);
        for part in ["{\"id\"", ": ", "\"65f0\"", "}"] {
            body.push(Bytes::from(part));
        }
        assert_eq!(body.len(), 14);
        assert_eq!(body.into_bytes(), "{\"id\": \"65f0\"}");
        assert!(Body::new(0).into_bytes().is_empty());
    }
}
