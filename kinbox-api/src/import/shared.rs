//! What the rows of one import share: the client and options, the
//! limiter, the journal, the contacts found so far, the deals claimed, and
//! the locks that keep identical rows apart. Its own module, so that the
//! row's steps (`engine`, `contacts`, `reconcile`) depend on it and not on
//! one another.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use tokio::sync::OnceCell;

use super::ImportOptions;
use super::journal::{Journal, Record};
use super::limiter::{Counters, Limiter};
use crate::{Client, types};

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
}

impl Shared {
    pub(crate) fn new(client: Client, options: ImportOptions, journal: Option<Journal>) -> Self {
        let stats = Arc::new(Counters::default());
        let claimed = journal
            .iter()
            .flat_map(|journal| journal.deals())
            .map(Box::from)
            .collect();
        Self {
            limiter: Limiter::new(options.concurrency.get(), stats.clone()),
            client,
            options,
            journal,
            contacts: Contacts::default(),
            stats,
            claimed: Mutex::new(claimed),
            seen: Mutex::default(),
            locks: Mutex::default(),
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
