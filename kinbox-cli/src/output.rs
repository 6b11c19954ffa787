//! Printing results on stdout: JSON (indented on a terminal, compact in a
//! pipe), JSON lines for streams, or a table.

use std::io::Write;

use serde_json::Value;

use crate::CliError;
use crate::global::{Format, Globals};

/// The table's columns: header and the deal's JSON field.
const COLUMNS: [(&str, &str); 6] = [
    ("ID", "id"),
    ("NAME", "name"),
    ("VALUE", "value"),
    ("STATUS", "status"),
    ("STAGE", "stageId"),
    ("DUE DATE", "dueDate"),
];

#[derive(Clone, Copy, Debug)]
pub struct Printer {
    pub format: Format,
    pub pretty: bool,
}

impl Printer {
    pub fn new(globals: &Globals) -> Self {
        Self {
            format: globals.format,
            pretty: globals.pretty,
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
                let rows: Vec<&Value> = match value.get("data").and_then(Value::as_array) {
                    Some(items) => items.iter().collect(),
                    None => vec![value],
                };
                write_table(&mut out, &rows)?;
            }
        }
        if let Some(cursor) = value.get("nextCursor").and_then(Value::as_str) {
            note_next_page(cursor);
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
        write_table(
            &mut std::io::stdout().lock(),
            &rows.iter().collect::<Vec<_>>(),
        )
    }
}

fn json_io(error: serde_json::Error) -> CliError {
    match error.io_error_kind() {
        Some(kind) => std::io::Error::from(kind).into(),
        None => CliError::Failure(format!("cannot encode the output: {error}")),
    }
}

fn note_next_page(cursor: &str) {
    if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        eprintln!("more deals: add --cursor {cursor}, or --all for every page");
    }
}

fn write_table(out: &mut impl Write, rows: &[&Value]) -> Result<(), CliError> {
    let cells: Vec<[String; COLUMNS.len()]> = rows
        .iter()
        .map(|row| COLUMNS.map(|(_, field)| cell(row.get(field))))
        .collect();
    let mut widths = COLUMNS.map(|(header, _)| header.chars().count());
    for row in &cells {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut line = |fields: [&str; COLUMNS.len()]| -> std::io::Result<()> {
        let mut text = String::new();
        for (i, (field, width)) in fields.iter().zip(widths).enumerate() {
            if i + 1 == fields.len() {
                text.push_str(field);
            } else {
                text.push_str(field);
                text.extend(std::iter::repeat_n(' ', width - field.chars().count() + 2));
            }
        }
        writeln!(out, "{}", text.trim_end())
    };
    line(COLUMNS.map(|(header, _)| header))?;
    for row in &cells {
        line(std::array::from_fn(|i| row[i].as_str()))?;
    }
    out.flush()?;
    Ok(())
}

fn cell(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => "-".to_owned(),
        Some(Value::String(text)) => text.replace(['\n', '\t'], " "),
        Some(other) => other.to_string(),
    }
}
