//! Every operation of the spec, one table row per call: the SDK sends the
//! method, path, query and JSON body the spec and the reference say, with the
//! bearer token, and reads the documented success answer.
//!
//! Each row's request body and answer are fixtures validated against the
//! spec's schemas on load; the request bodies are built with the SDK's
//! builders, so a row also proves that every field can be set. The last tests
//! hold the spec to the public reference's operations (the one list of them
//! typed out in the tests: a fact of Kinbox's, not of ours) and the table to
//! every one of them; the README's count is held to the spec.

use crate::common::*;
use chrono::{DateTime, Utc};
use kinbox_api::types::{
    CampaignChannelType, CampaignCreate, CampaignHealthCheckInput, CampaignLeadType,
    CampaignResultCountsInput, CampaignStatus, CampaignUpdate, ContactCreate, ContactUpdate,
    CustomFieldsInput, DealContactInput, DealCreate, DealStatus, DealUpdate,
    PipelineCadenceItemInput, PipelineCreate, PipelinePrivacyInput, PipelineRule,
    PipelineStageInput, PipelineUpdate, PrivacyType, ProductCreate, ProductUpdate, TagCreate,
    TagPrivacyInput, TagUpdate,
};
use serde_json::{Map, Value, json};

fn utc(text: &str) -> DateTime<Utc> {
    text.parse().expect("an RFC 3339 date-time")
}

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        other => panic!("not an object: {other}"),
    }
}

// --- The table ----------------------------------------------------------------

/// One call of the SDK, and what must go on the wire for it.
struct Case {
    op: &'static str,
    method: &'static str,
    /// The path as sent, percent-encoded.
    path: &'static str,
    query: Vec<(&'static str, &'static str)>,
    /// The JSON body the SDK must send; `None`: no body and no `Content-Type`.
    body: Option<Value>,
    /// What the mock answers with the spec's success status; `None`: no body.
    answer: Option<Value>,
    call: Call,
}

impl Case {
    fn new(op: &'static str, method: &'static str, path: &'static str, call: Call) -> Self {
        Self {
            op,
            method,
            path,
            query: Vec::new(),
            body: None,
            answer: None,
            call,
        }
    }

    fn query(mut self, query: &[(&'static str, &'static str)]) -> Self {
        self.query = query.to_vec();
        self
    }

    /// The request body, from a fixture checked against the spec.
    fn body_fixture(mut self, fixture: &str) -> Self {
        self.body = Some(request_fixture(fixture, self.op));
        self
    }

    /// A request body written inline, checked against the spec.
    fn body(mut self, body: Value) -> Self {
        assert_valid_request_body(self.op, &body);
        self.body = Some(body);
        self
    }

    /// The answer, checked against the spec's success response.
    fn answer(mut self, answer: Value) -> Self {
        assert_valid_response(self.op, success_status(self.op), &answer);
        self.answer = Some(answer);
        self
    }

    fn answer_fixture(self, fixture: &str) -> Self {
        let answer = raw_fixture(fixture);
        self.answer(answer)
    }
}

/// `value` without the object members that are `null`, at any depth.
fn without_nulls(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, without_nulls(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(without_nulls).collect()),
        other => other,
    }
}

fn success_status(op: &str) -> u16 {
    spec()
        .operation(op)
        .unwrap_or_else(|| panic!("{op} is not in the spec"))
        .success_status
}

/// Does `path` fill in the spec's template (`/v1/tags/{id}`), one segment per
/// parameter?
fn fills_template(template: &str, path: &str) -> bool {
    let template: Vec<&str> = template.split('/').collect();
    let path: Vec<&str> = path.split('/').collect();
    template.len() == path.len()
        && template.iter().zip(&path).all(|(t, p)| {
            if t.starts_with('{') {
                !p.is_empty()
            } else {
                t == p
            }
        })
}

/// Serves the case's answer, makes its call, and checks the one request sent.
async fn check(case: &Case) {
    let op = case.op;
    let spec_op = spec().operation(op).unwrap();
    assert_eq!(case.method, spec_op.method, "{op}: method in the spec");
    assert!(
        fills_template(&spec_op.path, case.path),
        "{op}: {} does not fill the spec's {}",
        case.path,
        spec_op.path
    );

    let (server, client) = mock_api().await;
    let recorder = Recorder::new();
    server
        .mock_async(|when, then| {
            when.any_request();
            then.respond_with(recorder.reply(spec_op.success_status, case.answer.clone()));
        })
        .await;

    let read = (case.call)(&client)
        .await
        .unwrap_or_else(|e| panic!("{op}: the SDK failed: {e}"));

    let request = recorder.only_request();
    assert_sent_by_sdk(op, &request);
    assert_eq!(request.method_str(), case.method, "{op}: method");
    assert_eq!(request.uri().path(), case.path, "{op}: path");

    let mut query = request.query_params();
    query.sort();
    let mut expected: Vec<(String, String)> = case
        .query
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    expected.sort();
    assert_eq!(query, expected, "{op}: query");
    if let Err(violations) = spec().check_query(op, &query) {
        panic!("{op}: the query breaks the spec: {violations:?}");
    }

    let content_type = request.headers().get("content-type").cloned();
    match &case.body {
        Some(expected) => {
            assert_eq!(
                content_type.as_ref().and_then(|v| v.to_str().ok()),
                Some("application/json"),
                "{op}: content-type"
            );
            let sent: Value = serde_json::from_slice(request.body_ref())
                .unwrap_or_else(|e| panic!("{op}: the body is not JSON: {e}"));
            assert_valid_request_body(op, &sent);
            assert_eq!(&sent, expected, "{op}: body");
        }
        None => {
            assert!(
                request.body_ref().is_empty(),
                "{op}: a body was sent: {}",
                request.body_string()
            );
            assert_eq!(content_type, None, "{op}: content-type without a body");
        }
    }

    // Everything the answer held was read: written back, it is the answer
    // (a `null`, such as the last page's `nextCursor`, reads as absent).
    assert_eq!(
        without_nulls(read),
        without_nulls(case.answer.clone().unwrap_or(Value::Null)),
        "{op}: what the SDK read"
    );
}

async fn check_all(cases: Vec<Case>) {
    assert!(!cases.is_empty());
    for case in &cases {
        check(case).await;
    }
}

// --- Deals (detailed in operations.rs; here for the coverage check) -------------

fn deal_cases() -> Vec<Case> {
    vec![
        Case::new("list_deals", "GET", "/v1/deals", |c| {
            read_as_json(
                c.list_deals()
                    .limit(25u32)
                    .status(DealStatus::Won)
                    .created_at_from(utc("2024-01-01T00:00:00-03:00"))
                    .send(),
            )
        })
        .query(&[
            ("limit", "25"),
            ("status", "won"),
            ("created_at_from", "2024-01-01T03:00:00Z"),
        ])
        .answer(list_page(
            "list_deals",
            vec![raw_fixture("deal_full.json")],
            None,
        )),
        Case::new("create_deal", "POST", "/v1/deals", |c| {
            read_as_json(
                c.create_deal()
                    .body(
                        DealCreate::builder()
                            .name("Pedido #1043")
                            .value(350.75)
                            .status(DealStatus::Open)
                            .pipeline_id("65f0c0ffee0000000000aaaa")
                            .stage_id("65f0c0ffee0000000000bbbb")
                            .custom_fields(
                                CustomFieldsInput::new()
                                    .with("cpf", "text", "060.715.303-54")
                                    .with("idade", "number", 30),
                            )
                            .contact_id(123456)
                            .operator_id(42)
                            .tag_ids(vec![3])
                            .due_date(utc("2024-03-31T23:59:59Z")),
                    )
                    .send(),
            )
        })
        .body(json!({
            "name": "Pedido #1043",
            "value": 350.75,
            "status": "open",
            "pipelineId": "65f0c0ffee0000000000aaaa",
            "stageId": "65f0c0ffee0000000000bbbb",
            "customFields": {
                "cpf": { "value": "060.715.303-54", "type": "text" },
                "idade": { "value": "30", "type": "number" }
            },
            "contactId": 123456,
            "operatorId": 42,
            "tagIds": [3],
            "dueDate": "2024-03-31T23:59:59Z"
        }))
        .answer_fixture("deal_minimal.json"),
        Case::new(
            "get_deal",
            "GET",
            "/v1/deals/65f1a2b3c4d5e6f708091a2b",
            |c| read_as_json(c.get_deal().id("65f1a2b3c4d5e6f708091a2b").send()),
        )
        .answer_fixture("deal_full.json"),
        Case::new(
            "update_deal",
            "PATCH",
            "/v1/deals/65f1a2b3c4d5e6f708091a2b",
            |c| {
                read_as_json(
                    c.update_deal()
                        .id("65f1a2b3c4d5e6f708091a2b")
                        .body(DealUpdate::builder().status(DealStatus::Won))
                        .send(),
                )
            },
        )
        .body(json!({ "status": "won" }))
        .answer_fixture("deal_full.json"),
        Case::new(
            "update_deal",
            "PATCH",
            "/v1/deals/65f1a2b3c4d5e6f708091a2b",
            |c| {
                // Moved on, with a new value, a custom field changed and the
                // contact given whole, as the reference's update takes it.
                let update = DealUpdate::builder()
                    .stage_id("65f0c0ffee0000000000bba3".to_owned())
                    .value(1701.45)
                    .custom_fields(CustomFieldsInput::new().with("formaPagamento", "select", "pix"))
                    .contact(DealContactInput {
                        id: 123456,
                        name: "Maria da Silva".to_owned(),
                        avatar: "https://cdn.kinbox.com.br/avatars/123456.jpg".to_owned(),
                        phone: "5585997281648".to_owned(),
                        email: "maria.silva@example.com.br".to_owned(),
                        created_at: None,
                        is_private: None,
                    });
                read_as_json(
                    c.update_deal()
                        .id("65f1a2b3c4d5e6f708091a2b")
                        .body(update)
                        .send(),
                )
            },
        )
        .body(json!({
            "stageId": "65f0c0ffee0000000000bba3",
            "value": 1701.45,
            "customFields": { "formaPagamento": { "value": "pix", "type": "select" } },
            "contact": {
                "id": 123456,
                "name": "Maria da Silva",
                "avatar": "https://cdn.kinbox.com.br/avatars/123456.jpg",
                "phone": "5585997281648",
                "email": "maria.silva@example.com.br"
            }
        }))
        .answer_fixture("deal_full.json"),
        Case::new(
            "delete_deal",
            "DELETE",
            "/v1/deals/65f1a2b3c4d5e6f708091a2b",
            |c| read_as_json(c.delete_deal().id("65f1a2b3c4d5e6f708091a2b").send()),
        ),
    ]
}

// --- Pipelines ------------------------------------------------------------------

fn stage(id: &str, name: &str, color: &str, requireds: &[&str]) -> PipelineStageInput {
    PipelineStageInput {
        id: id.to_owned(),
        name: name.to_owned(),
        color: color.to_owned(),
        requireds: requireds.iter().map(|r| r.to_string()).collect(),
    }
}

fn cadence_item(id: &str, task: Value) -> PipelineCadenceItemInput {
    PipelineCadenceItemInput {
        id: Some(id.to_owned()),
        stage_id: "65f0c0ffee0000000000bbbb".to_owned(),
        task: object(task),
    }
}

/// `create_pipeline_request.json`, with every field.
fn pipeline_create() -> PipelineCreate {
    PipelineCreate::builder()
        .name("Vendas")
        .position(1.0)
        .stages(vec![
            stage("65f0c0ffee0000000000bba1", "Qualificação", "#9E9E9E", &[]),
            stage("65f0c0ffee0000000000bbbb", "Proposta", "#2196F3", &["cpf"]),
            stage(
                "65f0c0ffee0000000000bba3",
                "Fechamento",
                "#4CAF50",
                &["formaPagamento"],
            ),
        ])
        .rules(vec![PipelineRule {
            rule_id: "max-deals-in-stage".to_owned(),
            max: 50.0,
            stage_id: Some("65f0c0ffee0000000000bbbb".to_owned()),
        }])
        .cadence(vec![cadence_item(
            "65f0c0ffee0000000000c0a1",
            json!({ "title": "Ligar para o cliente", "type": "call", "dueInDays": 2 }),
        )])
        .lost_reasons(vec![
            "Preço acima do orçamento".to_owned(),
            "Fechou com a concorrência".to_owned(),
            "Sem retorno do cliente".to_owned(),
        ])
        .required_custom_field_ids(vec!["12".to_owned(), "15".to_owned()])
        .privacy(PipelinePrivacyInput {
            type_: PrivacyType::Team,
            group_ids: vec!["7".to_owned(), "9".to_owned()],
            user_id: None,
        })
        .author_id(42)
        .try_into()
        .unwrap()
}

/// `update_pipeline_request.json`, with every field.
fn pipeline_update() -> PipelineUpdate {
    PipelineUpdate::builder()
        .name("Vendas — Clínicas".to_owned())
        .position(2.0)
        .stages(vec![
            stage("65f0c0ffee0000000000bbbb", "Proposta", "#2196F3", &["cpf"]),
            stage("65f0c0ffee0000000000bba4", "Negociação", "#FF9800", &[]),
            stage("65f0c0ffee0000000000bba3", "Fechamento", "#4CAF50", &[]),
        ])
        .rules(vec![PipelineRule {
            rule_id: "max-deals-in-stage".to_owned(),
            max: 30.0,
            stage_id: Some("65f0c0ffee0000000000bbbb".to_owned()),
        }])
        .cadence(vec![cadence_item(
            "65f0c0ffee0000000000c0a1",
            json!({
                "title": "Enviar proposta por WhatsApp", "type": "message", "dueInDays": 1
            }),
        )])
        .lost_reasons(vec![
            "Preço acima do orçamento".to_owned(),
            "Sem retorno do cliente".to_owned(),
        ])
        .required_custom_field_ids(vec!["12".to_owned()])
        .privacy(PipelinePrivacyInput {
            type_: PrivacyType::User,
            group_ids: Vec::new(),
            user_id: Some("42".to_owned()),
        })
        .author_id(42)
        .try_into()
        .unwrap()
}

const PIPELINE: &str = "/v1/pipelines/65f0c0ffee0000000000aaaa";

fn pipeline_cases() -> Vec<Case> {
    let full = raw_fixture("pipeline_full.json");
    vec![
        Case::new("list_pipelines", "GET", "/v1/pipelines", |c| {
            read_as_json(c.list_pipelines().send())
        })
        .answer(json!([
            full,
            with_id(
                &only_required("Pipeline", &full),
                "65f0c0ffee0000000000aaab"
            )
        ])),
        Case::new("create_pipeline", "POST", "/v1/pipelines", |c| {
            read_as_json(c.create_pipeline().body(pipeline_create()).send())
        })
        .body_fixture("create_pipeline_request.json")
        .answer_fixture("pipeline_full.json"),
        Case::new("create_pipeline", "POST", "/v1/pipelines", |c| {
            // What the reference requires, and no more.
            let pipeline = PipelineCreate::builder()
                .name("Pós-venda")
                .position(2.0)
                .stages(vec![
                    stage("65f0c0ffee0000000000bbc1", "Acompanhamento", "#9E9E9E", &[]),
                    stage("65f0c0ffee0000000000bbc2", "Renovação", "#4CAF50", &[]),
                ])
                .rules(Vec::new());
            read_as_json(c.create_pipeline().body(pipeline).send())
        })
        .body(json!({
            "name": "Pós-venda",
            "position": 2.0,
            "stages": [
                {
                    "id": "65f0c0ffee0000000000bbc1",
                    "name": "Acompanhamento",
                    "color": "#9E9E9E",
                    "requireds": []
                },
                {
                    "id": "65f0c0ffee0000000000bbc2",
                    "name": "Renovação",
                    "color": "#4CAF50",
                    "requireds": []
                }
            ],
            "rules": []
        }))
        .answer_fixture("pipeline_full.json"),
        Case::new("get_pipeline", "GET", PIPELINE, |c| {
            read_as_json(c.get_pipeline().id("65f0c0ffee0000000000aaaa").send())
        })
        .answer_fixture("pipeline_full.json"),
        Case::new("update_pipeline", "PATCH", PIPELINE, |c| {
            read_as_json(
                c.update_pipeline()
                    .id("65f0c0ffee0000000000aaaa")
                    .body(pipeline_update())
                    .send(),
            )
        })
        .body_fixture("update_pipeline_request.json")
        .answer_fixture("pipeline_full.json"),
        Case::new("update_pipeline", "PATCH", PIPELINE, |c| {
            // Renamed, and opened to everyone.
            let update = PipelineUpdate::builder()
                .name("Vendas — Todas as clínicas".to_owned())
                .privacy(PipelinePrivacyInput {
                    type_: PrivacyType::Public,
                    group_ids: Vec::new(),
                    user_id: None,
                });
            read_as_json(
                c.update_pipeline()
                    .id("65f0c0ffee0000000000aaaa")
                    .body(update)
                    .send(),
            )
        })
        .body(json!({
            "name": "Vendas — Todas as clínicas",
            "privacy": { "type": "public", "groupIds": [] }
        }))
        .answer_fixture("pipeline_full.json"),
        Case::new("delete_pipeline", "DELETE", PIPELINE, |c| {
            read_as_json(c.delete_pipeline().id("65f0c0ffee0000000000aaaa").send())
        }),
    ]
}

// --- Contacts -------------------------------------------------------------------

/// `create_contact_request.json`, with every field.
fn contact_create() -> ContactCreate {
    ContactCreate::builder()
        .name("Maria da Silva".to_owned())
        .email("maria.silva@example.com.br".to_owned())
        .phone("5585997281648".to_owned())
        .external_id("ERP-CLI-000981".to_owned())
        .origin("WhatsApp".to_owned())
        .location("Fortaleza - CE".to_owned())
        .avatar("https://cdn.kinbox.com.br/avatars/123456.jpg".to_owned())
        .notes("Prefere contato pela manhã.".to_owned())
        .is_private(false)
        .custom_fields(
            CustomFieldsInput::new()
                .with("cpf", "text", "060.715.303-54")
                .with("dataNascimento", "date", "1988-04-12"),
        )
        .try_into()
        .unwrap()
}

/// `update_contact_request.json`, with every field.
fn contact_update() -> ContactUpdate {
    ContactUpdate::builder()
        .name("Maria da Silva Souza".to_owned())
        .email("maria.souza@example.com.br".to_owned())
        .phone("5585988123456".to_owned())
        .external_id("ERP-CLI-000981".to_owned())
        .origin("Instagram".to_owned())
        .location("Recife - PE".to_owned())
        .avatar("https://cdn.kinbox.com.br/avatars/123456-v2.jpg".to_owned())
        .notes("Casou em 2024; atualizar sobrenome no ERP.".to_owned())
        .is_private(true)
        .custom_fields(CustomFieldsInput::new().with("cpf", "text", "060.715.303-54"))
        .try_into()
        .unwrap()
}

fn contact_cases() -> Vec<Case> {
    let full = raw_fixture("contact_full.json");
    vec![
        Case::new("list_contacts", "GET", "/v1/contacts", |c| {
            read_as_json(c.list_contacts().send())
        })
        .answer(list_page("list_contacts", vec![full.clone()], None)),
        Case::new("list_contacts", "GET", "/v1/contacts", |c| {
            read_as_json(
                c.list_contacts()
                    .limit(50u32)
                    .cursor("123455")
                    .phone("5585997281648")
                    // A `+` must arrive as a `+`, not as a space.
                    .email("maria+crm@example.com.br")
                    // Brazilian offsets are sent as the same instant in UTC.
                    .created_at_from(utc("2024-01-01T00:00:00-03:00"))
                    .created_at_to(utc("2024-01-31T23:59:59Z"))
                    .send(),
            )
        })
        .query(&[
            ("limit", "50"),
            ("cursor", "123455"),
            ("phone", "5585997281648"),
            ("email", "maria+crm@example.com.br"),
            ("created_at_from", "2024-01-01T03:00:00Z"),
            ("created_at_to", "2024-01-31T23:59:59Z"),
        ])
        .answer(list_page("list_contacts", vec![full], Some("123456"))),
        Case::new("create_contact", "POST", "/v1/contacts", |c| {
            read_as_json(c.create_contact().body(contact_create()).send())
        })
        .body_fixture("create_contact_request.json")
        .answer_fixture("contact_full.json"),
        Case::new("create_contact", "POST", "/v1/contacts", |c| {
            // Only `customFields` is required.
            let bare = ContactCreate::builder().custom_fields(CustomFieldsInput::new());
            read_as_json(c.create_contact().body(bare).send())
        })
        .answer(json!({ "id": 123457 }))
        .body(json!({ "customFields": {} })),
        Case::new("create_contact", "POST", "/v1/contacts", |c| {
            // A lead from a form: a name, a phone, where it came from.
            let lead = ContactCreate::builder()
                .name("João Pereira".to_owned())
                .phone("5511987654321".to_owned())
                .origin("Site".to_owned())
                .custom_fields(CustomFieldsInput::new().with("interesse", "text", "Implante"));
            read_as_json(c.create_contact().body(lead).send())
        })
        .body(json!({
            "name": "João Pereira",
            "phone": "5511987654321",
            "origin": "Site",
            "customFields": { "interesse": { "value": "Implante", "type": "text" } }
        }))
        .answer(json!({ "id": 123458, "name": "João Pereira", "phone": "5511987654321" })),
        Case::new("get_contact", "GET", "/v1/contacts/123456", |c| {
            read_as_json(c.get_contact().id(123456).send())
        })
        .answer_fixture("contact_full.json"),
        Case::new("update_contact", "PATCH", "/v1/contacts/123456", |c| {
            read_as_json(c.update_contact().id(123456).body(contact_update()).send())
        })
        .body_fixture("update_contact_request.json")
        .answer_fixture("contact_full.json"),
        Case::new("update_contact", "PATCH", "/v1/contacts/123456", |c| {
            // A new e-mail, and nothing else.
            let update = ContactUpdate::builder().email("maria.souza@example.com.br".to_owned());
            read_as_json(c.update_contact().id(123456).body(update).send())
        })
        .body(json!({ "email": "maria.souza@example.com.br" }))
        .answer_fixture("contact_full.json"),
    ]
}

// --- Custom fields --------------------------------------------------------------

fn custom_field_cases() -> Vec<Case> {
    vec![
        Case::new("list_custom_fields", "GET", "/v1/custom-fields", |c| {
            read_as_json(c.list_custom_fields().send())
        })
        .answer(json!({ "data": [raw_fixture("custom_field_full.json")] })),
        Case::new("get_custom_field", "GET", "/v1/custom-fields/12", |c| {
            read_as_json(c.get_custom_field().id(12).send())
        })
        .answer_fixture("custom_field_full.json"),
    ]
}

// --- Products -------------------------------------------------------------------

fn product_create() -> ProductCreate {
    ProductCreate::builder()
        .name("Clareamento dental")
        .description("Clareamento a laser, sessão única de 60 minutos".to_owned())
        .price(945.25)
        .external_id("SKU-CLR-001".to_owned())
        .is_active(true)
        .custom_fields(
            CustomFieldsInput::new()
                .with("categoria", "select", "Estética")
                .with("duracaoMinutos", "number", 60),
        )
        .try_into()
        .unwrap()
}

fn product_update() -> ProductUpdate {
    ProductUpdate::builder()
        .name("Clareamento dental a laser".to_owned())
        .description("Duas sessões de 45 minutos".to_owned())
        .price(1099.9)
        .external_id("SKU-CLR-002".to_owned())
        .is_active(false)
        .custom_fields(CustomFieldsInput::new().with("duracaoMinutos", "number", 90))
        .try_into()
        .unwrap()
}

const PRODUCT: &str = "/v1/products/65f0c0ffee0000000000cccc";

fn product_cases() -> Vec<Case> {
    let full = raw_fixture("product_full.json");
    vec![
        Case::new("list_products", "GET", "/v1/products", |c| {
            read_as_json(
                c.list_products()
                    .limit(100u32)
                    .cursor("65f0c0ffee0000000000cccb")
                    .send(),
            )
        })
        .query(&[("limit", "100"), ("cursor", "65f0c0ffee0000000000cccb")])
        .answer(list_page("list_products", vec![full], None)),
        Case::new("create_product", "POST", "/v1/products", |c| {
            read_as_json(c.create_product().body(product_create()).send())
        })
        .body_fixture("create_product_request.json")
        .answer_fixture("product_full.json"),
        Case::new("create_product", "POST", "/v1/products", |c| {
            let bare = ProductCreate::builder()
                .name("Limpeza")
                .price(180.0)
                .custom_fields(CustomFieldsInput::new());
            read_as_json(c.create_product().body(bare).send())
        })
        // `isActive` defaults to true in the spec, and the SDK says so.
        .body(json!({
            "name": "Limpeza", "price": 180.0, "customFields": {}, "isActive": true
        }))
        .answer(json!({ "id": "65f0c0ffee0000000000cccd", "name": "Limpeza", "price": 180.0 })),
        Case::new("get_product", "GET", PRODUCT, |c| {
            read_as_json(c.get_product().id("65f0c0ffee0000000000cccc").send())
        })
        .answer_fixture("product_full.json"),
        Case::new("update_product", "PATCH", PRODUCT, |c| {
            read_as_json(
                c.update_product()
                    .id("65f0c0ffee0000000000cccc")
                    .body(product_update())
                    .send(),
            )
        })
        .body_fixture("update_product_request.json")
        .answer_fixture("product_full.json"),
        Case::new("update_product", "PATCH", PRODUCT, |c| {
            // A new price.
            let update = ProductUpdate::builder().price(999.9);
            read_as_json(
                c.update_product()
                    .id("65f0c0ffee0000000000cccc")
                    .body(update)
                    .send(),
            )
        })
        .body(json!({ "price": 999.9 }))
        .answer_fixture("product_full.json"),
        Case::new("delete_product", "DELETE", PRODUCT, |c| {
            read_as_json(c.delete_product().id("65f0c0ffee0000000000cccc").send())
        }),
        Case::new(
            "get_product_by_external_id",
            "GET",
            "/v1/products/external/SKU-CLR-001",
            |c| {
                read_as_json(
                    c.get_product_by_external_id()
                        .external_id("SKU-CLR-001")
                        .send(),
                )
            },
        )
        .answer_fixture("product_full.json"),
        Case::new(
            "get_product_by_external_id",
            "GET",
            // An id from another system may hold `/`, spaces, `?` and `#`: it
            // stays one path segment.
            "/v1/products/external/ERP%2FCLR%20001%3Fv%3D2%23a",
            |c| {
                read_as_json(
                    c.get_product_by_external_id()
                        .external_id("ERP/CLR 001?v=2#a")
                        .send(),
                )
            },
        )
        .answer_fixture("product_full.json"),
    ]
}

// --- Tags -----------------------------------------------------------------------

fn tag_cases() -> Vec<Case> {
    let full = raw_fixture("tag_full.json");
    vec![
        Case::new("list_tags", "GET", "/v1/tags", |c| {
            read_as_json(c.list_tags().send())
        })
        .answer(json!([full, { "id": 8, "name": "Inadimplente" }])),
        Case::new("create_tag", "POST", "/v1/tags", |c| {
            let tag = TagCreate::builder()
                .name("Cliente VIP")
                .color("#FFC107".to_owned())
                .privacy(TagPrivacyInput {
                    type_: Some(PrivacyType::Team),
                    group_ids: Some(vec!["7".to_owned()]),
                    user_id: None,
                });
            read_as_json(c.create_tag().body(tag).send())
        })
        .body_fixture("create_tag_request.json")
        .answer_fixture("tag_full.json"),
        Case::new("get_tag", "GET", "/v1/tags/7", |c| {
            read_as_json(c.get_tag().id(7).send())
        })
        .answer_fixture("tag_full.json"),
        Case::new("update_tag", "PATCH", "/v1/tags/7", |c| {
            let tag = TagUpdate::builder()
                .name("Cliente VIP Ouro".to_owned())
                .color("#FFD700".to_owned())
                .privacy(TagPrivacyInput {
                    type_: Some(PrivacyType::Public),
                    group_ids: None,
                    user_id: None,
                });
            read_as_json(c.update_tag().id(7).body(tag).send())
        })
        .body_fixture("update_tag_request.json")
        .answer_fixture("tag_full.json"),
        Case::new("update_tag", "PATCH", "/v1/tags/7", |c| {
            // A new colour only.
            let tag = TagUpdate::builder().color("#FF5722".to_owned());
            read_as_json(c.update_tag().id(7).body(tag).send())
        })
        .body(json!({ "color": "#FF5722" }))
        .answer_fixture("tag_full.json"),
        Case::new("delete_tag", "DELETE", "/v1/tags/7", |c| {
            read_as_json(c.delete_tag().id(7).send())
        }),
    ]
}

// --- Campaigns ------------------------------------------------------------------

const CAMPAIGN: &str = "/v1/campaigns/65f0c0ffee0000000000dd01";
const CAMPAIGN_ID: &str = "65f0c0ffee0000000000dd01";

/// `create_campaign_request.json`, with every field.
fn campaign_create() -> CampaignCreate {
    CampaignCreate::builder()
        .name("Black Friday 2024 — Clínica Sorriso")
        .channel_id("65f0c0ffee0000000000c401".to_owned())
        .channel_ids(vec![
            "65f0c0ffee0000000000c401".to_owned(),
            "65f0c0ffee0000000000c402".to_owned(),
        ])
        .operator_name("Ana Souza".to_owned())
        .business_hours_id("65f0c0ffee0000000000b401".to_owned())
        .channel_type(CampaignChannelType::X1)
        .lead_type(CampaignLeadType::File)
        .normalize_brazil_phone_numbers(true)
        .scheduled_to(utc("2024-11-29T12:00:00Z"))
        .original_scheduled_to(utc("2024-11-29T12:00:00Z"))
        .finished_at_prediction(utc("2024-11-29T18:30:00Z"))
        .leads_asset_url(
            "https://cdn.kinbox.com.br/campaigns/black-friday-2024/leads.csv".to_owned(),
        )
        .message(
            "Olá {{1}}, a Black Friday da Clínica Sorriso começou: 20% no clareamento!".to_owned(),
        )
        .text_raw(
            "Olá {{1}}, a Black Friday da Clínica Sorriso começou: 20% no clareamento!".to_owned(),
        )
        .assets_urls(vec![
            "https://cdn.kinbox.com.br/campaigns/black-friday-2024/banner.jpg".to_owned(),
        ])
        .chunks_count(15.0)
        .seconds_between_messages(5.0)
        .seconds_between_chunks(600.0)
        .chunk_size(100.0)
        .template(object(
            json!({ "name": "promo_black_friday", "language": "pt_BR" }),
        ))
        .try_into()
        .unwrap()
}

/// `update_campaign_request.json`, with every field.
fn campaign_update() -> CampaignUpdate {
    CampaignUpdate::builder()
        .name("Black Friday 2024 — reenvio".to_owned())
        .channel_id("65f0c0ffee0000000000c402".to_owned())
        .channel_ids(vec!["65f0c0ffee0000000000c402".to_owned()])
        .operator_id("42".to_owned())
        .operator_name("Ana Souza".to_owned())
        .business_hours_id("65f0c0ffee0000000000b401".to_owned())
        .channel_type(CampaignChannelType::X1)
        .lead_type(CampaignLeadType::Lead)
        .normalize_brazil_phone_numbers(false)
        .scheduled_to(utc("2024-11-30T12:00:00Z"))
        .next_scheduled_to(utc("2024-11-30T14:00:00Z"))
        .original_scheduled_to(utc("2024-11-29T12:00:00Z"))
        .finished_at_prediction(utc("2024-11-30T18:30:00Z"))
        .leads_asset_url(
            "https://cdn.kinbox.com.br/campaigns/black-friday-2024/leads-v2.csv".to_owned(),
        )
        .message("Olá {{1}}, última chance: 20% no clareamento até hoje!".to_owned())
        .text_raw("Olá {{1}}, última chance: 20% no clareamento até hoje!".to_owned())
        .assets_urls(vec![
            "https://cdn.kinbox.com.br/campaigns/black-friday-2024/banner-v2.jpg".to_owned(),
        ])
        .active(true)
        .should_create_conversation(true)
        .status(CampaignStatus::Scheduled)
        .chunks_count(10.0)
        .leads_count(1000.0)
        .seconds_between_messages(8.0)
        .seconds_between_chunks(900.0)
        .track_all_channels(true)
        .track_max_hours(48.0)
        .chunk_size(100.0)
        .template(object(json!({
            "name": "promo_black_friday_ultima_chance", "language": "pt_BR"
        })))
        .progress(41.3)
        .result_counts(CampaignResultCountsInput {
            sent: 620.0,
            received: 598.0,
            read: 410.0,
            answered: 57.0,
            chunks_executed: 6.0,
            by_chunk_id: object(json!({ "65f0c0ffee0000000000ce01": { "sent": 100 } })),
        })
        .messages_processed(620.0)
        .last_message_processed_at(utc("2024-11-29T13:02:11Z"))
        .health_check_data(CampaignHealthCheckInput {
            messages_processed: 620.0,
            last_message_processed_at: utc("2024-11-29T13:02:11Z"),
            health_check_executions: 12.0,
            job_id: Some("campaign-65f0c0ffee0000000000dd01-7".to_owned()),
            chunk_id: Some("65f0c0ffee0000000000ce07".to_owned()),
            next_health_check_at: Some(utc("2024-11-29T13:07:11Z")),
            last_health_check_at: Some(utc("2024-11-29T13:02:11Z")),
        })
        .try_into()
        .unwrap()
}

fn campaign_cases() -> Vec<Case> {
    let full = raw_fixture("campaign_full.json");
    let mut paused = full.clone();
    paused["status"] = json!("paused");
    vec![
        Case::new("list_campaigns", "GET", "/v1/campaigns", |c| {
            read_as_json(c.list_campaigns().limit(10u32).send())
        })
        .query(&[("limit", "10")])
        .answer(list_page(
            "list_campaigns",
            vec![full.clone()],
            Some(CAMPAIGN_ID),
        )),
        Case::new("create_campaign", "POST", "/v1/campaigns", |c| {
            // A message to a file of leads, from one channel, at a set time.
            let campaign = CampaignCreate::builder()
                .name("Black Friday 2024 — Clínica Sorriso")
                .channel_id("65f0c0ffee0000000000c401".to_owned())
                .channel_type(CampaignChannelType::X1)
                .lead_type(CampaignLeadType::File)
                .leads_asset_url(
                    "https://cdn.kinbox.com.br/campaigns/black-friday-2024/leads.csv".to_owned(),
                )
                .message("Olá {{1}}, a Black Friday da Clínica Sorriso começou!".to_owned())
                .scheduled_to(utc("2024-11-29T09:00:00-03:00"));
            read_as_json(c.create_campaign().body(campaign).send())
        })
        .body(json!({
            "name": "Black Friday 2024 — Clínica Sorriso",
            "channelId": "65f0c0ffee0000000000c401",
            "channelType": "1",
            "leadType": "file",
            "leadsAssetUrl": "https://cdn.kinbox.com.br/campaigns/black-friday-2024/leads.csv",
            "message": "Olá {{1}}, a Black Friday da Clínica Sorriso começou!",
            "scheduledTo": "2024-11-29T12:00:00Z"
        }))
        .answer_fixture("campaign_full.json"),
        Case::new("create_campaign", "POST", "/v1/campaigns", |c| {
            read_as_json(c.create_campaign().body(campaign_create()).send())
        })
        .body_fixture("create_campaign_request.json")
        .answer_fixture("campaign_full.json"),
        Case::new("get_campaign", "GET", CAMPAIGN, |c| {
            read_as_json(c.get_campaign().id(CAMPAIGN_ID).send())
        })
        .answer_fixture("campaign_full.json"),
        Case::new("update_campaign", "PATCH", CAMPAIGN, |c| {
            // Renamed, and sent a day later.
            let campaign = CampaignUpdate::builder()
                .name("Black Friday 2024 — reenvio".to_owned())
                .scheduled_to(utc("2024-11-30T12:00:00Z"));
            read_as_json(c.update_campaign().id(CAMPAIGN_ID).body(campaign).send())
        })
        .body(json!({
            "name": "Black Friday 2024 — reenvio",
            "scheduledTo": "2024-11-30T12:00:00Z"
        }))
        .answer_fixture("campaign_full.json"),
        Case::new("update_campaign", "PATCH", CAMPAIGN, |c| {
            read_as_json(
                c.update_campaign()
                    .id(CAMPAIGN_ID)
                    .body(campaign_update())
                    .send(),
            )
        })
        .body_fixture("update_campaign_request.json")
        .answer_fixture("campaign_full.json"),
        Case::new("delete_campaign", "DELETE", CAMPAIGN, |c| {
            read_as_json(c.delete_campaign().id(CAMPAIGN_ID).send())
        }),
        Case::new(
            "pause_campaign",
            "POST",
            "/v1/campaigns/65f0c0ffee0000000000dd01/pause",
            |c| read_as_json(c.pause_campaign().id(CAMPAIGN_ID).send()),
        )
        .answer(paused),
        Case::new(
            "resume_campaign",
            "POST",
            "/v1/campaigns/65f0c0ffee0000000000dd01/resume",
            |c| read_as_json(c.resume_campaign().id(CAMPAIGN_ID).send()),
        )
        .answer(full),
        Case::new(
            "list_campaign_chunk_leads",
            "GET",
            "/v1/campaigns/65f0c0ffee0000000000dd01/chunk-leads",
            |c| read_as_json(c.list_campaign_chunk_leads().id(CAMPAIGN_ID).send()),
        )
        .answer_fixture("campaign_chunk_leads.json"),
    ]
}

// --- Sessions -------------------------------------------------------------------

fn session_cases() -> Vec<Case> {
    let full = raw_fixture("session_full.json");
    vec![
        Case::new("list_sessions", "GET", "/v1/sessions", |c| {
            read_as_json(
                c.list_sessions()
                    .limit(20u32)
                    .cursor("65f0c0ffee0000000000ee00")
                    .campaign_id(CAMPAIGN_ID)
                    .contact_id(123456)
                    .call_id(98765)
                    .updated_at_from(utc("2024-03-18T00:00:00-03:00"))
                    .updated_at_to(utc("2024-03-18T23:59:59Z"))
                    .send(),
            )
        })
        .query(&[
            ("limit", "20"),
            ("cursor", "65f0c0ffee0000000000ee00"),
            ("campaign_id", CAMPAIGN_ID),
            ("contact_id", "123456"),
            ("call_id", "98765"),
            ("updated_at_from", "2024-03-18T03:00:00Z"),
            ("updated_at_to", "2024-03-18T23:59:59Z"),
        ])
        .answer(list_page("list_sessions", vec![full], None)),
        Case::new(
            "get_session",
            "GET",
            "/v1/sessions/65f0c0ffee0000000000ee01",
            |c| read_as_json(c.get_session().id("65f0c0ffee0000000000ee01").send()),
        )
        .answer_fixture("session_full.json"),
        Case::new("get_session", "GET", "/v1/sessions/98765", |c| {
            // By the numeric call id instead.
            read_as_json(c.get_session().id("98765").send())
        })
        .answer_fixture("session_full.json"),
    ]
}

// --- The tests ------------------------------------------------------------------

#[tokio::test]
async fn deal_operations_send_what_the_spec_says() {
    check_all(deal_cases()).await;
}

#[tokio::test]
async fn pipeline_operations_send_what_the_spec_says() {
    check_all(pipeline_cases()).await;
}

#[tokio::test]
async fn contact_operations_send_what_the_spec_says() {
    check_all(contact_cases()).await;
}

#[tokio::test]
async fn custom_field_operations_send_what_the_spec_says() {
    check_all(custom_field_cases()).await;
}

#[tokio::test]
async fn product_operations_send_what_the_spec_says() {
    check_all(product_cases()).await;
}

#[tokio::test]
async fn tag_operations_send_what_the_spec_says() {
    check_all(tag_cases()).await;
}

#[tokio::test]
async fn campaign_operations_send_what_the_spec_says() {
    check_all(campaign_cases()).await;
}

#[tokio::test]
async fn session_operations_send_what_the_spec_says() {
    check_all(session_cases()).await;
}

/// Every table above; each has its test.
fn all_cases() -> Vec<Case> {
    [
        deal_cases(),
        pipeline_cases(),
        contact_cases(),
        custom_field_cases(),
        product_cases(),
        tag_cases(),
        campaign_cases(),
        session_cases(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

#[test]
fn every_operation_of_the_spec_has_a_row_in_the_table() {
    let mut in_spec: Vec<&str> = spec()
        .operations()
        .iter()
        .map(|op| op.id.as_str())
        .collect();
    in_spec.sort_unstable();
    let cases = all_cases();
    let mut tested: Vec<&str> = cases.iter().map(|case| case.op).collect();
    tested.sort_unstable();
    tested.dedup();
    let untested: Vec<&&str> = in_spec.iter().filter(|op| !tested.contains(op)).collect();
    let unknown: Vec<&&str> = tested.iter().filter(|op| !in_spec.contains(op)).collect();
    assert!(
        untested.is_empty(),
        "operations without a contract test: {untested:?}"
    );
    assert!(unknown.is_empty(), "rows for no operation: {unknown:?}");
}

#[test]
fn every_operation_with_a_request_body_has_a_row_that_checks_it() {
    let cases = all_cases();
    let with_body: Vec<&str> = spec()
        .operations()
        .iter()
        .filter(|op| op.has_request_body)
        .map(|op| op.id.as_str())
        .collect();
    // The creates and updates of deals, pipelines, contacts, products, tags
    // and campaigns.
    assert_eq!(with_body.len(), 12, "{with_body:?}");
    for op in spec().operations().iter().filter(|op| op.has_request_body) {
        assert!(
            cases
                .iter()
                .any(|case| case.op == op.id && case.body.is_some()),
            "{}: no row checks its body",
            op.id
        );
    }
}

#[test]
fn the_spec_has_exactly_the_public_operations_of_the_reference() {
    let mut operations: Vec<(String, String, String, u16)> = spec()
        .operations()
        .iter()
        .map(|op| {
            (
                op.id.clone(),
                op.method.clone(),
                op.path.clone(),
                op.success_status,
            )
        })
        .collect();
    operations.sort();
    let mut expected = [
        ("list_deals", "GET", "/v1/deals", 200),
        ("create_deal", "POST", "/v1/deals", 201),
        ("get_deal", "GET", "/v1/deals/{id}", 200),
        ("update_deal", "PATCH", "/v1/deals/{id}", 200),
        ("delete_deal", "DELETE", "/v1/deals/{id}", 200),
        ("list_pipelines", "GET", "/v1/pipelines", 200),
        ("create_pipeline", "POST", "/v1/pipelines", 201),
        ("get_pipeline", "GET", "/v1/pipelines/{id}", 200),
        ("update_pipeline", "PATCH", "/v1/pipelines/{id}", 200),
        ("delete_pipeline", "DELETE", "/v1/pipelines/{id}", 200),
        ("list_contacts", "GET", "/v1/contacts", 200),
        ("create_contact", "POST", "/v1/contacts", 201),
        ("get_contact", "GET", "/v1/contacts/{id}", 200),
        ("update_contact", "PATCH", "/v1/contacts/{id}", 200),
        ("list_custom_fields", "GET", "/v1/custom-fields", 200),
        ("get_custom_field", "GET", "/v1/custom-fields/{id}", 200),
        ("list_products", "GET", "/v1/products", 200),
        ("create_product", "POST", "/v1/products", 201),
        ("get_product", "GET", "/v1/products/{id}", 200),
        ("update_product", "PATCH", "/v1/products/{id}", 200),
        ("delete_product", "DELETE", "/v1/products/{id}", 200),
        (
            "get_product_by_external_id",
            "GET",
            "/v1/products/external/{externalId}",
            200,
        ),
        ("list_tags", "GET", "/v1/tags", 200),
        ("create_tag", "POST", "/v1/tags", 201),
        ("get_tag", "GET", "/v1/tags/{id}", 200),
        ("update_tag", "PATCH", "/v1/tags/{id}", 200),
        ("delete_tag", "DELETE", "/v1/tags/{id}", 200),
        ("list_campaigns", "GET", "/v1/campaigns", 200),
        ("create_campaign", "POST", "/v1/campaigns", 201),
        ("get_campaign", "GET", "/v1/campaigns/{id}", 200),
        ("update_campaign", "PATCH", "/v1/campaigns/{id}", 200),
        ("delete_campaign", "DELETE", "/v1/campaigns/{id}", 200),
        ("pause_campaign", "POST", "/v1/campaigns/{id}/pause", 200),
        ("resume_campaign", "POST", "/v1/campaigns/{id}/resume", 200),
        (
            "list_campaign_chunk_leads",
            "GET",
            "/v1/campaigns/{id}/chunk-leads",
            200,
        ),
        ("list_sessions", "GET", "/v1/sessions", 200),
        ("get_session", "GET", "/v1/sessions/{id}", 200),
    ]
    .map(|(id, method, path, status)| (id.to_owned(), method.to_owned(), path.to_owned(), status));
    expected.sort();
    assert_eq!(operations, expected);
}

#[test]
fn the_readme_counts_the_operations_of_the_spec() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md"))
        .expect("the workspace README");
    let count = spec().operations().len();
    assert!(
        readme.contains(&format!("({count} operations)")),
        "README.md should say \"({count} operations)\""
    );
}

#[test]
fn the_list_filters_are_exactly_those_of_the_reference() {
    let query_parameters = |op: &str| -> Vec<String> {
        let mut names: Vec<String> = spec()
            .operation(op)
            .unwrap()
            .parameters
            .iter()
            .filter(|p| p.location == "query")
            .map(|p| p.name.clone())
            .collect();
        names.sort();
        names
    };
    for (op, filters) in [
        (
            "list_contacts",
            &[
                "created_at_from",
                "created_at_to",
                "cursor",
                "email",
                "limit",
                "phone",
            ][..],
        ),
        ("list_products", &["cursor", "limit"][..]),
        ("list_campaigns", &["cursor", "limit"][..]),
        (
            "list_sessions",
            &[
                "call_id",
                "campaign_id",
                "contact_id",
                "cursor",
                "limit",
                "updated_at_from",
                "updated_at_to",
            ][..],
        ),
        ("list_pipelines", &[][..]),
        ("list_tags", &[][..]),
        ("list_custom_fields", &[][..]),
        ("list_campaign_chunk_leads", &[][..]),
    ] {
        assert_eq!(query_parameters(op), filters, "{op}");
    }
}

// --- Deletes ----------------------------------------------------------------------

/// Every delete of the spec, and a call of it.
fn deletes() -> [(&'static str, &'static str, Call); 5] {
    [
        ("delete_deal", "/v1/deals/65f1a2b3c4d5e6f708091a2b", |c| {
            read_as_json(c.delete_deal().id("65f1a2b3c4d5e6f708091a2b").send())
        }),
        ("delete_pipeline", PIPELINE, |c| {
            read_as_json(c.delete_pipeline().id("65f0c0ffee0000000000aaaa").send())
        }),
        ("delete_product", PRODUCT, |c| {
            read_as_json(c.delete_product().id("65f0c0ffee0000000000cccc").send())
        }),
        ("delete_tag", "/v1/tags/7", |c| {
            read_as_json(c.delete_tag().id(7).send())
        }),
        ("delete_campaign", CAMPAIGN, |c| {
            read_as_json(c.delete_campaign().id(CAMPAIGN_ID).send())
        }),
    ]
}

#[test]
fn the_table_holds_every_delete() {
    let mut in_spec: Vec<&str> = spec()
        .operations()
        .iter()
        .filter(|op| op.method == "DELETE")
        .map(|op| op.id.as_str())
        .collect();
    in_spec.sort_unstable();
    let mut listed: Vec<&str> = deletes().iter().map(|(op, _, _)| *op).collect();
    listed.sort_unstable();
    assert_eq!(listed, in_spec);
}

#[tokio::test]
async fn every_delete_succeeds_on_a_200_whatever_its_body() {
    for (op, path, call) in deletes() {
        for body in [None, Some(json!({ "success": true }))] {
            let (server, client) = mock_api().await;
            let mock = server
                .mock_async(|when, then| {
                    when.method("DELETE").path(path);
                    let then = then.status(200);
                    if let Some(body) = &body {
                        then.header("content-type", "application/json")
                            .json_body(body.clone());
                    }
                })
                .await;

            call(&client)
                .await
                .unwrap_or_else(|e| panic!("{op} answered 200 with {body:?}: {e}"));

            mock.assert_async().await;
        }
    }
}

/// `delete_deal` documents a 204 (servers answer a delete with "No Content"
/// as often as with 200); the other deletes must accept it just the same.
#[tokio::test]
async fn every_delete_succeeds_on_a_204() {
    let mut failures = Vec::new();
    for (op, path, call) in deletes() {
        let (server, client) = mock_api().await;
        server
            .mock_async(|when, then| {
                when.method("DELETE").path(path);
                then.status(204);
            })
            .await;

        if let Err(e) = call(&client).await {
            failures.push(format!("{op}: {e}"));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

// --- Clearing lists ---------------------------------------------------------------

/// Removing every lost reason or required custom field of a pipeline is a
/// PATCH with an empty list, as `DealUpdate` allows for its lists; a list the
/// SDK drops when empty leaves the old values in place, silently.
#[test]
fn a_pipeline_update_can_clear_its_lists_by_sending_them_empty() {
    let update: PipelineUpdate = PipelineUpdate::builder()
        .lost_reasons(Vec::<String>::new())
        .required_custom_field_ids(Vec::<String>::new())
        .cadence(Vec::<PipelineCadenceItemInput>::new())
        .try_into()
        .unwrap();
    let body = serde_json::to_value(&update).unwrap();
    assert_valid_request_body("update_pipeline", &body);
    assert_eq!(
        body,
        json!({ "lostReasons": [], "requiredCustomFieldIds": [], "cadence": [] })
    );
}
