//! `bun.lock`, bun's text lockfile (bun 1.1.39 and later; the default since 1.2): JSON with
//! trailing commas (JSONC). The binary `bun.lockb` is refused by [`super::scan`].
//!
//! Shape (lockfileVersion 1 and 2, as bun writes it; see testdata/scan/bun-workspace):
//! - `workspaces`: folder (`""` = the root) → `{name, version, dependencies, devDependencies,
//!   optionalDependencies, peerDependencies}`.
//! - `packages`: install key → array. The key is the `node_modules` path without the
//!   `node_modules/` segments (`debug/ms` is the `ms` nested under `debug`). The array is
//!   `["name@version", registry, {dependencies, optionalDependencies, peerDependencies, …},
//!   "sha512-…"]` for registry packages, `["name@workspace:folder"]` for members,
//!   `["name@git+…#sha", {…}, "sha"]` / `["name@github:…", …]` for git sources.
//!
//! A dependency `d` of the package at key `K` is the nearest `K/d`, then the parents' `…/d`,
//! then `d` (Node's resolution over the flattened keys); a member's dependencies start at the
//! member's name.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::{Map, Value};

use super::js::{mark_dev, npm_purl, read_manifest, read_member_manifest, Importer};
use super::npm::integrity_hashes;
use super::{dedupe, malformed, read_text, Error, Lockfile, Package};

/// Read a `bun.lock`.
pub fn read(path: &Path) -> Result<Lockfile, Error> {
    let text = read_text(path)?;
    let doc: Value = serde_json::from_str(&strip_jsonc(&text)).map_err(|e| {
        malformed(
            path,
            format!(
                "not valid JSONC at line {}, column {}",
                e.line(),
                e.column()
            ),
        )
    })?;
    let version = doc.get("lockfileVersion").and_then(Value::as_u64);
    let empty = Map::new();
    let workspaces = doc
        .get("workspaces")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let Some(packages) = doc.get("packages").and_then(Value::as_object) else {
        return Err(malformed(path, "no \"packages\" object"));
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut warnings = Vec::new();
    // key → (package, dependency names, its ident)
    let mut entries: Vec<(String, Package, Vec<String>)> = Vec::new();
    for (key, v) in packages {
        let Some(arr) = v.as_array() else {
            return Err(malformed(path, format!("packages/{key}: not an array")));
        };
        let Some(ident) = arr.first().and_then(Value::as_str) else {
            return Err(malformed(
                path,
                format!("packages/{key}: no \"name@version\""),
            ));
        };
        let Some((name, spec)) = split_ident(ident) else {
            warnings.push(format!("packages/{key}: cannot read \"{ident}\"; skipped"));
            continue;
        };
        let meta = arr.iter().find(|x| x.is_object());
        let deps = dep_names(meta, false);
        if let Some(folder) = spec.strip_prefix("workspace:") {
            let ws = workspaces.get(folder);
            let version = ws
                .and_then(|w| w.get("version"))
                .and_then(Value::as_str)
                .unwrap_or("");
            let Some(mut p) = super::js::package(name, version) else {
                continue;
            };
            if let Some(m) = read_member_manifest(dir, folder)? {
                p.license = m.license;
                p.repository = m.repository;
                p.author = m.author;
            }
            let deps = ws.map(|w| dep_names(Some(w), true)).unwrap_or_default();
            entries.push((key.clone(), p, deps));
            continue;
        }
        let mut p = if spec.starts_with(|c: char| c.is_ascii_digit()) {
            let Some(mut p) = super::js::package(name, spec) else {
                warnings.push(format!(
                    "packages/{key}: \"{name}\" is not a valid npm name; skipped"
                ));
                continue;
            };
            if let Some(i) = arr
                .iter()
                .skip(1)
                .filter_map(Value::as_str)
                .find(|s| is_integrity(s))
            {
                p.hashes = integrity_hashes(i);
            }
            p
        } else if spec.starts_with("git+") || spec.starts_with("github:") {
            let commit = spec.rsplit_once('#').map(|(_, c)| c).unwrap_or("");
            let Some(mut p) = super::js::package(name, commit) else {
                continue;
            };
            p.vcs = Some(if let Some(rest) = spec.strip_prefix("github:") {
                format!("git+https://github.com/{rest}")
            } else {
                spec.to_string()
            });
            p
        } else {
            warnings.push(format!(
                "packages/{key}: \"{ident}\" is not from the registry, a workspace or git; skipped"
            ));
            continue;
        };
        p.depends_on = Vec::new();
        entries.push((key.clone(), p, deps));
    }
    let find = |from: &str, dep: &str| -> Option<&Package> {
        let mut segs = key_segments(from);
        loop {
            let candidate = if segs.is_empty() {
                dep.to_string()
            } else {
                format!("{}/{dep}", segs.join("/"))
            };
            if let Some((_, p, _)) = entries.iter().find(|(k, ..)| *k == candidate) {
                return Some(p);
            }
            segs.pop()?;
        }
    };
    let mut out: Vec<Package> = Vec::new();
    let mut importers = Vec::new();
    let mut members = Vec::new();
    for (key, p, deps) in &entries {
        let mut q = p.clone();
        let set: BTreeSet<String> = deps
            .iter()
            .filter_map(|d| find(key, d).map(|x| x.purl.clone()))
            .collect();
        q.depends_on = set.into_iter().collect();
        if let Some(folder) = packages[key]
            .get(0)
            .and_then(Value::as_str)
            .and_then(split_ident)
            .and_then(|(_, s)| s.strip_prefix("workspace:"))
        {
            let prod = workspaces
                .get(folder)
                .map(|w| dep_names(Some(w), false))
                .unwrap_or_default()
                .iter()
                .filter_map(|d| find(key, d).map(|x| x.purl.clone()))
                .collect();
            importers.push(Importer {
                purl: Some(q.purl.clone()),
                prod,
            });
            members.push(q.purl.clone());
        }
        out.push(q);
    }
    // The root: the `""` workspace.
    let root_ws = workspaces.get("");
    let root = match root_ws {
        Some(w) => {
            let m = read_manifest(dir)?;
            let name = w.get("name").and_then(Value::as_str).unwrap_or("");
            let version = m
                .as_ref()
                .and_then(|m| m.version.clone())
                .unwrap_or_default();
            let resolve = |dev: bool| -> Vec<String> {
                dep_names(Some(w), dev)
                    .iter()
                    .filter_map(|d| find("", d).map(|x| x.purl.clone()))
                    .collect()
            };
            importers.push(Importer {
                purl: None,
                prod: resolve(false),
            });
            npm_purl(name, &version).and_then(|_| {
                let mut p = super::js::package(name, &version)?;
                if let Some(m) = &m {
                    p.license = m.license.clone();
                    p.repository = m.repository.clone();
                    p.author = m.author.clone();
                }
                let mut deps: BTreeSet<String> = resolve(true).into_iter().collect();
                deps.extend(members.iter().cloned());
                deps.remove(&p.purl);
                p.depends_on = deps.into_iter().collect();
                Some(p)
            })
        }
        None => None,
    };
    mark_dev(&mut out, &importers);
    Ok(Lockfile {
        path: path.to_path_buf(),
        kind: format!("bun.lock v{}", version.unwrap_or(0)),
        root,
        packages: dedupe(out),
        warnings,
    })
}

fn is_integrity(s: &str) -> bool {
    ["sha512-", "sha384-", "sha256-", "sha1-"]
        .iter()
        .any(|p| s.starts_with(p))
}

/// `name@spec` (the name may start with `@scope/`).
fn split_ident(ident: &str) -> Option<(&str, &str)> {
    let at = ident[1.min(ident.len())..].find('@')? + 1;
    let (name, spec) = (&ident[..at], &ident[at + 1..]);
    (!name.is_empty()).then_some((name, spec))
}

/// The package names of a key: `debug/ms` → [debug, ms]; `@s/a/b` → [@s/a, b].
fn key_segments(key: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut parts = key.split('/').filter(|s| !s.is_empty());
    while let Some(p) = parts.next() {
        if p.starts_with('@') {
            out.push(format!("{p}/{}", parts.next().unwrap_or("")));
        } else {
            out.push(p.to_string());
        }
    }
    out
}

/// The dependency names of a workspace or package object: `dependencies`,
/// `optionalDependencies`, `peerDependencies`, and `devDependencies` when `dev`.
fn dep_names(obj: Option<&Value>, dev: bool) -> Vec<String> {
    let mut fields = vec!["dependencies", "optionalDependencies", "peerDependencies"];
    if dev {
        fields.push("devDependencies");
    }
    let mut out = BTreeSet::new();
    for f in fields {
        if let Some(o) = obj.and_then(|o| o.get(f)).and_then(Value::as_object) {
            out.extend(o.keys().cloned());
        }
    }
    out.into_iter().collect()
}

/// JSONC → JSON: comments become spaces (newlines kept, so positions stay), and a comma that
/// only whitespace or comments separate from `}` or `]` is dropped.
pub(crate) fn strip_jsonc(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let mut pending_comma: Option<usize> = None; // index in `out` of a comma not yet confirmed
    while i < b.len() {
        let c = b[i];
        if c == b'"' {
            pending_comma = None;
            let start = i;
            i += 1;
            while i < b.len() && b[i] != b'"' {
                i += if b[i] == b'\\' { 2 } else { 1 };
            }
            i = (i + 1).min(b.len());
            out.push_str(&text[start..i]);
            continue;
        }
        if c == b'/' && b.get(i + 1) == Some(&b'/') {
            while i < b.len() && b[i] != b'\n' {
                out.push(' ');
                i += 1;
            }
            continue;
        }
        if c == b'/' && b.get(i + 1) == Some(&b'*') {
            let end = text[i + 2..]
                .find("*/")
                .map(|e| i + 2 + e + 2)
                .unwrap_or(b.len());
            for ch in text[i..end].chars() {
                out.push(if ch == '\n' { '\n' } else { ' ' });
            }
            i = end;
            continue;
        }
        if c == b'}' || c == b']' {
            if let Some(at) = pending_comma.take() {
                out.replace_range(at..at + 1, " ");
            }
        } else if c == b',' {
            pending_comma = Some(out.len());
        } else if !c.is_ascii_whitespace() {
            pending_comma = None;
        }
        // copy one UTF-8 character
        let len = text[i..].chars().next().map_or(1, char::len_utf8);
        out.push_str(&text[i..i + len]);
        i += len;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jsonc_trailing_commas_and_comments() {
        let t = "{\"a\": [1, 2,], // c\n \"b\": \"x,]\", /* y */ }";
        let v: Value = serde_json::from_str(&strip_jsonc(t)).unwrap();
        assert_eq!(v, serde_json::json!({"a": [1, 2], "b": "x,]"}));
        assert_eq!(
            split_ident("@fx/app@workspace:packages/app"),
            Some(("@fx/app", "workspace:packages/app"))
        );
        assert_eq!(key_segments("@s/a/b"), ["@s/a", "b"]);
    }
}
