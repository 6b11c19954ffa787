//! `kinbox <resource> list --all` for every list with a `--cursor` (every
//! cursor-paginated list of the spec, found there, none named here): every
//! page, one item per line as it arrives (JSON lines), or one table at the end.
//!
//! Each page is fetched by the generated `list` command itself, with the
//! command line parsed again with `--cursor` added, so every filter flag
//! applies to every page; the SDK's `paginate` (which the SDK's `stream()`s
//! use too) follows `nextCursor`, stops at an empty page, a repeated cursor
//! or `MAX_PAGES`.

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

/// What `--all` needs to ask for each page: the command line to parse again
/// with `--cursor` added, and the generated command that sends it.
pub struct Pages<'a> {
    pub root: &'a clap::Command,
    pub argv: &'a [std::ffi::OsString],
    pub cli: &'a Cli<KinboxCliConfig>,
    pub config: &'a KinboxCliConfig,
    pub op: CliCommand,
}

impl Pages<'_> {
    /// The page after `cursor` (the first without one), as the list command
    /// the user typed would fetch it with `--cursor CURSOR`: every filter
    /// applies to every page, and no list needs code of its own.
    async fn fetch(
        &self,
        first: &clap::ArgMatches,
        cursor: Option<String>,
    ) -> Result<(Vec<Value>, Option<String>), KinboxError> {
        let reparsed;
        let matches = match cursor {
            None => first,
            Some(cursor) => {
                let argv = self
                    .argv
                    .iter()
                    .cloned()
                    .chain(["--cursor".into(), cursor.into()]);
                reparsed = self
                    .root
                    .clone()
                    .try_get_matches_from(argv)
                    .map_err(|e| KinboxError::InvalidRequest(e.to_string()))?;
                leaf(&reparsed)
            }
        };
        self.cli.execute(self.op, matches).await.map_err(|error| {
            match error.downcast::<OperationError>() {
                Ok(error) => KinboxError::from(error),
                // A hook or the body; nothing was sent.
                Err(other) => {
                    KinboxError::InvalidRequest(CliError::from_generated(other).to_string())
                }
            }
        })?;
        page_of(self.config.take_captured().unwrap_or(Value::Null))
    }
}

/// The matches of the leaf command (`kinbox <resource> <verb>`).
fn leaf(matches: &clap::ArgMatches) -> &clap::ArgMatches {
    let mut matches = matches;
    while let Some((_, sub)) = matches.subcommand() {
        matches = sub;
    }
    matches
}

pub async fn run(
    pages: Pages<'_>,
    matches: &clap::ArgMatches,
    printer: &Printer,
) -> Result<(), CliError> {
    let pages = &pages;
    let mut items = paginate(|cursor| async move { pages.fetch(matches, cursor).await });
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
