//! `go.sum` with `go.mod`: the modules whose code the build downloads.
//!
//! A `go.sum` line is `module version h1:hash` (the module's files) or `module version/go.mod
//! h1:hash` (only its go.mod, read for the module graph). Components are the modules with a
//! files line, at each version listed. `go.mod` names the main module (the SBOM's subject) and
//! its direct requirements (no `// indirect`); `replace` directives are applied to them. `h1:`
//! is a hash over a file list, not over any artifact, so it is not written as a component hash.
//! Without a `go.sum`, the `require` lines of `go.mod` are the components.

use std::collections::BTreeSet;
use std::path::Path;

use super::{dedupe, malformed, purl, read_text, Error, Lockfile, Package};

fn go_purl(module: &str, version: &str) -> Option<String> {
    let (ns, name) = module.rsplit_once('/')?;
    purl("golang", Some(ns), name, version)
}

fn valid_module(m: &str) -> bool {
    !m.is_empty()
        && m.split('/').all(|s| !s.is_empty() && s != "." && s != "..")
        && m.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'~' | b'-' | b'/' | b'+')
        })
}

/// What `go.mod` says.
#[derive(Debug, Default)]
struct GoMod {
    module: Option<String>,
    /// (module, version, indirect)
    require: Vec<(String, String, bool)>,
    /// (old module, old version or "", new module, new version or "")
    replace: Vec<(String, String, String, String)>,
}

fn parse_go_mod(path: &Path, text: &str) -> Result<GoMod, Error> {
    let mut m = GoMod::default();
    let mut block: Option<String> = None;
    for (i, raw) in text.lines().enumerate() {
        let (code, comment) = match raw.find("//") {
            Some(c) => (&raw[..c], &raw[c + 2..]),
            None => (raw, ""),
        };
        let code = code.trim();
        if code.is_empty() {
            continue;
        }
        if code == ")" {
            block = None;
            continue;
        }
        let (verb, rest) = match &block {
            Some(b) => (b.as_str(), code),
            None => code
                .split_once(char::is_whitespace)
                .map(|(v, r)| (v, r.trim()))
                .unwrap_or((code, "")),
        };
        if rest == "(" {
            block = Some(verb.to_string());
            continue;
        }
        let f: Vec<&str> = rest
            .split_whitespace()
            .map(|s| s.trim_matches('"'))
            .collect();
        match verb {
            "module" => m.module = f.first().map(|s| s.to_string()),
            "require" => {
                if f.len() < 2 {
                    return Err(malformed(
                        path,
                        format!("line {}: require needs a module and a version", i + 1),
                    ));
                }
                m.require.push((
                    f[0].into(),
                    f[1].into(),
                    comment.trim() == "indirect" || comment.contains("indirect"),
                ));
            }
            "replace" => {
                if let Some(arrow) = f.iter().position(|s| *s == "=>") {
                    let old = &f[..arrow];
                    let new = &f[arrow + 1..];
                    if let (Some(o), Some(n)) = (old.first(), new.first()) {
                        m.replace.push((
                            o.to_string(),
                            old.get(1).unwrap_or(&"").to_string(),
                            n.to_string(),
                            new.get(1).unwrap_or(&"").to_string(),
                        ));
                    }
                }
            }
            _ => {}
        }
    }
    Ok(m)
}

/// Read `go.sum` (with the `go.mod` beside it), or a `go.mod` alone.
pub fn read(path: &Path) -> Result<Lockfile, Error> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let is_sum = path.file_name().is_some_and(|n| n == "go.sum");
    let mod_path = dir.join("go.mod");
    let gomod = if mod_path.is_file() {
        parse_go_mod(&mod_path, &read_text(&mod_path)?)?
    } else {
        GoMod::default()
    };
    let mut warnings = Vec::new();
    let mut entries: Vec<(String, String)> = Vec::new();
    if is_sum {
        let text = read_text(path)?;
        for (i, line) in text.lines().enumerate() {
            let f: Vec<&str> = line.split_whitespace().collect();
            if f.is_empty() {
                continue;
            }
            if f.len() != 3 || !f[2].starts_with("h1:") {
                return Err(malformed(
                    path,
                    format!("line {}: expected \"module version h1:hash\"", i + 1),
                ));
            }
            if f[1].ends_with("/go.mod") {
                continue;
            }
            entries.push((f[0].to_string(), f[1].to_string()));
        }
        if !mod_path.is_file() {
            warnings.push(
                "no go.mod beside go.sum: the main module and direct requirements are unknown"
                    .into(),
            );
        }
    } else {
        for (m, v, _) in &gomod.require {
            entries.push((m.clone(), v.clone()));
        }
    }
    let replaced = |m: &str, v: &str| -> (String, String) {
        for (om, ov, nm, nv) in &gomod.replace {
            if om == m
                && (ov.is_empty() || ov == v)
                && !nv.is_empty()
                && !nm.starts_with('.')
                && !nm.starts_with('/')
            {
                return (nm.clone(), nv.clone());
            }
        }
        (m.to_string(), v.to_string())
    };
    let mut out = Vec::new();
    for (m, v) in &entries {
        if !valid_module(m) {
            warnings.push(format!(
                "module \"{}\" is not a valid module path; skipped",
                crate::text::bounded(m, 100)
            ));
            continue;
        }
        let Some(p) = go_purl(m, v) else {
            warnings.push(format!("module {m} has no purl; skipped"));
            continue;
        };
        out.push(Package {
            name: m.clone(),
            group: None,
            version: v.clone(),
            purl: p,
            hashes: vec![],
            vcs: None,
            depends_on: vec![],
            ..Default::default()
        });
    }
    let known: BTreeSet<String> = out.iter().map(|p| p.purl.clone()).collect();
    let root = gomod.module.as_ref().map(|module| {
        let direct: BTreeSet<String> = gomod
            .require
            .iter()
            .filter(|(_, _, indirect)| !indirect)
            .filter_map(|(m, v, _)| {
                let (m, v) = replaced(m, v);
                go_purl(&m, &v)
            })
            .filter(|p| known.contains(p))
            .collect();
        let purl = go_purl(module, "").unwrap_or_else(|| format!("pkg:golang/{module}"));
        Package {
            name: module.clone(),
            group: None,
            version: String::new(),
            purl,
            hashes: vec![],
            vcs: None,
            depends_on: direct.into_iter().collect(),
            ..Default::default()
        }
    });
    Ok(Lockfile {
        path: path.to_path_buf(),
        kind: if is_sum {
            "go.sum".into()
        } else {
            "go.mod".into()
        },
        root,
        packages: dedupe(out),
        warnings,
    })
}
