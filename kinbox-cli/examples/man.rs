//! Writes the man pages of `kinbox` (kinbox.1, kinbox-deals-create.1, …) to
//! the directory given as argument. Run by `cargo xtask man`.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

fn main() -> Result<()> {
    let dir = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .context("usage: man DIR")?;
    render(&dir)
}

fn render(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut root = kinbox_cli::command();
    root.build();
    let mut written = Vec::new();
    write_man_pages(&root, "kinbox", dir, &mut written)?;
    println!("wrote {} man pages to {}", written.len(), dir.display());
    Ok(())
}

fn write_man_pages(
    cmd: &clap::Command,
    name: &str,
    dir: &Path,
    written: &mut Vec<PathBuf>,
) -> Result<()> {
    let page = cmd.clone().name(name.to_owned());
    let path = dir.join(format!("{name}.1"));
    let mut text = Vec::new();
    clap_mangen::Man::new(page)
        .render(&mut text)
        .with_context(|| format!("cannot render the man page of {name}"))?;
    std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
    written.push(path);
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        write_man_pages(sub, &format!("{name}-{}", sub.get_name()), dir, written)?;
    }
    Ok(())
}
