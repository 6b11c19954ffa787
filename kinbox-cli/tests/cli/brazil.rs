//! Input as a person in Brazil types it: amounts (`R$ 1.890,50`), dates
//! (`30/06/2024 18:00`, Brasília time, whatever the machine's zone, or the
//! zone of `--tz`, `KINBOX_TZ` or the profile), phones (`(85) 99728-1648`), e-mails
//! in any case, and names with a typo ("did you mean \"Proposta\"?"). Each
//! test checks the request sent carries the normalised value, or that
//! nothing is sent.

use httpmock::Method::{DELETE, GET, PATCH, POST};
use httpmock::Mock;
use serde_json::{Value, json};

use crate::resources::custom_fields;
use crate::snap;
use crate::support::{Api, Output, deal, pipelines, run};

fn contact(id: i64, name: &str, email: &str) -> Value {
    json!({"id": id, "name": name, "email": email, "phone": "5585997281648"})
}

/// Answers `PATCH /v1/deals/deal-1` only when the body is exactly `body`.
fn expect_update<'a>(api: &'a Api, body: Value) -> Mock<'a> {
    api.server.mock(|when, then| {
        when.method(PATCH).path("/v1/deals/deal-1").json_body(body);
        then.status(200)
            .json_body_obj(&deal("deal-1", "Pedido #1042"));
    })
}

/// Runs `kinbox args` and expects exit 0 and `mock` called once.
fn sends(api: &Api, args: &[&str], mock: &Mock<'_>) {
    let out = run(api.kinbox(args));
    assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
    mock.assert();
}

/// Runs `kinbox args` against a server that answers nothing, and expects
/// exit 2, `expected` in the error, and no request.
fn refused(args: &[&str], expected: &str) -> Output {
    let api = Api::start();
    let catch_all = api.catch_all();
    let out = run(api.kinbox(args));
    assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
    assert!(
        out.stderr.contains(expected),
        "{args:?}: {expected:?} not in:\n{}",
        out.stderr
    );
    assert_eq!(catch_all.calls(), 0, "{args:?}: a request was sent");
    out
}

#[test]
fn amounts_are_read_as_written_in_brazil() {
    for (written, sent) in [
        ("R$ 1.890,50", 1890.5),
        ("R$1890,50", 1890.5),
        ("1.890,50", 1890.5),
        ("12,50", 12.5),
        ("1890.50", 1890.5),
        ("1,890.50", 1890.5),
        ("1.890.000", 1_890_000.0),
        ("R$ 1.890", 1890.0),
        ("-12,50", -12.5),
        ("-R$ 5,00", -5.0),
    ] {
        let api = Api::start();
        let updated = expect_update(&api, json!({"value": sent}));
        sends(
            &api,
            &["deals", "update", "deal-1", "--value", written],
            &updated,
        );
    }
    // Every decimal flag: --price of products too.
    let api = Api::start();
    let created = api.server.mock(|when, then| {
        when.method(POST)
            .path("/v1/products")
            .json_body_includes(r#"{"name": "Cadeira", "price": 350.9}"#);
        then.status(201)
            .json_body(json!({"id": "prod-1", "name": "Cadeira", "price": 350.9}));
    });
    sends(
        &api,
        &[
            "products",
            "create",
            "--name",
            "Cadeira",
            "--price",
            "R$ 350,90",
        ],
        &created,
    );
}

#[test]
fn an_ambiguous_or_misgrouped_amount_is_refused_and_nothing_is_sent() {
    let out = refused(
        &["deals", "update", "deal-1", "--value", "1.890"],
        "invalid value '1.890' for '--value <VALUE>': '1.890' could mean 1890 or 1,89: write \
         1890 (or 1.890,00) for the first, 1,89 for the second",
    );
    assert_eq!(out.stdout, "");
    refused(
        &["deals", "update", "deal-1", "--value", "1,890"],
        "'1,890' could mean 1890 or 1,89",
    );
    refused(
        &["products", "create", "--name", "x", "--price", "1.89.0"],
        "groups of three digits",
    );
    refused(
        &["deals", "update", "deal-1", "--value", "R$ NaN"],
        "expected a number",
    );
}

#[test]
fn dates_are_read_as_written_in_brazil_in_brasilia_time() {
    let api = Api::start();
    // A date alone starts a range at the start of its day and ends one at
    // the end of its day, Brasília time (-03:00).
    let listed = api.server.mock(|when, then| {
        when.method(GET)
            .path("/v1/deals")
            .query_param("created_at_from", "2024-06-01T03:00:00Z")
            .query_param("created_at_to", "2024-07-01T02:59:59.999Z")
            .query_param("won_lost_date_from", "2024-06-10T21:30:00Z")
            .query_param_count(".*", ".*", 3);
        then.status(200)
            .json_body(json!({"data": [], "nextCursor": null}));
    });
    sends(
        &api,
        &[
            "deals",
            "list",
            "--created-at-from",
            "01/06/2024",
            "--created-at-to",
            "2024-06-30",
            "--won-lost-date-from",
            "10/06/2024 18:30",
        ],
        &listed,
    );
    for (written, sent) in [
        ("30/06/2024 18:00", "2024-06-30T21:00:00Z"),
        ("30/06/2024", "2024-06-30T03:00:00Z"),
        ("2024-06-30", "2024-06-30T03:00:00Z"),
        ("2024-06-30T18:00:00-03:00", "2024-06-30T21:00:00Z"),
    ] {
        let api = Api::start();
        let updated = expect_update(&api, json!({"dueDate": sent}));
        sends(
            &api,
            &["deals", "update", "deal-1", "--due-date", written],
            &updated,
        );
    }
    refused(
        &["deals", "update", "deal-1", "--due-date", "31/06/2024"],
        "invalid value '31/06/2024' for '--due-date <DATETIME>': expected a date-time like \
         2024-05-31T18:00:00-03:00, or a date like 2024-05-31 or 31/05/2024",
    );
    refused(
        &["deals", "list", "--created-at-to", "30/06/24"],
        "write the year with four digits",
    );
}

#[test]
fn phones_are_sent_as_digits_with_the_country_code_by_every_command() {
    let api = Api::start();
    let listed = api.server.mock(|when, then| {
        when.method(GET)
            .path("/v1/contacts")
            .query_param("phone", "5585997281648")
            .query_param_count(".*", ".*", 1);
        then.status(200)
            .json_body(json!({"data": [], "nextCursor": null}));
    });
    sends(
        &api,
        &["contacts", "list", "--phone", "+55 (85) 99728-1648"],
        &listed,
    );

    let api = Api::start();
    let created = api.server.mock(|when, then| {
        when.method(POST)
            .path("/v1/contacts")
            .json_body(json!({"name": "Ana Souza", "phone": "5585997281648", "customFields": {}}));
        then.status(201)
            .json_body(contact(123456, "Ana Souza", "ana@example.com"));
    });
    sends(
        &api,
        &[
            "contacts",
            "create",
            "--name",
            "Ana Souza",
            "--phone",
            "(85) 99728-1648",
        ],
        &created,
    );

    let api = Api::start();
    let updated = api.server.mock(|when, then| {
        when.method(PATCH)
            .path("/v1/contacts/123456")
            .json_body(json!({"phone": "5585997281648"}));
        then.status(200)
            .json_body(contact(123456, "Ana Souza", "ana@example.com"));
    });
    sends(
        &api,
        &["contacts", "update", "123456", "--phone", "85997281648"],
        &updated,
    );

    // deals create --contact-phone: the lookup is by the same digits.
    let api = Api::start();
    let lookup = api.server.mock(|when, then| {
        when.method(GET)
            .path("/v1/contacts")
            .query_param("phone", "5585997281648")
            .query_param_count(".*", ".*", 1);
        then.status(200).json_body(
            json!({"data": [contact(123456, "Ana Souza", "ana@example.com")], "nextCursor": null}),
        );
    });
    let created = expect_create(&api, 123456);
    sends(
        &api,
        &create_args(&["--contact-phone", "(85) 99728-1648"]),
        &created,
    );
    lookup.assert();
}

#[test]
fn a_phone_that_cannot_be_one_is_refused_and_nothing_is_sent() {
    refused(
        &["contacts", "list", "--phone", "99728-1648"],
        "invalid value '99728-1648' for '--phone <PHONE>': 9 digits are too few for a phone: \
         write it with its DDD, e.g. (85) 99728-1648",
    );
    refused(
        &["contacts", "create", "--name", "Ana", "--phone", "ana"],
        "invalid value 'ana' for '--phone <PHONE>': not a phone number",
    );
    refused(
        &[
            "contacts",
            "update",
            "123456",
            "--phone",
            "+55 (05) 99728-1648",
        ],
        "not a Brazilian phone",
    );
    refused(
        &create_args(&["--contact-phone", "351912345678"]),
        "--contact-phone '351912345678' is not a phone number: 12 digits are not a Brazilian \
         phone",
    );
}

#[test]
fn a_contact_email_is_looked_up_ignoring_case() {
    let api = Api::start();
    let lookup = api.server.mock(|when, then| {
        when.method(GET)
            .path("/v1/contacts")
            .query_param("email", "ana@example.com")
            .query_param_count(".*", ".*", 1);
        // Whatever the filter matched, the contact whose e-mail is the one
        // asked for (in any case) is the one.
        then.status(200).json_body(json!({"data": [
            contact(1, "Joana", "joana@example.com"),
            contact(123456, "Ana Souza", "ANA@Example.com"),
        ], "nextCursor": null}));
    });
    let created = expect_create(&api, 123456);
    sends(
        &api,
        &create_args(&["--contact-email", " Ana@Example.COM "]),
        &created,
    );
    lookup.assert();

    // Two whose e-mails match ignoring case are still two.
    let api = Api::start();
    api.server.mock(|when, then| {
        when.method(GET).path("/v1/contacts");
        then.status(200).json_body(json!({"data": [
            contact(3, "Bia", "compras@example.com"),
            contact(4, "Caio", "Compras@Example.com"),
        ], "nextCursor": null}));
    });
    let writes = api.server.mock(|when, then| {
        when.method(POST);
        then.status(500);
    });
    let out = run(api.kinbox(&create_args(&["--contact-email", "COMPRAS@example.com"])));
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains(
            "2 contacts have the e-mail compras@example.com: 3 \"Bia\", 4 \"Caio\"; give \
             --contact-id"
        ),
        "{}",
        out.stderr
    );
    assert_eq!(writes.calls(), 0);
}

#[test]
fn custom_field_values_are_read_as_written_in_brazil() {
    let api = Api::start();
    api.server.mock(|when, then| {
        when.method(GET).path("/v1/custom-fields");
        then.status(200).json_body(json!({"data": [
            {"id": 1, "name": "Valor", "placeholder": "valor", "entity": "deal", "type": "decimal"},
            {"id": 2, "name": "Área", "placeholder": "area", "entity": "deal", "type": "number"},
            {"id": 3, "name": "Data", "placeholder": "data", "entity": "deal", "type": "date"},
            {"id": 4, "name": "Visita", "placeholder": "visita", "entity": "deal",
             "type": "datetime"}
        ]}));
    });
    let created = api.server.mock(|when, then| {
        when.method(POST).path("/v1/deals").json_body(json!({
            "name": "Pedido #1042", "value": 1890.5, "status": "open",
            "pipelineId": "pipe-1", "stageId": "s", "contactId": 7,
            "customFields": {
                "valor": {"value": "1890.5", "type": "decimal"},
                "area": {"value": "1890000", "type": "number"},
                "data": {"value": "2024-06-15", "type": "date"},
                "visita": {"value": "2024-06-15T21:00:00Z", "type": "datetime"}
            }
        }));
        then.status(201)
            .json_body_obj(&deal("deal-9", "Pedido #1042"));
    });
    let out = run(api.kinbox(&[
        "deals",
        "create",
        "--name",
        "Pedido #1042",
        "--value",
        "R$ 1.890,50",
        "--status",
        "open",
        "--pipeline-id",
        "pipe-1",
        "--stage-id",
        "s",
        "--contact-id",
        "7",
        "--custom-field",
        "valor=R$ 1.890,50",
        "--custom-field",
        "area=1.890.000",
        "--custom-field",
        "data=15/06/2024",
        "--custom-field",
        "visita=15/06/2024 18:00",
    ]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    created.assert();

    let writes = api.server.mock(|when, then| {
        when.method(POST);
        then.status(500);
    });
    let out = run(api.kinbox(&[
        "deals",
        "create",
        "--name",
        "x",
        "--value",
        "1",
        "--status",
        "open",
        "--pipeline-id",
        "pipe-1",
        "--stage-id",
        "s",
        "--contact-id",
        "7",
        "--custom-field",
        "valor=1.890",
    ]));
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains(
            "--custom-field valor=1.890: \"valor\" is a decimal field, e.g. valor=1890,50: \
             '1.890' could mean 1890 or 1,89"
        ),
        "{}",
        out.stderr
    );
    assert_eq!(writes.calls(), 0);
}

/// The workspace of the name tests: pipelines "Vendas" and "Pós-venda",
/// deal-1 in "Vendas", the custom fields of `resources::custom_fields`; and
/// a mock for every write, which must stay uncalled.
fn workspace(api: &Api) -> [Mock<'_>; 3] {
    let all = pipelines();
    api.server.mock(|when, then| {
        when.method(GET).path("/v1/pipelines");
        then.status(200).json_body(all.clone());
    });
    api.server.mock(|when, then| {
        when.method(GET).path("/v1/pipelines/pipe-1");
        then.status(200).json_body(all[0].clone());
    });
    api.server.mock(|when, then| {
        when.method(GET).path("/v1/deals/deal-1");
        then.status(200)
            .json_body_obj(&deal("deal-1", "Pedido #1042"));
    });
    api.server.mock(|when, then| {
        when.method(GET).path("/v1/custom-fields");
        then.status(200).json_body(custom_fields());
    });
    [POST, PATCH, DELETE].map(|method| {
        api.server.mock(|when, then| {
            when.method(method);
            then.status(500).body("a write after a failed lookup");
        })
    })
}

/// Runs `kinbox args` in [`workspace`], expecting exit 2, each of
/// `expected` in the error and no write; returns the error.
fn name_refused(args: &[&str], expected: &[&str]) -> String {
    let api = Api::start();
    let writes = workspace(&api);
    let out = run(api.kinbox(args));
    assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
    for part in expected {
        assert!(
            out.stderr.contains(part),
            "{part:?} not in:\n{}",
            out.stderr
        );
    }
    for write in &writes {
        assert_eq!(write.calls(), 0, "{args:?}: a write was sent");
    }
    out.stderr
}

#[test]
fn a_wrong_name_suggests_the_closest() {
    // A stage: which pipeline was looked in, and the closest of its stages.
    let stderr = name_refused(
        &create_args_by_name(&["--pipeline", "Vendas", "--stage", "Propsta"]),
        &["did you mean \"Proposta\"?"],
    );
    snap!("brazil_did_you_mean_stage_stderr", stderr);
    name_refused(
        &create_args_by_name(&["--pipeline", "vendass", "--stage", "Proposta"]),
        &["no pipeline is named \"vendass\"; did you mean \"Vendas\"? the choices are: "],
    );
    name_refused(
        &["deals", "move", "deal-1", "--stage", "fechamneto"],
        &[
            "no stage of pipeline \"Vendas\" is named \"fechamneto\"; did you mean \
             \"Fechamento\"? the choices are:",
        ],
    );
    name_refused(
        &["deals", "lose", "deal-1", "--reason", "Prazos"],
        &[
            "no lost reason of pipeline \"Vendas\" is named \"Prazos\"; did you mean \
             \"Prazo\"? the choices are:",
        ],
    );
    name_refused(
        &create_args(&["--contact-id", "7", "--custom-field", "idad=30"]),
        &[
            "--custom-field idad=30: no deal custom field is named \"idad\"; did you mean \
             \"idade\"? the choices are:",
        ],
    );
    name_refused(
        &create_args(&["--contact-id", "7", "--custom-field", "segmento=varejos"]),
        &[
            "no option of \"segmento\" is named \"varejos\"; did you mean \"varejo\"? the \
             choices are: varejo (Varejo), atacado (Atacado)",
        ],
    );
    // Nothing close: no suggestion.
    let stderr = name_refused(
        &create_args_by_name(&["--pipeline", "Vendas", "--stage", "Ganho"]),
        &["no stage of pipeline \"Vendas\" is named \"Ganho\"; the choices are:"],
    );
    assert!(!stderr.contains("did you mean"), "{stderr}");
}

/// `deals create` with name, value, status, pipeline and stage ids, and
/// `extra`.
fn create_args<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "deals",
        "create",
        "--name",
        "Pedido #1042",
        "--value",
        "1890",
        "--status",
        "open",
        "--pipeline-id",
        "pipe-1",
        "--stage-id",
        "s",
    ];
    args.extend(extra);
    args
}

/// `deals create` with name, value, status, a contact id, and `extra`.
fn create_args_by_name<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "deals",
        "create",
        "--name",
        "Pedido #1042",
        "--value",
        "1890",
        "--status",
        "open",
        "--contact-id",
        "7",
    ];
    args.extend(extra);
    args
}

/// Expects the deal of [`create_args`] for `contact`.
fn expect_create(api: &Api, contact: i64) -> Mock<'_> {
    api.server.mock(|when, then| {
        when.method(POST).path("/v1/deals").json_body(json!({
            "name": "Pedido #1042", "value": 1890.0, "status": "open",
            "pipelineId": "pipe-1", "stageId": "s", "contactId": contact,
            "customFields": {}
        }));
        then.status(201)
            .json_body_obj(&deal("deal-9", "Pedido #1042"));
    })
}

#[test]
fn the_help_says_how_brazilian_input_is_read() {
    let help = |args: &[&str]| {
        let out = run(crate::support::kinbox(args));
        assert_eq!(out.code, 0, "{}", out.stderr);
        out.stdout.split_whitespace().collect::<Vec<_>>().join(" ")
    };
    let list = help(&["deals", "list", "--help"]);
    assert!(
        list.contains(
            "a date or time without a zone is in the time zone of --tz (America/Sao_Paulo, \
             Brasília time, unless --tz, KINBOX_TZ or the profile says otherwise)"
        ),
        "{list}"
    );
    let global = help(&["-h"]);
    assert!(
        global.contains("--tz <ZONE> The time zone of dates typed and shown, e.g. UTC"),
        "{global}"
    );
    assert!(list.contains("A date alone means the end of that day, 23:59:59.999"));
    let update = help(&["deals", "update", "--help"]);
    assert!(
        update.contains("1.890,50, 1,890.50 or R$ 1.890,50"),
        "{update}"
    );
    assert!(update.contains("1.890 and 1,890 are refused as ambiguous"));
    let contacts = help(&["contacts", "list", "--help"]);
    assert!(
        contacts.contains(
            "a number of 10 or 11 digits is a DDD and a Brazilian number, and 55 is added"
        ),
        "{contacts}"
    );
}

/// `deals update deal-1 ARGS` with `env`, on a machine in UTC, expected to
/// send `dueDate: sent`.
fn due_date_sent(args: &[&str], env: &[(&str, &str)], sent: &str) {
    let api = Api::start();
    let updated = expect_update(&api, json!({"dueDate": sent}));
    let mut cmd = api.kinbox(&[&["deals", "update", "deal-1"], args].concat());
    cmd.env("TZ", "UTC");
    for (name, value) in env {
        cmd.env(name, value);
    }
    let out = run(cmd);
    assert_eq!(out.code, 0, "{args:?} {env:?}: {}", out.stderr);
    updated.assert();
}

/// The DUE DATE cell of a deal whose `dueDate` is `at`, in a table printed
/// on a machine in UTC with `args` and `env`.
fn due_date_shown(at: &str, args: &[&str], env: &[(&str, &str)]) -> String {
    let api = Api::start();
    api.server.mock(|when, then| {
        when.method(GET).path("/v1/pipelines");
        then.status(200).json_body(pipelines());
    });
    let mut listed = serde_json::to_value(deal("deal-1", "Pedido #1042")).unwrap();
    listed["dueDate"] = json!(at);
    api.server.mock(|when, then| {
        when.method(GET).path("/v1/deals");
        then.status(200)
            .json_body(json!({"data": [listed], "nextCursor": null}));
    });
    let mut cmd = api.kinbox(&[&["deals", "list", "-o", "table"], args].concat());
    cmd.env("TZ", "UTC").env("COLUMNS", "200");
    for (name, value) in env {
        cmd.env(name, value);
    }
    let out = run(cmd);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let row = out.stdout.lines().nth(1).unwrap_or_default().to_owned();
    let date = row
        .split("  ")
        .map(str::trim)
        .filter(|cell| !cell.is_empty())
        .last()
        .unwrap_or_default()
        .to_owned();
    assert!(row.ends_with(&date), "{}", out.stdout);
    date
}

#[test]
fn a_date_typed_on_a_machine_in_utc_lands_on_that_day_in_brasilia_and_is_shown_as_typed() {
    due_date_sent(&["--due-date", "30/06/2025"], &[], "2025-06-30T03:00:00Z");
    assert_eq!(
        due_date_shown("2025-06-30T03:00:00Z", &[], &[]),
        "30/06/2025 00:00"
    );
    due_date_sent(
        &["--due-date", "30/06/2025 18:00"],
        &[],
        "2025-06-30T21:00:00Z",
    );
    assert_eq!(
        due_date_shown("2025-06-30T21:00:00Z", &[], &[]),
        "30/06/2025 18:00"
    );
    // Whatever the machine's zone says.
    assert_eq!(
        due_date_shown("2025-06-30T03:00:00Z", &[], &[("TZ", "Asia/Tokyo")]),
        "30/06/2025 00:00"
    );
}

#[test]
fn tz_and_kinbox_tz_change_both_directions() {
    // --tz, before the command or among its flags, in either form.
    due_date_sent(
        &["--due-date", "30/06/2025", "--tz", "UTC"],
        &[],
        "2025-06-30T00:00:00Z",
    );
    due_date_sent(
        &["--tz=utc", "--due-date", "30/06/2025 18:00"],
        &[],
        "2025-06-30T18:00:00Z",
    );
    assert_eq!(
        due_date_shown("2025-06-30T03:00:00Z", &["--tz", "UTC"], &[]),
        "30/06/2025 03:00"
    );
    // KINBOX_TZ; --tz outranks it.
    let lisbon = [("KINBOX_TZ", "Europe/Lisbon")];
    due_date_sent(
        &["--due-date", "30/06/2025 10:00"],
        &lisbon,
        "2025-06-30T09:00:00Z",
    );
    due_date_sent(
        &["--due-date", "15/01/2025 10:00"],
        &lisbon,
        "2025-01-15T10:00:00Z",
    );
    assert_eq!(
        due_date_shown("2025-06-30T09:00:00Z", &[], &lisbon),
        "30/06/2025 10:00"
    );
    due_date_sent(
        &["--tz", "America/Manaus", "--due-date", "30/06/2025"],
        &lisbon,
        "2025-06-30T04:00:00Z",
    );
}

#[test]
fn the_profiles_tz_is_used_when_neither_flag_nor_environment_gives_one() {
    let api = Api::start();
    std::fs::write(
        api.config_path(),
        format!(
            "[profiles.default]\ntoken = \"{}\"\nbase_url = \"{}\"\ntz = \"UTC\"\n",
            crate::support::TOKEN,
            api.server.base_url()
        ),
    )
    .unwrap();
    let updated = expect_update(&api, json!({"dueDate": "2025-06-30T00:00:00Z"}));
    let out = run(api
        .kinbox_without_token(&["deals", "update", "deal-1", "--due-date", "30/06/2025"])
        .env("TZ", "America/Sao_Paulo"));
    assert_eq!(out.code, 0, "{}", out.stderr);
    updated.assert();
}

#[test]
fn historic_daylight_saving_dates_are_read_in_brasilia_as_they_were() {
    // Summer 2018: Brasília was UTC-02:00.
    due_date_sent(
        &["--due-date", "15/01/2018 09:00"],
        &[],
        "2018-01-15T11:00:00Z",
    );
    assert_eq!(
        due_date_shown("2018-01-15T11:00:00Z", &[], &[]),
        "15/01/2018 09:00"
    );
    // 2018-11-04 began at 01:00: its first instant.
    due_date_sent(&["--due-date", "04/11/2018"], &[], "2018-11-04T03:00:00Z");
    assert_eq!(
        due_date_shown("2018-11-04T03:00:00Z", &[], &[]),
        "04/11/2018 01:00"
    );
    refused(
        &[
            "deals",
            "update",
            "deal-1",
            "--due-date",
            "04/11/2018 00:30",
        ],
        "04/11/2018 00:30 did not exist in America/Sao_Paulo: the clocks jumped from 00:00 \
         (UTC-03:00) to 01:00 (UTC-02:00) that night",
    );
    // 2018-02-17 23:00-23:59 happened twice: a range to that day takes it
    // all in; a time in it needs its offset.
    let api = Api::start();
    let listed = api.server.mock(|when, then| {
        when.method(GET)
            .path("/v1/deals")
            .query_param("created_at_from", "2018-02-17T02:00:00Z")
            .query_param("created_at_to", "2018-02-18T02:59:59.999Z");
        then.status(200)
            .json_body(json!({"data": [], "nextCursor": null}));
    });
    sends(
        &api,
        &[
            "deals",
            "list",
            "--created-at-from",
            "17/02/2018",
            "--created-at-to",
            "17/02/2018",
        ],
        &listed,
    );
    refused(
        &[
            "deals",
            "update",
            "deal-1",
            "--due-date",
            "17/02/2018 23:30",
        ],
        "17/02/2018 23:30 happened twice in America/Sao_Paulo (the clocks went back an hour \
         that night): give its offset, 2018-02-17T23:30:00-02:00 for the first or \
         2018-02-17T23:30:00-03:00 for the second",
    );
    due_date_sent(
        &["--due-date", "2018-02-17T23:30:00-03:00"],
        &[],
        "2018-02-18T02:30:00Z",
    );
}

#[test]
fn an_unknown_time_zone_is_a_usage_error_that_names_examples() {
    for (args, env) in [
        (&["--tz", "Brasil/Fortaleza", "deals", "list"][..], None),
        (
            &[
                "deals",
                "update",
                "deal-1",
                "--due-date",
                "30/06/2025",
                "--tz",
                "Brasil/Fortaleza",
            ][..],
            None,
        ),
        (&["deals", "list"][..], Some("Brasil/Fortaleza")),
    ] {
        let api = Api::start();
        let catch_all = api.catch_all();
        let mut cmd = api.kinbox(args);
        if let Some(zone) = env {
            cmd.env("KINBOX_TZ", zone);
        }
        let out = run(cmd);
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        assert!(
            out.stderr.contains(
                "unknown time zone `Brasil/Fortaleza`: give an IANA name, e.g. \
                 America/Sao_Paulo (Brasília), America/Manaus"
            ),
            "{args:?}: {}",
            out.stderr
        );
        assert_eq!(catch_all.calls(), 0, "{args:?}: a request was sent");
    }
}

#[test]
fn a_custom_field_date_time_is_read_in_the_zone_of_tz() {
    for (args, sent) in [
        (&[][..], "2025-06-30T13:00:00Z"),
        (&["--tz", "UTC"][..], "2025-06-30T10:00:00Z"),
    ] {
        let api = Api::start();
        api.server.mock(|when, then| {
            when.method(GET).path("/v1/custom-fields");
            then.status(200).json_body(json!({"data": [
                {"id": 4, "name": "Visita", "placeholder": "visita", "entity": "deal",
                 "type": "datetime"}
            ]}));
        });
        let created = api.server.mock(|when, then| {
            when.method(POST).path("/v1/deals").json_body(json!({
                "name": "Pedido #1042", "value": 1.0, "status": "open",
                "pipelineId": "pipe-1", "stageId": "s", "contactId": 7,
                "customFields": {"visita": {"value": sent, "type": "datetime"}}
            }));
            then.status(201)
                .json_body_obj(&deal("deal-9", "Pedido #1042"));
        });
        let mut all = vec![
            "deals",
            "create",
            "--name",
            "Pedido #1042",
            "--value",
            "1",
            "--status",
            "open",
            "--pipeline-id",
            "pipe-1",
            "--stage-id",
            "s",
            "--contact-id",
            "7",
            "--custom-field",
            "visita=30/06/2025 10:00",
        ];
        all.extend(args);
        let out = run(api.kinbox(&all).env("TZ", "UTC"));
        assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
        created.assert();
    }
}

/// `deals import` of one row whose due date is `30/06/2025 10:00`, with
/// `extra` flags, on a machine in UTC: the dueDate the sandbox holds.
fn imported_due_date(extra: &[&str]) -> String {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let sandbox = runtime
        .block_on(kinbox_sandbox::Sandbox::builder().start())
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = crate::support::write(
        dir.path(),
        "leads.csv",
        "name;value;pipeline;stage;contact_phone;contact_name;due_date\n\
         Pedido 1;100;Vendas;Proposta;+55 (85) 99728-1648;Ana;30/06/2025 10:00\n",
    );
    let mut args = vec!["deals", "import", &file, "--create-contacts"];
    args.extend(extra);
    let out = run(crate::support::kinbox(&args)
        .env("TZ", "UTC")
        .env("KINBOX_BASE_URL", sandbox.base_url())
        .env("KINBOX_TOKEN", sandbox.token())
        .env("KINBOX_CONFIG_DIR", dir.path()));
    assert_eq!(out.code, 0, "{extra:?}: {}", out.stderr);
    let deals = runtime.block_on(sandbox.held_deals());
    let deal = deals
        .iter()
        .find(|deal| deal.name == "Pedido 1")
        .expect("the deal was imported");
    serde_json::to_value(&deal.due_date)
        .unwrap()
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn an_import_reads_its_dates_in_the_zone_of_tz() {
    assert_eq!(imported_due_date(&[]), "2025-06-30T13:00:00Z");
    assert_eq!(imported_due_date(&["--tz", "UTC"]), "2025-06-30T10:00:00Z");
}
