//! The one way every subcommand writes a result: [`Sink`] (stdout, a file replaced atomically,
//! or a device written in place) and [`write_output`] for a result held in memory.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, Context as _};

use super::Failure;

/// Where a result goes: stdout; or a temporary file beside the destination, renamed into place
/// once everything succeeded (dropping it unpersisted deletes it; one a killed run left is
/// removed by the next run writing there, [`remove_stale_temporaries`]); or, when the destination
/// exists and is not a regular file (`/dev/null`, a FIFO), that file itself: renaming over a
/// device would replace it.
pub(super) enum Sink {
    Stdout,
    File {
        temp: tempfile::NamedTempFile,
        dest: PathBuf,
    },
    Special {
        file: std::fs::File,
        dest: PathBuf,
    },
}

impl Sink {
    pub(super) fn create(dest: &str, what: &str) -> Result<Sink, Failure> {
        if dest == "-" {
            return Ok(Sink::Stdout);
        }
        let given = PathBuf::from(dest);
        let cannot = |e: std::io::Error| {
            Failure::runtime(
                anyhow!(e).context(format!("{}: cannot write the {what}", given.display())),
            )
        };
        match std::fs::metadata(&given) {
            Ok(m) if m.is_dir() => {
                return Err(Failure::runtime(anyhow!(
                    "{}: cannot write the {what}: it is a directory",
                    given.display()
                )))
            }
            Ok(m) if !m.is_file() => {
                let file = std::fs::OpenOptions::new()
                    .write(true)
                    .open(&given)
                    .map_err(cannot)?;
                return Ok(Sink::Special { file, dest: given });
            }
            _ => {}
        }
        // Through a symbolic link, replace the file it points to, not the link.
        let dest = match std::fs::symlink_metadata(&given) {
            Ok(m) if m.file_type().is_symlink() => std::fs::canonicalize(&given).map_err(cannot)?,
            _ => given.clone(),
        };
        let dir = match dest.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        remove_stale_temporaries(&dir);
        let mut builder = tempfile::Builder::new();
        builder
            .prefix(TEMP_PREFIX)
            .suffix(TEMP_SUFFIX)
            .rand_bytes(TEMP_RANDOM);
        // rw-rw-rw- less the umask, as the shell creates a file (rw-r--r-- under umask 022);
        // tempfile's default would be rw-------.
        #[cfg(unix)]
        builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
        let temp = builder
            .tempfile_in(&dir)
            .with_context(|| {
                format!(
                    "{}: cannot write the {what} (creating a temporary file in {})",
                    dest.display(),
                    dir.display()
                )
            })
            .map_err(Failure::runtime)?;
        // Held until this process ends (or the file is closed): a later run removes only the
        // temporaries nobody holds (a killed run's, issue 15).
        let _ = temp.as_file().lock();
        Ok(Sink::File { temp, dest })
    }

    pub(super) fn writer(&mut self) -> Box<dyn Write + '_> {
        match self {
            Sink::Stdout => Box::new(std::io::stdout().lock()),
            Sink::File { temp, .. } => Box::new(temp.as_file_mut()),
            Sink::Special { file, .. } => Box::new(file),
        }
    }

    pub(super) fn label(&self) -> String {
        match self {
            Sink::Stdout => "stdout".into(),
            Sink::File { dest, .. } | Sink::Special { dest, .. } => dest.display().to_string(),
        }
    }

    /// Write all of `bytes`, then [`Sink::finish`]: a result held in memory.
    pub(super) fn write_all_and_finish(mut self, bytes: &[u8]) -> Result<(), Failure> {
        let label = self.label();
        self.writer()
            .write_all(bytes)
            .with_context(|| format!("{}: cannot write", crate::text::path_label(&label)))
            .map_err(Failure::runtime)?;
        self.finish()
    }

    /// Flush, then rename the temporary file into place, with the permissions of the file it
    /// replaces, or for a new file those it was created with (rw-rw-rw- less the umask, like a
    /// file the shell would create; not a temporary file's usual rw-------).
    pub(super) fn finish(self) -> Result<(), Failure> {
        match self {
            Sink::Stdout => std::io::stdout()
                .flush()
                .context("writing to stdout")
                .map_err(Failure::runtime),
            Sink::Special { mut file, dest } => file
                .flush()
                .with_context(|| format!("{}: cannot write", dest.display()))
                .map_err(Failure::runtime),
            Sink::File { temp, dest } => {
                let label = dest.display().to_string();
                temp.as_file()
                    .sync_all()
                    .with_context(|| format!("{label}: cannot write"))
                    .map_err(Failure::runtime)?;
                if let Ok(m) = std::fs::metadata(&dest) {
                    // A device or FIFO that appeared since `create`: never rename over it (that
                    // would replace `/dev/null` for every program on the machine).
                    if !m.is_file() {
                        return Err(Failure::runtime(anyhow!(
                            "{label}: cannot write: it is no longer a regular file"
                        )));
                    }
                    let _ = std::fs::set_permissions(temp.path(), m.permissions());
                }
                temp.persist(&dest)
                    .map_err(|e| Failure::runtime(anyhow!("{label}: cannot write: {}", e.error)))?;
                Ok(())
            }
        }
    }
}

/// A [`Sink`]'s temporary file is `.aiprov-XXXXXXXX.tmp` (8 random letters and digits).
const TEMP_PREFIX: &str = ".aiprov-";
const TEMP_SUFFIX: &str = ".tmp";
const TEMP_RANDOM: usize = 8;
/// A temporary younger than this is left alone even when unlocked: its writer may be between
/// creating it and locking it.
const TEMP_GRACE: std::time::Duration = std::time::Duration::from_secs(60);

/// Whether `name` is one of [`Sink`]'s temporary file names.
fn is_temporary_name(name: &str) -> bool {
    name.strip_prefix(TEMP_PREFIX)
        .and_then(|rest| rest.strip_suffix(TEMP_SUFFIX))
        .is_some_and(|r| r.len() == TEMP_RANDOM && r.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// Remove the temporary files that killed runs left in `dir` (issue 15): only entries of `dir`
/// itself named like ours ([`is_temporary_name`]), regular files (never a symbolic link, which
/// is not followed), owned by this user, last modified more than [`TEMP_GRACE`] ago, and not
/// locked (a live run holds its temporary locked, see [`Sink::create`]). Best effort: any error
/// leaves the file.
fn remove_stale_temporaries(dir: &Path) {
    use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    // SAFETY: getuid has no preconditions and cannot fail.
    let uid = unsafe { libc::getuid() };
    for e in entries.flatten() {
        if !e.file_name().to_str().is_some_and(is_temporary_name) {
            continue;
        }
        let path = dir.join(e.file_name());
        let Ok(m) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        let old = m
            .modified()
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > TEMP_GRACE);
        if !m.file_type().is_file() || m.uid() != uid || m.nlink() != 1 || !old {
            continue;
        }
        let Ok(f) = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
            .open(&path)
        else {
            continue;
        };
        // The same file we looked at, and nobody writing it.
        let same = f
            .metadata()
            .is_ok_and(|n| n.ino() == m.ino() && n.dev() == m.dev());
        if same && f.try_lock().is_ok() {
            tracing::debug!("removing {}, left by a run that was killed", path.display());
            let _ = std::fs::remove_file(&path);
        }
    }
}

/// Write `bytes` to `path` through a [`Sink`] (so a symbolic link keeps pointing at the file it
/// names, a new file is rw-r--r-- less the umask of the directory's creator, a device is written
/// in place, and a failed run leaves no half-written file), or to stdout when `path` is `None`
/// or `-`. `what` names the result in messages ("output", "report").
pub(super) fn write_output(path: Option<&Path>, what: &str, bytes: &[u8]) -> Result<(), Failure> {
    let dest = path.map_or_else(|| "-".to_string(), |p| p.to_string_lossy().into_owned());
    Sink::create(&dest, what)?.write_all_and_finish(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporary_names() {
        assert!(is_temporary_name(".aiprov-AbC12345.tmp"));
        for name in [
            ".aiprov-AbC1234.tmp",
            ".aiprov-AbC123456.tmp",
            ".aiprov-AbC1234-.tmp",
            ".aiprov-../x1234.tmp",
            "aiprov-AbC12345.tmp",
            ".aiprov-AbC12345.tmpx",
        ] {
            assert!(!is_temporary_name(name), "{name}");
        }
    }
}
