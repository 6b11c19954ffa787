//! The files `kinbox deals import` reads and writes, checked before anything
//! is opened for writing: the input is a regular file (or `-`), and the
//! journal and the report are never the input, never each other, and never
//! written through a symbolic link. A path given by mistake must not destroy
//! a user's file; the journal's own checks (a file that does not start as a
//! journal is refused) are the SDK's, `kinbox_api::import`.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

use crate::CliError;

/// Refuses an input that is not a regular file: a pipe or a device would
/// be read forever, or only once (the import reads its file twice).
pub fn check_input(file: &str) -> Result<(), CliError> {
    if file == "-" {
        return Ok(());
    }
    match std::fs::metadata(file) {
        Ok(meta) if !meta.is_file() => Err(CliError::usage(format!(
            "{} is not a regular file (a folder, a pipe or a device): the import reads its file \
             twice, first to check every row; to import from a pipe, give - and redirect it, \
             e.g. kinbox deals import - < leads.csv",
            crate::error::printable(file)
        ))),
        // A missing file is said by the reader, with the rest of its errors.
        _ => Ok(()),
    }
}

/// Whether `a` and `b` name the same file: the same inode when both exist,
/// else the same absolute path (links in the folders resolved).
pub fn same_file(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let (Ok(a), Ok(b)) = (std::fs::metadata(a), std::fs::metadata(b)) {
            return a.dev() == b.dev() && a.ino() == b.ino();
        }
    }
    absolute(a) == absolute(b)
}

/// `path` made absolute, its folder's links resolved when it exists.
fn absolute(path: &Path) -> PathBuf {
    let path = std::path::absolute(path).unwrap_or_else(|_| path.to_owned());
    match (path.parent(), path.file_name()) {
        (Some(parent), Some(name)) => parent
            .canonicalize()
            .map_or_else(|_| path.clone(), |parent| parent.join(name)),
        _ => path,
    }
}

/// Refuses a journal or report that is the input, or a report that is the
/// journal: each would overwrite the other.
pub fn check_distinct(
    input: &str,
    journal: Option<&Path>,
    report: Option<&Path>,
) -> Result<(), CliError> {
    let input = (input != "-").then(|| Path::new(input));
    let shown = |path: &Path| crate::error::printable(&path.display().to_string());
    if let (Some(input), Some(journal)) = (input, journal)
        && same_file(input, journal)
    {
        return Err(CliError::usage(format!(
            "--journal {} is the file being imported: the journal would overwrite it; give \
             another path, or leave --journal out (FILE.kinbox-journal)",
            shown(journal)
        )));
    }
    if let (Some(input), Some(report)) = (input, report)
        && same_file(input, report)
    {
        return Err(CliError::usage(format!(
            "--report {} is the file being imported: the report would overwrite it; give \
             another path",
            shown(report)
        )));
    }
    if let (Some(journal), Some(report)) = (journal, report)
        && same_file(journal, report)
    {
        return Err(CliError::usage(format!(
            "--report {} is the import's journal: the report would overwrite it, and --resume \
             could no longer tell what was created; give another path",
            shown(report)
        )));
    }
    Ok(())
}

/// Opens the report for writing, never through a symbolic link. A regular
/// file that exists is overwritten only with `force`; otherwise the report
/// goes to the first free name after it (`report-1.ndjson`), returned so
/// that it can be said. A pipe or a device (`/dev/stdout`'s target) is
/// written as it is.
pub fn create_report(path: &Path, force: bool) -> Result<(File, PathBuf), CliError> {
    let refused = |why: &str| {
        CliError::usage(format!(
            "cannot write the report {}: {why}",
            crate::error::printable(&path.display().to_string())
        ))
    };
    let existing = std::fs::symlink_metadata(path).ok();
    if existing
        .as_ref()
        .is_some_and(|m| m.file_type().is_symlink())
    {
        return Err(refused(
            "it is a symbolic link, and writing through it would change the file it points \
             to; give the real path",
        ));
    }
    let open = |path: &Path, create_new: bool, truncate: bool| {
        let mut options = OpenOptions::new();
        options.write(true);
        if create_new {
            options.create_new(true);
        } else {
            options.create(truncate).truncate(truncate);
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.custom_flags(libc::O_NOFOLLOW);
        }
        options.open(path)
    };
    let failed = |path: &Path, e: std::io::Error| {
        CliError::usage(format!(
            "cannot write the report {}: {e}",
            crate::error::printable(&path.display().to_string())
        ))
    };
    match existing {
        Some(meta) if !meta.is_file() && !meta.is_dir() => open(path, false, false)
            .map(|file| (file, path.to_owned()))
            .map_err(|e| failed(path, e)),
        Some(meta) if meta.is_file() && force => open(path, false, true)
            .map(|file| (file, path.to_owned()))
            .map_err(|e| failed(path, e)),
        Some(meta) if meta.is_file() => {
            for candidate in (1..1000).map(|n| numbered(path, n)) {
                match open(&candidate, true, false) {
                    Ok(file) => return Ok((file, candidate)),
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                    Err(e) => return Err(failed(&candidate, e)),
                }
            }
            Err(refused(
                "it exists, and so do the numbered names after it; add --force to overwrite it",
            ))
        }
        _ => match open(path, true, false) {
            Ok(file) => Ok((file, path.to_owned())),
            // Made by someone else meanwhile: numbered like any that exists.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => create_report(path, force),
            Err(e) => Err(failed(path, e)),
        },
    }
}

/// `report.ndjson` → `report-N.ndjson`.
fn numbered(path: &Path, n: u32) -> PathBuf {
    let stem = path.file_stem().unwrap_or_default().to_string_lossy();
    let name = match path.extension() {
        Some(extension) => format!("{stem}-{n}.{}", extension.to_string_lossy()),
        None => format!("{stem}-{n}"),
    };
    path.with_file_name(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_is_never_written_over_an_existing_file_without_force() {
        let dir = tempfile::tempdir().unwrap();
        let report = dir.path().join("report.ndjson");
        std::fs::write(&report, "precious\n").unwrap();
        let (_, used) = create_report(&report, false).unwrap();
        assert_eq!(used, dir.path().join("report-1.ndjson"));
        assert_eq!(std::fs::read_to_string(&report).unwrap(), "precious\n");
        let (_, again) = create_report(&report, false).unwrap();
        assert_eq!(again, dir.path().join("report-2.ndjson"));
        let (_, forced) = create_report(&report, true).unwrap();
        assert_eq!(forced, report);
        assert_eq!(std::fs::read_to_string(&report).unwrap(), "");
    }

    #[cfg(unix)]
    #[test]
    fn links_are_refused_and_the_same_file_is_found_through_them() {
        let dir = tempfile::tempdir().unwrap();
        let precious = dir.path().join("precious.txt");
        std::fs::write(&precious, "precious 1\n").unwrap();
        let link = dir.path().join("report.ndjson");
        std::os::unix::fs::symlink(&precious, &link).unwrap();
        let error = create_report(&link, true).unwrap_err().to_string();
        assert!(error.contains("symbolic link"), "{error}");
        assert_eq!(std::fs::read_to_string(&precious).unwrap(), "precious 1\n");
        assert!(same_file(&link, &precious));
        assert!(same_file(
            &dir.path().join("new.ndjson"),
            &dir.path().join(".").join("new.ndjson")
        ));
        assert!(!same_file(&dir.path().join("a"), &dir.path().join("b")));
    }
}
