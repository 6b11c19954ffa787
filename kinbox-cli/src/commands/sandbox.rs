//! `kinbox sandbox`: a local, in-memory Kinbox API (the `kinbox-sandbox`
//! crate), to try the CLI and test integrations without an account.

use clap::{ArgMatches, Args, Command, FromArgMatches};
use kinbox_sandbox::SandboxArgs;

use crate::CliError;

pub fn command() -> Command {
    SandboxArgs::augment_args(
        Command::new("sandbox")
            .about("Run a local, in-memory Kinbox API to try commands against")
            .long_about(
                "Run a local, in-memory Kinbox API to try commands against.\n\n\
                 It serves every operation of the API on 127.0.0.1, checks each request \
                 against the API description, and forgets everything when stopped (Ctrl-C).",
            )
            .after_help(
                "Examples:\n  \
                 kinbox sandbox --port 8080\n  \
                 # in another terminal, with the URL and token it printed:\n  \
                 KINBOX_BASE_URL=http://127.0.0.1:8080 KINBOX_TOKEN=sandbox-token kinbox deals list",
            ),
    )
}

pub async fn run(matches: &ArgMatches) -> Result<(), CliError> {
    let args = SandboxArgs::from_arg_matches(matches)
        .map_err(|e| CliError::Usage(anyhow::Error::new(e)))?;
    kinbox_sandbox::run_cli(args)
        .await
        .map_err(|e| CliError::failure(format!("the sandbox could not start: {e}")))
}
