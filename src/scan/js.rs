//! What the JavaScript lockfile readers ([`super::npm`], [`super::yarn`], [`super::pnpm`],
//! [`super::bun`]) share: npm purls, the workspace's `package.json` manifests (members, licenses,
//! repositories, authors, which dependencies are for development) and the development marking.
//!
//! Format facts (npm docs, "package.json"): `license` is an SPDX expression string (older
//! packages: an object `{"type": …}` or a `licenses` array of them); `repository` is a URL
//! string, a shorthand (`github:o/r`, `gitlab:o/r`, `bitbucket:o/r`, bare `o/r` = GitHub) or
//! `{"type", "url", "directory"}`; `author` a string `Name <mail> (url)` or `{"name", …}`;
//! `workspaces` an array of folder globs or `{"packages": [...]}` (yarn 1); pnpm lists them in
//! `pnpm-workspace.yaml` under `packages:` instead.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::path::Path;

use serde_json::Value;

use super::{malformed, purl, read_optional, Error, Package};

/// The purl of npm package `name` (`@scope/name` or `name`) at `version`.
pub(crate) fn npm_purl(name: &str, version: &str) -> Option<String> {
    let (group, short) = split_name(name);
    purl("npm", group.as_deref(), &short, version)
}

/// `@scope/name` → (`Some("@scope")`, `name`); `name` → (`None`, `name`).
pub(crate) fn split_name(name: &str) -> (Option<String>, String) {
    match name.split_once('/') {
        Some((scope, n)) if scope.starts_with('@') => (Some(scope.to_string()), n.to_string()),
        _ => (None, name.to_string()),
    }
}

/// A package of a registry lockfile entry: purl, name, version; `None` when the name is not a
/// valid npm name.
pub(crate) fn package(name: &str, version: &str) -> Option<Package> {
    let (group, short) = split_name(name);
    Some(Package {
        purl: npm_purl(name, version)?,
        name: short,
        group,
        version: version.to_string(),
        ..Default::default()
    })
}

/// One `package.json` of the scanned tree.
#[derive(Debug, Clone, Default)]
pub(crate) struct Manifest {
    pub name: Option<String>,
    pub version: Option<String>,
    pub license: Option<String>,
    pub repository: Option<String>,
    pub author: Option<String>,
    /// `dependencies`, `optionalDependencies`, `peerDependencies` names and ranges.
    pub prod: BTreeMap<String, String>,
    /// `devDependencies` names and ranges (a name also in [`Self::prod`] is left out).
    pub dev: BTreeMap<String, String>,
    /// The `workspaces` globs.
    pub workspaces: Vec<String>,
}

impl Manifest {
    /// The package this manifest describes (a workspace member or the root), when it has a
    /// valid name; a missing version is `0.0.0`-less: the purl has no version.
    pub fn package(&self, fallback_name: &str) -> Option<Package> {
        let name = self.name.as_deref().unwrap_or(fallback_name);
        let version = self.version.as_deref().unwrap_or("");
        let mut p = package(name, version)?;
        p.license = self.license.clone();
        p.repository = self.repository.clone();
        p.author = self.author.clone();
        Some(p)
    }
}

fn text_or(v: Option<&Value>, key: &str) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        Value::Object(o) => o.get(key).and_then(Value::as_str).map(str::to_string),
        _ => None,
    }
    .map(|s| s.trim().to_string())
    .filter(|s| !s.is_empty())
}

/// A package.json `repository` as a URL (shorthands expanded); `None` when it is none.
pub(crate) fn repository_url(v: Option<&Value>) -> Option<String> {
    let s = text_or(v, "url")?;
    let expand = |host: &str, rest: &str| Some(format!("https://{host}/{rest}"));
    if let Some(rest) = s.strip_prefix("github:") {
        return expand("github.com", rest);
    }
    if let Some(rest) = s.strip_prefix("gitlab:") {
        return expand("gitlab.com", rest);
    }
    if let Some(rest) = s.strip_prefix("bitbucket:") {
        return expand("bitbucket.org", rest);
    }
    if !s.contains(':') && s.matches('/').count() == 1 && !s.starts_with('.') {
        return expand("github.com", &s);
    }
    s.contains("://").then_some(s)
}

fn license_of(doc: &Value) -> Option<String> {
    if let Some(l) = text_or(doc.get("license"), "type") {
        return Some(l);
    }
    // Deprecated `licenses: [{type, url}]`: an OR of the types.
    let types: Vec<String> = doc
        .get("licenses")
        .and_then(Value::as_array)?
        .iter()
        .filter_map(|l| text_or(Some(l), "type"))
        .collect();
    match types.len() {
        0 => None,
        1 => Some(types[0].clone()),
        _ => Some(format!("({})", types.join(" OR "))),
    }
}

/// The license a lockfile entry or manifest object states (`license`, or the deprecated
/// `licenses`).
pub(crate) fn license_field(entry: &Value) -> Option<String> {
    license_of(entry)
}

fn names(doc: &Value, field: &str) -> BTreeMap<String, String> {
    doc.get(field)
        .and_then(Value::as_object)
        .map(|o| {
            o.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string()))
                .collect()
        })
        .unwrap_or_default()
}

/// Parse the `package.json` in `dir`; `None` when there is none.
pub(crate) fn read_manifest(dir: &Path) -> Result<Option<Manifest>, Error> {
    let path = dir.join("package.json");
    let Some(text) = read_optional(&path)? else {
        return Ok(None);
    };
    let doc: Value = serde_json::from_str(&text).map_err(|e| {
        malformed(
            &path,
            format!("not valid JSON at line {}, column {}", e.line(), e.column()),
        )
    })?;
    let mut prod = names(&doc, "dependencies");
    prod.extend(names(&doc, "optionalDependencies"));
    prod.extend(names(&doc, "peerDependencies"));
    let mut dev = names(&doc, "devDependencies");
    dev.retain(|k, _| !prod.contains_key(k));
    let workspaces = match doc.get("workspaces") {
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        Some(Value::Object(o)) => o
            .get("packages")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    Ok(Some(Manifest {
        name: text_or(doc.get("name"), ""),
        version: text_or(doc.get("version"), ""),
        license: license_of(&doc),
        repository: repository_url(doc.get("repository")),
        author: text_or(doc.get("author"), "name"),
        prod,
        dev,
        workspaces,
    }))
}

/// The `package.json` of the member folder `rel` (as a lockfile names it) below `root`; `None`
/// when there is none, or when `rel` would leave the tree: absolute, with a `..` segment, or
/// through a symbolic link (the lockfile is untrusted and may name any folder).
pub(crate) fn read_member_manifest(root: &Path, rel: &str) -> Result<Option<Manifest>, Error> {
    match real_subdir(root, rel) {
        Some(dir) => read_manifest(&dir),
        None => Ok(None),
    }
}

/// `root/rel` when it is a folder inside the tree: `rel` relative, without `..`, and no
/// segment a symbolic link.
pub(crate) fn real_subdir(root: &Path, rel: &str) -> Option<std::path::PathBuf> {
    if rel.starts_with('/') || rel.contains('\\') {
        return None;
    }
    let mut dir = root.to_path_buf();
    for seg in rel.split('/').filter(|s| !s.is_empty() && *s != ".") {
        if seg == ".." {
            return None;
        }
        dir.push(seg);
        if !is_real_dir(&dir) {
            return None;
        }
    }
    Some(dir)
}

/// The member folders `globs` name below `root` (relative, `/`-separated, sorted): literal
/// paths and `*` / `**` in any segment; `!` exclusions are applied. Never through a symbolic
/// link, never into `node_modules`, never above `root`.
pub(crate) fn expand_workspaces(root: &Path, globs: &[String]) -> Vec<String> {
    expand_members(root, globs, "package.json")
}

/// [`expand_workspaces`] for any manifest file name (`Cargo.toml` for cargo workspaces).
pub(crate) fn expand_members(root: &Path, globs: &[String], manifest: &str) -> Vec<String> {
    let mut out = BTreeSet::new();
    let (excl, incl): (Vec<&String>, Vec<&String>) = globs.iter().partition(|g| g.starts_with('!'));
    for g in incl {
        let g = g.trim_start_matches("./").trim_end_matches('/');
        if g.split('/').any(|s| s == "..") {
            continue;
        }
        let segs: Vec<&str> = g.split('/').filter(|s| !s.is_empty()).collect();
        walk_glob(root, "", &segs, 0, &mut out);
    }
    out.into_iter()
        .filter(|m| {
            !excl
                .iter()
                .any(|e| glob_match(e.trim_start_matches('!').trim_start_matches("./"), m))
        })
        .filter(|m| {
            std::fs::symlink_metadata(root.join(m).join(manifest)).is_ok_and(|t| t.is_file())
        })
        .collect()
}

fn walk_glob(root: &Path, rel: &str, segs: &[&str], depth: usize, out: &mut BTreeSet<String>) {
    if depth > super::MAX_DEPTH || out.len() > 10_000 {
        return;
    }
    let Some((first, rest)) = segs.split_first() else {
        if !rel.is_empty() {
            out.insert(rel.to_string());
        }
        return;
    };
    let join = |name: &str| {
        if rel.is_empty() {
            name.to_string()
        } else {
            format!("{rel}/{name}")
        }
    };
    if !first.contains('*') {
        let next = join(first);
        if is_real_dir(&root.join(&next)) {
            walk_glob(root, &next, rest, depth + 1, out);
        }
        return;
    }
    let Ok(entries) = std::fs::read_dir(root.join(rel)) else {
        return;
    };
    let mut names: Vec<String> = entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n != "node_modules" && !n.starts_with('.'))
        .collect();
    names.sort();
    if *first == "**" {
        walk_glob(root, rel, rest, depth + 1, out);
        for n in &names {
            walk_glob(root, &join(n), segs, depth + 1, out);
        }
        return;
    }
    for n in &names {
        if glob_match(first, n) {
            walk_glob(root, &join(n), rest, depth + 1, out);
        }
    }
}

fn is_real_dir(p: &Path) -> bool {
    std::fs::symlink_metadata(p).is_ok_and(|m| m.is_dir())
}

/// `*` matches within one segment, `**` any number of segments.
fn glob_match(pattern: &str, text: &str) -> bool {
    fn seg(p: &[u8], t: &[u8]) -> bool {
        match p.split_first() {
            None => t.is_empty(),
            Some((b'*', rest)) => {
                (0..=t.len()).any(|i| !t[..i].contains(&b'/') && seg(rest, &t[i..]))
            }
            Some((c, rest)) => t.first() == Some(c) && seg(rest, &t[1..]),
        }
    }
    if pattern.contains("**") {
        let (a, b) = pattern.split_once("**").unwrap_or((pattern, ""));
        let b = b.trim_start_matches('/');
        return text.starts_with(a.trim_end_matches('/'))
            && (b.is_empty()
                || text.split('/').enumerate().any(|(i, _)| {
                    let tail: Vec<&str> = text.split('/').skip(i).collect();
                    seg(b.as_bytes(), tail.join("/").as_bytes())
                }));
    }
    seg(pattern.as_bytes(), text.as_bytes())
}

/// A project of the workspace (the root or a member) for [`mark_dev`]: its purl when it is a
/// component, and the purls its production dependencies resolve to.
#[derive(Debug, Clone, Default)]
pub(crate) struct Importer {
    pub purl: Option<String>,
    pub prod: Vec<String>,
}

/// Mark as development-only every package that no importer reaches through production
/// dependencies: a walk from each importer's production dependencies along `depends_on`,
/// where a member reached is followed only through its own production dependencies. Importers
/// themselves are never marked.
pub(crate) fn mark_dev(packages: &mut [Package], importers: &[Importer]) {
    let by_purl: HashMap<&str, usize> = packages
        .iter()
        .enumerate()
        .map(|(i, p)| (p.purl.as_str(), i))
        .collect();
    let importer_prod: HashMap<&str, &Vec<String>> = importers
        .iter()
        .filter_map(|i| Some((i.purl.as_deref()?, &i.prod)))
        .collect();
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut queue: VecDeque<String> = importers
        .iter()
        .flat_map(|i| i.prod.iter().cloned())
        .collect();
    while let Some(p) = queue.pop_front() {
        if !seen.insert(p.clone()) {
            continue;
        }
        if let Some(prod) = importer_prod.get(p.as_str()) {
            queue.extend(prod.iter().cloned());
        } else if let Some(&i) = by_purl.get(p.as_str()) {
            queue.extend(packages[i].depends_on.iter().cloned());
        }
    }
    for p in packages.iter_mut() {
        p.dev = !seen.contains(&p.purl) && !importer_prod.contains_key(p.purl.as_str());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn repository_shorthands_and_licenses() {
        assert_eq!(
            repository_url(Some(&json!("github:o/r"))).as_deref(),
            Some("https://github.com/o/r")
        );
        assert_eq!(
            repository_url(Some(&json!("o/r"))).as_deref(),
            Some("https://github.com/o/r")
        );
        assert_eq!(
            repository_url(Some(
                &json!({"type": "git", "url": "git+https://x.org/a.git"})
            ))
            .as_deref(),
            Some("git+https://x.org/a.git")
        );
        assert_eq!(repository_url(Some(&json!("file:../x"))), None);
        assert_eq!(
            license_field(&json!({"license": {"type": "MIT"}})).as_deref(),
            Some("MIT")
        );
        assert_eq!(
            license_field(&json!({"licenses": [{"type": "MIT"}, {"type": "Apache-2.0"}]}))
                .as_deref(),
            Some("(MIT OR Apache-2.0)")
        );
        assert!(glob_match("packages/*", "packages/a"));
        assert!(!glob_match("packages/*", "packages/a/b"));
        assert!(glob_match("packages/**", "packages/a/b"));
    }

    #[test]
    fn dev_marking_follows_members_production_edges_only() {
        let mut pkgs: Vec<Package> = ["m", "a", "b", "d"]
            .iter()
            .map(|n| package(n, "1.0.0").unwrap())
            .collect();
        pkgs[0].depends_on = vec!["pkg:npm/a@1.0.0".into(), "pkg:npm/d@1.0.0".into()];
        pkgs[1].depends_on = vec!["pkg:npm/b@1.0.0".into()];
        let importers = [
            Importer {
                purl: None,
                prod: vec!["pkg:npm/m@1.0.0".into()],
            },
            Importer {
                purl: Some("pkg:npm/m@1.0.0".into()),
                prod: vec!["pkg:npm/a@1.0.0".into()],
            },
        ];
        mark_dev(&mut pkgs, &importers);
        let dev: Vec<bool> = pkgs.iter().map(|p| p.dev).collect();
        assert_eq!(dev, [false, false, false, true]);
    }
}
