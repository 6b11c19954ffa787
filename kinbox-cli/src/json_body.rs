//! `--json-body FILE` (or `-` for stdin), with the flags given next to it
//! taking precedence over the file's fields.
//!
//! The generated commands set the body from the flags first and then replace
//! it with the file's. To give flags the last word for every operation, with
//! no code per operation, the file is read here while the arguments are
//! parsed, the flags given on the command line are laid over its fields, and
//! the generated code is handed the merged body in a private temporary file.

use std::ffi::OsStr;
use std::path::PathBuf;
use std::sync::Mutex;

use clap::builder::TypedValueParser;
use clap::error::ErrorKind;
use clap::parser::ValueSource;
use clap::{Arg, ArgMatches, Command};
use serde_json::{Map, Value};

use crate::{CliError, limits};

/// The arguments the generated code gives every operation with a body.
pub const ARG: &str = "json-body";
pub const TEMPLATE_ARG: &str = "json-body-template";

/// The body read while parsing arguments; one per run.
static BODY: Mutex<Option<Loaded>> = Mutex::new(None);

struct Loaded {
    /// The file name as given, or `<stdin>`.
    source: String,
    fields: Map<String, Value>,
    /// Where the merged body is written for the generated code to read.
    file: tempfile::TempPath,
}

pub fn help() -> &'static str {
    "Read the request body from a JSON file (`-` reads stdin); flags given too override \
     its fields"
}

/// Reads and checks the body; hands clap the path of the private copy.
#[derive(Clone, Copy, Debug)]
pub struct JsonBodyParser;

impl TypedValueParser for JsonBodyParser {
    type Value = PathBuf;

    fn parse_ref(
        &self,
        cmd: &Command,
        _arg: Option<&Arg>,
        value: &OsStr,
    ) -> Result<PathBuf, clap::Error> {
        let invalid = |message: String| {
            clap::Error::raw(ErrorKind::ValueValidation, format!("{message}\n")).with_cmd(cmd)
        };
        let (what, text) = limits::read_body(&PathBuf::from(value)).map_err(invalid)?;
        // Messages say "the JSON body in <stdin>" or "in 'deal.json'".
        let source = match what.strip_prefix("the JSON body file ") {
            Some(file) => file.to_owned(),
            None => "<stdin>".to_owned(),
        };
        let fields = match serde_json::from_str::<Value>(&text) {
            Ok(Value::Object(fields)) => fields,
            Ok(other) => {
                return Err(invalid(format!(
                    "the JSON body in {source} must be an object ({{\"name\": …}}), not {}",
                    kind(&other)
                )));
            }
            Err(e) => {
                return Err(invalid(format!(
                    "the JSON body in {source} is not valid JSON: {e}"
                )));
            }
        };
        let file = tempfile::NamedTempFile::new()
            .map_err(|e| invalid(format!("cannot create a temporary file: {e}")))?
            .into_temp_path();
        let path = file.to_path_buf();
        *BODY.lock().unwrap_or_else(|e| e.into_inner()) = Some(Loaded {
            source,
            fields,
            file,
        });
        Ok(path)
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

/// Before a generated operation runs: lays the flags given on the command
/// line over the body file's fields. Fails when an operation with a body got
/// neither a field flag nor a file, rather than sending an empty body.
///
/// `generated` is the command as progenitor built it: only its flags are
/// body fields, not those this tool adds (`--pipeline`, `--custom-field`…).
pub fn prepare(
    command_name: &str,
    generated: &Command,
    leaf: &Command,
    matches: &ArgMatches,
) -> Result<(), CliError> {
    if leaf.get_arguments().all(|a| a.get_id() != ARG) {
        return Ok(());
    }
    if matches
        .try_get_one::<bool>(TEMPLATE_ARG)
        .is_ok_and(|flag| flag == Some(&true))
    {
        return Err(CliError::Usage(format!(
            "--json-body-template is not supported; `{command_name} --help` lists the body's fields"
        )));
    }
    let flags = given_fields(generated, leaf, matches);
    let mut guard = BODY.lock().unwrap_or_else(|e| e.into_inner());
    let Some(loaded) = guard.as_mut() else {
        // Flags of this tool that fill the body after a lookup count too
        // (`deals update --contact-id`).
        let any_flag = leaf
            .get_arguments()
            .filter(|arg| arg.get_long().is_some() && !arg.is_global_set())
            .any(|arg| {
                matches.value_source(arg.get_id().as_str()) == Some(ValueSource::CommandLine)
            });
        if flags.is_empty() && !any_flag {
            return Err(CliError::Usage(format!(
                "nothing to send: give at least one field flag or --json-body FILE \
                 (see `{command_name} --help`)"
            )));
        }
        return Ok(());
    };
    loaded.fields.extend(flags);
    rewrite(loaded)
}

/// Lays `fields` over the `--json-body` file's, as flags are, for values
/// known only after a lookup (ids found by name), so that a file without
/// them still reads as a complete body. Nothing to do without a file.
pub fn overlay(fields: Map<String, Value>) -> Result<(), CliError> {
    let mut guard = BODY.lock().unwrap_or_else(|e| e.into_inner());
    match guard.as_mut() {
        Some(loaded) if !fields.is_empty() => {
            loaded.fields.extend(fields);
            rewrite(loaded)
        }
        _ => Ok(()),
    }
}

/// Edits the `--json-body` file's fields (with the flags applied) in place,
/// for values only known after a lookup; nothing to do without a file.
pub fn edit(change: impl FnOnce(&mut Map<String, Value>)) -> Result<(), CliError> {
    let mut guard = BODY.lock().unwrap_or_else(|e| e.into_inner());
    match guard.as_mut() {
        Some(loaded) => {
            change(&mut loaded.fields);
            rewrite(loaded)
        }
        None => Ok(()),
    }
}

fn rewrite(loaded: &Loaded) -> Result<(), CliError> {
    let text = serde_json::to_vec(&loaded.fields).expect("a JSON object always serializes");
    std::fs::write(&loaded.file, text)
        .map_err(|e| CliError::Failure(format!("cannot write a temporary file: {e}")))
}

/// The body fields given as flags: each named by its flag in camelCase
/// (progenitor names flags by the kebab-case of the field), with the flag's
/// parsed value. Positionals (path parameters), global options and flags
/// that are not in the generated command are not body fields.
fn given_fields(generated: &Command, leaf: &Command, matches: &ArgMatches) -> Map<String, Value> {
    leaf.get_arguments()
        .filter(|arg| arg.get_long().is_some() && !arg.is_global_set())
        .map(|arg| arg.get_id().as_str())
        .filter(|id| generated.get_arguments().any(|g| g.get_id() == id))
        .filter(|id| *id != ARG && *id != TEMPLATE_ARG)
        .filter(|id| matches.value_source(id) == Some(ValueSource::CommandLine))
        .map(|id| (camel_case(id), flag_value(matches, id)))
        .collect()
}

fn camel_case(kebab: &str) -> String {
    let mut out = String::with_capacity(kebab.len());
    let mut upper = false;
    for c in kebab.chars() {
        if c == '-' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// The flag's value as JSON, by the type its value parser produced; enum
/// values and anything else are their text, which is what they serialize to.
fn flag_value(matches: &ArgMatches, id: &str) -> Value {
    macro_rules! typed {
        ($($ty:ty),*) => {$(
            if let Ok(Some(value)) = matches.try_get_one::<$ty>(id) {
                return serde_json::to_value(value).unwrap_or(Value::Null);
            }
        )*};
    }
    typed!(
        String,
        i64,
        f64,
        bool,
        chrono::DateTime<chrono::Utc>,
        std::num::NonZeroU32,
        u64,
        i32,
        u32
    );
    matches
        .get_raw(id)
        .and_then(|mut values| values.next())
        .map(|raw| Value::String(raw.to_string_lossy().into_owned()))
        .unwrap_or(Value::Null)
}

/// The field `name` of the `--json-body` file, with the flags applied.
pub fn field(name: &str) -> Option<Value> {
    BODY.lock()
        .unwrap_or_else(|e| e.into_inner())
        .as_ref()
        .and_then(|loaded| loaded.fields.get(name).cloned())
}

/// Holds the `--json-body` file (with the flags and lookups applied) to the
/// spec's request schema of `operation_id` before anything is sent: a field
/// the API does not take is warned about (it would be dropped), and a value
/// that does not fit is refused with its field named (`$.value: "10" is not
/// of type "number"`). Nothing to do without a file.
pub fn check(operation_id: &str) -> Result<(), CliError> {
    let guard = BODY.lock().unwrap_or_else(|e| e.into_inner());
    let Some(loaded) = guard.as_ref() else {
        return Ok(());
    };
    let spec = kinbox_spec::spec();
    let Some(schema) = spec.request_body_schema(operation_id) else {
        return Ok(());
    };
    let known = spec
        .resolve(schema)
        .get("properties")
        .and_then(Value::as_object);
    for name in loaded.fields.keys() {
        if known.is_some_and(|known| !known.contains_key(name)) {
            eprintln!(
                "warning: the JSON body in {} has `{}`, which the API does not take: it is \
                 not sent",
                loaded.source,
                crate::error::printable(name)
            );
        }
    }
    let body = Value::Object(loaded.fields.clone());
    match spec
        .request_body(operation_id)
        .map(|check| check.check(&body))
    {
        Some(Err(violations)) => Err(CliError::Usage(format!(
            "the JSON body in {}, with the flags applied, does not fit the API; nothing was \
             sent:\n{}",
            loaded.source,
            violations
                .iter()
                .map(|v| format!("  {}: {}", v.path, v.message))
                .collect::<Vec<_>>()
                .join("\n")
        ))),
        _ => Ok(()),
    }
}

/// A body that parsed as JSON but not as the operation's body type.
pub fn does_not_fit(error: &serde_json::Error) -> CliError {
    let message = error.to_string();
    // Positions refer to the merged copy, not to the user's file.
    let message = message
        .rsplit_once(" at line ")
        .map_or(message.as_str(), |(head, _)| head);
    let source = BODY
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .as_ref()
        .map(|loaded| format!("the JSON body in {}", loaded.source))
        .unwrap_or_else(|| "the JSON body".to_owned());
    CliError::Usage(format!(
        "{source}, with the flags applied, is not a valid request body: {message}"
    ))
}

/// Deletes the temporary copy.
pub fn cleanup() {
    BODY.lock().unwrap_or_else(|e| e.into_inner()).take();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flag_names_become_field_names() {
        assert_eq!(camel_case("pipeline-id"), "pipelineId");
        assert_eq!(camel_case("lost-reason-obs"), "lostReasonObs");
        assert_eq!(camel_case("name"), "name");
    }
}
