//! `kinbox`, the command line tool for the Kinbox CRM API.
//!
//! Every operation of `openapi/kinbox.yaml` is a command, built by progenitor
//! (`generated_cli.rs`) and described in `resources/` (its words, examples
//! and columns). The hand-written code is laid out by layer, each using only
//! those listed after it:
//!
//! - `app/`: the command tree, what runs a command, the generated commands'
//!   hooks, the registry of hand-written commands, `--all`;
//! - `commands/`: the hand-written commands (`api`, `auth`, `completion`,
//!   `man`, `sandbox`, and `deals/`: `move`, `win`/`lose`/`reopen`, `import`, the
//!   names `deals create`, `list` and `update` take);
//! - `lookup/`: objects found by name, read before the write;
//! - `output/`: printing, columns, `--jq`, the import's progress bar;
//! - `config/`: global options, profiles and credentials, the one resolver
//!   of token and base URL;
//! - `input/`: flag values and request bodies, over the `kinbox-input`
//!   crate;
//! - `resources/`: one table of what the CLI says of each operation, a file
//!   per resource;
//! - `error.rs`: exit statuses, redaction, and how to check a write whose
//!   answer was lost.

#[rustfmt::skip]
#[allow(
    dead_code,
    unused_imports,
    unused_variables,
    clippy::all,
    clippy::pedantic
)]
mod generated_cli;

mod app;
mod commands;
pub mod config;
mod error;
mod input;
mod lookup;
mod output;
mod resources;

/// The naming table (operation → `kinbox <resource> <verb>`), for tests
/// that hold every operation of the spec to a command.
pub use app::words;

// What people type, turned into typed requests: the library the import,
// these commands and any other front end share.
use kinbox_input::{file as import_file, lookup as resolve, matching, row as import_row};

use std::ffi::OsString;
use std::process::ExitCode;

pub use app::tree::command;
pub use error::CliError;

/// A panic's message can hold anything a value held, the token included:
/// only where it happened is printed.
fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        eprintln!("{}", panic_report(info.location()));
    }));
}

fn panic_report(location: Option<&std::panic::Location<'_>>) -> String {
    let place = location
        .map(|l| format!(" at {}:{}", l.file(), l.line()))
        .unwrap_or_default();
    format!(
        "error: kinbox stopped on an internal error{place}. This is a bug: please report it with \
         the command you ran (its message is withheld here, since it could hold the token)"
    )
}

/// Writes the manual page of every command to `dir` (`kinbox.1`,
/// `kinbox-deals-create.1`…), as `kinbox man --dir` does; returns their paths.
pub fn write_man_pages(dir: &std::path::Path) -> Result<Vec<std::path::PathBuf>, CliError> {
    let mut root = app::tree::command();
    root.build();
    commands::man::write_all(&root, dir)
}

/// Runs `kinbox` with the process's arguments.
pub fn main() -> ExitCode {
    // A shell asking for completions (`KINBOX_COMPLETE=bash kinbox -- …`) is
    // answered, and kinbox exits; otherwise this returns at once.
    commands::completion::answer_the_shell(app::tree::command);
    run(std::env::args_os())
}

/// Runs `kinbox` with `args` (the first one is the program name) and returns
/// its exit status: 0 success, 1 API, network or auth failure, 2 usage error.
pub fn run<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString>,
{
    install_panic_hook();
    let argv: Vec<OsString> = args.into_iter().map(Into::into).collect();
    // Date flags are read while the line is parsed, in the run's time zone.
    let zone = config::zone::Given::from_process(&argv);
    input::datetime::use_zone(move || zone.resolve());
    let mut root = app::tree::command();
    let matches = match root.try_get_matches_from_mut(&argv) {
        Ok(matches) => matches,
        Err(error) => {
            // Help and version go to stdout with status 0, errors to stderr
            // with status 2.
            let _ = error.print();
            return ExitCode::from(error.exit_code() as u8);
        }
    };
    if let Err(error) = output::init(&matches) {
        error.report();
        return error.exit_code();
    }
    let result = match config::global::Globals::from_matches(&matches) {
        Ok(globals) => {
            globals.init_tracing();
            let context = config::context::Context::new(globals);
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| CliError::failure(format!("cannot start the async runtime: {e}")))
                .and_then(|runtime| {
                    runtime.block_on(app::dispatch::dispatch(&root, &argv, &matches, &context))
                })
        }
        Err(error) => Err(error),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            error.report();
            error.exit_code()
        }
    }
}

impl From<kinbox_input::InputError> for CliError {
    fn from(error: kinbox_input::InputError) -> Self {
        use kinbox_input::InputError;
        match error {
            InputError::Invalid(message) => CliError::usage(message),
            InputError::Lookup { ref source, .. }
                if matches!(**source, kinbox_api::KinboxError::InvalidRequest(_)) =>
            {
                CliError::Usage(error.into())
            }
            error => CliError::Failure(error.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    /// The seeded proptest settings every property of the workspace uses.
    pub use kinbox_input::proptest_config;

    #[test]
    fn a_panic_report_says_where_and_holds_nothing_else() {
        let report = super::panic_report(Some(std::panic::Location::caller()));
        assert!(report.contains("kinbox-cli/src/lib.rs:"), "{report}");
        assert!(report.starts_with("error: kinbox stopped on an internal error at "));
    }
}
