//! Working by name: `deals create --pipeline/--stage/--contact-phone/
//! --contact-email/--custom-field`, `deals move --stage/--pipeline` and
//! `deals lose --reason` look names up with GETs first. Each lookup has a
//! test for found, not found and ambiguous; a failed lookup sends no write.

use httpmock::Method::{DELETE, GET, PATCH, POST};
use httpmock::Mock;
use serde_json::{Value, json};

use crate::resources::custom_fields;
use crate::support::{Api, Output, deal, pipeline, pipelines, run};

/// The workspace the lookups read: pipelines "Vendas" (pipe-1) and
/// "Pós-venda" (pipe-2), deal-1 in "Vendas", contacts by phone and e-mail,
/// the custom fields of `resources::custom_fields`.
fn workspace(api: &Api) {
    let all = pipelines();
    api.server.mock(|when, then| {
        when.method(GET).path("/v1/pipelines");
        then.status(200).json_body(all.clone());
    });
    for pipeline in all.as_array().unwrap() {
        let path = format!("/v1/pipelines/{}", pipeline["id"].as_str().unwrap());
        api.server.mock(|when, then| {
            when.method(GET).path(path);
            then.status(200).json_body(pipeline.clone());
        });
    }
    api.server.mock(|when, then| {
        when.method(GET).path("/v1/deals/deal-1");
        then.status(200)
            .json_body_obj(&deal("deal-1", "Pedido #1042"));
    });
    api.server.mock(|when, then| {
        when.method(GET).path("/v1/custom-fields");
        then.status(200).json_body(custom_fields());
    });
    let contacts: [(&str, &str, Value); 6] = [
        (
            "phone",
            "5585997281648",
            json!([{"id": 123456, "name": "Ana Souza"}]),
        ),
        ("phone", "5585000000000", json!([])),
        (
            "phone",
            "5585911112222",
            json!([{"id": 1, "name": "Loja Centro"}, {"id": 2, "name": "Loja Sul"}]),
        ),
        (
            "email",
            "ana@example.com",
            json!([{"id": "123456", "name": "Ana Souza"}]),
        ),
        ("email", "nobody@example.com", json!([])),
        (
            "email",
            "compras@example.com",
            json!([{"id": 3, "name": "Bia"}, {"id": 4, "name": null}]),
        ),
    ];
    for (name, value, data) in contacts {
        api.server.mock(|when, then| {
            when.method(GET)
                .path("/v1/contacts")
                .query_param(name, value)
                .query_param_count(".*", ".*", 1);
            then.status(200)
                .json_body(json!({"data": data, "nextCursor": null}));
        });
    }
}

/// Mocks that catch every write; a failed lookup must leave them uncalled.
struct Writes<'a>([Mock<'a>; 3]);

impl<'a> Writes<'a> {
    fn catch(api: &'a Api) -> Self {
        Self([POST, PATCH, DELETE].map(|method| {
            api.server.mock(|when, then| {
                when.method(method);
                then.status(500).body("a write after a failed lookup");
            })
        }))
    }

    fn assert_none(&self) {
        for mock in &self.0 {
            assert_eq!(mock.calls(), 0, "a write was sent");
        }
    }
}

/// `deals create` with name, value and status, and `extra`.
fn create(api: &Api, extra: &[&str]) -> Output {
    let mut args = vec![
        "deals",
        "create",
        "--name",
        "Pedido #1042",
        "--value",
        "1890",
        "--status",
        "open",
    ];
    args.extend(extra);
    run(api.kinbox(&args))
}

/// Runs `deals create` with `extra`, expecting exit 2, every part of
/// `expected` in the error, and no write.
fn create_rejected(extra: &[&str], expected: &[&str]) {
    create_refused(2, extra, expected)
}

/// As [`create_rejected`], with exit status `code`: 1 when the words are
/// right and the data is missing (a contact no one created).
fn create_refused(code: i32, extra: &[&str], expected: &[&str]) {
    let api = Api::start();
    workspace(&api);
    let writes = Writes::catch(&api);
    let out = create(&api, extra);
    assert_eq!(out.code, code, "{extra:?}: {}", out.stderr);
    assert_eq!(out.stdout, "");
    for part in expected {
        assert!(
            out.stderr.contains(part),
            "{part:?} not in:\n{}",
            out.stderr
        );
    }
    writes.assert_none();
}

/// Expects `POST /v1/deals` with exactly `body`.
fn expect_create<'a>(api: &'a Api, body: Value) -> Mock<'a> {
    api.server.mock(|when, then| {
        when.method(POST).path("/v1/deals").json_body(body);
        then.status(201)
            .json_body_obj(&deal("deal-9", "Pedido #1042"));
    })
}

fn created_body(pipeline: &str, stage: &str, contact: i64, custom_fields: Value) -> Value {
    json!({
        "name": "Pedido #1042", "value": 1890.0, "status": "open",
        "pipelineId": pipeline, "stageId": stage, "contactId": contact,
        "customFields": custom_fields
    })
}

#[test]
fn create_by_names_sends_the_ids_they_resolve_to() {
    let api = Api::start();
    workspace(&api);
    let created = expect_create(
        &api,
        created_body("pipe-1", "pipe-1-stage-3", 123456, json!({})),
    );
    let out = create(
        &api,
        &[
            "--pipeline",
            "vendas",
            "--stage",
            "negociacao",
            "--contact-phone",
            "+55 (85) 99728-1648",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    created.assert();
    assert!(out.stdout.contains(r#""id":"deal-9""#));
}

#[test]
fn create_stage_by_name_within_the_pipeline_given_by_id() {
    let api = Api::start();
    workspace(&api);
    // "Proposta" is a stage of both pipelines: the one of pipe-2 is meant.
    let created = expect_create(
        &api,
        created_body("pipe-2", "pipe-2-stage-2", 123456, json!({})),
    );
    let out = create(
        &api,
        &[
            "--pipeline-id",
            "pipe-2",
            "--stage",
            "Proposta",
            "--contact-email",
            "ana@example.com",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    created.assert();
}

#[test]
fn create_with_an_unknown_pipeline_lists_the_pipelines() {
    create_rejected(
        &[
            "--pipeline",
            "Venda",
            "--stage",
            "Proposta",
            "--contact-id",
            "1",
        ],
        &[
            "error: no pipeline is named \"Venda\"; did you mean \"Vendas\"? the choices are: \
             \"Vendas\" (id pipe-1), \"Pós-venda\" (id pipe-2), or give --pipeline-id",
        ],
    );
}

#[test]
fn create_with_an_ambiguous_pipeline_lists_what_matched() {
    let api = Api::start();
    api.server.mock(|when, then| {
        when.method(GET).path("/v1/pipelines");
        then.status(200).json_body(json!([
            pipeline("pipe-1", "Vendas", &["Proposta"], &[]),
            pipeline("pipe-3", "VENDAS", &["Proposta"], &[]),
        ]));
    });
    let writes = Writes::catch(&api);
    let out = create(
        &api,
        &[
            "--pipeline",
            "vendas",
            "--stage",
            "Proposta",
            "--contact-id",
            "1",
        ],
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains(
            "\"vendas\" matches more than one pipeline: \"Vendas\" (id pipe-1), \
             \"VENDAS\" (id pipe-3); write it exactly as listed, or give --pipeline-id"
        ),
        "{}",
        out.stderr
    );
    writes.assert_none();
}

#[test]
fn create_with_an_unknown_stage_lists_the_stages_of_the_pipeline() {
    create_rejected(
        &[
            "--pipeline",
            "Vendas",
            "--stage",
            "Ganho",
            "--contact-id",
            "1",
        ],
        &[
            "no stage of pipeline \"Vendas\" is named \"Ganho\"",
            "\"Prospecção\" (id pipe-1-stage-1)",
            "\"Fechamento\" (id pipe-1-stage-4)",
            "or give --stage-id",
        ],
    );
}

#[test]
fn create_with_an_ambiguous_stage_lists_what_matched() {
    let api = Api::start();
    api.server.mock(|when, then| {
        when.method(GET).path("/v1/pipelines/pipe-7");
        then.status(200).json_body(pipeline(
            "pipe-7",
            "Parcerias",
            &["Proposta", "proposta", "Fechamento"],
            &[],
        ));
    });
    let writes = Writes::catch(&api);
    let out = create(
        &api,
        &[
            "--pipeline-id",
            "pipe-7",
            "--stage",
            "PROPOSTA",
            "--contact-id",
            "1",
        ],
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains(
            "\"PROPOSTA\" matches more than one stage of pipeline \"Parcerias\": \
             \"Proposta\" (id pipe-7-stage-1), \"proposta\" (id pipe-7-stage-2)"
        ),
        "{}",
        out.stderr
    );
    writes.assert_none();
}

#[test]
fn create_stage_by_name_needs_a_pipeline() {
    create_rejected(
        &["--stage", "Proposta", "--contact-id", "1"],
        &["--pipeline-id"],
    );
}

#[test]
fn create_with_an_unknown_phone_says_how_to_create_the_contact() {
    create_refused(
        1,
        &[
            "--pipeline-id",
            "pipe-1",
            "--stage-id",
            "s",
            "--contact-phone",
            "5585000000000",
        ],
        &[
            "no contact has the phone 5585000000000; create it with `kinbox contacts create \
             --phone 5585000000000 --name NAME` (or --create-contact), or give --contact-id",
        ],
    );
}

#[test]
fn create_with_a_phone_of_several_contacts_lists_them() {
    create_rejected(
        &[
            "--pipeline-id",
            "pipe-1",
            "--stage-id",
            "s",
            "--contact-phone",
            "5585911112222",
        ],
        &[
            "2 contacts have the phone 5585911112222: 1 \"Loja Centro\", 2 \"Loja Sul\"; give \
             --contact-id",
        ],
    );
}

#[test]
fn create_with_a_phone_that_is_not_one() {
    create_rejected(
        &[
            "--pipeline-id",
            "pipe-1",
            "--stage-id",
            "s",
            "--contact-phone",
            "ana",
        ],
        &["--contact-phone 'ana' is not a phone number"],
    );
}

#[test]
fn create_with_an_unknown_email_says_how_to_create_the_contact() {
    create_refused(
        1,
        &[
            "--pipeline-id",
            "pipe-1",
            "--stage-id",
            "s",
            "--contact-email",
            "nobody@example.com",
        ],
        &[
            "no contact has the e-mail nobody@example.com; create it with `kinbox contacts \
           create --email nobody@example.com --name NAME`",
        ],
    );
}

#[test]
fn create_with_an_email_of_several_contacts_lists_them() {
    create_rejected(
        &[
            "--pipeline-id",
            "pipe-1",
            "--stage-id",
            "s",
            "--contact-email",
            "compras@example.com",
        ],
        &["2 contacts have the e-mail compras@example.com: 3 \"Bia\", 4 \"(no name)\""],
    );
}

#[test]
fn create_with_custom_fields_sends_each_as_its_type() {
    let api = Api::start();
    workspace(&api);
    let created = expect_create(
        &api,
        created_body(
            "pipe-1",
            "s",
            7,
            json!({
                "cpf": {"value": "060.715.303-54", "type": "text"},
                "idade": {"value": "30", "type": "number"},
                "segmento": {"value": "varejo", "type": "select"},
                "vip": {"value": "true", "type": "boolean"},
                "data_evento": {"value": "2024-06-15", "type": "date"},
                "canais": {"value": "whatsapp,email", "type": "multi-select"}
            }),
        ),
    );
    let out = create(
        &api,
        &[
            "--pipeline-id",
            "pipe-1",
            "--stage-id",
            "s",
            "--contact-id",
            "7",
            "--custom-field",
            "cpf=060.715.303-54",
            "--custom-field",
            "idade=30",
            "--custom-field",
            "segmento=Varejo",
            "--custom-field",
            "VIP=true",
            "--custom-field",
            "data_evento=2024-06-15",
            "--custom-field",
            "canais=whatsapp,email",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    created.assert();
}

#[test]
fn create_custom_fields_are_laid_over_those_of_the_json_body() {
    let api = Api::start();
    workspace(&api);
    let created = expect_create(
        &api,
        created_body(
            "pipe-1",
            "s",
            7,
            json!({
                "cpf": {"value": "111.222.333-44", "type": "text"},
                "origem": {"value": "site", "type": "text"}
            }),
        ),
    );
    let out = run(api
        .kinbox(&[
            "deals",
            "create",
            "--json-body",
            "-",
            "--custom-field",
            "cpf=111.222.333-44",
        ])
        .write_stdin(
            r#"{"name": "Pedido #1042", "value": 1890, "status": "open", "pipelineId": "pipe-1",
                "stageId": "s", "contactId": 7,
                "customFields": {"cpf": {"value": "0", "type": "text"},
                                 "origem": {"value": "site", "type": "text"}}}"#,
        ));
    assert_eq!(out.code, 0, "{}", out.stderr);
    created.assert();
}

#[test]
fn a_json_body_without_ids_is_completed_by_the_name_flags() {
    let api = Api::start();
    workspace(&api);
    let created = expect_create(
        &api,
        created_body(
            "pipe-1",
            "pipe-1-stage-3",
            123456,
            json!({"cpf": {"value": "111.222.333-44", "type": "text"}}),
        ),
    );
    let out = run(api
        .kinbox(&[
            "deals",
            "create",
            "--json-body",
            "-",
            "--pipeline",
            "Vendas",
            "--stage",
            "Negociação",
            "--contact-phone",
            "5585997281648",
            "--custom-field",
            "cpf=111.222.333-44",
        ])
        .write_stdin(r#"{"name": "Pedido #1042", "value": 1890, "status": "open"}"#));
    assert_eq!(out.code, 0, "{}", out.stderr);
    created.assert();
}

const IDS: [&str; 6] = [
    "--pipeline-id",
    "pipe-1",
    "--stage-id",
    "s",
    "--contact-id",
    "7",
];

fn with_ids(extra: &[&'static str]) -> Vec<&'static str> {
    let mut args = IDS.to_vec();
    args.extend(extra);
    args
}

#[test]
fn create_with_an_unknown_custom_field_lists_the_deal_fields() {
    create_rejected(
        &with_ids(&["--custom-field", "rg=123"]),
        &[
            "--custom-field rg=123: no deal custom field is named \"rg\"; the choices are: \
             cpf (text), idade (number), segmento (select), vip (boolean), data_evento (date), \
             canais (multi-select); see `kinbox custom-fields list -o table`",
        ],
    );
}

#[test]
fn create_with_a_custom_field_of_the_wrong_type() {
    create_rejected(
        &with_ids(&["--custom-field", "idade=trinta"]),
        &["--custom-field idade=trinta: \"idade\" is a number field, e.g. idade=30"],
    );
    create_rejected(
        &with_ids(&["--custom-field", "vip=sim"]),
        &["\"vip\" is a boolean field: write vip=true or vip=false"],
    );
    create_rejected(
        &with_ids(&["--custom-field", "data_evento=31/06/2024"]),
        &["\"data_evento\" is a date field, e.g. data_evento=2024-05-31"],
    );
}

#[test]
fn create_with_an_option_not_in_the_select_lists_the_options() {
    create_rejected(
        &with_ids(&["--custom-field", "segmento=online"]),
        &[
            "--custom-field segmento=online: no option of \"segmento\" is named \"online\"; \
             the choices are: varejo (Varejo), atacado (Atacado)",
        ],
    );
    create_rejected(
        &with_ids(&["--custom-field", "canais=whatsapp,sms"]),
        &["no option of \"canais\" is named \"sms\"; the choices are: whatsapp, email"],
    );
}

#[test]
fn create_with_an_ambiguous_custom_field_or_option() {
    let api = Api::start();
    api.server.mock(|when, then| {
        when.method(GET).path("/v1/custom-fields");
        then.status(200).json_body(json!({"data": [
            {"id": 1, "name": "A", "placeholder": "Origem", "entity": "deal", "type": "text"},
            {"id": 2, "name": "B", "placeholder": "ORIGEM", "entity": "deal", "type": "text"},
            {"id": 3, "name": "C", "placeholder": "porte", "entity": "deal", "type": "select",
             "options": [{"value": "Médio"}, {"value": "medio"}]}
        ]}));
    });
    let writes = Writes::catch(&api);
    let field = create(&api, &with_ids(&["--custom-field", "origem=site"]));
    assert_eq!(field.code, 2);
    assert!(
        field.stderr.contains(
            "\"origem\" matches more than one deal custom field: Origem (text), ORIGEM (text)"
        ),
        "{}",
        field.stderr
    );
    let option = create(&api, &with_ids(&["--custom-field", "porte=MEDIO"]));
    assert_eq!(option.code, 2);
    assert!(
        option
            .stderr
            .contains("\"MEDIO\" matches more than one option of \"porte\": Médio, medio"),
        "{}",
        option.stderr
    );
    writes.assert_none();
}

#[test]
fn a_failed_lookup_exits_1_and_sends_no_write() {
    let api = Api::start();
    api.server.mock(|when, then| {
        when.method(GET).path("/v1/pipelines");
        then.status(503).json_body(json!({"message": "manutenção"}));
    });
    let writes = Writes::catch(&api);
    let out = create(
        &api,
        &[
            "--pipeline",
            "Vendas",
            "--stage",
            "Proposta",
            "--contact-id",
            "1",
        ],
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(
        out.stderr,
        "error: listing the pipelines failed, so nothing was changed: the Kinbox API answered \
         503 Service Unavailable: manutenção\n"
    );
    writes.assert_none();
}

#[test]
fn name_and_id_forms_conflict() {
    for (name, id) in [
        (["--pipeline", "Vendas"], ["--pipeline-id", "pipe-1"]),
        (["--stage", "Proposta"], ["--stage-id", "s"]),
        (["--contact-phone", "5585997281648"], ["--contact-id", "1"]),
        (["--contact-email", "a@example.com"], ["--contact-id", "1"]),
    ] {
        let mut args = with_ids(&[]);
        args.extend(name);
        if !args.contains(&id[0]) {
            args.extend(id);
        }
        let api = Api::start();
        let catch_all = api.catch_all();
        let out = create(&api, &args);
        assert_eq!(out.code, 2, "{args:?}");
        assert!(
            out.stderr.contains("cannot be used with"),
            "{args:?}: {}",
            out.stderr
        );
        assert_eq!(catch_all.calls(), 0);
    }
}

#[test]
fn move_by_stage_name_looks_in_the_deals_current_pipeline() {
    let api = Api::start();
    workspace(&api);
    let moved = api.server.mock(|when, then| {
        when.method(PATCH)
            .path("/v1/deals/deal-1")
            .json_body(json!({"stageId": "pipe-1-stage-4"}));
        then.status(200)
            .json_body_obj(&deal("deal-1", "Pedido #1042"));
    });
    let out = run(api.kinbox(&["deals", "move", "deal-1", "--stage", "fechamento"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    moved.assert();
}

#[test]
fn move_to_another_pipeline_by_name() {
    let api = Api::start();
    workspace(&api);
    let moved = api.server.mock(|when, then| {
        when.method(PATCH)
            .path("/v1/deals/deal-1")
            .json_body(json!({"stageId": "pipe-2-stage-1", "pipelineId": "pipe-2"}));
        then.status(200)
            .json_body_obj(&deal("deal-1", "Pedido #1042"));
    });
    let out = run(api.kinbox(&[
        "deals",
        "move",
        "deal-1",
        "--pipeline",
        "pos-venda",
        "--stage",
        "Onboarding",
    ]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    moved.assert();
}

#[test]
fn move_to_an_unknown_stage_lists_the_stages_and_changes_nothing() {
    let api = Api::start();
    workspace(&api);
    let writes = Writes::catch(&api);
    let out = run(api.kinbox(&["deals", "move", "deal-1", "--stage", "Onboarding"]));
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("no stage of pipeline \"Vendas\" is named \"Onboarding\""),
        "{}",
        out.stderr
    );
    writes.assert_none();
}

#[test]
fn move_needs_a_stage() {
    let api = Api::start();
    let catch_all = api.catch_all();
    let out = run(api.kinbox(&["deals", "move", "deal-1"]));
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("--stage <NAME>"), "{}", out.stderr);
    assert_eq!(catch_all.calls(), 0);
}

#[test]
fn lose_with_an_unknown_reason_lists_the_pipelines_reasons() {
    let api = Api::start();
    workspace(&api);
    let writes = Writes::catch(&api);
    let out = run(api.kinbox(&["deals", "lose", "deal-1", "--reason", "Caro"]));
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains(
            "no lost reason of pipeline \"Vendas\" is named \"Caro\"; the choices are: \
             \"Preço\", \"Prazo\", \"Sem retorno\""
        ),
        "{}",
        out.stderr
    );
    writes.assert_none();
}

#[test]
fn lose_with_an_ambiguous_reason_lists_what_matched() {
    let api = Api::start();
    api.server.mock(|when, then| {
        when.method(GET).path("/v1/deals/deal-1");
        then.status(200)
            .json_body_obj(&deal("deal-1", "Pedido #1042"));
    });
    api.server.mock(|when, then| {
        when.method(GET).path("/v1/pipelines/pipe-1");
        then.status(200).json_body(pipeline(
            "pipe-1",
            "Vendas",
            &["A"],
            &["Preço", "preço", "Prazo"],
        ));
    });
    let writes = Writes::catch(&api);
    let out = run(api.kinbox(&["deals", "lose", "deal-1", "--reason", "PRECO"]));
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("matches more than one lost reason of pipeline \"Vendas\": \"Preço\", \"preço\"; write it exactly as listed"),
        "{}",
        out.stderr
    );
    writes.assert_none();
}

#[test]
fn lose_in_a_pipeline_without_reasons_takes_any() {
    let api = Api::start();
    api.server.mock(|when, then| {
        let mut moved = deal("deal-2", "Pedido #7");
        moved.pipeline_id = "pipe-2".to_owned();
        when.method(GET).path("/v1/deals/deal-2");
        then.status(200).json_body_obj(&moved);
    });
    workspace(&api);
    let lost = api.server.mock(|when, then| {
        when.method(PATCH)
            .path("/v1/deals/deal-2")
            .json_body_includes(r#"{"lostReason": ["Desistiu"]}"#);
        then.status(200).json_body_obj(&deal("deal-2", "Pedido #7"));
    });
    let out = run(api.kinbox(&["deals", "lose", "deal-2", "--reason", "Desistiu"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    lost.assert();
}
