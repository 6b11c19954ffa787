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

#[test]
fn with_v_the_binary_logs_each_request_and_never_a_token() {
    let token = "log-test-secret-7f3a";
    let wrong = "wrong-secret-9c1d";
    let mut child = Child(
        Command::new(env!("CARGO_BIN_EXE_kinbox-sandbox"))
            .args(["--port", "0", "--token", token, "-v"])
            .env_remove("KINBOX_LOG")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut lines = BufReader::new(child.0.stdout.take().unwrap()).lines();
    let base_url = lines.next().unwrap().unwrap();
    let base_url = base_url
        .strip_prefix("KINBOX_BASE_URL=")
        .unwrap()
        .to_owned();
    let stderr = child.0.stderr.take().unwrap();
    // Read on the side, so that the pipe never fills up.
    let logged = std::thread::spawn(move || std::io::read_to_string(stderr).unwrap());

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let client = reqwest::Client::new();
        let send = |method: Method, path: &str, token: &str| {
            client
                .request(method, format!("{base_url}{path}"))
                .bearer_auth(token)
        };
        let listed = send(Method::GET, "/v1/deals?limit=5", token).send().await;
        assert_eq!(listed.unwrap().status(), 200);
        let created = send(Method::POST, "/v1/deals", token)
            .header("content-type", "application/json")
            .body(r#"{"name":"logged","value":1,"status":"open","pipelineId":"p","stageId":"s","contactId":1,"customFields":{}}"#)
            .send()
            .await;
        assert_eq!(created.unwrap().status(), 201);
        let refused = send(Method::GET, "/v1/pipelines", wrong).send().await;
        assert_eq!(refused.unwrap().status(), 401);
    });
    // Every answer above was logged before it was sent.
    drop(child);
    let logged = logged.join().unwrap();

    let requests: Vec<&str> = logged
        .lines()
        .filter(|line| line.contains("kinbox_sandbox::requests"))
        .collect();
    assert_eq!(requests.len(), 3, "one line per request:\n{logged}");
    for (line, expected) in requests.iter().zip([
        "GET /v1/deals?limit=5 200 ",
        "POST /v1/deals 201 ",
        "GET /v1/pipelines 401 ",
    ]) {
        assert!(line.contains(expected), "{line:?} lacks {expected:?}");
        let latency = line.rsplit(' ').next().unwrap();
        assert!(
            latency.starts_with(|c: char| c.is_ascii_digit()) && latency.ends_with('s'),
            "{line:?} ends with a latency"
        );
    }
    assert!(
        !logged.contains(wrong),
        "a refused token is logged:\n{logged}"
    );
    assert!(
        !logged.to_ascii_lowercase().contains("authorization"),
        "{logged}"
    );
    // The token is printed once at start, as a hint to try the CLI; the
    // log never shows it.
    let showing_it: Vec<&str> = logged.lines().filter(|l| l.contains(token)).collect();
    assert!(
        showing_it.len() <= 1 && showing_it.iter().all(|l| l.starts_with("try: ")),
        "{showing_it:?}"
    );
}
