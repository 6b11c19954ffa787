//! The naming table: each operation of the OpenAPI description, built into a
//! command by progenitor (`generated_cli.rs`), gets its words `kinbox
//! <resource> <verb>` here, and what is keyed by the operation with an
//! exhaustive match (its resource's description, its examples). A new
//! operation in the spec does not compile until it is named here, and needs
//! nothing else.

use crate::generated_cli::CliCommand;

/// The words of each operation: `kinbox <resource> <verb>`.
pub fn words(op: CliCommand) -> (&'static str, &'static str) {
    match op {
        CliCommand::CreateDeal => ("deals", "create"),
        CliCommand::ListDeals => ("deals", "list"),
        CliCommand::GetDeal => ("deals", "get"),
        CliCommand::UpdateDeal => ("deals", "update"),
        CliCommand::DeleteDeal => ("deals", "delete"),
        CliCommand::ListPipelines => ("pipelines", "list"),
        CliCommand::CreatePipeline => ("pipelines", "create"),
        CliCommand::GetPipeline => ("pipelines", "get"),
        CliCommand::UpdatePipeline => ("pipelines", "update"),
        CliCommand::DeletePipeline => ("pipelines", "delete"),
        CliCommand::ListContacts => ("contacts", "list"),
        CliCommand::CreateContact => ("contacts", "create"),
        CliCommand::GetContact => ("contacts", "get"),
        CliCommand::UpdateContact => ("contacts", "update"),
        CliCommand::ListCustomFields => ("custom-fields", "list"),
        CliCommand::GetCustomField => ("custom-fields", "get"),
        CliCommand::ListProducts => ("products", "list"),
        CliCommand::CreateProduct => ("products", "create"),
        CliCommand::GetProduct => ("products", "get"),
        CliCommand::GetProductByExternalId => ("products", "get-by-external-id"),
        CliCommand::UpdateProduct => ("products", "update"),
        CliCommand::DeleteProduct => ("products", "delete"),
        CliCommand::ListTags => ("tags", "list"),
        CliCommand::CreateTag => ("tags", "create"),
        CliCommand::GetTag => ("tags", "get"),
        CliCommand::UpdateTag => ("tags", "update"),
        CliCommand::DeleteTag => ("tags", "delete"),
        CliCommand::ListCampaigns => ("campaigns", "list"),
        CliCommand::CreateCampaign => ("campaigns", "create"),
        CliCommand::GetCampaign => ("campaigns", "get"),
        CliCommand::UpdateCampaign => ("campaigns", "update"),
        CliCommand::DeleteCampaign => ("campaigns", "delete"),
        CliCommand::PauseCampaign => ("campaigns", "pause"),
        CliCommand::ResumeCampaign => ("campaigns", "resume"),
        CliCommand::ListCampaignChunkLeads => ("campaigns", "chunk-leads"),
        CliCommand::ListSessions => ("sessions", "list"),
        CliCommand::GetSession => ("sessions", "get"),
    }
}

/// The words of the operation whose `operationId` is `operation_id`
/// (`create_deal` → `("deals", "create")`), for tests driven by the spec.
pub fn words_of_operation(operation_id: &str) -> Option<(&'static str, &'static str)> {
    let pascal: String = operation_id
        .split('_')
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect();
    CliCommand::iter()
        .find(|op| format!("{op:?}") == pascal)
        .map(words)
}

/// The operation named `kinbox <resource> <verb>`, if any.
pub fn operation(resource: &str, verb: &str) -> Option<CliCommand> {
    CliCommand::iter().find(|op| words(*op) == (resource, verb))
}

/// What the resource of `op` is about, in `kinbox --help`; a new operation
/// does not compile until its resource is described here.
pub fn resource_about(op: CliCommand) -> &'static str {
    use CliCommand as C;
    match op {
        C::CreateDeal | C::ListDeals | C::GetDeal | C::UpdateDeal | C::DeleteDeal => {
            "Create, list, update and close deals (negócios)"
        }
        C::ListPipelines
        | C::CreatePipeline
        | C::GetPipeline
        | C::UpdatePipeline
        | C::DeletePipeline => "List and manage pipelines, their stages and lost reasons (funis)",
        C::ListContacts | C::CreateContact | C::GetContact | C::UpdateContact => {
            "Find contacts by phone or e-mail, create and update them (contatos)"
        }
        C::ListCustomFields | C::GetCustomField => {
            "Read the custom field definitions (campos personalizados)"
        }
        C::ListProducts
        | C::CreateProduct
        | C::GetProduct
        | C::GetProductByExternalId
        | C::UpdateProduct
        | C::DeleteProduct => "Manage the product catalogue (produtos)",
        C::ListTags | C::CreateTag | C::GetTag | C::UpdateTag | C::DeleteTag => {
            "Manage tags (etiquetas)"
        }
        C::ListCampaigns
        | C::CreateCampaign
        | C::GetCampaign
        | C::UpdateCampaign
        | C::DeleteCampaign
        | C::PauseCampaign
        | C::ResumeCampaign
        | C::ListCampaignChunkLeads => {
            "Manage bulk-messaging campaigns: create, pause, resume (campanhas)"
        }
        C::ListSessions | C::GetSession => "Read service sessions (atendimentos)",
    }
}

/// Examples shown under a command's help; a new operation does not compile
/// until it is given its examples here (or none).
pub fn examples(op: CliCommand) -> Option<&'static str> {
    Some(match op {
        CliCommand::CreateDeal => {
            "Required unless --json-body gives them: --name, --value, the pipeline
(--pipeline NAME or --pipeline-id), the stage (--stage NAME or --stage-id) and the contact
(--contact-phone, --contact-email or --contact-id). --status is open unless given, and
customFields is sent as {} unless --custom-field or --json-body gives some.

Names are looked up before the deal is created (GET /v1/pipelines, /v1/contacts?phone=…,
/v1/custom-fields): case and accents are ignored (\"negociacao\" finds \"Negociação\") unless
a name matches exactly. A name that matches nothing or several things exits with status 2
and lists the choices; nothing is created.

Examples:
  kinbox deals create --name \"Pedido #1042\" --value 1890 --status open \\
    --pipeline \"Vendas\" --stage \"Proposta\" --contact-phone 5585997281648 \\
    --custom-field cpf=060.715.303-54 --custom-field segmento=varejo

  kinbox deals create --name \"Pedido #1042\" --value 1890 --status open \\
    --pipeline-id 65f0c0ffee0000000000aaaa --stage-id 65f0c0ffee0000000000bbbb \\
    --contact-id 123456 --due-date 2024-05-31T18:00:00-03:00

  # Products and custom fields from a file; flags override the file's fields:
  kinbox deals create --json-body deal.json --name \"Pedido #1043\"
  jq '.value = 10' deal.json | kinbox deals create --json-body -"
        }
        CliCommand::ListDeals => {
            "Examples:
  kinbox deals list --status open --pipeline-id 65f0c0ffee0000000000aaaa -o table
  kinbox deals list --created-at-from 2024-05-01T00:00:00-03:00 --limit 100
  kinbox deals list --all --status won --jq .value | paste -sd+ | bc
  kinbox deals list --status open --json id,name,value"
        }
        CliCommand::GetDeal => "Examples:\n  kinbox deals get 65f0c0ffee0000000000dddd -o table",
        CliCommand::UpdateDeal => {
            "Examples:
  kinbox deals update 65f0c0ffee0000000000dddd --value 2500 --due-date 2024-06-30T18:00:00-03:00
  kinbox deals update 65f0c0ffee0000000000dddd --json-body products.json"
        }
        CliCommand::DeleteDeal => "Examples:\n  kinbox deals delete 65f0c0ffee0000000000dddd",
        CliCommand::ListPipelines => {
            "Every pipeline, with its stages; not paginated.

Examples:
  kinbox pipelines list -o table
  kinbox pipelines list --jq '{name, stages: [.stages[].name]}'"
        }
        CliCommand::GetPipeline => {
            "Examples:\n  kinbox pipelines get 65f0c0ffee0000000000aaaa --jq .lostReasons"
        }
        CliCommand::CreatePipeline => {
            "The stages, rules and privacy are lists and objects: give them with --json-body.

Examples:
  kinbox pipelines create --json-body pipeline.json
  echo '{\"name\": \"Vendas\", \"stages\": [{\"name\": \"Proposta\"}]}' | \\
    kinbox pipelines create --json-body -"
        }
        CliCommand::ListContacts => {
            "Examples:
  kinbox contacts list --phone 5585997281648 -o table
  kinbox contacts list --email ana@example.com
  kinbox contacts list --all --created-at-from 2024-05-01T00:00:00-03:00"
        }
        CliCommand::CreateContact => {
            "customFields is sent as {} unless --json-body gives some.

Examples:
  kinbox contacts create --name \"Ana Souza\" --phone 5585997281648 --email ana@example.com"
        }
        CliCommand::GetContact => "Examples:\n  kinbox contacts get 123456 -o table",
        CliCommand::ListCustomFields => {
            "The placeholder is the key of a field in customFields, and what
`kinbox deals create --custom-field PLACEHOLDER=VALUE` takes.

Examples:
  kinbox custom-fields list -o table
  kinbox custom-fields list --jq 'select(.entity == \"deal\") | .placeholder'"
        }
        CliCommand::ListProducts => {
            "Examples:\n  kinbox products list -o table\n  kinbox products list --all --template '{externalId};{name};{price}'"
        }
        CliCommand::CreateProduct => {
            "customFields is sent as {} unless --json-body gives some.

Examples:
  kinbox products create --name \"Cadeira\" --price 350 --external-id SKU-0042"
        }
        CliCommand::GetProductByExternalId => {
            "Examples:\n  kinbox products get-by-external-id SKU-0042"
        }
        CliCommand::ListTags => "Examples:\n  kinbox tags list -o table",
        CliCommand::CreateTag => {
            "Examples:\n  kinbox tags create --name \"VIP\" --color \"#f5a623\""
        }
        CliCommand::ListCampaigns => {
            "Examples:\n  kinbox campaigns list -o table\n  kinbox campaigns list --all --jq .status"
        }
        CliCommand::CreateCampaign => {
            "Only --name is required; the lists (channelIds, assetsUrls) and the template go in
--json-body.

Examples:
  kinbox campaigns create --name \"Black Friday\" --channel-id 65f0c0ffee0000000000abcd \\
    --message \"A Black Friday começou!\" --scheduled-to 2024-11-29T09:00:00-03:00"
        }
        CliCommand::PauseCampaign => {
            "Examples:\n  kinbox campaigns pause 65f0c0ffee0000000000eeee -o table"
        }
        CliCommand::ResumeCampaign => {
            "Examples:\n  kinbox campaigns resume 65f0c0ffee0000000000eeee -o table"
        }
        CliCommand::ListCampaignChunkLeads => {
            "Examples:\n  kinbox campaigns chunk-leads 65f0c0ffee0000000000eeee -o table"
        }
        CliCommand::ListSessions => {
            "Examples:
  kinbox sessions list --contact-id 123456 -o table
  kinbox sessions list --all --updated-at-from 2024-05-01T00:00:00-03:00"
        }
        CliCommand::GetSession => {
            "The id is a session's id, or the numeric id of a call.

Examples:
  kinbox sessions get 65f0c0ffee0000000000ffff
  kinbox sessions get 98765"
        }
        CliCommand::UpdatePipeline
        | CliCommand::DeletePipeline
        | CliCommand::UpdateContact
        | CliCommand::GetCustomField
        | CliCommand::GetProduct
        | CliCommand::UpdateProduct
        | CliCommand::DeleteProduct
        | CliCommand::GetTag
        | CliCommand::UpdateTag
        | CliCommand::DeleteTag
        | CliCommand::GetCampaign
        | CliCommand::UpdateCampaign
        | CliCommand::DeleteCampaign => return None,
    })
}
