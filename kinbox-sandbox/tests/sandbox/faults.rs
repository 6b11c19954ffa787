use std::time::{Duration, Instant};

use kinbox_api::{ErrorKind, KinboxError};
use kinbox_sandbox::{AppliedThenFailMode, FaultConfig, Sandbox};
use reqwest::{Method, StatusCode};

use crate::common::{assert_conforms, call, deal};

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

    let error = sandbox.client().list_deals().send().await.unwrap_err();
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
    let error = sandbox.client().list_deals().send().await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Server);
}

#[tokio::test]
async fn latency_delays_every_answer() {
    let sandbox = Sandbox::builder()
        .latency(Duration::from_millis(1000))
        .start()
        .await
        .unwrap();
    let started = Instant::now();
    assert_eq!(
        call(&sandbox, Method::GET, "/v1/deals", None).await.status,
        StatusCode::OK
    );
    assert!(
        started.elapsed() >= Duration::from_millis(1000),
        "{:?}",
        started.elapsed()
    );

    let quick = Sandbox::start().await.unwrap();
    // The first exchange opens the connection; the one timed is the next.
    call(&quick, Method::GET, "/v1/deals", None).await;
    let started = Instant::now();
    call(&quick, Method::GET, "/v1/deals", None).await;
    assert!(
        started.elapsed() < Duration::from_millis(1000),
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
    let error = sandbox.client().list_deals().send().await.unwrap_err();
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

const DEAL: &str = r#"{"name":"Pedido #1042","value":1890,"status":"open","pipelineId":"p1","stageId":"s1","contactId":42,"customFields":{}}"#;

/// A sandbox whose successful writes are all applied, then failed `mode`'s way.
async fn applied_then_failing(mode: AppliedThenFailMode) -> Sandbox {
    let sandbox = Sandbox::builder()
        .applied_then_fail_ratio(1.0)
        .applied_then_fail_mode(mode)
        .applied_then_fail_hold(Duration::from_secs(30))
        .start()
        .await
        .unwrap();
    // Its first answer waits for the routes to be compiled: not a time to
    // measure a client's timeout against.
    assert!(deal_names(&sandbox).await.is_empty());
    sandbox
}

async fn post_deal(
    sandbox: &Sandbox,
    client: &reqwest::Client,
) -> Result<reqwest::Response, reqwest::Error> {
    client
        .post(format!("{}/v1/deals", sandbox.base_url()))
        .bearer_auth(sandbox.token())
        .header("content-type", "application/json")
        .body(DEAL)
        .send()
        .await
}

/// The names of the deals stored: reads are answered as usual.
async fn deal_names(sandbox: &Sandbox) -> Vec<String> {
    let listed = call(sandbox, Method::GET, "/v1/deals?limit=100", None).await;
    assert_eq!(listed.status, StatusCode::OK);
    listed.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|deal| deal["name"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_create_applied_then_dropped_is_stored_though_the_client_got_no_answer() {
    let sandbox = applied_then_failing(AppliedThenFailMode::Drop).await;
    let sent = post_deal(&sandbox, &reqwest::Client::new()).await;
    let error = sent.expect_err("no answer");
    assert!(!error.is_timeout() && error.status().is_none(), "{error:?}");
    assert_eq!(deal_names(&sandbox).await, ["Pedido #1042"]);

    // Through the SDK: an unknown outcome, not a status, and indeed stored.
    let error = sandbox
        .client()
        .create_deal()
        .body(deal("by the SDK"))
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(error, KinboxError::OutcomeUnknown { .. }),
        "{error:?}"
    );
    assert_eq!(deal_names(&sandbox).await.len(), 2);
}

#[tokio::test]
async fn a_create_applied_then_held_times_the_client_out_and_is_stored() {
    let sandbox = applied_then_failing(AppliedThenFailMode::Timeout).await;
    let client = reqwest::Client::builder()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let started = Instant::now();
    let error = post_deal(&sandbox, &client)
        .await
        .expect_err("no answer in time");
    assert!(error.is_timeout(), "{error:?}");
    assert!(started.elapsed() < Duration::from_secs(5));
    // Asked while that answer is still held: the deal is there.
    assert_eq!(deal_names(&sandbox).await, ["Pedido #1042"]);
}

#[tokio::test]
async fn a_create_applied_then_garbled_shows_success_with_an_unreadable_body() {
    let sandbox = applied_then_failing(AppliedThenFailMode::Garbled).await;
    let response = post_deal(&sandbox, &reqwest::Client::new()).await.unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let declared = response.content_length().expect("a Content-Length");
    match response.bytes().await {
        Err(error) => assert!(error.is_body() || error.is_decode(), "{error:?}"),
        Ok(bytes) => panic!("{declared} bytes declared, {bytes:?} read in full"),
    }
    assert_eq!(deal_names(&sandbox).await, ["Pedido #1042"]);

    let error = sandbox
        .client()
        .create_deal()
        .body(deal("by the SDK"))
        .send()
        .await;
    assert!(error.is_err(), "the SDK cannot read it either: {error:?}");
    assert_eq!(deal_names(&sandbox).await.len(), 2);
}

#[tokio::test]
async fn updates_and_deletions_are_applied_then_failed_too_and_refused_writes_are_not() {
    let sandbox = applied_then_failing(AppliedThenFailMode::Drop).await;
    let client = reqwest::Client::new();
    assert!(post_deal(&sandbox, &client).await.is_err());
    let listed = call(&sandbox, Method::GET, "/v1/deals", None).await;
    let id = listed.body["data"][0]["id"].as_str().unwrap().to_owned();
    let url = format!("{}/v1/deals/{id}", sandbox.base_url());

    let patched = client
        .patch(&url)
        .bearer_auth(sandbox.token())
        .header("content-type", "application/json")
        .body(r#"{"name":"renamed"}"#)
        .send()
        .await;
    assert!(patched.is_err(), "{patched:?}");
    assert_eq!(deal_names(&sandbox).await, ["renamed"]);

    let deleted = client
        .delete(&url)
        .bearer_auth(sandbox.token())
        .send()
        .await;
    assert!(deleted.is_err(), "{deleted:?}");
    let gone = call(&sandbox, Method::GET, &format!("/v1/deals/{id}"), None).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);

    // A write that is refused stored nothing: it is answered as usual.
    let refused = call(&sandbox, Method::POST, "/v1/deals", Some(r#"{"name":1}"#)).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_conforms("create_deal", refused.status, &refused.body);
}

/// How each of `count` creates failed, told apart from the client's side.
async fn applied_then_fail_kinds(seed: u64, count: usize) -> Vec<&'static str> {
    let sandbox = Sandbox::builder()
        .seed(seed)
        .applied_then_fail_ratio(1.0)
        .applied_then_fail_hold(Duration::from_secs(30))
        .start()
        .await
        .unwrap();
    assert!(deal_names(&sandbox).await.is_empty(), "routes compiled");
    let client = reqwest::Client::builder()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let mut kinds = Vec::with_capacity(count);
    for _ in 0..count {
        kinds.push(match post_deal(&sandbox, &client).await {
            Err(error) if error.is_timeout() => "timeout",
            Err(_) => "drop",
            Ok(response) => {
                assert_eq!(response.status(), StatusCode::CREATED);
                assert!(response.bytes().await.is_err(), "a readable body");
                "garbled"
            }
        });
    }
    assert_eq!(deal_names(&sandbox).await.len(), count, "every one stored");
    kinds
}

#[tokio::test]
async fn applied_then_fail_draws_its_kind_from_the_seed() {
    let first = applied_then_fail_kinds(5, 12).await;
    assert_eq!(
        first,
        applied_then_fail_kinds(5, 12).await,
        "same seed, same kinds"
    );
    for kind in ["drop", "timeout", "garbled"] {
        assert!(first.contains(&kind), "{kind} never drawn in {first:?}");
    }
}
