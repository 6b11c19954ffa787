//! `create_deal` through the SDK against the same request sent by a plain
//! `reqwest::Client`, on loopback, at 1 and 32 requests in flight (issue 11).
//!
//! ```sh
//! cargo bench -p kinbox-api --bench create_throughput
//! BENCH_SECS=5 BENCH_ROUNDS=3 BENCH_INFLIGHT=1,32 cargo bench -p kinbox-api --bench create_throughput
//! ```
//!
//! The server is in this process, on 127.0.0.1, on a runtime of its own: a
//! hyper HTTP/1.1 server that answers every `POST /v1/deals` with 201 and the
//! same deal (`tests/fixtures/deal_full.json`), keeping connections alive.
//! Both clients send the same bytes (the same `DealCreate` serialized by
//! serde_json, with the same `Authorization`, `Content-Type`, `Accept`,
//! `api-version` and `User-Agent`) and read the answer into the same
//! `types::Deal`, so what differs is only what the SDK does around reqwest.
//! Rounds alternate the clients, so that a neighbour's load on the machine
//! falls on both alike; the median round is reported.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use kinbox_api::types::{Deal, DealCreate};
use kinbox_api::{ClientConfig, Token};

const TOKEN: &str = "kbx_bench_5f2c9a71d04e4b7c8e1f93aa";
const DEAL: &str = include_str!("../tests/fixtures/deal_full.json");
const REQUEST: &str = include_str!("../tests/fixtures/create_deal_request.json");
const USER_AGENT: &str = concat!("kinbox-api/", env!("CARGO_PKG_VERSION"));

fn main() {
    let secs = env_number("BENCH_SECS", 5) as u64;
    let rounds = env_number("BENCH_ROUNDS", 3).max(1);
    let in_flight: Vec<usize> = std::env::var("BENCH_INFLIGHT")
        .ok()
        .map(|list| {
            list.split(',')
                .map(|n| {
                    n.trim()
                        .parse()
                        .expect("BENCH_INFLIGHT: numbers, e.g. 1,32")
                })
                .collect()
        })
        .unwrap_or_else(|| vec![1, 32]);
    // `cargo bench` passes `--bench`; a filter argument picks one client.
    let only: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with("--"));

    let address = start_server();
    let base_url = format!("http://{address}");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a Tokio runtime");
    let sdk = Arc::new(
        ClientConfig::new(Token::new(TOKEN).unwrap())
            .base_url(&base_url)
            .build()
            .expect("a loopback client"),
    );
    let plain = Arc::new(Plain::new(&base_url));
    let body: Arc<DealCreate> =
        Arc::new(serde_json::from_str(REQUEST).expect("the fixture is a DealCreate"));
    let send_sdk = {
        let (sdk, body) = (sdk.clone(), body.clone());
        move || {
            let (sdk, body) = (sdk.clone(), body.clone());
            async move { sdk_create(&sdk, &body).await }
        }
    };
    let send_plain = {
        let (plain, body) = (plain.clone(), body.clone());
        move || {
            let (plain, body) = (plain.clone(), body.clone());
            async move { plain.create(&body).await }
        }
    };

    // Both must read the same deal, or the comparison means nothing.
    runtime.block_on(async {
        let a = send_sdk().await;
        let b = send_plain().await;
        assert_eq!(a, b, "both clients read the same deal");
        assert_eq!(a.id, "65f1a2b3c4d5e6f708091a2b");
    });

    println!(
        "create_deal on {address}: {secs} s per run, {rounds} round(s), median round shown; \
         CPU: the whole process (client and server), median"
    );
    println!(
        "{:>9}  {:>16}  {:>16}  {:>10}",
        "in flight", "plain reqwest/s", "kinbox-api/s", "sdk/plain"
    );
    for &n in &in_flight {
        let mut plain_rates = Vec::new();
        let mut sdk_rates = Vec::new();
        for round in 0..rounds {
            // Warm-up: connections opened, allocator and caches settled.
            let warm = Duration::from_millis(if round == 0 { 1000 } else { 300 });
            let run = Duration::from_secs(secs);
            // Each round swaps which client goes first, so that a trend in
            // the machine's load does not favour either.
            let order = if round % 2 == 0 {
                ["plain", "sdk"]
            } else {
                ["sdk", "plain"]
            };
            for client in order {
                if only.as_deref().is_some_and(|o| !client.contains(o)) {
                    continue;
                }
                if client == "plain" {
                    runtime.block_on(drive(n, warm, send_plain.clone()));
                    plain_rates.push(runtime.block_on(drive(n, run, send_plain.clone())));
                } else {
                    runtime.block_on(drive(n, warm, send_sdk.clone()));
                    sdk_rates.push(runtime.block_on(drive(n, run, send_sdk.clone())));
                }
            }
        }
        let (p, s) = (median(&mut plain_rates), median(&mut sdk_rates));
        let ratio = if p.per_second > 0.0 && s.per_second > 0.0 {
            format!("{:.2}x", s.per_second / p.per_second)
        } else {
            "-".to_owned()
        };
        println!(
            "{n:>9}  {:>16.0}  {:>16.0}  {ratio:>10}",
            p.per_second, s.per_second
        );
        if let (Some(p), Some(s)) = (cpu(&plain_rates), cpu(&sdk_rates)) {
            println!(
                "{:>9}  {:>16}  {:>16}  {:>10}",
                "CPU µs/req",
                format!("{p:.1}"),
                format!("{s:.1}"),
                format!("{:.2}x", s / p)
            );
        }
        if rounds > 1 {
            println!(
                "{:>9}  {:>16}  {:>16}",
                "rounds",
                rates(&plain_rates),
                rates(&sdk_rates)
            );
        }
    }
}

async fn sdk_create(client: &kinbox_api::Client, body: &DealCreate) -> Deal {
    client
        .create_deal()
        .body(body.clone())
        .send()
        .await
        .expect("the SDK creates the deal")
        .into_inner()
}

/// What a hand-written client does: one `reqwest::Client`, the bearer header
/// on every request, the answer read as a `Deal`.
struct Plain {
    http: reqwest::Client,
    url: String,
    authorization: reqwest::header::HeaderValue,
}

impl Plain {
    fn new(base_url: &str) -> Self {
        Self {
            http: reqwest::Client::builder()
                .user_agent(USER_AGENT)
                .build()
                .expect("a reqwest client"),
            url: format!("{base_url}/v1/deals"),
            authorization: format!("Bearer {TOKEN}").parse().unwrap(),
        }
    }

    async fn create(&self, body: &DealCreate) -> Deal {
        let response = self
            .http
            .post(&self.url)
            .header(reqwest::header::AUTHORIZATION, self.authorization.clone())
            .header(reqwest::header::ACCEPT, "application/json")
            .header("api-version", "1")
            // `json` sets `Content-Type: application/json`, as the SDK's does.
            .json(&body.clone())
            .send()
            .await
            .expect("the server answers");
        assert_eq!(response.status(), reqwest::StatusCode::CREATED);
        response.json::<Deal>().await.expect("a deal")
    }
}

/// What one run measured.
#[derive(Clone, Copy)]
struct Rate {
    per_second: f64,
    /// CPU time of the whole process (both runtimes) per request, when
    /// `/proc` tells it: unlike requests per second, it does not move when
    /// other programs take the machine's cores.
    cpu_us: Option<f64>,
}

/// Requests per second with `in_flight` requests always outstanding, for
/// `length`. Each sender is a task of its own, so that the runtime's workers
/// share the requests as they would in a server using the client.
async fn drive<F, Fut>(in_flight: usize, length: Duration, send: F) -> Rate
where
    F: Fn() -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = Deal> + Send,
{
    let done = Arc::new(AtomicU64::new(0));
    let cpu_before = process_cpu();
    let started = Instant::now();
    let workers: Vec<_> = (0..in_flight)
        .map(|_| {
            let (send, done) = (send.clone(), done.clone());
            tokio::spawn(async move {
                while started.elapsed() < length {
                    std::hint::black_box(send().await);
                    done.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    for worker in workers {
        worker.await.expect("a sender finishes");
    }
    let elapsed = started.elapsed();
    let requests = done.load(Ordering::Relaxed) as f64;
    Rate {
        per_second: requests / elapsed.as_secs_f64(),
        cpu_us: cpu_before
            .zip(process_cpu())
            .map(|(before, after)| (after - before).as_secs_f64() * 1e6 / requests),
    }
}

/// User and system time of this process so far, from `/proc/self/stat`
/// (Linux), in clock ticks taken as 10 ms (`USER_HZ` is 100 on every Linux
/// the project runs on).
fn process_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The command name, in parentheses, may hold spaces: fields are counted
    // after it.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

/// A server that costs both clients the same: one fixed answer, written
/// from memory. The listener is bound before this returns, so the first
/// connection waits in its backlog rather than failing.
fn start_server() -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a loopback port");
    listener.set_nonblocking(true).unwrap();
    let address = listener.local_addr().unwrap();
    let answer = Bytes::from_static(DEAL.as_bytes());
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .expect("the server's runtime");
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            loop {
                let (stream, _) = listener.accept().await.expect("accept");
                stream.set_nodelay(true).unwrap();
                let answer = answer.clone();
                tokio::spawn(async move {
                    let service =
                        service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
                            let answer = answer.clone();
                            async move {
                                let found = request.method() == hyper::Method::POST
                                    && request.uri().path() == "/v1/deals";
                                // The body is read, as a real server would.
                                let _ = request.into_body().collect().await;
                                let response = hyper::Response::builder()
                                    .status(if found { 201 } else { 404 })
                                    .header("content-type", "application/json")
                                    .body(Full::new(if found { answer } else { Bytes::new() }))
                                    .unwrap();
                                Ok::<_, Infallible>(response)
                            }
                        });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
    });
    address
}

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The round with the median rate.
fn median(rates: &mut [Rate]) -> Rate {
    rates.sort_by(|a, b| a.per_second.total_cmp(&b.per_second));
    rates.get(rates.len() / 2).copied().unwrap_or(Rate {
        per_second: 0.0,
        cpu_us: None,
    })
}

/// The median CPU time per request over the rounds.
fn cpu(rates: &[Rate]) -> Option<f64> {
    let mut cpu: Vec<f64> = rates.iter().map(|r| r.cpu_us).collect::<Option<_>>()?;
    cpu.sort_by(f64::total_cmp);
    cpu.get(cpu.len() / 2).copied()
}

fn rates(rates: &[Rate]) -> String {
    rates
        .iter()
        .map(|r| format!("{:.0}", r.per_second))
        .collect::<Vec<_>>()
        .join(" ")
}
