//! `kinbox mcp` spoken to over stdio, as a desktop client does: the real
//! binary, newline-delimited JSON-RPC, against a `kinbox_sandbox::Sandbox`
//! (its seeded pipelines "Vendas" and "Pós-venda", contacts and tags).

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use kinbox_sandbox::Sandbox;
use serde_json::{Value, json};

const PEOPLE_TOOLS: [&str; 6] = [
    "create_deal_by_names",
    "update_deal_by_names",
    "move_deal",
    "win_deal",
    "lose_deal",
    "reopen_deal",
];

/// `kinbox mcp ARGS` for `sandbox`, with its own empty configuration and
/// no profile or time zone from the environment.
fn mcp_command(sandbox: &Sandbox, config: &tempfile::TempDir, args: &[&str]) -> Command {
    let mut command = Command::new(assert_cmd::cargo::cargo_bin("kinbox"));
    command
        .arg("mcp")
        .args(args)
        .env_remove("KINBOX_PROFILE")
        .env_remove("KINBOX_TZ")
        .env("KINBOX_BASE_URL", sandbox.base_url())
        .env("KINBOX_TOKEN", sandbox.token())
        .env("KINBOX_CONFIG_DIR", config.path());
    command
}

/// A `kinbox mcp` process and the JSON-RPC lines it writes.
struct Mcp {
    child: Child,
    stdin: ChildStdin,
    lines: Receiver<String>,
    next_id: u64,
}

impl Mcp {
    fn start(sandbox: &Sandbox, args: &[&str]) -> Self {
        let config = tempfile::tempdir().unwrap();
        let mut child = mcp_command(sandbox, &config, args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (send, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        let stdin = child.stdin.take().unwrap();
        let mut mcp = Self {
            child,
            stdin,
            lines,
            next_id: 0,
        };
        let init = mcp.request(
            "initialize",
            json!({
                "protocolVersion": "2025-06-18",
                "capabilities": {},
                "clientInfo": {"name": "kinbox-tests", "version": "0"}
            }),
        );
        assert_eq!(init["result"]["serverInfo"]["name"], "kinbox", "{init}");
        assert!(
            init["result"]["capabilities"]["tools"].is_object(),
            "{init}"
        );
        mcp.send(json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
        mcp
    }

    fn send(&mut self, message: Value) {
        writeln!(self.stdin, "{message}").unwrap();
        self.stdin.flush().unwrap();
    }

    /// Sends a request and waits for the answer with its id.
    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let line = self
                .lines
                .recv_timeout(Duration::from_secs(30))
                .unwrap_or_else(|_| panic!("no answer to {method} within 30 s"));
            let message: Value =
                serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON-RPC: {e}: {line}"));
            if message["id"] == json!(id) {
                return message;
            }
        }
    }

    fn tools(&mut self) -> Vec<Value> {
        self.request("tools/list", json!({}))["result"]["tools"]
            .as_array()
            .unwrap()
            .clone()
    }

    /// A tool call's result: (isError, its text).
    fn call(&mut self, name: &str, arguments: Value) -> (bool, String) {
        let answer = self.request("tools/call", json!({"name": name, "arguments": arguments}));
        let result = &answer["result"];
        assert!(result.is_object(), "{name}: {answer}");
        let text = result["content"][0]["text"].as_str().unwrap_or_default();
        (result["isError"] == json!(true), text.to_owned())
    }

    /// A call that must succeed, its whole result.
    fn result(&mut self, name: &str, arguments: Value) -> Value {
        let answer = self.request("tools/call", json!({"name": name, "arguments": arguments}));
        let result = answer["result"].clone();
        assert!(
            result.is_object() && result["isError"] != json!(true),
            "{name}: {answer}"
        );
        result
    }

    /// A call that must succeed, its JSON (after a summary line, if any).
    fn ok(&mut self, name: &str, arguments: Value) -> Value {
        let (error, text) = self.call(name, arguments.clone());
        assert!(!error, "{name} {arguments}: {text}");
        let start = text.find(['{', '[']).unwrap_or_else(|| panic!("{text}"));
        serde_json::from_str(&text[start..]).unwrap_or_else(|e| panic!("{e}: {text}"))
    }
}

impl Drop for Mcp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn deal_tags(deal: &Value) -> Value {
    deal["tagIds"].clone()
}

fn names(tools: &[Value]) -> Vec<String> {
    let mut names: Vec<String> = tools
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    names
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tools_are_the_specs_operations_with_their_annotations() {
    let sandbox = Sandbox::start().await.unwrap();
    let mut mcp = Mcp::start(&sandbox, &[]);
    let tools = mcp.tools();
    let spec = kinbox_spec::spec();
    let mut expected: Vec<String> = spec.operations().iter().map(|op| op.id.clone()).collect();
    expected.extend(PEOPLE_TOOLS.map(str::to_owned));
    expected.sort();
    assert_eq!(names(&tools), expected);
    for op in spec.operations() {
        let tool = tools.iter().find(|t| t["name"] == op.id.as_str()).unwrap();
        let hints = &tool["annotations"];
        assert_eq!(hints["readOnlyHint"], json!(op.method == "GET"), "{tool}");
        assert_eq!(
            hints["destructiveHint"],
            json!(op.method == "DELETE"),
            "{tool}"
        );
        assert_eq!(hints["openWorldHint"], json!(true), "{tool}");
        let properties = tool["inputSchema"]["properties"].as_object().unwrap();
        for parameter in &op.parameters {
            assert!(properties.contains_key(&parameter.name), "{tool}");
        }
        assert_eq!(
            properties.contains_key("body"),
            op.has_request_body,
            "{tool}"
        );
        assert_eq!(
            properties.contains_key("confirm"),
            op.method == "DELETE",
            "{tool}"
        );
    }
    let resources = mcp.request("resources/list", json!({}));
    assert_eq!(
        resources["result"]["resources"].as_array().unwrap().len(),
        3
    );
    let pipelines = mcp.request("resources/read", json!({"uri": "kinbox://pipelines"}));
    let text = pipelines["result"]["contents"][0]["text"].as_str().unwrap();
    let pipelines: Value = serde_json::from_str(text).unwrap();
    assert!(
        pipelines
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "Vendas")
    );
}

/// `result`'s structured content fits `tool`'s output schema (checked by a
/// JSON Schema validator we did not write) and is the JSON of its text.
fn fits_its_output_schema(tool: &Value, result: &Value) {
    let name = &tool["name"];
    let schema = &tool["outputSchema"];
    let structured = &result["structuredContent"];
    assert!(structured.is_object(), "{name}: {result}");
    let validator = jsonschema::draft202012::new(schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(structured)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{name}: {errors:?}\n{structured}");
    let text = result["content"][0]["text"].as_str().unwrap();
    let json = &text[text.find('{').unwrap()..];
    assert_eq!(
        &serde_json::from_str::<Value>(json).unwrap(),
        structured,
        "{name}"
    );
}

/// Every answer a tool gives fits the output schema it lists: each list,
/// trimmed and with all its fields, each object by an id a list showed,
/// writes, and every people tool on one deal.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_answer_fits_the_output_schema_its_tool_lists() {
    let sandbox = Sandbox::start().await.unwrap();
    let mut mcp = Mcp::start(&sandbox, &[]);
    let tools = mcp.tools();
    let tool = |name: &str| {
        tools
            .iter()
            .find(|t| t["name"] == name)
            .unwrap_or_else(|| panic!("{name}"))
            .clone()
    };
    let spec = kinbox_spec::spec();
    for op in spec.operations() {
        let listed = tool(&op.id);
        let has = listed.get("outputSchema").is_some();
        assert_eq!(has, op.method != "DELETE", "{listed}");
        if has {
            assert_eq!(listed["outputSchema"]["type"], "object", "{listed}");
        }
    }
    let mut checked = Vec::new();
    // A list's first id, by the list's path.
    let mut first_ids = std::collections::BTreeMap::new();
    let reads = spec.operations().iter().filter(|op| op.method == "GET");
    for op in reads.clone().filter(|op| !op.path.contains('{')) {
        let listed = tool(&op.id);
        let mut calls = vec![json!({})];
        if listed["inputSchema"]["properties"]["all_fields"].is_object() {
            calls.push(json!({"all_fields": true}));
        }
        for arguments in calls {
            let result = mcp.result(&op.id, arguments);
            fits_its_output_schema(&listed, &result);
            let structured = &result["structuredContent"];
            let items = structured.get("data").unwrap_or(&structured["items"]);
            if let Some(id) = items[0]["id"]
                .as_str()
                .map(str::to_owned)
                .or(items[0]["id"].as_i64().map(|i| i.to_string()))
            {
                first_ids.insert(op.path.clone(), id);
            }
        }
        checked.push(op.id.clone());
    }
    for op in reads.filter(|op| op.path.contains('{')) {
        let collection = op.path.trim_end_matches("/{id}");
        let (Some(id), true) = (first_ids.get(collection), op.path.ends_with("/{id}")) else {
            continue;
        };
        let result = mcp.result(&op.id, json!({"id": id}));
        fits_its_output_schema(&tool(&op.id), &result);
        checked.push(op.id.clone());
    }
    let tag = mcp.result(
        "create_tag",
        json!({"body": {"name": "Schema", "color": "#1e90ff", "privacy": {"type": "public"}}}),
    );
    fits_its_output_schema(&tool("create_tag"), &tag);
    let tag_id = tag["structuredContent"]["id"].to_string();
    let tag_id = tag_id.trim_matches('"');
    let renamed = mcp.result(
        "update_tag",
        json!({"id": tag_id, "body": {"name": "Schema 2"}}),
    );
    fits_its_output_schema(&tool("update_tag"), &renamed);
    let deal = mcp.result(
        "create_deal_by_names",
        json!({"name": "Esquema", "value": "R$ 1.890,50", "pipeline": "Vendas",
               "contact_phone": "(85) 99728-1648", "tags": ["Lead quente"]}),
    );
    fits_its_output_schema(&tool("create_deal_by_names"), &deal);
    let id = deal["structuredContent"]["id"].as_str().unwrap().to_owned();
    for (name, arguments) in [
        (
            "update_deal_by_names",
            json!({"id": id, "value": "2.000,00", "due_date": "30/06/2025"}),
        ),
        ("move_deal", json!({"id": id, "stage": "Negociação"})),
        ("win_deal", json!({"id": id, "date": "30/06/2025"})),
        ("reopen_deal", json!({"id": id})),
        ("lose_deal", json!({"id": id, "reasons": ["Preço"]})),
    ] {
        let result = mcp.result(name, arguments);
        fits_its_output_schema(&tool(name), &result);
    }
    // The sandbox starts with no deals: read the one made.
    for (name, arguments) in [
        ("get_deal", json!({"id": id})),
        ("list_deals", json!({})),
        ("list_deals", json!({"all_fields": true})),
    ] {
        let result = mcp.result(name, arguments);
        assert!(
            result["content"][0]["text"]
                .as_str()
                .unwrap()
                .contains("Esquema")
        );
        fits_its_output_schema(&tool(name), &result);
        checked.push(name.to_owned());
    }
    for read in [
        "list_deals",
        "get_deal",
        "list_pipelines",
        "get_pipeline",
        "list_tags",
        "get_tag",
        "list_contacts",
        "get_contact",
        "list_products",
        "get_product",
        "list_custom_fields",
        "get_custom_field",
        "list_campaigns",
        "get_campaign",
        "list_sessions",
        "get_session",
    ] {
        assert!(
            checked.iter().any(|c| c == read),
            "{read} was not checked: {checked:?}"
        );
    }
}

/// A token that made its way into the workspace's data (a tag named with
/// it) never reaches the assistant: not in the text, not in the structured
/// content, not in a resource.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_token_in_the_workspaces_data_is_never_answered() {
    let sandbox = Sandbox::start().await.unwrap();
    let token = sandbox.token().to_owned();
    let mut mcp = Mcp::start(&sandbox, &[]);
    let made = mcp.request(
        "tools/call",
        json!({"name": "create_tag", "arguments": {"body": {"name": format!("copiado {token}"),
               "color": "#000000", "privacy": {"type": "public"}}}}),
    );
    let tags = mcp.request("tools/call", json!({"name": "list_tags", "arguments": {}}));
    let resource = mcp.request("resources/read", json!({"uri": "kinbox://tags"}));
    for answer in [made, tags, resource] {
        let text = answer.to_string();
        assert!(text.contains("copiado"), "{text}");
        assert!(!text.contains(&token), "{text}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deal_created_by_names_is_listed_moved_and_won() {
    let sandbox = Sandbox::start().await.unwrap();
    let deals_before = sandbox.held_deals().await.len();
    let mut mcp = Mcp::start(&sandbox, &[]);
    let created = mcp.ok(
        "create_deal_by_names",
        json!({
            "name": "Pedido MCP", "value": "R$ 1.890,50", "pipeline": "vendas",
            "stage": "proposta", "contact_phone": "(85) 99728-1648",
            "tags": ["Lead quente"], "due_date": "30/06/2025"
        }),
    );
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(created["value"], 1890.5, "R$ 1.890,50: {created}");
    let page = mcp.ok("list_deals", json!({"limit": 100}));
    assert!(
        page["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["id"] == id.as_str()),
        "{page}"
    );
    // Items keep their main fields unless asked for all.
    let item = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == id.as_str())
        .unwrap();
    assert!(
        item.get("customFields").is_none() && item["name"] == "Pedido MCP",
        "{item}"
    );
    let (_, text) = mcp.call("list_deals", json!({"limit": 100}));
    assert!(
        text.lines().next().unwrap().contains("all_fields: true"),
        "{text}"
    );
    let all = mcp.ok("list_deals", json!({"limit": 100, "all_fields": true}));
    assert!(
        all["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d.get("customFields").is_some()),
        "{all}"
    );
    // Changed by names: custom fields merged, tags replaced.
    mcp.ok(
        "update_deal_by_names",
        json!({"id": id, "custom_fields": {"cpf": "060.715.303-54"}}),
    );
    mcp.ok(
        "update_deal_by_names",
        json!({"id": id, "value": "R$ 2.000,00", "custom_fields": {"idade": "30"}, "tags": ["indicacao"]}),
    );
    let changed = sandbox
        .held_deals()
        .await
        .into_iter()
        .find(|d| d.id == id)
        .unwrap();
    let changed = serde_json::to_value(changed).unwrap();
    assert_eq!(changed["value"], 2000.0, "{changed}");
    assert_eq!(
        changed["customFields"]["cpf"]["value"], "060.715.303-54",
        "{changed}"
    );
    assert_eq!(changed["customFields"]["idade"]["value"], "30", "{changed}");
    assert_eq!(changed["tagIds"].as_array().unwrap().len(), 1, "{changed}");
    assert_ne!(changed["tagIds"], deal_tags(&created), "{changed}");
    let (error, text) = mcp.call("update_deal_by_names", json!({"id": id}));
    assert!(error && text.contains("nothing to change"), "{text}");
    // Another contact, by e-mail; then one no one has, created on the way.
    let contacts_before = sandbox.held_contacts().await.len();
    mcp.ok(
        "update_deal_by_names",
        json!({"id": id, "contact_email": "Joao.Santos@example.com"}),
    );
    let held = |deals: Vec<kinbox_api::types::Deal>| {
        serde_json::to_value(deals.into_iter().find(|d| d.id == id).unwrap()).unwrap()
    };
    let changed = held(sandbox.held_deals().await);
    assert_eq!(changed["contact"]["name"], "João Santos", "{changed}");
    let (error, text) = mcp.call(
        "update_deal_by_names",
        json!({"id": id, "contact_phone": "(21) 98888-7777"}),
    );
    assert!(error && text.contains("create_contact: true"), "{text}");
    let (error, text) = mcp.call(
        "update_deal_by_names",
        json!({"id": id, "contact_phone": "(21) 98888-7777", "create_contact": true,
               "contact_name": "Ana Lima"}),
    );
    assert!(!error && text.starts_with("The contact "), "{text}");
    let changed = held(sandbox.held_deals().await);
    assert_eq!(changed["contact"]["name"], "Ana Lima", "{changed}");
    assert_eq!(changed["contact"]["phone"], "5521988887777", "{changed}");
    assert_eq!(sandbox.held_contacts().await.len(), contacts_before + 1);
    mcp.ok("move_deal", json!({"id": id, "stage": "Negociação"}));
    mcp.ok("win_deal", json!({"id": id, "date": "30/06/2025 18:00"}));

    let held = sandbox.held_deals().await;
    let deal = held
        .iter()
        .find(|d| d.id == id)
        .expect("the sandbox holds it");
    let pipelines = kinbox_input::lookup::pipelines(&sandbox.client())
        .await
        .unwrap();
    let vendas = pipelines.iter().find(|p| p.name == "Vendas").unwrap();
    let stage = |name: &str| {
        vendas
            .stages
            .iter()
            .find(|s| s.name == name)
            .unwrap()
            .id
            .clone()
    };
    assert_eq!(deal.name, "Pedido MCP");
    assert_eq!(deal.value, 2000.0);
    assert_eq!(deal.pipeline_id, vendas.id);
    assert_eq!(deal.stage_id, stage("Negociação"));
    let deal = serde_json::to_value(deal).unwrap();
    assert_eq!(deal["status"], "won", "{deal}");
    assert_eq!(deal["wonLostDate"], "2025-06-30T21:00:00Z", "{deal}");
    assert_eq!(deal["dueDate"], "2025-06-30T03:00:00Z", "{deal}");
    assert_eq!(deal["tagIds"].as_array().unwrap().len(), 1, "{deal}");
    assert_eq!(held.len(), deals_before + 1);

    // Lost with a reason of the pipeline, then reopened.
    let (error, text) = mcp.call("lose_deal", json!({"id": id, "reasons": ["Prec"]}));
    assert!(error && text.contains("Preço"), "{text}");
    mcp.ok(
        "lose_deal",
        json!({"id": id, "reasons": ["preço"], "obs": "caro"}),
    );
    let deal = sandbox
        .held_deals()
        .await
        .into_iter()
        .find(|d| d.id == id)
        .unwrap();
    let deal = serde_json::to_value(deal).unwrap();
    assert_eq!(
        (deal["status"].clone(), deal["lostReason"].clone()),
        (json!("lost"), json!(["Preço"]))
    );
    mcp.ok("reopen_deal", json!({"id": id}));
    let deal = sandbox
        .held_deals()
        .await
        .into_iter()
        .find(|d| d.id == id)
        .unwrap();
    assert_eq!(serde_json::to_value(deal).unwrap()["status"], "open");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_arguments_are_tool_errors_and_the_server_keeps_serving() {
    let sandbox = Sandbox::start().await.unwrap();
    let mut mcp = Mcp::start(&sandbox, &[]);
    let created = mcp.ok(
        "create_deal_by_names",
        json!({"name": "Alvo", "value": 10, "pipeline": "Vendas", "contact_email": "Maria.Oliveira@example.com"}),
    );
    let id = created["id"].as_str().unwrap().to_owned();
    let deals_before = sandbox.held_deals().await;
    for (name, arguments, says) in [
        ("get_deal", json!({"id": "../v1/tags"}), "`id`"),
        ("get_deal", json!({"id": ".."}), "not an id"),
        ("get_deal", json!({"id": "a/b"}), "no `/`"),
        ("get_deal", json!({"id": 7}), "`id`"),
        ("get_deal", json!({}), "`id` is missing"),
        ("delete_deal", json!({"id": id}), "confirm: true"),
        (
            "delete_deal",
            json!({"id": id, "confirm": "yes"}),
            "confirm: true",
        ),
        ("list_deals", json!({"limit": "many"}), "limit"),
        ("list_deals", json!({"limit": 1e300}), "limit"),
        (
            "list_deals",
            json!({"limti": 5}),
            "`limti` is not an argument",
        ),
        (
            "update_deal",
            json!({"id": id, "body": {"nmae": "x"}}),
            "`nmae`",
        ),
        (
            "update_deal",
            json!({"id": id, "body": {"value": "caro"}}),
            "value",
        ),
        (
            "create_tag",
            json!({"body": {"name": "x".repeat(2 << 20)}}),
            "bytes",
        ),
        (
            "create_deal_by_names",
            json!({"name": "x", "value": "1.890", "pipeline": "Vendas", "contact_phone": "85997281648"}),
            "could mean 1890 or 1,89",
        ),
        (
            "create_deal_by_names",
            json!({"name": "x", "value": "1", "pipeline": "Venda", "contact_phone": "85997281648"}),
            "Vendas",
        ),
        (
            "create_deal_by_names",
            json!({"name": "x", "value": "1", "pipeline": "Vendas", "contact_phone": "85 0000-0000"}),
            "create_contact",
        ),
        (
            "move_deal",
            json!({"id": id, "stage": "Propost"}),
            "Proposta",
        ),
        (
            "move_deal",
            json!({"id": id, "stage": "x".repeat(2 << 20)}),
            "bytes",
        ),
        (
            "move_deal",
            json!({"id": id, "stage": "y".repeat(900 << 10)}),
            "at most 2048 bytes",
        ),
        (
            "win_deal",
            json!({"id": id, "date": "31/02/2025"}),
            "`date`",
        ),
    ] {
        let (error, text) = mcp.call(name, arguments.clone());
        let shown = |text: &str| text.chars().take(500).collect::<String>();
        assert!(error, "{name} was accepted: {}", shown(&text));
        assert!(text.contains(says), "{name}: {}", shown(&text));
        assert!(!text.contains(sandbox.token()), "{text}");
        assert!(text.len() <= 64 * 1024, "{name}: {} bytes", text.len());
    }
    let unknown = mcp.request(
        "tools/call",
        json!({"name": "drop_database", "arguments": {}}),
    );
    assert!(
        unknown["error"]["message"]
            .as_str()
            .unwrap()
            .contains("drop_database"),
        "{unknown}"
    );
    // Nothing changed, and the server still answers.
    let after = sandbox.held_deals().await;
    assert_eq!(
        serde_json::to_value(&after).unwrap(),
        serde_json::to_value(&deals_before).unwrap()
    );
    let deal = mcp.ok("get_deal", json!({"id": id}));
    assert_eq!(deal["id"], id.as_str());
    // Lines that are not JSON (NaN, a number past f64, garbage) are not
    // answered (rmcp skips them), a 4 MiB id is a tool error, and the
    // server goes on serving.
    for line in [
        r#"{"jsonrpc":"2.0","id":900,"method":"tools/call","params":{"name":"list_deals","arguments":{"limit":NaN}}}"#.to_owned(),
        r#"{"jsonrpc":"2.0","id":901,"method":"tools/call","params":{"name":"list_deals","arguments":{"limit":1e999}}}"#.to_owned(),
        "not json at all".to_owned(),
        format!(r#"{{"jsonrpc":"2.0","id":902,"method":"tools/call","params":{{"name":"get_deal","arguments":{{"id":"{}"}}}}}}"#, "9".repeat(4 * 1024 * 1024)),
    ] {
        writeln!(mcp.stdin, "{line}").unwrap();
    }
    let (error, text) = mcp.call("get_deal", json!({"id": id}));
    assert!(!error, "{text}");
    // With confirm, a delete goes through.
    let (error, text) = mcp.call("delete_deal", json!({"id": id, "confirm": true}));
    assert!(!error, "{text}");
    assert_eq!(sandbox.held_deals().await.len(), deals_before.len() - 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_only_toolsets_and_tools_narrow_the_list() {
    let sandbox = Sandbox::start().await.unwrap();
    let read_only = names(&Mcp::start(&sandbox, &["--read-only"]).tools());
    let spec = kinbox_spec::spec();
    let mut reads: Vec<String> = spec
        .operations()
        .iter()
        .filter(|op| op.method == "GET")
        .map(|op| op.id.clone())
        .collect();
    reads.sort();
    assert_eq!(read_only, reads);
    let mut mcp = Mcp::start(&sandbox, &["--read-only"]);
    let answer = mcp.request(
        "tools/call",
        json!({"name": "create_deal", "arguments": {}}),
    );
    assert!(
        answer["error"].is_object(),
        "a write is not a tool with --read-only: {answer}"
    );
    let deals = names(&Mcp::start(&sandbox, &["--toolsets", "deals"]).tools());
    assert!(deals.iter().all(|n| n.contains("deal")), "{deals:?}");
    assert!(deals.contains(&"move_deal".to_owned()));
    let two = names(&Mcp::start(&sandbox, &["--tools", "list_deals,move_deal"]).tools());
    assert_eq!(two, ["list_deals", "move_deal"]);
    let out = assert_cmd::Command::cargo_bin("kinbox")
        .unwrap()
        .args(["mcp", "--toolsets", "dealz"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("deals"));
}

/// A write whose answer is lost is said to be unknown, with how to check,
/// and is not sent again: the sandbox holds the deal once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_whose_answer_is_lost_is_unknown_and_sent_once() {
    use kinbox_sandbox::AppliedThenFailMode;
    for mode in [AppliedThenFailMode::Drop, AppliedThenFailMode::Garbled] {
        let sandbox = Sandbox::builder()
            .applied_then_fail_ratio(1.0)
            .applied_then_fail_mode(mode)
            .start()
            .await
            .unwrap();
        let before = sandbox.held_deals().await.len();
        let mut mcp = Mcp::start(&sandbox, &[]);
        for (tool, arguments) in [
            (
                "create_deal_by_names",
                json!({"name": "Perdido no caminho", "value": "R$ 10,00", "pipeline": "Vendas",
                       "contact_phone": "(85) 99728-1648"}),
            ),
            (
                "create_deal",
                json!({"body": {"name": "Cru", "value": 1, "status": "open", "pipelineId": "x",
                       "stageId": "y", "customFields": {}, "contactId": 1}}),
            ),
        ] {
            let (error, text) = mcp.call(tool, arguments);
            assert!(error, "{mode:?} {tool}: {text}");
            assert!(
                text.contains("outcome is unknown"),
                "{mode:?} {tool}: {text}"
            );
            assert!(
                text.contains("before checking: call list_deals"),
                "{mode:?} {tool}: {text}"
            );
        }
        let held = sandbox.held_deals().await;
        assert_eq!(held.len(), before + 2, "{mode:?}: each write was sent once");
    }
}

#[test]
fn help_shows_the_client_configuration() {
    let out = assert_cmd::Command::cargo_bin("kinbox")
        .unwrap()
        .args(["mcp", "--help"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let help = String::from_utf8(out.stdout).unwrap();
    for needed in [
        "claude mcp add kinbox -- kinbox mcp",
        "\"mcpServers\"",
        "\"args\": [\"mcp\"",
        "kinbox mcp --http 127.0.0.1:8765",
        "claude mcp add --transport http kinbox http://127.0.0.1:8765/mcp",
        "--read-only",
        "--toolsets",
        "deals, pipelines",
    ] {
        assert!(help.contains(needed), "{needed}: {help}");
    }
}

#[test]
fn http_serves_only_on_a_loopback_address() {
    let out = assert_cmd::Command::cargo_bin("kinbox")
        .unwrap()
        .args(["mcp", "--http", "0.0.0.0:8765"])
        .env("KINBOX_TOKEN", "t")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("loopback"), "{stderr}");
}

/// An API that fails answers a tool error that says what to do, and the
/// server keeps serving.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failing_and_rate_limited_reads_say_what_to_do() {
    let failing = Sandbox::builder()
        .server_error_ratio(1.0)
        .start()
        .await
        .unwrap();
    let mut mcp = Mcp::start(&failing, &["--retries", "0"]);
    let (error, text) = mcp.call("list_tags", json!({}));
    assert!(error && text.contains("try again later"), "{text}");
    let limited = Sandbox::builder()
        .rate_limit(1, Duration::from_secs(60))
        .start()
        .await
        .unwrap();
    let mut mcp = Mcp::start(&limited, &["--retries", "0"]);
    let _ = mcp.call("list_tags", json!({}));
    let (error, text) = mcp.call("list_tags", json!({}));
    assert!(
        error && text.contains("429") && text.contains("wait"),
        "{text}"
    );
    let resources = mcp.request("resources/list", json!({}));
    assert!(resources["result"].is_object(), "{resources}");
}

/// `kinbox mcp --http` on a free loopback port (it says which on stderr),
/// killed when dropped.
struct HttpMcp {
    child: Child,
    endpoint: String,
    addr: std::net::SocketAddr,
    _config: tempfile::TempDir,
}

impl HttpMcp {
    fn start(sandbox: &Sandbox) -> Self {
        Self::start_on(sandbox, "127.0.0.1")
    }

    /// On a free port of the loopback address `ip`.
    fn start_on(sandbox: &Sandbox, ip: &str) -> Self {
        let config = tempfile::tempdir().unwrap();
        let mut child = mcp_command(sandbox, &config, &["--http", &format!("{ip}:0")])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let (send, lines) = channel();
        // Reads stderr to its end, so the server never blocks on it.
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                let _ = send.send(line);
            }
        });
        // The guard first: a failed check below still kills the process.
        let mut server = Self {
            child,
            endpoint: String::new(),
            addr: ([127, 0, 0, 1], 0).into(),
            _config: config,
        };
        let line = lines
            .recv_timeout(Duration::from_secs(30))
            .expect("kinbox mcp --http says where it serves within 30 s");
        let endpoint = line
            .split_whitespace()
            .find(|word| word.starts_with("http://"))
            .unwrap_or_else(|| panic!("no URL in: {line}"));
        assert!(
            endpoint.starts_with(&format!("http://{ip}:")) && endpoint.ends_with("/mcp"),
            "{line}"
        );
        server.endpoint = endpoint.to_owned();
        server.addr = endpoint["http://".len()..endpoint.len() - "/mcp".len()]
            .parse()
            .unwrap_or_else(|e| panic!("{e}: {line}"));
        server
    }
}

impl Drop for HttpMcp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A POST of one JSON-RPC message to the streamable HTTP endpoint, with
/// the headers a client sends (and `extra` ones); the whole answer, body
/// included, within 30 s.
async fn post_mcp(
    client: &reqwest::Client,
    endpoint: &str,
    extra: &[(&str, &str)],
    message: Value,
) -> reqwest::Response {
    let mut request = client
        .post(endpoint)
        .timeout(Duration::from_secs(30))
        .header("Accept", "application/json, text/event-stream")
        .header("Content-Type", "application/json")
        .body(message.to_string());
    for (name, value) in extra {
        request = request.header(*name, *value);
    }
    tokio::time::timeout(Duration::from_secs(30), request.send())
        .await
        .expect("an answer within 30 s")
        .expect("the server answers")
}

/// The JSON-RPC answer with `id` in a response: its JSON body, or the
/// `data:` line of its event stream that holds it (the stream may stay
/// open after it).
async fn rpc_answer(mut response: reqwest::Response, id: u64) -> Value {
    let json = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let read = async {
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.expect("the answer's body") {
            body.extend_from_slice(&chunk);
            // Decoded whole: a character may be split between chunks.
            let text = String::from_utf8_lossy(&body);
            if json {
                continue;
            }
            let found = text
                .lines()
                .filter_map(|line| line.strip_prefix("data:"))
                .filter_map(|data| serde_json::from_str::<Value>(data.trim()).ok())
                .find(|message| message["id"] == json!(id));
            if let Some(message) = found {
                return message;
            }
        }
        let text = String::from_utf8_lossy(&body);
        assert!(json, "the event stream ended without answer {id}: {text}");
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
    };
    tokio::time::timeout(Duration::from_secs(30), read)
        .await
        .unwrap_or_else(|_| panic!("no answer {id} within 30 s"))
}

/// Streamable HTTP, spoken as a client does: a session from initialize,
/// then tools/list and tools/call with its id. A browser page of another
/// origin, a DNS-rebinding host and a request without the session are
/// refused, and nothing is served to them; the process ends with the test.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_serves_a_session_and_refuses_other_origins() {
    let sandbox = Sandbox::start().await.unwrap();
    let server = HttpMcp::start(&sandbox);
    let endpoint = server.endpoint.clone();
    let client = reqwest::Client::builder().no_proxy().build().unwrap();

    let init = post_mcp(
        &client,
        &endpoint,
        &[],
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {},
            "clientInfo": {"name": "kinbox-tests", "version": "0"}}}),
    )
    .await;
    assert_eq!(init.status(), 200);
    let session = init
        .headers()
        .get("mcp-session-id")
        .expect("initialize answers an Mcp-Session-Id")
        .to_str()
        .unwrap()
        .to_owned();
    assert!(!session.is_empty());
    let init = rpc_answer(init, 1).await;
    assert_eq!(init["result"]["serverInfo"]["name"], "kinbox", "{init}");
    assert!(
        init["result"]["capabilities"]["tools"].is_object(),
        "{init}"
    );
    let version = init["result"]["protocolVersion"]
        .as_str()
        .unwrap()
        .to_owned();
    let in_session = [
        ("Mcp-Session-Id", session.as_str()),
        ("MCP-Protocol-Version", version.as_str()),
    ];
    let initialized = post_mcp(
        &client,
        &endpoint,
        &in_session,
        json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
    )
    .await;
    assert!(
        initialized.status().is_success(),
        "{}",
        initialized.status()
    );

    let listed = post_mcp(
        &client,
        &endpoint,
        &in_session,
        json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}),
    )
    .await;
    assert_eq!(listed.status(), 200);
    let listed = rpc_answer(listed, 2).await;
    let mut expected: Vec<String> = kinbox_spec::spec()
        .operations()
        .iter()
        .map(|op| op.id.clone())
        .collect();
    expected.extend(PEOPLE_TOOLS.map(str::to_owned));
    expected.sort();
    let tools = listed["result"]["tools"]
        .as_array()
        .unwrap_or_else(|| panic!("{listed}"));
    assert_eq!(names(tools), expected);

    let mut held: Vec<String> = sandbox
        .client()
        .list_tags()
        .send()
        .await
        .unwrap()
        .into_inner()
        .into_iter()
        .map(|tag| tag.name)
        .collect();
    held.sort();
    assert!(held.contains(&"Lead quente".to_owned()), "{held:?}");
    let call_list_tags = |id: u64| {
        json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
               "params": {"name": "list_tags", "arguments": {}}})
    };
    let tags_of = |answer: &Value| -> Vec<String> {
        assert_eq!(answer["result"]["isError"], json!(false), "{answer}");
        let mut names: Vec<String> = answer["result"]["structuredContent"]["items"]
            .as_array()
            .unwrap_or_else(|| panic!("{answer}"))
            .iter()
            .map(|tag| tag["name"].as_str().unwrap().to_owned())
            .collect();
        names.sort();
        names
    };
    let called = post_mcp(&client, &endpoint, &in_session, call_list_tags(3)).await;
    assert_eq!(called.status(), 200);
    assert_eq!(tags_of(&rpc_answer(called, 3).await), held);

    // Refused, each before anything is served: a page of another origin
    // (with the session, or starting one), a DNS-rebinding host, no session,
    // an unknown session.
    let evil = [("Origin", "http://evil.example")];
    let evil_in_session = [in_session[0], in_session[1], evil[0]];
    let initialize = json!({"jsonrpc": "2.0", "id": 4, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {},
        "clientInfo": {"name": "evil", "version": "0"}}});
    for (what, extra, message, status) in [
        (
            "another origin, in the session",
            &evil_in_session[..],
            call_list_tags(5),
            403,
        ),
        (
            "another origin, initialize",
            &evil[..],
            initialize.clone(),
            403,
        ),
        (
            "a rebinding Host",
            &[("Host", "evil.example")][..],
            initialize,
            403,
        ),
        ("no session id", &[][..], call_list_tags(6), 400),
        (
            "an unknown session id",
            &[("Mcp-Session-Id", "not-a-session")][..],
            call_list_tags(7),
            404,
        ),
    ] {
        let answer = post_mcp(&client, &endpoint, extra, message).await;
        assert_eq!(answer.status(), status, "{what}");
        assert!(answer.headers().get("mcp-session-id").is_none(), "{what}");
        let body = tokio::time::timeout(Duration::from_secs(30), answer.text())
            .await
            .expect("a refusal's body within 30 s")
            .unwrap();
        assert!(
            !body.contains("jsonrpc") && !body.contains("Lead quente"),
            "{what}: {body}"
        );
    }

    // The session still serves, and from a local page's origin too.
    let local = [
        in_session[0],
        in_session[1],
        ("Origin", "http://localhost:3000"),
    ];
    let called = post_mcp(&client, &endpoint, &local, call_list_tags(8)).await;
    assert_eq!(called.status(), 200);
    assert_eq!(tags_of(&rpc_answer(called, 8).await), held);

    // Killed with its guard: nothing is left serving on the port.
    let addr = server.addr;
    drop(server);
    assert!(
        std::net::TcpStream::connect_timeout(&addr, Duration::from_secs(2)).is_err(),
        "kinbox mcp --http still serves on {addr}"
    );
}

/// Any loopback address it serves on is one a client can reach: the
/// address itself is an allowed `Host`, and its pages an allowed origin.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_on_another_loopback_address_serves_its_clients() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    for ip in ["127.0.0.2", "[::1]"] {
        if ip == "[::1]" && std::net::TcpListener::bind("[::1]:0").is_err() {
            continue; // no IPv6 loopback on this machine
        }
        let server = HttpMcp::start_on(&sandbox, ip);
        let origin = format!("http://{ip}:3000");
        let init = post_mcp(
            &client,
            &server.endpoint,
            &[("Origin", origin.as_str())],
            json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
                "protocolVersion": "2025-06-18", "capabilities": {},
                "clientInfo": {"name": "kinbox-tests", "version": "0"}}}),
        )
        .await;
        assert_eq!(init.status(), 200, "{ip}");
        let init = rpc_answer(init, 1).await;
        assert_eq!(
            init["result"]["serverInfo"]["name"], "kinbox",
            "{ip}: {init}"
        );
    }
}
