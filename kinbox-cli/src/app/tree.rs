//! The command tree, `kinbox <resource> <verb>`, and what runs each command.
//!
//! Every operation of the OpenAPI description is a command built by
//! progenitor (`generated_cli.rs`); [`words`] names it. A new operation in the
//! spec does not compile until it is named there, and needs nothing else.

use clap::{Arg, ArgMatches, Command};

use crate::CliError;
use crate::app::hooks::KinboxCliConfig;
use crate::app::{handwritten as custom, list_all as cmd_list_all};
use crate::config::context::Context;
use crate::config::global;
use crate::generated_cli::{Cli, CliCommand};
use crate::output::Printer;

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
fn resource_about(op: CliCommand) -> &'static str {
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

const ABOUT: &str = "Command line tool for the Kinbox CRM API";

const AFTER_HELP: &str = "\
Environment:
  KINBOX_TOKEN       The API token; takes precedence over the stored profiles
  KINBOX_PROFILE     The profile to use, like --profile
  KINBOX_BASE_URL    The API to talk to, like --base-url
  KINBOX_CONFIG_DIR  Where credentials.toml is kept [default: ~/.config/kinbox on Linux]

Exit status:
  0  success
  1  the API refused the request, could not be reached, or no token is available
  2  usage error: a missing or invalid argument or JSON body; nothing was sent
  3  a create, update or delete was sent but its answer was lost (dropped, timed
     out, unreadable): it may have been applied; the message says how to check
  4  `auth status` could not check the token (the API could not be reached)

Examples:
  kinbox auth login
  kinbox deals create --name \"Pedido #1042\" --value 1890 --status open \\
    --pipeline \"Vendas\" --stage \"Proposta\" --contact-phone 5585997281648
  kinbox deals list --status open -o table
  kinbox deals move 65f0c0ffee0000000000dddd --stage \"Fechamento\"
  kinbox deals win 65f0c0ffee0000000000dddd
  kinbox contacts list --phone 5585997281648 -o table";

/// Examples shown under a command's help; a new operation does not compile
/// until it is given its examples here (or none).
fn examples(op: CliCommand) -> Option<&'static str> {
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

/// The whole command tree.
pub fn command() -> Command {
    let mut root = Command::new("kinbox")
        .version(env!("CARGO_PKG_VERSION"))
        .about(ABOUT)
        .after_help(AFTER_HELP)
        .max_term_width(100)
        .subcommand_required(true)
        .arg_required_else_help(true)
        .args(global::args())
        .args(crate::output::args());

    let mut ops: Vec<CliCommand> = CliCommand::iter().collect();
    ops.sort_by_key(|op| verb_rank(words(*op).1));
    let mut resources: Vec<Command> = Vec::new();
    for op in ops {
        let (resource, verb) = words(op);
        let position = match resources.iter().position(|r| r.get_name() == resource) {
            Some(position) => position,
            None => {
                resources.push(
                    Command::new(resource)
                        .about(resource_about(op))
                        .subcommand_required(true)
                        .arg_required_else_help(true),
                );
                resources.len() - 1
            }
        };
        let leaf = adapt(Cli::<KinboxCliConfig>::get_command(op), resource, verb);
        let group = resources.remove(position);
        resources.insert(position, group.subcommand(leaf));
    }
    let customs = custom::all();
    for mut resource in resources {
        let name = resource.get_name().to_owned();
        for extra in customs.iter().filter(|c| c.parent == Some(name.as_str())) {
            resource = resource.subcommand((extra.command)());
        }
        root = root.subcommand(resource);
    }
    for extra in customs.iter().filter(|c| c.parent.is_none()) {
        root = root.subcommand((extra.command)());
    }
    let globals: Vec<Arg> = global::args();
    for_each_subcommand(root, |sub| point_to_global_options(sub, &globals))
}

/// `cmd` with `change` made to each of its subcommands.
fn for_each_subcommand(cmd: Command, change: impl Fn(Command) -> Command) -> Command {
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|sub| sub.get_name().to_owned())
        .collect();
    names
        .iter()
        .fold(cmd, |cmd, name| cmd.mut_subcommand(name, &change))
}

/// Gives `cmd` and its subcommands hidden copies of the global options, so
/// that clap does not copy them in visibly, and one line of help that names
/// them and says where they are explained: they are listed once, in
/// `kinbox --help`.
fn point_to_global_options(mut cmd: Command, globals: &[Arg]) -> Command {
    let names: Vec<String> = globals
        .iter()
        .filter(|arg| !arg.is_hide_set())
        .map(|arg| match (arg.get_short(), arg.get_long()) {
            (Some(short), Some(long)) => format!("-{short}/--{long}"),
            (None, Some(long)) => format!("--{long}"),
            (Some(short), None) => format!("-{short}"),
            (None, None) => arg.get_id().to_string(),
        })
        .collect();
    let pointer = format!("Global options: {} (see `kinbox --help`)", names.join(", "));
    let after = match cmd.get_after_help() {
        Some(after) => format!("{pointer}\n\n{after}"),
        None => pointer,
    };
    cmd = cmd
        .args(globals.iter().map(|arg| arg.clone().hide(true)))
        .after_help(after);
    for_each_subcommand(cmd, |sub| point_to_global_options(sub, globals))
}

fn verb_rank(verb: &str) -> usize {
    ["create", "list", "get", "update", "delete"]
        .iter()
        .position(|v| *v == verb)
        .unwrap_or(usize::MAX)
}

/// Turns a generated command into `kinbox <resource> <verb>`: a one-line
/// summary, the path parameter as a positional (`ID`, `EXTERNAL_ID`),
/// `--json-body` optional and read from a file or stdin, date-times with a
/// clear error, `--all` on paginated lists, and the by-name flags of
/// `deals create`.
fn adapt(cmd: Command, resource: &str, verb: &str) -> Command {
    let about = english(&cmd.get_about().map(|a| a.to_string()).unwrap_or_default());
    let summary = about
        .split("\n\n")
        .next()
        .unwrap_or_default()
        .trim()
        .to_owned();
    let mut cmd = cmd
        .name(verb.to_owned())
        .about(summary)
        .long_about(about.trim_end().to_owned())
        .mut_args(adapt_arg);
    if cmd.get_arguments().any(|a| a.get_id() == "cursor") {
        // `--all` asks for each next page with `--cursor` added to the
        // command line, which must win over one the user gave.
        cmd = cmd.arg(cmd_list_all::arg()).args_override_self(true);
    }
    if let Some(examples) = operation(resource, verb).and_then(examples) {
        cmd = cmd.after_help(examples);
    }
    if (resource, verb) == ("deals", "create") {
        cmd = crate::commands::deals::create::adapt(cmd);
    }
    if (resource, verb) == ("deals", "list") {
        cmd = crate::commands::deals::list::adapt(cmd);
    }
    if let Some(op) = operation(resource, verb)
        && cmd.get_arguments().any(|arg| arg.get_id() == "id")
    {
        cmd = cmd.mut_arg("id", |arg| crate::lookup::named::adapt_id(op, arg));
    }
    if verb == "delete" {
        cmd = cmd.arg(crate::input::confirm::arg());
    }
    if (resource, verb) == ("deals", "update") {
        cmd = cmd
            .arg(
                Arg::new("pipeline")
                    .long("pipeline")
                    .value_name("NAME")
                    .conflicts_with("pipeline-id")
                    .help("The pipeline (funil) by its name, e.g. \"Vendas\" (instead of --pipeline-id)"),
            )
            .arg(
                Arg::new("stage")
                    .long("stage")
                    .value_name("NAME")
                    .conflicts_with("stage-id")
                    .help(
                        "The stage (etapa) by its name, in --pipeline's or else the deal's \
                         pipeline (instead of --stage-id)",
                    ),
            );
        cmd = cmd.arg(crate::input::custom_fields::arg().long_help(
            "A custom field by its placeholder, e.g. cpf=060.715.303-54; repeat for several. \
             It is merged with the deal's current custom fields (the deal is read first), \
             so the others are kept: the API replaces the whole map. Checked against the \
             field's type as `deals create --custom-field` does.",
        ));
        cmd = cmd.arg(
            Arg::new(crate::commands::deals::update::CONTACT_ID)
                .long(crate::commands::deals::update::CONTACT_ID)
                .value_name("ID")
                .value_parser(clap::value_parser!(i64))
                .help("Give the deal to this contact, by its numeric id")
                .long_help(
                    "Give the deal to this contact, by its numeric id. The update carries \
                     the whole contact, as the API requires, so the contact is read first \
                     (GET /v1/contacts/ID) and its name, avatar, phone and e-mail are sent.",
                )
                .conflicts_with_all([
                    crate::commands::deals::create::CONTACT_PHONE,
                    crate::commands::deals::create::CONTACT_EMAIL,
                ]),
        );
        cmd = cmd.args(crate::commands::deals::create::contact_args(
            "Give the deal to the contact",
            "(instead of --contact-id; the contact is read whole, as for --contact-id)",
        ));
    }
    cmd = cmd.mut_args(|arg| {
        let rank = COMMON_FIRST
            .iter()
            .position(|id| arg.get_id() == *id)
            .unwrap_or(COMMON_FIRST.len());
        match arg.get_help_heading() {
            Some(SERVER_KEPT_HEADING) => arg,
            _ => arg.display_order(rank),
        }
    });
    if let Some(filled) = operation(resource, verb).and_then(crate::input::defaults::help) {
        let after = cmd
            .get_after_help()
            .map(|help| format!("{filled}\n\n{help}"))
            .unwrap_or(filled);
        cmd = cmd.after_help(after);
    }
    cmd
}

/// The flags most commands are used with, listed first in this order; the
/// others follow alphabetically.
const COMMON_FIRST: &[&str] = &[
    "name",
    "value",
    "status",
    "pipeline",
    "pipeline-id",
    "stage",
    "stage-id",
    "contact-phone",
    "contact-email",
    "contact-id",
    "phone",
    "email",
    "custom-field",
    "due-date",
    "json-body",
];

/// Body fields that Kinbox itself keeps up to date; a person sets them
/// rarely, if ever, so their flags come last, under their own heading.
const SERVER_KEPT: &[&str] = &["comments", "focused-counts", "last-stage-changed"];
const SERVER_KEPT_HEADING: &str = "Kept by Kinbox (rarely set by hand)";

/// The spec describes each field in Portuguese, then English
/// (`Nome do negócio. / Name of the deal.`); help is read in one language
/// per line: the English half of each paragraph written that way.
fn english(text: &str) -> String {
    text.split("\n\n")
        .map(|paragraph| match paragraph.split_once(". / ") {
            Some((_, english)) => english.trim().to_owned(),
            None => paragraph.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("\n\n")
}

fn adapt_arg(arg: Arg) -> Arg {
    let id = arg.get_id().as_str().to_owned();
    // The spec notes its departures from Kinbox's reference for maintainers
    // (`Deliberate: …`); a person reading --help needs the field, not that.
    let arg = match arg.get_help().map(ToString::to_string) {
        Some(help) => {
            let kept = help
                .split("Deliberate:")
                .next()
                .unwrap_or_default()
                .trim_end();
            // Lines are wrapped by clap, to the terminal: the spec's own
            // line breaks would cut them short.
            let kept = english(kept)
                .split("\n\n")
                .map(|paragraph| paragraph.split_whitespace().collect::<Vec<_>>().join(" "))
                .collect::<Vec<_>>()
                .join("\n\n");
            let arg = arg.help(kept);
            match SERVER_KEPT.contains(&id.as_str()) {
                true => arg
                    .help_heading(SERVER_KEPT_HEADING)
                    .display_order(usize::MAX),
                false => arg,
            }
        }
        None => arg,
    };
    let parses = |ty: std::any::TypeId| arg.get_value_parser().type_id() == ty;
    let is_text = parses(std::any::TypeId::of::<String>());
    let is_float = parses(std::any::TypeId::of::<f64>());
    let is_signed =
        is_float || parses(std::any::TypeId::of::<i64>()) || parses(std::any::TypeId::of::<i32>());
    // `--value -5`: a negative number is a value, not a flag; a decimal one
    // takes any word, so that `-inf` reaches the number check and is refused
    // as what it is.
    // A body field is required unless --json-body is given, as progenitor
    // marks it; whether it is there is known only once the file, the flags
    // and the lookups by name are merged: `request_body.rs` checks it then,
    // and says which flags give it.
    let arg = arg
        .allow_negative_numbers(is_signed)
        .allow_hyphen_values(is_float)
        .required_unless_present(clap::builder::Resettable::<clap::Id>::Reset);
    match id.as_str() {
        // Path parameters are the only arguments progenitor marks required
        // outright (body fields are required unless --json-body is given).
        _ if id != crate::input::request_body::ARG && arg.is_required_set() => {
            let arg = arg
                .long(None)
                .value_name(id.to_uppercase().replace('-', "_"));
            if is_text {
                arg.value_parser(crate::input::values::PATH_ID)
            } else {
                arg
            }
        }
        _ if is_float => {
            crate::input::values::number_arg(arg).value_name(id.to_uppercase().replace('-', "_"))
        }
        crate::input::request_body::ARG => arg
            .required(false)
            .value_name("FILE")
            .value_parser(clap::value_parser!(std::path::PathBuf))
            .help(crate::input::request_body::help()),
        crate::input::request_body::TEMPLATE_ARG => arg.hide(true),
        _ if arg.get_value_parser().type_id()
            == std::any::TypeId::of::<chrono::DateTime<chrono::Utc>>() =>
        {
            crate::input::datetime::arg(arg)
        }
        "phone" => crate::input::phone::arg(arg).value_name("PHONE"),
        // The same words as the import's status column, Portuguese too.
        _ if arg.get_value_parser().type_id()
            == std::any::TypeId::of::<kinbox_api::types::DealStatus>() =>
        {
            crate::input::values::with_note(arg, kinbox_input::deal::STATUS_HELP)
                .value_parser(crate::input::values::TextParser::new(
                    kinbox_input::deal::status,
                ))
                .value_name("STATUS")
        }
        _ => arg.value_name(id.to_uppercase().replace('-', "_")),
    }
}

/// Runs the command `matches` selected.
pub async fn dispatch(
    root: &Command,
    argv: &[std::ffi::OsString],
    matches: &ArgMatches,
    context: &Context,
) -> Result<(), CliError> {
    let (group, group_matches) = matches.subcommand().expect("a subcommand is required");
    let customs = custom::all();
    let run_custom = |extra: &custom::Custom, matches| {
        let invocation = custom::Invocation {
            context,
            root,
            matches,
        };
        let run = extra.run;
        async move { run(&invocation).await }
    };
    if let Some(extra) = customs
        .iter()
        .find(|c| c.parent.is_none() && c.name == group)
    {
        return run_custom(extra, group_matches).await;
    }
    let (verb, leaf_matches) = group_matches
        .subcommand()
        .expect("a subcommand is required");
    if let Some(extra) = customs
        .iter()
        .find(|c| c.parent == Some(group) && c.name == verb)
    {
        return run_custom(extra, leaf_matches).await;
    }
    let op = operation(group, verb).expect("every command in the tree is dispatched");
    let leaf = root
        .find_subcommand(group)
        .and_then(|g| g.find_subcommand(verb))
        .expect("the command that was parsed exists");
    let mut body = crate::input::request_body::Body::assemble(
        op.operation_id(),
        &format!("kinbox {group} {verb}"),
        &Cli::<KinboxCliConfig>::get_command(op),
        leaf,
        leaf_matches,
    )?;

    let client = context.client()?;
    let (resource, verb) = words(op);
    let mut printer = Printer::new(&context.globals, Some(op), resource)
        .ready(&client)
        .await?;
    let mut deal_filters = crate::commands::deals::list::Filters::default();
    if matches!(op, CliCommand::ListDeals) {
        deal_filters = crate::commands::deals::list::resolve(&client, leaf_matches).await?;
        if let Some(stage) = &deal_filters.stage_id {
            printer = printer.keeping("stageId", stage.clone().into());
        }
    }
    if leaf_matches
        .try_get_one::<bool>(cmd_list_all::ARG)
        .is_ok_and(|all| all == Some(&true))
    {
        let config = KinboxCliConfig::capturing(printer.clone());
        config.set_deal_filters(deal_filters);
        let cli = Cli::new(client, config.clone());
        let pages = cmd_list_all::Pages {
            root,
            argv,
            cli: &cli,
            config: &config,
            op,
        };
        return cmd_list_all::run(pages, leaf_matches, &printer).await;
    }
    if let Some(object) = crate::lookup::named::find(op, &client, leaf_matches).await? {
        return printer.print(&object);
    }
    // A delete reads the object first: to ask about it, and to say what went.
    let doomed = match operation(resource, "get").filter(|_| verb == "delete") {
        Some(get) => {
            let config = KinboxCliConfig::capturing(printer.clone());
            Cli::new(client.clone(), config.clone())
                .execute(get, leaf_matches)
                .await
                .map_err(CliError::from_generated)?;
            let object = config.take_captured().unwrap_or_default();
            crate::input::confirm::delete(leaf_matches, singular(resource), &object)?;
            Some(object)
        }
        None => None,
    };
    let config = KinboxCliConfig::printing(printer);
    config.set_deal_filters(deal_filters);
    // The body's file, kept until the request is sent.
    let mut _body_file = None;
    let mut run_matches = leaf_matches.clone();
    if let Some(mut body) = body.take() {
        match op {
            CliCommand::CreateDeal => {
                let resolved =
                    crate::commands::deals::create::resolve(&client, leaf_matches, &body).await?;
                body.overlay(resolved.body_fields());
            }
            CliCommand::UpdateDeal => {
                if let Some(lookups) =
                    crate::commands::deals::update::resolve(&client, leaf_matches).await?
                {
                    body.overlay(lookups.body_fields()?);
                }
            }
            _ => {}
        }
        crate::input::defaults::complete(op, &client, leaf_matches, &mut body).await?;
        body.check(leaf)?;
        let (file, matches) = body.into_matches(leaf, leaf_matches)?;
        _body_file = Some(file);
        run_matches = matches;
    }
    let cli = Cli::new(client, config.clone());
    let sent_at = chrono::Utc::now();
    cli.execute(op, &run_matches)
        .await
        .map_err(CliError::from_generated)
        .map_err(|error| match error {
            CliError::OutcomeUnknown(message) => CliError::outcome_unknown(format!(
                "{message}\n{}",
                how_to_check(root, resource, verb, leaf_matches, sent_at)
            )),
            error => error,
        })?;
    if let Some(object) = doomed {
        crate::input::confirm::deleted(singular(resource), &object);
    }
    match config.take_output_error() {
        Some(error) => Err(error),
        None => Ok(()),
    }
}

/// `deals` → `deal`, for messages about one object.
fn singular(resource: &str) -> &str {
    resource.strip_suffix('s').unwrap_or(resource)
}

/// What to run to learn whether a write whose answer was lost was applied:
/// for a create, the list filtered to what it would have made; otherwise,
/// the object itself.
pub fn how_to_check(
    root: &Command,
    resource: &str,
    verb: &str,
    matches: &ArgMatches,
    sent_at: chrono::DateTime<chrono::Utc>,
) -> String {
    let given = |id: &str| {
        matches
            .try_get_raw(id)
            .ok()
            .flatten()
            .and_then(|mut values| values.next())
            .map(|value| value.to_string_lossy().into_owned())
    };
    if verb == "create" {
        let list = root
            .find_subcommand(resource)
            .and_then(|r| r.find_subcommand("list"));
        let filters = |id: &str| list.is_some_and(|l| l.get_arguments().any(|a| a.get_id() == id));
        let mut command = format!("kinbox {resource} list");
        if filters("created-at-from") {
            // A minute early: the server's clock may be behind ours.
            let from = sent_at - chrono::Duration::minutes(1);
            command.push_str(&format!(
                " --created-at-from {}",
                from.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            ));
        }
        for filter in ["contact-id", "pipeline-id"] {
            if let Some(value) = given(filter).filter(|_| filters(filter)) {
                command.push_str(&format!(" --{filter} {value}"));
            }
        }
        return format!("look for it with `{command} -o table` before creating it again");
    }
    match given("id") {
        Some(id) => how_to_check_object(resource, &id),
        None => "check its state before sending it again".to_owned(),
    }
}

/// [`how_to_check`] for a write to one object.
pub fn how_to_check_object(resource: &str, id: &str) -> String {
    format!("see its state with `kinbox {resource} get {id}` before sending it again")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn help_is_in_english_one_paragraph_at_a_time() {
        assert_eq!(
            english("Nome do negócio. / Name of the deal."),
            "Name of the deal."
        );
        assert_eq!(
            english("Atualiza um negócio. / Updates a deal,\nkeeping the rest.\n\nThere is more."),
            "Updates a deal,\nkeeping the rest.\n\nThere is more."
        );
        assert_eq!(english("E-mail."), "E-mail.");
    }
}
