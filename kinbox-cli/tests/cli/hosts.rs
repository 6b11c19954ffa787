//! A profile is a host and its token: a token saved for one host never goes
//! to another, whatever `--base-url`, `KINBOX_BASE_URL`, `--profile`,
//! `KINBOX_PROFILE` and `KINBOX_TOKEN` say, unless the token and the host
//! are given together (both in the environment). A listener on another
//! loopback port records every request that carries an `Authorization`
//! header, and every combination tries to make a stored token reach it.

use std::io::{Read as _, Write as _};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use httpmock::Method::GET;
use httpmock::MockServer;
use serde_json::json;

use crate::support::{kinbox, run};

const SANDBOX_TOKEN: &str = "kbx-sandbox-0a1b2c";
const PRODUCTION_TOKEN: &str = "kbx-production-3d4e5f";
const ENV_TOKEN: &str = "kbx-from-env-6a7b8c";

/// A loopback HTTP listener that answers every request with an empty page
/// and keeps the `Authorization` header of each request that has one.
struct Recorder {
    url: String,
    seen: Arc<Mutex<Vec<String>>>,
}

impl Recorder {
    fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let record = seen.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") && head.len() < 64 * 1024 {
                    match stream.read(&mut byte) {
                        Ok(1) => head.push(byte[0]),
                        _ => break,
                    }
                }
                let head = String::from_utf8_lossy(&head).into_owned();
                for line in head.lines() {
                    if let Some((name, value)) = line.split_once(':')
                        && name.trim().eq_ignore_ascii_case("authorization")
                    {
                        record.lock().unwrap().push(value.trim().to_owned());
                    }
                }
                let body = r#"{"data":[],"nextCursor":null}"#;
                let _ = write!(
                    stream,
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
                     connection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        Self { url, seen }
    }

    fn seen(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }
}

/// A stand-in API that answers `deals list` with an empty page.
fn api() -> MockServer {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.method(GET).path("/v1/deals");
        then.status(200)
            .json_body(json!({"data": [], "nextCursor": null}));
    });
    server
}

/// Profiles `default` (a stand-in production) and `sandbox`, each with its
/// token and host.
fn credentials(dir: &std::path::Path, production: &str, sandbox: &str) {
    std::fs::write(
        dir.join("credentials.toml"),
        format!(
            "[profiles.default]\ntoken = \"{PRODUCTION_TOKEN}\"\nbase_url = \"{production}\"\n\n\
             [profiles.sandbox]\ntoken = \"{SANDBOX_TOKEN}\"\nbase_url = \"{sandbox}\"\n"
        ),
    )
    .unwrap();
}

/// Flags, and environment variables, that say one thing (a profile, a URL).
type Given = (Vec<String>, Vec<(&'static str, String)>);

#[test]
fn no_combination_of_flags_and_environment_sends_a_stored_token_to_another_host() {
    let production = api();
    let sandbox = api();
    let other = Recorder::start();
    let config = tempfile::tempdir().unwrap();
    credentials(config.path(), &production.base_url(), &sandbox.base_url());
    let port = other.url.rsplit(':').next().unwrap().to_owned();
    let other_spellings = [
        other.url.clone(),
        format!("{}/", other.url),
        format!("http://localhost:{port}"),
        format!("HTTP://127.0.0.1:{port}/"),
    ];

    // (flags, environment) for the profile; for the base URL.
    let profiles: Vec<Given> = vec![
        (vec![], vec![]),
        (vec!["--profile".into(), "sandbox".into()], vec![]),
        (vec![], vec![("KINBOX_PROFILE", "sandbox".into())]),
        (vec!["--profile=default".into()], vec![]),
        (
            vec!["--profile".into(), "sandbox".into()],
            vec![("KINBOX_PROFILE", "default".into())],
        ),
    ];
    let mut urls: Vec<Given> = vec![(vec![], vec![])];
    for url in &other_spellings {
        urls.push((vec!["--base-url".into(), url.clone()], vec![]));
        urls.push((vec![], vec![("KINBOX_BASE_URL", url.clone())]));
    }
    urls.push((
        vec!["--base-url".into(), other.url.clone()],
        vec![("KINBOX_BASE_URL", sandbox.base_url())],
    ));
    urls.push((
        vec![format!("--base-url={}", sandbox.base_url())],
        vec![("KINBOX_BASE_URL", other.url.clone())],
    ));
    let tokens: [Option<&str>; 2] = [None, Some(ENV_TOKEN)];
    let commands: [&[&str]; 2] = [&["deals", "list"], &["auth", "status"]];

    let mut tried = 0;
    let mut given_together = 0;
    for (profile_flags, profile_env) in &profiles {
        for (url_flags, url_env) in &urls {
            for token in tokens {
                for command in commands {
                    let mut args: Vec<&str> = profile_flags.iter().map(String::as_str).collect();
                    args.extend(url_flags.iter().map(String::as_str));
                    args.extend(command.iter().copied());
                    let mut cmd = kinbox(&args);
                    cmd.env("KINBOX_CONFIG_DIR", config.path());
                    for (name, value) in profile_env.iter().chain(url_env) {
                        cmd.env(name, value);
                    }
                    if let Some(token) = token {
                        cmd.env("KINBOX_TOKEN", token);
                    }
                    let before = other.seen().len();
                    let out = run(cmd);
                    tried += 1;
                    let case = format!("{args:?} {profile_env:?} {url_env:?} token={token:?}");
                    let seen = other.seen();
                    for header in &seen {
                        assert!(
                            !header.contains(SANDBOX_TOKEN) && !header.contains(PRODUCTION_TOKEN),
                            "{case}: a stored token reached another host: {}",
                            out.stderr
                        );
                    }
                    // The token and the URL both from the environment: the
                    // user said both, and the listener must hear it (else
                    // it would prove nothing).
                    let together = token.is_some()
                        && url_flags.is_empty()
                        && url_env.len() == 1
                        && url_env[0].0 == "KINBOX_BASE_URL";
                    if together {
                        given_together += 1;
                        assert!(
                            seen.len() > before
                                && seen[before..]
                                    .iter()
                                    .all(|h| h == &format!("Bearer {ENV_TOKEN}")),
                            "{case}: {}",
                            out.stderr
                        );
                    } else if seen.len() > before {
                        panic!("{case}: a request reached the other host: {seen:?}");
                    }
                    // A refusal is a usage error that says where each value came from.
                    if out.stderr.contains("refusing to send the token") {
                        assert_eq!(out.code, 2, "{case}: {}", out.stderr);
                        assert!(out.stderr.contains("(from "), "{case}: {}", out.stderr);
                    }
                }
            }
        }
    }
    assert_eq!(tried, 5 * 11 * 2 * 2);
    assert!(given_together >= 8, "{given_together}");
}

#[test]
fn a_refusal_says_which_value_came_from_where_and_how_to_say_both() {
    let sandbox = api();
    let production = api();
    let other = Recorder::start();
    let config = tempfile::tempdir().unwrap();
    credentials(config.path(), &production.base_url(), &sandbox.base_url());
    let path = config.path().join("credentials.toml");

    let out = run(kinbox(&[
        "--profile",
        "sandbox",
        "--base-url",
        &other.url,
        "deals",
        "list",
    ])
    .env("KINBOX_CONFIG_DIR", config.path()));
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert_eq!(
        out.stderr.lines().next().unwrap_or_default(),
        format!(
            "error: refusing to send the token from profile \"sandbox\" in {path} to {other} \
             (from --base-url): that token is for {sandbox} (from profile \"sandbox\" in {path}), \
             and a token is only sent to the host it was given with. Nothing was sent. To use \
             {other}, store a token for it (`kinbox auth login --profile NAME --base-url \
             {other}`) and choose that profile with --profile NAME; to use profile `sandbox`, \
             drop --base-url",
            path = path.display(),
            other = other.url,
            sandbox = sandbox.base_url(),
        )
    );

    // KINBOX_TOKEN with --base-url: the token from the environment, the URL
    // from the command line.
    let out = run(kinbox(&["deals", "list", "--base-url", &other.url])
        .env("KINBOX_CONFIG_DIR", config.path())
        .env("KINBOX_TOKEN", ENV_TOKEN));
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.starts_with(&format!(
            "error: refusing to send the token from the KINBOX_TOKEN environment variable to \
             {} (from --base-url): that token is for {} (the default API)",
            other.url,
            kinbox_api::DEFAULT_BASE_URL
        )),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains(&format!(
            "give the URL in the environment too (KINBOX_BASE_URL={}) instead of --base-url",
            other.url
        )),
        "{}",
        out.stderr
    );

    // KINBOX_TOKEN with the sandbox profile's URL.
    let out = run(kinbox(&["deals", "list", "--profile", "sandbox"])
        .env("KINBOX_CONFIG_DIR", config.path())
        .env("KINBOX_TOKEN", ENV_TOKEN));
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains(&format!(
            "to {} (from profile \"sandbox\" in {})",
            sandbox.base_url(),
            path.display()
        )) && out.stderr.contains("unset KINBOX_TOKEN"),
        "{}",
        out.stderr
    );
    assert!(other.seen().is_empty(), "{:?}", other.seen());

    // The same host written another way is the same host.
    let out = run(
        kinbox(&["--profile", "sandbox", "deals", "list", "--base-url"])
            .arg(format!("{}/", sandbox.base_url()))
            .env("KINBOX_CONFIG_DIR", config.path()),
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
}

#[test]
fn an_unknown_profile_is_an_error_even_with_a_token_in_the_environment() {
    let sandbox = api();
    let production = api();
    let config = tempfile::tempdir().unwrap();
    credentials(config.path(), &production.base_url(), &sandbox.base_url());

    let out = run(kinbox(&["deals", "list", "--profile", "sandbx"])
        .env("KINBOX_CONFIG_DIR", config.path())
        .env("KINBOX_TOKEN", ENV_TOKEN)
        .env("KINBOX_BASE_URL", sandbox.base_url()));
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.starts_with(&format!(
            "error: there is no profile `sandbx` (from --profile): the profiles in {} are \
             `default`, `sandbox`.",
            config.path().join("credentials.toml").display()
        )),
        "{}",
        out.stderr
    );
}
