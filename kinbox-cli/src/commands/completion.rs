//! `kinbox completion <SHELL>`: the script that makes a shell complete
//! `kinbox`'s commands, flags and values by asking `kinbox` itself
//! (clap_complete's dynamic completion: the shell runs `KINBOX_COMPLETE=<shell>
//! kinbox -- <words>`, answered in [`crate::main`]). Pipeline and stage
//! names (`--pipeline`, `--stage`) are read from the API, with the profile
//! the command line names and a short timeout; any failure completes
//! nothing, silently.

use std::ffi::{OsStr, OsString};
use std::time::Duration;

use clap::{Arg, ArgMatches, Command, value_parser};
use clap_complete::engine::{ArgValueCompleter, CompletionCandidate};
use clap_complete::env::Shells;
use clap_complete::{CompleteEnv, Shell};

use crate::CliError;
use crate::config::context::Context;
use crate::config::global::{self, Globals};

/// The environment variable that asks `kinbox` for completions: its own,
/// not clap's shared `COMPLETE`, which another tool's setup may leave set.
const VAR: &str = "KINBOX_COMPLETE";
/// How long a completion may wait for the API.
const TIMEOUT: Duration = Duration::from_secs(2);

pub fn command() -> Command {
    Command::new("completion")
        .about("Print the shell script that completes kinbox's commands, flags and names")
        .long_about(
            "Print the shell script that completes kinbox's commands, flags and values, \
             pipeline and stage names too (--pipeline, --stage: read from the API with the \
             profile and base URL the command line names, waiting at most 2 s, and nothing \
             is completed when that fails).\n\n\
             The script asks kinbox for each completion, so it follows kinbox's upgrades; \
             load it when the shell starts, as below.",
        )
        .arg(
            Arg::new("shell")
                .value_name("SHELL")
                .required(true)
                .value_parser(value_parser!(Shell))
                .help("The shell to complete for"),
        )
        .after_help(INSTALL)
}

const INSTALL: &str = "\
Install (then open a new shell):
  bash        echo 'source <(kinbox completion bash)' >> ~/.bashrc
  zsh         echo 'source <(kinbox completion zsh)' >> ~/.zshrc
              (after `compinit`; oh-my-zsh users: at the end of ~/.zshrc)
  fish        kinbox completion fish > ~/.config/fish/completions/kinbox.fish
  elvish      echo 'eval (kinbox completion elvish | slurp)' >> ~/.config/elvish/rc.elv
  powershell  Add-Content $PROFILE 'kinbox completion powershell | Out-String | Invoke-Expression'

Try it: kinbox deals create --pipeline <TAB>";

pub fn run(matches: &ArgMatches) -> Result<(), CliError> {
    let shell = *matches
        .get_one::<Shell>("shell")
        .expect("SHELL is a required argument");
    let shells = Shells::builtins();
    let completer = shells
        .completer(&shell.to_string())
        .ok_or_else(|| CliError::failure(format!("no completion for {shell}")))?;
    let mut out = Vec::new();
    completer.write_registration(VAR, "kinbox", "kinbox", "kinbox", &mut out)?;
    std::io::Write::write_all(&mut std::io::stdout().lock(), &out)?;
    Ok(())
}

/// Answers the shell when it asks for completions (`KINBOX_COMPLETE` is set), and
/// exits; does nothing otherwise.
pub fn answer_the_shell(factory: fn() -> Command) {
    CompleteEnv::with_factory(factory).var(VAR).complete();
}

/// What a flag's value is completed with.
#[derive(Clone, Copy, Debug)]
pub enum Names {
    Pipelines,
    /// The stages of the pipeline the command line names, else of all.
    Stages,
}

/// `arg`, its values completed with the names of `names`.
pub fn complete_names(arg: Arg, names: Names) -> Arg {
    arg.add(ArgValueCompleter::new(move |current: &OsStr| {
        candidates(names, current)
    }))
}

fn candidates(names: Names, current: &OsStr) -> Vec<CompletionCandidate> {
    let typed = current.to_string_lossy().to_lowercase();
    let words: Vec<OsString> = std::env::args_os().collect();
    fetch(names, &words)
        .unwrap_or_default()
        .into_iter()
        // A server's name goes to the shell: one with a control character
        // (a line break, an escape) would split or print as something else,
        // and cannot be typed anyway.
        .filter(|name| !name.chars().any(char::is_control))
        .filter(|name| name.to_lowercase().starts_with(&typed))
        .map(CompletionCandidate::new)
        .collect()
}

/// The names, read with the profile and base URL the words being completed
/// name (`--profile`, `--base-url`, or their environment variables).
fn fetch(names: Names, words: &[OsString]) -> Option<Vec<String>> {
    let mut globals = globals_of(words)?;
    globals.timeout = TIMEOUT;
    globals.retries = 0;
    let context = Context::new(globals);
    let client = context.client().ok()?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .ok()?;
    let pipelines = runtime.block_on(async {
        tokio::time::timeout(TIMEOUT, crate::resolve::pipelines(&client))
            .await
            .ok()?
            .ok()
    })?;
    let named = flag_value(words, "pipeline");
    let id = flag_value(words, "pipeline-id");
    let mut found: Vec<String> = match names {
        Names::Pipelines => pipelines.iter().map(|p| p.name.clone()).collect(),
        Names::Stages => pipelines
            .iter()
            .filter(|p| {
                named
                    .as_deref()
                    .is_none_or(|n| p.name.to_lowercase() == n.to_lowercase())
                    && id.as_deref().is_none_or(|id| p.id == id)
            })
            .flat_map(|p| p.stages.iter().map(|s| s.name.clone()))
            .collect(),
    };
    found.sort();
    found.dedup();
    Some(found)
}

/// The global options among the words being completed, read as a command
/// would read them (environment variables too).
fn globals_of(words: &[OsString]) -> Option<Globals> {
    let mut argv = vec![OsString::from("kinbox")];
    for flag in ["profile", "base-url"] {
        if let Some(value) = flag_value(words, flag) {
            argv.push(format!("--{flag}").into());
            argv.push(value.into());
        }
    }
    let matches = Command::new("kinbox")
        .args(global::args())
        .try_get_matches_from(argv)
        .ok()?;
    Globals::from_matches(&matches).ok()
}

/// The last value of `--FLAG VALUE` or `--FLAG=VALUE` among `words`.
fn flag_value(words: &[OsString], flag: &str) -> Option<String> {
    let long = format!("--{flag}");
    let with_equals = format!("--{flag}=");
    let mut found = None;
    let mut words = words.iter().map(|w| w.to_string_lossy());
    while let Some(word) = words.next() {
        if word == long {
            found = words.next().map(|v| v.into_owned());
        } else if let Some(value) = word.strip_prefix(&with_equals) {
            found = Some(value.to_owned());
        }
    }
    found.filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_are_read_in_both_forms_the_last_winning() {
        let words: Vec<OsString> = [
            "kinbox",
            "deals",
            "create",
            "--pipeline",
            "Vendas",
            "--profile=loja",
            "--pipeline=Pós-venda",
            "--stage",
        ]
        .map(OsString::from)
        .to_vec();
        assert_eq!(flag_value(&words, "pipeline").as_deref(), Some("Pós-venda"));
        assert_eq!(flag_value(&words, "profile").as_deref(), Some("loja"));
        assert_eq!(flag_value(&words, "stage"), None);
        assert_eq!(flag_value(&words, "base-url"), None);
    }
}
