use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;
use kinbox_sandbox::{SandboxArgs, run_cli};

#[derive(Parser)]
#[command(name = "kinbox-sandbox", version)]
struct Cli {
    #[command(flatten)]
    sandbox: SandboxArgs,

    /// Log one line per request to stderr: method, path and query, status,
    /// latency (never a header, so never the token); -vv logs more of the
    /// sandbox. KINBOX_LOG, when set, takes precedence (e.g. KINBOX_LOG=debug).
    #[arg(short, long, action = clap::ArgAction::Count)]
    verbose: u8,
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    // Only the sandbox's own events: the HTTP stack below it is not enabled
    // by -v, so no header can show up.
    let filter = match cli.verbose {
        0 => "warn",
        1 => "warn,kinbox_sandbox=info",
        _ => "warn,kinbox_sandbox=debug",
    };
    // Logs go to stderr so that stdout holds only the KINBOX_* lines.
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("KINBOX_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(filter)),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    match run_cli(cli.sandbox).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("kinbox-sandbox: {error}");
            ExitCode::FAILURE
        }
    }
}
