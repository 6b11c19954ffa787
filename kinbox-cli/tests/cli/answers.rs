//! Every operation, through the real `kinbox` binary, with requests and
//! answers drawn at random from the description's schemas
//! (`kinbox_spec::Sampler`): the body the CLI sends must be valid under the
//! operation's request schema, and whatever valid answer the server gives
//! must be read by the SDK and printed by the CLI.
//!
//! The answers are drawn from `openapi/kinbox.yaml`. To draw them from
//! Kinbox's own reference description instead (the `openapi.json` of
//! github.com/kinboxapp/docs, which is not in this repository), point
//! `KINBOX_REFERENCE` at a copy:
//!
//! ```sh
//! KINBOX_REFERENCE=path/to/openapi.json cargo test -p kinbox-cli --test cli answers::
//! ```
//!
//! With it, the bodies the CLI sends are held to the reference's input
//! schemas too. `ANSWER_DRAWS=100` draws more per operation (12 by default).

use std::sync::{Arc, Mutex};

use assert_cmd::Command;
use httpmock::{HttpMockRequest, HttpMockResponse, MockServer};
use kinbox_spec::{Sampler, Spec};
use serde_json::Value;

/// Draws per operation, each one run of the binary: 12, or `ANSWER_DRAWS`.
fn draws() -> u64 {
    std::env::var("ANSWER_DRAWS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(12)
}

const TOKEN: &str = "kbx-answers-test-token";

/// An id for a path parameter of this type.
fn path_id(spec: &Spec, schema: &Value) -> &'static str {
    match spec.resolve(schema).get("type").and_then(Value::as_str) {
        Some("integer" | "number") => "1001",
        _ => "65f0c0ffee0000000000dddd",
    }
}

/// `/v1/deals/{id}` → `^/v1/deals/[^/]+$`.
fn path_pattern(template: &str) -> String {
    let mut pattern = String::from("^");
    for (n, piece) in template.split('{').enumerate() {
        let literal = if n == 0 {
            piece
        } else {
            piece.split_once('}').map_or("", |(_, rest)| rest)
        };
        if n > 0 {
            pattern.push_str("[^/]+");
        }
        pattern.push_str(&regex_escape(literal));
    }
    pattern.push('$');
    pattern
}

fn regex_escape(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            let escape = "\\.+*?()|[]{}^$".contains(c);
            escape.then_some('\\').into_iter().chain(std::iter::once(c))
        })
        .collect()
}

/// The one deliberate departure an answer drawn from the reference can
/// break: where the reference says "string" for an id that its own paths
/// take as a number (contacts, tags, custom fields), or "number" for an id,
/// `openapi/kinbox.yaml` reads an integer, or an integer written as text
/// (`IntegerId`). Such ids, when drawn as other text or as a fraction, are
/// redrawn as integers written as text; nothing else is touched.
fn integer_ids_as_ours_reads_them(ours: &Spec, schema: &Value, value: &mut Value, seed: u64) {
    let is_integer_id =
        |s: &Value| s.get("$ref").and_then(Value::as_str) == Some("#/components/schemas/IntegerId");
    let written = schema;
    let schema = ours.resolve(schema);
    let parts: Vec<&Value> = [written, schema]
        .into_iter()
        .chain(
            schema
                .get("allOf")
                .and_then(Value::as_array)
                .into_iter()
                .flatten(),
        )
        .collect();
    if parts.iter().any(|part| is_integer_id(part)) {
        let integer = match value {
            Value::String(text) => text.parse::<u64>().is_ok() && !text.starts_with('0'),
            Value::Number(number) => number.is_i64(),
            _ => true,
        };
        if !integer {
            *value = Value::String((seed % 1_000_000 + 1).to_string());
        }
        return;
    }
    for part in parts.iter().map(|part| ours.resolve(part)) {
        match value {
            Value::Object(fields) => {
                for (name, field) in fields.iter_mut() {
                    let property = part.get("properties").and_then(|p| p.get(name));
                    let more = part.get("additionalProperties").filter(|a| a.is_object());
                    if let Some(property) = property.or(more) {
                        integer_ids_as_ours_reads_them(ours, property, field, seed);
                    }
                }
            }
            Value::Array(items) => {
                if let Some(item_schema) = part.get("items") {
                    for item in items {
                        integer_ids_as_ours_reads_them(ours, item_schema, item, seed);
                    }
                }
            }
            _ => {}
        }
    }
}

/// The operation of `reference` with the method and path shape of `ours`.
fn counterpart<'a>(reference: &'a Spec, method: &str, path: &str) -> Option<&'a str> {
    let shape = |p: &str| path_pattern(p);
    reference
        .operations()
        .iter()
        .find(|op| op.method == method && shape(&op.path) == shape(path))
        .map(|op| op.id.as_str())
}

#[test]
fn every_operation_sends_valid_bodies_and_prints_any_valid_answer() {
    let ours = kinbox_spec::spec();
    let reference = std::env::var_os("KINBOX_REFERENCE").map(|path| {
        let text = std::fs::read_to_string(&path).expect("KINBOX_REFERENCE can be read");
        let mut document: Value =
            serde_json::from_str(&text).expect("KINBOX_REFERENCE is JSON (openapi.json)");
        // The reference points at a `DealTask` schema it does not define
        // (deal `tasks`): any JSON, so that its schemas compile.
        if let Some(schemas) = document
            .pointer_mut("/components/schemas")
            .and_then(Value::as_object_mut)
        {
            schemas
                .entry("DealTask")
                .or_insert_with(|| serde_json::json!({}));
        }
        Spec::from_yaml(&document.to_string()).expect("KINBOX_REFERENCE is an OpenAPI description")
    });
    let answers_from = reference.as_ref().unwrap_or(ours);
    let server = MockServer::start();
    let config_dir = tempfile::tempdir().unwrap();
    let mut checked = 0;

    for operation in ours.operations() {
        let (resource, verb) = kinbox_cli::words::words_of_operation(&operation.id)
            .unwrap_or_else(|| panic!("{} has no command", operation.id));
        let answer_operation = match &reference {
            Some(reference) => counterpart(reference, &operation.method, &operation.path)
                .unwrap_or_else(|| {
                    panic!(
                        "the reference has no {} {}",
                        operation.method, operation.path
                    )
                }),
            None => operation.id.as_str(),
        };
        let answer_status = answers_from
            .operation(answer_operation)
            .map(|op| op.success_status)
            .unwrap();
        let answer_schema = answers_from.response_schema(answer_operation, answer_status);

        for draw in 0..draws() {
            let seed = draw + 1000 * checked as u64;
            let mut sampler = Sampler::new(seed);
            let answer = answer_schema.as_ref().map(|schema| {
                let mut answer = sampler.sample(answers_from, schema);
                if reference.is_some()
                    && let Some(ours_schema) =
                        ours.response_schema(&operation.id, operation.success_status)
                {
                    integer_ids_as_ours_reads_them(ours, &ours_schema, &mut answer, seed);
                }
                answer
            });
            let sent: Arc<Mutex<Vec<Vec<u8>>>> = Arc::default();
            let mut mock = {
                let answer = answer.clone();
                let sent = sent.clone();
                server.mock(|when, then| {
                    when.method(operation.method.as_str())
                        .path_matches(path_pattern(&operation.path));
                    then.respond_with(move |request: &HttpMockRequest| {
                        sent.lock().unwrap().push(request.body().to_vec());
                        let response = HttpMockResponse::builder().status(answer_status);
                        match &answer {
                            Some(body) => response
                                .header("content-type", "application/json")
                                .body(body.to_string()),
                            None => response,
                        }
                        .build()
                    });
                })
            };
            // Reads some commands make before writing: a pipeline's stages, the
            // object a delete removes (answered as the spec's `get` of it).
            let read_path = if verb == "delete" {
                operation.path.clone()
            } else {
                "/v1/pipelines/{id}".to_owned()
            };
            let read = ours
                .operations()
                .iter()
                .find(|op| op.method == "GET" && op.path == read_path)
                .and_then(|op| ours.response_schema(&op.id, op.success_status))
                .map(|schema| sampler.sample(ours, &schema))
                .unwrap_or_default();
            let mut lookup = server.mock(|when, then| {
                when.method("GET").path_matches(path_pattern(&read_path));
                then.status(200).json_body(read.clone());
            });

            let mut args = vec![resource.to_owned(), verb.to_owned()];
            if verb == "delete" {
                args.push("--yes".to_owned());
            }
            for parameter in operation.parameters.iter().filter(|p| p.location == "path") {
                args.push(path_id(ours, &parameter.schema).to_owned());
            }
            let body_file = tempfile::NamedTempFile::new().unwrap();
            let request_body = operation.has_request_body.then(|| {
                let schema = ours.request_body_schema(&operation.id).unwrap().clone();
                // Against the reference, no `null`: the spec's nullable update
                // lists are a deliberate departure the reference refuses.
                let mut drawer = sampler.clone();
                if reference.is_some() {
                    drawer.null = 0;
                }
                let mut body = drawer.sample(ours, &schema);
                // A field the request does not name is refused before
                // sending (the typed body would drop it); inner objects
                // open to more keep theirs.
                if let (Some(fields), Some(known)) = (
                    body.as_object_mut(),
                    kinbox_spec::request_body_schema_of(&operation.id)
                        .and_then(|schema| schema.get("properties"))
                        .and_then(Value::as_object),
                ) {
                    fields.retain(|name, _| known.contains_key(name));
                }
                std::fs::write(body_file.path(), body.to_string()).unwrap();
                args.push("--json-body".to_owned());
                args.push(body_file.path().to_str().unwrap().to_owned());
                body
            });

            let output = Command::cargo_bin("kinbox")
                .unwrap()
                .env_clear()
                .env("KINBOX_TOKEN", TOKEN)
                .env("KINBOX_BASE_URL", server.base_url())
                .env("KINBOX_CONFIG_DIR", config_dir.path())
                .args(&args)
                .output()
                .unwrap();
            let stdout = String::from_utf8_lossy(&output.stdout);
            let stderr = String::from_utf8_lossy(&output.stderr);
            let context = || {
                format!(
                    "kinbox {} (seed {seed}, answer from {answer_operation})\nbody sent: {}\nanswer: {}\nstderr: {stderr}",
                    args.join(" "),
                    request_body
                        .as_ref()
                        .map_or("-".to_owned(), Value::to_string),
                    answer.as_ref().map_or("-".to_owned(), Value::to_string),
                )
            };
            assert_eq!(output.status.code(), Some(0), "{}", context());

            // What was sent is what the spec takes.
            let bodies = sent.lock().unwrap().clone();
            assert_eq!(bodies.len(), 1, "{}", context());
            if operation.has_request_body {
                let body: Value = serde_json::from_slice(&bodies[0]).unwrap();
                if let Err(violations) = ours.request_body(&operation.id).unwrap().check(&body) {
                    panic!("{}\nsent: {body}\n{violations:?}", context());
                }
                // And under Kinbox's own input schema, when it is given.
                if let Some(reference) = &reference
                    && let Some(check) = reference.request_body(answer_operation)
                    && let Err(violations) = check.check(&body)
                {
                    panic!(
                        "{}\nsent: {body}\nthe reference refuses it: {violations:?}",
                        context()
                    );
                }
            }
            // What was answered is printed, as JSON, and says what the server
            // said: a list as its items, one a line; an object whole.
            if let Some(answer) = &answer {
                let items = answer
                    .as_array()
                    .or_else(|| answer.get("data").and_then(Value::as_array));
                let printed: Vec<Value> = stdout
                    .lines()
                    .map(|line| {
                        serde_json::from_str(line)
                            .unwrap_or_else(|e| panic!("{}\n{e}: {stdout}", context()))
                    })
                    .collect();
                let sent: Vec<&Value> = match items {
                    Some(items) => items.iter().collect(),
                    None => vec![answer],
                };
                assert_eq!(sent.len(), printed.len(), "{}", context());
                for (sent, printed) in sent.iter().zip(&printed) {
                    if let (Some(sent_id), Some(printed_id)) = (sent.get("id"), printed.get("id")) {
                        assert_eq!(
                            sent_id.to_string().trim_matches('"'),
                            printed_id.to_string().trim_matches('"'),
                            "{}",
                            context()
                        );
                    }
                }
            }
            mock.delete();
            lookup.delete();
            checked += 1;
        }
    }
    assert_eq!(
        checked as u64,
        ours.operations().len() as u64 * draws(),
        "every operation, every draw"
    );
}
