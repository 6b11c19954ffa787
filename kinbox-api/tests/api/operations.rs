//! Each operation of the spec against a mock API: method, path, query,
//! headers and body are exactly what the spec and the reference page say.

use crate::common::*;
use chrono::{DateTime, Utc};
use httpmock::Method::{DELETE, GET, PATCH, POST};
use kinbox_api::OrOther;
use kinbox_api::types::{CustomFieldsInput, Deal, DealCreate, DealStatus, DealUpdate};
use serde_json::json;

fn utc(text: &str) -> DateTime<Utc> {
    text.parse().expect("an RFC 3339 date-time")
}

#[tokio::test]
async fn list_deals_without_filters_sends_no_query() {
    let (server, client) = mock_api().await;
    let page = deal_page(
        vec![response_fixture("deal_full.json", "get_deal", 200)],
        None,
    );
    let recorder = Recorder::new();
    let mock = server
        .mock_async(|when, then| {
            sent_by_sdk(when).method(GET).path("/v1/deals");
            then.respond_with(recorder.reply(200, Some(page.clone())));
        })
        .await;

    let page = client.list_deals().send().await.unwrap().into_inner();

    mock.assert_async().await;
    let request = recorder.only_request();
    assert_eq!(request.query_params(), Vec::<(String, String)>::new());
    assert!(request.body_ref().is_empty(), "a GET carries no body");
    assert!(request.headers().get("content-type").is_none());
    assert_eq!(page.data.len(), 1);
    assert_eq!(page.next_cursor, None);
}

#[tokio::test]
async fn list_deals_sends_every_filter_snake_case_with_rfc3339_dates() {
    let (server, client) = mock_api().await;
    let page = deal_page(
        vec![
            deal_with_id(
                &raw_fixture("deal_minimal.json"),
                "65f1a2b3c4d5e6f708091a01",
            ),
            deal_with_id(
                &raw_fixture("deal_minimal.json"),
                "65f1a2b3c4d5e6f708091a02",
            ),
        ],
        Some("65f1a2b3c4d5e6f708091a02"),
    );
    let recorder = Recorder::new();
    let mock = server
        .mock_async(|when, then| {
            sent_by_sdk(when)
                .method(GET)
                .path("/v1/deals")
                .query_param("limit", "2")
                .query_param("cursor", "65f1a2b3c4d5e6f708091a00")
                .query_param("pipeline_id", "65f0c0ffee0000000000aaaa")
                .query_param("status", "won")
                .query_param("contact_id", "123456")
                .query_param("created_at_from", "2024-01-01T00:00:00Z")
                .query_param("created_at_to", "2024-01-31T23:59:59Z")
                .query_param("won_lost_date_from", "2024-02-01T03:00:00Z")
                .query_param("won_lost_date_to", "2024-02-29T12:30:45Z");
            then.respond_with(recorder.reply(200, Some(page.clone())));
        })
        .await;

    let page = client
        .list_deals()
        .limit(2u32)
        .cursor("65f1a2b3c4d5e6f708091a00")
        .pipeline_id("65f0c0ffee0000000000aaaa")
        .status(DealStatus::Won)
        .contact_id(123456)
        .created_at_from(utc("2024-01-01T00:00:00Z"))
        .created_at_to(utc("2024-01-31T23:59:59Z"))
        // A Brazilian offset is sent as the same instant in UTC.
        .won_lost_date_from(utc("2024-02-01T00:00:00-03:00"))
        .won_lost_date_to(utc("2024-02-29T12:30:45Z"))
        .send()
        .await
        .unwrap()
        .into_inner();

    mock.assert_async().await;
    let query = recorder.only_request().query_params();
    assert_eq!(query.len(), 9, "each filter once: {query:?}");
    spec()
        .check_query("list_deals", &query)
        .expect("the query the spec declares");
    assert_eq!(page.data.len(), 2);
    assert_eq!(
        page.next_cursor.map(|cursor| cursor.to_string()).as_deref(),
        Some("65f1a2b3c4d5e6f708091a02")
    );
}

#[tokio::test]
async fn list_deals_refuses_a_zero_limit_without_sending() {
    let (server, client) = mock_api().await;
    let mock = server
        .mock_async(|when, then| {
            when.any_request();
            then.status(500);
        })
        .await;

    let error = client.list_deals().limit(0u32).send().await.unwrap_err();

    let error = error;
    assert!(
        matches!(error, kinbox_api::KinboxError::InvalidRequest(_)),
        "{error:?}"
    );
    assert!(error.to_string().contains("limit"), "{error}");
    assert_eq!(mock.calls_async().await, 0);
}

#[tokio::test]
async fn create_deal_posts_camel_case_json_and_reads_the_201() {
    let (server, client) = mock_api().await;
    let created = response_fixture("deal_minimal.json", "create_deal", 201);
    let recorder = Recorder::new();
    let mock = server
        .mock_async(|when, then| {
            sent_by_sdk(when)
                .method(POST)
                .path("/v1/deals")
                .header("content-type", "application/json")
                .json_body(json!({
                    "name": "Pedido #1043",
                    "value": 350.75,
                    "status": "open",
                    "pipelineId": "65f0c0ffee0000000000aaaa",
                    "stageId": "65f0c0ffee0000000000bbbb",
                    "customFields": { "cpf": { "value": "060.715.303-54", "type": "text" } },
                    "contactId": 123456,
                    "operatorId": 42,
                    "dueDate": "2024-03-31T23:59:59Z"
                }));
            then.respond_with(recorder.reply(201, Some(created.clone())));
        })
        .await;

    let deal = client
        .create_deal()
        .body(
            DealCreate::builder()
                .name("Pedido #1043")
                .value(350.75)
                .status(DealStatus::Open)
                .pipeline_id("65f0c0ffee0000000000aaaa")
                .stage_id("65f0c0ffee0000000000bbbb")
                .custom_fields(CustomFieldsInput::new().with("cpf", "text", "060.715.303-54"))
                .contact_id(123456)
                .operator_id(42)
                .due_date(utc("2024-03-31T23:59:59Z")),
        )
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    assert_eq!(deal.status().as_u16(), 201);
    assert_valid_request_body("create_deal", &recorder.only_json_body());
    assert_eq!(
        deal.into_inner(),
        serde_json::from_value::<Deal>(created).unwrap()
    );
}

#[tokio::test]
async fn get_deal_fetches_the_deal_by_id() {
    let (server, client) = mock_api().await;
    let deal = response_fixture("deal_full.json", "get_deal", 200);
    let recorder = Recorder::new();
    let mock = server
        .mock_async(|when, then| {
            sent_by_sdk(when)
                .method(GET)
                .path("/v1/deals/65f1a2b3c4d5e6f708091a2b");
            then.respond_with(recorder.reply(200, Some(deal.clone())));
        })
        .await;

    let found = client
        .get_deal()
        .id("65f1a2b3c4d5e6f708091a2b")
        .send()
        .await
        .unwrap()
        .into_inner();

    mock.assert_async().await;
    let request = recorder.only_request();
    assert!(request.body_ref().is_empty(), "a GET carries no body");
    assert!(request.headers().get("content-type").is_none());
    assert_eq!(found.id, "65f1a2b3c4d5e6f708091a2b");
    assert_eq!(found, serde_json::from_value::<Deal>(deal).unwrap());
}

#[tokio::test]
async fn an_id_with_reserved_characters_stays_one_path_segment() {
    let (server, client) = mock_api().await;
    let mock = server
        .mock_async(|when, then| {
            sent_by_sdk(when)
                .method(GET)
                .path("/v1/deals/..%2Fpipelines%3Fx%3D1%23y");
            then.status(200)
                .header("content-type", "application/json")
                .json_body(raw_fixture("deal_minimal.json"));
        })
        .await;

    // A caller-supplied id must not be able to reach another path.
    client
        .get_deal()
        .id("../pipelines?x=1#y")
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
}

#[tokio::test]
async fn update_deal_patches_only_the_fields_set() {
    let (server, client) = mock_api().await;
    let updated = response_fixture("deal_full.json", "update_deal", 200);
    let recorder = Recorder::new();
    // Closing as lost, the way the spec describes it: status, date, reasons.
    let expected_body = json!({
        "status": "lost",
        "wonLostDate": "2024-03-18T14:05:00Z",
        "lostReason": ["Preço acima do orçamento"],
        "lostReasonObs": "Cliente fechou com a concorrência"
    });
    let mock = server
        .mock_async(|when, then| {
            sent_by_sdk(when)
                .method(PATCH)
                .path("/v1/deals/65f1a2b3c4d5e6f708091a2b")
                .header("content-type", "application/json")
                .json_body(expected_body.clone());
            then.respond_with(recorder.reply(200, Some(updated.clone())));
        })
        .await;

    let deal = client
        .update_deal()
        .id("65f1a2b3c4d5e6f708091a2b")
        .body(
            DealUpdate::builder()
                .status(DealStatus::Lost)
                .won_lost_date(utc("2024-03-18T14:05:00Z"))
                .lost_reason(vec!["Preço acima do orçamento".to_owned()])
                .lost_reason_obs("Cliente fechou com a concorrência".to_owned()),
        )
        .send()
        .await
        .unwrap()
        .into_inner();

    mock.assert_async().await;
    let sent = recorder.only_json_body();
    assert_valid_request_body("update_deal", &sent);
    assert_eq!(sent, expected_body);
    assert_eq!(deal.status, OrOther::Known(DealStatus::Lost));
}

#[tokio::test]
async fn moving_a_deal_patches_pipeline_and_stage() {
    let (server, client) = mock_api().await;
    let recorder = Recorder::new();
    let mock = server
        .mock_async(|when, then| {
            sent_by_sdk(when)
                .method(PATCH)
                .path("/v1/deals/65f1a2b3c4d5e6f708091a2b")
                .json_body(json!({
                    "pipelineId": "65f0c0ffee0000000000aaab",
                    "stageId": "65f0c0ffee0000000000bbbc"
                }));
            then.respond_with(recorder.reply(
                200,
                Some(response_fixture("deal_minimal.json", "update_deal", 200)),
            ));
        })
        .await;

    client
        .update_deal()
        .id("65f1a2b3c4d5e6f708091a2b")
        .body(
            DealUpdate::builder()
                .pipeline_id("65f0c0ffee0000000000aaab".to_owned())
                .stage_id("65f0c0ffee0000000000bbbc".to_owned()),
        )
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    assert_valid_request_body("update_deal", &recorder.only_json_body());
}

#[tokio::test]
async fn delete_deal_sends_a_bodiless_delete_and_accepts_an_empty_200() {
    let (server, client) = mock_api().await;
    let recorder = Recorder::new();
    let mock = server
        .mock_async(|when, then| {
            sent_by_sdk(when)
                .method(DELETE)
                .path("/v1/deals/65f1a2b3c4d5e6f708091a2b");
            then.respond_with(recorder.reply(200, None));
        })
        .await;

    let response = client
        .delete_deal()
        .id("65f1a2b3c4d5e6f708091a2b")
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    assert_eq!(response.status().as_u16(), 200);
    let request = recorder.only_request();
    assert!(request.body_ref().is_empty());
    assert!(request.headers().get("content-type").is_none());
}

#[tokio::test]
async fn delete_deal_ignores_a_body_the_spec_does_not_document() {
    let (server, client) = mock_api().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(DELETE)
                .path("/v1/deals/65f1a2b3c4d5e6f708091a2b");
            then.status(200)
                .header("content-type", "application/json")
                .json_body(json!({ "success": true }));
        })
        .await;

    client
        .delete_deal()
        .id("65f1a2b3c4d5e6f708091a2b")
        .send()
        .await
        .expect("a 200 is a success whatever its body");

    mock.assert_async().await;
}

/// The typed mocks of `kinbox-httpmock` are generated from the same spec: a
/// test written with them sees the same request as one written by hand.
#[tokio::test]
async fn the_typed_mocks_agree_with_the_sdk() {
    use kinbox_httpmock::MockServerExt;

    let server = httpmock::MockServer::start_async().await;
    let client = client_for(&server);
    let create: DealCreate = DealCreate::builder()
        .name("Pedido #1043")
        .value(350.75)
        .status(DealStatus::Open)
        .pipeline_id("65f0c0ffee0000000000aaaa")
        .stage_id("65f0c0ffee0000000000bbbb")
        .custom_fields(CustomFieldsInput::new())
        .contact_id(123456)
        .try_into()
        .unwrap();
    let deal: Deal =
        serde_json::from_value(response_fixture("deal_minimal.json", "create_deal", 201)).unwrap();
    let mock = server.create_deal(|when, then| {
        when.body(&create);
        then.created(&deal);
    });

    let created = client
        .create_deal()
        .body(create.clone())
        .send()
        .await
        .unwrap()
        .into_inner();

    mock.assert_async().await;
    assert_eq!(created, deal);
}
