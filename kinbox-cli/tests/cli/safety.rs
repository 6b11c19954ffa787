//! Hostile ids, tokens, numbers and answers, through the real binary: nothing
//! reaches another path, nothing panics, nothing prints the token or drives
//! the terminal, nothing reads without a limit, and a write whose answer is
//! lost says so with its own exit status.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{TcpListener, TcpStream};

use httpmock::Method::{DELETE, GET, PATCH, POST};
use httpmock::MockServer;
use serde_json::json;

use crate::support::{Api, TOKEN, deal, run, write};

/// A complete `deals create` by ids, which needs no lookup.
const CREATE_DEAL: &[&str] = &[
    "deals",
    "create",
    "--name",
    "Pedido #1042",
    "--value",
    "1890",
    "--status",
    "open",
    "--pipeline-id",
    "p1",
    "--stage-id",
    "s1",
    "--contact-id",
    "42",
];

/// A token with a multi-byte character where `Bearer ` would end.
const MULTIBYTE_TOKEN: &str = "abcdefé123-not-ascii";

#[test]
fn ids_that_are_not_a_path_segment_are_refused_before_sending() {
    let api = Api::start();
    let catch_all = api.catch_all();
    for id in ["..", ".", ""] {
        for args in [
            vec!["deals", "get", id],
            vec!["deals", "delete", id],
            vec!["deals", "update", id, "--name", "x"],
            vec!["deals", "win", id],
            vec!["products", "get-by-external-id", id],
        ] {
            let out = run(api.kinbox(&args));
            assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
            assert!(
                out.stderr.contains("invalid value"),
                "{args:?}: {}",
                out.stderr
            );
        }
    }
    assert_eq!(catch_all.calls(), 0);
}

#[test]
fn an_id_with_backslashes_and_dots_stays_one_segment() {
    let api = Api::start();
    let read = api.server.mock(|when, then| {
        when.method(GET)
            .path("/v1/deals/x%5C..%5C..%5Cpipelines%5Cpipe-1");
        then.status(200)
            .json_body_obj(&deal(r"x\..\..\pipelines\pipe-1", "x"));
    });
    let encoded = api.server.mock(|when, then| {
        when.method(DELETE)
            .path("/v1/deals/x%5C..%5C..%5Cpipelines%5Cpipe-1");
        then.status(204);
    });
    let catch_all = api.catch_all();

    let out = run(api.kinbox(&["deals", "delete", r"x\..\..\pipelines\pipe-1", "--yes"]));
    read.assert();

    assert_eq!(out.code, 0, "{}", out.stderr);
    encoded.assert();
    assert_eq!(catch_all.calls(), 0);
}

#[test]
fn a_token_with_a_multibyte_character_is_refused_without_a_panic_or_an_echo() {
    let api = Api::start();
    let catch_all = api.catch_all();
    let check = |out: crate::support::Output, what: &str| {
        assert!(
            out.code == 1 || out.code == 2,
            "{what}: exit {}: {}",
            out.code,
            out.stderr
        );
        assert!(!out.stderr.contains("panicked"), "{what}: {}", out.stderr);
        assert!(
            !out.stderr.contains(MULTIBYTE_TOKEN),
            "{what}: {}",
            out.stderr
        );
        assert!(out.stderr.contains("token"), "{what}: {}", out.stderr);
    };

    let mut env = api.kinbox_without_token(&["deals", "list"]);
    env.env("KINBOX_TOKEN", MULTIBYTE_TOKEN);
    check(run(env), "from KINBOX_TOKEN");

    check(
        run(api
            .kinbox_without_token(&["auth", "login"])
            .write_stdin(MULTIBYTE_TOKEN)),
        "from auth login",
    );

    write(
        api.config_dir.path(),
        "credentials.toml",
        &format!("[profiles.default]\ntoken = \"{MULTIBYTE_TOKEN}\"\n"),
    );
    check(
        run(api.kinbox_without_token(&["deals", "list"])),
        "from the credentials file",
    );
    assert_eq!(catch_all.calls(), 0);
}

#[test]
fn a_server_that_echoes_the_token_does_not_get_it_printed() {
    let api = Api::start();
    api.server.mock(|when, then| {
        when.method(GET).path("/v1/deals");
        then.status(401).json_body(json!({
            "message": format!("token {TOKEN} is revoked"),
            "errors": [{"path": "authorization", "message": format!("Bearer {TOKEN}")}],
        }));
    });
    api.server.mock(|when, then| {
        when.method(GET).path("/v1/deals/html");
        then.status(401)
            .header("content-type", "text/html")
            .body(format!("<h1>Bearer {TOKEN}</h1>"));
    });

    let list = run(api.kinbox(&["deals", "list", "-vv"]));
    let get = run(api.kinbox(&["deals", "get", "html", "-v"]));
    let login = run(api
        .kinbox_without_token(&["auth", "login", "-v"])
        .write_stdin(TOKEN));
    for (out, what) in [(list, "list"), (get, "get"), (login, "login")] {
        assert_eq!(out.code, 1, "{what}: {}", out.stderr);
        assert!(!out.stderr.contains(TOKEN), "{what}: {}", out.stderr);
        assert!(!out.stdout.contains(TOKEN), "{what}: {}", out.stdout);
        assert!(out.stderr.contains("<redacted>"), "{what}: {}", out.stderr);
    }
}

#[test]
fn a_huge_error_body_is_cut_and_control_characters_are_escaped() {
    let api = Api::start();
    api.server.mock(|when, then| {
        when.method(GET).path("/v1/deals/huge");
        then.status(502)
            .header("content-type", "text/html")
            .body("<p>gateway</p>".repeat(800_000));
    });
    api.server.mock(|when, then| {
        when.method(GET).path("/v1/deals/escape");
        then.status(400)
            .json_body(json!({"message": "\u{1b}]0;pwned\u{7}\u{1b}[2J\nerror: fake line"}));
    });

    let huge = run(api.kinbox(&["deals", "get", "huge"]));
    assert_eq!(huge.code, 1);
    assert!(
        huge.stderr.len() < 4096,
        "{} bytes of stderr",
        huge.stderr.len()
    );
    assert!(huge.stderr.contains("[cut:"), "{}", huge.stderr);

    let escape = run(api.kinbox(&["deals", "get", "escape", "-v"]));
    assert_eq!(escape.code, 1);
    assert!(!escape.stderr.contains('\u{1b}'), "{:?}", escape.stderr);
    assert!(
        !escape.stderr.contains("\nerror: fake line"),
        "{}",
        escape.stderr
    );
}

#[test]
fn tables_and_json_escape_what_the_server_sends() {
    let api = Api::start();
    let mut hostile = serde_json::to_value(deal("deal-1", "x")).unwrap();
    hostile["name"] = json!("\u{1b}]52;c;cm0gLXJmIH4=\u{7}Pedido\u{9b}2J\u{202e}");
    api.server.mock(|when, then| {
        when.method(GET).path("/v1/deals/deal-1");
        then.status(200).json_body(hostile.clone());
    });

    let table = run(api.kinbox(&["deals", "get", "deal-1", "-o", "table"]));
    assert_eq!(table.code, 0, "{}", table.stderr);
    let json = run(api.kinbox(&["deals", "get", "deal-1"]));
    assert_eq!(json.code, 0, "{}", json.stderr);
    for out in [&table.stdout, &json.stdout] {
        assert!(
            !out.chars()
                .any(|c| c != '\n' && kinbox_api::server_text::acts_on_terminal(c)),
            "{out:?}"
        );
    }
    let read: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(read["name"], hostile["name"], "JSON output keeps the value");
}

#[test]
fn numbers_json_cannot_carry_are_refused_and_negative_numbers_are_values() {
    let api = Api::start();
    let negative = api.server.mock(|when, then| {
        when.method(PATCH)
            .path("/v1/deals/deal-1")
            .json_body(json!({"value": -5.0}));
        then.status(200).json_body_obj(&deal("deal-1", "x"));
    });
    let catch_all = api.catch_all();
    for value in ["NaN", "inf", "-inf", "1e309", "-1e309"] {
        let out = run(api.kinbox(&["deals", "update", "deal-1", "--value", value]));
        assert_eq!(out.code, 2, "{value}: {}", out.stderr);
        assert!(out.stderr.contains("finite"), "{value}: {}", out.stderr);
    }
    let out = run(api.kinbox(&["products", "create", "--name", "x", "--price", "NaN"]));
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert_eq!(catch_all.calls(), 0);

    let out = run(api.kinbox(&["deals", "update", "deal-1", "--value", "-5"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    negative.assert();
}

#[test]
fn a_limit_above_the_spec_is_refused_locally() {
    let api = Api::start();
    let catch_all = api.catch_all();
    for args in [
        ["deals", "list", "--limit", "1000"],
        ["contacts", "list", "--limit", "101"],
    ] {
        let out = run(api.kinbox(&args));
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        assert!(out.stderr.contains("from 1 to 100"), "{}", out.stderr);
    }
    let out = run(api.kinbox(&["deals", "list", "--all", "--limit", "1000"]));
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert_eq!(catch_all.calls(), 0);
}

/// The page of `GET /v1/deals` sent for `cursor` (none: the first page).
fn deal_page<'a>(
    server: &'a MockServer,
    cursor: Option<&str>,
    ids: &[&str],
    next: Option<&str>,
) -> httpmock::Mock<'a> {
    let data: Vec<_> = ids.iter().map(|id| deal(id, id)).collect();
    server.mock(|when, then| {
        let when = when.method(GET).path("/v1/deals");
        match cursor {
            Some(cursor) => when.query_param("cursor", cursor),
            None => when.query_param_missing("cursor"),
        };
        then.status(200)
            .json_body(json!({"data": data, "nextCursor": next}));
    })
}

#[test]
fn all_follows_empty_pages_that_name_a_next_cursor() {
    let api = Api::start();
    let pages = [
        deal_page(&api.server, None, &["d1", "d2"], Some("c1")),
        deal_page(&api.server, Some("c1"), &[], Some("c2")),
        deal_page(&api.server, Some("c2"), &["d3", "d4"], Some("c3")),
        deal_page(&api.server, Some("c3"), &[], Some("c4")),
        deal_page(&api.server, Some("c4"), &["d5", "d6"], None),
    ];

    let out = run(api.kinbox(&["deals", "list", "--all"]));

    assert_eq!(out.code, 0, "{}", out.stderr);
    let ids: Vec<String> = out
        .stdout
        .lines()
        .map(|line| serde_json::from_str::<serde_json::Value>(line).unwrap()["id"].to_string())
        .collect();
    assert_eq!(
        ids,
        ["d1", "d2", "d3", "d4", "d5", "d6"].map(|id| format!("\"{id}\""))
    );
    for page in pages {
        assert_eq!(page.calls(), 1);
    }
}

#[test]
fn all_fails_when_a_page_names_the_cursor_just_sent() {
    let api = Api::start();
    deal_page(&api.server, None, &["d1", "d2"], Some("c1"));
    let stuck = deal_page(&api.server, Some("c1"), &[], Some("c1"));

    for format in ["json", "table"] {
        let out = run(api
            .kinbox(&["deals", "list", "--all", "-o", format])
            .timeout(std::time::Duration::from_secs(20)));

        assert_eq!(out.code, 1, "{format}: {}", out.stderr);
        assert!(out.stdout.contains("d2"), "{format}: {}", out.stdout);
        assert!(
            out.stderr.contains("same page cursor `c1`")
                && out.stderr.contains("incomplete, deals printed so far: 2;")
                && out.stderr.contains("narrow the list with filters"),
            "{format}: {}",
            out.stderr
        );
    }
    assert_eq!(stuck.calls(), 2);
}

#[test]
fn a_table_of_all_pages_keeps_the_first_page_s_columns_and_cuts_wider_cells() {
    let api = Api::start();
    api.server.mock(|when, then| {
        when.method(GET)
            .path("/v1/deals")
            .query_param_missing("cursor");
        then.status(200)
            .json_body(json!({"data": [deal("d1", "Ana")], "nextCursor": "c1"}));
    });
    api.server.mock(|when, then| {
        when.method(GET)
            .path("/v1/deals")
            .query_param("cursor", "c1");
        then.status(200)
            .json_body(json!({"data": [deal("d2", "Bartolomeu Dias")], "nextCursor": null}));
    });
    api.server.mock(|when, then| {
        when.method(GET).path("/v1/pipelines");
        then.status(200).json_body(crate::support::pipelines());
    });

    let out = run(api.kinbox(&["deals", "list", "--all", "-o", "table"]));

    assert_eq!(out.code, 0, "{}", out.stderr);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{}", out.stdout);
    assert!(lines[0].starts_with("ID  NAME  VALUE"), "{}", out.stdout);
    assert!(
        lines[1].starts_with("d1  Ana   R$ 1.890,50"),
        "{}",
        out.stdout
    );
    assert!(
        lines[2].starts_with("d2  Bar…  R$ 1.890,50"),
        "{}",
        out.stdout
    );
}

/// A server that answers every `GET /v1/deals` with one more page, each
/// naming a new next cursor, on connections kept alive, and never stops.
fn endless_pages() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base_url = format!("http://{}", listener.local_addr().unwrap());
    let mut row = serde_json::to_value(deal("d", "Pedido")).unwrap();
    // Small on the wire, large in memory: 40 custom fields of one value each.
    row["customFields"] = (0..40)
        .map(|i| (format!("f{i}"), json!({"value": i, "type": "number"})))
        .collect::<serde_json::Map<_, _>>()
        .into();
    std::thread::spawn(move || {
        let served = std::sync::atomic::AtomicUsize::new(0);
        std::thread::scope(|scope| {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { return };
                let (row, served) = (&row, &served);
                scope.spawn(move || {
                    let mut reader = BufReader::new(stream.try_clone().unwrap());
                    let mut stream = stream;
                    loop {
                        let mut line = String::new();
                        if reader.read_line(&mut line).unwrap_or(0) == 0 {
                            return;
                        }
                        if line != "\r\n" {
                            continue;
                        }
                        let n = served.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let mut row = row.clone();
                        row["id"] = json!(format!("d{n}"));
                        let body = json!({"data": [row], "nextCursor": format!("c{n}")}).to_string();
                        let answer = format!(
                            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
                            body.len()
                        );
                        if stream.write_all(answer.as_bytes()).is_err() {
                            return;
                        }
                    }
                });
            }
        });
    });
    base_url
}

/// `-o table --all` used to hold every row until the last page: against a
/// server that never stops, it grew until the page limit (4 GB with large
/// pages). Now it prints page by page, in bounded memory, and ends at the
/// same page limit as JSON lines, with the same error.
#[cfg(target_os = "linux")]
#[test]
fn a_table_of_a_never_ending_list_is_printed_as_it_comes_and_stops_at_the_page_limit() {
    use std::process::Stdio;

    let base_url = endless_pages();
    let config = tempfile::tempdir().unwrap();
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("kinbox"));
    for var in ["KINBOX_PROFILE", "COLUMNS", "RUST_LOG", "NO_COLOR"] {
        cmd.env_remove(var);
    }
    let mut child = cmd
        .args(["deals", "list", "--all", "-o", "table", "--limit", "1"])
        .env("KINBOX_TOKEN", TOKEN)
        .env("KINBOX_BASE_URL", &base_url)
        .env("KINBOX_CONFIG_DIR", config.path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut stderr = child.stderr.take().unwrap();
    let errors = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    // The child's own peak RSS: its `VmHWM`, read while it runs. Not
    // `wait4`'s `ru_maxrss`, which also counts the memory of the test
    // process it was spawned from (a vfork shares it until exec), so any
    // test of this binary that peaked high made this one fail.
    let peak_kib = {
        let status = format!("/proc/{}/status", child.id());
        std::thread::spawn(move || {
            let mut peak = 0u64;
            // Until the process is gone (a zombie's status has no VmHWM).
            while let Some(kib) = std::fs::read_to_string(&status).ok().and_then(|text| {
                text.lines()
                    .find_map(|line| line.strip_prefix("VmHWM:"))
                    .and_then(|kib| kib.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            }) {
                peak = peak.max(kib);
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            peak
        })
    };
    let started = std::time::Instant::now();
    let mut header = String::new();
    stdout.read_line(&mut header).unwrap();
    let first_row_after = started.elapsed();
    let rows = stdout.lines().count();

    let peak_mib = peak_kib.join().unwrap() / 1024;
    let status = child.wait().unwrap();
    let stderr = errors.join().unwrap();

    assert_eq!(status.code(), Some(1), "{status:?}: {stderr}");
    // It peaks near 45 MiB; holding what it printed took 353 MiB.
    assert!(
        peak_mib > 0 && peak_mib < 200,
        "peak RSS {peak_mib} MiB: the table holds what it printed"
    );
    assert!(header.starts_with("ID"), "{header}");
    assert!(
        first_row_after < std::time::Duration::from_secs(5),
        "the header came after {first_row_after:?}: the table waited for the last page"
    );
    assert_eq!(rows, kinbox_api::MAX_PAGES);
    assert!(
        stderr.contains(&format!("stopped after {} pages", kinbox_api::MAX_PAGES))
            && stderr.contains(&format!(
                "incomplete, deals printed so far: {};",
                kinbox_api::MAX_PAGES
            ))
            && stderr.contains("--cursor c"),
        "{stderr}"
    );
}

#[test]
fn a_redirect_is_reported_and_a_create_is_not_sent_elsewhere() {
    let api = Api::start();
    let elsewhere = MockServer::start();
    let landed = elsewhere.mock(|_, then| {
        then.status(201).json_body_obj(&deal("deal-1", "x"));
    });
    let location = elsewhere.url("/v1/deals");
    let redirect = api.server.mock(|when, then| {
        when.method(POST).path("/v1/deals");
        then.status(307).header("location", location.as_str());
    });

    let out = run(api.kinbox(CREATE_DEAL));

    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("307") && out.stderr.contains("not followed"),
        "{}",
        out.stderr
    );
    assert_eq!(redirect.calls(), 1);
    assert_eq!(landed.calls(), 0);
}

#[test]
fn reads_of_body_files_and_answers_are_bounded() {
    let api = Api::start();
    let mut catch_all = api.catch_all();
    let started = std::time::Instant::now();
    let out = run(api
        .kinbox(&["deals", "update", "deal-1", "--json-body", "/dev/zero"])
        .timeout(std::time::Duration::from_secs(20)));
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("larger than 1024 KiB"),
        "{}",
        out.stderr
    );
    let out = run(api
        .kinbox(&["deals", "update", "deal-1", "--json-body", "-"])
        .write_stdin(vec![b' '; 2 << 20]));
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(started.elapsed().as_secs() < 15);
    assert_eq!(catch_all.calls(), 0);
    catch_all.delete();

    let big = api.server.mock(|when, then| {
        when.method(GET).path("/v1/deals");
        then.status(200)
            .header("content-type", "application/json")
            .body(format!(
                "{{\"data\": [], \"pad\": \"{}\"}}",
                "x".repeat(17 << 20)
            ));
    });
    let out = run(api.kinbox(&["deals", "list"]));
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("larger than the 16 MiB limit"),
        "{}",
        out.stderr
    );
    big.assert();
}

/// A server that reads one request, then does `then` with the connection.
fn raw_server(then: fn(&mut TcpStream)) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base_url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut length = 0;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            then(&mut stream);
        }
    });
    base_url
}

#[test]
fn a_create_whose_answer_is_lost_exits_3_and_says_how_to_check() {
    let base_url = raw_server(|stream| {
        let _ = stream.shutdown(std::net::Shutdown::Both);
    });
    let api = Api::start();
    let mut cmd = api.kinbox(CREATE_DEAL);
    cmd.env("KINBOX_BASE_URL", &base_url);

    let out = run(cmd);

    assert_eq!(out.code, 3, "{}", out.stderr);
    assert!(
        out.stderr.contains("may have been applied"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("kinbox deals list --created-at-from ")
            && out.stderr.contains("--contact-id 42 --pipeline-id p1"),
        "{}",
        out.stderr
    );

    let mut cmd = api.kinbox(&["deals", "update", "deal-1", "--name", "x"]);
    cmd.env("KINBOX_BASE_URL", &base_url);
    let out = run(cmd);
    assert_eq!(out.code, 3, "{}", out.stderr);
    assert!(
        out.stderr.contains("kinbox deals get deal-1"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_413_is_reported_as_413() {
    let base_url = raw_server(|stream| {
        let body = r#"{"message": "request entity too large"}"#;
        let _ = write!(
            stream,
            "HTTP/1.1 413 Payload Too Large\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
    });
    let api = Api::start();
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "big.json",
        &json!({"name": "x".repeat(900_000)}).to_string(),
    );
    let mut cmd = api.kinbox(&["deals", "update", "deal-1", "--json-body", &file]);
    cmd.env("KINBOX_BASE_URL", &base_url);

    let out = run(cmd);

    assert!(out.stderr.contains("413"), "{}", out.stderr);
    assert!(!out.stderr.contains("roken pipe"), "{}", out.stderr);
}

#[test]
fn retries_say_why_they_stop() {
    let api = Api::start();
    let too_long = api.server.mock(|when, then| {
        when.method(GET).path("/v1/deals/wait");
        then.status(503)
            .header("retry-after", "3600")
            .json_body(json!({"message": "maintenance"}));
    });
    let failing = api.server.mock(|when, then| {
        when.method(GET).path("/v1/deals/down");
        then.status(500).json_body(json!({"message": "boom"}));
    });

    let out = run(api.kinbox(&["deals", "get", "wait", "--retries", "3"]));
    assert_eq!(out.code, 1);
    assert!(
        out.stderr
            .contains("not retrying: the API asks to wait 3600 s"),
        "{}",
        out.stderr
    );
    assert_eq!(too_long.calls(), 1);

    // When the retries run out, the last answer is the error, said once.
    let out = run(api.kinbox(&["deals", "get", "down", "--retries", "2"]));
    assert_eq!(out.code, 1);
    assert!(out.stderr.starts_with("error: "), "{}", out.stderr);
    assert!(out.stderr.contains("500"), "{}", out.stderr);
    assert!(!out.stderr.contains("WARN"), "{}", out.stderr);
    assert_eq!(failing.calls(), 3);
}

/// `kinbox ARGS` against `api`, in at most 1 GiB of address space: what used
/// to fill the memory is then stopped by the kernel, quickly and visibly (an
/// abort), instead of after gigabytes.
#[cfg(target_os = "linux")]
fn kinbox_in_1_gib(api: &Api, args: &[&str]) -> assert_cmd::Command {
    use std::os::unix::process::CommandExt as _;

    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("kinbox"));
    for var in ["KINBOX_PROFILE", "COLUMNS", "RUST_LOG"] {
        cmd.env_remove(var);
    }
    cmd.args(args)
        .env("KINBOX_TOKEN", TOKEN)
        .env("KINBOX_BASE_URL", api.server.base_url())
        .env("KINBOX_CONFIG_DIR", api.config_dir.path());
    // SAFETY: setrlimit is async-signal-safe, and only the child's limit is set.
    unsafe {
        cmd.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: 1 << 30,
                rlim_max: 1 << 30,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &limit) == 0 {
                Ok(())
            } else {
                Err(std::io::Error::last_os_error())
            }
        });
    }
    let mut cmd = assert_cmd::Command::from_std(cmd);
    cmd.timeout(std::time::Duration::from_secs(30));
    cmd
}

/// Each used to end in a signal (SIGABRT on a failed allocation or a stack
/// overflow) or never: now each is a clear error, exit 1, within seconds.
#[cfg(target_os = "linux")]
#[test]
fn hostile_jq_filters_end_in_a_clear_error_not_a_signal() {
    let api = Api::start();
    api.server.mock(|when, then| {
        when.method(GET).path("/v1/deals/deal-1");
        then.status(200).json_body_obj(&deal("deal-1", "Pedido"));
    });
    let cases = [
        ("[range(1e9)]", "ran for more than 3 s"),
        ("repeat(.)", "more than 10000 results"),
        ("def f: f; f", "ran for more than 3 s"),
        ("def f: [f]; f", "recursed too deeply"),
        ("\"x\" * 20000000", "16 MiB of results"),
        ("\"x\" * 1000000000000", "needed more than 512 MiB"),
    ];
    let started = std::time::Instant::now();
    let outs: Vec<_> = std::thread::scope(|scope| {
        let runs: Vec<_> = cases
            .iter()
            .map(|(code, _)| {
                let cmd = kinbox_in_1_gib(&api, &["deals", "get", "deal-1", "--jq", code]);
                scope.spawn(move || run(cmd))
            })
            .collect();
        runs.into_iter().map(|run| run.join().unwrap()).collect()
    });

    for ((code, says), out) in cases.iter().zip(outs) {
        assert_eq!(out.code, 1, "{code}: {}", out.stderr);
        assert!(
            out.stderr.starts_with("error: --jq"),
            "{code}: {}",
            out.stderr
        );
        assert!(out.stderr.contains(says), "{code}: {}", out.stderr);
        assert!(out.stdout.is_empty(), "{code}: {} bytes", out.stdout.len());
    }
    assert!(
        started.elapsed() < std::time::Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn jq_filters_see_no_environment_and_so_no_token() {
    let api = Api::start();
    api.server.mock(|when, then| {
        when.method(GET).path("/v1/deals/deal-1");
        then.status(200).json_body_obj(&deal("deal-1", "Pedido"));
    });
    for (code, prints) in [
        ("env.KINBOX_TOKEN", "null\n"),
        ("$ENV.KINBOX_TOKEN", "null\n"),
        ("env | length", "0\n"),
        ("$ENV | tostring", "{}\n"),
    ] {
        let mut cmd = api.kinbox(&["deals", "get", "deal-1", "--jq", code]);
        let out = run(cmd.env("ANOTHER_SECRET", TOKEN));
        assert_eq!(out.code, 0, "{code}: {}", out.stderr);
        assert_eq!(out.stdout, prints, "{code}");
        assert!(!out.stderr.contains(TOKEN), "{code}: {}", out.stderr);
    }
}
