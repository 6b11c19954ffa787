//! `cargo xtask reference-diff FILE`: how `openapi/kinbox.yaml` departs from
//! Kinbox's own reference description (its `/v1` paths), per operation and per
//! schema, with the departures our spec documents as deliberate set apart.
//!
//! Both documents are read as plain JSON values, not typed OpenAPI structs, so
//! that the reference's looseness (no `type`, `example`-only schemas, dangling
//! `$ref`s, unknown keywords) never stops the comparison.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use serde_json::{Map, Value, json};

/// Compares the spec at `ours` with the reference at `reference`, prints the
/// differences, and fails when some are not marked deliberate.
pub fn run(ours: &Path, reference: &Path) -> Result<ExitCode> {
    let ours_doc = load(ours)?;
    let reference_doc = load(reference)?;
    let report = compare(&ours_doc, &reference_doc);
    println!(
        "reference-diff: ours {} vs reference {} (/v1 paths)",
        ours.display(),
        reference.display()
    );
    print!("{}", report.render());
    Ok(if report.to_review() > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// Reads a JSON or YAML file into a JSON value.
fn load(path: &Path) -> Result<Value> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let value = match serde_json::from_str::<Value>(&text) {
        Ok(value) => value,
        Err(_) => yaml_to_json(
            serde_yaml::from_str(&text)
                .with_context(|| format!("{} is neither JSON nor YAML", path.display()))?,
        ),
    };
    anyhow::ensure!(
        value.get("paths").is_some_and(Value::is_object),
        "{} has no `paths`: it is not an OpenAPI description",
        path.display()
    );
    Ok(value)
}

/// YAML to JSON, keeping keys such as an unquoted `200:` as text.
fn yaml_to_json(value: serde_yaml::Value) -> Value {
    use serde_yaml::Value as Yaml;
    match value {
        Yaml::Null => Value::Null,
        Yaml::Bool(b) => Value::Bool(b),
        Yaml::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.into()
            } else if let Some(u) = n.as_u64() {
                u.into()
            } else {
                n.as_f64()
                    .and_then(serde_json::Number::from_f64)
                    .map_or(Value::Null, Value::Number)
            }
        }
        Yaml::String(s) => Value::String(s),
        Yaml::Sequence(items) => Value::Array(items.into_iter().map(yaml_to_json).collect()),
        Yaml::Mapping(map) => Value::Object(
            map.into_iter()
                .map(|(key, value)| {
                    let key = match key {
                        Yaml::String(s) => s,
                        Yaml::Number(n) => n.to_string(),
                        Yaml::Bool(b) => b.to_string(),
                        other => serde_yaml::to_string(&other)
                            .unwrap_or_default()
                            .trim()
                            .to_owned(),
                    };
                    (key, yaml_to_json(value))
                })
                .collect(),
        ),
        Yaml::Tagged(tagged) => yaml_to_json(tagged.value),
    }
}

/// The target of a local `$ref` (`#/components/...`), if it exists.
fn resolve<'a>(doc: &'a Value, reference: &str) -> Option<&'a Value> {
    doc.pointer(reference.strip_prefix('#')?)
}

/// Follows `$ref`s (of parameters, request bodies, responses) to their target.
fn deref<'a>(doc: &'a Value, mut value: &'a Value) -> &'a Value {
    for _ in 0..16 {
        match value.get("$ref").and_then(Value::as_str) {
            Some(reference) => match resolve(doc, reference) {
                Some(target) => value = target,
                None => break,
            },
            None => break,
        }
    }
    value
}

fn description(value: &Value) -> Vec<String> {
    value
        .get("description")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .into_iter()
        .collect()
}

// ---------------------------------------------------------------------------
// The marker convention.

/// The reason of the first `Deliberate: <reason>` in `descriptions`.
fn marker(descriptions: &[String]) -> Option<String> {
    descriptions
        .iter()
        .find_map(|text| markers(text).into_iter().find(|(scope, _)| scope.is_none()))
        .map(|(_, reason)| reason)
}

/// The reason of a `Deliberate(<name>, …): <reason>` naming `name`.
fn scoped_marker(descriptions: &[String], name: &str) -> Option<String> {
    descriptions.iter().find_map(|text| {
        markers(text).into_iter().find_map(|(scope, reason)| {
            scope
                .filter(|names| names.iter().any(|n| n == name))
                .map(|_| reason)
        })
    })
}

/// Every marker of a description: its scope (the names in parentheses, if
/// any) and its reason, cut to the first sentence.
fn markers(text: &str) -> Vec<(Option<Vec<String>>, String)> {
    const WORD: &str = "deliberate";
    let lower = text.to_ascii_lowercase();
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(offset) = lower[from..].find(WORD) {
        let start = from + offset;
        from = start + WORD.len();
        if lower[..start]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric())
        {
            continue;
        }
        let rest = &text[from..];
        let (scope, after) = if let Some(inside) = rest.strip_prefix('(') {
            let Some(close) = inside.find(')') else {
                continue;
            };
            let names = inside[..close]
                .split(',')
                .map(|name| name.trim().to_owned())
                .filter(|name| !name.is_empty())
                .collect();
            (Some(names), &inside[close + 1..])
        } else {
            (None, rest)
        };
        let Some(reason) = after.trim_start().strip_prefix(':') else {
            continue;
        };
        found.push((scope, first_sentence(reason)));
    }
    found
}

fn first_sentence(text: &str) -> String {
    let text = text.trim();
    let paragraph = text.split("\n\n").next().unwrap_or_default();
    let mut end = paragraph.len();
    for (index, c) in paragraph.char_indices() {
        if matches!(c, '.' | '!' | '?')
            && paragraph[index + 1..]
                .chars()
                .next()
                .is_none_or(char::is_whitespace)
        {
            end = index;
            break;
        }
    }
    let sentence = paragraph[..end]
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if sentence.is_empty() {
        "no reason given".to_owned()
    } else {
        sentence
    }
}

// ---------------------------------------------------------------------------
// Schemas, normalized.

/// What a schema says, once `$ref`, `allOf`, `anyOf` and `oneOf` are folded
/// in: our "open enums" (`anyOf: [Enum, string]`) read as the enum, our ids
/// (`oneOf: [integer, numeric string]`) as `integer|string`, a `{type: 'null'}`
/// alternative as `nullable`.
#[derive(Default, Clone)]
struct Shape {
    /// Empty: any type.
    types: BTreeSet<String>,
    format: Option<String>,
    enumeration: Option<BTreeSet<String>>,
    nullable: bool,
    properties: BTreeMap<String, Value>,
    required: BTreeSet<String>,
    items: Option<Value>,
    /// The schema of `additionalProperties`, when it has one.
    values: Option<Value>,
    /// The component this schema is (`#/components/schemas/Name`).
    component: Option<String>,
    descriptions: Vec<String>,
    /// Built from an `example`: its types are guesses, its required fields
    /// and enums unknown.
    inferred: bool,
    /// A `$ref` that points nowhere.
    unresolved: Option<String>,
}

impl Shape {
    fn name(&self) -> Option<&str> {
        self.component
            .as_deref()
            .map(|c| c.rsplit('/').next().unwrap_or(c))
    }

    fn is_null_only(&self) -> bool {
        self.nullable
            && self.types.is_empty()
            && self.enumeration.is_none()
            && self.properties.is_empty()
            && self.items.is_none()
            && self.values.is_none()
            && self.unresolved.is_none()
    }

    fn can_be(&self, kind: &str) -> bool {
        self.types.is_empty() || self.types.contains(kind)
    }

    /// `allOf` (and a `$ref`'s target): both hold.
    fn absorb(&mut self, other: Shape) {
        self.types = match (self.types.is_empty(), other.types.is_empty()) {
            (true, _) => other.types,
            (_, true) => std::mem::take(&mut self.types),
            _ => {
                let both: BTreeSet<_> = self.types.intersection(&other.types).cloned().collect();
                if both.is_empty() {
                    self.types.union(&other.types).cloned().collect()
                } else {
                    both
                }
            }
        };
        if self.format.is_none() {
            self.format = other.format;
        }
        self.enumeration = match (self.enumeration.take(), other.enumeration) {
            (Some(a), Some(b)) => Some(a.intersection(&b).cloned().collect()),
            (a, b) => a.or(b),
        };
        self.nullable |= other.nullable;
        for (name, schema) in other.properties {
            self.properties.entry(name).or_insert(schema);
        }
        self.required.extend(other.required);
        if self.items.is_none() {
            self.items = other.items;
        }
        if self.values.is_none() {
            self.values = other.values;
        }
        self.descriptions.extend(other.descriptions);
        self.inferred |= other.inferred;
        if self.unresolved.is_none() {
            self.unresolved = other.unresolved;
        }
    }

    /// `anyOf` / `oneOf`: one of them holds.
    fn absorb_alternatives(&mut self, alternatives: Vec<Shape>) {
        let mut either = Shape::default();
        let mut any_type = false;
        let mut required: Option<BTreeSet<String>> = None;
        let mut components = Vec::new();
        for alternative in alternatives {
            either.descriptions.extend(alternative.descriptions.clone());
            if alternative.is_null_only() {
                either.nullable = true;
                continue;
            }
            components.push(alternative.component.clone());
            any_type |= alternative.types.is_empty();
            either.types.extend(alternative.types);
            if either.format.is_none() {
                either.format = alternative.format;
            }
            if let Some(values) = alternative.enumeration {
                either
                    .enumeration
                    .get_or_insert_with(BTreeSet::new)
                    .extend(values);
            }
            either.nullable |= alternative.nullable;
            if !alternative.properties.is_empty() {
                required = Some(match required {
                    Some(r) => r.intersection(&alternative.required).cloned().collect(),
                    None => alternative.required,
                });
            }
            for (name, schema) in alternative.properties {
                either.properties.entry(name).or_insert(schema);
            }
            either.items = either.items.or(alternative.items);
            either.values = either.values.or(alternative.values);
            either.inferred |= alternative.inferred;
            either.unresolved = either.unresolved.or(alternative.unresolved);
        }
        if any_type {
            either.types.clear();
        }
        either.required = required.unwrap_or_default();
        if let [Some(component)] = components.as_slice()
            && self.properties.is_empty()
        {
            self.component = Some(component.clone());
        }
        self.absorb(either);
    }
}

/// The text of an enum value: strings as they are, others as JSON.
fn enum_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn json_type(value: &Value) -> Option<&'static str> {
    Some(match value {
        Value::Null => return None,
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    })
}

/// A schema guessed from an example, for the reference's example-only
/// answers.
fn schema_of_example(example: &Value) -> Value {
    let mut schema = match example {
        Value::Object(fields) => json!({
            "type": "object",
            "properties": fields
                .iter()
                .map(|(name, value)| (name.clone(), schema_of_example(value)))
                .collect::<Map<_, _>>(),
        }),
        Value::Array(elements) => {
            let items = if elements.iter().all(Value::is_object) && !elements.is_empty() {
                let mut fields = Map::new();
                for element in elements.iter().filter_map(Value::as_object) {
                    for (name, value) in element {
                        fields
                            .entry(name.clone())
                            .or_insert_with(|| schema_of_example(value));
                    }
                }
                json!({"type": "object", "properties": fields})
            } else {
                elements.first().map(schema_of_example).unwrap_or(json!({}))
            };
            json!({"type": "array", "items": items})
        }
        Value::Null => json!({"nullable": true}),
        Value::Number(_) => json!({"type": "number"}),
        other => json!({"type": json_type(other)}),
    };
    schema["x-inferred"] = Value::Bool(true);
    if let Some(items) = schema.get_mut("items") {
        items["x-inferred"] = Value::Bool(true);
    }
    schema
}

/// Folds a schema into its [`Shape`].
fn flatten(doc: &Value, schema: &Value, depth: usize) -> Shape {
    let mut shape = Shape::default();
    let Some(object) = schema.as_object() else {
        return shape;
    };
    if depth > 24 {
        return shape;
    }
    shape.descriptions = description(schema);
    shape.nullable = object.get("nullable") == Some(&Value::Bool(true));
    shape.inferred = object.get("x-inferred") == Some(&Value::Bool(true));
    if let Some(reference) = object.get("$ref").and_then(Value::as_str) {
        match resolve(doc, reference) {
            Some(target) => {
                let target = flatten(doc, target, depth + 1);
                shape.absorb(target);
            }
            None => shape.unresolved = Some(reference.to_owned()),
        }
        shape.component = Some(reference.to_owned());
        return shape;
    }
    match object.get("type") {
        Some(Value::String(kind)) => {
            shape.types.insert(kind.clone());
        }
        Some(Value::Array(kinds)) => {
            shape
                .types
                .extend(kinds.iter().filter_map(Value::as_str).map(str::to_owned));
        }
        _ => {}
    }
    if shape.types.remove("null") {
        shape.nullable = true;
    }
    shape.format = object
        .get("format")
        .and_then(Value::as_str)
        .map(str::to_owned);
    if let Some(values) = object.get("enum").and_then(Value::as_array) {
        shape.nullable |= values.iter().any(Value::is_null);
        shape.enumeration = Some(
            values
                .iter()
                .filter(|v| !v.is_null())
                .map(enum_text)
                .collect(),
        );
        if shape.types.is_empty() {
            shape
                .types
                .extend(values.iter().filter_map(json_type).map(str::to_owned));
        }
    }
    if let Some(properties) = object.get("properties").and_then(Value::as_object) {
        shape.properties = properties
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
    }
    if let Some(required) = object.get("required").and_then(Value::as_array) {
        shape.required = required
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect();
    }
    shape.items = match object.get("items") {
        Some(Value::Array(tuple)) => tuple.first().cloned(),
        Some(items) => Some(items.clone()),
        None => None,
    };
    shape.values = object
        .get("additionalProperties")
        .filter(|v| v.as_object().is_some_and(|o| !o.is_empty()))
        .cloned();
    if let Some(members) = object.get("allOf").and_then(Value::as_array) {
        let own_properties = !shape.properties.is_empty();
        let mut components = Vec::new();
        for member in members {
            let member = flatten(doc, member, depth + 1);
            components.push(member.component.clone());
            shape.absorb(member);
        }
        if let [Some(component)] = components.as_slice()
            && !own_properties
        {
            shape.component = Some(component.clone());
        }
    }
    for keyword in ["anyOf", "oneOf"] {
        if let Some(alternatives) = object.get(keyword).and_then(Value::as_array) {
            let alternatives = alternatives
                .iter()
                .map(|a| flatten(doc, a, depth + 1))
                .collect();
            shape.absorb_alternatives(alternatives);
        }
    }
    if shape.types.is_empty() {
        if !shape.properties.is_empty() || shape.values.is_some() {
            shape.types.insert("object".to_owned());
        } else if shape.items.is_some() {
            shape.types.insert("array".to_owned());
        }
    }
    let composed = ["allOf", "anyOf", "oneOf"]
        .iter()
        .any(|k| object.contains_key(*k));
    if !composed
        && shape.properties.is_empty()
        && shape.items.is_none()
        && shape.values.is_none()
        && shape.enumeration.is_none()
        && shape.types.iter().all(|t| t == "object" || t == "array")
        && let Some(example) = object.get("example").filter(|e| !e.is_null())
    {
        let guessed = flatten(doc, &schema_of_example(example), depth + 1);
        shape.absorb(guessed);
        shape.inferred = true;
    }
    shape
}

/// How a schema is named in a message: its component, else its types.
fn summary(shape: &Shape) -> String {
    match (shape.name(), &shape.unresolved) {
        (Some(name), Some(_)) => format!("{name} (a $ref to nothing)"),
        (Some(name), None) => name.to_owned(),
        (None, _) => types_text(&shape.types),
    }
}

fn types_text(types: &BTreeSet<String>) -> String {
    if types.is_empty() {
        "any".to_owned()
    } else {
        types.iter().cloned().collect::<Vec<_>>().join("|")
    }
}

fn enum_list(values: &BTreeSet<String>) -> String {
    format!(
        "[{}]",
        values.iter().cloned().collect::<Vec<_>>().join(", ")
    )
}

fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

/// Formats that change what a string holds; numeric formats (int64, float…)
/// are left out: the reference has none.
fn string_format(shape: &Shape) -> Option<&str> {
    shape
        .format
        .as_deref()
        .filter(|_| shape.types.contains("string"))
        .filter(|f| !matches!(*f, "int32" | "int64" | "float" | "double"))
}

// ---------------------------------------------------------------------------
// The comparison.

#[derive(Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Group {
    /// Path shape (`/v1/deals/{}`) and method rank.
    Operation(String, usize),
    /// Our component and the reference's.
    Schema(String, String),
}

struct Finding {
    /// 0 operation, 1 parameters, 2 request, 3 answers; 0 in schema groups.
    rank: u8,
    location: String,
    field: Vec<String>,
    message: String,
    deliberate: Option<String>,
}

impl Finding {
    fn place(&self) -> String {
        let mut field = String::new();
        for segment in &self.field {
            if segment == "[]" || segment == "{}" {
                field.push_str(segment);
            } else {
                field.push('.');
                field.push_str(segment);
            }
        }
        match (self.location.is_empty(), field.is_empty()) {
            (true, true) => "(schema)".to_owned(),
            (true, false) => field,
            (false, true) => self.location.clone(),
            (false, false) => format!("{} {field}", self.location),
        }
    }
}

#[derive(Default)]
struct Section {
    heading: String,
    used_by: BTreeSet<String>,
    findings: Vec<Finding>,
}

/// Where a comparison stands: what its findings are filed under, and the
/// deliberate marker that covers it.
#[derive(Clone)]
struct At {
    group: Group,
    rank: u8,
    location: String,
    field: Vec<String>,
    deliberate: Option<String>,
    /// Whether ours requires this field (true for bodies and parameters
    /// themselves): `nullable` is compared only then.
    required: bool,
    depth: usize,
}

impl At {
    fn child(&self, segment: &str) -> At {
        let mut child = self.clone();
        child.field.push(segment.to_owned());
        child.depth += 1;
        child
    }
}

struct Report {
    sections: BTreeMap<Group, Section>,
}

impl Report {
    fn findings(&self) -> impl Iterator<Item = &Finding> {
        self.sections.values().flat_map(|s| s.findings.iter())
    }

    fn to_review(&self) -> usize {
        self.findings().filter(|f| f.deliberate.is_none()).count()
    }

    fn render(&self) -> String {
        let mut out = String::new();
        for section in self.sections.values() {
            if section.findings.is_empty() {
                continue;
            }
            out.push_str(&section.heading);
            out.push('\n');
            if !section.used_by.is_empty() {
                let uses: Vec<_> = section.used_by.iter().cloned().collect();
                out.push_str(&format!("   used by: {}\n", uses.join("; ")));
            }
            let mut findings: Vec<&Finding> = section.findings.iter().collect();
            findings.sort_by(|a, b| {
                (a.rank, &a.location, &a.field).cmp(&(b.rank, &b.location, &b.field))
            });
            let width = findings
                .iter()
                .map(|f| f.place().chars().count())
                .max()
                .unwrap_or(0)
                .min(44);
            for finding in findings {
                let mut line = format!("  {:<width$}  {}", finding.place(), finding.message);
                if let Some(reason) = &finding.deliberate {
                    line.push_str(&format!("  [deliberate: {reason}]"));
                }
                out.push_str(line.trim_end());
                out.push('\n');
            }
        }
        let total = self.findings().count();
        let review = self.to_review();
        if total == 0 {
            out.push_str("no differences\n");
        }
        out.push_str(&format!(
            "{total} differences, {} deliberate, {review} to review\n",
            total - review
        ));
        out
    }
}

const METHODS: [&str; 8] = [
    "get", "post", "put", "patch", "delete", "head", "options", "trace",
];

struct Operation<'a> {
    method: &'static str,
    path: &'a str,
    item: &'a Value,
    op: &'a Value,
}

impl Operation<'_> {
    fn title(&self) -> String {
        format!("{} {}", self.method.to_uppercase(), self.path)
    }

    fn id(&self) -> Option<&str> {
        self.op.get("operationId").and_then(Value::as_str)
    }
}

/// `/v1/deals/{id}` and `/v1/deals/{externalId}` are one path.
fn path_shape(path: &str) -> String {
    let mut shape = String::new();
    let mut in_param = false;
    for c in path.trim_end_matches('/').chars() {
        match c {
            '{' => {
                in_param = true;
                shape.push_str("{}");
            }
            '}' => in_param = false,
            _ if in_param => {}
            _ => shape.push(c),
        }
    }
    shape
}

fn operations(doc: &Value) -> BTreeMap<(String, usize), Operation<'_>> {
    let mut found = BTreeMap::new();
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        return found;
    };
    for (path, item) in paths {
        if path != "/v1" && !path.starts_with("/v1/") {
            continue;
        }
        let item = deref(doc, item);
        for (rank, method) in METHODS.iter().enumerate() {
            if let Some(op) = item.get(*method).filter(|op| op.is_object()) {
                found.insert(
                    (path_shape(path), rank),
                    Operation {
                        method,
                        path,
                        item,
                        op,
                    },
                );
            }
        }
    }
    found
}

struct Parameter<'a> {
    /// `path {id}`, `query limit`.
    label: String,
    name: String,
    value: &'a Value,
}

/// An operation's parameters, those of its path item included; path
/// parameters are keyed by their position in the path, others by where and
/// name.
fn parameters<'a>(doc: &'a Value, operation: &Operation<'a>) -> BTreeMap<String, Parameter<'a>> {
    let names_in_path: Vec<&str> = operation
        .path
        .split('{')
        .skip(1)
        .filter_map(|s| s.split('}').next())
        .collect();
    let mut found = BTreeMap::new();
    for list in [operation.item, operation.op] {
        for parameter in list
            .get("parameters")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let parameter = deref(doc, parameter);
            let name = parameter.get("name").and_then(Value::as_str).unwrap_or("?");
            let place = parameter.get("in").and_then(Value::as_str).unwrap_or("?");
            let key = match names_in_path.iter().position(|n| *n == name) {
                Some(index) if place == "path" => format!("0 path {index:03}"),
                _ => format!("1 {place} {name}"),
            };
            let label = if place == "path" {
                format!("path {{{name}}}")
            } else {
                format!("{place} {name}")
            };
            found.insert(
                key,
                Parameter {
                    label,
                    name: name.to_owned(),
                    value: parameter,
                },
            );
        }
    }
    found
}

/// The schema of a body (request or response): its JSON content's, else the
/// first content's.
fn body_schema(body: &Value) -> Option<&Value> {
    let content = body.get("content")?.as_object()?;
    content
        .get("application/json")
        .or_else(|| content.values().next())?
        .get("schema")
}

fn success_responses<'a>(doc: &'a Value, op: &'a Value) -> BTreeMap<String, &'a Value> {
    op.get("responses")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter(|(code, _)| code.starts_with('2'))
        .map(|(code, response)| (code.clone(), deref(doc, response)))
        .collect()
}

struct Comparison<'a> {
    ours: &'a Value,
    reference: &'a Value,
    sections: BTreeMap<Group, Section>,
    /// Shared schemas still to compare: the group and both `$ref`s.
    pending: Vec<(Group, String, String)>,
}

fn compare(ours: &Value, reference: &Value) -> Report {
    let mut comparison = Comparison {
        ours,
        reference,
        sections: BTreeMap::new(),
        pending: Vec::new(),
    };
    let our_operations = operations(ours);
    let reference_operations = operations(reference);
    let keys: BTreeSet<_> = our_operations
        .keys()
        .chain(reference_operations.keys())
        .cloned()
        .collect();
    for key in keys {
        let (ours, reference) = (our_operations.get(&key), reference_operations.get(&key));
        comparison.operation(key, ours, reference);
    }
    while let Some((group, ours_ref, reference_ref)) = comparison.pending.pop() {
        comparison.shared_schema(group, &ours_ref, &reference_ref);
    }
    Report {
        sections: comparison.sections,
    }
}

impl Comparison<'_> {
    fn add(&mut self, at: &At, message: String, deliberate: Option<String>) {
        self.sections
            .entry(at.group.clone())
            .or_default()
            .findings
            .push(Finding {
                rank: at.rank,
                location: at.location.clone(),
                field: at.field.clone(),
                message,
                deliberate,
            });
    }

    fn operation(
        &mut self,
        key: (String, usize),
        ours: Option<&Operation>,
        reference: Option<&Operation>,
    ) {
        let group = Group::Operation(key.0, key.1);
        let mut heading = format!(
            "== operation {}",
            ours.or(reference).map(Operation::title).unwrap_or_default()
        );
        let ids: Vec<String> = [
            ours.and_then(Operation::id).map(str::to_owned),
            reference
                .and_then(Operation::id)
                .map(|id| format!("reference: {id}")),
        ]
        .into_iter()
        .flatten()
        .collect();
        if !ids.is_empty() {
            heading.push_str(&format!(" ({})", ids.join("; ")));
        }
        if let (Some(o), Some(r)) = (ours, reference)
            && o.path != r.path
        {
            heading.push_str(&format!(" [reference path: {}]", r.path));
        }
        self.sections.entry(group.clone()).or_default().heading = heading;
        let at = At {
            group,
            rank: 0,
            location: "operation".to_owned(),
            field: Vec::new(),
            deliberate: None,
            required: true,
            depth: 0,
        };
        let (o, r) = match (ours, reference) {
            (Some(o), Some(r)) => (o, r),
            (Some(o), None) => {
                let deliberate = marker(&description(o.op));
                self.add(&at, "only in ours".to_owned(), deliberate);
                return;
            }
            (None, Some(r)) => {
                let info = self.ours.get("info").map(description).unwrap_or_default();
                let deliberate = markers_for_operation(&info, r);
                self.add(&at, "only in the reference".to_owned(), deliberate);
                return;
            }
            (None, None) => return,
        };
        let op_descriptions = description(o.op);
        let at = At {
            deliberate: marker(&op_descriptions),
            ..at
        };
        self.parameters(&at, o, r, &op_descriptions);
        self.request(&at, o, r);
        self.responses(&at, o, r);
    }

    fn parameters(&mut self, at: &At, o: &Operation, r: &Operation, op_descriptions: &[String]) {
        let ours = parameters(self.ours, o);
        let reference = parameters(self.reference, r);
        let keys: BTreeSet<&String> = ours.keys().chain(reference.keys()).collect();
        for key in keys {
            let (op, rp) = (ours.get(key), reference.get(key));
            let mut at = At {
                rank: 1,
                location: op.or(rp).map(|p| p.label.clone()).unwrap_or_default(),
                ..at.clone()
            };
            let name = op.or(rp).map(|p| p.name.as_str()).unwrap_or_default();
            at.deliberate = at
                .deliberate
                .or_else(|| scoped_marker(op_descriptions, name));
            match (op, rp) {
                (Some(p), None) => {
                    let deliberate = at
                        .deliberate
                        .clone()
                        .or_else(|| marker(&description(p.value)));
                    self.add(&at, "only in ours".to_owned(), deliberate);
                }
                (None, Some(_)) => {
                    let deliberate = at.deliberate.clone();
                    self.add(&at, "only in the reference".to_owned(), deliberate);
                }
                (Some(p), Some(q)) => {
                    at.deliberate = at.deliberate.or_else(|| marker(&description(p.value)));
                    let required = |v: &Value| {
                        v.get("in").and_then(Value::as_str) == Some("path")
                            || v.get("required") == Some(&Value::Bool(true))
                    };
                    let (ours_required, reference_required) =
                        (required(p.value), required(q.value));
                    if ours_required != reference_required {
                        let message = format!(
                            "required: ours {}, reference {}",
                            yes_no(ours_required),
                            yes_no(reference_required)
                        );
                        self.add(&at, message, at.deliberate.clone());
                    }
                    let null = Value::Null;
                    self.schema(
                        p.value.get("schema").unwrap_or(&null),
                        q.value.get("schema").unwrap_or(&null),
                        &at,
                    );
                }
                (None, None) => {}
            }
        }
    }

    fn request(&mut self, at: &At, o: &Operation, r: &Operation) {
        let ours = o.op.get("requestBody").map(|b| deref(self.ours, b));
        let reference = r.op.get("requestBody").map(|b| deref(self.reference, b));
        let at = At {
            rank: 2,
            location: "request".to_owned(),
            ..at.clone()
        };
        self.body(&at, ours, reference);
    }

    fn responses(&mut self, at: &At, o: &Operation, r: &Operation) {
        let ours = success_responses(self.ours, o.op);
        let reference = success_responses(self.reference, r.op);
        let codes: BTreeSet<&String> = ours.keys().chain(reference.keys()).collect();
        for code in codes {
            let at = At {
                rank: 3,
                location: format!("response {code}"),
                ..at.clone()
            };
            self.body(&at, ours.get(code).copied(), reference.get(code).copied());
        }
    }

    /// A request body or a response, and its schema.
    fn body(&mut self, at: &At, ours: Option<&Value>, reference: Option<&Value>) {
        let (o, r) = match (ours, reference) {
            (Some(o), Some(r)) => (o, r),
            (Some(o), None) => {
                let deliberate = at.deliberate.clone().or_else(|| marker(&description(o)));
                self.add(at, "only in ours".to_owned(), deliberate);
                return;
            }
            (None, Some(_)) => {
                self.add(
                    at,
                    "only in the reference".to_owned(),
                    at.deliberate.clone(),
                );
                return;
            }
            (None, None) => return,
        };
        let at = At {
            deliberate: at.deliberate.clone().or_else(|| marker(&description(o))),
            ..at.clone()
        };
        if at.rank == 2 {
            let required = |v: &Value| v.get("required") == Some(&Value::Bool(true));
            if required(o) != required(r) {
                let message = format!(
                    "required: ours {}, reference {}",
                    yes_no(required(o)),
                    yes_no(required(r))
                );
                self.add(&at, message, at.deliberate.clone());
            }
        }
        match (body_schema(o), body_schema(r)) {
            (Some(os), Some(rs)) => self.schema(os, rs, &at),
            (Some(os), None) => {
                let shape = flatten(self.ours, os, 0);
                let message = format!("body: ours {}, reference none", summary(&shape));
                let deliberate = at
                    .deliberate
                    .clone()
                    .or_else(|| marker(&shape.descriptions));
                self.add(&at, message, deliberate);
            }
            (None, Some(rs)) => {
                let shape = flatten(self.reference, rs, 0);
                let message = format!("body: ours none, reference {}", summary(&shape));
                self.add(&at, message, at.deliberate.clone());
            }
            (None, None) => {}
        }
    }

    /// Compares two schemas met at `at`; a pair of shared object schemas is
    /// compared once, in its own section.
    fn schema(&mut self, ours: &Value, reference: &Value, at: &At) {
        if at.depth > 40 {
            return;
        }
        let os = flatten(self.ours, ours, 0);
        let rs = flatten(self.reference, reference, 0);
        let at = At {
            deliberate: at.deliberate.clone().or_else(|| marker(&os.descriptions)),
            ..at.clone()
        };
        if let (Some(oc), Some(rc), Some(on), Some(rn)) =
            (&os.component, &rs.component, os.name(), rs.name())
            && (!os.properties.is_empty() || !rs.properties.is_empty())
        {
            let group = Group::Schema(on.to_owned(), rn.to_owned());
            let place = Finding {
                rank: 0,
                location: at.location.clone(),
                field: at.field.clone(),
                message: String::new(),
                deliberate: None,
            };
            let used_at = match &at.group {
                Group::Operation(..) => {
                    let title = self.sections[&at.group]
                        .heading
                        .trim_start_matches("== operation ")
                        .split(" (")
                        .next()
                        .unwrap_or_default()
                        .to_owned();
                    format!("{title} {}", place.place())
                }
                Group::Schema(name, _) => format!("{name} {}", place.place()),
            };
            let section = self.sections.entry(group.clone()).or_default();
            if section.heading.is_empty() {
                section.heading = if on == rn {
                    format!("== schema {on}")
                } else {
                    format!("== schema {on} (reference: {rn})")
                };
                self.pending.push((group, oc.clone(), rc.clone()));
            }
            self.sections
                .get_mut(&Group::Schema(on.to_owned(), rn.to_owned()))
                .expect("just made")
                .used_by
                .insert(used_at);
            self.nullable(&os, &rs, &at);
            return;
        }
        self.shapes(&os, &rs, &at);
    }

    fn shared_schema(&mut self, group: Group, ours_ref: &str, reference_ref: &str) {
        let os = flatten(self.ours, &json!({ "$ref": ours_ref }), 0);
        let rs = flatten(self.reference, &json!({ "$ref": reference_ref }), 0);
        let at = At {
            group,
            rank: 0,
            location: String::new(),
            field: Vec::new(),
            deliberate: marker(&os.descriptions),
            required: true,
            depth: 0,
        };
        self.shapes(&os, &rs, &at);
    }

    fn nullable(&mut self, os: &Shape, rs: &Shape, at: &At) {
        if at.required && !rs.inferred && os.nullable != rs.nullable {
            let message = format!(
                "nullable: ours {}, reference {}",
                yes_no(os.nullable),
                yes_no(rs.nullable)
            );
            self.add(at, message, at.deliberate.clone());
        }
    }

    fn shapes(&mut self, os: &Shape, rs: &Shape, at: &At) {
        let loose = rs.inferred;
        let types = |shape: &Shape| -> BTreeSet<String> {
            shape
                .types
                .iter()
                .map(|t| if loose && t == "integer" { "number" } else { t })
                .map(str::to_owned)
                .collect()
        };
        let (ot, rt) = (types(os), types(rs));
        let note = if loose {
            " (the reference only gives an example)"
        } else {
            ""
        };
        if ot != rt && !(loose && (ot.is_empty() || rt.is_empty())) {
            let message = format!(
                "type: ours {}, reference {}{note}",
                types_text(&ot),
                types_text(&rt)
            );
            self.add(at, message, at.deliberate.clone());
        }
        if !loose {
            let (of, rf) = (string_format(os), string_format(rs));
            if of != rf && os.types.contains("string") && rs.types.contains("string") {
                let message = format!(
                    "format: ours {}, reference {}",
                    of.unwrap_or("none"),
                    rf.unwrap_or("none")
                );
                self.add(at, message, at.deliberate.clone());
            }
            let message = match (&os.enumeration, &rs.enumeration) {
                (Some(a), Some(b)) if a != b => Some(format!(
                    "enum: ours {}, reference {}",
                    enum_list(a),
                    enum_list(b)
                )),
                (Some(a), None) => Some(format!("enum: ours {}, reference none", enum_list(a))),
                (None, Some(b)) => Some(format!("enum: ours none, reference {}", enum_list(b))),
                _ => None,
            };
            if let Some(message) = message {
                self.add(at, message, at.deliberate.clone());
            }
        }
        self.nullable(os, rs, at);

        if os.can_be("object")
            && rs.can_be("object")
            && (!os.properties.is_empty() || !rs.properties.is_empty())
        {
            let names: BTreeSet<&String> =
                os.properties.keys().chain(rs.properties.keys()).collect();
            for name in names {
                let mut child = at.child(name);
                child.deliberate = child
                    .deliberate
                    .or_else(|| scoped_marker(&os.descriptions, name));
                let ours_required = os.required.contains(name);
                child.required = ours_required;
                match (os.properties.get(name), rs.properties.get(name)) {
                    (Some(o), None) => {
                        let deliberate = child
                            .deliberate
                            .clone()
                            .or_else(|| marker(&flatten(self.ours, o, 0).descriptions));
                        let required = if ours_required { ", required" } else { "" };
                        self.add(&child, format!("only in ours{required}{note}"), deliberate);
                    }
                    (None, Some(_)) => {
                        self.add(
                            &child,
                            format!(
                                "only in the reference{}{note}",
                                if rs.required.contains(name) {
                                    ", required there"
                                } else {
                                    ""
                                }
                            ),
                            child.deliberate.clone(),
                        );
                    }
                    (Some(o), Some(r)) => {
                        let reference_required = rs.required.contains(name);
                        if !loose && ours_required != reference_required {
                            let deliberate = child
                                .deliberate
                                .clone()
                                .or_else(|| marker(&flatten(self.ours, o, 0).descriptions));
                            let message = format!(
                                "required: ours {}, reference {}",
                                yes_no(ours_required),
                                yes_no(reference_required)
                            );
                            self.add(&child, message, deliberate);
                        }
                        self.schema(o, r, &child);
                    }
                    (None, None) => {}
                }
            }
        }

        if os.can_be("array") && rs.can_be("array") {
            self.nested(os.items.as_ref(), rs.items.as_ref(), at, "[]", "items");
        }
        if os.can_be("object") && rs.can_be("object") {
            self.nested(os.values.as_ref(), rs.values.as_ref(), at, "{}", "values");
        }
    }

    /// Array items, or the values of a map (`additionalProperties`).
    fn nested(
        &mut self,
        ours: Option<&Value>,
        reference: Option<&Value>,
        at: &At,
        segment: &str,
        what: &str,
    ) {
        let mut child = at.child(segment);
        child.required = true;
        match (ours, reference) {
            (Some(o), Some(r)) => self.schema(o, r, &child),
            (Some(o), None) => {
                let shape = flatten(self.ours, o, 0);
                let message = format!("{what}: ours {}, reference not documented", summary(&shape));
                let deliberate = child
                    .deliberate
                    .clone()
                    .or_else(|| marker(&shape.descriptions));
                self.add(&child, message, deliberate);
            }
            (None, Some(r)) => {
                let shape = flatten(self.reference, r, 0);
                let message = format!("{what}: ours not documented, reference {}", summary(&shape));
                self.add(&child, message, child.deliberate.clone());
            }
            (None, None) => {}
        }
    }
}

/// A `Deliberate(GET /v1/path): …` in our `info.description`, for an operation
/// only the reference has.
fn markers_for_operation(info: &[String], operation: &Operation) -> Option<String> {
    let wanted = format!(
        "{} {}",
        operation.method.to_uppercase(),
        path_shape(operation.path)
    );
    info.iter().find_map(|text| {
        markers(text).into_iter().find_map(|(scope, reason)| {
            scope
                .filter(|names| {
                    names.iter().any(|name| {
                        let mut parts = name.splitn(2, ' ');
                        let method = parts.next().unwrap_or_default().to_uppercase();
                        let path = path_shape(parts.next().unwrap_or_default().trim());
                        format!("{method} {path}") == wanted
                    })
                })
                .map(|_| reason)
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_read_scope_and_first_sentence() {
        let found = markers(
            "Nome. / Name. Deliberate: the API sends ids as text. More here.\n\
             deliberate(color, size): not sent by the shop",
        );
        assert_eq!(found.len(), 2);
        assert_eq!(found[0], (None, "the API sends ids as text".to_owned()));
        assert_eq!(
            found[1],
            (
                Some(vec!["color".to_owned(), "size".to_owned()]),
                "not sent by the shop".to_owned()
            )
        );
        assert!(markers("Deliberately vague, undeliberate: no").is_empty());
    }

    #[test]
    fn open_enums_and_ids_normalize() {
        let doc = json!({"components": {"schemas": {
            "Kind": {"type": "string", "enum": ["a", "b"]},
            "KindOrOther": {"anyOf": [{"$ref": "#/components/schemas/Kind"}, {"type": "string"}]},
            "Id": {"oneOf": [{"type": "integer"}, {"type": "string", "pattern": "^[0-9]+$"}]},
        }}});
        let kind = flatten(
            &doc,
            &json!({"$ref": "#/components/schemas/KindOrOther"}),
            0,
        );
        assert_eq!(types_text(&kind.types), "string");
        assert_eq!(enum_list(kind.enumeration.as_ref().unwrap()), "[a, b]");
        let id = flatten(
            &doc,
            &json!({"nullable": true, "allOf": [{"$ref": "#/components/schemas/Id"}]}),
            0,
        );
        assert_eq!(types_text(&id.types), "integer|string");
        assert!(id.nullable);
        assert_eq!(id.name(), Some("Id"));
    }

    #[test]
    fn example_only_schemas_are_guessed() {
        let shape = flatten(
            &Value::Null,
            &json!({"type": "array", "example": [{"n": "1", "at": 2}, {"extra": true}]}),
            0,
        );
        assert!(shape.inferred);
        let items = flatten(&Value::Null, shape.items.as_ref().unwrap(), 0);
        let names: Vec<_> = items.properties.keys().cloned().collect();
        assert_eq!(names, ["at", "extra", "n"]);
    }
}
