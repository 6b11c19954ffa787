//! Creates many deals in a running sandbox, for measuring it:
//!
//! ```sh
//! target/release/kinbox-sandbox --port 0 &   # prints KINBOX_BASE_URL=… and KINBOX_TOKEN=…
//! KINBOX_BASE_URL=… KINBOX_TOKEN=… cargo run --release -p kinbox-sandbox --example fill -- 100000 32
//! ```
//!
//! Arguments: how many deals (100000), how many requests in flight (32).
//! Every deal is the same small body as `scripts/wrk/create-deal.lua`.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

const DEAL: &str = r#"{"name":"Pedido #1042","value":1890.5,"status":"open","pipelineId":"65f0c0ffee0000000000aaaa","stageId":"65f0c0ffee0000000000bbbb","customFields":{"cpf":{"value":"060.715.303-54"}},"contactId":123456}"#;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let count: usize = args.next().map_or(Ok(100_000), |a| a.parse())?;
    let in_flight: usize = args.next().map_or(Ok(32), |a| a.parse())?;
    let base_url = std::env::var("KINBOX_BASE_URL")
        .map_err(|_| "set KINBOX_BASE_URL to the sandbox's base URL (its first line of output)")?;
    let token = std::env::var("KINBOX_TOKEN").unwrap_or_else(|_| "sandbox-token".to_owned());

    let client = reqwest::Client::new();
    let url = format!("{base_url}/v1/deals");
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let workers: Vec<_> = (0..in_flight)
        .map(|_| {
            let (client, url, token, next) =
                (client.clone(), url.clone(), token.clone(), next.clone());
            tokio::spawn(async move {
                while next.fetch_add(1, Ordering::Relaxed) < count {
                    let response = client
                        .post(&url)
                        .bearer_auth(&token)
                        .header("content-type", "application/json")
                        .body(DEAL)
                        .send()
                        .await
                        .map_err(|e| e.to_string())?;
                    if response.status() != reqwest::StatusCode::CREATED {
                        return Err(format!("expected 201, got {}", response.status()));
                    }
                }
                Ok::<(), String>(())
            })
        })
        .collect();
    for worker in workers {
        worker.await??;
    }
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "created {count} deals in {elapsed:.2} s ({:.0} per second, {in_flight} in flight)",
        count as f64 / elapsed
    );
    Ok(())
}
