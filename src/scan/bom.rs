//! Lockfiles → one CycloneDX 1.6 JSON document.
//!
//! - `metadata.component`: the project, when exactly one lockfile names it; otherwise an
//!   `application` named after the scanned folder that depends on each lockfile's project (or,
//!   for a lockfile that names none, on its packages nothing else depends on).
//! - `components`: every pinned package once (bom-ref = purl), sorted by purl; other lockfiles'
//!   projects too when there are several.
//! - `dependencies`: one entry per component and for the subject.
//! - aiprov in `metadata.tools`, `metadata.timestamp` (`SOURCE_DATE_EPOCH` when set), and a
//!   `serialNumber` derived from the component list, so the same lockfiles give the same document.
//! - What the lockfiles and manifests state (licenses, the repository, the author of a
//!   workspace member, hashes); what they do not is declared unknown with the CycloneDX
//!   `cdx:cisa:unknown-information` property naming the CISA 2026 element, so the document
//!   passes `aiprov check --profile cisa-2026` without a guessed value. Development-only
//!   packages get `scope: excluded` and, for npm, `cdx:npm:package:development = true`.
//! - `metadata.lifecycles` `pre-build` (read from lockfiles); `metadata.properties` declare the
//!   SBOM author and signature unknown (scan signs nothing and cannot know who ships it).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Map, Value};
use time::OffsetDateTime;

use super::{Lockfile, Package};
use crate::resolve::parse_repo_url;

/// What to write besides the lockfiles' content.
#[derive(Debug, Clone)]
pub struct BomOptions {
    /// aiprov's version, for `metadata.tools`.
    pub tool_version: String,
    /// `metadata.timestamp`.
    pub timestamp: OffsetDateTime,
    /// Name of the subject when no lockfile names the project (the scanned folder's name).
    pub fallback_name: String,
}

/// The property CycloneDX's taxonomy defines for "declared unknown" (`cdx:cisa` namespace:
/// the value is the CISA element's exact name).
pub const UNKNOWN_PROPERTY: &str = "cdx:cisa:unknown-information";

/// The property cdxgen and cyclonedx-npm write on npm development dependencies
/// (`cdx:npm:package:development`, CycloneDX property taxonomy, `cdx:npm` namespace).
pub const NPM_DEVELOPMENT: &str = "cdx:npm:package:development";

/// Whether `s` reads as an SPDX license expression (identifiers, `LicenseRef-…`, `AND`, `OR`,
/// `WITH`, parentheses, a trailing `+`), so it can be a CycloneDX `expression`; anything else
/// (`SEE LICENSE IN …`, free text) is written as a license `name`.
fn is_spdx_expression(s: &str) -> bool {
    let spaced = s.replace('(', " ( ").replace(')', " ) ");
    let tokens: Vec<&str> = spaced.split_whitespace().collect();
    !tokens.is_empty()
        && tokens.iter().all(|t| {
            matches!(*t, "(" | ")" | "AND" | "OR" | "WITH")
                || (t.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
                    && t.chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+')))
        })
        && !matches!(tokens[0], "AND" | "OR" | "WITH")
}

/// What the subject named after the scanned folder declares unknown.
const FALLBACK_UNKNOWN: [&str; 6] = [
    "Component Producer",
    "Component Version",
    "Component Identifiers",
    "Component Hash Value",
    "Component Hash Algorithm",
    "Component License",
];

fn component(p: &Package, ty: &str) -> Value {
    let mut c = Map::new();
    let mut unknown: Vec<&str> = Vec::new();
    let mut props: Vec<Value> = Vec::new();
    c.insert("type".into(), json!(ty));
    c.insert("bom-ref".into(), json!(p.purl));
    match &p.author {
        Some(a) => {
            c.insert("authors".into(), json!([{"name": a}]));
        }
        None => unknown.push("Component Producer"),
    }
    if let Some(g) = &p.group {
        c.insert("group".into(), json!(g));
    }
    c.insert("name".into(), json!(p.name));
    if !p.version.is_empty() {
        c.insert("version".into(), json!(p.version));
    } else {
        unknown.push("Component Version");
    }
    c.insert("purl".into(), json!(p.purl));
    if p.dev {
        c.insert("scope".into(), json!("excluded"));
    }
    if !p.hashes.is_empty() {
        let hashes: Vec<Value> = p
            .hashes
            .iter()
            .map(|(alg, hex)| json!({"alg": alg, "content": hex}))
            .collect();
        c.insert("hashes".into(), Value::Array(hashes));
    } else {
        unknown.push("Component Hash Value");
        unknown.push("Component Hash Algorithm");
    }
    match &p.license {
        Some(l) if is_spdx_expression(l) => {
            c.insert("licenses".into(), json!([{"expression": l}]));
        }
        Some(l) => {
            c.insert("licenses".into(), json!([{"license": {"name": l}}]));
        }
        None => unknown.push("Component License"),
    }
    let mut refs = Vec::new();
    if let Some(vcs) = &p.vcs {
        // The clean repository URL when it is on a forge, the lockfile's spelling otherwise.
        let url = match parse_repo_url(vcs) {
            Some((repo, Some(pin))) => format!("git+{repo}@{pin}"),
            Some((repo, None)) => repo.to_string(),
            None => crate::resolve::redact_credentials(vcs),
        };
        refs.push(json!({"type": "vcs", "url": url}));
    }
    if let Some(repo) = p.repository.as_ref().filter(|_| p.vcs.is_none()) {
        let url = match parse_repo_url(repo) {
            Some((repo, _)) => repo.to_string(),
            None => crate::resolve::redact_credentials(repo),
        };
        refs.push(json!({"type": "vcs", "url": url}));
    }
    if !refs.is_empty() {
        c.insert("externalReferences".into(), Value::Array(refs));
    }
    if p.dev && p.purl.starts_with("pkg:npm/") {
        props.push(json!({"name": NPM_DEVELOPMENT, "value": "true"}));
    }
    props.extend(
        unknown
            .iter()
            .map(|u| json!({"name": UNKNOWN_PROPERTY, "value": u})),
    );
    if !props.is_empty() {
        c.insert("properties".into(), Value::Array(props));
    }
    Value::Object(c)
}

/// Build the document.
pub fn to_cyclonedx(lockfiles: &[Lockfile], opts: &BomOptions) -> Value {
    let mut comps: BTreeMap<String, (Package, &'static str)> = BTreeMap::new();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let roots: Vec<&Package> = lockfiles.iter().filter_map(|l| l.root.as_ref()).collect();
    let single_root = (lockfiles.len() == 1 && roots.len() == 1).then(|| roots[0].clone());
    let subject_ref = match &single_root {
        Some(r) => r.purl.clone(),
        None => "aiprov:scan-subject".to_string(),
    };
    let mut subject_deps: BTreeSet<String> = BTreeSet::new();
    for l in lockfiles {
        for p in &l.packages {
            edges
                .entry(p.purl.clone())
                .or_default()
                .extend(p.depends_on.iter().cloned());
            // The same package in two lockfiles: development-only only if it is in both.
            comps
                .entry(p.purl.clone())
                .and_modify(|(q, _)| q.dev &= p.dev)
                .or_insert((p.clone(), "library"));
        }
        match &l.root {
            Some(r) if single_root.is_some() => {
                subject_deps.extend(r.depends_on.iter().cloned());
            }
            Some(r) => {
                edges
                    .entry(r.purl.clone())
                    .or_default()
                    .extend(r.depends_on.iter().cloned());
                comps
                    .entry(r.purl.clone())
                    .or_insert((r.clone(), "application"));
                subject_deps.insert(r.purl.clone());
            }
            None => {
                let depended: BTreeSet<&String> = l
                    .packages
                    .iter()
                    .flat_map(|p| p.depends_on.iter())
                    .collect();
                subject_deps.extend(
                    l.packages
                        .iter()
                        .filter(|p| !depended.contains(&p.purl))
                        .map(|p| p.purl.clone()),
                );
            }
        }
    }
    // The subject is `metadata.component`: when a package shares its purl (an npm workspace
    // whose root and a member package have the same name and version), it is the subject, not a
    // second object with the same bom-ref (issue 14); its edges become the subject's.
    if single_root.is_some() && comps.remove(&subject_ref).is_some() {
        subject_deps.extend(edges.get(&subject_ref).into_iter().flatten().cloned());
    }
    subject_deps.remove(&subject_ref);
    let known: BTreeSet<String> = comps.keys().cloned().collect();
    let subject = match &single_root {
        Some(r) => component(r, "application"),
        // A folder holding several projects: nothing identifies it but its name.
        None => json!({"type": "application", "bom-ref": subject_ref, "name": opts.fallback_name,
            "properties": FALLBACK_UNKNOWN.iter().map(|u| json!({"name": UNKNOWN_PROPERTY, "value": u})).collect::<Vec<_>>()}),
    };
    let components: Vec<Value> = comps.values().map(|(p, ty)| component(p, ty)).collect();
    let mut dependencies = vec![json!({
        "ref": subject_ref,
        "dependsOn": subject_deps.iter().filter(|d| known.contains(*d)).collect::<Vec<_>>(),
    })];
    for purl in comps.keys() {
        let deps: Vec<&String> = edges
            .get(purl)
            .map(|d| {
                d.iter()
                    .filter(|x| known.contains(*x) && *x != purl)
                    .collect()
            })
            .unwrap_or_default();
        dependencies.push(json!({"ref": purl, "dependsOn": deps}));
    }
    json!({
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": serial_number(comps.keys()),
        "version": 1,
        "metadata": {
            "timestamp": opts.timestamp.to_offset(time::UtcOffset::UTC).replace_nanosecond(0).unwrap_or(opts.timestamp)
                .format(&time::format_description::well_known::Rfc3339).unwrap_or_default(),
            // Read from lockfiles before anything is built.
            "lifecycles": [{"phase": "pre-build"}],
            "tools": {"components": [{"type": "application", "name": crate::sbom::cyclonedx::TOOL_NAME, "version": opts.tool_version}]},
            "component": subject,
            // Who the SBOM's author is and a signature are not in any lockfile: declared
            // unknown (CycloneDX `cdx:cisa` taxonomy), not guessed (docs/decisions.md).
            "properties": [
                {"name": UNKNOWN_PROPERTY, "value": "SBOM Author"},
                {"name": UNKNOWN_PROPERTY, "value": "SBOM Author Signature"},
            ],
        },
        "components": components,
        "dependencies": dependencies,
    })
}

/// A version 5 UUID URN of the sorted purls (one per line).
fn serial_number<'a>(purls: impl Iterator<Item = &'a String>) -> String {
    let mut name = Vec::new();
    for p in purls {
        name.extend_from_slice(p.as_bytes());
        name.push(b'\n');
    }
    crate::ident::uuid_urn(&name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pkg(name: &str, deps: &[&str]) -> Package {
        Package {
            name: name.into(),
            group: None,
            version: "1.0.0".into(),
            purl: format!("pkg:npm/{name}@1.0.0"),
            hashes: vec![],
            vcs: None,
            depends_on: deps.iter().map(|d| format!("pkg:npm/{d}@1.0.0")).collect(),
            ..Default::default()
        }
    }

    /// A workspace whose root and a member package share a purl: one object with that bom-ref
    /// (the subject), the member's edges on the subject.
    #[test]
    fn root_sharing_a_package_purl_is_written_once() {
        let lock = Lockfile {
            path: "package-lock.json".into(),
            kind: "package-lock.json v3".into(),
            root: Some(pkg("ws", &["a"])),
            packages: vec![pkg("ws", &["b"]), pkg("a", &[]), pkg("b", &[])],
            warnings: vec![],
        };
        let opts = BomOptions {
            tool_version: "0".into(),
            timestamp: OffsetDateTime::UNIX_EPOCH,
            fallback_name: "x".into(),
        };
        let doc = to_cyclonedx(&[lock], &opts);
        let mut refs: Vec<&str> = doc["components"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["bom-ref"].as_str().unwrap())
            .collect();
        refs.push(doc["metadata"]["component"]["bom-ref"].as_str().unwrap());
        assert_eq!(
            refs,
            ["pkg:npm/a@1.0.0", "pkg:npm/b@1.0.0", "pkg:npm/ws@1.0.0"]
        );
        assert_eq!(
            doc["dependencies"][0],
            json!({"ref": "pkg:npm/ws@1.0.0", "dependsOn": ["pkg:npm/a@1.0.0", "pkg:npm/b@1.0.0"]})
        );
        let read = crate::sbom::cyclonedx::read("t", doc.to_string().as_bytes()).unwrap();
        assert!(read.warnings.is_empty());
    }
}
