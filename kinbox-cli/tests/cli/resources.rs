//! Every command of the resources besides deals: the request each sends
//! (method, path, exact query, body) and what it prints.

use httpmock::Method::{self, DELETE, GET, PATCH, POST};
use serde_json::{Value, json};

use crate::snap;
use crate::support::{Api, bearer, pipelines, run};

/// One command and the one exchange it must have with the API.
struct Exchange<'a> {
    args: &'a [&'a str],
    stdin: Option<&'a str>,
    method: Method,
    path: &'a str,
    query: &'a [(&'a str, &'a str)],
    body: Option<Value>,
    status: u16,
    reply: Option<Value>,
}

/// The items of a list answer: a page's `data`, or a plain array.
fn list_items(reply: &Value) -> Option<&Vec<Value>> {
    reply
        .as_array()
        .or_else(|| reply.get("data").and_then(Value::as_array))
}

/// `delete`: reads the object, then deletes it without asking (`--yes`, since
/// stdin is not a terminal here), prints nothing on stdout and says on stderr
/// what was deleted; without `--yes` it refuses and sends no DELETE.
fn deletes(args: &[&str], path: &str, object: Value) {
    let api = Api::start();
    api.server.mock(|when, then| {
        when.method(GET).path(path);
        then.status(200).json_body(object.clone());
    });
    let mut delete = api.server.mock(|when, then| {
        when.method(DELETE)
            .path(path)
            .header("authorization", bearer());
        then.status(204);
    });

    let refused = run(api.kinbox(args));
    assert_eq!(refused.code, 2, "{args:?}: {}", refused.stderr);
    assert!(refused.stderr.contains("pass --yes"), "{}", refused.stderr);
    assert_eq!(delete.calls(), 0, "{args:?}: deleted without --yes");

    let mut yes = args.to_vec();
    yes.push("--yes");
    let out = run(api.kinbox(&yes));
    assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
    assert_eq!(out.stdout, "");
    let noun = args[0].trim_end_matches('s');
    assert!(
        out.stderr
            .starts_with(&format!("deleted {noun} {}", args[2])),
        "{args:?}: {}",
        out.stderr
    );
    delete.assert();
    delete.delete();
}

impl<'a> Exchange<'a> {
    fn new(args: &'a [&'a str], method: Method, path: &'a str) -> Self {
        Self {
            args,
            stdin: None,
            method,
            path,
            query: &[],
            body: None,
            status: 200,
            reply: None,
        }
    }

    fn query(mut self, query: &'a [(&'a str, &'a str)]) -> Self {
        self.query = query;
        self
    }

    fn body(mut self, body: Value) -> Self {
        self.body = Some(body);
        self
    }

    fn stdin(mut self, stdin: &'a str) -> Self {
        self.stdin = Some(stdin);
        self
    }

    fn replies(mut self, status: u16, reply: Value) -> Self {
        self.status = status;
        self.reply = Some(reply);
        self
    }

    /// Runs the command against a mock that answers only this request, once;
    /// checks exit 0 and that stdout is the reply (or nothing). Returns stdout.
    fn check(self) -> String {
        let api = Api::start();
        let method = self.method;
        let mock = api.server.mock(|when, then| {
            let mut when = when
                .method(method)
                .path(self.path)
                .header("authorization", bearer())
                .query_param_count(".*", ".*", self.query.len());
            for (name, value) in self.query {
                when = when.query_param(*name, *value);
            }
            match &self.body {
                Some(body) => {
                    when.header("content-type", "application/json")
                        .json_body(body.clone());
                }
                None => {
                    when.header_missing("content-type");
                }
            }
            let then = then.status(self.status);
            if let Some(reply) = &self.reply {
                then.json_body(reply.clone());
            }
        });
        let mut cmd = api.kinbox(self.args);
        if let Some(stdin) = self.stdin {
            cmd.write_stdin(stdin);
        }
        let out = run(cmd);
        assert_eq!(out.code, 0, "{:?}: {}", self.args, out.stderr);
        mock.assert();
        match &self.reply {
            // A list prints its items, one compact JSON object a line, and
            // says on stderr when more pages follow.
            Some(reply) if list_items(reply).is_some() => {
                let items = list_items(reply).unwrap();
                let printed: Vec<Value> = out
                    .stdout
                    .lines()
                    .map(|line| serde_json::from_str(line).unwrap())
                    .collect();
                assert_eq!(&printed, items, "{:?}", self.args);
                match reply.get("nextCursor").filter(|c| !c.is_null()) {
                    Some(_) => assert!(out.stderr.starts_with("showing "), "{}", out.stderr),
                    None => assert_eq!(out.stderr, "", "{:?}", self.args),
                }
            }
            Some(reply) => {
                assert_eq!(out.stderr, "", "{:?}", self.args);
                let printed: Value = serde_json::from_str(&out.stdout)
                    .unwrap_or_else(|e| panic!("{:?}: {e}: {}", self.args, out.stdout));
                assert_eq!(&printed, reply, "{:?}", self.args);
                assert_eq!(out.stdout.lines().count(), 1, "compact JSON in a pipe");
            }
            None => {
                assert_eq!(out.stderr, "", "{:?}", self.args);
                assert_eq!(out.stdout, "", "{:?}", self.args)
            }
        }
        out.stdout
    }
}

fn contact(id: i64, name: &str, phone: &str) -> Value {
    json!({"id": id, "name": name, "phone": phone, "email": format!("{id}@example.com"),
           "createdAt": "2024-05-01T12:00:00Z"})
}

fn product(id: &str, name: &str) -> Value {
    json!({"id": id, "name": name, "price": 350.0, "externalId": "SKU-0042", "isActive": true})
}

fn tag(id: i64, name: &str) -> Value {
    json!({"id": id, "name": name, "color": "#f5a623"})
}

fn campaign(id: &str, status: &str) -> Value {
    json!({"id": id, "name": "Black Friday", "status": status, "audience": 1200})
}

fn session(id: &str) -> Value {
    json!({"id": id, "contactId": 123456, "campaignId": "camp-1", "callId": 98765,
           "updatedAt": "2024-05-02T10:00:00Z"})
}

pub fn custom_fields() -> Value {
    json!({"data": [
        {"id": 1, "name": "CPF", "placeholder": "cpf", "entity": "deal", "type": "text"},
        {"id": 2, "name": "Idade", "placeholder": "idade", "entity": "deal", "type": "number"},
        {"id": 3, "name": "Segmento", "placeholder": "segmento", "entity": "deal",
         "type": "select", "options": [{"value": "varejo", "label": "Varejo"},
                                       {"value": "atacado", "label": "Atacado"}]},
        {"id": 4, "name": "VIP", "placeholder": "vip", "entity": "deal", "type": "boolean"},
        {"id": 5, "name": "Data do evento", "placeholder": "data_evento", "entity": "deal",
         "type": "date"},
        {"id": 6, "name": "Canais", "placeholder": "canais", "entity": "deal",
         "type": "multi-select", "options": [{"value": "whatsapp"}, {"value": "email"}]},
        {"id": 7, "name": "CPF", "placeholder": "cpf", "entity": "contact", "type": "text"}
    ]})
}

#[test]
fn pipeline_commands() {
    let vendas = pipelines()[0].clone();
    Exchange::new(&["pipelines", "list"], GET, "/v1/pipelines")
        .replies(200, pipelines())
        .check();
    Exchange::new(&["pipelines", "get", "pipe-1"], GET, "/v1/pipelines/pipe-1")
        .replies(200, vendas.clone())
        .check();
    Exchange::new(
        &["pipelines", "create", "--json-body", "-", "--position", "2"],
        POST,
        "/v1/pipelines",
    )
    .stdin(
        r##"{"name": "Vendas", "lostReasons": ["Preço"], "rules": [],
             "stages": [{"id": "s1", "name": "Proposta", "color": "#fff", "requireds": []}]}"##,
    )
    .body(json!({
        "name": "Vendas", "position": 2.0, "rules": [], "lostReasons": ["Preço"],
        "stages": [{"id": "s1", "name": "Proposta", "color": "#fff", "requireds": []}]
    }))
    .replies(201, vendas.clone())
    .check();
    Exchange::new(
        &["pipelines", "update", "pipe-1", "--name", "Vendas B2B"],
        PATCH,
        "/v1/pipelines/pipe-1",
    )
    .body(json!({"name": "Vendas B2B"}))
    .replies(200, vendas)
    .check();
    deletes(
        &["pipelines", "delete", "pipe-1"],
        "/v1/pipelines/pipe-1",
        pipelines()[0].clone(),
    );
}

#[test]
fn pipelines_list_as_a_table_shows_the_stages_and_lost_reasons() {
    let api = Api::start();
    api.server.mock(|when, then| {
        when.method(GET).path("/v1/pipelines");
        then.status(200).json_body(pipelines());
    });
    let out = run(api.kinbox(&["pipelines", "list", "-o", "table"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    snap!("pipelines_list_table", out.stdout);
}

#[test]
fn contact_commands() {
    let ana = contact(123456, "Ana Souza", "5585997281648");
    Exchange::new(
        &[
            "contacts",
            "list",
            "--phone",
            "5585997281648",
            "--email",
            "ana@example.com",
            "--created-at-from",
            "2024-05-01T00:00:00-03:00",
            "--created-at-to",
            "2024-06-01T00:00:00Z",
            "--limit",
            "5",
            "--cursor",
            "c0",
        ],
        GET,
        "/v1/contacts",
    )
    .query(&[
        ("phone", "5585997281648"),
        ("email", "ana@example.com"),
        ("created_at_from", "2024-05-01T03:00:00Z"),
        ("created_at_to", "2024-06-01T00:00:00Z"),
        ("limit", "5"),
        ("cursor", "c0"),
    ])
    .replies(200, json!({"data": [ana.clone()], "nextCursor": "123456"}))
    .check();
    Exchange::new(
        &[
            "contacts",
            "create",
            "--name",
            "Ana Souza",
            "--phone",
            "5585997281648",
            "--is-private",
            "true",
        ],
        POST,
        "/v1/contacts",
    )
    .body(
        json!({"name": "Ana Souza", "phone": "5585997281648", "isPrivate": true,
                 "customFields": {}}),
    )
    .replies(201, ana.clone())
    .check();
    Exchange::new(&["contacts", "get", "123456"], GET, "/v1/contacts/123456")
        .replies(200, ana.clone())
        .check();
    Exchange::new(
        &[
            "contacts",
            "update",
            "123456",
            "--notes",
            "Prefere WhatsApp",
        ],
        PATCH,
        "/v1/contacts/123456",
    )
    .body(json!({"notes": "Prefere WhatsApp"}))
    .replies(200, ana)
    .check();
}

#[test]
fn contacts_list_as_a_table() {
    let api = Api::start();
    api.server.mock(|when, then| {
        when.method(GET)
            .path("/v1/contacts")
            .query_param("phone", "5585997281648");
        then.status(200).json_body(json!({"data": [
            contact(123456, "Ana Souza", "5585997281648"),
            {"id": "123457", "name": null, "phone": "5585997281648"}
        ], "nextCursor": null}));
    });
    let out = run(api.kinbox(&[
        "contacts",
        "list",
        "--phone",
        "5585997281648",
        "-o",
        "table",
    ]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    snap!("contacts_list_table", out.stdout);
}

#[test]
fn custom_field_commands() {
    Exchange::new(&["custom-fields", "list"], GET, "/v1/custom-fields")
        .replies(200, custom_fields())
        .check();
    Exchange::new(&["custom-fields", "get", "3"], GET, "/v1/custom-fields/3")
        .replies(200, custom_fields()["data"][2].clone())
        .check();

    let api = Api::start();
    api.server.mock(|when, then| {
        when.method(GET).path("/v1/custom-fields");
        then.status(200).json_body(custom_fields());
    });
    let out = run(api.kinbox(&["custom-fields", "list", "-o", "table"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    snap!("custom_fields_list_table", out.stdout);
}

#[test]
fn product_commands() {
    let cadeira = product("prod-1", "Cadeira");
    Exchange::new(&["products", "list", "--limit", "20"], GET, "/v1/products")
        .query(&[("limit", "20")])
        .replies(200, json!({"data": [cadeira.clone()]}))
        .check();
    Exchange::new(
        &[
            "products",
            "create",
            "--name",
            "Cadeira",
            "--price",
            "350",
            "--external-id",
            "SKU-0042",
        ],
        POST,
        "/v1/products",
    )
    // isActive is true by default in the spec, and the SDK sends the default.
    .body(
        json!({"name": "Cadeira", "price": 350.0, "externalId": "SKU-0042",
                 "isActive": true, "customFields": {}}),
    )
    .replies(201, cadeira.clone())
    .check();
    Exchange::new(&["products", "get", "prod-1"], GET, "/v1/products/prod-1")
        .replies(200, cadeira.clone())
        .check();
    Exchange::new(
        &["products", "get-by-external-id", "SKU-0042"],
        GET,
        "/v1/products/external/SKU-0042",
    )
    .replies(200, cadeira.clone())
    .check();
    Exchange::new(
        &["products", "update", "prod-1", "--is-active", "false"],
        PATCH,
        "/v1/products/prod-1",
    )
    .body(json!({"isActive": false}))
    .replies(200, cadeira)
    .check();
    deletes(
        &["products", "delete", "prod-1"],
        "/v1/products/prod-1",
        json!({"id": "prod-1", "name": "Cadeira", "price": 350.0}),
    );
}

#[test]
fn products_get_by_external_id_as_a_table() {
    let api = Api::start();
    api.server.mock(|when, then| {
        when.method(GET).path("/v1/products/external/SKU-0042");
        then.status(200).json_body(product("prod-1", "Cadeira"));
    });
    let out = run(api.kinbox(&["products", "get-by-external-id", "SKU-0042", "-o", "table"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    snap!("products_get_by_external_id_table", out.stdout);
}

#[test]
fn tag_commands() {
    let vip = tag(5, "VIP");
    Exchange::new(&["tags", "list"], GET, "/v1/tags")
        .replies(200, json!([vip.clone(), tag(6, "Atacado")]))
        .check();
    Exchange::new(
        &["tags", "create", "--name", "VIP", "--color", "#f5a623"],
        POST,
        "/v1/tags",
    )
    .body(json!({"name": "VIP", "color": "#f5a623", "privacy": {"type": "public"}}))
    .replies(201, vip.clone())
    .check();
    Exchange::new(&["tags", "get", "5"], GET, "/v1/tags/5")
        .replies(200, vip.clone())
        .check();
    Exchange::new(
        &["tags", "update", "5", "--color", "#000000"],
        PATCH,
        "/v1/tags/5",
    )
    .body(json!({"color": "#000000"}))
    .replies(200, vip)
    .check();
    deletes(
        &["tags", "delete", "5"],
        "/v1/tags/5",
        json!({"id": 5, "name": "VIP"}),
    );
}

#[test]
fn tags_list_as_a_table() {
    let api = Api::start();
    api.server.mock(|when, then| {
        when.method(GET).path("/v1/tags");
        then.status(200)
            .json_body(json!([tag(5, "VIP"), tag(6, "Atacado")]));
    });
    let out = run(api.kinbox(&["tags", "list", "-o", "table"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    snap!("tags_list_table", out.stdout);
}

#[test]
fn campaign_commands() {
    let running = campaign("camp-1", "executing");
    let paused = campaign("camp-1", "paused");
    Exchange::new(
        &["campaigns", "list", "--cursor", "camp-0"],
        GET,
        "/v1/campaigns",
    )
    .query(&[("cursor", "camp-0")])
    .replies(200, json!({"data": [running.clone()]}))
    .check();
    Exchange::new(
        &[
            "campaigns",
            "create",
            "--json-body",
            "-",
            "--name",
            "Black Friday",
        ],
        POST,
        "/v1/campaigns",
    )
    .stdin(r#"{"name": "draft", "chunkSize": 1200}"#)
    .body(json!({"name": "Black Friday", "chunkSize": 1200.0}))
    .replies(201, running.clone())
    .check();
    Exchange::new(
        &["campaigns", "create", "--name", "Black Friday"],
        POST,
        "/v1/campaigns",
    )
    .body(json!({"name": "Black Friday"}))
    .replies(201, running.clone())
    .check();
    Exchange::new(&["campaigns", "get", "camp-1"], GET, "/v1/campaigns/camp-1")
        .replies(200, running.clone())
        .check();
    Exchange::new(
        &["campaigns", "update", "camp-1", "--name", "Black Friday 2"],
        PATCH,
        "/v1/campaigns/camp-1",
    )
    .body(json!({"name": "Black Friday 2"}))
    .replies(200, running.clone())
    .check();
    Exchange::new(
        &["campaigns", "pause", "camp-1"],
        POST,
        "/v1/campaigns/camp-1/pause",
    )
    .replies(200, paused)
    .check();
    Exchange::new(
        &["campaigns", "resume", "camp-1"],
        POST,
        "/v1/campaigns/camp-1/resume",
    )
    .replies(200, running)
    .check();
    Exchange::new(
        &["campaigns", "chunk-leads", "camp-1"],
        GET,
        "/v1/campaigns/camp-1/chunk-leads",
    )
    .replies(200, json!([{"contactId": 123456, "status": "sent"}]))
    .check();
    deletes(
        &["campaigns", "delete", "camp-1"],
        "/v1/campaigns/camp-1",
        json!({"id": "camp-1", "name": "Black Friday"}),
    );
}

#[test]
fn campaigns_pause_and_chunk_leads_as_tables() {
    let api = Api::start();
    api.server.mock(|when, then| {
        when.method(POST).path("/v1/campaigns/camp-1/pause");
        then.status(200).json_body(campaign("camp-1", "paused"));
    });
    api.server.mock(|when, then| {
        when.method(GET).path("/v1/campaigns/camp-1/chunk-leads");
        then.status(200).json_body(json!([
            {"contactId": 123456, "phone": "5585997281648", "status": "sent",
             "variables": {"nome": "Ana"}},
            {"contactId": 123457, "status": "error", "error": "invalid number"}
        ]));
    });
    let paused = run(api.kinbox(&["campaigns", "pause", "camp-1", "-o", "table"]));
    assert_eq!(paused.code, 0, "{}", paused.stderr);
    let leads = run(api.kinbox(&["campaigns", "chunk-leads", "camp-1", "-o", "table"]));
    assert_eq!(leads.code, 0, "{}", leads.stderr);
    snap!(
        "campaigns_tables",
        format!("{}\n{}", paused.stdout, leads.stdout)
    );
}

#[test]
fn session_commands() {
    Exchange::new(
        &[
            "sessions",
            "list",
            "--campaign-id",
            "camp-1",
            "--contact-id",
            "123456",
            "--call-id",
            "98765",
            "--updated-at-from",
            "2024-05-01T00:00:00-03:00",
            "--updated-at-to",
            "2024-05-31T23:59:59Z",
        ],
        GET,
        "/v1/sessions",
    )
    .query(&[
        ("campaign_id", "camp-1"),
        ("contact_id", "123456"),
        ("call_id", "98765"),
        ("updated_at_from", "2024-05-01T03:00:00Z"),
        ("updated_at_to", "2024-05-31T23:59:59Z"),
    ])
    .replies(200, json!({"data": [session("sess-1")]}))
    .check();
    Exchange::new(&["sessions", "get", "98765"], GET, "/v1/sessions/98765")
        .replies(200, session("sess-1"))
        .check();

    let api = Api::start();
    api.server.mock(|when, then| {
        when.method(GET).path("/v1/sessions");
        then.status(200)
            .json_body(json!({"data": [session("sess-1"), {"id": "sess-2"}], "nextCursor": null}));
    });
    let out = run(api.kinbox(&["sessions", "list", "-o", "table"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    snap!("sessions_list_table", out.stdout);
}

/// `--all` on every cursor-paginated list of the spec (an operation with a
/// `cursor` parameter): every page, in order, each item once; and no other
/// list has the flag.
#[test]
fn every_cursor_list_of_the_spec_has_all_and_no_other_list_does() {
    let spec = kinbox_spec::spec();
    let mut paginated = 0;
    for operation in spec.operations().iter().filter(|op| op.method == "GET") {
        let (resource, verb) = kinbox_cli::words::words_of_operation(&operation.id).unwrap();
        if verb != "list" {
            continue;
        }
        let has_cursor = operation.parameters.iter().any(|p| p.name == "cursor");
        let api = Api::start();
        if !has_cursor {
            let catch_all = api.catch_all();
            let out = run(api.kinbox(&[resource, "list", "--all"]));
            assert_eq!(out.code, 2, "{resource}");
            assert!(
                out.stderr.contains("unexpected argument '--all'"),
                "{}",
                out.stderr
            );
            assert_eq!(catch_all.calls(), 0);
            continue;
        }
        paginated += 1;
        let schema = spec.response_schema(&operation.id, 200).unwrap();
        // An item as the spec has it: from the first page drawn with one.
        let item = |n: u64| {
            let mut item = (n * 100..)
                .find_map(|seed| {
                    let mut page = kinbox_spec::Sampler::new(seed).sample(spec, &schema);
                    page["data"].as_array_mut().and_then(|data| data.pop())
                })
                .unwrap();
            // Digits: an id every resource reads, text or integer.
            item["id"] = json!(format!("{n}00"));
            item
        };
        let (one, two, three) = (item(1), item(2), item(3));
        let first = api.server.mock(|when, then| {
            when.method(GET)
                .path(&operation.path)
                .query_param_missing("cursor");
            then.status(200)
                .json_body(json!({"data": [one.clone()], "nextCursor": "next-1"}));
        });
        let second = api.server.mock(|when, then| {
            when.method(GET)
                .path(&operation.path)
                .query_param("cursor", "next-1");
            then.status(200)
                .json_body(json!({"data": [two.clone(), three.clone()], "nextCursor": null}));
        });
        let out = run(api.kinbox(&[resource, "list", "--all"]));
        assert_eq!(out.code, 0, "{resource}: {}", out.stderr);
        first.assert();
        second.assert();
        let ids: Vec<String> = out
            .stdout
            .lines()
            .map(|line| {
                let id = serde_json::from_str::<Value>(line).unwrap()["id"].to_string();
                id.trim_matches('"').to_owned()
            })
            .collect();
        assert_eq!(ids, ["100", "200", "300"], "{resource}");
    }
    assert!(paginated >= 1, "the spec has cursor lists");
}

#[test]
fn a_new_pipeline_gets_what_the_api_requires_and_a_person_leaves_out() {
    let api = Api::start();
    api.server.mock(|when, then| {
        when.method(GET).path("/v1/pipelines");
        then.status(200).json_body(pipelines());
    });
    let created = api.server.mock(|when, then| {
        when.method(POST)
            .path("/v1/pipelines")
            .is_true(|request: &httpmock::HttpMockRequest| {
                let body: Value = serde_json::from_slice(request.body().as_ref()).unwrap();
                let stages = body["stages"].as_array().unwrap();
                let ids: Vec<&str> = stages.iter().map(|s| s["id"].as_str().unwrap()).collect();
                body["rules"] == json!([])
                    && body["position"] == json!(2.0)
                    && stages.len() == 2
                    && ids
                        .iter()
                        .all(|id| id.len() == 24 && id.chars().all(|c| c.is_ascii_hexdigit()))
                    && ids[0] != ids[1]
                    && stages
                        .iter()
                        .all(|s| s["color"] == "#cccccc" && s["requireds"] == json!([]))
            });
        then.status(201).json_body(pipelines()[0].clone());
    });

    let out = run(api
        .kinbox(&["pipelines", "create", "--json-body", "-"])
        .write_stdin(
            r#"{"name": "Licitações", "stages": [{"name": "Edital"}, {"name": "Proposta"}]}"#,
        ));

    assert_eq!(out.code, 0, "{}", out.stderr);
    created.assert();
}

#[test]
fn a_pipeline_update_keeps_the_colour_of_stages_it_keeps() {
    let api = Api::start();
    api.server.mock(|when, then| {
        when.method(GET).path("/v1/pipelines/pipe-1");
        then.status(200).json_body(pipelines()[0].clone());
    });
    let updated = api.server.mock(|when, then| {
        when.method(PATCH).path("/v1/pipelines/pipe-1").is_true(
            |request: &httpmock::HttpMockRequest| {
                let body: Value = serde_json::from_slice(request.body().as_ref()).unwrap();
                let stages = body["stages"].as_array().unwrap();
                stages[0]
                    == json!({"id": "pipe-1-stage-1", "name": "Prospecção",
                                    "color": "#cccccc", "requireds": []})
                    && stages[1]["id"].as_str().unwrap().len() == 24
                    && stages[1]["name"] == "Nova"
            },
        );
        then.status(200).json_body(pipelines()[0].clone());
    });

    let out = run(api
        .kinbox(&["pipelines", "update", "pipe-1", "--json-body", "-"])
        .write_stdin(
            r#"{"stages": [{"id": "pipe-1-stage-1", "name": "Prospecção"}, {"name": "Nova"}]}"#,
        ));

    assert_eq!(out.code, 0, "{}", out.stderr);
    updated.assert();
}

#[test]
fn a_tag_from_a_json_body_without_privacy_is_public() {
    Exchange::new(&["tags", "create", "--json-body", "-"], POST, "/v1/tags")
        .stdin(r##"{"name": "VIP", "color": "#f5a623"}"##)
        .body(json!({"name": "VIP", "color": "#f5a623", "privacy": {"type": "public"}}))
        .replies(201, json!({"id": 7, "name": "VIP", "color": "#f5a623"}))
        .check();
    Exchange::new(&["tags", "create", "--json-body", "-"], POST, "/v1/tags")
        .stdin(r##"{"name": "Time", "color": "#000", "privacy": {"type": "team", "groupIds": ["7"]}}"##)
        .body(json!({"name": "Time", "color": "#000", "privacy": {"type": "team", "groupIds": ["7"]}}))
        .replies(201, json!({"id": 8, "name": "Time", "color": "#000"}))
        .check();
}
