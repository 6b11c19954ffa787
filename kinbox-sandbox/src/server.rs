//! Listening (within the [`Limits`]), the per-request faults and log, and
//! the sandbox's life: started by [`Sandbox::start`] for tests or [`serve`]
//! for the binary.

use std::convert::Infallible;
use std::future::Future;
use std::net::{Ipv4Addr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, Method, Request, Response, StatusCode, header};
use axum::response::IntoResponse;
use http_body_util::BodyExt;
use hyper::body::{Frame, Incoming, SizeHint};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, oneshot};
use tokio::task::JoinSet;
use tower::ServiceExt;

use crate::auth::TokenPolicy;
use crate::config::{
    AppliedThenFailMode, ConfigError, FaultConfig, Limits, RateLimit, SandboxConfig,
};
use crate::connections::{Admission, Admitted, Busy, Connections};
use crate::error::ApiError;
use crate::faults::{AnswerFailure, Decision, Faults, Verdict};
use crate::router::{AppState, router};
use crate::seed;
use crate::workspace::Workspace;

/// Why a sandbox did not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(
        "cannot listen on 127.0.0.1:{port}: {source}; pick another port, or 0 for any free one"
    )]
    Bind {
        port: u16,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot start the sandbox's runtime: {0}")]
    Runtime(#[source] std::io::Error),
}

/// A running sandbox, for tests: it serves on 127.0.0.1 from its own thread
/// until it is dropped, and then the port is closed.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use kinbox_api::types::{CustomFieldsInput, DealCreate, DealStatus};
///
/// let sandbox = kinbox_sandbox::Sandbox::start().await?;
/// let client = sandbox.client();
/// let deal = client
///     .create_deal()
///     .body(
///         DealCreate::builder()
///             .name("Pedido #1042")
///             .value(1890.0)
///             .status(DealStatus::Open)
///             .pipeline_id("p1")
///             .stage_id("s1")
///             .contact_id(42)
///             .custom_fields(CustomFieldsInput::new()),
///     )
///     .send()
///     .await?
///     .into_inner();
/// assert_eq!(deal.id.len(), 24);
/// # Ok(()) }
/// ```
pub struct Sandbox {
    base_url: String,
    token: String,
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

/// Options of a [`Sandbox`]; see [`Sandbox::builder`].
#[derive(Clone, Debug, Default)]
pub struct SandboxBuilder {
    config: SandboxConfig,
}

impl SandboxBuilder {
    /// 0 (the default) picks a free port.
    pub fn port(mut self, port: u16) -> Self {
        self.config.port = port;
        self
    }

    /// Accept only this bearer token instead of any non-empty one.
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.config.token = Some(token.into());
        self
    }

    /// Start with no objects at all instead of the seeded workspace.
    pub fn empty(mut self) -> Self {
        self.config.empty = true;
        self
    }

    pub fn faults(mut self, faults: FaultConfig) -> Self {
        self.config.faults = faults;
        self
    }

    pub fn seed(mut self, seed: u64) -> Self {
        self.config.faults.seed = seed;
        self
    }

    pub fn rate_limit(mut self, requests: u32, window: std::time::Duration) -> Self {
        self.config.faults.rate_limit = Some(RateLimit { requests, window });
        self
    }

    pub fn server_error_ratio(mut self, ratio: f64) -> Self {
        self.config.faults.server_error_ratio = ratio;
        self
    }

    pub fn latency(mut self, latency: std::time::Duration) -> Self {
        self.config.faults.latency = latency;
        self
    }

    pub fn drop_ratio(mut self, ratio: f64) -> Self {
        self.config.faults.drop_ratio = ratio;
        self
    }

    /// The share of successful writes (POST, PATCH, PUT, DELETE) that are
    /// stored and then answered in a way the client cannot read, as
    /// [`applied_then_fail_mode`](Self::applied_then_fail_mode) says (by
    /// default any of the ways, drawn from the seed).
    pub fn applied_then_fail_ratio(mut self, ratio: f64) -> Self {
        self.config.faults.applied_then_fail_ratio = ratio;
        self
    }

    pub fn applied_then_fail_mode(mut self, mode: AppliedThenFailMode) -> Self {
        self.config.faults.applied_then_fail_mode = mode;
        self
    }

    /// How long [`AppliedThenFailMode::Timeout`] holds an answer before
    /// closing the connection (60 s unless set): give a test's client a
    /// shorter timeout than this.
    pub fn applied_then_fail_hold(mut self, hold: std::time::Duration) -> Self {
        self.config.faults.applied_then_fail_hold = hold;
        self
    }

    /// All the limits at once; the defaults are in [`Limits`].
    pub fn limits(mut self, limits: Limits) -> Self {
        self.config.limits = limits;
        self
    }

    /// The largest request body read (1 MiB unless set); larger gets 413.
    pub fn max_body_bytes(mut self, bytes: usize) -> Self {
        self.config.limits.max_body_bytes = bytes;
        self
    }

    /// Connections open at once (256 unless set); past it, a new one takes
    /// the place of the one that has waited longest for a request, or is
    /// answered 503 when every one is in the middle of a request.
    pub fn max_connections(mut self, connections: usize) -> Self {
        self.config.limits.max_connections = connections;
        self
    }

    /// How long a connection may take to send a request head, counted from
    /// its opening or its previous answer (5 s unless set).
    pub fn header_timeout(mut self, timeout: std::time::Duration) -> Self {
        self.config.limits.header_timeout = timeout;
        self
    }

    /// How long a request may take to send its body (10 s unless set).
    pub fn body_timeout(mut self, timeout: std::time::Duration) -> Self {
        self.config.limits.body_timeout = timeout;
        self
    }

    /// Objects stored at once, of every resource together (1,000,000 unless
    /// set; the seeded ones count): a create past it is answered 507.
    pub fn max_objects(mut self, objects: usize) -> Self {
        self.config.limits.max_objects = objects;
        self
    }

    pub fn config(&self) -> &SandboxConfig {
        &self.config
    }

    /// Binds the port and starts serving; the sandbox answers as soon as
    /// this returns.
    pub async fn start(self) -> Result<Sandbox, StartError> {
        Sandbox::with_config(self.config)
    }
}

impl Sandbox {
    /// A sandbox on a free port, accepting any bearer token, with no faults.
    pub async fn start() -> Result<Self, StartError> {
        Self::builder().start().await
    }

    pub fn builder() -> SandboxBuilder {
        SandboxBuilder::default()
    }

    fn with_config(config: SandboxConfig) -> Result<Self, StartError> {
        config.validate()?;
        let (listener, addr) = bind(config.port)?;
        // Its own runtime on its own thread: the sandbox keeps answering
        // whatever the test's runtime does (current-thread, blocked, gone),
        // and dropping it can wait for the port to be closed.
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(StartError::Runtime)?;
        let (shutdown, stop) = oneshot::channel::<()>();
        let token = config.token_to_use().to_owned();
        let thread = std::thread::Builder::new()
            .name(format!("kinbox-sandbox-{}", addr.port()))
            .spawn(move || {
                runtime.block_on(async move {
                    let listener =
                        TcpListener::from_std(listener).expect("inside a runtime with IO");
                    run(listener, &config, async {
                        let _ = stop.await;
                    })
                    .await;
                });
                // Dropping the runtime here ends every connection task.
            })
            .map_err(StartError::Runtime)?;
        Ok(Self {
            base_url: format!("http://{addr}"),
            token,
            addr,
            shutdown: Some(shutdown),
            thread: Some(thread),
        })
    }

    /// `http://127.0.0.1:PORT`, to give to a client as its base URL.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The bearer token to send.
    pub fn token(&self) -> &str {
        &self.token
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// A `kinbox-api` client for this sandbox, with its token.
    pub fn client(&self) -> kinbox_api::Client {
        let token = kinbox_api::Token::new(self.token.clone())
            .expect("the sandbox's token is a valid token");
        kinbox_api::ClientConfig::new(token)
            .base_url(&self.base_url)
            .build()
            .expect("a loopback base URL is a valid client configuration")
    }

    /// Every deal the sandbox holds, read through the API with retries
    /// that outlast its faults: for a test to check what a client made.
    pub async fn held_deals(&self) -> Vec<kinbox_api::types::Deal> {
        use futures::TryStreamExt;
        self.patient_client()
            .list_deals()
            .limit(100)
            .stream()
            .try_collect()
            .await
            .expect("the sandbox lists its deals")
    }

    /// Every contact the sandbox holds, as [`Sandbox::held_deals`] reads.
    pub async fn held_contacts(&self) -> Vec<kinbox_api::types::Contact> {
        use futures::TryStreamExt;
        self.patient_client()
            .list_contacts()
            .limit(100)
            .stream()
            .try_collect()
            .await
            .expect("the sandbox lists its contacts")
    }

    /// A client whose reads retry past any fault this sandbox injects.
    fn patient_client(&self) -> kinbox_api::Client {
        let token = kinbox_api::Token::new(self.token.clone())
            .expect("the sandbox's token is a valid token");
        kinbox_api::ClientConfig::new(token)
            .base_url(&self.base_url)
            .timeout(std::time::Duration::from_secs(5))
            .retry_policy(kinbox_api::RetryPolicy {
                max_retries: 40,
                base_delay: std::time::Duration::from_millis(20),
                max_wait: std::time::Duration::from_secs(5),
            })
            .build()
            .expect("a loopback base URL is a valid client configuration")
    }

    /// Stops serving and closes the port; the same as dropping it.
    pub fn shutdown(self) {}
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            // Blocks only until the accept loop sees the signal and the
            // runtime winds down: milliseconds.
            let _ = thread.join();
        }
    }
}

/// What a started server tells whoever started it.
#[derive(Clone, Debug)]
pub struct Listening {
    pub base_url: String,
    pub token: String,
    pub addr: SocketAddr,
}

/// Serves on the current runtime until `shutdown` completes; `on_listening`
/// runs once the port is bound (to print it, for instance).
pub async fn serve(
    config: SandboxConfig,
    on_listening: impl FnOnce(&Listening),
    shutdown: impl Future<Output = ()>,
) -> Result<(), StartError> {
    config.validate()?;
    let (listener, addr) = bind(config.port)?;
    let listener = TcpListener::from_std(listener).map_err(StartError::Runtime)?;
    on_listening(&Listening {
        base_url: format!("http://{addr}"),
        token: config.token_to_use().to_owned(),
        addr,
    });
    run(listener, &config, shutdown).await;
    Ok(())
}

/// Connections the kernel completes and queues before the sandbox accepts
/// them: a burst of connects (a test's flood, a client's pool opening at
/// once) past std's 128 would have its SYNs dropped and retried a second
/// later. The kernel caps it (`net.core.somaxconn`).
const LISTEN_BACKLOG: i32 = 4096;

/// Loopback only: the sandbox accepts any token, so it must not be reachable
/// from elsewhere.
/// Binds 127.0.0.1:`port` (0: a free port) and says which address it got.
fn bind(port: u16) -> Result<(std::net::TcpListener, SocketAddr), StartError> {
    use socket2::{Domain, Protocol, Socket, Type};
    let bind_error = |source| StartError::Bind { port, source };
    let socket =
        Socket::new(Domain::IPV4, Type::STREAM, Some(Protocol::TCP)).map_err(bind_error)?;
    // As std does on Unix: a restarted sandbox can take its port back while
    // the old connections linger in TIME_WAIT.
    #[cfg(unix)]
    socket.set_reuse_address(true).map_err(bind_error)?;
    socket
        .bind(&SocketAddr::from((Ipv4Addr::LOCALHOST, port)).into())
        .map_err(bind_error)?;
    socket.listen(LISTEN_BACKLOG).map_err(bind_error)?;
    socket.set_nonblocking(true).map_err(bind_error)?;
    let listener = std::net::TcpListener::from(socket);
    let addr = listener.local_addr().map_err(bind_error)?;
    Ok((listener, addr))
}

async fn run(listener: TcpListener, config: &SandboxConfig, shutdown: impl Future<Output = ()>) {
    let tokens = match &config.token {
        Some(token) => TokenPolicy::Exactly(token.clone()),
        None => TokenPolicy::AnyNonEmpty,
    };
    let mut workspace = Workspace::empty(config.faults.seed);
    if !config.empty {
        seed::populate(&mut workspace);
    }
    let workspace = workspace.with_max_objects(config.limits.max_objects);
    let limits = config.limits;
    let state = Arc::new(AppState::new(tokens, limits, workspace));
    let app = router(kinbox_spec::spec(), state.clone());
    let faults = Arc::new(Faults::new(config.faults.clone()));
    // Past `max_connections`, a new connection takes the place of the one
    // that has waited longest for a request (see `connections.rs`), so the
    // accept loop never stops: a flood of idle or stalled connections
    // cannot keep others out. When every connection is in the middle of a
    // request, the new one is answered 503 (as many at once as there are
    // places) or, past that, closed.
    let open = Connections::new(limits.max_connections);
    let refusals = Arc::new(Semaphore::new(limits.max_connections));
    let mut warned_full = false;
    let mut connections = JoinSet::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => match open.admit() {
                    Admission::Admitted(admitted) => {
                        // Warned again only once it fills up again.
                        warned_full = false;
                        let (app, faults) = (app.clone(), faults.clone());
                        connections.spawn(serve_connection(stream, app, faults, limits, admitted));
                    }
                    Admission::Full => {
                        if !warned_full {
                            warned_full = true;
                            tracing::warn!(
                                max_connections = limits.max_connections,
                                "every connection is in the middle of a request; new ones are \
                                 answered 503 until one is not (raise --max-connections?)"
                            );
                        }
                        if let Ok(permit) = refusals.clone().try_acquire_owned() {
                            connections.spawn(async move {
                                refuse_connection(stream, limits).await;
                                drop(permit);
                            });
                        }
                    }
                },
                // Out of file descriptors and the like: wait instead of spinning.
                Err(error) => {
                    tracing::warn!(%error, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    tracing::info!(stored = ?state.workspace.counts(), "sandbox stopped");
    drop(listener);
    connections.shutdown().await;
}

/// Where the request log goes: `kinbox-sandbox -v`, or
/// `KINBOX_LOG=kinbox_sandbox::requests=info`.
pub(crate) const REQUEST_LOG: &str = "kinbox_sandbox::requests";

/// The request is read but never answered: the client sees the connection
/// close, as with a crashed server or a cut network.
#[derive(Debug, thiserror::Error)]
#[error("connection dropped on purpose (fault injection)")]
struct DroppedOnPurpose;

/// Why a request read gets no answer.
#[derive(Debug, thiserror::Error)]
enum Unanswered {
    #[error(transparent)]
    Dropped(#[from] DroppedOnPurpose),
    /// Its connection had just been closed to make room for another.
    #[error("connection closed to make room for a new one")]
    Evicted,
}

async fn serve_connection(
    stream: TcpStream,
    app: Router,
    faults: Arc<Faults>,
    limits: Limits,
    admitted: Admitted,
) {
    let _ = stream.set_nodelay(true);
    let admitted = Arc::new(admitted);
    let service = {
        let admitted = admitted.clone();
        hyper::service::service_fn(move |request: Request<Incoming>| {
            let busy = admitted.start_request();
            // Drawn only for a request that is served: the same seed gives
            // the same faults whatever the flood around it.
            let decision = busy.as_ref().map(|_| faults.decide());
            let app = app.clone();
            async move {
                let (Some(busy), Some(decision)) = (busy, decision) else {
                    return Err(Unanswered::Evicted);
                };
                let response = answer(app, decision, request).await?;
                // Busy until hyper has sent the whole answer and drops it.
                Ok(response.map(|body| Body::new(WhileSending { body, _busy: busy })))
            }
        })
    };
    // The header timeout runs from the moment the connection waits for a
    // request head: it ends both stalled heads and idle keep-alive
    // connections. The body has its own, in `body::read`.
    let connection = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .serve_connection(TokioIo::new(stream), service);
    tokio::select! {
        result = connection => if let Err(error) = result {
            tracing::debug!(%error, "connection ended with an error");
        },
        // Dropping the connection closes it; it was waiting for a request.
        () = admitted.evicted() => tracing::debug!("connection closed to make room for a new one"),
    }
}

/// A connection past the limit while every other is in the middle of a
/// request: its request is answered 503, saying so, and it is closed.
async fn refuse_connection(stream: TcpStream, limits: Limits) {
    let service = hyper::service::service_fn(move |request: Request<Incoming>| {
        tracing::info!(
            target: REQUEST_LOG,
            "{} {} 503 (every connection busy)",
            request.method(),
            request.uri().path()
        );
        let response = ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "the sandbox is serving {} connections, each in the middle of a request, \
                 which is its limit: retry in a moment, or start it with a higher \
                 --max-connections",
                limits.max_connections
            ),
        )
        .with_header(header::RETRY_AFTER, HeaderValue::from(1))
        .into_response();
        std::future::ready(Ok::<_, Infallible>(response))
    });
    if let Err(error) = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .keep_alive(false)
        .serve_connection(TokioIo::new(stream), service)
        .await
    {
        tracing::debug!(%error, "refused connection ended with an error");
    }
}

/// An answer's body, holding its connection busy until sent.
struct WhileSending {
    body: Body,
    _busy: Busy,
}

impl hyper::body::Body for WhileSending {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

/// Serves one request, with its faults, and logs it: method, path and
/// query, status, latency. Never a header: the token stays out of logs.
async fn answer(
    app: Router,
    decision: Decision,
    request: Request<Incoming>,
) -> Result<Response<Body>, DroppedOnPurpose> {
    let started = Instant::now();
    let method = request.method().clone();
    let target = request.uri().path_and_query().map_or_else(
        || request.uri().path().to_owned(),
        |p| p.as_str().to_owned(),
    );
    let log = |outcome: &dyn std::fmt::Display| {
        tracing::info!(target: REQUEST_LOG, "{method} {target} {outcome} {:.1?}", started.elapsed());
    };
    if !decision.delay.is_zero() {
        tokio::time::sleep(decision.delay).await;
    }
    let response = match decision.verdict {
        Verdict::Serve => app
            .oneshot(request.map(Body::new))
            .await
            .unwrap_or_else(|never: Infallible| match never {}),
        Verdict::Drop => {
            log(&"dropped (injected)");
            return Err(DroppedOnPurpose);
        }
        Verdict::RateLimited {
            retry_after_seconds,
        } => ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            format!(
                "rate limited (injected): retry in {retry_after_seconds} s, as `Retry-After` says"
            ),
        )
        .with_header(header::RETRY_AFTER, HeaderValue::from(retry_after_seconds))
        .into_response(),
        Verdict::ServerError(status) => {
            ApiError::new(status, "server error (injected): retrying may work").into_response()
        }
    };
    let status = response.status();
    let injected = if decision.verdict == Verdict::Serve {
        ""
    } else {
        " (injected)"
    };
    let is_write = [Method::POST, Method::PATCH, Method::PUT, Method::DELETE].contains(&method);
    match decision.applied_then_fail {
        Some(failure) if is_write && status.is_success() => {
            let applied = status.as_u16();
            // A status that cannot carry a body cannot have it garbled.
            let has_body = status != StatusCode::NO_CONTENT && status != StatusCode::RESET_CONTENT;
            match failure {
                AnswerFailure::Hold(hold) => {
                    log(&format_args!(
                        "{applied} applied, then held {} ms and dropped (injected)",
                        hold.as_millis()
                    ));
                    tokio::time::sleep(hold).await;
                    Err(DroppedOnPurpose)
                }
                AnswerFailure::Garbled if has_body => {
                    log(&format_args!(
                        "{applied} applied, then its body cut short (injected)"
                    ));
                    Ok(cut_short(response).await)
                }
                AnswerFailure::Drop | AnswerFailure::Garbled => {
                    log(&format_args!("{applied} applied, then dropped (injected)"));
                    Err(DroppedOnPurpose)
                }
            }
        }
        _ => {
            log(&format_args!("{}{injected}", status.as_u16()));
            Ok(response)
        }
    }
}

/// The same status and headers, with a `Content-Length` of the whole body,
/// then only its first half: the client can read that the write worked
/// (maybe) but not what it made.
async fn cut_short(response: Response<Body>) -> Response<Body> {
    let (mut parts, body) = response.into_parts();
    // The router's bodies are in memory: collecting cannot fail.
    let whole = body
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let declared = whole.len().max(1);
    parts
        .headers
        .insert(header::CONTENT_LENGTH, HeaderValue::from(declared));
    let body = CutShort {
        part: Some(whole.slice(..whole.len() / 2)),
        declared: declared as u64,
        pause: Box::pin(tokio::time::sleep(CUT_SHORT_PAUSE)),
    };
    Response::from_parts(parts, Body::new(body))
}

/// How long a cut-short body waits before failing: long enough for hyper
/// to send what it has (it flushes only while the body is pending), short
/// enough not to pass for a timeout.
const CUT_SHORT_PAUSE: Duration = Duration::from_millis(50);

/// A body that sends one part, waits, then fails: hyper closes the
/// connection short of the declared length.
struct CutShort {
    part: Option<Bytes>,
    declared: u64,
    pause: Pin<Box<tokio::time::Sleep>>,
}

impl hyper::body::Body for CutShort {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        if let Some(part) = self.part.take() {
            return Poll::Ready(Some(Ok(Frame::data(part))));
        }
        std::task::ready!(self.pause.as_mut().poll(cx));
        Poll::Ready(Some(Err(std::io::Error::other(
            "the body is cut short on purpose (fault injection)",
        ))))
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.declared)
    }
}
