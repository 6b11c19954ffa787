//! `kinbox deals`, the deals (negócios): their description and columns,
//! and each operation's verb and examples.

use super::{Defaults, Kind, Operation, Resource, column};
use crate::commands::deals::{create, list, update};
use crate::input::defaults;

/// A new deal is open, and its customFields {}, unless said otherwise.
static NEW: Defaults = Defaults {
    help: None,
    complete: |_, _, body| {
        defaults::fill(
            body,
            &[
                ("status", || serde_json::json!("open")),
                ("customFields", || serde_json::json!({})),
            ],
        );
        Box::pin(async { Ok(()) })
    },
};

pub static RESOURCE: Resource = Resource {
    name: "deals",
    about: "Create, list, update and close deals (negócios)",
    columns: &[
        column("ID", "id", Kind::Text),
        column("NAME", "name", Kind::Text),
        column("VALUE", "value", Kind::Money),
        column("STATUS", "status", Kind::Text),
        column("PIPELINE", "pipelineId", Kind::Pipeline),
        column("STAGE", "stageId", Kind::Stage),
        column("CONTACT", "contact.name", Kind::Text),
        column("DUE DATE", "dueDate", Kind::Date),
    ],
};

pub static CREATE: Operation = Operation::new(&RESOURCE, "create")
    .adapt(create::adapt)
    .prepare(|client, matches, body| Box::pin(create::prepare(client, matches, body)))
    .defaults(&NEW)
    .examples(
        "Required unless --json-body gives them: --name, --value, the pipeline
(--pipeline NAME or --pipeline-id), the stage (--stage NAME or --stage-id) and the contact
(--contact-phone, --contact-email or --contact-id). --status is open unless given, and
customFields is sent as {} unless --custom-field or --json-body gives some.

Names are looked up before the deal is created (GET /v1/pipelines, /v1/contacts?phone=…,
/v1/custom-fields): case and accents are ignored (\"negociacao\" finds \"Negociação\") unless
a name matches exactly. A name that matches nothing or several things exits with status 2
and lists the choices; a contact no one has (by phone or e-mail) exits with status 1 unless
--create-contact is given. Nothing is created in either case.

Examples:
  kinbox deals create --name \"Pedido #1042\" --value 1890 --status open \\
    --pipeline \"Vendas\" --stage \"Proposta\" --contact-phone 5585997281648 \\
    --custom-field cpf=060.715.303-54 --custom-field segmento=varejo \\
    --tag \"Lead quente\" --tag Recompra

  # A new customer: the contact is created when no contact has the phone.
  kinbox deals create --name \"Pedido #1044\" --value \"R$ 1.890,50\" --pipeline Vendas \\
    --contact-phone \"+55 (85) 99728-1648\" --create-contact --contact-name \"Maria Oliveira\"

  kinbox deals create --name \"Pedido #1042\" --value 1890 --status open \\
    --pipeline-id 65f0c0ffee0000000000aaaa --stage-id 65f0c0ffee0000000000bbbb \\
    --contact-id 123456 --due-date 2024-05-31T18:00:00-03:00

  # Products and custom fields from a file; flags override the file's fields:
  kinbox deals create --json-body deal.json --name \"Pedido #1043\"
  jq '.value = 10' deal.json | kinbox deals create --json-body -",
    );

pub static LIST: Operation = Operation::new(&RESOURCE, "list")
    .adapt(list::adapt)
    .prepare(|client, matches, _| Box::pin(list::prepare(client, matches)))
    .examples(
        "Examples:
  kinbox deals list --status open --pipeline-id 65f0c0ffee0000000000aaaa -o table
  kinbox deals list --created-at-from 2024-05-01T00:00:00-03:00 --limit 100
  kinbox deals list --all --status won --jq .value | paste -sd+ | bc
  kinbox deals list --status open --json id,name,value",
    );

pub static GET: Operation = Operation::new(&RESOURCE, "get")
    .examples("Examples:\n  kinbox deals get 65f0c0ffee0000000000dddd -o table");

pub static UPDATE: Operation = Operation::new(&RESOURCE, "update")
    .adapt(update::adapt)
    .prepare(|client, matches, body| Box::pin(update::prepare(client, matches, body)))
    .examples(
        "Examples:
  kinbox deals update 65f0c0ffee0000000000dddd --value 2500 --due-date 2024-06-30T18:00:00-03:00
  kinbox deals update 65f0c0ffee0000000000dddd --json-body products.json",
    );

pub static DELETE: Operation = Operation::new(&RESOURCE, "delete")
    .examples("Examples:\n  kinbox deals delete 65f0c0ffee0000000000dddd");
