//! What went wrong, and the exit status it maps to.

use std::process::ExitCode;
use std::sync::OnceLock;

use kinbox_api::server_text::{Redactor, escape_controls};
use kinbox_api::{KinboxError, OperationError, Token};

/// The token of this run, taken out of every message printed (see
/// [`CliError::report`]); servers echo tokens back.
static SECRET: OnceLock<Redactor> = OnceLock::new();

/// Registers the token this run sends, so that no message prints it.
pub fn redact_from_output(token: &Token) {
    let _ = SECRET.set(Redactor::new(token.expose()));
}

/// `text` as it may reach the terminal: without the token, and with control
/// characters escaped but for our own line breaks.
pub fn printable(text: &str) -> String {
    let redacted = match SECRET.get() {
        Some(redactor) => redactor.redact(text),
        None => text.into(),
    };
    redacted
        .split('\n')
        .map(|line| escape_controls(line).into_owned())
        .collect::<Vec<_>>()
        .join("\n")
}

/// A failed command. Its message is printed to stderr after `error: `.
#[derive(Debug)]
pub enum CliError {
    /// The command line, a flag's value or the JSON body is wrong; nothing was
    /// sent. Exit status 2.
    Usage(String),
    /// The API refused the request, could not be reached, or no token is
    /// available. Exit status 1.
    Failure(String),
    /// A write was sent but its answer was lost: it may have been applied.
    /// Exit status 3.
    OutcomeUnknown(String),
    /// `auth status` could not check the token: the API could not be reached
    /// or failed. Exit status 4.
    Unchecked(String),
    /// stdout was closed (`kinbox deals list --all | head`): stop quietly.
    BrokenPipe,
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
        }
    }

    /// Prints the error to stderr, in the style of cargo and clap, without
    /// the token or raw control characters, whatever the server said.
    pub fn report(&self) {
        match self {
            CliError::Usage(message) => eprintln!(
                "error: {}\n\nFor more information, try '--help'.",
                printable(message)
            ),
            CliError::Failure(message)
            | CliError::OutcomeUnknown(message)
            | CliError::Unchecked(message) => {
                eprintln!("error: {}", printable(message))
            }
            CliError::BrokenPipe => {}
        }
    }

    /// Interprets an error of the generated command code: a failed API call,
    /// one of our request hooks, or a JSON body that does not fit the
    /// operation.
    pub fn from_generated(error: anyhow::Error) -> Self {
        let error = match error.downcast::<OperationError>() {
            Ok(error) => return KinboxError::from(error).into(),
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
            return crate::request_body::does_not_fit(json);
        }
        CliError::Usage(format!("{error:#}"))
    }
}

impl std::fmt::Display for CliError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CliError::Usage(message)
            | CliError::Failure(message)
            | CliError::OutcomeUnknown(message)
            | CliError::Unchecked(message) => f.write_str(message),
            CliError::BrokenPipe => f.write_str("broken pipe"),
        }
    }
}

impl std::error::Error for CliError {}

impl From<KinboxError> for CliError {
    fn from(error: KinboxError) -> Self {
        match error {
            // Caught by the SDK before sending, e.g. a required field missing.
            KinboxError::InvalidRequest(_) => CliError::Usage(error.to_string()),
            KinboxError::OutcomeUnknown { .. } => CliError::OutcomeUnknown(error.to_string()),
            error => CliError::Failure(error.to_string()),
        }
    }
}

impl From<std::io::Error> for CliError {
    fn from(error: std::io::Error) -> Self {
        if error.kind() == std::io::ErrorKind::BrokenPipe {
            CliError::BrokenPipe
        } else {
            CliError::Failure(format!("cannot write the output: {error}"))
        }
    }
}
