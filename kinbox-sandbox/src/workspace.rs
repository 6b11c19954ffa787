//! The data of one sandbox: a collection per resource, and what the
//! resources read of each other.

use std::collections::{BTreeMap, HashMap};
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
        }
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
