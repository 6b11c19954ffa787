//! A mock Kinbox API on 127.0.0.1 and a `kinbox` command pointed at it.

use std::path::Path;

use assert_cmd::Command;
use httpmock::{Mock, MockServer};
use kinbox_api::types;
use serde_json::json;

/// Never printed anywhere: several tests check exactly that.
pub const TOKEN: &str = "kbx-s3cr3t-7f1d9c2e";

pub struct Api {
    pub server: MockServer,
    pub config_dir: tempfile::TempDir,
}

impl Api {
    pub fn start() -> Self {
        Self {
            server: MockServer::start(),
            config_dir: tempfile::tempdir().unwrap(),
        }
    }

    /// `kinbox ARGS` with `KINBOX_TOKEN` set and the mock as base URL.
    pub fn kinbox(&self, args: &[&str]) -> Command {
        let mut cmd = self.kinbox_without_token(args);
        cmd.env("KINBOX_TOKEN", TOKEN);
        cmd
    }

    /// `kinbox ARGS` with the mock as base URL, an empty config directory and
    /// no token in the environment.
    pub fn kinbox_without_token(&self, args: &[&str]) -> Command {
        let mut cmd = kinbox(args);
        cmd.env("KINBOX_BASE_URL", self.server.base_url())
            .env("KINBOX_CONFIG_DIR", self.config_dir.path());
        cmd
    }

    /// Answers 500 to anything: a test that expects no request asserts it
    /// got 0 hits.
    pub fn catch_all(&self) -> Mock<'_> {
        self.server.mock(|_, then| {
            then.status(500).body("unexpected request");
        })
    }

    pub fn config_path(&self) -> std::path::PathBuf {
        self.config_dir.path().join("credentials.toml")
    }
}

/// `kinbox ARGS` with a clean environment: no token, no profile, no base URL.
pub fn kinbox(args: &[&str]) -> Command {
    let mut cmd = Command::cargo_bin("kinbox").unwrap();
    for var in [
        "KINBOX_TOKEN",
        "KINBOX_PROFILE",
        "KINBOX_BASE_URL",
        "KINBOX_CONFIG_DIR",
        "COLUMNS",
        "RUST_LOG",
    ] {
        cmd.env_remove(var);
    }
    // A machine in UTC, as servers and CI are: tables still show dates in
    // Brasília time (kinbox's own zone, not the machine's).
    cmd.env("TZ", "UTC").args(args);
    cmd
}

pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs a `Command` or a `&mut Command` to completion.
pub fn run<C: std::borrow::BorrowMut<Command>>(mut cmd: C) -> Output {
    let output = cmd.borrow_mut().output().unwrap();
    Output {
        code: output.status.code().expect("kinbox exited by a signal"),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

pub fn write(dir: &Path, name: &str, contents: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path.to_str().unwrap().to_owned()
}

pub fn deal(id: &str, name: &str) -> types::Deal {
    serde_json::from_value(json!({
        "id": id,
        "name": name,
        "value": 1890.5,
        "status": "open",
        "pipelineId": "pipe-1",
        "stageId": "stage-1",
        "customFields": {"cpf": {"value": "060.715.303-54", "type": "text"}},
        "contact": {"id": 123456},
        "dueDate": "2024-05-31T21:00:00Z",
        "createdAt": "2024-05-01T12:00:00Z"
    }))
    .unwrap()
}

/// A pipeline whose stages are `stage-1`, `stage-2`… named `stages`.
pub fn pipeline(id: &str, name: &str, stages: &[&str], lost_reasons: &[&str]) -> serde_json::Value {
    json!({
        "id": id,
        "name": name,
        "position": 1.0,
        "stages": stages.iter().enumerate().map(|(i, stage)| json!({
            "id": format!("{id}-stage-{}", i + 1), "name": stage, "color": "#cccccc",
            "requireds": []
        })).collect::<Vec<_>>(),
        "rules": [],
        "lostReasons": lost_reasons,
    })
}

/// The seeded workspace of the tests: pipelines "Vendas" and "Pós-venda".
pub fn pipelines() -> serde_json::Value {
    json!([
        pipeline(
            "pipe-1",
            "Vendas",
            &["Prospecção", "Proposta", "Negociação", "Fechamento"],
            &["Preço", "Prazo", "Sem retorno"],
        ),
        pipeline("pipe-2", "Pós-venda", &["Onboarding", "Proposta"], &[]),
    ])
}

pub fn error_body(message: &str) -> types::Error {
    serde_json::from_value(json!({"message": message})).unwrap()
}

pub fn bearer() -> String {
    format!("Bearer {TOKEN}")
}

/// `insta::assert_snapshot!` into `kinbox-cli/tests/snapshots/NAME.snap`.
#[macro_export]
macro_rules! snap {
    ($name:expr, $value:expr) => {{
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path("../snapshots");
        settings.set_prepend_module_to_snapshot(false);
        settings.bind(|| insta::assert_snapshot!($name, $value));
    }};
}
