//! What each [`Action`] does to the workspace, once the request is known
//! to be valid.

use axum::http::StatusCode;
use serde_json::{Map, Value};

use crate::error::ApiError;
use crate::resources::{self, Action, Criterion, Listing, Resource, Route};
use crate::store::{Object, WriteError};
use crate::validation::Query;
use crate::workspace::Workspace;

/// A valid request, as an action needs it.
pub(crate) struct Request<'a> {
    /// The last path parameter: the object's id or lookup key; empty for
    /// collection paths.
    pub(crate) id: &'a str,
    pub(crate) query: &'a Query,
    /// The body, unknown fields dropped; empty when there is none.
    pub(crate) object: Object,
    pub(crate) default_limit: usize,
}

/// The success body.
pub(crate) enum Reply {
    Json(String),
    Empty,
}

pub(crate) fn perform(
    route: &Route,
    workspace: &Workspace,
    request: Request<'_>,
) -> Result<Reply, ApiError> {
    let resource = route.resource;
    let Request {
        id,
        query,
        mut object,
        default_limit,
    } = request;
    let not_found = || ApiError::not_found(resource.name, id);
    let json = match route.action {
        Action::List => list(workspace, resource, query, default_limit)?,
        Action::All(listing) => all(workspace, resource, listing),
        Action::Create => {
            let reserved = workspace
                .reserve_object()
                .ok_or_else(|| full(workspace.max_objects()))?;
            (resource.on_create)(&mut object, workspace);
            let created = workspace.write(resource).insert(object);
            let created = created.map_err(|e| write_error(resource, id, e))?;
            reserved.keep();
            created.into()
        }
        Action::Get => get(workspace, resource, id).ok_or_else(not_found)?,
        Action::GetBy(param) => {
            let (slot, filter) = resources::filter_named(resource, param)
                .expect("a lookup names a filter of its resource");
            let criterion = filter.criterion(slot, id);
            let collection = workspace.read(resource);
            let found = criterion
                .ok()
                .and_then(|c| collection.find(|record| c.accepts(record)))
                .map(str::to_owned);
            found.ok_or_else(|| {
                ApiError::new(
                    StatusCode::NOT_FOUND,
                    format!("no {} has {param} `{id}`", resource.name),
                )
            })?
        }
        Action::Update => {
            (resource.on_update)(&mut object, workspace);
            let updated = workspace.write(resource).merge(id, object);
            updated.map_err(|e| write_error(resource, id, e))?.into()
        }
        Action::Delete => {
            if !workspace.remove(resource, id) {
                return Err(not_found());
            }
            return Ok(Reply::Empty);
        }
        Action::Set { field, value } => {
            let patch = Map::from_iter([(field.to_owned(), Value::from(value))]);
            let updated = workspace.write(resource).merge(id, patch);
            updated.map_err(|e| write_error(resource, id, e))?.into()
        }
        Action::ChunkLeads => {
            if workspace.read(resource).get(id).is_none() {
                return Err(not_found());
            }
            workspace.chunk_leads(id).to_owned()
        }
    };
    Ok(Reply::Json(json))
}

/// The object by id, or else by the resource's alias (a session's call id).
fn get(workspace: &Workspace, resource: &Resource, id: &str) -> Option<String> {
    let collection = workspace.read(resource);
    if let Some(found) = collection.get(id) {
        return Some(found.to_owned());
    }
    let (slot, filter) = resources::filter_named(resource, resource.alias?)?;
    let criterion = filter.criterion(slot, id).ok()?;
    collection
        .find(|record| criterion.accepts(record))
        .map(str::to_owned)
}

/// Memory, not the API, sets this limit: 507, which the description
/// documents for every operation as a `5XX` with its `Error` body. Not a
/// 429: a client would wait and retry a create that cannot succeed until
/// something is deleted.
fn full(max_objects: usize) -> ApiError {
    ApiError::new(
        StatusCode::INSUFFICIENT_STORAGE,
        format!(
            "the sandbox stores at most {max_objects} objects and holds that many; nothing was \
             created: delete some, or start it with a higher limit (--max-objects, or \
             SandboxBuilder::max_objects)"
        ),
    )
}

fn write_error(resource: &Resource, id: &str, error: WriteError) -> ApiError {
    match error {
        WriteError::NotFound => ApiError::not_found(resource.name, id),
        WriteError::Duplicate { field, value } => ApiError::new(
            StatusCode::CONFLICT,
            format!(
                "another {} already has the {field} `{value}`; {field}s are unique in the workspace",
                resource.name
            ),
        ),
    }
}

/// `[...]` or `{"data": [...]}`, written from the stored JSON.
fn all(workspace: &Workspace, resource: &Resource, listing: Listing) -> String {
    let collection = workspace.read(resource);
    let (open, close) = match listing {
        Listing::Array => ("[", "]"),
        Listing::Data => (r#"{"data":["#, "]}"),
    };
    let mut json = String::from(open);
    for (n, item) in collection.all().enumerate() {
        if n > 0 {
            json.push(',');
        }
        json.push_str(item);
    }
    json.push_str(close);
    json
}

/// `{"data": [...], "nextCursor": ...}`, written from the stored JSON.
fn list(
    workspace: &Workspace,
    resource: &Resource,
    query: &Query,
    default_limit: usize,
) -> Result<String, ApiError> {
    let limit = query
        .get("limit")
        .and_then(resources::parse_integer)
        .and_then(|n| usize::try_from(n).ok())
        .unwrap_or(default_limit);
    let criteria = resource
        .filters
        .iter()
        .enumerate()
        .filter_map(|(slot, filter)| Some((slot, filter, query.get(filter.param())?)))
        .map(|(slot, filter, text)| {
            filter.criterion(slot, text).map_err(|message| {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "a filter cannot be read")
                    .with_violations(vec![kinbox_spec::Violation {
                        path: format!("query.{}", filter.param()),
                        message,
                    }])
            })
        })
        .collect::<Result<Vec<Criterion>, ApiError>>()?;
    let page = workspace
        .read(resource)
        .page(query.get("cursor"), limit, |record| {
            criteria.iter().all(|criterion| criterion.accepts(record))
        });
    let mut json =
        String::with_capacity(32 + page.items.iter().map(|i| i.len() + 1).sum::<usize>());
    json.push_str(r#"{"data":["#);
    for (n, item) in page.items.iter().enumerate() {
        if n > 0 {
            json.push(',');
        }
        json.push_str(item);
    }
    json.push_str(r#"],"nextCursor":"#);
    json.push_str(&Value::from(page.next_cursor).to_string());
    json.push('}');
    Ok(json)
}
