use std::process::ExitCode;

use clap::Parser;
use kinbox_sandbox::{SandboxArgs, run_cli};

#[derive(Parser)]
#[command(name = "kinbox-sandbox", version)]
struct Cli {
    #[command(flatten)]
    sandbox: SandboxArgs,
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    // Logs go to stderr so that stdout holds only the KINBOX_* lines.
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("KINBOX_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    match run_cli(cli.sandbox).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("kinbox-sandbox: {error}");
            ExitCode::FAILURE
        }
    }
}
