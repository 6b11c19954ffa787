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
//! - ids are 24 hex digits, like MongoDB ObjectIds, increasing with creation;
//! - lists page by `limit` (1–100, default 10) and `cursor` (the id of the
//!   last item seen), `nextCursor` is `null` on the last page, and every
//!   filter of the description applies;
//! - `PATCH` changes only the fields sent; an unknown id is a 404;
//! - a missing bearer token is a 401; unknown body fields are ignored.
//!
//! For testing clients it can fail on purpose (see [`FaultConfig`]): a rate
//! limit answered with 429 and `Retry-After`, a share of 500/503, added
//! latency, and dropped connections, reproducibly from a seed.
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
//! `KINBOX_BASE_URL=…` and `KINBOX_TOKEN=…` as its first two lines.
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
mod cli;
mod config;
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
pub use config::{ConfigError, DEFAULT_TOKEN, FaultConfig, RateLimit, SandboxConfig};
pub use seed::ids as seeded;
pub use server::{Listening, Sandbox, SandboxBuilder, StartError, serve};
