//! Identifiers, parsed and normalized: repository URLs on known forges, package URLs, commit
//! ids, credentials in URLs, Python package names. Pure functions over strings: the bottom layer,
//! with no knowledge of SBOMs, git or HTTP, so every stage (the readers, resolution, the
//! registries, fetching, lockfile scanning) can use them without importing each other.

use std::fmt;
use std::path::{Path, PathBuf};

/// The public forges: aiprov reads repository URLs on them from any source (registries,
/// homepages) and fetches from them without configuration.
pub const FORGES: &[&str] = &["github.com", "gitlab.com", "bitbucket.org", "codeberg.org"];

/// The software a forge host runs: decides how a URL's path splits into the repository and a
/// page inside it (GitHub, Gitea and Bitbucket: `OWNER/NAME`; GitLab and unknown hosts: the
/// full group path up to `/-/`), and which review API applies (`[forges."HOST"] kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ForgeKind {
    /// github.com, GitHub Enterprise Server.
    Github,
    /// gitlab.com, GitLab self-managed.
    Gitlab,
    /// Gitea and Forgejo (codeberg.org).
    Gitea,
    /// bitbucket.org.
    Bitbucket,
    /// A git host aiprov knows nothing about: the whole path (up to `/-/`) is the repository.
    Other,
}

impl ForgeKind {
    /// The configuration spelling: `github`, `gitlab`, `gitea` (`forgejo` is Gitea's fork and
    /// reads the same).
    pub fn parse(s: &str) -> Option<ForgeKind> {
        match s {
            "github" => Some(ForgeKind::Github),
            "gitlab" => Some(ForgeKind::Gitlab),
            "gitea" | "forgejo" => Some(ForgeKind::Gitea),
            _ => None,
        }
    }

    /// The kind of one of the public [`FORGES`], `None` for any other host.
    pub fn of_public(host: &str) -> Option<ForgeKind> {
        match host {
            "github.com" => Some(ForgeKind::Github),
            "gitlab.com" => Some(ForgeKind::Gitlab),
            "bitbucket.org" => Some(ForgeKind::Bitbucket),
            "codeberg.org" => Some(ForgeKind::Gitea),
            _ => None,
        }
    }
}

/// The forge hosts a run knows: the public [`FORGES`] plus the user's `[forges."HOST"]`
/// entries (host lower-case → kind). Hosts from SBOM content outside this set are still
/// repositories ([`parse_vcs_url`]) but are never fetched from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ForgeHosts {
    configured: std::collections::BTreeMap<String, ForgeKind>,
}

impl ForgeHosts {
    /// The public forges plus `configured` (host → kind; hosts are lower-cased).
    pub fn new(configured: impl IntoIterator<Item = (String, ForgeKind)>) -> ForgeHosts {
        ForgeHosts {
            configured: configured
                .into_iter()
                .map(|(h, k)| (h.to_ascii_lowercase(), k))
                .collect(),
        }
    }

    /// The kind of `host` (lower-case): a public forge's, else the configured one.
    pub fn kind(&self, host: &str) -> Option<ForgeKind> {
        ForgeKind::of_public(host).or_else(|| self.configured.get(host).copied())
    }

    /// Whether `host` (lower-case) is a public forge or configured: aiprov may fetch from it.
    pub fn is_known(&self, host: &str) -> bool {
        self.kind(host).is_some()
    }

    /// Whether the user configured `host` (lower-case): trusted like a configured registry, so
    /// its addresses are not filtered.
    pub fn is_configured(&self, host: &str) -> bool {
        self.configured.contains_key(host)
    }
}

/// A repository, canonical form: host lower-case, no credentials, no port, no `.git`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RepoUrl {
    /// One of [`FORGES`], or any other git host ([`parse_vcs_url`]).
    pub host: String,
    /// Owner (user or organization); on GitLab hosts and unknown hosts the full group path
    /// (`group/subgroup`).
    pub owner: String,
    /// Repository name, without `.git`.
    pub name: String,
}

impl fmt::Display for RepoUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "https://{}/{}/{}", self.host, self.owner, self.name)
    }
}

impl RepoUrl {
    /// Where the bare mirror of this repository lives under `mirror_dir`:
    /// `DIR/<host>/<owner>/<name>.git` (a gitlab group path gives nested folders).
    pub fn mirror_path(&self, mirror_dir: &Path) -> PathBuf {
        let mut p = mirror_dir.join(&self.host);
        for seg in self.owner.split('/') {
            p.push(seg);
        }
        p.push(format!("{}.git", self.name));
        p
    }

    /// A key under which two spellings of the same repository compare equal (all four forges
    /// treat owner and name case-insensitively): `host/owner/name`, lower-case.
    pub fn key(&self) -> String {
        format!("{}/{}/{}", self.host, self.owner, self.name).to_ascii_lowercase()
    }
}

/// Whether `s` looks like a git commit id: 7 to 64 hex digits, and either a full SHA-1 / SHA-256
/// length or a mix of digits and letters (so `1234567` or `deadbeef` alone do not count).
pub fn looks_like_commit(s: &str) -> bool {
    let n = s.len();
    if !(7..=64).contains(&n) || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return false;
    }
    n == 40
        || n == 64
        || (s.bytes().any(|b| b.is_ascii_digit()) && s.bytes().any(|b| b.is_ascii_alphabetic()))
}

/// `url` with any `user:password@` credentials removed, for messages and output.
pub fn redact_credentials(url: &str) -> String {
    let (scheme_end, rest) = match url.find("://") {
        Some(i) => (i + 3, &url[i + 3..]),
        None => return url.to_string(),
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{}{}", &url[..scheme_end], &rest[at + 1..]),
        None => url.to_string(),
    }
}

/// Second-level paths of a forge repository that are pages *about* the repository, not the
/// repository itself (issues, pull requests, files, releases, …).
const NON_REPO_ROUTES: &[&str] = &[
    "issues",
    "pull",
    "pulls",
    "pull-requests",
    "merge_requests",
    "blob",
    "wiki",
    "wikis",
    "releases",
    "actions",
    "discussions",
    "security",
    "archive",
    "raw",
    "compare",
    "projects",
    "milestones",
    "labels",
    "network",
    "graphs",
    "pulse",
    "settings",
    "stargazers",
    "watchers",
    "packages",
    "tags",
    "branches",
    "commits",
    "blame",
    "edit",
    "new",
    "find",
    "search",
    "deployments",
    "activity",
    "forks",
    "downloads",
    "pipelines",
    "jobs",
    "snippets",
    "contributors",
    "sponsors",
    "-",
];

/// First path segments that are forge pages, never an owner.
const NON_OWNERS: &[&str] = &[
    "sponsors",
    "orgs",
    "settings",
    "marketplace",
    "topics",
    "collections",
    "explore",
    "features",
    "about",
    "apps",
    "login",
    "logout",
    "join",
    "signup",
    "users",
    "groups",
    "enterprise",
    "enterprises",
    "site",
    "notifications",
    "pricing",
    "security",
    "advisories",
    "readme",
    "trending",
    "events",
    "team",
    "contact",
    "search",
    "dashboard",
    "help",
    "admin",
    "account",
    "pulls",
    "issues",
    "codespaces",
    "copilot",
    "new",
    "organizations",
    "repos",
    "repositories",
    "blog",
    "-",
];

/// Parse a repository reference on a known forge.
///
/// Accepts `https://`, `http://`, `git://`, `git+https://`, `git+ssh://git@`, `ssh://git@`,
/// scp-style `git@host:owner/name`, scheme-less `github.com/owner/name`, and npm shorthands
/// `github:owner/name`; drops credentials, ports, a leading `www.`, a trailing `.git` or `/`,
/// queries and fragments; `…/tree/<ref>` and `…/commit/<sha>` still name the repository. Returns
/// the repository and the commit the reference pins, if any (`#<sha>`, `@<sha>`,
/// `/tree/<sha>`, `/commit/<sha>`).
///
/// Returns `None` for other hosts (including GitHub Pages `owner.github.io`), for pages that are
/// not a repository (`github.com/sponsors/…`, `github.com/orgs/…`, `github.com/OWNER/.github`,
/// issues, pull requests, blobs, wikis, releases), and for anything with unusual characters.
pub fn parse_repo_url(s: &str) -> Option<(RepoUrl, Option<String>)> {
    parse_on(s, &|host| ForgeKind::of_public(host), false)
}

/// Parse the repository a *version-control* reference names, whatever its host: a CycloneDX
/// `vcs` external reference, an SPDX `git+` download location, a purl `vcs_url`, a repo-map
/// URL. On the public forges and the hosts of `hosts` it reads like [`parse_repo_url`] with
/// that host's [`ForgeKind`]; on any other host the whole path is the repository (up to a
/// GitLab-style `/-/` or a GitLab route word after two segments: `group/sub/name/-/tree/main`
/// is `group/sub/name`), and only `https://`, `http://`, `git://`, `ssh://` and scp-style
/// `user@host:path` spellings count (a scheme-less `host/a/b` is not a repository on an
/// unknown host: Go module paths look like that). A port is dropped (configure a git base
/// URL for a host that needs one). Not for homepages or registry metadata: a web page on an
/// unknown host is not a repository.
pub fn parse_vcs_url(s: &str, hosts: &ForgeHosts) -> Option<(RepoUrl, Option<String>)> {
    parse_on(s, &|host| hosts.kind(host), true)
}

/// Whether `s` says by itself that it is a git repository, whatever its host: a `git+` or
/// `git://`/`ssh://` URL, scp-style `user@host:path`, a path ending in `.git`, or a GitLab-style
/// `/-/` route. A plain `https://host/a/b` on an unknown host may be a web page (a registry's
/// project page), so [`crate::resolve`] prefers every other reference to it.
pub fn says_git(s: &str) -> bool {
    let t = s.trim();
    let lower = t.to_ascii_lowercase();
    let path = lower.split(['#', '?']).next().unwrap_or("");
    lower.starts_with("git+")
        || lower.starts_with("git://")
        || lower.starts_with("ssh://")
        || is_scp(t)
        || path.trim_end_matches('/').ends_with(".git")
        || path.contains("/-/")
}

fn parse_on(
    s: &str,
    kind_of: &dyn Fn(&str) -> Option<ForgeKind>,
    any_host: bool,
) -> Option<(RepoUrl, Option<String>)> {
    let s = s.trim();
    if s.is_empty() || s.len() > 2048 || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return None;
    }
    let (host, path) = split_host_path(s)?;
    let host = host.to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host).to_string();
    let kind = match kind_of(&host) {
        Some(k) => k,
        None if any_host
            && valid_host(&host)
            && !NOT_GIT_HOSTS.contains(&host.as_str())
            && (s.contains("://") || is_scp(s)) =>
        {
            ForgeKind::Other
        }
        None => return None,
    };
    // Separate the fragment, then the query.
    let (path, fragment) = match path.split_once('#') {
        Some((p, f)) => (p, Some(f)),
        None => (path, None),
    };
    let path = path.split_once('?').map_or(path, |(p, _)| p);
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();

    let mut pins: Vec<&str> = fragment.into_iter().collect();
    let full_path = matches!(kind, ForgeKind::Gitlab | ForgeKind::Other);
    let (owner_segs, name_seg, route): (Vec<&str>, &str, &[&str]) = if full_path {
        // Project path runs to `/-/` (or, for old URLs, to the first route word after the
        // first two segments).
        let end = segs
            .iter()
            .enumerate()
            .position(|(i, s)| *s == "-" || (i >= 2 && is_gitlab_route(s)))
            .unwrap_or(segs.len());
        if end < 2 {
            return None;
        }
        let route = if segs.get(end) == Some(&"-") {
            &segs[end + 1..]
        } else {
            &segs[end..]
        };
        (segs[..end - 1].to_vec(), segs[end - 1], route)
    } else {
        if segs.len() < 2 {
            return None;
        }
        (vec![segs[0]], segs[1], &segs[2..])
    };
    // Forge pages (`/orgs/…`, `/explore/…`); an unknown host's paths are its own.
    if kind != ForgeKind::Other && NON_OWNERS.contains(&owner_segs[0].to_ascii_lowercase().as_str())
    {
        return None;
    }
    // Route after the repository: tree/<ref>, commit/<sha>, src/<ref> (bitbucket, codeberg);
    // other known pages are not the repository; unknown sub-paths (Go module folders) are.
    if let Some(first) = route.first() {
        let first = first.to_ascii_lowercase();
        match first.as_str() {
            "tree" | "commit" | "src" => {
                // codeberg: src/commit/<sha>, src/branch/<name>, src/tag/<name>
                let r = match (route.get(1), route.get(2)) {
                    (Some(&"commit"), Some(sha)) if first == "src" => Some(*sha),
                    (Some(&"branch" | &"tag"), _) if first == "src" => None,
                    (r, _) => r.copied(),
                };
                pins.extend(r);
            }
            r if NON_REPO_ROUTES.contains(&r) => return None,
            _ => {}
        }
    }
    // Name: strip `@<rev>` (pip) and `.git`.
    let (name, at) = match name_seg.split_once('@') {
        Some((n, rev)) => (n, Some(rev)),
        None => (name_seg, None),
    };
    pins.extend(at);
    let name = name
        .strip_suffix(".git")
        .or_else(|| name.strip_suffix(".GIT"))
        .unwrap_or(name);
    if !owner_segs.iter().all(|s| valid_segment(s))
        || !valid_segment(name)
        || name.eq_ignore_ascii_case(".github")
    {
        return None;
    }
    let pinned = pins
        .into_iter()
        .find(|p| looks_like_commit(p))
        .map(str::to_ascii_lowercase);
    Some((
        RepoUrl {
            host,
            owner: owner_segs.join("/"),
            name: name.to_string(),
        },
        pinned,
    ))
}

/// Package registries' web and download hosts: SBOM generators put their project pages in
/// `vcs` fields, and no git repository lives there.
const NOT_GIT_HOSTS: &[&str] = &[
    "pypi.org",
    "files.pythonhosted.org",
    "npmjs.com",
    "npmjs.org",
    "registry.npmjs.org",
    "crates.io",
    "static.crates.io",
    "docs.rs",
    "rubygems.org",
    "pkg.go.dev",
    "proxy.golang.org",
    "nuget.org",
    "repo1.maven.org",
    "repo.maven.apache.org",
    "search.maven.org",
    "central.sonatype.com",
    "mvnrepository.com",
    "packagist.org",
    "hex.pm",
    "pub.dev",
    "cocoapods.org",
    "hackage.haskell.org",
    "cran.r-project.org",
    "metacpan.org",
];

/// A host name as DNS spells it (letters, digits, `-`, `.`), or an IPv4 literal.
fn valid_host(h: &str) -> bool {
    !h.is_empty()
        && h.len() <= 253
        && !h.starts_with(['-', '.'])
        && !h.ends_with('-')
        && h.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.'))
}

/// Whether `s` is scp-style `user@host:path` (no scheme).
fn is_scp(s: &str) -> bool {
    let s = strip_prefix_ci(s, "git+").unwrap_or(s);
    match s.split_once(':') {
        Some((before, after)) => {
            before.contains('@') && !before.contains('/') && !after.starts_with("//")
        }
        None => false,
    }
}

fn is_gitlab_route(s: &str) -> bool {
    matches!(
        s,
        "issues"
            | "merge_requests"
            | "blob"
            | "tree"
            | "commit"
            | "commits"
            | "wikis"
            | "wiki"
            | "releases"
            | "pipelines"
            | "tags"
            | "branches"
            | "raw"
            | "archive"
            | "jobs"
            | "snippets"
    )
}

/// Owner / name segment: ASCII letters, digits, `.`, `_`, `-`; never `.` or `..`.
fn valid_segment(s: &str) -> bool {
    !s.is_empty()
        && s != "."
        && s != ".."
        && s.len() <= 100
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// Split a repository reference into (host, path-with-query-and-fragment).
fn split_host_path(s: &str) -> Option<(&str, &str)> {
    // npm-style shorthands
    for (prefix, host) in [
        ("github:", "github.com"),
        ("gitlab:", "gitlab.com"),
        ("bitbucket:", "bitbucket.org"),
    ] {
        if let Some(rest) = strip_prefix_ci(s, prefix) {
            if !rest.starts_with('/') {
                return Some((host, rest));
            }
        }
    }
    let s = strip_prefix_ci(s, "git+").unwrap_or(s);
    if let Some(i) = s.find("://") {
        let scheme = s[..i].to_ascii_lowercase();
        if !matches!(scheme.as_str(), "https" | "http" | "git" | "ssh") {
            return None;
        }
        let rest = &s[i + 3..];
        let auth_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let authority = &rest[..auth_end];
        let hostport = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        match hostport.split_once(':') {
            // `ssh://git@github.com:owner/name` (scp path inside an ssh URL, npm writes these)
            Some((host, after))
                if !after.is_empty() && !after.bytes().all(|b| b.is_ascii_digit()) =>
            {
                let path_start = i + 3 + (authority.len() - hostport.len()) + host.len() + 1;
                Some((host, &s[path_start..]))
            }
            Some((host, _port)) => Some((host, &rest[auth_end..])),
            None => Some((hostport, &rest[auth_end..])),
        }
    } else if let Some((before, after)) = s.split_once(':') {
        // scp-style `[user@]host:path`
        if before.contains('/') || after.starts_with("//") {
            return None;
        }
        let host = before.rsplit_once('@').map_or(before, |(_, h)| h);
        Some((host, after))
    } else {
        // scheme-less `github.com/owner/name`
        let (host, path) = s.split_once('/')?;
        if host.contains('@') {
            return None;
        }
        Some((host, path))
    }
}

pub(crate) fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    if s.len() >= prefix.len()
        && s.is_char_boundary(prefix.len())
        && s[..prefix.len()].eq_ignore_ascii_case(prefix)
    {
        Some(&s[prefix.len()..])
    } else {
        None
    }
}

// ---------------------------------------------------------------------------------------------
// Package URLs (lenient: SBOMs in the wild carry purls that strict parsers reject)
// ---------------------------------------------------------------------------------------------

/// The parts of a purl, percent-decoded. Lenient on purpose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Purl {
    pub ty: String,
    pub namespace: Option<String>,
    pub name: String,
    pub version: Option<String>,
    pub qualifiers: Vec<(String, String)>,
}

impl Purl {
    pub(crate) fn parse(s: &str) -> Option<Purl> {
        let rest = strip_prefix_ci(s.trim(), "pkg:")?.trim_start_matches('/');
        let rest = rest.split_once('#').map_or(rest, |(r, _subpath)| r);
        let (rest, qualifiers) = match rest.split_once('?') {
            Some((r, q)) => (r, q),
            None => (rest, ""),
        };
        let (ty, rest) = rest.split_once('/')?;
        if ty.is_empty() {
            return None;
        }
        let rest = rest.trim_end_matches('/');
        // The version separator is an `@` after the last `/` (a raw `@scope` may precede it).
        let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
        let (path, version) = match rest[last_slash..].rfind('@') {
            Some(at) if at > 0 => (
                &rest[..last_slash + at],
                Some(percent_decode(&rest[last_slash + at + 1..])),
            ),
            _ => (rest, None),
        };
        let (namespace, name) = match path.rsplit_once('/') {
            Some((ns, n)) => (
                Some(
                    ns.split('/')
                        .map(percent_decode)
                        .collect::<Vec<_>>()
                        .join("/"),
                ),
                n,
            ),
            None => (None, path),
        };
        let name = percent_decode(name);
        if name.is_empty() {
            return None;
        }
        let qualifiers = qualifiers
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (k.to_ascii_lowercase(), percent_decode(v)))
            .collect();
        Some(Purl {
            ty: ty.to_ascii_lowercase(),
            namespace: namespace.filter(|n| !n.is_empty()),
            name,
            version: version.filter(|v| !v.is_empty()),
            qualifiers,
        })
    }

    pub(crate) fn qualifier(&self, key: &str) -> Option<&str> {
        self.qualifiers
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Type, namespace and name, normalized for matching: case-insensitive, PyPI names per PEP 503.
    pub(crate) fn match_key(&self) -> String {
        let name = if self.ty == "pypi" {
            pep503(&self.name)
        } else {
            self.name.to_lowercase()
        };
        match &self.namespace {
            Some(ns) => format!("pkg:{}/{}/{}", self.ty, ns.to_lowercase(), name),
            None => format!("pkg:{}/{}", self.ty, name),
        }
    }

    /// `pkg:type/namespace/name` (no version, qualifiers or subpath), for messages.
    pub(crate) fn short(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("pkg:{}/{}/{}", self.ty, ns, self.name),
            None => format!("pkg:{}/{}", self.ty, self.name),
        }
    }
}

/// PEP 503 name normalization (<https://peps.python.org/pep-0503/#normalized-names>): surrounding
/// whitespace dropped, lower-case, runs of `-`, `_`, `.` become one `-`.
pub fn pep503(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut sep = false;
    for c in name.trim().chars() {
        if matches!(c, '-' | '_' | '.') {
            sep = true;
        } else {
            if sep && !out.is_empty() {
                out.push('-');
            }
            sep = false;
            out.extend(c.to_lowercase());
        }
    }
    out
}

pub(crate) fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let (Some(h), Some(l)) = (
                (b[i + 1] as char).to_digit(16),
                (b[i + 2] as char).to_digit(16),
            ) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// aiprov's namespace for name-based UUIDs (RFC 9562 version 5): the version 5 UUID of
/// `https://github.com/aiprov` in the URL namespace, fixed so that derived ids stay the same
/// from one run (and release) to the next.
fn aiprov_uuid_namespace() -> uuid::Uuid {
    uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, b"https://github.com/aiprov")
}

/// `urn:uuid:…` of the RFC 9562 version 5 UUID of `name` in aiprov's namespace: the same name
/// always gives the same id (reproducible `serialNumber`s of generated documents).
pub fn uuid_urn(name: &[u8]) -> String {
    uuid::Uuid::new_v5(&aiprov_uuid_namespace(), name)
        .urn()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    /// Why purls are parsed here and not with `packageurl` (docs/decisions.md): it lower-cases
    /// Go namespaces (module paths are case-sensitive: the proxy and the forge need
    /// `AndreasBriese`) and rejects the XML-escaped qualifiers real SBOMs carry.
    #[test]
    fn lenient_where_packageurl_is_not() {
        let go = "pkg:golang/github.com/AndreasBriese/bbloom@v0.0.0-20190306092124-e2d15f34fcf9";
        let ours = Purl::parse(go).expect("parses");
        assert_eq!(ours.namespace.as_deref(), Some("github.com/AndreasBriese"));
        let theirs = packageurl::PackageUrl::from_str(go).expect("parses");
        assert_eq!(theirs.namespace(), Some("github.com/andreasbriese"));

        let escaped = "pkg:maven/com.google.inject/guice@4.0?classifier=no_aop&amp;type=jar";
        assert_eq!(Purl::parse(escaped).expect("parses").name, "guice");
        assert!(packageurl::PackageUrl::from_str(escaped).is_err());
    }
}
