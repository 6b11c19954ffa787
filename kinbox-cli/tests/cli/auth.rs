//! `kinbox auth …` and profiles: where the token comes from.

use httpmock::Method::GET;
use serde_json::json;

use crate::snap;
use crate::support::{Api, TOKEN, deal, run, write};

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
    // The token was checked against KINBOX_BASE_URL: that is stored with it,
    // in a profile named after the host, since it is not the default API.
    assert_eq!(
        out.stderr,
        format!(
            "Logged in to {} (from the KINBOX_BASE_URL environment variable): the token of \
             profile `sandbox` (checked) is stored in {}, with that base URL: it is only ever \
             sent there\n\
             The profile is named `sandbox` after its host, so that the `default` profile is \
             left as it was; use it with `--profile sandbox` or KINBOX_PROFILE=sandbox, or log \
             in with --profile NAME to choose the name\n",
            api.server.base_url(),
            path.display()
        )
    );
    let stored = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        stored,
        format!(
            "[profiles.sandbox]\ntoken = \"{TOKEN}\"\nbase_url = \"{}\"\n",
            api.server.base_url()
        )
    );
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
        .kinbox_without_token(&["auth", "login", "--profile", "default"])
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
        .kinbox_without_token(&["auth", "login", "--profile", "default"])
        .write_stdin("a"));
    run(api
        .kinbox_without_token(&["auth", "login", "--profile", "other"])
        .write_stdin("b"));

    let out = run(&mut api.kinbox_without_token(&["auth", "logout"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        std::fs::read_to_string(api.config_path()).unwrap(),
        format!(
            "[profiles.other]\ntoken = \"b\"\nbase_url = \"{}\"\n",
            api.server.base_url()
        )
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

/// A loopback URL where nothing listens.
fn closed_port() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

fn login(api: &Api, args: &[&str], token: &str) {
    let mut all = vec!["auth", "login"];
    all.extend_from_slice(args);
    let out = run(api.kinbox_without_token(&all).write_stdin(token));
    assert_eq!(out.code, 0, "{}", out.stderr);
}

#[test]
fn login_with_kinbox_base_url_stores_it_so_later_runs_use_it_without_the_variable() {
    // Without --profile, a loopback host's profile is `sandbox`.
    let api = Api::start();
    accepts_token(&api, "sandbox-token");
    login(&api, &[], "sandbox-token");

    let stored = std::fs::read_to_string(api.config_path()).unwrap();
    assert!(
        stored.contains(&format!("base_url = \"{}\"", api.server.base_url())),
        "the token would be sent to production: {stored}"
    );
    let get = api.server.mock(|when, then| {
        when.method(GET)
            .path("/v1/deals/deal-1")
            .header("authorization", "Bearer sandbox-token");
        then.status(200).json_body_obj(&deal("deal-1", "x"));
    });
    let out = run(api
        .kinbox_without_token(&["deals", "get", "deal-1", "--profile", "sandbox"])
        .env_remove("KINBOX_BASE_URL"));
    assert_eq!(out.code, 0, "{}", out.stderr);
    get.assert();
}

#[test]
fn login_again_checks_against_the_profiles_base_url_and_keeps_it() {
    let api = Api::start();
    accepts_token(&api, "first");
    let check = accepts_token(&api, "second");
    login(&api, &["--profile", "sandbox"], "first");
    // Else the next login would check the token against production.
    assert!(
        std::fs::read_to_string(api.config_path())
            .unwrap()
            .contains(&api.server.base_url())
    );

    let out = run(api
        .kinbox_without_token(&["auth", "login", "--profile", "sandbox"])
        .env_remove("KINBOX_BASE_URL")
        .write_stdin("second"));

    assert_eq!(out.code, 0, "{}", out.stderr);
    check.assert();
    let path = api.config_path();
    assert!(
        out.stderr.starts_with(&format!(
            "Logged in to {} (from profile \"sandbox\" in {}): ",
            api.server.base_url(),
            path.display()
        )),
        "{}",
        out.stderr
    );
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        format!(
            "[profiles.sandbox]\ntoken = \"second\"\nbase_url = \"{}\"\n",
            api.server.base_url()
        )
    );
}

#[test]
fn status_lists_every_profile_and_where_token_and_base_url_come_from() {
    let api = Api::start();
    accepts_token(&api, "token-of-loja2");
    accepts_token(&api, TOKEN);
    write(
        api.config_dir.path(),
        "credentials.toml",
        &format!(
            "[profiles.default]\ntoken = \"token-of-default\"\n\n\
             [profiles.loja2]\ntoken = \"token-of-loja2\"\nbase_url = \"{}\"\n\n\
             [profiles.sandbox-local]\ntoken = \"token-of-sandbox\"\n\
             base_url = \"http://127.0.0.1:8080\"\n",
            api.server.base_url()
        ),
    );

    let out = run(api
        .kinbox_without_token(&["auth", "status"])
        .env("KINBOX_PROFILE", "loja2")
        .env_remove("KINBOX_BASE_URL"));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let stdout = out
        .stdout
        .replace(&api.config_dir.path().display().to_string(), "[CONFIG_DIR]")
        .replace(&api.server.base_url(), "[API]");
    snap!("auth_status_profiles_stdout", stdout);

    // --base-url outranks KINBOX_BASE_URL, which outranks the profile's.
    let out = run(&mut api.kinbox_without_token(&[
        "auth",
        "status",
        "--profile",
        "loja2",
        "--base-url",
        &api.server.base_url(),
    ]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.starts_with("Profile: loja2 (from --profile)\n"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains(" (from --base-url)\n"),
        "{}",
        out.stdout
    );
    let out = run(&mut api.kinbox(&["auth", "status", "--profile", "loja2"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout
            .contains("Token:   from the KINBOX_TOKEN environment variable\nAPI:     ")
            && out
                .stdout
                .contains(" (from the KINBOX_BASE_URL environment variable)\n"),
        "{}",
        out.stdout
    );
}

#[test]
fn status_tells_a_refused_token_from_an_unreachable_api() {
    for (status, code, says) in [
        (401, 1, "Status:  the API refuses the token\n"),
        (403, 1, "Status:  the API refuses the token\n"),
        (
            500,
            4,
            "Status:  unknown: the API could not be reached or failed\n",
        ),
        (
            503,
            4,
            "Status:  unknown: the API could not be reached or failed\n",
        ),
    ] {
        let api = Api::start();
        api.server.mock(|when, then| {
            when.method(GET).path("/v1/deals");
            then.status(status).json_body(json!({"message": "nope"}));
        });
        let out = run(&mut api.kinbox(&["auth", "status"]));
        assert_eq!(out.code, code, "{status}: {}", out.stderr);
        assert!(out.stdout.contains(says), "{status}: {}", out.stdout);
        assert!(
            out.stderr.contains(&format!("answered {status}")),
            "{status}: {}",
            out.stderr
        );
    }

    let api = Api::start();
    let out = run(api
        .kinbox(&["auth", "status", "--timeout", "5"])
        .env("KINBOX_BASE_URL", closed_port()));
    assert_eq!(out.code, 4, "{}", out.stderr);
    assert!(
        out.stdout
            .contains("Status:  unknown: the API could not be reached or failed\n"),
        "{}",
        out.stdout
    );
    assert!(
        out.stderr
            .starts_with("error: the token could not be checked: could not reach the Kinbox API"),
        "{}",
        out.stderr
    );
}

#[test]
fn an_unknown_profile_is_an_error_that_names_the_stored_ones() {
    let api = Api::start();
    accepts_token(&api, "a");
    login(&api, &["--profile", "default"], "a");
    login(&api, &["--profile", "loja2"], "a");
    let catch_all = api.catch_all();

    let out = run(&mut api.kinbox_without_token(&["deals", "list", "--profile", "lojas2"]));
    assert_eq!(out.code, 1);
    assert_eq!(
        out.stderr,
        format!(
            "error: there is no profile `lojas2` (from --profile): the profiles in {} are \
             `default`, `loja2`. Create it with `kinbox auth login --profile lojas2`, or \
             choose another with --profile\n",
            api.config_path().display()
        )
    );
    let out = run(api
        .kinbox_without_token(&["auth", "status"])
        .env("KINBOX_PROFILE", "lojas2"));
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.starts_with(
            "error: there is no profile `lojas2` (from the KINBOX_PROFILE environment variable): \
             the profiles in "
        ),
        "{}",
        out.stderr
    );
    assert_eq!(out.stdout, "");
    assert_eq!(catch_all.calls(), 0);
}

#[test]
fn login_creates_a_new_profile_and_logout_of_an_unknown_one_names_the_stored_ones() {
    let api = Api::start();
    accepts_token(&api, "n");
    login(&api, &["--profile", "new"], "n");
    let out = run(&mut api.kinbox_without_token(&["auth", "status", "--profile", "new"]));
    assert_eq!(out.code, 0, "{}", out.stderr);

    let out = run(&mut api.kinbox_without_token(&["auth", "logout", "--profile", "old"]));
    assert_eq!(out.code, 1);
    assert_eq!(
        out.stderr,
        format!(
            "error: no token is stored for profile `old`: the profiles in {} are `new`\n",
            api.config_path().display()
        )
    );
}

/// Not TOML; the token unquoted, where a parser's message might quote it.
fn corrupt(api: &Api) -> String {
    let text = format!("[profiles.default]\ntoken = {TOKEN}\n");
    write(api.config_dir.path(), "credentials.toml", &text);
    text
}

#[test]
fn a_corrupt_credentials_file_does_not_stop_a_run_that_does_not_need_it() {
    let api = Api::start();
    corrupt(&api);
    let get = api.server.mock(|when, then| {
        when.method(GET).path("/v1/deals/deal-1");
        then.status(200).json_body_obj(&deal("deal-1", "x"));
    });

    // KINBOX_TOKEN and KINBOX_BASE_URL.
    let out = run(&mut api.kinbox(&["deals", "get", "deal-1"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    // KINBOX_TOKEN and --base-url: refused before the file is needed (the
    // token is not for that host), and nothing is sent.
    let out = run(api
        .kinbox(&[
            "deals",
            "get",
            "deal-1",
            "--base-url",
            &api.server.base_url(),
        ])
        .env_remove("KINBOX_BASE_URL"));
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr
            .starts_with("error: refusing to send the token from the KINBOX_TOKEN"),
        "{}",
        out.stderr
    );
    get.assert_calls(1);
    // KINBOX_TOKEN and KINBOX_BASE_URL again, with the same --base-url.
    let out = run(api.kinbox(&[
        "deals",
        "get",
        "deal-1",
        "--base-url",
        &api.server.base_url(),
    ]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    get.assert_calls(2);

    // Without KINBOX_TOKEN, the file is needed: its fault is the error.
    let out = run(&mut api.kinbox_without_token(&["deals", "get", "deal-1"]));
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.starts_with(&format!(
            "error: {} (line 2) is not a valid credentials file: ",
            api.config_path().display()
        )),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains(TOKEN), "{}", out.stderr);
    get.assert_calls(2);
}

#[test]
fn status_reports_a_corrupt_credentials_file() {
    let api = Api::start();
    corrupt(&api);
    accepts_token(&api, TOKEN);

    let out = run(&mut api.kinbox(&["auth", "status"]));

    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains("Status:  the API accepts the token\n")
            && out
                .stdout
                .ends_with("Profiles: the credentials file cannot be read (see below)\n"),
        "{}",
        out.stdout
    );
    assert!(
        out.stderr.starts_with(&format!(
            "warning: {} (line 2) is not a valid credentials file: ",
            api.config_path().display()
        )),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains(TOKEN), "{}", out.stderr);
}

#[test]
fn login_refuses_to_overwrite_a_corrupt_credentials_file() {
    let api = Api::start();
    let text = corrupt(&api);
    let catch_all = api.catch_all();

    let out = run(api
        .kinbox_without_token(&["auth", "login", "--profile", "other"])
        .write_stdin("new-token"));

    assert_eq!(out.code, 1);
    assert_eq!(catch_all.calls(), 0);
    assert_eq!(std::fs::read_to_string(api.config_path()).unwrap(), text);
    let stderr = out.stderr.replace(
        &api.config_path().display().to_string(),
        "[CONFIG_DIR]/credentials.toml",
    );
    snap!("auth_login_corrupt_file_stderr", stderr);
    assert!(!out.stderr.contains(TOKEN), "{}", out.stderr);
}

/// Twenty `auth login`s at once, each a process of its own with a profile of
/// its own: each rewrites the whole file, so without a lock around reading
/// and writing it, a login that read the file before another's write lands
/// puts it back without that profile, and still exits 0.
#[test]
fn concurrent_logins_keep_every_profile() {
    const LOGINS: usize = 20;
    let api = Api::start();
    api.server.mock(|when, then| {
        when.method(GET).path("/v1/deals").query_param("limit", "1");
        then.status(200)
            .json_body(json!({"data": [], "nextCursor": null}));
    });
    let start = std::sync::Barrier::new(LOGINS);
    let outs: Vec<_> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..LOGINS)
            .map(|i| {
                let (api, start) = (&api, &start);
                scope.spawn(move || {
                    let profile = format!("p{i}");
                    let mut cmd =
                        api.kinbox_without_token(&["auth", "login", "--profile", &profile]);
                    cmd.write_stdin(format!("token-of-p{i}"));
                    start.wait();
                    run(cmd)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for (i, out) in outs.iter().enumerate() {
        assert_eq!(out.code, 0, "login p{i}: {}", out.stderr);
    }

    let stored = std::fs::read_to_string(api.config_path()).unwrap();
    let missing: Vec<String> = (0..LOGINS)
        .map(|i| format!("[profiles.p{i}]\ntoken = \"token-of-p{i}\"\n"))
        .filter(|entry| !stored.contains(entry.as_str()))
        .collect();
    assert!(missing.is_empty(), "lost: {missing:?}\nfile:\n{stored}");
    // And each is usable: the CLI reads the token of every profile back.
    for i in [0, LOGINS - 1] {
        let out =
            run(&mut api.kinbox_without_token(&["auth", "status", "--profile", &format!("p{i}")]));
        assert_eq!(out.code, 0, "p{i}: {}", out.stderr);
        assert!(
            out.stdout
                .starts_with(&format!("Profile: p{i} (from --profile)\n")),
            "{}",
            out.stdout
        );
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(api.config_path())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    }
    // Nothing but the file and its lock is left behind.
    let mut names: Vec<String> = std::fs::read_dir(api.config_dir.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name != "credentials.toml" && name != "credentials.toml.lock")
        .collect();
    names.sort();
    assert!(names.is_empty(), "left behind: {names:?}");
}

/// `credentials.toml` with a `default` profile for the default API.
fn production_profile(api: &Api) {
    write(
        api.config_dir.path(),
        "credentials.toml",
        "[profiles.default]\ntoken = \"production-token\"\n",
    );
}

#[test]
fn a_login_to_a_sandbox_leaves_the_default_profile_as_it_was() {
    let api = Api::start();
    production_profile(&api);
    accepts_token(&api, "sandbox-token");
    accepts_token(&api, "sandbox-token-2");
    let other = Api::start();
    accepts_token(&other, "other-token");

    login(&api, &[], "sandbox-token");
    // The same sandbox again: its profile's token is replaced.
    let out = run(api
        .kinbox_without_token(&["auth", "login"])
        .write_stdin("sandbox-token-2"));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("of profile `sandbox` (checked) is replaced in"),
        "{}",
        out.stderr
    );
    // Another sandbox: a profile of its own, named after its port.
    let port = other.server.port();
    let out = run(api
        .kinbox_without_token(&["auth", "login"])
        .env("KINBOX_BASE_URL", other.server.base_url())
        .write_stdin("other-token"));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains(&format!(
            "The profile is named `sandbox-{port}` after its host"
        )),
        "{}",
        out.stderr
    );
    assert_eq!(
        std::fs::read_to_string(api.config_path()).unwrap(),
        format!(
            "[profiles.default]\ntoken = \"production-token\"\n\n\
             [profiles.sandbox]\ntoken = \"sandbox-token-2\"\nbase_url = \"{}\"\n\n\
             [profiles.sandbox-{port}]\ntoken = \"other-token\"\nbase_url = \"{}\"\n",
            api.server.base_url(),
            other.server.base_url()
        )
    );
}

#[test]
fn a_login_to_another_host_under_a_profile_that_holds_one_is_refused() {
    let api = Api::start();
    production_profile(&api);
    let catch_all = api.catch_all();
    let before = std::fs::read_to_string(api.config_path()).unwrap();

    let out = run(api
        .kinbox_without_token(&["auth", "login", "--profile", "default"])
        .write_stdin("sandbox-token"));

    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.starts_with(&format!(
            "error: profile `default` holds the token of {}, and this login is for {} (from \
             the KINBOX_BASE_URL environment variable); nothing was stored. Log in to {} under \
             another name with --profile NAME, or remove `default` first with `kinbox auth \
             logout --profile default`",
            kinbox_api::DEFAULT_BASE_URL,
            api.server.base_url(),
            api.server.base_url()
        )),
        "{}",
        out.stderr
    );
    assert_eq!(catch_all.calls(), 0);
    assert_eq!(std::fs::read_to_string(api.config_path()).unwrap(), before);
}

#[test]
fn a_token_that_cannot_be_checked_is_stored_only_with_no_check() {
    let api = Api::start();
    let closed = closed_port();

    let out = run(api
        .kinbox_without_token(&["auth", "login", "--profile", "offline", "--retries", "0"])
        .env("KINBOX_BASE_URL", &closed)
        .write_stdin("offline-token"));
    assert_eq!(out.code, 4, "{}", out.stderr);
    assert!(
        out.stderr.starts_with(
            "error: the token could not be checked, so nothing was stored: could not reach"
        ),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains(&format!(
            "Try again when {closed} can be reached, or store it unchecked with `kinbox auth \
             login --no-check`"
        )),
        "{}",
        out.stderr
    );
    assert!(!api.config_path().exists());

    let out = run(api
        .kinbox_without_token(&["auth", "login", "--profile", "offline", "--no-check"])
        .env("KINBOX_BASE_URL", &closed)
        .write_stdin("offline-token"));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("the token of profile `offline` (NOT checked: --no-check) is stored"),
        "{}",
        out.stderr
    );
    assert!(
        std::fs::read_to_string(api.config_path())
            .unwrap()
            .contains("[profiles.offline]\ntoken = \"offline-token\"\n")
    );
}

#[test]
fn login_keeps_tz_as_the_profiles_time_zone() {
    let api = Api::start();
    accepts_token(&api, "t");
    login(&api, &["--profile", "loja", "--tz", "America/Manaus"], "t");
    assert_eq!(
        std::fs::read_to_string(api.config_path()).unwrap(),
        format!(
            "[profiles.loja]\ntoken = \"t\"\nbase_url = \"{}\"\ntz = \"America/Manaus\"\n",
            api.server.base_url()
        )
    );
    // `auth status` says which zone dates are in, and where it comes from.
    let out = run(api.kinbox_without_token(&["auth", "status", "--profile", "loja"]));
    assert!(
        out.stdout.contains(&format!(
            "Zone:    America/Manaus (from profile \"loja\" in {})\n",
            api.config_path().display()
        )),
        "{}",
        out.stdout
    );
    let out =
        run(api.kinbox_without_token(&["auth", "status", "--profile", "loja", "--tz", "utc"]));
    assert!(
        out.stdout.contains("Zone:    UTC (from --tz)\n"),
        "{}",
        out.stdout
    );
}
