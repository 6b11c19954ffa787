//! `kinbox man [COMMAND…]`: the manual page of a command, rendered from the
//! command tree by clap_mangen (the same text as `--help`, laid out for
//! `man`); `kinbox man --dir DIR` writes every page, to install them.

use std::io::{IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};

use clap::{Arg, ArgAction, ArgMatches, Command, value_parser};

use crate::CliError;

pub fn command() -> Command {
    Command::new("man")
        .about("Show the manual page of kinbox or of a command, or install them all")
        .long_about(
            "Show the manual page of kinbox or of a command (e.g. kinbox man deals create): \
             with man on a terminal, else as roff on stdout. With --dir, write the pages of \
             every command to DIR (kinbox.1, kinbox-deals-create.1…) instead.",
        )
        .arg(
            Arg::new("command")
                .value_name("COMMAND")
                .num_args(0..)
                .action(ArgAction::Append)
                .help("The command whose page to show, e.g. deals create [default: kinbox]"),
        )
        .arg(
            Arg::new("dir")
                .long("dir")
                .value_name("DIR")
                .value_parser(value_parser!(PathBuf))
                .conflicts_with("command")
                .help("Write every page to DIR instead, e.g. ~/.local/share/man/man1"),
        )
        .after_help(
            "Examples:\n  \
             kinbox man deals create\n  \
             kinbox man --dir ~/.local/share/man/man1 && man kinbox-deals-import",
        )
}

pub fn run(root: &Command, matches: &ArgMatches) -> Result<(), CliError> {
    let mut root = root.clone();
    root.build();
    if let Some(dir) = matches.get_one::<PathBuf>("dir") {
        let written = write_all(&root, dir)?;
        eprintln!(
            "wrote {} manual pages to {}; read them with `man kinbox` when {} is in MANPATH \
             (or under a man1 directory of it)",
            written.len(),
            dir.display(),
            dir.display()
        );
        return Ok(());
    }
    let words: Vec<&String> = matches
        .get_many::<String>("command")
        .into_iter()
        .flatten()
        .collect();
    let mut cmd = &root;
    let mut name = String::from("kinbox");
    for word in &words {
        cmd = cmd.find_subcommand(word.as_str()).ok_or_else(|| {
            CliError::usage(format!(
                "`{name} {word}` is not a command: see `{name} --help` for those there are"
            ))
        })?;
        name = format!("{name} {}", cmd.get_name());
    }
    let page = render(cmd, &name.replace(' ', "-"))?;
    if std::io::stdout().is_terminal() && show(&page).is_ok() {
        return Ok(());
    }
    let mut out = std::io::stdout().lock();
    out.write_all(&page)?;
    out.flush()?;
    Ok(())
}

/// The page of `cmd`, named `name` (`kinbox-deals-create`).
pub fn render(cmd: &Command, name: &str) -> Result<Vec<u8>, CliError> {
    let mut page = Vec::new();
    clap_mangen::Man::new(cmd.clone().name(name.to_owned()))
        .render(&mut page)
        .map_err(|e| CliError::failure(format!("cannot render the manual page of {name}: {e}")))?;
    Ok(page)
}

/// Writes the page of `root` (`kinbox.1`) and of each of its commands
/// (`kinbox-deals-create.1`…) to `dir`; returns their paths.
pub fn write_all(root: &Command, dir: &Path) -> Result<Vec<PathBuf>, CliError> {
    std::fs::create_dir_all(dir)
        .map_err(|e| CliError::failure(format!("cannot create {}: {e}", dir.display())))?;
    let mut written = Vec::new();
    write_pages(root, "kinbox", dir, &mut written)?;
    Ok(written)
}

fn write_pages(
    cmd: &Command,
    name: &str,
    dir: &Path,
    written: &mut Vec<PathBuf>,
) -> Result<(), CliError> {
    let path = dir.join(format!("{name}.1"));
    std::fs::write(&path, render(cmd, name)?)
        .map_err(|e| CliError::failure(format!("cannot write {}: {e}", path.display())))?;
    written.push(path);
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        write_pages(sub, &format!("{name}-{}", sub.get_name()), dir, written)?;
    }
    Ok(())
}

/// Shows `page` with `man` (a page given by its path is read as a file, by
/// man-db and BSD man alike).
fn show(page: &[u8]) -> std::io::Result<()> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("kinbox.1");
    std::fs::write(&path, page)?;
    let status = std::process::Command::new("man").arg(&path).status()?;
    match status.success() {
        true => Ok(()),
        false => Err(std::io::Error::other("man failed")),
    }
}
