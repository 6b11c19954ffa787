//! [`Client::raw`]: any request, for what the typed operations do not cover,
//! with everything the typed ones get: the token, the limits, the redaction,
//! the retries of reads and the unknown outcome of a lost write.

use progenitor_client::{ClientHooks as _, ClientInfo as _, OperationInfo};
use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::{Client, KinboxError, OperationError};

/// What [`Client::raw`] got back: a success status and its body, if any.
#[derive(Clone, Debug, PartialEq)]
pub struct RawAnswer {
    pub status: StatusCode,
    /// The JSON answer; `None` for an empty one (a `204`).
    pub body: Option<Value>,
}

impl Client {
    /// Sends `method path_and_query` (e.g. `GET /v1/deals?limit=5`) with a
    /// JSON `body`, as the typed operations do; an error status is an
    /// [`KinboxError::Api`], a lost write an [`KinboxError::OutcomeUnknown`].
    ///
    /// The path is taken as given, so it is the caller's to encode; it must
    /// start with `/` and stays on the client's base URL.
    ///
    /// ```no_run
    /// # async fn run(client: kinbox_api::Client) -> Result<(), kinbox_api::KinboxError> {
    /// let answer = client.raw(reqwest::Method::GET, "/v1/tags", None).await?;
    /// println!("{}", answer.body.unwrap_or_default());
    /// # Ok(()) }
    /// ```
    pub async fn raw(
        &self,
        method: Method,
        path_and_query: &str,
        body: Option<&Value>,
    ) -> Result<RawAnswer, KinboxError> {
        if !path_and_query.starts_with('/') || path_and_query.starts_with("//") {
            return Err(KinboxError::InvalidRequest(format!(
                "`{path_and_query}` is not a path of the API: write it from the root, e.g. /v1/deals"
            )));
        }
        let is_write = method != Method::GET;
        let url = format!("{}{path_and_query}", self.baseurl());
        let mut request = self
            .client()
            .request(method, url)
            .header(reqwest::header::ACCEPT, "application/json");
        if let Some(body) = body {
            request = request.json(body);
        }
        let request = request
            .build()
            .map_err(|e| KinboxError::InvalidRequest(format!("cannot build the request: {e}")))?;
        let info = OperationInfo {
            operation_id: if is_write {
                crate::hooks::RAW_WRITE
            } else {
                "raw_read"
            },
        };
        let result = self.exec(request, &info).await;
        if let Err(error) = &result
            && is_write
            && !error.is_connect()
            && !error.is_builder()
        {
            return Err(KinboxError::OutcomeUnknown {
                reason: crate::error::describe_transport(error),
            });
        }
        let response = result.map_err(KinboxError::Network)?;
        let status = response.status();
        if status.is_client_error() || status.is_server_error() {
            let error =
                progenitor_client::ResponseValue::<crate::types::Error>::from_response(response)
                    .await
                    .map(OperationError::ErrorResponse)
                    .unwrap_or_else(|error| error);
            return Err(KinboxError::from(error));
        }
        if status.is_redirection() || !status.is_success() {
            return Err(KinboxError::from(OperationError::UnexpectedResponse(
                response,
            )));
        }
        let bytes = response
            .bytes()
            .await
            .map_err(|error| KinboxError::from(OperationError::ResponseBodyError(error)))?;
        if bytes.is_empty() {
            return Ok(RawAnswer { status, body: None });
        }
        let body = serde_json::from_slice(&bytes).map_err(|source| {
            if is_write {
                KinboxError::OutcomeUnknown {
                    reason: format!("the answer is not JSON: {source}"),
                }
            } else {
                KinboxError::InvalidResponse {
                    body: bytes.clone(),
                    source,
                }
            }
        })?;
        Ok(RawAnswer {
            status,
            body: Some(body),
        })
    }
}
