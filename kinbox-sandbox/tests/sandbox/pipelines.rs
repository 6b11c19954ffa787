use kinbox_api::ErrorKind;
use kinbox_api::types::{PipelineCreate, PipelineStageInput, PipelineUpdate};
use kinbox_sandbox::Sandbox;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::{assert_conforms, call};

/// A stage as the reference's input requires it: the client picks the id.
fn stage(id: &str, name: &str) -> PipelineStageInput {
    PipelineStageInput {
        id: id.to_owned(),
        name: name.to_owned(),
        color: "#cccccc".to_owned(),
        requireds: Vec::new(),
    }
}

#[tokio::test]
async fn create_keeps_the_stage_ids_given_then_update_delete_and_404() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox.client();
    let created = client
        .create_pipeline()
        .body(
            PipelineCreate::builder()
                .name("Licitações")
                .position(2.0)
                .stages(vec![
                    stage("6601a0000000000000000001", "Edital"),
                    stage("6601a0000000000000000002", "Proposta enviada"),
                ])
                .rules(Vec::new())
                .lost_reasons(vec!["Prazo".to_owned()]),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let created = created.into_inner();
    assert_eq!(created.id.len(), 24);
    assert_eq!(created.position, 2.0);
    assert!(created.rules.is_empty());
    let stage_ids: Vec<&str> = created.stages.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(
        stage_ids,
        ["6601a0000000000000000001", "6601a0000000000000000002"]
    );

    // Stages sent replace the list.
    let updated = client
        .update_pipeline()
        .id(&created.id)
        .body(PipelineUpdate::builder().stages(vec![
            stage(stage_ids[1], "Proposta enviada"),
            stage("6601a0000000000000000003", "Homologação"),
        ]))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(updated.stages[0].id, stage_ids[1]);
    assert_eq!(updated.stages[1].name, "Homologação");
    assert_eq!(updated.name, "Licitações", "fields not sent are kept");
    let listed = client.list_pipelines().send().await.unwrap().into_inner();
    assert_eq!(listed.last(), Some(&updated));

    client
        .delete_pipeline()
        .id(&created.id)
        .send()
        .await
        .unwrap();
    let gone = client
        .get_pipeline()
        .id(&created.id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(gone.kind(), ErrorKind::NotFound);
    assert_eq!(client.list_pipelines().send().await.unwrap().len(), 2);
}

#[tokio::test]
async fn raw_answers_conform() {
    let sandbox = Sandbox::start().await.unwrap();
    let body = json!({
        "name": "Parcerias", "position": 3, "rules": [],
        "stages": [{"id": "s1", "name": "Contato", "color": "#fff", "requireds": []}],
        "privacy": {"type": "team", "groupIds": ["3"]}, "requiredCustomFieldIds": ["301"],
    })
    .to_string();
    let created = call(&sandbox, Method::POST, "/v1/pipelines", Some(&body)).await;
    assert_conforms("create_pipeline", created.status, &created.body);
    let path = format!("/v1/pipelines/{}", created.body["id"].as_str().unwrap());
    let patch = json!({"lostReasons": ["Sem orçamento"]}).to_string();
    let updated = call(&sandbox, Method::PATCH, &path, Some(&patch)).await;
    assert_conforms("update_pipeline", updated.status, &updated.body);
    assert_eq!(updated.body["lostReasons"], json!(["Sem orçamento"]));
    let clear =
        json!({"rules": null, "cadence": null, "privacy": {"type": "public", "groupIds": []}});
    let cleared = call(&sandbox, Method::PATCH, &path, Some(&clear.to_string())).await;
    assert_conforms("update_pipeline", cleared.status, &cleared.body);
    assert_eq!(
        (&cleared.body["rules"], &cleared.body["cadence"]),
        (&json!([]), &json!(null))
    );
    let deleted = call(&sandbox, Method::DELETE, &path, None).await;
    assert_conforms("delete_pipeline", deleted.status, &deleted.body);
    let gone = call(&sandbox, Method::PATCH, &path, Some(&patch)).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    assert_conforms("update_pipeline", gone.status, &gone.body);
}
