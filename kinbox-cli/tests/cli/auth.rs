//! `kinbox auth …` and profiles: where the token comes from.

use httpmock::Method::GET;
use serde_json::json;

use crate::snap;
use crate::support::{Api, TOKEN, deal, run};

fn accepts_token<'a>(api: &'a Api, token: &str) -> httpmock::Mock<'a> {
    api.server.mock(|when, then| {
        when.method(GET)
            .path("/v1/deals")
            .query_param("limit", "1")
            .header("authorization", format!("Bearer {token}"));
        then.status(200)
            .json_body(json!({"data": [], "nextCursor": null}));
    })
}

#[test]
fn login_checks_the_token_and_stores_it_readable_by_the_owner_only() {
    let api = Api::start();
    let check = accepts_token(&api, TOKEN);

    let out = run(api
        .kinbox_without_token(&["auth", "login"])
        .write_stdin(format!("  {TOKEN}\n")));

    check.assert();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, "");
    let path = api.config_path();
    assert_eq!(
        out.stderr,
        format!(
            "Logged in to {}: the token of profile `default` is stored in {}\n",
            api.server.base_url(),
            path.display()
        )
    );
    let stored = std::fs::read_to_string(&path).unwrap();
    assert_eq!(stored, format!("[profiles.default]\ntoken = \"{TOKEN}\"\n"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    }
}

#[test]
fn a_stored_profile_is_used_when_kinbox_token_is_not_set() {
    let api = Api::start();
    accepts_token(&api, "token-of-loja2");
    let login = run(api
        .kinbox_without_token(&["auth", "login", "--profile", "loja2"])
        .write_stdin("token-of-loja2"));
    assert_eq!(login.code, 0, "{}", login.stderr);

    let get = api.server.mock(|when, then| {
        when.method(GET)
            .path("/v1/deals/deal-1")
            .header("authorization", "Bearer token-of-loja2");
        then.status(200).json_body_obj(&deal("deal-1", "x"));
    });
    let out = run(api.kinbox_without_token(&["--profile", "loja2", "deals", "get", "deal-1"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let out = run(api
        .kinbox_without_token(&["deals", "get", "deal-1"])
        .env("KINBOX_PROFILE", "loja2"));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(get.calls(), 2);

    // The default profile has no token.
    let out = run(&mut api.kinbox_without_token(&["deals", "get", "deal-1"]));
    assert_eq!(out.code, 1);
    assert_eq!(get.calls(), 2);
}

#[test]
fn kinbox_token_takes_precedence_over_the_profile() {
    let api = Api::start();
    accepts_token(&api, "stored-token");
    run(api
        .kinbox_without_token(&["auth", "login"])
        .write_stdin("stored-token"));
    let env_check = accepts_token(&api, TOKEN);

    let out = run(&mut api.kinbox(&["auth", "status"]));

    env_check.assert();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout
            .contains("Token:   from the KINBOX_TOKEN environment variable"),
        "{}",
        out.stdout
    );
}

#[test]
fn login_stores_the_base_url_given_with_it() {
    let api = Api::start();
    accepts_token(&api, "sandbox-token");
    let base_url = api.server.base_url();
    let out = run(api
        .kinbox_without_token(&[
            "auth",
            "login",
            "--profile",
            "sandbox",
            "--base-url",
            &base_url,
        ])
        .env_remove("KINBOX_BASE_URL")
        .write_stdin("sandbox-token"));
    assert_eq!(out.code, 0, "{}", out.stderr);

    let get = api.server.mock(|when, then| {
        when.method(GET).path("/v1/deals/deal-1");
        then.status(200).json_body_obj(&deal("deal-1", "x"));
    });
    let out = run(api
        .kinbox_without_token(&["deals", "get", "deal-1", "--profile", "sandbox"])
        .env_remove("KINBOX_BASE_URL"));
    assert_eq!(out.code, 0, "{}", out.stderr);
    get.assert();
}

#[test]
fn login_refuses_a_token_the_api_refuses_and_stores_nothing() {
    let api = Api::start();
    api.server.mock(|when, then| {
        when.method(GET).path("/v1/deals");
        then.status(401)
            .json_body(json!({"message": "Invalid token"}));
    });

    let out = run(api
        .kinbox_without_token(&["auth", "login"])
        .write_stdin("wrong"));

    assert_eq!(out.code, 1);
    assert!(
        out.stderr.starts_with(
            "error: the token was not accepted, nothing was stored: the Kinbox API answered 401 Unauthorized: Invalid token"
        ),
        "{}",
        out.stderr
    );
    assert!(!api.config_path().exists());
}

#[test]
fn login_with_no_token_on_stdin_is_a_usage_error() {
    let api = Api::start();
    let catch_all = api.catch_all();
    let out = run(api
        .kinbox_without_token(&["auth", "login"])
        .write_stdin("\n"));
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.starts_with("error: no token given"),
        "{}",
        out.stderr
    );
    let out = run(api
        .kinbox_without_token(&["auth", "login"])
        .write_stdin("Bearer abc"));
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("give the token alone"),
        "{}",
        out.stderr
    );
    assert_eq!(catch_all.calls(), 0);
    assert!(!api.config_path().exists());
}

#[test]
fn login_takes_no_token_argument() {
    let api = Api::start();
    let catch_all = api.catch_all();
    let out = run(&mut api.kinbox_without_token(&["auth", "login", TOKEN]));
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .starts_with("error: the token is not taken from the command line"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains(TOKEN), "{}", out.stderr);
    assert_eq!(catch_all.calls(), 0);
    assert!(!api.config_path().exists());
}

#[test]
fn status_shows_the_profile_the_token_source_and_the_api() {
    let api = Api::start();
    accepts_token(&api, TOKEN);
    run(api
        .kinbox_without_token(&["auth", "login"])
        .write_stdin(TOKEN));

    let out = run(&mut api.kinbox_without_token(&["auth", "status"]));

    assert_eq!(out.code, 0, "{}", out.stderr);
    let stdout = out
        .stdout
        .replace(&api.config_dir.path().display().to_string(), "[CONFIG_DIR]")
        .replace(&api.server.base_url(), "[API]");
    snap!("auth_status_stdout", stdout);
}

#[test]
fn status_without_a_token_exits_1() {
    let api = Api::start();
    let catch_all = api.catch_all();
    let out = run(&mut api.kinbox_without_token(&["auth", "status"]));
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.starts_with("error: no Kinbox API token"),
        "{}",
        out.stderr
    );
    assert_eq!(catch_all.calls(), 0);
}

#[test]
fn status_with_a_refused_token_exits_1() {
    let api = Api::start();
    api.server.mock(|when, then| {
        when.method(GET).path("/v1/deals");
        then.status(401)
            .json_body(json!({"message": "Token revoked"}));
    });
    let out = run(&mut api.kinbox(&["auth", "status"]));
    assert_eq!(out.code, 1);
    assert!(
        out.stdout.contains("Status:  the API refuses the token"),
        "{}",
        out.stdout
    );
    assert!(
        out.stderr.contains("401 Unauthorized: Token revoked"),
        "{}",
        out.stderr
    );
}

#[test]
fn logout_removes_the_profile() {
    let api = Api::start();
    accepts_token(&api, "a");
    accepts_token(&api, "b");
    run(api
        .kinbox_without_token(&["auth", "login"])
        .write_stdin("a"));
    run(api
        .kinbox_without_token(&["auth", "login", "--profile", "other"])
        .write_stdin("b"));

    let out = run(&mut api.kinbox_without_token(&["auth", "logout"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        std::fs::read_to_string(api.config_path()).unwrap(),
        "[profiles.other]\ntoken = \"b\"\n"
    );

    let again = run(&mut api.kinbox_without_token(&["auth", "logout"]));
    assert_eq!(again.code, 1);
    assert!(
        again
            .stderr
            .starts_with("error: no token is stored for profile `default`"),
        "{}",
        again.stderr
    );
}
