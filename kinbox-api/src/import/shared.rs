//! What the rows of one import share: the client and options, the
//! limiter, the journal, the contacts found so far, the deals claimed, and
//! the locks that keep identical rows apart. Its own module, so that the
//! row's steps (`engine`, `contacts`, `reconcile`) depend on it and not on
//! one another.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use tokio::sync::{Notify, OnceCell};

use super::journal::{Journal, Record};
use super::limiter::{Counters, Limiter};
use super::resume::Matcher;
use super::{ImportOptions, Stopped};
use crate::{Client, ErrorKind, KinboxError, types};

/// Failures in a row (connections refused or dropped, 5xx) after which the
/// API is probed: one may be a blip, this many across the rows in flight
/// say it may be gone.
pub(crate) const FAILURES_BEFORE_PROBE: u32 = 5;
/// How long the import waits before the probe: a restart, a failover.
pub(crate) const PROBE_PAUSE: Duration = Duration::from_secs(1);
/// How long the probe may take before the API is taken for gone.
pub(crate) const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

/// What the rows of one import share.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) client: Client,
    pub(crate) options: ImportOptions,
    pub(crate) limiter: Limiter,
    pub(crate) journal: Option<Journal>,
    pub(crate) contacts: Contacts,
    pub(crate) stats: Arc<Counters>,
    /// Deals attributed to a row (by the journal, or in this run): a
    /// reconciliation never takes one of them for another row.
    claimed: Mutex<HashSet<Box<str>>>,
    /// The lines met in this run.
    pub(crate) seen: Mutex<HashSet<u64>>,
    locks: Mutex<HashMap<Identity, Arc<tokio::sync::Mutex<()>>>>,
    /// Which row of the journal each row of this run is.
    pub(crate) matcher: Mutex<Matcher>,
    /// Why the import stopped sending, once it did.
    stopped: OnceLock<Stopped>,
    /// Wakes whoever waits (a pause, a slot) when the import stops.
    stopping: Notify,
    /// Requests that failed as a gone API fails, in a row.
    failures: AtomicU32,
    /// Held by the one probe of the API at a time.
    probing: tokio::sync::Mutex<()>,
    /// The client without retries of its own: the probe is one request.
    probe: Client,
}

impl Shared {
    pub(crate) fn new(client: Client, options: ImportOptions, journal: Option<Journal>) -> Self {
        let stats = Arc::new(Counters::default());
        let claimed = journal
            .iter()
            .flat_map(|journal| journal.deals())
            .map(Box::from)
            .collect();
        let probe = {
            use crate::ClientInfo as _;
            let mut policy = client.inner().clone();
            policy.retry.max_retries = 0;
            Client::new_with_client(client.baseurl(), client.client().clone(), policy)
        };
        Self {
            limiter: Limiter::new(options.concurrency.get(), stats.clone()),
            matcher: Mutex::new(Matcher::new(journal.as_ref())),
            probe,
            client,
            options,
            journal,
            contacts: Contacts::default(),
            stats,
            claimed: Mutex::new(claimed),
            seen: Mutex::default(),
            locks: Mutex::default(),
            stopped: OnceLock::new(),
            stopping: Notify::new(),
            failures: AtomicU32::new(0),
            probing: tokio::sync::Mutex::new(()),
        }
    }

    /// Stops sending: requests not yet sent are not, and whoever waits is
    /// woken. The first reason stays.
    pub(crate) fn stop(&self, why: Stopped) {
        let reason = why.to_string();
        if self.stopped.set(why).is_ok() {
            self.limiter.halt(&reason);
            self.stopping.notify_waiters();
        }
    }

    /// Why the import stopped sending, once it did.
    pub(crate) fn stopped(&self) -> Option<&Stopped> {
        self.stopped.get()
    }

    /// Why nothing more may be sent, as a sentence, once the import stopped.
    pub(crate) fn halted(&self) -> Option<&str> {
        self.limiter.halted()
    }

    /// Runs `work` unless the import stops first (`None` then).
    pub(crate) async fn unless_stopped<F: std::future::Future>(
        &self,
        work: F,
    ) -> Option<F::Output> {
        let stopping = self.stopping.notified();
        let mut stopping = std::pin::pin!(stopping);
        stopping.as_mut().enable();
        if self.stopped().is_some() {
            return None;
        }
        let work = std::pin::pin!(work);
        match futures::future::select(work, stopping).await {
            futures::future::Either::Left((output, _)) => Some(output),
            futures::future::Either::Right(_) => None,
        }
    }

    /// Waits `wait`, or less when the import stops meanwhile.
    pub(crate) async fn pause(&self, wait: Duration) {
        self.unless_stopped(tokio::time::sleep(wait)).await;
    }

    /// Counts what a request's result says of the API's health; after
    /// [`FAILURES_BEFORE_PROBE`] failures in a row, pauses, probes the API
    /// with one cheap read, and stops the import if it is still gone.
    pub(crate) async fn observe(&self, error: Option<&KinboxError>) {
        if !error.is_some_and(looks_gone) {
            self.failures.store(0, Ordering::Relaxed);
            return;
        }
        if self.failures.fetch_add(1, Ordering::Relaxed) + 1 < FAILURES_BEFORE_PROBE {
            return;
        }
        // One probe at a time; whoever comes meanwhile waits for its word.
        let Ok(_probing) = self.probing.try_lock() else {
            let _ = self.probing.lock().await;
            return;
        };
        if self.failures.load(Ordering::Relaxed) < FAILURES_BEFORE_PROBE || self.stopped().is_some()
        {
            return;
        }
        tracing::debug!("{FAILURES_BEFORE_PROBE} requests in a row failed; probing the API");
        self.pause(PROBE_PAUSE).await;
        if self.stopped().is_some() {
            return;
        }
        let probe = self.probe.list_pipelines().send();
        match tokio::time::timeout(PROBE_TIMEOUT, probe).await {
            Ok(Ok(_)) => self.failures.store(0, Ordering::Relaxed),
            Ok(Err(error)) if !looks_gone(&error) => self.failures.store(0, Ordering::Relaxed),
            Ok(Err(error)) => self.stop(Stopped::Unreachable(error.to_string())),
            Err(_) => self.stop(Stopped::Unreachable(format!(
                "no answer in {} s",
                PROBE_TIMEOUT.as_secs()
            ))),
        }
    }

    /// Attributes `deal` to the caller's row, unless another row has it.
    pub(crate) fn claim(&self, deal: &str) -> bool {
        self.claimed
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(deal.into())
    }

    /// Waits until no other row that would make the same deal is being sent
    /// or reconciled: otherwise a reconciliation could take the deal of an
    /// identical row whose answer has not arrived yet.
    pub(crate) async fn lock(&self, deal: &types::DealCreate) -> IdentityGuard<'_> {
        let identity = Identity::of(deal);
        let mutex = self
            .locks
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(identity)
            .or_default()
            .clone();
        let guard = mutex.lock_owned().await;
        IdentityGuard {
            shared: self,
            identity,
            guard: Some(guard),
        }
    }

    pub(crate) async fn record(&self, record: Record) -> Result<(), String> {
        match &self.journal {
            Some(journal) => journal.append(&record).await,
            None => Ok(()),
        }
    }
}

/// Whether `error` is what a request meets when the API is gone: no
/// connection, an answer lost, a 5xx. Any other answer (a 4xx, a 429) says
/// it is there.
fn looks_gone(error: &KinboxError) -> bool {
    match error {
        KinboxError::Network(_) | KinboxError::OutcomeUnknown { .. } => true,
        KinboxError::Api(_) => error.kind() == ErrorKind::Server,
        _ => false,
    }
}

/// What reconciliation tells deals apart by (contact, pipeline, stage, name
/// and value), hashed: rows whose hashes collide are merely sent one after
/// the other, and a hash spares each row copies of its strings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct Identity(u64);

impl Identity {
    fn of(deal: &types::DealCreate) -> Self {
        use std::hash::{BuildHasher, Hash, Hasher};
        // Fixed keys: the same identity in every task of the run.
        let mut hasher =
            std::hash::BuildHasherDefault::<std::hash::DefaultHasher>::default().build_hasher();
        deal.contact_id.hash(&mut hasher);
        deal.pipeline_id.hash(&mut hasher);
        deal.stage_id.hash(&mut hasher);
        deal.name.hash(&mut hasher);
        deal.value.to_bits().hash(&mut hasher);
        Self(hasher.finish())
    }
}

pub(crate) struct IdentityGuard<'a> {
    shared: &'a Shared,
    identity: Identity,
    guard: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl Drop for IdentityGuard<'_> {
    fn drop(&mut self) {
        drop(self.guard.take());
        let mut locks = self.shared.locks.lock().unwrap_or_else(|e| e.into_inner());
        // Only the map holds it: no row waits for it.
        if locks
            .get(&self.identity)
            .is_some_and(|mutex| Arc::strong_count(mutex) == 1)
        {
            locks.remove(&self.identity);
        }
    }
}

/// What a lookup is keyed by: the phone when the row has one, else the
/// e-mail, lowercased.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Key {
    Phone(Box<str>),
    Email(Box<str>),
}

/// The contacts of one run: one cell per key, filled once; the rows that
/// need a key while it is being looked up (or created) wait for that one
/// lookup. A lookup that fails leaves its cell empty, for the next row to
/// try again.
#[derive(Debug, Default)]
pub(crate) struct Contacts {
    pub(crate) cells: Mutex<HashMap<Key, Arc<OnceCell<Option<i64>>>>>,
}

#[cfg(test)]
mod tests {
    use futures::StreamExt;

    use crate::import::{FailureKind, ImportOptions, ImportRow, Importer, RowOutcome, Stopped};
    use crate::types::{CustomFieldsInput, DealCreate, DealStatus};
    use crate::{Client, ClientConfig, Token};

    fn row(line: u64) -> ImportRow {
        let deal: DealCreate = DealCreate::builder()
            .name(format!("Pedido {line}"))
            .value(10.0)
            .status(DealStatus::Open)
            .pipeline_id("65f0c0ffee0000000000aaaa")
            .stage_id("65f0c0ffee0000000000bbbb")
            .contact_id(1042)
            .custom_fields(CustomFieldsInput::default())
            .try_into()
            .unwrap();
        ImportRow {
            line,
            deal,
            contact: None,
        }
    }

    /// A client of a loopback port no one listens on: every connection is
    /// refused.
    fn client_of_a_closed_port() -> Client {
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", closed.local_addr().unwrap());
        drop(closed);
        ClientConfig::new(Token::new("token").unwrap())
            .base_url(url)
            .build()
            .unwrap()
    }

    /// An API that refuses every connection: the import probes it once,
    /// stops within seconds, and every row ends "not sent", where the first
    /// version tried each row 5 times with back-offs (1 min 44 s for 500).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_api_gone_stops_the_import_within_seconds_and_says_why() {
        let client = client_of_a_closed_port();
        let importer = Importer::new(client, ImportOptions::default().concurrency(4)).unwrap();
        let handle = importer.handle();
        let stats = importer.stats();
        let started = std::time::Instant::now();
        let rows = futures::stream::iter((1..=200).map(row));
        let outcomes: Vec<RowOutcome> = importer.run(rows).collect().await;

        // The pause before the probe, and the probe: about a second (a
        // loaded machine given room), where every row was tried 5 times.
        assert!(
            started.elapsed() < std::time::Duration::from_secs(8),
            "{:?}",
            started.elapsed()
        );
        // A few tries, not 5 for each of 200 rows.
        assert!(stats.requests() < 40, "{} requests", stats.requests());
        assert_eq!(outcomes.len(), 200);
        assert!(
            matches!(handle.stopped(), Some(Stopped::Unreachable(_))),
            "{:?}",
            handle.stopped()
        );
        let halted = outcomes
            .iter()
            .filter(|outcome| {
                matches!(
                    outcome,
                    RowOutcome::Failed {
                        kind: FailureKind::Halted,
                        ..
                    }
                )
            })
            .count();
        assert!(halted >= 190, "{outcomes:?}");
        let said = handle.stopped().unwrap().to_string();
        assert!(said.contains("could not be reached"), "{said}");
    }

    /// `ImportHandle::stop`: nothing more is sent, and rows waiting end at
    /// once.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_stopped_import_sends_nothing_more() {
        let client = client_of_a_closed_port();
        let importer = Importer::new(client, ImportOptions::default()).unwrap();
        let handle = importer.handle();
        handle.stop();
        let stats = importer.stats();
        let outcomes: Vec<RowOutcome> = importer
            .run(futures::stream::iter((1..=20).map(row)))
            .collect()
            .await;
        assert_eq!(stats.requests(), 0);
        assert_eq!(handle.stopped(), Some(Stopped::Interrupted));
        for outcome in outcomes {
            match outcome {
                RowOutcome::Failed {
                    kind: FailureKind::Halted,
                    error,
                    ..
                } => assert!(error.contains("interrupted"), "{error}"),
                other => panic!("{other:?}"),
            }
        }
    }
}
