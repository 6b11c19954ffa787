//! `kinbox deals import` against a plain reqwest loop, on the same sandbox
//! at the same concurrency: deals per second, CPU time per deal, and the
//! import's peak memory as the file grows.
//!
//! ```sh
//! cargo bench -p kinbox-cli --bench import
//! KINBOX_BENCH_ROWS=10000,100000 KINBOX_BENCH_ROUNDS=5 KINBOX_BENCH_CONCURRENCY=8 \
//!     cargo bench -p kinbox-cli --bench import
//! ```
//!
//! The sandbox is `kinbox sandbox`, a process of its own on 127.0.0.1, fresh
//! for every run so that both clients start from the same store. `kinbox`
//! is the release binary cargo builds for benchmarks, run as a user would,
//! with its journal on disk. The loop (in this process, on a multi-threaded
//! Tokio runtime, as `#[tokio::main]` gives) sends the same bodies with the
//! ids already known, parses each answer as JSON and keeps no journal: it
//! is what the import's safety costs, measured. Rounds alternate which goes
//! first, so that a neighbour's load falls on both alike; medians are
//! reported. CPU time is each client's own (the import's from the kernel's
//! count for a waited child, the loop's from this process's), without the
//! sandbox's.

use std::io::Write;
use std::process::Command;
use std::time::{Duration, Instant};

#[path = "support/sandbox_process.rs"]
mod sandbox_process;
use sandbox_process::{SandboxProcess, TOKEN};

use futures::StreamExt;
use kinbox_sandbox::seeded;

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

/// CPU time (user and system) of this process, or of its waited children.
fn cpu_time(who: libc::c_int) -> Duration {
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `usage` is a valid, writable `rusage`.
    unsafe { libc::getrusage(who, &mut usage) };
    let time = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    time(usage.ru_utime) + time(usage.ru_stime)
}

struct Run {
    elapsed: Duration,
    cpu: Duration,
}

impl Run {
    fn per_second(&self, rows: u64) -> f64 {
        rows as f64 / self.elapsed.as_secs_f64()
    }

    fn cpu_us_per_row(&self, rows: u64) -> f64 {
        self.cpu.as_secs_f64() * 1e6 / rows as f64
    }
}

/// `kinbox deals import` of `file` into a fresh sandbox; its peak RSS in KiB.
fn import(file: &std::path::Path, dir: &std::path::Path, concurrency: usize) -> (Run, u64) {
    let sandbox = SandboxProcess::start();
    let journal = file.with_extension("journal");
    let _ = std::fs::remove_file(&journal);
    let cpu_before = cpu_time(libc::RUSAGE_CHILDREN);
    let started = Instant::now();
    let (status, peak_kib) = run_measuring_rss(
        Command::new(env!("CARGO_BIN_EXE_kinbox"))
            .args(["deals", "import"])
            .arg(file)
            .arg("--journal")
            .arg(&journal)
            .args(["--concurrency", &concurrency.to_string()])
            .env("KINBOX_BASE_URL", &sandbox.base_url)
            .env("KINBOX_TOKEN", TOKEN)
            .env("KINBOX_CONFIG_DIR", dir)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null()),
    );
    let elapsed = started.elapsed();
    let cpu = cpu_time(libc::RUSAGE_CHILDREN) - cpu_before;
    assert!(status.success(), "the import failed: {status}");
    (Run { elapsed, cpu }, peak_kib)
}

fn plain_loop(runtime: &tokio::runtime::Runtime, rows: u64, concurrency: usize) -> Run {
    let sandbox = SandboxProcess::start();
    let cpu_before = cpu_time(libc::RUSAGE_SELF);
    let elapsed = runtime.block_on(reqwest_loop(&sandbox.base_url, TOKEN, rows, concurrency));
    let cpu = cpu_time(libc::RUSAGE_SELF) - cpu_before;
    Run { elapsed, cpu }
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
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
    let rounds = env_list("KINBOX_BENCH_ROUNDS", "7")[0].max(1);
    let concurrency = env_list("KINBOX_BENCH_CONCURRENCY", "8")[0] as usize;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    println!(
        "rows     round  kinbox deals import              reqwest loop                     ratio  import peak RSS"
    );
    for rows in rows_list {
        let file = dir.path().join(format!("leads-{rows}.csv"));
        spreadsheet(&file, rows);
        let (mut ratios, mut imports, mut loops) = (Vec::new(), Vec::new(), Vec::new());
        let (mut import_cpu, mut loop_cpu, mut peak) = (Vec::new(), Vec::new(), 0);
        for round in 1..=rounds {
            let (imported, plain, peak_kib) = if round % 2 == 1 {
                let (imported, peak_kib) = import(&file, dir.path(), concurrency);
                (imported, plain_loop(&runtime, rows, concurrency), peak_kib)
            } else {
                let plain = plain_loop(&runtime, rows, concurrency);
                let (imported, peak_kib) = import(&file, dir.path(), concurrency);
                (imported, plain, peak_kib)
            };
            let ratio = imported.per_second(rows) / plain.per_second(rows);
            println!(
                "{rows:<8} {round:<6} {:>7.0} deals/s, {:>5.1} µs CPU/deal  {:>7.0} deals/s, {:>5.1} µs CPU/deal  {ratio:.2}x  {:.1} MiB",
                imported.per_second(rows),
                imported.cpu_us_per_row(rows),
                plain.per_second(rows),
                plain.cpu_us_per_row(rows),
                peak_kib as f64 / 1024.0,
            );
            ratios.push(ratio);
            imports.push(imported.per_second(rows));
            loops.push(plain.per_second(rows));
            import_cpu.push(imported.cpu_us_per_row(rows));
            loop_cpu.push(plain.cpu_us_per_row(rows));
            peak = peak.max(peak_kib);
        }
        println!(
            "{rows:<8} median {:>7.0} deals/s, {:>5.1} µs CPU/deal  {:>7.0} deals/s, {:>5.1} µs CPU/deal  {:.2}x  {:.1} MiB (peak of all rounds)",
            median(imports),
            median(import_cpu),
            median(loops),
            median(loop_cpu),
            median(ratios),
            peak as f64 / 1024.0,
        );
    }
}
