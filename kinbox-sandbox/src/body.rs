//! Reads a request body within the sandbox's limits: no more than
//! `max_body_bytes`, no longer than `body_timeout`. Called only once the
//! token is accepted, so an unauthenticated body is never read.

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use http_body_util::BodyExt;

use crate::config::Limits;
use crate::error::ApiError;

/// The whole body, or the error to answer with. Errors close the
/// connection: what is left of the body is not read.
pub(crate) async fn read(
    body: Body,
    headers: &HeaderMap,
    limits: &Limits,
) -> Result<Bytes, ApiError> {
    let max = limits.max_body_bytes;
    // Refused by what it says it is, before reading any of it.
    if let Some(length) = declared_length(headers)
        && length > max as u64
    {
        return Err(too_large(max, Some(length)));
    }
    match tokio::time::timeout(limits.body_timeout, collect(body, max)).await {
        Ok(result) => result,
        Err(_) => Err(too_slow(limits.body_timeout)),
    }
}

async fn collect(mut body: Body, max: usize) -> Result<Bytes, ApiError> {
    let mut bytes = Vec::new();
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|error| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                format!("the body could not be read: {error}"),
            )
            .closing()
        })?;
        if let Ok(data) = frame.into_data() {
            // A chunked body is cut off as soon as it passes the limit.
            if data.len() > max - bytes.len() {
                return Err(too_large(max, None));
            }
            bytes.extend_from_slice(&data);
        }
    }
    Ok(Bytes::from(bytes))
}

fn declared_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()
}

fn too_large(max: usize, declared: Option<u64>) -> ApiError {
    let size = match declared {
        Some(length) => format!("{length} bytes, "),
        None => String::new(),
    };
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!(
            "the body is {size}over the sandbox's limit of {max} bytes; send a smaller one \
             (or start the sandbox with a larger --max-body-bytes)"
        ),
    )
    .closing()
}

fn too_slow(timeout: Duration) -> ApiError {
    ApiError::new(
        StatusCode::REQUEST_TIMEOUT,
        format!(
            "the body did not arrive whole within {} ms; send it at once after the headers \
             (or start the sandbox with a larger --body-timeout-ms)",
            timeout.as_millis()
        ),
    )
    .closing()
}

impl ApiError {
    /// Tells the client the connection ends with this answer, as the rest
    /// of its request is not read.
    fn closing(self) -> Self {
        self.with_header(header::CONNECTION, HeaderValue::from_static("close"))
    }
}
