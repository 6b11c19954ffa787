//! The commands written by hand, each registered once with where it sits in
//! the tree, its parser and its handler (as oxide.rs's `add_custom`):
//! [`tree`](crate::app::tree) adds them to the tree and
//! [`dispatch`](crate::app::dispatch) runs them from this list.

use std::future::Future;
use std::pin::Pin;

use clap::{ArgMatches, Command};

use crate::CliError;
use crate::config::context::Context;
use crate::generated_cli::CliCommand;
use crate::resources;

/// What a handler gets.
pub struct Invocation<'a> {
    pub context: &'a Context,
    /// The whole command tree (for `man`).
    pub root: &'a Command,
    /// The matches of this command.
    pub matches: &'a ArgMatches,
}

pub type Outcome<'a> = Pin<Box<dyn Future<Output = Result<(), CliError>> + 'a>>;

/// One hand-written command.
pub struct Handwritten {
    /// Its name, as its command says (checked by a test).
    pub name: &'static str,
    /// The resource it belongs to (`kinbox deals move`), or `None` for a
    /// command of its own (`kinbox auth`).
    pub parent: Option<&'static str>,
    pub command: fn() -> Command,
    pub run: for<'a> fn(&'a Invocation<'a>) -> Outcome<'a>,
    /// What it prints on stdout, which decides whether it takes the output
    /// options (`-o`, `--json`, `--jq`, `--template`).
    pub prints: Prints,
}

/// What a command prints on stdout.
#[derive(Clone, Copy, Debug)]
pub enum Prints {
    /// The answer of this operation: `--json` takes its fields.
    AnswerOf(CliCommand),
    /// An answer of any shape (`kinbox api`).
    AnyAnswer,
    /// Nothing the output options could shape (a report, a script, a
    /// server's log): they are not offered.
    Other,
}

/// Every hand-written command.
pub fn all() -> Vec<Handwritten> {
    let all = vec![
        Handwritten {
            name: "move",
            parent: Some(resources::deals::RESOURCE.name),
            command: crate::commands::deals::r#move::command,
            run: |i| Box::pin(crate::commands::deals::r#move::run(i.context, i.matches)),
            prints: Prints::AnswerOf(CliCommand::UpdateDeal),
        },
        Handwritten {
            name: "win",
            parent: Some(resources::deals::RESOURCE.name),
            command: crate::commands::deals::close::win_command,
            run: |i| Box::pin(crate::commands::deals::close::run_win(i.context, i.matches)),
            prints: Prints::AnswerOf(CliCommand::UpdateDeal),
        },
        Handwritten {
            name: "lose",
            parent: Some(resources::deals::RESOURCE.name),
            command: crate::commands::deals::close::lose_command,
            run: |i| {
                Box::pin(crate::commands::deals::close::run_lose(
                    i.context, i.matches,
                ))
            },
            prints: Prints::AnswerOf(CliCommand::UpdateDeal),
        },
        Handwritten {
            name: "reopen",
            parent: Some(resources::deals::RESOURCE.name),
            command: crate::commands::deals::close::reopen_command,
            run: |i| {
                Box::pin(crate::commands::deals::close::run_reopen(
                    i.context, i.matches,
                ))
            },
            prints: Prints::AnswerOf(CliCommand::UpdateDeal),
        },
        Handwritten {
            name: "import",
            parent: Some(resources::deals::RESOURCE.name),
            command: crate::commands::deals::import::command,
            run: |i| Box::pin(crate::commands::deals::import::run(i.context, i.matches)),
            prints: Prints::Other,
        },
        Handwritten {
            name: "api",
            parent: None,
            command: crate::commands::api::command,
            run: |i| Box::pin(crate::commands::api::run(i.context, i.matches)),
            prints: Prints::AnyAnswer,
        },
        Handwritten {
            name: "mcp",
            parent: None,
            command: crate::commands::mcp::command,
            run: |i| Box::pin(crate::commands::mcp::run(i.context, i.matches)),
            prints: Prints::Other,
        },
        Handwritten {
            name: "auth",
            parent: None,
            command: crate::commands::auth::command,
            run: |i| Box::pin(crate::commands::auth::run(i.context, i.matches)),
            prints: Prints::Other,
        },
        Handwritten {
            name: "completion",
            parent: None,
            command: crate::commands::completion::command,
            run: |i| Box::pin(async move { crate::commands::completion::run(i.matches) }),
            prints: Prints::Other,
        },
        Handwritten {
            name: "man",
            parent: None,
            command: crate::commands::man::command,
            run: |i| Box::pin(async move { crate::commands::man::run(i.root, i.matches) }),
            prints: Prints::Other,
        },
    ];
    #[cfg(feature = "sandbox")]
    let all = {
        let mut all = all;
        all.push(Handwritten {
            name: "sandbox",
            parent: None,
            command: crate::commands::sandbox::command,
            run: |i| Box::pin(crate::commands::sandbox::run(i.matches)),
            prints: Prints::Other,
        });
        all
    };
    all
}

#[cfg(test)]
mod tests {
    #[test]
    fn each_name_is_its_commands() {
        for handwritten in super::all() {
            assert_eq!((handwritten.command)().get_name(), handwritten.name);
        }
    }
}
