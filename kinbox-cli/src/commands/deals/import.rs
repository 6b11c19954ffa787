//! `kinbox deals import FILE`: a deal for each row of a spreadsheet, with
//! nothing lost and nothing created twice.
//!
//! Two passes over the file, each streamed (`import_file.rs`): the first
//! checks every row (`import_row.rs`) and sends nothing; the second hands
//! the valid rows to the SDK's import engine (`kinbox_api::import`), which
//! keeps the journal, reconciles lost answers and paces itself to the API.
//! stdin is copied to a temporary file during the first pass, to be read
//! again: unnamed (nothing is left behind, whatever stops the process),
//! private, and at most [`STDIN_LIMIT`] bytes. What the import writes (the
//! journal, the report) is checked in `import_paths.rs` first.

use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use clap::{Arg, ArgAction, ArgMatches, Command};
use futures::StreamExt;
use kinbox_api::import::{
    ContactLookup, FailureKind, ImportOptions, ImportRow, Importer, ResumePlan, RowKey, RowOutcome,
    Stopped,
};

use crate::CliError;
use crate::commands::deals::import_paths;
use crate::commands::deals::import_report::{Report, ReportFormat};
use crate::config::context::Context;
use crate::import_file::{self, Format, MapEntry, ReadOptions};
use crate::import_row::{RowContext, ValidatedRow};

/// Bad rows listed when a run refuses to start; `--check` lists them all.
const BAD_ROWS_SHOWN: usize = 20;
/// The most of stdin kept for the second pass: far above a real
/// spreadsheet (100,000 rows are about 15 MiB), and a bound on the disk a
/// stream that never ends (`< /dev/zero`) can fill.
const STDIN_LIMIT: u64 = 512 << 20;

pub fn command() -> Command {
    Command::new("import")
        .about("Create a deal for each row of a CSV or NDJSON file: checked first, resumable")
        .long_about(
            "Create a deal for each row of a CSV or NDJSON file: checked first, resumable.\n\n\
             Every row is checked before anything is sent (names of pipelines and stages, \
             amounts, dates, phones, custom fields against their definitions); a run with a \
             bad row sends nothing, unless --skip-invalid. The columns are read by their headers \
             (Portuguese or English, as a shop writes them; --map for the others) and listed \
             before anything is sent. Rows are then sent up to --concurrency at a time; once \
             the API answers 429, at the rate it allows, learnt from its 429s and their \
             Retry-After.\n\n\
             Progress is written to a journal beside the file (FILE.kinbox-journal, or \
             --journal), on disk before each request: an import that is stopped (Ctrl-C, a \
             crash, a lost connection) continues with --resume, which skips the rows already \
             created. A create whose answer was lost is never sent again blindly: the deal is \
             looked for first (by contact, pipeline, creation time, name and value), and only \
             created if it is not there.\n\n\
             Rows are known by their content, not their line: the file may be edited between \
             runs. Before anything is sent, --resume compares it with the journal and says so \
             (\"the file changed since the last run: 2 rows added, 1 changed, 1 removed\"): \
             rows created before are skipped wherever they moved, new and corrected rows are \
             imported, and a row changed after its deal was made (same name and contact, other content) is \
             reported with its deal and not sent again. Identical rows make as many deals as \
             there are of them, on a resume as on a first run.",
        )
        .arg(Arg::new("file").value_name("FILE").required(true).help(
            "The CSV (with a header row) or NDJSON file; - reads stdin (at most 512 MiB, \
                     kept in a private temporary file that is gone when the import ends)",
        ))
        .arg(
            Arg::new("check")
                .long("check")
                .action(ArgAction::SetTrue)
                .help(
                    "Only check the rows: print each bad one with its line and why; send nothing",
                ),
        )
        .arg(
            Arg::new("skip-invalid")
                .long("skip-invalid")
                .action(ArgAction::SetTrue)
                .help("Import the good rows even if some are bad (each bad row is reported)"),
        )
        .arg(
            Arg::new("create-contacts")
                .long("create-contacts")
                .action(ArgAction::SetTrue)
                .help(
                    "Create the contact of a row when no contact has its phone (or e-mail); \
                     once per phone, with contact_name. Without it such rows fail",
                ),
        )
        .arg(
            Arg::new("map")
                .long("map")
                .value_name("HEADER=COLUMN")
                .action(ArgAction::Append)
                .value_parser(MapEntry::parse)
                .help(
                    "Read the file's column HEADER as COLUMN, e.g. --map 'Obs=origin'; HEADER=- \
                     leaves it out. Repeat for several. Most headers need none (see Columns \
                     below); the columns are listed as read before anything is sent",
                ),
        )
        .arg(
            Arg::new("mapping")
                .long("mapping")
                .value_name("FILE")
                .value_parser(clap::value_parser!(PathBuf))
                .help(
                    "Read the columns as FILE says: HEADER=COLUMN a line, as --map takes them \
                     (# starts a comment), as --save-mapping writes it; --map changes a line",
                ),
        )
        .arg(
            Arg::new("save-mapping")
                .long("save-mapping")
                .value_name("FILE")
                .value_parser(clap::value_parser!(PathBuf))
                .help(
                    "Write how the columns are read to FILE (with --check too), to edit in any \
                     text editor and reuse with --mapping FILE",
                ),
        )
        .arg(
            Arg::new("encoding")
                .long("encoding")
                .value_name("ENCODING")
                .value_parser(import_file::parse_encoding)
                .help(
                    "The file's text encoding [default: UTF-8, with or without BOM]; latin1 for a \
                     CSV saved by Excel in Brazil (Windows-1252)",
                ),
        )
        .arg(
            Arg::new("delimiter")
                .long("delimiter")
                .value_name("CHAR")
                .value_parser(import_file::parse_delimiter)
                .help("The CSV delimiter [default: ; , or tab, whichever the header row uses]"),
        )
        .arg(
            Arg::new("format")
                .long("format")
                .value_name("FORMAT")
                .value_parser(Format::parse)
                .help("csv or ndjson [default: from the extension, else from the first line]"),
        )
        .arg(
            Arg::new("concurrency")
                .long("concurrency")
                .value_name("N")
                .default_value(ImportOptions::DEFAULT_CONCURRENCY.to_string())
                .value_parser(clap::value_parser!(u16).range(1..=64))
                .help(
                    "Requests in flight at most (1–64); the rate is paced to the API's once it \
                     answers 429",
                ),
        )
        .arg(
            Arg::new("journal")
                .long("journal")
                .value_name("FILE")
                .value_parser(clap::value_parser!(PathBuf))
                .help(
                    "Where progress is kept [default: FILE.kinbox-journal; none for stdin]. \
                     Never the input or the report; a file that is not a journal, or a \
                     symbolic link, is refused",
                ),
        )
        .arg(
            Arg::new("resume")
                .long("resume")
                .action(ArgAction::SetTrue)
                .help(
                    "Continue an import from its journal: rows created are skipped wherever \
                     they are in the file now, rows whose answer was lost are looked for before \
                     being sent again. The columns are read as the last run read them (the \
                     journal keeps how), unless --map or --mapping is given",
                ),
        )
        .arg(
            Arg::new("report")
                .long("report")
                .value_name("FILE")
                .value_parser(clap::value_parser!(PathBuf))
                .help(
                    "Write what became of each row: line, outcome, deal_id, error. A .csv file \
                     opens in Excel as it is (; separated, UTF-8 with BOM; the outcome in words: \
                     created, already created…; a cell that starts with = + - @ gets a ' before \
                     it, so it is never run as a formula); any other name is NDJSON, one JSON \
                     object a line, the outcome one of created, reconciled, already_created, \
                     changed, invalid, failed. A file that exists is kept: the report goes to the \
                     next free name (report-1.csv), which is said, unless --force",
                ),
        )
        .arg(
            Arg::new("report-format")
                .long("report-format")
                .value_name("FORMAT")
                .value_parser(ReportFormat::parse)
                .help("csv or ndjson [default: csv for a .csv --report, else ndjson]"),
        )
        .arg(
            Arg::new("force")
                .long("force")
                .action(ArgAction::SetTrue)
                .help("Overwrite the --report file if it exists"),
        )
        .after_help(format!(
            "Columns (header names, in any case; others with --map):\n{}\n{}\n\n{AFTER_HELP}",
            import_file::columns_help(),
            import_file::HEADERS_HELP
        ))
}

/// After the columns (`import_file::columns_help`).
const AFTER_HELP: &str = "\
Exit status:
  0    every row was created (now, or by the run --resume continued)
  1    some rows were not imported as the file says: failed, bad and skipped,
       changed after their deal was made (the deal is kept as it was), or not
       sent after the API refused the token; the others were created
  2    nothing was sent: a bad row (without --skip-invalid), a bad file or flag,
       a journal in use by another import; with --check, some row is bad
  3    some creates' answers were lost and their deals could not be checked:
       run again with --resume, which looks for them before sending anything
  5    stopped: the API could not be reached (5 requests in a row failed, and
       a probe 1 s later too); the rows left were not tried. The message ends
       with the command that resumes the import once the API is back
  130  interrupted by Ctrl-C: no new row was sent, the requests in flight were
       given up to 10 s, the journal and --report were written, and the
       summary ends with the command that resumes it. A second Ctrl-C stops at
       once (the journal still makes --resume safe)

Examples:
  kinbox deals import leads.csv --encoding latin1 --check
  kinbox deals import leads.csv --encoding latin1 --create-contacts --report report.ndjson
  kinbox deals import leads.csv --encoding latin1 --create-contacts --resume
  kinbox deals import leads.csv --map 'Telefone=contact_phone' --map 'Valor (R$)=value'";

/// The journal kept beside `file` unless `--journal` says otherwise.
fn default_journal(file: &str) -> PathBuf {
    PathBuf::from(format!("{file}.kinbox-journal"))
}

/// What each row came to, counted for the summary and the exit status.
#[derive(Debug, Default)]
struct Tally {
    created: u64,
    reconciled: u64,
    skipped: u64,
    invalid: u64,
    failed: u64,
    unresolved: u64,
    /// Changed after their deal was made: not sent again.
    changed: u64,
    /// Not sent: the import stopped before them.
    not_sent: u64,
    /// Rows the engine answered for.
    done: u64,
}

impl Tally {
    fn summary(&self, seconds: f64) -> String {
        let sent = self.created + self.reconciled;
        let rate = if seconds > 0.0 {
            format!(", {:.0} deals/s", sent as f64 / seconds)
        } else {
            String::new()
        };
        format!(
            "{} created, {} reconciled, {} skipped (created before), {} invalid, {} failed\
             {}{}{} in {seconds:.1} s{rate}",
            self.created,
            self.reconciled,
            self.skipped,
            self.invalid,
            self.failed,
            match self.unresolved {
                0 => String::new(),
                n => format!(", {n} sent without a known outcome"),
            },
            match self.not_sent {
                0 => String::new(),
                n => format!(", {n} not tried"),
            },
            match self.changed {
                0 => String::new(),
                n => format!(", {n} changed after their deal was made (not sent again)"),
            }
        )
    }

    /// What a stopped import did and left: created, failed, not tried.
    fn counts(&self, not_tried: u64) -> String {
        let unknown = match self.unresolved {
            0 => String::new(),
            n => format!(", {n} sent without a known outcome (looked for by --resume)"),
        };
        format!(
            "{} created (and {} created before), {} failed{unknown}, {not_tried} not tried",
            self.created + self.reconciled,
            self.skipped,
            self.failed + self.invalid
        )
    }
}

/// A reader that keeps a copy of what it reads, up to [`STDIN_LIMIT`]:
/// stdin, for the second pass.
struct Tee<R> {
    inner: R,
    copy: std::fs::File,
    copied: u64,
    limit: u64,
    /// Set when the input went past the limit: reading stops there.
    too_large: Arc<std::sync::atomic::AtomicBool>,
}

impl<R: Read> Read for Tee<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.copied += n as u64;
        if self.copied > self.limit {
            self.too_large
                .store(true, std::sync::atomic::Ordering::Relaxed);
            return Err(std::io::Error::other(stdin_too_large()));
        }
        self.copy.write_all(&buf[..n])?;
        Ok(n)
    }
}

fn stdin_too_large() -> String {
    format!(
        "stdin holds more than {} MiB, the most an import keeps of it: save it to a file and \
         give its path instead of -",
        STDIN_LIMIT >> 20
    )
}

/// What the second pass reads.
enum Input {
    Path(String),
    /// stdin's copy, unnamed: it goes with the process.
    Spool(std::fs::File),
}

impl Input {
    fn records(self, options: &ReadOptions) -> Result<import_file::Records, CliError> {
        match self {
            Input::Path(path) => Ok(import_file::open(&path, options)?),
            Input::Spool(mut file) => {
                file.seek(std::io::SeekFrom::Start(0))
                    .map_err(|e| CliError::failure(format!("cannot read stdin's copy: {e}")))?;
                Ok(import_file::from_reader(file, "stdin", options)?)
            }
        }
    }
}

/// The first pass's findings.
struct Checked {
    valid: u64,
    invalid: u64,
    /// How the second pass reads the file: what the first one found out.
    options: ReadOptions,
    /// What the second pass reads: the input, or stdin's copy.
    input: Input,
    /// Each valid row's line, content and identity: the journal is
    /// compared with the whole file before anything is sent.
    keys: Vec<RowKey>,
    /// How the columns were read, as a mapping file writes it: kept in the
    /// journal for `--resume`.
    mapping: String,
}

/// Reads every record and checks it; `each_bad` hears why each bad row is.
fn check_all(
    file: &str,
    options: &ReadOptions,
    rows: &RowContext,
    save_mapping: Option<&PathBuf>,
    mut each_bad: impl FnMut(&str),
) -> Result<Checked, CliError> {
    let too_large = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let too_large_error = || CliError::usage(stdin_too_large());
    let (records, spool) = if file == "-" {
        // Unlinked from the start (O_TMPFILE where there is one), mode 0600:
        // customer data is never left in the temporary folder, not even
        // by a SIGKILL.
        let spool = tempfile::tempfile()
            .map_err(|e| CliError::failure(format!("cannot keep a copy of stdin: {e}")))?;
        let copy = spool
            .try_clone()
            .map_err(|e| CliError::failure(format!("cannot keep a copy of stdin: {e}")))?;
        let tee = Tee {
            inner: std::io::stdin(),
            copy,
            copied: 0,
            limit: STDIN_LIMIT,
            too_large: too_large.clone(),
        };
        let records =
            import_file::from_reader(tee, "stdin", options).map_err(|e| {
                match too_large.load(std::sync::atomic::Ordering::Relaxed) {
                    true => too_large_error(),
                    false => e.into(),
                }
            })?;
        (records, Some(spool))
    } else {
        (import_file::open(file, options)?, None)
    };
    show_mapping(file, records.mapping());
    let mapping = import_file::mapping_file(records.mapping());
    if let Some(path) = save_mapping {
        save_mapping_file(path, file, records.mapping())?;
    }
    rows.check_columns(&records)?;
    let mut second = options.clone();
    second.format = Some(records.format());
    second.delimiter = records.delimiter().or(second.delimiter);
    let (mut valid, mut invalid) = (0, 0);
    let mut keys = Vec::new();
    for record in records {
        match record {
            Ok(record) => match rows.validate(&record) {
                Ok(row) => {
                    valid += 1;
                    keys.push(RowKey::of(&import_row(row)));
                }
                Err(error) => {
                    invalid += 1;
                    each_bad(&error.to_string());
                }
            },
            // A file read in the wrong encoding has every accent wrong:
            // one message says so, not one a row.
            Err(error) if error.is_wrong_encoding() => {
                return Err(CliError::usage(error.to_string()));
            }
            Err(_) if too_large.load(std::sync::atomic::Ordering::Relaxed) => {
                return Err(too_large_error());
            }
            Err(error) => {
                invalid += 1;
                each_bad(&error.to_string());
            }
        }
    }
    let input = match spool {
        Some(spool) => Input::Spool(spool),
        None => Input::Path(file.to_owned()),
    };
    Ok(Checked {
        valid,
        invalid,
        options: second,
        input,
        keys,
        mapping,
    })
}

/// A row of the second pass: for the engine, or bad and skipped.
enum Item {
    Row(Box<ImportRow>),
    Bad { line: u64, reason: String },
}

fn import_row(row: ValidatedRow) -> ImportRow {
    ImportRow {
        line: row.line,
        deal: row.deal,
        contact: row.contact.map(|key| ContactLookup {
            phone: key.phone,
            email: key.email,
            name: key.name,
        }),
    }
}

pub async fn run(context: &Context, matches: &ArgMatches) -> Result<(), CliError> {
    let file = matches
        .get_one::<String>("file")
        .expect("FILE is required")
        .clone();
    let check_only = matches.get_flag("check");
    let skip_invalid = matches.get_flag("skip-invalid");
    let resume = matches.get_flag("resume");
    let mut read_options = ReadOptions {
        format: matches.get_one::<Format>("format").copied(),
        delimiter: matches.get_one::<u8>("delimiter").copied(),
        encoding: matches
            .get_one::<&'static encoding_rs::Encoding>("encoding")
            .copied(),
        map: matches
            .get_many::<MapEntry>("map")
            .into_iter()
            .flatten()
            .cloned()
            .collect(),
        custom_fields: Vec::new(),
    };
    read_options.map = mapping_entries(matches, read_options.map)?;
    let save_mapping = matches.get_one::<PathBuf>("save-mapping");
    let journal = match matches.get_one::<PathBuf>("journal") {
        Some(path) => Some(path.clone()),
        None if file == "-" => None,
        None => Some(default_journal(&file)),
    };
    import_paths::check_input(&file)?;
    let report_path = matches.get_one::<PathBuf>("report");
    if !check_only {
        import_paths::check_distinct(&file, journal.as_deref(), report_path.map(PathBuf::as_path))?;
        check_journal(journal.as_deref(), resume, &file)?;
    }
    // `--resume` reads the columns as the run before did, unless told
    // otherwise: no --map flags to repeat.
    let told = matches.contains_id("mapping")
        || matches
            .get_many::<MapEntry>("map")
            .is_some_and(|mut entries| entries.next().is_some());
    if let (true, false, Some(journal)) = (resume, told, &journal) {
        let recorded = kinbox_api::import::recorded_mapping(journal)
            .map_err(|e| CliError::usage(e.to_string()))?;
        if let Some(text) = recorded {
            read_options.map = import_file::parse_mapping(&text).map_err(|why| {
                CliError::usage(format!(
                    "the journal's mapping, {}; give --map or --mapping FILE",
                    crate::error::printable(&why)
                ))
            })?;
            eprintln!(
                "Reading the columns as the last run did (kept in the journal; --map or \
                 --mapping FILE changes them)."
            );
        }
    }

    let client = context.client()?;
    // Dates without a zone are read in the run's zone, as the date flags are.
    let zone = crate::input::datetime::zone().map_err(CliError::usage)?;
    let rows = Arc::new(RowContext::load(&client).await?.with_zone(zone));
    // A header that names a custom field (`CPF`) is its column.
    read_options.custom_fields = rows.custom_field_names();

    let started = Instant::now();
    let mut shown = 0usize;
    let mut checked = check_all(&file, &read_options, &rows, save_mapping, |reason| {
        if check_only {
            println!("{}", crate::error::printable(reason));
        } else if shown < BAD_ROWS_SHOWN {
            eprintln!("{}", crate::error::printable(reason));
            shown += 1;
        }
    })?;
    let total = checked.valid + checked.invalid;
    if check_only {
        eprintln!(
            "{total} rows: {} ready to import, {} bad",
            checked.valid, checked.invalid
        );
        return match checked.invalid {
            0 => Ok(()),
            n => Err(CliError::usage(format!(
                "{} of {total} {} bad (listed above, with their lines); nothing was sent",
                n,
                rows_are(n)
            ))),
        };
    }
    if checked.invalid > 0 && !skip_invalid {
        let more = match checked.invalid as usize > BAD_ROWS_SHOWN {
            true => format!(" (the first {BAD_ROWS_SHOWN} above; --check lists them all)"),
            false => " (listed above)".to_owned(),
        };
        return Err(CliError::usage(format!(
            "{} of {total} {} bad{more}; nothing was sent. Fix them, or import the others \
             with --skip-invalid",
            checked.invalid,
            rows_are(checked.invalid)
        )));
    }

    let concurrency = *matches
        .get_one::<u16>("concurrency")
        .expect("has a default");
    let mut options = ImportOptions::default()
        .concurrency(usize::from(concurrency))
        .create_contacts(matches.get_flag("create-contacts"));
    if let Some(journal) = &journal {
        options = options
            .journal(journal.clone())
            .mapping(checked.mapping.clone());
    }
    // A journal in use, unreadable or damaged: nothing was sent.
    let importer = Importer::new(client, options).map_err(|e| CliError::usage(e.to_string()))?;
    for notice in importer.notices() {
        eprintln!("{}", crate::error::printable(notice));
    }
    // The file against the journal, before anything is sent: rows are
    // known by their content, wherever they moved.
    let plan = importer
        .plan(std::mem::take(&mut checked.keys))
        .await
        .map_err(|e| CliError::failure(e.to_string()))?;
    if resume {
        for line in plan_summary(&plan) {
            eprintln!("{line}");
        }
    }
    let mut report = Report::create(
        report_path,
        matches.get_flag("force"),
        matches.get_one::<ReportFormat>("report-format").copied(),
    )?;
    let progress = crate::output::progress::bar(checked.valid, "deals");

    // The second pass reads on a thread of its own, a few rows ahead of
    // the engine: the file is never in memory whole. Rows cross in chunks:
    // one wake of either side per chunk, not per row.
    let (sender, receiver) = tokio::sync::mpsc::channel::<Vec<Item>>(CHUNKS_AHEAD);
    let reader_rows = rows.clone();
    let (input, second) = (checked.input, checked.options);
    let reader = std::thread::spawn(move || -> Result<(), CliError> {
        let mut chunk = Vec::with_capacity(CHUNK_ROWS);
        for record in input.records(&second)? {
            chunk.push(match record {
                Ok(record) => match reader_rows.validate(&record) {
                    Ok(row) => Item::Row(Box::new(import_row(row))),
                    Err(error) => Item::Bad {
                        line: error.line,
                        reason: error.to_string(),
                    },
                },
                Err(error) => Item::Bad {
                    line: error.line,
                    reason: error.to_string(),
                },
            });
            if chunk.len() == CHUNK_ROWS {
                let full = std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK_ROWS));
                if sender.blocking_send(full).is_err() {
                    return Ok(());
                }
            }
        }
        if !chunk.is_empty() {
            let _ = sender.blocking_send(chunk);
        }
        Ok(())
    });

    let tally = Arc::new(Mutex::new(Tally::default()));
    let bad: Arc<Mutex<Vec<(u64, String)>>> = Arc::default();
    let handle = importer.handle();
    let rows_in = {
        let bad = bad.clone();
        // Once the import stopped, the rows left still come through, each
        // "not sent" at once: the report has every row.
        tokio_stream_of(receiver)
            .flat_map(futures::stream::iter)
            .filter_map(move |item| {
                let bad = bad.clone();
                async move {
                    match item {
                        Item::Row(row) => Some(*row),
                        Item::Bad { line, reason } => {
                            lock(&bad).push((line, reason));
                            None
                        }
                    }
                }
            })
    };
    // Ctrl-C: the first stops sending and leaves GRACE for the requests in
    // flight; the second ends the process at once (every request is
    // journaled before it leaves: --resume looks for what it may have made).
    let (interrupts, mut interrupted) = tokio::sync::mpsc::unbounded_channel::<()>();
    let signals = tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_err() {
            return;
        }
        let _ = interrupts.send(());
        if tokio::signal::ctrl_c().await.is_ok() {
            eprintln!(
                "\nstopped at once: the journal has every request sent, and --resume looks \
                 for their deals before sending anything again"
            );
            std::process::exit(i32::from(INTERRUPTED_EXIT));
        }
    });
    // Boxed (not pinned in place): dropped below, which closes the journal.
    let mut outcomes = importer.run(rows_in);
    let mut grace: Option<tokio::time::Instant> = None;
    let mut cut_short = false;
    loop {
        let outcome = tokio::select! {
            outcome = outcomes.next() => outcome,
            Some(()) = interrupted.recv(), if grace.is_none() => {
                handle.stop();
                grace = Some(tokio::time::Instant::now() + GRACE);
                progress.println(format!(
                    "interrupted: no new row is sent; waiting up to {} s for the requests in \
                     flight (Ctrl-C again to stop at once)",
                    GRACE.as_secs()
                ));
                continue;
            }
            () = sleep_until(grace) => {
                cut_short = true;
                break;
            }
        };
        let Some(outcome) = outcome else { break };
        for (line, reason) in lock(&bad).drain(..) {
            lock(&tally).invalid += 1;
            report.row(line, "invalid", None, Some(&reason))?;
        }
        let stopped = handle.stopped().is_some();
        let mut tally = lock(&tally);
        match &outcome {
            RowOutcome::Created { line, deal_id } => {
                tally.created += 1;
                report.row(*line, "created", Some(deal_id), None)?;
            }
            RowOutcome::Reconciled { line, deal_id } => {
                tally.reconciled += 1;
                report.row(*line, "reconciled", Some(deal_id), None)?;
            }
            RowOutcome::Skipped { line, deal_id } => {
                tally.skipped += 1;
                report.row(*line, "skipped", Some(deal_id), None)?;
            }
            RowOutcome::Changed {
                line,
                deal_id,
                error,
            } => {
                tally.changed += 1;
                report.row(*line, "changed", Some(deal_id), Some(error))?;
                progress.println(crate::error::printable(error));
            }
            RowOutcome::Failed { line, error, kind } => {
                match kind {
                    FailureKind::Unresolved => tally.unresolved += 1,
                    FailureKind::Halted => tally.not_sent += 1,
                    _ => tally.failed += 1,
                }
                report.row(*line, "failed", None, Some(error))?;
                // Once the import stopped, the rows it stops are counted,
                // not listed: one message says why.
                let said_by_the_stop = stopped
                    && matches!(
                        kind,
                        FailureKind::Halted | FailureKind::Unresolved | FailureKind::GaveUp
                    );
                if *kind != FailureKind::Halted && !said_by_the_stop {
                    progress.println(format!("line {line}: {}", crate::error::printable(error)));
                }
            }
        }
        tally.done += 1;
        progress.inc(1);
    }
    signals.abort();
    // Rows still in flight after the grace: their requests are journaled,
    // and --resume looks for their deals. Dropping the stream closes the
    // journal (what is queued is written and synced).
    drop(outcomes);
    for (line, reason) in lock(&bad).drain(..) {
        lock(&tally).invalid += 1;
        report.row(line, "invalid", None, Some(&reason))?;
    }
    progress.finish_and_clear();
    report.finish()?;
    let stopped = handle.stopped();
    drop(handle);
    // Ends at once if the rows stopped being taken: nobody receives them.
    reader
        .join()
        .map_err(|_| CliError::failure("the file reader stopped unexpectedly"))??;

    let tally = lock(&tally);
    let shown_file = if file == "-" {
        "stdin".into()
    } else {
        crate::error::printable(&file)
    };
    eprintln!(
        "{shown_file}: {}",
        tally.summary(started.elapsed().as_secs_f64())
    );
    let not_tried = checked.valid.saturating_sub(tally.done) + tally.not_sent;
    let how_to_resume = match &journal {
        Some(_) => format!("to continue, run: {}", resume_command()),
        None => "stdin has no journal: import the rows not created from a file, with a journal"
            .to_owned(),
    };
    match stopped {
        Some(Stopped::Interrupted) => {
            let in_flight = match cut_short {
                true => format!(
                    "; requests still in flight after {} s were left to --resume",
                    GRACE.as_secs()
                ),
                false => String::new(),
            };
            return Err(CliError::Stopped(
                anyhow::Error::msg(format!(
                    "interrupted: {}{in_flight}; {how_to_resume}",
                    tally.counts(not_tried)
                )),
                INTERRUPTED_EXIT,
            ));
        }
        Some(Stopped::Unreachable(_)) => {
            let why = stopped
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default();
            return Err(CliError::Stopped(
                anyhow::Error::msg(format!(
                    "stopped: {why}. {}; once the API answers again, {how_to_resume}",
                    tally.counts(not_tried)
                )),
                UNREACHABLE_EXIT,
            ));
        }
        Some(_) => eprintln!(
            // The token: said once, not for every row it stopped.
            "the import stopped when the API refused the token: the rows left are not sent; fix \
             the token (kinbox auth login, or KINBOX_TOKEN) and {how_to_resume}"
        ),
        None => {}
    }
    if tally.unresolved > 0 {
        let resume = match &journal {
            Some(_) => {
                "run the same command with --resume: it looks for them before sending anything"
            }
            None => {
                "look for them with `kinbox deals list --created-at-from …` before importing them again"
            }
        };
        return Err(CliError::outcome_unknown(format!(
            "{} sent but the answers were lost, and the deals could not be checked: {resume}",
            rows_were(tally.unresolved)
        )));
    }
    let not_imported = tally.failed + tally.invalid + tally.not_sent + tally.changed;
    if not_imported > 0 {
        return Err(CliError::failure(format!(
            "{} not imported as the file says (see above{})",
            rows_were(not_imported),
            match report.path() {
                Some(path) => format!(
                    ", and {}",
                    crate::error::printable(&path.display().to_string())
                ),
                None => String::new(),
            }
        )));
    }
    Ok(())
}

/// How long the first Ctrl-C waits for the requests in flight.
const GRACE: std::time::Duration = std::time::Duration::from_secs(10);
/// Exit status after Ctrl-C (128 + SIGINT, as a shell reports it).
const INTERRUPTED_EXIT: u8 = 130;
/// Exit status when the import stopped because the API could not be reached.
const UNREACHABLE_EXIT: u8 = 5;

/// Sleeps until `deadline`, or for ever without one.
async fn sleep_until(deadline: Option<tokio::time::Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}

/// The command line that continues this import: the one given, with
/// --resume, quoted for a POSIX shell and printable on a terminal.
fn resume_command() -> String {
    let mut args: Vec<String> = std::env::args_os()
        .map(|arg| arg.to_string_lossy().into_owned())
        .collect();
    if !args.iter().any(|arg| arg == "--resume") {
        args.push("--resume".to_owned());
    }
    let quoted: Vec<String> = args.iter().map(|arg| shell_quoted(arg)).collect();
    crate::error::printable(&quoted.join(" "))
}

/// `arg` as a POSIX shell reads it back.
fn shell_quoted(arg: &str) -> String {
    let plain = !arg.is_empty()
        && arg
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_-./=:@%+,".contains(&b));
    match plain {
        true => arg.to_owned(),
        false => format!("'{}'", arg.replace('\'', "'\\''")),
    }
}

/// What the comparison of the file with the journal found, said before
/// anything is sent on --resume.
fn plan_summary(plan: &ResumePlan) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(changes) = plan.since_last_run
        && !changes.is_empty()
    {
        lines.push(format!(
            "the file changed since the last run: {} added, {} changed, {} removed",
            rows(changes.added),
            changes.changed,
            changes.removed
        ));
    }
    let mut parts = vec![format!("{} created before (skipped)", plan.created_before)];
    if plan.to_look_for > 0 {
        parts.push(format!(
            "{} sent without a known outcome (looked for first)",
            plan.to_look_for
        ));
    }
    if plan.changed_after_sent > 0 {
        parts.push(format!(
            "{} changed after their deal was made (not sent again)",
            plan.changed_after_sent
        ));
    }
    parts.push(format!("{} to import", plan.to_send));
    if plan.gone_from_file > 0 {
        parts.push(format!(
            "{} made by earlier runs no longer in the file (their deals are kept)",
            plan.gone_from_file
        ));
    }
    lines.push(format!("resuming: {}", parts.join(", ")));
    lines
}

/// "1 row" / "3 rows".
fn rows(n: u64) -> String {
    match n {
        1 => "1 row".to_owned(),
        n => format!("{n} rows"),
    }
}

/// `--mapping FILE`'s entries, then `--map`'s (`flags`): a header named by
/// both is read as `--map` says.
fn mapping_entries(matches: &ArgMatches, flags: Vec<MapEntry>) -> Result<Vec<MapEntry>, CliError> {
    let Some(path) = matches.get_one::<PathBuf>("mapping") else {
        return Ok(flags);
    };
    let shown = crate::error::printable(&path.display().to_string());
    let what = format!("the mapping file {shown}");
    let file = std::fs::File::open(path)
        .map_err(|e| CliError::usage(format!("cannot read {what}: {e}")))?;
    let text =
        crate::input::limits::read_text(file, MAPPING_LIMIT, &what).map_err(CliError::usage)?;
    let saved = import_file::parse_mapping(&text)
        .map_err(|why| CliError::usage(format!("{what}, {}", crate::error::printable(&why))))?;
    let fold = |header: &str| crate::matching::fold(header);
    let mut entries: Vec<MapEntry> = saved
        .into_iter()
        .filter(|entry| {
            !flags
                .iter()
                .any(|flag| fold(&flag.header) == fold(&entry.header))
        })
        .collect();
    entries.extend(flags);
    Ok(entries)
}

/// The most of a `--mapping` file read: a line a column.
const MAPPING_LIMIT: usize = 1 << 20;

/// Says how each column of `file` is read, before anything is sent.
fn show_mapping(file: &str, mapping: &[import_file::Mapped]) {
    let name = match file {
        "-" => "stdin".to_owned(),
        file => crate::error::printable(file),
    };
    eprintln!(
        "The columns of {name} (--map 'HEADER=COLUMN' changes one, --save-mapping FILE keeps \
         them):"
    );
    for mapped in mapping {
        eprintln!("  {}", crate::error::printable(&mapped.to_string()));
    }
}

/// `--save-mapping FILE`: the mapping used, for `--mapping FILE` next time.
/// Never the input, and never through a symbolic link.
fn save_mapping_file(
    path: &Path,
    file: &str,
    mapping: &[import_file::Mapped],
) -> Result<(), CliError> {
    let shown = crate::error::printable(&path.display().to_string());
    if file != "-" && import_paths::same_file(Path::new(file), path) {
        return Err(CliError::usage(format!(
            "--save-mapping {shown} is the file being imported: give another name"
        )));
    }
    if std::fs::symlink_metadata(path).is_ok_and(|meta| !meta.is_file()) {
        return Err(CliError::usage(format!(
            "--save-mapping {shown} is not a regular file (a symbolic link, a folder…): give \
             another name"
        )));
    }
    std::fs::write(path, import_file::mapping_file(mapping))
        .map_err(|e| CliError::failure(format!("cannot write the mapping to {shown}: {e}")))?;
    eprintln!("The mapping is saved in {shown}: reuse it with --mapping {shown}");
    Ok(())
}

/// Refuses to start over a journal by accident, or to resume without one.
fn check_journal(journal: Option<&Path>, resume: bool, file: &str) -> Result<(), CliError> {
    match (journal, resume) {
        (Some(journal), false) if journal.exists() => Err(CliError::usage(format!(
            "{} holds an earlier import of {file}: add --resume to continue it (rows already \
             created are skipped), or delete it to import every row again",
            journal.display()
        ))),
        (Some(journal), true) if !journal.exists() => Err(CliError::usage(format!(
            "--resume: there is no journal at {} to continue; without --resume the import \
             starts from the first row",
            journal.display()
        ))),
        (None, true) => Err(CliError::usage(
            "--resume needs the journal of the import: give --journal FILE",
        )),
        _ => Ok(()),
    }
}

/// "1 row is" / "2 rows are", after "N of M".
fn rows_are(n: u64) -> &'static str {
    if n == 1 { "row is" } else { "rows are" }
}

/// "1 row was" / "3 rows were".
fn rows_were(n: u64) -> String {
    if n == 1 {
        "1 row was".to_owned()
    } else {
        format!("{n} rows were")
    }
}

/// Rows read ahead of the engine, in chunks of [`CHUNK_ROWS`].
const CHUNKS_AHEAD: usize = 4;
const CHUNK_ROWS: usize = 64;

fn tokio_stream_of<T: Send + 'static>(
    mut receiver: tokio::sync::mpsc::Receiver<T>,
) -> impl futures::Stream<Item = T> + Send + 'static {
    futures::stream::poll_fn(move |cx| receiver.poll_recv(cx))
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stdin_is_copied_up_to_its_limit_and_no_further() {
        let too_large = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let copy = tempfile::tempfile().unwrap();
        let mut tee = Tee {
            inner: std::io::repeat(b'x'),
            copy: copy.try_clone().unwrap(),
            copied: 0,
            limit: 100_000,
            too_large: too_large.clone(),
        };
        let error = std::io::copy(&mut tee, &mut std::io::sink()).unwrap_err();
        assert!(error.to_string().contains("save it to a file"), "{error}");
        assert!(too_large.load(std::sync::atomic::Ordering::Relaxed));
        assert!(copy.metadata().unwrap().len() <= 100_000);
    }
}
