//! `cargo xtask demo`: the README's first command. Builds the CLI and the
//! sandbox, starts the sandbox (with its seeded workspace) on a free loopback
//! port, drives the `kinbox` CLI through a deal's life by name (pipeline,
//! stage, contact phone, custom fields), checks each answer, and stops the
//! sandbox.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use anyhow::{Context, Result, bail, ensure};
use serde_json::Value;

/// Kills the sandbox however the demo ends, so nothing is left running.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn run(root: &Path) -> Result<()> {
    println!("Building the kinbox CLI and the sandbox (a few minutes the first time)…");
    // Cargo's own progress shows while it builds: minutes of silence read as
    // a hang.
    let status = Command::new(env!("CARGO"))
        .current_dir(root)
        .args(["build", "-p", "kinbox-cli", "-p", "kinbox-sandbox"])
        .status()
        .context("cannot run cargo")?;
    ensure!(status.success(), "the build failed; see the errors above");
    let bin_dir = target_dir(root).join("debug");

    let mut sandbox = Command::new(bin_dir.join("kinbox-sandbox"))
        .args(["--port", "0"])
        .stdout(Stdio::piped())
        // Its banner repeats what the demo prints; errors would still show
        // up as a failed command.
        .stderr(Stdio::null())
        .spawn()
        .context("cannot start kinbox-sandbox")?;
    let stdout = sandbox.stdout.take().expect("stdout is piped");
    let sandbox = Running(sandbox);
    let (base_url, token) = read_connection(stdout)?;
    println!("Sandbox listening on {base_url}\n");

    let config_dir = tempfile::tempdir().context("cannot create a temporary config dir")?;
    // Runs `kinbox ARGS`; `shown` prints the command and its answer.
    let run = |args: &[&str], shown: bool| -> Result<String> {
        if shown {
            println!(
                "$ kinbox {}",
                args.iter()
                    .map(|a| shell_quoted(a))
                    .collect::<Vec<_>>()
                    .join(" ")
            );
        }
        let output = Command::new(bin_dir.join("kinbox"))
            .args(args)
            .env("KINBOX_BASE_URL", &base_url)
            .env("KINBOX_TOKEN", &token)
            // Keep the demo away from the user's own profiles.
            .env("KINBOX_CONFIG_DIR", config_dir.path())
            .stdin(Stdio::null())
            .output()
            .context("cannot run kinbox")?;
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        if shown {
            // The CLI prints compact JSON into a pipe; show it as a terminal would.
            match serde_json::from_str::<Value>(&stdout) {
                Ok(json) => println!(
                    "{}",
                    serde_json::to_string_pretty(&json).unwrap_or_default()
                ),
                Err(_) => print!("{stdout}"),
            }
            println!();
        }
        eprint!("{}", String::from_utf8_lossy(&output.stderr));
        ensure!(
            output.status.success(),
            "`kinbox {}` failed ({})",
            args.join(" "),
            output.status
        );
        Ok(stdout)
    };
    let kinbox = |args: &[&str]| run(args, true);

    // What a person sees in Kinbox: pipelines and stages by name.
    kinbox(&["pipelines", "list", "-o", "table"])?;
    // A list prints its items, one JSON object a line.
    let pipelines = Value::Array(
        run(&["pipelines", "list"], false)?
            .lines()
            .map(serde_json::from_str)
            .collect::<Result<_, _>>()
            .context("`kinbox pipelines list` did not print one JSON pipeline per line")?,
    );
    let stage_id = |pipeline: &str, stage: &str| -> Result<String> {
        pipelines
            .as_array()
            .into_iter()
            .flatten()
            .filter(|p| p["name"] == pipeline)
            .flat_map(|p| p["stages"].as_array().into_iter().flatten())
            .find(|s| s["name"] == stage)
            .and_then(|s| s["id"].as_str())
            .map(str::to_owned)
            .with_context(|| format!("the sandbox has no stage {stage:?} in pipeline {pipeline:?}"))
    };

    let created: Value = serde_json::from_str(&kinbox(&[
        "deals",
        "create",
        "--name",
        "Pedido #1042 (demo)",
        "--value",
        "1890.50",
        "--status",
        "open",
        "--pipeline",
        "Vendas",
        "--stage",
        "Proposta",
        "--contact-phone",
        "+55 85 99728-1648",
        "--custom-field",
        "cpf=060.715.303-54",
        "--custom-field",
        "segmento=varejo",
        "--origin",
        "loja-virtual",
    ])?)
    .context("`kinbox deals create` did not print a deal as JSON")?;
    let id = created["id"]
        .as_str()
        .context("the created deal has no id")?
        .to_owned();
    ensure!(
        created["stageId"] == stage_id("Vendas", "Proposta")?.as_str(),
        "the deal was created in the wrong stage: {created}"
    );
    ensure!(
        created["contact"]["name"] == "Maria Oliveira",
        "the deal is not Maria's (phone 5585997281648): {created}"
    );

    let moved: Value =
        serde_json::from_str(&kinbox(&["deals", "move", &id, "--stage", "Negociação"])?)
            .context("`kinbox deals move` did not print a deal as JSON")?;
    ensure!(
        moved["stageId"] == stage_id("Vendas", "Negociação")?.as_str(),
        "the deal did not move to Negociação: {moved}"
    );

    let listed = run(&["deals", "list", "--all"], false)?;
    let ids: Vec<String> = listed
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            serde_json::from_str::<Value>(line)
                .map(|deal| deal["id"].as_str().unwrap_or_default().to_owned())
        })
        .collect::<Result<_, _>>()
        .context("`kinbox deals list --all` did not print one JSON deal per line")?;
    ensure!(
        ids.contains(&id),
        "the list does not show deal {id}: {ids:?}"
    );
    kinbox(&["deals", "list", "-o", "table"])?;

    drop(sandbox);
    println!(
        "Demo finished: created deal {id} for Maria in Vendas › Proposta by name, moved it to \
         Negociação and listed it; the sandbox is stopped."
    );
    Ok(())
}

/// The sandbox announces itself with `KINBOX_BASE_URL=…` and `KINBOX_TOKEN=…`
/// lines before anything else.
fn read_connection(stdout: std::process::ChildStdout) -> Result<(String, String)> {
    let mut lines = BufReader::new(stdout).lines();
    let (mut base_url, mut token) = (None, None);
    while base_url.is_none() || token.is_none() {
        let Some(line) = lines.next() else {
            bail!("kinbox-sandbox exited before announcing its URL and token");
        };
        let line = line.context("cannot read kinbox-sandbox's output")?;
        if let Some(value) = line.strip_prefix("KINBOX_BASE_URL=") {
            base_url = Some(value.trim().to_owned());
        } else if let Some(value) = line.strip_prefix("KINBOX_TOKEN=") {
            token = Some(value.trim().to_owned());
        }
    }
    // Keep draining the sandbox's stdout so it never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    Ok((base_url.unwrap_or_default(), token.unwrap_or_default()))
}

fn shell_quoted(arg: &str) -> String {
    if arg
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_./:=".contains(c))
    {
        arg.to_owned()
    } else {
        format!("'{}'", arg.replace('\'', "'\\''"))
    }
}

fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
}
