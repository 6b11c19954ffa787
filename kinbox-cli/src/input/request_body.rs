//! The body of a generated operation, built once and in one order: the
//! `--json-body` file (or stdin), then the flags given on the command line,
//! then what lookups by name found, then what the API requires and a person
//! leaves out (`defaults.rs`). The result is checked against the spec's
//! request schema, naming the field and the flags that give it, and only
//! then handed to the generated code, which turns it into the SDK's typed
//! body: what gets sent.
//!
//! progenitor's generated commands take a body only as a file
//! (`--json-body PATH`, replacing whatever their flags set), so the finished
//! body reaches them as a private temporary file, through a second parse of
//! the command that carries only the path parameters and that file.

use std::path::PathBuf;

use clap::parser::ValueSource;
use clap::{ArgMatches, Command};
use serde_json::{Map, Value};

use crate::CliError;
use crate::input::limits;

/// The arguments the generated code gives every operation with a body.
pub const ARG: &str = "json-body";
pub const TEMPLATE_ARG: &str = "json-body-template";

pub fn help() -> &'static str {
    "Read the request body from a JSON file (`-` reads stdin); flags given too override \
     its fields"
}

/// A request body being put together for one operation.
#[derive(Debug)]
pub struct Body {
    operation_id: String,
    /// Where the `--json-body` fields came from: `'deal.json'` or `<stdin>`.
    source: Option<String>,
    fields: Map<String, Value>,
}

impl Body {
    /// The `--json-body` file's fields with the flags given laid over them;
    /// `None` for an operation without a body.
    ///
    /// `generated` is the command as progenitor built it: only its flags are
    /// body fields, not those this tool adds (`--pipeline`, `--custom-field`…).
    pub fn assemble(
        operation_id: &str,
        command_name: &str,
        generated: &Command,
        leaf: &Command,
        matches: &ArgMatches,
    ) -> Result<Option<Body>, CliError> {
        if leaf.get_arguments().all(|a| a.get_id() != ARG) {
            return Ok(None);
        }
        if matches
            .try_get_one::<bool>(TEMPLATE_ARG)
            .is_ok_and(|flag| flag == Some(&true))
        {
            return Err(CliError::usage(format!(
                "--json-body-template is not supported; `{command_name} --help` lists the \
                 body's fields"
            )));
        }
        let (source, mut fields) = match matches.get_one::<PathBuf>(ARG) {
            Some(path) => {
                let (source, fields) = read_file(path)?;
                (Some(source), fields)
            }
            None => (None, Map::new()),
        };
        let properties = properties(operation_id);
        let given = |id: &str| matches.value_source(id) == Some(ValueSource::CommandLine);
        let mut flag_fields = 0;
        for arg in generated.get_arguments() {
            let id = arg.get_id().as_str();
            let Some((name, schema)) = properties
                .iter()
                .find(|(name, _)| flag_of(name) == id)
                .filter(|_| given(id))
            else {
                continue;
            };
            fields.insert(name.clone(), flag_value(matches, id, schema));
            flag_fields += 1;
        }
        // Flags of this tool that fill the body after a lookup count too
        // (`deals update --contact-id`).
        let other_flags = leaf
            .get_arguments()
            .filter(|arg| arg.get_long().is_some() && !arg.is_global_set())
            .any(|arg| given(arg.get_id().as_str()));
        if source.is_none() && flag_fields == 0 && !other_flags {
            return Err(CliError::usage(format!(
                "nothing to send: give at least one field flag or --json-body FILE \
                 (see `{command_name} --help`)"
            )));
        }
        Ok(Some(Body {
            operation_id: operation_id.to_owned(),
            source,
            fields,
        }))
    }

    /// The field `name` as it stands now.
    pub fn field(&self, name: &str) -> Option<&Value> {
        self.fields.get(name)
    }

    /// Lays `fields` over the body's: values found by a lookup win over the
    /// file's and the flags' own.
    pub fn overlay(&mut self, fields: Map<String, Value>) {
        self.fields.extend(fields);
    }

    /// The fields, to fill what is left out.
    pub fn fields_mut(&mut self) -> &mut Map<String, Value> {
        &mut self.fields
    }

    /// Holds the body to the spec's request schema before anything is sent:
    /// a field the API does not take is refused (it would be dropped);
    /// a missing required field is named with the flags that give it; a
    /// value that does not fit is refused with its field named.
    pub fn check(&self, leaf: &Command) -> Result<(), CliError> {
        let Some(schema) = kinbox_spec::request_body_schema_of(&self.operation_id) else {
            return Ok(());
        };
        let mut problems: Vec<String> = schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .filter(|name| !self.fields.contains_key(*name))
            .map(|name| format!("{name} is missing: give {}", ways_to_give(name, leaf)))
            .collect();
        // A field the API does not take would be dropped without a word by
        // the typed body: `{"tags": ["VIP"]}` made a deal without tags.
        if let Some(known) = schema.get("properties").and_then(Value::as_object) {
            for name in self.fields.keys().filter(|name| !known.contains_key(*name)) {
                let mut hints = vec!["remove it".to_owned()];
                if let Some(flag) = crate::input::name_flags::flag_for_field(name, leaf) {
                    hints.push(format!("to give it by name, use --{flag}"));
                }
                // A question, so it comes last.
                let close =
                    kinbox_input::matching::did_you_mean(name, known.keys().map(String::as_str));
                if !close.is_empty() {
                    hints.push(close.trim_end().to_owned());
                }
                problems.push(format!(
                    "`{}` is not a field of this request: {}",
                    crate::error::printable(name),
                    hints.join("; ")
                ));
            }
        }
        // Values from flags are typed by their parsers; only a file's need
        // the schema (whose validator takes longer to build than the rest
        // of a command).
        // A file's fields are read into the operation's typed body, as the
        // request will be (serde names the field that does not fit); the
        // flags' values are typed by their parsers already. The spec's
        // request bodies say nothing their types do not (no bounds, no
        // patterns), so no JSON Schema validator is built: building one took
        // longer than the rest of the command.
        if problems.is_empty()
            && self.source.is_some()
            && let Err(error) = kinbox_api::check_request_body(
                &self.operation_id,
                &Value::Object(self.fields.clone()),
            )
        {
            problems.push(error.to_string());
        }
        if problems.is_empty() {
            return Ok(());
        }
        let what = match &self.source {
            Some(_) => format!(
                " (the JSON body{}, with the flags applied)",
                self.in_source()
            ),
            None => String::new(),
        };
        Err(CliError::usage(format!(
            "nothing was sent: the request{what} needs changes:\n  {}",
            problems.join("\n  ")
        )))
    }

    fn in_source(&self) -> String {
        self.source
            .as_ref()
            .map(|source| format!(" in {source}"))
            .unwrap_or_default()
    }

    /// The matches the generated code runs with: the command's path
    /// parameters as given, and this body as its `--json-body` file, which
    /// lives as long as the returned handle.
    pub fn into_matches(
        self,
        leaf: &Command,
        matches: &ArgMatches,
    ) -> Result<(tempfile::TempPath, ArgMatches), CliError> {
        let file = tempfile::NamedTempFile::new()
            .map_err(|e| CliError::failure(format!("cannot create a temporary file: {e}")))?
            .into_temp_path();
        let text = serde_json::to_vec(&self.fields).expect("a JSON object always serializes");
        std::fs::write(&file, text)
            .map_err(|e| CliError::failure(format!("cannot write a temporary file: {e}")))?;
        let mut argv: Vec<std::ffi::OsString> = vec![
            leaf.get_name().into(),
            format!("--{ARG}").into(),
            file.as_os_str().to_owned(),
            "--".into(),
        ];
        for arg in leaf.get_arguments().filter(|arg| arg.is_positional()) {
            if let Some(values) = matches.get_raw(arg.get_id().as_str()) {
                argv.extend(values.map(ToOwned::to_owned));
            }
        }
        let matches = leaf
            .clone()
            .try_get_matches_from(argv)
            .map_err(|e| CliError::failure(format!("cannot pass the body on: {e}")))?;
        Ok((file, matches))
    }
}

/// Reads a `--json-body` file (or stdin): it must hold one JSON object.
fn read_file(path: &std::path::Path) -> Result<(String, Map<String, Value>), CliError> {
    let (what, text) = limits::read_body(path).map_err(CliError::usage)?;
    let source = match what.strip_prefix("the JSON body file ") {
        Some(file) => file.to_owned(),
        None => "<stdin>".to_owned(),
    };
    match serde_json::from_str::<Value>(&text) {
        Ok(Value::Object(fields)) => Ok((source, fields)),
        Ok(other) => Err(CliError::usage(format!(
            "the JSON body in {source} must be an object ({{\"name\": …}}), not {}",
            kind(&other)
        ))),
        Err(e) => Err(CliError::usage(format!(
            "the JSON body in {source} is not valid JSON: {e}"
        ))),
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The request schema's properties of `operation_id`, by name.
fn properties(operation_id: &str) -> Vec<(String, Value)> {
    kinbox_spec::request_body_schema_of(operation_id)
        .and_then(|schema| schema.get("properties"))
        .and_then(Value::as_object)
        .map(|properties| {
            properties
                .iter()
                .map(|(name, schema)| (name.clone(), schema.clone()))
                .collect()
        })
        .unwrap_or_default()
}

/// The flag progenitor makes for a body field: its name in kebab case
/// (`lostReasonObs` → `lost-reason-obs`).
pub fn flag_of(field: &str) -> String {
    let mut flag = String::with_capacity(field.len() + 4);
    for c in field.chars() {
        if c.is_uppercase() {
            if !flag.is_empty() {
                flag.push('-');
            }
            flag.extend(c.to_lowercase());
        } else if c == '_' {
            flag.push('-');
        } else {
            flag.push(c);
        }
    }
    flag
}

/// How a person gives a required field: its flag, the flags that find it
/// by name, or the file.
fn ways_to_give(field: &str, leaf: &Command) -> String {
    let flag = flag_of(field);
    let mut ways: Vec<String> = leaf
        .get_arguments()
        .filter(|arg| arg.get_id() == flag.as_str())
        .map(|arg| {
            let value = arg
                .get_value_names()
                .and_then(|names| names.first())
                .map(ToString::to_string)
                .unwrap_or_else(|| "VALUE".to_owned());
            format!("--{flag} {value}")
        })
        .collect();
    ways.extend(
        crate::input::name_flags::name_flags(field)
            .iter()
            .filter(|(long, _)| leaf.get_arguments().any(|a| a.get_long() == Some(long)))
            .map(|(long, value)| format!("--{long} {value}")),
    );
    ways.push(format!("\"{field}\" in --json-body"));
    match ways.len() {
        1 => ways.remove(0),
        _ => {
            let last = ways.pop().unwrap_or_default();
            format!("{} or {last}", ways.join(", "))
        }
    }
}

/// The flag's value as the field's JSON type says; enums and text are the
/// text given, which is what they serialize to.
fn flag_value(matches: &ArgMatches, id: &str, schema: &Value) -> Value {
    let schema = kinbox_spec::resolve_ref(schema);
    let (kind, format) = (
        schema.get("type").and_then(Value::as_str),
        schema.get("format").and_then(Value::as_str),
    );
    let typed = match (kind, format) {
        (Some("number"), _) => typed::<f64>(matches, id).map(Value::from),
        (Some("integer"), _) => typed::<i64>(matches, id).map(Value::from),
        (Some("boolean"), _) => typed::<bool>(matches, id).map(Value::from),
        (Some("string"), Some("date-time")) => typed::<chrono::DateTime<chrono::Utc>>(matches, id)
            .map(|v| Value::from(v.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))),
        // Text as its parser left it (a phone as digits, a status word as
        // the API names it), else as given.
        _ => typed::<String>(matches, id)
            .or_else(|| typed::<kinbox_api::types::DealStatus>(matches, id).map(|s| s.to_string()))
            .map(Value::from),
    };
    typed
        .or_else(|| {
            matches
                .get_raw(id)
                .and_then(|mut values| values.next())
                .map(|raw| Value::String(raw.to_string_lossy().into_owned()))
        })
        .unwrap_or(Value::Null)
}

/// The flag's parsed value, when its parser gives a `T`.
fn typed<T: Clone + Send + Sync + 'static>(matches: &ArgMatches, id: &str) -> Option<T> {
    matches.try_get_one::<T>(id).ok().flatten().cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_names_become_flag_names() {
        assert_eq!(flag_of("pipelineId"), "pipeline-id");
        assert_eq!(flag_of("lostReasonObs"), "lost-reason-obs");
        assert_eq!(flag_of("name"), "name");
    }

    /// Every flag progenitor made for a body field is found by its field:
    /// a flag that maps to nothing would be silently left out of the body.
    #[test]
    fn every_body_flag_has_its_field() {
        use crate::generated_cli::{Cli, CliCommand};
        for op in CliCommand::iter() {
            let operation_id = op.operation_id();
            let properties = properties(operation_id);
            if properties.is_empty() {
                continue;
            }
            let command = Cli::<crate::app::hooks::KinboxCliConfig>::get_command(op);
            for arg in command.get_arguments() {
                let id = arg.get_id().as_str();
                // Path parameters are the only arguments progenitor marks
                // required outright.
                if id == ARG || id == TEMPLATE_ARG || arg.is_required_set() {
                    continue;
                }
                assert!(
                    properties.iter().any(|(name, _)| flag_of(name) == id),
                    "{operation_id}: --{id} is no field of the body"
                );
            }
        }
    }
}
