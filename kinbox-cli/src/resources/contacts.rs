//! `kinbox contacts`, the contacts (contatos): their description and columns,
//! and each operation's verb and examples.

use kinbox_api::Client;
use serde_json::Value;

use crate::CliError;
use crate::lookup::named::{encode, numeric_id};

use super::{ByName, Kind, Operation, Resource, column};

pub static RESOURCE: Resource = Resource {
    name: "contacts",
    about: "Find contacts by phone or e-mail, create and update them (contatos)",
    columns: &[
        column("ID", "id", Kind::Text),
        column("NAME", "name", Kind::Text),
        column("PHONE", "phone", Kind::Text),
        column("EMAIL", "email", Kind::Text),
        column("CREATED AT", "createdAt", Kind::Date),
    ],
};

pub static LIST: Operation = Operation::new(&RESOURCE, "list").examples(
    "Examples:
  kinbox contacts list --phone 5585997281648 -o table
  kinbox contacts list --email ana@example.com
  kinbox contacts list --all --created-at-from 2024-05-01T00:00:00-03:00",
);

pub static CREATE: Operation = Operation::new(&RESOURCE, "create")
    .defaults(&super::NO_CUSTOM_FIELDS)
    .examples(
        "customFields is sent as {} unless --json-body gives some.

Examples:
  kinbox contacts create --name \"Ana Souza\" --phone 5585997281648 --email ana@example.com",
    );

pub static GET: Operation = Operation::new(&RESOURCE, "get").by_name(&BY_NAME).examples(
    "Examples:
  kinbox contacts get 123456 -o table
  kinbox contacts get \"Maria Oliveira\"
  kinbox contacts get \"+55 (85) 99728-1648\"
  kinbox contacts get maria@example.com",
);

static BY_NAME: ByName = ByName {
    help: "The contact's id, phone (+55 (85) 99728-1648), e-mail, or name (case and accents \
           are ignored; a name is searched in up to 10,000 contacts)",
    numeric_id: true,
    find: |client, given| Box::pin(find(client, given)),
};

/// A number is an id unless it is written as a phone (`+55…`, 10 digits or
/// more); anything else is a phone, an e-mail or a name.
async fn find(client: &Client, given: &str) -> Result<Option<Value>, CliError> {
    let digits = given.trim().trim_start_matches('+');
    match numeric_id(given) {
        Some(id) if !given.trim().starts_with('+') && digits.len() < 10 => {
            encode(client.get_contact().id(id).send().await?.into_inner())
        }
        _ => encode(kinbox_input::lookup::contact(client, given).await?),
    }
}

pub static UPDATE: Operation = Operation::new(&RESOURCE, "update");
