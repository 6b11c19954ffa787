//! Query and path parameters, checked with their schemas compiled once.
//!
//! Compiling a JSON Schema costs far more than using it (a list request
//! compiling its query's schemas tops out near a thousand per second), so a
//! [`ParameterCheck`] is built once per operation and location and kept by
//! the [`Spec`](crate::Spec).

use serde_json::Value;

use crate::{Parameter, SchemaCheck, Violation};

/// The declared parameters of one operation at one location (`query` or
/// `path`), ready to judge the text a request carries.
pub struct ParameterCheck {
    location: &'static str,
    /// In name order, so messages list them alphabetically.
    parameters: Vec<CompiledParameter>,
}

struct CompiledParameter {
    name: String,
    required: bool,
    /// The JSON type the text is read as before the schema judges it.
    json_type: Option<String>,
    check: SchemaCheck,
}

impl ParameterCheck {
    pub(crate) fn new<'a>(
        location: &'static str,
        parameters: impl Iterator<Item = (&'a Parameter, Option<String>, SchemaCheck)>,
    ) -> Self {
        let mut parameters: Vec<CompiledParameter> = parameters
            .map(|(parameter, json_type, check)| CompiledParameter {
                name: parameter.name.clone(),
                required: parameter.required,
                json_type,
                check,
            })
            .collect();
        parameters.sort_by(|a, b| a.name.cmp(&b.name));
        Self {
            location,
            parameters,
        }
    }

    /// The declared parameters' names, in alphabetical order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.parameters.iter().map(|p| p.name.as_str())
    }

    /// `Ok` when every pair names a declared parameter and its text matches
    /// the parameter's schema, and every required parameter is there; else
    /// one violation per problem, at `query.<name>` (or `path.<name>`).
    pub fn check(&self, pairs: &[(String, String)]) -> Result<(), Vec<Violation>> {
        let mut violations = Vec::new();
        for (name, text) in pairs {
            let Some(parameter) = self.parameters.iter().find(|p| &p.name == name) else {
                violations.push(self.violation(
                    name,
                    format!(
                        "unknown {} parameter; expected one of: {}",
                        self.location,
                        self.names().collect::<Vec<_>>().join(", ")
                    ),
                ));
                continue;
            };
            let value = typed(parameter.json_type.as_deref(), text);
            if let Err(found) = parameter.check.check(&value) {
                violations.extend(found.into_iter().map(|v| self.violation(name, v.message)));
            }
        }
        for parameter in self.parameters.iter().filter(|p| p.required) {
            if !pairs.iter().any(|(name, _)| name == &parameter.name) {
                violations.push(self.violation(
                    &parameter.name,
                    format!("required {} parameter is missing", self.location),
                ));
            }
        }
        if violations.is_empty() {
            Ok(())
        } else {
            Err(violations)
        }
    }

    fn violation(&self, name: &str, message: String) -> Violation {
        Violation {
            path: format!("{}.{name}", self.location),
            message,
        }
    }
}

/// Parameters travel as text: `42` is read as a number where the schema
/// wants one, so that the schema (not this code) judges it.
fn typed(json_type: Option<&str>, text: &str) -> Value {
    match json_type {
        Some("integer" | "number") => serde_json::from_str::<serde_json::Number>(text)
            .map(Value::Number)
            .unwrap_or_else(|_| Value::String(text.to_owned())),
        Some("boolean") => match text {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => Value::String(text.to_owned()),
        },
        _ => Value::String(text.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn text_is_read_as_the_schema_type_before_it_is_judged() {
        assert_eq!(typed(Some("integer"), "42"), json!(42));
        assert_eq!(typed(Some("integer"), "x"), json!("x"));
        assert_eq!(typed(Some("boolean"), "true"), json!(true));
        assert_eq!(typed(Some("boolean"), "1"), json!("1"));
        assert_eq!(typed(Some("string"), "42"), json!("42"));
        assert_eq!(typed(None, "42"), json!("42"));
    }
}
