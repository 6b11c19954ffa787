//! Random values valid under a schema, for property tests: what a server
//! could answer (or a client send) under a description, whichever wrote it.
//!
//! ```
//! let spec = kinbox_spec::spec();
//! let schema = spec.response_schema("get_deal", 200).unwrap();
//! let mut sampler = kinbox_spec::Sampler::new(7);
//! let deal = sampler.sample(spec, &schema);
//! assert!(spec.response("get_deal", 200).unwrap().check(&deal).is_ok());
//! ```

use serde_json::{Map, Number, Value, json};

use crate::Spec;

/// Draws values from schemas; the same seed draws the same values.
#[derive(Clone, Debug)]
pub struct Sampler {
    state: u64,
    /// Chance, in percent, that an optional property is left out.
    pub omit_optional: u64,
    /// Chance, in percent, that a `nullable` value is `null`.
    pub null: u64,
    /// Chance, in percent, that an object open to other properties gets one.
    pub extra_property: u64,
}

/// How deep a value may nest before only the required parts are drawn.
const MAX_DEPTH: usize = 8;

impl Sampler {
    pub fn new(seed: u64) -> Self {
        Self {
            // Never zero: xorshift would stay at zero.
            state: seed ^ 0x9e37_79b9_7f4a_7c15,
            omit_optional: 40,
            null: 20,
            extra_property: 30,
        }
    }

    fn next(&mut self) -> u64 {
        // xorshift64*: small, fast, and enough to spread values.
        let mut x = self.state;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.state = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// A value valid under `schema` (an OpenAPI 3.0 schema of `spec`: `$ref`,
    /// `nullable`, `allOf`/`anyOf`/`oneOf`, `enum`, the JSON types and the
    /// formats `date-time`, `date`, `int32`, `int64`).
    pub fn sample(&mut self, spec: &Spec, schema: &Value) -> Value {
        self.draw(spec, schema, 0)
    }

    fn draw(&mut self, spec: &Spec, schema: &Value, depth: usize) -> Value {
        let schema = spec.resolve(schema);
        if schema.get("nullable") == Some(&Value::Bool(true)) && self.chance(self.null) {
            return Value::Null;
        }
        if let Some(Value::Array(values)) = schema.get("enum") {
            let values: Vec<&Value> = values.iter().filter(|v| !v.is_null()).collect();
            if !values.is_empty() {
                return values[self.below(values.len() as u64) as usize].clone();
            }
        }
        if let Some(Value::Array(parts)) = schema.get("allOf") {
            return self.draw(spec, &merged(spec, parts, schema), depth);
        }
        for key in ["anyOf", "oneOf"] {
            if let Some(Value::Array(branches)) = schema.get(key)
                && !branches.is_empty()
            {
                let branch = &branches[self.below(branches.len() as u64) as usize];
                return self.draw(spec, branch, depth);
            }
        }
        match schema.get("type").and_then(Value::as_str) {
            Some("object") => self.object(spec, schema, depth),
            Some("array") => {
                let count = if depth >= MAX_DEPTH { 0 } else { self.below(4) };
                // A list documented only by its example: items shaped like it.
                let example_item = schema.pointer("/example/0").map(schema_of_example);
                let items = schema
                    .get("items")
                    .cloned()
                    .or(example_item)
                    .unwrap_or(json!({}));
                Value::Array(
                    (0..count)
                        .map(|_| self.draw(spec, &items, depth + 1))
                        .collect(),
                )
            }
            Some("string") => Value::String(self.string(schema)),
            Some("integer") => Value::Number(self.integer(schema).into()),
            Some("number") => self.number(schema),
            Some("boolean") => Value::Bool(self.chance(50)),
            _ if schema.get("properties").is_some() => self.object(spec, schema, depth),
            _ => self.any(depth),
        }
    }

    fn object(&mut self, spec: &Spec, schema: &Value, depth: usize) -> Value {
        let required: Vec<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let mut object = Map::new();
        for (name, property) in schema
            .get("properties")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let wanted = required.contains(&name.as_str())
                || (depth < MAX_DEPTH && !self.chance(self.omit_optional));
            if wanted {
                object.insert(name.clone(), self.draw(spec, property, depth + 1));
            }
        }
        let more = match schema.get("additionalProperties") {
            Some(Value::Bool(false)) => None,
            Some(Value::Object(values)) if !values.is_empty() => {
                Some(Value::Object(values.clone()))
            }
            // Unless closed, JSON Schema lets an object hold other
            // properties: a server may add fields at any time.
            _ => Some(json!({})),
        };
        if let Some(values) = more {
            let count = if depth >= MAX_DEPTH || !self.chance(self.extra_property) {
                0
            } else {
                1 + self.below(2)
            };
            for n in 0..count {
                let name = format!("extra{}{n}", self.below(1000));
                if !object.contains_key(&name) {
                    object.insert(name, self.draw(spec, &values, depth + 1));
                }
            }
        }
        Value::Object(object)
    }

    fn string(&mut self, schema: &Value) -> String {
        match schema.get("format").and_then(Value::as_str) {
            Some("date-time") => {
                let offset = ["Z", "-03:00", "+00:00", ".123Z"][self.below(4) as usize];
                format!(
                    "20{:02}-{:02}-{:02}T{:02}:{:02}:{:02}{offset}",
                    10 + self.below(20),
                    1 + self.below(12),
                    1 + self.below(28),
                    self.below(24),
                    self.below(60),
                    self.below(60),
                )
            }
            Some("date") => format!(
                "20{:02}-{:02}-{:02}",
                10 + self.below(20),
                1 + self.below(12),
                1 + self.below(28)
            ),
            // The only patterns of the spec are integers written as text.
            _ if schema
                .get("pattern")
                .and_then(Value::as_str)
                .is_some_and(|pattern| pattern.contains("[0-9]")) =>
            {
                let digits = 1 + self.below(17) as u32;
                self.below(10u64.pow(digits)).to_string()
            }
            _ => {
                const PIECES: [&str; 12] = [
                    "a",
                    "Z",
                    "7",
                    " ",
                    "ç",
                    "ã",
                    "é",
                    "-",
                    "_",
                    "/",
                    "\u{1F600}",
                    "\"",
                ];
                (0..self.below(16))
                    .map(|_| PIECES[self.below(PIECES.len() as u64) as usize])
                    .collect()
            }
        }
    }

    fn integer(&mut self, schema: &Value) -> i64 {
        let (low, high) = match schema.get("format").and_then(Value::as_str) {
            Some("int32") => (i32::MIN as i64, i32::MAX as i64),
            _ => (-(1 << 40), 1 << 40),
        };
        let low = schema.get("minimum").and_then(Value::as_i64).unwrap_or(low);
        let high = schema
            .get("maximum")
            .and_then(Value::as_i64)
            .unwrap_or(high);
        let span = (high - low) as u64;
        // Small values and the bounds are the likeliest to matter.
        match self.below(4) {
            0 => low,
            1 => high,
            2 => low + self.below(span.min(100) + 1) as i64,
            _ => low + self.below(span.saturating_add(1)) as i64,
        }
    }

    fn number(&mut self, schema: &Value) -> Value {
        if schema.get("minimum").is_some() || schema.get("maximum").is_some() {
            return Value::Number(self.integer(schema).into());
        }
        match self.below(3) {
            0 => Value::Number((self.below(1000) as i64 - 100).into()),
            // Fractions, where a careless reader expects integers.
            1 => Number::from_f64((self.below(1_000_000) as f64) / 100.0 - 500.0)
                .map_or(Value::Null, Value::Number),
            _ => Number::from_f64(f64::from_bits(self.next() >> 2) % 1e12)
                .map_or_else(|| json!(0.5), Value::Number),
        }
    }

    /// Any JSON, for schemas that say nothing.
    fn any(&mut self, depth: usize) -> Value {
        match self.below(if depth >= MAX_DEPTH { 4 } else { 6 }) {
            0 => Value::Null,
            1 => Value::Bool(self.chance(50)),
            2 => json!(self.below(1000)),
            3 => Value::String(self.string(&json!({}))),
            4 => Value::Array((0..self.below(3)).map(|_| self.any(depth + 1)).collect()),
            _ => {
                let mut object = Map::new();
                for n in 0..self.below(3) {
                    object.insert(format!("k{n}"), self.any(depth + 1));
                }
                Value::Object(object)
            }
        }
    }
}

/// The schema an example value stands for: its JSON types, every field
/// optional.
fn schema_of_example(example: &Value) -> Value {
    match example {
        Value::Object(fields) => json!({
            "type": "object",
            "properties": fields
                .iter()
                .map(|(name, value)| (name.clone(), schema_of_example(value)))
                .collect::<Map<String, Value>>(),
        }),
        Value::Array(items) => json!({
            "type": "array",
            "items": items.first().map_or(json!({}), schema_of_example),
        }),
        Value::String(_) => json!({"type": "string"}),
        Value::Number(_) => json!({"type": "number"}),
        Value::Bool(_) => json!({"type": "boolean"}),
        Value::Null => json!({}),
    }
}

/// One schema from `allOf` parts and the siblings beside them (the spec's
/// `nullable` + `allOf: [$ref]` pattern): properties and `required` are
/// joined, other keywords of the first part that has them win.
fn merged(spec: &Spec, parts: &[Value], outer: &Value) -> Value {
    let mut schema = Map::new();
    let mut properties = Map::new();
    let mut required: Vec<Value> = Vec::new();
    for part in parts.iter().map(|part| spec.resolve(part)) {
        let Some(part) = part.as_object() else {
            continue;
        };
        for (key, value) in part {
            match key.as_str() {
                "properties" => {
                    for (name, property) in value.as_object().into_iter().flatten() {
                        properties.insert(name.clone(), property.clone());
                    }
                }
                "required" => required.extend(value.as_array().into_iter().flatten().cloned()),
                "nullable" => {}
                _ => {
                    schema.entry(key.clone()).or_insert_with(|| value.clone());
                }
            }
        }
    }
    if !properties.is_empty() {
        schema.insert("properties".to_owned(), Value::Object(properties));
    }
    if !required.is_empty() {
        schema.insert("required".to_owned(), Value::Array(required));
    }
    // `nullable` beside `allOf` was drawn already, by the caller.
    let _ = outer;
    Value::Object(schema)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_answer_drawn_from_the_spec_is_valid_under_it() {
        let spec = crate::spec();
        for operation in spec.operations() {
            let Some(schema) = spec.response_schema(&operation.id, operation.success_status) else {
                continue;
            };
            let check = spec
                .response(&operation.id, operation.success_status)
                .unwrap();
            for seed in 0..50 {
                let value = Sampler::new(seed).sample(spec, &schema);
                if let Err(violations) = check.check(&value) {
                    panic!("{} seed {seed}: {violations:?}\n{value:#}", operation.id);
                }
            }
        }
    }

    #[test]
    fn every_request_body_drawn_from_the_spec_is_valid_under_it() {
        let spec = crate::spec();
        for operation in spec.operations().iter().filter(|op| op.has_request_body) {
            let schema = spec.request_body_schema(&operation.id).unwrap().clone();
            let check = spec.request_body(&operation.id).unwrap();
            for seed in 0..50 {
                let value = Sampler::new(seed).sample(spec, &schema);
                if let Err(violations) = check.check(&value) {
                    panic!("{} seed {seed}: {violations:?}\n{value:#}", operation.id);
                }
            }
        }
    }

    #[test]
    fn the_same_seed_draws_the_same_value() {
        let spec = crate::spec();
        let schema = spec.response_schema("get_deal", 200).unwrap();
        assert_eq!(
            Sampler::new(3).sample(spec, &schema),
            Sampler::new(3).sample(spec, &schema)
        );
        assert_ne!(
            Sampler::new(3).sample(spec, &schema),
            Sampler::new(4).sample(spec, &schema)
        );
    }
}
