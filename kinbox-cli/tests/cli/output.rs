//! Output as gh users expect it: `--json` names only fields that exist,
//! combines with `--jq` and `--template`; templates print no blank lines;
//! tables fit the terminal; an empty list says so on stderr; the output
//! options are only on the commands that print answers.

use httpmock::Method::GET;
use kinbox_api::types;
use kinbox_httpmock::MockServerExt as _;
use serde_json::json;

use crate::support::{Api, deal, kinbox, run};

fn two_deals(api: &Api) {
    api.server.list_deals(|_, then| {
        then.ok(&types::DealPage {
            data: vec![deal("deal-1", "Cadeira"), deal("deal-2", "Mesa")],
            next_cursor: None,
        });
    });
}

#[test]
fn a_json_field_the_answer_does_not_have_is_refused_before_anything_is_sent() {
    let api = Api::start();
    let anything = api.catch_all();
    for args in [
        &["deals", "list", "--json", "id,nome"][..],
        &[
            "deals", "create", "--name", "N", "--value", "1", "--json", "nome",
        ],
        &["deals", "win", "deal-1", "--json", "nome"],
    ] {
        let out = run(api.kinbox(args));
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        assert_eq!(out.stdout, "", "{args:?}");
        assert!(
            out.stderr
                .contains("Unknown JSON field: nome\nAvailable fields:\n"),
            "{args:?}: {}",
            out.stderr
        );
        // The fields the spec gives a deal, one a line, as gh lists them.
        for field in ["  id\n", "  name\n", "  pipelineId\n", "  stageId\n"] {
            assert!(out.stderr.contains(field), "{args:?}: {}", out.stderr);
        }
    }
    assert_eq!(anything.calls(), 0, "nothing is sent for a bad --json");
}

#[test]
fn json_alone_lists_the_fields_and_sends_nothing() {
    let api = Api::start();
    let anything = api.catch_all();
    for args in [
        &["deals", "create", "--name", "N", "--json"][..],
        &["deals", "list", "--json"],
        &["deals", "win", "deal-1", "--json"],
    ] {
        let out = run(api.kinbox(args));
        assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
        let fields: Vec<&str> = out.stdout.lines().collect();
        for field in ["id", "name", "pipelineId", "customFields"] {
            assert!(fields.contains(&field), "{args:?}: {}", out.stdout);
        }
        assert!(fields.is_sorted(), "{args:?}");
    }
    // A create whose answer may hold more than the spec names says so.
    let out = run(api.kinbox(&["campaigns", "create", "--json"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout
            .ends_with("\n(and any other field the answer has)\n"),
        "{}",
        out.stdout
    );
    assert_eq!(anything.calls(), 0, "nothing is sent to list the fields");
}

#[test]
fn fields_of_an_open_answer_are_checked_against_the_answer() {
    // Campaigns are undocumented objects: the answer may hold fields the spec
    // does not name, so they are checked once it came, before printing.
    let api = Api::start();
    api.server.mock(|when, then| {
        when.method(GET).path("/v1/campaigns");
        then.status(200).json_body(json!({
            "data": [{"id": "camp-1", "name": "Black Friday", "audience": "vip"}],
            "nextCursor": null
        }));
    });
    let known = run(api.kinbox(&["campaigns", "list", "--json", "id,audience"]));
    assert_eq!(known.code, 0, "{}", known.stderr);
    assert_eq!(known.stdout, "{\"audience\":\"vip\",\"id\":\"camp-1\"}\n");

    let unknown = run(api.kinbox(&["campaigns", "list", "--json", "id,nome"]));
    assert_eq!(unknown.code, 2, "{}", unknown.stderr);
    assert_eq!(unknown.stdout, "");
    assert!(
        unknown.stderr.contains("Unknown JSON field: nome")
            && unknown.stderr.contains("  audience\n")
            && unknown.stderr.contains("  channelId\n"),
        "{}",
        unknown.stderr
    );
}

#[test]
fn json_fields_feed_jq_and_templates() {
    let api = Api::start();
    two_deals(&api);
    let jq = run(api.kinbox(&[
        "deals",
        "list",
        "--json",
        "id,name",
        "--jq",
        "select(.name == \"Mesa\")",
    ]));
    assert_eq!(jq.code, 0, "{}", jq.stderr);
    assert_eq!(jq.stdout, "{\"id\":\"deal-2\",\"name\":\"Mesa\"}\n");

    // The template sees only the fields picked.
    let template = run(api.kinbox(&["deals", "list", "--json", "id", "--template", "{id}:{name}"]));
    assert_eq!(template.code, 0, "{}", template.stderr);
    assert_eq!(template.stdout, "deal-1:\ndeal-2:\n");

    let both = run(api.kinbox(&["deals", "list", "--jq", ".id", "--template", "{id}"]));
    assert_eq!(both.code, 2);
    assert!(both.stderr.contains("give one"), "{}", both.stderr);
}

#[test]
fn a_template_ending_in_a_new_line_prints_no_blank_lines() {
    let api = Api::start();
    two_deals(&api);
    for template in ["{id}\\n", "{id}"] {
        let out = run(api.kinbox(&["deals", "list", "--template", template]));
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert_eq!(out.stdout, "deal-1\ndeal-2\n", "{template}");
    }
    let two_lines = run(api.kinbox(&["deals", "list", "--template", "{id}\\n{name}\\n"]));
    assert_eq!(two_lines.stdout, "deal-1\nCadeira\ndeal-2\nMesa\n");
}

#[test]
fn an_empty_list_says_so_on_stderr_and_prints_nothing_on_stdout() {
    let api = Api::start();
    api.server.list_deals(|_, then| {
        then.ok(&types::DealPage {
            data: vec![],
            next_cursor: None,
        });
    });
    api.server.mock(|when, then| {
        when.method(GET).path("/v1/pipelines");
        then.status(200).json_body(json!([]));
    });
    api.server.mock(|when, then| {
        when.method(GET).path("/v1/custom-fields");
        then.status(200).json_body(json!({"data": []}));
    });
    for args in [
        &["deals", "list", "-o", "table"][..],
        &["deals", "list", "-o", "json"],
        &["deals", "list", "--template", "{id}"],
        &["deals", "list", "--all", "-o", "table"],
        &["deals", "list", "--all"],
    ] {
        let out = run(api.kinbox(args));
        assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
        assert_eq!(out.stdout, "", "{args:?}");
        assert_eq!(out.stderr, "no deals found\n", "{args:?}");
    }
    let fields = run(api.kinbox(&["custom-fields", "list", "-o", "table"]));
    assert_eq!((fields.code, fields.stdout.as_str()), (0, ""));
    assert_eq!(fields.stderr, "no custom fields found\n");
}

#[test]
fn output_options_are_only_on_commands_that_print_answers() {
    for args in [
        &["sandbox", "--help"][..],
        &["auth", "login", "--help"],
        &["auth", "status", "--help"],
        &["completion", "--help"],
        &["man", "--help"],
        &["deals", "import", "--help"],
        &["deals", "delete", "--help"],
        &["tags", "delete", "--help"],
        &["--help"],
    ] {
        let out = run(kinbox(args));
        assert_eq!(out.code, 0, "{args:?}");
        for option in [
            "--json [<FIELDS>]",
            "--jq <EXPR>",
            "--template <TEXT>",
            "-o, --output <FORMAT>",
            "Output options:",
        ] {
            assert!(
                !out.stdout.contains(option),
                "{args:?} offers {option}:\n{}",
                out.stdout
            );
        }
    }
    for args in [
        &["deals", "list", "--help"][..],
        &["deals", "win", "--help"],
        &["tags", "get", "--help"],
    ] {
        let out = run(kinbox(args));
        for option in ["-o, --output <FORMAT>", "--json [<FIELDS>]", "--jq <EXPR>"] {
            assert!(
                out.stdout.contains(option),
                "{args:?} lacks {option}:\n{}",
                out.stdout
            );
        }
    }
    let out = run(kinbox(&["sandbox", "--json", "id"]));
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("unexpected argument '--json'"),
        "{}",
        out.stderr
    );
}

#[test]
fn the_default_output_is_described_alike_in_help_and_readme() {
    let words = |text: &str| text.split_whitespace().collect::<Vec<_>>().join(" ");
    let help = words(&run(kinbox(&["deals", "list", "--help"])).stdout);
    let readme = words(
        &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).unwrap(),
    );
    let said = "On a terminal, a list is a table (cells cut to the terminal's width) and one \
                object is `field: value` lines; in a pipe or a file, JSON: a list is one compact \
                JSON object per line, one object is one JSON document. An empty list prints \
                nothing on stdout and says so on stderr.";
    assert!(help.contains(said), "--help:\n{help}");
    let root = words(&run(kinbox(&["--help"])).stdout);
    assert!(root.contains(said), "kinbox --help:\n{root}");
    assert!(readme.contains(said), "the README does not say: {said}");
    assert!(help.contains("[default: table on a terminal, else json]"));
}

/// Tables on a terminal: each row fits its width, cut cells end in `…`; in
/// a pipe nothing is cut.
#[cfg(unix)]
#[test]
fn a_table_on_a_terminal_is_cut_to_its_width() {
    let api = Api::start();
    let long = "Pedido de mesas e cadeiras para o restaurante da praia, entrega em março";
    api.server.list_deals(|_, then| {
        then.ok(&types::DealPage {
            data: vec![deal("deal-1", long), deal("deal-2", "Mesa")],
            next_cursor: None,
        });
    });
    api.server.mock(|when, then| {
        when.method(GET).path("/v1/pipelines");
        then.status(200).json_body(json!([]));
    });

    let piped = run(api.kinbox(&["deals", "list", "-o", "table"]));
    assert_eq!(piped.code, 0, "{}", piped.stderr);
    assert!(piped.stdout.contains(long), "{}", piped.stdout);

    let shown = pty::run_on_terminal(&api, &["deals", "list"], 100);
    let lines: Vec<&str> = shown.lines().collect();
    assert_eq!(lines.len(), 3, "a header and two rows:\n{shown}");
    for line in &lines {
        assert!(line.chars().count() <= 100, "wider than 100: {line:?}");
    }
    assert!(lines[1].contains("Pedido de mesas") && lines[1].contains('…'));
    assert!(!shown.contains(long));
    assert!(lines[2].contains("Mesa"), "{shown}");
}

#[cfg(unix)]
pub mod pty {
    use std::io::Read as _;
    use std::os::fd::{FromRawFd as _, OwnedFd};

    use crate::support::{Api, TOKEN};

    /// Runs `kinbox ARGS` against `api` with stdout on a pseudo-terminal
    /// `columns` wide (stdin and stderr are not one), and returns what it
    /// printed there (`\r\n` read as `\n`).
    pub fn run_on_terminal(api: &Api, args: &[&str], columns: u16) -> String {
        let (mut master, mut slave) = (0, 0);
        let size = libc::winsize {
            ws_row: 40,
            ws_col: columns,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        // SAFETY: openpty writes two descriptors, owned below.
        let opened = unsafe {
            libc::openpty(
                &mut master,
                &mut slave,
                std::ptr::null_mut(),
                std::ptr::null(),
                &size,
            )
        };
        assert_eq!(opened, 0, "openpty: {}", std::io::Error::last_os_error());
        // SAFETY: both were just opened, and nothing else owns them.
        let (master, slave) =
            unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("kinbox"));
        cmd.args(args)
            .env_clear()
            .env("KINBOX_TOKEN", TOKEN)
            .env("KINBOX_BASE_URL", api.server.base_url())
            .env("KINBOX_CONFIG_DIR", api.config_dir.path())
            .env("TZ", "<-03>3")
            .env("NO_COLOR", "1")
            .stdin(std::process::Stdio::null())
            .stdout(slave)
            .stderr(std::process::Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        // The terminal's last writer is the child: its end reads as EIO.
        drop(cmd);
        let mut reader = std::fs::File::from(master);
        let mut shown = Vec::new();
        let mut chunk = [0u8; 4096];
        loop {
            match reader.read(&mut chunk) {
                Ok(0) | Err(_) => break,
                Ok(n) => shown.extend_from_slice(&chunk[..n]),
            }
        }
        let status = child.wait().unwrap();
        assert!(status.success(), "{status}");
        String::from_utf8(shown).unwrap().replace("\r\n", "\n")
    }
}
