//! What the benches share: a `kinbox sandbox` process of their own.

use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStdout, Command, Stdio};

/// The token the benches' sandboxes accept.
pub const TOKEN: &str = "bench-token";

/// A fresh `kinbox sandbox` on a free port; killed when dropped.
pub struct SandboxProcess {
    child: Child,
    /// Kept open: the sandbox may write more, and must not meet a closed pipe.
    _stdout: BufReader<ChildStdout>,
    pub base_url: String,
}

impl SandboxProcess {
    pub fn start() -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_kinbox"))
            .args(["sandbox", "--port", "0", "--token", TOKEN])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("kinbox sandbox starts");
        let mut stdout = BufReader::new(child.stdout.take().expect("piped"));
        let mut first = String::new();
        stdout
            .read_line(&mut first)
            .expect("the sandbox prints its URL");
        let base_url = first
            .trim()
            .strip_prefix("KINBOX_BASE_URL=")
            .unwrap_or_else(|| panic!("not the sandbox's URL: {first:?}"))
            .to_owned();
        Self {
            child,
            _stdout: stdout,
            base_url,
        }
    }
}

impl Drop for SandboxProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
