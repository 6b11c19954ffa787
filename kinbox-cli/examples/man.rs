//! Writes the man pages of `kinbox` (kinbox.1, kinbox-deals-create.1, …) to
//! the directory given as argument, as `kinbox man --dir DIR` does. Run by
//! `cargo xtask man`.

use std::path::PathBuf;

use anyhow::{Context, Result};

fn main() -> Result<()> {
    let dir = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .context("usage: man DIR")?;
    let written = kinbox_cli::write_man_pages(&dir)?;
    println!("wrote {} man pages to {}", written.len(), dir.display());
    Ok(())
}
