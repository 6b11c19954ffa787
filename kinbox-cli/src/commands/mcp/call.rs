//! A call of a spec tool: its arguments checked against the operation (the
//! spec's own validators), turned into the request (path, query, body) and
//! sent with the SDK's raw request, which brings the token, the limits, the
//! retries of reads and the unknown outcome of a lost write.
//!
//! Every problem is a [`ToolError`]: a message that says what to do, shown
//! to the assistant as a tool result with `isError`.

use kinbox_api::{Client, KinboxError};
use serde_json::{Map, Value};

use super::answer::{self, Answer, ToolError};
use super::tools::{ALL_FIELDS, BODY, CONFIRM, SpecTool};

/// The longest id a path takes.
pub const MAX_ID_LEN: usize = 200;
/// The most bytes a call's arguments may take, as JSON.
pub const MAX_ARGUMENT_BYTES: usize = 1024 * 1024;

/// The request a call makes.
#[derive(Debug, PartialEq)]
pub struct Request {
    pub method: reqwest::Method,
    /// The path with its query, encoded.
    pub path_and_query: String,
    pub body: Option<Value>,
    /// The path parameters, as given: for how to check a lost write.
    pub path_ids: Vec<(String, String)>,
    /// The fields each item of a list keeps; `None`: all.
    pub keep: Option<Vec<String>>,
}

/// Checks `arguments` against `tool`'s operation and builds its request;
/// nothing is sent.
pub fn request(tool: &SpecTool, arguments: &Map<String, Value>) -> Result<Request, ToolError> {
    let spec = kinbox_spec::spec();
    let operation = &tool.operation;
    check_size(arguments)?;
    let known: Vec<&str> = tool
        .input_schema
        .get("properties")
        .and_then(Value::as_object)
        .map(|p| p.keys().map(String::as_str).collect())
        .unwrap_or_default();
    let mut problems = Vec::new();
    for name in arguments.keys().filter(|k| !known.contains(&k.as_str())) {
        problems.push(unknown_field(name, known.iter().copied(), "an argument"));
    }
    for name in tool
        .input_schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        if !arguments.contains_key(name) {
            problems.push(format!("`{name}` is missing: give it"));
        }
    }
    if tool.destructive && arguments.contains_key(CONFIRM) {
        if arguments.get(CONFIRM) != Some(&Value::Bool(true)) {
            problems.push(format!(
                "`{CONFIRM}` must be true: ask the user to confirm the delete, then call again \
                 with {CONFIRM}: true"
            ));
        }
    } else if tool.destructive {
        problems.clear();
        problems.push(format!(
            "deleting needs `{CONFIRM}: true`: ask the user to confirm, then call again with \
             {CONFIRM}: true"
        ));
        return Err(ToolError::refused(problems));
    }
    if let Some(all) = arguments.get(ALL_FIELDS)
        && !all.is_boolean()
    {
        problems.push(format!(
            "`{ALL_FIELDS}` must be true or false, not {}",
            kind(all)
        ));
    }
    let mut path_pairs = Vec::new();
    let mut query_pairs = Vec::new();
    for parameter in &operation.parameters {
        let Some(value) = arguments.get(&parameter.name) else {
            continue;
        };
        let declared = kinbox_spec::resolve_ref(&parameter.schema);
        if schema_type(declared) == "string" && !value.is_string() && !value.is_null() {
            problems.push(format!(
                "`{}` must be a string, not {}",
                parameter.name,
                kind(value)
            ));
            continue;
        }
        let text = match value {
            Value::String(text) => text.clone(),
            Value::Number(number) => number.to_string(),
            Value::Bool(flag) => flag.to_string(),
            Value::Null if parameter.location == "query" => continue,
            other => {
                problems.push(format!(
                    "`{}` must be a {}, not {}",
                    parameter.name,
                    schema_type(&parameter.schema),
                    kind(other)
                ));
                continue;
            }
        };
        if parameter.location == "path" {
            if let Err(why) = check_id(&text) {
                problems.push(format!("`{}`: {why}", parameter.name));
                continue;
            }
            path_pairs.push((parameter.name.clone(), text));
        } else {
            query_pairs.push((parameter.name.clone(), text));
        }
    }
    for (check, pairs) in [
        (spec.path_check(&operation.id), &path_pairs),
        (spec.query_check(&operation.id), &query_pairs),
    ] {
        if let Some(check) = check
            && let Err(violations) = check.check(pairs)
        {
            problems.extend(violations.into_iter().map(|v| {
                format!(
                    "{}: {}",
                    v.path
                        .trim_start_matches("query.")
                        .trim_start_matches("path."),
                    answer::escaped(&v.message)
                )
            }));
        }
    }
    let body = match arguments.get(BODY) {
        None => None,
        Some(Value::Object(body)) => {
            problems.extend(body_problems(&operation.id, body));
            Some(Value::Object(body.clone()))
        }
        Some(other) => {
            problems.push(format!("`{BODY}` must be an object, not {}", kind(other)));
            None
        }
    };
    if !problems.is_empty() {
        return Err(ToolError::refused(problems));
    }
    let mut path = operation.path.clone();
    for (name, value) in &path_pairs {
        path = path.replace(&format!("{{{name}}}"), &kinbox_api::encode_path(value));
    }
    if !query_pairs.is_empty() {
        let mut url = reqwest::Url::parse("http://query.invalid").expect("a valid URL");
        url.query_pairs_mut().extend_pairs(&query_pairs);
        path.push('?');
        path.push_str(url.query().unwrap_or_default());
    }
    Ok(Request {
        method: operation
            .method
            .parse()
            .map_err(|_| ToolError::refused(vec!["the spec names an unknown method".into()]))?,
        path_and_query: path,
        body,
        path_ids: path_pairs,
        keep: match arguments.get(ALL_FIELDS) {
            Some(Value::Bool(true)) => None,
            _ => tool.summary_fields.clone(),
        },
    })
}

/// Sends a checked request and reads its answer as a tool result's text.
pub async fn send(client: &Client, tool: &SpecTool, request: Request) -> Result<Answer, ToolError> {
    let answer = client
        .raw(
            request.method.clone(),
            &request.path_and_query,
            request.body.as_ref(),
        )
        .await
        .map_err(|error| {
            api_error(
                error,
                &tool.name,
                &tool.operation.method,
                &how_to_check(&tool.operation.path, &request.path_ids),
            )
        })?;
    Ok(match answer.body {
        Some(body) => answer::render(&body, request.keep.as_deref()),
        None => Answer::text(format!(
            "done: the API answered {} with no body",
            answer.status.as_u16()
        )),
    })
}

/// The problems of a request body: fields the request does not take, then
/// what the spec's schema and the SDK's typed body say.
pub fn body_problems(operation_id: &str, body: &Map<String, Value>) -> Vec<String> {
    let mut problems = Vec::new();
    let Some(schema) = kinbox_spec::request_body_schema_of(operation_id) else {
        return vec![format!("this operation takes no `{BODY}`: remove it")];
    };
    if let Some(known) = schema.get("properties").and_then(Value::as_object) {
        for name in body.keys().filter(|name| !known.contains_key(*name)) {
            problems.push(unknown_field(
                name,
                known.keys().map(String::as_str),
                "a field of body",
            ));
        }
    }
    if !problems.is_empty() {
        return problems;
    }
    let value = Value::Object(body.clone());
    if let Some(check) = kinbox_spec::spec().request_body(operation_id)
        && let Err(violations) = check.check(&value)
    {
        return violations
            .into_iter()
            .take(20)
            .map(|v| {
                format!(
                    "body{}: {}",
                    v.path.trim_start_matches('$'),
                    answer::escaped(&v.message)
                )
            })
            .collect();
    }
    if let Err(error) = kinbox_api::check_request_body(operation_id, &value) {
        problems.push(format!("body: {}", answer::escaped(&error.to_string())));
    }
    problems
}

/// An id as one path segment: not empty, not `.` or `..`, no `/` or `\`,
/// no control characters, at most [`MAX_ID_LEN`] bytes.
pub fn check_id(id: &str) -> Result<(), String> {
    kinbox_api::check_path_id(id).map_err(|e| e.to_string())?;
    if id.contains(['/', '\\']) {
        return Err(format!(
            "`{}` is not an id: an id has no `/` or `\\`; give the id of an existing object \
             (a list tool shows them)",
            answer::escaped(&kinbox_api::server_text::shown(id))
        ));
    }
    if id.chars().any(char::is_control) || id.len() > MAX_ID_LEN {
        return Err(format!(
            "not an id: ids are at most {MAX_ID_LEN} characters, without control characters; \
             give the id of an existing object (a list tool shows them)"
        ));
    }
    Ok(())
}

pub fn check_size(arguments: &Map<String, Value>) -> Result<(), ToolError> {
    let size = serde_json::to_vec(arguments)
        .map(|v| v.len())
        .unwrap_or(usize::MAX);
    if size > MAX_ARGUMENT_BYTES {
        return Err(ToolError::refused(vec![format!(
            "the arguments take {size} bytes, more than the {MAX_ARGUMENT_BYTES} allowed: send \
             less (split the change in several calls)"
        )]));
    }
    Ok(())
}

fn unknown_field<'a>(name: &str, known: impl Iterator<Item = &'a str>, what: &str) -> String {
    let known: Vec<&str> = known.collect();
    let close = kinbox_input::matching::did_you_mean(name, known.iter().copied());
    let close = close.trim();
    format!(
        "`{}` is not {what}: remove it{}; known: {}",
        answer::escaped(&kinbox_api::server_text::shown(name)),
        if close.is_empty() {
            String::new()
        } else {
            format!(" ({close})")
        },
        known.join(", ")
    )
}

fn schema_type(schema: &Value) -> &str {
    schema
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("value")
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "true or false",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// How to learn whether a write to `path` (its ids as given) was applied:
/// the read of the same path in the spec (`get_deal` for `PATCH
/// /v1/deals/{id}`, `list_deals` for `POST /v1/deals`).
pub fn how_to_check(path: &str, ids: &[(String, String)]) -> String {
    let read = kinbox_spec::spec()
        .operations()
        .iter()
        .find(|op| op.method == "GET" && op.path == path);
    match read {
        Some(read) if ids.is_empty() => format!(
            "call {} and look for what it would have made",
            super::tools::snake_case(&read.id)
        ),
        Some(read) => format!(
            "call {} with {} to see its state",
            super::tools::snake_case(&read.id),
            ids.iter()
                .map(|(name, value)| format!(
                    "{name} {}",
                    answer::json_text(&Value::String(value.clone()))
                ))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        None => "read the object it changed to see its state".to_owned(),
    }
}

/// An SDK error as a tool error that says what to do; a lost write says
/// it may have been applied and how to check (`check`, from
/// [`how_to_check`]), never to send it again blindly.
pub fn api_error(error: KinboxError, tool: &str, method: &str, check: &str) -> ToolError {
    let message = answer::escaped(&error.to_string());
    let what_to_do = match &error {
        KinboxError::OutcomeUnknown { .. } => format!(
            "the outcome is unknown: the change may have been applied. Do not call {tool} \
             again before checking: {check}; then tell the user"
        ),
        KinboxError::InvalidRequest(_) => "nothing was sent; fix the arguments".to_owned(),
        KinboxError::Network(_) if method == "GET" => {
            "the API could not be reached: try again later".to_owned()
        }
        KinboxError::Network(_) => {
            "the API could not be reached, so nothing was changed: try again later".to_owned()
        }
        KinboxError::AnswerTooLarge { .. } => {
            "ask for less: a smaller `limit`, or filters".to_owned()
        }
        KinboxError::Api(api) => match Some(api.status.as_u16()) {
            Some(401) => "the token was refused: the user must run `kinbox auth login` (or set \
                          KINBOX_TOKEN) and restart this server"
                .to_owned(),
            Some(403) => "the token may not do this: ask the user".to_owned(),
            Some(404) => "no such object: check the id with the list tool".to_owned(),
            Some(429) => "too many requests: wait a minute, then try again".to_owned(),
            Some(400 | 422) => "the API refused the arguments: fix them as it says".to_owned(),
            Some(status) if status >= 500 && method == "GET" => {
                "the API failed: try again later".to_owned()
            }
            Some(status) if status >= 500 => {
                format!("the API failed: {check}, before trying again")
            }
            _ => "see the message".to_owned(),
        },
        _ => "see the message".to_owned(),
    };
    ToolError {
        message: format!("{message}\nWhat to do: {what_to_do}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn tool(name: &str) -> &'static SpecTool {
        super::super::tools::spec_tools()
            .iter()
            .find(|t| t.name == name)
            .unwrap()
    }

    fn args(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn a_call_becomes_its_request() {
        let request = request(
            tool("list_deals"),
            &args(json!({"limit": 5, "status": "open", "pipeline_id": "a b"})),
        )
        .unwrap();
        assert_eq!(request.method, reqwest::Method::GET);
        assert_eq!(
            request.path_and_query,
            "/v1/deals?limit=5&pipeline_id=a+b&status=open"
        );
        let request = request_of("update_deal", json!({"id": "d 1", "body": {"name": "X"}}));
        assert_eq!(request.path_and_query, "/v1/deals/d%201");
        assert_eq!(request.body, Some(json!({"name": "X"})));
    }

    fn request_of(name: &str, value: Value) -> Request {
        request(tool(name), &args(value)).unwrap()
    }

    fn refused(name: &str, value: Value) -> String {
        request(tool(name), &args(value)).unwrap_err().message
    }

    #[test]
    fn hostile_arguments_are_refused_with_what_to_do() {
        for id in ["..", ".", "", "a/b", "../v1/tags", "a\\b", "a\u{7}"] {
            let message = refused("get_deal", json!({ "id": id }));
            assert!(message.contains("`id`"), "{id}: {message}");
        }
        let message = refused("get_deal", json!({"id": "x".repeat(MAX_ID_LEN + 1)}));
        assert!(message.contains("at most"), "{message}");
        let message = refused("list_deals", json!({"limit": "many"}));
        assert!(message.contains("limit"), "{message}");
        let message = refused("list_deals", json!({"limti": 5}));
        assert!(message.contains("`limti` is not an argument"), "{message}");
        assert!(message.contains("limit"), "{message}");
        let message = refused("create_deal", json!({"body": {"nmae": "x"}}));
        assert!(
            message.contains("`nmae` is not a field of body"),
            "{message}"
        );
        let message = refused("create_deal", json!({"body": "x"}));
        assert!(message.contains("must be an object"), "{message}");
        let message = refused("create_deal", json!({"body": {"name": 7}}));
        assert!(message.contains("body"), "{message}");
        let message = refused("list_deals", json!({"status": ["open"]}));
        assert!(message.contains("not an array"), "{message}");
        let message = refused("get_deal", json!({"id": "x", "body": {}}));
        assert!(message.contains("not an argument"), "{message}");
        let huge = "x".repeat(MAX_ARGUMENT_BYTES);
        let message = refused("create_tag", json!({"body": {"name": huge}}));
        assert!(message.contains("bytes"), "{message}");
    }

    #[test]
    fn a_lost_write_says_which_read_checks_it() {
        assert_eq!(
            how_to_check("/v1/deals", &[]),
            "call list_deals and look for what it would have made"
        );
        let request = request_of("update_deal", json!({"id": "d1", "body": {"name": "X"}}));
        assert_eq!(
            how_to_check("/v1/deals/{id}", &request.path_ids),
            "call get_deal with id \"d1\" to see its state"
        );
    }

    #[test]
    fn deletes_need_confirm_true() {
        for value in [
            json!({"id": "x"}),
            json!({"id": "x", "confirm": false}),
            json!({"id": "x", "confirm": "yes"}),
        ] {
            let message = refused("delete_deal", value);
            assert!(message.contains("confirm: true"), "{message}");
        }
        let request = request_of("delete_deal", json!({"id": "x", "confirm": true}));
        assert_eq!(request.method, reqwest::Method::DELETE);
        assert_eq!(request.body, None);
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        fn value() -> impl Strategy<Value = Value> {
            let leaf = prop_oneof![
                Just(Value::Null),
                any::<bool>().prop_map(Value::from),
                any::<i64>().prop_map(Value::from),
                any::<f64>().prop_map(
                    |f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)
                ),
                ".{0,12}".prop_map(Value::from),
                Just(Value::from("..")),
                Just(Value::from("a/../b")),
            ];
            leaf.prop_recursive(3, 16, 4, |inner| {
                prop_oneof![
                    prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
                    prop::collection::btree_map("[a-zA-Z]{1,10}", inner, 0..4)
                        .prop_map(|map| Value::Object(map.into_iter().collect())),
                ]
            })
        }

        proptest! {
            #![proptest_config(crate::tests::proptest_config())]

            /// Whatever the arguments, a spec tool's check neither panics nor
            /// lets a path leave its segment; the people tools' too.
            #[test]
            fn any_arguments_to_any_tool_are_checked_without_panicking(
                tool in 0usize..64,
                known in prop::collection::vec((0usize..16, value()), 0..6),
                unknown in prop::collection::btree_map("[a-z]{1,6}", value(), 0..2),
            ) {
                let tools = super::super::super::tools::spec_tools();
                let tool = &tools[tool % tools.len()];
                let names: Vec<String> = tool.input_schema["properties"]
                    .as_object()
                    .unwrap()
                    .keys()
                    .cloned()
                    .collect();
                let mut arguments: Map<String, Value> = unknown.into_iter().collect();
                for (index, value) in known.into_iter().filter(|_| !names.is_empty()) {
                    arguments.insert(names[index % names.len()].clone(), value);
                }
                if let Ok(request) = request(tool, &arguments) {
                    let path = request.path_and_query.split('?').next().unwrap().to_owned();
                    prop_assert_eq!(
                        path.matches('/').count(),
                        tool.operation.path.matches('/').count(),
                        "{}", path
                    );
                    prop_assert!(!path.split('/').any(|s| s == ".." || s == "."), "{}", path);
                }
                for people in super::super::super::people::all() {
                    let _ = super::super::super::people::check_arguments(&people, &arguments);
                }
            }
        }
    }
}
