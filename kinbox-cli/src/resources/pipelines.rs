//! `kinbox pipelines`, the pipelines (funis): their description and columns,
//! and each operation's verb and examples.

use super::{Kind, Operation, Resource, column};

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

pub static CREATE: Operation = Operation::new(&RESOURCE, "create").examples(
    "The stages, rules and privacy are lists and objects: give them with --json-body.

Examples:
  kinbox pipelines create --json-body pipeline.json
  echo '{\"name\": \"Vendas\", \"stages\": [{\"name\": \"Proposta\"}]}' | \\
    kinbox pipelines create --json-body -",
);

pub static GET: Operation = Operation::new(&RESOURCE, "get")
    .examples("Examples:\n  kinbox pipelines get 65f0c0ffee0000000000aaaa --jq .lostReasons");

pub static UPDATE: Operation = Operation::new(&RESOURCE, "update");

pub static DELETE: Operation = Operation::new(&RESOURCE, "delete");
