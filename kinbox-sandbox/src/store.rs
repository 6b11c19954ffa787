//! In-memory collections, one per resource, in id order.

use std::collections::BTreeMap;
use std::ops::Bound;

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Map, Value};

use crate::ids::ObjectIdGenerator;
use crate::resources::{Filter, IdKind, Key, Resource, parse_instant, parse_integer};

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

/// A stored object's id. Within a collection all ids are of one kind, and
/// their order is creation order, which cursor pagination relies on:
/// ObjectIds are fixed-width lowercase hex that grow, integers grow.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Id {
    Integer(i64),
    Text(Box<str>),
}

impl Id {
    fn to_json(&self) -> Value {
        match self {
            Id::Integer(n) => Value::from(*n),
            Id::Text(text) => Value::from(&**text),
        }
    }
}

/// Where new ids come from.
#[derive(Debug)]
enum IdSource {
    ObjectIds(ObjectIdGenerator),
    /// The next integer id; it stays above every id stored.
    Sequence(i64),
}

/// Why a write was refused.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum WriteError {
    NotFound,
    /// Another object already has this value of a unique field.
    Duplicate {
        field: &'static str,
        value: String,
    },
}

/// The objects of one resource, keyed by id.
#[derive(Debug)]
pub(crate) struct Collection {
    records: BTreeMap<Id, Record>,
    ids: IdSource,
    kind: IdKind,
    filters: &'static [Filter],
    /// The slot of the filter whose value no two objects share.
    unique: Option<usize>,
    created_field: Option<&'static str>,
}

/// One page of a list: at most `limit` objects (as JSON text), and the
/// cursor of the next page when there is one.
#[derive(Debug)]
pub(crate) struct Page {
    pub(crate) items: Vec<Box<str>>,
    pub(crate) next_cursor: Option<String>,
}

impl Collection {
    /// `machine_id` stands in for the random middle bytes of ObjectIds.
    pub(crate) fn new(resource: &'static Resource, machine_id: u64) -> Self {
        Self {
            records: BTreeMap::new(),
            ids: match resource.ids {
                IdKind::ObjectId => IdSource::ObjectIds(ObjectIdGenerator::new(machine_id)),
                IdKind::Integer { first } => IdSource::Sequence(first),
            },
            kind: resource.ids,
            filters: resource.filters,
            unique: resource
                .unique
                .and_then(|param| resource.filters.iter().position(|f| f.param() == param)),
            created_field: resource.created_field,
        }
    }

    /// The id a path or cursor names, if it can be one of this collection.
    pub(crate) fn id_of(&self, text: &str) -> Option<Id> {
        match self.kind {
            IdKind::ObjectId => Some(Id::Text(text.into())),
            IdKind::Integer { .. } => parse_integer(text)
                .and_then(|n| i64::try_from(n).ok())
                .map(Id::Integer),
        }
    }

    /// Stores `object` under a new id (set as its `"id"`); returns its JSON.
    pub(crate) fn insert(&mut self, object: Object) -> Result<Box<str>, WriteError> {
        self.check_unique(&object, None)?;
        let id = match &mut self.ids {
            IdSource::ObjectIds(ids) => Id::Text(ids.next_id().into()),
            IdSource::Sequence(next) => Id::Integer(*next),
        };
        self.put(id, object)
    }

    /// Stores `object` under the id it names (seed data); ids handed out
    /// later sort after it.
    pub(crate) fn insert_as(&mut self, id: Id, object: Object) -> Result<Box<str>, WriteError> {
        self.check_unique(&object, None)?;
        self.put(id, object)
    }

    fn put(&mut self, id: Id, mut object: Object) -> Result<Box<str>, WriteError> {
        if let (IdSource::Sequence(next), Id::Integer(n)) = (&mut self.ids, &id) {
            *next = (*next).max(n.saturating_add(1));
        }
        object.insert("id".to_owned(), id.to_json());
        // Seed data brings its creation instant; everything else is created now.
        let written = self
            .created_field
            .and_then(|field| object.get(field))
            .and_then(Value::as_str)
            .and_then(|text| parse_instant(text).ok());
        let created_at = written.unwrap_or_else(Utc::now);
        if let (Some(field), None) = (self.created_field, written) {
            object.insert(
                field.to_owned(),
                Value::from(created_at.to_rfc3339_opts(SecondsFormat::Millis, true)),
            );
        }
        let record = self.record(&object, created_at);
        let json = record.json.clone();
        self.records.insert(id, record);
        Ok(json)
    }

    /// The object's JSON.
    pub(crate) fn get(&self, id: &str) -> Option<&str> {
        self.records
            .get(&self.id_of(id)?)
            .map(|record| &*record.json)
    }

    /// The first object (in id order) that `keep` accepts.
    pub(crate) fn find(&self, keep: impl Fn(&Record) -> bool) -> Option<&str> {
        self.records
            .values()
            .find(|record| keep(record))
            .map(|record| &*record.json)
    }

    /// Every object, in id order.
    pub(crate) fn all(&self) -> impl Iterator<Item = &str> {
        self.records.values().map(|record| &*record.json)
    }

    /// Replaces the top-level fields `patch` names, keeping the others and
    /// the id; returns the object's new JSON.
    pub(crate) fn merge(&mut self, id: &str, patch: Object) -> Result<Box<str>, WriteError> {
        let id = self.id_of(id).ok_or(WriteError::NotFound)?;
        let record = self.records.get(&id).ok_or(WriteError::NotFound)?;
        let mut object: Object =
            serde_json::from_str(&record.json).expect("stored objects are JSON objects");
        for (field, value) in patch {
            if field != "id" {
                object.insert(field, value);
            }
        }
        self.check_unique(&object, Some(&id))?;
        let updated = self.record(&object, record.created_at);
        let json = updated.json.clone();
        self.records.insert(id, updated);
        Ok(json)
    }

    pub(crate) fn remove(&mut self, id: &str) -> bool {
        self.id_of(id)
            .is_some_and(|id| self.records.remove(&id).is_some())
    }

    pub(crate) fn len(&self) -> usize {
        self.records.len()
    }

    /// The objects after `cursor` that `keep` accepts. A cursor needs not
    /// name a stored object (ids compare by value, so a deleted object's id
    /// still works); one that cannot be an id of this collection has
    /// nothing after it.
    pub(crate) fn page(
        &self,
        cursor: Option<&str>,
        limit: usize,
        keep: impl Fn(&Record) -> bool,
    ) -> Page {
        let after = match cursor.map(|text| self.id_of(text)) {
            None => Bound::Unbounded,
            Some(Some(id)) => Bound::Excluded(id),
            Some(None) => {
                return Page {
                    items: Vec::new(),
                    next_cursor: None,
                };
            }
        };
        let mut matching = self
            .records
            .range((after, Bound::Unbounded))
            .filter(|(_, record)| keep(record));
        let mut items = Vec::with_capacity(limit.min(self.records.len()));
        let mut last_id = None;
        for (id, record) in matching.by_ref().take(limit) {
            items.push(record.json.clone());
            last_id = Some(id);
        }
        let next_cursor = match (last_id, matching.next()) {
            (Some(Id::Text(last)), Some(_)) => Some(last.to_string()),
            (Some(Id::Integer(last)), Some(_)) => Some(last.to_string()),
            _ => None,
        };
        Page { items, next_cursor }
    }

    /// `Err` when another object than `except` has the unique field's value.
    fn check_unique(&self, object: &Object, except: Option<&Id>) -> Result<(), WriteError> {
        let Some(slot) = self.unique else {
            return Ok(());
        };
        let filter = &self.filters[slot];
        let key = filter.key_of(object);
        if key == Key::Missing {
            return Ok(());
        }
        let taken = self
            .records
            .iter()
            .any(|(id, record)| Some(id) != except && record.keys[slot] == key);
        if taken {
            return Err(WriteError::Duplicate {
                field: filter.param(),
                value: match key {
                    Key::Text(text) => text.into(),
                    other => format!("{other:?}"),
                },
            });
        }
        Ok(())
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
    use crate::resources::NO_CHANGE;
    use serde_json::json;

    static PLAIN: Resource = Resource {
        name: "thing",
        ids: IdKind::ObjectId,
        filters: &[],
        unique: None,
        created_field: None,
        alias: None,
        on_create: NO_CHANGE,
        on_update: NO_CHANGE,
    };

    static NAMED: Resource = Resource {
        name: "tag",
        ids: IdKind::Integer { first: 1 },
        filters: &[Filter::Text {
            param: "name",
            pointer: "/name",
        }],
        unique: Some("name"),
        created_field: Some("createdAt"),
        alias: None,
        on_create: NO_CHANGE,
        on_update: NO_CHANGE,
    };

    fn object(value: Value) -> Object {
        value.as_object().cloned().unwrap()
    }

    fn parse(json: &str) -> Value {
        serde_json::from_str(json).unwrap()
    }

    fn ids(page: &Page) -> Vec<String> {
        page.items.iter().map(|o| id_of(o)).collect()
    }

    fn id_of(json: &str) -> String {
        match &parse(json)["id"] {
            Value::String(id) => id.clone(),
            other => other.to_string(),
        }
    }

    fn insert(collection: &mut Collection, value: Value) -> String {
        id_of(&collection.insert(object(value)).unwrap())
    }

    #[test]
    fn pages_follow_creation_order_and_end_with_no_cursor() {
        let mut collection = Collection::new(&PLAIN, 7);
        let created: Vec<String> = (0..5)
            .map(|n| insert(&mut collection, json!({"n": n})))
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
        let mut collection = Collection::new(&PLAIN, 7);
        for n in 0..4 {
            insert(&mut collection, json!({"n": n}));
        }
        let page = collection.page(None, 4, |_| true);
        assert_eq!(page.items.len(), 4);
        assert_eq!(page.next_cursor, None);
    }

    #[test]
    fn the_cursor_looks_ahead_only_among_matching_objects() {
        let mut collection = Collection::new(&PLAIN, 7);
        for n in 0..6 {
            insert(&mut collection, json!({"even": n % 2 == 0}));
        }
        let even = |record: &Record| parse(&record.json)["even"] == json!(true);
        let page = collection.page(None, 3, even);
        assert_eq!(page.items.len(), 3);
        assert_eq!(page.next_cursor, None);
    }

    #[test]
    fn merge_replaces_named_fields_keeps_the_id_and_refreshes_keys() {
        static STATUS: Resource = Resource {
            filters: &[Filter::Text {
                param: "status",
                pointer: "/status",
            }],
            ..PLAIN
        };
        let mut collection = Collection::new(&STATUS, 7);
        let id = insert(&mut collection, json!({"name": "a", "status": "open"}));
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
        assert_eq!(
            collection.merge("unknown", Object::new()),
            Err(WriteError::NotFound)
        );
    }

    #[test]
    fn a_deleted_id_still_works_as_a_cursor() {
        let mut collection = Collection::new(&PLAIN, 7);
        let ids: Vec<String> = (0..3).map(|_| insert(&mut collection, json!({}))).collect();
        assert!(collection.remove(&ids[1]));
        assert!(!collection.remove(&ids[1]));
        let page = collection.page(Some(&ids[1]), 10, |_| true);
        assert_eq!(page.items.len(), 1);
        assert_eq!(id_of(&page.items[0]), ids[2]);
    }

    #[test]
    fn integer_ids_count_up_after_seeded_ones_and_page_numerically() {
        let mut collection = Collection::new(&NAMED, 7);
        collection
            .insert_as(Id::Integer(9), object(json!({"name": "seeded"})))
            .unwrap();
        let created: Vec<String> = ["a", "b", "c"]
            .iter()
            .map(|name| insert(&mut collection, json!({"name": name})))
            .collect();
        assert_eq!(created, ["10", "11", "12"]);
        assert_eq!(parse(collection.get("10").unwrap())["id"], json!(10));
        assert!(collection.get("10.0").is_some(), "the same integer");
        assert!(collection.get("x").is_none());
        let page = collection.page(Some("9"), 2, |_| true);
        assert_eq!(ids(&page), ["10", "11"]);
        assert_eq!(page.next_cursor.as_deref(), Some("11"));
        assert!(collection.page(Some("x"), 10, |_| true).items.is_empty());
        assert_eq!(collection.all().count(), 4);
    }

    #[test]
    fn a_unique_field_refuses_a_second_object_with_the_same_value() {
        let mut collection = Collection::new(&NAMED, 1);
        let first = insert(&mut collection, json!({"name": "VIP"}));
        let second = insert(&mut collection, json!({"name": "Novo"}));
        let duplicate = WriteError::Duplicate {
            field: "name",
            value: "VIP".into(),
        };
        assert_eq!(
            collection.insert(object(json!({"name": "VIP"}))),
            Err(duplicate.clone())
        );
        assert_eq!(
            collection.merge(&second, object(json!({"name": "VIP"}))),
            Err(duplicate)
        );
        assert!(
            collection
                .merge(&first, object(json!({"name": "VIP", "color": "#f00"})))
                .is_ok()
        );
        assert_eq!(collection.len(), 2);
        assert_eq!(insert(&mut collection, json!({"color": "no name"})), "3");
    }

    #[test]
    fn the_creation_instant_is_written_unless_the_object_brings_one() {
        let mut collection = Collection::new(&NAMED, 1);
        let seeded = collection
            .insert(object(
                json!({"name": "a", "createdAt": "2024-03-01T12:00:00Z"}),
            ))
            .unwrap();
        assert_eq!(parse(&seeded)["createdAt"], "2024-03-01T12:00:00Z");
        let now = parse(&collection.insert(object(json!({"name": "b"}))).unwrap());
        assert!(parse_instant(now["createdAt"].as_str().unwrap()).is_ok());
        let found = collection
            .find(|r| r.keys[0] == Key::Text("b".into()))
            .unwrap();
        assert_eq!(parse(found), now);
    }
}
