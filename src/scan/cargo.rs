//! `Cargo.lock`, read alone: packages, sources, checksums and the dependency graph come from the
//! lockfile; the root is the package the `Cargo.toml` beside it names.
//!
//! Scanning never runs cargo (issue 15, item 2): `cargo metadata` run in a scanned project
//! honours its `rust-toolchain.toml` (`path = …`) and `.cargo/config.toml`, so the project
//! would choose the program that runs. The lockfile alone gives the same packages and graph
//! (tests/scan_cli.rs compared both on the fixtures before cargo was dropped).

use std::collections::BTreeSet;
use std::path::Path;

use super::{dedupe, malformed, purl, read_toml, Error, Lockfile, Package};

/// One `[[package]]` of the lockfile.
#[derive(Debug, Clone)]
struct Locked {
    name: String,
    version: String,
    source: Option<String>,
    checksum: Option<String>,
    deps: Vec<String>,
}

/// Read a `Cargo.lock` (the lockfile alone; never runs cargo).
pub fn read(lock: &Path) -> Result<Lockfile, Error> {
    read_lockfile_only(lock)
}

/// Read a `Cargo.lock` without running cargo (the same as [`read`]).
pub fn read_lockfile_only(lock: &Path) -> Result<Lockfile, Error> {
    let locked = parse_lock(lock)?;
    let manifest = lock.parent().unwrap_or(Path::new(".")).join("Cargo.toml");
    Ok(from_lock(lock, &locked, root_name(&manifest).as_deref()))
}

fn parse_lock(lock: &Path) -> Result<Vec<Locked>, Error> {
    let t = read_toml(lock)?;
    let list = match t.get("package") {
        Some(toml::Value::Array(a)) => a,
        Some(_) => return Err(malformed(lock, "\"package\" is not an array of tables")),
        None => return Ok(Vec::new()),
    };
    let mut out = Vec::new();
    for (i, p) in list.iter().enumerate() {
        let s = |k: &str| p.get(k).and_then(toml::Value::as_str).map(str::to_string);
        let (Some(name), Some(version)) = (s("name"), s("version")) else {
            return Err(malformed(
                lock,
                format!("package #{} has no name or version", i + 1),
            ));
        };
        let deps = p
            .get("dependencies")
            .and_then(toml::Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|d| d.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        out.push(Locked {
            name,
            version,
            source: s("source"),
            checksum: s("checksum"),
            deps,
        });
    }
    Ok(out)
}

/// `[package] name` of a manifest, if it has one (a virtual workspace has none).
fn root_name(manifest: &Path) -> Option<String> {
    let t: toml::Table = toml::from_str(&std::fs::read_to_string(manifest).ok()?).ok()?;
    t.get("package")?.get("name")?.as_str().map(str::to_string)
}

fn package(l: &Locked) -> Package {
    let vcs = l
        .source
        .as_deref()
        .filter(|s| s.starts_with("git+"))
        .map(str::to_string);
    let hashes = l
        .checksum
        .iter()
        .filter(|c| c.len() == 64 && c.bytes().all(|b| b.is_ascii_hexdigit()))
        .map(|c| ("SHA-256".to_string(), c.to_ascii_lowercase()))
        .collect();
    Package {
        name: l.name.clone(),
        group: None,
        version: l.version.clone(),
        purl: purl("cargo", None, &l.name, &l.version)
            .unwrap_or_else(|| format!("pkg:cargo/{}@{}", l.name, l.version)),
        hashes,
        vcs,
        depends_on: Vec::new(),
        ..Default::default()
    }
}

/// The lockfile alone: the root is the manifest's package, else the only source-less package.
fn from_lock(lock: &Path, locked: &[Locked], root: Option<&str>) -> Lockfile {
    let purls: Vec<String> = locked.iter().map(|l| package(l).purl).collect();
    // "name", "name version" or "name version (source)"
    let find = |dep: &str| -> Option<usize> {
        let mut parts = dep.splitn(3, ' ');
        let name = parts.next()?;
        let version = parts.next();
        let source = parts
            .next()
            .map(|s| s.trim_start_matches('(').trim_end_matches(')'));
        locked.iter().position(|l| {
            l.name == name
                && version.is_none_or(|v| l.version == v)
                && source.is_none_or(|s| l.source.as_deref() == Some(s))
        })
    };
    let local: Vec<usize> = (0..locked.len())
        .filter(|&i| locked[i].source.is_none())
        .collect();
    let root_index = match root {
        Some(name) => local.iter().copied().find(|&i| locked[i].name == name),
        None if local.len() == 1 => Some(local[0]),
        None => None,
    };
    let mut root = None;
    let mut packages = Vec::new();
    for (i, l) in locked.iter().enumerate() {
        let mut p = package(l);
        let mut deps: BTreeSet<String> = BTreeSet::new();
        for d in &l.deps {
            if let Some(j) = find(d) {
                deps.insert(purls[j].clone());
            }
        }
        p.depends_on = deps.into_iter().collect();
        if Some(i) == root_index {
            root = Some(p);
        } else {
            packages.push(p);
        }
    }
    Lockfile {
        path: lock.to_path_buf(),
        kind: "Cargo.lock".into(),
        root,
        packages: dedupe(packages),
        warnings: Vec::new(),
    }
}
