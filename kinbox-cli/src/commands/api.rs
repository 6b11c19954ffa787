//! `kinbox api [METHOD] PATH`: an authenticated request to any path of the
//! API, for what the commands do not cover (as `gh api` is for GitHub): GET,
//! or POST when a body is given, unless a method is named.

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
             The method is GET, or POST when --field, --raw-field or --input gives a body; \
             name another before PATH or with --method. The token, base URL, timeout and \
             retries of reads are those of every command. With GET, --field values go in \
             the query string; with any other method they make the JSON body (or are laid \
             over --input's). The answer is printed as one document (a list as one array): \
             --jq and --template see all of it.",
        )
        .override_usage("kinbox api [OPTIONS] [METHOD] <PATH>")
        // METHOD before PATH, and optional: one argument of one or two
        // words, explained as two.
        .help_template(
            "{about-with-newline}\n{usage-heading} {usage}\n\n\
             Arguments:\n  \
             [METHOD]  GET, POST, PATCH, PUT or DELETE, any case [default: GET, or POST when \
             --field, --raw-field or --input gives a body]\n  \
             <PATH>    The path from the API's root, with or without its leading slash, e.g. \
             v1/tags, /v1/deals or /v1/deals?status=open\n\n\
             {all-args}{after-help}",
        )
        .arg(
            Arg::new("request")
                .value_names(["METHOD", "PATH"])
                .num_args(1..=2)
                .required(true)
                .hide(true),
        )
        .arg(
            Arg::new("method")
                .short('X')
                .long("method")
                .value_name("METHOD")
                .help(
                    "The method, as a word before PATH would be: GET, POST, PATCH, PUT or DELETE",
                ),
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
             kinbox api v1/tags\n  \
             kinbox api v1/tags --jq '.[].name'\n  \
             kinbox api GET /v1/deals --field status=open --field limit=5\n  \
             kinbox api PATCH /v1/deals/65f0c0ffee0000000000dddd --field value=2500\n  \
             kinbox api POST /v1/tags --input tag.json",
        )
}

pub async fn run(context: &Context, matches: &ArgMatches) -> Result<(), CliError> {
    let words: Vec<&String> = matches
        .get_many::<String>("request")
        .into_iter()
        .flatten()
        .collect();
    let (named, path) = match words.as_slice() {
        [method, path] => (Some(method.as_str()), path.as_str()),
        [path] if method_of(path).is_some() => {
            return Err(CliError::usage(format!(
                "`{}` is a method: give the PATH after it, e.g. kinbox api {} v1/tags",
                path,
                path.to_ascii_uppercase()
            )));
        }
        [path] => (None, path.as_str()),
        _ => {
            return Err(CliError::usage(
                "give the PATH to request, e.g. kinbox api v1/tags",
            ));
        }
    };
    let flag = matches.get_one::<String>("method").map(String::as_str);
    let named = match (named, flag) {
        (Some(word), Some(flag)) if !word.eq_ignore_ascii_case(flag) => {
            return Err(CliError::usage(format!(
                "the method is named twice, as {word} and --method {flag}: give one"
            )));
        }
        (word, flag) => word.or(flag),
    };
    let named = named
        .map(|word| {
            method_of(word).ok_or_else(|| {
                CliError::usage(format!(
                    "`{word}` is not a method: give GET, POST, PATCH, PUT or DELETE before PATH \
                     (or none: GET, POST with a body)"
                ))
            })
        })
        .transpose()?;
    let mut path = from_root(path);
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
    // As gh api: GET, or POST when a body is given.
    let method = named.unwrap_or(if body.is_some() || !fields.is_empty() {
        reqwest::Method::POST
    } else {
        reqwest::Method::GET
    });
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

/// The method a word names (any case), if it is one `kinbox api` sends.
fn method_of(word: &str) -> Option<reqwest::Method> {
    ["GET", "POST", "PATCH", "PUT", "DELETE"]
        .into_iter()
        .find(|method| method.eq_ignore_ascii_case(word))
        .and_then(|method| method.parse().ok())
}

/// `v1/tags` is `/v1/tags`: a path is from the API's root, with or without
/// its slash. A URL is left as it is, for the client to refuse.
fn from_root(path: &str) -> String {
    if path.starts_with('/') || path.contains("://") {
        path.to_owned()
    } else {
        format!("/{path}")
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
    fn a_path_is_from_the_root_and_a_method_any_case() {
        assert_eq!(from_root("v1/tags"), "/v1/tags");
        assert_eq!(from_root("/v1/tags?limit=5"), "/v1/tags?limit=5");
        assert_eq!(from_root("https://x.example/v1"), "https://x.example/v1");
        assert_eq!(method_of("patch"), Some(reqwest::Method::PATCH));
        assert_eq!(method_of("v1/tags"), None);
    }

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
