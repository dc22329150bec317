//! Lockfiles → the components they pin, and a CycloneDX 1.6 SBOM of them (`aiprov scan`).
//!
//! Readers, one per ecosystem: `Cargo.lock` ([`cargo`], the lockfile alone), `package-lock.json` v2 / v3 ([`npm`]),
//! `yarn.lock` v1 and berry ([`yarn`]), `pnpm-lock.yaml` v6 / v9 ([`pnpm`]), `bun.lock`
//! ([`bun`]; the binary `bun.lockb` is refused), `poetry.lock`, `uv.lock` and pinned
//! `requirements*.txt` ([`python`]), `go.sum` with `go.mod` ([`go`]). Workspaces: [`scan`]
//! walks the tree below a folder; the JavaScript readers take workspace members, their
//! licenses, repositories and development dependencies from the members' `package.json`
//! ([`js`]).
//! Each yields a [`Lockfile`]: the project itself (when the lockfile says which it is), every
//! pinned package with its purl, hashes the lockfile records, a git source when it has one, and
//! the dependency edges. [`bom::to_cyclonedx`] writes them as one document.
//!
//! Reading never runs any program (the scanned tree is untrusted: a `rust-toolchain.toml` or
//! `.cargo/config.toml` there would choose which `cargo` runs) and never touches the network.

pub mod bom;
pub mod bun;
pub mod cargo;
pub mod go;
pub mod js;
pub mod npm;
pub mod pnpm;
pub mod python;
pub mod yarn;

use std::path::{Path, PathBuf};

use crate::text::{bounded, path_label, ECHO_LIMIT};

/// One pinned package.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
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
    /// Only needed to develop the project (reached only through development dependencies):
    /// written as CycloneDX `scope: excluded` plus `cdx:npm:package:development` (npm family).
    pub dev: bool,
    /// The license as the lockfile or the package's own manifest states it (an SPDX
    /// expression or a name, as written); `None` when neither says.
    pub license: Option<String>,
    /// The repository URL the package's manifest gives (`repository` in package.json and
    /// Cargo.toml), when the package is part of the scanned tree.
    pub repository: Option<String>,
    /// The author the package's manifest names, when the package is part of the scanned tree.
    pub author: Option<String>,
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
    #[error("{path}: no lockfile found (looked for Cargo.lock, package-lock.json, npm-shrinkwrap.json, yarn.lock, pnpm-lock.yaml, bun.lock, poetry.lock, uv.lock, requirements*.txt, go.sum, go.mod here and in the folders below)")]
    NoLockfile {
        /// The path given.
        path: String,
    },
    /// A file aiprov does not read.
    #[error("{path}: not a lockfile aiprov reads (Cargo.lock, package-lock.json, npm-shrinkwrap.json, yarn.lock, pnpm-lock.yaml, bun.lock, poetry.lock, uv.lock, requirements*.txt, go.sum, go.mod)")]
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

/// Largest lockfile or manifest read, in bytes (the scanned tree is untrusted; the biggest
/// real lockfiles seen are a few tens of MiB).
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// How deep [`scan`] looks below the folder it is given (the folder itself is depth 0).
pub const MAX_DEPTH: usize = 8;

/// Most folders [`scan`] visits in one tree.
pub const MAX_DIRS: usize = 20_000;

/// Folders [`scan`] never enters: installed packages and build output (`node_modules`,
/// `target`, `vendor`, `bower_components`), test fixtures (`testdata`, `fixtures`,
/// `__fixtures__`, `test`, `tests`: their lockfiles describe fixtures, not what the project
/// ships) and hidden folders (`.git`, `.yarn`, …). A folder given as PATH is always read.
pub const SKIPPED_DIRS: &[&str] = &[
    "node_modules",
    "target",
    "vendor",
    "bower_components",
    "testdata",
    "fixtures",
    "__fixtures__",
    "test",
    "tests",
];

/// Every lockfile at `path`: the file itself, or every known lockfile in the folder and the
/// folders below it (at most [`MAX_DEPTH`] deep, [`MAX_DIRS`] folders, never through a
/// symbolic link, never into [`SKIPPED_DIRS`]), folder by folder in name order.
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
    let mut queue = std::collections::VecDeque::from([(path.to_path_buf(), 0usize)]);
    let mut visited = 0;
    while let Some((dir, depth)) = queue.pop_front() {
        visited += 1;
        if visited > MAX_DIRS {
            break;
        }
        let (files, subdirs) = list_dir(&dir)?;
        found.extend(lockfiles_in(&dir, &files));
        if depth < MAX_DEPTH {
            queue.extend(subdirs.into_iter().map(|d| (d, depth + 1)));
        }
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

/// The regular files and the folders to descend into of `dir`, each sorted. Entries are
/// classified without following symbolic links: a link is neither (a link to a folder could
/// lead out of the tree or into a loop).
fn list_dir(dir: &Path) -> Result<(Vec<PathBuf>, Vec<PathBuf>), Error> {
    let mut files = Vec::new();
    let mut dirs = Vec::new();
    let entries = std::fs::read_dir(dir).map_err(|source| Error::Read {
        path: label(dir),
        source,
    })?;
    for e in entries.flatten() {
        let Ok(ty) = e.file_type() else { continue };
        let name = e.file_name().to_string_lossy().into_owned();
        // A symbolic link is listed with the files (never descended into): the lockfile
        // readers open it through `read_text`, which refuses one leading out of its folder
        // with a message naming it, rather than skipping it silently.
        if ty.is_file() || ty.is_symlink() {
            files.push(e.path());
        } else if ty.is_dir() && !name.starts_with('.') && !SKIPPED_DIRS.contains(&name.as_str()) {
            dirs.push(e.path());
        }
    }
    files.sort();
    dirs.sort();
    Ok((files, dirs))
}

/// The lockfiles of one folder, in a fixed order. A `requirements*.txt` beside `poetry.lock` /
/// `uv.lock` is an export of it and not read; `go.mod` only when there is no `go.sum`; a
/// `package.json` of a workspace member has no lockfile of its own and is read through the
/// root's lockfile.
fn lockfiles_in(dir: &Path, files: &[PathBuf]) -> Vec<PathBuf> {
    let has = |name: &str| {
        files
            .iter()
            .any(|f| f.file_name().is_some_and(|n| n == name))
    };
    let mut found: Vec<PathBuf> = [
        "Cargo.lock",
        "package-lock.json",
        "npm-shrinkwrap.json",
        "yarn.lock",
        "pnpm-lock.yaml",
        "bun.lock",
        "poetry.lock",
        "uv.lock",
        "go.sum",
    ]
    .into_iter()
    .filter(|n| has(n))
    .map(|n| dir.join(n))
    .collect();
    // npm-shrinkwrap.json wins over package-lock.json (npm reads only it when both exist).
    if has("npm-shrinkwrap.json") {
        found.retain(|p| !p.ends_with("package-lock.json"));
    }
    // bun.lockb is the binary lockfile: read (to refuse it clearly) only without bun.lock.
    if has("bun.lockb") && !has("bun.lock") {
        found.push(dir.join("bun.lockb"));
    }
    if !has("poetry.lock") && !has("uv.lock") {
        found.extend(files.iter().filter(|p| is_requirements(p)).cloned());
    }
    if !has("go.sum") && has("go.mod") {
        found.push(dir.join("go.mod"));
    }
    found
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
        "yarn.lock" => one(yarn::read(p)),
        "pnpm-lock.yaml" => one(pnpm::read(p)),
        "bun.lock" => one(bun::read(p)),
        "bun.lockb" => Some(Err(malformed(
            p,
            "the binary bun lockfile is not read; write the text lockfile bun.lock with `bun install --save-text-lockfile` (the default since bun 1.2)",
        ))),
        "poetry.lock" => one(python::read_poetry(p)),
        "uv.lock" => one(python::read_uv(p)),
        "go.sum" | "go.mod" => one(go::read(p)),
        _ if is_requirements(p) => one(python::read_requirements(p)),
        _ => None,
    }
}

/// Open and read one file of the scanned tree: the one place scan opens files (lockfiles and
/// the manifests beside them), bounded to [`MAX_FILE_BYTES`]. A symbolic link that leads out of
/// the folder it is in is refused, never followed (issue 15: the tree is untrusted;
/// `Cargo.lock -> /etc/passwd` or a link into another project would be read as the project's own).
pub(crate) fn read_text(p: &Path) -> Result<String, Error> {
    use std::io::Read;
    refuse_link_out_of_its_folder(p)?;
    let read = |p: &Path| -> std::io::Result<Vec<u8>> {
        let f = std::fs::File::open(p)?;
        let mut buf = Vec::new();
        f.take(MAX_FILE_BYTES + 1).read_to_end(&mut buf)?;
        Ok(buf)
    };
    let bytes = read(p).map_err(|source| Error::Read {
        path: label(p),
        source,
    })?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(malformed(
            p,
            format!("larger than {} MiB; not read", MAX_FILE_BYTES >> 20),
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        malformed(p, format!("not UTF-8 (byte {at})"))
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

/// A manifest beside a lockfile (`package.json`, `Cargo.toml`), when it exists and reads:
/// `None` when it does not exist, an error when it exists but cannot be read.
pub(crate) fn read_optional(p: &Path) -> Result<Option<String>, Error> {
    match std::fs::symlink_metadata(p) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        _ => read_text(p).map(Some),
    }
}

pub(crate) fn label(p: &Path) -> String {
    path_label(&p.display().to_string())
}

/// How deep YAML flow collections (`[` and `{`) may nest in a lockfile: real lockfiles use one
/// or two levels (pnpm's `{integrity: …}`); the YAML parser takes quadratic time on deep
/// nesting (an attack: 200 KB of `[` took 17 s), so deeper input is refused before parsing.
pub(crate) const MAX_YAML_FLOW_DEPTH: usize = 64;

/// Refuse YAML whose flow collections nest deeper than [`MAX_YAML_FLOW_DEPTH`], naming the
/// line; brackets inside quoted scalars and comments do not count. One linear pass.
pub(crate) fn check_yaml_nesting(p: &Path, text: &str) -> Result<(), Error> {
    let (mut depth, mut line) = (0usize, 1usize);
    let mut quote: Option<char> = None;
    let mut comment = false;
    let mut prev = '\n';
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\n' {
            line += 1;
            comment = false;
        } else if comment {
        } else if let Some(q) = quote {
            if q == '"' && c == '\\' {
                chars.next();
            } else if c == q {
                quote = None;
            }
        } else {
            match c {
                '#' if prev.is_whitespace() => comment = true,
                // A quote opens a quoted scalar only where one can start (`it's` in a plain
                // scalar does not).
                '"' | '\'' if " \t\n[{,:-".contains(prev) => quote = Some(c),
                '[' | '{' => {
                    depth += 1;
                    if depth > MAX_YAML_FLOW_DEPTH {
                        return Err(malformed(
                            p,
                            format!(
                                "line {line}: YAML nested more than {MAX_YAML_FLOW_DEPTH} levels deep; not parsed"
                            ),
                        ));
                    }
                }
                ']' | '}' => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        prev = c;
    }
    Ok(())
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

/// Keep the first package per purl, merging hashes and edges of later duplicates (and their
/// development flag: kept only when every copy has it).
pub(crate) fn dedupe(packages: Vec<Package>) -> Vec<Package> {
    let mut out: Vec<Package> = Vec::new();
    let mut index = std::collections::HashMap::new();
    for p in packages {
        match index.get(&p.purl) {
            Some(&i) => {
                let q: &mut Package = &mut out[i];
                // Development-only when every copy is; a copy that states more fills in.
                q.dev &= p.dev;
                if q.license.is_none() {
                    q.license = p.license;
                }
                if q.repository.is_none() {
                    q.repository = p.repository;
                }
                if q.author.is_none() {
                    q.author = p.author;
                }
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
    fn dedupe_keeps_dev_only_when_every_copy_is() {
        let p = |dev: bool, license: Option<&str>| Package {
            purl: "pkg:npm/a@1.0.0".into(),
            dev,
            license: license.map(str::to_string),
            ..Default::default()
        };
        let one = dedupe(vec![p(true, None), p(false, Some("MIT"))]);
        assert_eq!(one.len(), 1);
        assert_eq!(
            (one[0].dev, one[0].license.as_deref()),
            (false, Some("MIT"))
        );
        assert!(dedupe(vec![p(true, None), p(true, None)])[0].dev);
    }

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
