//! `kinbox api METHOD PATH`: an authenticated request to any path of the
//! API, for what the commands do not cover (as `gh api` is for GitHub).

use std::path::PathBuf;

use clap::{Arg, ArgAction, ArgMatches, Command};
use serde_json::{Map, Value};

use crate::CliError;
use crate::config::context::Context;
use crate::output::Printer;

pub fn command() -> Command {
    Command::new("api")
        .about("Send an authenticated request to any path of the API")
        .long_about(
            "Send an authenticated request to any path of the API and print the answer, \
             for what the other commands do not cover.\n\n\
             The token, base URL, timeout, retries of reads and output options are those \
             of every command. With GET, --field values go in the query string; with any \
             other method they make the JSON body (or are laid over --input's).",
        )
        .arg(
            Arg::new("method")
                .value_name("METHOD")
                .required(true)
                .value_parser([
                    "GET", "POST", "PATCH", "PUT", "DELETE", "get", "post", "patch", "put",
                    "delete",
                ])
                .hide_possible_values(true)
                .help("GET, POST, PATCH, PUT or DELETE"),
        )
        .arg(
            Arg::new("path")
                .value_name("PATH")
                .required(true)
                .help("The path from the root, e.g. /v1/deals or /v1/deals?status=open"),
        )
        .arg(
            Arg::new("field")
                .short('F')
                .long("field")
                .value_name("KEY=VALUE")
                .action(ArgAction::Append)
                .help(
                    "A field; a number, true, false or null is sent as such, anything else as text",
                )
                .long_help(
                    "A field of the body (or, with GET, of the query). VALUE is read as JSON \
                     when it is a number, true, false, null, an array or an object, else sent \
                     as text. A dotted KEY nests: --field contact.id=42. Repeatable.",
                ),
        )
        .arg(
            Arg::new("raw-field")
                .short('f')
                .long("raw-field")
                .value_name("KEY=VALUE")
                .action(ArgAction::Append)
                .help("A field sent as text, whatever it holds; repeatable"),
        )
        .arg(
            Arg::new("input")
                .long("input")
                .value_name("FILE")
                .value_parser(clap::value_parser!(PathBuf))
                .help("Read the JSON body from FILE (`-` reads stdin)"),
        )
        .after_help(
            "Examples:\n  \
             kinbox api GET /v1/tags\n  \
             kinbox api GET /v1/deals --field status=open --field limit=5\n  \
             kinbox api PATCH /v1/deals/65f0c0ffee0000000000dddd --field value=2500\n  \
             kinbox api POST /v1/tags --input tag.json",
        )
}

pub async fn run(context: &Context, matches: &ArgMatches) -> Result<(), CliError> {
    let method: reqwest::Method = matches
        .get_one::<String>("method")
        .expect("METHOD is required")
        .to_ascii_uppercase()
        .parse()
        .map_err(|_| CliError::usage("METHOD must be GET, POST, PATCH, PUT or DELETE"))?;
    let mut path = matches
        .get_one::<String>("path")
        .expect("PATH is required")
        .clone();
    let mut fields = Map::new();
    for (id, typed) in [("field", true), ("raw-field", false)] {
        for assignment in matches.get_many::<String>(id).into_iter().flatten() {
            let (key, value) = assignment.split_once('=').ok_or_else(|| {
                CliError::usage(format!("--{id} `{assignment}` is not KEY=VALUE"))
            })?;
            let value = match typed {
                true => serde_json::from_str(value).unwrap_or_else(|_| Value::String(value.into())),
                false => Value::String(value.into()),
            };
            set(&mut fields, key, value)?;
        }
    }
    let mut body = match matches.get_one::<PathBuf>("input") {
        Some(file) => Some(read_input(file)?),
        None => None,
    };
    if method == reqwest::Method::GET {
        if body.is_some() {
            return Err(CliError::usage(
                "--input sends a body, which GET does not take",
            ));
        }
        path = with_query(&path, &fields);
    } else if !fields.is_empty() {
        match body.get_or_insert_with(|| Value::Object(Map::new())) {
            Value::Object(object) => object.extend(fields),
            _ => {
                return Err(CliError::usage(
                    "--field sets keys of an object, and --input is not one",
                ));
            }
        }
    }
    let client = context.client()?;
    let answer = client
        .raw(method, &path, body.as_ref())
        .await
        .map_err(CliError::from)?;
    match answer.body {
        Some(body) => Printer::new(&context.globals, None, "items").print_document(&body),
        None => Ok(()),
    }
}

/// Sets `key` (dotted keys nest) in `fields`.
fn set(fields: &mut Map<String, Value>, key: &str, value: Value) -> Result<(), CliError> {
    match key.split_once('.') {
        None => {
            fields.insert(key.to_owned(), value);
            Ok(())
        }
        Some((head, rest)) => match fields
            .entry(head.to_owned())
            .or_insert_with(|| Value::Object(Map::new()))
        {
            Value::Object(inner) => set(inner, rest, value),
            _ => Err(CliError::usage(format!(
                "--field {key}: `{head}` is already set to a value that is not an object"
            ))),
        },
    }
}

fn with_query(path: &str, fields: &Map<String, Value>) -> String {
    if fields.is_empty() {
        return path.to_owned();
    }
    let mut url = reqwest::Url::parse("http://query.invalid").expect("a valid URL");
    {
        let mut query = url.query_pairs_mut();
        for (key, value) in fields {
            let text = match value {
                Value::String(text) => text.clone(),
                other => other.to_string(),
            };
            query.append_pair(key, &text);
        }
    }
    let separator = if path.contains('?') { '&' } else { '?' };
    format!("{path}{separator}{}", url.query().unwrap_or_default())
}

fn read_input(file: &std::path::Path) -> Result<Value, CliError> {
    let (what, text) = crate::input::limits::read_body(file).map_err(CliError::usage)?;
    serde_json::from_str(&text)
        .map_err(|e| CliError::usage(format!("{what} is not valid JSON: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn dotted_keys_nest_and_get_fields_make_a_query() {
        let mut fields = Map::new();
        set(&mut fields, "contact.id", json!(42)).unwrap();
        set(&mut fields, "contact.name", json!("Ana")).unwrap();
        assert_eq!(
            Value::Object(fields),
            json!({"contact": {"id": 42, "name": "Ana"}})
        );

        let fields = Map::from_iter([
            ("status".to_owned(), json!("open")),
            ("name".to_owned(), json!("Pedido #1 & co")),
        ]);
        assert_eq!(
            with_query("/v1/deals?limit=5", &fields),
            "/v1/deals?limit=5&name=Pedido+%231+%26+co&status=open"
        );
    }
}
