//! What went wrong, and the exit status it maps to.

use std::io::Write;
use std::process::ExitCode;
use std::sync::OnceLock;

use clap::{ArgMatches, Command};
use kinbox_api::server_text::{Redactor, escape_controls};
use kinbox_api::{KinboxError, Token};

/// The token of this run, taken out of every message printed (see
/// [`CliError::report`]); servers echo tokens back.
static SECRET: OnceLock<Redactor> = OnceLock::new();

/// Registers the token this run sends, so that no message prints it.
pub fn redact_from_output(token: &Token) {
    let _ = SECRET.set(Redactor::new(token.expose()));
}

/// `text` as it may reach the terminal: without the token, as written or in
/// JSON escapes, and with control characters escaped but for our own line
/// breaks.
pub fn printable(text: &str) -> String {
    let redacted = match SECRET.get() {
        Some(redactor) => redactor.redact_text(text),
        None => text.into(),
    };
    redacted
        .split('\n')
        .map(|line| escape_controls(line).into_owned())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Where results are printed: stdout, without the token. The values printed
/// come from answers the SDK has already cleaned, but `--jq` and
/// `--template` can put the token together again from pieces a server sent
/// apart (`.a + .b`, `@base64d`, `fromjson`), so the text is checked as it
/// is written.
pub fn stdout() -> Redacting<std::io::StdoutLock<'static>> {
    Redacting::new(std::io::stdout().lock())
}

/// A writer that takes the token out of whole lines before passing them on:
/// a line is held until its end comes (or a flush), since one `writeln!`
/// writes in several pieces and the token could be split across two.
pub struct Redacting<W: Write> {
    inner: W,
    /// `None` before a token is known: then lines pass unheld.
    redactor: Option<Redactor>,
    pending: Vec<u8>,
}

impl<W: Write> Redacting<W> {
    /// Redacts the token of this run ([`redact_from_output`]).
    pub fn new(inner: W) -> Self {
        Self::with(inner, SECRET.get().cloned())
    }

    fn with(inner: W, redactor: Option<Redactor>) -> Self {
        Self {
            inner,
            redactor,
            pending: Vec::new(),
        }
    }

    fn pass_on(&mut self, end: usize) -> std::io::Result<()> {
        let text = String::from_utf8_lossy(&self.pending[..end]);
        match self.redactor.as_ref().map(|r| r.redact_text(&text)) {
            Some(std::borrow::Cow::Owned(redacted)) => self.inner.write_all(redacted.as_bytes()),
            _ => self.inner.write_all(&self.pending[..end]),
        }?;
        self.pending.drain(..end);
        Ok(())
    }
}

impl<W: Write> Write for Redacting<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.redactor.is_none() {
            return self.inner.write(buf);
        }
        self.pending.extend_from_slice(buf);
        if let Some(end) = self.pending.iter().rposition(|&b| b == b'\n') {
            self.pass_on(end + 1)?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.pass_on(self.pending.len())?;
        self.inner.flush()
    }
}

impl<W: Write> Drop for Redacting<W> {
    fn drop(&mut self) {
        // A last line without its end is not lost; an error here has no one
        // left to report to.
        if !self.pending.is_empty() {
            let _ = self.pass_on(self.pending.len());
        }
    }
}

/// A failed command: what happened, with its cause kept (an SDK error, an
/// I/O error, a clap error…), and by its variant, the exit status. The
/// message is printed to stderr after `error: `.
#[derive(Debug)]
pub enum CliError {
    /// The command line, a flag's value or the JSON body is wrong; nothing was
    /// sent. Exit status 2.
    Usage(anyhow::Error),
    /// The API refused the request, could not be reached, or no token is
    /// available. Exit status 1.
    Failure(anyhow::Error),
    /// A write was sent but its answer was lost: it may have been applied.
    /// Exit status 3.
    OutcomeUnknown(anyhow::Error),
    /// `auth status` could not check the token: the API could not be reached
    /// or failed. Exit status 4.
    Unchecked(anyhow::Error),
    /// stdout was closed (`kinbox deals list --all | head`): stop quietly.
    BrokenPipe,
    /// A command stopped part-way, with an exit status of its own, listed
    /// in its `--help` (the import's 5, API unreachable, and 130, Ctrl-C).
    Stopped(anyhow::Error, u8),
}

impl CliError {
    /// [`CliError::Usage`] with this message and no other cause.
    pub fn usage(
        message: impl std::fmt::Display + std::fmt::Debug + Send + Sync + 'static,
    ) -> Self {
        CliError::Usage(anyhow::Error::msg(message))
    }

    /// [`CliError::Failure`] with this message and no other cause.
    pub fn failure(
        message: impl std::fmt::Display + std::fmt::Debug + Send + Sync + 'static,
    ) -> Self {
        CliError::Failure(anyhow::Error::msg(message))
    }

    /// [`CliError::OutcomeUnknown`] with this message and no other cause.
    pub fn outcome_unknown(
        message: impl std::fmt::Display + std::fmt::Debug + Send + Sync + 'static,
    ) -> Self {
        CliError::OutcomeUnknown(anyhow::Error::msg(message))
    }

    /// [`CliError::Unchecked`] with this message and no other cause.
    pub fn unchecked(
        message: impl std::fmt::Display + std::fmt::Debug + Send + Sync + 'static,
    ) -> Self {
        CliError::Unchecked(anyhow::Error::msg(message))
    }
}

/// Exit status of [`CliError::OutcomeUnknown`].
pub const OUTCOME_UNKNOWN_EXIT: u8 = 3;

impl CliError {
    pub fn exit_code(&self) -> ExitCode {
        match self {
            CliError::Usage(_) => ExitCode::from(2),
            CliError::Failure(_) => ExitCode::from(1),
            CliError::OutcomeUnknown(_) => ExitCode::from(OUTCOME_UNKNOWN_EXIT),
            CliError::Unchecked(_) => ExitCode::from(4),
            CliError::BrokenPipe => ExitCode::SUCCESS,
            CliError::Stopped(_, code) => ExitCode::from(*code),
        }
    }

    /// Prints the error to stderr, in the style of cargo and clap, without
    /// the token or raw control characters, whatever the server said.
    pub fn report(&self) {
        match self {
            CliError::Usage(message) => eprintln!(
                "error: {}\n\nFor more information, try '--help'.",
                printable(&message.to_string())
            ),
            CliError::Failure(message)
            | CliError::OutcomeUnknown(message)
            | CliError::Unchecked(message)
            | CliError::Stopped(message, _) => {
                eprintln!("error: {}", printable(&message.to_string()))
            }
            CliError::BrokenPipe => {}
        }
    }

    /// Interprets an error of the generated command code: a failed API call,
    /// one of our request hooks, or a JSON body that does not fit the
    /// operation.
    pub fn from_generated(error: anyhow::Error) -> Self {
        let error = match error.downcast::<KinboxError>() {
            Ok(error) => return error.into(),
            Err(error) => error,
        };
        let error = match error.downcast::<CliError>() {
            Ok(error) => return error,
            Err(error) => error,
        };
        if let Some(json) = error
            .chain()
            .find_map(|cause| cause.downcast_ref::<serde_json::Error>())
        {
            return does_not_fit(json);
        }
        // Anything else stopped the generated code before it sent the
        // request (reading its body file): ours to fix, not the user's.
        CliError::Failure(error)
    }

    /// The error and its causes, as anyhow keeps them.
    pub fn cause(&self) -> Option<&anyhow::Error> {
        match self {
            CliError::Usage(error)
            | CliError::Failure(error)
            | CliError::OutcomeUnknown(error)
            | CliError::Unchecked(error)
            | CliError::Stopped(error, _) => Some(error),
            CliError::BrokenPipe => None,
        }
    }
}

/// A body that passed the spec's check but not the generated code's typed
/// parse.
pub fn does_not_fit(error: &serde_json::Error) -> CliError {
    let message = error.to_string();
    // Positions refer to the merged copy, not to the user's file.
    let message = message
        .rsplit_once(" at line ")
        .map_or(message.as_str(), |(head, _)| head);
    CliError::usage(format!(
        "the request body (--json-body with the flags applied) is not valid: {message}"
    ))
}

impl std::fmt::Display for CliError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.cause() {
            // The top message only: SDK and clap errors already say their
            // cause in it.
            Some(error) => write!(f, "{error}"),
            None => f.write_str("broken pipe"),
        }
    }
}

impl std::error::Error for CliError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.cause().and_then(|error| error.source())
    }
}

impl From<KinboxError> for CliError {
    fn from(error: KinboxError) -> Self {
        match error {
            // Caught by the SDK before sending, e.g. a required field missing.
            KinboxError::InvalidRequest(_) => CliError::Usage(error.into()),
            KinboxError::OutcomeUnknown { .. } => CliError::OutcomeUnknown(error.into()),
            error => CliError::Failure(error.into()),
        }
    }
}

impl From<std::io::Error> for CliError {
    fn from(error: std::io::Error) -> Self {
        if error.kind() == std::io::ErrorKind::BrokenPipe {
            CliError::BrokenPipe
        } else {
            // Printed is the top message only (see `Display`): it says the
            // cause too, which stays in the chain for whoever inspects it.
            let message = format!("cannot write the output: {error}");
            CliError::Failure(anyhow::Error::new(error).context(message))
        }
    }
}

/// What to run to learn whether a write whose answer was lost was applied:
/// for a create, the list filtered to what it would have made; otherwise,
/// the object itself.
pub fn how_to_check(
    root: &Command,
    resource: &str,
    verb: &str,
    matches: &ArgMatches,
    sent_at: chrono::DateTime<chrono::Utc>,
) -> String {
    let given = |id: &str| {
        matches
            .try_get_raw(id)
            .ok()
            .flatten()
            .and_then(|mut values| values.next())
            .map(|value| value.to_string_lossy().into_owned())
    };
    if verb == "create" {
        let list = root
            .find_subcommand(resource)
            .and_then(|r| r.find_subcommand("list"));
        let filters = |id: &str| list.is_some_and(|l| l.get_arguments().any(|a| a.get_id() == id));
        let mut command = format!("kinbox {resource} list");
        if filters("created-at-from") {
            // A minute early: the server's clock may be behind ours.
            let from = sent_at - chrono::Duration::minutes(1);
            command.push_str(&format!(
                " --created-at-from {}",
                from.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            ));
        }
        for filter in ["contact-id", "pipeline-id"] {
            if let Some(value) = given(filter).filter(|_| filters(filter)) {
                command.push_str(&format!(" --{filter} {value}"));
            }
        }
        return format!("look for it with `{command} -o table` before creating it again");
    }
    match given("id") {
        Some(id) => how_to_check_object(resource, &id),
        None => "check its state before sending it again".to_owned(),
    }
}

/// [`how_to_check`] for a write to one object.
pub fn how_to_check_object(resource: &str, id: &str) -> String {
    format!("see its state with `kinbox {resource} get {id}` before sending it again")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stdout_lines_lose_the_token_however_they_are_written() {
        let token = "kbx-unit-s3cr3t-9e2f";
        let mut out = Vec::new();
        {
            let mut writer = Redacting::with(&mut out, Some(Redactor::new(token)));
            // Split across writes, and in a JSON line with escapes.
            write!(writer, "{}", &token[..5]).unwrap();
            writeln!(writer, "{} plain", &token[5..]).unwrap();
            writeln!(writer, r#"{{"x":"\u006bbx-unit-s3cr3t-9e2f"}}"#).unwrap();
            write!(writer, "last {token}").unwrap();
        }
        let out = String::from_utf8(out).unwrap();
        assert_eq!(
            out,
            "<redacted> plain\n{\"x\":\"<redacted>\"}\nlast <redacted>"
        );
    }

    #[test]
    fn errors_keep_their_cause_and_their_exit_status() {
        let denied = std::io::Error::new(std::io::ErrorKind::PermissionDenied, "denied");
        let error = CliError::from(denied);
        assert!(matches!(error, CliError::Failure(_)));
        assert_eq!(error.exit_code(), ExitCode::from(1));
        assert_eq!(error.to_string(), "cannot write the output: denied");
        let cause = error.cause().expect("a failure has a cause");
        assert_eq!(
            cause
                .downcast_ref::<std::io::Error>()
                .map(std::io::Error::kind),
            Some(std::io::ErrorKind::PermissionDenied)
        );

        let refused = CliError::from(KinboxError::InvalidRequest("no name".to_owned()));
        assert_eq!(refused.exit_code(), ExitCode::from(2));
        assert!(
            refused
                .cause()
                .and_then(|cause| cause.downcast_ref::<KinboxError>())
                .is_some()
        );
    }
}
