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
                out.stdout
                    .contains("Global options: -o/--output, --profile, --base-url"),
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
fn completion_scripts_cover_the_commands() {
    for (shell, marker) in [
        ("bash", "_kinbox()"),
        ("zsh", "#compdef kinbox"),
        ("fish", "complete -c kinbox"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let out = run(&mut kinbox(&["completion", shell]));
        assert_eq!(out.code, 0, "{shell}: {}", out.stderr);
        assert!(out.stdout.contains(marker), "{shell}");
        assert!(out.stdout.contains("pipeline-id"), "{shell}");
        assert!(out.stdout.contains("lose"), "{shell}");
    }
}
