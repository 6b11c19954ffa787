//! `kinbox completion <SHELL>`: a completion script on stdout.

use clap::{Arg, ArgMatches, Command, value_parser};
use clap_complete::Shell;

use crate::CliError;

pub fn command() -> Command {
    Command::new("completion")
        .about("Print a shell completion script")
        .arg(
            Arg::new("shell")
                .value_name("SHELL")
                .required(true)
                .value_parser(value_parser!(Shell))
                .help("The shell to complete for"),
        )
        .after_help(
            "Examples:\n  \
             kinbox completion bash > ~/.local/share/bash-completion/completions/kinbox\n  \
             kinbox completion zsh > \"${fpath[1]}/_kinbox\"\n  \
             kinbox completion fish > ~/.config/fish/completions/kinbox.fish\n  \
             kinbox completion powershell >> $PROFILE",
        )
}

pub fn run(root: &Command, matches: &ArgMatches) -> Result<(), CliError> {
    let shell = *matches
        .get_one::<Shell>("shell")
        .expect("SHELL is a required argument");
    let mut root = root.clone();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut root, "kinbox", &mut out);
    std::io::Write::write_all(&mut std::io::stdout().lock(), &out)?;
    Ok(())
}
