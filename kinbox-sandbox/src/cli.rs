//! The command line: `kinbox-sandbox [OPTIONS]`, and `kinbox sandbox` in
//! the main CLI, which flattens [`SandboxArgs`] and calls [`run_cli`].

use std::io::Write;
use std::time::Duration;

use crate::config::{AppliedThenFailMode, FaultConfig, Limits, RateLimit, SandboxConfig};
use crate::server::{Listening, StartError, serve};

/// Options of the sandbox on the command line.
#[derive(Clone, Debug, clap::Args)]
#[command(
    about = "Serve a local, in-memory Kinbox API on 127.0.0.1, for trying the CLI and testing clients",
    after_help = "The first two lines on stdout are KINBOX_BASE_URL=… and KINBOX_TOKEN=…, for \
                  scripts to read: export them so that `kinbox` and the SDK talk to the sandbox."
)]
pub struct SandboxArgs {
    /// Port on 127.0.0.1; 0 picks a free one.
    #[arg(long, default_value_t = 0)]
    pub port: u16,

    /// Accept only this bearer token [default: any non-empty token].
    #[arg(long, env = "KINBOX_SANDBOX_TOKEN", hide_env_values = true)]
    pub token: Option<String>,

    /// Start with no data instead of the seeded workspace (pipelines
    /// "Vendas" and "Pós-venda", contacts, custom fields, tags, products,
    /// campaigns, sessions).
    #[arg(long)]
    pub empty: bool,

    /// Seed of the random faults: the same seed replays the same failures.
    #[arg(long, default_value_t = 0, help_heading = "Fault injection")]
    pub seed: u64,

    /// Answer 429 with Retry-After past N requests per window.
    #[arg(long, value_name = "N", help_heading = "Fault injection")]
    pub rate_limit: Option<u32>,

    /// The rate limit's window.
    #[arg(
        long,
        value_name = "MS",
        default_value_t = 1000,
        help_heading = "Fault injection"
    )]
    pub rate_limit_window_ms: u64,

    /// Share of requests answered 500 or 503, 0.0–1.0.
    #[arg(long, value_name = "RATIO", default_value_t = 0.0, value_parser = parse_ratio, help_heading = "Fault injection")]
    pub error_ratio: f64,

    /// Latency added to every answer.
    #[arg(
        long,
        value_name = "MS",
        default_value_t = 0,
        help_heading = "Fault injection"
    )]
    pub latency_ms: u64,

    /// Up to this much more latency, drawn per request.
    #[arg(
        long,
        value_name = "MS",
        default_value_t = 0,
        help_heading = "Fault injection"
    )]
    pub latency_jitter_ms: u64,

    /// Share of requests whose connection is closed without an answer, 0.0–1.0.
    #[arg(long, value_name = "RATIO", default_value_t = 0.0, value_parser = parse_ratio, help_heading = "Fault injection")]
    pub drop_ratio: f64,

    /// Share of successful writes (POST, PATCH, PUT, DELETE) that are stored,
    /// then answered in a way the client cannot read, 0.0–1.0: the change
    /// happened, the client never learns it.
    #[arg(long, value_name = "RATIO", default_value_t = 0.0, value_parser = parse_ratio, help_heading = "Fault injection")]
    pub applied_then_fail_ratio: f64,

    /// How those answers fail: drop (close the connection), timeout (hold
    /// the answer past the client's timeout, then close), garbled (the
    /// status, then a body cut short), or any (one of the three per request,
    /// drawn from the seed).
    #[arg(
        long,
        value_name = "MODE",
        value_enum,
        default_value_t = AppliedThenFailMode::Any,
        hide_possible_values = true,
        help_heading = "Fault injection"
    )]
    pub applied_then_fail_mode: AppliedThenFailMode,

    /// How long the timeout mode holds an answer before dropping it.
    #[arg(
        long,
        value_name = "MS",
        default_value_t = FaultConfig::DEFAULT_APPLIED_THEN_FAIL_HOLD.as_millis() as u64,
        help_heading = "Fault injection"
    )]
    pub applied_then_fail_hold_ms: u64,

    /// Largest request body read; a larger one is answered 413.
    #[arg(long, value_name = "BYTES", default_value_t = Limits::DEFAULT_MAX_BODY_BYTES as u64, value_parser = parse_positive, help_heading = "Limits")]
    pub max_body_bytes: u64,

    /// Connections open at once; past it, the one waiting longest for a
    /// request is closed to make room (503 if all are in a request).
    #[arg(long, value_name = "N", default_value_t = Limits::DEFAULT_MAX_CONNECTIONS as u64, value_parser = parse_positive, help_heading = "Limits")]
    pub max_connections: u64,

    /// Close a connection that has not sent a whole request head this long
    /// after it opened or got its last answer (stalled or idle).
    #[arg(long, value_name = "MS", default_value_t = Limits::DEFAULT_HEADER_TIMEOUT.as_millis() as u64, value_parser = parse_positive, help_heading = "Limits")]
    pub header_timeout_ms: u64,

    /// Answer 408 and close the connection when a body has not fully
    /// arrived this long after its headers.
    #[arg(long, value_name = "MS", default_value_t = Limits::DEFAULT_BODY_TIMEOUT.as_millis() as u64, value_parser = parse_positive, help_heading = "Limits")]
    pub body_timeout_ms: u64,

    /// Objects stored at once, of every resource together (the seeded ones
    /// count); a create past it is answered 507 until some are deleted.
    #[arg(long, value_name = "N", default_value_t = Limits::DEFAULT_MAX_OBJECTS as u64, value_parser = parse_positive, help_heading = "Limits")]
    pub max_objects: u64,
}

impl SandboxArgs {
    pub fn config(&self) -> SandboxConfig {
        SandboxConfig {
            port: self.port,
            token: self.token.clone(),
            empty: self.empty,
            faults: FaultConfig {
                seed: self.seed,
                rate_limit: self.rate_limit.map(|requests| RateLimit {
                    requests,
                    window: Duration::from_millis(self.rate_limit_window_ms),
                }),
                server_error_ratio: self.error_ratio,
                latency: Duration::from_millis(self.latency_ms),
                latency_jitter: Duration::from_millis(self.latency_jitter_ms),
                drop_ratio: self.drop_ratio,
                applied_then_fail_ratio: self.applied_then_fail_ratio,
                applied_then_fail_mode: self.applied_then_fail_mode,
                applied_then_fail_hold: Duration::from_millis(self.applied_then_fail_hold_ms),
            },
            limits: Limits {
                max_body_bytes: usize::try_from(self.max_body_bytes).unwrap_or(usize::MAX),
                max_connections: usize::try_from(self.max_connections).unwrap_or(usize::MAX),
                header_timeout: Duration::from_millis(self.header_timeout_ms),
                body_timeout: Duration::from_millis(self.body_timeout_ms),
                max_objects: usize::try_from(self.max_objects).unwrap_or(usize::MAX),
            },
        }
    }
}

/// Serves until Ctrl-C. Prints `KINBOX_BASE_URL=…` and `KINBOX_TOKEN=…` on
/// stdout first, for scripts to read, then a hint on stderr.
pub async fn run_cli(args: SandboxArgs) -> Result<(), StartError> {
    let config = args.config();
    let faults = config.faults.is_active();
    serve(config, |listening| announce(listening, faults), async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::warn!(%error, "cannot listen for Ctrl-C; stop the sandbox by killing it");
            std::future::pending::<()>().await;
        }
    })
    .await
}

fn announce(listening: &Listening, faults: bool) {
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "KINBOX_BASE_URL={}", listening.base_url);
    let _ = writeln!(stdout, "KINBOX_TOKEN={}", listening.token);
    let _ = stdout.flush();
    eprintln!(
        "kinbox sandbox: serving the Kinbox API (in memory) at {}{}\n\
         try: KINBOX_BASE_URL={} KINBOX_TOKEN={} kinbox deals list\n\
         stop with Ctrl-C",
        listening.base_url,
        if faults { ", with injected faults" } else { "" },
        listening.base_url,
        listening.token,
    );
}

/// A count or a duration that bounds what a client may take: 0 would
/// refuse everything.
fn parse_positive(text: &str) -> Result<u64, String> {
    match text.parse::<u64>() {
        Ok(0) => Err("0 would refuse every request; give at least 1".to_owned()),
        Ok(number) => Ok(number),
        Err(_) => Err(format!(
            "`{text}` is not a whole number; give one such as 1000"
        )),
    }
}

fn parse_ratio(text: &str) -> Result<f64, String> {
    let ratio: f64 = text
        .parse()
        .map_err(|_| format!("`{text}` is not a number; give a share such as 0.1"))?;
    if (0.0..=1.0).contains(&ratio) {
        Ok(ratio)
    } else {
        Err(format!(
            "{ratio} is not between 0.0 and 1.0; give a share such as 0.1"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        sandbox: SandboxArgs,
    }

    #[test]
    fn flags_become_the_config() {
        let cli = Cli::try_parse_from([
            "kinbox-sandbox",
            "--port=8080",
            "--token=t",
            "--seed=7",
            "--rate-limit=5",
            "--rate-limit-window-ms=2000",
            "--error-ratio=0.25",
            "--latency-ms=30",
            "--drop-ratio=0.1",
            "--applied-then-fail-ratio=0.2",
            "--applied-then-fail-mode=garbled",
            "--applied-then-fail-hold-ms=1500",
            "--max-body-bytes=4096",
            "--max-connections=8",
            "--header-timeout-ms=700",
            "--body-timeout-ms=900",
            "--max-objects=50",
            "--empty",
        ])
        .unwrap();
        let config = cli.sandbox.config();
        assert_eq!(config.port, 8080);
        assert_eq!(config.token.as_deref(), Some("t"));
        assert!(config.empty);
        assert_eq!(
            config.faults,
            FaultConfig {
                seed: 7,
                rate_limit: Some(RateLimit {
                    requests: 5,
                    window: Duration::from_secs(2)
                }),
                server_error_ratio: 0.25,
                latency: Duration::from_millis(30),
                latency_jitter: Duration::ZERO,
                drop_ratio: 0.1,
                applied_then_fail_ratio: 0.2,
                applied_then_fail_mode: AppliedThenFailMode::Garbled,
                applied_then_fail_hold: Duration::from_millis(1500),
            }
        );
        assert_eq!(
            config.limits,
            Limits {
                max_body_bytes: 4096,
                max_connections: 8,
                header_timeout: Duration::from_millis(700),
                body_timeout: Duration::from_millis(900),
                max_objects: 50,
            }
        );
    }

    #[test]
    fn the_defaults_are_the_documented_ones() {
        let config = Cli::try_parse_from(["kinbox-sandbox"])
            .unwrap()
            .sandbox
            .config();
        assert_eq!(config, SandboxConfig::default());
    }

    #[test]
    fn ratios_outside_zero_to_one_are_refused_with_a_hint() {
        let error = Cli::try_parse_from(["kinbox-sandbox", "--error-ratio=2"])
            .err()
            .unwrap();
        assert!(error.to_string().contains("between 0.0 and 1.0"), "{error}");
        let error = Cli::try_parse_from(["kinbox-sandbox", "--max-connections=0"])
            .err()
            .unwrap();
        assert!(error.to_string().contains("give at least 1"), "{error}");
    }
}
