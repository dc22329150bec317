//! Component → repository + revision. Pure functions: no network, no git.
//!
//! - [`parse_repo_url`] turns the many spellings of a forge repository URL found in SBOMs
//!   (`git+https://…git#sha`, `git@host:owner/name`, `…/tree/main`, …) into a canonical [`RepoUrl`].
//! - [`RepoMap`] is the user's override file (`--repo-map FILE`).
//! - [`resolve_repository`] picks the repository for one component: the repo map first (the user
//!   wins), then the references the SBOM itself gives, in their order.
//! - [`match_version_tag`] picks the git tag that denotes a release version.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use crate::ident::strip_prefix_ci;
pub(crate) use crate::ident::Purl;
// Identifiers moved to `crate::ident`; these paths keep working.
pub use crate::ident::{
    looks_like_commit, parse_repo_url, parse_vcs_url, redact_credentials, ForgeHosts, ForgeKind,
    RepoUrl, FORGES,
};
use crate::inventory::Component;
use crate::text::{bounded, ECHO_LIMIT};

// ---------------------------------------------------------------------------------------------
// Repo map
// ---------------------------------------------------------------------------------------------

/// Why a repo map file could not be loaded. Messages start with the file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Not TOML.
    #[error("{path}: not valid TOML{at}: {message}")]
    Toml {
        /// The map file.
        path: String,
        /// ` at line L, column C` when known.
        at: String,
        /// The parser's message.
        message: String,
    },
    /// TOML, but not shaped like a repo map.
    #[error("{path}: {message}")]
    Shape {
        /// The map file.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// One entry is wrong.
    #[error("{path}: [repositories] \"{key}\": {message}")]
    Entry {
        /// The map file.
        path: String,
        /// The entry's key (bounded).
        key: String,
        /// What is wrong.
        message: String,
    },
}

/// Where the repo map sends a component.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MapTarget {
    /// A repository on any git host (the user wrote it: fetched whatever its host).
    Url(RepoUrl),
    /// A local repository (a working copy or a bare repository), absolute or relative to the
    /// map file's folder (already joined).
    Path(PathBuf),
}

/// The user's component → repository overrides (`--repo-map FILE`).
///
/// ```toml
/// [repositories]
/// "pkg:pypi/aider-chat" = "https://github.com/Aider-AI/aider"
/// "my-bom-ref" = "../repos/thing.git"
/// ```
///
/// Keys are a purl without version (matched ignoring the component purl's version, qualifiers
/// and subpath, case-insensitively, PyPI names PEP 503-normalized) or a bom-ref (exact).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RepoMap {
    /// normalized purl key → (key as written, target)
    by_purl: HashMap<String, (String, MapTarget)>,
    /// bom-ref → target
    by_ref: HashMap<String, MapTarget>,
}

/// The largest repo map aiprov reads, in bytes (32 MiB, about 350,000 entries). Parsing holds
/// the whole TOML table in memory, about ten times the file's size, so a larger map is refused
/// with [`Error::Shape`] (exit 2) rather than read until memory runs out (issue 15: a 157 MB map
/// aborted). Documented in the README's limits table.
pub const MAX_REPO_MAP_BYTES: usize = 32 << 20;

/// The message for a repo map over [`MAX_REPO_MAP_BYTES`] (`path` already a label).
pub fn repo_map_too_large(path: &str) -> Error {
    Error::Shape {
        path: path.to_string(),
        message: format!(
            "larger than the {} MiB aiprov reads from a repo map (split the map, or map only the \
             components this SBOM holds)",
            MAX_REPO_MAP_BYTES >> 20
        ),
    }
}

impl RepoMap {
    /// Parse a repo map. `path_label` names the file in messages and anchors relative paths.
    /// A text longer than [`MAX_REPO_MAP_BYTES`] is refused before it is parsed.
    pub fn from_toml(path_label: &str, text: &str) -> Result<RepoMap, Error> {
        let label = crate::text::path_label(path_label);
        if text.len() > MAX_REPO_MAP_BYTES {
            return Err(repo_map_too_large(&label));
        }
        let table: toml::Table = toml::from_str(text).map_err(|e| {
            let at = e.span().map(|sp| {
                let (line, col) = line_col(text, sp.start);
                format!(" at line {line}, column {col}")
            });
            Error::Toml {
                path: label.clone(),
                at: at.unwrap_or_default(),
                message: bounded(e.message().trim(), 300),
            }
        })?;
        for key in table.keys() {
            if key != "repositories" {
                return Err(Error::Shape {
                    path: label,
                    message: format!(
                        "unknown key \"{}\" (expected only a [repositories] table)",
                        bounded(key, ECHO_LIMIT)
                    ),
                });
            }
        }
        let Some(repos) = table.get("repositories") else {
            return Err(Error::Shape {
                path: label,
                message: "no [repositories] table".into(),
            });
        };
        let toml::Value::Table(repos) = repos else {
            return Err(Error::Shape {
                path: label,
                message: "\"repositories\" must be a table".into(),
            });
        };
        let base = Path::new(path_label)
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let mut map = RepoMap::default();
        for (key, value) in repos {
            let entry_err = |message: String| Error::Entry {
                path: label.clone(),
                key: bounded(key, ECHO_LIMIT),
                message,
            };
            let toml::Value::String(value) = value else {
                return Err(entry_err(format!(
                    "expected a string (repository URL or path), found a {}",
                    value.type_str()
                )));
            };
            let target = parse_map_target(value, &base).map_err(entry_err)?;
            if key.is_empty() {
                return Err(entry_err("empty key".into()));
            }
            if strip_prefix_ci(key, "pkg:").is_some() {
                let purl = Purl::parse(key).ok_or_else(|| {
                    entry_err("not a valid purl (pkg:TYPE/[NAMESPACE/]NAME)".into())
                })?;
                if let Some(v) = &purl.version {
                    return Err(entry_err(format!(
                        "a repo map key matches every version: remove \"@{}\"",
                        bounded(v, ECHO_LIMIT)
                    )));
                }
                let norm = purl.match_key();
                if let Some((other, _)) = map.by_purl.get(&norm) {
                    return Err(entry_err(format!(
                        "names the same package as \"{}\"",
                        bounded(other, ECHO_LIMIT)
                    )));
                }
                map.by_purl.insert(norm, (key.clone(), target));
            } else {
                map.by_ref.insert(key.clone(), target);
            }
        }
        Ok(map)
    }

    /// The override for `c`, if any: its bom-ref first, then its purl.
    pub fn lookup(&self, c: &Component) -> Option<MapTarget> {
        self.lookup_with_key(c).map(|(_, t)| t.clone())
    }

    /// Like [`RepoMap::lookup`], with the map key that matched.
    pub fn lookup_with_key(&self, c: &Component) -> Option<(&str, &MapTarget)> {
        if let Some(r) = &c.bom_ref {
            if let Some((k, t)) = self.by_ref.get_key_value(r) {
                return Some((k.as_str(), t));
            }
        }
        let purl = Purl::parse(c.purl.as_deref()?)?;
        self.by_purl
            .get(&purl.match_key())
            .map(|(k, t)| (k.as_str(), t))
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.by_purl.len() + self.by_ref.len()
    }

    /// Whether the map has no entries.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn parse_map_target(value: &str, base: &Path) -> Result<MapTarget, String> {
    let value = value.trim();
    if value.is_empty() {
        return Err("empty value".into());
    }
    if let Some(p) = strip_prefix_ci(value, "file://") {
        return Ok(MapTarget::Path(PathBuf::from(p)));
    }
    if redact_credentials(value) != value {
        return Err(format!(
            "\"{}\": no user:password in repository URLs (git asks ssh-agent or a credential helper)",
            bounded(&redact_credentials(value), ECHO_LIMIT)
        ));
    }
    if let Some((repo, pin)) = parse_vcs_url(value, &ForgeHosts::default()) {
        if pin.is_some() {
            return Err(
                "the repo map names repositories, not revisions: remove the commit (#… / @…)"
                    .into(),
            );
        }
        return Ok(MapTarget::Url(repo));
    }
    let looks_remote = value.contains("://")
        || value.starts_with("git@")
        || value
            .split_once(':')
            .is_some_and(|(h, _)| h.contains('.') && !h.contains('/') && !h.contains('\\'));
    if looks_remote {
        return Err(format!(
            "\"{}\" is not a repository URL (https://, ssh://, git:// or git@HOST:PATH with at least OWNER/NAME) nor a local path",
            bounded(&redact_credentials(value), ECHO_LIMIT),
        ));
    }
    let p = Path::new(value);
    let joined = if p.is_absolute() {
        p.to_path_buf()
    } else {
        base.join(p)
    };
    // `../..` reads better resolved in the output; a path that does not exist stays as written
    // and becomes `repository-unavailable` with that path in the reason.
    Ok(MapTarget::Path(
        std::fs::canonicalize(&joined).unwrap_or(joined),
    ))
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    crate::text::line_column(text.as_bytes(), offset)
}

// ---------------------------------------------------------------------------------------------
// Resolution
// ---------------------------------------------------------------------------------------------

/// Where a component's repository came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// The user's repo map; `key` is the entry that matched.
    RepoMap {
        /// The map key as written.
        key: String,
    },
    /// The SBOM itself; `origin` is the field (see [`crate::inventory::VcsRef::origin`]).
    Sbom {
        /// e.g. `purl:vcs_url`, `externalReferences[vcs]`.
        origin: String,
    },
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::RepoMap { key } => write!(f, "repo map entry \"{}\"", bounded(key, ECHO_LIMIT)),
            Source::Sbom { origin } => write!(f, "SBOM {origin}"),
        }
    }
}

/// The repository chosen for a component.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    /// A repository on a git host (a public forge, a configured host or any other).
    Url {
        /// The repository.
        repo: RepoUrl,
        /// A commit the SBOM pins for this component in this repository (`#<sha>`, `@<sha>`, a
        /// `pkg:github` purl version), lower-case.
        pinned_commit: Option<String>,
        /// Where the repository came from.
        source: Source,
    },
    /// A local repository from the repo map.
    Path {
        /// The repository folder.
        path: PathBuf,
        /// The first commit any SBOM reference pins (the local repository is taken to be a clone
        /// of it; the caller should fall back when the commit is absent).
        pinned_commit: Option<String>,
        /// Always [`Source::RepoMap`].
        source: Source,
    },
    /// Nothing usable; `reason` is one line for `aiprov:status:reason` (bounded, no credentials).
    None {
        /// Why.
        reason: String,
    },
}

/// [`resolve_repository_on`] with the public forges only as known hosts.
pub fn resolve_repository(c: &Component, map: Option<&RepoMap>) -> Resolution {
    resolve_repository_on(c, map, &ForgeHosts::default())
}

/// Pick the repository for `c`: the repo map first (the user wins), then the component's
/// [`crate::inventory::VcsRef`]s in order (the first that names a repository, on any host:
/// [`parse_vcs_url`], read with the kinds of `hosts`). The pinned commit is the first one any
/// reference to the chosen repository carries.
pub fn resolve_repository_on(
    c: &Component,
    map: Option<&RepoMap>,
    hosts: &ForgeHosts,
) -> Resolution {
    type Parsed = Option<(RepoUrl, Option<String>)>;
    let parsed: Vec<(usize, Parsed)> = c
        .vcs_refs
        .iter()
        .enumerate()
        .map(|(i, r)| (i, parse_vcs_url(&r.url, hosts)))
        .collect();
    let pin_for = |repo: &RepoUrl| {
        let key = repo.key();
        parsed.iter().find_map(|(_, p)| match p {
            Some((r, Some(pin))) if r.key() == key => Some(pin.clone()),
            _ => None,
        })
    };
    if let Some((key, target)) = map.and_then(|m| m.lookup_with_key(c)) {
        let source = Source::RepoMap {
            key: key.to_string(),
        };
        return match target {
            MapTarget::Url(repo) => Resolution::Url {
                repo: repo.clone(),
                pinned_commit: pin_for(repo),
                source,
            },
            MapTarget::Path(path) => Resolution::Path {
                path: path.clone(),
                pinned_commit: parsed
                    .iter()
                    .find_map(|(_, p)| p.as_ref().and_then(|(_, pin)| pin.clone())),
                source,
            },
        };
    }
    // References on a known host first, then those that say they are git on another host,
    // then the rest (a plain https URL on an unknown host may be a project page).
    let rank = |i: usize, repo: &RepoUrl| {
        if hosts.is_known(&repo.host) {
            0
        } else if crate::ident::says_git(&c.vcs_refs[i].url) {
            1
        } else {
            2
        }
    };
    let best = parsed
        .iter()
        .filter_map(|(i, p)| p.as_ref().map(|(repo, _)| (rank(*i, repo), *i, repo)))
        .min_by_key(|(r, i, _)| (*r, *i))
        .map(|(_, i, repo)| (i, repo));
    if let Some((i, repo)) = best {
        return Resolution::Url {
            pinned_commit: pin_for(repo),
            repo: repo.clone(),
            source: Source::Sbom {
                origin: c.vcs_refs[i].origin.clone(),
            },
        };
    }
    let reason = match c.vcs_refs.first() {
        None => {
            let purl = match c.purl.as_deref().map(|p| (p, Purl::parse(p))) {
                Some((_, Some(p))) => format!("purl {} has no vcs_url", p.short()),
                Some((raw, None)) => format!("purl {raw} has no vcs_url"),
                None => "no purl".to_string(),
            };
            format!("no repository URL in the SBOM ({purl}; no vcs external reference)")
        }
        Some(first) => {
            let more = match c.vcs_refs.len() {
                1 => String::new(),
                n => format!(" (and {} more)", n - 1),
            };
            format!(
                "no supported repository URL in the SBOM: {} {} is not a git repository URL{more}",
                first.origin,
                redact_credentials(&first.url),
            )
        }
    };
    Resolution::None {
        reason: bounded(&reason, 2 * ECHO_LIMIT),
    }
}

// ---------------------------------------------------------------------------------------------
// Version → tag
// ---------------------------------------------------------------------------------------------

/// A version, normalized so PEP 440 and SemVer spellings of the same release compare equal.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Ver {
    epoch: u64,
    release: Vec<u64>,
    /// (kind, number): `a`, `b`, `rc`, or `~label` for a SemVer pre-release that is not PEP 440.
    pre: Option<(String, u64)>,
    post: Option<u64>,
    dev: Option<u64>,
    local: Option<String>,
}

impl Ver {
    fn parse(s: &str) -> Option<Ver> {
        let mut s = s.trim().to_ascii_lowercase();
        if let Some(x) = s.strip_suffix("+incompatible") {
            s = x.to_string();
        }
        let mut s = s.as_str();
        if let Some(x) = s.strip_prefix('v') {
            s = x;
        }
        let (s, local) = match s.split_once('+') {
            Some((v, l)) if !l.is_empty() => (v, Some(l.replace(['-', '_'], "."))),
            Some(_) => return None,
            None => (s, None),
        };
        let (epoch, s) = match s.split_once('!') {
            Some((e, rest)) => (e.parse().ok()?, rest),
            None => (0, s),
        };
        // release: N(.N)*
        let bytes = s.as_bytes();
        let mut i = 0;
        let mut release = Vec::new();
        loop {
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            if i == start || i - start > 18 {
                return None;
            }
            release.push(s[start..i].parse().ok()?);
            if i + 1 < bytes.len() && bytes[i] == b'.' && bytes[i + 1].is_ascii_digit() {
                i += 1;
            } else {
                break;
            }
        }
        let rest = &s[i..];
        let (pre, post, dev) = parse_suffix(rest)?;
        Some(Ver {
            epoch,
            release,
            pre,
            post,
            dev,
            local,
        })
    }

    /// Release with trailing zeros dropped (`1.0.0` ~ `1.0`).
    fn trimmed_release(&self) -> &[u64] {
        let mut r = &self.release[..];
        while let [head @ .., 0] = r {
            if head.is_empty() {
                break;
            }
            r = head;
        }
        r
    }

    fn eq_padded(&self, other: &Ver) -> bool {
        self.release.len() >= 2
            && other.release.len() >= 2
            && self.trimmed_release() == other.trimmed_release()
            && Ver {
                release: vec![],
                ..self.clone()
            } == Ver {
                release: vec![],
                ..other.clone()
            }
    }
}

type Suffix = (Option<(String, u64)>, Option<u64>, Option<u64>);

/// Parse what follows the release numbers: PEP 440 pre/post/dev, or a SemVer pre-release.
fn parse_suffix(rest: &str) -> Option<Suffix> {
    if rest.is_empty() {
        return Some((None, None, None));
    }
    if !rest
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
    {
        return None;
    }
    // tokens: alternating letter runs and digit runs; separators dropped
    let mut tokens: Vec<&str> = Vec::new();
    let b = rest.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if matches!(b[i], b'.' | b'-' | b'_') {
            i += 1;
            continue;
        }
        let digit = b[i].is_ascii_digit();
        let start = i;
        while i < b.len() && b[i].is_ascii_alphanumeric() && b[i].is_ascii_digit() == digit {
            i += 1;
        }
        tokens.push(&rest[start..i]);
    }
    let num = |t: Option<&&str>| {
        t.filter(|t| t.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|t| t.parse::<u64>().ok())
    };
    let mut k = 0;
    let mut pre = None;
    let mut post = None;
    let mut dev = None;
    let pre_kind = |t: &str| match t {
        "a" | "alpha" => Some("a"),
        "b" | "beta" => Some("b"),
        "c" | "rc" | "pre" | "preview" => Some("rc"),
        _ => None,
    };
    if let Some(kind) = tokens.get(k).and_then(|t| pre_kind(t)) {
        k += 1;
        let n = num(tokens.get(k));
        if n.is_some() {
            k += 1;
        }
        pre = Some((kind.to_string(), n.unwrap_or(0)));
    }
    if let Some(t) = tokens.get(k) {
        if matches!(*t, "post" | "rev" | "r") {
            k += 1;
            let n = num(tokens.get(k));
            if n.is_some() {
                k += 1;
            }
            post = Some(n.unwrap_or(0));
        } else if k == 0
            && rest.starts_with('-')
            && t.bytes().all(|b| b.is_ascii_digit())
            && tokens.len() == 1
        {
            // PEP 440 implicit post release `1.0-1`
            post = Some(t.parse().ok()?);
            k += 1;
        }
    }
    if tokens.get(k) == Some(&"dev") {
        k += 1;
        let n = num(tokens.get(k));
        if n.is_some() {
            k += 1;
        }
        dev = Some(n.unwrap_or(0));
    }
    if k < tokens.len() {
        // Not PEP 440: an opaque SemVer pre-release label, compared as a whole.
        return Some((Some((format!("~{}", tokens.join(".")), 0)), None, None));
    }
    Some((pre, post, dev))
}

/// Name comparison for tag prefixes: case-insensitive, `-` `_` `.` equivalent.
fn norm_name(s: &str) -> String {
    s.trim_start_matches('@')
        .to_lowercase()
        .replace(['_', '.'], "-")
}

/// Last path segment of a (npm-scoped / Go module) name, skipping a Go major-version suffix.
fn last_segment(s: &str) -> &str {
    let mut segs = s.rsplit('/').filter(|x| !x.is_empty());
    let last = segs.next().unwrap_or(s);
    let is_major = last.len() > 1
        && (last.starts_with('v') || last.starts_with('V'))
        && last[1..].bytes().all(|b| b.is_ascii_digit());
    if is_major {
        segs.next().unwrap_or(last)
    } else {
        last
    }
}

fn name_matches(prefix: &str, name: &str) -> bool {
    if prefix.is_empty() || name.is_empty() {
        return false;
    }
    let (p, n) = (norm_name(prefix), norm_name(name));
    if p == n {
        return true;
    }
    if prefix.contains('/') && name.contains('/') {
        return false;
    }
    norm_name(last_segment(prefix)) == norm_name(last_segment(name))
}

fn subdir_matches(prefix: &str, name: &str) -> bool {
    if prefix.is_empty() || name.is_empty() {
        return false;
    }
    let (p, n) = (norm_name(prefix), norm_name(name));
    n == p
        || n.ends_with(&format!("/{p}"))
        || norm_name(last_segment(prefix)) == norm_name(last_segment(name))
}

/// Choose the tag among `tags` that denotes release `version` of package `name`.
///
/// Conventions, best first: `v1.2.3`, `1.2.3`, `NAME-v1.2.3`, `NAME-1.2.3`, `NAME@1.2.3`,
/// `NAME_v1.2.3`, `NAME_1.2.3`, `SUBDIR/v1.2.3`, `SUBDIR/1.2.3`, `release-1.2.3` (also
/// `release/…`, `release_…`, with or without `v`). A `refs/tags/` prefix is ignored.
///
/// Versions compare normalized: a leading `v`/`V`, PEP 440 vs SemVer pre-releases (`1.2.3rc1` =
/// `1.2.3-rc.1`, `b2` = `-beta.2`), Go's `+incompatible`. `1.0` and `1.0.0` match only when no
/// exact spelling exists and the padded candidates are a single release (never `v1` for `1.0.0`).
/// NAME is compared case-insensitively with `-`, `_`, `.` equivalent, and may be the last path
/// segment of a scoped npm or Go module name; SUBDIR may be the module's folder path.
/// `1.2.3` never matches `1.2.30`, `v11.2.3` or `1.2.3-rc1`, nor another package's `other-1.2.3`.
pub fn match_version_tag<'a>(name: &str, version: &str, tags: &'a [String]) -> Option<&'a str> {
    let want = Ver::parse(version);
    if want.is_none() {
        // not a version we understand: only a tag spelled exactly like it
        let v = version.trim();
        return tags
            .iter()
            .map(String::as_str)
            .find(|t| !v.is_empty() && t.strip_prefix("refs/tags/").unwrap_or(t) == v);
    }
    let bare_version = version.trim().trim_start_matches(['v', 'V']);
    // (padded?, rank, spelled differently?, index): smaller is better
    type Key = (bool, u8, bool, usize);
    let mut best: Option<(Key, &'a str)> = None;
    let mut padded_releases: Vec<Vec<u64>> = Vec::new();
    for (idx, tag) in tags.iter().enumerate() {
        let t = tag.strip_prefix("refs/tags/").unwrap_or(tag);
        for (rank, ver_part) in tag_candidates(t, name) {
            let (exact, padded) = match (&want, Ver::parse(ver_part)) {
                (Some(w), Some(v)) => {
                    if *w == v {
                        (true, false)
                    } else if w.eq_padded(&v) {
                        if !padded_releases.contains(&v.release) {
                            padded_releases.push(v.release.clone());
                        }
                        (false, true)
                    } else {
                        (false, false)
                    }
                }
                _ => (false, false),
            };
            if !exact && !padded {
                continue;
            }
            let key = (padded, rank, ver_part != bare_version, idx);
            if best.as_ref().is_none_or(|(k, _)| key < *k) {
                best = Some((key, tag.as_str()));
            }
        }
    }
    match best {
        Some(((true, ..), _)) if padded_releases.len() > 1 => None,
        Some((_, tag)) => Some(tag),
        None => None,
    }
}

/// The readings of `tag` as (convention rank, version part) under which its prefix fits `name`.
fn tag_candidates<'t>(tag: &'t str, name: &str) -> Vec<(u8, &'t str)> {
    let mut out = Vec::new();
    let starts_v = |s: &str| {
        let b = s.as_bytes();
        b.len() >= 2 && (b[0] == b'v' || b[0] == b'V') && b[1].is_ascii_digit()
    };
    let starts_digit = |s: &str| s.as_bytes().first().is_some_and(u8::is_ascii_digit);
    if starts_v(tag) {
        out.push((0, &tag[1..]));
    } else if starts_digit(tag) {
        out.push((1, tag));
    }
    for (i, c) in tag.char_indices() {
        if i == 0 || !matches!(c, '-' | '@' | '_' | '/') {
            continue;
        }
        let (prefix, after) = (&tag[..i], &tag[i + 1..]);
        let (has_v, ver) = if starts_v(after) {
            (true, &after[1..])
        } else if starts_digit(after) {
            (false, after)
        } else {
            continue;
        };
        if prefix.eq_ignore_ascii_case("release") || prefix.eq_ignore_ascii_case("rel") {
            out.push((12 + u8::from(has_v), ver));
            continue;
        }
        let rank = match (c, has_v) {
            ('-', true) => 2,
            ('-', false) => 3,
            ('@', _) => 4,
            ('_', true) => 5,
            ('_', false) => 6,
            ('/', true) => 7,
            ('/', false) => 8,
            _ => unreachable!(),
        };
        let fits = if c == '/' {
            subdir_matches(prefix, name)
        } else {
            name_matches(prefix, name)
        };
        if fits {
            out.push((rank, ver));
        }
    }
    out
}

#[cfg(test)]
mod tests;
