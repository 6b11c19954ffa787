//! The workspace a sandbox starts with: present, stable, spec-valid, and
//! absent when asked for an empty one.

use kinbox_sandbox::{Sandbox, seeded};
use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::common::{assert_conforms, call};

#[tokio::test]
async fn pipelines_stages_and_lost_reasons_are_there_to_resolve_names() {
    let sandbox = Sandbox::start().await.unwrap();
    let pipelines = sandbox
        .client()
        .list_pipelines()
        .send()
        .await
        .unwrap()
        .into_inner();
    let names: Vec<&str> = pipelines.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["Vendas", "Pós-venda"]);
    let vendas = &pipelines[0];
    assert_eq!(vendas.id, seeded::PIPELINE_VENDAS);
    let stages: Vec<(&str, &str)> = vendas
        .stages
        .iter()
        .map(|s| (s.id.as_str(), s.name.as_str()))
        .collect();
    assert_eq!(
        stages,
        seeded::STAGES_VENDAS
            .into_iter()
            .zip(["Prospecção", "Proposta", "Negociação", "Fechamento"])
            .collect::<Vec<_>>()
    );
    assert_eq!(
        vendas.lost_reasons.as_deref(),
        Some(&["Preço", "Concorrência", "Sem resposta"].map(String::from)[..])
    );
    assert_eq!(pipelines[1].id, seeded::PIPELINE_POS_VENDA);
}

#[tokio::test]
async fn deal_custom_fields_cover_the_common_types() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox.client();
    let fields = client
        .list_custom_fields()
        .send()
        .await
        .unwrap()
        .into_inner()
        .data;
    let shapes: Vec<(i64, String, String)> = fields
        .iter()
        .map(|f| {
            (
                f.id.get(),
                f.placeholder.clone().unwrap_or_default(),
                serde_json::to_value(&f.type_)
                    .unwrap()
                    .as_str()
                    .unwrap()
                    .to_owned(),
            )
        })
        .collect();
    let expected: Vec<(i64, String, String)> = seeded::CUSTOM_FIELDS
        .into_iter()
        .zip([
            ("cpf", "text"),
            ("idade", "number"),
            ("segmento", "select"),
            ("vip", "boolean"),
            ("data_evento", "date"),
        ])
        .map(|(id, (key, kind))| (id, key.to_owned(), kind.to_owned()))
        .collect();
    assert_eq!(shapes, expected);

    let segmento = client
        .get_custom_field()
        .id(seeded::CUSTOM_FIELDS[2])
        .send()
        .await
        .unwrap()
        .into_inner();
    let options: Vec<&str> = segmento
        .options
        .iter()
        .flatten()
        .map(|o| o.value.as_str())
        .collect();
    assert_eq!(options, ["varejo", "atacado", "servicos"]);
}

#[tokio::test]
async fn two_sandboxes_hold_the_same_workspace() {
    let (one, two) = (
        Sandbox::start().await.unwrap(),
        Sandbox::start().await.unwrap(),
    );
    for path in [
        "/v1/pipelines",
        "/v1/contacts",
        "/v1/custom-fields",
        "/v1/products",
        "/v1/tags",
        "/v1/campaigns",
        "/v1/sessions",
    ] {
        let (a, b) = (
            call(&one, Method::GET, path, None).await,
            call(&two, Method::GET, path, None).await,
        );
        assert_eq!(a.status, StatusCode::OK, "{path}");
        assert_eq!(a.body, b.body, "{path}");
    }
}

#[tokio::test]
async fn every_seeded_read_conforms_to_the_spec() {
    let sandbox = Sandbox::start().await.unwrap();
    let reads = [
        ("list_pipelines", "/v1/pipelines".to_owned()),
        (
            "get_pipeline",
            format!("/v1/pipelines/{}", seeded::PIPELINE_VENDAS),
        ),
        ("list_contacts", "/v1/contacts".to_owned()),
        (
            "get_contact",
            format!("/v1/contacts/{}", seeded::CONTACTS[0]),
        ),
        ("list_custom_fields", "/v1/custom-fields".to_owned()),
        (
            "get_custom_field",
            format!("/v1/custom-fields/{}", seeded::CUSTOM_FIELDS[4]),
        ),
        ("list_products", "/v1/products".to_owned()),
        (
            "get_product",
            format!("/v1/products/{}", seeded::PRODUCTS[0]),
        ),
        (
            "get_product_by_external_id",
            "/v1/products/external/PLANO-PRO".to_owned(),
        ),
        ("list_tags", "/v1/tags".to_owned()),
        ("get_tag", format!("/v1/tags/{}", seeded::TAGS[1])),
        ("list_campaigns", "/v1/campaigns".to_owned()),
        (
            "get_campaign",
            format!("/v1/campaigns/{}", seeded::CAMPAIGNS[0]),
        ),
        (
            "list_campaign_chunk_leads",
            format!("/v1/campaigns/{}/chunk-leads", seeded::CAMPAIGNS[0]),
        ),
        ("list_sessions", "/v1/sessions".to_owned()),
        (
            "get_session",
            format!("/v1/sessions/{}", seeded::SESSIONS[1]),
        ),
    ];
    for (operation, path) in reads {
        let answer = call(&sandbox, Method::GET, &path, None).await;
        assert_eq!(answer.status, StatusCode::OK, "{path}: {:#}", answer.body);
        assert_conforms(operation, answer.status, &answer.body);
        let empty = match &answer.body {
            Value::Array(items) => items.is_empty(),
            Value::Object(map) => map
                .get("data")
                .and_then(Value::as_array)
                .is_some_and(Vec::is_empty),
            _ => true,
        };
        assert!(!empty, "{path} is seeded");
    }
}

#[tokio::test]
async fn an_empty_sandbox_has_nothing() {
    let sandbox = Sandbox::builder().empty().start().await.unwrap();
    let client = sandbox.client();
    assert!(client.list_pipelines().send().await.unwrap().is_empty());
    assert!(client.list_tags().send().await.unwrap().is_empty());
    assert!(
        client
            .list_custom_fields()
            .send()
            .await
            .unwrap()
            .data
            .is_empty()
    );
    assert!(client.list_contacts().send().await.unwrap().data.is_empty());
    assert!(client.list_sessions().send().await.unwrap().data.is_empty());
    let contact = client
        .create_contact()
        .body(
            kinbox_api::types::ContactCreate::builder()
                .custom_fields(kinbox_api::types::CustomFieldsInput::new()),
        )
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(contact.id.get(), 1, "integer ids start at 1");
}
