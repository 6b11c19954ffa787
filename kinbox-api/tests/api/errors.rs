//! Error answers become a `KinboxError` a caller can act on: its kind, the
//! status, the server's words, how long to wait; and never the token.

use std::time::Duration;

use crate::common::*;
use httpmock::Method::{GET, POST};
use httpmock::MockServer;
use kinbox_api::types::{CustomFieldsInput, DealCreate, DealStatus};
use kinbox_api::{Client, ClientConfig, ErrorKind, KinboxError, Token};
use serde_json::{Value, json};

const DEAL_ID: &str = "65f1a2b3c4d5e6f708091a2b";

/// How the mock answers.
struct Answer<'a> {
    status: u16,
    content_type: Option<&'a str>,
    body: &'a str,
    headers: &'a [(&'a str, &'a str)],
}

/// `get_deal` answered with `answer`; the error the SDK returns, from a
/// client that does not retry (a read is retried by default: this is the
/// answer as it is read, see `retries.rs` for the retries).
async fn get_deal_error(answer: Answer<'_>) -> KinboxError {
    let server = MockServer::start_async().await;
    let client = ClientConfig::new(Token::new(TOKEN).unwrap())
        .base_url(server.base_url())
        .retries(0)
        .build()
        .unwrap();
    let mock = server
        .mock_async(|when, then| {
            when.method(GET).path(format!("/v1/deals/{DEAL_ID}"));
            let mut then = then.status(answer.status).body(answer.body);
            if let Some(content_type) = answer.content_type {
                then = then.header("content-type", content_type);
            }
            for (name, value) in answer.headers {
                then = then.header(*name, *value);
            }
        })
        .await;
    let error = client
        .get_deal()
        .id(DEAL_ID)
        .send()
        .await
        .expect_err("an error status is an error");
    mock.assert_async().await;
    assert_no_token(&error, &client);
    error
}

/// `get_deal` answered with a JSON error body, which must be what the spec
/// documents for that status.
async fn get_deal_json_error(status: u16, body: Value, headers: &[(&str, &str)]) -> KinboxError {
    assert_valid_response("get_deal", status, &body);
    get_deal_error(Answer {
        status,
        content_type: Some("application/json"),
        body: &body.to_string(),
        headers,
    })
    .await
}

fn assert_no_token(error: &KinboxError, client: &Client) {
    for shown in [
        error.to_string(),
        format!("{error:?}"),
        format!("{client:?}"),
    ] {
        assert!(!shown.contains(TOKEN), "the token leaked: {shown}");
    }
}

fn status_of(error: &KinboxError) -> Option<u16> {
    error.status().map(|status| status.as_u16())
}

#[tokio::test]
async fn each_documented_error_status_has_its_kind() {
    for (status, kind, message) in [
        (400, ErrorKind::BadRequest, "Requisição inválida"),
        (401, ErrorKind::Unauthorized, "Token inválido"),
        (403, ErrorKind::Forbidden, "Sem permissão para este funil"),
        (404, ErrorKind::NotFound, "Negócio não encontrado"),
        (429, ErrorKind::RateLimited, "Limite de requisições"),
        (500, ErrorKind::Server, "Internal Server Error"),
        (502, ErrorKind::Server, "Bad Gateway"),
        (503, ErrorKind::Server, "Service Unavailable"),
    ] {
        let error = get_deal_json_error(
            status,
            json!({ "message": message, "statusCode": status }),
            &[],
        )
        .await;

        assert_eq!(error.kind(), kind, "status {status}");
        assert_eq!(status_of(&error), Some(status));
        let body = error.body().expect("an answer has a body");
        assert_eq!(body.message.as_deref(), Some(message));
        assert_eq!(body.status_code, Some(i64::from(status)));
        let shown = error.to_string();
        assert!(
            shown.contains(&status.to_string()) && shown.contains(message),
            "status {status}: {shown}"
        );
        assert!(matches!(error, KinboxError::Api(_)), "{error:?}");
    }
}

#[tokio::test]
async fn unauthorized_says_what_to_check() {
    let error = get_deal_json_error(401, json!({ "message": "Unauthorized" }), &[]).await;
    assert!(error.to_string().contains("check the token"), "{error}");
}

#[tokio::test]
async fn unprocessable_entity_lists_each_violation() {
    let (server, client) = mock_api().await;
    let body = json!({
        "message": "Dados inválidos",
        "error": "Unprocessable Entity",
        "statusCode": 422,
        "errors": [
            { "path": "$.stageId", "message": "etapa não pertence ao funil" },
            { "message": "contato inexistente" }
        ]
    });
    assert_valid_response("create_deal", 422, &body);
    let mock = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/deals");
            then.status(422)
                .header("content-type", "application/json")
                .json_body(body.clone());
        })
        .await;

    let error = client
        .create_deal()
        .body(
            DealCreate::builder()
                .name("Pedido #1043")
                .value(350.75)
                .status(DealStatus::Open)
                .pipeline_id("65f0c0ffee0000000000aaaa")
                .stage_id("65f0c0ffee0000000000bbbb")
                .custom_fields(CustomFieldsInput::new())
                .contact_id(999),
        )
        .send()
        .await
        .unwrap_err();

    mock.assert_async().await;
    assert_eq!(error.kind(), ErrorKind::Unprocessable);
    assert_eq!(status_of(&error), Some(422));
    let details = error.body().unwrap().errors.as_ref().unwrap();
    assert_eq!(details.len(), 2);
    assert_eq!(details[0].path.as_deref(), Some("$.stageId"));
    assert_eq!(details[1].path, None);
    let shown = error.to_string();
    assert!(
        shown.contains("422") && shown.contains("Dados inválidos"),
        "{shown}"
    );
    assert!(
        shown.contains("$.stageId: etapa não pertence ao funil"),
        "{shown}"
    );
    assert!(shown.contains("contato inexistente"), "{shown}");
    assert_no_token(&error, &client);
}

#[tokio::test]
async fn rate_limited_tells_how_long_to_wait() {
    let error = get_deal_json_error(
        429,
        json!({ "message": "Too Many Requests" }),
        &[("retry-after", "7")],
    )
    .await;

    assert_eq!(error.kind(), ErrorKind::RateLimited);
    assert_eq!(error.retry_after(), Some(Duration::from_secs(7)));
    assert!(error.to_string().contains("retry after 7s"), "{error}");
}

#[tokio::test]
async fn rate_limited_without_retry_after_has_no_wait() {
    let error = get_deal_json_error(429, json!({ "message": "Too Many Requests" }), &[]).await;

    assert_eq!(error.kind(), ErrorKind::RateLimited);
    assert_eq!(error.retry_after(), None);
    assert!(error.to_string().contains("retry later"), "{error}");
}

#[tokio::test]
async fn a_retry_after_given_as_an_http_date_is_read() {
    let in_two_minutes =
        httpdate::fmt_http_date(std::time::SystemTime::now() + std::time::Duration::from_secs(120));
    let error = get_deal_json_error(429, json!({}), &[("retry-after", &in_two_minutes)]).await;

    assert_eq!(error.kind(), ErrorKind::RateLimited);
    let wait = error.retry_after().expect("the date is read").as_secs();
    assert!((110..=120).contains(&wait), "{wait}");
}

#[tokio::test]
async fn a_retry_after_that_is_neither_seconds_nor_a_date_is_ignored() {
    let error = get_deal_json_error(429, json!({}), &[("retry-after", "soon")]).await;

    assert_eq!(error.kind(), ErrorKind::RateLimited);
    assert_eq!(error.retry_after(), None);
}

#[tokio::test]
async fn a_503_may_say_when_to_come_back_too() {
    let error = get_deal_json_error(503, json!({}), &[("retry-after", "30")]).await;

    assert_eq!(error.kind(), ErrorKind::Server);
    assert_eq!(error.retry_after(), Some(Duration::from_secs(30)));
}

#[tokio::test]
async fn an_html_error_page_keeps_the_status_and_the_text() {
    let page = "<html><body><h1>502 Bad Gateway</h1>nginx</body></html>";
    let error = get_deal_error(Answer {
        status: 502,
        content_type: Some("text/html"),
        body: page,
        headers: &[],
    })
    .await;

    assert_eq!(error.kind(), ErrorKind::Server);
    assert_eq!(status_of(&error), Some(502));
    assert_eq!(error.body().unwrap().message.as_deref(), Some(page));
    assert!(error.to_string().contains("502 Bad Gateway"), "{error}");
}

#[tokio::test]
async fn a_plain_text_error_keeps_the_status_and_the_text() {
    let error = get_deal_error(Answer {
        status: 401,
        content_type: Some("text/plain; charset=utf-8"),
        body: "  Token expirado\n",
        headers: &[],
    })
    .await;

    assert_eq!(error.kind(), ErrorKind::Unauthorized);
    assert_eq!(
        error.body().unwrap().message.as_deref(),
        Some("Token expirado")
    );
    assert!(error.to_string().contains("Token expirado"), "{error}");
}

#[tokio::test]
async fn an_empty_error_body_keeps_the_status() {
    let error = get_deal_error(Answer {
        status: 500,
        content_type: None,
        body: "",
        headers: &[],
    })
    .await;

    assert_eq!(error.kind(), ErrorKind::Server);
    assert_eq!(status_of(&error), Some(500));
    assert_eq!(error.body().unwrap().message, None);
    assert!(error.to_string().contains("500"), "{error}");
}

#[tokio::test]
async fn a_json_error_body_that_is_not_an_object_is_kept_as_text() {
    let error = get_deal_error(Answer {
        status: 400,
        content_type: Some("application/json"),
        body: r#"["stageId is required"]"#,
        headers: &[],
    })
    .await;

    assert_eq!(error.kind(), ErrorKind::BadRequest);
    assert_eq!(
        error.body().unwrap().message.as_deref(),
        Some(r#"["stageId is required"]"#)
    );
}

#[tokio::test]
async fn an_error_body_with_only_an_error_name_shows_it() {
    let error = get_deal_json_error(
        404,
        json!({ "error": "Not Found", "code": "DEAL_NOT_FOUND" }),
        &[],
    )
    .await;

    assert_eq!(error.kind(), ErrorKind::NotFound);
    assert_eq!(error.body().unwrap().message, None);
    assert!(error.to_string().contains("404") && error.to_string().contains("Not Found"));
}

#[tokio::test]
async fn an_undocumented_client_error_is_an_api_error_of_kind_other() {
    // 409 is not listed for get_deal; the spec's `4XX` covers it.
    let error = get_deal_json_error(409, json!({ "message": "Negócio em edição" }), &[]).await;

    assert!(matches!(error, KinboxError::Api(_)), "{error:?}");
    assert_eq!(error.kind(), ErrorKind::Other);
    assert_eq!(status_of(&error), Some(409));
    assert!(error.to_string().contains("Negócio em edição"), "{error}");
}

#[tokio::test]
async fn an_undocumented_redirect_is_an_unexpected_status() {
    let error = get_deal_error(Answer {
        status: 302,
        content_type: None,
        body: "",
        headers: &[],
    })
    .await;

    assert!(
        matches!(error, KinboxError::UnexpectedStatus { .. }),
        "{error:?}"
    );
    assert_eq!(error.kind(), ErrorKind::Other);
    assert_eq!(status_of(&error), Some(302));
    assert!(error.to_string().contains("302"), "{error}");
}

#[tokio::test]
async fn an_error_that_never_reached_the_api_has_no_status() {
    let (server, client) = mock_api().await;
    let mock = server
        .mock_async(|when, then| {
            when.any_request();
            then.status(200);
        })
        .await;

    // No id: the builder refuses to send.
    let error = client.get_deal().send().await.unwrap_err();

    assert!(matches!(error, KinboxError::InvalidRequest(_)), "{error:?}");
    assert_eq!(error.status(), None);
    assert_eq!(error.kind(), ErrorKind::Other);
    assert!(error.to_string().contains("nothing was sent"), "{error}");
    assert_eq!(mock.calls_async().await, 0);
}

/// One error type from `send()`, with what support asks for reachable: the
/// status, the API's message and the id the server gave the request.
#[tokio::test]
async fn the_status_message_and_request_id_are_reachable_from_send() {
    let error = get_deal_json_error(
        404,
        json!({"statusCode": 404, "message": "Deal not found"}),
        &[("x-request-id", "req-7f3a")],
    )
    .await;
    assert_eq!(error.kind(), ErrorKind::NotFound);
    assert_eq!(error.status().map(|s| s.as_u16()), Some(404));
    assert_eq!(error.message(), Some("Deal not found"));
    assert_eq!(error.request_id(), Some("req-7f3a"));

    let without = get_deal_json_error(404, json!({"error": "Not Found"}), &[]).await;
    assert_eq!(without.message(), Some("Not Found"));
    assert_eq!(without.request_id(), None);
}

/// A server's cursor is its own text, of any length: the error that quotes
/// it escapes it and cuts it.
#[test]
fn a_repeated_cursor_is_quoted_escaped_and_cut() {
    let cursor = format!("\u{1b}[2J{}", "c".repeat(100_000));
    let shown = KinboxError::CursorDidNotAdvance { cursor }.to_string();
    assert!(!shown.contains('\u{1b}'), "{shown:.80}");
    assert!(shown.len() < 8 * 1024, "{} bytes", shown.len());
    assert!(
        shown.ends_with("twice; stopping to avoid a loop"),
        "{shown:.80}"
    );
}
