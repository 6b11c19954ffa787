//! What runs the command a person typed: a hand-written one's handler, or
//! the generated operation with its body assembled, its names looked up and
//! its answer printed.

use clap::{ArgMatches, Command};

use crate::CliError;
use crate::app::hooks::KinboxCliConfig;
use crate::app::words::{operation, words};
use crate::app::{handwritten, list_all};
use crate::config::context::Context;
use crate::generated_cli::Cli;
use crate::output::Printer;

/// Runs the command `matches` selected.
pub async fn dispatch(
    root: &Command,
    argv: &[std::ffi::OsString],
    matches: &ArgMatches,
    context: &Context,
) -> Result<(), CliError> {
    let (group, group_matches) = matches.subcommand().expect("a subcommand is required");
    let customs = handwritten::all();
    let run_custom = |extra: &handwritten::Handwritten, matches| {
        let invocation = handwritten::Invocation {
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
    // The reads the operation's table entry asks for: names looked up,
    // laid over the body, or made the query and what the printer keeps.
    let table = crate::resources::operation(op);
    let prepared = match table.prepare {
        Some(prepare) => prepare(&client, leaf_matches, body.as_mut()).await?,
        None => Default::default(),
    };
    if let Some((field, value)) = &prepared.keep {
        printer = printer.keeping(field, value.clone());
    }
    if leaf_matches
        .try_get_one::<bool>(list_all::ARG)
        .is_ok_and(|all| all == Some(&true))
    {
        let config = KinboxCliConfig::capturing(printer.clone());
        config.set_query(prepared.query);
        let cli = Cli::new(client, config.clone());
        let pages = list_all::Pages {
            root,
            argv,
            cli: &cli,
            config: &config,
            op,
        };
        return list_all::run(pages, leaf_matches, &printer).await;
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
    config.set_query(prepared.query);
    // The body's file, kept until the request is sent.
    let mut _body_file = None;
    let mut run_matches = leaf_matches.clone();
    if let Some(mut body) = body.take() {
        if let Some(defaults) = table.defaults {
            (defaults.complete)(&client, leaf_matches, &mut body).await?;
        }
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
                crate::error::how_to_check(root, resource, verb, leaf_matches, sent_at)
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
