//! `kinbox pipelines`, the pipelines (funis): their description and columns,
//! and each operation's verb and examples.

use kinbox_api::Client;
use serde_json::Value;

use crate::input::defaults;

use super::{ByName, Defaults, Kind, Operation, Resource, column};
use crate::CliError;
use crate::lookup::named::by_id_then_name;

pub static RESOURCE: Resource = Resource {
    name: "pipelines",
    about: "List and manage pipelines, their stages and lost reasons (funis)",
    columns: &[
        column("ID", "id", Kind::Text),
        column("NAME", "name", Kind::Text),
        column("STAGES", "stages", Kind::Text),
        column("LOST REASONS", "lostReasons", Kind::Text),
    ],
};

pub static LIST: Operation = Operation::new(&RESOURCE, "list").examples(
    "Every pipeline, with its stages; not paginated.

Examples:
  kinbox pipelines list -o table
  kinbox pipelines list --jq '{name, stages: [.stages[].name]}'",
);

pub static CREATE: Operation = Operation::new(&RESOURCE, "create").defaults(&NEW).examples(
    "The stages, rules and privacy are lists and objects: give them with --json-body.

Examples:
  kinbox pipelines create --json-body pipeline.json
  echo '{\"name\": \"Vendas\", \"stages\": [{\"name\": \"Proposta\"}]}' | \\
    kinbox pipelines create --json-body -",
);

pub static GET: Operation = Operation::new(&RESOURCE, "get").by_name(&BY_NAME).examples(
    "Examples:
  kinbox pipelines get Vendas -o table
  kinbox pipelines get 65f0c0ffee0000000000aaaa --jq .lostReasons",
);

static BY_NAME: ByName = ByName {
    help: "The pipeline's id, or its name (funil), e.g. Vendas: case and accents are ignored",
    numeric_id: false,
    find: |client, given| Box::pin(find(client, given)),
};

/// Ids are not always 24 hex digits: an id is tried first, and a name
/// looked up only when no pipeline has it.
async fn find(client: &Client, given: &str) -> Result<Option<Value>, CliError> {
    by_id_then_name(given, client.get_pipeline().id(given).send(), || async {
        let pipelines = crate::resolve::pipelines(client).await?;
        Ok(crate::resolve::pipeline_named_in(&pipelines, given, None)?.clone())
    })
    .await
}

pub static UPDATE: Operation = Operation::new(&RESOURCE, "update").defaults(&UPDATED);

static NEW: Defaults = Defaults {
    help: Some(defaults::pipeline_help),
    complete: |client, _, body| Box::pin(defaults::new_pipeline(client, body)),
};

static UPDATED: Defaults = Defaults {
    help: Some(defaults::pipeline_help),
    complete: |client, matches, body| Box::pin(defaults::updated_pipeline(client, matches, body)),
};

pub static DELETE: Operation = Operation::new(&RESOURCE, "delete");
