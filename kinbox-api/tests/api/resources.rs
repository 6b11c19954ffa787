//! The bodies of pipelines, contacts, custom fields, products, tags, campaigns
//! and sessions, as the SDK reads them: the full fixtures field by field, and
//! tolerant reading (unknown fields, `null` or absent optional fields, enum
//! values the spec does not list, integer ids as numeric strings).
//!
//! Every body is first checked against the spec, then served by a mock and
//! read by the SDK, so that the spec and the SDK keep the same promise.

use crate::common::*;
use chrono::{DateTime, Utc};
use httpmock::Method::GET;
use httpmock::MockServer;
use kinbox_api::types::{
    CampaignChannelType, CampaignChunkLead, CampaignLeadType, CampaignStatus, CustomFieldEntity,
    CustomFieldType, PipelinePrivacy, PrivacyType, TagPrivacy,
};
use kinbox_api::{Client, Id, KinboxError, OrOther, Timestamp};
use serde_json::{Value, json};

fn utc(text: &str) -> DateTime<Utc> {
    text.parse().expect("an RFC 3339 date-time")
}

/// An answer's date, as the SDK reads one that is RFC 3339.
fn at(text: &str) -> Timestamp {
    OrOther::Known(utc(text))
}

/// A mock that answers `GET path` with `body`, and a client for it. Keep the
/// server alive while calling.
async fn serving(path: &str, body: &Value) -> (MockServer, Client) {
    let (server, client) = mock_api().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path(path);
            then.status(200)
                .header("content-type", "application/json")
                .body(body.to_string());
        })
        .await;
    (server, client)
}

// --- Every resource alike -------------------------------------------------------

/// A resource, as its `get` operation returns it.
struct Resource {
    schema: &'static str,
    get: &'static str,
    path: &'static str,
    full: &'static str,
    /// `Campaign` and `Session` keep unknown fields (`extra`); the others
    /// ignore them.
    keeps_unknown: bool,
    read: Call,
}

fn resources() -> [Resource; 7] {
    [
        Resource {
            schema: "Pipeline",
            get: "get_pipeline",
            path: "/v1/pipelines/65f0c0ffee0000000000aaaa",
            full: "pipeline_full.json",
            keeps_unknown: false,
            read: |c| read_as_json(c.get_pipeline().id("65f0c0ffee0000000000aaaa").send()),
        },
        Resource {
            schema: "Contact",
            get: "get_contact",
            path: "/v1/contacts/123456",
            full: "contact_full.json",
            keeps_unknown: false,
            read: |c| read_as_json(c.get_contact().id(123456).send()),
        },
        Resource {
            schema: "CustomField",
            get: "get_custom_field",
            path: "/v1/custom-fields/12",
            full: "custom_field_full.json",
            keeps_unknown: false,
            read: |c| read_as_json(c.get_custom_field().id(12).send()),
        },
        Resource {
            schema: "Product",
            get: "get_product",
            path: "/v1/products/65f0c0ffee0000000000cccc",
            full: "product_full.json",
            keeps_unknown: false,
            read: |c| read_as_json(c.get_product().id("65f0c0ffee0000000000cccc").send()),
        },
        Resource {
            schema: "Tag",
            get: "get_tag",
            path: "/v1/tags/7",
            full: "tag_full.json",
            keeps_unknown: false,
            read: |c| read_as_json(c.get_tag().id(7).send()),
        },
        Resource {
            schema: "Campaign",
            get: "get_campaign",
            path: "/v1/campaigns/65f0c0ffee0000000000dd01",
            full: "campaign_full.json",
            keeps_unknown: true,
            read: |c| read_as_json(c.get_campaign().id("65f0c0ffee0000000000dd01").send()),
        },
        Resource {
            schema: "Session",
            get: "get_session",
            path: "/v1/sessions/65f0c0ffee0000000000ee01",
            full: "session_full.json",
            keeps_unknown: true,
            read: |c| read_as_json(c.get_session().id("65f0c0ffee0000000000ee01").send()),
        },
    ]
}

impl Resource {
    fn full(&self) -> Value {
        response_fixture(self.full, self.get, 200)
    }

    /// Serves `body` (which the spec must allow) and gives what the SDK read,
    /// written back as JSON.
    async fn read_valid(&self, body: &Value) -> Value {
        assert_valid_response(self.get, 200, body);
        self.read(body)
            .await
            .unwrap_or_else(|e| panic!("the SDK refused a {} the spec allows: {e}", self.schema))
    }

    async fn read(&self, body: &Value) -> Result<Value, KinboxError> {
        let (_server, client) = serving(self.path, body).await;
        (self.read)(&client).await
    }
}

#[test]
fn the_full_fixtures_set_every_property_the_spec_defines() {
    for (schema, fixture) in [
        ("Pipeline", "pipeline_full.json"),
        ("PipelineStage", "pipeline_full.json#/stages/1"),
        ("PipelineRule", "pipeline_full.json#/rules/0"),
        ("PipelineCadenceItem", "pipeline_full.json#/cadence/0"),
        ("PipelinePrivacy", "pipeline_full.json#/privacy"),
        ("PipelineCreate", "create_pipeline_request.json"),
        (
            "PipelineStageInput",
            "update_pipeline_request.json#/stages/0",
        ),
        ("PipelineRule", "create_pipeline_request.json#/rules/0"),
        (
            "PipelineCadenceItemInput",
            "create_pipeline_request.json#/cadence/0",
        ),
        (
            "PipelinePrivacyInput",
            "update_pipeline_request.json#/privacy",
        ),
        ("PipelineUpdate", "update_pipeline_request.json"),
        ("Contact", "contact_full.json"),
        ("ContactCreate", "create_contact_request.json"),
        ("ContactUpdate", "update_contact_request.json"),
        ("CustomField", "custom_field_full.json"),
        ("CustomFieldOption", "custom_field_full.json#/options/0"),
        ("Product", "product_full.json"),
        ("ProductCreate", "create_product_request.json"),
        ("ProductUpdate", "update_product_request.json"),
        ("Tag", "tag_full.json"),
        ("TagCreate", "create_tag_request.json"),
        ("TagUpdate", "update_tag_request.json"),
        ("Campaign", "campaign_full.json"),
        ("CampaignResultCounts", "campaign_full.json#/resultCounts"),
        ("CampaignHealthCheck", "campaign_full.json#/healthCheckData"),
        ("CampaignCreate", "create_campaign_request.json"),
        ("CampaignUpdate", "update_campaign_request.json"),
        (
            "CampaignResultCountsInput",
            "update_campaign_request.json#/resultCounts",
        ),
        (
            "CampaignHealthCheckInput",
            "update_campaign_request.json#/healthCheckData",
        ),
        ("CampaignChunkLead", "campaign_chunk_leads.json#/0"),
        ("Session", "session_full.json"),
    ] {
        let (file, pointer) = fixture.split_once('#').unwrap_or((fixture, ""));
        let value = raw_fixture(file);
        let value = value.pointer(pointer).unwrap();
        let mut defined = schema_properties(schema);
        let mut set: Vec<String> = value
            .as_object()
            .unwrap()
            .keys()
            .filter(|key| defined.contains(key))
            .cloned()
            .collect();
        defined.sort_unstable();
        set.sort_unstable();
        assert_eq!(set, defined, "{fixture} against the spec's {schema}");
        spec()
            .schema(schema)
            .unwrap()
            .check(value)
            .unwrap_or_else(|v| panic!("{fixture} breaks the spec's {schema}: {v:?}"));
    }
}

/// The properties of `fixture` that `schema` does not define.
fn undocumented(schema: &str, fixture: &str) -> Vec<String> {
    let defined = schema_properties(schema);
    raw_fixture(fixture)
        .as_object()
        .unwrap()
        .keys()
        .filter(|key| !defined.contains(key))
        .cloned()
        .collect()
}

#[test]
fn the_open_resources_fixtures_also_carry_fields_the_spec_does_not_list() {
    // Campaign and session answers carry more than the reference lists
    // (a session, only its `id`), which the SDK must keep.
    for (schema, fixture) in [
        ("Campaign", "campaign_full.json"),
        ("Session", "session_full.json"),
    ] {
        assert!(!undocumented(schema, fixture).is_empty(), "{fixture}");
    }
}

#[test]
fn the_campaign_request_fixtures_carry_only_documented_fields() {
    // Campaign requests are typed as the reference's inputs: a field they do
    // not define would not be sent by the SDK, so no fixture may rely on one.
    for (schema, fixture) in [
        ("CampaignCreate", "create_campaign_request.json"),
        ("CampaignUpdate", "update_campaign_request.json"),
    ] {
        assert_eq!(
            undocumented(schema, fixture),
            Vec::<String>::new(),
            "{fixture}"
        );
    }
}

#[tokio::test]
async fn every_full_fixture_is_read_and_written_back_unchanged() {
    for resource in resources() {
        let full = resource.full();
        let read = resource.read_valid(&full).await;
        assert_eq!(read, full, "{}", resource.schema);
        assert_valid_response(resource.get, 200, &read);
    }
}

#[tokio::test]
async fn unknown_fields_are_ignored_or_kept_in_extra() {
    for resource in resources() {
        let full = resource.full();
        let mut body = full.clone();
        body["arquivadoEm"] = json!("2024-05-02T10:00:00Z");
        body["metricas"] = json!({ "visualizacoes": 3, "origem": ["api"] });

        let read = resource.read_valid(&body).await;

        if resource.keeps_unknown {
            assert_eq!(
                read, body,
                "{} keeps them, and writes them back",
                resource.schema
            );
        } else {
            assert_eq!(read, full, "{} ignores them", resource.schema);
        }
    }
}

#[tokio::test]
async fn optional_fields_may_be_absent() {
    for resource in resources() {
        let minimal = only_required(resource.schema, &resource.full());

        let read = resource.read_valid(&minimal).await;

        assert_eq!(read, minimal, "{}: nothing invented", resource.schema);
    }
}

#[tokio::test]
async fn every_optional_field_may_be_null() {
    for resource in resources() {
        if schema_properties(resource.schema).len() == schema_required(resource.schema).len() {
            // Only `Session`, whose one documented field is its required
            // `id`: a `null` anywhere else is an undocumented field, kept as
            // it came (`session_fields_are_kept_exactly_as_they_came`).
            assert_eq!(resource.schema, "Session");
            continue;
        }
        let full = resource.full();
        let body = optional_nulled(resource.schema, &full);
        assert!(
            body.as_object().unwrap().values().any(Value::is_null),
            "{}",
            resource.schema
        );

        let read = resource.read_valid(&body).await;

        assert_eq!(
            read,
            only_required(resource.schema, &full),
            "{}: nulls read as absent, and are not written back",
            resource.schema
        );
    }
}

#[tokio::test]
async fn a_missing_required_field_is_an_invalid_response_naming_it() {
    for resource in resources() {
        for field in schema_required(resource.schema) {
            let mut body = resource.full();
            body.as_object_mut().unwrap().remove(&field);
            assert!(
                !response_violations(resource.get, 200, &body).is_empty(),
                "the spec refuses a {} without {field}",
                resource.schema
            );

            let error = resource.read(&body).await.unwrap_err();

            assert!(
                matches!(error, KinboxError::InvalidResponse { .. }),
                "{} without {field}: {error:?}",
                resource.schema
            );
            assert!(error.to_string().contains(&format!("`{field}`")), "{error}");
        }
    }
}

#[test]
fn every_documented_value_of_the_open_enums_is_known() {
    fn check<T>(schema: &str)
    where
        T: serde::de::DeserializeOwned + std::fmt::Display + std::fmt::Debug,
    {
        let values = spec().document()["components"]["schemas"][schema]["enum"]
            .as_array()
            .unwrap_or_else(|| panic!("{schema} is an enum"));
        assert!(!values.is_empty());
        for value in values {
            let read: OrOther<T> = serde_json::from_value(value.clone()).unwrap();
            assert!(
                matches!(read, OrOther::Known(_)),
                "{schema}: {value} -> {read:?}"
            );
            assert_eq!(read.to_string(), value.as_str().unwrap());
        }
    }
    check::<PrivacyType>("PrivacyType");
    check::<CustomFieldEntity>("CustomFieldEntity");
    check::<CustomFieldType>("CustomFieldType");
    check::<CampaignStatus>("CampaignStatus");
}

// --- Pipelines ------------------------------------------------------------------

const PIPELINE: &str = "/v1/pipelines/65f0c0ffee0000000000aaaa";

#[tokio::test]
async fn a_pipeline_is_read_field_by_field() {
    let (_server, client) = serving(
        PIPELINE,
        &response_fixture("pipeline_full.json", "get_pipeline", 200),
    )
    .await;

    let pipeline = client
        .get_pipeline()
        .id("65f0c0ffee0000000000aaaa")
        .send()
        .await
        .unwrap()
        .into_inner();

    assert_eq!(pipeline.id, "65f0c0ffee0000000000aaaa");
    assert_eq!(pipeline.name, "Vendas");
    assert_eq!(pipeline.position, 1.0);
    let stages: Vec<(&str, &str)> = pipeline
        .stages
        .iter()
        .map(|s| (s.id.as_str(), s.name.as_str()))
        .collect();
    assert_eq!(
        stages,
        [
            ("65f0c0ffee0000000000bba1", "Qualificação"),
            ("65f0c0ffee0000000000bbbb", "Proposta"),
            ("65f0c0ffee0000000000bba3", "Fechamento"),
        ]
    );
    assert_eq!(pipeline.stages[1].color.as_deref(), Some("#2196F3"));
    assert_eq!(pipeline.stages[1].requireds, Some(vec![json!("cpf")]));
    // Answers read `requireds` items as any JSON.
    assert_eq!(
        pipeline.stages[2].requireds,
        Some(vec![
            json!({ "customFieldId": 12, "placeholder": "formaPagamento" })
        ])
    );
    assert_eq!(pipeline.rules[0].rule_id, "max-deals-in-stage");
    assert_eq!(pipeline.rules[0].max, 50.0);
    assert_eq!(
        pipeline.rules[0].stage_id.as_deref(),
        Some("65f0c0ffee0000000000bbbb")
    );
    let cadence = &pipeline.cadence.as_ref().unwrap()[0];
    assert_eq!(cadence.stage_id, "65f0c0ffee0000000000bbbb");
    assert_eq!(cadence.id.as_deref(), Some("65f0c0ffee0000000000c0a1"));
    assert_eq!(
        cadence.task.as_ref().unwrap()["title"],
        "Ligar para o cliente"
    );
    assert_eq!(
        pipeline.lost_reasons.as_deref().unwrap(),
        [
            "Preço acima do orçamento",
            "Fechou com a concorrência",
            "Sem retorno do cliente"
        ]
    );
    assert_eq!(
        pipeline.required_custom_field_ids,
        Some(vec!["12".to_owned(), "15".to_owned()])
    );
    assert_eq!(
        pipeline.privacy,
        Some(PipelinePrivacy {
            type_: OrOther::Known(PrivacyType::Team),
            group_ids: Some(vec!["7".to_owned(), "9".to_owned()]),
            user_id: Some("42".to_owned()),
        })
    );
    assert_eq!(pipeline.author_id, Some(json!(42)));
}

#[tokio::test]
async fn unknown_fields_inside_a_pipeline_are_ignored() {
    let full = response_fixture("pipeline_full.json", "get_pipeline", 200);
    let mut body = full.clone();
    body["stages"][0]["dealCount"] = json!(12);
    body["rules"][0]["unit"] = json!("deals");
    body["cadence"][0]["createdAt"] = json!("2024-01-02T10:00:00Z");
    body["privacy"]["updatedBy"] = json!(42);
    assert_valid_response("get_pipeline", 200, &body);
    let (_server, client) = serving(PIPELINE, &body).await;

    let pipeline = client
        .get_pipeline()
        .id("65f0c0ffee0000000000aaaa")
        .send()
        .await
        .unwrap()
        .into_inner();

    assert_eq!(serde_json::to_value(&pipeline).unwrap(), full);
}

#[tokio::test]
async fn an_unknown_privacy_type_is_kept_and_pipeline_ids_are_read_as_text() {
    // The reference types the privacy's group and user ids, and the required
    // custom field ids, as strings: they are kept exactly as they came.
    let mut body = response_fixture("pipeline_full.json", "get_pipeline", 200);
    body["privacy"] = json!({
        "type": "organization",
        "groupIds": ["7", "65f0c0ffee0000000000a009"],
        "userId": "42"
    });
    body["requiredCustomFieldIds"] = json!(["12", "65f0c0ffee0000000000f015"]);
    assert_valid_response("get_pipeline", 200, &body);
    let (_server, client) = serving(PIPELINE, &body).await;

    let pipeline = client
        .get_pipeline()
        .id("65f0c0ffee0000000000aaaa")
        .send()
        .await
        .unwrap()
        .into_inner();

    let privacy = pipeline.privacy.as_ref().unwrap();
    assert_eq!(privacy.type_, OrOther::Other("organization".to_owned()));
    assert_eq!(
        privacy.group_ids,
        Some(vec!["7".to_owned(), "65f0c0ffee0000000000a009".to_owned()])
    );
    assert_eq!(privacy.user_id.as_deref(), Some("42"));
    assert_eq!(
        pipeline.required_custom_field_ids,
        Some(vec!["12".to_owned(), "65f0c0ffee0000000000f015".to_owned()])
    );
    let written = serde_json::to_value(&pipeline).unwrap();
    assert_eq!(written["privacy"], body["privacy"]);
    assert_eq!(
        written["requiredCustomFieldIds"],
        body["requiredCustomFieldIds"]
    );
    assert_eq!(written, body);
}

// --- Contacts -------------------------------------------------------------------

#[tokio::test]
async fn a_contact_is_read_field_by_field() {
    let (_server, client) = serving(
        "/v1/contacts/123456",
        &response_fixture("contact_full.json", "get_contact", 200),
    )
    .await;

    let contact = client
        .get_contact()
        .id(123456)
        .send()
        .await
        .unwrap()
        .into_inner();

    assert_eq!(contact.id, Id::new(123456));
    assert_eq!(contact.name.as_deref(), Some("Maria da Silva"));
    assert_eq!(contact.email.as_deref(), Some("maria.silva@example.com.br"));
    assert_eq!(contact.phone.as_deref(), Some("5585997281648"));
    assert_eq!(contact.external_id.as_deref(), Some("ERP-CLI-000981"));
    assert_eq!(contact.origin.as_deref(), Some("WhatsApp"));
    assert_eq!(contact.location.as_ref().unwrap()["city"], "Fortaleza");
    assert_eq!(
        contact.avatar.as_deref(),
        Some("https://cdn.kinbox.com.br/avatars/123456.jpg")
    );
    assert_eq!(contact.facebook_id.as_deref(), Some("100004567890123"));
    assert_eq!(contact.instagram_id.as_deref(), Some("mariadasilva.ce"));
    assert_eq!(contact.telegram_id.as_deref(), Some("mariadasilva"));
    assert_eq!(
        contact.notes.as_deref(),
        Some("Prefere contato pela manhã.")
    );
    assert_eq!(
        (
            contact.is_imported,
            contact.has_conversation,
            contact.new_contact,
            contact.is_private
        ),
        (Some(false), Some(true), Some(false), Some(false))
    );
    let fields = contact.custom_fields.as_ref().unwrap();
    assert_eq!(fields.value("cpf"), Some(&json!("060.715.303-54")));
    assert_eq!(fields["dataNascimento"].type_.as_deref(), Some("date"));
    assert_eq!(contact.crm_data.as_ref().unwrap()["score"], 87);
    assert_eq!(contact.created_at, Some(at("2023-11-07T05:31:56Z")));
}

#[tokio::test]
async fn a_contact_id_may_be_a_numeric_string_and_location_any_json() {
    let mut body = response_fixture("contact_full.json", "get_contact", 200);
    body["id"] = json!("123");
    body["location"] = json!("Fortaleza - CE");
    assert_valid_response("get_contact", 200, &body);
    let (_server, client) = serving("/v1/contacts/123", &body).await;

    let contact = client
        .get_contact()
        .id(123)
        .send()
        .await
        .unwrap()
        .into_inner();

    assert_eq!(contact.id, Id::new(123));
    assert_eq!(contact.id.get(), 123);
    assert_eq!(contact.location, Some(json!("Fortaleza - CE")));
    assert_eq!(serde_json::to_value(&contact).unwrap()["id"], json!(123));
}

// --- Custom fields --------------------------------------------------------------

#[tokio::test]
async fn a_custom_field_is_read_field_by_field() {
    let (_server, client) = serving(
        "/v1/custom-fields/12",
        &response_fixture("custom_field_full.json", "get_custom_field", 200),
    )
    .await;

    let field = client
        .get_custom_field()
        .id(12)
        .send()
        .await
        .unwrap()
        .into_inner();

    assert_eq!(field.id, Id::new(12));
    assert_eq!(field.name, "Forma de pagamento");
    assert_eq!(
        field.description.as_deref(),
        Some("Como o cliente vai pagar o pedido")
    );
    assert_eq!(field.placeholder.as_deref(), Some("formaPagamento"));
    assert_eq!(field.entity, Some(OrOther::Known(CustomFieldEntity::Deal)));
    assert_eq!(field.type_, OrOther::Known(CustomFieldType::Select));
    let options: Vec<(&str, Option<&str>)> = field
        .options
        .iter()
        .flatten()
        .map(|o| (o.value.as_str(), o.label.as_deref()))
        .collect();
    assert_eq!(
        options,
        [
            ("pix", Some("Pix")),
            ("boleto", Some("Boleto bancário")),
            ("cartao", Some("Cartão de crédito")),
        ]
    );
    assert_eq!(field.position, Some(3.0));
    assert_eq!(
        [
            field.is_active,
            field.is_deleted,
            field.invisible,
            field.is_unique_identifier,
            field.is_integration,
            field.show_always,
            field.required_to_resolve,
            field.reset_on_new_call,
        ],
        [
            Some(true),
            Some(false),
            Some(false),
            Some(false),
            Some(false),
            Some(true),
            Some(false),
            Some(false)
        ]
    );
}

#[tokio::test]
async fn unknown_custom_field_types_and_entities_are_kept_and_written_back() {
    let mut body = response_fixture("custom_field_full.json", "get_custom_field", 200);
    body["id"] = json!("12");
    body["type"] = json!("currency");
    body["entity"] = json!("ticket");
    body["options"][0]["color"] = json!("#00BFA5");
    assert_valid_response("get_custom_field", 200, &body);
    let (_server, client) = serving("/v1/custom-fields/12", &body).await;

    let field = client
        .get_custom_field()
        .id(12)
        .send()
        .await
        .unwrap()
        .into_inner();

    assert_eq!(field.id, Id::new(12));
    assert_eq!(field.type_, OrOther::Other("currency".to_owned()));
    assert_eq!(field.entity, Some(OrOther::Other("ticket".to_owned())));
    assert_eq!(field.type_.to_string(), "currency");
    let mut expected = raw_fixture("custom_field_full.json");
    expected["type"] = json!("currency");
    expected["entity"] = json!("ticket");
    assert_eq!(serde_json::to_value(&field).unwrap(), expected);
}

// --- Products -------------------------------------------------------------------

#[tokio::test]
async fn a_product_is_read_field_by_field() {
    let (_server, client) = serving(
        "/v1/products/external/SKU-CLR-001",
        &response_fixture("product_full.json", "get_product_by_external_id", 200),
    )
    .await;

    let product = client
        .get_product_by_external_id()
        .external_id("SKU-CLR-001")
        .send()
        .await
        .unwrap()
        .into_inner();

    assert_eq!(product.id, "65f0c0ffee0000000000cccc");
    assert_eq!(product.name, "Clareamento dental");
    assert_eq!(
        product.description.as_deref(),
        Some("Clareamento a laser, sessão única de 60 minutos")
    );
    assert_eq!(product.price, 945.25);
    assert_eq!(product.external_id.as_deref(), Some("SKU-CLR-001"));
    assert_eq!(product.is_active, Some(true));
    let fields = product.custom_fields.as_ref().unwrap();
    assert_eq!(fields.value("categoria"), Some(&json!("Estética")));
    assert_eq!(fields.value("duracaoMinutos"), Some(&json!(60)));
}

#[tokio::test]
async fn a_whole_number_price_is_read() {
    let mut body = response_fixture("product_full.json", "get_product", 200);
    body["price"] = json!(180);
    assert_valid_response("get_product", 200, &body);
    let (_server, client) = serving("/v1/products/65f0c0ffee0000000000cccc", &body).await;

    let product = client
        .get_product()
        .id("65f0c0ffee0000000000cccc")
        .send()
        .await
        .unwrap()
        .into_inner();

    assert_eq!(product.price, 180.0);
}

// --- Tags -----------------------------------------------------------------------

#[tokio::test]
async fn a_tag_is_read_field_by_field() {
    let (_server, client) = serving(
        "/v1/tags/7",
        &response_fixture("tag_full.json", "get_tag", 200),
    )
    .await;

    let tag = client.get_tag().id(7).send().await.unwrap().into_inner();

    assert_eq!(tag.id, Id::new(7));
    assert_eq!(tag.name, "Cliente VIP");
    assert_eq!(tag.color.as_deref(), Some("#FFC107"));
    assert_eq!(
        tag.privacy,
        Some(TagPrivacy {
            type_: Some(OrOther::Known(PrivacyType::Team)),
            group_ids: Some(vec!["7".to_owned()]),
            user_id: None,
        })
    );
    assert_eq!(tag.author_id, Some(json!(42)));
}

#[tokio::test]
async fn a_tag_id_may_be_a_numeric_string() {
    let mut body = response_fixture("tag_full.json", "get_tag", 200);
    body["id"] = json!("7");
    body["authorId"] = json!("42");
    assert_valid_response("get_tag", 200, &body);
    let (_server, client) = serving("/v1/tags/7", &body).await;

    let tag = client.get_tag().id(7).send().await.unwrap().into_inner();

    assert_eq!(tag.id, Id::new(7));
    // `authorId` is free-form: kept as it came.
    assert_eq!(tag.author_id, Some(json!("42")));
    assert_eq!(serde_json::to_value(&tag).unwrap()["id"], json!(7));
}

// --- Campaigns ------------------------------------------------------------------

const CAMPAIGN: &str = "/v1/campaigns/65f0c0ffee0000000000dd01";

#[tokio::test]
async fn a_campaign_is_read_with_its_undocumented_fields() {
    let (_server, client) = serving(
        CAMPAIGN,
        &response_fixture("campaign_full.json", "get_campaign", 200),
    )
    .await;

    let campaign = client
        .get_campaign()
        .id("65f0c0ffee0000000000dd01")
        .send()
        .await
        .unwrap()
        .into_inner();

    assert_eq!(campaign.id, "65f0c0ffee0000000000dd01");
    assert_eq!(campaign.name, "Black Friday 2024 — Clínica Sorriso");
    assert_eq!(
        campaign.status,
        Some(OrOther::Known(CampaignStatus::Executing))
    );
    assert_eq!(
        campaign.channel_id.as_deref(),
        Some("65f0c0ffee0000000000c401")
    );
    assert_eq!(campaign.channel_ids.as_ref().map(Vec::len), Some(2));
    assert_eq!(campaign.operator_id.as_deref(), Some("42"));
    assert_eq!(
        campaign.channel_type,
        Some(OrOther::Known(CampaignChannelType::X1))
    );
    assert_eq!(
        campaign.lead_type,
        Some(OrOther::Known(CampaignLeadType::File))
    );
    assert_eq!(campaign.scheduled_to, Some(at("2024-11-29T12:00:00Z")));
    assert_eq!(campaign.next_scheduled_to, Some(at("2024-11-29T14:00:00Z")));
    assert_eq!(
        campaign.finished_at_prediction,
        Some(at("2024-11-29T18:30:00Z"))
    );
    assert_eq!(campaign.leads_count, Some(1500.0));
    assert_eq!(campaign.track_max_hours, Some(96.0));
    assert_eq!(campaign.progress, Some(41.3));
    assert_eq!(
        campaign.template.as_ref().unwrap()["name"],
        "promo_black_friday"
    );
    let counts = campaign.result_counts.as_ref().unwrap();
    assert_eq!(
        (
            counts.sent,
            counts.received,
            counts.read,
            counts.answered,
            counts.chunks_executed
        ),
        (Some(620.0), Some(598.0), Some(410.0), Some(57.0), Some(6.0))
    );
    let health = campaign.health_check_data.as_ref().unwrap();
    assert_eq!(health.health_check_executions, Some(12.0));
    assert_eq!(
        health.last_health_check_at,
        Some(at("2024-11-29T13:02:11Z"))
    );
    // What the reference does not list is kept in `extra`.
    assert_eq!(campaign.extra["createdAt"], "2024-11-20T17:45:00Z");
    assert_eq!(campaign.extra["filters"]["tagIds"], json!([7]));
    assert_eq!(campaign.extra.len(), 2, "{:?}", campaign.extra);
    // The documented fields are not repeated in `extra`.
    assert!(!campaign.extra.contains_key("status"));
    assert!(!campaign.extra.contains_key("id"));
    assert!(!campaign.extra.contains_key("resultCounts"));
}

#[tokio::test]
async fn an_unknown_campaign_status_is_kept_and_written_back() {
    let mut body = response_fixture("campaign_full.json", "get_campaign", 200);
    body["status"] = json!("awaiting-approval");
    assert_valid_response("get_campaign", 200, &body);
    let (_server, client) = serving(CAMPAIGN, &body).await;

    let campaign = client
        .get_campaign()
        .id("65f0c0ffee0000000000dd01")
        .send()
        .await
        .unwrap()
        .into_inner();

    assert_eq!(
        campaign.status,
        Some(OrOther::Other("awaiting-approval".to_owned()))
    );
    assert!(!campaign.extra.contains_key("status"));
    assert_eq!(serde_json::to_value(&campaign).unwrap(), body);
}

#[test]
fn every_campaign_status_of_the_reference_is_known() {
    for (text, status) in [
        ("processing", CampaignStatus::Processing),
        ("scheduled", CampaignStatus::Scheduled),
        ("executing", CampaignStatus::Executing),
        ("paused", CampaignStatus::Paused),
        ("awaiting-chunk", CampaignStatus::AwaitingChunk),
        (
            "awaiting-business-hours",
            CampaignStatus::AwaitingBusinessHours,
        ),
        (
            "awaiting-other-campaign",
            CampaignStatus::AwaitingOtherCampaign,
        ),
        ("canceled", CampaignStatus::Canceled),
        ("failed", CampaignStatus::Failed),
        ("done", CampaignStatus::Done),
        ("done-sent", CampaignStatus::DoneSent),
    ] {
        let body = json!({
            "id": "65f0c0ffee0000000000dd01",
            "name": "Black Friday 2024",
            "status": text
        });
        assert_valid_response("pause_campaign", 200, &body);
        let campaign: kinbox_api::types::Campaign = serde_json::from_value(body).unwrap();
        assert_eq!(campaign.status, Some(OrOther::Known(status)), "{text}");
    }
}

#[tokio::test]
async fn chunk_leads_are_read_whole_whatever_their_fields() {
    let leads = response_fixture(
        "campaign_chunk_leads.json",
        "list_campaign_chunk_leads",
        200,
    );
    let (_server, client) = serving(format!("{CAMPAIGN}/chunk-leads").as_str(), &leads).await;

    let read: Vec<CampaignChunkLead> = client
        .list_campaign_chunk_leads()
        .id("65f0c0ffee0000000000dd01")
        .send()
        .await
        .unwrap()
        .into_inner();

    assert_eq!(read.len(), 2);
    assert_eq!(read[0].number.as_deref(), Some("5585997281648"));
    assert_eq!(read[0].placeholders, Some(vec!["Maria".to_owned()]));
    assert_eq!(read[0].sent_at, Some(at("2024-11-29T12:00:04.016Z")));
    assert_eq!(read[1].status.as_deref(), Some("read"));
    // What the reference's example does not show is kept in `extra`.
    assert_eq!(read[1].extra["answered"], true);
    assert_eq!(read[1].extra["callId"], "98765");
    assert!(!read[1].extra.contains_key("number"));
    assert_eq!(serde_json::to_value(&read).unwrap(), leads);

    // A lead shaped otherwise is read too, whole.
    let other = json!([{ "contactId": 123456, "name": "Maria da Silva", "chunk": 1 }]);
    assert_valid_response("list_campaign_chunk_leads", 200, &other);
    let read: Vec<CampaignChunkLead> = serde_json::from_value(other.clone()).unwrap();
    assert_eq!(read[0].number, None);
    assert_eq!(read[0].extra["name"], "Maria da Silva");
    assert_eq!(serde_json::to_value(&read).unwrap(), other);
}

// --- Sessions -------------------------------------------------------------------

#[tokio::test]
async fn a_session_is_read_with_its_undocumented_fields() {
    let (_server, client) = serving(
        "/v1/sessions/98765",
        &response_fixture("session_full.json", "get_session", 200),
    )
    .await;

    let session = client
        .get_session()
        .id("98765")
        .send()
        .await
        .unwrap()
        .into_inner();

    // The reference documents only the `id`; everything else is in `extra`.
    assert_eq!(session.id, "65f0c0ffee0000000000ee01");
    assert_eq!(session.extra["contactId"], 123456);
    assert_eq!(session.extra["campaignId"], "65f0c0ffee0000000000dd01");
    assert_eq!(session.extra["callId"], 98765);
    assert_eq!(session.extra["createdAt"], "2024-03-18T13:58:00Z");
    assert_eq!(session.extra["updatedAt"], "2024-03-18T14:20:31Z");
    assert_eq!(session.extra["status"], "resolved");
    assert_eq!(session.extra["channel"], "whatsapp");
    assert_eq!(session.extra["protocol"], "20240318-000123");
    assert!(!session.extra.contains_key("id"));
}

#[tokio::test]
async fn session_fields_are_kept_exactly_as_they_came() {
    // Ids as numeric strings and dates with offsets are not normalised: the
    // SDK has no type for them, so it writes back what it read.
    let mut body = response_fixture("session_full.json", "get_session", 200);
    body["contactId"] = json!("123456");
    body["callId"] = json!("98765");
    body["updatedAt"] = json!("2024-03-18T11:20:31.500-03:00");
    body["rating"] = json!({ "score": 5, "comment": null });
    body["closedAt"] = Value::Null;
    assert_valid_response("get_session", 200, &body);
    let (_server, client) = serving("/v1/sessions/98765", &body).await;

    let session = client
        .get_session()
        .id("98765")
        .send()
        .await
        .unwrap()
        .into_inner();

    assert_eq!(session.extra["contactId"], "123456");
    assert_eq!(session.extra["callId"], "98765");
    assert_eq!(session.extra["updatedAt"], "2024-03-18T11:20:31.500-03:00");
    assert_eq!(session.extra["rating"]["comment"], Value::Null);
    assert_eq!(session.extra.get("closedAt"), Some(&Value::Null));
    assert_eq!(serde_json::to_value(&session).unwrap(), body);
}
