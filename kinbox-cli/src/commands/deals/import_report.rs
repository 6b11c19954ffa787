//! `kinbox deals import --report FILE`: what became of each row, for the
//! person who has the spreadsheet and for scripts.
//!
//! - **CSV** (`--report out.csv`, or `--report-format csv`): as Excel in
//!   Brazil opens it with a double click: `;` between cells, UTF-8 with a
//!   BOM (else Excel reads it as Windows-1252 and the accents break), CRLF
//!   line ends, cells with `;`, `"` or a line break in double quotes. The
//!   outcome in words a person reads ("already created", not "skipped").
//!   A cell that starts with `=`, `+`, `-`, `@`, a tab or a CR (a formula to
//!   a spreadsheet: a row's name, a server's message) is written with a `'`
//!   before it, as OWASP's rule against CSV injection says, so that opening
//!   the report never runs it.
//! - **NDJSON** (any other name, or `--report-format ndjson`): one JSON
//!   object a row, `{"line", "outcome", "deal_id", "error"}`, the outcome one
//!   of the words of [`Outcome::word`].
//!
//! Rows come in the order they finish, not the file's; `line` says which.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use serde_json::json;

use crate::CliError;
use crate::commands::deals::import_paths;

/// How the report is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportFormat {
    Csv,
    Ndjson,
}

impl ReportFormat {
    /// `--report-format`: `csv`, or `ndjson` (also `json`, `jsonl`).
    pub fn parse(text: &str) -> Result<ReportFormat, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "csv" => Ok(ReportFormat::Csv),
            "ndjson" | "json" | "jsonl" => Ok(ReportFormat::Ndjson),
            _ => Err(
                "the report formats are csv (for a spreadsheet) and ndjson (for scripts)".into(),
            ),
        }
    }

    /// CSV for a `.csv` (or `.txt`) file, NDJSON for any other.
    pub fn of_path(path: &Path) -> ReportFormat {
        let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        match extension.to_ascii_lowercase().as_str() {
            "csv" | "txt" => ReportFormat::Csv,
            _ => ReportFormat::Ndjson,
        }
    }
}

/// What became of a row, as the report says it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Created by this run.
    Created,
    /// Its answer was lost, and its deal was found.
    Reconciled,
    /// Created by an earlier run (the journal says so): not sent again.
    AlreadyCreated,
    /// Created by an earlier run, and the row was changed since: not sent.
    Changed,
    /// A bad row (without `--skip-invalid`, nothing is sent at all).
    Invalid,
    /// Not created, or not known to be: `error` says which and why.
    Failed,
}

impl Outcome {
    /// The word in an NDJSON report, for scripts.
    pub fn word(self) -> &'static str {
        match self {
            Outcome::Created => "created",
            Outcome::Reconciled => "reconciled",
            Outcome::AlreadyCreated => "already_created",
            Outcome::Changed => "changed",
            Outcome::Invalid => "invalid",
            Outcome::Failed => "failed",
        }
    }

    /// What a person reads in the CSV report (no `;`: each is a plain
    /// cell).
    pub fn words(self) -> &'static str {
        match self {
            Outcome::Created => "created",
            Outcome::Reconciled => "created (its answer was lost, and the deal found)",
            Outcome::AlreadyCreated => "already created (by an earlier run, not sent again)",
            Outcome::Changed => "already created, and changed since: not sent again",
            Outcome::Invalid => "not sent: the row is invalid",
            Outcome::Failed => "not created",
        }
    }

    /// The outcome named by `word` ("skipped" is the journal's older word
    /// for [`Outcome::AlreadyCreated`]).
    fn of_word(word: &str) -> Option<Outcome> {
        Some(match word {
            "created" => Outcome::Created,
            "reconciled" => Outcome::Reconciled,
            "already_created" | "skipped" => Outcome::AlreadyCreated,
            "changed" => Outcome::Changed,
            "invalid" => Outcome::Invalid,
            "failed" => Outcome::Failed,
            _ => return None,
        })
    }
}

/// The header of a CSV report.
const CSV_HEADER: &str = "line;outcome;deal_id;error";

/// `--report`: a row a line, and where it is written.
pub struct Report(Option<Writer>);

struct Writer {
    out: BufWriter<std::fs::File>,
    path: PathBuf,
    format: ReportFormat,
}

impl Report {
    /// Creates the report at `path` (the next free name when it exists,
    /// unless `force`), in `format`, else as its name says.
    pub fn create(
        path: Option<&PathBuf>,
        force: bool,
        format: Option<ReportFormat>,
    ) -> Result<Self, CliError> {
        let Some(path) = path else {
            return Ok(Report(None));
        };
        let format = format.unwrap_or_else(|| ReportFormat::of_path(path));
        let (file, used) = import_paths::create_report(path, force)?;
        if used != *path {
            eprintln!(
                "{} exists: the report is written to {} (--force overwrites it)",
                crate::error::printable(&path.display().to_string()),
                crate::error::printable(&used.display().to_string())
            );
        }
        let mut writer = Writer {
            out: BufWriter::new(file),
            path: used,
            format,
        };
        if format == ReportFormat::Csv {
            // The BOM tells Excel the file is UTF-8.
            write!(writer.out, "\u{feff}{CSV_HEADER}\r\n").map_err(cannot_write)?;
        }
        Ok(Report(Some(writer)))
    }

    /// Where the report is written, if there is one.
    pub fn path(&self) -> Option<&Path> {
        self.0.as_ref().map(|writer| writer.path.as_path())
    }

    /// One row: its line, its outcome (an [`Outcome::word`]; "skipped" is
    /// read as "already_created"), the deal and the error.
    pub fn row(
        &mut self,
        line: u64,
        outcome: &str,
        deal_id: Option<&str>,
        error: Option<&str>,
    ) -> Result<(), CliError> {
        let Some(writer) = &mut self.0 else {
            return Ok(());
        };
        let known = Outcome::of_word(outcome);
        let written = match writer.format {
            ReportFormat::Ndjson => {
                let outcome = known.map_or(outcome, |known| known.word());
                let record =
                    json!({"line": line, "outcome": outcome, "deal_id": deal_id, "error": error});
                writeln!(writer.out, "{record}")
            }
            ReportFormat::Csv => {
                let outcome = known.map_or(outcome, |known| known.words());
                let cells = [
                    line.to_string(),
                    csv_cell(outcome),
                    csv_cell(deal_id.unwrap_or_default()),
                    csv_cell(error.unwrap_or_default()),
                ];
                write!(writer.out, "{}\r\n", cells.join(";"))
            }
        };
        written.map_err(cannot_write)
    }

    pub fn finish(&mut self) -> Result<(), CliError> {
        if let Some(writer) = &mut self.0 {
            writer.out.flush().map_err(cannot_write)?;
        }
        Ok(())
    }
}

fn cannot_write(error: std::io::Error) -> CliError {
    CliError::failure(format!("cannot write the report: {error}"))
}

/// `text` as one cell of a `;` CSV file that a spreadsheet opens: after a
/// `'` when a spreadsheet would read it as a formula (OWASP's CSV
/// injection rule), and in double quotes (doubled inside) when it holds a
/// `;`, a `"` or a line break.
pub fn csv_cell(text: &str) -> String {
    let formula = text.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let text = match formula {
        true => format!("'{text}"),
        false => text.to_owned(),
    };
    if text.contains([';', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_escaped_and_delimiters_quoted() {
        assert_eq!(csv_cell("Pedido 1042"), "Pedido 1042");
        assert_eq!(
            csv_cell("=HYPERLINK(\"http://x\")"),
            "\"'=HYPERLINK(\"\"http://x\"\")\""
        );
        for formula in ["+1", "-10", "@SUM(A1)", "\tx", "=1+1"] {
            assert_eq!(csv_cell(formula), format!("'{formula}"), "{formula:?}");
        }
        assert_eq!(csv_cell("\rx"), "\"'\rx\"");
        assert_eq!(csv_cell("a; b"), "\"a; b\"");
        assert_eq!(csv_cell("two\nlines"), "\"two\nlines\"");
        assert_eq!(csv_cell(""), "");
    }

    #[test]
    fn the_format_is_the_extensions_unless_given() {
        assert_eq!(
            ReportFormat::of_path(Path::new("out.CSV")),
            ReportFormat::Csv
        );
        assert_eq!(
            ReportFormat::of_path(Path::new("out.ndjson")),
            ReportFormat::Ndjson
        );
        assert_eq!(
            ReportFormat::of_path(Path::new("out.json")),
            ReportFormat::Ndjson
        );
        assert_eq!(
            ReportFormat::of_path(Path::new("out")),
            ReportFormat::Ndjson
        );
        assert_eq!(ReportFormat::parse("CSV"), Ok(ReportFormat::Csv));
        assert_eq!(ReportFormat::parse("jsonl"), Ok(ReportFormat::Ndjson));
        assert!(ReportFormat::parse("xlsx").is_err());
    }
}
