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

/// The token pasted where it does not belong (an id, a deal's name) is
/// still kept out of `-vv`'s log of the URL and of the request body.
#[test]
fn verbose_logs_never_show_the_token_even_where_it_was_typed() {
    let api = Api::start();
    api.server.mock(|when, then| {
        when.method(GET);
        then.status(404).json_body(json!({"message": "not found"}));
    });
    api.server.mock(|when, then| {
        when.method(httpmock::Method::PATCH)
            .path("/v1/deals/deal-1");
        then.status(200).json_body_obj(&deal("deal-1", "x"));
    });
    let by_id = run(api.kinbox(&["deals", "get", TOKEN, "-vv"]));
    let named = run(api.kinbox(&["deals", "update", "deal-1", "--name", TOKEN, "-vv"]));
    assert!(by_id.stderr.contains("sending request"), "{}", by_id.stderr);
    assert!(named.stderr.contains("request body"), "{}", named.stderr);
    for out in [by_id, named] {
        assert!(!out.stdout.contains(TOKEN), "{}", out.stdout);
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
        .kinbox_without_token(&["auth", "login", "--profile", "default", "-vv"])
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

/// `text` with each character written as a JSON `\u` escape.
fn escaped(text: &str) -> String {
    text.encode_utf16()
        .map(|unit| format!("\\u{unit:04x}"))
        .collect()
}

/// A deal whose name holds the token in JSON escapes (every character, or
/// every other one), so that its bytes never hold the token as such.
fn deal_hiding_the_token(id: &str) -> String {
    let mixed: String = TOKEN
        .chars()
        .enumerate()
        .map(|(i, c)| match i % 2 {
            0 => format!("\\u{:04X}", c as u32),
            _ => c.to_string(),
        })
        .collect();
    let mut deal = serde_json::to_value(deal(id, "@NAME@")).unwrap();
    deal["lostReasonObs"] = "@OBS@".into();
    deal.to_string()
        .replace("@NAME@", &escaped(TOKEN))
        .replace("@OBS@", &format!("Bearer {mixed}"))
}

#[test]
fn an_answer_hiding_the_token_in_json_escapes_does_not_get_it_printed() {
    let api = Api::start();
    api.server.mock(|when, then| {
        when.method(GET).path("/v1/deals/deal-1");
        then.status(200)
            .header("content-type", "application/json")
            .body(deal_hiding_the_token("deal-1"));
    });
    api.server.mock(|when, then| {
        when.method(GET).path("/v1/deals");
        then.status(200)
            .header("content-type", "application/json")
            .body(format!(
                "{{\"data\": [{}, {}], \"nextCursor\": null}}",
                deal_hiding_the_token("deal-1"),
                deal_hiding_the_token("deal-2")
            ));
    });
    api.server.mock(|when, then| {
        when.method(GET).path("/v1/pipelines");
        then.status(200).json_body(crate::support::pipelines());
    });

    for command in [["deals", "get", "deal-1"], ["deals", "list", "--limit=5"]] {
        for output in [
            &[][..],
            &["--jq", "."],
            &["--jq", ".name"],
            &["--template", "{id} {name} {lostReasonObs}"],
            &["-o", "table"],
            &["-o", "json"],
            &["--json", "name,lostReasonObs"],
        ] {
            let args: Vec<&str> = command.iter().chain(output).copied().collect();
            let out = run(api.kinbox(&args));
            assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
            assert!(!out.stdout.contains(TOKEN), "{args:?}: {}", out.stdout);
            assert!(!out.stderr.contains(TOKEN), "{args:?}: {}", out.stderr);
            assert!(
                out.stdout.contains("<redacted>"),
                "{args:?}: {}",
                out.stdout
            );
        }
    }
}

#[test]
fn a_token_put_together_or_decoded_by_jq_or_a_template_is_not_printed() {
    let (head, tail) = TOKEN.split_at(8);
    let api = Api::start();
    let mut deal = serde_json::to_value(deal("deal-1", head)).unwrap();
    deal["campaign"] = tail.into();
    deal["lostReasonObs"] = base64(TOKEN).into();
    // A JSON text inside a string: `fromjson` decodes its escapes.
    deal["origin"] = format!("\"{}\"", escaped(TOKEN)).into();
    api.server.mock(|when, then| {
        when.method(GET).path("/v1/deals/deal-1");
        then.status(200).json_body(deal);
    });

    for output in [
        &["--jq", ".name + .campaign"][..],
        &["--jq", "{joined: (.name + .campaign)}"],
        &["--jq", ".lostReasonObs | @base64d"],
        &["--jq", "[.lostReasonObs | @base64d]"],
        &["--jq", ".origin | fromjson"],
        &["--jq", "[.name, .campaign] | add | ascii_downcase"],
        &["--template", "{name}{campaign}"],
    ] {
        let args: Vec<&str> = ["deals", "get", "deal-1"]
            .iter()
            .chain(output)
            .copied()
            .collect();
        let out = run(api.kinbox(&args));
        assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
        assert!(!out.stdout.contains(TOKEN), "{args:?}: {}", out.stdout);
        assert!(
            out.stdout.contains("<redacted>"),
            "{args:?}: {}",
            out.stdout
        );
    }
}

/// Standard base64 with padding, as jq's `@base64d` reads it.
fn base64(text: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in text.as_bytes().chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            out.push(if i <= chunk.len() {
                ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char
            } else {
                '='
            });
        }
    }
    out
}
