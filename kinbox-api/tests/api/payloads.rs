//! The request and response bodies, field by field: the SDK's types against
//! the reference page ("Create a deal"), the spec's schemas, and the fixtures.

use crate::common::*;
use chrono::{DateTime, TimeZone, Utc};
use httpmock::Method::POST;
use kinbox_api::types::{
    AuthorType, CustomFields, CustomFieldsInput, Deal, DealContactInput, DealContext,
    DealConversation, DealConversationInput, DealCreate, DealProduct, DealProductInput, DealStatus,
    DealUpdate, DiscountType,
};
use kinbox_api::{Id, OrOther, Timestamp};
use serde_json::{Map, Value, json};

fn utc(text: &str) -> DateTime<Utc> {
    text.parse().expect("an RFC 3339 date-time")
}

/// An answer's date, as the SDK reads one that is RFC 3339.
fn at(text: &str) -> Timestamp {
    OrOther::Known(utc(text))
}

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        other => panic!("not an object: {other}"),
    }
}

/// The product line of the request fixtures.
fn product_input() -> DealProductInput {
    DealProductInput::builder()
        .id("65f0c0ffee0000000000cccc")
        .name("Clareamento dental")
        .price(945.25)
        .quantity(2.0)
        .discount(10.0)
        .discount_type(DiscountType::Percentage)
        .total(1701.45)
        .try_into()
        .unwrap()
}

/// The product line of the answer fixtures, as the SDK reads it.
fn product() -> DealProduct {
    DealProduct::builder()
        .id("65f0c0ffee0000000000cccc")
        .name("Clareamento dental")
        .price(945.25)
        .quantity(2.0)
        .discount(10.0)
        .discount_type(DiscountType::Percentage)
        .total(1701.45)
        .try_into()
        .unwrap()
}

/// The conversation of the request fixtures.
fn conversation_input() -> DealConversationInput {
    DealConversationInput::builder()
        .id(98765)
        .platform_id(3)
        .show_pending(true)
        .last_message_at(utc("2024-03-18T13:59:12Z"))
        .pending_at(utc("2024-03-18T14:00:00Z"))
        .try_into()
        .unwrap()
}

/// The conversation of the answer fixtures, as the SDK reads it.
fn conversation() -> DealConversation {
    DealConversation::builder()
        .id(Id::new(98765))
        .platform_id(Id::new(3))
        .show_pending(true)
        .last_message_at(at("2024-03-18T13:59:12Z"))
        .pending_at(at("2024-03-18T14:00:00Z"))
        .try_into()
        .unwrap()
}

/// The whole contact an update of the deal sends (the reference's update
/// takes the contact as an object, not an id).
fn contact_input() -> DealContactInput {
    DealContactInput::builder()
        .id(123456)
        .name("Maria da Silva")
        .avatar("https://cdn.kinbox.com.br/avatars/123456.jpg")
        .phone("5585997281648")
        .email("maria.silva@example.com.br")
        .created_at(utc("2023-11-07T05:31:56Z"))
        .is_private(false)
        .try_into()
        .unwrap()
}

fn context() -> DealContext {
    DealContext::builder()
        .automation_id("65f0c0ffee0000000000eeee".to_owned())
        .import_id("65f0c0ffee0000000000ffff".to_owned())
        .try_into()
        .unwrap()
}

fn custom_fields() -> CustomFieldsInput {
    CustomFieldsInput::new()
        .with("cpf", "text", "060.715.303-54")
        .with("idade", "number", 30)
}

/// `create_deal_request.json`, written with the SDK's builder: every field
/// of the reference page is set.
fn every_field_create() -> DealCreate {
    DealCreate::builder()
        .name("Pedido #1042 — Clínica Sorriso")
        .value(1890.5)
        .status(DealStatus::Lost)
        .pipeline_id("65f0c0ffee0000000000aaaa")
        .stage_id("65f0c0ffee0000000000bbbb")
        .custom_fields(custom_fields())
        .contact_id(123456)
        .lost_reason(vec!["Preço acima do orçamento".to_owned()])
        .products_lost_reason(vec![object(json!({
            "productId": "65f0c0ffee0000000000cccc",
            "reason": "Sem estoque"
        }))])
        .products(vec![product_input()])
        .lost_reason_obs("Cliente fechou com a concorrência".to_owned())
        .won_lost_date(utc("2024-03-18T14:05:00Z"))
        .due_date(utc("2024-03-31T23:59:59Z"))
        .conversation(conversation_input())
        .operator_id(42)
        .group_id(7)
        .origin("Instagram".to_owned())
        .campaign("Black Friday 2023".to_owned())
        .author_type(AuthorType::Api)
        .author_id(object(json!({ "integration": "erp-sync", "userId": 42 })))
        .tag_ids(vec![3, 11])
        .position(2.5)
        .focused_counts(1.0)
        .tasks(object(json!({
            "65f0c0ffee0000000000dddd": { "title": "Ligar para a cliente", "done": false }
        })))
        .time_in_stage(object(json!({ "65f0c0ffee0000000000bbbb": 86400 })))
        .last_stage_changed(utc("2024-03-17T09:30:00Z"))
        .comments(4.0)
        .context(context())
        .try_into()
        .unwrap()
}

/// `update_deal_request.json`, written with the SDK's builder.
fn every_field_update() -> DealUpdate {
    DealUpdate::builder()
        .name("Pedido #1042 — Clínica Sorriso (revisado)".to_owned())
        .value(1701.45)
        .status(DealStatus::Lost)
        .pipeline_id("65f0c0ffee0000000000aaaa".to_owned())
        .stage_id("65f0c0ffee0000000000bbbb".to_owned())
        .custom_fields(custom_fields())
        .contact(contact_input())
        .lost_reason(vec!["Preço acima do orçamento".to_owned()])
        .products_lost_reason(vec![object(json!({
            "productId": "65f0c0ffee0000000000cccc",
            "reason": "Sem estoque"
        }))])
        .products(vec![product_input()])
        .lost_reason_obs("Cliente fechou com a concorrência".to_owned())
        .won_lost_date(utc("2024-03-18T14:05:00Z"))
        .due_date(utc("2024-03-31T23:59:59Z"))
        .conversation(conversation_input())
        .operator_id(42)
        .group_id(7)
        .origin("Instagram".to_owned())
        .campaign("Black Friday 2023".to_owned())
        .author_type(AuthorType::Api)
        .author_id(object(json!({ "integration": "erp-sync", "userId": 42 })))
        .tag_ids(vec![3, 11])
        .position(2.5)
        .focused_counts(1.0)
        .tasks(object(json!({
            "65f0c0ffee0000000000dddd": { "title": "Ligar para a cliente", "done": false }
        })))
        .time_in_stage(object(json!({ "65f0c0ffee0000000000bbbb": 86400 })))
        .last_stage_changed(utc("2024-03-17T09:30:00Z"))
        .comments(4.0)
        .context(context())
        .try_into()
        .unwrap()
}

// --- The fixtures against the reference page and the spec -------------------

#[test]
fn the_reference_page_examples_satisfy_the_spec() {
    assert_valid_request_body("create_deal", &raw_fixture("seed_create_deal_request.json"));
    assert_valid_response(
        "create_deal",
        201,
        &raw_fixture("seed_create_deal_response.json"),
    );
}

#[test]
fn the_request_fixture_mirrors_the_reference_request_field_for_field() {
    let reference = raw_fixture("seed_create_deal_request.json");
    let fixture = request_fixture("create_deal_request.json", "create_deal");
    assert_eq!(
        shape_differences(&reference, &fixture, "$"),
        Vec::<String>::new()
    );
    // The realistic values are richer than the page's `{}` placeholders.
    assert_eq!(
        fixture["customFields"]["cpf"],
        json!({ "value": "060.715.303-54", "type": "text" })
    );
}

#[test]
fn the_response_fixture_mirrors_the_reference_response_field_for_field() {
    let reference = raw_fixture("seed_create_deal_response.json");
    let fixture = response_fixture("deal_full.json", "get_deal", 200);
    assert_eq!(
        shape_differences(&reference, &fixture, "$"),
        Vec::<String>::new()
    );
}

#[test]
fn the_update_fixture_has_the_create_fields_with_contact_for_contact_id() {
    let create = request_fixture("create_deal_request.json", "create_deal");
    let update = request_fixture("update_deal_request.json", "update_deal");
    let mut expected: Vec<&str> = create
        .as_object()
        .unwrap()
        .keys()
        .map(|key| if key == "contactId" { "contact" } else { key })
        .collect();
    let mut found: Vec<&str> = update
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    expected.sort_unstable();
    found.sort_unstable();
    assert_eq!(found, expected);
}

#[test]
fn the_full_fixtures_set_every_property_the_spec_defines() {
    for (schema, fixture) in [
        ("Deal", "deal_full.json"),
        ("DealCreate", "create_deal_request.json"),
        ("DealUpdate", "update_deal_request.json"),
        ("DealProduct", "deal_full.json#/products/0"),
        ("DealContact", "deal_full.json#/contact"),
        ("DealConversation", "deal_full.json#/conversation"),
        ("DealContext", "deal_full.json#/context"),
        ("DealProductInput", "create_deal_request.json#/products/0"),
        (
            "DealConversationInput",
            "create_deal_request.json#/conversation",
        ),
        ("DealContactInput", "update_deal_request.json#/contact"),
        ("DealContext", "create_deal_request.json#/context"),
    ] {
        let (file, pointer) = fixture.split_once('#').unwrap_or((fixture, ""));
        let value = raw_fixture(file);
        let value = value.pointer(pointer).unwrap();
        let mut defined: Vec<&String> =
            spec().document()["components"]["schemas"][schema]["properties"]
                .as_object()
                .unwrap()
                .keys()
                .collect();
        let mut set: Vec<&String> = value.as_object().unwrap().keys().collect();
        defined.sort_unstable();
        set.sort_unstable();
        assert_eq!(set, defined, "{fixture} against the spec's {schema}");
    }
}

/// One way to break a valid body: what it breaks, how, and the path at which
/// the spec must object.
type Breakage = (&'static str, fn(&mut Value), &'static str);

/// The guard itself can fail: each of these breaks one rule of the spec, and
/// the check names the offending field.
#[test]
fn the_schema_check_catches_broken_request_bodies() {
    let good = raw_fixture("create_deal_request.json");
    let broken: [Breakage; 10] = [
        (
            "required field missing",
            |b| drop(b.as_object_mut().unwrap().remove("contactId")),
            "$",
        ),
        (
            "number as text",
            |b| b["value"] = json!("1890,50"),
            "$.value",
        ),
        (
            "unknown status in a request",
            |b| b["status"] = json!("archived"),
            "$.status",
        ),
        (
            "custom field not wrapped in {value}",
            |b| b["customFields"]["cpf"] = json!("060.715.303-54"),
            "$.customFields.cpf",
        ),
        (
            "custom field value that is not text",
            |b| b["customFields"]["idade"]["value"] = json!(30),
            "$.customFields.idade.value",
        ),
        (
            "custom field without its type",
            |b| {
                drop(
                    b["customFields"]["cpf"]
                        .as_object_mut()
                        .unwrap()
                        .remove("type"),
                )
            },
            "$.customFields.cpf",
        ),
        (
            "product line with a discount type the reference does not list",
            |b| b["products"][0]["discountType"] = json!("fixed"),
            "$.products[0].discountType",
        ),
        (
            "tag id as text in a request",
            |b| b["tagIds"][0] = json!("3"),
            "$.tagIds[0]",
        ),
        (
            "date that is not RFC 3339",
            |b| b["dueDate"] = json!("31/03/2024"),
            "$.dueDate",
        ),
        (
            "product line without its total",
            |b| drop(b["products"][0].as_object_mut().unwrap().remove("total")),
            "$.products[0]",
        ),
    ];
    assert!(request_violations("create_deal", &good).is_empty());
    for (what, breakage, path) in broken {
        let mut body = good.clone();
        breakage(&mut body);
        let violations = request_violations("create_deal", &body);
        assert!(
            violations.iter().any(|v| v.path == path),
            "{what}: expected a violation at {path}, got {violations:?}"
        );
    }
}

/// The update takes the deal's contact as the reference does: the whole
/// contact, not its id.
#[test]
fn the_schema_check_catches_broken_update_bodies() {
    let good = raw_fixture("update_deal_request.json");
    let broken: [Breakage; 5] = [
        (
            "contact as a bare id",
            |b| b["contact"] = json!(123456),
            "$.contact",
        ),
        (
            "contact without its e-mail",
            |b| drop(b["contact"].as_object_mut().unwrap().remove("email")),
            "$.contact",
        ),
        (
            "contact id as text",
            |b| b["contact"]["id"] = json!("123456"),
            "$.contact.id",
        ),
        (
            "conversation without showPending",
            |b| {
                drop(
                    b["conversation"]
                        .as_object_mut()
                        .unwrap()
                        .remove("showPending"),
                )
            },
            "$.conversation",
        ),
        (
            "author id that is not an object",
            |b| b["authorId"] = json!(42),
            "$.authorId",
        ),
    ];
    assert!(request_violations("update_deal", &good).is_empty());
    for (what, breakage, path) in broken {
        let mut body = good.clone();
        breakage(&mut body);
        let violations = request_violations("update_deal", &body);
        assert!(
            violations.iter().any(|v| v.path == path),
            "{what}: expected a violation at {path}, got {violations:?}"
        );
    }
}

#[test]
fn the_schema_check_catches_broken_responses() {
    let good = raw_fixture("deal_full.json");
    let broken: [Breakage; 6] = [
        (
            "id missing",
            |d| drop(d.as_object_mut().unwrap().remove("id")),
            "$",
        ),
        (
            "customFields missing",
            |d| drop(d.as_object_mut().unwrap().remove("customFields")),
            "$",
        ),
        (
            "contact without its id",
            |d| drop(d["contact"].as_object_mut().unwrap().remove("id")),
            "$.contact",
        ),
        (
            "operator id that is not a number",
            |d| d["operatorId"] = json!("4x2"),
            "$.operatorId",
        ),
        (
            "status that is not a string",
            |d| d["status"] = json!(3),
            "$.status",
        ),
        (
            "lost reasons as one string",
            |d| d["lostReason"] = json!("Preço"),
            "$.lostReason",
        ),
    ];
    assert!(response_violations("get_deal", 200, &good).is_empty());
    for (what, breakage, path) in broken {
        let mut deal = good.clone();
        breakage(&mut deal);
        let violations = response_violations("get_deal", 200, &deal);
        assert!(
            violations.iter().any(|v| v.path == path),
            "{what}: expected a violation at {path}, got {violations:?}"
        );
    }
}

#[test]
#[should_panic(expected = "200 response of list_deals breaks the spec")]
fn loading_a_fixture_the_spec_disowns_fails_the_test() {
    // A deal is not a page of deals.
    response_fixture("deal_full.json", "list_deals", 200);
}

// --- What the SDK sends --------------------------------------------------------

#[test]
fn a_deal_with_every_field_serialises_to_the_fixture() {
    let body = serde_json::to_value(every_field_create()).unwrap();
    assert_eq!(
        body,
        request_fixture("create_deal_request.json", "create_deal")
    );
}

#[test]
fn an_update_with_every_field_serialises_to_the_fixture() {
    let body = serde_json::to_value(every_field_update()).unwrap();
    assert_eq!(
        body,
        request_fixture("update_deal_request.json", "update_deal")
    );
}

#[tokio::test]
async fn create_deal_with_every_field_puts_the_fixture_on_the_wire() {
    let (server, client) = mock_api().await;
    let expected_body = request_fixture("create_deal_request.json", "create_deal");
    let created = response_fixture("deal_full.json", "create_deal", 201);
    let recorder = Recorder::new();
    let mock = server
        .mock_async(|when, then| {
            sent_by_sdk(when)
                .method(POST)
                .path("/v1/deals")
                .header("content-type", "application/json")
                .json_body(expected_body.clone());
            then.respond_with(recorder.reply(201, Some(created.clone())));
        })
        .await;

    let deal = client
        .create_deal()
        .body(every_field_create())
        .send()
        .await
        .expect("the mock accepts the body")
        .into_inner();

    mock.assert_async().await;
    let sent = recorder.only_json_body();
    assert_valid_request_body("create_deal", &sent);
    assert_eq!(sent, expected_body);
    assert_eq!(deal, serde_json::from_value::<Deal>(created).unwrap());
}

#[test]
fn a_deal_with_only_the_required_fields_sends_nothing_else() {
    let create: DealCreate = DealCreate::builder()
        .name("Pedido #1043")
        .value(0.0)
        .status(DealStatus::Open)
        .pipeline_id("65f0c0ffee0000000000aaaa")
        .stage_id("65f0c0ffee0000000000bbbb")
        .custom_fields(CustomFieldsInput::new())
        .contact_id(123456)
        .try_into()
        .unwrap();
    let body = serde_json::to_value(&create).unwrap();
    assert_valid_request_body("create_deal", &body);
    // No `null`s and no empty arrays for what was not set: the API would read
    // them as "clear this field".
    assert_eq!(
        body,
        json!({
            "name": "Pedido #1043",
            "value": 0.0,
            "status": "open",
            "pipelineId": "65f0c0ffee0000000000aaaa",
            "stageId": "65f0c0ffee0000000000bbbb",
            "customFields": {},
            "contactId": 123456
        })
    );
}

#[test]
fn a_create_without_a_required_field_is_refused_before_sending() {
    let missing_contact: Result<DealCreate, _> = DealCreate::builder()
        .name("Pedido #1043")
        .value(0.0)
        .status(DealStatus::Open)
        .pipeline_id("p")
        .stage_id("s")
        .custom_fields(CustomFieldsInput::new())
        .try_into();
    let error = missing_contact.unwrap_err().to_string();
    assert!(error.contains("contact_id"), "{error}");
}

#[test]
fn custom_fields_are_keyed_by_placeholder_and_wrapped_in_value_and_type() {
    // Written as the reference's `CustomFieldPlaceholder`: the value as text,
    // with the field's type.
    let fields = CustomFieldsInput::new()
        .with("cpf", "text", "060.715.303-54")
        .with("idade", "number", 30)
        .with("vip", "boolean", true)
        .with("dataNascimento", "date", "1988-04-12");
    let value = serde_json::to_value(&fields).unwrap();
    assert_eq!(
        value,
        json!({
            "cpf": { "value": "060.715.303-54", "type": "text" },
            "idade": { "value": "30", "type": "number" },
            "vip": { "value": "true", "type": "boolean" },
            "dataNascimento": { "value": "1988-04-12", "type": "date" }
        })
    );
    spec()
        .schema("CustomFieldsInput")
        .unwrap()
        .check(&value)
        .expect("the spec's CustomFieldsInput shape");
    assert_eq!(fields.value("cpf"), Some("060.715.303-54"));
    assert_eq!(fields.value("idade"), Some("30"));
    assert_eq!(fields.value("missing"), None);
}

#[test]
fn custom_fields_in_answers_are_read_whatever_their_value_holds() {
    // Answers are tolerant: a number, a boolean or a list as `value`, and no
    // `type`, are read as they came.
    let answer = json!({
        "cpf": { "value": "060.715.303-54", "type": "text" },
        "idade": { "value": 30 },
        "vip": { "value": true, "type": "boolean" },
        "interesses": { "value": ["implante", "clareamento"], "type": "multi-select" }
    });
    spec()
        .schema("CustomFields")
        .unwrap()
        .check(&answer)
        .expect("the spec's CustomFields shape");
    let fields: CustomFields = serde_json::from_value(answer.clone()).unwrap();
    assert_eq!(fields.value("cpf"), Some(&json!("060.715.303-54")));
    assert_eq!(fields.value("idade"), Some(&json!(30)));
    assert_eq!(fields["idade"].type_, None);
    assert_eq!(fields.value("vip"), Some(&json!(true)));
    assert_eq!(
        fields.value("interesses"),
        Some(&json!(["implante", "clareamento"]))
    );
    assert_eq!(fields.value("missing"), None);
    assert_eq!(serde_json::to_value(&fields).unwrap(), answer);
}

// --- What the SDK reads --------------------------------------------------------

#[test]
fn every_field_of_a_full_deal_is_read() {
    let deal: Deal =
        serde_json::from_value(response_fixture("deal_full.json", "get_deal", 200)).unwrap();

    assert_eq!(deal.id, "65f1a2b3c4d5e6f708091a2b");
    assert_eq!(deal.name, "Pedido #1042 — Clínica Sorriso");
    assert_eq!(deal.value, 1890.5);
    assert_eq!(deal.status, OrOther::Known(DealStatus::Lost));
    assert_eq!(deal.pipeline_id, "65f0c0ffee0000000000aaaa");
    assert_eq!(deal.stage_id, "65f0c0ffee0000000000bbbb");
    assert_eq!(
        deal.custom_fields.value("cpf"),
        Some(&json!("060.715.303-54"))
    );
    assert_eq!(deal.custom_fields["idade"].type_.as_deref(), Some("number"));
    assert_eq!(
        deal.lost_reason.as_deref(),
        Some(&["Preço acima do orçamento".to_owned()][..])
    );
    assert_eq!(
        deal.products_lost_reason.as_ref().unwrap()[0]["reason"],
        "Sem estoque"
    );
    let products = deal.products.as_ref().unwrap();
    assert_eq!(products.len(), 1);
    assert_eq!(products[0], product());
    assert_eq!(
        products[0].discount_type,
        OrOther::Known(DiscountType::Percentage)
    );
    assert_eq!(
        deal.lost_reason_obs.as_deref(),
        Some("Cliente fechou com a concorrência")
    );
    assert_eq!(
        deal.won_lost_date,
        Some(OrOther::Known(
            Utc.with_ymd_and_hms(2024, 3, 18, 14, 5, 0).unwrap()
        ))
    );
    assert_eq!(deal.due_date, Some(at("2024-03-31T23:59:59Z")));

    let contact = deal.contact.as_ref().unwrap();
    assert_eq!(contact.id, Id::new(123456));
    assert_eq!(contact.name.as_deref(), Some("Maria da Silva"));
    assert_eq!(
        contact.avatar.as_deref(),
        Some("https://cdn.kinbox.com.br/avatars/123456.jpg")
    );
    assert_eq!(contact.phone.as_deref(), Some("5585997281648"));
    assert_eq!(contact.email.as_deref(), Some("maria.silva@example.com.br"));
    assert_eq!(contact.created_at, Some(at("2023-11-07T05:31:56Z")));
    assert_eq!(contact.is_private, Some(false));

    assert_eq!(deal.conversation, Some(conversation()));
    assert_eq!(deal.operator_id, Some(Id::new(42)));
    assert_eq!(deal.group_id, Some(Id::new(7)));
    assert_eq!(deal.origin.as_deref(), Some("Instagram"));
    assert_eq!(deal.campaign.as_deref(), Some("Black Friday 2023"));
    assert_eq!(deal.author_type, Some(OrOther::Known(AuthorType::User)));
    assert_eq!(
        deal.author_id,
        Some(json!({ "id": 42, "name": "Ana Souza" }))
    );
    assert_eq!(deal.tag_ids, Some(vec![Id::new(3), Id::new(11)]));
    assert_eq!(deal.position, Some(2.5));
    assert_eq!(deal.focused_counts, Some(1.0));
    assert_eq!(
        deal.tasks.as_ref().unwrap()["65f0c0ffee0000000000dddd"]["title"],
        "Ligar para a cliente"
    );
    assert_eq!(
        deal.time_in_stage.as_ref().unwrap()["65f0c0ffee0000000000bbbb"],
        86400
    );
    assert_eq!(deal.last_stage_changed, Some(at("2024-03-17T09:30:00Z")));
    assert_eq!(deal.comments, Some(4.0));
    assert_eq!(deal.context, Some(context()));
}

#[test]
fn a_full_deal_round_trips_unchanged() {
    let fixture = response_fixture("deal_full.json", "get_deal", 200);
    let deal: Deal = serde_json::from_value(fixture.clone()).unwrap();
    let written = serde_json::to_value(&deal).unwrap();
    assert_eq!(written, fixture);
    assert_valid_response("get_deal", 200, &written);
}

#[test]
fn a_minimal_deal_round_trips_without_inventing_fields() {
    let fixture = response_fixture("deal_minimal.json", "get_deal", 200);
    let deal: Deal = serde_json::from_value(fixture.clone()).unwrap();
    assert_eq!(deal.contact, None);
    assert_eq!(deal.products, None);
    assert_eq!(serde_json::to_value(&deal).unwrap(), fixture);
}

#[test]
fn the_reference_page_response_example_is_read() {
    // Verbatim from the page: placeholders, whole numbers for `number` fields.
    let deal: Deal = serde_json::from_value(raw_fixture("seed_create_deal_response.json")).unwrap();
    assert_eq!(deal.value, 123.0);
    assert_eq!(deal.status, OrOther::Known(DealStatus::Open));
    assert_eq!(deal.contact.unwrap().id, Id::new(123));
    assert_eq!(deal.tag_ids, Some(vec![Id::new(123)]));
    assert_eq!(deal.author_id, Some(json!({})));
    assert_eq!(deal.products.unwrap()[0].total, 123.0);
}

#[test]
fn an_update_can_clear_lists_by_sending_them_empty() {
    // Reopening a lost deal must be able to clear `lostReason`; an empty list
    // that was silently dropped would leave the old reasons in place.
    let update: kinbox_api::types::DealUpdate = DealUpdate::builder()
        .status(DealStatus::Open)
        .lost_reason(Vec::<String>::new())
        .tag_ids(Vec::<i64>::new())
        .try_into()
        .unwrap();
    let body = serde_json::to_value(&update).unwrap();
    assert_eq!(
        body,
        json!({"status": "open", "lostReason": [], "tagIds": []})
    );
    crate::common::assert_valid_request_body("update_deal", &body);
}

#[test]
fn an_update_leaves_alone_sets_or_clears_each_nullable_field() {
    // Every field an update body's schema marks nullable is a `Patch`: left
    // out, set, or sent as `null` to clear it (a reopened deal's date).
    let reopen: kinbox_api::types::DealUpdate = DealUpdate::builder()
        .status(DealStatus::Open)
        .won_lost_date(kinbox_api::Patch::Clear)
        .try_into()
        .unwrap();
    let body = serde_json::to_value(&reopen).unwrap();
    assert_eq!(body, json!({"status": "open", "wonLostDate": null}));
    crate::common::assert_valid_request_body("update_deal", &body);
    let read: kinbox_api::types::DealUpdate = serde_json::from_value(body).unwrap();
    assert_eq!(read.won_lost_date, kinbox_api::Patch::Clear);
    assert_eq!(read.products, kinbox_api::Patch::Keep);
    let set: kinbox_api::types::DealUpdate =
        serde_json::from_value(json!({"wonLostDate": "2024-06-30T03:00:00Z"})).unwrap();
    assert!(set.won_lost_date.as_set().is_some());
}
