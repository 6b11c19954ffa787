//! End-to-end: the `kinbox` binary against `kinbox_sandbox::Sandbox`, the
//! stateful stand-in of the API that holds every request to the spec, and
//! starts with a seeded workspace (pipelines "Vendas" and "Pós-venda",
//! contacts with phones, deal custom fields cpf, idade, segmento, vip,
//! data_evento). Where `tests/cli` checks each request against httpmock,
//! these check that the commands work together on one workspace.

use assert_cmd::Command;
use kinbox_sandbox::Sandbox;
use serde_json::Value;

struct Kinbox {
    sandbox: Sandbox,
    config_dir: tempfile::TempDir,
}

struct Output {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Output {
    /// The command failed with `code`, saying `part`.
    fn refused(&self, code: i32, part: &str) {
        assert_eq!(self.code, code, "{}", self.stderr);
        assert!(
            self.stderr.contains(part),
            "{part:?} not in: {}",
            self.stderr
        );
    }
}

impl Kinbox {
    async fn start() -> Self {
        Self::with(Sandbox::builder()).await
    }

    async fn with(builder: kinbox_sandbox::SandboxBuilder) -> Self {
        Self {
            sandbox: builder.start().await.expect("the sandbox starts"),
            config_dir: tempfile::tempdir().unwrap(),
        }
    }

    fn run(&self, args: &[&str]) -> Output {
        let mut cmd = Command::cargo_bin("kinbox").unwrap();
        for var in ["KINBOX_PROFILE", "COLUMNS", "RUST_LOG"] {
            cmd.env_remove(var);
        }
        let output = cmd
            .env("KINBOX_BASE_URL", self.sandbox.base_url())
            .env("KINBOX_TOKEN", self.sandbox.token())
            .env("KINBOX_CONFIG_DIR", self.config_dir.path())
            .args(args)
            .output()
            .unwrap();
        Output {
            code: output.status.code().expect("kinbox exited by a signal"),
            stdout: String::from_utf8(output.stdout).unwrap(),
            stderr: String::from_utf8(output.stderr).unwrap(),
        }
    }

    /// Runs a command that must succeed, and reads its JSON output: one
    /// object, or for `list`, the array of the items it prints, one a line.
    fn json(&self, args: &[&str]) -> Value {
        let out = self.run(args);
        assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
        let parse = |text: &str| {
            serde_json::from_str(text).unwrap_or_else(|e| panic!("{args:?}: {e}: {}", out.stdout))
        };
        if args.get(1) == Some(&"list") {
            Value::Array(out.stdout.lines().map(parse).collect())
        } else {
            parse(&out.stdout)
        }
    }

    /// The id of the seeded pipeline `name` and of its stages, by name.
    fn pipeline(&self, name: &str) -> (String, Vec<(String, String)>) {
        let pipelines = self.json(&["pipelines", "list"]);
        let pipeline = pipelines
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("no pipeline {name} in {pipelines}"));
        let stages = pipeline["stages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| (text(&s["name"]), text(&s["id"])))
            .collect();
        (text(&pipeline["id"]), stages)
    }
}

fn text(value: &Value) -> String {
    value.as_str().expect("a string").to_owned()
}

fn stage_id(stages: &[(String, String)], name: &str) -> String {
    stages.iter().find(|(n, _)| n == name).unwrap().1.clone()
}

#[tokio::test]
async fn deal_flow_create_get_move_win_lose_list_all_delete() {
    let kinbox = Kinbox::start().await;
    let (vendas, stages) = kinbox.pipeline("Vendas");
    let prospeccao = stage_id(&stages, "Prospecção");
    let proposta = stage_id(&stages, "Proposta");

    let mut ids = Vec::new();
    for n in 1..=3 {
        let name = format!("Pedido #{n}");
        let created = kinbox.json(&[
            "deals",
            "create",
            "--name",
            &name,
            "--value",
            "1890.5",
            "--status",
            "open",
            "--pipeline-id",
            &vendas,
            "--stage-id",
            &prospeccao,
            "--contact-id",
            "1001",
        ]);
        assert_eq!(created["name"], name.as_str());
        assert_eq!(created["customFields"], serde_json::json!({}));
        ids.push(text(&created["id"]));
    }

    let got = kinbox.json(&["deals", "get", &ids[0]]);
    assert_eq!(got["name"], "Pedido #1");
    assert_eq!(got["value"], 1890.5);

    let moved = kinbox.json(&["deals", "move", &ids[0], "--stage-id", &proposta]);
    assert_eq!(moved["stageId"], proposta.as_str());

    let won = kinbox.json(&[
        "deals",
        "win",
        &ids[0],
        "--date",
        "2024-05-31T18:00:00-03:00",
    ]);
    assert_eq!(won["status"], "won");
    assert_eq!(won["wonLostDate"], "2024-05-31T21:00:00Z");

    let lost = kinbox.json(&[
        "deals", "lose", &ids[1], "--reason", "Preço", "--obs", "Caro",
    ]);
    assert_eq!(lost["status"], "lost");
    assert_eq!(lost["lostReason"], serde_json::json!(["Preço"]));
    assert_eq!(lost["lostReasonObs"], "Caro");

    // One deal per page: --all follows the cursor through all three.
    let all = kinbox.run(&["deals", "list", "--all", "--limit", "1"]);
    assert_eq!(all.code, 0, "{}", all.stderr);
    let listed: Vec<String> = all
        .stdout
        .lines()
        .map(|line| text(&serde_json::from_str::<Value>(line).unwrap()["id"]))
        .collect();
    assert_eq!(listed, ids);
    let open = kinbox.run(&["deals", "list", "--all", "--status", "open"]);
    assert_eq!(open.stdout.lines().count(), 1, "{}", open.stdout);

    for id in &ids {
        let deleted = kinbox.run(&["deals", "delete", id, "--yes"]);
        assert_eq!(
            (deleted.code, deleted.stdout.as_str()),
            (0, ""),
            "{}",
            deleted.stderr
        );
    }
    let gone = kinbox.run(&["deals", "get", &ids[0]]);
    assert_eq!(gone.code, 1);
    assert!(gone.stderr.contains("404 Not Found"), "{}", gone.stderr);
    let empty = kinbox.run(&["deals", "list", "--all"]);
    assert_eq!((empty.code, empty.stdout.as_str()), (0, ""));
}

#[tokio::test]
async fn deals_by_name_resolve_against_the_seeded_workspace() {
    let kinbox = Kinbox::start().await;
    let (vendas, stages) = kinbox.pipeline("Vendas");

    let created = kinbox.json(&[
        "deals",
        "create",
        "--name",
        "Pedido #1042",
        "--value",
        "1890",
        "--status",
        "open",
        "--pipeline",
        "vendas",
        "--stage",
        "proposta",
        "--contact-phone",
        "+55 85 99728-1648",
        "--custom-field",
        "cpf=060.715.303-54",
        "--custom-field",
        "idade=30",
        "--custom-field",
        "segmento=Varejo",
        "--custom-field",
        "vip=true",
        "--custom-field",
        "data_evento=2024-06-15",
    ]);
    let id = text(&created["id"]);
    assert_eq!(created["pipelineId"], vendas.as_str());
    assert_eq!(created["stageId"], stage_id(&stages, "Proposta").as_str());
    assert_eq!(created["contact"]["id"], 1001, "Maria Oliveira's phone");
    let fields = &created["customFields"];
    // Written as the reference does: the value as text, with the field's type.
    assert_eq!(
        fields,
        &serde_json::json!({
            "cpf": {"value": "060.715.303-54", "type": "text"},
            "idade": {"value": "30", "type": "number"},
            "segmento": {"value": "varejo", "type": "select"},
            "vip": {"value": "true", "type": "boolean"},
            "data_evento": {"value": "2024-06-15", "type": "date"},
        })
    );

    // Within the deal's current pipeline, fetched first.
    let moved = kinbox.json(&["deals", "move", &id, "--stage", "negociacao"]);
    assert_eq!(moved["stageId"], stage_id(&stages, "Negociação").as_str());

    // "Onboarding" is a stage of "Pós-venda", not of the deal's pipeline.
    let refused = kinbox.run(&["deals", "move", &id, "--stage", "Onboarding"]);
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(
        refused.stderr.contains("\"Negociação\""),
        "lists the stages: {}",
        refused.stderr
    );
    let (pos_venda, other_stages) = kinbox.pipeline("Pós-venda");
    let moved = kinbox.json(&[
        "deals",
        "move",
        &id,
        "--pipeline",
        "Pós-venda",
        "--stage",
        "onboarding",
    ]);
    assert_eq!(moved["pipelineId"], pos_venda.as_str());
    assert_eq!(
        moved["stageId"],
        stage_id(&other_stages, "Onboarding").as_str()
    );

    // Lost reasons are those of the deal's pipeline now, "Pós-venda".
    let refused = kinbox.run(&["deals", "lose", &id, "--reason", "Preço"]);
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(
        refused
            .stderr
            .contains("\"Cancelamento\", \"Inadimplência\""),
        "{}",
        refused.stderr
    );
    let lost = kinbox.json(&["deals", "lose", &id, "--reason", "inadimplencia"]);
    assert_eq!(lost["lostReason"], serde_json::json!(["Inadimplência"]));

    // A contact no one created is missing data (exit 1); a value that
    // does not fit is a mistake in the command (exit 2).
    for (args, code, expected) in [
        (
            [
                "--contact-email",
                "nobody@example.com",
                "--custom-field",
                "idade=30",
            ],
            1,
            "no contact has the e-mail nobody@example.com",
        ),
        (
            ["--contact-id", "1001", "--custom-field", "segmento=online"],
            2,
            "varejo (Varejo), atacado (Atacado), servicos (Serviços)",
        ),
    ] {
        let mut create = vec![
            "deals",
            "create",
            "--name",
            "N",
            "--value",
            "1",
            "--status",
            "open",
            "--pipeline",
            "Vendas",
            "--stage",
            "Proposta",
        ];
        create.extend(args);
        let out = kinbox.run(&create);
        assert_eq!(out.code, code, "{create:?}: {}", out.stderr);
        assert!(out.stderr.contains(expected), "{}", out.stderr);
    }
    let listed = kinbox.run(&["deals", "list", "--all"]);
    assert_eq!(
        listed.stdout.lines().count(),
        1,
        "no deal was created on failure"
    );
}

#[tokio::test]
async fn every_resource_reads_from_the_seeded_workspace() {
    let kinbox = Kinbox::start().await;

    let contacts = kinbox.json(&["contacts", "list", "--phone", "5585997281648"]);
    assert_eq!(contacts[0]["name"], "Maria Oliveira");
    let table = kinbox.run(&["contacts", "list", "-o", "table"]);
    assert!(table.stdout.starts_with("ID"), "{}", table.stdout);
    assert!(table.stdout.contains("Construtora Horizonte Ltda"));

    let fields = kinbox.json(&["custom-fields", "list"]);
    let placeholders: Vec<&str> = fields
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["placeholder"].as_str().unwrap())
        .collect();
    assert!(placeholders.contains(&"segmento"), "{placeholders:?}");

    let product = kinbox.json(&["products", "get-by-external-id", "PLANO-PRO"]);
    assert_eq!(product["externalId"], "PLANO-PRO");
    let products = kinbox.run(&["products", "list", "--all", "--limit", "1"]);
    assert_eq!(products.stdout.lines().count(), 2, "{}", products.stderr);

    let tags = kinbox.run(&["tags", "list", "-o", "table"]);
    assert!(tags.stdout.contains("Lead quente"), "{}", tags.stdout);

    let campaigns = kinbox.json(&["campaigns", "list"]);
    let campaign = text(&campaigns[0]["id"]);
    let paused = kinbox.json(&["campaigns", "pause", &campaign]);
    assert_eq!(paused["status"], "paused");
    let resumed = kinbox.json(&["campaigns", "resume", &campaign]);
    assert_ne!(resumed["status"], "paused");
    let leads = kinbox.run(&["campaigns", "chunk-leads", &campaign, "-o", "table"]);
    assert_eq!(leads.code, 0, "{}", leads.stderr);

    let session = kinbox.json(&["sessions", "get", "880001"]);
    assert_eq!(session["callId"], 880001);
    let pipelines = kinbox.run(&["pipelines", "list", "-o", "table"]);
    assert!(
        pipelines
            .stdout
            .contains("Prospecção, Proposta, Negociação, Fechamento"),
        "{}",
        pipelines.stdout
    );
}

#[tokio::test]
async fn ids_that_try_to_reach_another_resource_touch_nothing() {
    let kinbox = Kinbox::start().await;
    let (vendas, _) = kinbox.pipeline("Vendas");
    let contact_before = kinbox.json(&["contacts", "get", "1001"]);
    let pipelines_before = kinbox.json(&["pipelines", "list"]);

    for args in [
        vec![
            "deals".to_owned(),
            "delete".into(),
            format!(r"x\..\..\pipelines\{vendas}"),
            "--yes".into(),
        ],
        vec![
            "deals".into(),
            "delete".into(),
            format!("../pipelines/{vendas}"),
            "--yes".into(),
        ],
        vec![
            "deals".into(),
            "delete".into(),
            format!("%2e%2e/pipelines/{vendas}"),
            "--yes".into(),
        ],
        vec![
            "pipelines".into(),
            "delete".into(),
            format!(r"{vendas}\..\{vendas}"),
            "--yes".into(),
        ],
        vec![
            "deals".into(),
            "update".into(),
            r"x\..\..\contacts\1001".into(),
            "--name".into(),
            "Hacked".into(),
        ],
        vec!["deals".into(), "win".into(), "..".into()],
    ] {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = kinbox.run(&args);
        assert_ne!(out.code, 0, "{args:?} succeeded: {}", out.stdout);
    }

    assert_eq!(kinbox.json(&["contacts", "get", "1001"]), contact_before);
    assert_eq!(kinbox.json(&["pipelines", "list"]), pipelines_before);
}

#[tokio::test]
async fn a_create_whose_answer_is_lost_exits_3_and_the_check_it_gives_finds_the_deal() {
    use kinbox_sandbox::AppliedThenFailMode;
    for mode in [
        AppliedThenFailMode::Drop,
        AppliedThenFailMode::Timeout,
        AppliedThenFailMode::Garbled,
    ] {
        let kinbox = Kinbox::with(
            Sandbox::builder()
                .applied_then_fail_ratio(1.0)
                .applied_then_fail_mode(mode)
                .applied_then_fail_hold(std::time::Duration::from_secs(5)),
        )
        .await;
        let (vendas, stages) = kinbox.pipeline("Vendas");
        let proposta = stage_id(&stages, "Proposta");

        let out = kinbox.run(&[
            "deals",
            "create",
            "--name",
            "Pedido #2001",
            "--value",
            "350",
            "--status",
            "open",
            "--pipeline-id",
            &vendas,
            "--stage-id",
            &proposta,
            "--contact-id",
            "1001",
            "--timeout",
            "2",
        ]);

        assert_eq!(out.code, 3, "{mode:?}: {}", out.stderr);
        assert!(
            out.stderr.contains("may have been applied"),
            "{mode:?}: {}",
            out.stderr
        );
        // The command the message gives, run as given, finds the one deal.
        let check = out
            .stderr
            .split('`')
            .find(|part| part.starts_with("kinbox deals list"))
            .unwrap_or_else(|| panic!("{mode:?}: no check command in {}", out.stderr));
        let args: Vec<&str> = check
            .split_whitespace()
            .skip(1)
            .filter(|arg| !["-o", "table"].contains(arg))
            .collect();
        let found = kinbox.json(&args);
        let names: Vec<&str> = found
            .as_array()
            .unwrap()
            .iter()
            .map(|deal| deal["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["Pedido #2001"], "{mode:?}: {check}");
    }
}

#[tokio::test]
async fn a_body_over_the_servers_limit_is_reported_as_413() {
    let kinbox = Kinbox::with(Sandbox::builder().max_body_bytes(2048)).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("big.json");
    std::fs::write(
        &file,
        serde_json::json!({"name": "x".repeat(100_000)}).to_string(),
    )
    .unwrap();

    let out = kinbox.run(&[
        "deals",
        "update",
        "65f0c0ffee0000000000dddd",
        "--json-body",
        file.to_str().unwrap(),
    ]);

    out.refused(1, "413");
    assert!(!out.stderr.contains("roken pipe"), "{}", out.stderr);
}

/// `--pipeline`, `--stage`, `--contact-phone` and `--contact-email` mean
/// the same on `create`, `update` and as `list` filters.
#[tokio::test]
async fn the_same_names_filter_lists_and_update_deals() {
    let kinbox = Kinbox::start().await;
    let create = |name: &str, stage: &str, phone: &str| {
        let created = kinbox.json(&[
            "deals",
            "create",
            "--name",
            name,
            "--value",
            "R$ 1.890,50",
            "--pipeline",
            "Vendas",
            "--stage",
            stage,
            "--contact-phone",
            phone,
        ]);
        assert_eq!(created["status"], "open", "status defaults to open");
        text(&created["id"])
    };
    let maria_proposta = create("A", "Proposta", "+55 (85) 99728-1648");
    let maria_negociacao = create("B", "Negociação", "85997281648");
    let joao_proposta = create("C", "proposta", "5511987654321");

    let ids = |args: &[&str]| -> Vec<String> {
        let mut list = vec!["deals", "list", "--all"];
        list.extend(args);
        let listed = kinbox.json(&list);
        let mut ids: Vec<String> = listed
            .as_array()
            .unwrap()
            .iter()
            .map(|d| text(&d["id"]))
            .collect();
        ids.sort();
        ids
    };
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };
    assert_eq!(
        ids(&["--contact-phone", "(85) 99728-1648"]),
        sorted(vec![maria_proposta.clone(), maria_negociacao.clone()])
    );
    assert_eq!(
        ids(&["--pipeline", "vendas", "--stage", "Proposta"]),
        sorted(vec![maria_proposta.clone(), joao_proposta.clone()])
    );
    // "Proposta" is a stage of "Vendas" only: no pipeline needed.
    assert_eq!(
        ids(&[
            "--stage",
            "proposta",
            "--contact-email",
            "MARIA.OLIVEIRA@example.com"
        ]),
        vec![maria_proposta.clone()]
    );
    let typo = kinbox.run(&["deals", "list", "--stage", "Propsta"]);
    assert_eq!(typo.code, 2, "{}", typo.stderr);
    assert!(
        typo.stderr
            .contains("did you mean \"Proposta\" (in \"Vendas\")?"),
        "{}",
        typo.stderr
    );

    let updated = kinbox.json(&[
        "deals",
        "update",
        &maria_negociacao,
        "--contact-email",
        "Joao.Santos@Example.com",
    ]);
    assert_eq!(updated["contact"]["id"], 1002);
    assert_eq!(
        ids(&["--contact-phone", "5511987654321"]),
        sorted(vec![maria_negociacao, joao_proposta])
    );
}

/// Where a person types a name, the name works as well as the id.
#[tokio::test]
async fn pipelines_and_custom_fields_are_got_by_name_too() {
    let kinbox = Kinbox::start().await;
    let (vendas, _) = kinbox.pipeline("Vendas");
    let by_name = kinbox.json(&["pipelines", "get", "vendas"]);
    let by_id = kinbox.json(&["pipelines", "get", &vendas]);
    assert_eq!(by_name, by_id);

    let cpf = kinbox.json(&["custom-fields", "get", "cpf"]);
    assert_eq!(cpf["placeholder"], "cpf");
    let id = cpf["id"].to_string();
    assert_eq!(kinbox.json(&["custom-fields", "get", &id]), cpf);
    assert_eq!(
        kinbox.json(&["custom-fields", "get", "Cliente VIP"])["placeholder"],
        "vip"
    );

    let typo = kinbox.run(&["pipelines", "get", "Vendsa"]);
    typo.refused(2, "did you mean \"Vendas\"?");
    assert!(!typo.stderr.contains("--pipeline-id"), "{}", typo.stderr);
    let typo = kinbox.run(&["custom-fields", "get", "cfp"]);
    typo.refused(2, "did you mean \"cpf\"?");
}

/// `deals create`, `deals update` and `deals import` take the same words
/// for the same things, through `kinbox-input`: a status in Portuguese, an
/// amount in reais, a Brazilian date and phone, names of pipelines and
/// stages in any case and without accents, a custom field by placeholder,
/// a tag by name, and the pipeline's first stage when no stage is named.
#[tokio::test]
async fn create_update_and_import_take_the_same_words_alike() {
    let kinbox = Kinbox::start().await;
    let (vendas, stages) = kinbox.pipeline("Vendas");
    let words = [
        ("--value", "R$ 1.890,50"),
        ("--status", "Ganho"),
        ("--pipeline", "vendas"),
        ("--stage", "negociacao"),
        ("--contact-phone", "(85) 99728-1648"),
        ("--due-date", "30/06/2025"),
        ("--custom-field", "cpf=060.715.303-54"),
        ("--tag", "lead quente"),
    ];
    let flags: Vec<&str> = words
        .iter()
        .flat_map(|(flag, word)| [*flag, *word])
        .collect();

    let mut create = vec!["deals", "create", "--name", "Pedido A"];
    create.extend(&flags);
    let created = kinbox.json(&create);

    // No stage named: the first one, as the import does.
    let plain = kinbox.json(&[
        "deals",
        "create",
        "--name",
        "Pedido B",
        "--value",
        "1",
        "--pipeline",
        "Vendas",
        "--contact-id",
        "1002",
    ]);
    assert_eq!(plain["stageId"], stage_id(&stages, "Prospecção"));
    let mut update = vec!["deals", "update", plain["id"].as_str().unwrap()];
    update.extend(&flags);
    kinbox.json(&update);
    let updated = kinbox.json(&["deals", "get", plain["id"].as_str().unwrap()]);

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("leads.csv");
    let header = words
        .iter()
        .map(|(flag, _)| match *flag {
            "--custom-field" => "cf.cpf".to_owned(),
            flag => flag.trim_start_matches("--").replace('-', "_"),
        })
        .collect::<Vec<_>>()
        .join(";");
    let row = words
        .iter()
        .map(|(_, word)| word.strip_prefix("cpf=").unwrap_or(word))
        .collect::<Vec<_>>()
        .join(";");
    std::fs::write(
        &file,
        format!("name;{header}\nPedido C;{row}\nPedido D;1;;Vendas;;(85) 99728-1648;;;\n"),
    )
    .unwrap();
    let out = kinbox.run(&["deals", "import", file.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let listed = kinbox.json(&["deals", "list", "--all"]);
    let named = |name: &str| {
        listed
            .as_array()
            .unwrap()
            .iter()
            .find(|deal| deal["name"] == name)
            .unwrap_or_else(|| panic!("no deal {name}: {listed}"))
            .clone()
    };
    assert_eq!(
        named("Pedido D")["stageId"],
        stage_id(&stages, "Prospecção")
    );

    let what_the_words_set = |deal: &Value| {
        (
            deal["value"].clone(),
            deal["status"].clone(),
            deal["pipelineId"].clone(),
            deal["stageId"].clone(),
            deal["contact"]["id"].clone(),
            // The same instant, however the text writes it.
            chrono::DateTime::parse_from_rfc3339(deal["dueDate"].as_str().unwrap_or_default())
                .map(|at| Value::from(at.timestamp()))
                .unwrap_or_default(),
            deal["customFields"]["cpf"]["value"].clone(),
            deal["tagIds"].clone(),
        )
    };
    let expected = (
        Value::from(1890.5),
        Value::from("won"),
        Value::from(vendas.as_str()),
        Value::from(stage_id(&stages, "Negociação")),
        Value::from(1001),
        // 30/06/2025 00:00 in Brasília.
        Value::from(1_751_252_400),
        Value::from("060.715.303-54"),
        serde_json::json!([kinbox.json(&["tags", "get", "Lead quente"])["id"]]),
    );
    for (how, deal) in [
        ("created", created),
        ("updated", updated),
        ("imported", named("Pedido C")),
    ] {
        assert_eq!(what_the_words_set(&deal), expected, "{how}: {deal}");
    }
}

/// Names where people type them: `get` of tags, contacts and products by
/// name (case and accents aside), contacts by phone or e-mail too.
#[tokio::test]
async fn tags_contacts_and_products_are_got_by_name() {
    let kinbox = Kinbox::start().await;
    let tag = kinbox.json(&["tags", "get", "lead quente"]);
    assert_eq!(tag["name"], "Lead quente");
    let by_id = kinbox.json(&["tags", "get", &tag["id"].to_string()]);
    assert_eq!(by_id, tag);
    let maria = kinbox.json(&["contacts", "get", "maria oliveira"]);
    assert_eq!(maria["name"], "Maria Oliveira");
    for other_way in ["+55 (85) 99728-1648", &maria["id"].to_string()] {
        assert_eq!(
            kinbox.json(&["contacts", "get", other_way])["id"],
            maria["id"]
        );
    }
    let plano = kinbox.json(&["products", "get", "plano basico"]);
    assert_eq!(plano["name"], "Plano Básico");
    assert_eq!(
        kinbox.json(&["products", "get", "PLANO-BASICO"])["id"],
        plano["id"]
    );

    let typo = kinbox.run(&["tags", "get", "Lead qente"]);
    typo.refused(2, "did you mean \"Lead quente\"?");
    // A contact no one created is missing data, not a mistake in the command.
    let nobody = kinbox.run(&["contacts", "get", "Fulano de Tal"]);
    nobody.refused(1, "no contact is named");
}

/// `deals create --tag NAME`, `deals update --tag NAME`; a body field the
/// API does not take (`tags`) is an error that says what to use, and
/// nothing is created.
#[tokio::test]
async fn deals_take_tags_by_name_and_refuse_unknown_body_fields() {
    let kinbox = Kinbox::start().await;
    let tags = kinbox.json(&["tags", "list"]);
    let tag_id = |name: &str| {
        tags.as_array()
            .unwrap()
            .iter()
            .flat_map(|page| {
                page.as_array()
                    .cloned()
                    .unwrap_or_else(|| vec![page.clone()])
            })
            .find(|tag| tag["name"] == name)
            .unwrap_or_else(|| panic!("no tag {name}: {tags}"))["id"]
            .clone()
    };
    let created = kinbox.json(&[
        "deals",
        "create",
        "--name",
        "Pedido T",
        "--value",
        "10",
        "--pipeline",
        "Vendas",
        "--contact-id",
        "1001",
        "--tag",
        "lead quente",
        "--tag",
        "Recompra",
    ]);
    assert_eq!(
        created["tagIds"],
        Value::from(vec![tag_id("Lead quente"), tag_id("Recompra")])
    );
    let id = created["id"].as_str().unwrap();
    kinbox.json(&["deals", "update", id, "--tag", "indicacao"]);
    assert_eq!(
        kinbox.json(&["deals", "get", id])["tagIds"],
        Value::from(vec![tag_id("Indicação")])
    );

    let before = kinbox
        .json(&["deals", "list", "--all"])
        .as_array()
        .unwrap()
        .len();
    let dir = tempfile::tempdir().unwrap();
    let body = dir.path().join("deal.json");
    std::fs::write(&body, r#"{"name": "Pedido U", "tags": ["Lead quente"]}"#).unwrap();
    let out = kinbox.run(&[
        "deals",
        "create",
        "--json-body",
        body.to_str().unwrap(),
        "--value",
        "1",
        "--pipeline",
        "Vendas",
        "--contact-id",
        "1001",
    ]);
    out.refused(2, "`tags` is not a field");
    assert!(out.stderr.contains("--tag"), "{}", out.stderr);
    let after = kinbox
        .json(&["deals", "list", "--all"])
        .as_array()
        .unwrap()
        .len();
    assert_eq!(before, after, "nothing is created");
}

/// `deals create --create-contact`, as the import's `--create-contacts`:
/// without it a missing contact is exit 1 (not a usage error) naming the
/// flag; with it the contact is created once and the deal is theirs.
#[tokio::test]
async fn deals_create_makes_the_missing_contact_when_asked() {
    let kinbox = Kinbox::start().await;
    let args = [
        "deals",
        "create",
        "--name",
        "Pedido N",
        "--value",
        "R$ 50,00",
        "--pipeline",
        "Vendas",
        "--contact-phone",
        "+55 (11) 91234-5678",
    ];
    let missing = kinbox.run(&args);
    missing.refused(1, "--create-contact");

    let mut create = args.to_vec();
    create.extend(["--create-contact", "--contact-name", "Cliente Novo"]);
    let first = kinbox.json(&create);
    let second = kinbox.json(&create);
    assert_eq!(
        first["contact"]["id"], second["contact"]["id"],
        "one contact"
    );
    let contact = kinbox.json(&["contacts", "get", "Cliente Novo"]);
    assert_eq!(contact["id"], first["contact"]["id"]);
    assert_eq!(contact["phone"], "5511912345678");
}

/// `deals list --status aberto`, the words of `create` and the import.
#[tokio::test]
async fn deals_list_takes_the_status_in_portuguese() {
    let kinbox = Kinbox::start().await;
    for (name, status) in [("Aberto A", "aberto"), ("Ganho B", "ganho")] {
        kinbox.json(&[
            "deals",
            "create",
            "--name",
            name,
            "--value",
            "1",
            "--pipeline",
            "Vendas",
            "--contact-id",
            "1001",
            "--status",
            status,
        ]);
    }
    let names = |args: &[&str]| -> Vec<Value> {
        let listed = kinbox.json(args);
        listed
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["name"].clone())
            .collect()
    };
    assert_eq!(names(&["deals", "list", "--status", "open"]), ["Aberto A"]);
    assert_eq!(
        names(&["deals", "list", "--status", "Aberto"]),
        ["Aberto A"]
    );
    assert_eq!(
        names(&["deals", "list", "--all", "--status", "ganho"]),
        ["Ganho B"]
    );
}
