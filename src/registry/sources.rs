//! One function per registry: build the URL, read the registry's own shape, pick the fields.
//! Field names and facts: `../shared/docs/sbom-mapping.md` §5.

use std::io::Read;

use regex::Regex;
use serde_json::Value;

use super::{Found, LookupError, Registry};
use crate::resolve::{looks_like_commit, parse_repo_url, Purl};
use crate::text::{bounded, ECHO_LIMIT};

/// `registry:<name>` for a purl type.
pub(super) fn source_name(ty: &str) -> &'static str {
    match ty {
        "cargo" => "registry:crates.io",
        "npm" => "registry:npm",
        "pypi" => "registry:pypi",
        "golang" => "registry:go",
        "maven" => "registry:maven",
        _ => "registry",
    }
}

/// The purl type's own registry, or `None` when there is none.
pub(super) fn lookup(r: &Registry, p: &Purl) -> Option<Result<Found, LookupError>> {
    Some(match p.ty.as_str() {
        "cargo" => cargo(r, p),
        "npm" => npm(r, p),
        "pypi" => pypi(r, p),
        "golang" => golang(r, p),
        "maven" => maven(r, p),
        _ => return None,
    })
}

/// Percent-encode one path segment (everything but RFC 3986 unreserved characters).
fn enc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A registry name we are willing to put in a URL: printable ASCII without `/` or `\`, not `.`
/// or `..` (so no path traversal on the registry), at most 214 bytes (npm's limit).
fn checked(what: &str, s: &str) -> Result<(), LookupError> {
    let ok = !s.is_empty()
        && s.len() <= 214
        && s != "."
        && s != ".."
        && s.bytes()
            .all(|b| b.is_ascii_graphic() && b != b'/' && b != b'\\');
    if ok {
        Ok(())
    } else {
        Err(LookupError::Invalid(format!(
            "{what} \"{}\" is not a valid package name",
            bounded(s, ECHO_LIMIT)
        )))
    }
}

fn base(s: &str) -> &str {
    s.trim_end_matches('/')
}

fn malformed(url: &str, message: impl Into<String>) -> LookupError {
    LookupError::Malformed {
        url: url.into(),
        message: message.into(),
    }
}

fn str_field<'a>(v: &'a Value, k: &str) -> Option<&'a str> {
    v.get(k)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// `url` as a repository, or a note saying why not.
fn repo_or_note(found: &mut Found, field: &str, url: &str) -> bool {
    match parse_repo_url(url) {
        Some((repo, pin)) => {
            found.repository = Some(repo);
            if found.commit.is_none() {
                found.commit = pin;
            }
            true
        }
        None => {
            found.note = Some(format!(
                "{field} {} is not a repository on {}",
                bounded(&crate::resolve::redact_credentials(url), ECHO_LIMIT),
                crate::resolve::FORGES.join(", ")
            ));
            false
        }
    }
}

// ------------------------------------------------------------------------------------------
// crates.io
// ------------------------------------------------------------------------------------------

fn cargo(r: &Registry, p: &Purl) -> Result<Found, LookupError> {
    checked("crate", &p.name)?;
    let api = base(&r.cfg.crates_io);
    let name = enc(&p.name);
    let mut repository: Option<String> = None;
    let mut released = None;
    if let Some(v) = &p.version {
        let (url, j) = r.get_json(&format!("{api}/api/v1/crates/{name}/{}", enc(v)))?;
        let ver = j
            .get("version")
            .filter(|v| v.is_object())
            .ok_or_else(|| malformed(&url, "no \"version\" object"))?;
        repository = str_field(ver, "repository").map(str::to_string);
        released = str_field(ver, "created_at").and_then(release_time);
    }
    if repository.is_none() {
        let (url, j) = r.get_json(&format!("{api}/api/v1/crates/{name}"))?;
        let krate = j
            .get("crate")
            .filter(|v| v.is_object())
            .ok_or_else(|| malformed(&url, "no \"crate\" object"))?;
        repository = str_field(krate, "repository")
            .or_else(|| str_field(krate, "homepage").filter(|h| parse_repo_url(h).is_some()))
            .map(str::to_string);
    }
    let mut found = Found {
        released,
        ..Found::default()
    };
    match &repository {
        Some(u) => {
            repo_or_note(&mut found, "repository", u);
        }
        None => found.note = Some("the crate names no repository".into()),
    }
    if let (true, Some(v), Some(_)) = (r.cfg.crate_commits, &p.version, &found.repository) {
        match crate_vcs_info(r, &p.name, v) {
            Ok(Some((sha, path))) => {
                found.commit = Some(sha);
                found.directory = path;
            }
            Ok(None) => {
                found.note = Some(
                    "the .crate has no .cargo_vcs_info.json (published from outside git?)".into(),
                )
            }
            Err(e) => {
                found.transient = e.is_transient();
                found.note = Some(format!("released commit unknown: {e}"));
            }
        }
    }
    Ok(found)
}

/// `git.sha1` and `path_in_vcs` from the `.crate` file's `.cargo_vcs_info.json`.
fn crate_vcs_info(
    r: &Registry,
    name: &str,
    version: &str,
) -> Result<Option<(String, Option<String>)>, LookupError> {
    checked("crate version", version)?;
    let url = format!(
        "{}/{}/{}-{}.crate",
        base(&r.cfg.crates_download),
        enc(name),
        enc(name),
        enc(version)
    );
    let body = r.http.get_capped(
        &url,
        "application/octet-stream",
        r.http.config().max_download,
    )?;
    let want = format!("{name}-{version}/.cargo_vcs_info.json");
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(&body.bytes[..]));
    let entries = archive
        .entries()
        .map_err(|e| malformed(&body.url, format!("not a .crate file ({e})")))?;
    for entry in entries {
        let mut entry =
            entry.map_err(|e| malformed(&body.url, format!("not a .crate file ({e})")))?;
        let is_it = entry
            .path()
            .map(|p| p.to_string_lossy() == want)
            .unwrap_or(false);
        if !is_it {
            continue;
        }
        let mut text = Vec::new();
        entry
            .by_ref()
            .take(64 * 1024)
            .read_to_end(&mut text)
            .map_err(|e| malformed(&body.url, format!("reading .cargo_vcs_info.json ({e})")))?;
        let v: Value = serde_json::from_slice(&text)
            .map_err(|e| malformed(&body.url, format!(".cargo_vcs_info.json is not JSON ({e})")))?;
        let sha = v
            .get("git")
            .and_then(|g| str_field(g, "sha1"))
            .filter(|s| s.len() == 40 && looks_like_commit(s))
            .ok_or_else(|| malformed(&body.url, ".cargo_vcs_info.json has no git.sha1"))?;
        let path = str_field(&v, "path_in_vcs").map(str::to_string);
        return Ok(Some((sha.to_ascii_lowercase(), path)));
    }
    Ok(None)
}

// ------------------------------------------------------------------------------------------
// npm
// ------------------------------------------------------------------------------------------

fn npm(r: &Registry, p: &Purl) -> Result<Found, LookupError> {
    checked("npm package", &p.name)?;
    let path = match p.namespace.as_deref().filter(|s| !s.is_empty()) {
        Some(ns) => {
            let scope = if ns.starts_with('@') {
                ns.to_string()
            } else {
                format!("@{ns}")
            };
            checked("npm scope", &scope)?;
            format!("{}%2F{}", enc(&scope).replace("%40", "@"), enc(&p.name))
        }
        None => enc(&p.name),
    };
    let reg = base(&r.cfg.npm);
    // The per-version document is exactly the packument's `versions[v]`, without the rest.
    let url = match &p.version {
        Some(v) => format!("{reg}/{path}/{}", enc(v)),
        None => format!("{reg}/{path}"),
    };
    let (url, doc) = r.get_json(&url)?;
    if !doc.is_object() {
        return Err(malformed(&url, "not a JSON object"));
    }
    let mut found = Found::default();
    if let Some(head) = str_field(&doc, "gitHead").filter(|h| looks_like_commit(h)) {
        found.commit = Some(head.to_ascii_lowercase());
    }
    let (repo_url, directory) = match doc.get("repository") {
        Some(Value::String(s)) => (Some(s.trim().to_string()), None),
        Some(o @ Value::Object(_)) => (
            str_field(o, "url").map(str::to_string),
            str_field(o, "directory").map(str::to_string),
        ),
        _ => (None, None),
    };
    match repo_url {
        Some(u) => {
            let shorthand = Regex::new(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$").expect("valid regex");
            let u = if shorthand.is_match(&u) {
                format!("github:{u}")
            } else {
                u
            };
            if repo_or_note(&mut found, "repository", &u) {
                found.directory = directory
                    .filter(|d| !d.contains(".."))
                    .map(|d| d.trim_matches('/').to_string());
            }
        }
        None => found.note = Some("the package names no repository".into()),
    }
    Ok(found)
}

// ------------------------------------------------------------------------------------------
// PyPI
// ------------------------------------------------------------------------------------------

/// PEP 753 label normalization: drop ASCII punctuation and whitespace, lower-case.
pub(crate) fn pep753_label(label: &str) -> String {
    label
        .chars()
        .filter(|c| !c.is_ascii_punctuation() && !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// PEP 753 "source" label and its aliases.
const SOURCE_LABELS: &[&str] = &["source", "repository", "sourcecode", "github"];

fn pypi(r: &Registry, p: &Purl) -> Result<Found, LookupError> {
    checked("PyPI project", &p.name)?;
    let api = base(&r.cfg.pypi);
    let url = match &p.version {
        Some(v) => format!("{api}/pypi/{}/{}/json", enc(&p.name), enc(v)),
        None => format!("{api}/pypi/{}/json", enc(&p.name)),
    };
    let (url, doc) = r.get_json(&url)?;
    let info = doc
        .get("info")
        .filter(|v| v.is_object())
        .ok_or_else(|| malformed(&url, "no \"info\" object"))?;
    let mut labelled: Vec<(String, String, String)> = Vec::new(); // (normalized, label, url)
    if let Some(urls) = info.get("project_urls").and_then(Value::as_object) {
        for (label, u) in urls {
            if let Some(u) = u.as_str() {
                labelled.push((pep753_label(label), label.clone(), u.trim().to_string()));
            }
        }
    }
    let mut candidates: Vec<(String, String)> = Vec::new(); // (field, url)
    for (norm, label, u) in &labelled {
        if SOURCE_LABELS.contains(&norm.as_str()) {
            candidates.push((format!("project_urls[{label}]"), u.clone()));
        }
    }
    for (norm, label, u) in &labelled {
        if norm == "homepage" {
            candidates.push((format!("project_urls[{label}]"), u.clone()));
        }
    }
    if let Some(h) = str_field(info, "home_page") {
        candidates.push(("home_page".into(), h.to_string()));
    }
    for (norm, label, u) in &labelled {
        if !SOURCE_LABELS.contains(&norm.as_str()) && norm != "homepage" {
            candidates.push((format!("project_urls[{label}]"), u.clone()));
        }
    }
    let mut found = Found::default();
    // The release's time: its earliest file upload (`urls[].upload_time_iso_8601`, PyPI JSON
    // API); only the per-version document lists the release's own files.
    if p.version.is_some() {
        found.released = doc
            .get("urls")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|f| str_field(f, "upload_time_iso_8601").and_then(release_time))
            .min();
    }
    for (field, u) in &candidates {
        if let Some((repo, _)) = parse_repo_url(u) {
            found.repository = Some(repo);
            return Ok(found);
        }
        let _ = field;
    }
    found.note = Some(match candidates.first() {
        Some((field, u)) => format!(
            "no project URL is a repository on {} (first: {field} {})",
            crate::resolve::FORGES.join(", "),
            bounded(&crate::resolve::redact_credentials(u), ECHO_LIMIT)
        ),
        None => "the project lists no project URLs and no home page".into(),
    });
    Ok(found)
}

// ------------------------------------------------------------------------------------------
// Go
// ------------------------------------------------------------------------------------------

/// A module path we are willing to look up: a domain first, then path segments of
/// `A-Za-z0-9 . _ ~ -`, never `.` or `..`.
fn checked_module(m: &str) -> Result<(), LookupError> {
    let segs: Vec<&str> = m.split('/').collect();
    let ok = m.len() <= 300
        && !segs.is_empty()
        && segs[0].contains('.')
        && segs.iter().all(|s| {
            !s.is_empty()
                && *s != "."
                && *s != ".."
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'~' | b'-'))
        });
    if ok {
        Ok(())
    } else {
        Err(LookupError::Invalid(format!(
            "\"{}\" is not a valid Go module path",
            bounded(m, ECHO_LIMIT)
        )))
    }
}

/// The module proxy's case encoding: each upper-case letter becomes `!` + its lower case.
pub(crate) fn go_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii_uppercase() {
            out.push('!');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// The abbreviated commit a pseudo-version encodes (`v0.0.0-20240101120000-abcdef123456`,
/// `v1.2.4-0.2024…-abc…`, `v1.2.3-pre.0.2024…-abc…`).
pub fn pseudo_version_commit(v: &str) -> Option<String> {
    let re = Regex::new(
        r"^v\d+\.\d+\.\d+-(?:[0-9A-Za-z-]+\.)*\d{14}-([0-9a-f]{12})(?:\+incompatible)?$",
    )
    .expect("valid regex");
    re.captures(v).map(|c| c[1].to_string())
}

fn golang(r: &Registry, p: &Purl) -> Result<Found, LookupError> {
    let module = match p.namespace.as_deref().filter(|s| !s.is_empty()) {
        Some(ns) => format!("{ns}/{}", p.name),
        None => p.name.clone(),
    };
    checked_module(&module)?;
    let mut found = Found::default();
    let mut notes: Vec<String> = Vec::new();
    let mut proxy_not_found: Option<super::HttpError> = None;
    // 1. The proxy's .info: Origin records the repository and commit it fetched.
    if let Some(v) = &p.version {
        checked("Go version", v)?;
        let url = format!(
            "{}/{}/@v/{}.info",
            base(&r.cfg.go_proxy),
            go_escape(&module),
            go_escape(v)
        );
        match r.get_json(&url) {
            Ok((_, info)) => {
                found.released = str_field(&info, "Time").and_then(release_time);
                if let Some(origin) = info.get("Origin").filter(|o| o.is_object()) {
                    if str_field(origin, "VCS").is_none_or(|v| v == "git") {
                        if let Some(u) = str_field(origin, "URL") {
                            repo_or_note(&mut found, "Origin.URL", u);
                        }
                        if let Some(h) = str_field(origin, "Hash").filter(|h| looks_like_commit(h))
                        {
                            found.commit = Some(h.to_ascii_lowercase());
                        }
                        found.directory = str_field(origin, "Subdir").map(str::to_string);
                    }
                } else {
                    notes.push("the proxy recorded no Origin".into());
                }
            }
            // purls lower-case module paths, which the case-encoded proxy may not know: go on.
            Err(LookupError::Http(e @ super::HttpError::NotFound { .. })) => {
                notes.push(format!("module proxy: {e}"));
                proxy_not_found = Some(e);
            }
            Err(e) => {
                found.transient |= e.is_transient();
                notes.push(format!("module proxy: {e}"));
            }
        }
    }
    // 2. A module path on a forge names its repository.
    if found.repository.is_none() {
        let segs: Vec<&str> = module.split('/').collect();
        if let Some((repo, _)) = parse_repo_url(&format!("https://{module}")) {
            let depth = 1 + repo.owner.split('/').count() + 1;
            let rest: Vec<&str> = segs
                .iter()
                .skip(depth)
                .copied()
                .filter(|s| !is_major(s))
                .collect();
            if !rest.is_empty() {
                found.directory = Some(rest.join("/"));
            }
            found.repository = Some(repo);
        }
    }
    // 3. A vanity path: <meta name="go-import" content="prefix vcs url">.
    if found.repository.is_none() {
        let url = match &r.cfg.go_vanity {
            Some(b) => format!("{}/{module}?go-get=1", base(b)),
            None => format!("https://{module}?go-get=1"),
        };
        match r.http.get(&url, "text/html") {
            Ok(body) => match go_import(&String::from_utf8_lossy(&body.bytes), &module) {
                Some((prefix, vcs, repo_url)) if vcs == "git" => {
                    if repo_or_note(&mut found, "go-import", &repo_url) {
                        let sub = module[prefix.len()..].trim_start_matches('/');
                        let rest: Vec<&str> = sub
                            .split('/')
                            .filter(|s| !s.is_empty() && !is_major(s))
                            .collect();
                        if !rest.is_empty() && found.directory.is_none() {
                            found.directory = Some(rest.join("/"));
                        }
                    } else if let Some(n) = found.note.take() {
                        notes.push(n);
                    }
                }
                Some((_, vcs, _)) => notes.push(format!(
                    "go-import names a {} repository",
                    bounded(&vcs, 20)
                )),
                None => notes.push(format!(
                    "{}: no go-import meta tag for {}",
                    body.url,
                    bounded(&module, ECHO_LIMIT)
                )),
            },
            Err(e) => {
                found.transient |= e.is_transient();
                notes.push(format!("go-get lookup: {e}"));
            }
        }
    }
    if found.commit.is_none() {
        found.commit = p.version.as_deref().and_then(pseudo_version_commit);
    }
    if found.repository.is_none() {
        if let Some(e) = proxy_not_found {
            return Err(e.into());
        }
        if notes.is_empty() {
            notes.push(format!(
                "module {} is not on {}",
                bounded(&module, ECHO_LIMIT),
                crate::resolve::FORGES.join(", ")
            ));
        }
        found.note = Some(notes.join("; "));
    }
    Ok(found)
}

/// An RFC 3339 time as Unix seconds (registries' release times: crates.io `created_at`, PyPI
/// `upload_time_iso_8601`, the Go proxy's `Time`).
fn release_time(s: &str) -> Option<i64> {
    time::OffsetDateTime::parse(s.trim(), &time::format_description::well_known::Rfc3339)
        .ok()
        .map(|t| t.unix_timestamp())
}

fn is_major(s: &str) -> bool {
    s.len() > 1 && s.starts_with('v') && s[1..].bytes().all(|b| b.is_ascii_digit())
}

/// The `go-import` meta tag for `module` in an HTML page: (prefix, vcs, repo URL).
fn go_import(html: &str, module: &str) -> Option<(String, String, String)> {
    let tag = Regex::new(r"(?is)<meta\s[^>]*>").expect("valid regex");
    let attr = Regex::new(r#"(?is)([a-z-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')"#).expect("valid regex");
    let mut best: Option<(String, String, String)> = None;
    for m in tag.find_iter(html) {
        let mut name = None;
        let mut content = None;
        for a in attr.captures_iter(m.as_str()) {
            let v = a
                .get(2)
                .or_else(|| a.get(3))
                .map(|v| v.as_str().to_string());
            match a[1].to_ascii_lowercase().as_str() {
                "name" => name = v,
                "content" => content = v,
                _ => {}
            }
        }
        if name.as_deref() != Some("go-import") {
            continue;
        }
        let Some(content) = content else { continue };
        let parts: Vec<&str> = content.split_whitespace().collect();
        if parts.len() != 3 {
            continue;
        }
        let prefix = parts[0];
        let covers = module == prefix || module.starts_with(&format!("{prefix}/"));
        if covers && best.as_ref().is_none_or(|(p, _, _)| prefix.len() > p.len()) {
            best = Some((
                prefix.to_string(),
                parts[1].to_string(),
                parts[2].to_string(),
            ));
        }
    }
    best
}

// ------------------------------------------------------------------------------------------
// Maven
// ------------------------------------------------------------------------------------------

/// The POM fields we read.
#[derive(Debug, Default)]
struct Pom {
    group: Option<String>,
    artifact: Option<String>,
    version: Option<String>,
    url: Option<String>,
    scm_url: Option<String>,
    scm_connection: Option<String>,
    scm_developer: Option<String>,
    parent: Option<(String, String, String)>,
    properties: Vec<(String, String)>,
}

fn parse_pom(url: &str, bytes: &[u8]) -> Result<Pom, LookupError> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(bytes);
    let mut path: Vec<String> = Vec::new();
    let mut pom = Pom::default();
    let mut parent = (None, None, None);
    let mut buf = Vec::new();
    let mut saw_project = false;
    let mut text = String::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) => {
                let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                if path.is_empty() {
                    if name != "project" {
                        return Err(malformed(
                            url,
                            format!(
                                "the root element is <{}>, not <project>",
                                bounded(&name, 40)
                            ),
                        ));
                    }
                    saw_project = true;
                }
                path.push(name);
                text.clear();
                if path.len() > 64 {
                    return Err(malformed(url, "elements nested too deep"));
                }
            }
            Ok(Event::Text(t)) => {
                if text.len() < 8192 {
                    text.push_str(&t.xml10_content().unwrap_or_default());
                }
            }
            Ok(Event::GeneralRef(r)) => {
                let name = String::from_utf8_lossy(&r.into_inner()).into_owned();
                let c = match name.as_str() {
                    "amp" => Some('&'),
                    "lt" => Some('<'),
                    "gt" => Some('>'),
                    "quot" => Some('"'),
                    "apos" => Some('\''),
                    n => n
                        .strip_prefix("#x")
                        .and_then(|h| u32::from_str_radix(h, 16).ok())
                        .or_else(|| n.strip_prefix('#').and_then(|d| d.parse().ok()))
                        .and_then(char::from_u32),
                };
                text.extend(c);
            }
            Ok(Event::End(_)) => {
                let value = std::mem::take(&mut text).trim().to_string();
                let p: Vec<&str> = path.iter().map(String::as_str).collect();
                match p.as_slice() {
                    ["project", "groupId"] => pom.group = Some(value),
                    ["project", "artifactId"] => pom.artifact = Some(value),
                    ["project", "version"] => pom.version = Some(value),
                    ["project", "url"] => pom.url = Some(value),
                    ["project", "scm", "url"] => pom.scm_url = Some(value),
                    ["project", "scm", "connection"] => pom.scm_connection = Some(value),
                    ["project", "scm", "developerConnection"] => pom.scm_developer = Some(value),
                    ["project", "parent", "groupId"] => parent.0 = Some(value),
                    ["project", "parent", "artifactId"] => parent.1 = Some(value),
                    ["project", "parent", "version"] => parent.2 = Some(value),
                    ["project", "properties", key] => pom.properties.push((key.to_string(), value)),
                    _ => {}
                }
                path.pop();
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => {
                return Err(malformed(
                    url,
                    format!(
                        "not well-formed XML at byte {} ({e})",
                        reader.buffer_position()
                    ),
                ))
            }
        }
        buf.clear();
    }
    if !saw_project {
        return Err(malformed(url, "no <project> element"));
    }
    if let (Some(g), Some(a), Some(v)) = parent {
        pom.parent = Some((g, a, v));
    }
    Ok(pom)
}

impl Pom {
    fn expand(&self, s: &str) -> String {
        let mut out = s.to_string();
        let mut vars: Vec<(String, String)> = Vec::new();
        if let Some(a) = &self.artifact {
            vars.push(("project.artifactId".into(), a.clone()));
            vars.push(("artifactId".into(), a.clone()));
        }
        if let Some(g) = self.group.as_ref().or(self.parent.as_ref().map(|p| &p.0)) {
            vars.push(("project.groupId".into(), g.clone()));
        }
        if let Some(v) = self.version.as_ref().or(self.parent.as_ref().map(|p| &p.2)) {
            vars.push(("project.version".into(), v.clone()));
        }
        vars.extend(self.properties.iter().cloned());
        for (k, v) in vars {
            out = out.replace(&format!("${{{k}}}"), &v);
        }
        out
    }

    /// Repository URL candidates, best first, as written (`scm:git:` prefixes dropped).
    fn candidates(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        for (field, v) in [
            ("scm.url", &self.scm_url),
            ("scm.connection", &self.scm_connection),
            ("scm.developerConnection", &self.scm_developer),
            ("url", &self.url),
        ] {
            if let Some(v) = v {
                let v = self.expand(v);
                let v = v
                    .strip_prefix("scm:git:")
                    .or_else(|| v.strip_prefix("scm:"))
                    .unwrap_or(&v)
                    .to_string();
                out.push((field, v));
            }
        }
        out
    }
}

fn maven(r: &Registry, p: &Purl) -> Result<Found, LookupError> {
    let group = p
        .namespace
        .clone()
        .ok_or_else(|| LookupError::Invalid("a maven purl needs a namespace (groupId)".into()))?;
    let version = p
        .version
        .clone()
        .ok_or_else(|| LookupError::Invalid("a maven lookup needs a version".into()))?;
    let mut coords = (group, p.name.clone(), version);
    let mut found = Found::default();
    let mut first_note: Option<String> = None;
    for depth in 0..5 {
        let (g, a, v) = &coords;
        for (what, s) in [("groupId", g), ("artifactId", a), ("version", v)] {
            checked(what, s)?;
        }
        let url = format!(
            "{}/{}/{}/{}/{}-{}.pom",
            base(&r.cfg.maven),
            g.split('.').map(enc).collect::<Vec<_>>().join("/"),
            enc(a),
            enc(v),
            enc(a),
            enc(v)
        );
        let body = match r.http.get(&url, "application/xml, text/xml") {
            Ok(b) => b,
            Err(e) if depth > 0 => {
                found.transient = e.is_transient();
                found.note = Some(format!("parent POM: {e}"));
                return Ok(found);
            }
            Err(e) => return Err(e.into()),
        };
        let pom = parse_pom(&body.url, &body.bytes)?;
        for (field, u) in pom.candidates() {
            if let Some((repo, _)) = parse_repo_url(&u) {
                found.repository = Some(repo);
                return Ok(found);
            }
            if first_note.is_none() {
                first_note = Some(format!(
                    "{field} {} is not a repository on {}",
                    bounded(&crate::resolve::redact_credentials(&u), ECHO_LIMIT),
                    crate::resolve::FORGES.join(", ")
                ));
            }
        }
        match pom.parent {
            // Maven inherits <scm> from the parent (appending the child's path, which names the
            // same repository).
            Some(parent) => coords = parent,
            None => break,
        }
    }
    found.note =
        Some(first_note.unwrap_or_else(|| "the POM and its parents have no <scm> or <url>".into()));
    Ok(found)
}

// ------------------------------------------------------------------------------------------
// deps.dev
// ------------------------------------------------------------------------------------------

/// deps.dev v3: `None` when it has no such system or the component has no version.
pub(super) fn deps_dev(r: &Registry, p: &Purl) -> Option<Result<Found, LookupError>> {
    let system = match p.ty.as_str() {
        "cargo" => "CARGO",
        "npm" => "NPM",
        "pypi" => "PYPI",
        "golang" => "GO",
        "maven" => "MAVEN",
        "gem" => "RUBYGEMS",
        "nuget" => "NUGET",
        _ => return None,
    };
    let version = p.version.as_ref()?;
    let ns = p.namespace.as_deref().filter(|s| !s.is_empty());
    let name = match (p.ty.as_str(), ns) {
        ("maven", Some(ns)) => format!("{ns}:{}", p.name),
        ("npm", Some(ns)) if !ns.starts_with('@') => format!("@{ns}/{}", p.name),
        (_, Some(ns)) => format!("{ns}/{}", p.name),
        (_, None) => p.name.clone(),
    };
    if name.len() > 400 || name.chars().any(char::is_control) {
        return Some(Err(LookupError::Invalid("not a valid package name".into())));
    }
    let url = format!(
        "{}/v3/systems/{system}/packages/{}/versions/{}",
        base(&r.cfg.deps_dev),
        enc(&name),
        enc(version)
    );
    Some(r.get_json(&url).map(|(_, v)| deps_dev_found(&v)))
}

fn deps_dev_found(v: &Value) -> Found {
    let mut found = Found::default();
    let list = |k: &str| {
        v.get(k)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    // Attested sources first (verified ones before the rest), then declared ones.
    let mut attested: Vec<(bool, String, Option<String>)> = Vec::new();
    for a in list("attestations")
        .iter()
        .chain(list("slsaProvenances").iter())
    {
        if let Some(src) = str_field(a, "sourceRepository") {
            let verified = a.get("verified").and_then(Value::as_bool).unwrap_or(false);
            attested.push((
                verified,
                src.to_string(),
                str_field(a, "commit").map(str::to_string),
            ));
        }
    }
    attested.sort_by_key(|(verified, _, _)| !verified);
    for (_, src, commit) in attested {
        if let Some((repo, _)) = parse_repo_url(&src) {
            found.repository = Some(repo);
            found.commit = commit
                .filter(|c| looks_like_commit(c))
                .map(|c| c.to_ascii_lowercase());
            return found;
        }
    }
    for rp in list("relatedProjects") {
        if str_field(&rp, "relationType") == Some("SOURCE_REPO") {
            if let Some(id) = rp.get("projectKey").and_then(|k| str_field(k, "id")) {
                if let Some((repo, _)) = parse_repo_url(&format!("https://{id}")) {
                    found.repository = Some(repo);
                    return found;
                }
            }
        }
    }
    let links = list("links");
    let source_first = links
        .iter()
        .filter(|l| str_field(l, "label") == Some("SOURCE_REPO"))
        .chain(
            links
                .iter()
                .filter(|l| str_field(l, "label") != Some("SOURCE_REPO")),
        );
    for l in source_first {
        if let Some(u) = str_field(l, "url") {
            if let Some((repo, _)) = parse_repo_url(u) {
                found.repository = Some(repo);
                return found;
            }
        }
    }
    found.note = Some("no source repository".into());
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pep753() {
        assert_eq!(pep753_label("Source Code"), "sourcecode");
        assert_eq!(pep753_label("  Home-Page! "), "homepage");
        assert_eq!(pep753_label("Bug_Tracker"), "bugtracker");
        assert_eq!(pep753_label("GitHub"), "github");
    }

    #[test]
    fn go_helpers() {
        assert_eq!(
            go_escape("github.com/BurntSushi/toml"),
            "github.com/!burnt!sushi/toml"
        );
        assert_eq!(
            pseudo_version_commit("v0.0.0-20210101120000-abcdef123456").as_deref(),
            Some("abcdef123456")
        );
        assert_eq!(
            pseudo_version_commit("v1.2.4-0.20210101120000-abcdef123456").as_deref(),
            Some("abcdef123456")
        );
        assert_eq!(
            pseudo_version_commit("v1.2.3-pre.0.20210101120000-abcdef123456+incompatible")
                .as_deref(),
            Some("abcdef123456")
        );
        assert_eq!(pseudo_version_commit("v1.2.3"), None);
        assert_eq!(pseudo_version_commit("v1.2.3-rc.1"), None);
        let html = r#"<html><head><meta name="go-import" content="example.org/mod git https://github.com/o/mod"><meta name='go-import' content='example.org/mod/sub git https://gitlab.com/g/sub'></head></html>"#;
        assert_eq!(
            go_import(html, "example.org/mod/sub/pkg"),
            Some((
                "example.org/mod/sub".into(),
                "git".into(),
                "https://gitlab.com/g/sub".into()
            ))
        );
        assert_eq!(go_import(html, "example.org/module"), None);
        assert!(checked_module("../../etc").is_err());
        assert!(checked_module("example.org/a/../b").is_err());
        assert!(checked_module("github.com/o/r/v2").is_ok());
    }

    #[test]
    fn names_that_would_escape_the_registry_path() {
        for bad in ["..", ".", "a/b", "a\\b", "", "a b", "x\u{1b}"] {
            assert!(checked("n", bad).is_err(), "{bad:?}");
        }
        assert_eq!(enc("@babel/core"), "%40babel%2Fcore");
        assert_eq!(enc("..%2f"), "..%252f");
    }

    #[test]
    fn pom_fields_and_placeholders() {
        let pom = br#"<?xml version="1.0"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <parent><groupId>g</groupId><artifactId>p</artifactId><version>1</version></parent>
  <artifactId>child</artifactId>
  <properties><repo.name>thing</repo.name></properties>
  <scm><connection>scm:git:https://github.com/o/${repo.name}.git</connection><tag>HEAD</tag></scm>
</project>"#;
        let p = parse_pom("u", pom).unwrap();
        assert_eq!(p.parent, Some(("g".into(), "p".into(), "1".into())));
        assert_eq!(
            p.candidates(),
            vec![(
                "scm.connection",
                "https://github.com/o/thing.git".to_string()
            )]
        );
        assert!(parse_pom("u", b"<html></html>").is_err());
        assert!(parse_pom("u", b"<project><a></b></project>").is_err());
    }
}
