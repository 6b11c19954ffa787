//! The per-user credentials file: one token (and optionally a base URL) per
//! named profile, in `credentials.toml`, readable by its owner only.
//!
//! ```toml
//! [profiles.default]
//! token = "…"
//!
//! [profiles.sandbox]
//! token = "…"
//! base_url = "http://127.0.0.1:8080"
//! tz = "UTC"
//! ```
//!
//! A profile is a host and its token: its token is only ever sent to its
//! `base_url` (the default API when absent), see `context::check_binding`.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::CliError;

/// Overrides the directory of `credentials.toml` (tests, several accounts).
pub const CONFIG_DIR_ENV: &str = "KINBOX_CONFIG_DIR";
/// Selects the profile when `--profile` is not given.
pub const PROFILE_ENV: &str = "KINBOX_PROFILE";
const FILE_NAME: &str = "credentials.toml";
/// How long a writer waits for another `kinbox` to finish writing the file:
/// each holds the lock for one read and one write, milliseconds.
const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// One stored account.
#[derive(Clone, Deserialize, Serialize)]
pub struct Profile {
    pub token: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_url: Option<String>,
    /// The time zone of dates typed and shown with this profile
    /// (`America/Sao_Paulo` when absent); `--tz` and `KINBOX_TZ` outrank it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tz: Option<String>,
}

impl std::fmt::Debug for Profile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Profile")
            .field("token", &"<redacted>")
            .field("base_url", &self.base_url)
            .field("tz", &self.tz)
            .finish()
    }
}

/// The contents of `credentials.toml`.
#[derive(Debug, Default, Deserialize, Serialize)]
pub struct Credentials {
    #[serde(default)]
    pub profiles: BTreeMap<String, Profile>,
}

/// `$KINBOX_CONFIG_DIR`, else the platform's per-user config directory
/// (`~/.config/kinbox` on Linux).
pub fn config_dir() -> Result<PathBuf, CliError> {
    if let Some(dir) = std::env::var_os(CONFIG_DIR_ENV).filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    dirs::config_dir()
        .map(|dir| dir.join("kinbox"))
        .ok_or_else(|| {
            CliError::failure(format!(
                "cannot find your config directory (is HOME set?); set {CONFIG_DIR_ENV}"
            ))
        })
}

pub fn credentials_path() -> Result<PathBuf, CliError> {
    Ok(config_dir()?.join(FILE_NAME))
}

impl Credentials {
    /// Reads `path`; a missing file is an empty one.
    pub fn load(path: &Path) -> Result<Self, CliError> {
        let file = match std::fs::File::open(path) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(e) => {
                return Err(CliError::failure(format!(
                    "cannot read {}: {e}",
                    path.display()
                )));
            }
        };
        let text = crate::input::limits::read_text(
            file,
            crate::input::limits::CREDENTIALS,
            &path.display().to_string(),
        )
        .map_err(CliError::failure)?;
        Self::parse(&text, path)
    }

    /// Reads the file's text; `path` is only named in messages, which never
    /// quote the file (it holds tokens).
    pub fn parse(text: &str, path: &Path) -> Result<Self, CliError> {
        toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|span| {
                    format!(
                        " (line {})",
                        text[..span.start.min(text.len())].lines().count().max(1)
                    )
                })
                .unwrap_or_default();
            CliError::failure(format!(
                "{}{line} is not a valid credentials file: {}; fix it or delete it and run \
                 `kinbox auth login` again",
                path.display(),
                without_quoted_values(e.message())
            ))
        })
    }

    /// Writes `path` whole: a new file, readable and writable by its owner
    /// only (0600), renamed over the old one so that a crash leaves either.
    /// Only under [`lock`], read after it was taken: else another process's
    /// write between this one's read and write is lost.
    pub fn save(&self, path: &Path) -> Result<(), CliError> {
        let fail = |what: &str, e: std::io::Error| {
            CliError::failure(format!("cannot {what} {}: {e}", path.display()))
        };
        let dir = path.parent().unwrap_or(Path::new("."));
        create_private_dir(dir).map_err(|e| fail("create the directory of", e))?;
        let text = toml::to_string(self)
            .map_err(|e| CliError::failure(format!("cannot encode the credentials: {e}")))?;
        let mut file = tempfile::Builder::new()
            .prefix(".credentials")
            .tempfile_in(dir)
            .map_err(|e| fail("write", e))?;
        // tempfile creates files with mode 0600 on Unix.
        file.write_all(text.as_bytes())
            .and_then(|()| file.as_file().sync_all())
            .map_err(|e| fail("write", e))?;
        file.persist(path).map_err(|e| fail("write", e.error))?;
        // The rename is durable only once the directory is.
        #[cfg(unix)]
        std::fs::File::open(dir)
            .and_then(|dir| dir.sync_all())
            .map_err(|e| fail("write", e))?;
        Ok(())
    }
}

/// Held while a process reads, changes and writes the credentials file;
/// released when dropped (or when the process ends, however it ends).
#[must_use = "the lock is released when dropped"]
pub struct Lock {
    _file: Option<std::fs::File>,
}

/// Locks the credentials file at `path` against other `kinbox` processes,
/// through `credentials.toml.lock` next to it: the file itself cannot carry
/// the lock, since each write replaces it with a new one. Waits for another
/// writer up to [`LOCK_WAIT`].
pub fn lock(path: &Path) -> Result<Lock, CliError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut name = path.file_name().unwrap_or_default().to_owned();
    name.push(".lock");
    let lock_path = dir.join(name);
    let fail = |e: std::io::Error| {
        CliError::failure(format!(
            "cannot lock {} to write the credentials: {e}",
            lock_path.display()
        ))
    };
    create_private_dir(dir).map_err(|e| {
        CliError::failure(format!(
            "cannot create the directory of {}: {e}",
            path.display()
        ))
    })?;
    let file = open_lock_file(&lock_path).map_err(fail)?;
    let deadline = std::time::Instant::now() + LOCK_WAIT;
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(Lock { _file: Some(file) }),
            Err(std::fs::TryLockError::WouldBlock) if std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(CliError::failure(format!(
                    "another kinbox has been writing {} for {}s (it holds {}); nothing was \
                     stored: let it finish, or end it, and try again",
                    path.display(),
                    LOCK_WAIT.as_secs(),
                    lock_path.display()
                )));
            }
            // Where the platform or file system has no locks, writing
            // unlocked is what every run did before there was a lock.
            Err(std::fs::TryLockError::Error(e)) if e.kind() == std::io::ErrorKind::Unsupported => {
                return Ok(Lock { _file: None });
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(fail(e)),
        }
    }
}

fn open_lock_file(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    options.open(path)
}

/// The parser's message with every quoted value left out: it quotes what
/// it found (`invalid type: string "kbx-…"`), which may be the token.
fn without_quoted_values(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut quote = None;
    for c in message.chars() {
        match quote {
            Some(open) if c == open => {
                out.push('…');
                out.push(c);
                quote = None;
            }
            Some(_) => {}
            None => {
                out.push(c);
                if c == '"' || c == '`' {
                    quote = Some(c);
                }
            }
        }
    }
    if quote.is_some() {
        out.push('…');
    }
    out
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt as _;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const SECRET: &str = "kbx-SECRET-9d8e7f";

    proptest! {
        #![proptest_config(crate::tests::proptest_config())]

        /// Whatever the file holds, reading it neither panics nor quotes
        /// the token in its error.
        #[test]
        fn credentials_never_panic_and_never_quote_the_token(
            text in ".{0,200}",
            shape in 0usize..8,
            noise in "[^\"]{0,20}",
        ) {
            let text = match shape {
                0 => text,
                1 => format!("profiles = \"{SECRET}\"\n{text}"),
                2 => format!("[profiles.default]\ntoken = {SECRET}{noise}\n"),
                3 => format!("[profiles.default]\ntoken = [\"{SECRET}\"]\n"),
                4 => format!("[profiles]\ndefault = \"{SECRET}\"\n"),
                5 => format!("[profiles.default]\ntoken = \"{SECRET}{noise}\"\nbase_url = {noise}\n"),
                6 => format!("[profiles.default]\ntoken = \"{SECRET}\"\ntoken = \"{SECRET}\"\n"),
                _ => format!("{text}\n[profiles.x]\ntoken = \"{SECRET}\"\n{noise}"),
            };
            if let Err(error) = Credentials::parse(&text, Path::new("credentials.toml")) {
                prop_assert!(!error.to_string().contains(SECRET), "{}", error);
            }
        }
    }
}
