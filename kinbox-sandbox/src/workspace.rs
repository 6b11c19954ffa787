//! The data of one sandbox: a collection per resource, and what the
//! resources read of each other.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::ids::ObjectIdGenerator;
use crate::resources::{self, Resource};
use crate::store::{Collection, Object};

pub(crate) struct Workspace {
    collections: HashMap<&'static str, RwLock<Collection>>,
    /// Ids of objects inside others: a pipeline's stages.
    inner_ids: Mutex<ObjectIdGenerator>,
    /// Each campaign's chunk leads, as a JSON array, by campaign id. Only
    /// seeded campaigns have some: the API offers no way to add them.
    chunk_leads: HashMap<String, Box<str>>,
    /// Objects stored, of every resource: kept here rather than summed
    /// from the collections so that a create checks the limit without
    /// locking them all.
    stored: AtomicUsize,
    max_objects: usize,
}

/// A place for one more object, taken by [`Workspace::reserve_object`]:
/// given back when dropped, unless [`kept`](Reserved::keep).
pub(crate) struct Reserved<'a> {
    stored: &'a AtomicUsize,
}

impl Reserved<'_> {
    /// The object was stored: the place stays taken.
    pub(crate) fn keep(self) {
        std::mem::forget(self);
    }
}

impl Drop for Reserved<'_> {
    fn drop(&mut self) {
        self.stored.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Workspace {
    /// No objects at all. `seed` picks the middle bytes of ObjectIds, as
    /// in real ids they are random: two sandboxes with one seed agree.
    pub(crate) fn empty(seed: u64) -> Self {
        let machine = |n: u64| ChaCha8Rng::seed_from_u64(seed.wrapping_add(n)).random();
        let all = resources::resources();
        let collections = all
            .iter()
            .enumerate()
            .map(|(n, resource)| {
                (
                    resource.name,
                    RwLock::new(Collection::new(resource, machine(n as u64))),
                )
            })
            .collect();
        Self {
            collections,
            inner_ids: Mutex::new(ObjectIdGenerator::new(machine(all.len() as u64))),
            chunk_leads: HashMap::new(),
            stored: AtomicUsize::new(0),
            max_objects: crate::config::Limits::DEFAULT_MAX_OBJECTS,
        }
    }

    /// At most `max` objects, counting those stored already (the seed).
    pub(crate) fn with_max_objects(mut self, max: usize) -> Self {
        self.max_objects = max;
        *self.stored.get_mut() = self.counts().values().sum();
        self
    }

    pub(crate) fn max_objects(&self) -> usize {
        self.max_objects
    }

    /// A place for a new object, or `None` when `max_objects` are stored.
    pub(crate) fn reserve_object(&self) -> Option<Reserved<'_>> {
        self.stored
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |stored| {
                (stored < self.max_objects).then_some(stored + 1)
            })
            .ok()
            .map(|_| Reserved {
                stored: &self.stored,
            })
    }

    /// Deletes the object with this id, if there is one, and gives its
    /// place back.
    pub(crate) fn remove(&self, resource: &Resource, id: &str) -> bool {
        let removed = self.write(resource).remove(id);
        if removed {
            self.stored.fetch_sub(1, Ordering::AcqRel);
        }
        removed
    }

    /// The collection of `resource`, to read. A panic while a lock was held
    /// leaves plain data behind, still usable.
    pub(crate) fn read(&self, resource: &Resource) -> RwLockReadGuard<'_, Collection> {
        self.collections[resource.name]
            .read()
            .unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn write(&self, resource: &Resource) -> RwLockWriteGuard<'_, Collection> {
        self.collections[resource.name]
            .write()
            .unwrap_or_else(|e| e.into_inner())
    }

    /// The stored object with this id, parsed.
    pub(crate) fn object(&self, resource: &Resource, id: &str) -> Option<Object> {
        let collection = self.read(resource);
        serde_json::from_str(collection.get(id)?).ok()
    }

    /// A new id for an object inside another (a stage of a pipeline).
    pub(crate) fn inner_id(&self) -> String {
        self.inner_ids
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .next_id()
    }

    pub(crate) fn chunk_leads(&self, campaign_id: &str) -> &str {
        self.chunk_leads
            .get(campaign_id)
            .map_or("[]", |leads| leads)
    }

    pub(crate) fn set_chunk_leads(&mut self, campaign_id: &str, leads: Box<str>) {
        self.chunk_leads.insert(campaign_id.to_owned(), leads);
    }

    /// How many objects of each resource are stored.
    pub(crate) fn counts(&self) -> BTreeMap<&'static str, usize> {
        self.collections
            .iter()
            .map(|(name, c)| (*name, c.read().unwrap_or_else(|e| e.into_inner()).len()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_place_for_an_object_is_given_back_unless_kept() {
        let workspace = Workspace::empty(0).with_max_objects(2);
        let refused = workspace.reserve_object().unwrap();
        workspace.reserve_object().unwrap().keep();
        assert!(workspace.reserve_object().is_none(), "two places taken");
        // A create refused after reserving (a duplicate, say) frees its place.
        drop(refused);
        workspace.reserve_object().unwrap().keep();
        assert!(workspace.reserve_object().is_none());
        // Deleting frees one; deleting nothing frees none.
        let tags = resources::resources()
            .into_iter()
            .find(|r| r.name == "tag")
            .unwrap();
        assert!(!workspace.remove(tags, "404"));
        assert!(workspace.reserve_object().is_none());
    }

    #[test]
    fn the_seeded_objects_count() {
        let mut workspace = Workspace::empty(0);
        crate::seed::populate(&mut workspace);
        let seeded: usize = workspace.counts().values().sum();
        let workspace = workspace.with_max_objects(seeded + 1);
        workspace.reserve_object().unwrap().keep();
        assert!(workspace.reserve_object().is_none());
    }
}
