//! What happens around every request the generated client sends: a tracing
//! span and log lines, and error bodies made readable as the spec's `Error`.

use std::time::Instant;

use bytes::Bytes;
use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderValue};

use crate::{Client, RetryPolicy};

impl ClientHooks<RetryPolicy> for Client {
    async fn exec(
        &self,
        mut request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let policy = self.inner();
        let mut attempt = 0;
        let result = loop {
            // Only reads are tried again (see `RetryPolicy`); a clone is kept
            // before sending, since sending consumes the request.
            let retry = (request.method() == reqwest::Method::GET)
                .then(|| request.try_clone())
                .flatten();
            let result = self.send_logged(request, info).await;
            let wait = match &result {
                Ok(response) if RetryPolicy::retries_status(response.status()) => {
                    policy.wait(attempt, crate::retry::retry_after(response.headers()))
                }
                Err(error) if error.is_connect() => policy.wait(attempt, None),
                _ => None,
            };
            match (retry, wait) {
                (Some(next), Some(wait)) => {
                    tracing::debug!(
                        operation = info.operation_id,
                        attempt = attempt + 1,
                        wait_ms = wait.as_millis() as u64,
                        "retrying"
                    );
                    tokio::time::sleep(wait).await;
                    request = next;
                    attempt += 1;
                }
                _ => break result,
            }
        };
        match result {
            Ok(response)
                if response.status().is_client_error() || response.status().is_server_error() =>
            {
                Ok(readable_error_response(response).await)
            }
            other => other,
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
}

/// Kinbox documents no error body, and proxies in front of it answer with
/// HTML or nothing at all. The spec's `Error` is a JSON object; any other body
/// is carried whole in its `message`, so a caller always gets the status and
/// the server's words instead of a parse failure.
async fn readable_error_response(response: reqwest::Response) -> reqwest::Response {
    let status = response.status();
    let mut headers = response.headers().clone();
    let body = match response.bytes().await {
        Ok(body) => body,
        Err(error) => {
            tracing::debug!(%error, "could not read the error body");
            Bytes::new()
        }
    };
    tracing::debug!(status = status.as_u16(), body = %String::from_utf8_lossy(&body), "error body");
    let is_object = matches!(
        serde_json::from_slice(&body),
        Ok(serde_json::Value::Object(_))
    );
    let body = if is_object {
        body
    } else {
        let text = String::from_utf8_lossy(&body).trim().to_owned();
        let wrapped = if text.is_empty() {
            serde_json::json!({})
        } else {
            serde_json::json!({ "message": text })
        };
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        headers.remove(CONTENT_LENGTH);
        Bytes::from(wrapped.to_string())
    };
    let mut rebuilt = http::Response::new(body);
    *rebuilt.status_mut() = status;
    *rebuilt.headers_mut() = headers;
    reqwest::Response::from(rebuilt)
}
