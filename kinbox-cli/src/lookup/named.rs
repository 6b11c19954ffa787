//! `kinbox pipelines get Vendas`, `kinbox custom-fields get cpf`: where a
//! person would type a name, the name is taken as well as the id. The
//! object is found in its list (one read) and printed as `get` prints it.

use clap::{Arg, ArgMatches};
use kinbox_api::Client;
use serde_json::Value;

use crate::CliError;
use crate::generated_cli::CliCommand;
use crate::matching::{Lookup, choose};

/// The positional `ID` of `op`, when it may be a name too.
pub fn adapt_id(op: CliCommand, arg: Arg) -> Arg {
    match op {
        CliCommand::GetPipeline => arg.help(
            "The pipeline's id, or its name (funil), e.g. Vendas: case and accents are ignored",
        ),
        // The API's ids of custom fields are numbers; a placeholder is text.
        CliCommand::GetCustomField => arg
            .value_parser(crate::input::values::PATH_ID)
            .help("The custom field's id, or its placeholder (e.g. cpf) or name"),
        _ => arg,
    }
}

/// The object `op` names by name, found in its list; `None` when the
/// command was given an id, which the generated command reads itself.
pub async fn find(
    op: CliCommand,
    client: &Client,
    matches: &ArgMatches,
) -> Result<Option<Value>, CliError> {
    let Some(given) = matches.try_get_one::<String>("id").ok().flatten() else {
        return Ok(None);
    };
    let encode = |value: Result<Value, serde_json::Error>| {
        value.map_err(|e| CliError::failure(format!("cannot encode the answer: {e}")))
    };
    match op {
        CliCommand::GetPipeline if !looks_like_an_object_id(given) => {
            // Ids are not always 24 hex digits: an id is tried first, and a
            // name looked up only when no pipeline has it.
            match client.get_pipeline().id(given).send().await {
                Ok(pipeline) => encode(serde_json::to_value(pipeline.into_inner())).map(Some),
                Err(error) => {
                    let error = error;
                    if error.status() != Some(reqwest::StatusCode::NOT_FOUND) {
                        return Err(error.into());
                    }
                    let pipelines = crate::resolve::pipelines(client).await?;
                    let found = crate::resolve::pipeline_named_in(&pipelines, given, None)?;
                    encode(serde_json::to_value(found)).map(Some)
                }
            }
        }
        CliCommand::GetCustomField => {
            if let Ok(id) = given.parse::<i64>() {
                let field = client.get_custom_field().id(id).send().await?.into_inner();
                return encode(serde_json::to_value(field)).map(Some);
            }
            let fields = client.list_custom_fields().send().await?.into_inner().data;
            let lookup = Lookup {
                what: "custom field",
                id_flag: None,
            };
            let by_placeholder = choose(
                &lookup,
                given,
                &fields,
                |f| f.placeholder.as_deref().unwrap_or_default(),
                describe,
            );
            let found = match by_placeholder {
                Ok(field) => field,
                Err(by_placeholder) => choose(&lookup, given, &fields, |f| &f.name, describe)
                    .map_err(|_| by_placeholder)?,
            };
            encode(serde_json::to_value(found)).map(Some)
        }
        _ => Ok(None),
    }
}

fn describe(field: &kinbox_api::types::CustomField) -> String {
    format!(
        "{} (\"{}\", id {})",
        field.placeholder.as_deref().unwrap_or("-"),
        field.name,
        field.id
    )
}

/// Kinbox's own ids are 24 hex digits (`65f0c0ffee0000000000aaaa`): such
/// a value is an id, read by the generated command.
fn looks_like_an_object_id(text: &str) -> bool {
    text.len() == 24 && text.bytes().all(|b| b.is_ascii_hexdigit())
}
