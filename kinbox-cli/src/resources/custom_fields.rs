//! `kinbox custom-fields`, the custom field definitions (campos personalizados): their description and columns,
//! and each operation's verb and examples.

use kinbox_api::Client;
use serde_json::Value;

use crate::CliError;
use crate::lookup::named::{encode, numeric_id};
use crate::matching::{Lookup, choose};

use super::{ByName, Kind, Operation, Resource, column};

pub static RESOURCE: Resource = Resource {
    name: "custom-fields",
    about: "Read the custom field definitions (campos personalizados)",
    columns: &[
        column("ID", "id", Kind::Text),
        column("PLACEHOLDER", "placeholder", Kind::Text),
        column("NAME", "name", Kind::Text),
        column("ENTITY", "entity", Kind::Text),
        column("TYPE", "type", Kind::Text),
        column("OPTIONS", "options", Kind::Text),
    ],
};

pub static LIST: Operation = Operation::new(&RESOURCE, "list").examples(
    "The placeholder is the key of a field in customFields, and what
`kinbox deals create --custom-field PLACEHOLDER=VALUE` takes.

Examples:
  kinbox custom-fields list -o table
  kinbox custom-fields list --jq 'select(.entity == \"deal\") | .placeholder'",
);

pub static GET: Operation = Operation::new(&RESOURCE, "get")
    .by_name(&BY_NAME)
    .examples("Examples:\n  kinbox custom-fields get cpf");

static BY_NAME: ByName = ByName {
    help: "The custom field's id, or its placeholder (e.g. cpf) or name",
    numeric_id: true,
    find: |client, given| Box::pin(find(client, given)),
};

/// By id, else by placeholder, else by name.
async fn find(client: &Client, given: &str) -> Result<Option<Value>, CliError> {
    if let Some(id) = numeric_id(given) {
        return encode(client.get_custom_field().id(id).send().await?.into_inner());
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
        Err(by_placeholder) => {
            choose(&lookup, given, &fields, |f| &f.name, describe).map_err(|_| by_placeholder)?
        }
    };
    encode(found)
}

fn describe(field: &kinbox_api::types::CustomField) -> String {
    format!(
        "{} (\"{}\", id {})",
        field.placeholder.as_deref().unwrap_or("-"),
        field.name,
        field.id
    )
}
