//! `yarn.lock`: yarn 1 ("classic", its own indented format) and yarn 2+ ("berry", YAML with a
//! `__metadata` entry). Which one is decided by the content: berry's has `__metadata:`.
//!
//! yarn 1 (see testdata/scan/yarn-classic-workspace): an entry starts with its descriptors
//! (`"@s/a@^1.0.0", "@s/a@^1.1.0":`) at column 0; indented two spaces come `version "1.2.3"`,
//! `resolved "URL#sha1"`, `integrity sha512-…` and the `dependencies:` /
//! `optionalDependencies:` blocks, whose lines (four spaces) are `name "range"`. Workspace
//! members are not in the lockfile: they come from the root `package.json` `workspaces`.
//!
//! berry (see testdata/scan/yarn-berry-workspace): a YAML map from descriptors (`"debug@npm:^4.3.4"`,
//! comma-separated when several resolve alike) to `{version, resolution, dependencies,
//! checksum, languageName, linkType}`; members are entries whose resolution is
//! `name@workspace:folder` (`.` the root). Dependency ranges without a protocol are `npm:`.
//! berry's `checksum` is of the zip archive yarn repacks, not of the registry tarball, so it
//! is not written as the component's hash.
//!
//! Neither keeps licenses; members' licenses, repositories and authors come from their
//! `package.json`. Which packages are development-only follows from the manifests
//! ([`super::js::mark_dev`]).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use serde_json::Value;

use super::js::{
    expand_workspaces, mark_dev, read_manifest, read_member_manifest, Importer, Manifest,
};
use super::npm::integrity_hashes;
use super::{dedupe, malformed, read_text, Error, Lockfile, Package};

/// One lockfile entry, either format.
#[derive(Debug, Default)]
struct Entry {
    descriptors: Vec<String>,
    name: String,
    version: String,
    /// berry: the `resolution`; yarn 1: the `resolved` URL.
    resolution: String,
    integrity: Option<String>,
    deps: Vec<(String, String)>,
}

/// Read a `yarn.lock` (either format).
pub fn read(path: &Path) -> Result<Lockfile, Error> {
    let text = read_text(path)?;
    let berry = text.lines().any(|l| l.starts_with("__metadata:"));
    let entries = if berry {
        parse_berry(path, &text)?
    } else {
        parse_v1(path, &text)?
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    let root_manifest = read_manifest(dir)?;
    let mut warnings = Vec::new();
    // Members: berry names them (workspace: resolutions), yarn 1 through the root manifest.
    let folders: Vec<String> = if berry {
        entries
            .iter()
            .filter_map(|e| {
                e.resolution
                    .split_once("@workspace:")
                    .map(|(_, f)| f.to_string())
            })
            .filter(|f| f != "." && f.split('/').all(|s| s != ".."))
            .collect()
    } else {
        root_manifest
            .as_ref()
            .map(|m| expand_workspaces(dir, &m.workspaces))
            .unwrap_or_default()
    };
    let mut members: Vec<(Manifest, Package)> = Vec::new();
    for f in &folders {
        match read_member_manifest(dir, f)? {
            Some(m) => match m.package("") {
                Some(p) => members.push((m, p)),
                None => warnings.push(format!("{f}/package.json: no valid name; not a component")),
            },
            None => warnings.push(format!("{f}: workspace without package.json; skipped")),
        }
    }
    let member_by_name: HashMap<String, String> = members
        .iter()
        .filter_map(|(m, p)| Some((m.name.clone()?, p.purl.clone())))
        .collect();

    // Registry / git packages.
    let mut by_descriptor: HashMap<String, String> = HashMap::new();
    let mut pkgs: Vec<(Package, &Entry)> = Vec::new();
    for e in &entries {
        if e.resolution.contains("@workspace:") {
            continue;
        }
        let protocol = if berry {
            e.resolution
                .get(e.name.len() + 1..)
                .and_then(|r| r.split_once(':'))
                .map(|(p, _)| p)
                .unwrap_or("")
        } else {
            ""
        };
        let git = if berry {
            (e.resolution.contains("#commit=")
                || protocol == "git"
                || protocol == "git+https"
                || protocol == "github")
                .then(|| e.resolution[e.name.len() + 1..].to_string())
        } else {
            (e.resolution.starts_with("git") || e.resolution.contains("codeload.github.com"))
                .then(|| e.resolution.clone())
        };
        if berry && git.is_none() && !matches!(protocol, "npm" | "patch") {
            warnings.push(format!(
                "{}: the {protocol}: protocol is not read; skipped",
                e.resolution
            ));
            continue;
        }
        let Some(mut p) = super::js::package(&e.name, &e.version) else {
            warnings.push(format!("{}: not a valid npm name; skipped", e.name));
            continue;
        };
        if let Some(g) = git {
            let g = g.replace("#commit=", "#");
            p.vcs = Some(if g.starts_with("git+") {
                g
            } else {
                format!("git+{g}")
            });
        }
        if let Some(i) = &e.integrity {
            p.hashes = integrity_hashes(i);
        }
        for d in &e.descriptors {
            by_descriptor.insert(d.clone(), p.purl.clone());
        }
        pkgs.push((p, e));
    }
    let resolve = |name: &str, range: &str| -> Option<String> {
        if range.starts_with("workspace:") || (!berry && member_by_name.contains_key(name)) {
            if let Some(m) = member_by_name.get(name) {
                return Some(m.clone());
            }
        }
        by_descriptor
            .get(&format!("{name}@{range}"))
            .or_else(|| by_descriptor.get(&format!("{name}@npm:{range}")))
            .cloned()
    };
    let mut out: Vec<Package> = pkgs
        .iter()
        .map(|(p, e)| {
            let mut p = p.clone();
            let deps: BTreeSet<String> = e.deps.iter().filter_map(|(n, r)| resolve(n, r)).collect();
            p.depends_on = deps.into_iter().collect();
            p
        })
        .collect();
    let mut importers = Vec::new();
    let manifest_edges = |m: &Manifest| -> (Vec<String>, Vec<String>) {
        let prod: BTreeSet<String> = m.prod.iter().filter_map(|(n, r)| resolve(n, r)).collect();
        let mut all = prod.clone();
        all.extend(m.dev.iter().filter_map(|(n, r)| resolve(n, r)));
        (prod.into_iter().collect(), all.into_iter().collect())
    };
    for (m, p) in &members {
        let (prod, all) = manifest_edges(m);
        let mut p = p.clone();
        p.depends_on = all;
        importers.push(Importer {
            purl: Some(p.purl.clone()),
            prod,
        });
        out.push(p);
    }
    let root = match &root_manifest {
        Some(m) => {
            let (prod, all) = manifest_edges(m);
            importers.push(Importer { purl: None, prod });
            m.package("").map(|mut p| {
                let mut deps: BTreeSet<String> = all.into_iter().collect();
                deps.extend(members.iter().map(|(_, q)| q.purl.clone()));
                deps.remove(&p.purl);
                p.depends_on = deps.into_iter().collect();
                p
            })
        }
        None => {
            warnings.push("no package.json beside the lockfile: development dependencies cannot be told apart".into());
            None
        }
    };
    if root_manifest.is_some() {
        mark_dev(&mut out, &importers);
    }
    Ok(Lockfile {
        path: path.to_path_buf(),
        kind: if berry {
            "yarn.lock (berry)".into()
        } else {
            "yarn.lock v1".into()
        },
        root,
        packages: dedupe(out),
        warnings,
    })
}

/// The package name of a descriptor `name@range` (the name may start with `@scope/`).
fn descriptor_name(d: &str) -> &str {
    match d.get(1..).and_then(|r| r.find('@')) {
        Some(i) => &d[..i + 1],
        None => d,
    }
}

fn unquote(s: &str) -> String {
    let s = s.trim();
    if s.len() >= 2 && s.starts_with('"') && s.ends_with('"') {
        s[1..s.len() - 1].replace("\\\"", "\"")
    } else {
        s.to_string()
    }
}

/// `key value` with either part quoted.
fn key_value(s: &str) -> (String, String) {
    let s = s.trim();
    if let Some(rest) = s.strip_prefix('"') {
        if let Some(end) = rest.find('"') {
            return (rest[..end].to_string(), unquote(&rest[end + 1..]));
        }
    }
    match s.split_once(' ') {
        Some((k, v)) => (k.to_string(), unquote(v)),
        None => (s.to_string(), String::new()),
    }
}

fn parse_v1(path: &Path, text: &str) -> Result<Vec<Entry>, Error> {
    let mut out: Vec<Entry> = Vec::new();
    let mut block: Option<String> = None;
    for (i, line) in text.lines().enumerate() {
        let at = |m: &str| malformed(path, format!("line {}: {m}", i + 1));
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        match indent {
            0 => {
                let Some(head) = line.strip_suffix(':') else {
                    return Err(at("expected an entry header ending in ':'"));
                };
                let descriptors: Vec<String> = head.split(", ").map(unquote).collect();
                let name = descriptor_name(&descriptors[0]).to_string();
                out.push(Entry {
                    descriptors,
                    name,
                    ..Default::default()
                });
                block = None;
            }
            2 => {
                let e = out
                    .last_mut()
                    .ok_or_else(|| at("a field outside an entry"))?;
                let t = line.trim();
                if let Some(b) = t.strip_suffix(':') {
                    block = Some(b.to_string());
                    continue;
                }
                block = None;
                let (k, v) = key_value(t);
                match k.as_str() {
                    "version" => e.version = v,
                    "resolved" => e.resolution = v,
                    "integrity" => e.integrity = Some(v),
                    _ => {}
                }
            }
            4 => {
                let e = out
                    .last_mut()
                    .ok_or_else(|| at("a field outside an entry"))?;
                if matches!(
                    block.as_deref(),
                    Some("dependencies" | "optionalDependencies")
                ) {
                    e.deps.push(key_value(line.trim()));
                }
            }
            _ => return Err(at("unexpected indentation")),
        }
    }
    if let Some(e) = out.iter().find(|e| e.version.is_empty()) {
        return Err(malformed(
            path,
            format!("entry \"{}\" has no version", e.descriptors[0]),
        ));
    }
    Ok(out)
}

fn parse_berry(path: &Path, text: &str) -> Result<Vec<Entry>, Error> {
    super::check_yaml_nesting(path, text)?;
    let doc: BTreeMap<String, Value> = serde_norway::from_str(text).map_err(|e| {
        let at = e
            .location()
            .map(|l| format!(" at line {}, column {}", l.line(), l.column()))
            .unwrap_or_default();
        malformed(path, format!("not valid YAML{at}"))
    })?;
    let mut out = Vec::new();
    for (key, v) in doc {
        if key == "__metadata" {
            continue;
        }
        let s = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
        let resolution = s("resolution");
        let descriptors: Vec<String> = key.split(", ").map(|d| d.trim().to_string()).collect();
        let name = descriptor_name(if resolution.is_empty() {
            &descriptors[0]
        } else {
            &resolution
        })
        .to_string();
        let version = match v.get("version") {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => return Err(malformed(path, format!("entry \"{key}\" has no version"))),
        };
        let mut deps = Vec::new();
        for field in ["dependencies", "optionalDependencies"] {
            if let Some(d) = v.get(field).and_then(Value::as_object) {
                for (n, r) in d {
                    deps.push((n.clone(), r.as_str().unwrap_or("").to_string()));
                }
            }
        }
        out.push(Entry {
            descriptors,
            name,
            version,
            resolution,
            integrity: None,
            deps,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v1_entries() {
        let t = "# yarn lockfile v1\n\n\"@s/a@^1\", \"@s/a@^1.1\":\n  version \"1.2.0\"\n  integrity sha1-AAEC\n  dependencies:\n    ms \"^2\"\n\nms@^2:\n  version \"2.1.3\"\n";
        let e = parse_v1(Path::new("yarn.lock"), t).unwrap();
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].descriptors, ["@s/a@^1", "@s/a@^1.1"]);
        assert_eq!(e[0].name, "@s/a");
        assert_eq!(e[0].deps, [("ms".to_string(), "^2".to_string())]);
        let err = parse_v1(Path::new("yarn.lock"), "x@1:\n   version \"1\"\n").unwrap_err();
        assert_eq!(err.to_string(), "yarn.lock: line 2: unexpected indentation");
    }
}
