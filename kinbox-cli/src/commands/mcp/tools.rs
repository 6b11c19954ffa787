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
    /// What its structured content holds; `None` for an operation that
    /// answers no JSON (a delete).
    pub output_schema: Option<Map<String, Value>>,
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

/// Every operation of the spec as a tool, in the spec's order; made once
/// (the schemas are inlined from the whole spec: milliseconds).
pub fn spec_tools() -> &'static [SpecTool] {
    static TOOLS: std::sync::OnceLock<Vec<SpecTool>> = std::sync::OnceLock::new();
    TOOLS.get_or_init(|| {
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
    })
}

/// An operation's toolset: its first tag in the spec (`deals`,
/// `pipelines`…), else `other`.
fn toolset_of(raw: &Value) -> String {
    raw.pointer("/tags/0")
        .and_then(Value::as_str)
        .unwrap_or("other")
        .to_owned()
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
    let toolset = toolset_of(raw);
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
    let output_schema = output_schema(&operation.id, summary_fields.as_deref());
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
        output_schema,
    }
}

/// The schema of what `operation_id` answers as a tool's structured
/// content ([`Way::Answer`]): the answer's schema, an array under
/// [`answer::ITEMS`](super::answer::ITEMS), and a list's items with only
/// `summary_fields` described (the others may come, with `all_fields`).
pub fn output_schema(
    operation_id: &str,
    summary_fields: Option<&[String]>,
) -> Option<Map<String, Value>> {
    let spec = kinbox_spec::spec();
    let status = spec.operation(operation_id)?.success_status;
    let answer = spec.response_schema(operation_id, status)?;
    let answer = inline(&kinbox_spec::to_json_schema(answer), 0, Way::Answer);
    let (mut schema, list) = if answer.get("type") == Some(&json!("array")) {
        let items = super::answer::ITEMS;
        (
            json!({"type": "object", "properties": {items: answer}}),
            format!("/properties/{items}/items/properties"),
        )
    } else {
        (answer, "/properties/data/items/properties".to_owned())
    };
    if let Some(fields) = summary_fields
        && let Some(Value::Object(properties)) = schema.pointer_mut(&list)
    {
        properties.retain(|name, _| fields.contains(name));
    }
    match schema {
        Value::Object(schema) if schema.get("type") == Some(&json!("object")) => Some(schema),
        _ => None,
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
        let mut schema = inline(&parameter.schema, 0, Way::Request);
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
        let mut body = inline(&kinbox_spec::to_json_schema(body.clone()), 0, Way::Request);
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

/// Which way a schema describes values: what a tool takes (a request) or
/// what it answers.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Way {
    /// Fields only answers carry (`readOnly`) are left out; every rule is
    /// kept, since a call is checked against it.
    Request,
    /// Fields only requests carry (`writeOnly`) are left out, and so is
    /// what an answer may drift from without being wrong for a reader: a
    /// field left out (`required`), one added (`additionalProperties:
    /// false`), a value the spec does not list yet (`enum`), lengths and
    /// patterns. A client checks structured content against it and fails
    /// the call when it does not fit: the schema says what fields mean,
    /// not more than the server keeps to. Descriptions are left to the
    /// input schemas, to keep `tools/list` small.
    Answer,
}

/// How many `$ref`s deep schemas are followed: the spec's schemas nest a
/// few; a cycle stops here as `{}` (any value) rather than looping.
const MAX_DEPTH: usize = 12;

/// `schema` with every `$ref` into the spec's schemas replaced by what it
/// names (made JSON Schema), and what costs a client's context without
/// telling it anything dropped: examples, maintainers' notes, the Portuguese
/// half of descriptions, fields only answers carry (`readOnly`).
pub fn inline(schema: &Value, depth: usize, way: Way) -> Value {
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
                    Some(target) => {
                        inline(&kinbox_spec::to_json_schema(target.clone()), depth + 1, way)
                    }
                    None => json!({}),
                };
            }
            let mut out = Map::new();
            for (key, value) in map {
                match key.as_str() {
                    "example" | "examples" | "xml" | "externalDocs" | "x-go-type" => {}
                    "description" | "required" | "enum" | "pattern" | "minLength" | "maxLength"
                    | "minItems" | "maxItems" | "minimum" | "maximum" | "default" | "title"
                        if way == Way::Answer => {}
                    "additionalProperties"
                        if way == Way::Answer && value == &Value::Bool(false) => {}
                    "description" => {
                        let text = english(value.as_str().unwrap_or_default());
                        if !text.is_empty() {
                            out.insert(key.clone(), Value::String(text));
                        }
                    }
                    "properties" => {
                        let mut properties = Map::new();
                        for (name, property) in value.as_object().into_iter().flatten() {
                            let left_out = match way {
                                Way::Request => "readOnly",
                                Way::Answer => "writeOnly",
                            };
                            if property.get(left_out) == Some(&Value::Bool(true)) {
                                continue;
                            }
                            properties.insert(name.clone(), inline(property, depth, way));
                        }
                        out.insert(key.clone(), Value::Object(properties));
                    }
                    _ => {
                        out.insert(key.clone(), inline(value, depth, way));
                    }
                }
            }
            Value::Object(compact(out))
        }
        Value::Array(items) => Value::Array(items.iter().map(|v| inline(v, depth, way)).collect()),
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
    // `anyOf` of one schema written twice (a closed enum or any string,
    // once the enum is left out) is that schema.
    if let Some(Value::Array(any)) = schema.get("anyOf")
        && let [first, rest @ ..] = any.as_slice()
        && !rest.is_empty()
        && rest.iter().all(|other| other == first)
        && let Value::Object(only) = first.clone()
    {
        schema.remove("anyOf");
        let mut merged = only;
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
    // Any value or null is any value.
    if let Some(Value::Array(any)) = schema.get("anyOf")
        && any.iter().any(|branch| branch == &json!({}))
    {
        schema.remove("anyOf");
    }
    // `oneOf`/`anyOf` of bare types (`{type: integer, format: int64}` or
    // `{type: string}` once an answer's pattern is left out) is their union.
    for key in ["oneOf", "anyOf"] {
        if let Some(Value::Array(branches)) = schema.get(key)
            && !schema.contains_key("type")
            && let Some(types) = branches
                .iter()
                .map(|branch| {
                    let branch = branch.as_object()?;
                    let bare = branch
                        .keys()
                        .all(|k| k == "type" || (k == "format" && is_integer_format(branch)));
                    match branch.get("type")? {
                        Value::String(kind) if bare => Some(vec![kind.clone()]),
                        Value::Array(kinds) if bare => kinds
                            .iter()
                            .map(|k| k.as_str().map(str::to_owned))
                            .collect(),
                        _ => None,
                    }
                })
                .collect::<Option<Vec<Vec<String>>>>()
        {
            let mut union: Vec<String> = Vec::new();
            for kind in types.into_iter().flatten() {
                if !union.contains(&kind) {
                    union.push(kind);
                }
            }
            schema.remove(key);
            schema.insert("type".into(), json!(union));
        }
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

/// An integer type whose format says only its range (`int64`), which the
/// answer's type union can leave out.
fn is_integer_format(schema: &Map<String, Value>) -> bool {
    schema.get("type") == Some(&json!("integer"))
        && matches!(
            schema.get("format").and_then(Value::as_str),
            Some("int32" | "int64")
        )
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

/// Every toolset the spec has (its tags), for `--toolsets`' check and
/// help: read from the operations alone, since every command's help is
/// built with it.
pub fn toolsets() -> BTreeSet<String> {
    let spec = kinbox_spec::spec();
    spec.operations()
        .iter()
        .filter_map(|operation| spec.raw_operation(&operation.id))
        .map(toolset_of)
        .collect()
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
        for tool in tools {
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
