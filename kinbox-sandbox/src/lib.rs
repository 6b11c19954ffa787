//! A local stand-in for the [Kinbox](https://kinbox.com.br) CRM API, for
//! tests, demos and trying the CLI without a real account.
//!
//! It serves every operation of the OpenAPI description (`openapi/kinbox.yaml`)
//! on 127.0.0.1, keeps what it is sent in memory, and holds every request
//! to the description itself (through `kinbox-spec`): a body or query that
//! does not validate gets 400/422 with one entry per violation, by JSON path.
//! It answers only statuses the description documents, with bodies that
//! match it.
//!
//! What it does like the real API:
//! - deals, pipelines (and their stages), products, campaigns and sessions
//!   have ids of 24 hex digits, like MongoDB ObjectIds, increasing with
//!   creation; contacts, tags and custom fields have integer ids, counting
//!   up;
//! - lists page by `limit` (1–100, default 10) and `cursor` (the id of the
//!   last item seen), `nextCursor` is `null` on the last page, and every
//!   filter of the description applies; pipelines and tags list as a plain
//!   array, custom fields as `{"data": [...]}`;
//! - `PATCH` changes only the fields sent; an unknown id is a 404, and so is
//!   an unknown product `externalId`; a session is found by its id or its
//!   numeric call id;
//! - a pipeline stage sent without `id` gets one; a new product is active
//!   unless told otherwise; tag names are unique (a second one is a 409);
//!   pausing a campaign sets its status to `paused`, resuming to
//!   `executing`;
//! - a deal's `contact` shows the contact's name, phone and e-mail when that
//!   contact exists, else its id alone;
//! - a missing bearer token is a 401; unknown body fields are ignored
//!   (campaigns keep them, as their schema says).
//!
//! # The seeded workspace
//!
//! Custom fields and sessions cannot be created through the API, and a deal
//! workflow looks pipelines, stages and tags up by name, so a sandbox starts
//! with a small Brazilian company's workspace, the same every time, ids
//! included ([`seeded`] names them). Deals start empty. To start with
//! nothing at all, use `--empty` or [`SandboxBuilder::empty`].
//!
//! | what | seeded |
//! | --- | --- |
//! | pipelines | "Vendas" (`65e1c3405eed5eed00000001`): stages Prospecção, Proposta, Negociação, Fechamento; lost reasons Preço, Concorrência, Sem resposta. "Pós-venda" (`…0002`): Onboarding, Acompanhamento, Renovação |
//! | contacts | 1001 Maria Oliveira (5585997281648, maria.oliveira@example.com), 1002 João Santos (5511987654321), 1003 Construtora Horizonte Ltda (5531991234567) |
//! | custom fields (deals) | 301 `cpf` text, 302 `idade` number, 303 `segmento` select (varejo, atacado, servicos), 304 `vip` boolean, 305 `data_evento` date |
//! | tags | 201 Lead quente, 202 Indicação, 203 Recompra |
//! | products | Plano Básico (`PLANO-BASICO`, 99.90), Plano Profissional (`PLANO-PRO`, 249.90) |
//! | campaigns | Black Friday 2024 (executing, two chunk leads), Reativação de clientes (done) |
//! | sessions | call 880001 (Maria, from Black Friday), call 880002 (João) |
//!
//! For testing clients it can fail on purpose (see [`FaultConfig`]): a rate
//! limit answered with 429 and `Retry-After`, a share of 500/503, added
//! latency, dropped connections, and writes that are *applied, then failed*
//! (`--applied-then-fail-ratio`, [`SandboxBuilder::applied_then_fail_ratio`]):
//! a POST, PATCH, PUT or DELETE that succeeds is stored, and then its answer
//! is lost in one of three ways ([`AppliedThenFailMode`],
//! `--applied-then-fail-mode`): the connection is dropped, the answer is held
//! past the client's timeout (`--applied-then-fail-hold-ms`, 60 s by
//! default) and then dropped, or the success status comes with a body cut
//! short of its `Content-Length`. That is the case a client must handle when
//! it cannot tell whether a create happened: list before retrying it. All
//! of it is reproducible from a seed.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use kinbox_sandbox::AppliedThenFailMode;
//!
//! let sandbox = kinbox_sandbox::Sandbox::builder()
//!     .applied_then_fail_ratio(1.0)
//!     .applied_then_fail_mode(AppliedThenFailMode::Drop)
//!     .start()
//!     .await?;
//! # let _ = sandbox;
//! # Ok(()) }
//! ```
//!
//! # Limits
//!
//! Whatever a client sends, the sandbox goes on answering the others
//! (see [`Limits`]; each has a flag):
//! - the bearer token is checked before the body is read: a request without
//!   a valid token costs its headers only, and gets its 401 at once;
//! - a body over 1 MiB (`--max-body-bytes`) is a 413 with the usual error
//!   body, refused by its `Content-Length` before any of it is read, or as
//!   soon as a chunked body passes the limit;
//! - at most 256 connections are open at once (`--max-connections`), and
//!   a new one is always accepted: past the limit, the connection that has
//!   waited longest for a request (idle, or stalled halfway through its
//!   head) is closed to make room. One in the middle of a request never is;
//!   when all are, the new one is answered 503 with `Retry-After` and
//!   closed. So a flood of idle or slowloris connections cannot keep other
//!   clients out;
//! - a connection that has not sent a whole request head 5 s after it
//!   opened or got its last answer is closed (`--header-timeout-ms`): this
//!   ends stalled clients and idle keep-alive connections alike;
//! - a body that has not fully arrived 10 s after its head is answered 408
//!   and its connection closed (`--body-timeout-ms`);
//! - at most 1,000,000 objects are stored, of every resource together
//!   (`--max-objects`): a create past it is answered 507 Insufficient
//!   Storage, saying so, until some are deleted; reads, updates and deletes
//!   go on.
//!
//! 413 and 408 are not in the API description, which documents any `4XX`
//! with its `Error` body: that is what they carry; 503 and 507 are `5XX`s
//! alike. 507 rather than 429: a client told 429 waits and retries, and a
//! create cannot succeed until something is deleted.
//!
//! # Logs
//!
//! The binary logs to stderr: warnings only, and with `-v` one line per
//! request (method, path and query, status, latency, and which fault was
//! injected), never a header, so never the token. `KINBOX_LOG` takes a
//! `tracing` filter instead (the request log is the target
//! `kinbox_sandbox::requests`, at `info`).
//!
//! In a test, [`Sandbox::start`] serves on a free port until dropped:
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let sandbox = kinbox_sandbox::Sandbox::builder()
//!     .server_error_ratio(0.2)
//!     .seed(7)
//!     .start()
//!     .await?;
//! let client = sandbox.client(); // a kinbox_api::Client for it
//! # let _ = client;
//! println!("serving at {} (token {})", sandbox.base_url(), sandbox.token());
//! # Ok(()) }
//! ```
//!
//! From a shell, `cargo run -p kinbox-sandbox -- --port 0` prints
//! `KINBOX_BASE_URL=…` and `KINBOX_TOKEN=…` as its first two lines; add
//! `-v` to see each request.
//!
//! In another command line (`kinbox sandbox`), flatten [`SandboxArgs`] into a
//! subcommand and hand it to [`run_cli`], which serves until Ctrl-C:
//!
//! ```no_run
//! #[derive(clap::Parser)]
//! enum Command {
//!     /// Serve a local, in-memory Kinbox API.
//!     Sandbox(kinbox_sandbox::SandboxArgs),
//! }
//!
//! # #[tokio::main] async fn main() -> Result<(), kinbox_sandbox::StartError> {
//! match <Command as clap::Parser>::parse() {
//!     Command::Sandbox(args) => kinbox_sandbox::run_cli(args).await?,
//! }
//! # Ok(()) }
//! ```

mod actions;
mod auth;
mod body;
mod cli;
mod config;
mod connections;
mod error;
mod faults;
mod ids;
mod resources;
mod router;
mod seed;
mod server;
mod store;
mod validation;
mod workspace;

pub use cli::{SandboxArgs, run_cli};
pub use config::{
    AppliedThenFailMode, ConfigError, DEFAULT_TOKEN, FaultConfig, Limits, RateLimit, SandboxConfig,
};
pub use seed::ids as seeded;
pub use server::{Listening, Sandbox, SandboxBuilder, StartError, serve};
