//! Retries: failed reads are tried again as the `RetryPolicy` says; writes
//! never are, so nothing is created twice.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crate::common::{TOKEN, response_fixture};
use httpmock::{HttpMockRequest, HttpMockResponse, Method, MockServer};
use kinbox_api::{Client, ClientConfig, ErrorKind, RetryPolicy, Token};
use serde_json::Value;

const DEAL_PATH: &str = "/v1/deals/65f0c0ffee0000000000dddd";

fn client(server: &MockServer, max_retries: u32) -> Client {
    ClientConfig::new(Token::new(TOKEN).unwrap())
        .base_url(server.base_url())
        .retry_policy(RetryPolicy {
            max_retries,
            base_delay: Duration::from_millis(10),
            max_wait: Duration::from_secs(5),
        })
        .build()
        .unwrap()
}

/// Answers the n-th call (from 0) with `answers[n]`, and the last one after
/// that; counts the calls.
fn sequence(
    answers: Vec<(u16, Option<&'static str>, Value)>,
) -> (
    Arc<AtomicUsize>,
    impl Fn(&HttpMockRequest) -> HttpMockResponse + Send + Sync + 'static,
) {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let responder = move |_: &HttpMockRequest| {
        let n = counter
            .fetch_add(1, Ordering::SeqCst)
            .min(answers.len() - 1);
        let (status, retry_after, body) = &answers[n];
        let mut response = HttpMockResponse::builder()
            .status(*status)
            .header("content-type", "application/json");
        if let Some(seconds) = retry_after {
            response = response.header("retry-after", *seconds);
        }
        response.body(body.to_string()).build()
    };
    (calls, responder)
}

fn unavailable() -> Value {
    serde_json::json!({"message": "try again"})
}

#[tokio::test]
async fn a_read_is_retried_through_503_and_429_until_it_succeeds() {
    let server = MockServer::start_async().await;
    let deal = response_fixture("deal_full.json", "get_deal", 200);
    let (calls, responder) = sequence(vec![
        (503, None, unavailable()),
        (429, Some("0"), unavailable()),
        (200, None, deal.clone()),
    ]);
    server
        .mock_async(|when, then| {
            when.method(Method::GET).path(DEAL_PATH);
            then.respond_with(responder);
        })
        .await;

    let read = client(&server, 2)
        .get_deal()
        .id("65f0c0ffee0000000000dddd")
        .send()
        .await
        .expect("the third attempt succeeds")
        .into_inner();

    assert_eq!(serde_json::to_value(&read).unwrap(), deal);
    assert_eq!(calls.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn a_read_gives_up_after_max_retries_with_the_last_answer() {
    let server = MockServer::start_async().await;
    let (calls, responder) = sequence(vec![(503, None, unavailable())]);
    server
        .mock_async(|when, then| {
            when.method(Method::GET).path(DEAL_PATH);
            then.respond_with(responder);
        })
        .await;

    let error = client(&server, 2)
        .get_deal()
        .id("65f0c0ffee0000000000dddd")
        .send()
        .await
        .unwrap_err();

    assert_eq!(error.kind(), ErrorKind::Server);
    assert_eq!(
        calls.load(Ordering::SeqCst),
        3,
        "one attempt and two retries"
    );
}

#[tokio::test]
async fn a_write_is_never_retried() {
    let server = MockServer::start_async().await;
    let (calls, responder) = sequence(vec![(503, Some("0"), unavailable())]);
    server
        .mock_async(|when, then| {
            when.method(Method::POST).path("/v1/deals");
            then.respond_with(responder);
        })
        .await;
    let body: kinbox_api::types::DealCreate =
        serde_json::from_value(crate::common::raw_fixture("create_deal_request.json")).unwrap();

    let error = client(&server, 3)
        .create_deal()
        .body(body)
        .send()
        .await
        .unwrap_err();

    assert_eq!(error.kind(), ErrorKind::Server);
    assert_eq!(
        calls.load(Ordering::SeqCst),
        1,
        "a retried create could make two deals"
    );
}

#[tokio::test]
async fn a_default_client_retries_a_read_three_times_and_a_write_never() {
    let server = MockServer::start_async().await;
    // `Retry-After: 0`, so that the default delays are not waited for.
    let (reads, read_responder) = sequence(vec![(429, Some("0"), unavailable())]);
    server
        .mock_async(|when, then| {
            when.method(Method::GET).path(DEAL_PATH);
            then.respond_with(read_responder);
        })
        .await;
    let (writes, write_responder) = sequence(vec![(503, Some("0"), unavailable())]);
    server
        .mock_async(|when, then| {
            when.method(Method::POST).path("/v1/deals");
            then.respond_with(write_responder);
        })
        .await;
    let client = crate::common::client_for(&server);

    let error = client
        .get_deal()
        .id("65f0c0ffee0000000000dddd")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::RateLimited);
    assert_eq!(
        reads.load(Ordering::SeqCst),
        1 + RetryPolicy::DEFAULT_RETRIES as usize,
        "one attempt and the default retries"
    );
    assert_eq!(RetryPolicy::DEFAULT_RETRIES, 3);

    let body: kinbox_api::types::DealCreate =
        serde_json::from_value(crate::common::raw_fixture("create_deal_request.json")).unwrap();
    let error = client.create_deal().body(body).send().await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Server);
    assert_eq!(writes.load(Ordering::SeqCst), 1, "writes are never retried");
}

#[tokio::test]
async fn retries_can_be_turned_off() {
    let server = MockServer::start_async().await;
    let (calls, responder) = sequence(vec![(503, Some("0"), unavailable())]);
    server
        .mock_async(|when, then| {
            when.method(Method::GET).path(DEAL_PATH);
            then.respond_with(responder);
        })
        .await;

    let result = ClientConfig::new(Token::new(TOKEN).unwrap())
        .base_url(server.base_url())
        .retries(0)
        .build()
        .unwrap()
        .get_deal()
        .id("65f0c0ffee0000000000dddd")
        .send()
        .await;

    assert!(result.is_err());
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_wait_longer_than_max_wait_is_left_to_the_caller() {
    let server = MockServer::start_async().await;
    let (calls, responder) = sequence(vec![(429, Some("120"), unavailable())]);
    server
        .mock_async(|when, then| {
            when.method(Method::GET).path(DEAL_PATH);
            then.respond_with(responder);
        })
        .await;

    let error = client(&server, 3)
        .get_deal()
        .id("65f0c0ffee0000000000dddd")
        .send()
        .await
        .unwrap_err();

    assert_eq!(error.kind(), ErrorKind::RateLimited);
    assert_eq!(error.retry_after(), Some(Duration::from_secs(120)));
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}
