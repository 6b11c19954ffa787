//! `--help` of every command, snapshot-tested so that the CLI's surface is
//! reviewed like code; and the completion scripts.

use crate::snap;
use crate::support::{kinbox, run};

fn command_paths(cmd: &clap::Command, prefix: &[String], out: &mut Vec<Vec<String>>) {
    out.push(prefix.to_vec());
    for sub in cmd.get_subcommands() {
        let mut path = prefix.to_vec();
        path.push(sub.get_name().to_owned());
        command_paths(sub, &path, out);
    }
}

#[test]
fn help_of_every_command() {
    let mut paths = Vec::new();
    command_paths(&kinbox_cli::command(), &[], &mut paths);
    // Every operation of the spec is a command of the tree.
    for operation in kinbox_spec::spec().operations() {
        let (resource, verb) = kinbox_cli::words::words_of_operation(&operation.id)
            .unwrap_or_else(|| panic!("{} has no command", operation.id));
        assert!(
            paths.contains(&vec![resource.to_owned(), verb.to_owned()]),
            "{} is not `kinbox {resource} {verb}`",
            operation.id
        );
    }
    // Every help snapshot is of a command that exists: none is left over.
    let snapshots = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    for entry in std::fs::read_dir(&snapshots).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        let Some(command) = name
            .strip_suffix(".snap")
            .and_then(|n| n.strip_prefix("help_kinbox"))
        else {
            continue;
        };
        if command == "_short" {
            continue;
        }
        let path: Vec<String> = command
            .split('_')
            .filter(|word| !word.is_empty())
            .map(str::to_owned)
            .collect();
        assert!(paths.contains(&path), "{name} is of no command: delete it");
    }
    for path in paths {
        let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
        args.push("--help");
        let out = run(&mut kinbox(&args));
        assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
        assert_eq!(out.stderr, "");
        let name = if path.is_empty() {
            "help_kinbox".to_owned()
        } else {
            format!("help_kinbox_{}", path.join("_"))
        };
        // One language per line: the spec's "Portuguese. / English." is
        // shown in English.
        assert!(
            !out.stdout.lines().any(|line| line.contains(". / ")),
            "{args:?} mixes languages on a line:\n{}",
            out.stdout
        );
        // Global options are explained once, in `kinbox --help`.
        if !path.is_empty() {
            assert!(!out.stdout.contains("--base-url <URL>"), "{args:?}");
            assert!(
                out.stdout.contains("Global options: --profile, --base-url"),
                "{args:?}: {}",
                out.stdout
            );
        }
        // Fields Kinbox keeps come after every other option.
        if let (Some(kept), Some(name)) = (
            out.stdout.find("Kept by Kinbox"),
            out.stdout.find("--name <NAME>"),
        ) {
            assert!(name < kept, "{args:?}: common flags come first");
        }
        snap!(name, out.stdout);
    }
}

#[test]
fn short_help_of_the_main_command() {
    let out = run(&mut kinbox(&["-h"]));
    assert_eq!(out.code, 0);
    snap!("help_kinbox_short", out.stdout);
}

#[test]
fn no_arguments_prints_help_and_exits_2() {
    let out = run(&mut kinbox(&[]));
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("Usage: kinbox [OPTIONS] <COMMAND>"),
        "{}",
        out.stderr
    );
}

#[test]
fn version() {
    let out = run(&mut kinbox(&["--version"]));
    assert_eq!(out.code, 0);
    assert_eq!(
        out.stdout,
        format!("kinbox {}\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn completion_scripts_ask_kinbox_and_say_how_to_install_them() {
    for (shell, marker) in [
        (
            "bash",
            "complete -o nospace -o bashdefault -o nosort -F _clap_complete_kinbox kinbox",
        ),
        ("zsh", "#compdef kinbox"),
        ("fish", "complete --keep-order --exclusive --command kinbox"),
        ("elvish", "set edit:completion:arg-completer[kinbox]"),
        (
            "powershell",
            "Register-ArgumentCompleter -Native -CommandName kinbox",
        ),
    ] {
        let out = run(&mut kinbox(&["completion", shell]));
        assert_eq!(out.code, 0, "{shell}: {}", out.stderr);
        assert!(out.stdout.contains(marker), "{shell}: {}", out.stdout);
        // The shell asks kinbox itself, by name, for each completion.
        assert!(
            out.stdout.contains("KINBOX_COMPLETE"),
            "{shell}: {}",
            out.stdout
        );
    }
    let help = run(&mut kinbox(&["completion", "bash", "--help"])).stdout;
    for step in [
        "echo 'source <(kinbox completion bash)' >> ~/.bashrc",
        "echo 'source <(kinbox completion zsh)' >> ~/.zshrc",
        "kinbox completion fish > ~/.config/fish/completions/kinbox.fish",
        "kinbox completion powershell | Out-String | Invoke-Expression",
    ] {
        assert!(help.contains(step), "{step}:\n{help}");
    }
}

/// `KINBOX_COMPLETE=fish kinbox -- WORDS…`, as the fish script runs it: one
/// candidate a line.
fn complete(api: &crate::support::Api, words: &[&str]) -> crate::support::Output {
    let mut cmd = api.kinbox(&["--", "kinbox"]);
    cmd.args(words).env("KINBOX_COMPLETE", "fish");
    run(cmd)
}

/// A server's name reaches the shell only when it is plain text: a line
/// break would make two candidates, an escape would act on the terminal.
#[test]
fn names_with_control_characters_are_never_offered() {
    let api = crate::support::Api::start();
    api.server.mock(|when, then| {
        when.method(httpmock::Method::GET).path("/v1/pipelines");
        then.status(200).json_body(serde_json::json!([
            crate::support::pipeline("p1", "Vendas", &["Proposta"], &[]),
            crate::support::pipeline("p2", "Vendas\nrm -rf ~", &[], &[]),
            crate::support::pipeline("p3", "V\u{1b}]0;owned\u{7}", &[], &[]),
        ]));
    });
    let out = complete(&api, &["deals", "create", "--pipeline", "v"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, "Vendas\n");
}

#[test]
fn commands_and_pipeline_and_stage_names_are_completed() {
    let api = crate::support::Api::start();
    let pipelines = api.server.mock(|when, then| {
        when.method(httpmock::Method::GET)
            .path("/v1/pipelines")
            .header("authorization", crate::support::bearer());
        then.status(200).json_body(crate::support::pipelines());
    });

    let out = complete(&api, &["dea"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.starts_with("deals"), "{}", out.stdout);

    let out = complete(&api, &["deals", "create", "--pipeline", ""]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, "Pós-venda\nVendas\n");

    let out = complete(&api, &["deals", "create", "--pipeline", "v"]);
    assert_eq!(out.stdout, "Vendas\n");

    // The stages of the pipeline named before, else of all.
    let out = complete(
        &api,
        &[
            "deals",
            "move",
            "d1",
            "--pipeline",
            "Pós-venda",
            "--stage",
            "",
        ],
    );
    assert_eq!(out.stdout, "Onboarding\nProposta\n");
    let out = complete(&api, &["deals", "list", "--stage", "p"]);
    assert_eq!(out.stdout, "Proposta\nProspecção\n");
    assert_eq!(out.stderr, "");
    pipelines.assert_calls(4);

    // The profile named on the line being completed: its token, its host.
    let loja = httpmock::MockServer::start();
    let loja_pipelines = loja.mock(|when, then| {
        when.method(httpmock::Method::GET)
            .path("/v1/pipelines")
            .header("authorization", "Bearer loja-token");
        then.status(200)
            .json_body(serde_json::json!([crate::support::pipeline(
                "p-9",
                "Atacado",
                &["Pedido"],
                &[]
            )]));
    });
    std::fs::write(
        api.config_path(),
        format!(
            "[profiles.loja]\ntoken = \"loja-token\"\nbase_url = \"{}\"\n",
            loja.base_url()
        ),
    )
    .unwrap();
    let mut cmd = api.kinbox_without_token(&[
        "--",
        "kinbox",
        "--profile",
        "loja",
        "deals",
        "move",
        "d1",
        "--stage",
        "",
    ]);
    cmd.env("KINBOX_COMPLETE", "fish")
        .env_remove("KINBOX_BASE_URL");
    let out = run(cmd);
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, "Pedido\n"),
        "{}",
        out.stderr
    );
    loja_pipelines.assert_calls(1);
}

#[test]
fn names_are_not_completed_when_the_api_cannot_say_and_nothing_is_shown() {
    // Nothing listens on port 9; a server that does not answer in time.
    let slow = crate::support::Api::start();
    slow.server.mock(|when, then| {
        when.method(httpmock::Method::GET).path("/v1/pipelines");
        then.status(200)
            .delay(std::time::Duration::from_secs(20))
            .json_body(crate::support::pipelines());
    });
    let started = std::time::Instant::now();
    let out = complete(&slow, &["deals", "create", "--pipeline", ""]);
    assert_eq!(
        (out.code, out.stdout.as_str(), out.stderr.as_str()),
        (0, "", "")
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(15),
        "a completion waits at most a few seconds"
    );

    let mut cmd = slow.kinbox(&["--", "kinbox", "deals", "create", "--stage", ""]);
    cmd.env("KINBOX_COMPLETE", "fish")
        .env("KINBOX_BASE_URL", "http://127.0.0.1:9");
    let out = run(cmd);
    assert_eq!(
        (out.code, out.stdout.as_str(), out.stderr.as_str()),
        (0, "", "")
    );

    // The token is KINBOX_BASE_URL's: a --base-url on the line being
    // completed does not get it, as no command would send it there.
    let elsewhere = httpmock::MockServer::start();
    let caught = elsewhere.mock(|_, then| {
        then.status(200).json_body(crate::support::pipelines());
    });
    let other = elsewhere.base_url();
    let out = complete(
        &slow,
        &["--base-url", &other, "deals", "create", "--pipeline", ""],
    );
    assert_eq!(
        (out.code, out.stdout.as_str(), out.stderr.as_str()),
        (0, "", "")
    );
    assert_eq!(caught.calls(), 0, "the token went to another host");

    // Another tool's variable does not turn kinbox into a completer.
    let mut cmd = kinbox(&["--version"]);
    cmd.env("COMPLETE", "bash");
    let out = run(cmd);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.starts_with("kinbox "), "{}", out.stdout);

    // No token: nothing either.
    let mut cmd = slow.kinbox_without_token(&["--", "kinbox", "deals", "create", "--pipeline", ""]);
    cmd.env("KINBOX_COMPLETE", "fish");
    let out = run(cmd);
    assert_eq!(
        (out.code, out.stdout.as_str(), out.stderr.as_str()),
        (0, "", "")
    );
}

#[test]
fn every_command_has_a_manual_page() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&mut kinbox(&["man", "--dir", dir.path().to_str().unwrap()]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let mut paths = Vec::new();
    command_paths(&kinbox_cli::command(), &[], &mut paths);
    for path in &paths {
        let name = std::iter::once("kinbox".to_owned())
            .chain(path.iter().cloned())
            .collect::<Vec<_>>()
            .join("-");
        let page = std::fs::read_to_string(dir.path().join(format!("{name}.1")))
            .unwrap_or_else(|e| panic!("no page for {name}: {e}"));
        assert!(page.starts_with(".ie"), "{name}: {page}");
        assert!(page.contains(&format!(".TH {name} 1")), "{name}");
    }
    assert!(
        out.stderr
            .contains(&format!("wrote {} manual pages to", paths.len())),
        "{}",
        out.stderr
    );

    let page = run(&mut kinbox(&["man", "deals", "create"]));
    assert_eq!(page.code, 0, "{}", page.stderr);
    assert!(
        page.stdout.contains(".TH kinbox-deals-create 1"),
        "{}",
        page.stdout
    );
    assert!(page.stdout.contains("\\-\\-pipeline"), "{}", page.stdout);

    let wrong = run(&mut kinbox(&["man", "deals", "crate"]));
    assert_eq!(wrong.code, 2);
    assert!(
        wrong
            .stderr
            .contains("`kinbox deals crate` is not a command"),
        "{}",
        wrong.stderr
    );
}
