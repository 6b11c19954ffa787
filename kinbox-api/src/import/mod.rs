//! Creating many deals, safely: a stream of rows in, a stream of outcomes
//! out.
//!
//! Kinbox has no bulk endpoint and no idempotency key: a create whose answer
//! is lost (a dropped connection, a timeout, a garbled body, a 5xx) may or
//! may not have made its deal, and sending it again blindly may make two.
//! [`import_deals`] sends one create per row, as many at once as
//! [`ImportOptions::concurrency`] allows, and guarantees:
//!
//! - **Nothing twice.** A create whose outcome is unknown
//!   ([`KinboxError::OutcomeUnknown`](crate::KinboxError::OutcomeUnknown),
//!   a 5xx, an unreadable answer) is *reconciled* before anything is sent
//!   again: after [`ImportOptions::reconcile_delay`], the engine lists the
//!   deals of the row's contact and pipeline created since the first send
//!   (less [`ImportOptions::clock_skew`]) and takes the oldest with the
//!   row's name, value and stage that no other row of the import has taken.
//!   Found: [`RowOutcome::Reconciled`]; not found: the create is sent again.
//!   Rows that would make the same deal (same contact, pipeline, stage, name
//!   and value) are sent one after the other, so two identical rows make two
//!   deals and each gets its own.
//! - **Nothing lost.** Every row ends in exactly one [`RowOutcome`]. A 429
//!   or a connection that could not be made was not applied, and is sent
//!   again; a 4xx other than 429 is the row's fault and fails it at once
//!   ([`FailureKind::Rejected`], with the server's message), while the
//!   other rows go on, except after a 401: the token is wrong or revoked,
//!   so nothing more is sent and the rows left fail with
//!   [`FailureKind::Halted`]. Each row is tried at most
//!   [`ImportOptions::max_attempts`] times.
//! - **Contacts once.** When a row names its contact by phone or e-mail
//!   ([`ContactLookup`]), the contact is looked up once per phone (else
//!   e-mail) in a run, however many rows name it at once, and created when
//!   missing if [`ImportOptions::create_contacts`] says so. A contact create
//!   whose outcome is unknown is looked up again, never sent again blindly.
//! - **Polite.** At most `concurrency` requests are in flight, earlier rows
//!   first: a row's requests (its contact lookup, its create) go before
//!   those of any later row waiting too. A 429 pauses
//!   every request until its `Retry-After` (seconds or an HTTP date; 1 s
//!   when absent) and halves the window (not below what the pace needs in
//!   flight); each run of answers as long as the window grows it by one,
//!   back up to `concurrency` (AIMD). From the requests the API let through
//!   before a burst of 429s, the engine learns the rate it allows and paces
//!   the sends to 97 % of it, rising 1 % every 10 s without a 429
//!   (`limiter.rs`; BENCHMARKS.md: 92–93 % of 200 a second). The engine
//!   retries its own reads (contact lookups, reconciliation lists) on 429,
//!   5xx and network failures, whatever the client's
//!   [`RetryPolicy`](crate::RetryPolicy).
//! - **Resumable.** With [`ImportOptions::journal`], every row's progress is
//!   appended to a file and synced to disk *before* its consequence: the
//!   row is recorded as being sent (with the time, and a fingerprint of the
//!   row) before the request leaves; its outcome is written before it is
//!   reported and synced with the next send's record (or when the import
//!   ends): a crash in between leaves the row as sent, and the next run
//!   reconciles it rather than sending it again.
//!   Run the same import again with the same journal and the rows recorded
//!   as created are [`RowOutcome::Skipped`] without a request; the rows sent
//!   without a recorded outcome (the process was killed), or given up on
//!   while their outcome was unknown, are reconciled before any is sent
//!   again; rows recorded as refused are sent again (the file may have been
//!   fixed since). A last line cut short by a crash is copied
//!   aside with the whole journal ([`Importer::notices`] says where) and
//!   dropped; a journal cut short at a line boundary is found by the count
//!   in its header, and every row it has no outcome for is then reconciled
//!   before it is sent. A file that does not start as a journal, a symbolic
//!   link or anything but a regular file is refused ([`ImportError::Refused`]):
//!   a journal path given by mistake never destroys a file. Records are
//!   synced in groups (one `fsync` for every record waiting, with rows
//!   journaled while they wait for a slot), so a journal costs little.
//! - **Rows known by their content.** The journal knows a row by its
//!   fingerprint, not its line, so the file may be edited between runs:
//!   [`Importer::plan`] compares every row with the journal before anything
//!   is sent, and a row created before is skipped wherever it moved; new and
//!   corrected rows are sent; a row changed after its deal was made (the
//!   same name and contact, other content) is [`RowOutcome::Changed`], not
//!   sent again; rows of one content take as many of the journal's rows of
//!   that content as there are (two identical rows make two deals, on a
//!   resume as on a first run). The plan also says how the file differs
//!   from the last run's ([`FileChanges`]). Journals of the version before
//!   (no identities) are read, and their rows matched by content too, a
//!   changed row by its line.
//! - **Stops cleanly.** After 5 requests in a row fail as they do when the
//!   API is gone (no connection, a lost answer, a 5xx), the engine pauses
//!   1 s, probes the API with one read, and if it is still gone stops
//!   sending ([`Stopped::Unreachable`]); [`ImportHandle::stop`] stops it
//!   the same way (Ctrl-C). Rows not yet
//!   sent then end at once as [`FailureKind::Halted`], every wait (a
//!   back-off, a pause) is cut short, and a create whose outcome is unknown
//!   stays recorded as such, for the next run to look for.
//!
//! Memory stays bounded whatever the number of rows: the input is pulled
//! as rows finish (at most `16 × concurrency + 128` rows in progress), and
//! the state kept per row is a few dozen bytes (the lines seen, the journal's
//! state of each line, the deals attributed).
//!
//! Outcomes come **in the order rows finish**, not in input order: match
//! them by [`RowOutcome::line`].
//!
//! What it cannot rule out: a deal with the same contact, pipeline, stage,
//! name and value made by someone else between `clock_skew` before a lost
//! create and its reconciliation is indistinguishable from the row's own,
//! and may be taken for it. A journal is locked while an import uses it
//! ([`ImportError::InUse`] for a second one); on a file system without
//! locks, two imports must not share a journal at once.
//!
//! ```no_run
//! use futures::StreamExt;
//! use kinbox_api::import::{ContactLookup, ImportOptions, ImportRow, RowOutcome, import_deals};
//! use kinbox_api::types::{CustomFieldsInput, DealCreate, DealStatus};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let client = kinbox_api::Client::from_env()?;
//! let rows = futures::stream::iter(1..=3u64).map(|line| {
//!     let deal = DealCreate::builder()
//!         .name(format!("Pedido #{line}"))
//!         .value(100.0 * line as f64)
//!         .status(DealStatus::Open)
//!         .pipeline_id("65f0c0ffee0000000000aaaa")
//!         .stage_id("65f0c0ffee0000000000bbbb")
//!         // Replaced by the contact found (or created) for the row.
//!         .contact_id(0)
//!         .custom_fields(CustomFieldsInput::default())
//!         .try_into()
//!         .expect("every required field is set");
//!     let contact = ContactLookup::phone("5585997281648").name("Maria Oliveira");
//!     ImportRow { line, deal, contact: Some(contact) }
//! });
//! let options = ImportOptions::default()
//!     .concurrency(8)
//!     .create_contacts(true)
//!     .journal("pedidos.journal");
//! let mut outcomes = import_deals(client, rows, options)?;
//! while let Some(outcome) = outcomes.next().await {
//!     match outcome {
//!         RowOutcome::Created { line, deal_id }
//!         | RowOutcome::Reconciled { line, deal_id }
//!         | RowOutcome::Skipped { line, deal_id } => println!("line {line}: deal {deal_id}"),
//!         RowOutcome::Changed { line, error, .. } | RowOutcome::Failed { line, error, .. } => {
//!             eprintln!("line {line}: {error}")
//!         }
//!     }
//! }
//! # Ok(()) }
//! ```

mod calls;
mod contacts;
mod engine;
mod journal;
mod limiter;
mod reconcile;
mod resume;
mod shared;

use std::num::{NonZeroU32, NonZeroUsize};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use futures::stream::BoxStream;
use futures::{Stream, StreamExt};

pub use journal::{ImportError, recorded_mapping};

use crate::{Client, types};

/// One deal to create.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportRow {
    /// The row's key in this import, e.g. its line in the file: unique per
    /// import, the journal's key.
    pub line: u64,
    /// The deal to create. When `contact` is `Some`, `deal.contact_id` is
    /// replaced by the contact found or created.
    pub deal: types::DealCreate,
    pub contact: Option<ContactLookup>,
}

/// How a row names its contact: by phone, else by e-mail.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ContactLookup {
    /// Digits with the country code, e.g. `5585997281648`.
    pub phone: Option<String>,
    /// Compared without regard to case.
    pub email: Option<String>,
    /// The name of a contact created for the row.
    pub name: Option<String>,
}

impl ContactLookup {
    pub fn phone(phone: impl Into<String>) -> Self {
        Self {
            phone: Some(phone.into()),
            ..Self::default()
        }
    }

    pub fn email(email: impl Into<String>) -> Self {
        Self {
            email: Some(email.into()),
            ..Self::default()
        }
    }

    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    pub fn with_email(mut self, email: impl Into<String>) -> Self {
        self.email = Some(email.into());
        self
    }
}

/// How an import runs; `ImportOptions::default()` then the setters.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct ImportOptions {
    /// The most requests in flight at once
    /// ([`ImportOptions::DEFAULT_CONCURRENCY`] unless set); the engine sends
    /// fewer for a while after a 429, and paces them to the API's rate.
    pub concurrency: NonZeroUsize,
    /// Create the contacts that rows name and that do not exist (off: such
    /// rows fail with [`FailureKind::ContactNotFound`]).
    pub create_contacts: bool,
    /// Where progress is recorded, to resume an interrupted import without
    /// duplicates (none unless set).
    pub journal: Option<PathBuf>,
    /// Creates sent per row before it fails (5 unless set); 429s do not
    /// count.
    pub max_attempts: NonZeroU32,
    /// How long after a create whose outcome is unknown the engine looks for
    /// its deal (3 s unless set): an answer lost on the way may belong to a
    /// create still being applied.
    pub reconcile_delay: Duration,
    /// How far the API's clock may be behind this machine's (10 min unless
    /// set): reconciliation looks at deals created since the first send less
    /// this.
    pub clock_skew: Duration,
    /// How the file's columns were read, in the caller's words (`kinbox
    /// deals import` writes `HEADER=COLUMN` lines): kept in the journal by
    /// [`Importer::plan`], read back with [`recorded_mapping`], so that a
    /// resumed import reads the file as the run before it did.
    pub mapping: Option<String>,
}

impl ImportOptions {
    /// Enough in flight to reach an API's rate of a thousand a second at
    /// 30 ms an answer; the rate itself is the pace learnt from the API's
    /// 429s (BENCHMARKS.md: 8 in flight reached 87 % of 200 a second, 32
    /// reach 92 %).
    pub const DEFAULT_CONCURRENCY: usize = 32;
}

impl Default for ImportOptions {
    fn default() -> Self {
        Self {
            concurrency: NonZeroUsize::new(Self::DEFAULT_CONCURRENCY).expect("32 is not 0"),
            create_contacts: false,
            journal: None,
            max_attempts: NonZeroU32::new(5).expect("5 is not 0"),
            reconcile_delay: Duration::from_secs(3),
            clock_skew: Duration::from_secs(600),
            mapping: None,
        }
    }
}

impl ImportOptions {
    /// The most requests in flight; 0 is taken as 1.
    pub fn concurrency(mut self, concurrency: usize) -> Self {
        self.concurrency = NonZeroUsize::new(concurrency).unwrap_or(NonZeroUsize::MIN);
        self
    }

    pub fn create_contacts(mut self, create: bool) -> Self {
        self.create_contacts = create;
        self
    }

    pub fn journal(mut self, path: impl Into<PathBuf>) -> Self {
        self.journal = Some(path.into());
        self
    }

    /// See [`ImportOptions::mapping`].
    pub fn mapping(mut self, mapping: impl Into<String>) -> Self {
        self.mapping = Some(mapping.into());
        self
    }

    /// Creates sent per row before it fails; 0 is taken as 1.
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = NonZeroU32::new(attempts).unwrap_or(NonZeroU32::MIN);
        self
    }

    pub fn reconcile_delay(mut self, delay: Duration) -> Self {
        self.reconcile_delay = delay;
        self
    }

    pub fn clock_skew(mut self, skew: Duration) -> Self {
        self.clock_skew = skew;
        self
    }
}

/// What became of one row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RowOutcome {
    /// Created now.
    Created { line: u64, deal_id: String },
    /// Created by an earlier run, as the journal says: nothing was sent.
    Skipped { line: u64, deal_id: String },
    /// A create whose answer was lost, found on the server.
    Reconciled { line: u64, deal_id: String },
    /// Created by an earlier run, as the journal says, from a row with the
    /// same name and contact and other content: the row was changed after
    /// its deal was made. Nothing was sent (that would make a second deal);
    /// `error` says so, for the user to change the deal if it matters.
    Changed {
        line: u64,
        deal_id: String,
        error: String,
    },
    /// Not created (or, for [`FailureKind::Unresolved`], maybe created).
    Failed {
        line: u64,
        error: String,
        kind: FailureKind,
    },
}

impl RowOutcome {
    pub fn line(&self) -> u64 {
        match self {
            RowOutcome::Created { line, .. }
            | RowOutcome::Skipped { line, .. }
            | RowOutcome::Changed { line, .. }
            | RowOutcome::Reconciled { line, .. }
            | RowOutcome::Failed { line, .. } => *line,
        }
    }

    /// The row's deal, unless it failed.
    pub fn deal_id(&self) -> Option<&str> {
        match self {
            RowOutcome::Created { deal_id, .. }
            | RowOutcome::Skipped { deal_id, .. }
            | RowOutcome::Changed { deal_id, .. }
            | RowOutcome::Reconciled { deal_id, .. } => Some(deal_id),
            RowOutcome::Failed { .. } => None,
        }
    }
}

/// Why a row failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FailureKind {
    /// The API refused the deal (a 4xx other than 429): fix the row. Nothing
    /// was created.
    Rejected,
    /// No contact has the row's phone or e-mail, and
    /// [`ImportOptions::create_contacts`] is off. Nothing was sent.
    ContactNotFound,
    /// Finding or creating the row's contact failed; the deal was not sent.
    Contact,
    /// The row is not the one [`Importer::plan`] was given for its line:
    /// the file changed while it was imported. Nothing was sent.
    JournalMismatch,
    /// The row changed after an earlier run sent it (same name and contact,
    /// other content) without learning whether its deal was made. Nothing
    /// was sent: that could make a second deal.
    Changed,
    /// Another row of this import has the same line.
    DuplicateLine,
    /// The journal could not be written, so nothing was sent.
    Journal,
    /// The API kept failing for [`ImportOptions::max_attempts`]; the deal
    /// was not created.
    GaveUp,
    /// Gave up while a create's outcome is unknown: the deal may exist. With
    /// a journal, the next run looks for it before sending anything.
    Unresolved,
    /// Not sent: the import stopped sending ([`ImportHandle::stopped`] says
    /// why: the API refused the token, the import was stopped, the API could
    /// not be reached). Run the import again; with the journal, the rows
    /// created are skipped.
    Halted,
}

/// Why an import stopped sending before its last row.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Stopped {
    /// The API refused the token (401): every request would be refused
    /// alike. The server's error.
    TokenRefused(String),
    /// [`ImportHandle::stop`] was called (the user pressed Ctrl-C).
    Interrupted,
    /// Requests kept failing as they do when the API is gone (no
    /// connection, answers lost, 5xx), and a probe after a pause failed too:
    /// the probe's error.
    Unreachable(String),
}

impl std::fmt::Display for Stopped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Stopped::TokenRefused(error) => write!(f, "the API refused the token ({error})"),
            Stopped::Interrupted => f.write_str("the import was interrupted"),
            Stopped::Unreachable(error) => write!(
                f,
                "the API could not be reached ({} requests in a row failed, and so did a probe \
                 after a pause: {error})",
                shared::FAILURES_BEFORE_PROBE
            ),
        }
    }
}

/// Stops a running import, and says whether (and why) it stopped: cloned
/// from [`Importer::handle`] before [`Importer::run`] takes the importer.
#[derive(Clone, Debug)]
pub struct ImportHandle(Arc<shared::Shared>);

impl ImportHandle {
    /// Stops sending: no request leaves after this, rows not yet sent end as
    /// [`FailureKind::Halted`] and rows whose request is in flight end when
    /// its answer comes (or is looked for, next run, when the outcome
    /// stream is dropped first). Every wait of the engine (a pause, a
    /// retry's back-off) is cut short.
    pub fn stop(&self) {
        self.0.stop(Stopped::Interrupted);
    }

    /// Why the import stopped sending, once it did.
    pub fn stopped(&self) -> Option<Stopped> {
        self.0.stopped().cloned()
    }
}

/// How a row is known when an import is resumed: its line, its content
/// (the fingerprint the journal records) and its identity (its deal's name
/// and its contact: what a corrected row keeps). See [`Importer::plan`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RowKey(resume::Key);

impl RowKey {
    pub fn of(row: &ImportRow) -> Self {
        Self(resume::Key {
            line: row.line,
            fingerprint: engine::fingerprint(row),
            identity: engine::identity(row),
        })
    }

    pub fn line(&self) -> u64 {
        self.0.line
    }
}

/// What [`Importer::plan`] found: how the file compares with the journal,
/// before anything is sent.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ResumePlan {
    /// Rows given.
    pub rows: u64,
    /// Rows created by an earlier run (wherever they are in the file now):
    /// skipped.
    pub created_before: u64,
    /// Rows sent by an earlier run without learning the outcome: looked for
    /// before being sent again.
    pub to_look_for: u64,
    /// Rows changed after an earlier run made (or may have made) their deal:
    /// not sent.
    pub changed_after_sent: u64,
    /// Rows to send.
    pub to_send: u64,
    /// Rows an earlier run created (or may have) whose content and identity
    /// are no longer in the file.
    pub gone_from_file: u64,
    /// How the file differs from the one the last run read, when the
    /// journal says what that one held (journals of earlier versions do
    /// not).
    pub since_last_run: Option<FileChanges>,
}

/// How a file differs from the one the last run read: rows are paired by
/// content first (a row that moved is the same row), then by identity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct FileChanges {
    /// Rows whose content and identity the last file did not have.
    pub added: u64,
    /// Rows whose identity (name and contact) the last file had, with other
    /// content.
    pub changed: u64,
    /// Rows of the last file whose content and identity this one lacks.
    pub removed: u64,
}

impl FileChanges {
    pub fn is_empty(&self) -> bool {
        self.added == 0 && self.changed == 0 && self.removed == 0
    }
}

/// Counters of a running import, for progress and tests: read them at any
/// time from [`Importer::stats`].
#[derive(Clone, Debug)]
pub struct ImportStats(Arc<limiter::Counters>);

impl ImportStats {
    fn get(counter: &std::sync::atomic::AtomicU64) -> u64 {
        counter.load(Ordering::Relaxed)
    }

    /// The current bound on requests in flight.
    pub fn window(&self) -> u64 {
        Self::get(&self.0.window)
    }

    /// The smallest the window has been.
    pub fn smallest_window(&self) -> u64 {
        Self::get(&self.0.smallest_window)
    }

    /// 429 answers met.
    pub fn rate_limited(&self) -> u64 {
        Self::get(&self.0.rate_limited)
    }

    /// Requests sent (reads and writes).
    pub fn requests(&self) -> u64 {
        Self::get(&self.0.requests)
    }

    /// Deal creates sent.
    pub fn creates(&self) -> u64 {
        Self::get(&self.0.creates)
    }

    /// Writes (deals and contacts) whose outcome was unknown.
    pub fn unknown_outcomes(&self) -> u64 {
        Self::get(&self.0.unknown_outcomes)
    }

    /// Deals found by reconciliation.
    pub fn reconciled(&self) -> u64 {
        Self::get(&self.0.reconciled)
    }

    pub fn contacts_created(&self) -> u64 {
        Self::get(&self.0.contacts_created)
    }

    /// Contacts whose create's outcome was unknown, found by a new lookup.
    pub fn contacts_reconciled(&self) -> u64 {
        Self::get(&self.0.contacts_reconciled)
    }
}

/// Rows listed in each `rows` record of the journal: 64 KiB lines.
const ROWS_PER_RECORD: usize = 2048;

/// An import, ready to run: its journal open and read.
#[derive(Debug)]
pub struct Importer {
    shared: Arc<shared::Shared>,
}

impl Importer {
    /// Opens the journal, if any (creating it when missing), and reads what
    /// it recorded (blocking, for a moment: 100,000 rows' records are read in
    /// well under a second). Sends nothing.
    pub fn new(client: Client, options: ImportOptions) -> Result<Self, ImportError> {
        let journal = options
            .journal
            .as_deref()
            .map(journal::Journal::open)
            .transpose()?;
        Ok(Self {
            shared: Arc::new(shared::Shared::new(client, options, journal)),
        })
    }

    /// What the user should be told about the journal as it was found,
    /// whatever the log level: a damaged tail copied aside (and where), a
    /// journal found cut short (its rows without an outcome are then looked
    /// for before they are sent).
    pub fn notices(&self) -> &[String] {
        match &self.shared.journal {
            Some(journal) => journal.notices(),
            None => &[],
        }
    }

    pub fn stats(&self) -> ImportStats {
        ImportStats(self.shared.stats.clone())
    }

    /// A handle to stop the import once it runs, and to learn why it stopped.
    pub fn handle(&self) -> ImportHandle {
        ImportHandle(self.shared.clone())
    }

    /// Compares every row of the file with the journal before anything is
    /// sent, and records the file's rows in it for the next run to compare
    /// with. Rows are known by their content, wherever they moved: those
    /// created before are skipped, a row whose content changed after its
    /// deal was made (same name and contact) is [`RowOutcome::Changed`] and
    /// not sent, new and corrected rows are sent. Rows of the same content
    /// take as many of the journal's rows of that content as there are; the
    /// others are new (two identical rows make two deals, as on a first
    /// run).
    ///
    /// Without a plan, [`Importer::run`] matches each row as it comes: by
    /// content, then by identity, in the order rows come, which cannot tell
    /// a changed row from one whose content comes later in the file. With
    /// one, `run` must be given the same rows: a row that differs from the
    /// one planned for its line fails ([`FailureKind::JournalMismatch`]).
    /// Without a journal, everything is to send and nothing is recorded.
    pub async fn plan(
        &self,
        rows: impl IntoIterator<Item = RowKey>,
    ) -> Result<ResumePlan, ImportError> {
        let keys: Vec<resume::Key> = rows.into_iter().map(|key| key.0).collect();
        let mut plan = ResumePlan {
            rows: keys.len() as u64,
            ..ResumePlan::default()
        };
        let Some(journal) = &self.shared.journal else {
            plan.to_send = plan.rows;
            return Ok(plan);
        };
        {
            let mut matcher = self
                .shared
                .matcher
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            let assigned = matcher.plan(&keys);
            for (key, assignment) in keys.iter().zip(&assigned) {
                match assignment {
                    resume::Assignment::Same { line } => {
                        match journal.recorded(*line, key.fingerprint).map(|e| &e.state) {
                            Some(journal::Recorded::Done { .. }) => plan.created_before += 1,
                            _ => plan.to_look_for += 1,
                        }
                    }
                    resume::Assignment::Changed { .. } => plan.changed_after_sent += 1,
                    resume::Assignment::New => plan.to_send += 1,
                }
            }
            plan.gone_from_file = matcher.left() as u64;
        }
        let rows: Vec<(u64, u64)> = keys.iter().map(|k| (k.fingerprint, k.identity)).collect();
        plan.since_last_run = journal.last_rows().map(|last| {
            let (added, changed, removed) = resume::compare(last, &rows);
            FileChanges {
                added,
                changed,
                removed,
            }
        });
        let io = |reason: String| ImportError::Open {
            path: journal.path().to_owned(),
            source: std::io::Error::other(reason),
        };
        let at = chrono::Utc::now();
        if let Some(mapping) = &self.shared.options.mapping {
            let mut record = journal::Record::new(0, journal::Event::Mapping, 0);
            record.at = Some(at);
            record.mapping = Some(mapping.clone());
            journal.append(&record).await.map_err(io)?;
        }
        if rows.is_empty() {
            let mut record = journal::Record::new(0, journal::Event::Rows, 0);
            record.at = Some(at);
            record.rows = Some(String::new());
            journal.append(&record).await.map_err(io)?;
        }
        for part in rows.chunks(ROWS_PER_RECORD) {
            let mut record = journal::Record::new(0, journal::Event::Rows, 0);
            record.at = Some(at);
            record.rows = Some(journal::rows_text(part));
            journal.append(&record).await.map_err(io)?;
        }
        Ok(plan)
    }

    /// Imports `rows`, pulling them as slots free up; yields one outcome per
    /// row, in the order rows finish. Dropping the stream stops the import:
    /// rows in flight may have been sent, and a journal lets the next run
    /// reconcile them.
    pub fn run<S>(self, rows: S) -> BoxStream<'static, RowOutcome>
    where
        S: Stream<Item = ImportRow> + Send + 'static,
    {
        // Rows waiting for a slot have their `sending` record synced in the
        // meantime: with enough of them ahead, the journal's fsyncs are not
        // what the import waits for (at 2 ms an fsync, 24 rows ahead capped
        // an import at 12,000 rows a second), and they can be few (the
        // writer lingers for more records; the rows ahead are what keep the
        // requests going meanwhile). Their requests wait behind those of
        // earlier rows (the limiter serves rows in order). A crash leaves
        // them to be reconciled by the next run: one read each, no
        // duplicate.
        let in_progress = self.shared.options.concurrency.get() * 16 + 128;
        let shared = self.shared;
        rows.map(move |row| {
            let shared = shared.clone();
            async move { engine::run_row(&shared, row).await }
        })
        .buffer_unordered(in_progress)
        .boxed()
    }
}

/// Imports `rows` with `client`: [`Importer::new`] then [`Importer::run`].
/// Fails only when the journal cannot be opened or read; nothing is sent
/// then.
pub fn import_deals<S>(
    client: Client,
    rows: S,
    options: ImportOptions,
) -> Result<BoxStream<'static, RowOutcome>, ImportError>
where
    S: Stream<Item = ImportRow> + Send + 'static,
{
    Ok(Importer::new(client, options)?.run(rows))
}
