//! The command tree, `kinbox <resource> <verb>`: the generated commands
//! named by [`words`](crate::app::words) and adapted to be typed by a person,
//! the hand-written ones added beside them, the global options listed once.

use clap::{Arg, Command};

use crate::app::hooks::KinboxCliConfig;
use crate::app::words::words;
use crate::app::{handwritten, list_all};
use crate::config::global;
use crate::generated_cli::{Cli, CliCommand};

const ABOUT: &str = "Command line tool for the Kinbox CRM API";

const AFTER_HELP: &str = "\
Output (-o, --json, --jq, --template: on each command that prints answers):
  On a terminal, a list is a table (cells cut to the terminal's width) and one
  object is `field: value` lines; in a pipe or a file, JSON: a list is one
  compact JSON object per line, one object is one JSON document. An empty list
  prints nothing on stdout and says so on stderr.

Environment:
  KINBOX_TOKEN       The API token; takes precedence over the stored profiles, and is
                     sent only to KINBOX_BASE_URL (else the default API)
  KINBOX_PROFILE     The profile to use, like --profile
  KINBOX_BASE_URL    The API to talk to, like --base-url
  KINBOX_TZ          The time zone of dates, like --tz [default: America/Sao_Paulo]
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

/// The whole command tree.
pub fn command() -> Command {
    let mut root = Command::new("kinbox")
        .version(env!("CARGO_PKG_VERSION"))
        .about(ABOUT)
        .after_help(AFTER_HELP)
        .max_term_width(100)
        .subcommand_required(true)
        .arg_required_else_help(true)
        .args(global::args());

    let mut ops: Vec<CliCommand> = CliCommand::iter().collect();
    ops.sort_by_key(|op| verb_rank(words(*op).1));
    let mut resources: Vec<Command> = Vec::new();
    for op in ops {
        let resource = words(op).0;
        let position = match resources.iter().position(|r| r.get_name() == resource) {
            Some(position) => position,
            None => {
                resources.push(
                    Command::new(resource)
                        .about(crate::resources::operation(op).resource.about)
                        .subcommand_required(true)
                        .arg_required_else_help(true),
                );
                resources.len() - 1
            }
        };
        let leaf = adapt(Cli::<KinboxCliConfig>::get_command(op), op);
        // A delete answers with no body (the spec documents none) and says
        // what it deleted on stderr: it prints no answer to shape.
        let leaf = match words(op).1 {
            "delete" => leaf,
            _ => leaf.args(crate::output::args(Some(op))),
        };
        let group = resources.remove(position);
        resources.insert(position, group.subcommand(leaf));
    }
    let customs = handwritten::all();
    for mut resource in resources {
        let name = resource.get_name().to_owned();
        for extra in customs.iter().filter(|c| c.parent == Some(name.as_str())) {
            resource = resource.subcommand(with_output_options(extra));
        }
        root = root.subcommand(resource);
    }
    for extra in customs.iter().filter(|c| c.parent.is_none()) {
        root = root.subcommand(with_output_options(extra));
    }
    let globals: Vec<Arg> = global::args();
    let root = for_each_subcommand(root, |sub| point_to_global_options(sub, &globals));
    complete_names(root)
}

/// `--pipeline` and `--stage`, wherever they are, completed with the names
/// the API has (`kinbox completion`).
fn complete_names(mut cmd: Command) -> Command {
    use crate::commands::completion::{self, Names};
    use crate::input::name_flags::{PIPELINE, STAGE};
    for (id, names) in [(PIPELINE, Names::Pipelines), (STAGE, Names::Stages)] {
        if cmd.get_arguments().any(|arg| arg.get_id() == id) {
            cmd = cmd.mut_arg(id, |arg| completion::complete_names(arg, names));
        }
    }
    for_each_subcommand(cmd, complete_names)
}

/// A hand-written command, with the output options when it prints an
/// answer of the API: they are on no other command.
fn with_output_options(extra: &handwritten::Handwritten) -> Command {
    let cmd = (extra.command)();
    match extra.prints {
        handwritten::Prints::AnswerOf(op) => cmd.args(crate::output::args(Some(op))),
        handwritten::Prints::AnyAnswer => cmd.args(crate::output::args(None)),
        handwritten::Prints::Other => cmd,
    }
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
/// clear error, `--all` on paginated lists, and the flags that give by
/// name what it takes by id.
fn adapt(cmd: Command, op: CliCommand) -> Command {
    let verb = words(op).1;
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
        cmd = cmd.arg(list_all::arg()).args_override_self(true);
    }
    if let Some(examples) = crate::resources::operation(op).examples {
        cmd = cmd.after_help(examples);
    }
    if let Some(adapt) = crate::resources::operation(op).adapt {
        cmd = adapt(cmd);
    }
    if cmd.get_arguments().any(|arg| arg.get_id() == "id") {
        cmd = cmd.mut_arg("id", |arg| crate::lookup::named::adapt_id(op, arg));
    }
    if verb == "delete" {
        cmd = cmd.arg(crate::input::confirm::arg());
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
    let defaults_help = crate::resources::operation(op)
        .defaults
        .and_then(|defaults| defaults.help);
    if let Some(filled) = defaults_help.map(|help| help()) {
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
