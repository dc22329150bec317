//! The one way every subcommand writes a result: [`Sink`] (stdout, a file replaced atomically,
//! or a device written in place) and [`write_output`] for a result held in memory.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, Context as _};

use super::Failure;

/// Where a result goes: stdout; or a temporary file beside the destination, renamed into place
/// once everything succeeded (dropping it unpersisted deletes it); or, when the destination
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
        let mut builder = tempfile::Builder::new();
        builder.prefix(".aiprov-").suffix(".tmp");
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

/// Write `bytes` to `path` through a [`Sink`] (so a symbolic link keeps pointing at the file it
/// names, a new file is rw-r--r-- less the umask of the directory's creator, a device is written
/// in place, and a failed run leaves no half-written file), or to stdout when `path` is `None`
/// or `-`. `what` names the result in messages ("output", "report").
pub(super) fn write_output(path: Option<&Path>, what: &str, bytes: &[u8]) -> Result<(), Failure> {
    let dest = path.map_or_else(|| "-".to_string(), |p| p.to_string_lossy().into_owned());
    Sink::create(&dest, what)?.write_all_and_finish(bytes)
}
