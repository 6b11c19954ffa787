//! Products and tags.

use kinbox_api::ErrorKind;
use kinbox_api::types::{CustomFieldsInput, ProductCreate, ProductUpdate, TagCreate, TagUpdate};
use kinbox_sandbox::{Sandbox, seeded};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::{assert_conforms, call};

#[tokio::test]
async fn products_are_found_by_id_and_external_id() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox.client();
    let created = client
        .create_product()
        .body(
            ProductCreate::builder()
                .name("Consultoria de implantação")
                .price(1500.0)
                .external_id(Some("CONSULT-01".to_owned()))
                .custom_fields(CustomFieldsInput::new()),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let created = created.into_inner();
    assert_eq!(created.is_active, Some(true));

    let by_external = client
        .get_product_by_external_id()
        .external_id("CONSULT-01")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(by_external, created);
    let seeded_pro = client
        .get_product_by_external_id()
        .external_id("PLANO-PRO")
        .send()
        .await
        .unwrap();
    assert_eq!(seeded_pro.id, seeded::PRODUCTS[1]);
    let unknown = client
        .get_product_by_external_id()
        .external_id("NOPE")
        .send()
        .await
        .unwrap_err();
    assert_eq!(unknown.kind(), ErrorKind::NotFound);

    let updated = client
        .update_product()
        .id(&created.id)
        .body(ProductUpdate::builder().price(1390.0).is_active(false))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!((updated.price, updated.is_active), (1390.0, Some(false)));
    client
        .delete_product()
        .id(&created.id)
        .send()
        .await
        .unwrap();
    let gone = client
        .get_product()
        .id(&created.id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(gone.kind(), ErrorKind::NotFound);
}

#[tokio::test]
async fn products_page_by_cursor() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox.client();
    for n in 0..3 {
        client
            .create_product()
            .body(
                ProductCreate::builder()
                    .name(format!("Item {n}"))
                    .price(10.0)
                    .custom_fields(CustomFieldsInput::new()),
            )
            .send()
            .await
            .unwrap();
    }
    let first = client
        .list_products()
        .limit(std::num::NonZeroU32::new(4).unwrap())
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(first.data.len(), 4);
    assert_eq!(first.data[0].id, seeded::PRODUCTS[0]);
    let rest = client
        .list_products()
        .cursor(first.next_cursor.unwrap().to_string())
        .send()
        .await
        .unwrap()
        .into_inner();
    let names: Vec<&str> = rest.data.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["Item 2"]);
    assert_eq!(rest.next_cursor, None);
}

fn public() -> kinbox_api::types::TagPrivacyInput {
    kinbox_api::types::TagPrivacyInput {
        type_: Some(kinbox_api::types::PrivacyType::Public),
        group_ids: None,
        user_id: None,
    }
}

#[tokio::test]
async fn tag_names_are_unique_in_the_workspace() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox.client();
    let created = client
        .create_tag()
        .body(
            TagCreate::builder()
                .name("Evento")
                .color("#9b59b6")
                .privacy(public()),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let created = created.into_inner();
    assert_eq!(created.id.get(), 204, "after the seeded 201–203");

    let duplicate = json!({
        "name": "Lead quente", "color": "#000000", "privacy": {"type": "public", "groupIds": []}
    })
    .to_string();
    let refused = call(&sandbox, Method::POST, "/v1/tags", Some(&duplicate)).await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert_conforms("create_tag", refused.status, &refused.body);
    let renamed = client
        .update_tag()
        .id(created.id.get())
        .body(TagUpdate::builder().name(Some("Indicação".to_owned())))
        .send()
        .await
        .unwrap_err();
    assert_eq!(renamed.status(), Some(StatusCode::CONFLICT));

    let recolored = client
        .update_tag()
        .id(created.id.get())
        .body(
            TagUpdate::builder()
                .name(Some("Evento".to_owned()))
                .color(Some("#000000".to_owned())),
        )
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(recolored.color.as_deref(), Some("#000000"));
    let names: Vec<String> = client
        .list_tags()
        .send()
        .await
        .unwrap()
        .into_inner()
        .into_iter()
        .map(|t| t.name)
        .collect();
    assert_eq!(names, ["Lead quente", "Indicação", "Recompra", "Evento"]);

    client
        .delete_tag()
        .id(created.id.get())
        .send()
        .await
        .unwrap();
    let gone = client
        .get_tag()
        .id(created.id.get())
        .send()
        .await
        .unwrap_err();
    assert_eq!(gone.kind(), ErrorKind::NotFound);
    // A deleted tag's name is free again.
    client
        .create_tag()
        .body(
            TagCreate::builder()
                .name("Evento")
                .color("#9b59b6")
                .privacy(public()),
        )
        .send()
        .await
        .unwrap();
}
