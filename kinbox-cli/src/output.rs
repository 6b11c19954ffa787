//! Printing results on stdout: JSON (indented on a terminal, compact in a
//! pipe), JSON lines for streams, or a table.

use std::io::Write;

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
                if self.pretty {
                    serde_json::to_writer_pretty(&mut out, value).map_err(json_io)?;
                } else {
                    serde_json::to_writer(&mut out, value).map_err(json_io)?;
                }
                writeln!(out)?;
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
        if let Some(cursor) = value.get("nextCursor").and_then(Value::as_str)
            && std::io::IsTerminal::is_terminal(&std::io::stderr())
        {
            eprintln!(
                "more {}: add --cursor {cursor}, or --all for every page",
                self.noun
            );
        }
        Ok(())
    }

    /// One item of a stream, on its own line (JSON lines).
    pub fn print_line(&self, value: &Value) -> Result<(), CliError> {
        let mut out = std::io::stdout().lock();
        serde_json::to_writer(&mut out, value).map_err(json_io)?;
        writeln!(out)?;
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
    let mut widths: Vec<usize> = columns.iter().map(|(h, _)| h.chars().count()).collect();
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
    line(&columns.iter().map(|(h, _)| h.as_str()).collect::<Vec<_>>())?;
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
        Some(Value::String(text)) => text.replace(['\n', '\t'], " "),
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
