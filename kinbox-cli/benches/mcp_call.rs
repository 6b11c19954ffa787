//! A tool call of `kinbox mcp` against the same request through the SDK:
//! what the MCP layer adds to a call (JSON-RPC framing, the argument checks,
//! the rendering of the result, the hop to another process).
//!
//! ```sh
//! cargo bench -p kinbox-cli --bench mcp_call           # 500 calls of each
//! cargo bench -p kinbox-cli --bench mcp_call -- 2000
//! ```
//!
//! The API is `kinbox sandbox`, a process of its own on 127.0.0.1, so that
//! neither client shares its runtime or its cores' queue with the server
//! (a sandbox in this process would run on the SDK's side only). One deal is
//! created in it, for `get_deal` (a path parameter); `list_tags` takes none.
//! Three clients then call it, on one keep-alive connection each:
//!
//! - `sdk`: `kinbox_api::Client` in this process, configured as the CLI
//!   configures it (`Context::client_for`: default timeout and retries, the
//!   `kinbox-cli/…` user agent), on a current-thread Tokio runtime as the
//!   CLI's, each answer read whole and deserialized into its type
//!   (`client.list_tags().send()`, `client.get_deal().id(…).send()`);
//! - `sdk raw`: the same client's `Client::raw`, the call the tool makes
//!   inside `kinbox mcp` (its answer parsed as a JSON value);
//! - `mcp`: the release `kinbox mcp`, spawned once with the same base URL
//!   and token in its environment, after the `initialize` handshake: one
//!   `tools/call` line written on its stdin, lines read from its stdout up
//!   to the answer with that id, which is parsed as JSON (what any client
//!   must do to read it); the clock stops there. Whether the answer is an
//!   error is checked after the clock.
//!
//! Each operation is warmed up, then called N times by each client, in
//! blocks of 25 calls, the clients taking turns in a rotating order, so
//! that a neighbour's load on this machine falls on all three alike. Median,
//! p90 and min per call are printed, the differences with the SDK's, and the
//! CPU time `kinbox mcp` spent per call, all its threads counted (from
//! `/proc/<pid>/task/*/schedstat`, Linux only; the sandbox's is not in it).

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

#[path = "support/sandbox_process.rs"]
mod sandbox_process;
use sandbox_process::{SandboxProcess, TOKEN};

use kinbox_api::types::{CustomFieldsInput, DealCreate, DealStatus};
use kinbox_api::{Client, ClientConfig, RetryPolicy, Token};
use kinbox_sandbox::seeded;
use serde_json::{Value, json};

/// Calls in a row of one client before the next takes its turn. A call
/// right after one through `kinbox mcp` is slower (the server is still busy
/// for a moment after its answer, on the same two cores): interleaved call
/// by call, the SDK's median doubled. In blocks, only the first call of a
/// block pays for it, and no client follows the others more often.
const BLOCK: usize = 25;

/// A running `kinbox mcp`, spoken to over stdio by the leanest client.
struct Mcp {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    line: String,
    next_id: u64,
    _config: tempfile::TempDir,
}

impl Mcp {
    fn start(base_url: &str) -> Self {
        // No profile or credentials file of the user's is read.
        let config = tempfile::tempdir().unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_kinbox"))
            .arg("mcp")
            .env_remove("KINBOX_PROFILE")
            .env_remove("KINBOX_TZ")
            .env("KINBOX_BASE_URL", base_url)
            .env("KINBOX_TOKEN", TOKEN)
            .env("KINBOX_CONFIG_DIR", config.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("kinbox mcp starts");
        let stdin = child.stdin.take().expect("piped");
        let stdout = BufReader::new(child.stdout.take().expect("piped"));
        let mut mcp = Self {
            child,
            stdin,
            stdout,
            line: String::new(),
            next_id: 0,
            _config: config,
        };
        let init = mcp.request(
            "initialize",
            json!({
                "protocolVersion": "2025-06-18",
                "capabilities": {},
                "clientInfo": {"name": "kinbox-bench", "version": "0"}
            }),
        );
        assert_eq!(init["result"]["serverInfo"]["name"], "kinbox", "{init}");
        mcp.write(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
        mcp
    }

    /// One message, one line, one `write`.
    fn write(&mut self, message: &Value) {
        let mut line = serde_json::to_vec(message).unwrap();
        line.push(b'\n');
        self.stdin.write_all(&line).unwrap();
    }

    /// Sends a request; its answer, parsed.
    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.write(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            self.line.clear();
            let read = self.stdout.read_line(&mut self.line).unwrap();
            assert!(read > 0, "kinbox mcp closed its stdout before answering");
            let message: Value = serde_json::from_str(&self.line)
                .unwrap_or_else(|e| panic!("not JSON-RPC: {e}: {}", self.line));
            if message["id"] == json!(id) {
                return message;
            }
        }
    }

    /// A tool call, timed; panics on an error answer (after the clock).
    fn call(&mut self, name: &str, arguments: &Value) -> Duration {
        let started = Instant::now();
        let answer = self.request("tools/call", json!({"name": name, "arguments": arguments}));
        let elapsed = started.elapsed();
        let result = &answer["result"];
        assert!(
            result.is_object() && result["isError"] != json!(true),
            "{name}: {answer}"
        );
        elapsed
    }

    fn text(&mut self, name: &str, arguments: &Value) -> String {
        let answer = self.request("tools/call", json!({"name": name, "arguments": arguments}));
        answer["result"]["content"][0]["text"]
            .as_str()
            .unwrap_or_else(|| panic!("{name}: {answer}"))
            .to_owned()
    }

    /// CPU time of the server so far, all its threads, and how many there
    /// are (Linux: the scheduler's count in nanoseconds).
    fn cpu_time(&self) -> Option<(Duration, usize)> {
        let tasks = std::fs::read_dir(format!("/proc/{}/task", self.child.id())).ok()?;
        let (mut total, mut threads) = (Duration::ZERO, 0);
        for task in tasks {
            let schedstat = std::fs::read_to_string(task.ok()?.path().join("schedstat")).ok()?;
            let nanos: u64 = schedstat.split(' ').next()?.parse().ok()?;
            total += Duration::from_nanos(nanos);
            threads += 1;
        }
        Some((total, threads))
    }
}

impl Drop for Mcp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The client the CLI builds (`Context::client_for`) with its flags' defaults.
fn cli_client(base_url: &str) -> Client {
    ClientConfig::new(Token::new(TOKEN).unwrap())
        .base_url(base_url)
        .timeout(kinbox_api::DEFAULT_TIMEOUT)
        .retries(RetryPolicy::DEFAULT_RETRIES)
        .user_agent_suffix(concat!("kinbox-cli/", env!("CARGO_PKG_VERSION")))
        .build()
        .unwrap()
}

#[derive(Clone, Copy)]
enum Op<'a> {
    ListTags,
    GetDeal(&'a str),
}

impl Op<'_> {
    fn tool(&self) -> (&'static str, Value) {
        match self {
            Op::ListTags => ("list_tags", json!({})),
            Op::GetDeal(id) => ("get_deal", json!({"id": id})),
        }
    }

    fn path(&self) -> String {
        match self {
            Op::ListTags => "/v1/tags".to_owned(),
            Op::GetDeal(id) => format!("/v1/deals/{}", kinbox_api::encode_path(id)),
        }
    }

    /// Through the typed operation, its answer deserialized.
    async fn sdk(&self, client: &Client) -> Duration {
        let started = Instant::now();
        match self {
            Op::ListTags => {
                let tags = client.list_tags().send().await.unwrap().into_inner();
                let elapsed = started.elapsed();
                assert_eq!(tags.len(), seeded::TAGS.len());
                elapsed
            }
            Op::GetDeal(id) => {
                let deal = client.get_deal().id(*id).send().await.unwrap().into_inner();
                let elapsed = started.elapsed();
                assert_eq!(deal.id.to_string(), *id);
                elapsed
            }
        }
    }

    /// Through `Client::raw`, as the tool sends it.
    async fn raw(&self, client: &Client, path: &str) -> Duration {
        let started = Instant::now();
        let answer = client.raw(reqwest::Method::GET, path, None).await.unwrap();
        let elapsed = started.elapsed();
        assert!(answer.body.is_some());
        elapsed
    }
}

struct Stats {
    median: Duration,
    p90: Duration,
    min: Duration,
}

impl Stats {
    fn of(mut times: Vec<Duration>) -> Self {
        times.sort();
        let at =
            |q: f64| times[((times.len() as f64 * q).ceil() as usize).clamp(1, times.len()) - 1];
        Self {
            median: at(0.5),
            p90: at(0.9),
            min: times[0],
        }
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    // `cargo bench` passes `--bench`; the one other argument is N.
    let calls: usize = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .map(|a| a.parse().expect("the number of calls"))
        .unwrap_or(500)
        .max(1);
    let warm_up = (calls / 10).max(50);

    let sandbox = SandboxProcess::start();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = cli_client(&sandbox.base_url);
    let deal = runtime.block_on(async {
        client
            .create_deal()
            .body(
                DealCreate::builder()
                    .name("Pedido #1042")
                    .value(1890.0)
                    .status(DealStatus::Open)
                    .pipeline_id(seeded::PIPELINE_VENDAS)
                    .stage_id(seeded::STAGES_VENDAS[1])
                    .contact_id(seeded::CONTACTS[0])
                    .custom_fields(CustomFieldsInput::default()),
            )
            .send()
            .await
            .expect("the deal is created")
            .into_inner()
    });
    let deal_id = deal.id.to_string();
    let mut mcp = Mcp::start(&sandbox.base_url);
    // Both sides see the same data.
    let tags = mcp.text("list_tags", &json!({}));
    assert!(tags.contains("Lead quente"), "{tags}");
    let got = mcp.text("get_deal", &json!({"id": deal_id}));
    assert!(got.contains(&deal_id), "{got}");

    println!(
        "kinbox mcp tool call against the SDK, {calls} calls of each after {warm_up} warm-up, \
         sandbox at {}",
        sandbox.base_url
    );
    println!(
        "{:<10} {:<8} {:>9} {:>9} {:>9}",
        "operation", "client", "median ms", "p90 ms", "min ms"
    );
    for op in [Op::ListTags, Op::GetDeal(&deal_id)] {
        let (tool, arguments) = op.tool();
        let path = op.path();
        for _ in 0..warm_up {
            runtime.block_on(op.sdk(&client));
            runtime.block_on(op.raw(&client, &path));
            mcp.call(tool, &arguments);
        }
        let (mut sdk, mut raw, mut over_mcp) = (
            Vec::with_capacity(calls),
            Vec::with_capacity(calls),
            Vec::with_capacity(calls),
        );
        let cpu_before = mcp.cpu_time();
        let (mut done, mut round) = (0, 0);
        while done < calls {
            let block = BLOCK.min(calls - done);
            for turn in 0..3 {
                for _ in 0..block {
                    match (round + turn) % 3 {
                        0 => sdk.push(runtime.block_on(op.sdk(&client))),
                        1 => raw.push(runtime.block_on(op.raw(&client, &path))),
                        _ => over_mcp.push(mcp.call(tool, &arguments)),
                    }
                }
            }
            done += block;
            round += 1;
        }
        // The server is idle during the SDK's turns: this is its calls'
        // (of the threads alive at the end: an exited one's time is lost).
        let cpu = mcp
            .cpu_time()
            .zip(cpu_before)
            .map(|((after, threads), (before, _))| {
                (after.saturating_sub(before) / calls as u32, threads)
            });
        let (sdk, raw, over_mcp) = (Stats::of(sdk), Stats::of(raw), Stats::of(over_mcp));
        for (name, stats) in [("sdk", &sdk), ("sdk raw", &raw), ("mcp", &over_mcp)] {
            println!(
                "{tool:<10} {name:<8} {:>9.3} {:>9.3} {:>9.3}",
                ms(stats.median),
                ms(stats.p90),
                ms(stats.min)
            );
        }
        println!(
            "{tool:<10} overhead of the MCP layer: {:+.3} ms median, {:+.3} ms min against the \
             typed SDK; {:+.3} ms median against raw{}",
            ms(over_mcp.median) - ms(sdk.median),
            ms(over_mcp.min) - ms(sdk.min),
            ms(over_mcp.median) - ms(raw.median),
            cpu.map(|(cpu, threads)| format!(
                "; kinbox mcp CPU {:.3} ms a call ({threads} threads)",
                ms(cpu)
            ))
            .unwrap_or_default()
        );
    }
}
