//! `pnpm-lock.yaml`, lockfile versions 6 (pnpm 8) and 9 (pnpm 9 and 10). Version 5 and older
//! are refused.
//!
//! Shape (pnpm's lockfile spec, and testdata/scan/pnpm-workspace):
//! - `importers`: project folder (`.` = the root, `packages/app`) → `dependencies`,
//!   `optionalDependencies`, `devDependencies`, each `name: {specifier, version}`; `version` is
//!   a version (with a peer suffix `1.0.0(react@18.2.0)`), `link:../util` (a workspace folder,
//!   relative to the importer) or, for an alias, `name@version`. A version 6 lockfile of a
//!   single project has these three maps at the top level instead of `importers`.
//! - `packages`: version 9 key `name@version`, version 6 key `/name@version(peers)`: the
//!   `resolution` (`integrity`, or `{type: git, repo, commit}`) and in version 6 the
//!   `dependencies` / `optionalDependencies` too.
//! - `snapshots` (version 9): key `name@version(peers)` → `dependencies` /
//!   `optionalDependencies`.
//!
//! pnpm keeps neither licenses nor authors in the lockfile; members' come from their
//! `package.json`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::{Map, Value};

use super::js::{mark_dev, read_manifest, read_member_manifest, Importer};
use super::npm::integrity_hashes;
use super::{dedupe, malformed, read_text, Error, Lockfile, Package};

/// Read a `pnpm-lock.yaml`.
pub fn read(path: &Path) -> Result<Lockfile, Error> {
    let text = read_text(path)?;
    super::check_yaml_nesting(path, &text)?;
    let doc: Value = serde_norway::from_str(&text).map_err(|e| {
        let at = e
            .location()
            .map(|l| format!(" at line {}, column {}", l.line(), l.column()))
            .unwrap_or_default();
        malformed(path, format!("not valid YAML{at}"))
    })?;
    let version_text = match doc.get("lockfileVersion") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    };
    let major: u32 = version_text
        .split('.')
        .next()
        .and_then(|m| m.parse().ok())
        .unwrap_or(0);
    if major < 6 {
        return Err(malformed(
            path,
            format!(
                "lockfileVersion {:?} is not read (6 and 9 are); run pnpm install with pnpm 8 or later",
                version_text
            ),
        ));
    }
    let empty = Map::new();
    let obj = |k: &str| doc.get(k).and_then(Value::as_object).unwrap_or(&empty);
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut warnings = Vec::new();

    // Packages: one per `name@version` (peer variants merged).
    let mut by_key: BTreeMap<String, Package> = BTreeMap::new();
    let mut raw_edges: Vec<(String, String, String)> = Vec::new(); // (pkg key, dep name, dep version)
    for (key, v) in obj("packages") {
        let k = base_key(key);
        let Some((name, version)) = split_key(&k) else {
            warnings.push(format!("packages/{key}: cannot read the key; skipped"));
            continue;
        };
        let resolution = v.get("resolution");
        let mut version = version.to_string();
        let mut vcs = None;
        if let Some(r) = resolution.filter(|r| r.get("type").and_then(Value::as_str) == Some("git"))
        {
            let repo = r.get("repo").and_then(Value::as_str).unwrap_or("");
            let commit = r.get("commit").and_then(Value::as_str).unwrap_or("");
            vcs = Some(format!("git+{repo}#{commit}"));
            version = commit.to_string();
        } else if version.contains(':') {
            warnings.push(format!(
                "packages/{key}: a tarball or local source is not read; skipped"
            ));
            continue;
        }
        let name = v
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or(name)
            .to_string();
        let Some(mut p) = super::js::package(&name, &version) else {
            warnings.push(format!(
                "packages/{key}: \"{name}\" is not a valid npm name; skipped"
            ));
            continue;
        };
        p.vcs = vcs;
        if let Some(i) = resolution
            .and_then(|r| r.get("integrity"))
            .and_then(Value::as_str)
        {
            p.hashes = integrity_hashes(i);
        }
        collect_edges(&k, v, &mut raw_edges);
        by_key.insert(k, p);
    }
    for (key, v) in obj("snapshots") {
        collect_edges(&base_key(key), v, &mut raw_edges);
    }

    // Importers: the root and the workspace members.
    let mut importer_maps: Vec<(String, &Value)> = obj("importers")
        .iter()
        .map(|(k, v)| (k.clone(), v))
        .collect();
    if importer_maps.is_empty() {
        importer_maps.push((".".into(), &doc));
    }
    // folder → member package (from its package.json)
    let mut members: BTreeMap<String, Package> = BTreeMap::new();
    for (folder, _) in &importer_maps {
        if folder == "." || folder.split('/').any(|s| s == "..") {
            continue;
        }
        let m = read_member_manifest(dir, folder)?;
        match m.as_ref().and_then(|m| m.package("")) {
            Some(p) => {
                members.insert(folder.clone(), p);
            }
            None => warnings.push(format!(
                "importers/{folder}: no package.json with a valid name; its dependencies are read, the member itself is not a component"
            )),
        }
    }
    let resolve_dep = |name: &str, version: &str| -> Option<String> {
        // `1.0.0(peer@2.0.0)`: the peer suffix is not part of the version.
        let bare = version.split_once('(').map(|(a, _)| a).unwrap_or(version);
        let key = if bare.starts_with('/') || bare.get(1..).is_some_and(|r| r.contains('@')) {
            base_key(version) // `/name@version` (v6) or an alias `name@version`
        } else {
            base_key(&format!("{name}@{version}"))
        };
        by_key.get(&key).map(|p| p.purl.clone())
    };
    let resolve_link = |from: &str, link: &str| -> Option<String> {
        let target = normalize(&format!("{from}/{link}"));
        members.get(&target).map(|p| p.purl.clone())
    };
    let mut importers = Vec::new();
    let mut root: Option<Package> = None;
    let mut member_pkgs: Vec<Package> = Vec::new();
    for (folder, v) in &importer_maps {
        let mut prod = BTreeSet::new();
        let mut all = BTreeSet::new();
        for field in ["dependencies", "optionalDependencies", "devDependencies"] {
            for (name, spec) in v.get(field).and_then(Value::as_object).unwrap_or(&empty) {
                let version = match spec {
                    Value::String(s) => s.as_str(),
                    other => other.get("version").and_then(Value::as_str).unwrap_or(""),
                };
                let target = match version.strip_prefix("link:") {
                    Some(link) => resolve_link(folder, link),
                    None => resolve_dep(name, version),
                };
                if let Some(t) = target {
                    if field != "devDependencies" {
                        prod.insert(t.clone());
                    }
                    all.insert(t);
                }
            }
        }
        if folder == "." {
            let mut p = read_manifest(dir)?.and_then(|m| m.package(""));
            if let Some(p) = p.as_mut() {
                all.extend(members.values().map(|m| m.purl.clone()));
                all.remove(&p.purl);
                p.depends_on = all.into_iter().collect();
            }
            importers.push(Importer {
                purl: None,
                prod: prod.into_iter().collect(),
            });
            root = p;
        } else if let Some(m) = members.get(folder) {
            let mut p = m.clone();
            p.depends_on = all.into_iter().collect();
            importers.push(Importer {
                purl: Some(p.purl.clone()),
                prod: prod.into_iter().collect(),
            });
            member_pkgs.push(p);
        } else {
            importers.push(Importer {
                purl: None,
                prod: prod.into_iter().collect(),
            });
        }
    }
    if root.is_none() && !importer_maps.iter().any(|(f, _)| f == ".") {
        warnings.push("no root importer \".\"".into());
    }
    // Edges of the packages.
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (key, name, version) in &raw_edges {
        if let Some(t) = resolve_dep(name, version) {
            edges.entry(key.clone()).or_default().insert(t);
        }
    }
    let mut out: Vec<Package> = by_key
        .into_iter()
        .map(|(k, mut p)| {
            p.depends_on = edges.remove(&k).unwrap_or_default().into_iter().collect();
            p
        })
        .collect();
    out.extend(member_pkgs);
    mark_dev(&mut out, &importers);
    Ok(Lockfile {
        path: path.to_path_buf(),
        kind: format!("pnpm-lock.yaml v{version_text}"),
        root,
        packages: dedupe(out),
        warnings,
    })
}

fn collect_edges(key: &str, v: &Value, out: &mut Vec<(String, String, String)>) {
    for field in ["dependencies", "optionalDependencies"] {
        if let Some(d) = v.get(field).and_then(Value::as_object) {
            for (name, version) in d {
                if let Some(version) = version.as_str() {
                    out.push((key.to_string(), name.clone(), version.to_string()));
                }
            }
        }
    }
}

/// A package key without the version 6 leading `/` and the peer suffix `(…)`.
fn base_key(key: &str) -> String {
    let k = key.strip_prefix('/').unwrap_or(key);
    k.split_once('(').map(|(a, _)| a).unwrap_or(k).to_string()
}

/// `name@version` (the name may start with `@scope/`).
fn split_key(key: &str) -> Option<(&str, &str)> {
    let at = key.get(1..)?.find('@')? + 1;
    Some((&key[..at], &key[at + 1..]))
}

/// `packages/app/../util` → `packages/util`.
fn normalize(p: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for s in p.split('/') {
        match s {
            "" | "." => {}
            ".." => {
                out.pop();
            }
            s => out.push(s),
        }
    }
    out.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys() {
        assert_eq!(
            base_key("/react-dom@18.2.0(react@18.2.0)"),
            "react-dom@18.2.0"
        );
        assert_eq!(split_key("@fx/util@1.0.0"), Some(("@fx/util", "1.0.0")));
        assert_eq!(normalize("packages/app/../util"), "packages/util");
        assert_eq!(normalize("./../x"), "x");
    }
}
