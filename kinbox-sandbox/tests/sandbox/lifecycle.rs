use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::process::{Command, Stdio};

use kinbox_sandbox::{FaultConfig, Sandbox, StartError};
use reqwest::Method;

use crate::common::{call, deal};

#[tokio::test]
async fn dropping_the_sandbox_closes_its_port() {
    let sandbox = Sandbox::start().await.unwrap();
    let addr = sandbox.addr();
    assert!(sandbox.base_url().starts_with("http://127.0.0.1:"));
    // A pooled keep-alive connection, to show it is cut too.
    let client = sandbox.client();
    client.list_deals().send().await.unwrap();
    assert!(TcpStream::connect(addr).is_ok());

    drop(sandbox);

    let refused = TcpStream::connect(addr).unwrap_err();
    assert_eq!(refused.kind(), std::io::ErrorKind::ConnectionRefused);
    assert!(client.list_deals().send().await.is_err());
}

#[tokio::test]
async fn sandboxes_side_by_side_keep_their_own_data() {
    let first = Sandbox::start().await.unwrap();
    let second = Sandbox::start().await.unwrap();
    assert_ne!(first.addr(), second.addr());
    first
        .client()
        .create_deal()
        .body(deal("only in the first"))
        .send()
        .await
        .unwrap();
    let listed = call(&second, Method::GET, "/v1/deals", None).await;
    assert_eq!(listed.body["data"], serde_json::json!([]));
}

#[tokio::test]
async fn a_busy_port_or_a_bad_setting_is_an_error_saying_what_to_do() {
    let first = Sandbox::start().await.unwrap();
    let taken = Sandbox::builder().port(first.addr().port()).start().await;
    let error = taken.err().expect("the port is in use");
    assert!(matches!(error, StartError::Bind { .. }));
    assert!(error.to_string().contains("pick another port"), "{error}");

    let bad = Sandbox::builder()
        .faults(FaultConfig {
            server_error_ratio: 2.0,
            ..FaultConfig::default()
        })
        .start()
        .await;
    assert!(matches!(bad, Err(StartError::Config(_))));
}

/// A child process that is killed when the test ends, pass or fail.
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn the_binary_prints_the_base_url_and_token_first() {
    let mut child = Child(
        Command::new(env!("CARGO_BIN_EXE_kinbox-sandbox"))
            .args(["--port", "0", "--token", "demo-token"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut lines = BufReader::new(child.0.stdout.take().unwrap()).lines();
    let base_url = lines.next().unwrap().unwrap();
    let token = lines.next().unwrap().unwrap();
    let base_url = base_url
        .strip_prefix("KINBOX_BASE_URL=")
        .expect("first line")
        .to_owned();
    assert_eq!(token, "KINBOX_TOKEN=demo-token");
    assert!(base_url.starts_with("http://127.0.0.1:"), "{base_url}");

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let status = runtime.block_on(async {
        reqwest::Client::new()
            .get(format!("{base_url}/v1/deals"))
            .bearer_auth("demo-token")
            .send()
            .await
            .unwrap()
            .status()
    });
    assert_eq!(status, 200);
}
