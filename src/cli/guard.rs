//! `-o` never writes inside a folder a run reads (issue 15, item 7): the repository's git
//! folder for `evidence`, the mirror folders and cache for `enrich` / `scan`. Files a run reads
//! are refused by `refuse_clobber`; this covers whole folders, including files that do not
//! exist yet (a new file in `.git/` is as harmful as an overwritten one).

use std::path::{Path, PathBuf};

use super::{escape_for_terminal, Failure};

/// `p` made absolute with symbolic links resolved; for a path that does not exist yet, its
/// deepest existing ancestor is resolved and the rest appended.
fn resolved(p: &Path) -> PathBuf {
    if let Ok(c) = std::fs::canonicalize(p) {
        return c;
    }
    let mut rest = Vec::new();
    let mut cur = p.to_path_buf();
    loop {
        if let Ok(c) = std::fs::canonicalize(&cur) {
            let mut out = c;
            for r in rest.iter().rev() {
                out.push(r);
            }
            return out;
        }
        match (cur.file_name().map(|f| f.to_os_string()), cur.parent()) {
            (Some(f), Some(parent)) => {
                rest.push(f);
                cur = if parent.as_os_str().is_empty() {
                    PathBuf::from(".")
                } else {
                    parent.to_path_buf()
                };
            }
            _ => return p.to_path_buf(),
        }
    }
}

/// Refuse `dest` (a path, or `-` for stdout) when it lies inside (or is) one of `dirs`, folders
/// this run reads. Exit 2.
pub(crate) fn refuse_inside(flag: &str, dest: &Path, dirs: &[&Path]) -> Result<(), Failure> {
    if dest == Path::new("-") {
        return Ok(());
    }
    let d = resolved(dest);
    for dir in dirs {
        let Ok(dir_c) = std::fs::canonicalize(dir) else {
            continue;
        };
        if d.starts_with(&dir_c) {
            return Err(Failure::input(anyhow::anyhow!(
                "{}: {flag} would write inside {}, which this run reads; aiprov never writes what it reads",
                escape_for_terminal(&dest.display().to_string()),
                escape_for_terminal(&dir.display().to_string())
            )));
        }
    }
    Ok(())
}

/// The files `scan` reads beside a lockfile (the manifests that name the project).
pub(crate) const MANIFESTS: &[&str] = &["Cargo.toml", "pyproject.toml", "go.mod", "package.json"];
