//! `kinbox contacts`, the contacts (contatos): their description and columns,
//! and each operation's verb and examples.

use super::{Kind, Operation, Resource, column};

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

pub static CREATE: Operation = Operation::new(&RESOURCE, "create").examples(
    "customFields is sent as {} unless --json-body gives some.

Examples:
  kinbox contacts create --name \"Ana Souza\" --phone 5585997281648 --email ana@example.com",
);

pub static GET: Operation =
    Operation::new(&RESOURCE, "get").examples("Examples:\n  kinbox contacts get 123456 -o table");

pub static UPDATE: Operation = Operation::new(&RESOURCE, "update");
