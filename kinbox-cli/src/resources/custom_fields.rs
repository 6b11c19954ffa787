//! `kinbox custom-fields`, the custom field definitions (campos personalizados): their description and columns,
//! and each operation's verb and examples.

use super::{Kind, Operation, Resource, column};

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

pub static GET: Operation = Operation::new(&RESOURCE, "get");
