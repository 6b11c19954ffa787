//! Building a client and the transport under it: which base URLs carry the
//! token, timeouts, unreachable servers, redirects, `User-Agent`.

use std::net::TcpListener;
use std::time::{Duration, Instant};

use crate::common::*;
use httpmock::Method::{GET, POST};
use httpmock::MockServer;
use kinbox_api::{
    BASE_URL_ENV, Client, ClientConfig, ClientInfo, ConfigError, ErrorKind, KinboxError, TOKEN_ENV,
    Token,
};

const DEAL_ID: &str = "65f1a2b3c4d5e6f708091a2b";

async fn serve_deal_at<'a>(server: &'a MockServer, path: &str) -> httpmock::Mock<'a> {
    server
        .mock_async(|when, then| {
            sent_by_sdk(when).method(GET).path(path);
            then.status(200)
                .header("content-type", "application/json")
                .json_body(response_fixture("deal_minimal.json", "get_deal", 200));
        })
        .await
}

#[test]
fn plain_http_is_refused_unless_the_host_is_loopback() {
    for url in [
        "http://api4.kinbox.com.br",
        "http://192.168.0.10:8080",
        "http://10.0.0.1",
        // Look like loopback, are not.
        "http://localhost.example.com",
        "http://127.0.0.1.example.com",
        "http://127.0.0.1@api4.kinbox.com.br/",
    ] {
        match Client::with_token(url, TOKEN) {
            Err(error @ ConfigError::InsecureBaseUrl { .. }) => {
                let shown = error.to_string();
                assert!(shown.contains("https"), "{url}: {shown}");
                assert!(!shown.contains(TOKEN), "{url}: {shown}");
            }
            Err(other) => panic!("{url}: expected InsecureBaseUrl, got {other:?}"),
            Ok(_) => panic!("{url}: a client that would send the token in clear"),
        }
    }
}

#[test]
fn https_anywhere_and_http_to_loopback_are_accepted() {
    for (url, base) in [
        ("https://api4.kinbox.com.br", "https://api4.kinbox.com.br"),
        ("https://api4.kinbox.com.br/", "https://api4.kinbox.com.br"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
        ("http://localhost:8080/", "http://localhost:8080"),
        ("http://[::1]:8080", "http://[::1]:8080"),
    ] {
        let client = Client::with_token(url, TOKEN).unwrap_or_else(|e| panic!("{url}: {e}"));
        assert_eq!(client.baseurl(), base);
    }
}

#[test]
fn a_base_url_that_is_not_a_url_is_refused() {
    for url in [
        "api4.kinbox.com.br",
        "ftp://api4.kinbox.com.br",
        "https://api4.kinbox.com.br?x=1",
    ] {
        assert!(
            matches!(
                Client::with_token(url, TOKEN),
                Err(ConfigError::InvalidBaseUrl { .. })
            ),
            "{url}"
        );
    }
}

#[test]
fn an_unusable_token_is_refused_without_echoing_it() {
    assert!(matches!(
        Client::with_token("https://api4.kinbox.com.br", "  "),
        Err(ConfigError::MissingToken)
    ));
    let error =
        Client::with_token("https://api4.kinbox.com.br", format!("Bearer {TOKEN}")).unwrap_err();
    assert!(matches!(error, ConfigError::InvalidToken(_)), "{error:?}");
    assert!(!error.to_string().contains(TOKEN), "{error}");
    assert!(!format!("{error:?}").contains(TOKEN), "{error:?}");
}

#[tokio::test]
async fn a_trailing_slash_on_the_base_url_does_not_double_the_slash() {
    let server = MockServer::start_async().await;
    let mock = serve_deal_at(&server, &format!("/v1/deals/{DEAL_ID}")).await;
    let client = Client::with_token(&format!("{}/", server.base_url()), TOKEN).unwrap();

    client.get_deal().id(DEAL_ID).send().await.unwrap();

    mock.assert_async().await;
}

#[tokio::test]
async fn a_base_url_with_a_path_prefix_keeps_it() {
    // A gateway in front of the API, e.g. a company proxy.
    let server = MockServer::start_async().await;
    let mock = serve_deal_at(&server, &format!("/kinbox/v1/deals/{DEAL_ID}")).await;
    let client = Client::with_token(&format!("{}/kinbox/", server.base_url()), TOKEN).unwrap();

    client.get_deal().id(DEAL_ID).send().await.unwrap();

    mock.assert_async().await;
}

#[tokio::test]
async fn the_token_is_trimmed_before_it_is_sent() {
    // Tokens pasted from the app often come with a newline.
    let server = MockServer::start_async().await;
    let mock = serve_deal_at(&server, &format!("/v1/deals/{DEAL_ID}")).await;
    let client = Client::with_token(&server.base_url(), format!(" {TOKEN}\n")).unwrap();

    client.get_deal().id(DEAL_ID).send().await.unwrap();

    mock.assert_async().await;
}

#[tokio::test]
async fn token_and_base_url_can_come_from_the_environment() {
    let server = MockServer::start_async().await;
    let mock = serve_deal_at(&server, &format!("/v1/deals/{DEAL_ID}")).await;
    let base_url = server.base_url();
    let environment = |name: &str| match name {
        TOKEN_ENV => Some(TOKEN.to_owned()),
        BASE_URL_ENV => Some(base_url.clone()),
        _ => None,
    };
    let client = ClientConfig::from_lookup(environment)
        .unwrap()
        .build()
        .unwrap();

    client.get_deal().id(DEAL_ID).send().await.unwrap();

    mock.assert_async().await;
}

#[tokio::test]
async fn a_user_agent_suffix_follows_the_sdk_name() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(format!("/v1/deals/{DEAL_ID}"))
                .header("user-agent", format!("{USER_AGENT} minha-loja/2.1"));
            then.status(200)
                .header("content-type", "application/json")
                .json_body(raw_fixture("deal_minimal.json"));
        })
        .await;
    let client = ClientConfig::new(Token::new(TOKEN).unwrap())
        .base_url(server.base_url())
        .user_agent_suffix("minha-loja/2.1")
        .build()
        .unwrap();

    client.get_deal().id(DEAL_ID).send().await.unwrap();

    mock.assert_async().await;
}

#[test]
fn a_user_agent_suffix_that_cannot_be_a_header_is_refused() {
    let error = ClientConfig::new(Token::new(TOKEN).unwrap())
        .user_agent_suffix("loja\n2.1")
        .build()
        .unwrap_err();
    assert!(
        matches!(error, ConfigError::InvalidUserAgent(_)),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_slow_answer_times_out_as_a_network_error() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET).path(format!("/v1/deals/{DEAL_ID}"));
            then.delay(Duration::from_secs(5))
                .status(200)
                .header("content-type", "application/json")
                .json_body(raw_fixture("deal_minimal.json"));
        })
        .await;
    let client = ClientConfig::new(Token::new(TOKEN).unwrap())
        .base_url(server.base_url())
        .timeout(Duration::from_millis(300))
        // One attempt: the timeout, not the retries, is what is measured.
        .retries(0)
        .build()
        .unwrap();

    let started = Instant::now();
    let error = client.get_deal().id(DEAL_ID).send().await.unwrap_err();

    assert!(
        started.elapsed() < Duration::from_secs(3),
        "gave up after {:?}",
        started.elapsed()
    );
    mock.assert_async().await;
    match &error {
        KinboxError::Network(cause) => assert!(cause.is_timeout(), "{cause:?}"),
        other => panic!("expected a Network error, got {other:?}"),
    }
    assert_eq!(error.kind(), ErrorKind::Other);
    assert_eq!(error.status(), None);
    let shown = error.to_string();
    assert!(shown.contains("timed out"), "{shown}");
    assert!(!shown.contains(TOKEN) && !format!("{error:?}").contains(TOKEN));
}

#[tokio::test]
async fn an_unreachable_server_is_a_clear_network_error() {
    // A port that was free a moment ago: nothing listens on it.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let client = Client::with_token(&format!("http://127.0.0.1:{port}"), TOKEN).unwrap();

    let error = client.get_deal().id(DEAL_ID).send().await.unwrap_err();

    match &error {
        KinboxError::Network(cause) => assert!(cause.is_connect(), "{cause:?}"),
        other => panic!("expected a Network error, got {other:?}"),
    }
    assert_eq!(error.kind(), ErrorKind::Other);
    assert_eq!(error.status(), None);
    let shown = error.to_string();
    assert!(
        shown.contains("could not connect") && shown.contains(&port.to_string()),
        "{shown}"
    );
    assert!(!shown.contains(TOKEN) && !format!("{error:?}").contains(TOKEN));
}

#[tokio::test]
async fn a_redirect_is_reported_not_followed() {
    let api = MockServer::start_async().await;
    let elsewhere = MockServer::start_async().await;
    let target = elsewhere.url(format!("/v1/deals/{DEAL_ID}"));
    let redirect = api
        .mock_async(|when, then| {
            when.method(GET).path(format!("/v1/deals/{DEAL_ID}"));
            then.status(307).header("location", target.as_str());
        })
        .await;
    let landed = elsewhere
        .mock_async(|when, then| {
            when.any_request();
            then.status(200).json_body(raw_fixture("deal_minimal.json"));
        })
        .await;
    let client = client_for(&api);

    let error = client
        .get_deal()
        .id(DEAL_ID)
        .send()
        .await
        .expect_err("a redirect is an error");

    redirect.assert_async().await;
    assert_eq!(landed.calls_async().await, 0, "the redirect was followed");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(307));
    let shown = error.to_string();
    assert!(
        shown.contains("redirect") && shown.contains(&target) && shown.contains("not followed"),
        "{shown}"
    );
}

#[tokio::test]
async fn a_create_redirected_elsewhere_is_sent_once_and_only_to_the_api() {
    let api = MockServer::start_async().await;
    let elsewhere = MockServer::start_async().await;
    let anything_elsewhere = elsewhere
        .mock_async(|when, then| {
            when.any_request();
            then.status(201).json_body(raw_fixture("deal_minimal.json"));
        })
        .await;
    for status in [301, 302, 303, 307, 308] {
        let target = elsewhere.url("/v1/deals");
        let redirect = api
            .mock_async(|when, then| {
                when.method(POST).path("/v1/deals");
                then.status(status).header("location", target.as_str());
            })
            .await;
        let client = client_for(&api);

        let error = client
            .create_deal()
            .body(
                kinbox_api::types::DealCreate::builder()
                    .name("Pedido #1042")
                    .value(1890.0)
                    .status(kinbox_api::types::DealStatus::Open)
                    .pipeline_id("p1")
                    .stage_id("s1")
                    .contact_id(42)
                    .custom_fields(kinbox_api::types::CustomFieldsInput::new()),
            )
            .send()
            .await
            .expect_err("a redirect is an error");

        assert_eq!(redirect.calls_async().await, 1, "{status}: sent once");
        assert_eq!(error.status().map(|s| s.as_u16()), Some(status));
        redirect.delete_async().await;
    }
    assert_eq!(anything_elsewhere.calls_async().await, 0);
}
