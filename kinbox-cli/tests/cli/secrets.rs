//! The token is a password: it never shows in any output, `-v` included.

use httpmock::Method::GET;
use serde_json::json;

use crate::support::{Api, TOKEN, deal, run};

#[test]
fn verbose_logs_show_requests_and_responses_but_never_the_token() {
    let api = Api::start();
    api.server.mock(|when, then| {
        when.method(GET).path("/v1/deals/deal-1");
        then.status(200).json_body_obj(&deal("deal-1", "x"));
    });
    api.server.mock(|when, then| {
        when.method(GET).path("/v1/deals/refused");
        then.status(401)
            .json_body(json!({"message": "Unauthorized"}));
    });

    let ok = run(api.kinbox(&["deals", "get", "deal-1", "-v"]));
    assert_eq!(ok.code, 0, "{}", ok.stderr);
    assert!(ok.stderr.contains("sending request"), "{}", ok.stderr);
    assert!(ok.stderr.contains("method=GET"), "{}", ok.stderr);
    assert!(ok.stderr.contains("/v1/deals/deal-1"), "{}", ok.stderr);
    assert!(ok.stderr.contains("status=200"), "{}", ok.stderr);

    let refused = run(api.kinbox(&["deals", "get", "refused", "-vv"]));
    assert_eq!(refused.code, 1);
    assert!(refused.stderr.contains("status=401"), "{}", refused.stderr);
    assert!(
        refused.stderr.contains("error: the Kinbox API answered 401 Unauthorized: Unauthorized (check the token: KINBOX_TOKEN or `kinbox auth login`)"),
        "{}",
        refused.stderr
    );

    let update = run(api.kinbox(&["deals", "update", "deal-1", "--name", "x", "-vv"]));
    assert!(update.stderr.contains("request body"), "{}", update.stderr);

    for out in [ok, refused, update] {
        assert!(!out.stdout.contains(TOKEN));
        assert!(!out.stderr.contains(TOKEN), "{}", out.stderr);
    }
}

#[test]
fn the_token_is_not_echoed_by_login_or_status() {
    let api = Api::start();
    api.server.mock(|when, then| {
        when.method(GET).path("/v1/deals");
        then.status(200)
            .json_body(json!({"data": [], "nextCursor": null}));
    });
    let login = run(api
        .kinbox_without_token(&["auth", "login", "-vv"])
        .write_stdin(format!("{TOKEN}\n")));
    assert_eq!(login.code, 0, "{}", login.stderr);
    let status = run(&mut api.kinbox_without_token(&["auth", "status", "-vv"]));
    assert_eq!(status.code, 0, "{}", status.stderr);
    for out in [login, status] {
        assert!(!out.stdout.contains(TOKEN), "{}", out.stdout);
        assert!(!out.stderr.contains(TOKEN), "{}", out.stderr);
    }
}

#[test]
fn the_token_is_not_echoed_by_status_whatever_the_api_answers() {
    for status in [401, 403, 503] {
        let api = Api::start();
        // A server that quotes the token back.
        api.server.mock(|when, then| {
            when.method(GET).path("/v1/deals");
            then.status(status)
                .json_body(json!({"message": format!("bad token {TOKEN}")}));
        });
        let out = run(&mut api.kinbox(&["auth", "status", "-vv"]));
        assert_ne!(out.code, 0);
        assert!(!out.stdout.contains(TOKEN), "{}", out.stdout);
        assert!(!out.stderr.contains(TOKEN), "{}", out.stderr);
    }
}

#[test]
fn the_token_is_not_echoed_when_login_stores_a_base_url_or_a_profile_is_unknown() {
    let api = Api::start();
    api.server.mock(|when, then| {
        when.method(GET).path("/v1/deals");
        then.status(200)
            .json_body(json!({"data": [], "nextCursor": null}));
    });
    let login = run(api
        .kinbox_without_token(&["auth", "login", "--profile", "sandbox", "-vv"])
        .write_stdin(TOKEN));
    assert_eq!(login.code, 0, "{}", login.stderr);
    let unknown = run(&mut api.kinbox_without_token(&["auth", "status", "--profile", "other"]));
    assert_eq!(unknown.code, 1);
    let status = run(&mut api.kinbox_without_token(&["auth", "status", "--profile", "sandbox"]));
    assert_eq!(status.code, 0, "{}", status.stderr);
    for out in [login, unknown, status] {
        assert!(!out.stdout.contains(TOKEN), "{}", out.stdout);
        assert!(!out.stderr.contains(TOKEN), "{}", out.stderr);
    }
}
