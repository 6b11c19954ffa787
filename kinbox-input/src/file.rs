//! The records of `kinbox deals import FILE`, read one at a time (the file is
//! never held in memory whole): a CSV file with a header row, as Brazilian
//! spreadsheets save them, or NDJSON, one JSON object a line.
//!
//! - The format comes from [`ReadOptions::format`], else the extension
//!   (`.csv`, `.tsv`, `.txt`; `.ndjson`, `.jsonl`), else the first byte that
//!   is not blank: `{` is NDJSON, anything else CSV.
//! - CSV: the delimiter is the one of `;`, `,` and tab that splits the header
//!   row into the most columns (or Excel's `sep=;` first line, or
//!   [`ReadOptions::delimiter`]); quoted values may hold the delimiter and line
//!   breaks; blank lines and lines of empty cells (`;;;`) are skipped.
//! - Text is UTF-8, with or without a BOM (a UTF-16 file with its BOM is read
//!   too), or the encoding given, e.g. Windows-1252 (`--encoding latin1`), the
//!   one Excel saves CSV files in in Brazil. Text that is not UTF-8 is an error
//!   that says so, never replaced silently.
//! - Headers name [`Column`]s, ignoring case and surrounding spaces, or are
//!   recognised as a shop writes them, in Portuguese or English, accents and
//!   case aside (`Pedido`, `Telefone`, `E-mail`, `Valor (R$)`, `Funil`,
//!   `Etapa`…: [`HEADER_WORDS`]), or name a deal custom field by its name or
//!   placeholder (`CPF`, [`ReadOptions::custom_fields`]); `--map
//!   HEADER=COLUMN` names the others (`--map 'Telefone=contact_phone'`) or
//!   leaves them out (`--map 'Obs=-'`). [`Records::mapping`] says what each
//!   header was read as, and why, to show before anything is sent. A CSV
//!   column that is none of these is left out and listed there; an NDJSON
//!   key that is none (a program's typo) stops the import, as does a column
//!   given twice by its own name, before any row is read.
//! - Each [`Record`] has the line it starts on (the header being line 1) and
//!   its non-empty cells, trimmed; empty cells are absent.

use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Cursor, Read};
use std::path::Path;

use encoding_rs::Encoding;
use encoding_rs_io::{DecodeReaderBytes, DecodeReaderBytesBuilder};
use serde_json::Value;

use crate::InputError;
use crate::matching::{closest, fold};

/// How a file is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Values separated by `;`, `,` or tab, with a header row.
    Csv,
    /// One JSON object a line, keyed by column.
    Ndjson,
}

impl Format {
    /// The format a file's extension says, if it says one.
    pub fn from_path(path: &Path) -> Option<Format> {
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        match extension.as_str() {
            "csv" | "tsv" | "txt" => Some(Format::Csv),
            "ndjson" | "jsonl" => Some(Format::Ndjson),
            _ => None,
        }
    }

    /// `--format`: `csv`, or `ndjson` (also `jsonl`).
    pub fn parse(text: &str) -> Result<Format, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "csv" => Ok(Format::Csv),
            "ndjson" | "jsonl" => Ok(Format::Ndjson),
            _ => Err("the formats are csv and ndjson (one JSON object a line)".to_owned()),
        }
    }
}

/// What a value of a record is for: a field of the deal or of its contact,
/// or a deal custom field by its placeholder (`cf.cpf`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Column {
    Name,
    Value,
    Status,
    Pipeline,
    PipelineId,
    Stage,
    StageId,
    ContactPhone,
    ContactEmail,
    ContactId,
    ContactName,
    DueDate,
    Origin,
    Campaign,
    TagIds,
    /// Tags by name (or id), as `deals create --tag` takes them.
    Tags,
    /// `cf.<placeholder>`: the placeholder as written in the header.
    CustomField(String),
}

/// The columns with a fixed name, in the order they are listed to a person.
const NAMED: [Column; 16] = [
    Column::Name,
    Column::Value,
    Column::Status,
    Column::Pipeline,
    Column::PipelineId,
    Column::Stage,
    Column::StageId,
    Column::ContactPhone,
    Column::ContactEmail,
    Column::ContactId,
    Column::ContactName,
    Column::DueDate,
    Column::Origin,
    Column::Campaign,
    Column::TagIds,
    Column::Tags,
];

/// The prefix of a custom field's column.
const CUSTOM_FIELD_PREFIX: &str = "cf.";

impl Column {
    /// The column named `text` (case and surrounding spaces aside, `-` and a
    /// space as `_`): `name`, `Contact_Phone`, `due date`, `cf.cpf`.
    pub fn parse(text: &str) -> Option<Column> {
        let text = text.trim();
        if let Some(prefix) = text.get(..CUSTOM_FIELD_PREFIX.len())
            && prefix.eq_ignore_ascii_case(CUSTOM_FIELD_PREFIX)
        {
            let placeholder = text[CUSTOM_FIELD_PREFIX.len()..].trim();
            return (!placeholder.is_empty()).then(|| Column::CustomField(placeholder.to_owned()));
        }
        let wanted = text.to_ascii_lowercase().replace(['-', ' '], "_");
        NAMED
            .into_iter()
            .find(|column| column.fixed() == Some(&wanted))
    }

    fn fixed(&self) -> Option<&'static str> {
        Some(match self {
            Column::Name => "name",
            Column::Value => "value",
            Column::Status => "status",
            Column::Pipeline => "pipeline",
            Column::PipelineId => "pipeline_id",
            Column::Stage => "stage",
            Column::StageId => "stage_id",
            Column::ContactPhone => "contact_phone",
            Column::ContactEmail => "contact_email",
            Column::ContactId => "contact_id",
            Column::ContactName => "contact_name",
            Column::DueDate => "due_date",
            Column::Origin => "origin",
            Column::Campaign => "campaign",
            Column::TagIds => "tag_ids",
            Column::Tags => "tags",
            Column::CustomField(_) => return None,
        })
    }

    /// What a row gives in this column, for `kinbox deals import --help`.
    fn about(&self) -> &'static str {
        match self {
            Column::Name => "the deal's name (required)",
            Column::Value => "the amount: 1890,50, 1.890,50, R$ 1.890,50 or 1890.50 (required)",
            Column::Status => "open (default), won or lost; aberto, ganho, perdido too",
            Column::Pipeline => "the pipeline (funil) by name or id (this or pipeline_id required)",
            Column::PipelineId => "the pipeline by id only",
            Column::Stage => "the stage (etapa) by name or id [default: the pipeline's first]",
            Column::StageId => "the stage by id only",
            Column::ContactPhone => "the contact by phone, e.g. +55 (85) 99728-1648 or 85997281648",
            Column::ContactEmail => "the contact by e-mail, in any case",
            Column::ContactId => "the contact by id; one of the three contact columns is required",
            Column::ContactName => "the name of a contact made by --create-contacts",
            Column::DueDate => {
                "30/06/2024, 2024-06-30 or 30/06/2024 18:00, in the zone of --tz (Brasília time)"
            }
            Column::Origin | Column::Campaign => "free text",
            Column::TagIds => "tag ids, separated by commas or spaces",
            Column::Tags => "tag names (or ids), separated by commas: Lead quente, Recompra",
            Column::CustomField(_) => "a custom field, e.g. cf.cpf, checked against its definition",
        }
    }

    /// Whether both hold the same value: custom fields are looked up ignoring
    /// case and accents, so `cf.CPF` is `cf.cpf`.
    fn same_as(&self, other: &Column) -> bool {
        match (self, other) {
            (Column::CustomField(a), Column::CustomField(b)) => fold(a) == fold(b),
            _ => self == other,
        }
    }
}

impl fmt::Display for Column {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Column::CustomField(placeholder) => write!(f, "{CUSTOM_FIELD_PREFIX}{placeholder}"),
            named => f.write_str(named.fixed().unwrap_or_default()),
        }
    }
}

/// Every column with what it holds, one a line, for `--help`.
pub fn columns_help() -> String {
    let custom_field = Column::CustomField("PLACEHOLDER".to_owned());
    NAMED
        .iter()
        .chain([&custom_field])
        .map(|column| format!("  {:<15} {}\n", column.to_string(), column.about()))
        .collect()
}

/// The headers recognised, for `kinbox deals import --help`, after
/// [`columns_help`].
pub const HEADERS_HELP: &str = "\
Headers as shops write them are read too, case, accents and punctuation aside:
  Pedido, Negócio, Título, Nome do negócio (name); Valor, Valor (R$), Preço,
  Total (value); Situação (status); Funil (pipeline); Etapa, Fase (stage);
  Telefone, Celular, WhatsApp, Phone (contact_phone); E-mail (contact_email);
  Cliente, Nome do cliente, Contato (contact_name); Data, Vencimento, Prazo
  (due_date); Origem, Source (origin); Campanha (campaign); and a deal custom
  field by its name or placeholder (CPF is cf.cpf). Nome is the customer's
  name beside a column that names the deal (Pedido;Nome;…), else the deal's.
  A CSV column that is none of these is left out, and listed as such.";

/// The columns, listed for a person.
fn known_columns() -> String {
    let named: Vec<&str> = NAMED.iter().filter_map(Column::fixed).collect();
    format!(
        "{} and cf.<placeholder> (a deal custom field)",
        named.join(", ")
    )
}

/// One `--map HEADER=COLUMN`: the header of the file, and the column it holds,
/// or `None` for `HEADER=-`, a column left out.
#[derive(Clone, Debug, PartialEq)]
pub struct MapEntry {
    pub header: String,
    pub target: Option<Column>,
}

impl MapEntry {
    /// `Telefone=contact_phone`, `Valor (R$)=value`, `Obs=-`: split at the
    /// last `=`, since a header may hold one and a column never does.
    pub fn parse(text: &str) -> Result<MapEntry, String> {
        let Some((header, column)) = text.rsplit_once('=') else {
            return Err(
                "expected HEADER=COLUMN, e.g. 'Telefone=contact_phone', or HEADER=- to leave a \
                 column out"
                    .to_owned(),
            );
        };
        if header.trim().is_empty() {
            return Err("the header before = is empty".to_owned());
        }
        let column = column.trim();
        let target = if column == "-" {
            None
        } else {
            Some(Column::parse(column).ok_or_else(|| {
                let names = NAMED.iter().filter_map(Column::fixed);
                format!(
                    "\"{column}\" is not a column; {}the columns are {}, or - to leave the \
                     header out",
                    crate::matching::did_you_mean(column, names),
                    known_columns()
                )
            })?)
        };
        Ok(MapEntry {
            header: header.trim().to_owned(),
            target,
        })
    }
}

/// A mapping file (`kinbox deals import --mapping FILE`, as
/// [`mapping_file`] writes it): a `HEADER=COLUMN` a line, as `--map` takes
/// them (`HEADER=-` leaves a column out); blank lines and lines that start
/// with `#` are skipped. A text editor is all it takes to change one.
pub fn parse_mapping(text: &str) -> Result<Vec<MapEntry>, String> {
    text.trim_start_matches('\u{feff}')
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty() && !line.trim_start().starts_with('#'))
        .map(|(i, line)| MapEntry::parse(line).map_err(|why| format!("line {}: {why}", i + 1)))
        .collect()
}

/// `mapping` as a mapping file that [`parse_mapping`] reads back: every
/// header with its column, or `-` when it is left out (a header without a
/// name, or with a line break in it, cannot be written, and is not).
pub fn mapping_file(mapping: &[Mapped]) -> String {
    let mut text = format!(
        "# How kinbox deals import reads the columns of a file: HEADER=COLUMN a line,\n\
         # HEADER=- to leave a column out. Use it with --mapping FILE.\n\
         # The columns: {}.\n",
        known_columns()
    );
    for mapped in mapping {
        let header = mapped.header.trim();
        if header.is_empty() || header.contains(['\n', '\r']) || header.starts_with('#') {
            continue;
        }
        let column = mapped
            .column
            .as_ref()
            .map_or_else(|| "-".to_owned(), Column::to_string);
        text.push_str(&format!("{header}={column}\n"));
    }
    text
}

/// How to read a file; what is left `None` is found from the file.
#[derive(Clone, Debug, Default)]
pub struct ReadOptions {
    pub format: Option<Format>,
    /// CSV's delimiter, e.g. `b';'`.
    pub delimiter: Option<u8>,
    /// The text encoding; UTF-8 (with or without a BOM) when `None`.
    pub encoding: Option<&'static Encoding>,
    /// `--map`, in the order given.
    pub map: Vec<MapEntry>,
    /// The workspace's deal custom fields: a header that is one's name or
    /// placeholder (`CPF`, `Cliente VIP`) is that field's column.
    pub custom_fields: Vec<CustomFieldName>,
}

/// A deal custom field as a header may name it: by its name (`Cliente
/// VIP`) or its placeholder (`vip`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CustomFieldName {
    pub name: String,
    pub placeholder: String,
}

/// `--encoding`: `utf-8`, `latin1` (as the web does, Windows-1252, which
/// Excel writes), `windows-1252`, `iso-8859-1`, `utf-16`…: the WHATWG labels.
pub fn parse_encoding(text: &str) -> Result<&'static Encoding, String> {
    let label = text.trim();
    let label = if label.eq_ignore_ascii_case("latin-1") {
        "latin1"
    } else {
        label
    };
    Encoding::for_label(label.as_bytes())
        .filter(|encoding| *encoding != encoding_rs::REPLACEMENT)
        .ok_or_else(|| {
            "not a text encoding; give utf-8, or latin1 for a file saved by Excel in Brazil \
             (Windows-1252)"
                .to_owned()
        })
}

/// `--delimiter`: one character, e.g. `;`, or `tab` (also `\t`).
pub fn parse_delimiter(text: &str) -> Result<u8, String> {
    match text {
        "tab" | "TAB" | "\\t" | "\t" => Ok(b'\t'),
        _ => match text.as_bytes() {
            [byte] if byte.is_ascii_punctuation() && *byte != b'"' => Ok(*byte),
            _ => Err("expected one character, e.g. ; or , or tab".to_owned()),
        },
    }
}

/// One record of the file: the line it starts on and its non-empty values,
/// trimmed, in the order of the file's columns (of an NDJSON object's keys,
/// in alphabetical order).
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    pub line: u64,
    pub fields: Vec<(Column, String)>,
}

impl Record {
    /// The value of `column`, if the record has one.
    pub fn get(&self, column: &Column) -> Option<&str> {
        self.fields
            .iter()
            .find(|(c, _)| c == column)
            .map(|(_, value)| value.as_str())
    }
}

/// A record that cannot be read: a wrong number of values, text that is not
/// UTF-8, a line that is not a JSON object.
#[derive(Clone, Debug, PartialEq)]
pub struct RecordError {
    pub line: u64,
    pub message: String,
}

impl fmt::Display for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for RecordError {}

impl RecordError {
    /// Whether the record's text is not in the encoding the file is read
    /// in: then no record is, and the file must be read with another.
    pub fn is_wrong_encoding(&self) -> bool {
        self.message == NOT_UTF8
    }
}

/// Why text that is not UTF-8 is not read, and how to read it.
const NOT_UTF8: &str = "the text is not UTF-8; the file may be in Latin-1 (Windows-1252), as \
     Excel saves CSV files in Brazil: read it with --encoding latin1";

/// A header row, a CSV record or an NDJSON line may be this long, 1 MiB: a
/// longer one is a mistake (a quote never closed, a JSON array on one line),
/// and is not held in memory.
const MAX_LINE: usize = 1 << 20;

/// Reads a line into `buffer`, at most [`MAX_LINE`] bytes of it; whether it
/// was longer (the rest of it is then skipped if `skip_rest`, else left
/// unread: a header that long ends the reading anyway, and skipping it
/// would read a stream without line breaks for ever).
fn read_line(
    source: &mut impl BufRead,
    buffer: &mut Vec<u8>,
    skip_rest: bool,
) -> io::Result<(usize, bool)> {
    let read = source
        .by_ref()
        .take(MAX_LINE as u64)
        .read_until(b'\n', buffer)?;
    if read < MAX_LINE || buffer.last() == Some(&b'\n') {
        return Ok((read, false));
    }
    if !skip_rest {
        return Ok((read, true));
    }
    loop {
        let available = source.fill_buf()?;
        if available.is_empty() {
            break;
        }
        match available.iter().position(|b| *b == b'\n') {
            Some(end) => {
                source.consume(end + 1);
                break;
            }
            None => {
                let all = available.len();
                source.consume(all);
            }
        }
    }
    Ok((read, true))
}

type Decoded = BufReader<LoneCrAsLf<DecodeReaderBytes<Box<dyn Read + Send>, Vec<u8>>>>;
/// What was read to find the format and the header, then the rest.
type Source = io::Chain<Cursor<Vec<u8>>, Decoded>;

/// The records of `path` (`-` is stdin), read as `options` say; the format
/// from the extension when `options` do not give it.
pub fn open(path: &str, options: &ReadOptions) -> Result<Records, InputError> {
    if path == "-" {
        return from_reader(io::stdin(), "stdin", options);
    }
    let file = File::open(path)
        .map_err(|error| InputError::invalid(format!("cannot read {path}: {error}")))?;
    let mut options = options.clone();
    let extension = Path::new(path).extension().and_then(|e| e.to_str());
    if options.delimiter.is_none() && extension.is_some_and(|e| e.eq_ignore_ascii_case("tsv")) {
        options.delimiter = Some(b'\t');
    }
    options.format = options
        .format
        .or_else(|| Format::from_path(Path::new(path)));
    from_reader(file, path, &options)
}

/// The records of `reader`, named `name` in messages (`stdin`, the path).
///
/// Fails before any record is read when the file is empty, its header row
/// cannot be read, or its columns are unknown or repeated.
pub fn from_reader<R: Read + Send + 'static>(
    reader: R,
    name: &str,
    options: &ReadOptions,
) -> Result<Records, InputError> {
    let failed = |error: io::Error| InputError::unreadable(format!("cannot read {name}: {error}"));
    let mut reader: Box<dyn Read + Send> = Box::new(reader);
    let mut encoding = options.encoding.filter(|e| *e != encoding_rs::UTF_8);
    if encoding.is_some() {
        // A UTF-8 BOM says the file is UTF-8 whatever the encoding given
        // (encoding_rs_io keeps the encoding given when it passes UTF-8
        // through).
        let mut head = Vec::with_capacity(3);
        (&mut reader)
            .take(3)
            .read_to_end(&mut head)
            .map_err(failed)?;
        if head == b"\xef\xbb\xbf" {
            encoding = None;
        }
        reader = Box::new(Cursor::new(head).chain(reader));
    }
    let decoded = DecodeReaderBytesBuilder::new()
        // Without an encoding, UTF-8 is passed through as it is, and
        // checked when read: never replaced by U+FFFD.
        .encoding(encoding)
        .utf8_passthru(true)
        .strip_bom(true)
        .bom_override(true)
        .build(reader);
    let mut rest = BufReader::with_capacity(64 * 1024, LoneCrAsLf::new(decoded));
    let mut prefix = Vec::new();
    let mut start = read_to_content(&mut rest, &mut prefix, name).map_err(failed)?;
    let Some(first) = prefix[start..]
        .iter()
        .copied()
        .find(|b| !b.is_ascii_whitespace())
    else {
        return Err(InputError::invalid(format!(
            "{name} is empty: expected a header row and a row per deal, or one JSON object a \
             line"
        )));
    };
    let format = match options.format {
        Some(format) => format,
        None if first == b'{' => Format::Ndjson,
        None if first == b'[' => {
            return Err(InputError::invalid(format!(
                "{name} is a JSON array; write one JSON object a line (NDJSON), e.g. with `jq \
                 -c '.[]'`"
            )));
        }
        None => Format::Csv,
    };
    match format {
        Format::Ndjson => {
            let source = Cursor::new(prefix).chain(rest);
            NdjsonRecords::start(source, options.map.clone(), options.custom_fields.clone())
        }
        Format::Csv => {
            // Excel's `sep=;` first line says the delimiter, and is no header.
            let mut offset = 0;
            let mut delimiter = options.delimiter;
            let line = prefix[start..].trim_ascii();
            if line.len() == 5 && line[..4].eq_ignore_ascii_case(b"sep=") {
                delimiter = delimiter.or(Some(line[4]));
                offset = prefix.iter().filter(|b| **b == b'\n').count() as u64;
                prefix.clear();
                start = read_to_content(&mut rest, &mut prefix, name).map_err(failed)?;
            }
            // A quoted header may go on over more lines.
            while prefix[start..].iter().filter(|b| **b == b'"').count() % 2 == 1 {
                let (read, cut) = read_line(&mut rest, &mut prefix, false).map_err(failed)?;
                if cut || prefix.len() > MAX_LINE {
                    return Err(InputError::invalid(format!(
                        "the header row of {name} has a \" that is never closed"
                    )));
                }
                if read == 0 {
                    break;
                }
            }
            let delimiter = delimiter.unwrap_or_else(|| detect_delimiter(&prefix[start..]));
            let source = Cursor::new(prefix).chain(rest);
            CsvRecords::start(source, delimiter, offset + 1, options)
        }
    }
}

/// Line ends as old Mac software writes them (a CR alone, Excel's "CSV
/// (Macintosh)") read as LF; CRLF and LF are left alone. Done once, on the
/// decoded text both passes read: the first pass checks the lines the second
/// one imports, and every record starts on a line of its own.
pub struct LoneCrAsLf<R> {
    inner: R,
    buffer: Vec<u8>,
    at: usize,
    /// A CR ended the last chunk: whether it is alone is known next read.
    held_cr: bool,
}

impl<R> LoneCrAsLf<R> {
    pub fn new(inner: R) -> Self {
        Self {
            inner,
            buffer: Vec::with_capacity(64 * 1024),
            at: 0,
            held_cr: false,
        }
    }
}

impl<R: Read> Read for LoneCrAsLf<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.at == self.buffer.len() {
            self.buffer.clear();
            self.at = 0;
            if std::mem::take(&mut self.held_cr) {
                self.buffer.push(b'\r');
            }
            let start = self.buffer.len();
            self.buffer.resize(start + 64 * 1024, 0);
            let read = match self.inner.read(&mut self.buffer[start..]) {
                Ok(read) => read,
                Err(e) => {
                    self.held_cr = start > 0;
                    self.buffer.clear();
                    return Err(e);
                }
            };
            self.buffer.truncate(start + read);
            if read > 0 && self.buffer.last() == Some(&b'\r') {
                self.buffer.pop();
                self.held_cr = true;
            }
            // Only at the end of the input can a CR be last: then alone.
            let len = self.buffer.len();
            for i in 0..len {
                if self.buffer[i] == b'\r' && (i + 1 == len || self.buffer[i + 1] != b'\n') {
                    self.buffer[i] = b'\n';
                }
            }
            if read == 0 && self.buffer.is_empty() {
                return Ok(0);
            }
        }
        let n = out.len().min(self.buffer.len() - self.at);
        out[..n].copy_from_slice(&self.buffer[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// Reads lines into `prefix` up to and with the first that is not blank;
/// where that line starts (`prefix.len()` when there is none).
fn read_to_content(rest: &mut Decoded, prefix: &mut Vec<u8>, name: &str) -> io::Result<usize> {
    loop {
        let start = prefix.len();
        let (read, cut) = read_line(rest, prefix, false)?;
        if cut {
            return Err(io::Error::other(format!(
                "its first line is longer than 1 MiB: is {name} a CSV or NDJSON file?"
            )));
        }
        if read == 0 || !prefix[start..].trim_ascii().is_empty() {
            return Ok(start);
        }
        if prefix.len() > MAX_LINE {
            return Err(io::Error::other(format!(
                "{name} starts with more than 1 MiB of blank lines"
            )));
        }
    }
}

/// Of `;`, `,` and tab, the one that splits `header` (outside quotes) into
/// the most columns; `;` on a tie with `,`, `,` when there is none.
fn detect_delimiter(header: &[u8]) -> u8 {
    let mut counts = [(b';', 0usize), (b',', 0), (b'\t', 0)];
    let mut quoted = false;
    for byte in header {
        if *byte == b'"' {
            quoted = !quoted;
        } else if !quoted && let Some(count) = counts.iter_mut().find(|(d, _)| d == byte) {
            count.1 += 1;
        }
    }
    counts
        .iter()
        .fold((b',', 0), |best, &(delimiter, count)| {
            if count > best.1 {
                (delimiter, count)
            } else {
                best
            }
        })
        .0
}

/// What a header of the file holds.
#[derive(Clone, Debug, PartialEq)]
enum Slot {
    Column(Column),
    /// Left out: by `--map HEADER=-`, or not known (listed in the mapping).
    Skip,
    /// A column without a header: Excel's trailing `;`. Its cells must be
    /// empty.
    Unnamed,
}

/// Headers as shops write them, in Portuguese and English, and the column
/// each holds; compared as [`header_key`] writes them (case, accents and
/// punctuation aside: `E-mail`, `e_mail` and `EMAIL ` are `e mail`… and
/// `email`). `nome`/`nome completo` is not here: see [`plan`].
pub const HEADER_WORDS: &[(&str, Column)] = &[
    // The deal's own name: an order, a title, an opportunity.
    ("pedido", Column::Name),
    ("n pedido", Column::Name),
    ("no pedido", Column::Name),
    ("n do pedido", Column::Name),
    ("no do pedido", Column::Name),
    ("numero do pedido", Column::Name),
    ("pedido n", Column::Name),
    ("nome do negocio", Column::Name),
    ("negocio", Column::Name),
    ("titulo", Column::Name),
    ("titulo do negocio", Column::Name),
    ("oportunidade", Column::Name),
    ("nome da oportunidade", Column::Name),
    ("deal", Column::Name),
    ("deal name", Column::Name),
    ("title", Column::Name),
    ("order", Column::Name),
    ("order id", Column::Name),
    ("valor", Column::Value),
    ("valor r", Column::Value),
    ("valor rs", Column::Value),
    ("valor total", Column::Value),
    ("valor do pedido", Column::Value),
    ("valor do negocio", Column::Value),
    ("preco", Column::Value),
    ("preco r", Column::Value),
    ("total", Column::Value),
    ("amount", Column::Value),
    ("price", Column::Value),
    ("deal value", Column::Value),
    ("situacao", Column::Status),
    ("status do negocio", Column::Status),
    ("funil", Column::Pipeline),
    ("funil de vendas", Column::Pipeline),
    ("id do funil", Column::PipelineId),
    ("etapa", Column::Stage),
    ("etapa do funil", Column::Stage),
    ("fase", Column::Stage),
    ("estagio", Column::Stage),
    ("id da etapa", Column::StageId),
    ("telefone", Column::ContactPhone),
    ("telefone do cliente", Column::ContactPhone),
    ("celular", Column::ContactPhone),
    ("celular do cliente", Column::ContactPhone),
    ("whatsapp", Column::ContactPhone),
    ("whats", Column::ContactPhone),
    ("fone", Column::ContactPhone),
    ("tel", Column::ContactPhone),
    ("phone", Column::ContactPhone),
    ("phone number", Column::ContactPhone),
    ("mobile", Column::ContactPhone),
    ("e mail", Column::ContactEmail),
    ("email", Column::ContactEmail),
    ("e mail do cliente", Column::ContactEmail),
    ("email do cliente", Column::ContactEmail),
    ("id do contato", Column::ContactId),
    ("id do cliente", Column::ContactId),
    ("contact id", Column::ContactId),
    ("cliente", Column::ContactName),
    ("nome do cliente", Column::ContactName),
    ("contato", Column::ContactName),
    ("nome do contato", Column::ContactName),
    ("customer", Column::ContactName),
    ("customer name", Column::ContactName),
    ("contact", Column::ContactName),
    ("data", Column::DueDate),
    ("vencimento", Column::DueDate),
    ("data de vencimento", Column::DueDate),
    ("prazo", Column::DueDate),
    ("data prevista", Column::DueDate),
    ("previsao de fechamento", Column::DueDate),
    ("date", Column::DueDate),
    ("due", Column::DueDate),
    ("origem", Column::Origin),
    ("origem do lead", Column::Origin),
    ("source", Column::Origin),
    ("lead source", Column::Origin),
    ("campanha", Column::Campaign),
    ("campaign", Column::Campaign),
    ("etiqueta", Column::Tags),
    ("etiquetas", Column::Tags),
    ("tag", Column::Tags),
    ("tags", Column::Tags),
];

/// Headers that name a person: the customer's name when another column is
/// the deal's (see [`plan`]).
const PERSON_NAME: &[&str] = &["nome", "nome completo", "full name"];

/// A header as [`HEADER_WORDS`] are written: lower case without accents,
/// each run of anything but letters and digits one space (`E-mail` is `e
/// mail`, `Valor (R$)` is `valor r`, `Nº do pedido` is `no do pedido`).
fn header_key(header: &str) -> String {
    let folded = fold(header).replace('º', "o").replace('ª', "a");
    folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// What a header was read as, and why: [`Records::mapping`], shown before
/// anything is sent (`kinbox deals import` prints it on stderr).
#[derive(Clone, Debug, PartialEq)]
pub struct Mapped {
    pub header: String,
    /// The column read, or `None` when the header is left out.
    pub column: Option<Column>,
    pub why: Why,
}

/// Why a header was read as its [`Mapped::column`].
#[derive(Clone, Debug, PartialEq)]
pub enum Why {
    /// It is the column's own name (`value`, `cf.cpf`).
    OwnName,
    /// `--map` (or a `--mapping` file) said so.
    Mapped,
    /// It is the name or placeholder of a deal custom field.
    CustomField,
    /// A header as shops write it ([`HEADER_WORDS`]).
    Recognised,
    /// `Nome` beside the named column that is the deal's name: the
    /// customer's name.
    PersonBesideDealName(String),
    /// Left out by `--map HEADER=-`.
    LeftOut,
    /// Left out: the column named holds the same.
    Repeats(String),
    /// Left out: a person's name, but the deal's and the contact's names
    /// both have a column.
    PersonNameTaken,
    /// Left out: not a known header; the column it may be, if any.
    Unknown(Option<String>),
    /// No header, and no values.
    Unnamed,
}

impl fmt::Display for Mapped {
    /// `Telefone → contact_phone`, `Obs → not imported: not a known column
    /// (--map 'Obs=COLUMN' reads it)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let header = &self.header;
        if let Some(column) = &self.column {
            write!(f, "{header} → {column}")?;
            return match &self.why {
                Why::CustomField => write!(f, " (the custom field)"),
                Why::PersonBesideDealName(deal) => write!(
                    f,
                    " (the customer: \"{deal}\" is the deal's name; --map '{header}=name' if not)"
                ),
                Why::Mapped => write!(f, " (as mapped)"),
                _ => Ok(()),
            };
        }
        write!(f, "{header} → not imported: ")?;
        let how = shell_quote(&format!("{header}=COLUMN"));
        match &self.why {
            Why::LeftOut => write!(f, "left out by --map"),
            Why::Repeats(first) => write!(
                f,
                "\"{first}\" holds the same (--map {} reads this one instead)",
                shell_quote(&format!("{first}=-"))
            ),
            Why::PersonNameTaken => write!(
                f,
                "the deal's and the contact's names have columns already (--map {how})"
            ),
            Why::Unknown(Some(near)) => write!(
                f,
                "not a known column (did you mean {near}? --map {})",
                shell_quote(&format!("{header}={near}"))
            ),
            Why::Unknown(None) => write!(f, "not a known column (--map {how} reads it)"),
            Why::Unnamed => write!(f, "no header"),
            _ => Ok(()),
        }
    }
}

/// What `header` holds, by `--map` first, then by its own name, a custom
/// field's name or placeholder, and the headers shops write; `None` when it
/// is none of these (or `Nome`, decided in [`plan`]).
fn slot(header: &str, map: &[MapEntry], custom_fields: &[CustomFieldName]) -> Option<Mapped> {
    let mapped = |column: Option<Column>, why| {
        Some(Mapped {
            header: header.to_owned(),
            column,
            why,
        })
    };
    let folded = fold(header);
    if let Some(entry) = map.iter().find(|entry| fold(&entry.header) == folded) {
        return match &entry.target {
            Some(column) => mapped(Some(column.clone()), Why::Mapped),
            None => mapped(None, Why::LeftOut),
        };
    }
    if folded.is_empty() {
        return mapped(None, Why::Unnamed);
    }
    if let Some(column) = Column::parse(header) {
        return mapped(Some(column), Why::OwnName);
    }
    // The workspace's own words before the generic ones: a shop that made
    // a custom field "Origem do lead" means it, not the deal's origin.
    let key = header_key(header);
    if let Some(field) = custom_fields
        .iter()
        .find(|field| header_key(&field.name) == key || header_key(&field.placeholder) == key)
    {
        let column = Column::CustomField(field.placeholder.clone());
        return mapped(Some(column), Why::CustomField);
    }
    HEADER_WORDS
        .iter()
        .find(|(words, _)| *words == key)
        .and_then(|(_, column)| mapped(Some(column.clone()), Why::Recognised))
}

/// The slot of each header and what it was read as; an error for a
/// `--map` that names no header, a column given twice by its own name or
/// by `--map`, and (`known_only`, NDJSON) a key that is not known.
///
/// `Nome` (a person's name) is the hard one: in a shop's export
/// (`Pedido;Nome;Telefone;…`) it is the customer, and the order is the
/// deal; in a list of leads (`Nome;Telefone;Valor`) it is all there is to
/// name the deal by. So it is the contact's name when another column is
/// the deal's name, and the deal's name otherwise; left out (and listed)
/// when both names have columns already.
fn plan(
    headers: &[String],
    map: &[MapEntry],
    custom_fields: &[CustomFieldName],
    known_only: bool,
) -> Result<(Vec<Slot>, Vec<Mapped>), String> {
    for (i, entry) in map.iter().enumerate() {
        if map[..i]
            .iter()
            .any(|earlier| fold(&earlier.header) == fold(&entry.header))
        {
            return Err(format!("--map names the header \"{}\" twice", entry.header));
        }
        if !known_only && !headers.iter().any(|h| fold(h) == fold(&entry.header)) {
            return Err(format!(
                "--map '{}={}': there is no column \"{}\"; the headers are {}",
                entry.header,
                entry
                    .target
                    .as_ref()
                    .map_or_else(|| "-".to_owned(), Column::to_string),
                entry.header,
                quoted_list(headers.iter().map(String::as_str))
            ));
        }
    }
    let found: Vec<Option<Mapped>> = headers
        .iter()
        .map(|h| slot(h, map, custom_fields))
        .collect();
    let person = |header: &str| PERSON_NAME.contains(&header_key(header).as_str());
    let unknown: Vec<&str> = headers
        .iter()
        .zip(&found)
        .filter(|(header, found)| found.is_none() && !person(header))
        .map(|(header, _)| header.as_str())
        .collect();
    if known_only && !unknown.is_empty() {
        return Err(unknown_columns(&unknown));
    }
    let has = |column: &Column| {
        found
            .iter()
            .flatten()
            .find(|mapped| mapped.column.as_ref() == Some(column))
    };
    let deal_name = has(&Column::Name).map(|m| m.header.clone());
    let contact_name = has(&Column::ContactName).is_some();
    let mut mapping: Vec<Mapped> = Vec::with_capacity(headers.len());
    for (header, found) in headers.iter().zip(found) {
        let mapped = match found {
            Some(mapped) => mapped,
            None => {
                let (column, why) = if !person(header) {
                    let near = guess(header).map(|c| c.to_string()).or_else(|| {
                        let names = NAMED.iter().filter_map(Column::fixed);
                        closest(header, names).first().map(|c| (*c).to_owned())
                    });
                    (None, Why::Unknown(near))
                } else if let Some(deal) = &deal_name {
                    match contact_name {
                        false => (
                            Some(Column::ContactName),
                            Why::PersonBesideDealName(deal.clone()),
                        ),
                        true => (None, Why::PersonNameTaken),
                    }
                } else {
                    (Some(Column::Name), Why::Recognised)
                };
                Mapped {
                    header: header.clone(),
                    column,
                    why,
                }
            }
        };
        mapping.push(mapped);
    }
    // A column twice: an error when both were named as it (by their own
    // name, or --map), else the later one is left out and listed.
    for i in 0..mapping.len() {
        let Some(column) = mapping[i].column.clone() else {
            continue;
        };
        let Some(earlier) = mapping[..i]
            .iter()
            .position(|m| m.column.as_ref().is_some_and(|c| c.same_as(&column)))
        else {
            continue;
        };
        let named = |m: &Mapped| matches!(m.why, Why::OwnName | Why::Mapped);
        if named(&mapping[earlier]) && named(&mapping[i]) {
            let first = mapping[earlier].column.clone().unwrap_or(column);
            return Err(format!(
                "the columns \"{}\" and \"{}\" are both {first}; leave one out, e.g. with --map \
                 {}",
                headers[earlier],
                headers[i],
                shell_quote(&format!("{}=-", headers[i]))
            ));
        }
        // The one named by its own name or --map wins over a recognised
        // one; else the first.
        let (keep, drop) = match named(&mapping[i]) {
            true => (i, earlier),
            false => (earlier, i),
        };
        mapping[drop].column = None;
        mapping[drop].why = Why::Repeats(mapping[keep].header.clone());
    }
    let slots = mapping
        .iter()
        .map(|mapped| match (&mapped.column, &mapped.why) {
            (Some(column), _) => Slot::Column(column.clone()),
            (None, Why::Unnamed) => Slot::Unnamed,
            (None, _) => Slot::Skip,
        })
        .collect();
    Ok((slots, mapping))
}

/// Why `unknown` headers stop the import, and the `--map` flags that would
/// name them (with the column guessed from Portuguese where it can be).
fn unknown_columns(unknown: &[&str]) -> String {
    let names = || NAMED.iter().filter_map(Column::fixed);
    let described: Vec<String> = unknown
        .iter()
        .map(|header| {
            let near = closest(header, names());
            if near.is_empty() {
                format!("\"{header}\"")
            } else {
                format!("\"{header}\" (did you mean {}?)", near.join(" or "))
            }
        })
        .collect();
    let flags: Vec<String> = unknown
        .iter()
        .map(|header| {
            let column = closest(header, names())
                .first()
                .map(|c| (*c).to_owned())
                .or_else(|| guess(header).map(|c| c.to_string()))
                .unwrap_or_else(|| "COLUMN".to_owned());
            format!("--map {}", shell_quote(&format!("{header}={column}")))
        })
        .collect();
    let (these, are) = if unknown.len() == 1 {
        ("the column", "is")
    } else {
        ("the columns", "are")
    };
    format!(
        "{these} {} {are} not known; the columns are {}. Name each with --map HEADER=COLUMN, or \
         leave it out with --map HEADER=-, e.g. {}",
        described.join(", "),
        known_columns(),
        flags.join(" ")
    )
}

/// The column a Portuguese header most likely holds, for the `--map`
/// suggested.
fn guess(header: &str) -> Option<Column> {
    let folded = fold(header);
    let has = |words: &[&str]| words.iter().any(|w| folded.contains(w));
    Some(if has(&["telefone", "celular", "whatsapp", "fone"]) {
        Column::ContactPhone
    } else if has(&["e-mail", "email"]) {
        Column::ContactEmail
    } else if has(&["cliente", "contato"]) {
        Column::ContactName
    } else if has(&["valor", "preco"]) {
        Column::Value
    } else if has(&["etapa", "fase"]) {
        Column::Stage
    } else if has(&["funil"]) {
        Column::Pipeline
    } else if has(&["situacao"]) {
        Column::Status
    } else if has(&["vencimento", "prazo"]) {
        Column::DueDate
    } else if has(&["origem"]) {
        Column::Origin
    } else if has(&["campanha"]) {
        Column::Campaign
    } else if has(&["etiqueta", "tag"]) {
        Column::Tags
    } else if has(&["nome", "titulo", "negocio"]) {
        Column::Name
    } else {
        return None;
    })
}

fn quoted_list<'a>(items: impl Iterator<Item = &'a str>) -> String {
    items
        .map(|item| format!("\"{item}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `text` as one shell word: in single quotes, or double quotes when it has
/// a single quote.
fn shell_quote(text: &str) -> String {
    if text.contains('\'') {
        let mut quoted = String::from("\"");
        for c in text.chars() {
            if matches!(c, '"' | '\\' | '$' | '`') {
                quoted.push('\\');
            }
            quoted.push(c);
        }
        quoted.push('"');
        quoted
    } else {
        format!("'{text}'")
    }
}

/// The records of a file, one at a time: see [`open`].
pub struct Records {
    kind: Kind,
    columns: Vec<Column>,
    mapping: Vec<Mapped>,
    format: Format,
}

enum Kind {
    Csv(Box<CsvRecords>),
    Ndjson(Box<NdjsonRecords>),
}

impl Records {
    /// The columns of the header row (of the first object, for NDJSON), in
    /// order, without those left out: what
    /// [`crate::row::RowContext::check_columns`] checks before any
    /// row is read.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    pub fn format(&self) -> Format {
        self.format
    }

    /// What each header (each key of the first NDJSON object) is read as,
    /// and why, in the file's order: the left out ones too.
    pub fn mapping(&self) -> &[Mapped] {
        &self.mapping
    }

    /// The delimiter of a CSV file.
    pub fn delimiter(&self) -> Option<u8> {
        match &self.kind {
            Kind::Csv(csv) => Some(csv.delimiter),
            Kind::Ndjson(_) => None,
        }
    }
}

impl Iterator for Records {
    type Item = Result<Record, RecordError>;

    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.kind {
            Kind::Csv(csv) => csv.next(),
            Kind::Ndjson(ndjson) => ndjson.next(),
        }
    }
}

/// A CSV file read with `csv_core`, whose input this code hands over: so the
/// line a record starts on is counted here, exactly (the `csv` crate's
/// `Position::line()` misses line breaks inside quoted values and lags after
/// CRLF).
struct CsvRecords {
    core: csv_core::Reader,
    source: Source,
    slots: Vec<Slot>,
    delimiter: u8,
    /// The line being read: 1 and the line breaks consumed so far.
    line: u64,
    /// Where the record that was too long starts.
    record_start: u64,
    /// The values of the record read, one after the other, and where each
    /// ends.
    values: Vec<u8>,
    ends: Vec<usize>,
    done: bool,
}

/// Why reading stops at a record of more than [`MAX_LINE`] bytes.
const TOO_LONG: &str = "this record goes on for more than 1 MiB, so a value that starts with \" \
     probably lacks its closing \"; nothing after it is read";

/// A record read: the line it starts on, and how many values it has.
type RawRecord = (u64, usize);

impl CsvRecords {
    fn start(
        source: Source,
        delimiter: u8,
        first_line: u64,
        options: &ReadOptions,
    ) -> Result<Records, InputError> {
        let mut csv = CsvRecords {
            core: csv_core::ReaderBuilder::new().delimiter(delimiter).build(),
            source,
            slots: Vec::new(),
            delimiter,
            line: first_line,
            record_start: first_line,
            values: vec![0; 4096],
            ends: vec![0; 64],
            done: false,
        };
        let (line, count) = csv
            .read_raw()
            .map_err(|error| {
                InputError::unreadable(format!("cannot read the header row: {error}"))
            })?
            .ok_or_else(|| InputError::invalid("the file has no header row".to_owned()))?;
        let headers = (0..count)
            .map(|i| csv.value(i).map(|text| text.trim().to_owned()))
            .collect::<Result<Vec<String>, _>>()
            .map_err(|_| {
                InputError::invalid(format!("the header row (line {line}): {NOT_UTF8}"))
            })?;
        let (slots, mapping) = plan(&headers, &options.map, &options.custom_fields, false)
            .map_err(InputError::invalid)?;
        csv.slots = slots;
        let columns = csv
            .slots
            .iter()
            .filter_map(|slot| match slot {
                Slot::Column(column) => Some(column.clone()),
                _ => None,
            })
            .collect();
        Ok(Records {
            kind: Kind::Csv(Box::new(csv)),
            columns,
            mapping,
            format: Format::Csv,
        })
    }

    /// Reads the next record; `None` at the end of the file. Empty lines
    /// are skipped.
    fn read_raw(&mut self) -> io::Result<Option<RawRecord>> {
        let (mut written, mut ended) = (0, 0);
        let mut start = None;
        loop {
            let input = self.source.fill_buf()?;
            let (result, read, wrote, ends) =
                self.core
                    .read_record(input, &mut self.values[written..], &mut self.ends[ended..]);
            for byte in &input[..read] {
                if start.is_none() && !matches!(byte, b'\r' | b'\n') {
                    start = Some(self.line);
                }
                self.line += u64::from(*byte == b'\n');
            }
            self.source.consume(read);
            written += wrote;
            ended += ends;
            match result {
                csv_core::ReadRecordResult::InputEmpty => {}
                csv_core::ReadRecordResult::OutputFull => {
                    let len = self.values.len();
                    if len >= MAX_LINE {
                        self.record_start = start.unwrap_or(self.line);
                        return Err(io::Error::new(io::ErrorKind::InvalidData, TOO_LONG));
                    }
                    self.values.resize(len * 2, 0);
                }
                csv_core::ReadRecordResult::OutputEndsFull => {
                    let len = self.ends.len();
                    self.ends.resize(len * 2, 0);
                }
                csv_core::ReadRecordResult::Record => {
                    return Ok(Some((start.unwrap_or(self.line), ended)));
                }
                csv_core::ReadRecordResult::End => return Ok(None),
            }
        }
    }

    /// The `index`th value of the record read, if it is UTF-8.
    fn value(&self, index: usize) -> Result<&str, std::str::Utf8Error> {
        let start = index.checked_sub(1).map_or(0, |i| self.ends[i]);
        std::str::from_utf8(&self.values[start..self.ends[index]])
    }

    fn next(&mut self) -> Option<Result<Record, RecordError>> {
        while !self.done {
            match self.read_raw() {
                Ok(None) => self.done = true,
                Ok(Some((line, count))) => match self.fields(count) {
                    Ok(fields) if fields.is_empty() => {}
                    Ok(fields) => return Some(Ok(Record { line, fields })),
                    Err(message) => return Some(Err(RecordError { line, message })),
                },
                Err(error) => {
                    // Reading further would fail the same way, or not know
                    // where a record starts.
                    self.done = true;
                    return Some(Err(if error.kind() == io::ErrorKind::InvalidData {
                        RecordError {
                            line: self.record_start,
                            message: error.to_string(),
                        }
                    } else {
                        RecordError {
                            line: self.line,
                            message: format!("cannot read the file: {error}"),
                        }
                    }));
                }
            }
        }
        None
    }

    /// The non-empty values of the record read, by column; none for a record
    /// of empty cells (`;;;`, as spreadsheets end their files).
    fn fields(&self, count: usize) -> Result<Vec<(Column, String)>, String> {
        let mut fields = Vec::new();
        let mut blank = true;
        for (index, slot) in self.slots.iter().enumerate().take(count) {
            let text = self.value(index).map_err(|_| NOT_UTF8.to_owned())?.trim();
            if text.is_empty() {
                continue;
            }
            blank = false;
            match slot {
                Slot::Column(column) => fields.push((column.clone(), text.to_owned())),
                Slot::Skip => {}
                Slot::Unnamed => {
                    return Err(format!(
                        "column {} has a value, \"{}\", but no header; name it in the header row",
                        index + 1,
                        kinbox_api::server_text::escape_controls(text)
                    ));
                }
            }
        }
        let all_blank = blank
            && (self.slots.len()..count).all(|i| self.value(i).is_ok_and(|v| v.trim().is_empty()));
        if count != self.slots.len() && !all_blank {
            return Err(format!(
                "{count} values where the header has {}; a value that holds the delimiter or a \
                 line break must be in double quotes",
                self.slots.len()
            ));
        }
        Ok(fields)
    }
}

type JsonObject = serde_json::Map<String, Value>;

struct NdjsonRecords {
    source: Source,
    map: Vec<MapEntry>,
    custom_fields: Vec<CustomFieldName>,
    /// The line last read.
    line: u64,
    buffer: Vec<u8>,
    /// The first record, read to find the columns.
    pending: Option<Result<Record, RecordError>>,
    done: bool,
}

impl NdjsonRecords {
    fn start(
        source: Source,
        map: Vec<MapEntry>,
        custom_fields: Vec<CustomFieldName>,
    ) -> Result<Records, InputError> {
        let mut records = NdjsonRecords {
            source,
            map,
            custom_fields,
            line: 0,
            buffer: Vec::new(),
            pending: None,
            done: false,
        };
        let (mut columns, mut mapping) = (Vec::new(), Vec::new());
        if let Some((line, object)) = records.next_object() {
            records.pending = Some(match object {
                Ok(object) => {
                    let keys: Vec<String> = object.keys().cloned().collect();
                    let (slots, mapped) = plan(&keys, &records.map, &records.custom_fields, true)
                        .map_err(InputError::invalid)?;
                    mapping = mapped;
                    columns = slots
                        .into_iter()
                        .filter_map(|slot| match slot {
                            Slot::Column(column) => Some(column),
                            _ => None,
                        })
                        .collect();
                    records.record(line, &object)
                }
                Err(message) => Err(RecordError { line, message }),
            });
        }
        Ok(Records {
            kind: Kind::Ndjson(Box::new(records)),
            columns,
            mapping,
            format: Format::Ndjson,
        })
    }

    /// The next line that is not blank, read as a JSON object.
    fn next_object(&mut self) -> Option<(u64, Result<JsonObject, String>)> {
        while !self.done {
            self.buffer.clear();
            match read_line(&mut self.source, &mut self.buffer, true) {
                Ok((0, _)) => self.done = true,
                Ok((_, true)) => {
                    self.line += 1;
                    return Some((
                        self.line,
                        Err(
                            "longer than 1 MiB, which no deal needs: is it one JSON object?"
                                .to_owned(),
                        ),
                    ));
                }
                Ok((_, false)) => {
                    self.line += 1;
                    let line = self.buffer.trim_ascii();
                    if line.is_empty() {
                        continue;
                    }
                    let object = match std::str::from_utf8(line) {
                        Err(_) => Err(NOT_UTF8.to_owned()),
                        Ok(text) => match serde_json::from_str::<Value>(text) {
                            Ok(Value::Object(object)) => Ok(object),
                            Ok(_) => Err("expected a JSON object, e.g. {\"name\": \"Pedido \
                                          1042\", \"value\": \"1.890,50\"}"
                                .to_owned()),
                            Err(error) => Err(format!("not JSON: {error}")),
                        },
                    };
                    return Some((self.line, object));
                }
                Err(error) => {
                    self.done = true;
                    return Some((self.line + 1, Err(format!("cannot read the file: {error}"))));
                }
            }
        }
        None
    }

    fn record(&self, line: u64, object: &JsonObject) -> Result<Record, RecordError> {
        let keys: Vec<String> = object.keys().cloned().collect();
        let (slots, _) = plan(&keys, &self.map, &self.custom_fields, true)
            .map_err(|message| RecordError { line, message })?;
        let fields = slots
            .into_iter()
            .zip(object.values())
            .filter_map(|(slot, value)| match slot {
                Slot::Column(column) => Some((column, json_text(value)?)),
                Slot::Skip | Slot::Unnamed => None,
            })
            .filter(|(_, text)| !text.is_empty())
            .collect();
        Ok(Record { line, fields })
    }

    fn next(&mut self) -> Option<Result<Record, RecordError>> {
        if let Some(pending) = self.pending.take() {
            return Some(pending);
        }
        let (line, object) = self.next_object()?;
        Some(match object {
            Ok(object) => self.record(line, &object),
            Err(message) => Err(RecordError { line, message }),
        })
    }
}

/// A JSON value as the text a cell would hold: numbers as JSON writes them,
/// an array of plain values joined by `,` (`"tag_ids": [12, 15]`), any other
/// array or object as JSON (for a json custom field); `null` is no value.
fn json_text(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(text) => Some(text.trim().to_owned()),
        Value::Bool(yes) => Some(yes.to_string()),
        Value::Number(number) => Some(number_text(number)),
        Value::Array(items) if items.iter().all(|i| !i.is_array() && !i.is_object()) => Some(
            items
                .iter()
                .filter_map(json_text)
                .filter(|text| !text.is_empty())
                .collect::<Vec<_>>()
                .join(","),
        ),
        other => Some(other.to_string()),
    }
}

/// A JSON number as text the money and number readers take as it is: JSON's
/// `1.234` is never 1234, but the text `1.234` is refused as ambiguous
/// ([`crate::number::read_number`]), so it is written `1.2340`.
fn number_text(number: &serde_json::Number) -> String {
    let text = number.to_string();
    match text.trim_start_matches('-').split_once('.') {
        Some((integer, fraction))
            if (1..=3).contains(&integer.len())
                && fraction.len() == 3
                && fraction.bytes().all(|b| b.is_ascii_digit()) =>
        {
            format!("{text}0")
        }
        _ => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options() -> ReadOptions {
        ReadOptions::default()
    }

    fn read(bytes: &[u8], options: &ReadOptions) -> Result<Records, String> {
        from_reader(Cursor::new(bytes.to_vec()), "test.csv", options).map_err(|e| e.to_string())
    }

    fn all(bytes: &[u8], options: &ReadOptions) -> Vec<Result<Record, RecordError>> {
        read(bytes, options).unwrap().collect()
    }

    fn record(line: u64, fields: &[(Column, &str)]) -> Result<Record, RecordError> {
        Ok(Record {
            line,
            fields: fields
                .iter()
                .map(|(c, v)| (c.clone(), (*v).to_owned()))
                .collect(),
        })
    }

    fn latin1() -> ReadOptions {
        ReadOptions {
            encoding: Some(parse_encoding("latin1").unwrap()),
            ..options()
        }
    }

    #[test]
    fn a_semicolon_latin1_file_as_excel_saves_it_in_brazil() {
        // "Ação" and "Negociação" in Windows-1252, a quoted value with a line
        // break and a `;`, CRLF line ends and trailing empty lines.
        let mut file = Vec::new();
        file.extend_from_slice(b"Name;Value;Pipeline;Stage;Contact_Phone\r\n");
        file.extend_from_slice(b"A\xe7\xe3o de ver\xe3o;R$ 1.890,50;Vendas;Negocia\xe7\xe3o;");
        file.extend_from_slice(b"(85) 99728-1648\r\n");
        file.extend_from_slice(b"\"Pedido\r\n1042; urgente\";12,50;Vendas;;85997281648\r\n");
        file.extend_from_slice(b";;;;\r\n\r\n\r\n");
        let records = read(&file, &latin1()).unwrap();
        assert_eq!(records.delimiter(), Some(b';'));
        assert_eq!(
            records.columns(),
            [
                Column::Name,
                Column::Value,
                Column::Pipeline,
                Column::Stage,
                Column::ContactPhone
            ]
        );
        let rows: Vec<_> = records.collect();
        assert_eq!(
            rows,
            [
                record(
                    2,
                    &[
                        (Column::Name, "Ação de verão"),
                        (Column::Value, "R$ 1.890,50"),
                        (Column::Pipeline, "Vendas"),
                        (Column::Stage, "Negociação"),
                        (Column::ContactPhone, "(85) 99728-1648"),
                    ]
                ),
                record(
                    3,
                    &[
                        (Column::Name, "Pedido\r\n1042; urgente"),
                        (Column::Value, "12,50"),
                        (Column::Pipeline, "Vendas"),
                        (Column::ContactPhone, "85997281648"),
                    ]
                ),
            ]
        );
    }

    #[test]
    fn latin1_read_as_utf8_says_to_give_the_encoding() {
        let file = b"name;value\nA\xe7\xe3o;10\nOk;20\n";
        let rows = all(file, &options());
        assert_eq!(
            rows[0],
            Err(RecordError {
                line: 2,
                message: NOT_UTF8.to_owned()
            })
        );
        assert_eq!(
            rows[0].as_ref().unwrap_err().to_string(),
            "line 2: the text is not UTF-8; the file may be in Latin-1 (Windows-1252), as Excel \
             saves CSV files in Brazil: read it with --encoding latin1"
        );
        // The next record is read all the same.
        assert_eq!(
            rows[1],
            record(3, &[(Column::Name, "Ok"), (Column::Value, "20")])
        );
        let error = read(b"nome;valor\xe7\n", &options()).err().unwrap();
        assert_eq!(
            error,
            format!("the header row (line 1): {NOT_UTF8}"),
            "a header that is not UTF-8"
        );
    }

    #[test]
    fn a_utf8_bom_is_not_part_of_the_first_header() {
        let rows = all(
            "\u{feff}name,value\nAção,\"1.890,50\"\n".as_bytes(),
            &options(),
        );
        assert_eq!(
            rows,
            [record(
                2,
                &[(Column::Name, "Ação"), (Column::Value, "1.890,50")]
            )]
        );
        // A UTF-8 BOM wins over the encoding given.
        let rows = all("\u{feff}name;value\nAção;1\n".as_bytes(), &latin1());
        assert_eq!(rows[0].as_ref().unwrap().fields[0].1, "Ação");
    }

    #[test]
    fn a_utf16_file_with_its_bom_is_read() {
        let mut file = vec![0xff, 0xfe];
        for unit in "name\tvalue\r\nAção\t5\r\n".encode_utf16() {
            file.extend_from_slice(&unit.to_le_bytes());
        }
        let rows = all(&file, &options());
        assert_eq!(
            rows,
            [record(2, &[(Column::Name, "Ação"), (Column::Value, "5")])]
        );
    }

    #[test]
    fn the_delimiter_is_the_one_that_splits_the_header_most() {
        assert_eq!(detect_delimiter(b"name,value,stage"), b',');
        assert_eq!(detect_delimiter(b"name;value;stage"), b';');
        assert_eq!(detect_delimiter(b"name;\"Valor, R$\";stage"), b';');
        assert_eq!(detect_delimiter(b"name\tvalue\tstage, etapa"), b'\t');
        assert_eq!(detect_delimiter(b"name"), b',');
        let records = read(b"name,value\n\"Pedido; 1\",\"12,50\"\n", &options()).unwrap();
        assert_eq!(records.delimiter(), Some(b','));
        assert_eq!(
            records.collect::<Vec<_>>(),
            [record(
                2,
                &[(Column::Name, "Pedido; 1"), (Column::Value, "12,50")]
            )]
        );
        // Given, it is not guessed.
        let given = ReadOptions {
            delimiter: Some(b'|'),
            ..options()
        };
        let rows = all(b"name|value\nA;B|1,5\n", &given);
        assert_eq!(
            rows,
            [record(2, &[(Column::Name, "A;B"), (Column::Value, "1,5")])]
        );
    }

    #[test]
    fn excel_sep_line_gives_the_delimiter_and_counts_as_a_line() {
        let rows = all(b"sep=,\nname,value\nA;B,1\n", &options());
        assert_eq!(
            rows,
            [record(3, &[(Column::Name, "A;B"), (Column::Value, "1")])]
        );
    }

    #[test]
    fn lines_count_from_the_header_across_quoted_line_breaks_and_blank_lines() {
        let file = b"name;value\n\"a\nb\nc\";1\n\nd;2\n";
        let lines: Vec<u64> = all(file, &options())
            .into_iter()
            .map(|r| r.unwrap().line)
            .collect();
        assert_eq!(lines, [2, 6]);
    }

    #[test]
    fn lone_cr_line_ends_are_lines_of_their_own_like_lf_and_crlf() {
        // "CSV (Macintosh)" from Excel: every line ends in a CR alone.
        for file in [
            &b"name;value\ra;1\rb;2\r\rc;3\r"[..],
            b"name;value\na;1\nb;2\n\nc;3\n",
            b"name;value\r\na;1\r\nb;2\r\n\r\nc;3",
        ] {
            let lines: Vec<(u64, String)> = all(file, &options())
                .into_iter()
                .map(|r| {
                    let r = r.unwrap();
                    (r.line, r.get(&Column::Name).unwrap().to_owned())
                })
                .collect();
            assert_eq!(
                lines,
                [(2, "a".into()), (3, "b".into()), (5, "c".into())],
                "{file:?}"
            );
        }
    }

    #[test]
    fn a_cr_split_from_its_lf_between_reads_stays_one_line_end() {
        // A reader that hands out one byte at a time: every CR is the last
        // byte of a chunk.
        struct Trickle(Vec<u8>, usize);
        impl Read for Trickle {
            fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
                if self.1 == self.0.len() || out.is_empty() {
                    return Ok(0);
                }
                out[0] = self.0[self.1];
                self.1 += 1;
                Ok(1)
            }
        }
        let mut text = String::new();
        LoneCrAsLf::new(Trickle(b"a\r\nb\rc\r".to_vec(), 0))
            .read_to_string(&mut text)
            .unwrap();
        assert_eq!(text, "a\r\nb\nc\n");
    }

    #[test]
    fn a_stream_without_line_breaks_is_refused_after_its_first_mebibyte() {
        let endless = io::repeat(0).take(64 << 20);
        let error = from_reader(endless, "stdin", &options())
            .err()
            .expect("refused")
            .to_string();
        assert!(error.contains("longer than 1 MiB"), "{error}");
    }

    #[test]
    fn a_wrong_number_of_values_is_an_error_of_that_record_only() {
        let rows = all(b"name;value\na;1;x\nb;2\n", &options());
        assert_eq!(
            rows[0].as_ref().unwrap_err().to_string(),
            "line 2: 3 values where the header has 2; a value that holds the delimiter or a line \
             break must be in double quotes"
        );
        assert_eq!(
            rows[1],
            record(3, &[(Column::Name, "b"), (Column::Value, "2")])
        );
    }

    #[test]
    fn headers_match_ignoring_case_and_spaces_and_map_renames_the_others() {
        let map = ["Nome do cliente=contact_name", "Telefone=contact_phone"]
            .into_iter()
            .chain(["Valor (R$)=value", "Obs=-", "título = name"])
            .map(|text| MapEntry::parse(text).unwrap())
            .collect();
        let options = ReadOptions { map, ..options() };
        let file = "Titulo;Nome do Cliente;TELEFONE; Valor (R$) ;Obs; Pipeline ;cf.CPF\n\
                    Pedido;Ana;(85) 99728-1648;1.890,50;ligar depois;Vendas;060.715.303-54\n";
        let records = read(file.as_bytes(), &options).unwrap();
        assert_eq!(
            records.columns(),
            [
                Column::Name,
                Column::ContactName,
                Column::ContactPhone,
                Column::Value,
                Column::Pipeline,
                Column::CustomField("CPF".into())
            ]
        );
        assert_eq!(
            records.collect::<Vec<_>>(),
            [record(
                2,
                &[
                    (Column::Name, "Pedido"),
                    (Column::ContactName, "Ana"),
                    (Column::ContactPhone, "(85) 99728-1648"),
                    (Column::Value, "1.890,50"),
                    (Column::Pipeline, "Vendas"),
                    (Column::CustomField("CPF".into()), "060.715.303-54"),
                ]
            )]
        );
    }

    #[test]
    fn unknown_headers_are_left_out_and_listed_with_the_map_that_would_name_them() {
        let records = read(
            b"name;value;contact_emial;Obs;Etapa do neg\xc3\xb3cio\nA;1;2;3;4\n",
            &options(),
        )
        .unwrap();
        assert_eq!(records.columns(), [Column::Name, Column::Value]);
        let shown: Vec<String> = records.mapping().iter().map(Mapped::to_string).collect();
        assert_eq!(
            shown,
            [
                "name → name",
                "value → value",
                "contact_emial → not imported: not a known column (did you mean contact_email? \
                 --map 'contact_emial=contact_email')",
                "Obs → not imported: not a known column (--map 'Obs=COLUMN' reads it)",
                "Etapa do negócio → not imported: not a known column (did you mean stage? \
                 --map 'Etapa do negócio=stage')",
            ]
        );
        assert_eq!(
            records.collect::<Vec<_>>(),
            [record(2, &[(Column::Name, "A"), (Column::Value, "1")])]
        );
        let records = read(b"name;value;Cliente's\n", &options()).unwrap();
        assert_eq!(
            records.mapping()[2].to_string(),
            "Cliente's → not imported: not a known column (did you mean contact_name? --map \
             \"Cliente's=contact_name\")"
        );
    }

    fn shop(custom_fields: &[(&str, &str)]) -> ReadOptions {
        ReadOptions {
            custom_fields: custom_fields
                .iter()
                .map(|(name, placeholder)| CustomFieldName {
                    name: (*name).to_owned(),
                    placeholder: (*placeholder).to_owned(),
                })
                .collect(),
            ..options()
        }
    }

    #[test]
    fn a_shops_portuguese_headers_are_read_without_a_map() {
        let options = shop(&[
            ("CPF", "cpf"),
            ("Segmento", "segmento"),
            ("Cliente VIP", "vip"),
        ]);
        let file = "Pedido;Nome;Telefone;E-mail;Valor;Funil;Etapa;Data;Origem;CPF;Segmento\n\
                    #1042;Maria Oliveira;(85) 99728-1648;maria@example.com;1.890,50;Vendas;\
                    Proposta;30/06/2025;Site;060.715.303-54;Varejo\n";
        let records = read(file.as_bytes(), &options).unwrap();
        let shown: Vec<String> = records.mapping().iter().map(Mapped::to_string).collect();
        assert_eq!(
            shown,
            [
                "Pedido → name",
                "Nome → contact_name (the customer: \"Pedido\" is the deal's name; --map \
                 'Nome=name' if not)",
                "Telefone → contact_phone",
                "E-mail → contact_email",
                "Valor → value",
                "Funil → pipeline",
                "Etapa → stage",
                "Data → due_date",
                "Origem → origin",
                "CPF → cf.cpf (the custom field)",
                "Segmento → cf.segmento (the custom field)",
            ]
        );
        assert_eq!(
            records.collect::<Vec<_>>(),
            [record(
                2,
                &[
                    (Column::Name, "#1042"),
                    (Column::ContactName, "Maria Oliveira"),
                    (Column::ContactPhone, "(85) 99728-1648"),
                    (Column::ContactEmail, "maria@example.com"),
                    (Column::Value, "1.890,50"),
                    (Column::Pipeline, "Vendas"),
                    (Column::Stage, "Proposta"),
                    (Column::DueDate, "30/06/2025"),
                    (Column::Origin, "Site"),
                    (Column::CustomField("cpf".into()), "060.715.303-54"),
                    (Column::CustomField("segmento".into()), "Varejo"),
                ]
            )]
        );
    }

    #[test]
    fn headers_are_recognised_whatever_their_case_accents_and_punctuation() {
        let columns = |header: &str| {
            let records = read(
                format!("{header}\n").as_bytes(),
                &shop(&[("Cliente VIP", "vip")]),
            )
            .unwrap();
            records.columns().to_vec()
        };
        for (header, column) in [
            ("NEGÓCIO", Column::Name),
            ("Nome do negócio", Column::Name),
            ("título", Column::Name),
            ("Nº do pedido", Column::Name),
            ("Valor (R$)", Column::Value),
            ("preço", Column::Value),
            ("Value", Column::Value),
            ("Situação", Column::Status),
            ("Status", Column::Status),
            ("FUNIL", Column::Pipeline),
            ("Pipeline", Column::Pipeline),
            ("fase", Column::Stage),
            ("Stage", Column::Stage),
            ("Celular", Column::ContactPhone),
            ("WhatsApp", Column::ContactPhone),
            ("Phone", Column::ContactPhone),
            ("e_mail", Column::ContactEmail),
            ("EMAIL", Column::ContactEmail),
            ("Nome do cliente", Column::ContactName),
            ("Cliente", Column::ContactName),
            ("Vencimento", Column::DueDate),
            ("Prazo", Column::DueDate),
            ("Source", Column::Origin),
            ("Campanha", Column::Campaign),
            // A custom field by its name or its placeholder.
            ("cliente vip", Column::CustomField("vip".into())),
            ("VIP", Column::CustomField("vip".into())),
        ] {
            assert_eq!(columns(header), [column], "{header}");
        }
    }

    #[test]
    fn nome_is_the_deals_name_unless_another_column_is() {
        let mapped = |file: &[u8]| {
            let records = read(file, &options()).unwrap();
            records
                .mapping()
                .iter()
                .map(|m| (m.header.clone(), m.column.clone()))
                .collect::<Vec<_>>()
        };
        let pair = |header: &str, column: Option<Column>| (header.to_owned(), column);
        // A list of leads: the person's name is all there is to name the deal.
        assert_eq!(
            mapped(b"Nome;Telefone;Valor\n"),
            [
                pair("Nome", Some(Column::Name)),
                pair("Telefone", Some(Column::ContactPhone)),
                pair("Valor", Some(Column::Value)),
            ]
        );
        // Beside the deal's name (wherever it is), Nome is the customer.
        assert_eq!(
            mapped(b"Nome;Valor;T\xc3\xadtulo\n")[0],
            pair("Nome", Some(Column::ContactName))
        );
        // Both names have columns: Nome is left out, and said.
        let records = read(b"Nome;Pedido;Cliente\n", &options()).unwrap();
        assert_eq!(records.mapping()[0].column, None);
        assert_eq!(
            records.mapping()[0].to_string(),
            "Nome → not imported: the deal's and the contact's names have columns already \
             (--map 'Nome=COLUMN')"
        );
        // --map decides.
        let options = ReadOptions {
            map: vec![MapEntry::parse("Nome=name").unwrap()],
            ..options()
        };
        let records = read(b"Nome;Pedido\n", &options).unwrap();
        assert_eq!(records.columns(), [Column::Name]);
        assert_eq!(
            records.mapping()[1].to_string(),
            "Pedido → not imported: \"Nome\" holds the same (--map 'Nome=-' reads this one \
             instead)"
        );
    }

    #[test]
    fn a_saved_mapping_is_read_back_as_the_same_map() {
        let options = shop(&[("CPF", "cpf")]);
        let file = "Pedido;Nome;Fone;Valor (R$);Obs;CPF\n";
        let records = read(file.as_bytes(), &options).unwrap();
        let saved = mapping_file(records.mapping());
        assert!(saved.ends_with(
            "Pedido=name\nNome=contact_name\nFone=contact_phone\nValor (R$)=value\nObs=-\n\
             CPF=cf.cpf\n"
        ));
        // Edited by hand (in Notepad, with its BOM): Obs is the origin now.
        let edited = format!("\u{feff}{}", saved.replace("Obs=-", "Obs = origin"));
        let map = parse_mapping(&edited).unwrap();
        let reread = read(file.as_bytes(), &ReadOptions { map, ..options }).unwrap();
        let columns: Vec<String> = reread.columns().iter().map(Column::to_string).collect();
        assert_eq!(
            columns,
            [
                "name",
                "contact_name",
                "contact_phone",
                "value",
                "origin",
                "cf.cpf"
            ]
        );
        assert!(reread.mapping().iter().all(|m| m.why == Why::Mapped));
        let error = parse_mapping("# ok\n\nPedido=name\nValor=valor\n").unwrap_err();
        assert!(
            error.starts_with("line 4: \"valor\" is not a column"),
            "{error}"
        );
    }

    #[test]
    fn a_second_recognised_column_for_the_same_field_is_left_out_and_listed() {
        let records = read(b"Telefone;Celular;WhatsApp;value\n", &options()).unwrap();
        assert_eq!(records.columns(), [Column::ContactPhone, Column::Value]);
        assert_eq!(
            records.mapping()[1].why,
            Why::Repeats("Telefone".to_owned())
        );
        // The one named as the column wins over one recognised.
        let records = read(b"Telefone;contact_phone\n", &options()).unwrap();
        assert_eq!(records.mapping()[0].column, None);
        assert_eq!(records.mapping()[1].column, Some(Column::ContactPhone));
    }

    #[test]
    fn a_column_given_twice_is_refused() {
        let error = read(b"name;Name;value\n", &options()).err().unwrap();
        assert_eq!(
            error,
            "the columns \"name\" and \"Name\" are both name; leave one out, e.g. with --map \
             'Name=-'"
        );
        let map = vec![MapEntry::parse("Telefone=contact_phone").unwrap()];
        let options = ReadOptions { map, ..options() };
        let error = read(b"contact_phone;Telefone\n", &options).err().unwrap();
        assert!(error.contains("are both contact_phone"), "{error}");
        let error = read(b"cf.cpf;cf.CPF\n", &ReadOptions::default())
            .err()
            .unwrap();
        assert!(error.contains("are both cf.cpf"), "{error}");
    }

    #[test]
    fn a_map_that_names_no_header_is_refused() {
        let map = vec![MapEntry::parse("Fone=contact_phone").unwrap()];
        let options = ReadOptions { map, ..options() };
        let error = read(b"name;value;Telefone\n", &options).err().unwrap();
        assert_eq!(
            error,
            "--map 'Fone=contact_phone': there is no column \"Fone\"; the headers are \"name\", \
             \"value\", \"Telefone\""
        );
    }

    #[test]
    fn map_entries_are_read_from_the_flag() {
        assert_eq!(
            MapEntry::parse("Valor (R$)=value"),
            Ok(MapEntry {
                header: "Valor (R$)".into(),
                target: Some(Column::Value)
            })
        );
        assert_eq!(
            MapEntry::parse("a=b=cf.x"),
            Ok(MapEntry {
                header: "a=b".into(),
                target: Some(Column::CustomField("x".into()))
            })
        );
        assert_eq!(
            MapEntry::parse(" Obs = - ").unwrap(),
            MapEntry {
                header: "Obs".into(),
                target: None
            }
        );
        assert_eq!(
            MapEntry::parse("Fone=contact_phon").unwrap_err(),
            "\"contact_phon\" is not a column; did you mean \"contact_phone\"? the columns are \
             name, value, status, pipeline, pipeline_id, stage, stage_id, contact_phone, \
             contact_email, contact_id, contact_name, due_date, origin, campaign, tag_ids, tags \
             and cf.<placeholder> (a deal custom field), or - to leave the header out"
        );
        assert!(MapEntry::parse("Fone").is_err());
        assert!(MapEntry::parse("=name").is_err());
        assert_eq!(Column::parse(" Contact-Phone "), Some(Column::ContactPhone));
        assert_eq!(Column::parse("Due date"), Some(Column::DueDate));
        assert_eq!(Column::parse("cf."), None);
    }

    #[test]
    fn an_unnamed_column_must_be_empty() {
        let rows = all(b"name;value;\na;1;\nb;2;x\n", &options());
        assert_eq!(
            rows[0],
            record(2, &[(Column::Name, "a"), (Column::Value, "1")])
        );
        assert_eq!(
            rows[1].as_ref().unwrap_err().to_string(),
            "line 3: column 3 has a value, \"x\", but no header; name it in the header row"
        );
    }

    #[test]
    fn ndjson_by_extension_or_first_byte_with_numbers_arrays_and_lines() {
        let file = "\n{\"name\": \"Ação\", \"value\": 1890.5, \"tag_ids\": [12, 15], \"cf.ok\": true}\n\
                    \n\
                    {\"Name\": \" B \", \"value\": \"1.890,50\", \"tag_ids\": \"1, 2\", \"origin\": null}\n\
                    not json\n\
                    [1]\n\
                    {\"name\": \"C\", \"value\": 1.234, \"contact_id\": 123, \"due_date\": \"\"}\n";
        for options in [
            options(),
            ReadOptions {
                format: Some(Format::Ndjson),
                ..options()
            },
        ] {
            let records = read(file.as_bytes(), &options).unwrap();
            assert_eq!(records.format(), Format::Ndjson);
            assert_eq!(
                records.columns(),
                [
                    Column::CustomField("ok".into()),
                    Column::Name,
                    Column::TagIds,
                    Column::Value,
                ]
            );
            let rows: Vec<_> = records.collect();
            assert_eq!(rows.len(), 5);
            assert_eq!(
                rows[0],
                record(
                    2,
                    &[
                        (Column::CustomField("ok".into()), "true"),
                        (Column::Name, "Ação"),
                        (Column::TagIds, "12,15"),
                        (Column::Value, "1890.5"),
                    ]
                )
            );
            assert_eq!(
                rows[1],
                record(
                    4,
                    &[
                        (Column::Name, "B"),
                        (Column::TagIds, "1, 2"),
                        (Column::Value, "1.890,50"),
                    ]
                )
            );
            let error = rows[2].as_ref().unwrap_err();
            assert_eq!(error.line, 5);
            assert!(error.message.starts_with("not JSON: "), "{error}");
            assert_eq!(
                rows[3].as_ref().unwrap_err().to_string(),
                "line 6: expected a JSON object, e.g. {\"name\": \"Pedido 1042\", \"value\": \
                 \"1.890,50\"}"
            );
            // JSON's 1.234 is not the ambiguous text 1.234.
            assert_eq!(
                rows[4],
                record(
                    7,
                    &[
                        (Column::ContactId, "123"),
                        (Column::Name, "C"),
                        (Column::Value, "1.2340"),
                    ]
                )
            );
            assert_eq!(crate::number::read_number("1.2340"), Ok(1.234));
        }
        assert_eq!(
            Format::from_path(Path::new("leads.JSONL")),
            Some(Format::Ndjson)
        );
        assert_eq!(Format::from_path(Path::new("leads.csv")), Some(Format::Csv));
        assert_eq!(Format::from_path(Path::new("-")), None);
    }

    #[test]
    fn ndjson_keys_are_columns_too() {
        // A program's key that is not known is a typo: refused, not left out.
        let error = read(b"{\"nmae\": \"A\"}\n", &options()).err().unwrap();
        assert!(
            error.starts_with("the column \"nmae\" (did you mean name?) is not known;"),
            "{error}"
        );
        let options = ReadOptions {
            map: vec![MapEntry::parse("nmae=name").unwrap()],
            ..options()
        };
        let rows = all(
            b"{\"nmae\": \"A\"}\n{\"nmae\": \"B\", \"x\": 1}\n",
            &options,
        );
        assert_eq!(rows[0], record(1, &[(Column::Name, "A")]));
        let error = rows[1].as_ref().unwrap_err();
        assert_eq!(error.line, 2);
        assert!(
            error.message.starts_with("the column \"x\" is not known"),
            "{error}"
        );
    }

    #[test]
    fn empty_files_and_json_arrays_are_refused() {
        assert_eq!(
            read(b"\n \n", &options()).err().unwrap(),
            "test.csv is empty: expected a header row and a row per deal, or one JSON object a \
             line"
        );
        assert!(
            read(b"[{\"name\": \"a\"}]", &options())
                .err()
                .unwrap()
                .contains("jq -c '.[]'")
        );
        // A header alone: no records.
        assert!(all(b"name;value\n", &options()).is_empty());
    }

    #[test]
    fn records_are_streamed_not_read_whole() {
        /// A reader of endless rows.
        struct Endless(u64, Vec<u8>);
        impl Read for Endless {
            fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
                if self.1.is_empty() {
                    self.0 += 1;
                    self.1 = if self.0 == 1 {
                        b"name;value\n".to_vec()
                    } else {
                        format!("deal {};{},50\n", self.0, self.0).into_bytes()
                    };
                }
                let n = out.len().min(self.1.len());
                out[..n].copy_from_slice(&self.1[..n]);
                self.1.drain(..n);
                Ok(n)
            }
        }
        let mut records = from_reader(Endless(0, Vec::new()), "endless", &options()).unwrap();
        let third = records.nth(2).unwrap().unwrap();
        assert_eq!(third.line, 4);
        assert_eq!(third.get(&Column::Value), Some("4,50"));
    }

    #[test]
    fn a_quote_never_closed_stops_reading_at_1_mib() {
        let mut file = b"name;value\na;1\n\"b;2\n".to_vec();
        file.extend(std::iter::repeat_n(b"c;3\n", 300_000).flatten());
        let rows = all(&file, &options());
        assert_eq!(rows.len(), 2);
        assert_eq!(
            rows[1].as_ref().unwrap_err().to_string(),
            "line 3: this record goes on for more than 1 MiB, so a value that starts with \" \
             probably lacks its closing \"; nothing after it is read"
        );
        let mut file = b"{\"name\": \"a\"}\n{\"name\": \"".to_vec();
        file.extend(std::iter::repeat_n(b'x', 2 << 20));
        file.extend_from_slice(b"\"}\n{\"name\": \"c\"}\n");
        let rows = all(&file, &options());
        assert_eq!(rows.len(), 3);
        assert_eq!(
            rows[1].as_ref().unwrap_err().to_string(),
            "line 2: longer than 1 MiB, which no deal needs: is it one JSON object?"
        );
        assert_eq!(rows[2], record(3, &[(Column::Name, "c")]));
        let long = vec![b'x'; 2 << 20];
        let error = read(&long, &options()).err().unwrap();
        assert_eq!(
            error,
            "cannot read test.csv: its first line is longer than 1 MiB: is test.csv a CSV or \
             NDJSON file?"
        );
    }

    proptest::proptest! {
        #![proptest_config(crate::proptest_config())]

        /// Rows written as a spreadsheet writes them (quoted where they hold
        /// the delimiter, a quote or a line break; LF or CRLF; blank lines
        /// between; a BOM or not) are read back as written, trimmed, each
        /// with the line it starts on.
        #[test]
        fn written_rows_are_read_back_with_their_lines(
            rows in proptest::collection::vec(
                (proptest::collection::vec("[a-zçã ;,\t\"\n]{0,5}", 3), 0usize..3),
                0..12,
            ),
            delimiter in proptest::sample::select(vec![b';', b',', b'\t']),
            crlf in proptest::bool::ANY,
            bom in proptest::bool::ANY,
        ) {
            let d = char::from(delimiter);
            let end = if crlf { "\r\n" } else { "\n" };
            let mut file = String::new();
            if bom {
                file.push('\u{feff}');
            }
            file.push_str(&format!("name{d}value{d}origin{end}"));
            let columns = [Column::Name, Column::Value, Column::Origin];
            let mut expected = Vec::new();
            for (cells, blank_lines) in &rows {
                for _ in 0..*blank_lines {
                    file.push_str(end);
                }
                let line = 1 + file.matches('\n').count() as u64;
                let written: Vec<String> = cells
                    .iter()
                    .map(|cell| {
                        if cell.contains([d, '"', '\n', '\r']) {
                            format!("\"{}\"", cell.replace('"', "\"\""))
                        } else {
                            cell.clone()
                        }
                    })
                    .collect();
                let text = written.join(&d.to_string());
                file.push_str(&text);
                file.push_str(end);
                let fields: Vec<(Column, String)> = columns
                    .iter()
                    .zip(cells)
                    .filter(|(_, cell)| !cell.trim().is_empty())
                    .map(|(column, cell)| (column.clone(), cell.trim().to_owned()))
                    .collect();
                // A line of nothing is a blank line; a line of empty cells is
                // skipped as blank too.
                if !fields.is_empty() {
                    expected.push(Ok(Record { line, fields }));
                }
            }
            let read: Vec<_> = read(file.as_bytes(), &options()).unwrap().collect();
            proptest::prop_assert_eq!(read, expected, "{:?}", file);
        }
    }

    #[test]
    fn records_can_be_read_on_another_thread() {
        fn send<T: Send>() {}
        send::<Records>();
    }

    #[test]
    fn encodings_and_delimiters_from_flags() {
        assert_eq!(parse_encoding("latin1"), Ok(encoding_rs::WINDOWS_1252));
        assert_eq!(parse_encoding("Latin-1"), Ok(encoding_rs::WINDOWS_1252));
        assert_eq!(parse_encoding("ISO-8859-1"), Ok(encoding_rs::WINDOWS_1252));
        assert_eq!(parse_encoding("utf8"), Ok(encoding_rs::UTF_8));
        assert!(parse_encoding("klingon").is_err());
        assert_eq!(parse_delimiter(";"), Ok(b';'));
        assert_eq!(parse_delimiter("tab"), Ok(b'\t'));
        assert_eq!(parse_delimiter("\\t"), Ok(b'\t'));
        assert!(parse_delimiter("ab").is_err());
        assert!(parse_delimiter("\"").is_err());
        assert!(parse_delimiter("a").is_err());
    }

    #[test]
    fn a_file_is_opened_by_path_and_its_extension_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("leads.tsv");
        std::fs::write(&path, "name\tvalue\nA;B\t1,5\n").unwrap();
        let records = open(path.to_str().unwrap(), &options()).unwrap();
        assert_eq!(records.delimiter(), Some(b'\t'));
        assert_eq!(records.count(), 1);
        let missing = dir.path().join("missing.csv");
        let error = open(missing.to_str().unwrap(), &options()).err().unwrap();
        assert!(error.to_string().starts_with("cannot read "), "{error}");
    }
}
