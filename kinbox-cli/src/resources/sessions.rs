//! `kinbox sessions`, the service sessions (atendimentos): their description and columns,
//! and each operation's verb and examples.

use super::{Kind, Operation, Resource, column};

pub static RESOURCE: Resource = Resource {
    name: "sessions",
    about: "Read service sessions (atendimentos)",
    columns: &[
        column("ID", "id", Kind::Text),
        column("CONTACT", "contactId", Kind::Text),
        column("CAMPAIGN", "campaignId", Kind::Text),
        column("CALL", "callId", Kind::Text),
        column("UPDATED AT", "updatedAt", Kind::Date),
    ],
};

pub static LIST: Operation = Operation::new(&RESOURCE, "list").examples(
    "Examples:
  kinbox sessions list --contact-id 123456 -o table
  kinbox sessions list --all --updated-at-from 2024-05-01T00:00:00-03:00",
);

pub static GET: Operation = Operation::new(&RESOURCE, "get").examples(
    "The id is a session's id, or the numeric id of a call.

Examples:
  kinbox sessions get 65f0c0ffee0000000000ffff
  kinbox sessions get 98765",
);
