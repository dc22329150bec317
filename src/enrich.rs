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
use serde_json::{json, Value};

use crate::aggregate::Counts;
use crate::classify::{self, Class, RuleSet};
use crate::fetch::FetchOptions;
use crate::history::{self, Entry, Repo, Time};
use crate::inventory::{Component, Inventory};
use crate::registry::{AnswerStatus, Registry};
use crate::resolve::{self, match_version_tag, Purl, RepoMap, RepoUrl, Resolution};
use crate::sbom::cyclonedx::Edits;
use crate::sbom::{bounded, ECHO_LIMIT};

/// Prefix of the document-level properties.
pub const SUMMARY_PREFIX: &str = "aiprov:summary:";

/// What the pipeline needs besides the document.
#[derive(Debug, Clone, Copy)]
pub struct Options<'a> {
    /// Folders holding bare mirrors as `ROOT/<host>/<owner>/<name>.git`, searched in order.
    pub mirror_roots: &'a [PathBuf],
    /// The user's overrides (`--repo-map`).
    pub repo_map: Option<&'a RepoMap>,
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
    /// Told about each registry answer and each clone or fetch as [`plan`] gets them (called
    /// from the worker threads; the command line draws progress with it).
    pub progress: Option<Progress<'a>>,
}

/// A [`PlanEvent`] handler shared by the worker threads.
#[derive(Clone, Copy)]
pub struct Progress<'a>(pub &'a (dyn Fn(PlanEvent<'_>) + Sync));

impl std::fmt::Debug for Progress<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Progress(..)")
    }
}

/// What [`plan`] reports while it asks registries and fetches repositories.
#[derive(Debug, Clone, Copy)]
pub enum PlanEvent<'a> {
    /// Registry lookups are about to start.
    LookupsStart {
        /// Components to look up.
        total: usize,
    },
    /// One registry lookup finished.
    LookupDone {
        /// The component's purl (untrusted text from the SBOM).
        component: &'a str,
    },
    /// Clones and fetches are about to start.
    FetchesStart {
        /// Repositories to clone or fetch.
        total: usize,
    },
    /// A clone or fetch starts (several run at once).
    FetchStart {
        /// The repository URL.
        repository: &'a str,
    },
    /// A clone or fetch finished.
    FetchDone {
        /// The repository URL.
        repository: &'a str,
        /// Why no usable mirror came out of it (`None`: it did).
        error: Option<&'a str>,
    },
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
    /// The repository's default branch (`HEAD` of the mirror): no pin and no matching tag.
    DefaultBranch,
}

impl RevisionSource {
    /// The value of `aiprov:revision:source`.
    pub fn as_str(self) -> &'static str {
        match self {
            RevisionSource::Sbom => "sbom",
            RevisionSource::Registry => "registry",
            RevisionSource::Tag => "tag",
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
        /// Who named the repository when the SBOM did not (`registry:npm`, …).
        found_by: Option<String>,
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
}

impl Plan {
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

/// A component waiting for its revision, in one local repository.
struct Member {
    component: usize,
    repository: String,
    pinned: Option<String>,
    /// Whether an absent pinned commit is `revision-unresolved` (a forge URL from the SBOM or
    /// the map) rather than a reason to fall back (a repo-map path, taken to be some clone; a
    /// registry's commit that the repository does not hold).
    pin_binding: bool,
    /// Where the pin comes from ([`RevisionSource::Sbom`] or [`RevisionSource::Registry`]).
    pin_source: RevisionSource,
}

struct Group {
    path: PathBuf,
    members: Vec<Member>,
}

/// What planning learned about one distinct repository.
struct GroupResult {
    weight: u64,
    members: Vec<(usize, String, Resolved)>,
}

type Resolved = Result<(ObjectId, RevisionSource, Option<String>), (Status, String)>;

fn tell(opts: &Options<'_>, event: PlanEvent<'_>) {
    if let Some(Progress(f)) = opts.progress {
        f(event);
    }
}

/// Resolve every component to a repository and revision. Opens each distinct local repository
/// once (on `pool`) to read its tags and resolve revisions; reads no commits beyond that.
pub fn plan(inventory: &Inventory, opts: &Options<'_>, pool: &rayon::ThreadPool) -> Plan {
    let n = inventory.components.len();
    let mut targets: Vec<Option<Target>> = vec![None; n];
    let mut groups: Vec<Group> = Vec::new();
    let mut group_of: HashMap<PathBuf, usize> = HashMap::new();
    let mut add = |path: PathBuf, member: Member| {
        let key = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
        let g = *group_of.entry(key).or_insert_with(|| {
            groups.push(Group {
                path,
                members: Vec::new(),
            });
            groups.len() - 1
        });
        groups[g].members.push(member);
    };

    // 1. Repositories: the map and the SBOM, then the registries for the rest (in parallel:
    // lookups wait on the network; the registry paces each host itself).
    let mut resolutions: Vec<Resolution> = inventory
        .components
        .iter()
        .map(|c| resolve::resolve_repository(c, opts.repo_map))
        .collect();
    let mut registry_pins: Vec<Option<(Option<String>, String)>> = vec![None; n];
    if let Some(registry) = opts.registry {
        let asks: Vec<usize> = (0..n)
            .filter(|i| matches!(resolutions[*i], Resolution::None { .. }))
            .collect();
        if !asks.is_empty() {
            tracing::info!("asking the registries about {} components", asks.len());
        }
        let started = std::time::Instant::now();
        tell(opts, PlanEvent::LookupsStart { total: asks.len() });
        let answers: Vec<crate::registry::RegistryAnswer> = pool.install(|| {
            use rayon::prelude::*;
            asks.par_iter()
                .map(|i| {
                    let c = &inventory.components[*i];
                    let answer = registry.resolve(c);
                    tracing::debug!(
                        "registry: {}: {:?} via {}",
                        c.purl.as_deref().unwrap_or(&c.name),
                        answer.status,
                        answer.source
                    );
                    let component = c.purl.as_deref().unwrap_or(&c.name);
                    tell(opts, PlanEvent::LookupDone { component });
                    answer
                })
                .collect()
        });
        if !asks.is_empty() {
            tracing::info!(
                "registry lookups done in {:.1} s",
                started.elapsed().as_secs_f64()
            );
        }
        for (i, answer) in asks.into_iter().zip(answers) {
            match (answer.status, answer.repository) {
                (AnswerStatus::Found, Some(repo)) => {
                    resolutions[i] = Resolution::Url {
                        repo,
                        pinned_commit: None,
                        source: resolve::Source::Sbom {
                            origin: format!("purl via {}", answer.source),
                        },
                    };
                    registry_pins[i] = Some((answer.commit, answer.source));
                }
                (status, _) => {
                    if let Resolution::None { reason } = &mut resolutions[i] {
                        let said = answer.reason.unwrap_or_else(|| answer.source.clone());
                        *reason = one_line(&match status {
                            AnswerStatus::Unsupported => format!("{reason}; {said}"),
                            _ => format!("{reason}; {}: {said}", answer.source),
                        });
                    }
                }
            }
        }
    }

    // 2. Local copies: the mirror folders, else the mirror cache, filled now when allowed.
    let fetch = opts.fetch.filter(|_| !opts.offline);
    let mut local: Vec<Option<PathBuf>> = vec![None; n];
    let mut to_fetch: Vec<RepoUrl> = Vec::new();
    for (i, r) in resolutions.iter().enumerate() {
        if let Resolution::Url { repo, .. } = r {
            local[i] = find_mirror(repo, opts.mirror_roots);
            // A mirror of the cache itself is brought up to date too (ensure_mirror fetches it
            // only when older than FetchOptions::fresh_for); one under --mirror-dir is the user's.
            let wanted = match (fetch, &local[i]) {
                (Some(_), None) => true,
                (Some(f), Some(path)) => path.starts_with(f.mirrors_dir()),
                (None, _) => false,
            };
            if wanted && !to_fetch.contains(repo) {
                to_fetch.push(repo.clone());
            }
        }
    }
    let fetched: HashMap<String, Result<PathBuf, String>> = match fetch {
        Some(f) if !to_fetch.is_empty() => {
            tracing::info!("fetching {} repositories", to_fetch.len());
            tell(
                opts,
                PlanEvent::FetchesStart {
                    total: to_fetch.len(),
                },
            );
            pool.install(|| {
                use rayon::prelude::*;
                to_fetch
                    .par_iter()
                    .map(|repo| {
                        let name = repo.to_string();
                        tell(opts, PlanEvent::FetchStart { repository: &name });
                        let started = std::time::Instant::now();
                        let r = crate::fetch::ensure_mirror(repo, f)
                            .map(|m| m.path)
                            .map_err(|e| one_line(&error_chain(&e)));
                        tracing::debug!(
                            "fetch {name}: {} in {:.1} s",
                            if r.is_ok() { "ok" } else { "failed" },
                            started.elapsed().as_secs_f64()
                        );
                        tell(
                            opts,
                            PlanEvent::FetchDone {
                                repository: &name,
                                error: r.as_ref().err().map(String::as_str),
                            },
                        );
                        (name, r)
                    })
                    .collect()
            })
        }
        _ => HashMap::new(),
    };

    let mut found: Vec<Option<String>> = vec![None; n];
    for (i, resolution) in resolutions.into_iter().enumerate() {
        match resolution {
            Resolution::None { reason } => {
                targets[i] = Some(Target::Skip {
                    status: Status::NoRepository,
                    reason,
                    repository: None,
                    found_by: None,
                });
            }
            Resolution::Url {
                repo,
                pinned_commit,
                source,
            } => {
                let repository = repo.to_string();
                let (pinned, pin_source, found_by) = match registry_pins[i].take() {
                    Some((commit, who)) => (commit, RevisionSource::Registry, Some(who)),
                    None => match (
                        pinned_commit,
                        go_pseudo_version_commit(&inventory.components[i]),
                    ) {
                        // A Go pseudo-version in the SBOM names its commit (12 digits, expanded
                        // in the mirror); like a registry's commit, it is not binding.
                        (None, Some(short)) => (Some(short), RevisionSource::Registry, None),
                        (pin, _) => (pin, RevisionSource::Sbom, None),
                    },
                };
                found[i] = found_by.clone();
                // The fetched mirror; else the local one as it is (a failed fetch of a mirror
                // that exists leaves it usable); else why there is none.
                let path = match (fetched.get(&repository), local[i].take()) {
                    (Some(Ok(p)), _) => Ok(p.clone()),
                    (_, Some(p)) => Ok(p),
                    (Some(Err(e)), None) => Err(e.clone()),
                    (None, None) => Err(unavailable_reason(&repo, &source, opts)),
                };
                match path {
                    Ok(path) => add(
                        path,
                        Member {
                            component: i,
                            repository,
                            pinned,
                            pin_binding: pin_source == RevisionSource::Sbom,
                            pin_source,
                        },
                    ),
                    Err(reason) => {
                        targets[i] = Some(Target::Skip {
                            status: Status::RepositoryUnavailable,
                            reason,
                            repository: Some(repository),
                            found_by,
                        });
                    }
                }
            }
            Resolution::Path {
                path,
                pinned_commit,
                source,
            } => {
                let repository = path.display().to_string();
                if path.exists() {
                    add(
                        path,
                        Member {
                            component: i,
                            repository,
                            pinned: pinned_commit,
                            pin_binding: false,
                            pin_source: RevisionSource::Sbom,
                        },
                    );
                } else {
                    targets[i] = Some(Target::Skip {
                        status: Status::RepositoryUnavailable,
                        reason: one_line(&format!(
                            "{source} names {repository}, which does not exist"
                        )),
                        repository: Some(repository),
                        found_by: None,
                    });
                }
            }
        }
    }

    let resolved: Vec<GroupResult> = pool.install(|| {
        use rayon::prelude::*;
        groups
            .par_iter()
            .map(|g| resolve_group(g, inventory))
            .collect()
    });

    // Walks in order of first appearance in the document.
    let mut by_component: Vec<Option<(usize, String, Resolved)>> = (0..n).map(|_| None).collect();
    let weights: Vec<u64> = resolved.iter().map(|r| r.weight).collect();
    for (g, result) in resolved.into_iter().enumerate() {
        for (component, repository, r) in result.members {
            by_component[component] = Some((g, repository, r));
        }
    }
    let mut walks: Vec<Walk> = Vec::new();
    let mut walk_of: HashMap<(usize, ObjectId), usize> = HashMap::new();
    let mut walks_per_repo = vec![0usize; groups.len()];
    for (i, entry) in by_component.into_iter().enumerate() {
        let Some((g, repository, r)) = entry else {
            continue;
        };
        targets[i] = Some(match r {
            Ok((revision, source, tag)) => {
                let w = *walk_of.entry((g, revision)).or_insert_with(|| {
                    walks.push(Walk {
                        path: groups[g].path.clone(),
                        repository: repository.clone(),
                        revision,
                        components: Vec::new(),
                        repo: g,
                        weight: weights[g],
                    });
                    walks_per_repo[g] += 1;
                    walks.len() - 1
                });
                walks[w].components.push(i);
                Target::Walk {
                    walk: w,
                    repository,
                    source,
                    tag,
                    found_by: found[i].take(),
                }
            }
            Err((status, reason)) => Target::Skip {
                status,
                reason,
                repository: Some(repository),
                found_by: found[i].take(),
            },
        });
    }
    Plan {
        targets: targets
            .into_iter()
            .map(|t| t.expect("every component has a target"))
            .collect(),
        walks,
        walks_per_repo,
    }
}

/// The 12-digit commit of a `pkg:golang` component whose version is a pseudo-version.
fn go_pseudo_version_commit(c: &Component) -> Option<String> {
    let purl = Purl::parse(c.purl.as_deref()?)?;
    if !purl.ty.eq_ignore_ascii_case("golang") {
        return None;
    }
    crate::registry::pseudo_version_commit(&component_version(c)?)
}

fn unavailable_reason(repo: &RepoUrl, source: &resolve::Source, opts: &Options<'_>) -> String {
    let looked: Vec<String> = opts
        .mirror_roots
        .iter()
        .map(|r| repo.mirror_path(r).display().to_string())
        .collect();
    let mut reason = if looked.is_empty() {
        format!("no local mirror of {repo} (from {source}): no mirror folder given (--mirror-dir, --cache-dir)")
    } else {
        format!(
            "no local mirror of {repo} (from {source}): looked in {}",
            looked.join(", ")
        )
    };
    if opts.offline {
        reason.push_str(" (offline)");
    } else {
        reason.push_str("; fetching is off");
    }
    one_line(&reason)
}

fn resolve_group(g: &Group, inventory: &Inventory) -> GroupResult {
    let repo = match Repo::open(&g.path) {
        Ok(r) => r,
        Err(e) => {
            let reason = one_line(&error_chain(&e));
            let members = g
                .members
                .iter()
                .map(|m| {
                    (
                        m.component,
                        m.repository.clone(),
                        Err((Status::RepositoryUnavailable, reason.clone())),
                    )
                })
                .collect();
            return GroupResult { weight: 0, members };
        }
    };
    let weight = pack_bytes(repo.gix().common_dir());
    let mut tags: Option<(Vec<String>, Vec<ObjectId>)> = None;
    let mut head: Option<Result<ObjectId, (Status, String)>> = None;
    let mut out = Vec::with_capacity(g.members.len());
    for m in &g.members {
        let c = &inventory.components[m.component];
        let r = (|| {
            if let Some(pin) = &m.pinned {
                match repo.resolve(Some(pin)) {
                    Ok(id) => return Ok((id, m.pin_source, None)),
                    Err(_) if m.pin_binding => {
                        return Err((
                            Status::RevisionUnresolved,
                            one_line(&format!(
                                "commit {} named by the SBOM is not in the local repository {}",
                                bounded(pin, 64),
                                g.path.display()
                            )),
                        ))
                    }
                    Err(_) => {}
                }
            }
            if let Some(version) = component_version(c) {
                let (names, ids) = tags.get_or_insert_with(|| repo.tags().into_iter().unzip());
                if let Some(tag) = match_version_tag(&tag_match_name(c), &version, names) {
                    let idx = names
                        .iter()
                        .position(|t| t == tag)
                        .expect("the matched tag is one of the names");
                    return Ok((ids[idx], RevisionSource::Tag, Some(tag.to_string())));
                }
            }
            let head = head.get_or_insert_with(|| match repo.resolve(None) {
                Ok(id) => Ok(id),
                Err(history::Error::Empty { .. }) => Err((
                    Status::RevisionUnresolved,
                    one_line(&format!(
                        "the repository {} has no commits",
                        g.path.display()
                    )),
                )),
                Err(e) => Err((Status::Error, one_line(&error_chain(&e)))),
            });
            head.clone()
                .map(|id| (id, RevisionSource::DefaultBranch, None))
        })();
        out.push((m.component, m.repository.clone(), r));
    }
    GroupResult {
        weight,
        members: out,
    }
}

/// Bytes in `objects/pack/*.pack` of a git directory (0 when unreadable).
fn pack_bytes(git_dir: &std::path::Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(git_dir.join("objects/pack")) else {
        return 0;
    };
    entries
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "pack"))
        .filter_map(|e| e.metadata().ok())
        .map(|m| m.len())
        .sum()
}

/// The result of one walk.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WalkOutcome {
    /// Totals over the commits walked.
    pub counts: Counts,
    /// Why the walk does not count (unreadable commits, a failed walk): its components get
    /// status `error` with this reason.
    pub failure: Option<String>,
    /// Evidence lines written for this walk.
    pub evidence_lines: u64,
    /// Wall time of the walk.
    pub elapsed: Duration,
}

/// The results of every walk.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Results {
    /// One per [`Plan::walks`].
    pub walks: Vec<WalkOutcome>,
    /// Totals over the distinct commits of the successful walks: a commit reachable from two
    /// walked revisions of one repository counts once.
    pub summary: Counts,
}

/// Progress, for a bar.
#[derive(Debug, Clone, Copy)]
pub enum Event<'a> {
    /// A walk finished.
    WalkDone {
        /// Walks finished so far.
        done: usize,
        /// Walks in all.
        total: usize,
        /// The repository it walked.
        repository: &'a str,
    },
}

/// A commit of a repository walked at several revisions, kept to count it once in the summary.
struct Record {
    id: ObjectId,
    class: Class,
    tool: Option<String>,
    reviewed: bool,
    time: Time,
}

struct Report {
    outcome: WalkOutcome,
    records: Vec<Record>,
    evidence: Vec<u8>,
}

/// Walk every distinct repository@revision of `plan` on `pool` (as many walks at a time as the
/// pool has threads), classify each commit with `opts.rules`, and count. When `evidence` is
/// given, one JSON Lines record per non-merge commit classed other than `no-evidence` is written
/// to it (schema: `schemas/evidence.schema.json`), walk by walk in plan order. Must be called
/// from outside `pool`. Fails only when writing the evidence fails.
pub fn run(
    plan: &Plan,
    inventory: &Inventory,
    opts: &Options<'_>,
    pool: &rayon::ThreadPool,
    mut evidence: Option<&mut dyn Write>,
    progress: &mut dyn FnMut(Event<'_>),
) -> std::io::Result<Results> {
    let total = plan.walks.len();
    let mut results = Results {
        walks: vec![WalkOutcome::default(); total],
        summary: Counts::new(),
    };
    if total == 0 {
        return Ok(results);
    }
    let want_evidence = evidence.is_some();
    let headers: Vec<(Value, Value)> = plan
        .walks
        .iter()
        .map(|w| walk_header(w, inventory))
        .collect();
    // Longest first (LPT scheduling); evidence is still written in plan order.
    let mut order: Vec<usize> = (0..total).collect();
    order.sort_by_key(|i| (std::cmp::Reverse(plan.walks[*i].weight), *i));
    let next = AtomicUsize::new(0);
    let mut seen: HashMap<usize, HashSet<ObjectId>> = HashMap::new();
    let mut pending: BTreeMap<usize, Vec<u8>> = BTreeMap::new();
    let mut next_to_write = 0usize;
    let mut done = 0usize;
    let mut write_error: Option<std::io::Error> = None;
    let (tx, rx) = std::sync::mpsc::channel::<(usize, Report)>();
    pool.in_place_scope(|scope| {
        for _ in 0..pool.current_num_threads().min(total) {
            let tx = tx.clone();
            let (next, headers, order) = (&next, &headers, &order);
            scope.spawn(move |_| loop {
                let k = next.fetch_add(1, Ordering::Relaxed);
                if k >= total {
                    break;
                }
                let i = order[k];
                let walk = &plan.walks[i];
                let keep_records = plan.walks_per_repo[walk.repo] > 1;
                let report = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    walk_one(walk, &headers[i], opts, keep_records, want_evidence)
                }))
                .unwrap_or_else(|panic| {
                    let what = panic
                        .downcast_ref::<&str>()
                        .map(|s| s.to_string())
                        .or_else(|| panic.downcast_ref::<String>().cloned())
                        .unwrap_or_default();
                    Report {
                        outcome: WalkOutcome {
                            failure: Some(one_line(&format!(
                                "internal error while walking: {what}"
                            ))),
                            ..WalkOutcome::default()
                        },
                        records: Vec::new(),
                        evidence: Vec::new(),
                    }
                });
                if tx.send((i, report)).is_err() {
                    break;
                }
            });
        }
        drop(tx);
        for (i, mut report) in rx.iter() {
            let walk = &plan.walks[i];
            if report.outcome.failure.is_none() {
                if plan.walks_per_repo[walk.repo] > 1 {
                    let seen = seen.entry(walk.repo).or_default();
                    for r in &report.records {
                        if seen.insert(r.id) {
                            results.summary.add_change(
                                r.class,
                                r.tool.as_deref(),
                                r.reviewed,
                                r.time,
                            );
                        }
                    }
                } else {
                    results.summary.merge(&report.outcome.counts);
                }
            } else {
                report.evidence.clear();
                report.outcome.evidence_lines = 0;
            }
            if let Some(out) = evidence.as_deref_mut() {
                pending.insert(i, std::mem::take(&mut report.evidence));
                while let Some(bytes) = pending.remove(&next_to_write) {
                    if let Err(e) = out.write_all(&bytes) {
                        write_error = Some(e);
                        break;
                    }
                    next_to_write += 1;
                }
            }
            results.walks[i] = report.outcome;
            done += 1;
            progress(Event::WalkDone {
                done,
                total,
                repository: &walk.repository,
            });
            if write_error.is_some() {
                break; // dropping the receiver stops the workers at their next send
            }
        }
    });
    match write_error {
        Some(e) => Err(e),
        None => Ok(results),
    }
}

/// The per-walk part of its evidence lines: the components' bom-refs and JSON pointers.
fn walk_header(walk: &Walk, inventory: &Inventory) -> (Value, Value) {
    let comps = walk.components.iter().map(|i| &inventory.components[*i]);
    let refs: Vec<Value> = comps
        .clone()
        .filter_map(|c| c.bom_ref.clone())
        .map(Value::String)
        .collect();
    let pointers: Vec<Value> = comps.map(|c| Value::String(c.locator.clone())).collect();
    (Value::Array(refs), Value::Array(pointers))
}

fn walk_one(
    walk: &Walk,
    header: &(Value, Value),
    opts: &Options<'_>,
    keep_records: bool,
    want_evidence: bool,
) -> Report {
    let start = Instant::now();
    let mut counts = Counts::new();
    let mut records = Vec::new();
    let mut evidence = Vec::new();
    let mut lines = 0u64;
    let mut first_error: Option<String> = None;
    let revision = walk.revision.to_string();
    let walked = Repo::open(&walk.path).and_then(|repo| {
        let hopts = history::Options {
            rev: Some(revision.clone()),
            since: opts.since,
        };
        repo.walk(&hopts, |entry| {
            match entry {
                Entry::Commit(meta) => {
                    let verdict = classify::classify(&meta, opts.rules);
                    counts.add(&meta, &verdict);
                    if !meta.is_merge() {
                        if let (true, Ok(id)) =
                            (keep_records, ObjectId::from_hex(meta.id.as_bytes()))
                        {
                            records.push(Record {
                                id,
                                class: verdict.class,
                                tool: verdict.tool.clone().filter(|_| verdict.class.is_ai()),
                                reviewed: !verdict.review.is_empty(),
                                time: meta.author.time,
                            });
                        }
                        if want_evidence && verdict.class != Class::NoEvidence {
                            let line =
                                evidence_line(header, &walk.repository, &revision, &meta, &verdict);
                            serde_json::to_writer(&mut evidence, &line)
                                .expect("writing JSON to a Vec");
                            evidence.push(b'\n');
                            lines += 1;
                        }
                    }
                }
                Entry::Error { id, message } => {
                    counts.errors += 1;
                    first_error.get_or_insert_with(|| format!("{id}: {message}"));
                }
            }
            true
        })
    });
    let failure = match walked {
        Err(e) => Some(one_line(&error_chain(&e))),
        Ok(_) if counts.errors > 0 => Some(one_line(&format!(
            "{} commit(s) of {} could not be read (first: {})",
            counts.errors,
            walk.path.display(),
            first_error.unwrap_or_default()
        ))),
        Ok(_) => None,
    };
    Report {
        outcome: WalkOutcome {
            counts,
            failure,
            evidence_lines: lines,
            elapsed: start.elapsed(),
        },
        records,
        evidence,
    }
}

/// One evidence record (`schemas/evidence.schema.json`).
fn evidence_line(
    header: &(Value, Value),
    repository: &str,
    revision: &str,
    meta: &history::CommitMeta,
    v: &classify::Verdict,
) -> Value {
    let mut rules: Vec<&str> = Vec::new();
    for e in v.evidence.iter().chain(&v.review) {
        if !rules.contains(&e.rule.as_str()) {
            rules.push(&e.rule);
        }
    }
    json!({
        "components": header.0,
        "pointers": header.1,
        "repository": repository,
        "revision": revision,
        "commit": meta.id,
        "date": meta.author.time.to_rfc3339(),
        "class": v.class.as_str(),
        "tool": v.tool,
        "confidence": v.confidence.map(|c| c.as_str()),
        "rules": rules,
        "evidence": v.evidence,
        "review": v.review,
    })
}

/// What [`edits`] counted, for the summary line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    /// Components per status (every status present, zero included).
    pub statuses: BTreeMap<Status, usize>,
    /// Analyzed components with at least one AI commit.
    pub components_with_ai: usize,
    /// Distinct repositories for which no local copy was found (`repository-unavailable`).
    pub unavailable_repositories: usize,
}

/// `since` as written in `aiprov:range` and `aiprov:summary:since`: RFC 3339, UTC.
pub fn format_since(since: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(since)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| since.to_string())
}

/// The properties to write: per component (`docs/properties.md`) and for the document
/// (`aiprov:summary:*`).
pub fn edits(
    inventory: &Inventory,
    plan: &Plan,
    results: &Results,
    since: Option<i64>,
) -> (Edits, Tally) {
    let mut e = Edits::default();
    let mut tally = Tally {
        statuses: Status::ALL.iter().map(|s| (*s, 0)).collect(),
        ..Tally::default()
    };
    let mut unavailable: HashSet<&str> = HashSet::new();
    for (c, target) in inventory.components.iter().zip(&plan.targets) {
        let loc = c.locator.as_str();
        match target {
            Target::Skip {
                status,
                reason,
                repository,
                found_by,
            } => {
                *tally.statuses.entry(*status).or_insert(0) += 1;
                if *status == Status::RepositoryUnavailable {
                    if let Some(r) = repository {
                        unavailable.insert(r);
                    }
                }
                e.component(loc, "aiprov:status", status.as_str());
                e.component(loc, "aiprov:status:reason", reason.as_str());
                if let Some(r) = repository {
                    e.component(loc, "aiprov:repository", resolve::redact_credentials(r));
                }
                if let Some(f) = found_by {
                    e.component(loc, "aiprov:repository:source", f.as_str());
                }
            }
            Target::Walk {
                walk,
                repository,
                source,
                found_by,
                ..
            } => {
                let w = &plan.walks[*walk];
                let outcome = &results.walks[*walk];
                let status = if outcome.failure.is_some() {
                    Status::Error
                } else {
                    Status::Analyzed
                };
                *tally.statuses.entry(status).or_insert(0) += 1;
                e.component(loc, "aiprov:status", status.as_str());
                if let Some(reason) = &outcome.failure {
                    e.component(loc, "aiprov:status:reason", reason.as_str());
                }
                e.component(
                    loc,
                    "aiprov:repository",
                    resolve::redact_credentials(repository),
                );
                if let Some(f) = found_by {
                    e.component(loc, "aiprov:repository:source", f.as_str());
                }
                e.component(loc, "aiprov:revision", w.revision.to_string());
                e.component(loc, "aiprov:revision:source", source.as_str());
                let range = match since {
                    Some(s) => format!("{}..{}", format_since(s), w.revision),
                    None => w.revision.to_string(),
                };
                e.component(loc, "aiprov:range", range);
                if outcome.failure.is_none() {
                    if outcome.counts.ai() > 0 {
                        tally.components_with_ai += 1;
                    }
                    for (name, value) in outcome.counts.properties("aiprov:") {
                        e.component(loc, name, value);
                    }
                }
            }
        }
    }
    tally.unavailable_repositories = unavailable.len();

    e.summary(
        format!("{SUMMARY_PREFIX}components"),
        inventory.components.len().to_string(),
    );
    for (status, n) in &tally.statuses {
        e.summary(
            format!("{SUMMARY_PREFIX}status:{}", status.as_str()),
            n.to_string(),
        );
    }
    e.summary(
        format!("{SUMMARY_PREFIX}components:ai"),
        tally.components_with_ai.to_string(),
    );
    e.summary(
        format!("{SUMMARY_PREFIX}repositories"),
        plan.repositories().to_string(),
    );
    e.summary(
        format!("{SUMMARY_PREFIX}walks"),
        plan.walks.len().to_string(),
    );
    if let Some(s) = since {
        e.summary(format!("{SUMMARY_PREFIX}since"), format_since(s));
    }
    for (name, value) in results.summary.properties(SUMMARY_PREFIX) {
        e.summary(name, value);
    }
    (e, tally)
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
    bounded(
        &s.split_whitespace().collect::<Vec<_>>().join(" "),
        2 * ECHO_LIMIT,
    )
}

#[cfg(test)]
mod tests {
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
