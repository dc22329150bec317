//! Lockfiles → the components they pin, and a CycloneDX 1.6 SBOM of them (`aiprov scan`).
//!
//! Readers, one per ecosystem: `Cargo.lock` ([`cargo`], the lockfile alone), `package-lock.json` v2 / v3 ([`npm`]), `poetry.lock`,
//! `uv.lock` and pinned `requirements*.txt` ([`python`]), `go.sum` with `go.mod` ([`go`]).
//! Each yields a [`Lockfile`]: the project itself (when the lockfile says which it is), every
//! pinned package with its purl, hashes the lockfile records, a git source when it has one, and
//! the dependency edges. [`bom::to_cyclonedx`] writes them as one document.
//!
//! Reading never runs any program (the scanned tree is untrusted: a `rust-toolchain.toml` or
//! `.cargo/config.toml` there would choose which `cargo` runs) and never touches the network.

pub mod bom;
pub mod cargo;
pub mod go;
pub mod npm;
pub mod python;

use std::path::{Path, PathBuf};

use crate::text::{bounded, path_label, ECHO_LIMIT};

/// One pinned package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Package {
    /// Name as the ecosystem writes it (`serde`, `@babel/core`, `github.com/o/r`).
    pub name: String,
    /// CycloneDX `group` (npm scope), when there is one.
    pub group: Option<String>,
    /// The pinned version.
    pub version: String,
    /// Package URL; also the component's bom-ref.
    pub purl: String,
    /// `(CycloneDX algorithm, lower-case hex)` pairs the lockfile records for this package.
    pub hashes: Vec<(String, String)>,
    /// A git source (`git+https://…#sha`) when the package comes from a repository.
    pub vcs: Option<String>,
    /// purls of the packages it depends on.
    pub depends_on: Vec<String>,
}

/// What one lockfile pins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lockfile {
    /// The file read.
    pub path: PathBuf,
    /// Which reader, e.g. `Cargo.lock`, `package-lock.json v3`.
    pub kind: String,
    /// The project the lockfile belongs to, when the lockfile says (Cargo root package, npm
    /// root, uv editable / virtual project, go.mod module).
    pub root: Option<Package>,
    /// Every other pinned package, once each (deduplicated by purl).
    pub packages: Vec<Package>,
    /// Things the user should know (skipped lines, a reader fallback).
    pub warnings: Vec<String>,
}

/// Why a lockfile could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Nothing aiprov reads at `path`.
    #[error("{path}: no lockfile found (looked for Cargo.lock, package-lock.json, poetry.lock, uv.lock, requirements*.txt, go.sum)")]
    NoLockfile {
        /// The path given.
        path: String,
    },
    /// A file aiprov does not read.
    #[error("{path}: not a lockfile aiprov reads (Cargo.lock, package-lock.json, poetry.lock, uv.lock, requirements*.txt, go.sum, go.mod)")]
    UnknownFile {
        /// The path given.
        path: String,
    },
    /// The file could not be read.
    #[error("{path}: cannot read")]
    Read {
        /// The file.
        path: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The file is not in the shape its name promises.
    #[error("{path}: {message}")]
    Malformed {
        /// The file.
        path: String,
        /// What is wrong (with a line when known).
        message: String,
    },
}

/// Every lockfile at `path`: the file itself, or each known lockfile in the folder (not
/// recursive), in a fixed order.
pub fn scan(path: &Path) -> Result<Vec<Lockfile>, Error> {
    let label = path_label(&path.display().to_string());
    let meta = std::fs::metadata(path).map_err(|source| Error::Read {
        path: label.clone(),
        source,
    })?;
    if meta.is_file() {
        return read_file(path).ok_or(Error::UnknownFile { path: label })?;
    }
    let mut found = Vec::new();
    for name in [
        "Cargo.lock",
        "package-lock.json",
        "poetry.lock",
        "uv.lock",
        "go.sum",
    ] {
        let p = path.join(name);
        if p.is_file() {
            found.push(p);
        }
    }
    let mut reqs: Vec<PathBuf> = std::fs::read_dir(path)
        .map_err(|source| Error::Read {
            path: label.clone(),
            source,
        })?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file() && is_requirements(p))
        .collect();
    reqs.sort();
    // requirements.txt repeats what poetry.lock / uv.lock pin (an export); read it alone.
    if !found
        .iter()
        .any(|p| p.ends_with("poetry.lock") || p.ends_with("uv.lock"))
    {
        found.extend(reqs);
    }
    if found.is_empty() && path.join("go.mod").is_file() {
        found.push(path.join("go.mod"));
    }
    if found.is_empty() {
        return Err(Error::NoLockfile { path: label });
    }
    let mut out = Vec::new();
    for p in found {
        out.extend(read_file(&p).expect("known names have a reader")?);
    }
    Ok(out)
}

fn is_requirements(p: &Path) -> bool {
    let name = p
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    name.starts_with("requirements") && name.ends_with(".txt")
}

fn read_file(p: &Path) -> Option<Result<Vec<Lockfile>, Error>> {
    let name = p.file_name()?.to_string_lossy().into_owned();
    let one = |r: Result<Lockfile, Error>| Some(r.map(|l| vec![l]));
    match name.as_str() {
        "Cargo.lock" => one(cargo::read(p)),
        "package-lock.json" | "npm-shrinkwrap.json" => one(npm::read(p)),
        "poetry.lock" => one(python::read_poetry(p)),
        "uv.lock" => one(python::read_uv(p)),
        "go.sum" | "go.mod" => one(go::read(p)),
        _ if is_requirements(p) => one(python::read_requirements(p)),
        _ => None,
    }
}

/// Read one file of the scanned tree. A symbolic link that leads out of the folder it is in is
/// refused, never followed (issue 15: the tree is untrusted; `Cargo.lock -> /etc/passwd` or a
/// link into another project would be read as the project's own).
pub(crate) fn read_text(p: &Path) -> Result<String, Error> {
    refuse_link_out_of_its_folder(p)?;
    std::fs::read_to_string(p).map_err(|source| Error::Read {
        path: label(p),
        source,
    })
}

fn refuse_link_out_of_its_folder(p: &Path) -> Result<(), Error> {
    let is_link = std::fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_symlink());
    if !is_link {
        return Ok(());
    }
    let folder = std::fs::canonicalize(
        p.parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new(".")),
    );
    match (folder, std::fs::canonicalize(p)) {
        (Ok(folder), Ok(target)) if target.starts_with(&folder) => Ok(()),
        _ => Err(malformed(
            p,
            "a symbolic link that leads out of its folder; scan does not follow it (the scanned tree is untrusted); name the file it points to if you mean that one",
        )),
    }
}

pub(crate) fn label(p: &Path) -> String {
    path_label(&p.display().to_string())
}

pub(crate) fn malformed(p: &Path, message: impl AsRef<str>) -> Error {
    Error::Malformed {
        path: label(p),
        message: bounded(message.as_ref(), 3 * ECHO_LIMIT),
    }
}

/// A TOML file, with errors located.
pub(crate) fn read_toml(p: &Path) -> Result<toml::Table, Error> {
    let text = read_text(p)?;
    toml::from_str(&text).map_err(|e| {
        let at = e.span().map(|sp| {
            let before = &text[..sp.start.min(text.len())];
            format!("line {}: ", before.matches('\n').count() + 1)
        });
        malformed(
            p,
            format!(
                "not valid TOML: {}{}",
                at.unwrap_or_default(),
                e.message().trim()
            ),
        )
    })
}

/// Build a purl; `None` when the parts are not valid for the type.
pub(crate) fn purl(ty: &str, namespace: Option<&str>, name: &str, version: &str) -> Option<String> {
    let mut p = packageurl::PackageUrl::new(ty.to_string(), name.to_string()).ok()?;
    if let Some(ns) = namespace.filter(|s| !s.is_empty()) {
        p.with_namespace(ns.to_string()).ok()?;
    }
    if !version.is_empty() {
        p.with_version(version.to_string()).ok()?;
    }
    Some(p.to_string())
}

/// Keep the first package per purl, merging hashes and edges of later duplicates.
pub(crate) fn dedupe(packages: Vec<Package>) -> Vec<Package> {
    let mut out: Vec<Package> = Vec::new();
    let mut index = std::collections::HashMap::new();
    for p in packages {
        match index.get(&p.purl) {
            Some(&i) => {
                let q: &mut Package = &mut out[i];
                for h in p.hashes {
                    if !q.hashes.contains(&h) {
                        q.hashes.push(h);
                    }
                }
                for d in p.depends_on {
                    if !q.depends_on.contains(&d) {
                        q.depends_on.push(d);
                    }
                }
            }
            None => {
                index.insert(p.purl.clone(), out.len());
                out.push(p);
            }
        }
    }
    out
}

pub(crate) use crate::ident::pep503;

/// Lower-case hex of standard base64 (npm `integrity`, go.sum `h1:`), `None` when it is not.
pub(crate) fn base64_to_hex(s: &str) -> Option<String> {
    let mut bits: u32 = 0;
    let mut n = 0;
    let mut out = String::new();
    for c in s.trim_end_matches('=').bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        } as u32;
        bits = (bits << 6) | v;
        n += 6;
        if n >= 8 {
            n -= 8;
            out.push_str(&format!("{:02x}", (bits >> n) & 0xff));
        }
    }
    (!out.is_empty()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers() {
        assert_eq!(base64_to_hex("AAEC/w==").as_deref(), Some("000102ff"));
        assert_eq!(base64_to_hex("not base64!"), None);
        assert_eq!(pep503("Foo.Bar__baz"), "foo-bar-baz");
        assert_eq!(
            purl("npm", Some("@babel"), "core", "7.24.7").as_deref(),
            Some("pkg:npm/%40babel/core@7.24.7")
        );
        assert_eq!(
            purl("pypi", None, "Jinja2", "3.1.4").as_deref(),
            Some("pkg:pypi/jinja2@3.1.4")
        );
        assert_eq!(
            purl("golang", Some("github.com/BurntSushi"), "toml", "v1.4.0").as_deref(),
            // the purl spec lower-cases golang namespaces and names
            Some("pkg:golang/github.com/burntsushi/toml@v1.4.0")
        );
    }
}
