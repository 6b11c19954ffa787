//! In-memory collections, one per resource, in id order.

use std::collections::BTreeMap;
use std::ops::Bound;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use crate::ids::ObjectIdGenerator;
use crate::resources::{Filter, Key};

pub(crate) type Object = Map<String, Value>;

/// One stored object.
///
/// It is kept as JSON text: a fraction of the memory of a `serde_json::Value`
/// tree (whose maps allocate room for eleven entries even when they hold
/// one), and written out as is. What lists filter on is read out once, when
/// the object is written, into `keys`.
#[derive(Debug)]
pub(crate) struct Record {
    pub(crate) json: Box<str>,
    /// The spec's `Deal` has no `createdAt`, yet lists filter on it.
    pub(crate) created_at: DateTime<Utc>,
    /// One per filter of the resource, in the same order.
    pub(crate) keys: Box<[Key]>,
}

/// The objects of one resource, keyed by id. Ids are fixed-width lowercase
/// hex and increasing, so the map's order is creation order.
#[derive(Debug)]
pub(crate) struct Collection {
    records: BTreeMap<String, Record>,
    ids: ObjectIdGenerator,
    filters: &'static [Filter],
}

/// One page of a list: at most `limit` objects (as JSON text), and the
/// cursor of the next page when there is one.
#[derive(Debug)]
pub(crate) struct Page {
    pub(crate) items: Vec<Box<str>>,
    pub(crate) next_cursor: Option<String>,
}

impl Collection {
    pub(crate) fn new(filters: &'static [Filter], machine_id: u64) -> Self {
        Self {
            records: BTreeMap::new(),
            ids: ObjectIdGenerator::new(machine_id),
            filters,
        }
    }

    /// Stores `object` under a new id (set as its `"id"`); returns its JSON.
    pub(crate) fn insert(&mut self, mut object: Object) -> Box<str> {
        let id = self.ids.next_id();
        object.insert("id".to_owned(), Value::String(id.clone()));
        let record = self.record(&object, Utc::now());
        let json = record.json.clone();
        self.records.insert(id, record);
        json
    }

    /// The object's JSON.
    pub(crate) fn get(&self, id: &str) -> Option<&str> {
        self.records.get(id).map(|record| &*record.json)
    }

    /// Replaces the top-level fields `patch` names, keeping the others and
    /// the id; returns the object's new JSON.
    pub(crate) fn merge(&mut self, id: &str, patch: Object) -> Option<Box<str>> {
        let record = self.records.get(id)?;
        let mut object: Object =
            serde_json::from_str(&record.json).expect("stored objects are JSON objects");
        for (field, value) in patch {
            if field != "id" {
                object.insert(field, value);
            }
        }
        let updated = self.record(&object, record.created_at);
        let json = updated.json.clone();
        self.records.insert(id.to_owned(), updated);
        Some(json)
    }

    pub(crate) fn remove(&mut self, id: &str) -> bool {
        self.records.remove(id).is_some()
    }

    pub(crate) fn len(&self) -> usize {
        self.records.len()
    }

    /// The objects after `cursor` (any string: ids compare as text, so a
    /// deleted object's id still works as a cursor) that `keep` accepts.
    pub(crate) fn page(
        &self,
        cursor: Option<&str>,
        limit: usize,
        keep: impl Fn(&Record) -> bool,
    ) -> Page {
        let after = cursor.map_or(Bound::Unbounded, Bound::Excluded);
        let mut matching = self
            .records
            .range::<str, _>((after, Bound::Unbounded))
            .filter(|(_, record)| keep(record));
        let mut items = Vec::with_capacity(limit.min(self.records.len()));
        let mut last_id = None;
        for (id, record) in matching.by_ref().take(limit) {
            items.push(record.json.clone());
            last_id = Some(id);
        }
        let next_cursor = match (last_id, matching.next()) {
            (Some(last), Some(_)) => Some(last.clone()),
            _ => None,
        };
        Page { items, next_cursor }
    }

    fn record(&self, object: &Object, created_at: DateTime<Utc>) -> Record {
        Record {
            json: serde_json::to_string(object)
                .expect("a JSON object always serializes")
                .into_boxed_str(),
            created_at,
            keys: self
                .filters
                .iter()
                .map(|filter| filter.key_of(object))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object(value: Value) -> Object {
        value.as_object().cloned().unwrap()
    }

    fn parse(json: &str) -> Value {
        serde_json::from_str(json).unwrap()
    }

    fn ids(page: &Page) -> Vec<String> {
        page.items
            .iter()
            .map(|o| parse(o)["id"].as_str().unwrap().to_owned())
            .collect()
    }

    fn id_of(json: &str) -> String {
        parse(json)["id"].as_str().unwrap().to_owned()
    }

    #[test]
    fn pages_follow_creation_order_and_end_with_no_cursor() {
        let mut collection = Collection::new(&[], 7);
        let created: Vec<String> = (0..5)
            .map(|n| id_of(&collection.insert(object(json!({"n": n})))))
            .collect();

        let first = collection.page(None, 2, |_| true);
        assert_eq!(ids(&first), created[0..2]);
        assert_eq!(first.next_cursor.as_deref(), Some(created[1].as_str()));

        let second = collection.page(first.next_cursor.as_deref(), 2, |_| true);
        assert_eq!(ids(&second), created[2..4]);

        let last = collection.page(second.next_cursor.as_deref(), 2, |_| true);
        assert_eq!(ids(&last), created[4..]);
        assert_eq!(last.next_cursor, None);
    }

    #[test]
    fn a_full_last_page_has_no_cursor() {
        let mut collection = Collection::new(&[], 7);
        for n in 0..4 {
            collection.insert(object(json!({"n": n})));
        }
        let page = collection.page(None, 4, |_| true);
        assert_eq!(page.items.len(), 4);
        assert_eq!(page.next_cursor, None);
    }

    #[test]
    fn the_cursor_looks_ahead_only_among_matching_objects() {
        let mut collection = Collection::new(&[], 7);
        for n in 0..6 {
            collection.insert(object(json!({"even": n % 2 == 0})));
        }
        let even = |record: &Record| parse(&record.json)["even"] == json!(true);
        let page = collection.page(None, 3, even);
        assert_eq!(page.items.len(), 3);
        assert_eq!(page.next_cursor, None);
    }

    #[test]
    fn merge_replaces_named_fields_keeps_the_id_and_refreshes_keys() {
        static FILTERS: [Filter; 1] = [Filter::Text {
            param: "status",
            pointer: "/status",
        }];
        let mut collection = Collection::new(&FILTERS, 7);
        let created = collection.insert(object(json!({"name": "a", "status": "open"})));
        let id = id_of(&created);
        let merged = collection
            .merge(&id, object(json!({"status": "won", "id": "forged"})))
            .unwrap();
        assert_eq!(
            parse(&merged),
            json!({"id": id, "name": "a", "status": "won"})
        );
        assert_eq!(collection.get(&id), Some(&*merged));
        let won = collection.page(None, 10, |r| r.keys[0] == Key::Text("won".into()));
        assert_eq!(won.items.len(), 1);
        assert!(collection.merge("unknown", Object::new()).is_none());
    }

    #[test]
    fn a_deleted_id_still_works_as_a_cursor() {
        let mut collection = Collection::new(&[], 7);
        let ids: Vec<String> = (0..3)
            .map(|_| id_of(&collection.insert(Object::new())))
            .collect();
        assert!(collection.remove(&ids[1]));
        assert!(!collection.remove(&ids[1]));
        let page = collection.page(Some(&ids[1]), 10, |_| true);
        assert_eq!(page.items.len(), 1);
        assert_eq!(id_of(&page.items[0]), ids[2]);
    }
}
