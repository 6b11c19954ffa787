//! Reading is tolerant by design (spec, `info.description`): what the real API
//! may send beyond the reference page is read, not refused. Each case is
//! first checked to be valid under the spec, then served by a mock and read
//! by the SDK, so that the spec and the SDK are held to the same promise.

use crate::common::*;
use httpmock::Method::GET;
use kinbox_api::OrOther;
use kinbox_api::types::{AuthorType, Deal, DealStatus, DiscountType};
use kinbox_api::{ErrorKind, Id, KinboxError};
use serde_json::{Value, json};

const DEAL_ID: &str = "65f1a2b3c4d5e6f708091a2b";

/// Serves `body` as the answer to `get_deal` and returns what the SDK makes
/// of it.
async fn read_deal(body: &Value) -> Result<Deal, KinboxError> {
    let (server, client) = mock_api().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET).path(format!("/v1/deals/{DEAL_ID}"));
            then.status(200)
                .header("content-type", "application/json")
                .body(body.to_string());
        })
        .await;
    let result = client.get_deal().id(DEAL_ID).send().await;
    mock.assert_async().await;
    result.map(|r| r.into_inner())
}

/// `body` is valid under the spec and the SDK reads it.
async fn read_valid_deal(body: &Value) -> Deal {
    assert_valid_response("get_deal", 200, body);
    read_deal(body)
        .await
        .unwrap_or_else(|e| panic!("the SDK refused a deal the spec allows: {e}"))
}

fn minimal() -> Value {
    raw_fixture("deal_minimal.json")
}

#[tokio::test]
async fn unknown_fields_are_ignored_at_every_level() {
    let mut body = raw_fixture("deal_full.json");
    body["pipelineName"] = json!("Vendas");
    body["archivedAt"] = json!(null);
    body["metrics"] = json!({ "views": 3 });
    body["contact"]["tags"] = json!([1, 2]);
    body["conversation"]["channel"] = json!("whatsapp");
    body["products"][0]["sku"] = json!("CLR-001");
    body["customFields"]["cpf"]["label"] = json!("CPF");
    body["context"]["source"] = json!("csv");

    let deal = read_valid_deal(&body).await;

    let expected: Deal = serde_json::from_value(raw_fixture("deal_full.json")).unwrap();
    assert_eq!(deal, expected);
}

#[tokio::test]
async fn optional_fields_may_be_absent() {
    let deal = read_valid_deal(&minimal()).await;

    assert_eq!(deal.id, "65f1a2b3c4d5e6f708091a2c");
    assert!(deal.custom_fields.is_empty());
    assert_eq!(deal.lost_reason, None);
    assert_eq!(deal.products, None);
    assert_eq!(deal.tag_ids, None);
    assert_eq!(deal.contact, None);
    assert_eq!(deal.conversation, None);
    assert_eq!(deal.operator_id, None);
    assert_eq!(deal.author_type, None);
    assert_eq!(deal.won_lost_date, None);
    assert_eq!(deal.context, None);
}

#[tokio::test]
async fn every_optional_field_may_be_null() {
    // Every property of `Deal` that the spec does not require.
    let deal_schema = &spec().document()["components"]["schemas"]["Deal"];
    let required: Vec<&str> = deal_schema["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|name| name.as_str().unwrap())
        .collect();
    let optional: Vec<&str> = deal_schema["properties"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .filter(|name| !required.contains(name))
        .collect();
    assert!(
        optional.contains(&"lostReason") && optional.contains(&"tagIds"),
        "{optional:?}"
    );
    assert_eq!(optional.len(), 22, "{optional:?}");

    let mut body = minimal();
    for field in &optional {
        body[*field] = Value::Null;
    }

    let deal = read_valid_deal(&body).await;

    let written = serde_json::to_value(&deal).unwrap();
    assert_eq!(
        written,
        minimal(),
        "nulls read as absent, and are not written back"
    );
}

#[tokio::test]
async fn nested_optional_fields_may_be_null() {
    let mut body = minimal();
    body["contact"] = json!({
        "id": 123456, "name": null, "avatar": null, "phone": null,
        "email": null, "createdAt": null, "isPrivate": null
    });
    body["conversation"] = json!({
        "id": 98765, "platformId": null, "showPending": null,
        "lastMessageAt": null, "pendingAt": null
    });
    body["context"] = json!({ "automationId": null, "importId": null });
    body["customFields"] = json!({ "cpf": { "value": "060.715.303-54", "type": null } });

    let deal = read_valid_deal(&body).await;

    let contact = deal.contact.unwrap();
    assert_eq!(contact.id, Id::new(123456));
    assert_eq!(
        (contact.name, contact.email, contact.created_at),
        (None, None, None)
    );
    let conversation = deal.conversation.unwrap();
    assert_eq!(conversation.id, Id::new(98765));
    assert_eq!(conversation.platform_id, None);
    assert_eq!(deal.context.unwrap().automation_id, None);
    assert_eq!(deal.custom_fields["cpf"].type_, None);
}

#[tokio::test]
async fn an_unknown_status_is_kept_as_other_and_written_back_unchanged() {
    let mut body = minimal();
    body["status"] = json!("archived");

    let deal = read_valid_deal(&body).await;

    assert_eq!(deal.status, OrOther::Other("archived".to_owned()));
    assert_eq!(deal.status.to_string(), "archived");
    assert_eq!(serde_json::to_value(&deal).unwrap(), body);
}

#[tokio::test]
async fn an_unknown_author_type_is_kept_as_other_and_written_back_unchanged() {
    let mut body = minimal();
    body["authorType"] = json!("chatbot-v2");

    let deal = read_valid_deal(&body).await;

    assert_eq!(
        deal.author_type,
        Some(OrOther::Other("chatbot-v2".to_owned()))
    );
    assert_eq!(serde_json::to_value(&deal).unwrap(), body);
}

#[tokio::test]
async fn an_unknown_discount_type_is_kept_as_other_and_written_back_unchanged() {
    let mut body = raw_fixture("deal_full.json");
    body["products"][0]["discountType"] = json!("coupon");

    let deal = read_valid_deal(&body).await;

    assert_eq!(
        deal.products.as_ref().unwrap()[0].discount_type,
        OrOther::Other("coupon".to_owned())
    );
    assert_eq!(serde_json::to_value(&deal).unwrap(), body);
}

#[tokio::test]
async fn every_documented_enum_value_reads_as_its_variant() {
    for (text, status) in [
        ("open", DealStatus::Open),
        ("won", DealStatus::Won),
        ("lost", DealStatus::Lost),
    ] {
        let mut body = minimal();
        body["status"] = json!(text);
        let deal = read_valid_deal(&body).await;
        assert_eq!(deal.status, OrOther::Known(status));
    }
    for (text, author) in [
        ("user", AuthorType::User),
        ("bot", AuthorType::Bot),
        ("automation", AuthorType::Automation),
        ("workflow", AuthorType::Workflow),
        ("unknown", AuthorType::Unknown),
        ("cadence", AuthorType::Cadence),
        ("api", AuthorType::Api),
    ] {
        let parsed: OrOther<AuthorType> = serde_json::from_value(json!(text)).unwrap();
        assert_eq!(parsed, OrOther::Known(author));
    }
    for (text, discount) in [
        ("percentage", DiscountType::Percentage),
        ("value", DiscountType::Value),
    ] {
        let parsed: OrOther<DiscountType> = serde_json::from_value(json!(text)).unwrap();
        assert_eq!(parsed, OrOther::Known(discount));
    }
}

#[tokio::test]
async fn integer_ids_may_arrive_as_numeric_strings() {
    let mut body = raw_fixture("deal_full.json");
    body["operatorId"] = json!("42");
    body["groupId"] = json!("7");
    body["tagIds"] = json!(["3", 11]);
    body["contact"]["id"] = json!("123456");
    body["conversation"]["id"] = json!("98765");
    body["conversation"]["platformId"] = json!("3");

    let deal = read_valid_deal(&body).await;

    assert_eq!(deal.operator_id, Some(Id::new(42)));
    assert_eq!(deal.group_id, Some(Id::new(7)));
    assert_eq!(deal.tag_ids, Some(vec![Id::new(3), Id::new(11)]));
    assert_eq!(deal.contact.as_ref().unwrap().id, Id::new(123456));
    let conversation = deal.conversation.as_ref().unwrap();
    assert_eq!(conversation.id, Id::new(98765));
    assert_eq!(conversation.platform_id, Some(Id::new(3)));
    // Written back as the numbers the requests' schemas want.
    assert_eq!(
        serde_json::to_value(&deal).unwrap(),
        raw_fixture("deal_full.json")
    );
}

#[tokio::test]
async fn an_id_that_is_not_a_number_is_an_invalid_response() {
    let mut body = minimal();
    body["operatorId"] = json!("42abc");
    assert!(
        !response_violations("get_deal", 200, &body).is_empty(),
        "the spec refuses it too"
    );

    let error = read_deal(&body).await.unwrap_err();

    assert!(
        matches!(error, KinboxError::InvalidResponse { .. }),
        "{error:?}"
    );
    assert_eq!(error.kind(), ErrorKind::Other);
    assert!(error.to_string().contains("42abc"), "{error}");
}

#[tokio::test]
async fn whole_numbers_fractional_seconds_and_offsets_are_read() {
    let mut body = minimal();
    body["value"] = json!(1890);
    body["position"] = json!(3);
    body["dueDate"] = json!("2024-03-31T20:59:59.250-03:00");
    body["wonLostDate"] = json!("2024-03-18T14:05:00.000Z");

    let deal = read_valid_deal(&body).await;

    assert_eq!(deal.value, 1890.0);
    assert_eq!(deal.position, Some(3.0));
    assert_eq!(
        deal.due_date
            .unwrap()
            .known()
            .expect("read as a date-time")
            .to_rfc3339(),
        "2024-03-31T23:59:59.250+00:00"
    );
    assert_eq!(
        deal.won_lost_date
            .unwrap()
            .known()
            .expect("read as a date-time")
            .to_rfc3339(),
        "2024-03-18T14:05:00+00:00"
    );
}

#[tokio::test]
async fn a_date_that_is_not_rfc_3339_is_kept_as_text_and_written_back_unchanged() {
    let mut body = minimal();
    body["dueDate"] = json!("31/03/2024");
    body["wonLostDate"] = json!("");
    body["lastStageChanged"] = json!("2024-03-17 09:30:00");

    let deal = read_valid_deal(&body).await;

    assert_eq!(deal.due_date, Some(OrOther::Other("31/03/2024".to_owned())));
    assert_eq!(deal.won_lost_date, Some(OrOther::Other(String::new())));
    assert_eq!(
        deal.last_stage_changed,
        Some(OrOther::Other("2024-03-17 09:30:00".to_owned()))
    );
    assert_eq!(serde_json::to_value(&deal).unwrap(), body);
}

#[tokio::test]
async fn custom_field_values_of_any_json_type_are_read() {
    let mut body = minimal();
    body["customFields"] = json!({
        "cpf": { "value": "060.715.303-54", "type": "text" },
        "idade": { "value": 30, "type": "number" },
        "ticket": { "value": 99.9, "type": "decimal" },
        "vip": { "value": true, "type": "boolean" },
        "interesses": { "value": ["implante"], "type": "multi-select" },
        "endereco": { "value": { "cidade": "Fortaleza" }, "type": "json" },
        "observacao": { "value": null, "type": "textarea" }
    });

    let deal = read_valid_deal(&body).await;

    let fields = &deal.custom_fields;
    assert_eq!(fields.value("cpf"), Some(&json!("060.715.303-54")));
    assert_eq!(fields.value("idade"), Some(&json!(30)));
    assert_eq!(fields.value("vip"), Some(&json!(true)));
    assert_eq!(
        fields.value("endereco"),
        Some(&json!({ "cidade": "Fortaleza" }))
    );
    assert_eq!(fields.value("observacao"), Some(&Value::Null));
    assert_eq!(serde_json::to_value(&deal).unwrap(), body);
}

#[tokio::test]
async fn a_deal_without_a_required_field_is_an_invalid_response() {
    let mut body = minimal();
    body.as_object_mut().unwrap().remove("name");
    assert!(!response_violations("get_deal", 200, &body).is_empty());

    let error = read_deal(&body).await.unwrap_err();

    assert!(
        matches!(error, KinboxError::InvalidResponse { .. }),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(
        message.contains("name"),
        "names the missing field: {message}"
    );
    assert!(
        message.contains(DEAL_ID) || message.contains("65f1a2b3c4d5e6f708091a2c"),
        "shows the body: {message}"
    );
}
