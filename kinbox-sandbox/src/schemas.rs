//! The spec's schemas compiled for the checks `kinbox-spec` leaves out.
//!
//! JSON Schema validators apply `format` to strings only, so OpenAPI's
//! `int32`/`int64` on integers are not checked by `kinbox-spec`; here they
//! become the `minimum`/`maximum` they stand for. Query parameters are
//! compiled once here too: `kinbox_spec::Spec::check_query` compiles on
//! every call, which would cap a list at about a thousand requests per second.

use jsonschema::{Draft, Validator};
use kinbox_spec::Spec;
use serde_json::{Map, Value, json};

/// Compiles `schema` (already in JSON Schema form, `$ref`s pointing into
/// `#/components/schemas`) with the spec's components beside it, integer
/// formats enforced.
pub(crate) fn compile(spec: &Spec, schema: &Value) -> Validator {
    let components = kinbox_spec::to_json_schema(
        spec.document()
            .pointer("/components/schemas")
            .cloned()
            .unwrap_or_else(|| json!({})),
    );
    // Same layout as kinbox-spec: `allOf` so that draft 4 does not ignore
    // keywords beside a `$ref`.
    let root = json!({
        "allOf": [with_integer_bounds(schema.clone())],
        "components": { "schemas": with_integer_bounds(components) },
    });
    jsonschema::options()
        .with_draft(Draft::Draft4)
        .should_validate_formats(true)
        .build(&root)
        .expect("the spec's schemas compile")
}

/// Adds `minimum`/`maximum` wherever `format` is `int32` or `int64`.
pub(crate) fn with_integer_bounds(schema: Value) -> Value {
    match schema {
        Value::Object(map) => {
            let mut map: Map<String, Value> = map
                .into_iter()
                .map(|(key, value)| (key, with_integer_bounds(value)))
                .collect();
            let bounds = match map.get("format").and_then(Value::as_str) {
                Some("int32") => Some((json!(i32::MIN), json!(i32::MAX))),
                Some("int64") => Some((json!(i64::MIN), json!(i64::MAX))),
                _ => None,
            };
            if let Some((min, max)) = bounds {
                map.entry("minimum").or_insert(min);
                map.entry("maximum").or_insert(max);
            }
            Value::Object(map)
        }
        Value::Array(items) => Value::Array(items.into_iter().map(with_integer_bounds).collect()),
        other => other,
    }
}

/// Follows `$ref`s into the spec's components to find a schema's `type`.
pub(crate) fn type_of<'a>(spec: &'a Spec, schema: &'a Value) -> Option<&'a str> {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(reference) => type_of(spec, spec.document().pointer(reference.strip_prefix('#')?)?),
        None => schema.get("type").and_then(Value::as_str),
    }
}

/// `/products/0/price` → `$.products[0].price`, as `kinbox-spec` writes paths.
pub(crate) fn json_path(pointer: &str) -> String {
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
    fn integer_formats_become_bounds() {
        let spec = kinbox_spec::spec();
        let int64 = compile(spec, &json!({"type": "integer", "format": "int64"}));
        assert!(int64.is_valid(&json!(i64::MAX)));
        assert!(int64.is_valid(&json!(i64::MIN)));
        let too_big: Value = serde_json::from_str("9223372036854775808").unwrap();
        assert!(!int64.is_valid(&too_big));
        let int32 = compile(spec, &json!({"type": "integer", "format": "int32"}));
        assert!(int32.is_valid(&json!(i32::MAX)));
        assert!(!int32.is_valid(&json!(i64::from(i32::MAX) + 1)));
    }

    #[test]
    fn bounds_reach_through_refs_and_keep_explicit_ones() {
        let spec = kinbox_spec::spec();
        let create = compile(spec, &json!({"$ref": "#/components/schemas/DealCreate"}));
        let mut body = json!({
            "name": "n", "value": 1, "status": "open", "pipelineId": "p",
            "stageId": "s", "customFields": {}, "contactId": 1,
        });
        assert!(create.is_valid(&body));
        body["comments"] = serde_json::from_str("9223372036854775808").unwrap();
        let paths: Vec<String> = create
            .iter_errors(&body)
            .map(|e| json_path(e.instance_path.as_str()))
            .collect();
        assert_eq!(paths, ["$.comments"]);
        let limited = with_integer_bounds(json!({"format": "int32", "minimum": 1}));
        assert_eq!(
            limited,
            json!({"format": "int32", "minimum": 1, "maximum": i32::MAX})
        );
    }
}
