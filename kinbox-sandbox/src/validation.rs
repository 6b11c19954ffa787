//! Holds each request to the spec itself: the path and query against the
//! operation's parameters, the body against its request schema (all through
//! `kinbox-spec`, compiled once), so no rule here re-states the spec.

use std::collections::BTreeSet;

use axum::http::{HeaderMap, StatusCode, header};
use kinbox_spec::{Operation, ParameterCheck, SchemaCheck, Spec, Violation};
use serde_json::Value;

use crate::error::ApiError;
use crate::store::Object;

/// The checks of one operation, compiled once at start.
pub(crate) struct RequestRules {
    operation_id: String,
    path: &'static ParameterCheck,
    query: &'static ParameterCheck,
    body: Option<BodyRules>,
    /// 422 where the operation documents it, else 400: the sandbox never
    /// answers with a status the spec does not list.
    invalid_status: StatusCode,
    default_limit: usize,
}

struct BodyRules {
    schema_name: String,
    check: SchemaCheck,
    /// The properties the schema declares; others are dropped, as the API
    /// ignores unknown fields. `None` when the schema keeps every field.
    declared: Option<BTreeSet<String>>,
}

/// A request's query parameters, in order, each at most once.
#[derive(Debug, Default)]
pub(crate) struct Query(Vec<(String, String)>);

impl Query {
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

impl RequestRules {
    pub(crate) fn new(spec: &'static Spec, operation: &Operation) -> Self {
        let body = operation.has_request_body.then(|| {
            let schema = spec.request_body_schema(&operation.id);
            let schema_name = schema
                .and_then(|s| s.get("$ref"))
                .and_then(Value::as_str)
                .and_then(|r| r.rsplit('/').next())
                .unwrap_or("request body")
                .to_owned();
            BodyRules {
                schema_name,
                check: spec
                    .request_body(&operation.id)
                    .expect("an operation with a request body has a JSON schema for it"),
                declared: schema.and_then(|s| declared_properties(spec, s)),
            }
        });
        let documents_422 = spec
            .raw_operation(&operation.id)
            .is_some_and(|op| op.pointer("/responses/422").is_some());
        let default_limit = operation
            .parameters
            .iter()
            .find(|p| p.name == "limit" && p.location == "query")
            .and_then(|p| p.schema.get("default"))
            .and_then(Value::as_u64)
            .and_then(|n| usize::try_from(n).ok())
            .unwrap_or(10);
        Self {
            operation_id: operation.id.clone(),
            path: spec
                .path_check(&operation.id)
                .expect("an operation of the spec"),
            query: spec
                .query_check(&operation.id)
                .expect("an operation of the spec"),
            body,
            invalid_status: if documents_422 {
                StatusCode::UNPROCESSABLE_ENTITY
            } else {
                StatusCode::BAD_REQUEST
            },
            default_limit,
        }
    }

    /// The page size when a list request gives no `limit`.
    pub(crate) fn default_limit(&self) -> usize {
        self.default_limit
    }

    /// Checks the path's parameters (`/v1/contacts/abc` for an integer id
    /// is a 400: no object could have that id).
    pub(crate) fn path(&self, parameters: &[(String, String)]) -> Result<(), ApiError> {
        self.path.check(parameters).map_err(|violations| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                format!(
                    "the path does not match the parameters of `{}` in the API description",
                    self.operation_id
                ),
            )
            .with_violations(violations)
        })
    }

    /// Decodes the query string and checks it against the operation's
    /// parameters; unknown parameters are refused so typos do not pass as
    /// "no filter".
    pub(crate) fn query(&self, raw: Option<&str>) -> Result<Query, ApiError> {
        let pairs: Vec<(String, String)> =
            url::form_urlencoded::parse(raw.unwrap_or("").as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
        let repeated: Vec<Violation> = pairs
            .iter()
            .enumerate()
            .filter(|(i, (name, _))| pairs[..*i].iter().any(|(seen, _)| seen == name))
            .map(|(_, (name, _))| Violation {
                path: format!("query.{name}"),
                message: "given more than once; send each query parameter once".to_owned(),
            })
            .collect();
        if !repeated.is_empty() {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "the query string repeats a parameter",
            )
            .with_violations(repeated));
        }
        self.query.check(&pairs).map_err(|violations| {
            ApiError::new(
                self.invalid_status,
                format!(
                    "the query does not match the parameters of `{}` in the API description",
                    self.operation_id
                ),
            )
            .with_violations(violations)
        })?;
        Ok(Query(pairs))
    }

    /// Reads and checks the JSON body; returns it without undeclared fields.
    pub(crate) fn body(&self, headers: &HeaderMap, bytes: &[u8]) -> Result<Object, ApiError> {
        let Some(rules) = &self.body else {
            return Ok(Object::new());
        };
        if let Some(content_type) = headers.get(header::CONTENT_TYPE)
            && !is_json(content_type.to_str().unwrap_or(""))
        {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                format!(
                    "the body must be JSON: send it with `Content-Type: application/json`, not `{}`",
                    String::from_utf8_lossy(content_type.as_bytes())
                ),
            ));
        }
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                format!(
                    "`{}` needs a JSON body: a `{}` object",
                    self.operation_id, rules.schema_name
                ),
            ));
        }
        let body: Value = serde_json::from_slice(bytes).map_err(|e| {
            ApiError::new(StatusCode::BAD_REQUEST, "the body is not valid JSON").with_violations(
                vec![Violation {
                    path: "$".to_owned(),
                    message: e.to_string(),
                }],
            )
        })?;
        rules.check.check(&body).map_err(|violations| {
            ApiError::new(
                self.invalid_status,
                format!(
                    "the body is not a valid `{}`: see `errors` for each field to fix",
                    rules.schema_name
                ),
            )
            .with_violations(violations)
        })?;
        let Value::Object(mut object) = body else {
            // The schemas of request bodies are objects; a spec whose body
            // is not would be caught by the check above or the tests.
            return Err(ApiError::new(
                self.invalid_status,
                "the body must be a JSON object",
            ));
        };
        if let Some(declared) = &rules.declared {
            object.retain(|field, _| declared.contains(field));
        }
        Ok(object)
    }
}

/// The property names of a schema, following one `$ref`; `None` when it
/// lists none, or takes other fields as they come (`additionalProperties`
/// given and not `false`, as campaigns do).
fn declared_properties(spec: &Spec, schema: &Value) -> Option<BTreeSet<String>> {
    let schema = spec.resolve(schema);
    if schema
        .get("additionalProperties")
        .is_some_and(|additional| additional != &Value::Bool(false))
    {
        return None;
    }
    let properties = schema.get("properties")?.as_object()?;
    Some(properties.keys().cloned().collect())
}

fn is_json(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;
    use serde_json::json;

    fn rules(operation_id: &str) -> RequestRules {
        let spec = kinbox_spec::spec();
        RequestRules::new(spec, spec.operation(operation_id).unwrap())
    }

    fn json_headers() -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        headers
    }

    #[test]
    fn invalid_bodies_get_422_with_one_path_per_violation() {
        let body = json!({"name": 1, "value": "cem"}).to_string();
        let error = rules("create_deal")
            .body(&json_headers(), body.as_bytes())
            .unwrap_err();
        assert_eq!(error.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let paths: Vec<String> = error.body()["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["path"].as_str().unwrap().to_owned())
            .collect();
        assert!(paths.contains(&"$.name".to_owned()), "{paths:?}");
        assert!(paths.contains(&"$.value".to_owned()), "{paths:?}");
    }

    #[test]
    fn undeclared_fields_are_dropped() {
        let contact = json!({"id": 5, "name": "Ana", "avatar": "", "phone": "5585997281648", "email": "ana@example.com"});
        let body = json!({"contact": contact, "surprise": true}).to_string();
        let object = rules("update_deal")
            .body(&json_headers(), body.as_bytes())
            .unwrap();
        assert_eq!(Value::Object(object), json!({"contact": contact}));
    }

    #[test]
    fn malformed_and_missing_bodies_are_400_and_other_media_types_415() {
        let create = rules("create_deal");
        assert_eq!(
            create.body(&json_headers(), b"{").unwrap_err().status(),
            StatusCode::BAD_REQUEST
        );
        assert_eq!(
            create.body(&json_headers(), b"").unwrap_err().status(),
            StatusCode::BAD_REQUEST
        );
        let mut text = HeaderMap::new();
        text.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
        assert_eq!(
            create.body(&text, b"{}").unwrap_err().status(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE
        );
    }

    #[test]
    fn queries_are_checked_against_the_declared_parameters() {
        let list = rules("list_deals");
        let query = list.query(Some("limit=5&status=won&cursor=abc")).unwrap();
        assert_eq!(query.get("limit"), Some("5"));
        assert_eq!(query.get("cursor"), Some("abc"));
        for bad in [
            "limit=0",
            "limit=101",
            "status=maybe",
            "contact_id=x",
            "created_at_from=today",
            "colour=red",
        ] {
            let error = list.query(Some(bad)).unwrap_err();
            assert_eq!(error.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        }
        assert_eq!(
            list.query(Some("limit=1&limit=2")).unwrap_err().status(),
            StatusCode::BAD_REQUEST
        );
    }

    #[test]
    fn queries_are_judged_as_kinbox_spec_judges_them() {
        let spec = kinbox_spec::spec();
        let samples = [
            "",
            "limit=1",
            "limit=100",
            "limit=0",
            "limit=1.5",
            "limit=x",
            "cursor=",
            "cursor=%00",
            "status=open",
            "status=OPEN",
            "contact_id=-3",
            "contact_id=1e3",
            "pipeline_id=",
            "created_at_from=2024-01-01T00:00:00Z",
            "created_at_to=2024-13-01T00:00:00Z",
            "won_lost_date_from=2024-01-01",
            "unknown=1",
        ];
        for operation in spec.operations() {
            let rules = RequestRules::new(spec, operation);
            for sample in samples {
                let pairs: Vec<(String, String)> = url::form_urlencoded::parse(sample.as_bytes())
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect();
                assert_eq!(
                    rules.query(Some(sample)).is_ok(),
                    spec.check_query(&operation.id, &pairs).is_ok(),
                    "{} ?{sample}",
                    operation.id
                );
            }
        }
    }

    #[test]
    fn integer_formats_are_enforced_in_queries_and_bodies() {
        let list = rules("list_deals");
        assert!(list.query(Some("contact_id=9223372036854775807")).is_ok());
        assert!(list.query(Some("contact_id=9223372036854775808")).is_err());
        let body = r#"{"name":"n","value":1,"status":"open","pipelineId":"p","stageId":"s",
            "customFields":{},"tasks":{"t":{"big":9223372036854775808}},"contactId":9223372036854775808}"#;
        let error = rules("create_deal")
            .body(&json_headers(), body.as_bytes())
            .unwrap_err();
        let paths: Vec<Value> = error.body()["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["path"].clone())
            .collect();
        assert_eq!(
            paths,
            [json!("$.contactId")],
            "free-form values keep any number"
        );
    }

    #[test]
    fn paths_are_held_to_their_parameter_schemas() {
        let id = |text: &str| vec![("id".to_owned(), text.to_owned())];
        let contact = rules("get_contact");
        assert!(contact.path(&id("1001")).is_ok());
        let error = contact.path(&id("maria")).unwrap_err();
        assert_eq!(error.status(), StatusCode::BAD_REQUEST);
        assert_eq!(error.body()["errors"][0]["path"], "path.id");
        assert!(contact.path(&id("9223372036854775808")).is_err());
        assert!(rules("get_deal").path(&id("maria")).is_ok());
    }

    #[test]
    fn open_schemas_keep_every_field_and_closed_ones_drop_the_unknown() {
        let body =
            json!({"name": "Natal", "template": {"anything": [1]}, "surprise": 1}).to_string();
        let campaign = rules("create_campaign")
            .body(&json_headers(), body.as_bytes())
            .unwrap();
        assert_eq!(
            Value::Object(campaign),
            json!({"name": "Natal", "template": {"anything": [1]}})
        );
        let privacy = json!({"type": "public", "groupIds": []});
        let body = json!({"name": "VIP", "color": "#fff", "privacy": privacy, "surprise": 1});
        let tag = rules("create_tag")
            .body(&json_headers(), body.to_string().as_bytes())
            .unwrap();
        assert_eq!(
            Value::Object(tag),
            json!({"name": "VIP", "color": "#fff", "privacy": privacy})
        );
    }

    #[test]
    fn operations_without_422_answer_400() {
        let error = rules("get_deal").query(Some("unexpected=1")).unwrap_err();
        assert_eq!(error.status(), StatusCode::BAD_REQUEST);
    }
}
