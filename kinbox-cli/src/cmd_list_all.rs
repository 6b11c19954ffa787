//! `kinbox <resource> list --all` for every cursor-paginated list (deals,
//! contacts, products, campaigns, sessions): every page, one item per line
//! as it arrives (JSON lines), or one table at the end.
//!
//! Each page is fetched by the generated `list` command itself, with the
//! cursor set by a request hook, so every filter flag applies to every page;
//! the SDK's `paginate` follows `nextCursor` and stops if it does not advance.

use futures::TryStreamExt as _;
use kinbox_api::{KinboxError, OperationError, paginate};
use serde_json::Value;

use crate::CliError;
use crate::cli_config::KinboxCliConfig;
use crate::generated_cli::{Cli, CliCommand};
use crate::output::Printer;

/// The flag added to list commands (those with a `--cursor`).
pub const ARG: &str = "all";

pub fn arg() -> clap::Arg {
    clap::Arg::new(ARG)
        .long(ARG)
        .action(clap::ArgAction::SetTrue)
        .help("Fetch every page, following nextCursor; prints one JSON object per line")
        .long_help(format!(
            "Fetch every page, following nextCursor, and print each item as one compact \
             JSON object per line (JSON lines) as it arrives; with -o table, one table at \
             the end. --limit sets the page size, --cursor where to start. The walk stops \
             at an empty page, at a cursor already followed, and after {} pages.",
            kinbox_api::MAX_PAGES
        ))
}

pub async fn run(
    cli: &Cli<KinboxCliConfig>,
    config: &KinboxCliConfig,
    op: CliCommand,
    matches: &clap::ArgMatches,
    printer: &Printer,
) -> Result<(), CliError> {
    let mut items = paginate(|cursor| async move {
        config.set_page_cursor(cursor);
        cli.execute(op, matches)
            .await
            .map_err(|error| match error.downcast::<OperationError>() {
                Ok(error) => KinboxError::from(error),
                // A hook or the body; nothing was sent.
                Err(other) => {
                    KinboxError::InvalidRequest(CliError::from_generated(other).to_string())
                }
            })
            .and_then(|()| {
                let page = config.take_captured().unwrap_or(Value::Null);
                page_of(page)
            })
    });
    let mut table = Vec::new();
    while let Some(item) = items.try_next().await.map_err(CliError::from)? {
        if printer.collects() {
            table.push(item);
        } else {
            printer.print_item(&item)?;
        }
    }
    if printer.collects() {
        printer.print_table(&table)?;
    }
    Ok(())
}

/// A page's `nextCursor`, as the text to send back as `cursor` (the SDK's
/// `PageCursor` reading: a string as it is, anything else as its JSON).
pub fn next_cursor(page: &Value) -> Option<String> {
    match page.get("nextCursor")? {
        Value::Null => None,
        cursor => serde_json::from_value::<kinbox_api::PageCursor>(cursor.clone())
            .ok()
            .map(|cursor| cursor.to_string()),
    }
}

/// A page's items and next cursor, from the generated command's response.
fn page_of(mut page: Value) -> Result<(Vec<Value>, Option<String>), KinboxError> {
    let next = next_cursor(&page);
    match page.get_mut("data").map(Value::take) {
        Some(Value::Array(items)) => Ok((items, next)),
        // The answer was read as the spec's page already; a page without
        // items is the server's fault, not the request's.
        _ => Err(KinboxError::InvalidResponse {
            body: page.to_string().into(),
            source: serde::de::Error::custom("the list has no `data` array"),
        }),
    }
}
