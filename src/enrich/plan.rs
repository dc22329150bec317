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
    /// The key of its revision record in the results store (`None`: no store).
    key: Option<String>,
    /// In a group taken from the results store (no local copy): why there is no local copy.
    unavailable: Option<String>,
}

struct Group {
    path: PathBuf,
    members: Vec<Member>,
    /// No local copy: every revision comes from the results store's records, every walk from
    /// its walk entries (an assembling run over merged shard stores).
    stored_only: bool,
}

/// How one component's revision was resolved, as the results store keeps it
/// ([`results::Kind::Revision`]): valid for a local copy whose refs have `fingerprint`
/// ([`refs_fingerprint`]), or for any run that has no local copy.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct RevisionRecord {
    fingerprint: String,
    /// (commit, `aiprov:revision:source`, tag, release time) or (status, reason with the
    /// local path written `<local path>`).
    result: Result<StoredRevision, (String, String)>,
}

impl results::Plausible for RevisionRecord {
    /// A revision the SBOM pinned (`sbom`) is the pin of the record's key ([`revision_key`],
    /// third element): a forged record cannot bind another commit to a pinned component.
    /// Strings are bounded and free of control characters.
    fn plausible(&self, key: &str) -> Result<(), String> {
        let clean = |s: &str| s.len() <= 4096 && !s.chars().any(char::is_control);
        match &self.result {
            Ok((id, source, tag, released)) => {
                if !(id.len() == 40 || id.len() == 64) || !id.bytes().all(|b| b.is_ascii_hexdigit())
                {
                    return Err("a commit that is not a commit id".into());
                }
                if !clean(&self.fingerprint) || !tag.as_deref().is_none_or(clean) {
                    return Err("a string too long or with control characters".into());
                }
                if released.is_some_and(|t| !(-2_208_988_800..=253_402_300_799).contains(&t)) {
                    return Err("a release time out of range".into());
                }
                if source == RevisionSource::Sbom.as_str() {
                    let key: serde_json::Value =
                        serde_json::from_str(key).map_err(|e| e.to_string())?;
                    let pin = key.get(2).and_then(|p| p.as_str()).unwrap_or("");
                    if pin.is_empty()
                        || !id
                            .to_ascii_lowercase()
                            .starts_with(&pin.to_ascii_lowercase())
                    {
                        return Err("an `sbom` revision that is not the component's pin".into());
                    }
                }
                Ok(())
            }
            Err((status, reason)) => match clean(status) && clean(reason) {
                true => Ok(()),
                false => Err("a string too long or with control characters".into()),
            },
        }
    }
}

/// A resolved revision as stored: commit id, `aiprov:revision:source`, tag, release time.
type StoredRevision = (String, String, Option<String>, Option<i64>);

impl RevisionRecord {
    fn new(fingerprint: String, r: &Resolved, path: &std::path::Path) -> RevisionRecord {
        let scrub = |reason: &str| {
            let mut out = reason.to_string();
            let mut paths = vec![path.display().to_string()];
            if let Ok(c) = std::fs::canonicalize(path) {
                paths.push(c.display().to_string());
            }
            paths.sort_by_key(|p| std::cmp::Reverse(p.len()));
            for p in paths.iter().filter(|p| !p.is_empty()) {
                out = out.replace(p.as_str(), "<local path>");
            }
            out
        };
        RevisionRecord {
            fingerprint,
            result: match r {
                Ok((id, source, tag, released)) => Ok((
                    id.to_string(),
                    source.as_str().to_string(),
                    tag.clone(),
                    *released,
                )),
                Err((status, reason)) => Err((status.as_str().to_string(), scrub(reason))),
            },
        }
    }

    /// The revision, with `<local path>` in a reason given back as `path` when there is a
    /// local copy (callers that do not scrub paths, like `aiprov diff`, see what a fresh
    /// resolution says).
    fn resolved(&self, path: Option<&std::path::Path>) -> Option<Resolved> {
        Some(match &self.result {
            Ok((id, source, tag, released)) => {
                let id = ObjectId::from_hex(id.as_bytes()).ok()?;
                let source = [
                    RevisionSource::Sbom,
                    RevisionSource::Registry,
                    RevisionSource::Tag,
                    RevisionSource::ReleaseDate,
                    RevisionSource::DefaultBranch,
                ]
                .into_iter()
                .find(|s| s.as_str() == source)?;
                Ok((id, source, tag.clone(), *released))
            }
            Err((status, reason)) => {
                let status = Status::ALL.into_iter().find(|s| s.as_str() == status)?;
                if status == Status::Analyzed {
                    return None;
                }
                let reason = match path {
                    Some(p) => reason.replace("<local path>", &p.display().to_string()),
                    None => reason.clone(),
                };
                Err((status, one_line(&reason)))
            }
        })
    }
}

/// The key of a component's revision record: its repository and everything its revision is
/// chosen from (pin, version, the tag-match name, the registry's release time, `--fallback`).
fn revision_key(
    c: &Component,
    repository: &str,
    pinned: &Option<String>,
    pin_binding: bool,
    pin_source: RevisionSource,
    released: &Option<Result<i64, String>>,
    opts: &Options<'_>,
) -> String {
    serde_json::to_string(&(
        "revision",
        repository,
        pinned,
        pin_binding,
        pin_source.as_str(),
        component_version(c),
        tag_match_name(c),
        released,
        format!("{:?}", opts.fallback),
        opts.registry.is_some(),
    ))
    .expect("a key serializes")
}

/// SHA-256 over a local repository's `HEAD`, `packed-refs` and loose refs (names and
/// contents; at most 100,000 files): a fetch that moves a tag or a branch changes it, so a
/// revision record made before is not used.
fn refs_fingerprint(git_dir: &std::path::Path) -> String {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    for name in ["HEAD", "packed-refs"] {
        h.update(name.as_bytes());
        h.update([0]);
        h.update(std::fs::read(git_dir.join(name)).unwrap_or_default());
        h.update([0]);
    }
    let mut stack = vec![git_dir.join("refs")];
    let mut files = 0usize;
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut entries: Vec<_> = entries.flatten().collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            files += 1;
            if files > 100_000 {
                return String::from("too-many-refs");
            }
            let Ok(t) = e.file_type() else { continue };
            if t.is_dir() {
                stack.push(e.path());
            } else if t.is_file() {
                h.update(
                    e.path()
                        .strip_prefix(git_dir)
                        .unwrap_or(&e.path())
                        .to_string_lossy()
                        .as_bytes(),
                );
                h.update([0]);
                h.update(std::fs::read(e.path()).unwrap_or_default());
                h.update([0]);
            }
        }
    }
    results::sha256_hex(&h.finalize())
}

/// Whether `repository` is in this run's shard (always, without `--shard`).
fn in_shard(opts: &Options<'_>, repository: &str) -> Result<(), String> {
    match opts.shard {
        Some((k, n)) => {
            let s = results::shard_of(repository, n);
            if s == k {
                Ok(())
            } else {
                Err(format!(
                    "walked by shard {s}/{n}, not by this run (--shard {k}/{n}); assemble the shards' results stores with --offline --cache-dir"
                ))
            }
        }
        None => Ok(()),
    }
}

/// What planning learned about one distinct repository.
struct GroupResult {
    weight: u64,
    members: Vec<(usize, String, Resolved)>,
    /// Per member: the revision record to write once the revision is settled (it was not in
    /// the store).
    records: Vec<Option<(String, String)>>,
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
    let (targets, groups, found, released, mut stale) =
        group_by_repository(inventory, repos, local, opts);
    for g in groups.iter().filter(|g| !g.stored_only) {
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
    for (target, why) in plan.targets.iter_mut().zip(stale.iter_mut()) {
        if let Target::Walk { note, .. } = target {
            *note = why.take();
        }
    }
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
            if wanted && !to_fetch.contains(repo) && in_shard(opts, &repo.to_string()).is_ok() {
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
/// without one; also who found each repository, the registries' release times, and why a
/// cached mirror could not be refreshed ([`Target::Walk::note`]).
type Grouped = (
    Vec<Option<Target>>,
    Vec<Group>,
    Vec<Option<String>>,
    Vec<Option<Result<i64, String>>>,
    Vec<Option<String>>,
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
    let mut add = |path: PathBuf, member: Member, stored_only: bool| {
        let key = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
        let g = *group_of.entry(key).or_insert_with(|| {
            groups.push(Group {
                path,
                members: Vec::new(),
                stored_only,
            });
            groups.len() - 1
        });
        groups[g].members.push(member);
    };
    let mut found: Vec<Option<String>> = vec![None; n];
    let mut stale: Vec<Option<String>> = vec![None; n];
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
                if let Err(reason) = in_shard(opts, &repository) {
                    targets[i] = Some(Target::Skip {
                        status: Status::RepositoryUnavailable,
                        reason,
                        repository: Some(repository),
                        found_by,
                    });
                    continue;
                }
                // The fetched mirror; else the local one as it is (a failed fetch of a mirror
                // that exists leaves it usable, but the reason says so: issue 15); else why
                // there is none.
                let path = match (fetched.get(&repository), local[i].take()) {
                    (Some(Ok(p)), _) => Ok(p.clone()),
                    (Some(Err(e)), Some(p)) => {
                        stale[i] = Some(one_line(&format!(
                            "the cached mirror could not be refreshed ({}); walked as last fetched",
                            refresh_failure(e)
                        )));
                        Ok(p)
                    }
                    (_, Some(p)) => Ok(p),
                    (Some(Err(e)), None) => Err(e.clone()),
                    (None, None) => Err(unavailable_reason(&repo, &source, opts)),
                };
                let pin_binding = pin_source == RevisionSource::Sbom;
                let key = opts.store.map(|_| {
                    revision_key(
                        &inventory.components[i],
                        &repository,
                        &pinned,
                        pin_binding,
                        pin_source,
                        &released[i],
                        opts,
                    )
                });
                // No local copy, offline, but the results store knows the revision: the walks
                // come from the store (an assembling run).
                let stored = match (&path, opts.store, &key) {
                    (Err(_), Some(store), Some(key)) if opts.offline => store
                        .get::<RevisionRecord>(results::Kind::Revision, key)
                        .and_then(|r| r.resolved(None))
                        .is_some(),
                    _ => false,
                };
                let path = match path {
                    Err(reason) if stored => Ok((
                        PathBuf::from(format!("results-store:{repository}")),
                        Some(reason),
                    )),
                    other => other.map(|p| (p, None)),
                };
                match path {
                    Ok((path, unavailable)) => add(
                        path,
                        Member {
                            component: i,
                            repository,
                            pinned,
                            pin_binding,
                            pin_source,
                            key,
                            unavailable: unavailable.clone(),
                        },
                        unavailable.is_some(),
                    ),
                    Err(reason) => {
                        // A shard records that its repository is unavailable, so that the
                        // assembling run (other mirror folders) says the same.
                        if let (Some(store), Some(key), Some(_)) = (opts.store, &key, opts.shard) {
                            let mut roots: Vec<String> = opts
                                .mirror_roots
                                .iter()
                                .map(|p| p.display().to_string())
                                .collect();
                            roots.sort_by_key(|p| std::cmp::Reverse(p.len()));
                            // The same placeholders as the run's own reasons
                            // (`<mirror-dir>`, `<cache>`), so the assembly says the same.
                            let scrubbed = Plan {
                                local_paths: roots,
                                labels: root_labels(opts),
                                ..Plan::default()
                            }
                            .scrub(&reason);
                            let record = RevisionRecord {
                                fingerprint: String::new(),
                                result: Err((
                                    Status::RepositoryUnavailable.as_str().to_string(),
                                    scrubbed,
                                )),
                            };
                            if let Err(e) = store.put(results::Kind::Revision, key, &record) {
                                tracing::debug!("results store: not written: {e}");
                            }
                        }
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
                if let Err(reason) = in_shard(opts, &repository) {
                    targets[i] = Some(Target::Skip {
                        status: Status::RepositoryUnavailable,
                        reason,
                        repository: Some(repository),
                        found_by: None,
                    });
                    continue;
                }
                if path.exists() {
                    let key = opts.store.map(|_| {
                        revision_key(
                            &inventory.components[i],
                            &repository,
                            &pinned_commit,
                            false,
                            RevisionSource::Sbom,
                            &released[i],
                            opts,
                        )
                    });
                    add(
                        path,
                        Member {
                            component: i,
                            repository,
                            pinned: pinned_commit,
                            pin_binding: false,
                            pin_source: RevisionSource::Sbom,
                            key,
                            unavailable: None,
                        },
                        false,
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
    (targets, groups, found, released, stale)
}

/// What failed in a fetch error message, without the repository URL in front (the component
/// names its repository already): `git fetch failed: …`, bounded.
fn refresh_failure(message: &str) -> String {
    let said = message
        .find(": git ")
        .or_else(|| message.find(": "))
        .map_or(message, |i| &message[i + 2..]);
    crate::text::bounded(said, crate::text::ECHO_LIMIT)
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
            .map(|g| resolve_group(g, inventory, opts))
            .collect()
    });
    settle(&groups, &mut resolved, inventory, opts, &mut released, pool);
    if let Some(store) = opts.store {
        for (g, r) in groups.iter().zip(&resolved) {
            for ((_, _, result), record) in r.members.iter().zip(&r.records) {
                let Some((key, fingerprint)) = record else {
                    continue;
                };
                let record = RevisionRecord::new(fingerprint.clone(), result, &g.path);
                if let Err(e) = store.put(results::Kind::Revision, key, &record) {
                    tracing::debug!("results store: not written: {e}");
                }
            }
        }
    }

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
                    note: None,
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

/// The git folder of a local repository without opening it: `PATH/.git` when that is a
/// folder, else `PATH` (a bare mirror); `None` for a work tree whose `.git` is a file.
fn git_dir_of(path: &std::path::Path) -> Option<PathBuf> {
    let dot = path.join(".git");
    match std::fs::symlink_metadata(&dot) {
        Ok(m) if m.is_dir() => Some(dot),
        Ok(_) => None,
        Err(_) => Some(path.to_path_buf()),
    }
}

fn resolve_group(g: &Group, inventory: &Inventory, opts: &Options<'_>) -> GroupResult {
    let fingerprint = match (opts.store, g.stored_only) {
        (Some(_), false) => git_dir_of(&g.path).map(|d| refs_fingerprint(&d)),
        _ => None,
    };
    // Revisions the results store knows for this state of the refs (any state, without a
    // local copy).
    let cached: Vec<Option<Resolved>> = g
        .members
        .iter()
        .map(|m| {
            let (store, key) = (opts.store?, m.key.as_ref()?);
            let record: RevisionRecord = store.get(results::Kind::Revision, key)?;
            if !g.stored_only && Some(&record.fingerprint) != fingerprint.as_ref() {
                return None;
            }
            record.resolved((!g.stored_only).then_some(g.path.as_path()))
        })
        .collect();
    let n = g.members.len();
    if g.stored_only || cached.iter().all(Option::is_some) {
        let members = g
            .members
            .iter()
            .zip(cached)
            .map(|(m, r)| {
                let r = r.unwrap_or_else(|| {
                    Err((
                        Status::RepositoryUnavailable,
                        m.unavailable.clone().unwrap_or_default(),
                    ))
                });
                (m.component, m.repository.clone(), r)
            })
            .collect();
        let weight = match g.stored_only {
            true => 0,
            false => git_dir_of(&g.path).map_or(0, |d| pack_bytes(&d)),
        };
        return GroupResult {
            weight,
            members,
            records: vec![None; n],
            pending: Vec::new(),
        };
    }
    let records: Vec<Option<(String, String)>> = g
        .members
        .iter()
        .zip(&cached)
        .map(|(m, c)| match (c, &m.key, &fingerprint) {
            (None, Some(key), Some(fp)) => Some((key.clone(), fp.clone())),
            _ => None,
        })
        .collect();
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
                records: vec![None; n],
                pending: Vec::new(),
            };
        }
    };
    let weight = pack_bytes(repo.gix().common_dir());
    let mut tags: Option<(Vec<String>, Vec<ObjectId>)> = None;
    let mut out = Vec::with_capacity(g.members.len());
    let mut pending = Vec::new();
    for (m, cached) in g.members.iter().zip(cached) {
        if let Some(r) = cached {
            out.push((m.component, m.repository.clone(), r));
            continue;
        }
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
        records,
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
