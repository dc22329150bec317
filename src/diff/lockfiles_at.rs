//! `aiprov diff --lockfiles-at A..B PATH`: the lockfiles of a folder (or one lockfile) as they
//! were at two git revisions, copied out of the repository's objects (nothing is checked out, no
//! program runs) into a folder the caller then reads with [`crate::scan::scan`].

use std::path::{Path, PathBuf};

/// Bytes of one lockfile blob copied at most (a larger blob is refused, not truncated).
pub const MAX_LOCKFILE_BYTES: usize = 512 * 1024 * 1024;

/// The file names taken from a folder: those [`crate::scan::scan`] reads.
fn is_lockfile_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    matches!(
        name,
        "Cargo.lock" | "package-lock.json" | "poetry.lock" | "uv.lock" | "go.sum" | "go.mod"
    ) || (lower.starts_with("requirements") && lower.ends_with(".txt"))
}

/// Write the lockfile at `path`, or the lockfiles directly in the folder `path`, as of `rev` of
/// the repository that contains `path`, into `dest` (same file names). Returns what to scan:
/// `dest/<name>` for a file, `dest` for a folder. Errors are one line naming the revision and
/// the path.
pub fn write_at(path: &Path, rev: &str, dest: &Path) -> Result<PathBuf, String> {
    let shown = crate::text::bounded(&path.display().to_string(), 300);
    let rev_shown = crate::text::bounded(rev, 100);
    // A file (or one that exists only at some revision): the repository of its folder.
    let start = if path.is_dir() {
        path
    } else {
        match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        }
    };
    let repo =
        gix::discover(start).map_err(|e| format!("{shown}: not inside a git repository: {e}"))?;
    let workdir = repo
        .workdir()
        .ok_or_else(|| format!("{shown}: the repository has no work tree"))?;
    let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    // The file may be absent from the work tree (deleted since): its folder then.
    let abs = match (path.exists(), path.file_name()) {
        (false, Some(name)) => canon(start).join(name),
        _ => canon(path),
    };
    let rel = abs
        .strip_prefix(canon(workdir))
        .map_err(|_| format!("{shown}: outside the repository's work tree"))?
        .to_path_buf();
    let tree = repo
        .rev_parse_single(rev)
        .map_err(|e| format!("{rev_shown}: unknown revision: {e}"))?
        .object()
        .map_err(|e| format!("{rev_shown}: {e}"))?
        .peel_to_tree()
        .map_err(|e| format!("{rev_shown}: not a commit or tree: {e}"))?;
    let object = if rel.as_os_str().is_empty() {
        tree.detach().attach(&repo)
    } else {
        let entry = tree
            .lookup_entry_by_path(&rel)
            .map_err(|e| format!("{shown} at {rev_shown}: {e}"))?
            .ok_or_else(|| format!("{shown} does not exist at {rev_shown}"))?;
        entry
            .object()
            .map_err(|e| format!("{shown} at {rev_shown}: {e}"))?
    };
    std::fs::create_dir_all(dest).map_err(|e| format!("{}: {e}", dest.display()))?;
    let write = |name: &str, data: &[u8]| -> Result<PathBuf, String> {
        if data.len() > MAX_LOCKFILE_BYTES {
            return Err(format!(
                "{shown}/{name} at {rev_shown}: larger than {MAX_LOCKFILE_BYTES} bytes"
            ));
        }
        let out = dest.join(name);
        std::fs::write(&out, data).map_err(|e| format!("{}: {e}", out.display()))?;
        Ok(out)
    };
    match object.kind {
        gix::object::Kind::Blob => {
            let name = rel
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| "lockfile".into());
            write(&name, &object.data)
        }
        gix::object::Kind::Tree => {
            let tree = object.into_tree();
            let mut wrote = 0;
            for entry in tree.iter() {
                let entry = entry.map_err(|e| format!("{shown} at {rev_shown}: {e}"))?;
                let name = entry.filename().to_string();
                if !entry.mode().is_blob() || !is_lockfile_name(&name) {
                    continue;
                }
                let blob = repo
                    .find_object(entry.oid())
                    .map_err(|e| format!("{shown}/{name} at {rev_shown}: {e}"))?;
                write(&name, &blob.data)?;
                wrote += 1;
            }
            if wrote == 0 {
                return Err(format!("{shown} at {rev_shown}: no lockfile in the folder"));
            }
            Ok(dest.to_path_buf())
        }
        other => Err(format!(
            "{shown} at {rev_shown}: a {other}, not a file or folder"
        )),
    }
}
