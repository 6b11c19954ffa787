//! [`Error`]: what went wrong with a call, with the HTTP status and the
//! server's body when there was an answer. Never holds the token.

use std::time::Duration;

use bytes::Bytes;
use reqwest::StatusCode;

use crate::server_text::{cut, escape_controls, shown};
use crate::types;

/// progenitor's error type, which the generated operations convert to
/// [`KinboxError`] before they return.
pub(crate) type OperationError = progenitor_client::Error<types::Error>;

/// A failed call to the Kinbox API.
///
/// What every call returns when it fails: the operations' `send()`,
/// `stream()`, [`Client::raw`](crate::Client::raw) and the import.
///
/// ```no_run
/// # async fn run(client: kinbox_api::Client) -> Result<(), kinbox_api::KinboxError> {
/// match client.get_deal().id("65f0c0ffee").send().await {
///     Ok(deal) => println!("{}", deal.name),
///     Err(e) if e.kind() == kinbox_api::ErrorKind::NotFound => println!("no such deal"),
///     Err(e) => return Err(e),
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, thiserror::Error)]
pub enum KinboxError {
    /// The API answered with an error status.
    #[error("{0}")]
    Api(ApiError),
    /// The request was not sent: an argument failed its check.
    #[error("invalid request, nothing was sent: {0}")]
    InvalidRequest(String),
    /// No answer: connection refused, DNS, TLS, or a timeout.
    #[error("could not reach the Kinbox API: {}", describe_transport(.0))]
    Network(#[source] reqwest::Error),
    /// A write (create, update, delete, pause…) was sent, but no usable
    /// answer came back: the connection dropped or timed out after sending,
    /// or the success answer could not be read. The change **may have been
    /// applied**: look for it before sending it again.
    #[error(
        "the request was sent, but its outcome is unknown ({reason}): it may have been applied; \
         check before sending it again"
    )]
    OutcomeUnknown { reason: String },
    /// An answer larger than [`ClientConfig::max_answer_bytes`](crate::ClientConfig::max_answer_bytes);
    /// only that much was read.
    #[error(
        "the Kinbox API's answer is larger than the {} limit; nothing more was read \
         (raise ClientConfig::max_answer_bytes, or ask for smaller pages with `limit`)",
        byte_size(*.limit)
    )]
    AnswerTooLarge { limit: usize },
    /// An answer whose body does not match the API description.
    #[error("the Kinbox API sent a response this SDK cannot read ({source}); body: {}", preview(.body))]
    InvalidResponse {
        body: Bytes,
        #[source]
        source: serde_json::Error,
    },
    /// An answer with a status the API description does not list, such as a
    /// redirect, which the client never follows: a write must not be sent
    /// twice, nor the token to another server.
    #[error("{}", describe_unexpected(*.status, .location.as_deref()))]
    UnexpectedStatus {
        status: StatusCode,
        /// Where a redirect pointed (`Location`).
        location: Option<String>,
    },
    /// The pagination cursor did not advance; stopping instead of looping.
    // The cursor is the server's text, of any length: escaped and cut.
    #[error(
        "the Kinbox API returned the same page cursor `{}` twice; stopping to avoid a loop",
        shown(.cursor)
    )]
    CursorDidNotAdvance { cursor: String },
    /// A walk through the pages reached [`MAX_PAGES`](crate::MAX_PAGES);
    /// stopping instead of following the server forever.
    #[error(
        "stopped after {pages} pages: the Kinbox API kept naming a next page; narrow the \
         list with filters (dates, status) and walk each part"
    )]
    TooManyPages { pages: usize },
}

/// How many of an error's field details are shown.
const SHOWN_DETAILS: usize = 20;

/// What kind of failure an error status means, for deciding what to do next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// 400: the request is malformed.
    BadRequest,
    /// 401: the token is missing, wrong or revoked.
    Unauthorized,
    /// 403: the token's user may not do this.
    Forbidden,
    /// 404: no object has that id.
    NotFound,
    /// 422: a field's value was refused.
    Unprocessable,
    /// 429: too many requests; see [`KinboxError::retry_after`].
    RateLimited,
    /// 5xx: Kinbox failed; retrying later may work.
    Server,
    /// Any other failure, including those with no answer at all.
    Other,
}

/// An error answer: its status, its body, how long to wait if rate limited,
/// and the id the server gave the request, for its support to find it.
#[derive(Debug)]
#[non_exhaustive]
pub struct ApiError {
    pub status: StatusCode,
    pub body: types::Error,
    pub retry_after: Option<Duration>,
    /// `X-Request-Id` (or `X-Amzn-RequestId`, `CF-Ray`), if the answer had
    /// one.
    pub request_id: Option<String>,
}

impl ApiError {
    pub fn new(status: StatusCode, body: types::Error) -> Self {
        Self {
            status,
            body,
            retry_after: None,
            request_id: None,
        }
    }
}

/// The headers a request id comes in, most specific first.
const REQUEST_ID_HEADERS: [&str; 3] = ["x-request-id", "x-amzn-requestid", "cf-ray"];

/// The request id of an answer with `headers`, if it has one that is text.
fn request_id(headers: &reqwest::header::HeaderMap) -> Option<String> {
    REQUEST_ID_HEADERS
        .iter()
        .find_map(|name| headers.get(*name)?.to_str().ok())
        .map(|id| escape_controls(&cut(id.trim(), 200)).into_owned())
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The server's words are escaped and cut (see `server_text`); they
        // reach terminals.
        write!(f, "the Kinbox API answered {}", self.status)?;
        if let Some(message) = self.body.message.as_deref().or(self.body.error.as_deref()) {
            write!(f, ": {}", shown(message))?;
        }
        let details = self.body.errors.as_deref().unwrap_or_default();
        for detail in details.iter().take(SHOWN_DETAILS) {
            match &detail.path {
                Some(path) => write!(f, "\n  {}: {}", shown(path), shown(&detail.message))?,
                None => write!(f, "\n  {}", shown(&detail.message))?,
            }
        }
        if details.len() > SHOWN_DETAILS {
            write!(f, "\n  … and {} more", details.len() - SHOWN_DETAILS)?;
        }
        match self.status.as_u16() {
            401 => write!(f, " (check the token: KINBOX_TOKEN or `kinbox auth login`)"),
            429 => match self.retry_after {
                Some(wait) => write!(f, " (rate limited: retry after {}s)", wait.as_secs()),
                None => write!(f, " (rate limited: retry later)"),
            },
            _ => Ok(()),
        }
    }
}

impl KinboxError {
    /// The HTTP status of the answer, if there was one.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            KinboxError::Api(api) => Some(api.status),
            KinboxError::UnexpectedStatus { status, .. } => Some(*status),
            KinboxError::Network(e) => e.status(),
            KinboxError::InvalidRequest(_)
            | KinboxError::OutcomeUnknown { .. }
            | KinboxError::AnswerTooLarge { .. }
            | KinboxError::InvalidResponse { .. }
            | KinboxError::CursorDidNotAdvance { .. }
            | KinboxError::TooManyPages { .. } => None,
        }
    }

    pub fn kind(&self) -> ErrorKind {
        match self.status().map(|s| s.as_u16()) {
            Some(400) => ErrorKind::BadRequest,
            Some(401) => ErrorKind::Unauthorized,
            Some(403) => ErrorKind::Forbidden,
            Some(404) => ErrorKind::NotFound,
            Some(422) => ErrorKind::Unprocessable,
            Some(429) => ErrorKind::RateLimited,
            Some(500..=599) => ErrorKind::Server,
            _ => ErrorKind::Other,
        }
    }

    /// How long the server asked to wait (`Retry-After`, in seconds).
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            KinboxError::Api(api) => api.retry_after,
            _ => None,
        }
    }

    /// The server's error body, when it answered with one.
    pub fn body(&self) -> Option<&types::Error> {
        match self {
            KinboxError::Api(api) => Some(&api.body),
            _ => None,
        }
    }

    /// The API's own message (`message`, else `error`), as it sent it:
    /// escape it before it reaches a terminal
    /// ([`server_text::shown`](crate::server_text::shown)).
    pub fn message(&self) -> Option<&str> {
        let body = self.body()?;
        body.message.as_deref().or(body.error.as_deref())
    }

    /// The id the server gave the request, to quote to Kinbox's support.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            KinboxError::Api(api) => api.request_id.as_deref(),
            _ => None,
        }
    }
}

impl From<OperationError> for KinboxError {
    fn from(error: OperationError) -> Self {
        use progenitor_client::Error as E;
        match error {
            E::ErrorResponse(response) => {
                let status = response.status();
                let retry_after = crate::retry::retry_after(response.headers());
                let request_id = request_id(response.headers());
                KinboxError::Api(ApiError {
                    status,
                    body: response.into_inner(),
                    retry_after,
                    request_id,
                })
            }
            E::InvalidRequest(message) => KinboxError::InvalidRequest(message),
            // Only the `post` hook returns `Custom`: for a write whose answer
            // was lost after it was sent.
            E::Custom(reason) => KinboxError::OutcomeUnknown { reason },
            E::ResponseBodyError(e) => match unreadable_answer(&e) {
                Some(answer) if answer.write => KinboxError::OutcomeUnknown {
                    reason: answer.reason.clone(),
                },
                Some(UnreadableAnswer {
                    limit: Some(limit), ..
                }) => KinboxError::AnswerTooLarge { limit: *limit },
                _ => KinboxError::Network(e),
            },
            E::CommunicationError(e) | E::InvalidUpgrade(e) => KinboxError::Network(e),
            E::InvalidResponsePayload(body, source) => {
                KinboxError::InvalidResponse { body, source }
            }
            E::UnexpectedResponse(response) => KinboxError::UnexpectedStatus {
                status: response.status(),
                location: response
                    .headers()
                    .get(reqwest::header::LOCATION)
                    .map(|location| String::from_utf8_lossy(location.as_bytes()).into_owned()),
            },
        }
    }
}

/// A success answer that could not be read, carried as the source of the
/// body error the generated code then meets (see `KinboxError::from`): made by
/// the hooks (`hooks.rs`), read here, so it lives with the errors.
#[derive(Debug, thiserror::Error)]
#[error("{reason}")]
pub(crate) struct UnreadableAnswer {
    pub(crate) reason: String,
    /// The request was a write: it was applied, and its answer is lost.
    pub(crate) write: bool,
    /// Set when the answer was larger than this many bytes.
    pub(crate) limit: Option<usize>,
}

/// The hooks' mark on a body error, if it has one.
fn unreadable_answer(error: &reqwest::Error) -> Option<&UnreadableAnswer> {
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        if let Some(answer) = cause.downcast_ref::<UnreadableAnswer>() {
            return Some(answer);
        }
        source = cause.source();
    }
    None
}

fn describe_unexpected(status: StatusCode, location: Option<&str>) -> String {
    match (status.is_redirection(), location) {
        (true, Some(location)) => format!(
            "the Kinbox API answered {status}, a redirect to {}; redirects are not followed, \
             so that a write is never sent twice and the token never goes to another server: \
             check the base URL",
            shown(location)
        ),
        (true, None) => format!(
            "the Kinbox API answered {status}, a redirect; redirects are not followed: check \
             the base URL"
        ),
        _ => format!("the Kinbox API answered with unexpected status {status}"),
    }
}

/// `1048576` → `1 MiB`, for limits in messages.
pub(crate) fn byte_size(bytes: usize) -> String {
    match bytes {
        b if b >= 1 << 20 && b % (1 << 20) == 0 => format!("{} MiB", b >> 20),
        b if b >= 1 << 10 && b % (1 << 10) == 0 => format!("{} KiB", b >> 10),
        b => format!("{b} bytes"),
    }
}

/// reqwest's own message names the URL but hides the cause (timeout, refused)
/// in its source chain; show both.
pub(crate) fn describe_transport(error: &reqwest::Error) -> String {
    let mut text = if error.is_timeout() {
        "the request timed out".to_owned()
    } else if error.is_connect() {
        "could not connect".to_owned()
    } else {
        // reqwest names the URL itself ("… for url (…)"): said once, below.
        match error.url() {
            Some(url) => error.to_string().replace(&format!(" for url ({url})"), ""),
            None => error.to_string(),
        }
    };
    if let Some(url) = error.url() {
        text.push_str(&format!(" ({url})"));
    }
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    text
}

fn preview(body: &Bytes) -> String {
    const LIMIT: usize = 300;
    cut(&escape_controls(&String::from_utf8_lossy(body)), LIMIT).into_owned()
}
