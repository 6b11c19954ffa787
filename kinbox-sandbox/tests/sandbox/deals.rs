use std::collections::BTreeSet;
use std::time::Duration;

use chrono::Utc;
use kinbox_api::ErrorKind;
use kinbox_api::types::{DealStatus, DealUpdate};
use kinbox_sandbox::Sandbox;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::{assert_conforms, call, deal};

#[tokio::test]
async fn create_get_update_delete_then_404() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox.client();

    let created = client
        .create_deal()
        .body(deal("Pedido #1042"))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let created = created.into_inner();
    assert_eq!(created.id.len(), 24);
    assert!(
        created.id.bytes().all(|b| b.is_ascii_hexdigit()),
        "{}",
        created.id
    );
    assert_eq!(created.contact.as_ref().map(|c| c.id.get()), Some(42));
    assert_eq!(
        created.custom_fields.value("cpf"),
        Some(&json!("060.715.303-54"))
    );

    let fetched = client
        .get_deal()
        .id(&created.id)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(fetched, created);

    let updated = client
        .update_deal()
        .id(&created.id)
        .body(
            DealUpdate::builder()
                .status(DealStatus::Won)
                .contact(Some(crate::common::contact_input(7))),
        )
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(serde_json::to_value(&updated.status).unwrap(), json!("won"));
    assert_eq!(updated.contact.as_ref().map(|c| c.id.get()), Some(7));
    // Fields not sent stay as they were.
    assert_eq!(
        (updated.name.as_str(), updated.value),
        ("Pedido #1042", 1890.0)
    );
    assert_eq!(updated.custom_fields, created.custom_fields);
    assert_eq!(updated.id, created.id);

    let deleted = client.delete_deal().id(&created.id).send().await.unwrap();
    assert_eq!(deleted.status(), StatusCode::OK);

    for error in [
        client.get_deal().id(&created.id).send().await.map(drop),
        client.delete_deal().id(&created.id).send().await.map(drop),
        client
            .update_deal()
            .id(&created.id)
            .body(DealUpdate::builder())
            .send()
            .await
            .map(drop),
    ] {
        let error = error.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::NotFound, "{error}");
        let message = error
            .body()
            .and_then(|b| b.message.clone())
            .unwrap_or_default();
        assert!(message.contains(&created.id), "{message}");
    }
}

#[tokio::test]
async fn every_answer_of_a_round_trip_conforms_to_the_spec() {
    let sandbox = Sandbox::start().await.unwrap();
    let body = json!({
        "name": "Pedido", "value": 10.5, "status": "open", "pipelineId": "p", "stageId": "s",
        "customFields": {"age": {"value": "30", "type": "number"}}, "contactId": 9, "tagIds": [1, 2],
        "conversation": {"id": 3, "platformId": 4, "showPending": true},
        "wonLostDate": "2024-05-01T10:00:00-03:00", "authorType": "api", "authorId": {"any": "shape"},
        "context": {"automationId": "a"}, "unknownField": "dropped",
    })
    .to_string();
    let created = call(&sandbox, Method::POST, "/v1/deals", Some(&body)).await;
    assert_conforms("create_deal", created.status, &created.body);
    assert_eq!(created.status, StatusCode::CREATED);
    assert_eq!(created.body["contact"], json!({"id": 9}));
    assert!(created.body.get("contactId").is_none() && created.body.get("unknownField").is_none());
    let id = created.body["id"].as_str().unwrap();

    let listed = call(&sandbox, Method::GET, "/v1/deals?limit=1", None).await;
    assert_conforms("list_deals", listed.status, &listed.body);
    assert_eq!(listed.body["data"][0], created.body);
    assert_eq!(listed.body["nextCursor"], json!(null));

    let fetched = call(&sandbox, Method::GET, &format!("/v1/deals/{id}"), None).await;
    assert_conforms("get_deal", fetched.status, &fetched.body);

    let patch = json!({"name": "Renamed", "products": [], "tagIds": null}).to_string();
    let updated = call(
        &sandbox,
        Method::PATCH,
        &format!("/v1/deals/{id}"),
        Some(&patch),
    )
    .await;
    assert_conforms("update_deal", updated.status, &updated.body);
    assert_eq!(updated.body["name"], "Renamed");
    assert_eq!(updated.body["tagIds"], json!(null), "null clears a list");
    assert_eq!(
        updated.body["contact"],
        json!({"id": 9}),
        "fields not sent are kept"
    );

    let deleted = call(&sandbox, Method::DELETE, &format!("/v1/deals/{id}"), None).await;
    assert_conforms("delete_deal", deleted.status, &deleted.body);
    assert_eq!(deleted.status, StatusCode::OK);

    for (operation, method) in [("get_deal", Method::GET), ("delete_deal", Method::DELETE)] {
        let gone = call(&sandbox, method, &format!("/v1/deals/{id}"), None).await;
        assert_eq!(gone.status, StatusCode::NOT_FOUND);
        assert_conforms(operation, gone.status, &gone.body);
        assert_eq!(gone.body["statusCode"], 404);
    }
}

#[tokio::test]
async fn lists_page_by_cursor_in_creation_order() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox.client();
    let mut created = Vec::new();
    for n in 0..25 {
        let deal = client
            .create_deal()
            .body(deal(&format!("deal {n}")))
            .send()
            .await
            .unwrap();
        created.push(deal.into_inner().id);
    }

    let default_page = client.list_deals().send().await.unwrap().into_inner();
    assert_eq!(default_page.data.len(), 10, "the spec's default limit");

    let mut seen = Vec::new();
    let mut page_sizes = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut request = client
            .list_deals()
            .limit(std::num::NonZeroU32::new(10).unwrap());
        if let Some(cursor) = &cursor {
            request = request.cursor(cursor.clone());
        }
        let page = request.send().await.unwrap().into_inner();
        page_sizes.push(page.data.len());
        seen.extend(page.data.iter().map(|d| d.id.clone()));
        match page.next_cursor {
            Some(next) => {
                assert_eq!(
                    Some(&next.to_string()),
                    seen.last(),
                    "the cursor is the id of the last item"
                );
                cursor = Some(next.to_string());
            }
            None => break,
        }
    }
    assert_eq!(page_sizes, [10, 10, 5]);
    assert_eq!(seen, created);

    let everything = client
        .list_deals()
        .limit(std::num::NonZeroU32::new(100).unwrap())
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(everything.data.len(), 25);
    assert_eq!(everything.next_cursor, None);
}

#[tokio::test]
async fn lists_apply_every_filter() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox.client();
    let create = |name: &'static str,
                  pipeline: &'static str,
                  status: DealStatus,
                  contact: i64,
                  won_lost: Option<&'static str>| {
        let client = client.clone();
        async move {
            let mut body = deal(name)
                .pipeline_id(pipeline)
                .status(status)
                .contact_id(contact);
            if let Some(at) = won_lost {
                body = body.won_lost_date(at.parse::<chrono::DateTime<Utc>>().unwrap());
            }
            client.create_deal().body(body).send().await.unwrap();
        }
    };
    create("a", "p1", DealStatus::Open, 1, None).await;
    create("b", "p1", DealStatus::Won, 2, Some("2024-01-10T12:00:00Z")).await;
    tokio::time::sleep(Duration::from_millis(20)).await;
    let between = Utc::now();
    tokio::time::sleep(Duration::from_millis(20)).await;
    create("c", "p2", DealStatus::Lost, 1, Some("2024-02-10T12:00:00Z")).await;
    create("d", "p2", DealStatus::Won, 3, Some("2024-03-10T12:00:00Z")).await;

    let names = |page: kinbox_api::ResponseValue<kinbox_api::types::DealPage>| -> BTreeSet<String> {
        page.into_inner().data.into_iter().map(|d| d.name).collect()
    };
    let expect =
        |names: &[&str]| -> BTreeSet<String> { names.iter().map(|n| (*n).to_owned()).collect() };
    let at = |text: &str| text.parse::<chrono::DateTime<Utc>>().unwrap();

    assert_eq!(
        names(client.list_deals().pipeline_id("p1").send().await.unwrap()),
        expect(&["a", "b"])
    );
    assert_eq!(
        names(
            client
                .list_deals()
                .status(DealStatus::Won)
                .send()
                .await
                .unwrap()
        ),
        expect(&["b", "d"])
    );
    assert_eq!(
        names(client.list_deals().contact_id(1).send().await.unwrap()),
        expect(&["a", "c"])
    );
    assert_eq!(
        names(
            client
                .list_deals()
                .created_at_from(between)
                .send()
                .await
                .unwrap()
        ),
        expect(&["c", "d"])
    );
    assert_eq!(
        names(
            client
                .list_deals()
                .created_at_to(between)
                .send()
                .await
                .unwrap()
        ),
        expect(&["a", "b"])
    );
    assert_eq!(
        names(
            client
                .list_deals()
                .won_lost_date_from(at("2024-02-10T12:00:00Z"))
                .send()
                .await
                .unwrap()
        ),
        expect(&["c", "d"])
    );
    assert_eq!(
        names(
            client
                .list_deals()
                .won_lost_date_to(at("2024-02-10T11:59:59Z"))
                .send()
                .await
                .unwrap()
        ),
        expect(&["b"])
    );
    assert_eq!(
        names(
            client
                .list_deals()
                .pipeline_id("p2")
                .status(DealStatus::Won)
                .won_lost_date_from(at("2024-01-01T00:00:00Z"))
                .send()
                .await
                .unwrap()
        ),
        expect(&["d"])
    );
    assert_eq!(
        names(
            client
                .list_deals()
                .pipeline_id("none")
                .send()
                .await
                .unwrap()
        ),
        expect(&[])
    );

    // An instant with an offset is the same instant.
    let answer = call(
        &sandbox,
        Method::GET,
        "/v1/deals?won_lost_date_to=2024-01-10T09:00:00-03:00",
        None,
    )
    .await;
    assert_conforms("list_deals", answer.status, &answer.body);
    assert_eq!(answer.body["data"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn pages_of_a_filtered_list_chain_by_cursor() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox.client();
    for n in 0..9 {
        let status = if n % 3 == 0 {
            DealStatus::Won
        } else {
            DealStatus::Open
        };
        client
            .create_deal()
            .body(deal(&format!("{n}")).status(status))
            .send()
            .await
            .unwrap();
    }
    let two = std::num::NonZeroU32::new(2).unwrap();
    let first = client
        .list_deals()
        .status(DealStatus::Won)
        .limit(two)
        .send()
        .await
        .unwrap()
        .into_inner();
    let names: Vec<&str> = first.data.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(names, ["0", "3"]);
    let cursor = first.next_cursor.expect("a third won deal follows");
    let last = client
        .list_deals()
        .status(DealStatus::Won)
        .limit(two)
        .cursor(cursor.to_string())
        .send()
        .await
        .unwrap()
        .into_inner();
    let names: Vec<&str> = last.data.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(names, ["6"]);
    assert_eq!(last.next_cursor, None);
}
