//! The import journal: an append-only file of NDJSON records, one per event
//! of a row (`sending`, `created`, `reconciled`, `failed`). A `sending`
//! record is durable (written and `fsync`ed) before its request leaves; an
//! outcome is written before it is reported and synced with the next batch
//! (or when the journal closes).
//!
//! Records are written by one thread in batches (group commit): tasks append
//! to a shared buffer without waking anyone unless the writer sleeps; the
//! writer takes everything appended, writes it, syncs once, and wakes the
//! tasks waiting for that sync together. A row thus costs no thread hand-off
//! of its own: the first version sent each record over a channel and
//! answered it on a oneshot, two context switches a row.
//!
//! The first line is a header that says the file is a journal, and how
//! many records it held at its last sync: a journal cut short at a line
//! boundary (copied in part, restored from an old backup) then holds fewer
//! records than its header says, which a record count alone could not tell
//! from an import that ended early. A journal found cut is marked with a
//! `cut` record: from then on every row it holds no outcome for is looked
//! for before it is sent, since its records may be among those lost.
//! Journals written before the header existed (their first line is a
//! record) are still read and appended to.
//!
//! A file that does not start as a journal is never written to, nor one
//! reached through a symbolic link: a journal path given by mistake (the
//! input itself, a link to another file) must not destroy that file.
//!
//! A row's records are keyed by the line they name *and* the row's
//! fingerprint: a line of an edited file may hold another row than it did,
//! and a row that moved keeps the line its first records named (the engine
//! finds it by content, `resume.rs`). Since version 3, records carry the
//! row's identity (`id`: its name and contact, what a corrected row keeps),
//! and each run lists the file's rows it read (`rows` records: fingerprint
//! and identity, 32 hex digits each), for the next run to say what changed.
//! A version 2 journal is read, and marked version 3 before anything of
//! version 3 is written to it, so that an older kinbox refuses it plainly.
//!
//! ```text
//! {"kinbox":"import-journal","version":3,"created":"2026-11-29T07:59:59Z","records":4                   }
//! {"line":0,"event":"rows","fp":"0000000000000000","at":"2026-11-29T07:59:59.5Z","rows":"9f0c…5e21…0a1b…77d0…"}
//! {"line":7,"event":"sending","fp":"9f0c…","at":"2026-11-29T08:00:00.123Z","contact":1042,"id":"5e21…"}
//! {"line":7,"event":"created","fp":"9f0c…","deal":"65f0c0ffee0000000000dddd","id":"5e21…"}
//! {"line":8,"event":"failed","fp":"0a1b…","kind":"rejected","error":"…","maybe_applied":false,"id":"77d0…"}
//! ```

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tokio::sync::Notify;

/// How long a batch waits for more records before it is synced.
/// Each sync costs the machine CPU (ext4's journal commit): at 1 ms, an
/// import of 16,000 rows a second synced 600 times a second.
const LINGER: std::time::Duration = std::time::Duration::from_millis(3);

/// Why a journal cannot be used; nothing was sent.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImportError {
    #[error(
        "cannot open the import journal {}: {source}; check the path and its permissions",
        .path.display()
    )]
    Open {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "the import journal {} is in use by another import running now: wait for it to end, \
         or give this import a journal of its own",
        .path.display()
    )]
    InUse { path: PathBuf },
    #[error("refusing to use {} as the import journal: {reason}", .path.display())]
    Refused { path: PathBuf, reason: String },
    #[error(
        "the import journal {} is damaged at line {line} ({reason}), with records after it: \
         fix or delete that line, or move the journal away to start afresh (every row of the \
         file would then be sent again, duplicating those already created)",
        .path.display()
    )]
    Damaged {
        path: PathBuf,
        line: usize,
        reason: String,
    },
}

/// What the journal says about one line of the import, as it was when the
/// journal was opened.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Entry {
    /// The fingerprint of the row recorded with the last event.
    pub(crate) fingerprint: u64,
    /// The row's identity (its name and contact), when the journal says it:
    /// journals of earlier versions do not, and their rows are known by
    /// their line instead.
    pub(crate) identity: Option<u64>,
    pub(crate) state: Recorded,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Recorded {
    /// Sent (first at `sent_at`), with no outcome known: it may exist.
    Pending {
        sent_at: DateTime<Utc>,
        contact: Option<i64>,
    },
    /// Created (or found by reconciliation) as this deal.
    Done { deal: Box<str> },
    /// Refused or never sent: nothing was created.
    Failed,
}

/// One line of the file.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Record {
    pub(crate) line: u64,
    pub(crate) event: Event,
    /// [`fingerprint`] in 16 hex digits.
    pub(crate) fp: String,
    /// When the request was sent (`sending`), or first sent (`failed`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) at: Option<DateTime<Utc>>,
    /// The contact the deal was sent with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) contact: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) deal: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) error: Option<String>,
    /// On `failed`: whether a create may have been applied all the same.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) maybe_applied: Option<bool>,
    /// The row's identity ([`identity`](super::engine::identity)) in 16 hex
    /// digits: what a row keeps when it is corrected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) id: Option<String>,
    /// On `rows`: the rows of the file as this run found them, each as its
    /// fingerprint and identity (32 hex digits), a part of them per record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) rows: Option<String>,
    /// On `mapping`: how the run read the file's columns
    /// ([`ImportOptions::mapping`](super::ImportOptions::mapping)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) mapping: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Event {
    Sending,
    Created,
    Reconciled,
    Failed,
    /// The journal was found cut: rows without an outcome before this
    /// record may have been sent.
    Cut,
    /// A part of the file's rows as a run found them (`at`: when that run
    /// started): what the next run compares its file with.
    Rows,
    /// How a run read the file's columns, for the next to read them alike.
    Mapping,
}

impl Record {
    pub(crate) fn new(line: u64, event: Event, fingerprint: u64) -> Self {
        Self {
            line,
            event,
            fp: format!("{fingerprint:016x}"),
            at: None,
            contact: None,
            deal: None,
            kind: None,
            error: None,
            maybe_applied: None,
            id: None,
            rows: None,
            mapping: None,
        }
    }

    /// With the row's identity.
    pub(crate) fn identity(mut self, identity: u64) -> Self {
        self.id = Some(format!("{identity:016x}"));
        self
    }
}

/// Records appended and not yet written, and how far the file is synced.
#[derive(Default)]
struct Pending {
    /// NDJSON records in the order they were appended.
    bytes: Vec<u8>,
    /// Records appended so far; a record's number is its place in that count.
    appended: u64,
    /// Whether `bytes` holds a record someone waits for (a `sending`).
    awaited: bool,
    /// Every record up to this number is written, and synced if awaited.
    synced: u64,
    /// Why writing failed: every record after `synced` fails with it.
    broken: Option<String>,
    /// The writer sleeps until records arrive: wake it then.
    writer_idle: bool,
    closed: bool,
}

/// What the import's tasks and the writer thread share.
struct Shared {
    pending: Mutex<Pending>,
    /// Wakes the writer thread (only when it sleeps: a wake is a syscall).
    records_arrived: Condvar,
    /// Wakes the tasks waiting for a sync, once per sync.
    synced: Notify,
}

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, Pending> {
        self.pending.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// What the journal held when it was opened.
#[derive(Debug, Default)]
struct State {
    /// By the line the records name and the row's fingerprint: a line of
    /// an edited file may hold another row than it did.
    recorded: HashMap<(u64, u64), Entry>,
    /// Since a cut, rows without an outcome may have been sent: from when.
    unsure_since: Option<DateTime<Utc>>,
    /// The rows of the file as the last run that said so found them
    /// (fingerprint, identity), and when that run started.
    last_rows: Option<(DateTime<Utc>, Vec<FileRow>)>,
}

/// A row of the file as a `rows` record lists it: fingerprint, identity.
pub(crate) type FileRow = (u64, u64);

/// An open journal: what it recorded before, and the writer of new records.
pub(crate) struct Journal {
    path: PathBuf,
    state: State,
    /// What the user should hear about the journal as it was opened (a
    /// damaged tail kept aside, a cut found), whatever the log level.
    notices: Vec<String>,
    shared: Arc<Shared>,
    thread: Mutex<Option<std::thread::JoinHandle<()>>>,
    /// The handle that holds the journal's lock (writes go through another,
    /// opened to append).
    _locked: File,
}

impl Drop for Journal {
    /// Closes the journal: what is queued is written and synced before the
    /// import's last outcome is gone.
    fn drop(&mut self) {
        self.shared.lock().closed = true;
        self.shared.records_arrived.notify_one();
        if let Some(thread) = self.thread.lock().unwrap_or_else(|e| e.into_inner()).take() {
            let _ = thread.join();
        }
    }
}

impl std::fmt::Debug for Journal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Journal")
            .field("path", &self.path)
            .field("recorded", &self.state.recorded.len())
            .finish()
    }
}

/// How the last run that kept one in the journal at `path` read the file's
/// columns ([`ImportOptions::mapping`](super::ImportOptions::mapping)), read
/// without opening the journal for the import (nothing is written, nothing
/// locked). `None` when no run kept one, or there is no journal.
pub fn recorded_mapping(path: &Path) -> Result<Option<String>, ImportError> {
    let file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(ImportError::Open {
                path: path.to_owned(),
                source,
            });
        }
    };
    let mut found = None;
    for line in BufReader::new(file).split(b'\n') {
        let line = line.map_err(|source| ImportError::Open {
            path: path.to_owned(),
            source,
        })?;
        // Most records are rows' events: only a mapping's is parsed.
        const MAPPING: &[u8] = br#""event":"mapping""#;
        if !line.windows(MAPPING.len()).any(|w| w == MAPPING) {
            continue;
        }
        if let Ok(Record {
            event: Event::Mapping,
            mapping: Some(mapping),
            ..
        }) = serde_json::from_slice::<Record>(&line)
        {
            found = Some(mapping);
        }
    }
    Ok(found)
}

/// The first line of a journal of this version. `records` is rewritten in
/// place at every sync, so it is padded to a fixed width.
const HEADER_KIND: &str = "import-journal";
/// 3: records name the row's identity, and `rows` records list the file's
/// rows (a journal of version 2 is read, and marked 3 when opened).
const HEADER_VERSION: u32 = 3;
const COUNT_KEY: &[u8] = b"\"records\":";
const COUNT_WIDTH: usize = 20;

#[derive(Deserialize)]
struct Header {
    kinbox: String,
    version: u32,
    created: DateTime<Utc>,
    records: u64,
}

fn header_line(created: DateTime<Utc>) -> String {
    format!(
        "{{\"kinbox\":\"{HEADER_KIND}\",\"version\":{HEADER_VERSION},\"created\":\"{}\",\"records\":{:<COUNT_WIDTH$}}}\n",
        created.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        0
    )
}

/// How the file's first line says it is a journal.
enum Kind {
    /// Empty: a header is written.
    New,
    /// A header: where its count is, what it says, when it was created.
    Versioned {
        count_at: u64,
        records: u64,
        created: DateTime<Utc>,
        /// Where the version's digit is, when it is older than this one's.
        older_at: Option<u64>,
    },
    /// A journal of an earlier version, whose first line is a record.
    Unversioned,
}

/// Why `first` (the file's first line, newline included) is not the start
/// of a journal; else which kind of journal it starts.
fn kind_of(first: &[u8]) -> Result<Kind, String> {
    const NOT_OURS: &str = "its first line is not that of a kinbox import journal, so it may be \
         another file given by mistake; give --journal a new path, or move that file away";
    if first.is_empty() {
        return Ok(Kind::New);
    }
    let Some(text) = first.strip_suffix(b"\n") else {
        return Err(NOT_OURS.to_owned());
    };
    if let Ok(header) = serde_json::from_slice::<Header>(text)
        && header.kinbox == HEADER_KIND
    {
        if header.version > HEADER_VERSION {
            return Err(format!(
                "it was written by a newer kinbox (journal version {}): resume with that version",
                header.version
            ));
        }
        let count_at = memchr::memmem::find(text, COUNT_KEY)
            .map(|at| at + COUNT_KEY.len())
            .filter(|at| text.get(at + COUNT_WIDTH) == Some(&b'}'))
            .ok_or_else(|| "its header was changed by hand (the record count moved)".to_owned())?;
        let older_at = match header.version < HEADER_VERSION {
            true => {
                let key = format!("\"version\":{}", header.version);
                let at = memchr::memmem::find(text, key.as_bytes())
                    .filter(|_| header.version < 10)
                    .ok_or_else(|| {
                        "its header was changed by hand (the version moved)".to_owned()
                    })?;
                Some((at + key.len() - 1) as u64)
            }
            false => None,
        };
        return Ok(Kind::Versioned {
            count_at: count_at as u64,
            records: header.records,
            created: header.created,
            older_at,
        });
    }
    match serde_json::from_slice::<Record>(text) {
        Ok(_) => Ok(Kind::Unversioned),
        Err(_) => Err(NOT_OURS.to_owned()),
    }
}

/// Writes this version's digit over an older one's at `at`.
fn upgrade(file: &File, at: u64) -> std::io::Result<()> {
    let digit = HEADER_VERSION.to_string();
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileExt;
        file.write_all_at(digit.as_bytes(), at)?;
    }
    #[cfg(not(unix))]
    {
        let mut file = file;
        file.seek(SeekFrom::Start(at))?;
        file.write_all(digit.as_bytes())?;
    }
    file.sync_data()
}

/// Opens `path` to read and write without following a symbolic link in its
/// last component (the link's target would be written instead).
fn open_no_follow(path: &Path, create: bool) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true).write(true).create_new(create);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    options.open(path)
}

impl Journal {
    /// Opens (or creates) the journal at `path` and reads what it holds.
    ///
    /// Refuses a path that is a symbolic link or not a regular file, and a
    /// file that does not start as a journal. A last line cut short (the
    /// process was killed while writing it), or garbled lines at the end,
    /// are copied aside (`PATH.damaged-N`) before the journal goes on
    /// without them; an unreadable line followed by readable ones is an
    /// error.
    pub(crate) fn open(path: &Path) -> Result<Self, ImportError> {
        let open_error = |source| ImportError::Open {
            path: path.to_owned(),
            source,
        };
        let refused = |reason: String| ImportError::Refused {
            path: path.to_owned(),
            reason,
        };
        match std::fs::symlink_metadata(path) {
            Ok(meta) if meta.file_type().is_symlink() => {
                return Err(refused(
                    "it is a symbolic link, and writing through it would change the file it \
                     points to; give --journal the real path"
                        .to_owned(),
                ));
            }
            Ok(meta) if !meta.is_file() => {
                return Err(refused(
                    "it is not a regular file (a folder, a pipe or a device)".to_owned(),
                ));
            }
            _ => {}
        }
        let mut file = match open_no_follow(path, false) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => open_no_follow(path, true),
            other => other,
        }
        .map_err(|e| match e.raw_os_error() {
            #[cfg(unix)]
            Some(libc::ELOOP) => {
                refused("it is a symbolic link; give --journal the real path".to_owned())
            }
            _ => open_error(e),
        })?;
        if !file.metadata().map_err(open_error)?.is_file() {
            return Err(refused(
                "it is not a regular file (a folder, a pipe or a device)".to_owned(),
            ));
        }
        // Held until the journal closes: two imports appending to one
        // journal would each take the other's rows for unsent ones.
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(ImportError::InUse {
                    path: path.to_owned(),
                });
            }
            // A file system without locks (some network ones): go on, as
            // the documentation asks not to share a journal.
            Err(std::fs::TryLockError::Error(e)) => {
                tracing::warn!(path = %path.display(), error = %e, "cannot lock the import journal");
            }
        }
        let mut first = Vec::new();
        BufReader::new(&mut file)
            .take(64 << 10)
            .read_until(b'\n', &mut first)
            .map_err(open_error)?;
        let kind = kind_of(&first).map_err(refused)?;
        let mut notices = Vec::new();
        let (state, base, header) = match kind {
            Kind::New => {
                // Written and synced before any record: a journal is never
                // without its header, so never taken for another file.
                let header = header_line(Utc::now());
                file.write_all(header.as_bytes())
                    .and_then(|()| file.sync_all())
                    .map_err(open_error)?;
                if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty())
                    && let Ok(dir) = File::open(dir)
                {
                    let _ = dir.sync_all();
                }
                let Ok(Kind::Versioned { count_at, .. }) = kind_of(header.as_bytes()) else {
                    unreachable!("the header this version writes is read back by it")
                };
                (State::default(), 0, Some(count_at))
            }
            Kind::Versioned {
                count_at,
                records,
                created,
                older_at,
            } => {
                let (mut state, read, good_end) = read(&mut file, path, first.len() as u64)?;
                // A damaged tail is kept aside with the journal as it was,
                // before anything in it changes.
                let damaged = keep_tail_aside(&mut file, path, good_end).map_err(open_error)?;
                notices.extend(damaged);
                if let Some(at) = older_at {
                    // Marked as this version's before a record of it is
                    // written: an older kinbox then says to resume with
                    // this one rather than find records it cannot read.
                    upgrade(&file, at).map_err(open_error)?;
                }
                if records > read && state.unsure_since.is_none() {
                    state.mark_cut(created);
                    notices.push(format!(
                        "the import journal {} holds {read} records where it held {records}: \
                         it was cut short (copied in part, or restored from a backup), so every \
                         row it has no outcome for is looked for before it is sent",
                        path.display()
                    ));
                    // Said in the file too: a run stopped before every such
                    // row was looked for must not forget it.
                    let mut cut = Record::new(0, Event::Cut, 0);
                    cut.at = Some(created);
                    let mut line = serde_json::to_vec(&cut).expect("a record serializes");
                    line.push(b'\n');
                    let mut append = OpenOptions::new()
                        .append(true)
                        .open(path)
                        .map_err(open_error)?;
                    let counter = Counter {
                        file: file.try_clone().map_err(open_error)?,
                        at: count_at,
                        base: read,
                    };
                    append
                        .write_all(&line)
                        .and_then(|()| counter.write(1))
                        .and_then(|()| append.sync_data())
                        .map_err(open_error)?;
                    return Self::start(path, file, state, notices, read + 1, Some(count_at));
                }
                (state, read, Some(count_at))
            }
            Kind::Unversioned => {
                let (state, read, good_end) = read(&mut file, path, 0)?;
                notices.extend(keep_tail_aside(&mut file, path, good_end).map_err(open_error)?);
                (state, read, None)
            }
        };
        Self::start(path, file, state, notices, base, header)
    }

    /// Starts the writer thread on a journal read.
    fn start(
        path: &Path,
        locked: File,
        state: State,
        notices: Vec<String>,
        records: u64,
        count_at: Option<u64>,
    ) -> Result<Self, ImportError> {
        let open_error = |source| ImportError::Open {
            path: path.to_owned(),
            source,
        };
        // Appending only from here on: every write lands at the end, whatever
        // else has the file open. The header's count is written through the
        // other handle, which may write anywhere.
        let file = OpenOptions::new()
            .append(true)
            .open(path)
            .map_err(open_error)?;
        let counter = match count_at {
            Some(at) => Some(Counter {
                file: locked.try_clone().map_err(open_error)?,
                at,
                base: records,
            }),
            None => None,
        };
        let shared = Arc::new(Shared {
            pending: Mutex::default(),
            records_arrived: Condvar::new(),
            synced: Notify::new(),
        });
        let writer = shared.clone();
        let thread = std::thread::Builder::new()
            .name("kinbox-import-journal".to_owned())
            .spawn(move || write_batches(file, counter, &writer))
            .map_err(open_error)?;
        Ok(Self {
            path: path.to_owned(),
            state,
            notices,
            shared,
            thread: Mutex::new(Some(thread)),
            _locked: locked,
        })
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// What the user should be told about the journal as it was found.
    pub(crate) fn notices(&self) -> &[String] {
        &self.notices
    }

    /// What the journal held for the row of fingerprint `fingerprint` its
    /// records name `line`, when it was opened.
    pub(crate) fn recorded(&self, line: u64, fingerprint: u64) -> Option<&Entry> {
        self.state.recorded.get(&(line, fingerprint))
    }

    /// Everything the journal held, by the line its records name.
    pub(crate) fn entries(&self) -> impl Iterator<Item = (u64, &Entry)> {
        self.state
            .recorded
            .iter()
            .map(|((line, _), entry)| (*line, entry))
    }

    /// The rows of the file (fingerprint, identity) as the last run that
    /// recorded them found them; `None` for a journal of an earlier version.
    pub(crate) fn last_rows(&self) -> Option<&[(u64, u64)]> {
        self.state
            .last_rows
            .as_ref()
            .map(|(_, rows)| rows.as_slice())
    }

    /// When the journal was found cut: from then on, any row without a
    /// recorded outcome may have been sent.
    pub(crate) fn unsure_since(&self) -> Option<DateTime<Utc>> {
        self.state.unsure_since
    }

    /// The deals the journal attributes to a row.
    pub(crate) fn deals(&self) -> impl Iterator<Item = &str> {
        self.state
            .recorded
            .values()
            .filter_map(|entry| match &entry.state {
                Recorded::Done { deal } => Some(&**deal),
                _ => None,
            })
    }

    /// Appends `record`. A row's `sending` record is waited for until it is
    /// on disk: the request may not leave before. An outcome is not: it is
    /// synced with the next record waited for, or when the journal closes.
    /// A crash in between leaves the row `sending`, which the next run
    /// reconciles instead of sending again: nothing is lost or made twice,
    /// and each row costs one `fsync` wait instead of two.
    pub(crate) async fn append(&self, record: &Record) -> Result<(), String> {
        let awaited = record.event == Event::Sending;
        let number = {
            let mut pending = self.shared.lock();
            if pending.closed {
                return Err("the journal is closed".to_owned());
            }
            if let Some(reason) = &pending.broken {
                return Err(reason.clone());
            }
            let length = pending.bytes.len();
            if let Err(e) = serde_json::to_writer(&mut pending.bytes, record) {
                pending.bytes.truncate(length);
                return Err(e.to_string());
            }
            pending.bytes.push(b'\n');
            pending.appended += 1;
            pending.awaited |= awaited;
            if std::mem::take(&mut pending.writer_idle) {
                self.shared.records_arrived.notify_one();
            }
            pending.appended
        };
        if !awaited {
            return Ok(());
        }
        loop {
            // Registered before the count is read, so a sync in between
            // still wakes this task.
            let synced = self.shared.synced.notified();
            let mut synced = std::pin::pin!(synced);
            synced.as_mut().enable();
            {
                let pending = self.shared.lock();
                if pending.synced >= number {
                    return Ok(());
                }
                if let Some(reason) = &pending.broken {
                    return Err(reason.clone());
                }
            }
            synced.await;
        }
    }
}

/// Copies the journal aside when it ends in something unreadable (the
/// process died while writing its last record, or the disk left garbage),
/// then cuts that off the journal: what was there is kept, and the user is
/// told where.
fn keep_tail_aside(file: &mut File, path: &Path, good_end: u64) -> std::io::Result<Option<String>> {
    let length = file.metadata()?.len();
    if good_end >= length {
        return Ok(None);
    }
    let mut name = path.as_os_str().to_owned();
    name.push(".damaged-");
    let (mut aside, aside_path) = (1..)
        .map(|n| {
            let mut name = name.clone();
            name.push(n.to_string());
            PathBuf::from(name)
        })
        .find_map(|candidate| {
            let created = OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&candidate);
            match created {
                Ok(aside) => Some(Ok((aside, candidate))),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => None,
                Err(e) => Some(Err(e)),
            }
        })
        .expect("some name is free")?;
    file.seek(SeekFrom::Start(0))?;
    std::io::copy(&mut file.take(length), &mut aside)?;
    aside.sync_all()?;
    file.set_len(good_end)?;
    file.sync_all()?;
    let message = format!(
        "the import journal {} ended in {} bytes that cannot be read (the last import was \
         stopped while writing it?); the journal as it was is kept in {}, and the import goes on \
         without them",
        path.display(),
        length - good_end,
        aside_path.display()
    );
    tracing::warn!("{message}");
    Ok(Some(message))
}

impl State {
    /// From `since` on, a row without an outcome may have been sent: those
    /// recorded as failed too, since their later records (sent again,
    /// created) may be among those lost.
    fn mark_cut(&mut self, since: DateTime<Utc>) {
        self.unsure_since = Some(self.unsure_since.map_or(since, |s| s.min(since)));
    }
}

/// Reads every record from `start`; returns the state, how many records
/// were read, and where the readable records end.
fn read(file: &mut File, path: &Path, start: u64) -> Result<(State, u64, u64), ImportError> {
    let io_error = |source| ImportError::Open {
        path: path.to_owned(),
        source,
    };
    let mut state = State::default();
    file.seek(SeekFrom::Start(start)).map_err(io_error)?;
    let mut reader = BufReader::new(file);
    let mut line = Vec::new();
    let mut offset = start;
    let mut good_end = start;
    let mut records = 0u64;
    // The first unreadable line: fine if nothing readable follows it.
    let mut damage: Option<(usize, String)> = None;
    let mut number = usize::from(start > 0);
    loop {
        line.clear();
        let read = reader.read_until(b'\n', &mut line).map_err(io_error)?;
        if read == 0 {
            break;
        }
        number += 1;
        offset += read as u64;
        // A last line without its newline was never acknowledged: its
        // writer died before the sync. Dropped, whatever it holds.
        if line.last() != Some(&b'\n') {
            break;
        }
        let text = &line[..line.len() - 1];
        if text.iter().all(u8::is_ascii_whitespace) {
            if damage.is_none() {
                good_end = offset;
            }
            continue;
        }
        match serde_json::from_slice::<Record>(text)
            .map_err(|e| e.to_string())
            .and_then(|record| parse_fingerprint(&record.fp).map(|fp| (record, fp)))
        {
            Ok((record, fingerprint)) => {
                if let Some((line, reason)) = damage.take() {
                    return Err(ImportError::Damaged {
                        path: path.to_owned(),
                        line,
                        reason,
                    });
                }
                apply(&mut state, record, fingerprint);
                records += 1;
                good_end = offset;
            }
            Err(reason) => {
                damage.get_or_insert((number, reason));
            }
        }
    }
    Ok((state, records, good_end))
}

fn parse_fingerprint(text: &str) -> Result<u64, String> {
    u64::from_str_radix(text, 16).map_err(|_| format!("`{text}` is not a fingerprint"))
}

/// Folds one record into the state of its row (its line and fingerprint).
fn apply(state: &mut State, record: Record, fingerprint: u64) {
    let key = (record.line, fingerprint);
    let identity = record
        .id
        .as_deref()
        .and_then(|id| u64::from_str_radix(id, 16).ok());
    let recorded = &mut state.recorded;
    let previous = recorded.get(&key).map(|entry| &entry.state);
    let new = match (record.event, previous) {
        (Event::Cut, _) => {
            state.mark_cut(record.at.unwrap_or(DateTime::<Utc>::MIN_UTC));
            return;
        }
        // Read back by `recorded_mapping`, before the journal is opened.
        (Event::Mapping, _) => return,
        (Event::Rows, _) => {
            let at = record.at.unwrap_or(DateTime::<Utc>::MIN_UTC);
            let rows = parse_rows(record.rows.as_deref().unwrap_or_default());
            // A run's rows come in parts, and the last run's count.
            match &mut state.last_rows {
                Some((run, last)) if *run == at => last.extend(rows),
                _ => state.last_rows = Some((at, rows)),
            }
            return;
        }
        // An outcome is final: the row is skipped from then on.
        (_, Some(Recorded::Done { .. })) => return,
        (Event::Created | Event::Reconciled, _) => match record.deal {
            Some(deal) => Recorded::Done { deal: deal.into() },
            None => return,
        },
        (Event::Sending, Some(Recorded::Pending { sent_at, contact })) => Recorded::Pending {
            sent_at: record.at.map_or(*sent_at, |at| at.min(*sent_at)),
            contact: record.contact.or(*contact),
        },
        (Event::Sending, _) => Recorded::Pending {
            sent_at: record.at.unwrap_or_else(Utc::now),
            contact: record.contact,
        },
        // Given up while a create may have been applied: still pending.
        (Event::Failed, Some(Recorded::Pending { .. })) if record.maybe_applied == Some(true) => {
            return;
        }
        (Event::Failed, _) if record.maybe_applied == Some(true) => Recorded::Pending {
            sent_at: record.at.unwrap_or_else(Utc::now),
            contact: record.contact,
        },
        (Event::Failed, _) => Recorded::Failed,
    };
    let identity = identity.or_else(|| recorded.get(&key).and_then(|entry| entry.identity));
    recorded.insert(
        key,
        Entry {
            fingerprint,
            identity,
            state: new,
        },
    );
}

/// The rows of a `rows` record: 32 hex digits each (fingerprint, then
/// identity); what does not read as such is left out (the list only feeds
/// the summary of what changed).
fn parse_rows(text: &str) -> Vec<(u64, u64)> {
    text.as_bytes()
        .chunks_exact(32)
        .filter_map(|row| {
            let row = std::str::from_utf8(row).ok()?;
            let fingerprint = u64::from_str_radix(&row[..16], 16).ok()?;
            let identity = u64::from_str_radix(&row[16..], 16).ok()?;
            Some((fingerprint, identity))
        })
        .collect()
}

/// `rows` as a `rows` record holds them.
pub(crate) fn rows_text(rows: &[(u64, u64)]) -> String {
    use std::fmt::Write as _;
    let mut text = String::with_capacity(rows.len() * 32);
    for (fingerprint, identity) in rows {
        let _ = write!(text, "{fingerprint:016x}{identity:016x}");
    }
    text
}

/// Where the header's record count is written: the journal's own handle
/// (not opened to append), the count's offset, and the records the file
/// held before this run.
struct Counter {
    file: File,
    at: u64,
    base: u64,
}

impl Counter {
    /// Says in the header that the file holds `appended` more records than
    /// it did: written before the sync that makes those records durable, so
    /// the count is never ahead of them (but for a power loss, which a
    /// resume then treats as a cut: safe).
    fn write(&self, appended: u64) -> std::io::Result<()> {
        let count = format!("{:<COUNT_WIDTH$}", self.base + appended);
        #[cfg(unix)]
        {
            use std::os::unix::fs::FileExt;
            self.file.write_all_at(count.as_bytes(), self.at)
        }
        #[cfg(not(unix))]
        {
            let mut file = &self.file;
            file.seek(SeekFrom::Start(self.at))?;
            file.write_all(count.as_bytes())
        }
    }
}

/// The writer thread: takes every record appended since the last batch,
/// writes them, syncs once if anyone waits for one of them, then wakes the
/// waiters. After a failed write every later one fails too: the file's end
/// is unknown.
fn write_batches(mut file: File, counter: Option<Counter>, shared: &Shared) {
    let mut batch = Vec::new();
    // Records written and not yet synced (outcomes nobody waits for).
    let mut unsynced = false;
    let mut written = 0;
    loop {
        let mut pending = shared.lock();
        let idle_since = std::time::Instant::now();
        while pending.bytes.is_empty() && !pending.closed {
            pending.writer_idle = true;
            pending = shared
                .records_arrived
                .wait(pending)
                .unwrap_or_else(|e| e.into_inner());
        }
        if pending.bytes.is_empty() {
            break;
        }
        // A moment for more records to join the batch, when they come
        // often: one fsync then covers them all. Rows ahead of the requests
        // in flight are journaled while they wait for a slot, so the import
        // does not wait for this. After a quiet spell (the first records,
        // a slow API) there is little to gather: synced at once. Closing
        // cuts it short.
        if idle_since.elapsed() < LINGER {
            pending = shared
                .records_arrived
                .wait_timeout_while(pending, LINGER, |pending| !pending.closed)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
        std::mem::swap(&mut batch, &mut pending.bytes);
        let (last, awaited) = (pending.appended, std::mem::take(&mut pending.awaited));
        drop(pending);
        let result = file
            .write_all(&batch)
            .and_then(|()| match awaited {
                true => {
                    if let Some(counter) = &counter {
                        counter.write(last)?;
                    }
                    file.sync_data()
                }
                false => Ok(()),
            })
            .map_err(|e| format!("cannot write the import journal: {e}"));
        batch.clear();
        // A sync covers every record written before it.
        unsynced = !awaited && result.is_ok();
        let mut pending = shared.lock();
        match result {
            Ok(()) => {
                pending.synced = last;
                written = last;
            }
            Err(reason) => {
                pending.broken = Some(reason);
                pending.bytes.clear();
            }
        }
        let broken = pending.broken.is_some();
        drop(pending);
        shared.synced.notify_waiters();
        if broken {
            break;
        }
    }
    if unsynced {
        let synced = match &counter {
            Some(counter) => counter.write(written),
            None => Ok(()),
        }
        .and_then(|()| file.sync_data());
        if let Err(e) = synced {
            tracing::warn!(error = %e, "cannot sync the import journal's last outcomes");
        }
    }
}

/// A stable 64-bit fingerprint of `value`'s JSON form: FNV-1a over its
/// canonical text (object keys sorted at every level, each entry and item
/// followed by a comma), the same from one run, build or platform to the
/// next. The member at the path `leave_out` (e.g. `["deal", "contactId"]`)
/// is left out.
///
/// Worked from `value`'s JSON text, whose objects are read into maps of
/// borrowed text: building a `serde_json::Value` first, as the first
/// version did, was 6 % of an import's CPU. Both give the same hash.
pub(crate) fn fingerprint(value: &impl Serialize, leave_out: &[&str]) -> u64 {
    let mut hash = Fnv(0xcbf2_9ce4_8422_2325);
    // Values that cannot be written as JSON are fingerprinted as `null`,
    // as `serde_json::to_value` made them.
    match serde_json::to_string(value) {
        Ok(text) => {
            if canonical_text(&text, leave_out, &mut hash).is_err() {
                hash = Fnv(0xcbf2_9ce4_8422_2325);
                hash.write(b"null");
            }
        }
        Err(_) => hash.write(b"null"),
    }
    hash.0
}

/// Hashes the canonical form of the JSON document `text`, as written by
/// serde_json: scalars as they are written, objects and arrays taken apart.
fn canonical_text(text: &str, leave_out: &[&str], hash: &mut Fnv) -> serde_json::Result<()> {
    use serde_json::value::RawValue;
    match text.as_bytes().first() {
        Some(b'{') => {
            // Keys are borrowed unless one holds an escape.
            let object: BTreeMap<Cow<'_, str>, &RawValue> =
                match serde_json::from_str::<BTreeMap<&str, &RawValue>>(text) {
                    Ok(object) => object.into_iter().map(|(k, v)| (k.into(), v)).collect(),
                    Err(_) => serde_json::from_str::<BTreeMap<String, &RawValue>>(text)?
                        .into_iter()
                        .map(|(k, v)| (k.into(), v))
                        .collect(),
                };
            hash.write(b"{");
            for (key, value) in object {
                let inner = match leave_out {
                    [last] if *last == key => continue,
                    [first, rest @ ..] if *first == key => rest,
                    _ => &[],
                };
                hash.write_json(&*key);
                hash.write(b":");
                canonical_text(value.get(), inner, hash)?;
                hash.write(b",");
            }
            hash.write(b"}");
        }
        Some(b'[') => {
            let items: Vec<&RawValue> = serde_json::from_str(text)?;
            hash.write(b"[");
            for item in items {
                canonical_text(item.get(), &[], hash)?;
                hash.write(b",");
            }
            hash.write(b"]");
        }
        _ => hash.write(text.as_bytes()),
    }
    Ok(())
}

struct Fnv(u64);

impl Fnv {
    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 ^= u64::from(*byte);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    /// Hashes `value`'s JSON text as serde_json writes it, without building
    /// the text: the import fingerprints every row.
    fn write_json(&mut self, value: &(impl Serialize + ?Sized)) {
        // Writing into a hash cannot fail, and these values serialize.
        let _ = serde_json::to_writer(&mut *self, value);
    }
}

impl std::io::Write for Fnv {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        Fnv::write(self, bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "kinbox-journal-{}-{name}-{}",
            std::process::id(),
            Utc::now().timestamp_nanos_opt().unwrap_or_default()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        dir.join("journal.ndjson")
    }

    fn sending(line: u64, fp: u64, at: &str) -> String {
        let mut record = Record::new(line, Event::Sending, fp);
        record.at = Some(at.parse().unwrap());
        record.contact = Some(7);
        serde_json::to_string(&record).unwrap() + "\n"
    }

    fn created(line: u64, fp: u64, deal: &str) -> String {
        let mut record = Record::new(line, Event::Created, fp);
        record.deal = Some(deal.to_owned());
        serde_json::to_string(&record).unwrap() + "\n"
    }

    #[test]
    fn records_fold_into_each_lines_state() {
        let path = temp("fold");
        let mut failed = Record::new(3, Event::Failed, 3);
        failed.maybe_applied = Some(false);
        let mut unknown = Record::new(4, Event::Failed, 4);
        unknown.maybe_applied = Some(true);
        let text = [
            sending(1, 1, "2026-01-01T00:00:05Z"),
            sending(1, 1, "2026-01-01T00:00:09Z"),
            created(1, 1, "d1"),
            sending(2, 2, "2026-01-01T00:00:07Z"),
            sending(2, 2, "2026-01-01T00:00:03Z"),
            sending(3, 3, "2026-01-01T00:00:01Z"),
            serde_json::to_string(&failed).unwrap() + "\n",
            sending(4, 4, "2026-01-01T00:00:02Z"),
            serde_json::to_string(&unknown).unwrap() + "\n",
        ]
        .concat();
        std::fs::write(&path, text).unwrap();
        let journal = Journal::open(&path).unwrap();
        assert_eq!(
            journal.recorded(1, 1).unwrap().state,
            Recorded::Done { deal: "d1".into() }
        );
        assert_eq!(
            journal.recorded(2, 2).unwrap().state,
            Recorded::Pending {
                sent_at: "2026-01-01T00:00:03Z".parse().unwrap(),
                contact: Some(7)
            },
            "the earliest send"
        );
        assert_eq!(journal.recorded(3, 3).unwrap().state, Recorded::Failed);
        assert!(
            matches!(
                journal.recorded(4, 4).unwrap().state,
                Recorded::Pending { .. }
            ),
            "given up with an unknown outcome: still to reconcile"
        );
        assert_eq!(journal.deals().collect::<Vec<_>>(), ["d1"]);
        let _ = std::fs::remove_dir_all(path.parent().unwrap());
    }

    #[test]
    fn a_torn_last_line_is_dropped_and_appending_goes_on_after_it() {
        let path = temp("torn");
        let whole = [sending(1, 1, "2026-01-01T00:00:05Z"), created(1, 1, "d1")].concat();
        let torn = created(2, 2, "d2");
        std::fs::write(&path, format!("{whole}{}", &torn[..torn.len() / 2])).unwrap();
        let journal = Journal::open(&path).unwrap();
        assert!(journal.recorded(2, 2).is_none());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), whole);
        // What was cut is kept, and said.
        let aside = path.with_file_name("journal.ndjson.damaged-1");
        assert_eq!(
            std::fs::read_to_string(&aside).unwrap(),
            format!("{whole}{}", &torn[..torn.len() / 2])
        );
        assert!(
            journal.notices()[0].contains(&aside.display().to_string()),
            "{:?}",
            journal.notices()
        );

        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        runtime
            .block_on(journal.append(&Record::new(2, Event::Sending, 2)))
            .unwrap();
        drop(journal);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.starts_with(&whole) && text.lines().count() == 3,
            "{text}"
        );
        let reopened = Journal::open(&path).unwrap();
        assert!(matches!(
            reopened.recorded(2, 2).unwrap().state,
            Recorded::Pending { .. }
        ));
        let _ = std::fs::remove_dir_all(path.parent().unwrap());
    }

    #[test]
    fn records_appended_at_once_are_all_written_and_a_send_waits_for_its_own() {
        let path = temp("concurrent");
        let journal = Arc::new(Journal::open(&path).unwrap());
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .build()
            .unwrap();
        let rows = (1..=500u64).map(|line| {
            let (journal, path) = (journal.clone(), path.clone());
            runtime.spawn(async move {
                journal
                    .append(&Record::new(line, Event::Sending, line))
                    .await
                    .unwrap();
                let text = std::fs::read_to_string(&path).unwrap();
                let sending = format!("{{\"line\":{line},\"event\":\"sending\"");
                assert!(text.contains(&sending), "line {line} sent before written");
                let mut created = Record::new(line, Event::Created, line);
                created.deal = Some(format!("d{line}"));
                journal.append(&created).await.unwrap();
            })
        });
        let rows: Vec<_> = rows.collect();
        runtime.block_on(async {
            for row in rows {
                row.await.unwrap();
            }
        });
        drop(runtime);
        drop(Arc::into_inner(journal).expect("the tasks are done"));
        let reopened = Journal::open(&path).unwrap();
        for line in 1..=500 {
            assert_eq!(
                reopened.recorded(line, line).unwrap().state,
                Recorded::Done {
                    deal: format!("d{line}").into()
                },
                "line {line}: the outcomes nobody waited for are written at close"
            );
        }
        let _ = std::fs::remove_dir_all(path.parent().unwrap());
    }

    #[test]
    fn a_journal_in_use_is_refused_until_its_import_ends() {
        let path = temp("in-use");
        let first = Journal::open(&path).unwrap();
        let error = Journal::open(&path).unwrap_err();
        assert!(matches!(error, ImportError::InUse { .. }), "{error}");
        assert!(error.to_string().contains("in use by another import"));
        drop(first);
        Journal::open(&path).expect("free again once the first import ended");
        let _ = std::fs::remove_dir_all(path.parent().unwrap());
    }

    #[test]
    fn a_garbled_tail_is_dropped_but_damage_in_the_middle_is_an_error() {
        let path = temp("garbled");
        let good = sending(1, 1, "2026-01-01T00:00:05Z");
        // Zeroes where a crash left the block unwritten, then a newline.
        std::fs::write(&path, format!("{good}\0\0\0\0\n{{\"li\n")).unwrap();
        let journal = Journal::open(&path).unwrap();
        assert!(journal.recorded(1, 1).is_some());
        drop(journal);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), good);

        std::fs::write(&path, format!("{good}not json\n{good}")).unwrap();
        let error = Journal::open(&path).unwrap_err();
        assert!(
            matches!(error, ImportError::Damaged { line: 2, .. }),
            "{error}"
        );
        assert!(error.to_string().contains("move the journal away"));
        let _ = std::fs::remove_dir_all(path.parent().unwrap());
    }

    #[test]
    fn a_file_that_is_not_a_journal_is_refused_and_left_as_it_was() {
        let path = temp("precious");
        for precious in ["precious 1\nprecious 2\n", "name;value\nA;1", "{\"a\":1}\n"] {
            std::fs::write(&path, precious).unwrap();
            let error = Journal::open(&path).unwrap_err();
            assert!(matches!(error, ImportError::Refused { .. }), "{error}");
            assert!(
                error
                    .to_string()
                    .contains("not that of a kinbox import journal")
            );
            assert_eq!(std::fs::read_to_string(&path).unwrap(), precious);
        }
        let _ = std::fs::remove_dir_all(path.parent().unwrap());
    }

    #[cfg(unix)]
    #[test]
    fn a_link_or_a_pipe_is_refused_and_what_it_points_to_is_untouched() {
        let path = temp("link");
        let dir = path.parent().unwrap();
        let precious = dir.join("precious.txt");
        std::fs::write(&precious, "precious 1\nprecious 2\n").unwrap();
        std::os::unix::fs::symlink(&precious, &path).unwrap();
        let error = Journal::open(&path).unwrap_err();
        assert!(error.to_string().contains("symbolic link"), "{error}");
        // A link to a journal is refused too: what it points to is
        // written by no one but its import.
        std::fs::remove_file(&precious).unwrap();
        let error = Journal::open(&path).unwrap_err();
        assert!(error.to_string().contains("symbolic link"), "{error}");
        assert!(
            !precious.exists(),
            "a dangling link is not followed to create"
        );

        // Made in process: a child forked meanwhile would hold the other
        // tests' journal locks until it execs.
        let fifo = dir.join("fifo");
        let name = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: a valid C string, and a mode.
        assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o600) }, 0);
        let error = Journal::open(&fifo).unwrap_err();
        assert!(error.to_string().contains("not a regular file"), "{error}");
        let _ = std::fs::remove_dir_all(dir);
    }

    /// A new journal at `path` with a `sending` record for lines 1 to `n`.
    fn journal_of_sends(path: &Path, n: u64) {
        let journal = Journal::open(path).unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        for line in 1..=n {
            runtime
                .block_on(journal.append(&Record::new(line, Event::Sending, line)))
                .unwrap();
        }
    }

    /// The last run's mapping is read back, without opening the journal;
    /// no journal, or none kept, is `None`.
    #[test]
    fn the_last_mapping_kept_is_read_back() {
        let path = temp("mapping");
        assert_eq!(recorded_mapping(&path).unwrap(), None);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let journal = Journal::open(&path).unwrap();
        runtime
            .block_on(journal.append(&Record::new(3, Event::Sending, 0xA)))
            .unwrap();
        assert_eq!(recorded_mapping(&path).unwrap(), None);
        for mapping in ["Produto=name\n", "Produto=name\nZap=contact_phone\n"] {
            let mut record = Record::new(0, Event::Mapping, 0);
            record.mapping = Some(mapping.to_owned());
            runtime.block_on(journal.append(&record)).unwrap();
        }
        drop(journal);
        assert_eq!(
            recorded_mapping(&path).unwrap().as_deref(),
            Some("Produto=name\nZap=contact_phone\n")
        );
        // And the journal still opens, the mapping records aside.
        assert!(Journal::open(&path).unwrap().recorded(3, 0xA).is_some());
    }

    #[test]
    fn rows_are_known_by_line_and_content_and_the_last_runs_file_is_kept() {
        let path = temp("content");
        let journal = Journal::open(&path).unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let at = |text: &str| Some(text.parse::<DateTime<Utc>>().unwrap());
        let mut records = vec![
            Record::new(2, Event::Sending, 0xA).identity(1),
            Record::new(2, Event::Created, 0xA).identity(1),
            // Line 2 holds another row on the next run: its own entry.
            Record::new(2, Event::Sending, 0xB).identity(2),
        ];
        records[1].deal = Some("d1".to_owned());
        for (run, rows) in [
            ("2026-01-01T00:00:00Z", vec![(9, 9)]),
            ("2026-01-02T00:00:00Z", vec![(0xA, 1), (0xB, 2)]),
        ] {
            let mut record = Record::new(0, Event::Rows, 0);
            record.at = at(run);
            record.rows = Some(rows_text(&rows));
            records.push(record);
        }
        for record in &records {
            runtime.block_on(journal.append(record)).unwrap();
        }
        drop(journal);
        let reopened = Journal::open(&path).unwrap();
        assert_eq!(
            reopened.recorded(2, 0xA).unwrap().state,
            Recorded::Done { deal: "d1".into() }
        );
        assert_eq!(reopened.recorded(2, 0xA).unwrap().identity, Some(1));
        assert!(matches!(
            reopened.recorded(2, 0xB).unwrap().state,
            Recorded::Pending { .. }
        ));
        assert_eq!(reopened.last_rows(), Some(&[(0xA, 1), (0xB, 2)][..]));
        let _ = std::fs::remove_dir_all(path.parent().unwrap());
    }

    #[test]
    fn a_version_2_journal_is_read_and_marked_version_3() {
        let path = temp("v2");
        let header = header_line("2026-01-01T00:00:00Z".parse().unwrap())
            .replace("\"version\":3", "\"version\":2");
        let header = header.replace("\"records\":0 ", "\"records\":2 ");
        std::fs::write(
            &path,
            format!(
                "{header}{}{}",
                sending(1, 1, "2026-01-01T00:00:05Z"),
                created(1, 1, "d1")
            ),
        )
        .unwrap();
        let journal = Journal::open(&path).unwrap();
        assert!(journal.notices().is_empty(), "{:?}", journal.notices());
        assert_eq!(
            journal.recorded(1, 1).unwrap().identity,
            None,
            "no identity then"
        );
        assert_eq!(journal.last_rows(), None);
        drop(journal);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.starts_with("{\"kinbox\":\"import-journal\",\"version\":3,"),
            "{text}"
        );
        assert_eq!(
            text.len(),
            header.len() + sending(1, 1, "2026-01-01T00:00:05Z").len() + created(1, 1, "d1").len()
        );
        let _ = std::fs::remove_dir_all(path.parent().unwrap());
    }

    #[test]
    fn a_new_journal_starts_with_its_header_and_counts_its_records() {
        let path = temp("header");
        journal_of_sends(&path, 3);
        let text = std::fs::read_to_string(&path).unwrap();
        let header: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
        assert_eq!(header["kinbox"], "import-journal");
        assert_eq!(header["records"], 3);
        assert_eq!(text.lines().count(), 4);
        let reopened = Journal::open(&path).unwrap();
        assert!(reopened.notices().is_empty(), "{:?}", reopened.notices());
        assert_eq!(reopened.unsure_since(), None);
        assert!(reopened.recorded(3, 3).is_some());
        let _ = std::fs::remove_dir_all(path.parent().unwrap());
    }

    #[test]
    fn a_journal_cut_short_is_found_by_its_count_and_stays_unsure() {
        let path = temp("cut");
        journal_of_sends(&path, 4);
        let text = std::fs::read_to_string(&path).unwrap();
        let kept: String = text.lines().take(3).map(|l| format!("{l}\n")).collect();
        std::fs::write(&path, &kept).unwrap();

        let journal = Journal::open(&path).unwrap();
        assert!(journal.unsure_since().is_some());
        assert!(journal.notices()[0].contains("holds 2 records where it held 4"));
        drop(journal);
        // Remembered by the file, said once.
        let journal = Journal::open(&path).unwrap();
        assert!(journal.unsure_since().is_some());
        assert!(journal.notices().is_empty(), "{:?}", journal.notices());
        let _ = std::fs::remove_dir_all(path.parent().unwrap());
    }

    #[test]
    fn fingerprints_are_stable_and_ignore_key_order() {
        let a = serde_json::json!({"b": 1, "a": [1, {"y": "x", "x": null}]});
        let b: serde_json::Value =
            serde_json::from_str(r#"{"a": [1, {"x": null, "y": "x"}], "b": 1}"#).unwrap();
        assert_eq!(fingerprint(&a, &[]), fingerprint(&b, &[]));
        assert_ne!(
            fingerprint(&a, &[]),
            fingerprint(&serde_json::json!({"b": 2}), &[])
        );
        // Pinned: a change of the hash would make every journal mismatch.
        assert_eq!(
            fingerprint(&serde_json::json!({"a": 1}), &[]),
            0x4a2d_2e44_f6ac_e3c9
        );
    }

    /// The first definition of the fingerprint, over a `serde_json::Value`:
    /// journals written by earlier versions hold its hashes.
    fn fingerprint_of_value(value: &serde_json::Value) -> u64 {
        let mut hash = Fnv(0xcbf2_9ce4_8422_2325);
        canonical(value, &mut hash);
        hash.0
    }

    fn canonical(value: &serde_json::Value, hash: &mut Fnv) {
        use serde_json::Value;
        match value {
            Value::Object(object) => {
                let mut keys: Vec<&String> = object.keys().collect();
                keys.sort();
                hash.write(b"{");
                for key in keys {
                    hash.write_json(key.as_str());
                    hash.write(b":");
                    canonical(&object[key], hash);
                    hash.write(b",");
                }
                hash.write(b"}");
            }
            Value::Array(items) => {
                hash.write(b"[");
                for item in items {
                    canonical(item, hash);
                    hash.write(b",");
                }
                hash.write(b"]");
            }
            other => hash.write_json(other),
        }
    }

    #[test]
    fn the_fingerprint_of_json_text_is_the_one_of_its_value() {
        let documents = [
            serde_json::json!(null),
            serde_json::json!(1890.5),
            serde_json::json!(100.0),
            serde_json::json!(-7),
            serde_json::json!("a \"quoted\" \\ line\nbreak, ação, \u{1F600}"),
            serde_json::json!([]),
            serde_json::json!({}),
            serde_json::json!([1, [2, [3, {}]], {"z": [], "a": {}}]),
            serde_json::json!({
                "zeta": 1, "Alpha": 2, "alpha": 3, "ação": 4, "a\"b": 5, "a\\b": 6,
                "tab\tkey": {"\u{7f}": null, "nested": [{"b": false, "a": true}]},
                "customFields": {"cpf": "123.456.789-09", "idade": 42, "vip": true},
            }),
        ];
        for document in &documents {
            assert_eq!(
                fingerprint(document, &[]),
                fingerprint_of_value(document),
                "{document}"
            );
        }
        let deal: crate::types::DealCreate = serde_json::from_str(include_str!(
            "../../tests/fixtures/create_deal_request.json"
        ))
        .unwrap();
        let value = serde_json::to_value(&deal).unwrap();
        assert_eq!(fingerprint(&deal, &[]), fingerprint_of_value(&value));
        let mut without = value.clone();
        without.as_object_mut().unwrap().remove("contactId");
        let wrapped = serde_json::json!({"deal": &deal, "contact": null});
        let wrapped_without = serde_json::json!({"deal": without, "contact": null});
        assert_eq!(
            fingerprint(&wrapped, &["deal", "contactId"]),
            fingerprint_of_value(&wrapped_without)
        );
        assert_ne!(
            fingerprint(&wrapped, &["deal", "contactId"]),
            fingerprint(&wrapped, &[])
        );
    }
}
