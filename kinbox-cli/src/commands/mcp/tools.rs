//! The spec's operations as MCP tools: each operation is one tool, named by
//! its operationId (already snake case; [`snake_case`] makes sure), described
//! by the English half of the spec's text, its input schema made of its path
//! and query parameters and, under `body`, its request body; its annotations
//! follow its method. Nothing here names an operation.

use std::collections::BTreeSet;

use kinbox_spec::Operation;
use serde_json::{Map, Value, json};

/// The argument that carries an operation's request body.
pub const BODY: &str = "body";
/// The argument a delete needs, set to `true`.
pub const CONFIRM: &str = "confirm";
/// The argument that asks a list for every field of its items.
pub const ALL_FIELDS: &str = "all_fields";

/// What a tool is made from and how it is called.
#[derive(Clone, Debug)]
pub struct SpecTool {
    pub name: String,
    pub operation: Operation,
    /// The spec's tag (`deals`, `pipelines`…): the tool's toolset.
    pub toolset: String,
    pub description: String,
    /// The input JSON Schema (an object).
    pub input_schema: Map<String, Value>,
    pub read_only: bool,
    pub destructive: bool,
    pub idempotent: bool,
    /// The fields a list's items are trimmed to (the CLI's table columns,
    /// by their top-level field) unless `all_fields: true`; `None` for a
    /// tool whose answer is not a list, or without columns.
    pub summary_fields: Option<Vec<String>>,
}

/// `listDeals`, `list-deals` or `list_deals` → `list_deals`.
pub fn snake_case(id: &str) -> String {
    let mut out = String::with_capacity(id.len() + 4);
    let mut previous_lower = false;
    for c in id.chars() {
        if c.is_ascii_uppercase() {
            if previous_lower {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
            previous_lower = false;
        } else if c.is_ascii_alphanumeric() {
            out.push(c);
            previous_lower = true;
        } else {
            if !out.ends_with('_') && !out.is_empty() {
                out.push('_');
            }
            previous_lower = false;
        }
    }
    out.trim_end_matches('_').to_owned()
}

/// The English part of the spec's bilingual text (`Lista os negócios. /
/// Lists deals.`), without the notes for maintainers (`Deliberate: …`).
pub fn english(text: &str) -> String {
    let mut paragraphs = Vec::new();
    for paragraph in text.split("\n\n") {
        let paragraph = paragraph.split_whitespace().collect::<Vec<_>>().join(" ");
        let paragraph = match paragraph.split_once(" / ") {
            Some((_, english)) => english.to_owned(),
            None => paragraph,
        };
        let paragraph = match paragraph.find("Deliberate:") {
            Some(at) => paragraph[..at].trim_end().to_owned(),
            None => paragraph,
        };
        if !paragraph.is_empty() {
            paragraphs.push(paragraph);
        }
    }
    paragraphs.join("\n")
}

/// Every operation of the spec as a tool, in the spec's order.
pub fn spec_tools() -> Vec<SpecTool> {
    let spec = kinbox_spec::spec();
    spec.operations()
        .iter()
        .map(|operation| {
            let raw = spec
                .raw_operation(&operation.id)
                .cloned()
                .unwrap_or_default();
            spec_tool(operation, &raw)
        })
        .collect()
}

fn spec_tool(operation: &Operation, raw: &Value) -> SpecTool {
    let text = |key: &str| raw.get(key).and_then(Value::as_str).unwrap_or_default();
    let mut description = english(text("description"));
    if description.is_empty() {
        description = text("summary").to_owned();
    }
    let method = operation.method.as_str();
    let read_only = method == "GET";
    let destructive = method == "DELETE";
    let idempotent = matches!(method, "GET" | "PUT" | "DELETE");
    if destructive {
        description.push_str(&format!(
            "\nDeletes for good: set `{CONFIRM}: true` once the user has agreed."
        ));
    }
    let toolset = raw
        .pointer("/tags/0")
        .and_then(Value::as_str)
        .unwrap_or("other")
        .to_owned();
    let summary_fields = summary_fields(operation);
    let mut input_schema = input_schema(operation, raw, destructive);
    if summary_fields.is_some()
        && let Some(Value::Object(properties)) = input_schema.get_mut("properties")
    {
        properties.insert(
            ALL_FIELDS.into(),
            json!({
                "type": "boolean",
                "description": "Every field of each item [default: the main ones]"
            }),
        );
    }
    SpecTool {
        name: snake_case(&operation.id),
        operation: operation.clone(),
        toolset,
        description,
        input_schema,
        read_only,
        destructive,
        idempotent,
        summary_fields,
    }
}

/// For a read answering a list (a page's `data`, or an array), the
/// top-level fields of the CLI's table columns for it, `id` first.
fn summary_fields(operation: &Operation) -> Option<Vec<String>> {
    if operation.method != "GET" {
        return None;
    }
    let spec = kinbox_spec::spec();
    let answer = spec.response_schema(&operation.id, operation.success_status)?;
    let answer = spec.resolve(&answer);
    let is_list = answer.get("type").and_then(Value::as_str) == Some("array")
        || answer.pointer("/properties/data").is_some();
    if !is_list {
        return None;
    }
    let command =
        crate::generated_cli::CliCommand::iter().find(|c| c.operation_id() == operation.id)?;
    let columns = crate::resources::operation(command).columns?;
    let mut fields = vec!["id".to_owned()];
    for column in columns {
        let top = column
            .field
            .split('.')
            .next()
            .unwrap_or_default()
            .to_owned();
        if !fields.contains(&top) {
            fields.push(top);
        }
    }
    Some(fields)
}

fn input_schema(operation: &Operation, raw: &Value, destructive: bool) -> Map<String, Value> {
    let spec = kinbox_spec::spec();
    // The parameters' descriptions, as the spec writes them (resolved).
    let descriptions: Map<String, Value> = raw
        .get("parameters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|p| spec.resolve(p))
        .filter_map(|p| {
            let name = p.get("name")?.as_str()?;
            let text = english(p.get("description")?.as_str()?);
            Some((name.to_owned(), Value::String(text)))
        })
        .collect();
    let mut properties = Map::new();
    let mut required = Vec::new();
    for parameter in &operation.parameters {
        let mut schema = inline(&parameter.schema, 0);
        if let (Value::Object(schema), Some(text)) =
            (&mut schema, descriptions.get(&parameter.name))
            && !text.as_str().unwrap_or_default().is_empty()
        {
            schema.insert("description".into(), text.clone());
        }
        if parameter.location == "path"
            && let Value::Object(schema) = &mut schema
            && schema.get("type").and_then(Value::as_str) == Some("string")
        {
            // One path segment: no `/`, not `.` or `..`.
            schema.insert("pattern".into(), json!(r"^[^/\\]+$"));
            schema.insert("maxLength".into(), json!(super::call::MAX_ID_LEN));
        }
        if parameter.required || parameter.location == "path" {
            required.push(Value::String(parameter.name.clone()));
        }
        properties.insert(parameter.name.clone(), schema);
    }
    if let Some(body) = kinbox_spec::request_body_schema_of(&operation.id) {
        let mut body = inline(&kinbox_spec::to_json_schema(body.clone()), 0);
        if let Value::Object(body) = &mut body {
            body.insert("description".into(), json!("The request body"));
        }
        properties.insert(BODY.into(), body);
        let body_required = raw
            .pointer("/requestBody")
            .map(|b| spec.resolve(b))
            .and_then(|b| b.get("required"))
            .and_then(Value::as_bool)
            .unwrap_or(false);
        if body_required {
            required.push(Value::String(BODY.into()));
        }
    }
    if destructive {
        properties.insert(
            CONFIRM.into(),
            json!({
                "type": "boolean",
                "enum": [true],
                "description": "Must be true: the user agreed to delete"
            }),
        );
        required.push(Value::String(CONFIRM.into()));
    }
    let mut schema = Map::new();
    schema.insert("type".into(), json!("object"));
    schema.insert("properties".into(), Value::Object(properties));
    if !required.is_empty() {
        schema.insert("required".into(), Value::Array(required));
    }
    schema.insert("additionalProperties".into(), json!(false));
    schema
}

/// How deep `$ref`s are followed: the spec's schemas are shallow; a cycle
/// stops here as `{}` (any value) rather than looping.
const MAX_DEPTH: usize = 12;

/// `schema` with every `$ref` into the spec's schemas replaced by what it
/// names (made JSON Schema), and what costs a client's context without
/// telling it anything dropped: examples, maintainers' notes, the Portuguese
/// half of descriptions, fields only answers carry (`readOnly`).
pub fn inline(schema: &Value, depth: usize) -> Value {
    if depth > MAX_DEPTH {
        return json!({});
    }
    match schema {
        Value::Object(map) => {
            if let Some(reference) = map.get("$ref").and_then(Value::as_str) {
                let target = reference
                    .strip_prefix('#')
                    .and_then(|pointer| kinbox_spec::document().pointer(pointer));
                return match target {
                    Some(target) => inline(&kinbox_spec::to_json_schema(target.clone()), depth + 1),
                    None => json!({}),
                };
            }
            let mut out = Map::new();
            for (key, value) in map {
                match key.as_str() {
                    "example" | "examples" | "xml" | "externalDocs" | "x-go-type" => {}
                    "description" => {
                        let text = english(value.as_str().unwrap_or_default());
                        if !text.is_empty() {
                            out.insert(key.clone(), Value::String(text));
                        }
                    }
                    "properties" => {
                        let mut properties = Map::new();
                        for (name, property) in value.as_object().into_iter().flatten() {
                            if property.get("readOnly") == Some(&Value::Bool(true)) {
                                continue;
                            }
                            properties.insert(name.clone(), inline(property, depth + 1));
                        }
                        out.insert(key.clone(), Value::Object(properties));
                    }
                    _ => {
                        out.insert(key.clone(), inline(value, depth + 1));
                    }
                }
            }
            Value::Object(compact(out))
        }
        Value::Array(items) => Value::Array(items.iter().map(|v| inline(v, depth + 1)).collect()),
        other => other.clone(),
    }
}

/// The same schema in fewer bytes (`tools/list` is read into every
/// conversation): `allOf` of one schema merged into its siblings (the spec
/// writes a `$ref` with a description that way), and the bounds an integer
/// format already says (`int64`'s ±9223372036854775807) left to the format.
fn compact(mut schema: Map<String, Value>) -> Map<String, Value> {
    if let Some(Value::Array(all)) = schema.get("allOf")
        && let [Value::Object(only)] = all.as_slice()
    {
        let mut merged = only.clone();
        schema.remove("allOf");
        for (key, value) in schema {
            merged.insert(key, value);
        }
        schema = merged;
    }
    // `anyOf: [{type: T, …}, {type: null}]` (OpenAPI's `nullable`) is
    // `{type: [T, null], …}`.
    if let Some(Value::Array(any)) = schema.get("anyOf")
        && let [Value::Object(first), second] = any.as_slice()
        && *second == json!({"type": "null"})
        && let Some(Value::String(kind)) = first.get("type")
        && !first.contains_key("enum")
    {
        let mut merged = first.clone();
        merged.insert("type".into(), json!([kind, "null"]));
        schema.remove("anyOf");
        for (key, value) in schema {
            merged.insert(key, value);
        }
        schema = merged;
    }
    if schema.get("additionalProperties") == Some(&Value::Bool(true)) {
        schema.remove("additionalProperties");
    }
    let range = match schema.get("format").and_then(Value::as_str) {
        Some("int64") => Some((json!(i64::MIN), json!(i64::MAX))),
        Some("int32") => Some((json!(i32::MIN), json!(i32::MAX))),
        _ => None,
    };
    if let Some((min, max)) = range {
        if schema.get("minimum") == Some(&min) {
            schema.remove("minimum");
        }
        if schema.get("maximum") == Some(&max) {
            schema.remove("maximum");
        }
    }
    schema
}

/// Which tools a run offers: `--read-only`, `--toolsets`, `--tools`.
#[derive(Clone, Debug, Default)]
pub struct Selection {
    pub read_only: bool,
    /// `None`: all.
    pub toolsets: Option<BTreeSet<String>>,
    /// `None`: all.
    pub tools: Option<BTreeSet<String>>,
}

impl Selection {
    pub fn admits(&self, name: &str, toolset: &str, read_only: bool) -> bool {
        (!self.read_only || read_only)
            && self.toolsets.as_ref().is_none_or(|s| s.contains(toolset))
            && self.tools.as_ref().is_none_or(|t| t.contains(name))
    }
}

/// Every toolset the spec has (its tags), for `--toolsets`' check and help.
pub fn toolsets() -> BTreeSet<String> {
    spec_tools().into_iter().map(|t| t.toolset).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_snake_case() {
        assert_eq!(snake_case("list_deals"), "list_deals");
        assert_eq!(snake_case("listDeals"), "list_deals");
        assert_eq!(
            snake_case("get-product-by-external-id"),
            "get_product_by_external_id"
        );
    }

    #[test]
    fn english_keeps_the_english_half_and_drops_notes() {
        assert_eq!(
            english("Cria um negócio. / Creates a deal."),
            "Creates a deal."
        );
        assert_eq!(
            english("Só deste contato. / Only of this contact. Deliberate: an integer id."),
            "Only of this contact."
        );
        assert_eq!(
            english("Lista. / Lists.\n\nPass the `nextCursor`\nas `cursor`."),
            "Lists.\nPass the `nextCursor` as `cursor`."
        );
    }

    /// Every operation is a tool, every schema is self-contained (no
    /// `$ref` left) and closed, and the annotations follow the method.
    #[test]
    fn every_operation_is_a_tool_with_a_closed_self_contained_schema() {
        let tools = spec_tools();
        assert_eq!(tools.len(), kinbox_spec::spec().operations().len());
        for tool in &tools {
            let text = serde_json::to_string(&tool.input_schema).unwrap();
            assert!(!text.contains("$ref"), "{}: {text}", tool.name);
            assert!(!text.contains("Deliberate"), "{}: {text}", tool.name);
            assert_eq!(tool.input_schema["additionalProperties"], json!(false));
            assert!(!tool.description.is_empty(), "{}", tool.name);
            assert_eq!(tool.read_only, tool.operation.method == "GET");
            assert_eq!(
                tool.destructive,
                tool.input_schema["properties"].get(CONFIRM).is_some()
            );
        }
        let delete = tools.iter().find(|t| t.name == "delete_deal").unwrap();
        assert!(delete.destructive && delete.idempotent);
        assert_eq!(delete.input_schema["required"], json!(["id", "confirm"]));
        let text =
            serde_json::to_string(&tools.iter().map(|t| &t.input_schema).collect::<Vec<_>>())
                .unwrap();
        assert!(
            !text.contains("9223372036854775807"),
            "int64 bounds are the format's"
        );
        let create = tools.iter().find(|t| t.name == "create_deal").unwrap();
        assert!(create.input_schema["properties"]["body"]["properties"]["name"].is_object());
    }
}
