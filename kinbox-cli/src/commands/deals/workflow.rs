//! What the workflow commands over `update` (`move`, `win`, `lose`) share.

use clap::{Arg, ArgMatches};
use kinbox_api::{Client, types};

use crate::CliError;
use crate::config::context::Context;
use crate::generated_cli::CliCommand;
use crate::output::Printer;

pub fn id_arg() -> Arg {
    Arg::new("id")
        .value_name("ID")
        .required(true)
        .value_parser(crate::input::values::PATH_ID)
        .help("The deal's id")
}

pub fn id(matches: &ArgMatches) -> &str {
    matches
        .get_one::<String>("id")
        .map(String::as_str)
        .expect("ID is a required argument")
}

/// Sends `PATCH /v1/deals/{id}` and prints the updated deal.
pub async fn update(
    context: &Context,
    id: &str,
    body: types::builder::DealUpdate,
) -> Result<(), CliError> {
    update_with(context, &context.client()?, id, body).await
}

/// [`update`] with the client the lookups before it used.
pub async fn update_with(
    context: &Context,
    client: &Client,
    id: &str,
    body: types::builder::DealUpdate,
) -> Result<(), CliError> {
    let deal = client
        .update_deal()
        .id(id)
        .body(body)
        .send()
        .await
        .map_err(|error| match CliError::from(error) {
            CliError::OutcomeUnknown(message) => CliError::outcome_unknown(format!(
                "{message}\n{}",
                crate::error::how_to_check_object("deals", id)
            )),
            error => error,
        })?
        .into_inner();
    let value = serde_json::to_value(&deal)
        .map_err(|e| CliError::failure(format!("cannot encode the response: {e}")))?;
    Printer::new(&context.globals, Some(CliCommand::UpdateDeal), "deals")
        .ready(client)
        .await?
        .print(&value)
}
