//! The sandbox cannot be exhausted by one client: unauthenticated bodies
//! are not read, bodies are capped, stalled requests are cut off, and
//! connections are bounded, while other clients go on being served.

use std::io::Write;
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use kinbox_sandbox::{Limits, Sandbox, SandboxBuilder};
use reqwest::{Method, StatusCode};

use crate::common::{assert_conforms, call};
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

/// A valid deal as a request body.
const DEAL: &str = r#"{"name":"n","value":1,"status":"open","pipelineId":"p","stageId":"s","contactId":1,"customFields":{}}"#;

/// A create whose head is sent and whose body the sandbox has started to
/// read (it answered `100 Continue`): the connection is in the middle of a
/// request until [`finish_create`].
fn create_in_progress(addr: SocketAddr, token: &str) -> TcpStream {
    let length = format!("Content-Length: {}", DEAL.len());
    let request = head(
        "POST",
        "/v1/deals",
        Some(token),
        &[
            "Content-Type: application/json",
            &length,
            "Expect: 100-continue",
        ],
    );
    let mut stream = open(addr, request.as_bytes());
    assert_eq!(
        read_answer(&mut stream, Duration::from_secs(5)).map(|(s, _)| s),
        Some(100),
        "the sandbox reads the body"
    );
    stream
}

/// Sends the body of a [`create_in_progress`]: it is created.
fn finish_create(stream: &mut TcpStream) {
    stream.write_all(DEAL.as_bytes()).unwrap();
    let (status, body) = read_answer(stream, Duration::from_secs(5)).unwrap();
    assert_eq!(status, 201, "{body}");
}

/// Whether the sandbox closed `stream` within `wait`, having sent nothing.
fn closed_unanswered(stream: &mut TcpStream, wait: Duration) -> bool {
    let received = read_until_closed(stream, wait);
    assert!(received.bytes.is_empty(), "{}", received.text());
    received.closed_after.is_some()
}

#[test]
fn past_the_connection_limit_the_longest_waiting_connection_makes_room() {
    let sandbox = start(
        Sandbox::builder()
            .max_connections(3)
            .header_timeout(Duration::from_secs(30))
            .body_timeout(Duration::from_secs(30)),
    );
    let addr = sandbox.addr();
    let token = sandbox.token().to_owned();
    let get = head("GET", "/v1/deals", Some(&token), &[]);
    let pause = || std::thread::sleep(Duration::from_millis(100));

    // Three places: a kept-alive connection idle since its answer, a
    // stalled head, and a create in the middle of its body.
    let mut idle = open(addr, get.as_bytes());
    assert_eq!(
        read_answer(&mut idle, Duration::from_secs(2)).map(|(s, _)| s),
        Some(200)
    );
    pause();
    let mut stalled = open(addr, b"GET /v1/deals HTTP/1.1\r\n");
    pause();
    let mut creating = create_in_progress(addr, &token);
    pause();

    // A fourth is served at once; the idle one, waiting longest, made room.
    let mut fourth = open(addr, get.as_bytes());
    assert_eq!(
        read_answer(&mut fourth, Duration::from_secs(2)).map(|(s, _)| s),
        Some(200)
    );
    assert!(closed_unanswered(&mut idle, Duration::from_secs(2)));
    assert!(!closed_unanswered(&mut stalled, Duration::from_millis(200)));

    // A fifth: the stalled head has waited longer than the fourth's idling.
    let (status, took) = list_deals(addr, &token);
    assert_eq!(status, 200);
    assert!(took < Duration::from_secs(2), "{took:?}");
    assert!(closed_unanswered(&mut stalled, Duration::from_secs(2)));
    fourth.write_all(get.as_bytes()).unwrap();
    assert_eq!(
        read_answer(&mut fourth, Duration::from_secs(2)).map(|(s, _)| s),
        Some(200),
        "the fourth is still served"
    );

    // The create in progress was never closed: it finishes.
    finish_create(&mut creating);
}

#[test]
fn when_every_connection_is_in_a_request_a_new_one_is_answered_503() {
    let sandbox = start(
        Sandbox::builder()
            .max_connections(2)
            .body_timeout(Duration::from_secs(30)),
    );
    let addr = sandbox.addr();
    let token = sandbox.token().to_owned();
    let mut creating: Vec<_> = (0..2).map(|_| create_in_progress(addr, &token)).collect();

    let (status, took) = list_deals(addr, &token);
    assert_eq!(status, 503);
    assert!(took < Duration::from_secs(2), "{took:?}");
    let mut refused = open(addr, head("GET", "/v1/deals", Some(&token), &[]).as_bytes());
    let received = read_until_closed(&mut refused, Duration::from_secs(5));
    assert_eq!(received.status(), Some(503), "{}", received.text());
    assert!(received.closed_after.is_some(), "closed after its answer");
    assert_eq!(received.header("retry-after").as_deref(), Some("1"));
    let body = received.json();
    assert_conforms("list_deals", StatusCode::SERVICE_UNAVAILABLE, &body);
    let message = body["message"].as_str().unwrap();
    assert!(
        message.contains("2 connections") && message.contains("--max-connections"),
        "{message}"
    );

    // The requests in progress finish, and then there is room again.
    for stream in &mut creating {
        finish_create(stream);
    }
    assert_eq!(list_deals(addr, &token).0, 200);
}

/// Connections that a flood opens at once.
const FLOOD: usize = 2000;

/// What each connection of a flood sends.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Flood {
    /// Nothing at all.
    Idle,
    /// Half a request head, then one more byte every now and then: each
    /// byte arriving before a read timeout would reset it.
    Slowloris,
}

/// The flood's client sockets and the sandbox's in one process pass the
/// common soft limit of 1,024 descriptors: raise it to the hard limit, and
/// fail with what to do when even that is too low.
fn raise_descriptor_limit(needed: u64) {
    #[cfg(unix)]
    {
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit and setrlimit read and write only `limit`.
        unsafe {
            if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 {
                return;
            }
            if limit.rlim_cur < limit.rlim_max {
                // macOS refuses an unlimited soft limit: ask for enough.
                let raised = libc::rlimit {
                    rlim_cur: limit.rlim_max.min(65536).max(limit.rlim_cur),
                    rlim_max: limit.rlim_max,
                };
                if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                    limit = raised;
                }
            }
        }
        assert!(
            limit.rlim_cur >= needed as libc::rlim_t,
            "this test needs {needed} file descriptors and the limit is {}: raise it \
             (`ulimit -n {needed}`)",
            limit.rlim_cur
        );
    }
    #[cfg(not(unix))]
    let _ = needed;
}

/// How one connection of a flood ended.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Held {
    /// It could not connect within the test's wait.
    NotConnected,
    /// The sandbox closed it, having sent this many bytes first.
    Closed { received: usize },
    /// It was still open a while after the flood stopped.
    StillOpen,
}

/// One connection of a flood: connects, sends what `flood` says until
/// `stop`, then waits up to `grace` for the sandbox to close it.
async fn hold(
    addr: SocketAddr,
    flood: Flood,
    connecting: tokio::sync::mpsc::Sender<bool>,
    stop: Arc<AtomicBool>,
    grace: Duration,
) -> Held {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let connect = tokio::net::TcpStream::connect(addr);
    let connected = tokio::time::timeout(Duration::from_secs(5), connect).await;
    let _ = connecting.send(matches!(connected, Ok(Ok(_)))).await;
    drop(connecting);
    let Ok(Ok(mut stream)) = connected else {
        return Held::NotConnected;
    };
    if flood == Flood::Slowloris {
        let _ = stream
            .write_all(b"GET /v1/deals HTTP/1.1\r\nHost: sandbox\r\nX-Slow: ")
            .await;
    }
    let mut ticks = tokio::time::interval(Duration::from_millis(500));
    let mut stopped: Option<Instant> = None;
    let (mut buffer, mut received) = ([0u8; 1024], 0);
    loop {
        tokio::select! {
            read = stream.read(&mut buffer) => match read {
                Ok(0) | Err(_) => return Held::Closed { received },
                Ok(n) => received += n,
            },
            _ = ticks.tick() => {
                if stop.load(Ordering::Relaxed) {
                    if stopped.get_or_insert_with(Instant::now).elapsed() > grace {
                        return Held::StillOpen;
                    }
                } else if flood == Flood::Slowloris {
                    let _ = stream.write_all(b"x").await;
                }
            }
        }
    }
}

/// A GET on a connection of its own, as a client with a 5 s timeout sends
/// it: its status (0 for none) and how long the answer took.
fn timed_list_deals(addr: SocketAddr, token: &str) -> (u16, Duration) {
    let started = Instant::now();
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_secs(5)) else {
        return (0, started.elapsed());
    };
    let request = head("GET", "/v1/deals", Some(token), &["Connection: close"]);
    if stream.write_all(request.as_bytes()).is_err() {
        return (0, started.elapsed());
    }
    let wait = Duration::from_secs(5).saturating_sub(started.elapsed());
    let received = read_until_closed(&mut stream, wait);
    (received.status().unwrap_or(0), started.elapsed())
}

/// 2,000 connections opened at once that never finish a request cannot
/// keep 20 ordinary requests from being answered, each within 1 s; and each
/// of the 2,000 is closed in the end, with no answer.
fn a_flood_does_not_starve_other_clients(flood: Flood) {
    raise_descriptor_limit(FLOOD as u64 + 1024);
    // Long enough that a sandbox which waits for the flood's connections to
    // time out cannot answer in time, short enough for the test to wait
    // for them to close.
    let header_timeout = Duration::from_secs(3);
    let sandbox = start(Sandbox::builder().header_timeout(header_timeout));
    let addr = sandbox.addr();

    // The flood, from a runtime of its own: every connect in flight at once,
    // as a flooding client does. The others ask once each connect has
    // succeeded or given up.
    let stop = Arc::new(AtomicBool::new(false));
    let (connected_tx, connected) = std::sync::mpsc::channel();
    let flooding = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let (connecting, mut outcomes) = tokio::sync::mpsc::channel(FLOOD);
                let mut held = tokio::task::JoinSet::new();
                for _ in 0..FLOOD {
                    let connecting = connecting.clone();
                    held.spawn(hold(
                        addr,
                        flood,
                        connecting,
                        stop.clone(),
                        header_timeout * 2,
                    ));
                }
                drop(connecting);
                let mut count = 0;
                while let Some(ok) = outcomes.recv().await {
                    count += usize::from(ok);
                }
                let _ = connected_tx.send(count);
                held.join_all().await
            })
        })
    };
    let flooded = connected.recv().unwrap();

    let answers: Vec<(u16, Duration)> = std::thread::scope(|scope| {
        let asking: Vec<_> = (0..20)
            .map(|_| scope.spawn(|| timed_list_deals(addr, sandbox.token())))
            .collect();
        asking.into_iter().map(|a| a.join().unwrap()).collect()
    });
    stop.store(true, Ordering::Relaxed);
    let held = flooding.join().unwrap();

    // Milliseconds are usual; the old sandbox took seconds, its slots held
    // by the flood until each timed out in turn.
    let late: Vec<_> = answers
        .iter()
        .enumerate()
        .filter(|(_, (status, took))| *status != 200 || *took > Duration::from_secs(1))
        .collect();
    assert!(
        late.is_empty(),
        "{flood:?}: {} of 20 requests not answered 200 within 1 s: {late:?}",
        late.len()
    );
    assert_eq!(
        flooded, FLOOD,
        "{flood:?}: the sandbox stopped accepting connections"
    );
    let count = |what: fn(&Held) -> bool| held.iter().filter(|h| what(h)).count();
    assert_eq!(
        count(|h| *h == Held::StillOpen),
        0,
        "{flood:?}: connections still open {:?} after the flood stopped",
        header_timeout * 2
    );
    assert_eq!(
        count(|h| matches!(h, Held::Closed { received } if *received > 0)),
        0,
        "{flood:?}: a connection that sent no whole request got an answer"
    );
}

#[test]
fn two_thousand_idle_connections_do_not_starve_other_clients() {
    a_flood_does_not_starve_other_clients(Flood::Idle);
}

#[test]
fn two_thousand_slowloris_connections_do_not_starve_other_clients() {
    a_flood_does_not_starve_other_clients(Flood::Slowloris);
}

#[tokio::test]
async fn creates_past_max_objects_are_answered_507_and_reads_go_on() {
    let sandbox = Sandbox::builder()
        .empty()
        .max_objects(3)
        .start()
        .await
        .unwrap();
    let mut ids = Vec::new();
    for _ in 0..3 {
        let created = call(&sandbox, Method::POST, "/v1/deals", Some(DEAL)).await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        ids.push(created.body["id"].as_str().unwrap().to_owned());
    }

    let refused = call(&sandbox, Method::POST, "/v1/deals", Some(DEAL)).await;
    assert_eq!(refused.status, StatusCode::INSUFFICIENT_STORAGE);
    assert_conforms("create_deal", refused.status, &refused.body);
    let message = refused.body["message"].as_str().unwrap();
    assert!(
        message.contains("3 objects") && message.contains("--max-objects"),
        "{message}"
    );
    // Every resource counts toward the one limit.
    let tag = call(
        &sandbox,
        Method::POST,
        "/v1/tags",
        Some(r##"{"name":"VIP","color":"#f5a623","privacy":{"type":"public","groupIds":[]}}"##),
    )
    .await;
    assert_eq!(tag.status, StatusCode::INSUFFICIENT_STORAGE, "{}", tag.body);
    assert_conforms("create_tag", tag.status, &tag.body);

    // Nothing was stored; reads and updates go on.
    let listed = call(&sandbox, Method::GET, "/v1/deals?limit=100", None).await;
    assert_eq!(listed.status, StatusCode::OK);
    assert_eq!(listed.body["data"].as_array().unwrap().len(), 3);
    let path = format!("/v1/deals/{}", ids[0]);
    assert_eq!(
        call(&sandbox, Method::GET, &path, None).await.status,
        StatusCode::OK
    );
    let renamed = call(
        &sandbox,
        Method::PATCH,
        &path,
        Some(r#"{"name":"renamed"}"#),
    )
    .await;
    assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.body);

    // A delete makes room for one more.
    let deleted = call(&sandbox, Method::DELETE, &path, None).await;
    assert!(deleted.status.is_success(), "{}", deleted.status);
    let created = call(&sandbox, Method::POST, "/v1/deals", Some(DEAL)).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let again = call(&sandbox, Method::POST, "/v1/deals", Some(DEAL)).await;
    assert_eq!(again.status, StatusCode::INSUFFICIENT_STORAGE);

    // The seeded workspace's objects count too: it holds more than 10.
    let seeded = Sandbox::builder().max_objects(10).start().await.unwrap();
    let refused = call(&seeded, Method::POST, "/v1/deals", Some(DEAL)).await;
    assert_eq!(refused.status, StatusCode::INSUFFICIENT_STORAGE);
}
