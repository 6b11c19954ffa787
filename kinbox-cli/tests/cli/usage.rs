//! Mistakes on the command line exit with 2 and a message that says what to
//! fix, before anything is sent; a missing token exits with 1, also before.

use crate::support::{Api, run, write};

/// Runs `args` and checks: exit 2, nothing on stdout, `expected` in the
/// error, no request to the API.
fn rejected(args: &[&str], expected: &str) -> String {
    rejected_with_stdin(args, None, expected)
}

fn rejected_with_stdin(args: &[&str], stdin: Option<&str>, expected: &str) -> String {
    let api = Api::start();
    let catch_all = api.catch_all();
    let mut cmd = api.kinbox(args);
    if let Some(stdin) = stdin {
        cmd.write_stdin(stdin);
    }
    let out = run(&mut cmd);
    assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
    assert_eq!(out.stdout, "", "{args:?}");
    assert!(
        out.stderr.starts_with("error: ") && out.stderr.contains(expected),
        "{args:?}: expected {expected:?} in:\n{}",
        out.stderr
    );
    assert_eq!(catch_all.calls(), 0, "{args:?} sent a request");
    out.stderr
}

/// A valid `deals create`, with `flag` set to `value` instead.
fn create_with(flag: &str, value: &str) -> Vec<String> {
    let mut args: Vec<String> = [
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
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    match args.iter().position(|a| a == flag) {
        Some(i) => args[i + 1] = value.to_owned(),
        None => args.extend([flag.to_owned(), value.to_owned()]),
    }
    args
}

fn strs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

#[test]
fn a_missing_required_flag() {
    let stderr = rejected(
        &[
            "deals", "create", "--name", "N", "--value", "1", "--status", "open",
        ],
        "nothing was sent: the request needs changes",
    );
    for alternatives in [
        "pipelineId is missing: give --pipeline-id PIPELINE_ID, --pipeline NAME or \"pipelineId\" in --json-body",
        "stageId is missing: give --stage-id STAGE_ID, --stage NAME or \"stageId\" in --json-body",
        "contactId is missing: give --contact-id CONTACT_ID, --contact-phone PHONE, --contact-email EMAIL or \"contactId\" in --json-body",
    ] {
        assert!(stderr.contains(alternatives), "{stderr}");
    }
}

#[test]
fn a_missing_id() {
    rejected(&["deals", "get"], "<ID>");
}

#[test]
fn an_unknown_enum_value() {
    rejected(
        &strs(&create_with("--status", "pending"))[..],
        "invalid value 'pending' for '--status <STATUS>'",
    );
    rejected(
        &["deals", "list", "--status", "closed"],
        "write open, won or lost (aberto, ganho or perdido)",
    );
    // Other enums keep clap's list of their values.
    rejected(
        &["campaigns", "update", "c1", "--status", "closed"],
        "[possible values:",
    );
}

#[test]
fn a_bad_date() {
    rejected(
        &strs(&create_with("--due-date", "31/02/2024")),
        "invalid value '31/02/2024' for '--due-date <DATETIME>': expected a date-time like 2024-05-31T18:00:00-03:00, or a date like 2024-05-31 or 31/05/2024",
    );
    rejected(
        &["deals", "list", "--created-at-from", "2024-13-01"],
        "'--created-at-from <DATETIME>'",
    );
    rejected(
        &["deals", "win", "d", "--date", "yesterday"],
        "'--date <DATETIME>'",
    );
}

#[test]
fn a_bad_number() {
    rejected(
        &strs(&create_with("--value", "mil")),
        "invalid value 'mil' for '--value <VALUE>'",
    );
    rejected(
        &["deals", "list", "--limit", "0"],
        "invalid value '0' for '--limit <LIMIT>'",
    );
}

#[test]
fn an_unreadable_json_body() {
    rejected(
        &["deals", "create", "--json-body", "/nonexistent/deal.json"],
        "cannot read the JSON body file '/nonexistent/deal.json': No such file or directory",
    );
}

#[test]
fn a_json_body_that_is_not_json() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "deal.json", "{\"name\": \"N\",}");
    rejected(
        &["deals", "create", "--json-body", &file],
        &format!("the JSON body in '{file}' is not valid JSON: trailing comma at line 1 column 14"),
    );
    rejected_with_stdin(
        &["deals", "update", "d", "--json-body", "-"],
        Some("[1, 2]"),
        "the JSON body in <stdin> must be an object",
    );
}

#[test]
fn a_json_body_that_does_not_fit_the_operation() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "deal.json",
        r#"{"value": "mil", "status": "open", "pipelineId": "p", "stageId": "s",
            "contactId": 1, "customFields": {}}"#,
    );
    rejected(
        &["deals", "create", "--json-body", &file, "--name", "N2"],
        &format!(
            "nothing was sent: the request (the JSON body in '{file}', with the flags \
             applied) needs changes:\n  value: expected a number, got \"mil\""
        ),
    );
    let partial = write(dir.path(), "partial.json", r#"{"name": "N"}"#);
    rejected(
        &["deals", "create", "--json-body", &partial],
        "value is missing: give --value VALUE or \"value\" in --json-body",
    );
}

#[test]
fn an_update_with_nothing_to_send() {
    rejected(
        &["deals", "update", "deal-1"],
        "nothing to send: give at least one field flag or --json-body FILE (see `kinbox deals update --help`)",
    );
}

#[test]
fn lose_without_a_reason() {
    rejected(&["deals", "lose", "deal-1"], "--reason <REASON>");
}

#[test]
fn an_unknown_command_or_flag() {
    rejected(&["deals", "close", "d"], "unrecognized subcommand 'close'");
    rejected(
        &["deals", "get", "d", "--verbosity"],
        "unexpected argument '--verbosity'",
    );
    rejected(&["completion", "tcsh"], "invalid value 'tcsh'");
}

#[test]
fn plain_http_to_another_host_is_refused() {
    let api = Api::start();
    let out = run(api.kinbox(&["deals", "get", "d", "--base-url", "http://api.example.com"]));
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.starts_with(
            "error: refusing to send the API token over plain http to api.example.com: use https"
        ),
        "{}",
        out.stderr
    );
}

#[test]
fn no_token_names_both_ways_to_give_one_and_sends_nothing() {
    let api = Api::start();
    let catch_all = api.catch_all();
    let out = run(api.kinbox_without_token(&["deals", "get", "deal-1"]));
    assert_eq!(out.code, 1);
    assert_eq!(out.stdout, "");
    assert_eq!(
        out.stderr,
        "error: no Kinbox API token: set KINBOX_TOKEN, or run `kinbox auth login` to store one \
         (tokens are created in the Kinbox app under Configurações > Integrações > API)\n"
    );
    assert_eq!(catch_all.calls(), 0);

    let out = run(api.kinbox_without_token(&["deals", "list", "--profile", "loja2"]));
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("`kinbox auth login --profile loja2`"),
        "{}",
        out.stderr
    );
    assert_eq!(catch_all.calls(), 0);
}
