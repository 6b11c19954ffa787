//! `kinbox pipelines get Vendas`, `kinbox tags get "Lead quente"`: where a
//! person would type a name, the name is taken as well as the id. What
//! names an object of each resource is its `ByName` entry in
//! `resources/`; this file only asks it.

use clap::{Arg, ArgMatches};
use kinbox_api::Client;
use serde::Serialize;
use serde_json::Value;

use crate::CliError;
use crate::generated_cli::CliCommand;

/// The positional `ID` of `op`, when it may be a name too.
pub fn adapt_id(op: CliCommand, arg: Arg) -> Arg {
    let Some(by_name) = crate::resources::operation(op).by_name else {
        return arg;
    };
    let arg = arg.help(by_name.help);
    match by_name.numeric_id {
        true => arg.value_parser(crate::input::values::PATH_ID),
        false => arg,
    }
}

/// The object `op` names by name, found with its `ByName`; `None` when
/// the command was given an id, which the generated command reads itself.
pub async fn find(
    op: CliCommand,
    client: &Client,
    matches: &ArgMatches,
) -> Result<Option<Value>, CliError> {
    let Some(by_name) = crate::resources::operation(op).by_name else {
        return Ok(None);
    };
    let Some(given) = matches.try_get_one::<String>("id").ok().flatten() else {
        return Ok(None);
    };
    (by_name.find)(client, given).await
}

/// `object` as `get` prints it.
pub fn encode(object: impl Serialize) -> Result<Option<Value>, CliError> {
    serde_json::to_value(object)
        .map(Some)
        .map_err(|e| CliError::failure(format!("cannot encode the answer: {e}")))
}

/// The object `given` names where ids are text and not always 24 hex
/// digits: an id when it looks like one (the generated command reads it),
/// else the object with that id, else (404) what `by_name` finds.
pub async fn by_id_then_name<T, N, Name>(
    given: &str,
    by_id: impl Future<Output = Result<kinbox_api::ResponseValue<T>, kinbox_api::KinboxError>>,
    by_name: impl FnOnce() -> Name,
) -> Result<Option<Value>, CliError>
where
    T: Serialize,
    N: Serialize,
    Name: Future<Output = Result<N, CliError>>,
{
    if looks_like_an_object_id(given) {
        return Ok(None);
    }
    match by_id.await {
        Ok(object) => encode(object.into_inner()),
        Err(error) if error.status() == Some(reqwest::StatusCode::NOT_FOUND) => {
            encode(by_name().await?)
        }
        Err(error) => Err(error.into()),
    }
}

/// Kinbox's own ids are 24 hex digits (`65f0c0ffee0000000000aaaa`): such
/// a value is an id, read by the generated command.
pub fn looks_like_an_object_id(text: &str) -> bool {
    text.len() == 24 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A number: an id of a resource whose ids are numbers.
pub fn numeric_id(text: &str) -> Option<i64> {
    text.trim().parse().ok()
}
