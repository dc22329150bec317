//! Stage 1: resolve, fetch and plan: every component to a repository and revision, each
//! distinct repository@revision once ([`Plan`]).

use super::*;

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
    /// Indices into `members` that no pin or tag decided: [`settle`] gives them a release-date
    /// commit, the default branch (when asked) or `revision-unresolved`.
    pending: Vec<usize>,
}

/// A revision, how it was chosen, the matching tag and the registry's release time.
type Resolved = Result<(ObjectId, RevisionSource, Option<String>, Option<i64>), (Status, String)>;

/// A [`PlanEvent`] handler shared by the worker threads ([`Options::progress`]).
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

fn tell(opts: &Options<'_>, event: PlanEvent<'_>) {
    if let Some(Progress(f)) = opts.progress {
        f(event);
    }
}

/// Stage 1, resolve: each component's repository, from the repo map and the SBOM, then (when
/// [`Options::registry`] is given) the package registries for the rest.
#[derive(Debug, Clone)]
pub struct RepositoryPlan {
    /// Per component, in document order: a repository URL, a local path, or why there is none.
    pub resolutions: Vec<Resolution>,
    /// Per component: the registry's released commit (if it named one) and which registry
    /// answered, when the repository came from a registry.
    pub registry_pins: Vec<Option<(Option<String>, String)>>,
    /// Per component: the release time (Unix seconds) the registry that named the repository
    /// gave, or why it gave none; `None` when no registry was asked.
    pub released: Vec<Option<Result<i64, String>>>,
    /// Per component: the registry could not be asked or gave an unusable answer (outage,
    /// timeout, garbage), so "no repository" is not known: the component is `error`, not
    /// `no-repository` (which means the registry answered and named none).
    pub registry_failed: Vec<bool>,
}

/// Stage 2, fetch: the local copy of each repository of a [`RepositoryPlan`].
#[derive(Debug, Clone, Default)]
pub struct LocalRepositories {
    /// Per component: the mirror found in the mirror folders, before any fetch.
    pub local: Vec<Option<PathBuf>>,
    /// By canonical repository URL: the mirror fetched now, or why fetching failed.
    pub fetched: HashMap<String, Result<PathBuf, String>>,
}

/// Resolve every component to a repository and revision, then plan the walks: [`resolve_repositories`]
/// → [`fetch_repositories`] → one [`Walk`] per distinct repository@revision. Opens each distinct
/// local repository once (on `pool`) to read its tags and resolve revisions; reads no commits
/// beyond that.
pub fn plan(inventory: &Inventory, opts: &Options<'_>, pool: &rayon::ThreadPool) -> Plan {
    let repos = resolve_repositories(inventory, opts, pool);
    let local = fetch_repositories(&repos, opts, pool);
    let mut local_paths: Vec<String> = opts
        .mirror_roots
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    for r in &repos.resolutions {
        if let Resolution::Path { path, .. } = r {
            local_paths.push(path.display().to_string());
        }
    }
    local_paths.extend(
        local
            .local
            .iter()
            .flatten()
            .map(|p| p.display().to_string()),
    );
    let (targets, groups, found, released) = group_by_repository(inventory, repos, local, opts);
    for g in &groups {
        local_paths.push(g.path.display().to_string());
        if let Ok(c) = std::fs::canonicalize(&g.path) {
            local_paths.push(c.display().to_string());
        }
    }
    // Longest first, so that a repository inside a mirror folder is replaced whole.
    local_paths.sort_by_key(|p| std::cmp::Reverse(p.len()));
    local_paths.dedup();
    let mut plan = plan_walks(inventory, targets, groups, found, released, opts, pool);
    plan.local_paths = local_paths;
    plan.labels = root_labels(opts);
    plan
}

/// The placeholder of each mirror root in reasons: `<cache>` for the cache's mirrors, else
/// `<mirror-dir>` (numbered `<mirror-dir 1>`, `<mirror-dir 2>`, … when several are given).
fn root_labels(opts: &Options<'_>) -> HashMap<String, String> {
    let cache = opts.fetch.map(|f| f.mirrors_dir());
    let user: Vec<&PathBuf> = opts
        .mirror_roots
        .iter()
        .filter(|r| Some(*r) != cache.as_ref())
        .collect();
    let mut labels = HashMap::new();
    if let Some(c) = &cache {
        labels.insert(c.display().to_string(), "<cache>".to_string());
    }
    for (k, r) in user.iter().enumerate() {
        let label = if user.len() == 1 {
            "<mirror-dir>".to_string()
        } else {
            format!("<mirror-dir {}>", k + 1)
        };
        labels.entry(r.display().to_string()).or_insert(label);
    }
    labels
}

/// Stage 1: repositories from the map and the SBOM, then the registries for the rest (in
/// parallel on `pool`: lookups wait on the network; the registry paces each host itself).
pub fn resolve_repositories(
    inventory: &Inventory,
    opts: &Options<'_>,
    pool: &rayon::ThreadPool,
) -> RepositoryPlan {
    let n = inventory.components.len();
    let mut resolutions: Vec<Resolution> = inventory
        .components
        .iter()
        .map(|c| resolve::resolve_repository_on(c, opts.repo_map, opts.hosts))
        .collect();
    let mut registry_pins: Vec<Option<(Option<String>, String)>> = vec![None; n];
    // Release times the registries gave (Unix seconds), or why there is none.
    let mut released: Vec<Option<Result<i64, String>>> = vec![None; n];
    let mut registry_failed = vec![false; n];
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
                    let component = c.purl.as_deref().unwrap_or(&c.name);
                    tracing::debug!(
                        "registry: {component}: {:?} via {}",
                        answer.status,
                        answer.source
                    );
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
                    released[i] = Some(
                        answer
                            .released
                            .ok_or_else(|| format!("{} gives no release time", answer.source)),
                    );
                    registry_pins[i] = Some((answer.commit, answer.source));
                }
                (status, _) => {
                    registry_failed[i] = status == AnswerStatus::Failed;
                    if let Resolution::None { reason } = &mut resolutions[i] {
                        let said = answer.reason.unwrap_or_else(|| answer.source.clone());
                        *reason = one_line(&match status {
                            AnswerStatus::Unsupported => format!("{reason}; {said}"),
                            // The registry's reasons already start with who said them.
                            _ if said.starts_with(&answer.source) => format!("{reason}; {said}"),
                            _ => format!("{reason}; {}: {said}", answer.source),
                        });
                    }
                }
            }
        }
    }
    RepositoryPlan {
        resolutions,
        registry_pins,
        released,
        registry_failed,
    }
}

/// Stage 2: local copies, from the mirror folders, else the mirror cache, filled now (in
/// parallel on `pool`) when [`Options::fetch`] allows it and the run is not offline.
pub fn fetch_repositories(
    repos: &RepositoryPlan,
    opts: &Options<'_>,
    pool: &rayon::ThreadPool,
) -> LocalRepositories {
    let n = repos.resolutions.len();
    let fetch = opts.fetch.filter(|_| !opts.offline);
    let mut local: Vec<Option<PathBuf>> = vec![None; n];
    let mut to_fetch: Vec<RepoUrl> = Vec::new();
    // Repositories the user named (repo map): fetched whatever their host.
    let mut user_named: HashSet<RepoUrl> = HashSet::new();
    for (i, r) in repos.resolutions.iter().enumerate() {
        if let Resolution::Url { repo, source, .. } = r {
            if matches!(source, resolve::Source::RepoMap { .. }) {
                user_named.insert(repo.clone());
            }
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
    // Hosts nobody vouched for are never contacted (not even announced as a fetch).
    let mut refused: HashMap<String, Result<PathBuf, String>> = HashMap::new();
    if let Some(f) = fetch {
        to_fetch.retain(|repo| match crate::fetch::may_fetch(repo, f) {
            _ if user_named.contains(repo) => true,
            Ok(()) => true,
            Err(e) => {
                refused.insert(repo.to_string(), Err(one_line(&error_chain(&e))));
                false
            }
        });
    }
    let mut fetched: HashMap<String, Result<PathBuf, String>> = match fetch {
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
                        let ensure = if user_named.contains(repo) {
                            crate::fetch::ensure_user_mirror
                        } else {
                            crate::fetch::ensure_mirror
                        };
                        let r = ensure(repo, f)
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
    fetched.extend(refused);
    LocalRepositories { local, fetched }
}

/// Components grouped by local repository ([`Member`]s), and a [`Target::Skip`] for those
/// without one; also who found each repository, and the registries' release times.
type Grouped = (
    Vec<Option<Target>>,
    Vec<Group>,
    Vec<Option<String>>,
    Vec<Option<Result<i64, String>>>,
);

fn group_by_repository(
    inventory: &Inventory,
    repos: RepositoryPlan,
    local: LocalRepositories,
    opts: &Options<'_>,
) -> Grouped {
    let n = inventory.components.len();
    let RepositoryPlan {
        resolutions,
        mut registry_pins,
        released,
        registry_failed,
    } = repos;
    let LocalRepositories { mut local, fetched } = local;
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
    let mut found: Vec<Option<String>> = vec![None; n];
    for (i, resolution) in resolutions.into_iter().enumerate() {
        match resolution {
            Resolution::None { reason } => {
                targets[i] = Some(Target::Skip {
                    status: if registry_failed[i] {
                        Status::Error
                    } else {
                        Status::NoRepository
                    },
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
    (targets, groups, found, released)
}

/// Stage 3: open each local repository once (on `pool`) to resolve its members' revisions, and
/// make one [`Walk`] per distinct repository@revision, in order of first appearance.
fn plan_walks(
    inventory: &Inventory,
    mut targets: Vec<Option<Target>>,
    groups: Vec<Group>,
    mut found: Vec<Option<String>>,
    mut released: Vec<Option<Result<i64, String>>>,
    opts: &Options<'_>,
    pool: &rayon::ThreadPool,
) -> Plan {
    let n = inventory.components.len();
    let mut resolved: Vec<GroupResult> = pool.install(|| {
        use rayon::prelude::*;
        groups
            .par_iter()
            .map(|g| resolve_group(g, inventory))
            .collect()
    });
    settle(&groups, &mut resolved, inventory, opts, &mut released, pool);

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
            Ok((revision, source, tag, released)) => {
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
                    released,
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
        ..Plan::default()
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
    // Each place once, even when a mirror folder is the cache's own.
    let mut looked: Vec<String> = Vec::new();
    let mut seen: Vec<PathBuf> = Vec::new();
    for r in opts.mirror_roots {
        let canonical = std::fs::canonicalize(r).unwrap_or_else(|_| r.clone());
        if !seen.contains(&canonical) {
            seen.push(canonical);
            looked.push(repo.mirror_path(r).display().to_string());
        }
    }
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
            return GroupResult {
                weight: 0,
                members,
                pending: Vec::new(),
            };
        }
    };
    let weight = pack_bytes(repo.gix().common_dir());
    let mut tags: Option<(Vec<String>, Vec<ObjectId>)> = None;
    let mut out = Vec::with_capacity(g.members.len());
    let mut pending = Vec::new();
    for m in &g.members {
        let c = &inventory.components[m.component];
        let r = (|| {
            if let Some(pin) = &m.pinned {
                match repo.resolve(Some(pin)) {
                    Ok(id) => return Ok((id, m.pin_source, None, None)),
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
                    return Ok((ids[idx], RevisionSource::Tag, Some(tag.to_string()), None));
                }
                let (names, _) = tags.get_or_insert_with(|| repo.tags().into_iter().unzip());
                return Err((
                    Status::RevisionUnresolved,
                    format!(
                        "no tag of {} matches version {} ({} tags)",
                        g.path.display(),
                        bounded(&version, 64),
                        names.len()
                    ),
                ));
            }
            Err((
                Status::RevisionUnresolved,
                "the component has no version to match a tag".to_string(),
            ))
        })();
        if matches!(&r, Err((Status::RevisionUnresolved, _)))
            && !(m.pinned.is_some() && m.pin_binding)
        {
            pending.push(out.len());
        }
        out.push((m.component, m.repository.clone(), r));
    }
    GroupResult {
        weight,
        members: out,
        pending,
    }
}

/// Give the components no pin or tag decided ([`GroupResult::pending`]) a revision: the last
/// commit of the default branch at the registry's release time (asking the registries, in
/// parallel on `pool`, for the components whose release time is not known yet); else the
/// default branch when [`Options::fallback`] allows it; else `revision-unresolved` with a
/// reason that says what was tried.
fn settle(
    groups: &[Group],
    resolved: &mut [GroupResult],
    inventory: &Inventory,
    opts: &Options<'_>,
    released: &mut [Option<Result<i64, String>>],
    pool: &rayon::ThreadPool,
) {
    use crate::revision::{last_commit_before, rfc3339, Fallback};
    let asks: Vec<usize> = resolved
        .iter()
        .flat_map(|r| r.pending.iter().map(|k| r.members[*k].0))
        .filter(|i| {
            released[*i].is_none() && component_version(&inventory.components[*i]).is_some()
        })
        .collect();
    if let Some(registry) = opts.registry {
        let answers: Vec<Result<i64, String>> = pool.install(|| {
            use rayon::prelude::*;
            asks.par_iter()
                .map(|i| {
                    let a = registry.resolve(&inventory.components[*i]);
                    a.released.ok_or_else(|| match a.reason {
                        Some(r) if a.status != AnswerStatus::Found => r,
                        _ => format!("{} gives no release time", a.source),
                    })
                })
                .collect()
        });
        for (i, a) in asks.into_iter().zip(answers) {
            released[i] = Some(a);
        }
    }
    let released: &[Option<Result<i64, String>>] = released;
    pool.install(|| {
        use rayon::prelude::*;
        groups
            .par_iter()
            .zip(resolved.par_iter_mut())
            .filter(|(_, r)| !r.pending.is_empty())
            .for_each(|(g, r)| {
                let repo = Repo::open(&g.path);
                for k in std::mem::take(&mut r.pending) {
                    let (i, _, result) = &mut r.members[k];
                    let Err((_, why)) = result.clone() else {
                        continue;
                    };
                    let repo = match &repo {
                        Ok(repo) => repo,
                        Err(e) => {
                            *result =
                                Err((Status::RepositoryUnavailable, one_line(&error_chain(e))));
                            continue;
                        }
                    };
                    let mut tried = vec![why];
                    match &released[*i] {
                        Some(Ok(t)) => match last_commit_before(repo, *t) {
                            Ok(Some((id, _))) => {
                                *result = Ok((id, RevisionSource::ReleaseDate, None, Some(*t)));
                                continue;
                            }
                            Ok(None) => tried.push(format!(
                                "no commit of the default branch precedes the release time {}",
                                rfc3339(*t)
                            )),
                            Err(e) => tried.push(e),
                        },
                        Some(Err(e)) => tried.push(format!("no release time: {e}")),
                        None if opts.registry.is_none() => {
                            tried.push("no release time: registries not asked".into())
                        }
                        None => {}
                    }
                    if opts.fallback == Fallback::DefaultBranch {
                        *result = match repo.resolve(None) {
                            Ok(id) => Ok((id, RevisionSource::DefaultBranch, None, None)),
                            Err(history::Error::Empty { .. }) => Err((
                                Status::RevisionUnresolved,
                                one_line(&format!(
                                    "the repository {} has no commits",
                                    g.path.display()
                                )),
                            )),
                            Err(e) => Err((Status::Error, one_line(&error_chain(&e)))),
                        };
                        continue;
                    }
                    tried.push(
                        "not walked at the default branch (--fallback default-branch would)".into(),
                    );
                    *result = Err((Status::RevisionUnresolved, one_line(&tried.join("; "))));
                }
            });
    });
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
