//! `kinbox deals …`: each command's request, output and exit status.

use httpmock::Method::{DELETE, GET, PATCH, POST};
use kinbox_api::types;
use kinbox_httpmock::MockServerExt as _;
use serde_json::json;

use crate::snap;
use crate::support::{Api, TOKEN, bearer, deal, error_body, pipelines, run, write};

#[test]
fn create_sends_every_flag_as_a_body_field() {
    let api = Api::start();
    let created = deal("deal-1", "Pedido #1042");
    let mock = api.server.mock(|when, then| {
        when.method(POST)
            .path("/v1/deals")
            .header("authorization", bearer())
            .header("content-type", "application/json")
            .json_body(json!({
                "name": "Pedido #1042",
                "value": 1890.5,
                "status": "open",
                "pipelineId": "pipe-1",
                "stageId": "stage-1",
                "contactId": 123456,
                "customFields": {},
                "dueDate": "2024-05-31T21:00:00Z",
                "operatorId": 42,
                "origin": "site",
                "campaign": "black-friday",
                "authorType": "api",
                "position": 2.5
            }));
        then.status(201).json_body_obj(&created);
    });

    let out = run(api.kinbox(&[
        "deals",
        "create",
        "--name",
        "Pedido #1042",
        "--value",
        "1890.5",
        "--status",
        "open",
        "--pipeline-id",
        "pipe-1",
        "--stage-id",
        "stage-1",
        "--contact-id",
        "123456",
        "--due-date",
        "2024-05-31T18:00:00-03:00",
        "--operator-id",
        "42",
        "--origin",
        "site",
        "--campaign",
        "black-friday",
        "--author-type",
        "api",
        "--position",
        "2.5",
    ]));

    mock.assert();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stderr, "");
    assert_eq!(
        out.stdout.lines().count(),
        1,
        "compact JSON when not a terminal"
    );
    snap!("deals_create_stdout", out.stdout);
}

#[test]
fn create_json_body_fields_are_overridden_by_flags() {
    let api = Api::start();
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "deal.json",
        r#"{
            "name": "from the file",
            "value": 10,
            "status": "open",
            "pipelineId": "pipe-1",
            "stageId": "stage-1",
            "contactId": 7,
            "customFields": {"cpf": {"value": "060.715.303-54", "type": "text"}},
            "products": [{"id": "p1", "name": "Cadeira", "price": 100, "quantity": 2,
                          "discount": 0, "discountType": "value", "total": 200}]
        }"#,
    );
    let mock = api.server.create_deal(|when, then| {
        let body: types::DealCreate = serde_json::from_value(json!({
            "name": "from the flag",
            "value": 250.0,
            "status": "open",
            "pipelineId": "pipe-1",
            "stageId": "stage-2",
            "contactId": 7,
            "customFields": {"cpf": {"value": "060.715.303-54", "type": "text"}},
            "products": [{"id": "p1", "name": "Cadeira", "price": 100.0, "quantity": 2.0,
                          "discount": 0.0, "discountType": "value", "total": 200.0}]
        }))
        .unwrap();
        when.body(&body);
        then.created(&deal("deal-2", "from the flag"));
    });

    let out = run(api.kinbox(&[
        "deals",
        "create",
        "--json-body",
        &file,
        "--name",
        "from the flag",
        "--value",
        "250",
        "--stage-id",
        "stage-2",
    ]));

    mock.assert();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stderr, "");
}

#[test]
fn create_reads_the_json_body_from_stdin() {
    let api = Api::start();
    let mock = api.server.mock(|when, then| {
        when.method(POST).path("/v1/deals").json_body(json!({
            "name": "Via stdin", "value": 5.0, "status": "won", "pipelineId": "p",
            "stageId": "s", "contactId": 1, "customFields": {}
        }));
        then.status(201).json_body_obj(&deal("deal-3", "Via stdin"));
    });

    let out = run(api
        .kinbox(&["deals", "create", "--json-body", "-"])
        .write_stdin(
            r#"{"name": "Via stdin", "value": 5, "status": "won", "pipelineId": "p",
            "stageId": "s", "contactId": 1, "customFields": {}}"#,
        ));

    mock.assert();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains(r#""id":"deal-3""#), "{}", out.stdout);
}

#[test]
fn list_sends_every_filter_as_a_query_parameter() {
    let api = Api::start();
    let mock = api.server.mock(|when, then| {
        when.method(GET)
            .path("/v1/deals")
            .header("authorization", bearer())
            .query_param("status", "open")
            .query_param("pipeline_id", "pipe-1")
            .query_param("contact_id", "123456")
            .query_param("created_at_from", "2024-05-01T03:00:00Z")
            .query_param("created_at_to", "2024-06-01T03:00:00Z")
            .query_param("won_lost_date_from", "2024-05-02T00:00:00Z")
            .query_param("won_lost_date_to", "2024-05-03T00:00:00Z")
            .query_param("limit", "2")
            .query_param("cursor", "c0");
        then.status(200).json_body(json!({
            "data": [deal("deal-1", "Primeiro"), deal("deal-2", "Segundo")],
            "nextCursor": "deal-2"
        }));
    });

    let out = run(api.kinbox(&[
        "deals",
        "list",
        "--status",
        "open",
        "--pipeline-id",
        "pipe-1",
        "--contact-id",
        "123456",
        "--created-at-from",
        "2024-05-01T00:00:00-03:00",
        "--created-at-to",
        "2024-06-01T00:00:00-03:00",
        "--won-lost-date-from",
        "2024-05-02T00:00:00Z",
        "--won-lost-date-to",
        "2024-05-03T00:00:00Z",
        "--limit",
        "2",
        "--cursor",
        "c0",
    ]));

    mock.assert();
    assert_eq!(out.code, 0, "{}", out.stderr);
    snap!("deals_list_stdout", out.stdout);
}

#[test]
fn list_all_follows_the_cursor_with_the_same_filters_and_prints_json_lines() {
    let api = Api::start();
    let first = api.server.list_deals(|when, then| {
        when.status(types::DealStatus::Won)
            .limit(std::num::NonZeroU32::new(2))
            .cursor(None);
        then.ok(&serde_json::from_value(json!({
            "data": [deal("deal-1", "Primeiro"), deal("deal-2", "Segundo")],
            "nextCursor": "deal-2"
        }))
        .unwrap());
    });
    let second = api.server.list_deals(|when, then| {
        when.status(types::DealStatus::Won)
            .limit(std::num::NonZeroU32::new(2))
            .cursor("deal-2");
        then.ok(&serde_json::from_value(json!({
            "data": [deal("deal-3", "Terceiro")],
            "nextCursor": null
        }))
        .unwrap());
    });

    let out = run(api.kinbox(&["deals", "list", "--all", "--status", "won", "--limit", "2"]));

    first.assert();
    second.assert();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout.lines().count(), 3);
    for line in out.stdout.lines() {
        let deal: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(deal["id"].is_string());
    }
    snap!("deals_list_all_stdout", out.stdout);
}

#[test]
fn list_all_stops_with_exit_1_when_a_later_page_fails() {
    let api = Api::start();
    api.server.list_deals(|when, then| {
        when.cursor(None);
        then.ok(&serde_json::from_value(json!({
            "data": [deal("deal-1", "Primeiro")], "nextCursor": "deal-1"
        }))
        .unwrap());
    });
    api.server.list_deals(|when, then| {
        when.cursor("deal-1");
        then.server_error(503, &error_body("manutenção"));
    });

    let out = run(api.kinbox(&["deals", "list", "--all"]));

    assert_eq!(out.code, 1);
    assert_eq!(out.stdout.lines().count(), 1, "the first page was printed");
    assert_eq!(
        out.stderr,
        "error: the Kinbox API answered 503 Service Unavailable: manutenção\n"
    );
}

#[test]
fn list_as_a_table() {
    let api = Api::start();
    api.server.list_deals(|_, then| {
        let mut first = serde_json::to_value(deal("deal-1", "Cadeira")).unwrap();
        first["contact"]["name"] = json!("Ana Souza");
        let mut second = deal("deal-2", "Mesa de jantar");
        second.due_date = None;
        second.value = 1234567.891;
        then.ok(
            &serde_json::from_value(json!({"data": [first, second], "nextCursor": "deal-2"}))
                .unwrap(),
        );
    });
    // Pipelines and stages are shown by name, read first.
    api.server.mock(|when, then| {
        when.method(GET).path("/v1/pipelines");
        then.status(200).json_body(json!([{
            "id": "pipe-1", "name": "Vendas", "position": 1, "rules": [],
            "stages": [{"id": "stage-1", "name": "Proposta"}]
        }]));
    });

    let out = run(api.kinbox(&["deals", "list", "-o", "table"]));

    assert_eq!(out.code, 0, "{}", out.stderr);
    snap!("deals_list_table", out.stdout);
    assert_eq!(
        out.stderr,
        "showing 2 deals; more with --cursor deal-2, or all with --all\n"
    );
}

#[test]
fn output_flags_select_fields_filter_and_fill_templates() {
    let api = Api::start();
    api.server.list_deals(|_, then| {
        then.ok(&types::DealPage {
            data: vec![deal("deal-1", "Cadeira"), deal("deal-2", "Mesa")],
            next_cursor: None,
        });
    });
    let fields = run(api.kinbox(&["deals", "list", "--json", "id,name,contact.id"]));
    assert_eq!(
        fields.stdout,
        "{\"contact.id\":123456,\"id\":\"deal-1\",\"name\":\"Cadeira\"}\n\
         {\"contact.id\":123456,\"id\":\"deal-2\",\"name\":\"Mesa\"}\n"
    );
    let listed = run(api.kinbox(&["deals", "list", "--json"]));
    assert!(
        listed.stdout.lines().any(|l| l == "pipelineId"),
        "{}",
        listed.stdout
    );
    let jq = run(api.kinbox(&["deals", "list", "--jq", "select(.name == \"Mesa\") | .id"]));
    assert_eq!(
        (jq.code, jq.stdout.as_str()),
        (0, "deal-2\n"),
        "{}",
        jq.stderr
    );
    let template = run(api.kinbox(&["deals", "list", "--template", "{id}: {name} ({value})"]));
    assert_eq!(
        template.stdout,
        "deal-1: Cadeira (1890.5)\ndeal-2: Mesa (1890.5)\n"
    );
    let bad = run(api.kinbox(&["deals", "list", "--jq", ".["]));
    assert_eq!(bad.code, 2, "{}", bad.stderr);
    assert!(bad.stderr.contains("--jq"), "{}", bad.stderr);
}

#[test]
fn get_takes_the_id_as_a_positional_argument() {
    let api = Api::start();
    let mock = api.server.get_deal(|when, then| {
        when.id("65f0c0ffee0000000000dddd");
        then.ok(&deal("65f0c0ffee0000000000dddd", "Pedido #1042"));
    });

    let out = run(api.kinbox(&["deals", "get", "65f0c0ffee0000000000dddd"]));

    mock.assert();
    assert_eq!(out.code, 0, "{}", out.stderr);
    snap!("deals_get_stdout", out.stdout);

    let table = run(api.kinbox(&["deals", "get", "65f0c0ffee0000000000dddd", "-o", "table"]));
    assert_eq!(table.code, 0, "{}", table.stderr);
    snap!("deals_get_table", table.stdout);
}

#[test]
fn get_of_an_unknown_deal_exits_1_with_the_status_and_the_servers_message() {
    let api = Api::start();
    api.server.get_deal(|when, then| {
        when.id("nope");
        then.not_found(&error_body("Deal not found"));
    });

    let out = run(api.kinbox(&["deals", "get", "nope"]));

    assert_eq!(out.code, 1);
    assert_eq!(out.stdout, "");
    assert_eq!(
        out.stderr,
        "error: the Kinbox API answered 404 Not Found: Deal not found\n"
    );
}

#[test]
fn validation_errors_of_the_api_show_each_field() {
    let api = Api::start();
    api.server.mock(|when, then| {
        when.method(POST).path("/v1/deals");
        then.status(422).json_body(json!({
            "message": "Validation failed",
            "errors": [{"path": "$.stageId", "message": "stage does not belong to the pipeline"}]
        }));
    });

    let out = run(api.kinbox(&[
        "deals",
        "create",
        "--name",
        "N",
        "--value",
        "1",
        "--status",
        "open",
        "--pipeline-id",
        "p",
        "--stage-id",
        "s",
        "--contact-id",
        "1",
    ]));

    assert_eq!(out.code, 1);
    snap!("deals_create_422_stderr", out.stderr);
}

#[test]
fn an_unreachable_api_exits_1() {
    let api = Api::start();
    // A port nothing listens on: bind, note it, close.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();

    // The URL in the environment, with KINBOX_TOKEN: the token goes there.
    let out = run(api
        .kinbox(&["deals", "get", "x", "--retries", "0"])
        .env("KINBOX_BASE_URL", format!("http://127.0.0.1:{port}")));

    assert_eq!(out.code, 1);
    assert!(
        out.stderr
            .starts_with("error: could not reach the Kinbox API: could not connect"),
        "{}",
        out.stderr
    );
}

#[test]
fn update_sends_only_the_fields_given() {
    let api = Api::start();
    let mock = api.server.mock(|when, then| {
        when.method(PATCH)
            .path("/v1/deals/deal-1")
            .header("authorization", bearer())
            .json_body(json!({"value": 2500.0, "status": "open"}));
        then.status(200)
            .json_body_obj(&deal("deal-1", "Pedido #1042"));
    });

    let out = run(api.kinbox(&[
        "deals", "update", "deal-1", "--value", "2500", "--status", "open",
    ]));

    mock.assert();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains(r#""id":"deal-1""#));
}

#[test]
fn update_merges_flags_over_the_json_body() {
    let api = Api::start();
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "patch.json",
        r#"{"lostReason": ["Preço"], "origin": "file", "tagIds": [1, 2]}"#,
    );
    let mock = api.server.mock(|when, then| {
        when.method(PATCH)
            .path("/v1/deals/deal-1")
            .json_body(json!({
                "lostReason": ["Preço"], "origin": "flag", "tagIds": [1, 2]
            }));
        then.status(200)
            .json_body_obj(&deal("deal-1", "Pedido #1042"));
    });

    let out = run(api.kinbox(&[
        "deals",
        "update",
        "deal-1",
        "--json-body",
        &file,
        "--origin",
        "flag",
    ]));

    mock.assert();
    assert_eq!(out.code, 0, "{}", out.stderr);
}

#[test]
fn delete_reads_the_deal_then_says_what_it_deleted() {
    let api = Api::start();
    api.server.mock(|when, then| {
        when.method(GET).path("/v1/deals/deal-1");
        then.status(200)
            .json_body_obj(&deal("deal-1", "Pedido #1042"));
    });
    let mock = api.server.mock(|when, then| {
        when.method(DELETE)
            .path("/v1/deals/deal-1")
            .header("authorization", bearer());
        then.status(200);
    });

    let out = run(api.kinbox(&["deals", "delete", "deal-1", "--yes"]));

    mock.assert();
    assert_eq!(
        (out.code, out.stdout.as_str(), out.stderr.as_str()),
        (0, "", "deleted deal deal-1 \"Pedido #1042\"\n")
    );
}

#[test]
fn delete_of_a_missing_deal_deletes_nothing() {
    let api = Api::start();
    api.server.mock(|when, then| {
        when.method(GET).path("/v1/deals/gone");
        then.status(404).json_body(json!({"message": "not found"}));
    });
    let delete = api.server.mock(|when, then| {
        when.method(DELETE);
        then.status(200);
    });

    let out = run(api.kinbox(&["deals", "delete", "gone", "--yes"]));

    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("404"), "{}", out.stderr);
    assert_eq!(delete.calls(), 0);
}

#[test]
fn move_patches_the_stage_and_pipeline() {
    let api = Api::start();
    let mock = api.server.mock(|when, then| {
        when.method(PATCH)
            .path("/v1/deals/deal-1")
            .json_body(json!({"stageId": "stage-9", "pipelineId": "pipe-9"}));
        then.status(200)
            .json_body_obj(&deal("deal-1", "Pedido #1042"));
    });

    let out = run(api.kinbox(&[
        "deals",
        "move",
        "deal-1",
        "--stage-id",
        "stage-9",
        "--pipeline-id",
        "pipe-9",
    ]));

    mock.assert();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains(r#""id":"deal-1""#));
}

#[test]
fn win_sets_the_status_and_the_date_and_clears_the_lost_reason() {
    let api = Api::start();
    let mock = api.server.mock(|when, then| {
        when.method(PATCH)
            .path("/v1/deals/deal-1")
            .json_body(json!({
                "status": "won", "wonLostDate": "2024-05-31T21:00:00Z", "lostReason": []
            }));
        then.status(200)
            .json_body_obj(&deal("deal-1", "Pedido #1042"));
    });

    let out = run(api.kinbox(&[
        "deals",
        "win",
        "deal-1",
        "--date",
        "2024-05-31T18:00:00-03:00",
    ]));

    mock.assert();
    assert_eq!(out.code, 0, "{}", out.stderr);
}

#[test]
fn win_without_a_date_is_dated_now() {
    let api = Api::start();
    let mock = api.server.mock(|when, then| {
        when.method(PATCH)
            .path("/v1/deals/deal-1")
            .json_body_includes(r#"{"status": "won"}"#)
            .body_matches(r#""wonLostDate":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ""#);
        then.status(200)
            .json_body_obj(&deal("deal-1", "Pedido #1042"));
    });
    let before = chrono::Utc::now() - chrono::Duration::seconds(1);

    let out = run(api.kinbox(&["deals", "win", "deal-1", "-v", "-v"]));

    mock.assert();
    assert_eq!(out.code, 0, "{}", out.stderr);
    // -vv logs the body sent: its date is now.
    let sent = out
        .stderr
        .split("\"wonLostDate\":\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the request body is logged with -vv");
    let sent: chrono::DateTime<chrono::Utc> = sent.parse().unwrap();
    assert!(sent >= before && sent <= chrono::Utc::now(), "{sent}");
}

#[test]
fn lose_sends_the_reasons_and_the_note() {
    let api = Api::start();
    let deal_read = api.server.mock(|when, then| {
        when.method(GET).path("/v1/deals/deal-1");
        then.status(200)
            .json_body_obj(&deal("deal-1", "Pedido #1042"));
    });
    let pipeline_read = api.server.mock(|when, then| {
        when.method(GET).path("/v1/pipelines/pipe-1");
        then.status(200).json_body(pipelines()[0].clone());
    });
    let mock = api.server.mock(|when, then| {
        when.method(PATCH)
            .path("/v1/deals/deal-1")
            .json_body(json!({
                "status": "lost",
                "wonLostDate": "2024-05-31T21:00:00Z",
                "lostReason": ["Preço", "Prazo"],
                "lostReasonObs": "Fechou com o concorrente"
            }));
        then.status(200)
            .json_body_obj(&deal("deal-1", "Pedido #1042"));
    });

    let out = run(api.kinbox(&[
        "deals",
        "lose",
        "deal-1",
        "--reason",
        "preco",
        "--reason",
        "Prazo",
        "--obs",
        "Fechou com o concorrente",
        "--date",
        "2024-05-31T21:00:00Z",
    ]));

    deal_read.assert();
    pipeline_read.assert();
    mock.assert();
    assert_eq!(out.code, 0, "{}", out.stderr);
}

#[test]
fn the_token_of_the_environment_is_sent_as_a_bearer_header() {
    let api = Api::start();
    let mock = api.server.mock(|when, then| {
        when.method(GET)
            .path("/v1/deals/deal-1")
            .header("authorization", format!("Bearer {TOKEN}"))
            .header_exists("user-agent");
        then.status(200).json_body_obj(&deal("deal-1", "x"));
    });
    let out = run(api.kinbox(&["deals", "get", "deal-1"]));
    mock.assert();
    assert_eq!(out.code, 0, "{}", out.stderr);
}

/// Answers 503 (`Retry-After: 0`) to the first call and the deal after that.
fn unavailable_once(api: &Api, id: &'static str) -> std::sync::Arc<std::sync::atomic::AtomicUsize> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let calls = std::sync::Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let body = serde_json::to_string(&deal(id, "Pedido #1042")).unwrap();
    api.server.mock(move |when, then| {
        when.method(GET).path(format!("/v1/deals/{id}"));
        then.respond_with(move |_| {
            let answer =
                httpmock::HttpMockResponse::builder().header("content-type", "application/json");
            if counter.fetch_add(1, Ordering::SeqCst) == 0 {
                answer
                    .status(503)
                    .header("retry-after", "0")
                    .body(r#"{"message":"busy"}"#)
                    .build()
            } else {
                answer.status(200).body(body.clone()).build()
            }
        });
    });
    calls
}

#[test]
fn retries_carries_a_read_through_a_503() {
    use std::sync::atomic::Ordering;
    let api = Api::start();
    let calls = unavailable_once(&api, "65f0c0ffee0000000000dddd");

    let out = run(api.kinbox(&["deals", "get", "65f0c0ffee0000000000dddd", "--retries", "2"]));

    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("\"Pedido #1042\""), "{}", out.stdout);
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[test]
fn without_retries_a_503_is_reported_at_once() {
    use std::sync::atomic::Ordering;
    let api = Api::start();
    let calls = unavailable_once(&api, "65f0c0ffee0000000000dddd");

    let out = run(api.kinbox(&["deals", "get", "65f0c0ffee0000000000dddd", "--retries", "0"]));

    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("503"), "{}", out.stderr);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[test]
fn update_contact_id_sends_the_whole_contact_read_first() {
    let api = Api::start();
    let read = api.server.mock(|when, then| {
        when.method(GET).path("/v1/contacts/99");
        then.status(200).json_body(json!({
            "id": 99, "name": "Ana Souza", "phone": "5585997281648", "email": null,
            "customFields": {}
        }));
    });
    let update = api.server.mock(|when, then| {
        when.method(PATCH)
            .path("/v1/deals/deal-1")
            .json_body(json!({
                "contact": {"id": 99, "name": "Ana Souza", "avatar": "",
                            "phone": "5585997281648", "email": ""}
            }));
        then.status(200)
            .json_body_obj(&deal("deal-1", "Pedido #1042"));
    });

    let out = run(api.kinbox(&["deals", "update", "deal-1", "--contact-id", "99"]));

    assert_eq!(out.code, 0, "{}", out.stderr);
    read.assert();
    update.assert();
}

#[test]
fn update_contact_id_of_a_missing_contact_changes_nothing() {
    let api = Api::start();
    api.server.mock(|when, then| {
        when.method(GET).path("/v1/contacts/404");
        then.status(404).json_body(json!({"message": "not found"}));
    });
    let update = api.server.mock(|when, then| {
        when.method(PATCH);
        then.status(500);
    });

    let out = run(api.kinbox(&["deals", "update", "deal-1", "--contact-id", "404"]));

    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("reading contact 404 failed, so nothing was changed"),
        "{}",
        out.stderr
    );
    assert_eq!(update.calls(), 0);
}

#[test]
fn reopen_sets_open_and_clears_the_closing() {
    let api = Api::start();
    let mock = api.server.mock(|when, then| {
        when.method(PATCH)
            .path("/v1/deals/deal-1")
            .json_body(json!({"status": "open", "wonLostDate": null, "lostReason": []}));
        then.status(200)
            .json_body_obj(&deal("deal-1", "Pedido #1042"));
    });

    let out = run(api.kinbox(&["deals", "reopen", "deal-1"]));

    mock.assert();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains(r#""id":"deal-1""#), "{}", out.stdout);
}

#[test]
fn update_custom_fields_are_merged_with_the_deals_current_ones() {
    let api = Api::start();
    api.server.mock(|when, then| {
        when.method(GET).path("/v1/custom-fields");
        then.status(200)
            .json_body(crate::resources::custom_fields());
    });
    let mut current = serde_json::to_value(deal("deal-1", "Pedido #1042")).unwrap();
    // What a server may hold: a number, and a field without its type.
    current["customFields"] = json!({
        "cpf": {"value": "060.715.303-54", "type": "text"},
        "idade": {"value": 30}
    });
    api.server.mock(|when, then| {
        when.method(GET).path("/v1/deals/deal-1");
        then.status(200).json_body(current.clone());
    });
    let update = api.server.mock(|when, then| {
        when.method(PATCH)
            .path("/v1/deals/deal-1")
            .json_body(json!({
                "customFields": {
                    "cpf": {"value": "060.715.303-54", "type": "text"},
                    "idade": {"value": "31", "type": "number"},
                    "vip": {"value": "true", "type": "boolean"}
                }
            }));
        then.status(200)
            .json_body_obj(&deal("deal-1", "Pedido #1042"));
    });

    let out = run(api.kinbox(&[
        "deals",
        "update",
        "deal-1",
        "--custom-field",
        "idade=31",
        "--custom-field",
        "vip=true",
    ]));

    assert_eq!(out.code, 0, "{}", out.stderr);
    update.assert();
}

#[test]
fn a_new_deal_is_open_unless_said_otherwise() {
    let api = Api::start();
    let mock = api.server.mock(|when, then| {
        when.method(POST)
            .path("/v1/deals")
            .json_body_includes(r#"{"status": "open"}"#);
        then.status(201).json_body_obj(&deal("deal-9", "x"));
    });
    let args = [
        "deals",
        "create",
        "--name",
        "x",
        "--value",
        "1",
        "--pipeline-id",
        "p",
        "--stage-id",
        "s",
        "--contact-id",
        "1",
    ];
    let out = run(api.kinbox(&args));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let from_file = run(api
        .kinbox(&["deals", "create", "--json-body", "-"])
        .write_stdin(
            r#"{"name": "x", "value": 1, "pipelineId": "p", "stageId": "s", "contactId": 1}"#,
        ));
    assert_eq!(from_file.code, 0, "{}", from_file.stderr);
    mock.assert_calls(2);
}

#[test]
fn all_starts_at_a_given_cursor_and_keeps_every_filter_on_every_page() {
    let api = Api::start();
    let first = api.server.mock(|when, then| {
        when.method(GET)
            .path("/v1/deals")
            .query_param("status", "won")
            .query_param("cursor", "start");
        then.status(200)
            .json_body(json!({"data": [deal("deal-1", "a")], "nextCursor": "next-1"}));
    });
    let second = api.server.mock(|when, then| {
        when.method(GET)
            .path("/v1/deals")
            .query_param("status", "won")
            .query_param("cursor", "next-1");
        then.status(200)
            .json_body(json!({"data": [deal("deal-2", "b")], "nextCursor": null}));
    });

    let out = run(api.kinbox(&[
        "deals", "list", "--status", "won", "--cursor", "start", "--all",
    ]));

    assert_eq!(out.code, 0, "{}", out.stderr);
    first.assert();
    second.assert();
    assert_eq!(out.stdout.lines().count(), 2);
}

#[test]
fn a_json_body_is_held_to_the_spec_before_it_is_sent() {
    let api = Api::start();
    let catch_all = api.catch_all();
    let out = run(api
        .kinbox(&["deals", "update", "deal-1", "--json-body", "-"])
        .write_stdin(r#"{"value": "10", "stageId": 7}"#));
    assert_eq!(out.code, 2, "{}", out.stderr);
    // Read into the typed body: the first field that does not fit is named.
    assert!(
        out.stderr.contains("stageId: expected a string, got 7"),
        "{}",
        out.stderr
    );
    let out = run(api
        .kinbox(&["deals", "update", "deal-1", "--json-body", "-"])
        .write_stdin(r#"{"value": "10"}"#));
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("value: expected a number, got \"10\""),
        "{}",
        out.stderr
    );
    assert_eq!(catch_all.calls(), 0);
}

/// The typed body would drop it without a word: `{"valor": 10}` is
/// refused, with the field it seems to mean, and nothing is sent.
#[test]
fn a_json_body_field_the_api_does_not_take_is_refused() {
    let api = Api::start();
    let catch_all = api.catch_all();
    let out = run(api
        .kinbox(&["deals", "update", "deal-1", "--json-body", "-"])
        .write_stdin(r#"{"value": 10, "valeu": 10}"#));
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("`valeu` is not a field of this request: remove it; did you mean \"value\"?"),
        "{}",
        out.stderr
    );
    assert_eq!(catch_all.calls(), 0);
}

#[test]
fn update_takes_the_stage_by_name_in_the_deals_pipeline() {
    let api = Api::start();
    api.server.mock(|when, then| {
        when.method(GET).path("/v1/deals/deal-1");
        then.status(200).json_body_obj(&deal("deal-1", "x"));
    });
    api.server.mock(|when, then| {
        when.method(GET).path("/v1/pipelines/pipe-1");
        then.status(200).json_body(pipelines()[0].clone());
    });
    let update = api.server.mock(|when, then| {
        when.method(PATCH)
            .path("/v1/deals/deal-1")
            .json_body(json!({"stageId": "pipe-1-stage-3", "value": 10.0}));
        then.status(200).json_body_obj(&deal("deal-1", "x"));
    });

    let out = run(api.kinbox(&[
        "deals",
        "update",
        "deal-1",
        "--stage",
        "negociacao",
        "--value",
        "10",
    ]));

    assert_eq!(out.code, 0, "{}", out.stderr);
    update.assert();
}
