//! `kinbox mcp`: the Kinbox API as a Model Context Protocol server for AI
//! assistants, over stdio (what desktop clients start) or, with `--http`,
//! streamable HTTP on a loopback address. Built on the official Rust SDK,
//! `rmcp`.
//!
//! - `tools.rs`: the spec's operations → tools (names, descriptions,
//!   input schemas, annotations) and which a run offers;
//! - `call.rs`: a spec tool's call → its request, checked, then sent;
//! - `people.rs`: the tools that take names, R$ amounts and dd/mm/yyyy dates;
//! - `resources.rs`: pipelines, custom fields and tags as resources;
//! - `answer.rs`: results (escaped, capped, a page with its cursor) and errors;
//! - `server.rs`: rmcp's handler over all of them.

mod answer;
mod call;
mod people;
mod resources;
mod server;
mod tools;

use std::collections::BTreeSet;
use std::net::SocketAddr;

use clap::{Arg, ArgAction, ArgMatches, Command};
use rmcp::ServiceExt as _;

use crate::CliError;
use crate::config::context::Context;

pub use server::KinboxServer;
pub use tools::Selection;

const CLIENT_HELP: &str = "\
Use with an AI assistant:

  Claude Code (or any client with a command line):
    claude mcp add kinbox -- kinbox mcp
    claude mcp add kinbox-read -- kinbox mcp --read-only

  Desktop clients (Claude Desktop's claude_desktop_config.json, Cursor's
  .cursor/mcp.json, VS Code's mcp.json under \"servers\"):
    {
      \"mcpServers\": {
        \"kinbox\": {
          \"command\": \"kinbox\",
          \"args\": [\"mcp\", \"--toolsets\", \"deals,pipelines,contacts,tags\"]
        }
      }
    }
  The token is the one `kinbox auth login` stored (or KINBOX_TOKEN in the
  client's \"env\"; never in \"args\").

  Streamable HTTP (one server for several clients on this machine):
    kinbox mcp --http 127.0.0.1:8765
    claude mcp add --transport http kinbox http://127.0.0.1:8765/mcp

Examples:
  kinbox mcp --read-only
  kinbox mcp --toolsets deals,pipelines --tools list_deals,create_deal_by_names,move_deal";

pub fn command() -> Command {
    Command::new("mcp")
        .about("Serve the Kinbox API to AI assistants (Model Context Protocol)")
        .long_about(
            "Serve the Kinbox API to AI assistants as a Model Context Protocol server, over \
             stdio (what desktop clients start) or streamable HTTP (--http).\n\n\
             Every operation of the API is a tool, derived from its description, with \
             annotations (read-only, destructive, idempotent). The tools create_deal_by_names, \
             update_deal_by_names, move_deal, win_deal, lose_deal and reopen_deal take pipeline, stage, tag and \
             custom field names, contacts by phone or e-mail, amounts as R$ 1.890,50 and dates \
             as 30/06/2025. The resources kinbox://pipelines, kinbox://custom-fields and \
             kinbox://tags hold the names.\n\n\
             Safe by default: deletes need `confirm: true`; --read-only offers only reads; \
             --toolsets and --tools narrow the list. A write whose answer is lost is said to \
             be unknown and never sent again. The token, base URL and profile are those of \
             every command; the token never appears in a result.",
        )
        .arg(
            Arg::new("read-only")
                .long("read-only")
                .action(ArgAction::SetTrue)
                .help("Offer only the tools that read (GET)"),
        )
        .arg(
            Arg::new("toolsets")
                .long("toolsets")
                .value_name("SET,…")
                .value_delimiter(',')
                .action(ArgAction::Append)
                .help(format!(
                    "Offer only these groups of tools: {}",
                    tools::toolsets().into_iter().collect::<Vec<_>>().join(", ")
                )),
        )
        .arg(
            Arg::new("tools")
                .long("tools")
                .value_name("TOOL,…")
                .value_delimiter(',')
                .action(ArgAction::Append)
                .help("Offer only these tools, by name (with --toolsets, those of both)"),
        )
        .arg(
            Arg::new("http")
                .long("http")
                .value_name("ADDR")
                .value_parser(clap::value_parser!(SocketAddr))
                .help(
                    "Serve streamable HTTP at http://ADDR/mcp instead of stdio (a loopback \
                       address, e.g. 127.0.0.1:8765)",
                ),
        )
        .after_help(CLIENT_HELP)
}

/// The selection `matches` ask for; an unknown toolset or tool is a usage
/// error naming the known ones.
pub fn selection(matches: &ArgMatches) -> Result<Selection, CliError> {
    let given = |id: &str| -> Option<BTreeSet<String>> {
        matches.get_many::<String>(id).map(|values| {
            values
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
                .collect()
        })
    };
    let toolsets = given("toolsets");
    let tools = given("tools");
    let known_sets = tools::toolsets();
    if let Some(unknown) = toolsets.iter().flatten().find(|s| !known_sets.contains(*s)) {
        return Err(CliError::usage(format!(
            "--toolsets: no toolset is named `{}`; choose among {}",
            crate::error::printable(unknown),
            known_sets.into_iter().collect::<Vec<_>>().join(", ")
        )));
    }
    let all = KinboxServer::new(&Selection::default(), Err(String::new())).tool_names();
    if let Some(unknown) = tools.iter().flatten().find(|t| !all.contains(*t)) {
        let close = kinbox_input::matching::did_you_mean(unknown, all.iter().map(String::as_str));
        return Err(CliError::usage(format!(
            "--tools: no tool is named `{}`; {}`kinbox mcp --help` and tools/list name them",
            crate::error::printable(unknown),
            close
        )));
    }
    let selection = Selection {
        read_only: matches.get_flag("read-only"),
        toolsets,
        tools,
    };
    Ok(selection)
}

pub async fn run(context: &Context, matches: &ArgMatches) -> Result<(), CliError> {
    let selection = selection(matches)?;
    // Resolved once: a call without a token answers why, and how to log in.
    let client = context.client().map_err(|e| e.to_string());
    let server = KinboxServer::new(&selection, client);
    if server.tool_names().is_empty() {
        return Err(CliError::usage(
            "no tool is left with these --read-only, --toolsets and --tools: widen them",
        ));
    }
    match matches.get_one::<SocketAddr>("http") {
        Some(addr) => serve_http(server, *addr).await,
        None => serve_stdio(server).await,
    }
}

async fn serve_stdio(server: KinboxServer) -> Result<(), CliError> {
    let running = server
        .serve(rmcp::transport::stdio_pipes())
        .await
        .map_err(|e| CliError::failure(format!("the MCP client did not start a session: {e}")))?;
    running
        .waiting()
        .await
        .map_err(|e| CliError::failure(format!("the MCP server stopped: {e}")))?;
    Ok(())
}

async fn serve_http(server: KinboxServer, addr: SocketAddr) -> Result<(), CliError> {
    use rmcp::transport::streamable_http_server::{
        StreamableHttpServerConfig, StreamableHttpService, session::local::LocalSessionManager,
    };
    if !addr.ip().is_loopback() {
        return Err(CliError::usage(format!(
            "--http {addr}: serve on a loopback address (127.0.0.1 or [::1]); anyone who \
             reaches the server acts with your token"
        )));
    }
    // Only the names of this machine's loopback (and the address served,
    // which may be another loopback such as 127.0.0.2) may be the `Host`
    // (DNS rebinding); only their pages may call it from a browser (clients
    // send no Origin).
    let served = match addr.ip() {
        std::net::IpAddr::V6(ip) => format!("[{ip}]"),
        ip => ip.to_string(),
    };
    let hosts = ["localhost", "127.0.0.1", "[::1]", served.as_str()];
    let config = StreamableHttpServerConfig::default()
        .with_allowed_hosts(hosts)
        .with_allowed_origins(hosts.map(|host| format!("http://{host}:*")));
    let service = StreamableHttpService::new(
        move || Ok(server.clone()),
        std::sync::Arc::new(LocalSessionManager::default()),
        config,
    );
    let router = axum::Router::new().nest_service("/mcp", service);
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| CliError::failure(format!("cannot listen on {addr}: {e}")))?;
    let bound = listener.local_addr().unwrap_or(addr);
    eprintln!("kinbox mcp: serving streamable HTTP at http://{bound}/mcp (Ctrl-C stops)");
    axum::serve(listener, router)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|e| CliError::failure(format!("the HTTP server stopped: {e}")))
}
