//! `kinbox campaigns`, the bulk-messaging campaigns (campanhas): their description and columns,
//! and each operation's verb and examples.

use super::{Kind, Operation, Resource, column};

pub static RESOURCE: Resource = Resource {
    name: "campaigns",
    about: "Manage bulk-messaging campaigns: create, pause, resume (campanhas)",
    columns: &[
        column("ID", "id", Kind::Text),
        column("NAME", "name", Kind::Text),
        column("STATUS", "status", Kind::Text),
        column("SCHEDULED TO", "scheduledTo", Kind::Date),
    ],
};

pub static LIST: Operation = Operation::new(&RESOURCE, "list").examples(
    "Examples:\n  kinbox campaigns list -o table\n  kinbox campaigns list --all --jq .status",
);

pub static CREATE: Operation = Operation::new(&RESOURCE, "create").examples(
    "Only --name is required; the lists (channelIds, assetsUrls) and the template go in
--json-body.

Examples:
  kinbox campaigns create --name \"Black Friday\" --channel-id 65f0c0ffee0000000000abcd \\
    --message \"A Black Friday começou!\" --scheduled-to 2024-11-29T09:00:00-03:00",
);

pub static GET: Operation = Operation::new(&RESOURCE, "get");

pub static UPDATE: Operation = Operation::new(&RESOURCE, "update");

pub static DELETE: Operation = Operation::new(&RESOURCE, "delete");

pub static PAUSE: Operation = Operation::new(&RESOURCE, "pause")
    .examples("Examples:\n  kinbox campaigns pause 65f0c0ffee0000000000eeee -o table");

pub static RESUME: Operation = Operation::new(&RESOURCE, "resume")
    .examples("Examples:\n  kinbox campaigns resume 65f0c0ffee0000000000eeee -o table");

/// Chunk leads' shape is not documented: their columns are derived from
/// the rows.
pub static CHUNK_LEADS: Operation = Operation::new(&RESOURCE, "chunk-leads")
    .examples("Examples:\n  kinbox campaigns chunk-leads 65f0c0ffee0000000000eeee -o table")
    .derived_columns();
