//! `Cargo.lock`, read alone: packages, sources, checksums and the dependency graph come from the
//! lockfile; the root is the package the `Cargo.toml` beside it names.
//!
//! Scanning never runs cargo (issue 15, item 2): `cargo metadata` run in a scanned project
//! honours its `rust-toolchain.toml` (`path = …`) and `.cargo/config.toml`, so the project
//! would choose the program that runs. The lockfile alone gives the same packages and graph
//! (tests/scan_cli.rs compared both on the fixtures before cargo was dropped).
//!
//! The manifests of the tree's own packages (the root `Cargo.toml`, its `[workspace] members`
//! and the `path` dependencies they name) add what the lockfile does not record: `license`,
//! `repository`, `authors` (with `{ workspace = true }` taken from `[workspace.package]`), and
//! which dependencies are `[dev-dependencies]` only. The lockfile records no license for
//! registry crates, so theirs is declared unknown (reading `cargo metadata` would mean running
//! cargo).

use std::collections::BTreeSet;
use std::path::Path;

use std::collections::BTreeMap;

use super::js::{expand_members, mark_dev, Importer};
use super::{dedupe, malformed, purl, read_optional, read_toml, Error, Lockfile, Package};

/// What a local package's `Cargo.toml` says.
#[derive(Debug, Clone, Default)]
struct Manifest {
    license: Option<String>,
    repository: Option<String>,
    author: Option<String>,
    /// Crate names of `[dependencies]`, `[build-dependencies]` and their `[target.*]` forms
    /// (a renamed dependency's `package`).
    prod: BTreeSet<String>,
    /// `[workspace] members` globs (root manifest only).
    members: Vec<String>,
    /// Folders of `path` dependencies, relative to the manifest's folder.
    paths: Vec<String>,
}

fn parse_manifest(
    path: &Path,
    inherited: Option<&toml::Table>,
) -> Result<Option<(String, Manifest)>, Error> {
    let Some(text) = read_optional(path)? else {
        return Ok(None);
    };
    let Ok(t) = toml::from_str::<toml::Table>(&text) else {
        return Ok(None);
    };
    let ws_pkg = inherited.or_else(|| t.get("workspace")?.get("package")?.as_table());
    let field = |k: &str| -> Option<toml::Value> {
        let v = t.get("package")?.get(k)?;
        if v.get("workspace").and_then(toml::Value::as_bool) == Some(true) {
            ws_pkg?.get(k).cloned()
        } else {
            Some(v.clone())
        }
    };
    let mut m = Manifest {
        license: field("license").and_then(|v| v.as_str().map(str::to_string)),
        repository: field("repository").and_then(|v| v.as_str().map(str::to_string)),
        author: field("authors").and_then(|v| {
            let a: Vec<&str> = v
                .as_array()?
                .iter()
                .filter_map(toml::Value::as_str)
                .collect();
            (!a.is_empty()).then(|| a.join(", "))
        }),
        members: t
            .get("workspace")
            .and_then(|w| w.get("members"))
            .and_then(toml::Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|m| m.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default(),
        ..Default::default()
    };
    let mut tables: Vec<(&toml::Table, bool)> = Vec::new();
    for (k, prod) in [
        ("dependencies", true),
        ("build-dependencies", true),
        ("dev-dependencies", false),
    ] {
        if let Some(d) = t.get(k).and_then(toml::Value::as_table) {
            tables.push((d, prod));
        }
        for target in t
            .get("target")
            .and_then(toml::Value::as_table)
            .into_iter()
            .flat_map(|x| x.values())
        {
            if let Some(d) = target.get(k).and_then(toml::Value::as_table) {
                tables.push((d, prod));
            }
        }
    }
    for (deps, prod) in tables {
        for (key, spec) in deps {
            let name = spec
                .get("package")
                .and_then(toml::Value::as_str)
                .unwrap_or(key);
            if prod {
                m.prod.insert(name.to_string());
            }
            if let Some(p) = spec.get("path").and_then(toml::Value::as_str) {
                m.paths.push(p.to_string());
            }
        }
    }
    let name = t
        .get("package")
        .and_then(|p| p.get("name"))
        .and_then(toml::Value::as_str)
        .unwrap_or("")
        .to_string();
    Ok(Some((name, m)))
}

/// The tree's own manifests by package name: the root, its workspace members, and the path
/// dependencies of those (inside the tree, at most [`super::MAX_DEPTH`] hops).
fn local_manifests(dir: &Path) -> Result<BTreeMap<String, Manifest>, Error> {
    let mut out = BTreeMap::new();
    let root_text = read_optional(&dir.join("Cargo.toml"))?;
    let root_table: Option<toml::Table> = root_text.and_then(|t| toml::from_str(&t).ok());
    let ws_pkg = root_table
        .as_ref()
        .and_then(|t| t.get("workspace")?.get("package")?.as_table())
        .cloned();
    let mut queue: Vec<(String, usize)> = vec![(String::new(), 0)];
    let mut seen = BTreeSet::new();
    while let Some((rel, depth)) = queue.pop() {
        if !seen.insert(rel.clone()) || depth > super::MAX_DEPTH || seen.len() > 10_000 {
            continue;
        }
        let Some(folder) = super::js::real_subdir(dir, &rel) else {
            continue;
        };
        let Some((name, m)) = parse_manifest(&folder.join("Cargo.toml"), ws_pkg.as_ref())? else {
            continue;
        };
        let mut next: Vec<String> = expand_members(&folder, &m.members, "Cargo.toml");
        next.extend(m.paths.iter().cloned());
        for n in next {
            let joined = normalize(&if rel.is_empty() {
                n.clone()
            } else {
                format!("{rel}/{n}")
            });
            if let Some(j) = joined {
                queue.push((j, depth + 1));
            }
        }
        if !name.is_empty() {
            out.entry(name).or_insert(m);
        }
    }
    Ok(out)
}

/// `a/b/../c` → `a/c`; `None` when it leaves the tree.
fn normalize(p: &str) -> Option<String> {
    let mut out: Vec<&str> = Vec::new();
    for s in p.split('/') {
        match s {
            "" | "." => {}
            ".." => {
                out.pop()?;
            }
            s => out.push(s),
        }
    }
    Some(out.join("/"))
}

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
    let dir = lock.parent().unwrap_or(Path::new("."));
    let manifest = dir.join("Cargo.toml");
    let mut l = from_lock(lock, &locked, root_name(&manifest)?.as_deref());
    let manifests = local_manifests(dir)?;
    // Local packages: what their manifests say, and which of their locked dependencies are
    // not development-only.
    let mut importers = Vec::new();
    let local: BTreeSet<String> = locked
        .iter()
        .filter(|x| x.source.is_none())
        .map(|x| package(x).purl)
        .collect();
    let name_of = |purl: &str| {
        locked
            .iter()
            .find(|x| package(x).purl == purl)
            .map(|x| x.name.clone())
    };
    for p in l.packages.iter_mut().chain(l.root.iter_mut()) {
        if !local.contains(&p.purl) {
            continue;
        }
        let Some(m) = manifests.get(&p.name) else {
            importers.push(Importer {
                purl: Some(p.purl.clone()),
                prod: p.depends_on.clone(),
            });
            continue;
        };
        p.license = m.license.clone();
        p.repository = m.repository.clone();
        p.author = m.author.clone();
        let prod = p
            .depends_on
            .iter()
            .filter(|d| name_of(d).is_some_and(|n| m.prod.contains(&n)))
            .cloned()
            .collect();
        importers.push(Importer {
            purl: Some(p.purl.clone()),
            prod,
        });
    }
    if let Some(r) = &l.root {
        let prod = importers
            .iter()
            .find(|i| i.purl.as_deref() == Some(r.purl.as_str()))
            .map(|i| i.prod.clone())
            .unwrap_or_default();
        importers.push(Importer { purl: None, prod });
    } else {
        // A virtual workspace: every member is a starting point.
        let members: Vec<String> = importers.iter().filter_map(|i| i.purl.clone()).collect();
        importers.push(Importer {
            purl: None,
            prod: members,
        });
    }
    if !manifests.is_empty() {
        mark_dev(&mut l.packages, &importers);
    }
    Ok(l)
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

/// `[package] name` of a manifest, if it has one (a virtual workspace has none; a manifest
/// that is not TOML names none).
fn root_name(manifest: &Path) -> Result<Option<String>, Error> {
    let Some(text) = read_optional(manifest)? else {
        return Ok(None);
    };
    let Ok(t) = toml::from_str::<toml::Table>(&text) else {
        return Ok(None);
    };
    Ok(t.get("package")
        .and_then(|p| p.get("name"))
        .and_then(toml::Value::as_str)
        .map(str::to_string))
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
