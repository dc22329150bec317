//! The enrich pipeline: an SBOM's [`Inventory`] in, per-component `aiprov:` properties and
//! evidence lines out.
//!
//! ```text
//!  Inventory ──► plan() ─────────────────────────────────► run() ──────────────────► edits()
//!  components    repository: repo map, then the SBOM's       each distinct            properties per
//!                references; local mirror; revision:         repository@revision      component, summary
//!                SBOM pin, else version tag, else HEAD       walked once, in          for the document
//!                                                            parallel; evidence lines
//! ```
//!
//! - **Repositories**: from the repo map, then the SBOM's references, then (when
//!   [`Options::registry`] is given) the package registries. A repository is found in the mirror
//!   folders ([`Options::mirror_roots`], layout `ROOT/<host>/<owner>/<name>.git`) or at a
//!   repo-map path; when absent and [`Options::fetch`] allows it, it is cloned into the mirror
//!   cache (distinct repositories in parallel on the pool, one lock per repository in
//!   [`crate::fetch`]); otherwise `repository-unavailable` with a reason.
//! - **Per-component failures are data**: every component ends with a [`Status`] and, unless
//!   analyzed, a one-line reason. Only writing the evidence can fail [`run`].
//! - **Each distinct repository@revision is walked once**, however many components share it,
//!   on the given rayon pool (one [`crate::history::Repo`] per walk: gix repositories are not
//!   `Sync`). Walks are handed out in document order and their evidence is written in that order,
//!   so the output does not depend on `--jobs`.
//! - Never prints: progress goes through a callback, evidence into a `Write`.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use gix::hash::ObjectId;
use serde::Serialize;

use crate::aggregate::Counts;
use crate::classify::{self, Class, RuleSet};
use crate::fetch::FetchOptions;
use crate::history::{self, Entry, Repo, Time};
use crate::inventory::{Component, Inventory};
use crate::registry::{AnswerStatus, Registry};
use crate::resolve::{self, match_version_tag, Purl, RepoMap, RepoUrl, Resolution};
use crate::results;
use crate::review::{self, CommitReview, Outcome, ReviewIndex};
use crate::sbom::cyclonedx::Edits;
use crate::text::{bounded, ECHO_LIMIT};

use crate::props;
/// Prefix of the document-level properties.
pub use crate::props::SUMMARY_PREFIX;

mod edits;
mod plan;
mod run;

pub use edits::{edits, format_since, Tally};
pub use plan::{
    fetch_repositories, plan, resolve_repositories, LocalRepositories, PlanEvent, Progress,
    RepositoryPlan,
};
pub use run::{
    ai_commits, commit_evidence, run, Event, EvidenceLine, Results, WalkHeader, WalkOutcome,
};

/// What the pipeline needs besides the document.
#[derive(Debug, Clone, Copy)]
pub struct Options<'a> {
    /// Folders holding bare mirrors as `ROOT/<host>/<owner>/<name>.git`, searched in order.
    pub mirror_roots: &'a [PathBuf],
    /// The user's overrides (`--repo-map`).
    pub repo_map: Option<&'a RepoMap>,
    /// The forge hosts known (public forges, `[forges."HOST"]`): how repository URLs on them
    /// read. Repositories on other hosts are still named, never fetched.
    pub hosts: &'a resolve::ForgeHosts,
    /// Whether the user asked never to touch the network (registry answers come from the cache
    /// only, nothing is fetched).
    pub offline: bool,
    /// Ask the registries for components whose SBOM entry names no repository.
    pub registry: Option<&'a Registry>,
    /// Clone missing repositories into the mirror cache (not used when `offline`).
    pub fetch: Option<&'a FetchOptions>,
    /// Walk only commits committed at or after this time (Unix seconds).
    pub since: Option<i64>,
    /// The classification rules.
    pub rules: &'a RuleSet,
    /// What to do when no pin, tag or release time decides a revision (`--fallback`).
    pub fallback: crate::revision::Fallback,
    /// The pull/merge requests known (`--review-data`, forge answers): each AI commit's review
    /// outcome comes from it; `None` leaves every AI commit without review trailers `unknown`.
    pub reviews: Option<&'a ReviewIndex>,
    /// `--reviews all`: every non-merge commit gets a review outcome (and
    /// [`ai_commits`] lists every commit for the forge), counted in
    /// [`crate::aggregate::Counts::all_review`]; `false`: the AI commits only.
    pub review_all: bool,
    /// Told about each registry answer and each clone or fetch as [`plan`] gets them (called
    /// from the worker threads; the command line draws progress with it).
    pub progress: Option<Progress<'a>>,
    /// The results store (`CACHE/results`): finished walks and resolved revisions are taken
    /// from it and added to it; `None` with `--no-cache`/`--refresh` or without a cache folder.
    pub store: Option<&'a results::Store>,
    /// `Some((k, n))`: fetch and walk only the repositories of shard `k` of `n`
    /// ([`results::shard_of`]); the other components end `repository-unavailable` with a reason
    /// that names their shard.
    pub shard: Option<(u32, u32)>,
}

/// The outcome for one component (`aiprov:status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Status {
    /// Its repository was walked at its revision.
    Analyzed,
    /// Neither the repo map nor the SBOM names a repository on a known forge.
    NoRepository,
    /// A repository is named, but there is no local copy of it (or it cannot be opened).
    RepositoryUnavailable,
    /// The repository is there, but the revision is not (a pinned commit that is absent, an
    /// empty repository).
    RevisionUnresolved,
    /// The walk failed (unreadable commits, an internal error).
    Error,
}

impl Status {
    /// Every status, in report order.
    pub const ALL: [Status; 5] = [
        Status::Analyzed,
        Status::NoRepository,
        Status::RepositoryUnavailable,
        Status::RevisionUnresolved,
        Status::Error,
    ];

    /// The value of `aiprov:status`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Analyzed => "analyzed",
            Status::NoRepository => "no-repository",
            Status::RepositoryUnavailable => "repository-unavailable",
            Status::RevisionUnresolved => "revision-unresolved",
            Status::Error => "error",
        }
    }
}

/// Where a component's revision came from (`aiprov:revision:source`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RevisionSource {
    /// A commit the SBOM names (`#<sha>`, `@<sha>`, a `pkg:github` commit version).
    Sbom,
    /// The commit the package registry recorded for the release (npm `gitHead`, cargo
    /// `.cargo_vcs_info.json`, a Go pseudo-version).
    Registry,
    /// The tag that matches the component's version.
    Tag,
    /// The last commit of the default branch at the registry's release time (no pin, no tag).
    ReleaseDate,
    /// The repository's default branch (`HEAD` of the mirror): no pin, no matching tag, no
    /// release time, and the user asked for it (`--fallback default-branch`).
    DefaultBranch,
}

impl RevisionSource {
    /// The value of `aiprov:revision:source`.
    pub fn as_str(self) -> &'static str {
        match self {
            RevisionSource::Sbom => "sbom",
            RevisionSource::Registry => "registry",
            RevisionSource::Tag => "tag",
            RevisionSource::ReleaseDate => "release-date",
            RevisionSource::DefaultBranch => "default-branch",
        }
    }
}

/// What happens to one component.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// It is analyzed by walk number `walk` of [`Plan::walks`].
    Walk {
        /// Index into [`Plan::walks`].
        walk: usize,
        /// `aiprov:repository` for this component (canonical URL or repo-map path).
        repository: String,
        /// How its revision was chosen.
        source: RevisionSource,
        /// The tag that matched the version, when `source` is [`RevisionSource::Tag`].
        tag: Option<String>,
        /// The registry's release time (Unix seconds), when `source` is
        /// [`RevisionSource::ReleaseDate`].
        released: Option<i64>,
        /// Who named the repository when the SBOM did not (`registry:npm`, …).
        found_by: Option<String>,
        /// Why what was walked may be out of date (one line, bounded): the cached mirror was
        /// older than `FetchOptions::fresh_for` and could not be refreshed (issue 15). Written
        /// as `aiprov:status:reason` of an analyzed component.
        note: Option<String>,
    },
    /// It is not analyzed.
    Skip {
        /// Never [`Status::Analyzed`].
        status: Status,
        /// One line, bounded, no credentials.
        reason: String,
        /// `aiprov:repository`, when one was found.
        repository: Option<String>,
        /// Who named the repository when the SBOM did not (`registry:npm`, …).
        found_by: Option<String>,
    },
}

/// One distinct repository@revision to walk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Walk {
    /// The local repository.
    pub path: PathBuf,
    /// How the repository is named in evidence lines and messages (the first component's
    /// `aiprov:repository`).
    pub repository: String,
    /// The commit walked from.
    pub revision: ObjectId,
    /// Indices into [`Inventory::components`] of every component this walk analyzes.
    pub components: Vec<usize>,
    /// Index of the distinct local repository (walks of one repository at several revisions
    /// share it).
    pub repo: usize,
    /// Estimated cost: the size of the repository's packs in bytes. The longest walks are
    /// started first, so that one big repository does not finish alone at the end.
    pub weight: u64,
}

/// Every component's target and the walks to run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// One per component of the inventory, in order.
    pub targets: Vec<Target>,
    /// Distinct repository@revision walks, in order of first appearance in the document.
    pub walks: Vec<Walk>,
    /// Number of walks per distinct local repository (indexed by [`Walk::repo`]).
    pub walks_per_repo: Vec<usize>,
    /// The builder's local paths this plan involves (mirror folders, the cache, repo-map paths,
    /// the repositories opened), as they appear in reasons, longest first: never written into
    /// an SBOM unless [`Plan::keep_local_paths`] (see [`Plan::scrub`]).
    pub local_paths: Vec<String>,
    /// The placeholder of each mirror root in [`Plan::local_paths`] (`<mirror-dir>`,
    /// `<mirror-dir 2>`, `<cache>`); every other local path reads `<local path>`.
    pub labels: HashMap<String, String>,
    /// Write local paths as they are (`--include-local-paths`): [`Plan::scrub`] changes
    /// nothing and a repo-map path is written as `aiprov:repository`.
    pub keep_local_paths: bool,
}

impl Plan {
    /// `text` with every one of [`Plan::local_paths`] replaced by its placeholder (a mirror
    /// root's label, else `<local path>`): an SBOM shipped to customers must not carry the
    /// builder's file system (issue 14). Unchanged when [`Plan::keep_local_paths`].
    ///
    /// Only whole paths are replaced: an occurrence must start the text or follow a space,
    /// `(`, `,`, `:` or a quote, and end the text or precede `/`, a space, `)`, `,`, `;`, `:`
    /// or a quote, so that a short relative mirror folder (`m`) does not eat other words.
    pub fn scrub(&self, text: &str) -> String {
        if self.keep_local_paths {
            return text.to_string();
        }
        self.replace_paths(text, &mut |_, _| {})
    }

    /// The local paths [`Plan::scrub`] replaces in `text`, as (placeholder, path).
    pub fn hidden_in(&self, text: &str) -> Vec<(String, String)> {
        let mut found = Vec::new();
        self.replace_paths(text, &mut |label, path| {
            found.push((label.to_string(), path.to_string()))
        });
        found
    }

    fn replace_paths(&self, text: &str, seen: &mut dyn FnMut(&str, &str)) -> String {
        let mut out = text.to_string();
        for p in &self.local_paths {
            if p.is_empty() {
                continue;
            }
            let label = self.labels.get(p).map_or("<local path>", String::as_str);
            let mut result = String::with_capacity(out.len());
            let mut rest = out.as_str();
            let mut prev: Option<char> = None;
            while let Some(at) = rest.find(p.as_str()) {
                let before = rest[..at].chars().next_back().or(prev);
                let after = rest[at + p.len()..].chars().next();
                let starts = before.is_none_or(|c| " (,:'\"".contains(c));
                let ends = after.is_none_or(|c| "/ ),;:'\"".contains(c));
                if starts && ends {
                    result.push_str(&rest[..at]);
                    result.push_str(label);
                    seen(label, p);
                    prev = Some('>');
                } else {
                    result.push_str(&rest[..at + p.len()]);
                    prev = p.chars().next_back();
                }
                rest = &rest[at + p.len()..];
            }
            result.push_str(rest);
            out = result;
        }
        out
    }

    /// Whether `repository` is a local path (a repo-map path), not a URL, and local paths are
    /// not to be written.
    pub fn is_local(&self, repository: &str) -> bool {
        !self.keep_local_paths && self.local_paths.iter().any(|p| p == repository)
    }

    /// Distinct local repositories that have at least one walk.
    pub fn repositories(&self) -> usize {
        self.walks_per_repo.iter().filter(|n| **n > 0).count()
    }
}

/// Where to look for the mirror of `repo`: `ROOT/<host>/<owner>/<name>.git` under each root,
/// the exact spelling first, then with each path segment matched case-insensitively (forges
/// treat owners and names case-insensitively, mirrors keep the forge's spelling).
pub fn find_mirror(repo: &RepoUrl, roots: &[PathBuf]) -> Option<PathBuf> {
    for root in roots {
        let exact = repo.mirror_path(root);
        if exact.is_dir() {
            return Some(exact);
        }
        let mut segments: Vec<String> = vec![repo.host.clone()];
        segments.extend(repo.owner.split('/').map(str::to_string));
        segments.push(format!("{}.git", repo.name));
        let mut dir = root.clone();
        let mut found = true;
        for seg in &segments {
            let exact = dir.join(seg);
            if exact.is_dir() {
                dir = exact;
                continue;
            }
            let matched = std::fs::read_dir(&dir).ok().and_then(|entries| {
                entries
                    .flatten()
                    .find(|e| {
                        e.file_name()
                            .to_str()
                            .is_some_and(|n| n.eq_ignore_ascii_case(seg))
                            && e.path().is_dir()
                    })
                    .map(|e| e.path())
            });
            match matched {
                Some(p) => dir = p,
                None => {
                    found = false;
                    break;
                }
            }
        }
        if found {
            return Some(dir);
        }
    }
    None
}

/// The name to match version tags against: the purl's `namespace/name` (its name alone when it
/// has no namespace), else the component's name.
pub fn tag_match_name(c: &Component) -> String {
    match c.purl.as_deref().and_then(Purl::parse) {
        Some(p) => match p.namespace {
            Some(ns) => format!("{ns}/{}", p.name),
            None => p.name,
        },
        None => c.name.clone(),
    }
}

/// The component's version: its `version`, else its purl's.
pub fn component_version(c: &Component) -> Option<String> {
    c.version
        .clone()
        .filter(|v| !v.trim().is_empty())
        .or_else(|| {
            c.purl
                .as_deref()
                .and_then(Purl::parse)
                .and_then(|p| p.version)
        })
}

/// An error and its causes on one line, `a: b: c`.
fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut s = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let text = c.to_string();
        if !s.contains(&text) {
            s.push_str(": ");
            s.push_str(&text);
        }
        cause = c.source();
    }
    s
}

/// One line for `aiprov:status:reason`: control characters escaped, bounded.
fn one_line(s: &str) -> String {
    bounded(&crate::text::one_line(s), 2 * ECHO_LIMIT)
}

#[cfg(test)]
mod tests {

    /// Whole local paths become `<local path>`; a short relative folder name inside other
    /// words is left alone.
    #[test]
    fn scrub_replaces_whole_paths_only() {
        let plan = Plan {
            local_paths: vec!["/home/b/.cache/aiprov/mirrors".into(), "m".into()],
            ..Plan::default()
        };
        let text = "no local mirror of https://github.com/o/n (from SBOM): looked in m/github.com/o/n.git, /home/b/.cache/aiprov/mirrors/github.com/o/n.git (offline)";
        assert_eq!(
            plan.scrub(text),
            "no local mirror of https://github.com/o/n (from SBOM): looked in <local path>/github.com/o/n.git, <local path>/github.com/o/n.git (offline)"
        );
        assert_eq!(plan.scrub("m"), "<local path>");
        assert_eq!(plan.scrub("some mm m2"), "some mm m2");
        // Mirror roots read as what they are, and the paths behind the placeholders are known.
        let mut labelled = plan.clone();
        labelled.labels = [
            ("m".to_string(), "<mirror-dir>".to_string()),
            (
                "/home/b/.cache/aiprov/mirrors".to_string(),
                "<cache>".to_string(),
            ),
        ]
        .into();
        assert_eq!(
            labelled.scrub(text),
            "no local mirror of https://github.com/o/n (from SBOM): looked in <mirror-dir>/github.com/o/n.git, <cache>/github.com/o/n.git (offline)"
        );
        assert_eq!(
            labelled.hidden_in(text),
            [
                (
                    "<cache>".to_string(),
                    "/home/b/.cache/aiprov/mirrors".to_string()
                ),
                ("<mirror-dir>".to_string(), "m".to_string())
            ]
        );
        labelled.keep_local_paths = true;
        assert_eq!(labelled.scrub(text), text);
        assert!(!labelled.is_local("m"));
    }

    use super::*;

    fn component(name: &str, version: Option<&str>, purl: Option<&str>) -> Component {
        Component {
            locator: "/components/0".into(),
            name: name.into(),
            version: version.map(str::to_string),
            purl: purl.map(str::to_string),
            ..Component::default()
        }
    }

    #[test]
    fn tag_names_and_versions_come_from_the_purl() {
        let c = component("Foo", Some("1.2.3"), Some("pkg:npm/%40scope/foo@1.2.3"));
        assert_eq!(tag_match_name(&c), "@scope/foo");
        assert_eq!(component_version(&c).as_deref(), Some("1.2.3"));
        let c = component("aider-chat", None, Some("pkg:pypi/aider-chat@0.86.1"));
        assert_eq!(tag_match_name(&c), "aider-chat");
        assert_eq!(component_version(&c).as_deref(), Some("0.86.1"));
        let c = component("thing", Some(" "), None);
        assert_eq!(tag_match_name(&c), "thing");
        assert_eq!(component_version(&c), None);
    }

    #[test]
    fn mirrors_are_found_case_insensitively() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_path_buf();
        std::fs::create_dir_all(root.join("github.com/PyCQA/mccabe.git")).unwrap();
        let (repo, _) = resolve::parse_repo_url("https://github.com/pycqa/McCabe").unwrap();
        assert_eq!(
            find_mirror(&repo, std::slice::from_ref(&root)),
            Some(root.join("github.com/PyCQA/mccabe.git"))
        );
        let (other, _) = resolve::parse_repo_url("https://github.com/pycqa/other").unwrap();
        assert_eq!(find_mirror(&other, std::slice::from_ref(&root)), None);
        assert!(find_mirror(&repo, &[PathBuf::from("/nonexistent"), root.clone()]).is_some());
        assert_eq!(find_mirror(&repo, &[]), None);
    }

    #[test]
    fn since_is_written_in_utc() {
        assert_eq!(format_since(1_735_689_600), "2025-01-01T00:00:00Z");
    }

    #[test]
    fn reasons_are_one_bounded_line() {
        assert_eq!(one_line("a\n  b\u{1b}[2J"), "a b\\u{1b}[2J");
        assert!(one_line(&"x".repeat(5000)).chars().count() <= 2 * ECHO_LIMIT + 1);
    }
}
