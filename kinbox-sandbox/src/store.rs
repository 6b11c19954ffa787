//! In-memory collections of JSON objects, one per resource, in id order.

use std::collections::BTreeMap;
use std::ops::Bound;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use crate::ids::ObjectIdGenerator;

pub(crate) type Object = Map<String, Value>;

/// One stored object and what the server knows about it that the API does
/// not show (the spec's `Deal` has no `createdAt`, yet lists filter on it).
#[derive(Debug)]
pub(crate) struct Record {
    pub(crate) object: Object,
    pub(crate) created_at: DateTime<Utc>,
}

/// The objects of one resource, keyed by id. Ids are fixed-width lowercase
/// hex and increasing, so the map's order is creation order.
#[derive(Debug)]
pub(crate) struct Collection {
    records: BTreeMap<String, Record>,
    ids: ObjectIdGenerator,
}

/// One page of a list: at most `limit` objects, and the cursor of the next
/// page when there is one.
#[derive(Debug)]
pub(crate) struct Page {
    pub(crate) items: Vec<Object>,
    pub(crate) next_cursor: Option<String>,
}

impl Collection {
    pub(crate) fn new(machine_id: u64) -> Self {
        Self {
            records: BTreeMap::new(),
            ids: ObjectIdGenerator::new(machine_id),
        }
    }

    /// Stores `object` under a new id (set as its `"id"`) and returns it.
    pub(crate) fn insert(&mut self, mut object: Object) -> Object {
        let id = self.ids.next_id();
        object.insert("id".to_owned(), Value::String(id.clone()));
        let record = Record {
            object: object.clone(),
            created_at: Utc::now(),
        };
        self.records.insert(id, record);
        object
    }

    pub(crate) fn get(&self, id: &str) -> Option<&Record> {
        self.records.get(id)
    }

    /// Replaces the top-level fields `patch` names, keeping the others and the id.
    pub(crate) fn merge(&mut self, id: &str, patch: Object) -> Option<Object> {
        let record = self.records.get_mut(id)?;
        for (field, value) in patch {
            if field != "id" {
                record.object.insert(field, value);
            }
        }
        Some(record.object.clone())
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
            .map(|(_, record)| record)
            .filter(|record| keep(record));
        let items: Vec<Object> = matching
            .by_ref()
            .take(limit)
            .map(|record| record.object.clone())
            .collect();
        let next_cursor = match (items.last(), matching.next()) {
            (Some(last), Some(_)) => last.get("id").and_then(Value::as_str).map(str::to_owned),
            _ => None,
        };
        Page { items, next_cursor }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object(value: Value) -> Object {
        value.as_object().cloned().unwrap()
    }

    fn ids(page: &Page) -> Vec<&str> {
        page.items
            .iter()
            .map(|o| o["id"].as_str().unwrap())
            .collect()
    }

    #[test]
    fn pages_follow_creation_order_and_end_with_no_cursor() {
        let mut collection = Collection::new(7);
        let created: Vec<String> = (0..5)
            .map(|n| {
                collection.insert(object(json!({"n": n})))["id"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect();

        let first = collection.page(None, 2, |_| true);
        assert_eq!(ids(&first), [&created[0], &created[1]]);
        assert_eq!(first.next_cursor.as_deref(), Some(created[1].as_str()));

        let second = collection.page(first.next_cursor.as_deref(), 2, |_| true);
        assert_eq!(ids(&second), [&created[2], &created[3]]);

        let last = collection.page(second.next_cursor.as_deref(), 2, |_| true);
        assert_eq!(ids(&last), [&created[4]]);
        assert_eq!(last.next_cursor, None);
    }

    #[test]
    fn a_full_last_page_has_no_cursor() {
        let mut collection = Collection::new(7);
        for n in 0..4 {
            collection.insert(object(json!({"n": n})));
        }
        let page = collection.page(None, 4, |_| true);
        assert_eq!(page.items.len(), 4);
        assert_eq!(page.next_cursor, None);
    }

    #[test]
    fn the_cursor_looks_ahead_only_among_matching_objects() {
        let mut collection = Collection::new(7);
        for n in 0..6 {
            collection.insert(object(json!({"even": n % 2 == 0})));
        }
        let even = |record: &Record| record.object["even"] == json!(true);
        let page = collection.page(None, 3, even);
        assert_eq!(page.items.len(), 3);
        assert_eq!(page.next_cursor, None);
    }

    #[test]
    fn merge_replaces_named_fields_and_keeps_the_id() {
        let mut collection = Collection::new(7);
        let created = collection.insert(object(json!({"name": "a", "value": 1})));
        let id = created["id"].as_str().unwrap();
        let merged = collection
            .merge(id, object(json!({"value": 2, "id": "forged"})))
            .unwrap();
        assert_eq!(merged, object(json!({"id": id, "name": "a", "value": 2})));
        assert!(collection.merge("unknown", Object::new()).is_none());
    }

    #[test]
    fn a_deleted_id_still_works_as_a_cursor() {
        let mut collection = Collection::new(7);
        let ids: Vec<String> = (0..3)
            .map(|_| {
                collection.insert(Object::new())["id"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect();
        assert!(collection.remove(&ids[1]));
        assert!(!collection.remove(&ids[1]));
        let page = collection.page(Some(&ids[1]), 10, |_| true);
        assert_eq!(page.items.len(), 1);
        assert_eq!(page.items[0]["id"], ids[2]);
    }
}
