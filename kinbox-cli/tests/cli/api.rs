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
