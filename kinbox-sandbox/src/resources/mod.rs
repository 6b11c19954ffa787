//! What the sandbox knows about each resource beyond the spec: which
//! operation does what, how a request body becomes a stored object, and how
//! list filters read. Everything else (routing, validation, storage, paging)
//! is shared, so a new resource is one file of this module plus its line in
//! [`routes`].

mod campaigns;
mod contacts;
mod custom_fields;
mod deals;
mod pipelines;
mod products;
mod sessions;
mod tags;

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::store::{Object, Record};
use crate::workspace::Workspace;

pub(crate) use campaigns::CAMPAIGNS;
pub(crate) use contacts::CONTACTS;
pub(crate) use custom_fields::CUSTOM_FIELDS;
pub(crate) use pipelines::PIPELINES;
pub(crate) use products::PRODUCTS;
pub(crate) use sessions::SESSIONS;
pub(crate) use tags::TAGS;

/// A collection the API exposes, e.g. deals.
#[derive(Debug)]
pub(crate) struct Resource {
    /// Singular, as messages say it: "deal".
    pub(crate) name: &'static str,
    pub(crate) ids: IdKind,
    /// Keys read from every stored object, each named by the parameter
    /// that selects by it: a list's query filter (`status`), a lookup's
    /// path parameter (`externalId`), or the field of [`Resource::unique`].
    pub(crate) filters: &'static [Filter],
    /// The filter whose value no two objects may share (a tag's name).
    pub(crate) unique: Option<&'static str>,
    /// The field that shows when an object was created, written on create.
    pub(crate) created_field: Option<&'static str>,
    /// A filter that names an object in its path when its id does not: a
    /// session answers to its numeric call id too.
    pub(crate) alias: Option<&'static str>,
    /// Turns a valid create body (unknown fields already dropped) into the
    /// object to store, e.g. `contactId` into `contact`.
    pub(crate) on_create: Hook,
    /// The same for an update body, before it is merged.
    pub(crate) on_update: Hook,
}

/// Reads the rest of the workspace (a deal's contact) to shape an object.
pub(crate) type Hook = fn(&mut Object, &Workspace);

/// A hook that leaves the body as it is.
pub(crate) const NO_CHANGE: Hook = |_, _| {};

/// How a resource's ids look.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum IdKind {
    /// 24 hex digits, like MongoDB's (deals, pipelines…).
    ObjectId,
    /// Integers counting up from `first` (contacts, tags, custom fields).
    Integer { first: i64 },
}

/// What an operation does to its resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Action {
    /// Cursor pagination: `limit`, `cursor`, filters; `{data, nextCursor}`.
    List,
    /// Every object at once, shaped as the spec says.
    All(Listing),
    Create,
    Get,
    /// The first object whose key (the filter of this path parameter)
    /// equals the path's value: a product by `externalId`.
    GetBy(&'static str),
    /// Merges the fields sent.
    Update,
    Delete,
    /// Sets one field, answering with the object: pausing a campaign.
    Set {
        field: &'static str,
        value: &'static str,
    },
    /// The leads of a campaign's sending chunks, an array.
    ChunkLeads,
}

/// How a list of every object is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Listing {
    /// `[...]`
    Array,
    /// `{"data": [...]}`
    Data,
}

/// One operation of the spec, by `operationId`.
#[derive(Debug)]
pub(crate) struct Route {
    pub(crate) operation_id: &'static str,
    pub(crate) resource: &'static Resource,
    pub(crate) action: Action,
}

/// Every operation the sandbox implements.
pub(crate) fn routes() -> impl Iterator<Item = &'static Route> {
    deals::ROUTES
        .iter()
        .chain(pipelines::ROUTES.iter())
        .chain(contacts::ROUTES.iter())
        .chain(custom_fields::ROUTES.iter())
        .chain(products::ROUTES.iter())
        .chain(tags::ROUTES.iter())
        .chain(campaigns::ROUTES.iter())
        .chain(sessions::ROUTES.iter())
}

/// Every resource, each once.
pub(crate) fn resources() -> Vec<&'static Resource> {
    let mut resources: Vec<&'static Resource> = Vec::new();
    for route in routes() {
        if !resources.iter().any(|r| std::ptr::eq(*r, route.resource)) {
            resources.push(route.resource);
        }
    }
    resources
}

pub(crate) fn route(operation_id: &str) -> Option<&'static Route> {
    routes().find(|route| route.operation_id == operation_id)
}

/// The filter of `resource` named `param`, with its slot among the keys.
pub(crate) fn filter_named(resource: &Resource, param: &str) -> Option<(usize, &'static Filter)> {
    resource
        .filters
        .iter()
        .enumerate()
        .find(|(_, filter)| filter.param() == param)
}

/// A route table for a resource: `route_table!(RESOURCE, "op" => Action, ...)`.
macro_rules! route_table {
    ($resource:expr, $($operation:literal => $action:expr),+ $(,)?) => {
        [$(crate::resources::Route {
            operation_id: $operation,
            resource: &$resource,
            action: $action,
        }),+]
    };
}
pub(crate) use route_table;

/// A list filter: the query parameter and what it compares.
#[derive(Debug)]
pub(crate) enum Filter {
    /// The string at `pointer` equals the parameter.
    Text {
        param: &'static str,
        pointer: &'static str,
    },
    /// The integer id at `pointer` (a number, or a numeric string as the
    /// spec's `IntegerId` allows) equals the parameter.
    IntegerId {
        param: &'static str,
        pointer: &'static str,
    },
    /// The object was created at or after (`Since`) / at or before (`Until`)
    /// the parameter's instant.
    Created { param: &'static str, bound: Bound },
    /// The date-time at `pointer` is at or after / at or before the
    /// parameter's instant; objects without one are left out.
    Instant {
        param: &'static str,
        pointer: &'static str,
        bound: Bound,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Bound {
    Since,
    Until,
}

impl Filter {
    pub(crate) fn param(&self) -> &'static str {
        match self {
            Filter::Text { param, .. }
            | Filter::IntegerId { param, .. }
            | Filter::Created { param, .. }
            | Filter::Instant { param, .. } => param,
        }
    }

    /// What this filter compares, read from an object when it is stored,
    /// so that a filtered list never parses stored objects.
    pub(crate) fn key_of(&self, object: &Object) -> Key {
        let field = |pointer: &str| pointer_in(object, pointer);
        let key = match self {
            Filter::Text { pointer, .. } => field(pointer)
                .and_then(Value::as_str)
                .map(|text| Key::Text(text.into())),
            Filter::IntegerId { pointer, .. } => {
                field(pointer).and_then(integer_of).map(Key::Integer)
            }
            Filter::Created { .. } => None,
            Filter::Instant { pointer, .. } => field(pointer)
                .and_then(Value::as_str)
                .and_then(|text| parse_instant(text).ok())
                .map(Key::Instant),
        };
        key.unwrap_or(Key::Missing)
    }

    /// Reads the parameter's text (already valid by the spec) into a test
    /// on records, for the filter at `slot` of its resource; `Err` says why
    /// the text cannot be used.
    pub(crate) fn criterion(&self, slot: usize, text: &str) -> Result<Criterion, String> {
        let test = match self {
            Filter::Text { .. } => Test::Equals(Key::Text(text.into())),
            Filter::IntegerId { .. } => Test::Equals(Key::Integer(
                parse_integer(text).ok_or_else(|| format!("`{text}` is not an integer"))?,
            )),
            Filter::Created { bound, .. } => Test::Created(*bound, parse_instant(text)?),
            Filter::Instant { bound, .. } => Test::Instant(*bound, parse_instant(text)?),
        };
        Ok(Criterion { slot, test })
    }
}

/// A stored object's value for one filter.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Key {
    Missing,
    Text(Box<str>),
    Integer(i128),
    Instant(DateTime<Utc>),
}

/// A filter with its parameter's value read.
#[derive(Debug)]
pub(crate) struct Criterion {
    /// Which of the record's keys it reads.
    slot: usize,
    test: Test,
}

#[derive(Debug)]
enum Test {
    Equals(Key),
    Created(Bound, DateTime<Utc>),
    Instant(Bound, DateTime<Utc>),
}

impl Criterion {
    pub(crate) fn accepts(&self, record: &Record) -> bool {
        let key = record.keys.get(self.slot).unwrap_or(&Key::Missing);
        match &self.test {
            Test::Equals(expected) => key == expected,
            Test::Created(bound, limit) => bound.holds(record.created_at, *limit),
            Test::Instant(bound, limit) => {
                matches!(key, Key::Instant(at) if bound.holds(*at, *limit))
            }
        }
    }
}

impl Bound {
    fn holds(self, at: DateTime<Utc>, limit: DateTime<Utc>) -> bool {
        match self {
            Bound::Since => at >= limit,
            Bound::Until => at <= limit,
        }
    }
}

fn pointer_in<'a>(object: &'a Object, pointer: &str) -> Option<&'a Value> {
    let (first, rest) = pointer
        .strip_prefix('/')?
        .split_once('/')
        .map_or((pointer.trim_start_matches('/'), None), |(a, b)| {
            (a, Some(b))
        });
    let value = object.get(first)?;
    match rest {
        Some(rest) => value.pointer(&format!("/{rest}")),
        None => Some(value),
    }
}

/// `42`, `"42"` and `42.0` are the same id; `i128` holds any JSON integer
/// serde_json reads exactly.
fn integer_of(value: &Value) -> Option<i128> {
    match value {
        Value::Number(number) => number_as_integer(number),
        Value::String(text) => parse_integer(text),
        _ => None,
    }
}

/// An integral number written as text: `42`, `42.0`, `4.2e1`.
pub(crate) fn parse_integer(text: &str) -> Option<i128> {
    number_as_integer(&serde_json::from_str::<serde_json::Number>(text.trim()).ok()?)
}

fn number_as_integer(number: &serde_json::Number) -> Option<i128> {
    if let Some(n) = number.as_i64() {
        return Some(n.into());
    }
    if let Some(n) = number.as_u64() {
        return Some(n.into());
    }
    let float = number.as_f64()?;
    // `as` saturates; the range check keeps saturated values out.
    (float.fract() == 0.0 && float.abs() < 1e38).then_some(float as i128)
}

/// RFC 3339, as the spec's `date-time` format.
pub(crate) fn parse_instant(text: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(text)
        .or_else(|_| DateTime::parse_from_rfc3339(&text.to_ascii_uppercase()))
        .map(|at| at.with_timezone(&Utc))
        .map_err(|e| {
            format!("`{text}` is not an RFC 3339 date-time ({e}), e.g. 2023-11-07T05:31:56Z")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_of_the_spec_is_implemented_and_every_route_exists_in_it() {
        let spec = kinbox_spec::spec();
        for operation in spec.operations() {
            assert!(
                route(&operation.id).is_some(),
                "the spec's `{}` has no route in kinbox-sandbox/src/resources",
                operation.id
            );
        }
        for route in routes() {
            assert!(
                spec.operation(route.operation_id).is_some(),
                "route `{}` is not an operation of the spec",
                route.operation_id
            );
        }
    }

    #[test]
    fn every_key_a_resource_names_is_one_of_its_filters() {
        for route in routes() {
            let resource = route.resource;
            let named = [
                resource.unique,
                resource.alias,
                match route.action {
                    Action::GetBy(param) => Some(param),
                    _ => None,
                },
            ];
            for param in named.into_iter().flatten() {
                assert!(
                    filter_named(resource, param).is_some(),
                    "`{param}` of `{}` is not a filter of {}",
                    route.operation_id,
                    resource.name
                );
            }
        }
        let names: Vec<&str> = resources().iter().map(|r| r.name).collect();
        let mut unique = names.clone();
        unique.dedup();
        assert_eq!(names.len(), unique.len(), "{names:?}");
    }

    #[test]
    fn lookups_by_path_parameter_name_a_parameter_of_their_operation() {
        let spec = kinbox_spec::spec();
        for route in routes() {
            if let Action::GetBy(param) = route.action {
                let operation = spec.operation(route.operation_id).unwrap();
                assert!(
                    operation
                        .parameters
                        .iter()
                        .any(|p| p.location == "path" && p.name == param),
                    "{} has no path parameter `{param}`",
                    route.operation_id
                );
            }
        }
    }

    #[test]
    fn every_query_parameter_of_every_list_is_applied() {
        let spec = kinbox_spec::spec();
        for route in routes().filter(|r| r.action == Action::List) {
            let operation = spec.operation(route.operation_id).unwrap();
            for parameter in operation
                .parameters
                .iter()
                .filter(|p| p.location == "query")
            {
                let handled = ["limit", "cursor"].contains(&parameter.name.as_str())
                    || route
                        .resource
                        .filters
                        .iter()
                        .any(|f| f.param() == parameter.name);
                assert!(
                    handled,
                    "`{}` of `{}` is not applied: add a Filter for it",
                    parameter.name, route.operation_id
                );
            }
        }
    }

    #[test]
    fn keys_are_read_once_and_compared_by_meaning() {
        let object = serde_json::json!({
            "status": "won", "contact": {"id": "42"}, "wonLostDate": "2024-01-01T09:00:00-03:00",
        });
        let object = object.as_object().unwrap();
        let filters = [
            Filter::Text {
                param: "status",
                pointer: "/status",
            },
            Filter::IntegerId {
                param: "contact_id",
                pointer: "/contact/id",
            },
            Filter::Instant {
                param: "won_lost_date_to",
                pointer: "/wonLostDate",
                bound: Bound::Until,
            },
            Filter::Created {
                param: "created_at_from",
                bound: Bound::Since,
            },
        ];
        let record = Record {
            json: "{}".into(),
            created_at: parse_instant("2024-06-01T00:00:00Z").unwrap(),
            keys: filters.iter().map(|f| f.key_of(object)).collect(),
        };
        let accepts = |slot: usize, text: &str| {
            filters[slot]
                .criterion(slot, text)
                .unwrap()
                .accepts(&record)
        };
        assert!(accepts(0, "won") && !accepts(0, "lost"));
        assert!(accepts(1, "42") && accepts(1, "42.0") && !accepts(1, "43"));
        assert!(accepts(2, "2024-01-01T12:00:00Z") && !accepts(2, "2024-01-01T11:59:59Z"));
        assert!(accepts(3, "2024-06-01T00:00:00Z") && !accepts(3, "2024-06-01T00:00:01Z"));
        assert!(filters[1].criterion(1, "x").is_err());
    }

    #[test]
    fn integers_read_the_same_whatever_their_spelling() {
        for text in ["42", "42.0", "4.2e1", " 42"] {
            assert_eq!(parse_integer(text), Some(42), "{text}");
        }
        assert_eq!(parse_integer("4.5"), None);
        assert_eq!(parse_integer("x"), None);
        assert_eq!(integer_of(&serde_json::json!("42")), Some(42));
    }

    #[test]
    fn instants_compare_across_offsets() {
        let utc = parse_instant("2024-01-01T12:00:00Z").unwrap();
        let brt = parse_instant("2024-01-01T09:00:00-03:00").unwrap();
        assert_eq!(utc, brt);
        assert!(parse_instant("2024-01-01t12:00:00z").is_ok());
        assert!(parse_instant("yesterday").is_err());
    }
}
