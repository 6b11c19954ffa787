//! The Kinbox API's OpenAPI description (`openapi/kinbox.yaml`) as data.
//!
//! It answers two questions for whoever needs to hold code to the spec (the
//! contract tests, the CLI tests, the sandbox): which operations exist, and
//! whether a given request or response is what the spec says. Validation is
//! done by the independent [`jsonschema`] crate, on the spec's own schemas,
//! so nothing here re-types a field.
//!
//! ```
//! let spec = kinbox_spec::spec();
//! let create = spec.operation("create_deal").unwrap();
//! assert_eq!((create.method.as_str(), create.path.as_str()), ("POST", "/v1/deals"));
//!
//! let body = serde_json::json!({"name": "Pedido #1042", "value": "cem"});
//! let violations = spec.request_body("create_deal").unwrap().check(&body).unwrap_err();
//! assert!(violations.iter().any(|v| v.path == "$.value"));
//! ```

mod parameters;
mod sample;

use std::collections::BTreeMap;
use std::fmt;
use std::sync::OnceLock;

use serde_json::{Map, Value, json};

pub use parameters::ParameterCheck;
pub use sample::Sampler;

/// The OpenAPI description, as written.
pub const OPENAPI_YAML: &str = include_str!("../kinbox.yaml");

/// The same description as JSON, converted when this crate is built.
const OPENAPI_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/kinbox.json"));

/// The parsed description, built once.
pub fn spec() -> &'static Spec {
    static SPEC: OnceLock<Spec> = OnceLock::new();
    SPEC.get_or_init(|| {
        Spec::from_document(document().clone()).expect("openapi/kinbox.yaml is a valid description")
    })
}

/// The OpenAPI document alone, as JSON: quicker to have than [`spec`],
/// which also prepares validators, when only fields are looked up.
pub fn document() -> &'static Value {
    static DOCUMENT: OnceLock<Value> = OnceLock::new();
    DOCUMENT.get_or_init(|| serde_json::from_str(OPENAPI_JSON).expect("build.rs wrote valid JSON"))
}

/// `value`, or what its `$ref` points to in [`document`], followed to the end.
pub fn resolve_ref(value: &Value) -> &Value {
    match value.get("$ref").and_then(Value::as_str) {
        Some(reference) => reference
            .strip_prefix('#')
            .and_then(|pointer| document().pointer(pointer))
            .map(resolve_ref)
            .unwrap_or(value),
        None => value,
    }
}

/// The JSON request body schema of `operation_id` in [`document`], resolved.
pub fn request_body_schema_of(operation_id: &str) -> Option<&'static Value> {
    document()
        .get("paths")?
        .as_object()?
        .values()
        .filter_map(Value::as_object)
        .flat_map(|item| item.values())
        .find(|op| op.get("operationId").and_then(Value::as_str) == Some(operation_id))
        .and_then(|op| op.get("requestBody"))
        .map(resolve_ref)
        .and_then(|body| body.pointer("/content/application~1json/schema"))
        .map(resolve_ref)
}

/// The OpenAPI description, with JSON Schema validators on demand.
pub struct Spec {
    document: Value,
    /// `components.schemas` in JSON Schema form (OpenAPI's `nullable` rewritten).
    components: Value,
    operations: Vec<Operation>,
    /// Each operation's query and path checks, by (operation id, location),
    /// compiled on first use and kept.
    parameter_checks: BTreeMap<(String, &'static str), OnceLock<ParameterCheck>>,
}

/// One operation: `GET /v1/deals/{id}` is `get_deal`.
#[derive(Clone, Debug)]
pub struct Operation {
    pub id: String,
    /// Upper case: `GET`, `POST`, `PATCH`, `DELETE`.
    pub method: String,
    /// The path template, e.g. `/v1/deals/{id}`.
    pub path: String,
    /// The status of its success response (200, 201).
    pub success_status: u16,
    pub parameters: Vec<Parameter>,
    pub has_request_body: bool,
}

/// A path or query parameter.
#[derive(Clone, Debug)]
pub struct Parameter {
    pub name: String,
    /// `path` or `query`.
    pub location: String,
    pub required: bool,
    /// Its schema, in JSON Schema form.
    pub schema: Value,
}

/// One way a value breaks the spec: where (`$.products[0].price`) and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    pub path: String,
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// A compiled validator for one schema of the spec.
pub struct SchemaCheck {
    validator: jsonschema::Validator,
}

impl SchemaCheck {
    /// `Ok` if `value` matches the schema, else every violation found.
    pub fn check(&self, value: &Value) -> Result<(), Vec<Violation>> {
        let violations: Vec<Violation> = self
            .validator
            .iter_errors(value)
            .map(|error| Violation {
                path: json_path(error.instance_path.as_str()),
                message: error.to_string(),
            })
            .collect();
        if violations.is_empty() {
            Ok(())
        } else {
            Err(violations)
        }
    }
}

impl Spec {
    /// Parses an OpenAPI 3.0 description written in YAML (or JSON).
    pub fn from_yaml(text: &str) -> Result<Self, String> {
        let document: Value =
            serde_yaml::from_str(text).map_err(|e| format!("not a YAML document: {e}"))?;
        Self::from_document(document)
    }

    /// The spec of an OpenAPI document already read.
    pub fn from_document(document: Value) -> Result<Self, String> {
        let components = to_json_schema(
            document
                .pointer("/components/schemas")
                .cloned()
                .unwrap_or_else(|| json!({})),
        );
        let mut spec = Spec {
            document,
            components,
            operations: Vec::new(),
            parameter_checks: BTreeMap::new(),
        };
        spec.operations = spec.read_operations()?;
        spec.parameter_checks = spec
            .operations
            .iter()
            .flat_map(|op| {
                ["query", "path"].map(|location| ((op.id.clone(), location), OnceLock::new()))
            })
            .collect();
        Ok(spec)
    }

    /// The whole description, as JSON.
    pub fn document(&self) -> &Value {
        &self.document
    }

    /// Every operation, in the order the description lists them.
    pub fn operations(&self) -> &[Operation] {
        &self.operations
    }

    pub fn operation(&self, operation_id: &str) -> Option<&Operation> {
        self.operations.iter().find(|op| op.id == operation_id)
    }

    /// A validator for `components.schemas.<name>`.
    pub fn schema(&self, name: &str) -> Option<SchemaCheck> {
        self.components.get(name)?;
        Some(self.compile(json!({ "$ref": format!("#/components/schemas/{name}") })))
    }

    /// A validator for the operation's JSON request body.
    pub fn request_body(&self, operation_id: &str) -> Option<SchemaCheck> {
        let schema = self.request_body_schema(operation_id)?.clone();
        Some(self.compile(to_json_schema(schema)))
    }

    /// The operation's JSON request body schema, as written (often a `$ref`).
    pub fn request_body_schema(&self, operation_id: &str) -> Option<&Value> {
        let op = self.raw_operation(operation_id)?;
        self.resolve(op.get("requestBody")?)
            .pointer("/content/application~1json/schema")
    }

    /// A validator for the operation's JSON response body at `status`: the
    /// exact code, else its range (`4XX`), else `default`. `None` when that
    /// response is not documented or has no JSON body.
    pub fn response(&self, operation_id: &str, status: u16) -> Option<SchemaCheck> {
        let schema = self.response_schema(operation_id, status)?;
        Some(self.compile(to_json_schema(schema)))
    }

    /// The operation's JSON response body schema at `status`, as written
    /// (found as [`Spec::response`] finds it).
    pub fn response_schema(&self, operation_id: &str, status: u16) -> Option<Value> {
        let responses = self.raw_operation(operation_id)?.get("responses")?;
        let response = [
            status.to_string(),
            format!("{}XX", status / 100),
            "default".to_owned(),
        ]
        .iter()
        .find_map(|key| responses.get(key))?;
        self.resolve(response)
            .pointer("/content/application~1json/schema")
            .cloned()
    }

    /// Checks a request's query parameters (as received, all strings) against
    /// the operation's declared ones; unknown parameters are violations too.
    /// The same as [`Spec::query_check`]`(operation_id)?.check(query)`.
    pub fn check_query(
        &self,
        operation_id: &str,
        query: &[(String, String)],
    ) -> Result<(), Vec<Violation>> {
        match self.query_check(operation_id) {
            Some(check) => check.check(query),
            None => Err(vec![Violation {
                path: "$".to_owned(),
                message: format!("unknown operation `{operation_id}`"),
            }]),
        }
    }

    /// The operation's query parameters, their schemas compiled (on the
    /// first call for this operation; later calls return the same checker).
    pub fn query_check(&self, operation_id: &str) -> Option<&ParameterCheck> {
        self.parameter_check(operation_id, "query")
    }

    /// The operation's path parameters (`{id}`), compiled like
    /// [`Spec::query_check`]: path text is judged by the parameter's schema,
    /// so `/v1/contacts/abc` breaks an integer `id`.
    pub fn path_check(&self, operation_id: &str) -> Option<&ParameterCheck> {
        self.parameter_check(operation_id, "path")
    }

    fn parameter_check(
        &self,
        operation_id: &str,
        location: &'static str,
    ) -> Option<&ParameterCheck> {
        let slot = self
            .parameter_checks
            .get(&(operation_id.to_owned(), location))?;
        let operation = self.operation(operation_id)?;
        Some(slot.get_or_init(|| {
            ParameterCheck::new(
                location,
                operation
                    .parameters
                    .iter()
                    .filter(|p| p.location == location)
                    .map(|p| {
                        let json_type = self
                            .resolve_schema(&p.schema)
                            .get("type")
                            .and_then(Value::as_str)
                            .map(str::to_owned);
                        (p, json_type, self.compile(p.schema.clone()))
                    }),
            )
        }))
    }

    /// The operation object as the description writes it (OpenAPI form,
    /// `$ref`s unresolved), for what the other methods do not answer.
    pub fn raw_operation(&self, operation_id: &str) -> Option<&Value> {
        let op = self.operation(operation_id)?;
        self.document
            .get("paths")?
            .get(&op.path)?
            .get(op.method.to_ascii_lowercase())
    }

    fn read_operations(&self) -> Result<Vec<Operation>, String> {
        let mut operations = Vec::new();
        let Some(paths) = self.document.get("paths").and_then(Value::as_object) else {
            return Ok(operations);
        };
        for (path, item) in paths {
            let shared = item
                .get("parameters")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            for method in [
                "get", "put", "post", "delete", "options", "head", "patch", "trace",
            ] {
                let Some(op) = item.get(method) else { continue };
                let id = op
                    .get("operationId")
                    .and_then(Value::as_str)
                    .ok_or_else(|| {
                        format!("{} {path} has no operationId", method.to_uppercase())
                    })?;
                let own = op
                    .get("parameters")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                let parameters = shared
                    .iter()
                    .chain(own.iter())
                    .map(|p| {
                        let p = self.resolve(p);
                        Parameter {
                            name: p["name"].as_str().unwrap_or_default().to_owned(),
                            location: p["in"].as_str().unwrap_or_default().to_owned(),
                            required: p.get("required").and_then(Value::as_bool).unwrap_or(false),
                            schema: to_json_schema(
                                p.get("schema").cloned().unwrap_or_else(|| json!({})),
                            ),
                        }
                    })
                    .collect();
                let success_status = op
                    .get("responses")
                    .and_then(Value::as_object)
                    .and_then(|r| {
                        r.keys()
                            .filter_map(|k| k.parse::<u16>().ok())
                            .find(|s| (200..300).contains(s))
                    })
                    .unwrap_or(200);
                operations.push(Operation {
                    id: id.to_owned(),
                    method: method.to_uppercase(),
                    path: path.clone(),
                    success_status,
                    parameters,
                    has_request_body: op.get("requestBody").is_some(),
                });
            }
        }
        Ok(operations)
    }

    /// Follows a local `$ref` (`#/components/...`) in the document; any
    /// other value is returned as it is.
    pub fn resolve<'a>(&'a self, value: &'a Value) -> &'a Value {
        match value.get("$ref").and_then(Value::as_str) {
            Some(reference) => reference
                .strip_prefix('#')
                .and_then(|pointer| self.document.pointer(pointer))
                .map(|target| self.resolve(target))
                .unwrap_or(value),
            None => value,
        }
    }

    /// Follows `$ref` among the JSON Schema components.
    fn resolve_schema<'a>(&'a self, schema: &'a Value) -> &'a Value {
        match schema
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix("#/components/schemas/"))
        {
            Some(name) => self
                .components
                .get(name)
                .map(|s| self.resolve_schema(s))
                .unwrap_or(schema),
            None => schema,
        }
    }

    fn compile(&self, schema: Value) -> SchemaCheck {
        // `$ref`s point into `#/components/schemas`, so the components travel
        // in the same document; `allOf` keeps draft 4 from ignoring siblings.
        let root = json!({
            "allOf": [schema],
            "components": { "schemas": self.components },
        });
        let validator = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft4)
            .should_validate_formats(true)
            .build(&root)
            .expect("the spec's schemas compile");
        SchemaCheck { validator }
    }
}

/// Rewrites an OpenAPI 3.0 schema into plain JSON Schema: `nullable: true`
/// becomes "this schema, or null", and the integer formats `int32`/`int64`
/// become the `minimum`/`maximum` they stand for (JSON Schema validators
/// apply `format` to strings only, so they would otherwise accept
/// `9223372036854775808` as an `int64`). Bounds written in the schema win.
pub fn to_json_schema(schema: Value) -> Value {
    match schema {
        Value::Object(map) => {
            let mut converted: Map<String, Value> = map
                .into_iter()
                .map(|(key, value)| (key, to_json_schema(value)))
                .collect();
            let bounds = match converted.get("format").and_then(Value::as_str) {
                Some("int32") => Some((json!(i32::MIN), json!(i32::MAX))),
                Some("int64") => Some((json!(i64::MIN), json!(i64::MAX))),
                _ => None,
            };
            if let Some((min, max)) = bounds {
                converted.entry("minimum").or_insert(min);
                converted.entry("maximum").or_insert(max);
            }
            if converted.remove("nullable") == Some(Value::Bool(true)) {
                json!({ "anyOf": [Value::Object(converted), { "type": "null" }] })
            } else {
                Value::Object(converted)
            }
        }
        Value::Array(items) => Value::Array(items.into_iter().map(to_json_schema).collect()),
        other => other,
    }
}

/// `/products/0/price` → `$.products[0].price`.
fn json_path(pointer: &str) -> String {
    let mut path = String::from("$");
    for segment in pointer.split('/').skip(1) {
        let segment = segment.replace("~1", "/").replace("~0", "~");
        if segment.parse::<usize>().is_ok() {
            path.push_str(&format!("[{segment}]"));
        } else {
            path.push('.');
            path.push_str(&segment);
        }
    }
    path
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_paths_read_like_jq() {
        assert_eq!(json_path(""), "$");
        assert_eq!(json_path("/products/0/price"), "$.products[0].price");
        assert_eq!(json_path("/customFields/a~1b"), "$.customFields.a/b");
    }

    #[test]
    fn nullable_becomes_or_null() {
        let schema = to_json_schema(json!({"type": "string", "nullable": true, "enum": ["a"]}));
        assert_eq!(
            schema,
            json!({"anyOf": [{"type": "string", "enum": ["a"]}, {"type": "null"}]})
        );
    }

    #[test]
    fn integer_formats_become_bounds_that_written_ones_override() {
        assert_eq!(
            to_json_schema(json!({"type": "integer", "format": "int64"})),
            json!({"type": "integer", "format": "int64", "minimum": i64::MIN, "maximum": i64::MAX})
        );
        assert_eq!(
            to_json_schema(json!({"type": "integer", "format": "int32", "minimum": 1})),
            json!({"type": "integer", "format": "int32", "minimum": 1, "maximum": i32::MAX})
        );
        let nullable =
            to_json_schema(json!({"type": "integer", "format": "int32", "nullable": true}));
        assert_eq!(nullable["anyOf"][0]["maximum"], json!(i32::MAX));
        let nested = to_json_schema(json!({"items": {"type": "integer", "format": "int64"}}));
        assert_eq!(nested["items"]["minimum"], json!(i64::MIN));
        assert_eq!(
            to_json_schema(json!({"type": "string", "format": "date-time"})),
            json!({"type": "string", "format": "date-time"})
        );
    }

    #[test]
    fn a_compiled_integer_bound_rejects_what_does_not_fit() {
        let spec = spec();
        let check = spec.compile(to_json_schema(
            json!({"type": "integer", "format": "int32"}),
        ));
        assert!(check.check(&json!(i32::MAX)).is_ok());
        assert!(check.check(&json!(i64::from(i32::MAX) + 1)).is_err());
        assert!(check.check(&json!(i64::from(i32::MIN) - 1)).is_err());
    }
}
