//! The HTTP surface: one route per operation of the spec, each running the
//! same steps (token, query, body, then the resource action).

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, RwLock};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, MethodRouter};
use kinbox_spec::{Operation, Spec};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::Value;

use crate::auth::TokenPolicy;
use crate::error::{ApiError, json_text_response};
use crate::resources::{self, Action, Criterion, Resource, Route};
use crate::store::Collection;
use crate::validation::{Query, RequestRules};

/// What every request can reach: the token policy and the data.
pub(crate) struct AppState {
    tokens: TokenPolicy,
    collections: HashMap<&'static str, RwLock<Collection>>,
}

impl AppState {
    pub(crate) fn new(tokens: TokenPolicy, seed: u64) -> Self {
        let collections = resources::resources()
            .into_iter()
            .enumerate()
            .map(|(n, resource)| {
                // The middle bytes of an ObjectId are random; drawn from the
                // seed so that two sandboxes with one seed agree on them.
                let machine = ChaCha8Rng::seed_from_u64(seed.wrapping_add(n as u64)).random();
                (
                    resource.name,
                    RwLock::new(Collection::new(resource.filters, machine)),
                )
            })
            .collect();
        Self {
            tokens,
            collections,
        }
    }

    fn collection(&self, resource: &Resource) -> &RwLock<Collection> {
        &self.collections[resource.name]
    }

    /// How many objects of each resource are stored.
    pub(crate) fn counts(&self) -> BTreeMap<&'static str, usize> {
        self.collections
            .iter()
            .map(|(name, c)| (*name, c.read().unwrap_or_else(|e| e.into_inner()).len()))
            .collect()
    }
}

/// One operation, ready to serve.
struct Endpoint {
    route: Option<&'static Route>,
    operation_id: String,
    rules: RequestRules,
    success: StatusCode,
    default_limit: usize,
}

/// Routes every operation of `spec` to its resource action.
pub(crate) fn router(spec: &Spec, state: Arc<AppState>) -> Router {
    let mut paths: BTreeMap<String, (MethodRouter<Arc<AppState>>, Vec<String>)> = BTreeMap::new();
    for operation in spec.operations() {
        let endpoint = Arc::new(Endpoint::new(spec, operation));
        if endpoint.route.is_none() {
            tracing::warn!(operation = %operation.id, "not implemented by the sandbox; it will answer 501");
        }
        let method = Method::from_bytes(operation.method.as_bytes())
            .expect("the spec's methods are HTTP methods");
        let filter = MethodFilter::try_from(method).expect("the spec's methods are routable");
        let handler = move |State(state): State<Arc<AppState>>,
                            path: Result<Path<Vec<(String, String)>>, PathRejection>,
                            RawQuery(query): RawQuery,
                            headers: HeaderMap,
                            body: Result<Bytes, BytesRejection>| async move {
            endpoint
                .respond(&state, path, query, &headers, body)
                .unwrap_or_else(IntoResponse::into_response)
        };
        let (methods, allowed) = paths.entry(operation.path.clone()).or_default();
        *methods = std::mem::take(methods).on(filter, handler);
        allowed.push(operation.method.clone());
    }
    let mut router = Router::new();
    for (path, (methods, allowed)) in paths {
        let allow = allowed.join(", ");
        router = router.route(
            &path,
            methods
                .fallback(move |method: Method| async move { method_not_allowed(&method, &allow) }),
        );
    }
    router.fallback(no_such_path).with_state(state)
}

impl Endpoint {
    fn new(spec: &Spec, operation: &Operation) -> Self {
        let default_limit = operation
            .parameters
            .iter()
            .find(|p| p.name == "limit" && p.location == "query")
            .and_then(|p| p.schema.get("default"))
            .and_then(Value::as_u64)
            .unwrap_or(10);
        Self {
            route: resources::route(&operation.id),
            operation_id: operation.id.clone(),
            rules: RequestRules::new(spec, operation),
            success: StatusCode::from_u16(operation.success_status).unwrap_or(StatusCode::OK),
            default_limit: usize::try_from(default_limit).unwrap_or(10),
        }
    }

    fn respond(
        &self,
        state: &AppState,
        path: Result<Path<Vec<(String, String)>>, PathRejection>,
        query: Option<String>,
        headers: &HeaderMap,
        body: Result<Bytes, BytesRejection>,
    ) -> Result<Response, ApiError> {
        state.tokens.check(headers)?;
        let Some(route) = self.route else {
            return Err(ApiError::new(
                StatusCode::NOT_IMPLEMENTED,
                format!(
                    "`{}` is in the API description but not in kinbox-sandbox yet",
                    self.operation_id
                ),
            ));
        };
        let Path(path) = path.map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, e.body_text()))?;
        let body = body.map_err(|e| {
            ApiError::new(
                e.status(),
                format!("the body could not be read: {}", e.body_text()),
            )
        })?;
        let query = self.rules.query(query.as_deref())?;
        let mut object = self.rules.body(headers, &body)?;
        // Item paths end with the item's id (`/v1/deals/{id}`).
        let id = path.last().map(|(_, id)| id.as_str()).unwrap_or_default();
        let resource = route.resource;
        let collection = state.collection(resource);
        match route.action {
            Action::List => {
                let page = self.list(collection, &query, resource)?;
                Ok(json_text_response(self.success, page))
            }
            Action::Create => {
                (resource.on_create)(&mut object);
                let created = write(collection).insert(object);
                Ok(json_text_response(self.success, String::from(created)))
            }
            Action::Get => {
                let found = read(collection)
                    .get(id)
                    .map(str::to_owned)
                    .ok_or_else(|| ApiError::not_found(resource.name, id))?;
                Ok(json_text_response(self.success, found))
            }
            Action::Update => {
                (resource.on_update)(&mut object);
                let updated = write(collection)
                    .merge(id, object)
                    .ok_or_else(|| ApiError::not_found(resource.name, id))?;
                Ok(json_text_response(self.success, String::from(updated)))
            }
            Action::Delete => {
                if !write(collection).remove(id) {
                    return Err(ApiError::not_found(resource.name, id));
                }
                // The spec documents no body for a deletion.
                let mut response = Response::new(Body::empty());
                *response.status_mut() = self.success;
                Ok(response)
            }
        }
    }

    /// `{"data": [...], "nextCursor": ...}`, written from the stored JSON.
    fn list(
        &self,
        collection: &RwLock<Collection>,
        query: &Query,
        resource: &Resource,
    ) -> Result<String, ApiError> {
        let limit = query
            .get("limit")
            .and_then(resources::parse_integer)
            .and_then(|n| usize::try_from(n).ok())
            .unwrap_or(self.default_limit);
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
        let page = read(collection).page(query.get("cursor"), limit, |record| {
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
}

// A panic while holding a lock leaves plain data behind, still usable.
fn read(collection: &RwLock<Collection>) -> std::sync::RwLockReadGuard<'_, Collection> {
    collection.read().unwrap_or_else(|e| e.into_inner())
}

fn write(collection: &RwLock<Collection>) -> std::sync::RwLockWriteGuard<'_, Collection> {
    collection.write().unwrap_or_else(|e| e.into_inner())
}

fn method_not_allowed(method: &Method, allow: &str) -> Response {
    let mut response = ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        format!("{method} is not an operation of this path; it accepts {allow}"),
    )
    .into_response();
    if let Ok(value) = HeaderValue::from_str(allow) {
        response.headers_mut().insert(header::ALLOW, value);
    }
    response
}

async fn no_such_path(uri: Uri) -> Response {
    let paths: Vec<String> = {
        let mut paths: Vec<String> = kinbox_spec::spec()
            .operations()
            .iter()
            .map(|o| o.path.clone())
            .collect();
        paths.dedup();
        paths
    };
    ApiError::new(
        StatusCode::NOT_FOUND,
        format!(
            "no operation at `{}`; the sandbox serves {}",
            uri.path(),
            paths.join(", ")
        ),
    )
    .into_response()
}
