use kinbox_api::types::{CampaignCreate, CampaignStatus, CampaignUpdate};
use kinbox_api::{ErrorKind, OrOther};
use kinbox_sandbox::{Sandbox, seeded};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::{assert_conforms, call};

fn status(campaign: &kinbox_api::types::Campaign) -> Option<OrOther<CampaignStatus>> {
    campaign.status.clone()
}

#[tokio::test]
async fn pause_and_resume_set_the_status() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox.client();
    let created = client
        .create_campaign()
        .body(CampaignCreate::builder().name("Natal 2024"))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let created = created.into_inner();
    assert_eq!(
        status(&created),
        Some(OrOther::Known(CampaignStatus::Processing))
    );

    let paused = client
        .pause_campaign()
        .id(&created.id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        status(&paused),
        Some(OrOther::Known(CampaignStatus::Paused))
    );
    let resumed = client
        .resume_campaign()
        .id(&created.id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        status(&resumed),
        Some(OrOther::Known(CampaignStatus::Executing))
    );
    let fetched = client.get_campaign().id(&created.id).send().await.unwrap();
    assert_eq!(*fetched, *resumed);

    let leads = client
        .list_campaign_chunk_leads()
        .id(&created.id)
        .send()
        .await
        .unwrap();
    assert!(leads.is_empty());
    let seeded_leads = client
        .list_campaign_chunk_leads()
        .id(seeded::CAMPAIGNS[0])
        .send()
        .await
        .unwrap();
    assert_eq!(seeded_leads.len(), 2);

    client
        .delete_campaign()
        .id(&created.id)
        .send()
        .await
        .unwrap();
    for error in [
        client
            .pause_campaign()
            .id(&created.id)
            .send()
            .await
            .map(drop),
        client
            .resume_campaign()
            .id(&created.id)
            .send()
            .await
            .map(drop),
        client
            .list_campaign_chunk_leads()
            .id(&created.id)
            .send()
            .await
            .map(drop),
    ] {
        assert_eq!(error.unwrap_err().kind(), ErrorKind::NotFound);
    }
}

#[tokio::test]
async fn documented_fields_are_kept_and_the_status_is_the_servers() {
    let sandbox = Sandbox::start().await.unwrap();
    let body = json!({
        "name": "Boas-vindas", "channelId": "12", "leadType": "file", "id": "forged"
    })
    .to_string();
    let created = call(&sandbox, Method::POST, "/v1/campaigns", Some(&body)).await;
    assert_conforms("create_campaign", created.status, &created.body);
    assert_eq!(created.body["channelId"], "12");
    assert_eq!(created.body["leadType"], "file");
    assert_eq!(created.body["status"], "processing");
    let id = created.body["id"].as_str().unwrap();
    assert_ne!(id, "forged");

    let client = sandbox.client();
    let update = CampaignUpdate::builder()
        .name(Some("Boas-vindas v2".to_owned()))
        .status(Some(CampaignStatus::Done));
    let updated = client
        .update_campaign()
        .id(id)
        .body(update)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(updated.name, "Boas-vindas v2");
    assert_eq!(
        status(&updated),
        Some(OrOther::Known(CampaignStatus::Processing))
    );

    let page = call(&sandbox, Method::GET, "/v1/campaigns?limit=2", None).await;
    assert_conforms("list_campaigns", page.status, &page.body);
    assert_eq!(page.body["data"][0]["id"], seeded::CAMPAIGNS[0]);
    let next = page.body["nextCursor"].as_str().unwrap();
    let rest = call(
        &sandbox,
        Method::GET,
        &format!("/v1/campaigns?cursor={next}"),
        None,
    )
    .await;
    assert_eq!(rest.body["data"][0]["id"], id);
    assert_eq!(rest.body["nextCursor"], json!(null));
}
