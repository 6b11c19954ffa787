//! The sandbox cannot be exhausted by one client: unauthenticated bodies
//! are not read, bodies are capped, stalled requests are cut off, and
//! connections are bounded, while other clients go on being served.

use std::io::Write;
use std::net::{Shutdown, SocketAddr};
use std::time::{Duration, Instant};

use kinbox_sandbox::{Limits, Sandbox, SandboxBuilder};
use reqwest::StatusCode;

use crate::common::assert_conforms;
use crate::raw::{head, open, read_answer, read_until_closed};

/// These tests talk over blocking sockets; the sandbox serves from its own
/// thread, so a runtime is needed only to start it.
fn start(builder: SandboxBuilder) -> Sandbox {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(builder.start())
        .unwrap()
}

/// A complete authenticated GET on its own connection: its status, and
/// how long the answer took.
fn list_deals(addr: SocketAddr, token: &str) -> (u16, Duration) {
    let started = Instant::now();
    let mut stream = open(
        addr,
        head("GET", "/v1/deals", Some(token), &["Connection: close"]).as_bytes(),
    );
    let received = read_until_closed(&mut stream, Duration::from_secs(5));
    (received.status().unwrap_or(0), started.elapsed())
}

const TWO_MB: &str = "Content-Length: 2000000";

#[test]
fn an_unauthenticated_body_is_answered_401_without_being_read() {
    // A limit above 2 MB, so that only the token decides.
    let sandbox = start(
        Sandbox::builder()
            .token("the-token")
            .max_body_bytes(4 * 1024 * 1024),
    );
    let addr = sandbox.addr();
    // 200 requests announcing 2 MB bodies, all in flight at once, half
    // with no token and half with a wrong one. None sends its body: an
    // answer can only come if the sandbox does not wait for it.
    let mut streams: Vec<_> = (0..200)
        .map(|i| {
            let token = (i % 2 == 0).then_some("not-the-token");
            let request = head(
                "POST",
                "/v1/deals",
                token,
                &["Content-Type: application/json", TWO_MB],
            );
            open(addr, request.as_bytes())
        })
        .collect();
    let (status, took) = list_deals(addr, "the-token");
    assert_eq!(status, 200, "another client is served meanwhile");
    // Seconds, not the minutes a server reading every body would take; loose
    // enough for a loaded machine.
    assert!(took < Duration::from_secs(3), "{took:?}");
    for stream in &mut streams {
        let received = read_until_closed(stream, Duration::from_secs(5));
        assert_eq!(received.status(), Some(401), "{}", received.text());
        assert_conforms("create_deal", StatusCode::UNAUTHORIZED, &received.json());
        assert!(
            received.closed_after.is_some(),
            "the connection closes: the body it announced is never read"
        );
        // What a client would do next: send the body. Nobody reads it.
        let _ = stream.write_all(&[b' '; 64 * 1024]);
    }

    // The same request with the token is read, body first: it gets no
    // answer until the body comes (which is what the 401s above did not
    // wait for).
    let mut authenticated = open(
        addr,
        head(
            "POST",
            "/v1/deals",
            Some("the-token"),
            &["Content-Type: application/json", TWO_MB],
        )
        .as_bytes(),
    );
    let waiting = read_until_closed(&mut authenticated, Duration::from_millis(500));
    assert!(waiting.bytes.is_empty(), "{}", waiting.text());
}

#[test]
fn a_body_larger_than_the_limit_is_a_413_with_an_error_body() {
    // By its Content-Length, before any of it is sent, at the default limit.
    let sandbox = start(Sandbox::builder());
    let over = format!("Content-Length: {}", Limits::DEFAULT_MAX_BODY_BYTES + 1);
    let mut stream = open(
        sandbox.addr(),
        head(
            "POST",
            "/v1/deals",
            Some(sandbox.token()),
            &["Content-Type: application/json", &over],
        )
        .as_bytes(),
    );
    let received = read_until_closed(&mut stream, Duration::from_secs(5));
    assert_eq!(received.status(), Some(413), "{}", received.text());
    assert_eq!(received.header("connection").as_deref(), Some("close"));
    assert_eq!(
        received.header("content-type").as_deref(),
        Some("application/json")
    );
    let body = received.json();
    assert_conforms("create_deal", StatusCode::PAYLOAD_TOO_LARGE, &body);
    let message = body["message"].as_str().unwrap();
    assert!(
        message.contains("1048577 bytes") && message.contains("1048576 bytes"),
        "{message}"
    );
    assert!(received.closed_after.is_some());

    // A chunked body, cut off as soon as it passes a smaller limit: one
    // chunk of 1025 bytes, never finished.
    let sandbox = start(Sandbox::builder().max_body_bytes(1024));
    let mut request = head(
        "POST",
        "/v1/deals",
        Some(sandbox.token()),
        &[
            "Content-Type: application/json",
            "Transfer-Encoding: chunked",
        ],
    )
    .into_bytes();
    request.extend_from_slice(b"401\r\n");
    request.extend_from_slice(&[b' '; 0x401]);
    let mut stream = open(sandbox.addr(), &request);
    let received = read_until_closed(&mut stream, Duration::from_secs(5));
    assert_eq!(received.status(), Some(413), "{}", received.text());
    assert_conforms(
        "create_deal",
        StatusCode::PAYLOAD_TOO_LARGE,
        &received.json(),
    );

    // Exactly at the limit is read (and created).
    let deal = r#"{"name":"at the limit","value":1,"status":"open","pipelineId":"p","stageId":"s","contactId":1,"customFields":{}}"#;
    let body = format!("{deal:<1024}");
    let length = format!("Content-Length: {}", body.len());
    let mut request = head(
        "POST",
        "/v1/deals",
        Some(sandbox.token()),
        &[
            "Content-Type: application/json",
            &length,
            "Connection: close",
        ],
    );
    request.push_str(&body);
    let mut stream = open(sandbox.addr(), request.as_bytes());
    let received = read_until_closed(&mut stream, Duration::from_secs(5));
    assert_eq!(received.status(), Some(201), "{}", received.text());
}

#[test]
fn stalled_request_heads_are_closed_and_other_clients_served_meanwhile() {
    // Long enough that "served meanwhile" (well under it) holds on a loaded
    // machine, and short enough to wait for.
    let timeout = Duration::from_millis(3000);
    let sandbox = start(Sandbox::builder().header_timeout(timeout));
    let addr = sandbox.addr();
    let opened = Instant::now();
    // Slowloris: half a head each, then nothing.
    let mut stalled: Vec<_> = (0..50)
        .map(|_| open(addr, b"GET /v1/deals HTTP/1.1\r\nHost: sandbox\r\nAuthoriz"))
        .collect();
    for _ in 0..5 {
        let (status, took) = list_deals(addr, sandbox.token());
        assert_eq!(status, 200);
        assert!(took < timeout / 2, "answered in {took:?}");
    }
    for stream in &mut stalled {
        let received = read_until_closed(stream, timeout * 4);
        assert!(
            received.closed_after.is_some(),
            "a stalled head is still open after {:?}",
            timeout * 4
        );
    }
    let took = opened.elapsed();
    assert!(
        took >= timeout - Duration::from_millis(100) && took < timeout * 3,
        "closed after {took:?}, not after about {timeout:?}"
    );

    // An idle kept-alive connection is closed by the same timeout.
    let mut idle = open(
        addr,
        head("GET", "/v1/deals", Some(sandbox.token()), &[]).as_bytes(),
    );
    assert_eq!(
        read_answer(&mut idle, Duration::from_secs(2)).map(|(s, _)| s),
        Some(200)
    );
    let received = read_until_closed(&mut idle, timeout * 4);
    let closed = received.closed_after.expect("an idle connection is closed");
    assert!(closed < timeout * 3, "{closed:?}");
}

#[test]
fn a_stalled_body_is_answered_408_and_its_connection_closed() {
    let timeout = Duration::from_millis(2000);
    let sandbox = start(Sandbox::builder().body_timeout(timeout));
    let mut request = head(
        "POST",
        "/v1/deals",
        Some(sandbox.token()),
        &["Content-Type: application/json", "Content-Length: 100"],
    );
    request.push_str(r#"{"name":"#);
    let mut stream = open(sandbox.addr(), request.as_bytes());
    let received = read_until_closed(&mut stream, Duration::from_secs(5));
    assert_eq!(received.status(), Some(408), "{}", received.text());
    assert_conforms("create_deal", StatusCode::REQUEST_TIMEOUT, &received.json());
    let closed = received.closed_after.expect("closed after the 408");
    assert!(
        closed >= timeout - Duration::from_millis(100) && closed < timeout * 3,
        "{closed:?}"
    );
}

#[test]
fn past_the_connection_limit_new_connections_wait_and_established_ones_are_served() {
    let sandbox = start(
        Sandbox::builder()
            .max_connections(4)
            .header_timeout(Duration::from_secs(30)),
    );
    let addr = sandbox.addr();
    let token = sandbox.token().to_owned();
    let get = head("GET", "/v1/deals", Some(&token), &[]);

    // An established, kept-alive connection: one of the four.
    let mut established = open(addr, get.as_bytes());
    assert_eq!(
        read_answer(&mut established, Duration::from_secs(2)).map(|(s, _)| s),
        Some(200)
    );
    // Three stalled ones take the other slots.
    let stalled: Vec<_> = (0..3)
        .map(|_| open(addr, b"GET /v1/deals HTTP/1.1\r\n"))
        .collect();
    std::thread::sleep(Duration::from_millis(200));

    // A fifth connection is not served while every slot is taken…
    let mut late = open(
        addr,
        head("GET", "/v1/deals", Some(&token), &["Connection: close"]).as_bytes(),
    );
    let waiting = read_until_closed(&mut late, Duration::from_millis(500));
    assert!(waiting.bytes.is_empty(), "{}", waiting.text());
    assert_eq!(waiting.closed_after, None, "it waits, it is not refused");

    // …while the established one goes on being served.
    for _ in 0..3 {
        let started = Instant::now();
        established.write_all(get.as_bytes()).unwrap();
        assert_eq!(
            read_answer(&mut established, Duration::from_secs(2)).map(|(s, _)| s),
            Some(200)
        );
        assert!(started.elapsed() < Duration::from_secs(2));
    }

    // Once a slot frees up, the fifth is served.
    for stream in &stalled {
        stream.shutdown(Shutdown::Both).unwrap();
    }
    let received = read_until_closed(&mut late, Duration::from_secs(5));
    assert_eq!(received.status(), Some(200), "{}", received.text());
}
