//! Python lockfiles: `poetry.lock`, `uv.lock`, and `requirements*.txt` with `==` pins.
//!
//! Hashes: a Python release has one sdist and many wheels, each with its own hash; the
//! component's hash is the sdist's when the lockfile names it (poetry `files`, uv `sdist`), and a
//! requirements line's hash only when it gives exactly one.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use super::{dedupe, malformed, pep503, purl, read_text, read_toml, Error, Lockfile, Package};

fn sha256(h: &str) -> Option<(String, String)> {
    let hex = h.strip_prefix("sha256:")?;
    (hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| ("SHA-256".to_string(), hex.to_ascii_lowercase()))
}

fn pypi(name: &str, version: &str) -> String {
    purl("pypi", None, &pep503(name), version)
        .unwrap_or_else(|| format!("pkg:pypi/{}@{version}", pep503(name)))
}

fn is_sdist(file: &str) -> bool {
    file.ends_with(".tar.gz") || file.ends_with(".zip") || file.ends_with(".tar.bz2")
}

/// The project name from `pyproject.toml` beside the lockfile (`[project]` or `[tool.poetry]`).
fn project(dir: &Path) -> Option<(String, String)> {
    let t: toml::Table =
        toml::from_str(&super::read_text(&dir.join("pyproject.toml")).ok()?).ok()?;
    let p = t.get("project").or_else(|| t.get("tool")?.get("poetry"))?;
    let name = p.get("name")?.as_str()?.to_string();
    let version = p
        .get("version")
        .and_then(toml::Value::as_str)
        .unwrap_or("")
        .to_string();
    Some((name, version))
}

/// Read a `poetry.lock`.
pub fn read_poetry(path: &Path) -> Result<Lockfile, Error> {
    let t = read_toml(path)?;
    let list = match t.get("package") {
        Some(toml::Value::Array(a)) => a.clone(),
        Some(_) => return Err(malformed(path, "\"package\" is not an array of tables")),
        None => Vec::new(),
    };
    let mut by_name: HashMap<String, String> = HashMap::new();
    for p in &list {
        if let (Some(n), Some(v)) = (
            p.get("name").and_then(toml::Value::as_str),
            p.get("version").and_then(toml::Value::as_str),
        ) {
            by_name.insert(pep503(n), pypi(n, v));
        }
    }
    let mut out = Vec::new();
    for (i, p) in list.iter().enumerate() {
        let s = |k: &str| p.get(k).and_then(toml::Value::as_str).map(str::to_string);
        let (Some(name), Some(version)) = (s("name"), s("version")) else {
            return Err(malformed(
                path,
                format!("package #{} has no name or version", i + 1),
            ));
        };
        let hashes = p
            .get("files")
            .and_then(toml::Value::as_array)
            .into_iter()
            .flatten()
            .filter(|f| {
                f.get("file")
                    .and_then(toml::Value::as_str)
                    .is_some_and(is_sdist)
            })
            .filter_map(|f| sha256(f.get("hash")?.as_str()?))
            .take(1)
            .collect();
        let vcs = p.get("source").and_then(|src| {
            if src.get("type")?.as_str()? != "git" {
                return None;
            }
            let url = src.get("url")?.as_str()?;
            let rev = src.get("resolved_reference").and_then(toml::Value::as_str);
            Some(match rev {
                Some(r) => format!("git+{url}@{r}"),
                None => format!("git+{url}"),
            })
        });
        let deps: BTreeSet<String> = p
            .get("dependencies")
            .and_then(toml::Value::as_table)
            .map(|d| {
                d.keys()
                    .filter_map(|k| by_name.get(&pep503(k)).cloned())
                    .collect()
            })
            .unwrap_or_default();
        out.push(Package {
            purl: pypi(&name, &version),
            name,
            group: None,
            version,
            hashes,
            vcs,
            depends_on: deps.into_iter().collect(),
            ..Default::default()
        });
    }
    let root = path.parent().and_then(project).map(|(name, version)| {
        let direct: BTreeSet<String> = read_toml(&path.with_file_name("pyproject.toml"))
            .ok()
            .and_then(|t| {
                let deps = t
                    .get("tool")?
                    .get("poetry")?
                    .get("dependencies")?
                    .as_table()?
                    .clone();
                Some(
                    deps.keys()
                        .filter_map(|k| by_name.get(&pep503(k)).cloned())
                        .collect(),
                )
            })
            .unwrap_or_default();
        Package {
            purl: pypi(&name, &version),
            name,
            group: None,
            version,
            hashes: vec![],
            vcs: None,
            depends_on: direct.into_iter().collect(),
            ..Default::default()
        }
    });
    Ok(Lockfile {
        path: path.to_path_buf(),
        kind: "poetry.lock".into(),
        root,
        packages: dedupe(out),
        warnings: Vec::new(),
    })
}

/// Read a `uv.lock`.
pub fn read_uv(path: &Path) -> Result<Lockfile, Error> {
    let t = read_toml(path)?;
    let list = match t.get("package") {
        Some(toml::Value::Array(a)) => a.clone(),
        Some(_) => return Err(malformed(path, "\"package\" is not an array of tables")),
        None => Vec::new(),
    };
    // name → [(version, purl)]
    let mut by_name: HashMap<String, Vec<(String, String)>> = HashMap::new();
    for p in &list {
        if let Some(n) = p.get("name").and_then(toml::Value::as_str) {
            let v = p.get("version").and_then(toml::Value::as_str).unwrap_or("");
            by_name
                .entry(pep503(n))
                .or_default()
                .push((v.to_string(), pypi(n, v)));
        }
    }
    let edge = |d: &toml::Value| -> Option<String> {
        let cands = by_name.get(&pep503(d.get("name")?.as_str()?))?;
        match d.get("version").and_then(toml::Value::as_str) {
            Some(v) => cands.iter().find(|(cv, _)| cv == v).map(|(_, p)| p.clone()),
            None => cands.first().map(|(_, p)| p.clone()),
        }
    };
    let mut root = None;
    let mut out = Vec::new();
    for (i, p) in list.iter().enumerate() {
        let Some(name) = p
            .get("name")
            .and_then(toml::Value::as_str)
            .map(str::to_string)
        else {
            return Err(malformed(path, format!("package #{} has no name", i + 1)));
        };
        let version = p
            .get("version")
            .and_then(toml::Value::as_str)
            .unwrap_or("")
            .to_string();
        let source = p.get("source").and_then(toml::Value::as_table);
        let local = source.is_some_and(|s| {
            ["editable", "virtual"]
                .iter()
                .any(|k| s.get(*k).and_then(toml::Value::as_str) == Some("."))
        });
        let vcs = source
            .and_then(|s| s.get("git"))
            .and_then(toml::Value::as_str)
            .map(|g| format!("git+{g}"));
        let hashes = p
            .get("sdist")
            .and_then(|s| sha256(s.get("hash")?.as_str()?))
            .into_iter()
            .collect();
        let mut deps: BTreeSet<String> = BTreeSet::new();
        for list in p
            .get("dependencies")
            .and_then(toml::Value::as_array)
            .into_iter()
        {
            deps.extend(list.iter().filter_map(edge));
        }
        for group_key in ["optional-dependencies", "dev-dependencies"] {
            if let Some(groups) = p.get(group_key).and_then(toml::Value::as_table) {
                for list in groups.values().filter_map(toml::Value::as_array) {
                    deps.extend(list.iter().filter_map(edge));
                }
            }
        }
        let pkg = Package {
            purl: pypi(&name, &version),
            name,
            group: None,
            version,
            hashes,
            vcs,
            depends_on: deps.into_iter().collect(),
            ..Default::default()
        };
        if local && root.is_none() {
            root = Some(pkg);
        } else {
            out.push(pkg);
        }
    }
    Ok(Lockfile {
        path: path.to_path_buf(),
        kind: "uv.lock".into(),
        root,
        packages: dedupe(out),
        warnings: Vec::new(),
    })
}

/// Read a pinned `requirements.txt` (`name==version`, extras, markers, `--hash`, `\`
/// continuations, `name @ git+https://…@sha`). Unpinned lines are skipped with a warning;
/// `-r` / `-c` includes are not followed.
pub fn read_requirements(path: &Path) -> Result<Lockfile, Error> {
    let text = read_text(path)?;
    let mut warnings = Vec::new();
    let mut out = Vec::new();
    let mut logical = String::new();
    let mut lines: Vec<(usize, String)> = Vec::new();
    let mut start = 0;
    for (i, raw) in text.lines().enumerate() {
        if logical.is_empty() {
            start = i + 1;
        }
        let line = raw.trim_end();
        match line.strip_suffix('\\') {
            Some(cont) => {
                logical.push_str(cont);
                logical.push(' ');
            }
            None => {
                logical.push_str(line);
                lines.push((start, std::mem::take(&mut logical)));
            }
        }
    }
    if !logical.is_empty() {
        lines.push((start, logical));
    }
    for (n, line) in lines {
        let line = match line
            .find(" #")
            .or_else(|| line.starts_with('#').then_some(0))
        {
            Some(i) => line[..i].trim().to_string(),
            None => line.trim().to_string(),
        };
        if line.is_empty() {
            continue;
        }
        if line.starts_with('-') {
            if !line.starts_with("--hash") {
                warnings.push(format!(
                    "line {n}: option {} not followed",
                    crate::text::bounded(line.split_whitespace().next().unwrap_or(""), 40)
                ));
            }
            continue;
        }
        let mut hashes: Vec<(String, String)> = Vec::new();
        let mut spec = String::new();
        for tok in line.split_whitespace() {
            if let Some(h) = tok.strip_prefix("--hash=") {
                hashes.extend(sha256(h));
            } else if !tok.starts_with("--") {
                spec.push_str(tok);
                spec.push(' ');
            }
        }
        let spec = spec.split(';').next().unwrap_or("").trim().to_string();
        // `name @ git+https://…@rev`
        if let Some((name, url)) = spec.split_once(" @ ").or_else(|| {
            spec.split_once('@')
                .filter(|(_, u)| u.trim_start().starts_with("git+"))
        }) {
            let name = name.split('[').next().unwrap_or("").trim();
            let url = url.trim();
            let rev = url
                .rsplit_once('@')
                .map(|(_, r)| r)
                .filter(|r| crate::resolve::looks_like_commit(r));
            match rev {
                Some(r) if url.starts_with("git+") && !name.is_empty() => out.push(Package {
                    purl: pypi(name, r),
                    name: name.to_string(),
                    group: None,
                    version: r.to_string(),
                    hashes: vec![],
                    vcs: Some(url.to_string()),
                    depends_on: vec![],
                    ..Default::default()
                }),
                _ => warnings.push(format!(
                    "line {n}: a direct reference without a pinned commit; skipped"
                )),
            }
            continue;
        }
        let Some((name, version)) = spec.split_once("==") else {
            warnings.push(format!("line {n}: not pinned with ==; skipped"));
            continue;
        };
        let name = name.split('[').next().unwrap_or("").trim();
        let version = version.trim().trim_start_matches('=');
        let valid = !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
            && !version.is_empty()
            && !version.contains(['*', ',', ' ']);
        if !valid {
            warnings.push(format!("line {n}: not a pinned requirement; skipped"));
            continue;
        }
        out.push(Package {
            purl: pypi(name, version),
            name: name.to_string(),
            group: None,
            version: version.to_string(),
            hashes: if hashes.len() == 1 { hashes } else { vec![] },
            vcs: None,
            depends_on: vec![],
            ..Default::default()
        });
    }
    Ok(Lockfile {
        path: path.to_path_buf(),
        kind: "requirements.txt".into(),
        root: None,
        packages: dedupe(out),
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn poetry_lock_with_sdist_hash_git_source_and_edges() {
        let dir = tempfile::tempdir().unwrap();
        let lock = dir.path().join("poetry.lock");
        std::fs::write(
            &lock,
            r#"# This file is automatically @generated by Poetry 1.8.3 and should not be changed by hand.

[[package]]
name = "httpcore"
version = "1.0.5"
description = "A minimal low-level HTTP client."
optional = false
python-versions = ">=3.8"
files = [
    {file = "httpcore-1.0.5-py3-none-any.whl", hash = "sha256:421f18bac248b25d310f3cacd198d55b8e6125c107797b609ff9b7a6ba7991b5"},
    {file = "httpcore-1.0.5.tar.gz", hash = "sha256:34a38e2f9291467ee3b44e89dd52615370e152954ba21721378a87b2960f7a61"},
]

[package.dependencies]
certifi = "*"
h11 = ">=0.13,<0.15"

[[package]]
name = "h11"
version = "0.14.0"
description = "A pure-Python, bring-your-own-I/O implementation of HTTP/1.1"
optional = false
python-versions = ">=3.7"
files = []

[package.source]
type = "git"
url = "https://github.com/python-hyper/h11.git"
reference = "v0.14.0"
resolved_reference = "ed3a0ae6e16fdaee4fd1abbaee5ab6e6bcc71f1b"

[metadata]
lock-version = "2.0"
python-versions = "^3.9"
content-hash = "0000"
"#,
        )
        .unwrap();
        std::fs::write(dir.path().join("pyproject.toml"), "[tool.poetry]\nname = \"svc\"\nversion = \"2.0.0\"\n[tool.poetry.dependencies]\npython = \"^3.9\"\nhttpcore = \"1.0.5\"\n").unwrap();
        let l = read_poetry(&lock).unwrap();
        let purls: Vec<&str> = l.packages.iter().map(|p| p.purl.as_str()).collect();
        assert_eq!(purls, ["pkg:pypi/httpcore@1.0.5", "pkg:pypi/h11@0.14.0"]);
        assert_eq!(
            l.packages[0].hashes,
            [(
                "SHA-256".to_string(),
                "34a38e2f9291467ee3b44e89dd52615370e152954ba21721378a87b2960f7a61".to_string()
            )]
        );
        assert_eq!(l.packages[0].depends_on, ["pkg:pypi/h11@0.14.0"]);
        assert_eq!(l.packages[1].vcs.as_deref(), Some("git+https://github.com/python-hyper/h11.git@ed3a0ae6e16fdaee4fd1abbaee5ab6e6bcc71f1b"));
        let root = l.root.unwrap();
        assert_eq!(
            (root.purl.as_str(), root.depends_on.as_slice()),
            (
                "pkg:pypi/svc@2.0.0",
                &["pkg:pypi/httpcore@1.0.5".to_string()][..]
            )
        );
    }

    #[test]
    fn requirements_pins_hashes_and_skips() {
        let dir = tempfile::tempdir().unwrap();
        let req = dir.path().join("requirements.txt");
        std::fs::write(
            &req,
            "# generated\n-r base.txt\nsocksio==1.0.0 \\\n    --hash=sha256:f88beb3da5b5c38b9890469de67d0cb0f9d494b78b106ca1845f96c10b91c4ac\nHTTPCore[asyncio]==1.0.5 ; python_version >= \"3.8\"  # pinned\nh11>=0.13\nsniffio @ git+https://github.com/python-trio/sniffio@1b7a4d6e0f8e0e2d0b2a2e6e6b3c5d9f1e2a3b4c\n",
        )
        .unwrap();
        let l = read_requirements(&req).unwrap();
        let got: Vec<(&str, usize)> = l
            .packages
            .iter()
            .map(|p| (p.purl.as_str(), p.hashes.len()))
            .collect();
        assert_eq!(
            got,
            [
                ("pkg:pypi/socksio@1.0.0", 1),
                ("pkg:pypi/httpcore@1.0.5", 0),
                (
                    "pkg:pypi/sniffio@1b7a4d6e0f8e0e2d0b2a2e6e6b3c5d9f1e2a3b4c",
                    0
                )
            ]
        );
        assert_eq!(
            l.warnings,
            [
                "line 2: option -r not followed",
                "line 6: not pinned with ==; skipped"
            ]
        );
    }
}
