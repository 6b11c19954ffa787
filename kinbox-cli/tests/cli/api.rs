//! `kinbox api METHOD PATH`: any request, authenticated, with the same
//! output and the same safety as every command.

use httpmock::Method::{GET, PATCH, POST};
use serde_json::json;

use crate::support::{Api, TOKEN, bearer, run, write};

#[test]
fn get_fields_go_in_the_query_and_the_answer_is_printed() {
    let api = Api::start();
    let mock = api.server.mock(|when, then| {
        when.method(GET)
            .path("/v1/deals")
            .header("authorization", bearer())
            .query_param("status", "open")
            .query_param("limit", "5");
        then.status(200)
            .json_body(json!({"data": [], "nextCursor": null}));
    });

    let out = run(api.kinbox(&[
        "api",
        "GET",
        "/v1/deals",
        "--field",
        "status=open",
        "-F",
        "limit=5",
    ]));

    mock.assert();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, "{\"data\":[],\"nextCursor\":null}\n");
}

#[test]
fn write_fields_make_the_body_over_the_input_file() {
    let api = Api::start();
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "tag.json",
        r##"{"name": "VIP", "color": "#fff"}"##,
    );
    let mock = api.server.mock(|when, then| {
        when.method(POST).path("/v1/tags").json_body(json!({
            "name": "VIP", "color": "#000", "privacy": {"type": "public"}, "code": "7"
        }));
        then.status(201).json_body(json!({"id": 9, "name": "VIP"}));
    });

    let out = run(api.kinbox(&[
        "api",
        "post",
        "/v1/tags",
        "--input",
        &file,
        "--field",
        "color=#000",
        "--field",
        "privacy.type=public",
        "--raw-field",
        "code=7",
    ]));

    mock.assert();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, "{\"id\":9,\"name\":\"VIP\"}\n");
}

#[test]
fn errors_and_lost_writes_are_reported_as_by_every_command() {
    let api = Api::start();
    api.server.mock(|when, then| {
        when.method(PATCH).path("/v1/deals/x");
        then.status(422)
            .json_body(json!({"message": format!("bad {TOKEN}")}));
    });
    let out = run(api.kinbox(&["api", "PATCH", "/v1/deals/x", "--field", "value=1"]));
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("422") && out.stderr.contains("<redacted>"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains(TOKEN));

    let out = run(api.kinbox(&["api", "GET", "https://elsewhere.example/v1/deals"]));
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("not a path of the API"),
        "{}",
        out.stderr
    );
}

#[test]
fn the_method_is_get_or_post_with_a_body_unless_named_and_the_slash_is_optional() {
    let api = Api::start();
    let list = api.server.mock(|when, then| {
        when.method(GET).path("/v1/tags");
        then.status(200)
            .json_body(json!([{"id": 1, "name": "VIP"}, {"id": 2, "name": "Lead quente"}]));
    });
    let create = api.server.mock(|when, then| {
        when.method(POST)
            .path("/v1/tags")
            .json_body(json!({"name": "Novo"}));
        then.status(201).json_body(json!({"id": 3, "name": "Novo"}));
    });
    let update = api.server.mock(|when, then| {
        when.method(PATCH)
            .path("/v1/tags/3")
            .json_body(json!({"name": "Velho"}));
        then.status(200)
            .json_body(json!({"id": 3, "name": "Velho"}));
    });

    for path in ["/v1/tags", "v1/tags"] {
        let out = run(api.kinbox(&["api", path]));
        assert_eq!(out.code, 0, "{path}: {}", out.stderr);
        assert_eq!(
            out.stdout,
            "[{\"id\":1,\"name\":\"VIP\"},{\"id\":2,\"name\":\"Lead quente\"}]\n"
        );
    }
    list.assert_calls(2);

    let out = run(api.kinbox(&["api", "v1/tags", "--field", "name=Novo"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    create.assert();

    for args in [
        &["api", "v1/tags/3", "-X", "patch", "-F", "name=Velho"][..],
        &["api", "PATCH", "v1/tags/3", "-F", "name=Velho"],
    ] {
        let out = run(api.kinbox(args));
        assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
    }
    update.assert_calls(2);
}

#[test]
fn jq_on_api_filters_the_whole_answer_as_its_help_says() {
    let api = Api::start();
    api.server.mock(|when, then| {
        when.method(GET).path("/v1/tags");
        then.status(200)
            .json_body(json!([{"id": 1, "name": "VIP"}, {"id": 2, "name": "Lead quente"}]));
    });
    let out = run(api.kinbox(&["api", "v1/tags", "--jq", ".[].name"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, "VIP\nLead quente\n");

    let help = run(api.kinbox(&["api", "--help"])).stdout;
    let help = help.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        help.contains("Filter the whole answer, as the API sent it (a list is one array)"),
        "{help}"
    );
    assert!(
        help.contains("kinbox api v1/tags --jq '.[].name'"),
        "{help}"
    );
    // gh api has no --json: fields are picked with --jq.
    assert!(!help.contains("--json "), "{help}");
}

#[test]
fn a_method_without_a_path_or_two_methods_are_usage_errors() {
    let api = Api::start();
    let anything = api.catch_all();
    for (args, said) in [
        (
            &["api", "GET"][..],
            "`GET` is a method: give the PATH after it",
        ),
        (
            &["api", "GET", "v1/tags", "-X", "POST"],
            "the method is named twice",
        ),
        (&["api", "FETCH", "v1/tags"], "`FETCH` is not a method"),
    ] {
        let out = run(api.kinbox(args));
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        assert!(out.stderr.contains(said), "{args:?}: {}", out.stderr);
    }
    assert_eq!(anything.calls(), 0);
}
