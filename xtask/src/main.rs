//! Project automation: `cargo xtask <command>`. See `cargo xtask --help`.

#[path = "../../kinbox-api/codegen.rs"]
mod codegen;
mod demo;
mod reference_diff;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};

/// Project automation for kinbox-rs.
#[derive(Parser)]
#[command(name = "cargo xtask")]
struct Args {
    /// The workspace to work on (default: this one).
    #[arg(long, global = true, value_name = "DIR")]
    root: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Regenerate the committed code (SDK review copy, CLI, mocks) from openapi/kinbox.yaml.
    Generate,
    /// Fail with a unified diff if the committed generated code is stale.
    Diff,
    /// Write the man pages of `kinbox`: kinbox.1, and kinbox-deals-create.1 and
    /// so on for each subcommand.
    Man {
        /// The directory to write them to [default: target/man].
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// Quickstart: start a local sandbox, then create, move and list a deal
    /// with the `kinbox` CLI. Needs no account and no network.
    Demo,
    /// Compare openapi/kinbox.yaml with Kinbox's reference description, per
    /// operation and per schema; fail if some differences are not marked
    /// deliberate.
    ///
    /// REFERENCE is Kinbox's own description of its API, JSON or YAML: the
    /// `openapi.json` of github.com/kinboxapp/docs. Only paths under /v1 are
    /// compared. Operations are matched by method and path shape (`{id}` and
    /// `{externalId}` are the same segment). For each operation the command
    /// compares its path and query parameters (required, type, enum), its
    /// request body and its 2xx answers: fields only on one side, `type`,
    /// string `format`, `enum`, `required` and, for fields ours requires,
    /// `nullable`. Schemas are followed through `$ref`, `properties`, `items`,
    /// `additionalProperties`, `allOf`, `anyOf` and `oneOf`; our open enums
    /// (`anyOf: [Enum, {type: string}]`) read as the enum and our ids
    /// (`oneOf: [integer, numeric string]`) as `integer|string`. A pair of
    /// named object schemas (Deal and DealPublicDto) is compared once, under
    /// its own `== schema` heading that lists where it is used. A schema the
    /// reference gives only as an `example` is guessed from the example.
    ///
    /// Marking a difference as deliberate: write `Deliberate: <reason>`
    /// (case-insensitive) in the `description` of our field, parameter,
    /// request body, response, schema or operation, e.g. `description: The
    /// deal's contact. Deliberate: ids are numbers here, the API accepts
    /// both.` It marks every difference of that thing and of what it contains,
    /// except inside a schema with its own `== schema` heading: mark those in
    /// that schema. `Deliberate(<name>, ...): <reason>` in an object schema's
    /// description marks only the fields so named, in an operation's only the
    /// parameters so named: the way to mark a field or parameter only the
    /// reference has. `Deliberate(GET /v1/path): <reason>` in our
    /// `info.description` marks an operation only the reference has. The
    /// output shows `[deliberate: <reason's first sentence>]` beside each
    /// difference so marked.
    ///
    /// The last line counts the differences: `N differences, M deliberate, K to
    /// review`. The exit status is 1 when K is not 0, 0 otherwise.
    #[command(name = "reference-diff")]
    ReferenceDiff {
        /// Kinbox's reference description (openapi.json), JSON or YAML.
        #[arg(value_name = "REFERENCE")]
        reference: PathBuf,
        /// Our spec [default: openapi/kinbox.yaml of the workspace].
        #[arg(long, value_name = "FILE")]
        ours: Option<PathBuf>,
    },
}

/// A file the generator writes, and how.
struct Output {
    path: &'static str,
    generate: fn(&openapiv3::OpenAPI) -> Result<String, String>,
}

/// Every generated file that is committed. `kinbox-api` builds its own copy
/// of the SDK in `build.rs`; the copy here exists so that every change to the
/// generated API shows up in review.
const OUTPUTS: &[Output] = &[
    Output {
        path: "kinbox-api/generated/sdk.rs",
        generate: codegen::sdk,
    },
    Output {
        path: "kinbox-cli/src/generated_cli.rs",
        generate: codegen::cli,
    },
    Output {
        path: "kinbox-httpmock/src/generated_httpmock.rs",
        generate: codegen::httpmock,
    },
];

const SPEC: &str = "openapi/kinbox.yaml";

fn main() -> ExitCode {
    let args = Args::parse();
    let root = args.root.unwrap_or_else(workspace_root);
    let result = match args.command {
        Command::Generate => generate(&root).map(|()| ExitCode::SUCCESS),
        Command::Diff => diff(&root),
        Command::Demo => demo::run(&root).map(|()| ExitCode::SUCCESS),
        Command::ReferenceDiff { reference, ours } => {
            reference_diff::run(&ours.unwrap_or_else(|| root.join(SPEC)), &reference)
        }
        Command::Man { out } => {
            man(&root, &out.unwrap_or_else(|| root.join("target/man"))).map(|()| ExitCode::SUCCESS)
        }
    };
    result.unwrap_or_else(|error| {
        eprintln!("error: {error:#}");
        ExitCode::FAILURE
    })
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

fn render_all(root: &Path) -> Result<Vec<(PathBuf, String)>> {
    let spec = codegen::load_spec(&root.join(SPEC)).map_err(anyhow::Error::msg)?;
    OUTPUTS
        .iter()
        .map(|output| {
            let code = (output.generate)(&spec).map_err(anyhow::Error::msg)?;
            Ok((root.join(output.path), code))
        })
        .collect()
}

fn generate(root: &Path) -> Result<()> {
    for (path, code) in render_all(root)? {
        if std::fs::read_to_string(&path).ok().as_deref() == Some(code.as_str()) {
            println!("unchanged {}", path.display());
            continue;
        }
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
        }
        std::fs::write(&path, code).with_context(|| format!("cannot write {}", path.display()))?;
        println!("wrote     {}", path.display());
    }
    Ok(())
}

fn diff(root: &Path) -> Result<ExitCode> {
    let mut stale = Vec::new();
    for (path, expected) in render_all(root)? {
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        if committed != expected {
            let shown = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .display()
                .to_string();
            print!(
                "{}",
                similar::TextDiff::from_lines(&committed, &expected)
                    .unified_diff()
                    .context_radius(3)
                    .header(
                        &format!("a/{shown} (committed)"),
                        &format!("b/{shown} (from {SPEC})")
                    )
            );
            stale.push(shown);
        }
    }
    if stale.is_empty() {
        println!("generated code is up to date with {SPEC}");
        return Ok(ExitCode::SUCCESS);
    }
    eprintln!(
        "error: the committed generated code is stale: {}\n\
         run `cargo xtask generate` and commit the result",
        stale.join(", ")
    );
    Ok(ExitCode::FAILURE)
}

/// Renders the man page of `cmd` as `<prefix>.1`, then those of its
/// subcommands as `<prefix>-<name>.1`.
/// Renders the man pages with the CLI's own command tree. Run as a separate
/// program (an example of `kinbox-cli`) so that xtask does not link the CLI:
/// `cargo xtask generate` must keep working when a spec change leaves the CLI
/// not compiling until it is regenerated.
fn man(root: &Path, dir: &Path) -> Result<()> {
    let status = std::process::Command::new(env!("CARGO"))
        .current_dir(root)
        .args([
            "run",
            "--quiet",
            "-p",
            "kinbox-cli",
            "--example",
            "man",
            "--",
        ])
        .arg(dir)
        .status()
        .context("cannot run cargo")?;
    anyhow::ensure!(
        status.success(),
        "rendering the man pages failed; see the errors above"
    );
    Ok(())
}
