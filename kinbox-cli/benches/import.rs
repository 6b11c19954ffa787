//! `kinbox deals import` against a plain reqwest loop, on the same sandbox
//! at the same concurrency: deals per second, and the import's peak memory
//! as the file grows.
//!
//! ```sh
//! cargo bench -p kinbox-cli --bench import
//! KINBOX_BENCH_ROWS=10000,100000 KINBOX_BENCH_CONCURRENCY=8 cargo bench -p kinbox-cli --bench import
//! ```
//!
//! The sandbox runs in this process (127.0.0.1); `kinbox` is the release
//! binary cargo builds for benchmarks, run as a user would, with its journal.
//! The loop sends the same bodies with the ids already known, parses each
//! answer as JSON and keeps no journal: it is what the import's safety
//! costs, measured.

use std::io::Write;
use std::process::Command;
use std::time::{Duration, Instant};

use futures::StreamExt;
use kinbox_sandbox::{Sandbox, seeded};

fn env_list(name: &str, default: &str) -> Vec<u64> {
    std::env::var(name)
        .unwrap_or_else(|_| default.to_owned())
        .split(',')
        .map(|n| n.trim().parse().expect("a list of numbers"))
        .collect()
}

/// `rows` deals for the seeded contacts, by pipeline and stage name.
fn spreadsheet(path: &std::path::Path, rows: u64) {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    writeln!(out, "name;value;pipeline;stage;contact_id").unwrap();
    for row in 1..=rows {
        let contact = seeded::CONTACTS[(row % 3) as usize];
        writeln!(
            out,
            "Pedido {row};R$ 1.{:03},50;Vendas;Proposta;{contact}",
            row % 1000
        )
        .unwrap();
    }
}

/// Runs `cmd` to its end; its peak resident set, in KiB, read from
/// `/proc` as it runs (the kernel's own count for the child would include
/// the pages it shared with this process, sandbox and all, before `exec`).
fn run_measuring_rss(cmd: &mut Command) -> (std::process::ExitStatus, u64) {
    let mut child = cmd.spawn().unwrap();
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    loop {
        if let Ok(status) = std::fs::read_to_string(&status_file)
            && let Some(kib) = status
                .lines()
                .find_map(|line| line.strip_prefix("VmHWM:"))
                .and_then(|rest| {
                    rest.trim()
                        .trim_end_matches("kB")
                        .trim()
                        .parse::<u64>()
                        .ok()
                })
        {
            peak = peak.max(kib);
        }
        if let Some(status) = child.try_wait().unwrap() {
            return (status, peak);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The plain loop: the same creates, `concurrency` in flight.
async fn reqwest_loop(base_url: &str, token: &str, rows: u64, concurrency: usize) -> Duration {
    let client = reqwest::Client::new();
    let url = format!("{base_url}/v1/deals");
    let started = Instant::now();
    let created = futures::stream::iter(1..=rows)
        .map(|row| {
            let body = serde_json::json!({
                "name": format!("Pedido {row}"),
                "value": 1000.5 + (row % 1000) as f64,
                "status": "open",
                "pipelineId": seeded::PIPELINE_VENDAS,
                "stageId": seeded::STAGES_VENDAS[0],
                "contactId": seeded::CONTACTS[(row % 3) as usize],
                "customFields": {},
            });
            let request = client.post(&url).bearer_auth(token).json(&body);
            async move {
                let answer = request.send().await.expect("the sandbox answers");
                assert_eq!(answer.status(), 201);
                answer.json::<serde_json::Value>().await.expect("a deal")
            }
        })
        .buffer_unordered(concurrency)
        .count()
        .await;
    assert_eq!(created as u64, rows);
    started.elapsed()
}

fn main() {
    // `cargo bench` passes `--bench`; this harness takes no arguments.
    let rows_list = env_list("KINBOX_BENCH_ROWS", "10000");
    let concurrency = env_list("KINBOX_BENCH_CONCURRENCY", "8")[0] as usize;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    println!(
        "rows     concurrency  kinbox deals import      reqwest loop      ratio  import peak RSS"
    );
    for rows in rows_list {
        let sandbox = runtime.block_on(Sandbox::builder().start()).unwrap();
        let file = dir.path().join(format!("leads-{rows}.csv"));
        spreadsheet(&file, rows);
        let journal = dir.path().join(format!("leads-{rows}.journal"));
        let started = Instant::now();
        let (status, peak_kib) = run_measuring_rss(
            Command::new(env!("CARGO_BIN_EXE_kinbox"))
                .args(["deals", "import"])
                .arg(&file)
                .arg("--journal")
                .arg(&journal)
                .args(["--concurrency", &concurrency.to_string()])
                .env("KINBOX_BASE_URL", sandbox.base_url())
                .env("KINBOX_TOKEN", sandbox.token())
                .env("KINBOX_CONFIG_DIR", dir.path())
                .stderr(std::process::Stdio::null()),
        );
        let import = started.elapsed();
        assert!(status.success(), "the import failed: {status}");
        let rss_mib = peak_kib as f64 / 1024.0;
        drop(sandbox);

        // A fresh sandbox, so both start from the same store.
        let sandbox = runtime.block_on(Sandbox::builder().start()).unwrap();
        let plain = runtime.block_on(reqwest_loop(
            sandbox.base_url(),
            sandbox.token(),
            rows,
            concurrency,
        ));
        drop(sandbox);

        let per_second = |elapsed: Duration| rows as f64 / elapsed.as_secs_f64();
        println!(
            "{rows:<8} {concurrency:<12} {:>8.0} deals/s ({:>5.1} s) {:>7.0} deals/s ({:>5.1} s)  {:.2}x  {rss_mib:.1} MiB",
            per_second(import),
            import.as_secs_f64(),
            per_second(plain),
            plain.as_secs_f64(),
            per_second(import) / per_second(plain),
        );
    }
}
