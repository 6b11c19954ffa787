//! `kinbox tags`, the tags (etiquetas): their description and columns,
//! and each operation's verb and examples.

use super::{Kind, Operation, Resource, column};

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
    .examples("Examples:\n  kinbox tags create --name \"VIP\" --color \"#f5a623\"");

pub static GET: Operation = Operation::new(&RESOURCE, "get");

pub static UPDATE: Operation = Operation::new(&RESOURCE, "update");

pub static DELETE: Operation = Operation::new(&RESOURCE, "delete");
