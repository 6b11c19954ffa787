//! Answers that are lost, endless, garbled or hostile: a write whose answer
//! is lost says its outcome is unknown, reads are bounded, retried when they
//! can be, and server text is redacted, escaped and cut.
//!
//! These servers are raw TCP on 127.0.0.1, since httpmock cannot drop a
//! connection mid-answer or stream forever.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crate::common::{TOKEN, raw_fixture};
use kinbox_api::types::{CustomFieldsInput, DealCreate, DealStatus};
use kinbox_api::{Client, ClientConfig, ErrorKind, KinboxError, RetryPolicy, Token};

const DEAL_ID: &str = "65f0c0ffee0000000000dddd";

/// What the server does with the n-th connection (from 0).
type Behaviour = fn(usize, &mut TcpStream);

/// A server that reads each request's head and body, then does what
/// `behaviour` says; returns its base URL and a count of requests.
fn raw_server(behaviour: Behaviour) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base_url = format!("http://{}", listener.local_addr().unwrap());
    let count = Arc::new(AtomicUsize::new(0));
    let counter = count.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let n = counter.fetch_add(1, Ordering::SeqCst);
            std::thread::spawn(move || {
                if read_request(&mut stream).is_some() {
                    behaviour(n, &mut stream);
                }
            });
        }
    });
    (base_url, count)
}

fn read_request(stream: &mut TcpStream) -> Option<()> {
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut length = 0;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).ok()?;
        if line == "\r\n" || line.is_empty() {
            break;
        }
        if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = value.trim().parse().ok()?;
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()
}

/// One answer, then the connection closes (the thread serving it ends): said
/// in the answer, or the client may send its next request on a connection
/// that is being closed and read a reset.
fn answer(stream: &mut TcpStream, status: &str, headers: &str, body: &str) {
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\nconnection: close\r\ncontent-length: {}\r\n{headers}\r\n{body}",
        body.len()
    );
}

fn client(base_url: &str, retries: u32) -> Client {
    ClientConfig::new(Token::new(TOKEN).unwrap())
        .base_url(base_url)
        .timeout(Duration::from_millis(800))
        .retry_policy(RetryPolicy {
            max_retries: retries,
            base_delay: Duration::from_millis(10),
            max_wait: Duration::from_secs(5),
        })
        .max_answer_bytes(1 << 20)
        .build()
        .unwrap()
}

async fn create(client: &Client) -> Result<kinbox_api::types::Deal, KinboxError> {
    client
        .create_deal()
        .body(
            DealCreate::builder()
                .name("Pedido #1042")
                .value(1890.0)
                .status(DealStatus::Open)
                .pipeline_id("p1")
                .stage_id("s1")
                .contact_id(42)
                .custom_fields(CustomFieldsInput::new()),
        )
        .send()
        .await
        .map(|deal| deal.into_inner())
}

async fn get(client: &Client) -> Result<kinbox_api::types::Deal, KinboxError> {
    client
        .get_deal()
        .id(DEAL_ID)
        .send()
        .await
        .map(|deal| deal.into_inner())
}

fn assert_outcome_unknown(error: KinboxError, what: &str) {
    let shown = error.to_string();
    assert!(
        matches!(error, KinboxError::OutcomeUnknown { .. }),
        "{what}: expected OutcomeUnknown, got {error:?}"
    );
    assert!(shown.contains("may have been applied"), "{what}: {shown}");
}

#[tokio::test]
async fn a_create_whose_connection_drops_after_sending_has_an_unknown_outcome() {
    let (base_url, requests) = raw_server(|_, stream| {
        let _ = stream.shutdown(std::net::Shutdown::Both);
    });
    let error = create(&client(&base_url, 5)).await.unwrap_err();
    assert_outcome_unknown(error, "dropped");
    assert_eq!(
        requests.load(Ordering::SeqCst),
        1,
        "a create is never sent twice"
    );
}

#[tokio::test]
async fn a_create_that_times_out_after_sending_has_an_unknown_outcome() {
    let (base_url, requests) = raw_server(|_, _| std::thread::sleep(Duration::from_secs(3)));
    let error = create(&client(&base_url, 5)).await.unwrap_err();
    assert_outcome_unknown(error, "timed out");
    assert_eq!(requests.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_201_whose_body_cannot_be_read_has_an_unknown_outcome() {
    let (base_url, _) = raw_server(|_, stream| {
        // Cut in the middle of the JSON, then the connection closes.
        let _ = write!(
            stream,
            "HTTP/1.1 201 Created\r\ncontent-type: application/json\r\ncontent-length: 500\r\n\r\n{{\"id\": \"65f0"
        );
    });
    assert_outcome_unknown(create(&client(&base_url, 0)).await.unwrap_err(), "cut body");

    let (base_url, _) = raw_server(|_, stream| {
        answer(stream, "201 Created", "", "{\"id\": \"65f0c0ff");
    });
    assert_outcome_unknown(create(&client(&base_url, 0)).await.unwrap_err(), "not JSON");
}

#[tokio::test]
async fn a_create_that_cannot_connect_was_not_sent() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let error = create(&client(&format!("http://127.0.0.1:{port}"), 0))
        .await
        .unwrap_err();
    assert!(matches!(error, KinboxError::Network(_)), "{error:?}");
}

#[tokio::test]
async fn a_read_is_retried_through_drops_timeouts_and_500s() {
    let (base_url, requests) = raw_server(|n, stream| match n {
        0 => {
            let _ = stream.shutdown(std::net::Shutdown::Both);
        }
        1 => std::thread::sleep(Duration::from_secs(2)),
        2 => answer(stream, "500 Internal Server Error", "", "{}"),
        _ => answer(
            stream,
            "200 OK",
            "",
            &raw_fixture("deal_minimal.json").to_string(),
        ),
    });
    let deal = get(&client(&base_url, 3))
        .await
        .expect("the fourth attempt succeeds");
    assert_eq!(deal.id, raw_fixture("deal_minimal.json")["id"]);
    assert_eq!(requests.load(Ordering::SeqCst), 4);
}

#[tokio::test]
async fn a_read_gives_up_when_asked_to_wait_too_long() {
    let (base_url, requests) = raw_server(|_, stream| {
        answer(
            stream,
            "503 Service Unavailable",
            "retry-after: 3600\r\n",
            "{}",
        );
    });
    let error = get(&client(&base_url, 3)).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Server);
    assert_eq!(error.retry_after(), Some(Duration::from_secs(3600)));
    assert_eq!(requests.load(Ordering::SeqCst), 1, "not retried");
}

#[tokio::test]
async fn an_endless_answer_is_read_up_to_the_limit() {
    let (base_url, _) = raw_server(|_, stream| {
        let _ = write!(
            stream,
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n"
        );
        let chunk = vec![b' '; 64 * 1024];
        // 200 MB unless the client hangs up first.
        for _ in 0..3200 {
            if write!(stream, "{:x}\r\n", chunk.len()).is_err()
                || stream.write_all(&chunk).is_err()
                || stream.write_all(b"\r\n").is_err()
            {
                return;
            }
        }
    });
    let error = get(&client(&base_url, 0)).await.unwrap_err();
    assert!(
        matches!(error, KinboxError::AnswerTooLarge { limit: 1048576 }),
        "{error:?}"
    );
    assert!(error.to_string().contains("1 MiB"), "{error}");
}

#[tokio::test]
async fn a_write_whose_answer_is_too_large_has_an_unknown_outcome() {
    let (base_url, _) = raw_server(|_, stream| {
        answer(stream, "201 Created", "", &" ".repeat(2 << 20));
    });
    assert_outcome_unknown(
        create(&client(&base_url, 0)).await.unwrap_err(),
        "too large",
    );
}

#[tokio::test]
async fn an_error_that_echoes_the_token_is_shown_without_it() {
    let (base_url, _) = raw_server(|_, stream| {
        let body = serde_json::json!({
            "message": format!("invalid token {TOKEN}"),
            "errors": [{"path": "authorization", "message": format!("Bearer {TOKEN}")}],
        });
        answer(stream, "401 Unauthorized", "", &body.to_string());
    });
    let error = get(&client(&base_url, 0)).await.unwrap_err();
    let shown = format!("{error} {error:?}");
    assert!(!shown.contains(TOKEN), "{shown}");
    assert!(shown.contains("invalid token <redacted>"), "{shown}");

    let (base_url, _) = raw_server(|_, stream| {
        answer(
            stream,
            "401 Unauthorized",
            "",
            &format!("<html>token {TOKEN}</html>"),
        );
    });
    let error = get(&client(&base_url, 0)).await.unwrap_err();
    let shown = format!("{error} {error:?}");
    assert!(!shown.contains(TOKEN), "{shown}");
}

#[tokio::test]
async fn a_huge_error_body_is_cut_and_says_so() {
    let (base_url, _) = raw_server(|_, stream| {
        answer(stream, "502 Bad Gateway", "", &"<p>x</p>".repeat(1_250_000));
    });
    let shown = get(&client(&base_url, 0)).await.unwrap_err().to_string();
    assert!(shown.len() < 4096, "{} bytes shown", shown.len());
    assert!(shown.contains("[cut:"), "{shown}");
}

#[tokio::test]
async fn control_characters_from_the_server_are_escaped() {
    let (base_url, _) = raw_server(|_, stream| {
        let body = serde_json::json!({"message": "\u{1b}]0;pwned\u{7}\u{1b}[2Jgone\nfake: line"});
        answer(stream, "400 Bad Request", "", &body.to_string());
    });
    let shown = get(&client(&base_url, 0)).await.unwrap_err().to_string();
    assert!(!shown.chars().any(|c| c.is_control()), "{shown:?}");
    assert!(shown.contains("\\u{1b}]0;pwned"), "{shown}");
}

/// `text` with each character written as a JSON `\u` escape (uppercase hex
/// on odd ones: readers take both).
fn all_escaped(text: &str) -> String {
    text.encode_utf16()
        .enumerate()
        .map(|(i, unit)| match i % 2 {
            0 => format!("\\u{unit:04x}"),
            _ => format!("\\u{unit:04X}"),
        })
        .collect()
}

/// `text` with every other character escaped, and `/` as `\/`.
fn half_escaped(text: &str) -> String {
    text.chars()
        .enumerate()
        .map(|(i, c)| match c {
            '/' => "\\/".to_owned(),
            c if i % 2 == 0 => format!("\\u{:04x}", c as u32),
            c => c.to_string(),
        })
        .collect()
}

/// The full deal, with the token written in JSON escapes in its name, a
/// text field, a key and a list: nowhere in the answer's bytes as such.
fn deal_hiding(token: &str) -> String {
    let mut deal = raw_fixture("deal_full.json");
    deal["name"] = "@NAME@".into();
    deal["lostReasonObs"] = "@OBS@".into();
    deal["lostReason"] = serde_json::json!(["@LIST@"]);
    deal["customFields"]["@KEY@"] = serde_json::json!({"value": "x", "type": "text"});
    let body = deal
        .to_string()
        .replace("@NAME@", &all_escaped(token))
        .replace("@OBS@", &format!("Bearer {}.", half_escaped(token)))
        .replace("@LIST@", &half_escaped(token))
        .replace("@KEY@", &all_escaped(token));
    assert!(!body.contains(token));
    body
}

#[tokio::test]
async fn an_answer_that_hides_the_token_in_json_escapes_gives_it_to_no_one() {
    let (base_url, _) = raw_server(|n, stream| {
        let status = if n == 0 { "201 Created" } else { "200 OK" };
        answer(stream, status, "", &deal_hiding(TOKEN));
    });
    let client = client(&base_url, 0);
    let created = create(&client).await.unwrap();
    let read = get(&client).await.unwrap();
    let raw = client
        .raw(reqwest::Method::GET, &format!("/v1/deals/{DEAL_ID}"), None)
        .await
        .unwrap();
    for shown in [
        format!("{created:?}"),
        serde_json::to_string(&created).unwrap(),
        format!("{read:?}"),
        format!("{raw:?}"),
        raw.body.unwrap().to_string(),
    ] {
        assert!(!shown.contains(TOKEN), "{shown}");
        assert!(shown.contains("<redacted>"), "{shown}");
    }
    assert_eq!(created.name, "<redacted>");
    assert_eq!(
        created.lost_reason_obs.as_deref(),
        Some("Bearer <redacted>.")
    );
    // What held no token is as the server sent it.
    assert_eq!(created.id, "65f1a2b3c4d5e6f708091a2b");
}

#[tokio::test]
async fn a_token_with_slashes_is_found_written_with_escaped_slashes() {
    const SLASHED: &str = "kbx/live/5f2c9a71d04e/4b7c";
    let (base_url, _) = raw_server(|_, stream| {
        let body = deal_hiding(SLASHED).replace(
            "\"id\":\"65f1a2b3c4d5e6f708091a2b\"",
            &format!("\"id\":\"{}\"", SLASHED.replace('/', "\\/")),
        );
        answer(stream, "200 OK", "", &body);
    });
    let client = ClientConfig::new(Token::new(SLASHED).unwrap())
        .base_url(&base_url)
        .timeout(Duration::from_millis(800))
        .build()
        .unwrap();
    let read = get(&client).await.unwrap();
    let shown = format!("{read:?}");
    assert!(!shown.contains(SLASHED), "{shown}");
    assert_eq!(read.id, "<redacted>");
}

#[tokio::test]
async fn a_broken_answer_does_not_quote_an_escaped_token_in_its_parse_error() {
    // serde quotes a string of the wrong type in its message ("invalid type:
    // string …"): decoded, whatever the answer's bytes were.
    let (base_url, _) = raw_server(|_, stream| {
        let body = format!(
            "{{\"id\": \"{DEAL_ID}\", \"value\": \"{}\", \"name\": ",
            all_escaped(TOKEN)
        );
        answer(stream, "200 OK", "", &body);
    });
    let error = get(&client(&base_url, 0)).await.unwrap_err();
    let mut shown = format!("{error} {error:?}");
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        shown.push_str(&format!(" {cause}"));
        source = cause.source();
    }
    assert!(
        matches!(error, KinboxError::InvalidResponse { .. }),
        "{shown}"
    );
    assert!(!shown.contains(TOKEN), "{shown}");
}
