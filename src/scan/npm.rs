//! `package-lock.json` (and `npm-shrinkwrap.json`), lockfile versions 2 and 3: the flat
//! `packages` map keyed by install path. Version 1 (npm 6) has no such map and is refused.
//!
//! The key `""` is the project; `node_modules/…` keys are installed packages (an alias
//! `node_modules/x` with `"name": "y"` is package `y`); `"link": true` entries point at a
//! workspace folder, which has its own entry. Edges follow Node's resolution: a dependency `d` of
//! the package at `P` is the nearest `P/node_modules/d`, then the parents' `node_modules/d`.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

use super::js::{license_field, read_member_manifest};
use super::{base64_to_hex, dedupe, malformed, purl, read_text, Error, Lockfile, Package};

/// Read a `package-lock.json`.
pub fn read(path: &Path) -> Result<Lockfile, Error> {
    let text = read_text(path)?;
    let doc: Value = serde_json::from_str(&text).map_err(|e| {
        malformed(
            path,
            format!("not valid JSON at line {}, column {}", e.line(), e.column()),
        )
    })?;
    let version = doc.get("lockfileVersion").and_then(Value::as_u64);
    let Some(packages) = doc.get("packages").and_then(Value::as_object) else {
        return Err(malformed(
            path,
            match version {
                Some(1) => "lockfileVersion 1 (npm 6) is not read; run npm install with npm 7 or later to write version 3".to_string(),
                _ => "no \"packages\" object (expected lockfileVersion 2 or 3)".to_string(),
            },
        ));
    };
    let mut warnings = Vec::new();
    // install path → (name, version)
    let mut installed: Vec<(String, String, String, &Value)> = Vec::new();
    for (key, entry) in packages {
        if entry.get("link").and_then(Value::as_bool) == Some(true) {
            continue;
        }
        let name = match entry.get("name").and_then(Value::as_str) {
            Some(n) => n.to_string(),
            None => match key.rfind("node_modules/") {
                Some(i) => key[i + "node_modules/".len()..].to_string(),
                None if key.is_empty() => doc
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
                None => key.rsplit('/').next().unwrap_or(key).to_string(),
            },
        };
        let Some(version) = entry.get("version").and_then(Value::as_str) else {
            if !key.is_empty() {
                warnings.push(format!("{key}: no version; skipped"));
            }
            continue;
        };
        installed.push((key.clone(), name, version.to_string(), entry));
    }
    let purl_of = |name: &str, version: &str| -> Option<String> {
        match name.split_once('/') {
            Some((scope, n)) if scope.starts_with('@') => purl("npm", Some(scope), n, version),
            _ => purl("npm", None, name, version),
        }
    };
    let find = |from: &str, dep: &str| -> Option<String> {
        let mut base = from.to_string();
        loop {
            let candidate = if base.is_empty() {
                format!("node_modules/{dep}")
            } else {
                format!("{base}/node_modules/{dep}")
            };
            if let Some((_, name, version, _)) = installed.iter().find(|(k, ..)| *k == candidate) {
                return purl_of(name, version);
            }
            if let Some(target) = packages
                .get(&candidate)
                .filter(|e| e.get("link").and_then(Value::as_bool) == Some(true))
            {
                let resolved = target.get("resolved").and_then(Value::as_str)?;
                let (_, name, version, _) = installed.iter().find(|(k, ..)| k == resolved)?;
                return purl_of(name, version);
            }
            if base.is_empty() {
                return None;
            }
            base = match base.rfind("/node_modules/") {
                Some(i) => base[..i].to_string(),
                None => String::new(),
            };
        }
    };
    let mut root: Option<Package> = None;
    let mut out = Vec::new();
    let mut members = Vec::new();
    for (key, name, version, entry) in &installed {
        let Some(p) = purl_of(name, version) else {
            warnings.push(format!(
                "{key}: \"{name}\" is not a valid npm name; skipped"
            ));
            continue;
        };
        let mut deps = BTreeSet::new();
        for field in [
            "dependencies",
            "optionalDependencies",
            "peerDependencies",
            "devDependencies",
        ] {
            if field == "devDependencies" && key.contains("node_modules/") {
                continue; // only the project's and its workspaces' dev dependencies are installed
            }
            if let Some(d) = entry.get(field).and_then(Value::as_object) {
                for dep in d.keys() {
                    if let Some(q) = find(key, dep) {
                        deps.insert(q);
                    }
                }
            }
        }
        let hashes = entry
            .get("integrity")
            .and_then(Value::as_str)
            .map(integrity_hashes)
            .unwrap_or_default();
        let resolved = entry.get("resolved").and_then(Value::as_str).unwrap_or("");
        let vcs = resolved.starts_with("git+").then(|| resolved.to_string());
        let (group, short) = match name.split_once('/') {
            Some((scope, n)) if scope.starts_with('@') => (Some(scope.to_string()), n.to_string()),
            _ => (None, name.clone()),
        };
        let mut pkg = Package {
            name: short,
            group,
            version: version.clone(),
            purl: p,
            hashes,
            vcs,
            depends_on: deps.into_iter().collect(),
            // npm marks what only devDependencies reach (`dev`; `devOptional` is also
            // reached as an optional dependency of production code, so it is not excluded).
            dev: entry.get("dev").and_then(Value::as_bool) == Some(true),
            license: license_field(entry),
            ..Default::default()
        };
        // The project and its workspace folders: their package.json adds what the lockfile
        // does not copy (repository, author).
        if !key.contains("node_modules/") {
            let dir = path.parent().unwrap_or(Path::new("."));
            if let Some(m) = read_member_manifest(dir, key)? {
                pkg.repository = m.repository;
                pkg.author = m.author;
                pkg.license = pkg.license.or(m.license);
            }
        }
        if key.is_empty() {
            root = Some(pkg);
        } else {
            if !key.contains("node_modules/") {
                members.push(pkg.purl.clone());
            }
            out.push(pkg);
        }
    }
    // The workspace root holds its members (they are installed because it lists them).
    if let Some(r) = root.as_mut() {
        for m in members {
            if !r.depends_on.contains(&m) && m != r.purl {
                r.depends_on.push(m);
            }
        }
    }
    Ok(Lockfile {
        path: path.to_path_buf(),
        kind: format!("package-lock.json v{}", version.unwrap_or(0)),
        root,
        packages: dedupe(out),
        warnings,
    })
}

/// Subresource-integrity strings (`sha512-<base64> sha1-<base64>`) as CycloneDX hashes.
pub(crate) fn integrity_hashes(s: &str) -> Vec<(String, String)> {
    s.split_whitespace()
        .filter_map(|part| {
            let (alg, b64) = part.split_once('-')?;
            let (alg, bytes) = match alg {
                "sha512" => ("SHA-512", 64),
                "sha384" => ("SHA-384", 48),
                "sha256" => ("SHA-256", 32),
                "sha1" => ("SHA-1", 20),
                _ => return None,
            };
            // A digest of the wrong length is not one (the lockfile is untrusted).
            let hex = base64_to_hex(b64).filter(|h| h.len() == 2 * bytes)?;
            Some((alg.to_string(), hex))
        })
        .collect()
}
