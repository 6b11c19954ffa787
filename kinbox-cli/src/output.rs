//! Printing results on stdout: JSON (indented on a terminal, compact in a
//! pipe), JSON lines for streams, or a table.

use std::io::Write;

use kinbox_api::server_text::{acts_on_terminal, escape_controls};
use serde_json::Value;

use crate::CliError;
use crate::columns::{self, Columns};
use crate::global::{Format, Globals};

#[derive(Clone, Copy, Debug)]
pub struct Printer {
    pub format: Format,
    pub pretty: bool,
    /// The table's columns; derived from the rows when `None`.
    columns: Option<Columns>,
    /// What the rows are, for "more deals: add --cursor …".
    noun: &'static str,
}

impl Printer {
    /// For `kinbox RESOURCE VERB`.
    pub fn new(globals: &Globals, resource: &'static str, verb: &str) -> Self {
        Self {
            format: globals.format,
            pretty: globals.pretty,
            columns: columns::for_command(resource, verb),
            noun: resource,
        }
    }

    /// One result: an object, or a page whose `data` holds the rows.
    pub fn print(&self, value: &Value) -> Result<(), CliError> {
        let mut out = std::io::stdout().lock();
        match self.format {
            Format::Json => {
                let text = if self.pretty {
                    serde_json::to_string_pretty(value)
                } else {
                    serde_json::to_string(value)
                }
                .map_err(json_io)?;
                writeln!(out, "{}", terminal_safe_json(&text))?;
                out.flush()?;
            }
            Format::Table => {
                // A page's `data`, a plain array (pipelines, tags), or one object.
                let rows: Vec<&Value> = match value {
                    Value::Array(items) => items.iter().collect(),
                    _ => match value.get("data").and_then(Value::as_array) {
                        Some(items) => items.iter().collect(),
                        None => vec![value],
                    },
                };
                self.write_table(&mut out, &rows)?;
            }
        }
        if let Some(cursor) = crate::cmd_list_all::next_cursor(value)
            && std::io::IsTerminal::is_terminal(&std::io::stderr())
        {
            eprintln!(
                "more {}: add --cursor {}, or --all for every page",
                self.noun,
                escape_controls(&cursor)
            );
        }
        Ok(())
    }

    /// One item of a stream, on its own line (JSON lines).
    pub fn print_line(&self, value: &Value) -> Result<(), CliError> {
        let text = serde_json::to_string(value).map_err(json_io)?;
        writeln!(std::io::stdout().lock(), "{}", terminal_safe_json(&text))?;
        Ok(())
    }

    pub fn print_table(&self, rows: &[Value]) -> Result<(), CliError> {
        self.write_table(
            &mut std::io::stdout().lock(),
            &rows.iter().collect::<Vec<_>>(),
        )
    }

    fn write_table(&self, out: &mut impl Write, rows: &[&Value]) -> Result<(), CliError> {
        let columns: Vec<(String, String)> = match self.columns {
            Some(columns) => columns
                .iter()
                .map(|(header, field)| (header.to_string(), field.to_string()))
                .collect(),
            None => columns::derive(rows),
        };
        write_table(out, &columns, rows)
    }
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
        None => CliError::Failure(format!("cannot encode the output: {error}")),
    }
}

fn write_table(
    out: &mut impl Write,
    columns: &[(String, String)],
    rows: &[&Value],
) -> Result<(), CliError> {
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|row| {
            columns
                .iter()
                .map(|(_, field)| cell(row.get(field)))
                .collect()
        })
        .collect();
    let headers: Vec<String> = columns
        .iter()
        .map(|(header, _)| escape_controls(header).into_owned())
        .collect();
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in &cells {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut line = |fields: &[&str]| -> std::io::Result<()> {
        let mut text = String::new();
        for (i, (field, width)) in fields.iter().zip(&widths).enumerate() {
            text.push_str(field);
            if i + 1 < fields.len() {
                text.extend(std::iter::repeat_n(' ', width - field.chars().count() + 2));
            }
        }
        writeln!(out, "{}", text.trim_end())
    };
    line(&headers.iter().map(String::as_str).collect::<Vec<_>>())?;
    for row in &cells {
        line(&row.iter().map(String::as_str).collect::<Vec<_>>())?;
    }
    out.flush()?;
    Ok(())
}

/// A field as one line of text: lists of names (stages, options) joined by
/// commas, other nested values as compact JSON.
fn cell(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => "-".to_owned(),
        Some(Value::String(text)) => escape_controls(&text.replace(['\n', '\t'], " ")).into_owned(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| match item {
                Value::Object(_) => ["name", "value", "id"]
                    .iter()
                    .find_map(|key| item.get(*key).filter(|v| !v.is_null()))
                    .map_or_else(|| item.to_string(), |v| cell(Some(v))),
                other => cell(Some(other)),
            })
            .collect::<Vec<_>>()
            .join(", "),
        Some(other) => other.to_string(),
    }
}
