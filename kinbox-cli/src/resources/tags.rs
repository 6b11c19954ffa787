//! `kinbox tags`, the tags (etiquetas): their description and columns,
//! and each operation's verb and examples.

use kinbox_api::Client;
use serde_json::Value;

use crate::input::defaults;

use super::{ByName, Defaults, Kind, Operation, Resource, column};
use crate::CliError;
use crate::lookup::named::{encode, numeric_id};

pub static RESOURCE: Resource = Resource {
    name: "tags",
    about: "Manage tags (etiquetas)",
    columns: &[
        column("ID", "id", Kind::Text),
        column("NAME", "name", Kind::Text),
        column("COLOR", "color", Kind::Text),
    ],
};

pub static LIST: Operation =
    Operation::new(&RESOURCE, "list").examples("Examples:\n  kinbox tags list -o table");

pub static CREATE: Operation = Operation::new(&RESOURCE, "create")
    .defaults(&NEW)
    .examples("Examples:\n  kinbox tags create --name \"VIP\" --color \"#f5a623\"");

pub static GET: Operation = Operation::new(&RESOURCE, "get")
    .by_name(&BY_NAME)
    .examples("Examples:\n  kinbox tags get \"Lead quente\"\n  kinbox tags get 42 -o table");

static BY_NAME: ByName = ByName {
    help: "The tag's id, or its name (etiqueta), e.g. \"Lead quente\": case and accents are ignored",
    numeric_id: true,
    find: |client, given| Box::pin(find(client, given)),
};

/// By id, else by name: tags are one short list.
async fn find(client: &Client, given: &str) -> Result<Option<Value>, CliError> {
    if let Some(id) = numeric_id(given) {
        return encode(client.get_tag().id(id).send().await?.into_inner());
    }
    let tags = kinbox_input::lookup::tags(client).await?;
    encode(kinbox_input::lookup::tag_named_in(&tags, given)?)
}

static NEW: Defaults = Defaults {
    help: Some(defaults::tag_help),
    complete: |_, _, body| {
        defaults::fill(body, &[("privacy", defaults::tag_privacy)]);
        Box::pin(async { Ok(()) })
    },
};

pub static UPDATE: Operation = Operation::new(&RESOURCE, "update");

pub static DELETE: Operation = Operation::new(&RESOURCE, "delete");
