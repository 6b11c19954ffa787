//! `kinbox <resource> list --all` for every list with a `--cursor` (every
//! cursor-paginated list of the spec, found there, none named here): every
//! page, printed as it arrives, one item per line (JSON lines) or as rows of
//! a table whose columns the first page fixes. Nothing is held past its page.
//!
//! Each page is fetched by the generated `list` command itself, with the
//! command line parsed again with `--cursor` added (and `--limit` at the
//! largest page the spec allows, unless given), so every filter flag
//! applies to every page; each page is a read, retried as `--retries` says; the SDK's `paginate` (which the SDK's `stream()`s
//! use too) follows `nextCursor`, empty pages included, and ends in an error
//! at a repeated cursor or after `MAX_PAGES`: a walk that did not read the
//! whole list never exits 0.

use std::sync::Mutex;

use clap::parser::ValueSource;
use futures::StreamExt as _;
use futures::stream::{TryReadyChunksError, TryStreamExt as _};
use kinbox_api::server_text::shown;
use kinbox_api::{KinboxError, paginate};
use serde_json::Value;

use crate::CliError;
use crate::app::hooks::KinboxCliConfig;
use crate::generated_cli::{Cli, CliCommand};
use crate::output::{Printer, Table, next_cursor};

/// The flag added to list commands (those with a `--cursor`).
pub const ARG: &str = "all";
/// The page size flag of the list commands.
const LIMIT: &str = "limit";

pub fn arg() -> clap::Arg {
    clap::Arg::new(ARG)
        .long(ARG)
        .action(clap::ArgAction::SetTrue)
        .help("Fetch every page, following nextCursor; prints one JSON object per line")
        .long_help(format!(
            "Fetch every page, following nextCursor, and print each item as one compact \
             JSON object per line (JSON lines) as it arrives; with -o table, rows as they \
             arrive, in columns as wide as the first page needs (a wider cell later is cut \
             with …). Pages are as large as the API allows ({}), unless --limit sets the page size; \
             --cursor sets where to start. A page that fails (429, 5xx, a dropped connection) is \
             asked for again, as --retries says. Empty pages that \
             name a next cursor are followed. The walk fails (exit 1, saying how many items \
             were printed) at a cursor already followed and after {} pages, rather than \
             end as if the list were whole.",
            kinbox_api::largest_page("list_deals").unwrap_or(100),
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
        parser: &Mutex<clap::Command>,
        first: &clap::ArgMatches,
        page_size: Option<&str>,
        cursor: Option<String>,
    ) -> Result<(Vec<Value>, Option<String>), KinboxError> {
        let reparsed;
        let matches = match (cursor, page_size) {
            (None, None) => first,
            (cursor, page_size) => {
                let argv = self
                    .argv
                    .iter()
                    .cloned()
                    .chain(page_size.map(Into::into))
                    // One word, so that a cursor starting with `-` is not read
                    // as a flag.
                    .chain(cursor.map(|cursor| format!("--cursor={cursor}").into()));
                let mut parser = parser.lock().unwrap_or_else(|e| e.into_inner());
                reparsed = parser
                    .try_get_matches_from_mut(argv)
                    .map_err(|e| KinboxError::InvalidRequest(e.to_string()))?;
                drop(parser);
                leaf(&reparsed)
            }
        };
        self.cli.execute(self.op, matches).await.map_err(|error| {
            match error.downcast::<KinboxError>() {
                Ok(error) => error,
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

/// At most this many rows are printed at once: a page's (the API's pages
/// hold at most 100), or what is at hand when a page comes with more.
const ROWS_AT_HAND: usize = 1000;

pub async fn run(
    pages: Pages<'_>,
    matches: &clap::ArgMatches,
    printer: &Printer,
) -> Result<(), CliError> {
    // One copy of the command tree, parsed again for each page: a copy a
    // page was most of the CPU of a long walk.
    let parser = Mutex::new(pages.root.clone());
    // The largest page the API serves, unless --limit says otherwise: fewer
    // requests, so a walk is quicker and meets fewer rate limits.
    let page_size = kinbox_api::largest_page(pages.op.operation_id())
        .filter(|_| matches.value_source(LIMIT) != Some(ValueSource::CommandLine))
        .map(|size| format!("--{LIMIT}={size}"));
    let page_size = page_size.as_deref();
    // The next cursor of the last page read: where to go on from when the
    // walk is stopped by its page limit.
    let next = Mutex::new(None);
    let (pages, parser, next) = (&pages, &parser, &next);
    let mut chunks = paginate(|cursor| async move {
        let page = pages.fetch(parser, matches, page_size, cursor).await?;
        *next.lock().unwrap_or_else(|e| e.into_inner()) = page.1.clone();
        Ok(page)
    })
    // The items of a page come at once, then the stream waits for the
    // next page: each chunk is a page.
    .try_ready_chunks(ROWS_AT_HAND);
    let mut table = Table::default();
    let mut printed = 0;
    while let Some(chunk) = chunks.next().await {
        let (items, error) = match chunk {
            Ok(items) => (items, None),
            Err(TryReadyChunksError(items, error)) => (items, Some(error)),
        };
        printed += printer.print_page(&mut table, &items)?;
        if let Some(error) = error {
            let next = next.lock().unwrap_or_else(|e| e.into_inner()).take();
            return Err(incomplete(error, printed, printer.noun(), next));
        }
    }
    printer.finish(table)
}

/// A walk that the API would have gone on with (a repeated cursor, the page
/// limit): what was printed is not the whole list, and the message says so,
/// with what to do. Other errors say what failed as they are.
fn incomplete(error: KinboxError, printed: usize, noun: &str, next: Option<String>) -> CliError {
    let what_to_do = match (&error, next) {
        (KinboxError::TooManyPages { .. }, Some(next)) => format!(
            "to go on from where it stopped, add --cursor {}",
            shown(&next)
        ),
        (KinboxError::CursorDidNotAdvance { .. }, _) => {
            "the API named a page already read, so the rest cannot be walked this way; narrow \
             the list with filters (dates, status) and walk each part"
                .to_owned()
        }
        _ => return error.into(),
    };
    CliError::failure(format!(
        "{error}; the list is incomplete, {noun} printed so far: {printed}; {what_to_do}"
    ))
}

/// A page's items and next cursor, from the generated command's response.
// The error goes straight into the SDK's pagination, which takes a
// `KinboxError` as it is: boxing it here would be undone there.
#[allow(clippy::result_large_err)]
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
