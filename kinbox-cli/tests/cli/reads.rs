//! Reads that survive a real API: `deals list --all` walks every page of a
//! sandbox that rate-limits and fails one request in five, with the default
//! settings (reads retried, honouring `Retry-After`; pages as large as the
//! API serves), and prints every deal exactly once. `--retries 0` turns
//! the retries off, and the same walk then stops at the first 429.

use std::collections::BTreeSet;
use std::time::Duration;

use kinbox_api::ErrorKind;
use kinbox_api::types::{CustomFieldsInput, DealCreate, DealStatus};
use kinbox_sandbox::Sandbox;

use crate::support::{kinbox, run};

/// Enough for three pages of 100.
const DEALS: usize = 250;
/// Requests a second the sandbox serves before it answers 429.
const RATE: u32 = 40;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Creates `count` deals through the faults: a 429 or a 5xx of the
/// sandbox's fault injection comes before the deal is stored (this sandbox
/// injects no failure after a write), so the create is sent again.
async fn seed(sandbox: &Sandbox, count: usize) {
    let client = sandbox.client();
    for n in 0..count {
        loop {
            let body = DealCreate::builder()
                .name(format!("Pedido #{n}"))
                .value(100.0 + n as f64)
                .status(DealStatus::Open)
                .pipeline_id("pipeline-a")
                .stage_id("stage-1")
                .contact_id(42)
                .custom_fields(CustomFieldsInput::new());
            match client.create_deal().body(body).send().await {
                Ok(_) => break,
                Err(e) if e.kind() == ErrorKind::RateLimited => {
                    tokio::time::sleep(e.retry_after().unwrap_or(Duration::from_secs(1))).await;
                }
                Err(e) if e.kind() == ErrorKind::Server => {}
                Err(e) => panic!("seeding deal {n}: {e}"),
            }
        }
    }
}

/// Reads until the sandbox answers 429: the next request is rate-limited.
async fn use_up_the_rate(sandbox: &Sandbox) {
    let client = kinbox_api::ClientConfig::new(kinbox_api::Token::new(sandbox.token()).unwrap())
        .base_url(sandbox.base_url())
        .retries(0)
        .build()
        .unwrap();
    for _ in 0..10 * RATE {
        if let Err(e) = client.list_pipelines().send().await
            && e.kind() == ErrorKind::RateLimited
        {
            return;
        }
    }
    panic!("the sandbox never rate-limited");
}

fn list_all(sandbox: &Sandbox, extra: &[&str]) -> crate::support::Output {
    let mut args = vec!["deals", "list", "--all"];
    args.extend(extra);
    run(kinbox(&args)
        .env("KINBOX_BASE_URL", sandbox.base_url())
        .env("KINBOX_TOKEN", sandbox.token())
        .env(
            "KINBOX_CONFIG_DIR",
            std::env::temp_dir().join("kinbox-reads-no-config"),
        ))
}

#[test]
fn deals_list_all_completes_through_rate_limits_and_server_errors_with_the_defaults() {
    let runtime = runtime();
    let sandbox = runtime
        .block_on(
            Sandbox::builder()
                .seed(18)
                .rate_limit(RATE, Duration::from_secs(1))
                .server_error_ratio(0.2)
                .start(),
        )
        .unwrap();
    runtime.block_on(seed(&sandbox, DEALS));
    let held: BTreeSet<String> = runtime
        .block_on(sandbox.held_deals())
        .into_iter()
        .map(|deal| deal.id.to_string())
        .collect();
    assert!(held.len() >= DEALS, "{}", held.len());

    // Without retries, the first 429 ends the walk with an error.
    runtime.block_on(use_up_the_rate(&sandbox));
    let out = list_all(&sandbox, &["--retries", "0"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("429"), "{}", out.stderr);

    // With the defaults, it waits as Retry-After asks and goes on.
    runtime.block_on(use_up_the_rate(&sandbox));
    let out = list_all(&sandbox, &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let printed: Vec<String> = out
        .stdout
        .lines()
        .map(|line| {
            let deal: serde_json::Value = serde_json::from_str(line).unwrap();
            match &deal["id"] {
                serde_json::Value::String(id) => id.clone(),
                id => id.to_string(),
            }
        })
        .collect();
    let unique: BTreeSet<String> = printed.iter().cloned().collect();
    assert_eq!(unique.len(), printed.len(), "a deal was printed twice");
    assert_eq!(unique, held, "every deal, exactly once");
}

#[test]
fn a_read_is_retried_by_default_and_a_write_never() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    let api = crate::support::Api::start();
    let reads = Arc::new(AtomicUsize::new(0));
    let counted = reads.clone();
    api.server.mock(|when, then| {
        when.method(httpmock::Method::GET)
            .path("/v1/deals/65f0c0ffee0000000000dddd");
        then.respond_with(move |_: &httpmock::HttpMockRequest| {
            let answer = if counted.fetch_add(1, Ordering::SeqCst) == 0 {
                httpmock::HttpMockResponse::builder()
                    .status(503)
                    .header("retry-after", "0")
                    .header("content-type", "application/json")
                    .body(r#"{"message":"try again"}"#)
            } else {
                httpmock::HttpMockResponse::builder()
                    .status(200)
                    .header("content-type", "application/json")
                    .body(
                        serde_json::to_string(&crate::support::deal(
                            "65f0c0ffee0000000000dddd",
                            "Pedido #1042",
                        ))
                        .unwrap(),
                    )
            };
            answer.build()
        });
    });
    let writes = api.server.mock(|when, then| {
        when.method(httpmock::Method::PATCH)
            .path("/v1/deals/65f0c0ffee0000000000dddd");
        then.status(503)
            .header("retry-after", "0")
            .json_body(serde_json::json!({"message": "try again"}));
    });

    let out = run(api.kinbox(&["deals", "get", "65f0c0ffee0000000000dddd"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("Pedido #1042"), "{}", out.stdout);
    assert_eq!(reads.load(Ordering::SeqCst), 2, "one 503, then the retry");

    let out = run(api.kinbox(&["deals", "update", "65f0c0ffee0000000000dddd", "--name", "x"]));
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(writes.calls(), 1, "a write is never sent twice");
}
