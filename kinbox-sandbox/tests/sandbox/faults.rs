use std::time::{Duration, Instant};

use kinbox_api::{ErrorKind, KinboxError};
use kinbox_sandbox::{FaultConfig, Sandbox};
use reqwest::{Method, StatusCode};

use crate::common::{assert_conforms, call};

#[tokio::test]
async fn past_the_rate_limit_answers_429_with_retry_after() {
    let sandbox = Sandbox::builder()
        .rate_limit(2, Duration::from_secs(60))
        .start()
        .await
        .unwrap();
    for _ in 0..2 {
        assert_eq!(
            call(&sandbox, Method::GET, "/v1/deals", None).await.status,
            StatusCode::OK
        );
    }
    let limited = call(&sandbox, Method::GET, "/v1/deals", None).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert_conforms("list_deals", limited.status, &limited.body);
    let retry_after: u64 = limited.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");

    let error = KinboxError::from(sandbox.client().list_deals().send().await.unwrap_err());
    assert_eq!(error.kind(), ErrorKind::RateLimited);
    let wait = error.retry_after().expect("the SDK reads Retry-After");
    assert!(
        wait > Duration::ZERO && wait <= Duration::from_secs(60),
        "{wait:?}"
    );
}

#[tokio::test]
async fn the_rate_limit_window_reopens() {
    let sandbox = Sandbox::builder()
        .rate_limit(1, Duration::from_secs(1))
        .start()
        .await
        .unwrap();
    assert_eq!(
        call(&sandbox, Method::GET, "/v1/deals", None).await.status,
        StatusCode::OK
    );
    assert_eq!(
        call(&sandbox, Method::GET, "/v1/deals", None).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(
        call(&sandbox, Method::GET, "/v1/deals", None).await.status,
        StatusCode::OK
    );
}

async fn statuses(seed: u64, requests: usize) -> Vec<u16> {
    let sandbox = Sandbox::builder()
        .seed(seed)
        .server_error_ratio(0.5)
        .start()
        .await
        .unwrap();
    let mut statuses = Vec::with_capacity(requests);
    for _ in 0..requests {
        let answer = call(&sandbox, Method::GET, "/v1/deals", None).await;
        if answer.status.is_server_error() {
            assert_conforms("list_deals", answer.status, &answer.body);
        }
        statuses.push(answer.status.as_u16());
    }
    statuses
}

#[tokio::test]
async fn server_errors_follow_the_ratio_and_replay_with_the_seed() {
    let first = statuses(7, 64).await;
    assert_eq!(first, statuses(7, 64).await, "same seed, same answers");
    assert_ne!(first, statuses(8, 64).await, "another seed, other answers");
    let failed = first.iter().filter(|s| **s >= 500).count();
    assert!(
        (16..=48).contains(&failed),
        "{failed} of 64 failed with a ratio of 0.5"
    );
    for status in [200, 500, 503] {
        assert!(first.contains(&status), "{status} never seen in {first:?}");
    }
}

#[tokio::test]
async fn the_sdk_sees_injected_server_errors_as_server_errors() {
    let sandbox = Sandbox::builder()
        .server_error_ratio(1.0)
        .start()
        .await
        .unwrap();
    let error = KinboxError::from(sandbox.client().list_deals().send().await.unwrap_err());
    assert_eq!(error.kind(), ErrorKind::Server);
}

#[tokio::test]
async fn latency_delays_every_answer() {
    let sandbox = Sandbox::builder()
        .latency(Duration::from_millis(400))
        .start()
        .await
        .unwrap();
    let started = Instant::now();
    assert_eq!(
        call(&sandbox, Method::GET, "/v1/deals", None).await.status,
        StatusCode::OK
    );
    assert!(
        started.elapsed() >= Duration::from_millis(400),
        "{:?}",
        started.elapsed()
    );

    let quick = Sandbox::start().await.unwrap();
    let started = Instant::now();
    call(&quick, Method::GET, "/v1/deals", None).await;
    assert!(
        started.elapsed() < Duration::from_millis(400),
        "no latency unless asked"
    );
}

#[tokio::test]
async fn a_dropped_connection_has_no_answer_at_all() {
    let sandbox = Sandbox::builder()
        .faults(FaultConfig {
            drop_ratio: 1.0,
            ..FaultConfig::default()
        })
        .start()
        .await
        .unwrap();
    let error = KinboxError::from(sandbox.client().list_deals().send().await.unwrap_err());
    assert!(matches!(error, KinboxError::Network(_)), "{error:?}");
    assert_eq!(error.status(), None);

    let raw = reqwest::Client::new()
        .get(format!("{}/v1/deals", sandbox.base_url()))
        .bearer_auth(sandbox.token())
        .send()
        .await
        .unwrap_err();
    assert!(raw.is_request() || raw.is_connect(), "{raw:?}");
}

#[tokio::test]
async fn some_connections_drop_and_the_others_are_served() {
    let sandbox = Sandbox::builder()
        .seed(3)
        .drop_ratio(0.5)
        .start()
        .await
        .unwrap();
    let client = reqwest::Client::new();
    let mut outcomes = Vec::new();
    for _ in 0..40 {
        let sent = client
            .get(format!("{}/v1/deals", sandbox.base_url()))
            .bearer_auth(sandbox.token())
            .send()
            .await;
        outcomes.push(sent.map(|r| r.status().as_u16()).ok());
    }
    let dropped = outcomes.iter().filter(|o| o.is_none()).count();
    assert!(
        (8..=32).contains(&dropped),
        "{dropped} of 40 dropped: {outcomes:?}"
    );
    assert!(outcomes.iter().flatten().all(|s| *s == 200));
}
