//! The commands written by hand, each registered once with where it sits in
//! the tree, its parser and its handler (as oxide.rs's `add_custom`):
//! `cli_builder` adds them to the tree and dispatches to them from this list.

use std::future::Future;
use std::pin::Pin;

use clap::{ArgMatches, Command};

use crate::CliError;
use crate::context::Context;

/// What a handler gets.
pub struct Invocation<'a> {
    pub context: &'a Context,
    /// The whole command tree (for `completion`).
    pub root: &'a Command,
    /// The matches of this command.
    pub matches: &'a ArgMatches,
}

pub type Outcome<'a> = Pin<Box<dyn Future<Output = Result<(), CliError>> + 'a>>;

/// One hand-written command.
pub struct Custom {
    /// Its name, as its command says (checked by a test).
    pub name: &'static str,
    /// The resource it belongs to (`kinbox deals move`), or `None` for a
    /// command of its own (`kinbox auth`).
    pub parent: Option<&'static str>,
    pub command: fn() -> Command,
    pub run: for<'a> fn(&'a Invocation<'a>) -> Outcome<'a>,
}

/// Every hand-written command.
pub fn all() -> Vec<Custom> {
    let all = vec![
        Custom {
            name: "move",
            parent: Some("deals"),
            command: crate::cmd_move::command,
            run: |i| Box::pin(crate::cmd_move::run(i.context, i.matches)),
        },
        Custom {
            name: "win",
            parent: Some("deals"),
            command: crate::cmd_close::win_command,
            run: |i| Box::pin(crate::cmd_close::run_win(i.context, i.matches)),
        },
        Custom {
            name: "lose",
            parent: Some("deals"),
            command: crate::cmd_close::lose_command,
            run: |i| Box::pin(crate::cmd_close::run_lose(i.context, i.matches)),
        },
        Custom {
            name: "reopen",
            parent: Some("deals"),
            command: crate::cmd_close::reopen_command,
            run: |i| Box::pin(crate::cmd_close::run_reopen(i.context, i.matches)),
        },
        Custom {
            name: "import",
            parent: Some("deals"),
            command: crate::cmd_import::command,
            run: |i| Box::pin(crate::cmd_import::run(i.context, i.matches)),
        },
        Custom {
            name: "api",
            parent: None,
            command: crate::cmd_api::command,
            run: |i| Box::pin(crate::cmd_api::run(i.context, i.matches)),
        },
        Custom {
            name: "auth",
            parent: None,
            command: crate::cmd_auth::command,
            run: |i| Box::pin(crate::cmd_auth::run(i.context, i.matches)),
        },
        Custom {
            name: "completion",
            parent: None,
            command: crate::cmd_completion::command,
            run: |i| Box::pin(async move { crate::cmd_completion::run(i.root, i.matches) }),
        },
    ];
    #[cfg(feature = "sandbox")]
    let all = {
        let mut all = all;
        all.push(Custom {
            name: "sandbox",
            parent: None,
            command: crate::cmd_sandbox::command,
            run: |i| Box::pin(crate::cmd_sandbox::run(i.matches)),
        });
        all
    };
    all
}

#[cfg(test)]
mod tests {
    #[test]
    fn each_name_is_its_commands() {
        for custom in super::all() {
            assert_eq!((custom.command)().get_name(), custom.name);
        }
    }
}
