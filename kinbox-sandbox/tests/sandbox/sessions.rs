use kinbox_api::ErrorKind;
use kinbox_sandbox::{Sandbox, seeded};
use reqwest::{Method, StatusCode};

use crate::common::{assert_conforms, call};

#[tokio::test]
async fn a_session_is_found_by_its_id_or_its_call_id() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox.client();
    let by_id = client
        .get_session()
        .id(seeded::SESSIONS[0])
        .send()
        .await
        .unwrap();
    let by_call = client
        .get_session()
        .id(seeded::CALL_IDS[0].to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(*by_id, *by_call);
    assert_eq!(by_id.extra["callId"], seeded::CALL_IDS[0]);
    let unknown = client.get_session().id("777").send().await.unwrap_err();
    assert_eq!(unknown.kind(), ErrorKind::NotFound);
}

#[tokio::test]
async fn lists_filter_by_campaign_contact_call_and_update_time() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox.client();
    let ids = |page: kinbox_api::types::SessionPage| -> Vec<String> {
        page.data.into_iter().map(|s| s.id).collect()
    };
    let all = client.list_sessions().send().await.unwrap().into_inner();
    assert_eq!(ids(all), seeded::SESSIONS);
    let by_campaign = client
        .list_sessions()
        .campaign_id(seeded::CAMPAIGNS[0])
        .send()
        .await
        .unwrap();
    assert_eq!(ids(by_campaign.into_inner()), [seeded::SESSIONS[0]]);
    let by_contact = client
        .list_sessions()
        .contact_id(seeded::CONTACTS[1])
        .send()
        .await
        .unwrap();
    assert_eq!(ids(by_contact.into_inner()), [seeded::SESSIONS[1]]);
    let by_call = client
        .list_sessions()
        .call_id(seeded::CALL_IDS[1])
        .send()
        .await
        .unwrap();
    assert_eq!(ids(by_call.into_inner()), [seeded::SESSIONS[1]]);
    let at = |text: &str| text.parse::<chrono::DateTime<chrono::Utc>>().unwrap();
    let later = client
        .list_sessions()
        .updated_at_from(at("2024-11-26T00:00:00Z"))
        .send()
        .await
        .unwrap();
    assert_eq!(ids(later.into_inner()), [seeded::SESSIONS[1]]);
    let earlier = client
        .list_sessions()
        .updated_at_to(at("2024-11-25T14:30:00Z"))
        .send()
        .await
        .unwrap();
    assert_eq!(ids(earlier.into_inner()), [seeded::SESSIONS[0]]);
    let paged = client
        .list_sessions()
        .limit(std::num::NonZeroU32::new(1).unwrap())
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        paged
            .next_cursor
            .map(|cursor| cursor.to_string())
            .as_deref(),
        Some(seeded::SESSIONS[0])
    );
}

#[tokio::test]
async fn sessions_are_read_only() {
    let sandbox = Sandbox::start().await.unwrap();
    let refused = call(&sandbox, Method::POST, "/v1/sessions", Some("{}")).await;
    assert_eq!(refused.status, StatusCode::METHOD_NOT_ALLOWED);
    let missing = call(&sandbox, Method::GET, "/v1/sessions/nope", None).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_conforms("get_session", missing.status, &missing.body);
}
