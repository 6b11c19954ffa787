//! The HTTP surface: one route per operation of the spec, each running the
//! same steps (token, path, query, body), then the resource action.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, MethodRouter};
use kinbox_spec::{Operation, Spec};

use crate::actions::{self, Reply};
use crate::auth::TokenPolicy;
use crate::body;
use crate::config::Limits;
use crate::error::{ApiError, json_text_response};
use crate::resources::{self, Action, Route};
use crate::validation::RequestRules;
use crate::workspace::Workspace;

/// What every request can reach: the token policy, the body limits and
/// the data.
pub(crate) struct AppState {
    tokens: TokenPolicy,
    limits: Limits,
    pub(crate) workspace: Workspace,
}

impl AppState {
    pub(crate) fn new(tokens: TokenPolicy, limits: Limits, workspace: Workspace) -> Self {
        Self {
            tokens,
            limits,
            workspace,
        }
    }
}

/// One operation, ready to serve.
struct Endpoint {
    route: Option<&'static Route>,
    operation_id: String,
    rules: RequestRules,
    success: StatusCode,
}

/// Routes every operation of `spec` to its resource action.
pub(crate) fn router(spec: &'static Spec, state: Arc<AppState>) -> Router {
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
                            body: Body| async move {
            endpoint
                .respond(&state, path, query, &headers, body)
                .await
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
    fn new(spec: &'static Spec, operation: &Operation) -> Self {
        let route = resources::route(&operation.id);
        // A creation answers 201 whenever the description allows it, even
        // where it allows 200 too (the reference is unsure for campaigns).
        let documents_created = spec
            .document()
            .pointer(&format!(
                "/paths/{}/{}/responses/201",
                operation.path.replace('~', "~0").replace('/', "~1"),
                operation.method.to_ascii_lowercase()
            ))
            .is_some();
        let success = if documents_created && route.is_some_and(|r| r.action == Action::Create) {
            StatusCode::CREATED
        } else {
            StatusCode::from_u16(operation.success_status).unwrap_or(StatusCode::OK)
        };
        Self {
            route,
            operation_id: operation.id.clone(),
            rules: RequestRules::new(spec, operation),
            success,
        }
    }

    /// The body is read last of all the request, once the token is
    /// accepted: an unauthenticated request costs the sandbox no more than
    /// its headers.
    async fn respond(
        &self,
        state: &AppState,
        path: Result<Path<Vec<(String, String)>>, PathRejection>,
        query: Option<String>,
        headers: &HeaderMap,
        body: Body,
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
        self.rules.path(&path)?;
        let body = body::read(body, headers, &state.limits).await?;
        let query = self.rules.query(query.as_deref())?;
        let object = self.rules.body(headers, &body)?;
        // Item paths end with the item's id (`/v1/deals/{id}`, `/v1/campaigns/{id}/pause`)
        // or the key it is found by (`/v1/products/external/{externalId}`).
        let id = path.last().map(|(_, id)| id.as_str()).unwrap_or_default();
        let reply = actions::perform(
            route,
            &state.workspace,
            actions::Request {
                id,
                query: &query,
                object,
                default_limit: self.rules.default_limit(),
            },
        )?;
        Ok(match reply {
            Reply::Json(json) => json_text_response(self.success, json),
            // The spec documents no body for a deletion.
            Reply::Empty => {
                let mut response = Response::new(Body::empty());
                *response.status_mut() = self.success;
                response
            }
        })
    }
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
