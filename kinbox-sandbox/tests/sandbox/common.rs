use kinbox_api::types::{CustomFieldsInput, DealCreate, DealStatus, builder};
use kinbox_sandbox::Sandbox;
use kinbox_spec::Spec;
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::Value;

/// The spec that answers are held to.
pub fn spec() -> &'static Spec {
    kinbox_spec::spec()
}

/// Fails unless `body` is what the spec documents for `operation_id` at `status`.
#[track_caller]
pub fn assert_conforms(operation_id: &str, status: StatusCode, body: &Value) {
    let operation = spec()
        .operation(operation_id)
        .expect("an operation of the spec");
    let documented = spec()
        .document()
        .pointer(&format!(
            "/paths/{}/{}/responses",
            operation.path.replace('~', "~0").replace('/', "~1"),
            operation.method.to_ascii_lowercase()
        ))
        .and_then(Value::as_object)
        .expect("the operation has responses");
    let range = format!("{}XX", status.as_u16() / 100);
    assert!(
        documented.contains_key(status.as_str()) || documented.contains_key(&range),
        "{operation_id} answered {status}, which the spec does not document"
    );
    match spec().response(operation_id, status.as_u16()) {
        Some(check) => {
            if let Err(violations) = check.check(body) {
                panic!(
                    "{operation_id} {status}: the body breaks the spec: {violations:?}\n{body:#}"
                );
            }
        }
        None => assert_eq!(
            body,
            &Value::Null,
            "{operation_id} {status} documents no body"
        ),
    }
}

/// A valid deal to create; tests change what they look at.
pub fn deal(name: &str) -> builder::DealCreate {
    DealCreate::builder()
        .name(name)
        .value(1890.0)
        .status(DealStatus::Open)
        .pipeline_id("pipeline-a")
        .stage_id("stage-1")
        .contact_id(42)
        .custom_fields(CustomFieldsInput::new().with("cpf", "text", "060.715.303-54"))
}

/// The whole contact `id` that a deal update sends, as the reference's
/// `DealContact` requires it.
pub fn contact_input(id: i64) -> kinbox_api::types::DealContactInput {
    kinbox_api::types::DealContactInput {
        id,
        name: "Ana Souza".to_owned(),
        avatar: String::new(),
        phone: "5585997281648".to_owned(),
        email: "ana@example.com".to_owned(),
        created_at: None,
        is_private: None,
    }
}

/// An HTTP exchange outside the SDK: status, headers, JSON body (or `Null`).
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Answer {
    /// The `path` of each entry of an `Error` body's `errors`.
    pub fn error_paths(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|errors| {
                errors
                    .iter()
                    .map(|e| e["path"].as_str().unwrap_or_default().to_owned())
                    .collect()
            })
            .unwrap_or_default()
    }
}

pub async fn send(
    sandbox: &Sandbox,
    method: Method,
    path_and_query: &str,
    token: Option<&str>,
    body: Option<&str>,
) -> Answer {
    let mut request =
        reqwest::Client::new().request(method, format!("{}{path_and_query}", sandbox.base_url()));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.to_owned());
    }
    let response = request.send().await.expect("the sandbox answers");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.bytes().await.expect("a complete body");
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).expect("a JSON body")
    };
    Answer {
        status,
        headers,
        body,
    }
}

/// [`send`] with the sandbox's own token.
pub async fn call(
    sandbox: &Sandbox,
    method: Method,
    path_and_query: &str,
    body: Option<&str>,
) -> Answer {
    send(sandbox, method, path_and_query, Some(sandbox.token()), body).await
}
