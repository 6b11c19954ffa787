//! `kinbox products`, the products (produtos): their description and columns,
//! and each operation's verb and examples.

use kinbox_api::Client;
use serde_json::Value;

use crate::CliError;
use crate::lookup::named::by_id_then_name;

use super::{ByName, Kind, Operation, Resource, column};

pub static RESOURCE: Resource = Resource {
    name: "products",
    about: "Manage the product catalogue (produtos)",
    columns: &[
        column("ID", "id", Kind::Text),
        column("NAME", "name", Kind::Text),
        column("PRICE", "price", Kind::Money),
        column("EXTERNAL ID", "externalId", Kind::Text),
        column("ACTIVE", "isActive", Kind::Text),
    ],
};

pub static LIST: Operation = Operation::new(&RESOURCE, "list").examples("Examples:\n  kinbox products list -o table\n  kinbox products list --all --template '{externalId};{name};{price}'");

pub static CREATE: Operation = Operation::new(&RESOURCE, "create")
    .defaults(&super::NO_CUSTOM_FIELDS)
    .examples(
        "customFields is sent as {} unless --json-body gives some.

Examples:
  kinbox products create --name \"Cadeira\" --price 350 --external-id SKU-0042",
    );

pub static GET: Operation = Operation::new(&RESOURCE, "get")
    .by_name(&BY_NAME)
    .examples("Examples:\n  kinbox products get \"Plano Básico\"");

static BY_NAME: ByName = ByName {
    help: "The product's id, or its name (case and accents are ignored) or external id",
    numeric_id: false,
    find: |client, given| Box::pin(find(client, given)),
};

/// An id is tried first (the API's product ids are text); a name or an
/// external id is looked up only when no product has that id.
async fn find(client: &Client, given: &str) -> Result<Option<Value>, CliError> {
    by_id_then_name(given, client.get_product().id(given).send(), || async {
        Ok(kinbox_input::lookup::product(client, given).await?)
    })
    .await
}

pub static GET_BY_EXTERNAL_ID: Operation = Operation::new(&RESOURCE, "get-by-external-id")
    .examples("Examples:\n  kinbox products get-by-external-id SKU-0042");

pub static UPDATE: Operation = Operation::new(&RESOURCE, "update");

pub static DELETE: Operation = Operation::new(&RESOURCE, "delete");
