use kinbox_api::types::DealUpdate;
use kinbox_api::{ClientConfig, ErrorKind, Token};
use kinbox_sandbox::Sandbox;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::{assert_conforms, call, deal, send};

#[tokio::test]
async fn an_invalid_body_gets_422_naming_each_field() {
    let sandbox = Sandbox::start().await.unwrap();
    let body =
        json!({"name": 1, "value": "cem", "status": "maybe", "pipelineId": "p", "stageId": "s",
        "customFields": {}, "contactId": 1, "products": [{"price": "free"}]})
        .to_string();
    let answer = call(&sandbox, Method::POST, "/v1/deals", Some(&body)).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_conforms("create_deal", answer.status, &answer.body);
    assert_eq!(answer.body["statusCode"], 422);
    let paths = answer.error_paths();
    for path in ["$.name", "$.value", "$.status", "$.products[0].price"] {
        assert!(
            paths.iter().any(|p| p == path),
            "{path} missing from {paths:?}"
        );
    }

    let missing = call(
        &sandbox,
        Method::POST,
        "/v1/deals",
        Some(r#"{"name": "n"}"#),
    )
    .await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    let messages = missing.body["errors"].to_string();
    for field in [
        "value",
        "status",
        "pipelineId",
        "stageId",
        "customFields",
        "contactId",
    ] {
        assert!(
            messages.contains(field),
            "{field} should be reported missing: {messages}"
        );
    }

    let nothing_stored = call(&sandbox, Method::GET, "/v1/deals", None).await;
    assert_eq!(nothing_stored.body["data"], json!([]));
}

#[tokio::test]
async fn an_invalid_update_changes_nothing() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox.client();
    let created = client
        .create_deal()
        .body(deal("kept"))
        .send()
        .await
        .unwrap()
        .into_inner();
    let path = format!("/v1/deals/{}", created.id);
    let answer = call(
        &sandbox,
        Method::PATCH,
        &path,
        Some(r#"{"name": "new", "value": null}"#),
    )
    .await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_conforms("update_deal", answer.status, &answer.body);
    assert_eq!(answer.error_paths(), ["$.value"]);
    let unchanged = client
        .get_deal()
        .id(&created.id)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(unchanged.name, "kept");
}

#[tokio::test]
async fn malformed_requests_get_400_and_wrong_queries_422() {
    let sandbox = Sandbox::start().await.unwrap();

    let not_json = call(&sandbox, Method::POST, "/v1/deals", Some("{\"name\":")).await;
    assert_eq!(not_json.status, StatusCode::BAD_REQUEST);
    assert_conforms("create_deal", not_json.status, &not_json.body);
    assert_eq!(not_json.error_paths(), ["$"]);

    let no_body = call(&sandbox, Method::POST, "/v1/deals", None).await;
    assert_eq!(no_body.status, StatusCode::BAD_REQUEST);

    for (query, path) in [
        ("limit=0", "query.limit"),
        ("limit=101", "query.limit"),
        ("status=closed", "query.status"),
        ("contact_id=abc", "query.contact_id"),
        ("created_at_from=yesterday", "query.created_at_from"),
        ("pipelineId=p", "query.pipelineId"),
    ] {
        let answer = call(&sandbox, Method::GET, &format!("/v1/deals?{query}"), None).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{query}");
        assert_conforms("list_deals", answer.status, &answer.body);
        assert_eq!(answer.error_paths(), [path], "{query}");
    }

    // get_deal documents no 422: a bad query there is a 400.
    let answer = call(&sandbox, Method::GET, "/v1/deals/abc?verbose=1", None).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert_conforms("get_deal", answer.status, &answer.body);
}

#[tokio::test]
async fn the_sdk_reports_validation_errors_with_their_paths() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox.client();
    let created = client
        .create_deal()
        .body(deal("d"))
        .send()
        .await
        .unwrap()
        .into_inner();
    let error = client
        .update_deal()
        .id(&created.id)
        .body(DealUpdate::builder().contact(Some(crate::common::contact_input(i64::MAX))))
        .send()
        .await
        .map(drop);
    assert!(error.is_ok(), "i64::MAX is a valid int64: {error:?}");
    let raw = call(
        &sandbox,
        Method::PATCH,
        &format!("/v1/deals/{}", created.id),
        Some(
            r#"{"contact": {"id": 9223372036854775808, "name": "", "avatar": "", "phone": "", "email": ""}}"#,
        ),
    )
    .await;
    assert_eq!(raw.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(raw.error_paths(), ["$.contact.id"], "int64 is a range");
}

#[tokio::test]
async fn no_bearer_token_is_a_401() {
    let sandbox = Sandbox::start().await.unwrap();
    for token in [None, Some("")] {
        let answer = send(&sandbox, Method::GET, "/v1/deals", token, None).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{token:?}");
        assert_conforms("list_deals", answer.status, &answer.body);
        assert_eq!(answer.headers["www-authenticate"], "Bearer");
    }
    // The token is checked before anything else.
    let answer = send(&sandbox, Method::POST, "/v1/deals", None, Some("{")).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    // Any non-empty token passes by default.
    let answer = send(&sandbox, Method::GET, "/v1/deals", Some("anything"), None).await;
    assert_eq!(answer.status, StatusCode::OK);
}

#[tokio::test]
async fn a_fixed_token_refuses_any_other() {
    let sandbox = Sandbox::builder().token("s3cret").start().await.unwrap();
    assert_eq!(sandbox.token(), "s3cret");
    let wrong = ClientConfig::new(Token::new("not-it").unwrap())
        .base_url(sandbox.base_url())
        .build()
        .unwrap();
    let error = wrong.list_deals().send().await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Unauthorized);
    assert!(sandbox.client().list_deals().send().await.is_ok());
}

#[tokio::test]
async fn other_methods_get_405_with_allow_and_other_paths_404() {
    let sandbox = Sandbox::start().await.unwrap();
    let answer = call(&sandbox, Method::PUT, "/v1/deals", Some("{}")).await;
    assert_eq!(answer.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(answer.headers["allow"], "GET, POST");
    assert_conforms("list_deals", answer.status, &answer.body);

    let answer = call(&sandbox, Method::POST, "/v1/deals/abc", Some("{}")).await;
    assert_eq!(answer.status, StatusCode::METHOD_NOT_ALLOWED);
    let mut allowed: Vec<&str> = answer.headers["allow"]
        .to_str()
        .unwrap()
        .split(", ")
        .collect();
    allowed.sort_unstable();
    assert_eq!(allowed, ["DELETE", "GET", "PATCH"]);

    let answer = call(&sandbox, Method::GET, "/v2/deals", None).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    assert!(
        answer.body["message"]
            .as_str()
            .unwrap()
            .contains("/v1/deals")
    );
}
