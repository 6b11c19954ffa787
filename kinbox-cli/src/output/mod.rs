//! Printing results on stdout.
//!
//! - On a terminal, by default: a table for lists, a readable view (`field:
//!   value` lines) for one object; money in reais, dates in local time,
//!   stages and pipelines by name; colour unless `NO_COLOR` is set.
//! - In a pipe, or with `-o json`: JSON. A list, whether one page or `--all`,
//!   is its items, one compact JSON object per line (JSON lines); one object
//!   is one JSON document (indented on a terminal).
//! - `--json FIELDS`, `--jq EXPR` and `--template TEXT` select what is
//!   printed of each item (or of the object), as `gh` does.

pub mod columns;
pub mod fields;
pub mod jq;
pub mod progress;

use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::io::{IsTerminal as _, Write};
use std::sync::{Arc, OnceLock};

use clap::builder::TypedValueParser;
use clap::error::ErrorKind;
use clap::{Arg, ArgMatches};
use kinbox_api::server_text::{acts_on_terminal, escape_controls};
use serde_json::Value;

use crate::CliError;
use crate::config::global::{Format, Globals};
use crate::generated_cli::CliCommand;
use columns::{Column, Names};

pub const HEADING: &str = "Output options";

/// How the output is chosen when no option says, as `--help` and the
/// README say it.
pub const DEFAULT_OUTPUT: &str = "On a terminal, a list is a table (cells cut to the \
     terminal's width) and one object is `field: value` lines; in a pipe or a file, JSON: a \
     list is one compact JSON object per line, one object is one JSON document. An empty list \
     prints nothing on stdout and says so on stderr.";

/// The output options of a command that prints the answer of `op` (`None`:
/// an answer of any shape, printed as one document, `kinbox api`, which has
/// no `--json`, as `gh api`). Only commands that print API answers take them.
pub fn args(op: Option<CliCommand>) -> Vec<Arg> {
    let mut args = vec![
        Arg::new("output")
            .short('o')
            .long("output")
            .value_name("FORMAT")
            .value_parser(clap::value_parser!(Format))
            .help_heading(HEADING)
            .help("How to print results [default: table on a terminal, else json]")
            .long_help(format!(
                "How to print results: table (a table for lists, `field: value` lines for one \
                 object) or json. [default: table on a terminal, else json]\n\n{DEFAULT_OUTPUT}"
            )),
        Arg::new("json")
            .long("json")
            .value_name("FIELDS")
            .num_args(0..=1)
            .require_equals(false)
            .default_missing_value("")
            .value_parser(FieldsParser(op))
            .help_heading(HEADING)
            .help("Print only these fields of each item, as JSON (e.g. id,name,value); alone, list the fields")
            .long_help(
                "Print only these fields of each item (or of the object), as JSON: a \
                 comma-separated list, dotted for nested fields, e.g. --json id,name,contact.name. \
                 A field the answer does not have is an error that lists those it has. \
                 --json alone lists the fields. With --jq or --template, they see only \
                 these fields.",
            ),
        Arg::new("jq")
            .long("jq")
            .value_name("EXPR")
            .help_heading(HEADING)
            .help(match op {
                Some(_) => "Filter each item (or the object) with a jq expression; text is printed raw",
                None => "Filter the answer with a jq expression; text is printed raw",
            })
            .long_help(format!(
                "Filter {} with a jq expression, run by kinbox (no jq needed). A string \
                 result is printed as it is, anything else as compact JSON, e.g. {}.{} \
                 Limits, {}: {} s, {} MiB \
                 of memory, {} results and {} MiB of them; past one, kinbox stops with an \
                 error (exit 1). The filter sees no environment: env and $ENV are {{}}.",
                match op {
                    Some(_) => "each item of a list (or the object)",
                    None => "the whole answer, as the API sent it (a list is one array)",
                },
                match op {
                    Some(_) => "--jq '.name', --jq 'select(.value > 1000) | .id'",
                    None => "--jq '.[].name', --jq '.data[] | select(.value > 1000) | .id'",
                },
                match op {
                    Some(_) => " With --json FIELDS, the filter sees only those fields.",
                    None => "",
                },
                match op {
                    Some(_) => "for each item",
                    None => "for the answer",
                },
                jq::LIMITS.time.as_secs(),
                jq::LIMITS.memory >> 20,
                jq::LIMITS.outputs,
                jq::LIMITS.bytes >> 20,
            )),
        Arg::new("template")
            .long("template")
            .value_name("TEXT")
            .help_heading(HEADING)
            .help(match op {
                Some(_) => "Print TEXT for each item, with {field} replaced, e.g. '{id} {name}'",
                None => "Print TEXT for the answer, with {field} replaced, e.g. '{id} {name}'",
            })
            .long_help(format!(
                "Print TEXT {}, with each {{field}} (dotted for nested ones, e.g. \
                 {{contact.name}}) replaced by its value; \\n and \\t are a new line and a \
                 tab. The text ends with a new line, unless TEXT already ends with one.",
                match op {
                    Some(_) => "for each item of a list (or for the object)",
                    None => "for the answer, an object (a list's items are reached with --jq)",
                },
            )),
    ];
    if op.is_none() {
        args.retain(|arg| arg.get_id() != "json");
    }
    args
}

/// `--json FIELDS`, checked against the fields the spec gives the answer
/// before anything is sent: `--json nome` is a usage error, as in gh.
#[derive(Clone, Copy)]
struct FieldsParser(Option<CliCommand>);

/// `--json`'s value: the fields asked for, or, for `--json` alone when the
/// spec knows them, the list to print instead of sending anything.
#[derive(Clone, Debug)]
struct JsonArg {
    fields: String,
    listing: Option<String>,
}

impl TypedValueParser for FieldsParser {
    type Value = JsonArg;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        _arg: Option<&Arg>,
        value: &OsStr,
    ) -> Result<JsonArg, clap::Error> {
        let text = value
            .to_str()
            .ok_or_else(|| clap::Error::new(ErrorKind::InvalidUtf8).with_cmd(cmd))?;
        // `--json` alone lists the fields, as help does: on stdout, and
        // nothing is sent (`deals create --json` creates nothing). A read
        // whose answer may hold more than the spec names lists them once
        // the answer came.
        if split_fields(text).is_empty()
            && let Some(op) = self.0
            && let Some(known) = fields::Known::of(op)
            && !(known.open && fields::is_read(op))
        {
            let mut list: String = known
                .names
                .iter()
                .map(|name| format!("{}\n", escape_controls(name)))
                .collect();
            if known.open {
                list.push_str("(and any other field the answer has)\n");
            }
            return Ok(JsonArg {
                fields: String::new(),
                listing: Some(list),
            });
        }
        // An open schema may answer with fields it does not name: those are
        // checked against the answer, before it is printed.
        if let Some(known) = self.0.and_then(fields::Known::of).filter(|k| !k.open) {
            let asked = split_fields(text);
            let unknown = fields::unknown(&asked, &known.names);
            if !unknown.is_empty() {
                let message = format!("{}\n", fields::unknown_message(&unknown, &known.names));
                return Err(clap::Error::raw(ErrorKind::InvalidValue, message).with_cmd(cmd));
            }
        }
        Ok(JsonArg {
            fields: text.to_owned(),
            listing: None,
        })
    }
}

fn split_fields(list: &str) -> Vec<String> {
    list.split(',')
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .map(str::to_owned)
        .collect()
}

/// What the output flags asked for.
#[derive(Debug, Default)]
struct Options {
    /// `-o` given on the command line.
    explicit: Option<Format>,
    /// `--json FIELDS`; `Some(empty)` for `--json` alone.
    fields: Option<Vec<String>>,
    jq: Option<jq::Filter>,
    template: Option<String>,
}

static OPTIONS: OnceLock<Options> = OnceLock::new();

fn options() -> &'static Options {
    OPTIONS.get_or_init(Options::default)
}

/// Reads the output flags once, before any request: a bad `--jq` is a usage
/// error, and nothing is sent. The flags are the command's own (`matches`
/// is the whole command line's; its last subcommand is the command).
pub fn init(matches: &ArgMatches) -> Result<(), CliError> {
    let mut matches = matches;
    while let Some((_, sub)) = matches.subcommand() {
        matches = sub;
    }
    // Commands that print no answer have no output flags to read.
    let has = |id: &str| matches.ids().any(|known| known == id);
    let explicit = (has("output")
        && matches.value_source("output") == Some(clap::parser::ValueSource::CommandLine))
    .then(|| {
        matches
            .try_get_one::<Format>("output")
            .ok()
            .flatten()
            .copied()
    })
    .flatten();
    let text = |id: &str| matches.try_get_one::<String>(id).ok().flatten().cloned();
    let json = matches.try_get_one::<JsonArg>("json").ok().flatten();
    if let Some(listing) = json.and_then(|json| json.listing.as_ref()) {
        // `--json` alone, the fields known: listed, and nothing is sent.
        let mut out = crate::error::stdout();
        write!(out, "{listing}")?;
        out.flush()?;
        std::process::exit(0);
    }
    let fields = json.map(|json| split_fields(&json.fields));
    let jq = text("jq")
        .map(|code| jq::Filter::new(&code))
        .transpose()
        .map_err(CliError::usage)?;
    let template = text("template");
    if jq.is_some() && template.is_some() {
        return Err(CliError::usage(
            "--jq and --template each choose what is printed: give one (either can follow \
             --json FIELDS)",
        ));
    }
    if fields.as_ref().is_some_and(Vec::is_empty) && (jq.is_some() || template.is_some()) {
        return Err(CliError::usage(
            "--json alone lists the fields; with --jq or --template, give it the fields to \
             pass on, e.g. --json id,name",
        ));
    }
    // Forked now, while kinbox has a single thread (see `jq::Filter::isolated`).
    #[cfg(unix)]
    let jq = jq
        .map(jq::Filter::isolated)
        .transpose()
        .map_err(CliError::failure)?;
    let _ = OPTIONS.set(Options {
        explicit,
        fields,
        jq,
        template,
    });
    Ok(())
}

#[derive(Clone, Debug)]
pub struct Printer {
    pub format: Format,
    pretty: bool,
    color: bool,
    /// The table's columns; derived from the rows when `None`.
    columns: Option<&'static [Column]>,
    names: Arc<Names>,
    /// What the items are, for "showing 10 deals".
    noun: &'static str,
    /// Only items whose field has this value are printed: a filter the API
    /// does not have (`deals list --stage`).
    keep: Option<(&'static str, Value)>,
    /// The operation whose answer is printed: the spec knows its fields.
    op: Option<CliCommand>,
    /// The terminal's width, when stdout is one: table cells are cut to fit.
    width: Option<usize>,
}

impl Printer {
    /// For the answer of `op` (`None` for answers of no operation, such as
    /// `kinbox api`); `noun` names its items.
    pub fn new(globals: &Globals, op: Option<CliCommand>, noun: &'static str) -> Self {
        let terminal = std::io::stdout().is_terminal();
        let format = options().explicit.unwrap_or(if terminal {
            Format::Table
        } else {
            Format::Json
        });
        Self {
            format,
            pretty: globals.pretty,
            color: terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
            columns: op.and_then(|op| crate::resources::operation(op).columns),
            names: Arc::default(),
            noun,
            keep: None,
            op,
            width: terminal.then(terminal_width).flatten(),
        }
    }

    /// Prints only the items whose `field` is `value`.
    pub fn keeping(mut self, field: &'static str, value: Value) -> Self {
        self.keep = Some((field, value));
        self
    }

    fn kept(&self, item: &Value) -> bool {
        self.keep
            .as_ref()
            .is_none_or(|(field, value)| item.get(field) == Some(value))
    }

    /// Whether the printed table shows stages or pipelines by name, so the
    /// names should be read first ([`Printer::with_names`]).
    pub fn needs_names(&self) -> bool {
        self.format == Format::Table
            && !self.shaped()
            && self.columns.is_some_and(columns::needs_names)
    }

    pub fn with_names(mut self, names: Names) -> Self {
        self.names = Arc::new(names);
        self
    }

    /// The printer, with the names of pipelines and stages read first when
    /// its table shows them.
    pub async fn ready(self, client: &kinbox_api::Client) -> Result<Self, CliError> {
        if !self.needs_names() {
            return Ok(self);
        }
        // Names make the table easier to read; without them it still shows
        // the ids, so a failed read is said and not fatal.
        match crate::resolve::pipelines(client).await {
            Ok(pipelines) => Ok(self.with_names(Names::from_pipelines(&pipelines))),
            Err(error) => {
                eprintln!(
                    "note: showing stage and pipeline ids, not names: {}",
                    crate::error::printable(&error.to_string())
                );
                Ok(self)
            }
        }
    }

    /// Whether `--json`, `--jq` or `--template` chose the output.
    fn shaped(&self) -> bool {
        let options = options();
        options.fields.is_some() || options.jq.is_some() || options.template.is_some()
    }

    /// One answer: an object, a list, or a page whose `data` holds the items.
    pub fn print(&self, value: &Value) -> Result<(), CliError> {
        let items: Option<Vec<&Value>> = match value {
            Value::Array(items) => Some(items.iter().collect()),
            _ => value
                .get("data")
                .and_then(Value::as_array)
                .map(|items| items.iter().collect()),
        };
        let items = items.map(|items| items.into_iter().filter(|item| self.kept(item)).collect());
        self.print_as(value, items)
    }

    /// An answer as it came, one document, whatever its shape (`kinbox api`).
    pub fn print_document(&self, value: &Value) -> Result<(), CliError> {
        self.print_as(value, None)
    }

    fn print_as(&self, value: &Value, items: Option<Vec<&Value>>) -> Result<(), CliError> {
        let mut out = crate::error::stdout();
        let cursor = next_cursor(value);
        match &items {
            Some(items) => {
                self.check_fields(items)?;
                if self.list_fields(&mut out, items)? {
                    return Ok(());
                }
                if items.is_empty() {
                    if cursor.is_none() {
                        self.say_none_found();
                    }
                } else if self.shaped() || self.format == Format::Json {
                    for item in items {
                        self.write_item(&mut out, item)?;
                    }
                } else {
                    self.write_table(&mut out, items)?;
                }
            }
            None => {
                self.check_fields(&[value])?;
                if self.list_fields(&mut out, &[value])? {
                    return Ok(());
                }
                if self.shaped() {
                    self.write_item(&mut out, value)?;
                } else if self.format == Format::Table {
                    self.write_view(&mut out, value)?;
                } else {
                    let text = if self.pretty {
                        serde_json::to_string_pretty(value)
                    } else {
                        serde_json::to_string(value)
                    }
                    .map_err(json_io)?;
                    writeln!(out, "{}", terminal_safe_json(&text))?;
                }
            }
        }
        out.flush()?;
        if let (Some(items), Some(cursor)) = (&items, cursor) {
            eprintln!(
                "showing {} {}; more with --cursor {}, or all with --all",
                items.len(),
                self.noun,
                escape_controls(&cursor)
            );
        }
        Ok(())
    }

    /// Items of a list walked page by page (`--all`), printed as they come:
    /// one line each, or rows of `table`, whose columns the first rows fix.
    /// Returns how many were printed (some may be filtered out).
    pub fn print_page(&self, table: &mut Table, items: &[Value]) -> Result<usize, CliError> {
        let items: Vec<&Value> = items.iter().filter(|item| self.kept(item)).collect();
        if items.is_empty() {
            return Ok(0);
        }
        if table.printed == 0 {
            self.check_fields(&items)?;
        }
        table.printed += items.len();
        let mut out = crate::error::stdout();
        if !self.in_table() {
            for item in &items {
                self.write_item(&mut out, item)?;
            }
            return Ok(items.len());
        }
        let layout = match &table.layout {
            Some(layout) => layout,
            None => {
                let (layout, cells) = self.layout(&items);
                self.write_header(&mut out, &layout)?;
                for row in cells {
                    writeln!(out, "{}", layout.line(row))?;
                }
                out.flush()?;
                table.layout = Some(layout);
                return Ok(items.len());
            }
        };
        for item in &items {
            writeln!(out, "{}", layout.line(self.cells(&layout.columns, item)))?;
        }
        out.flush()?;
        Ok(items.len())
    }

    /// The end of a walk: a walk that printed nothing says so, on stderr.
    pub fn finish(&self, table: Table) -> Result<(), CliError> {
        if table.printed == 0 {
            self.say_none_found();
        }
        Ok(())
    }

    /// An empty list, said on stderr (as gh's "no open pull requests"):
    /// stdout stays empty, for a table and for JSON lines alike.
    fn say_none_found(&self) {
        eprintln!("no {} found", self.noun.replace('-', " "));
    }

    /// `--json FIELDS` names only fields the answer has (those the spec
    /// gives it, and those it has): else nothing is printed and the error
    /// lists them, as gh's does.
    fn check_fields(&self, items: &[&Value]) -> Result<(), CliError> {
        let Some(asked) = options().fields.as_ref().filter(|f| !f.is_empty()) else {
            return Ok(());
        };
        let available = self.available_fields(items);
        let unknown = fields::unknown(asked, &available);
        if unknown.is_empty() {
            return Ok(());
        }
        Err(CliError::usage(fields::unknown_message(
            &unknown, &available,
        )))
    }

    /// The fields the spec gives the answer's items, and those `items` have.
    fn available_fields(&self, items: &[&Value]) -> BTreeSet<String> {
        let mut names = self
            .op
            .and_then(fields::Known::of)
            .map(|known| known.names)
            .unwrap_or_default();
        for item in items {
            names.extend(item.as_object().into_iter().flat_map(|o| o.keys().cloned()));
        }
        names
    }

    /// What the items are called, for messages ("deals").
    pub fn noun(&self) -> &'static str {
        self.noun
    }

    /// Whether lists are printed as a table rather than one item a line.
    fn in_table(&self) -> bool {
        self.format == Format::Table && !self.shaped()
    }

    /// `--json` alone: the fields the items have, one a line.
    fn list_fields(&self, out: &mut impl Write, items: &[&Value]) -> Result<bool, CliError> {
        if !options().fields.as_ref().is_some_and(Vec::is_empty) {
            return Ok(false);
        }
        for name in self.available_fields(items) {
            writeln!(out, "{}", escape_controls(&name))?;
        }
        Ok(true)
    }

    /// An item as the output flags say: `--json FIELDS`, `--jq`,
    /// `--template`, or a compact JSON line.
    fn write_item(&self, out: &mut impl Write, item: &Value) -> Result<(), CliError> {
        let options = options();
        // `--json FIELDS` picks; `--jq` or `--template`, if given, see only
        // what it picked.
        let picked;
        let item = match &options.fields {
            Some(fields) => {
                let mut object = serde_json::Map::new();
                for name in fields {
                    object.insert(
                        name.clone(),
                        columns::field(item, name).cloned().unwrap_or(Value::Null),
                    );
                }
                picked = Value::Object(object);
                &picked
            }
            None => item,
        };
        if let Some(filter) = &options.jq {
            for result in filter.run(item).map_err(CliError::failure)? {
                match result {
                    Value::String(text) => writeln!(out, "{}", escape_controls(&text))?,
                    other => self.write_json_line(out, &other)?,
                }
            }
            return Ok(());
        }
        if let Some(template) = &options.template {
            // The template's own new line ends the item: no blank line.
            let text = fill(template, item);
            match text.ends_with('\n') {
                true => write!(out, "{text}")?,
                false => writeln!(out, "{text}")?,
            }
            return Ok(());
        }
        self.write_json_line(out, item)
    }

    fn write_json_line(&self, out: &mut impl Write, value: &Value) -> Result<(), CliError> {
        let text = serde_json::to_string(value).map_err(json_io)?;
        writeln!(out, "{}", terminal_safe_json(&text))?;
        Ok(())
    }

    fn write_table(&self, out: &mut impl Write, rows: &[&Value]) -> Result<(), CliError> {
        let (layout, cells) = self.layout(rows);
        self.write_header(out, &layout)?;
        for row in cells {
            writeln!(out, "{}", layout.line(row))?;
        }
        out.flush()?;
        Ok(())
    }

    /// The columns of `rows` and widths that fit them, with their cells.
    fn layout(&self, rows: &[&Value]) -> (Layout, Vec<Vec<String>>) {
        let columns: Vec<Column> = match self.columns {
            Some(columns) => columns.to_vec(),
            None => columns::derive(rows),
        };
        let cells: Vec<Vec<String>> = rows.iter().map(|row| self.cells(&columns, row)).collect();
        let headers: Vec<String> = columns
            .iter()
            .map(|c| escape_controls(&c.header).into_owned())
            .collect();
        let mut widths: Vec<usize> = headers.iter().map(|h| shown_width(h)).collect();
        for row in &cells {
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(shown_width(cell));
            }
        }
        if let Some(terminal) = self.width {
            widths = fit(&widths, terminal);
        }
        let layout = Layout {
            columns,
            headers,
            widths,
        };
        (layout, cells)
    }

    fn cells(&self, columns: &[Column], row: &Value) -> Vec<String> {
        columns
            .iter()
            .map(|c| columns::cell(columns::field(row, &c.field), c.kind, &self.names))
            .collect()
    }

    fn write_header(&self, out: &mut impl Write, layout: &Layout) -> Result<(), CliError> {
        let header = layout.line(layout.headers.clone());
        if self.color {
            writeln!(out, "\u{1b}[1m{header}\u{1b}[0m")?;
        } else {
            writeln!(out, "{header}")?;
        }
        Ok(())
    }

    /// One object for a person: its table columns first, as the table shows
    /// them, then every other field, one `field: value` a line.
    fn write_view(&self, out: &mut impl Write, value: &Value) -> Result<(), CliError> {
        let Some(object) = value.as_object() else {
            writeln!(
                out,
                "{}",
                columns::cell(Some(value), columns::Kind::Text, &self.names)
            )?;
            return Ok(());
        };
        let shown: Vec<Column> = self.columns.map(<[Column]>::to_vec).unwrap_or_default();
        let mut lines: Vec<(String, String)> = shown
            .iter()
            .map(|c| {
                let text = columns::cell(columns::field(value, &c.field), c.kind, &self.names);
                (c.header.to_lowercase(), text)
            })
            .collect();
        let top_level: Vec<&str> = shown
            .iter()
            .map(|c| c.field.split('.').next().unwrap_or_default())
            .collect();
        for (key, field) in object {
            if !top_level.contains(&key.as_str()) {
                lines.push((
                    escape_controls(key).into_owned(),
                    columns::cell(Some(field), columns::Kind::Text, &self.names),
                ));
            }
        }
        let width = lines
            .iter()
            .map(|(k, _)| k.chars().count())
            .max()
            .unwrap_or(0);
        for (key, text) in lines {
            let pad = " ".repeat(width - key.chars().count());
            if self.color {
                writeln!(out, "\u{1b}[1m{key}:\u{1b}[0m{pad} {text}")?;
            } else {
                writeln!(out, "{key}:{pad} {text}")?;
            }
        }
        Ok(())
    }
}

/// A table printed page by page (`--all`): holding every row until the last
/// page would hold as many as a server cares to send.
#[derive(Debug, Default)]
pub struct Table {
    /// Fixed by the first rows printed.
    layout: Option<Layout>,
    /// Items printed so far, in any format.
    printed: usize,
}

#[derive(Debug)]
struct Layout {
    columns: Vec<Column>,
    headers: Vec<String>,
    widths: Vec<usize>,
}

impl Layout {
    /// One row: each cell padded to its column's width, or cut to it with
    /// `…` when a later page brings a wider one than the first page had.
    fn line(&self, cells: Vec<String>) -> String {
        let count = cells.len();
        let mut text = String::new();
        for (i, (cell, &width)) in cells.into_iter().zip(&self.widths).enumerate() {
            let shown = cut(cell, width);
            let used = shown_width(&shown);
            text.push_str(&shown);
            if i + 1 < count {
                text.extend(std::iter::repeat_n(' ', width.saturating_sub(used) + GAP));
            }
        }
        text.trim_end().to_owned()
    }
}

/// Space between two columns of a table.
const GAP: usize = 2;
/// A column is not cut below this many characters (or its own width): past
/// that, a row is wider than the terminal rather than unreadable.
const NARROWEST: usize = 3;

/// The width of the terminal stdout is, if it tells.
fn terminal_width() -> Option<usize> {
    let (terminal_size::Width(width), _) = terminal_size::terminal_size_of(std::io::stdout())?;
    (width > 0).then_some(usize::from(width))
}

/// Column widths that fit a line of `terminal` characters: the widest
/// columns are narrowed first, to one width, as far as needed; the others
/// keep theirs.
fn fit(widths: &[usize], terminal: usize) -> Vec<usize> {
    let gaps = GAP * widths.len().saturating_sub(1);
    let total = |cap: usize| widths.iter().map(|w| (*w).min(cap)).sum::<usize>() + gaps;
    let widest = widths.iter().copied().max().unwrap_or(0);
    if total(widest) <= terminal {
        return widths.to_vec();
    }
    // The largest cap that fits, not below NARROWEST.
    let mut cap = widest;
    while cap > NARROWEST && total(cap) > terminal {
        cap -= 1;
    }
    let mut fitted: Vec<usize> = widths.iter().map(|w| (*w).min(cap)).collect();
    // What is left goes to the cut columns, left to right.
    let mut spare = terminal.saturating_sub(total(cap));
    for (fitted, natural) in fitted.iter_mut().zip(widths) {
        let more = (natural - *fitted).min(spare);
        *fitted += more;
        spare -= more;
    }
    fitted
}

/// How many columns of a terminal `text` takes: a wide character (CJK, most
/// emoji) two, a combining one none.
fn shown_width(text: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(text)
}

/// `text`, at most `width` columns wide: its start and `…` when wider.
fn cut(text: String, width: usize) -> String {
    if shown_width(&text) <= width {
        return text;
    }
    let mut shown = String::new();
    let mut used = 0;
    for c in text.chars() {
        let wide = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + wide + 1 > width {
            break;
        }
        shown.push(c);
        used += wide;
    }
    if width > 0 {
        shown.push('…');
    }
    shown
}

/// `template` with each `{field}` replaced by the item's value as text.
fn fill(template: &str, item: &Value) -> String {
    let template = template.replace("\\n", "\n").replace("\\t", "\t");
    let mut out = String::new();
    let mut rest = template.as_str();
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        match rest[start + 1..].find('}') {
            Some(end) => {
                let name = &rest[start + 1..start + 1 + end];
                let text = match columns::field(item, name) {
                    Some(Value::String(text)) => text.clone(),
                    Some(Value::Null) | None => String::new(),
                    Some(other) => other.to_string(),
                };
                out.push_str(&escape_controls(&text));
                rest = &rest[start + end + 2..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// JSON whose strings hold no character a terminal acts on. serde_json
/// escapes C0 controls but writes DEL, C1 controls and bidirectional
/// overrides as they are; `\uXXXX` is the same string to any JSON reader.
fn terminal_safe_json(json: &str) -> std::borrow::Cow<'_, str> {
    // Pretty JSON's own line breaks are the only ones left: serde_json
    // escapes those inside strings.
    let acts = |c: char| c != '\n' && acts_on_terminal(c);
    if !json.chars().any(acts) {
        return json.into();
    }
    json.chars()
        .map(|c| {
            if acts(c) {
                format!("\\u{:04x}", c as u32)
            } else {
                c.to_string()
            }
        })
        .collect::<String>()
        .into()
}

fn json_io(error: serde_json::Error) -> CliError {
    match error.io_error_kind() {
        Some(kind) => std::io::Error::from(kind).into(),
        None => CliError::failure(format!("cannot encode the output: {error}")),
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn columns_fit_the_terminal_by_cutting_the_widest() {
        assert_eq!(fit(&[2, 10, 40], 80), [2, 10, 40]);
        // 2 + 10 + 40 + 4 gaps = 56 > 30: the widest is cut to 14.
        assert_eq!(fit(&[2, 10, 40], 30), [2, 10, 14]);
        assert_eq!(fit(&[30, 30], 40), [19, 19]);
        // No narrower than NARROWEST: the line is then wider than asked.
        assert_eq!(fit(&[20, 20, 20], 8), [NARROWEST; 3]);
        assert_eq!(cut("Pedido grande".to_owned(), 8), "Pedido …");
        // Wide characters take two columns: the cut counts columns.
        assert_eq!(cut("物流の注文".to_owned(), 6), "物流…");
        assert_eq!(shown_width("物流…"), 5);
        assert_eq!(cut("Ação".to_owned(), 4), "Ação");
    }

    #[test]
    fn templates_fill_fields_and_leave_the_rest() {
        let item = json!({"id": 7, "name": "Ana", "contact": {"name": "Bia"}, "n": null});
        assert_eq!(fill("{id} {name}\\t{contact.name}{n}", &item), "7 Ana\tBia");
        assert_eq!(fill("{unclosed", &item), "{unclosed");
        assert_eq!(fill("{name}", &json!({"name": "\u{1b}[2J"})), "\\u{1b}[2J");
    }
}
