use std::num::NonZeroU32;

use kinbox_api::ErrorKind;
use kinbox_api::types::{ContactCreate, ContactUpdate, CustomFieldsInput};
use kinbox_sandbox::{Sandbox, seeded};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::{assert_conforms, call, deal};

fn contact(name: &str, phone: &str) -> kinbox_api::types::builder::ContactCreate {
    ContactCreate::builder()
        .name(Some(name.to_owned()))
        .phone(Some(phone.to_owned()))
        .custom_fields(CustomFieldsInput::new())
}

#[tokio::test]
async fn seeded_contacts_are_found_by_phone_and_email() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox.client();
    let by_phone = client
        .list_contacts()
        .phone("5585997281648")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(by_phone.data.len(), 1);
    let maria = &by_phone.data[0];
    assert_eq!(maria.id.get(), seeded::CONTACTS[0]);
    assert_eq!(maria.name.as_deref(), Some("Maria Oliveira"));
    let by_email = client
        .list_contacts()
        .email("joao.santos@example.com")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(by_email.data[0].id.get(), seeded::CONTACTS[1]);
    let nobody = client
        .list_contacts()
        .phone("5500000000000")
        .send()
        .await
        .unwrap();
    assert!(nobody.data.is_empty() && nobody.next_cursor.is_none());
}

#[tokio::test]
async fn created_contacts_count_up_page_by_cursor_and_filter_by_creation() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox.client();
    let before = chrono::Utc::now();
    let mut created = Vec::new();
    for n in 0..4 {
        let contact = client
            .create_contact()
            .body(contact(
                &format!("Cliente {n}"),
                &format!("55859900000{n:02}"),
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(contact.status(), StatusCode::CREATED);
        created.push(contact.into_inner().id.get());
    }
    assert_eq!(
        created,
        [1004, 1005, 1006, 1007],
        "after the seeded 1001–1003"
    );

    let mut seen = Vec::new();
    let mut cursor: Option<kinbox_api::PageCursor> = None;
    loop {
        let mut request = client.list_contacts().limit(NonZeroU32::new(3).unwrap());
        if let Some(cursor) = cursor.take() {
            request = request.cursor(cursor.to_string());
        }
        let page = request.send().await.unwrap().into_inner();
        seen.extend(page.data.iter().map(|c| c.id.get()));
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(seen, [1001, 1002, 1003, 1004, 1005, 1006, 1007]);

    let recent = client
        .list_contacts()
        .created_at_from(before)
        .limit(NonZeroU32::new(100).unwrap())
        .send()
        .await
        .unwrap()
        .into_inner();
    let recent: Vec<i64> = recent.data.iter().map(|c| c.id.get()).collect();
    assert_eq!(recent, created);
    let old = client
        .list_contacts()
        .created_at_to(
            "2024-03-05T12:00:00Z"
                .parse::<chrono::DateTime<chrono::Utc>>()
                .unwrap(),
        )
        .send()
        .await
        .unwrap()
        .into_inner();
    let old: Vec<i64> = old.data.iter().map(|c| c.id.get()).collect();
    assert_eq!(old, seeded::CONTACTS[..2]);
}

#[tokio::test]
async fn update_merges_and_unknown_ids_are_404() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox.client();
    let updated = client
        .update_contact()
        .id(seeded::CONTACTS[2])
        .body(ContactUpdate::builder().notes(Some("Prefere contato por e-mail".to_owned())))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(updated.notes.as_deref(), Some("Prefere contato por e-mail"));
    assert_eq!(updated.name.as_deref(), Some("Construtora Horizonte Ltda"));
    for error in [
        client.get_contact().id(999_999).send().await.map(drop),
        client
            .update_contact()
            .id(999_999)
            .body(ContactUpdate::builder())
            .send()
            .await
            .map(drop),
    ] {
        assert_eq!(error.unwrap_err().kind(), ErrorKind::NotFound);
    }
    let not_a_number = call(&sandbox, Method::GET, "/v1/contacts/maria", None).await;
    assert_eq!(not_a_number.status, StatusCode::BAD_REQUEST);
    assert_conforms("get_contact", not_a_number.status, &not_a_number.body);
    assert_eq!(not_a_number.error_paths(), ["path.id"]);
    let no_delete = call(&sandbox, Method::DELETE, "/v1/contacts/1001", None).await;
    assert_eq!(no_delete.status, StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn a_created_deal_shows_its_contact_and_an_update_keeps_the_one_given() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox.client();
    let body: kinbox_api::types::builder::DealCreate =
        deal("Pedido").contact_id(seeded::CONTACTS[0]);
    let created = client
        .create_deal()
        .body(body)
        .send()
        .await
        .unwrap()
        .into_inner();
    let contact = created.contact.unwrap();
    assert_eq!(contact.id.get(), seeded::CONTACTS[0]);
    assert_eq!(contact.name.as_deref(), Some("Maria Oliveira"));
    assert_eq!(contact.phone.as_deref(), Some("5585997281648"));
    assert_eq!(contact.email.as_deref(), Some("maria.oliveira@example.com"));

    let raw = call(
        &sandbox,
        Method::PATCH,
        &format!("/v1/deals/{}", created.id),
        Some(&json!({"contact": {"id": 42, "name": "Ana", "avatar": "", "phone": "55", "email": ""}}).to_string()),
    )
    .await;
    assert_conforms("update_deal", raw.status, &raw.body);
    assert_eq!(
        raw.body["contact"],
        json!({"id": 42, "name": "Ana", "avatar": "", "phone": "55", "email": ""}),
        "an update's contact is kept as given"
    );
}
