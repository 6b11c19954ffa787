//! Shared by the contract tests: a client pointed at an httpmock server,
//! fixtures that are checked against the spec when they are loaded, and a
//! recorder of what the SDK actually put on the wire.
//!
//! Every schema check goes through `kinbox_spec` (the `jsonschema` crate on
//! the spec's own schemas), never through the SDK's types, so that a wrong
//! generated type cannot vouch for itself.

// Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

use std::future::Future;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use futures::future::BoxFuture;
use httpmock::{HttpMockRequest, HttpMockResponse, MockServer, When};
use kinbox_api::{Client, KinboxError, ResponseValue};
use kinbox_spec::{Spec, Violation};
use serde_json::Value;

/// A token that cannot appear in any output by accident, so that finding it
/// in a message proves a leak.
pub const TOKEN: &str = "kbx_live_5f2c9a71d04e4b7c8e1f93aa";

/// The `User-Agent` the SDK must send.
pub const USER_AGENT: &str = concat!("kinbox-api/", env!("CARGO_PKG_VERSION"));

/// A mock Kinbox API on 127.0.0.1 and a client for it.
pub async fn mock_api() -> (MockServer, Client) {
    let server = MockServer::start_async().await;
    let client = client_for(&server);
    (server, client)
}

pub fn client_for(server: &MockServer) -> Client {
    Client::with_token(&server.base_url(), TOKEN).expect("a loopback base URL is accepted")
}

/// What every request of the SDK carries, whatever the operation.
pub fn sent_by_sdk(when: When) -> When {
    when.header("authorization", format!("Bearer {TOKEN}"))
        .header("user-agent", USER_AGENT)
        .header("accept", "application/json")
}

/// The headers of [`sent_by_sdk`], checked on a recorded request, so that a
/// failure names the header instead of answering 404.
pub fn assert_sent_by_sdk(what: &str, request: &HttpMockRequest) {
    let headers = request.headers();
    for (name, expected) in [
        ("authorization", format!("Bearer {TOKEN}")),
        ("user-agent", USER_AGENT.to_owned()),
        ("accept", "application/json".to_owned()),
    ] {
        assert_eq!(
            headers.get(name).and_then(|v| v.to_str().ok()),
            Some(expected.as_str()),
            "{what}: header {name}"
        );
    }
}

/// An SDK call whose answer is read into its type, then written back as JSON,
/// so that one table can hold operations of every response type.
pub type Call = for<'a> fn(&'a Client) -> BoxFuture<'a, Result<Value, KinboxError>>;

/// Awaits `send` (an operation's `.send()`), and gives what the SDK read as
/// JSON: `null` for an operation without a response body.
pub fn read_as_json<'a, T: serde::Serialize>(
    send: impl Future<Output = Result<ResponseValue<T>, KinboxError>> + Send + 'a,
) -> BoxFuture<'a, Result<Value, KinboxError>> {
    Box::pin(async move {
        let value = send.await?.into_inner();
        Ok(serde_json::to_value(value).expect("an SDK type serialises"))
    })
}

// ---------------------------------------------------------------------------
// The spec

/// The spec, as `kinbox_spec` reads it.
pub fn spec() -> &'static Spec {
    kinbox_spec::spec()
}

fn explain(what: &str, value: &Value, violations: &[Violation]) -> String {
    let list: Vec<String> = violations.iter().map(|v| format!("  {v}")).collect();
    format!(
        "{what} breaks the spec:\n{}\nvalue: {}",
        list.join("\n"),
        serde_json::to_string_pretty(value).unwrap()
    )
}

/// Panics, listing every violation, unless `body` is a valid request body of
/// `operation`.
pub fn assert_valid_request_body(operation: &str, body: &Value) {
    let check = spec()
        .request_body(operation)
        .unwrap_or_else(|| panic!("{operation} has no JSON request body in the spec"));
    if let Err(violations) = check.check(body) {
        panic!(
            "{}",
            explain(&format!("request body of {operation}"), body, &violations)
        );
    }
}

/// Panics, listing every violation, unless `body` is a valid `status`
/// response of `operation`.
pub fn assert_valid_response(operation: &str, status: u16, body: &Value) {
    let check = spec()
        .response(operation, status)
        .unwrap_or_else(|| panic!("{operation} documents no JSON {status} response"));
    if let Err(violations) = check.check(body) {
        panic!(
            "{}",
            explain(
                &format!("{status} response of {operation}"),
                body,
                &violations
            )
        );
    }
}

/// The names of the properties `components.schemas.<schema>` defines.
pub fn schema_properties(schema: &str) -> Vec<String> {
    spec().document()["components"]["schemas"][schema]["properties"]
        .as_object()
        .unwrap_or_else(|| panic!("the spec has no object schema {schema}"))
        .keys()
        .cloned()
        .collect()
}

/// The properties `components.schemas.<schema>` requires.
pub fn schema_required(schema: &str) -> Vec<String> {
    spec().document()["components"]["schemas"][schema]["required"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|name| name.as_str().unwrap().to_owned())
        .collect()
}

/// `full` with only the properties `schema` requires.
pub fn only_required(schema: &str, full: &Value) -> Value {
    let required = schema_required(schema);
    let kept = full
        .as_object()
        .unwrap()
        .iter()
        .filter(|(name, _)| required.contains(name))
        .map(|(name, value)| (name.clone(), value.clone()))
        .collect();
    Value::Object(kept)
}

/// `full` with every property `schema` defines but does not require set to
/// `null`.
pub fn optional_nulled(schema: &str, full: &Value) -> Value {
    let required = schema_required(schema);
    let mut value = only_required(schema, full);
    for name in schema_properties(schema) {
        if !required.contains(&name) {
            value[name] = Value::Null;
        }
    }
    value
}

/// The violations of `body` as a request of `operation` (empty when valid),
/// for tests that expect some.
pub fn request_violations(operation: &str, body: &Value) -> Vec<Violation> {
    spec()
        .request_body(operation)
        .expect("operation has a request body")
        .check(body)
        .err()
        .unwrap_or_default()
}

/// The violations of `body` as a `status` response of `operation`.
pub fn response_violations(operation: &str, status: u16, body: &Value) -> Vec<Violation> {
    spec()
        .response(operation, status)
        .expect("response is documented")
        .check(body)
        .err()
        .unwrap_or_default()
}

// ---------------------------------------------------------------------------
// Fixtures

/// `tests/fixtures/<name>` as JSON, unchecked: for fixtures that are meant to
/// break the spec, and for the verbatim copies of the reference page.
pub fn raw_fixture(name: &str) -> Value {
    let path: PathBuf = [env!("CARGO_MANIFEST_DIR"), "tests", "fixtures", name]
        .iter()
        .collect();
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

/// A response fixture, checked against the spec's `status` response of
/// `operation` on load: a fixture the spec disowns cannot prove anything.
pub fn response_fixture(name: &str, operation: &str, status: u16) -> Value {
    let value = raw_fixture(name);
    assert_valid_response(operation, status, &value);
    value
}

/// A request body fixture, checked against the spec on load.
pub fn request_fixture(name: &str, operation: &str) -> Value {
    let value = raw_fixture(name);
    assert_valid_request_body(operation, &value);
    value
}

/// A copy of the deal `template` with another `id`, as a list would hold it.
pub fn deal_with_id(template: &Value, id: &str) -> Value {
    let mut deal = template.clone();
    deal["id"] = Value::from(id);
    deal
}

/// A `DealPage` checked against the spec's `list_deals` 200 response.
pub fn deal_page(deals: Vec<Value>, next_cursor: Option<&str>) -> Value {
    let page = serde_json::json!({ "data": deals, "nextCursor": next_cursor });
    assert_valid_response("list_deals", 200, &page);
    page
}

/// A page of a cursor-paginated list, checked against `operation`'s 200.
pub fn list_page(operation: &str, items: Vec<Value>, next_cursor: Option<&str>) -> Value {
    let page = serde_json::json!({ "data": items, "nextCursor": next_cursor });
    assert_valid_response(operation, 200, &page);
    page
}

/// A copy of `template` with another `id` (a string, or a number for the
/// resources with integer ids).
pub fn with_id(template: &Value, id: impl Into<Value>) -> Value {
    let mut item = template.clone();
    item["id"] = id.into();
    item
}

// ---------------------------------------------------------------------------
// Capturing what was sent

/// Records every request a mock answers, so that a test can check what the
/// SDK sent (against the spec, or field by field) after the call.
#[derive(Clone, Default)]
pub struct Recorder {
    requests: Arc<Mutex<Vec<HttpMockRequest>>>,
}

impl Recorder {
    pub fn new() -> Self {
        Self::default()
    }

    /// A `Then::respond_with` responder that records the request and answers
    /// `status` with `body` as JSON (no body when `None`).
    pub fn reply(
        &self,
        status: u16,
        body: Option<Value>,
    ) -> impl Fn(&HttpMockRequest) -> HttpMockResponse + Send + Sync + 'static {
        let requests = self.requests.clone();
        move |request| {
            requests.lock().unwrap().push(request.clone());
            let response = HttpMockResponse::builder().status(status);
            match &body {
                Some(body) => response
                    .header("content-type", "application/json")
                    .body(body.to_string())
                    .build(),
                None => response.build(),
            }
        }
    }

    pub fn requests(&self) -> Vec<HttpMockRequest> {
        self.requests.lock().unwrap().clone()
    }

    /// The one request recorded; panics if there were none or several.
    pub fn only_request(&self) -> HttpMockRequest {
        let requests = self.requests();
        assert_eq!(requests.len(), 1, "expected exactly one request");
        requests.into_iter().next().unwrap()
    }

    /// The JSON body of the one request recorded.
    pub fn only_json_body(&self) -> Value {
        let request = self.only_request();
        serde_json::from_slice(request.body_ref()).unwrap_or_else(|e| {
            panic!(
                "the SDK sent a body that is not JSON ({e}): {}",
                request.body_string()
            )
        })
    }
}

// ---------------------------------------------------------------------------
// JSON shape

/// The JSON type of a value, for comparing shapes.
pub fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Where `actual` differs in shape from `reference`: the same keys, the same
/// JSON types, recursively. An empty object in the reference (the page's
/// `customFields: {}`, `tasks: {}`, `authorId: {}`) stands for "any object",
/// which is how the reference documents free-form objects.
pub fn shape_differences(reference: &Value, actual: &Value, path: &str) -> Vec<String> {
    let mut differences = Vec::new();
    match (reference, actual) {
        (Value::Object(expected), Value::Object(found)) => {
            if expected.is_empty() {
                return differences;
            }
            for key in expected.keys().filter(|k| !found.contains_key(*k)) {
                differences.push(format!("{path}.{key}: missing"));
            }
            for key in found.keys().filter(|k| !expected.contains_key(*k)) {
                differences.push(format!("{path}.{key}: not in the reference"));
            }
            for (key, value) in expected {
                if let Some(found) = found.get(key) {
                    differences.extend(shape_differences(value, found, &format!("{path}.{key}")));
                }
            }
        }
        (Value::Array(expected), Value::Array(found)) => {
            if let Some(item) = expected.first() {
                if found.is_empty() {
                    differences.push(format!("{path}: empty, so its items are not compared"));
                }
                for (i, found) in found.iter().enumerate() {
                    differences.extend(shape_differences(item, found, &format!("{path}[{i}]")));
                }
            }
        }
        (expected, found) if json_type(expected) != json_type(found) => differences.push(format!(
            "{path}: {} in the reference, {} here",
            json_type(expected),
            json_type(found)
        )),
        _ => {}
    }
    differences
}
