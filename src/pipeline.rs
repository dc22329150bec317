//! The enrich pipeline as the library runs it, for `aiprov enrich` and `aiprov scan` alike:
//! [`Settings`] → [`Pipeline::new`] (repo map, rule packs, configuration, registries, walker
//! threads) → [`Pipeline::enrich`], whose stages are those of `../shared/docs/design.md`:
//!
//! 1. the subject rule: [`without_described_roots`] drops the packages an SPDX document DESCRIBES;
//! 2. resolve, fetch and plan ([`crate::enrich::plan`]) → [`crate::enrich::Plan`] (the walks);
//! 3. review lookup (only with a [`ReviewLookup`]): the AI commits of the walks
//!    ([`crate::enrich::ai_commits`]) are asked of the forges and added to the review index;
//! 4. run ([`crate::enrich::run`]) → [`crate::enrich::Results`] (counts, evidence lines);
//! 5. edits ([`crate::enrich::edits`]) → [`crate::sbom::Edits`] for the document's writer.
//!
//! Prints nothing: progress goes to an [`Observer`], messages and exit codes are the CLI's.

use std::collections::{BTreeMap, HashSet};
use std::io::Write;
use std::path::PathBuf;

use anyhow::{anyhow, Context};

use crate::classify::RuleSet;
use crate::config::{FileConfig, ForgeConfig};
use crate::enrich::{self, Event, Options};
use crate::fetch::FetchOptions;
use crate::inventory::Inventory;
use crate::registry::{Cache, CacheOptions, Registry};
use crate::resolve::RepoMap;
use crate::review::ReviewIndex;
use crate::sbom::Edits;
use crate::text::escape_for_terminal;

/// What a run is set up from: the command line's source flags, as plain values.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// Folders of local mirrors (`OWNER/NAME.git` under a forge host), searched first.
    pub mirror_dirs: Vec<PathBuf>,
    /// The cache folder; `None` is [`crate::config::default_cache_dir`].
    pub cache_dir: Option<PathBuf>,
    /// The repo map file.
    pub repo_map: Option<PathBuf>,
    /// Never use the network.
    pub offline: bool,
    /// The configuration file; `None` is [`FileConfig::default_path`] when it exists.
    pub config: Option<PathBuf>,
    /// Ask the registries again instead of using cached answers.
    pub refresh: bool,
    /// Walker threads; `None` is the number of CPUs.
    pub jobs: Option<usize>,
    /// Only commits after this time (Unix seconds).
    pub since: Option<i64>,
    /// Extra rule pack files, after the built-in ones.
    pub rules: Vec<PathBuf>,
    /// What to do when no pin, tag or registry release time decides a revision (`--fallback`).
    pub fallback: crate::revision::Fallback,
    /// The pull/merge requests of `--review-data` (read by the caller); `None` leaves the AI
    /// commits without review trailers `unknown` unless a [`ReviewLookup`] answers.
    pub reviews: Option<ReviewIndex>,
    /// `--reviews all`: every commit gets a review outcome (and is asked of the forge), not
    /// only the AI commits.
    pub review_all: bool,
    /// Neither read nor write the results store (`--no-cache`).
    pub no_cache: bool,
    /// Walk only shard `k` of `n` (`--shard K/N`).
    pub shard: Option<(u32, u32)>,
    /// Write local paths into the SBOM as they are (`--include-local-paths`).
    pub include_local_paths: bool,
}

/// Asks forges about the AI commits' pull/merge requests (`--forge-reviews`): the CLI's, which
/// reports what it asked on stderr. Called once per run, between planning and walking.
pub trait ReviewLookup {
    /// Look up the commits of `repos` (repository URL → commit ids, as the walks name them)
    /// and add what was answered to `index`. `forges` is the configuration's `[forges."HOST"]`;
    /// `cache` is the run's answer cache (offline runs answer from it only).
    fn look_up(
        &self,
        forges: &BTreeMap<String, ForgeConfig>,
        repos: &[(String, Vec<String>)],
        cache: &Cache,
        index: &mut ReviewIndex,
    );
}

/// Why a pipeline could not be set up.
#[derive(Debug)]
pub enum SetupError {
    /// A file the user gave is unreadable or wrong (exit 2).
    Input(anyhow::Error),
    /// Something failed that the input does not explain: threads, the HTTP client (exit 3).
    Runtime(anyhow::Error),
}

/// Told about the run as it goes (a progress bar); every method does nothing by default.
pub trait Observer: Sync {
    /// Something happened while the plan is made (registry lookups, clones and fetches); called
    /// from the worker threads.
    fn plan_event(&self, _event: enrich::PlanEvent<'_>) {}
    /// The walks are planned and about to run.
    fn planned(&mut self, _plan: &enrich::Plan) {}
    /// Something happened during the walks.
    fn event(&mut self, _event: Event<'_>) {}
    /// The walks are over.
    fn done(&mut self) {}
}

/// An [`Observer`] that ignores everything.
pub struct Quiet;
impl Observer for Quiet {}

/// Everything a run needs besides the document: the repo map, the rules, the registries, the
/// mirror cache and the walker threads. Built before any output exists (bad flags exit 2).
pub struct Pipeline {
    mirror_roots: Vec<PathBuf>,
    hosts: crate::resolve::ForgeHosts,
    repo_map: Option<RepoMap>,
    rules: RuleSet,
    registry: Option<Registry>,
    fetch: Option<FetchOptions>,
    pool: rayon::ThreadPool,
    offline: bool,
    since: Option<i64>,
    fallback: crate::revision::Fallback,
    reviews: Option<ReviewIndex>,
    review_all: bool,
    forge: Option<Box<dyn ReviewLookup>>,
    forges: BTreeMap<String, ForgeConfig>,
    cache: Cache,
    store: Option<crate::results::Store>,
    shard: Option<(u32, u32)>,
    include_local_paths: bool,
}

/// What [`Pipeline::enrich`] produced.
pub struct Outcome {
    /// The properties to write, keyed by the document's own locators.
    pub edits: Edits,
    /// Components per status.
    pub tally: enrich::Tally,
    /// The walks that were run.
    pub plan: enrich::Plan,
    /// Components analyzed as such (the document's described roots left out).
    pub subjects: usize,
    /// Described root packages skipped as the document's subject.
    pub roots: usize,
    /// The local paths the SBOM does not carry, as (placeholder, path), each once, in order of
    /// appearance: what the terminal should name (empty with `--include-local-paths`).
    pub hidden_paths: Vec<(String, String)>,
}

/// The repo map's text, read up to [`crate::resolve::MAX_REPO_MAP_BYTES`] (one byte more tells
/// it is over the limit: refused, never read whole).
fn read_repo_map(path: &std::path::Path, map_label: &str) -> Result<String, SetupError> {
    use std::io::Read as _;
    let cannot = |e: std::io::Error| {
        SetupError::Input(anyhow::Error::from(e).context(format!(
            "{}: cannot read the repo map",
            escape_for_terminal(map_label)
        )))
    };
    let file = std::fs::File::open(path).map_err(cannot)?;
    let mut bytes = Vec::new();
    file.take(crate::resolve::MAX_REPO_MAP_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if bytes.len() > crate::resolve::MAX_REPO_MAP_BYTES {
        let label = crate::text::path_label(map_label);
        return Err(SetupError::Input(
            crate::resolve::repo_map_too_large(&label).into(),
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        cannot(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            e.utf8_error(),
        ))
    })
}

impl Pipeline {
    /// Read the repo map, the rule packs and the configuration file, and start the registry
    /// client and the walker threads. Bad files are [`SetupError::Input`].
    pub fn new(args: &Settings) -> Result<Pipeline, SetupError> {
        let repo_map = match &args.repo_map {
            Some(path) => {
                let map_label = path.display().to_string();
                let text = read_repo_map(path, &map_label)?;
                Some(
                    RepoMap::from_toml(&map_label, &text)
                        .map_err(|e| SetupError::Input(e.into()))?,
                )
            }
            None => None,
        };
        let rules = RuleSet::load(&args.rules).map_err(|e| SetupError::Input(e.into()))?;
        let config_path = args
            .config
            .clone()
            .or_else(|| FileConfig::default_path().filter(|p| p.is_file()));
        let config = match &config_path {
            Some(path) => {
                let config_label = path.display().to_string();
                let text = std::fs::read_to_string(path)
                    .with_context(|| {
                        format!(
                            "{}: cannot read the configuration",
                            escape_for_terminal(&config_label)
                        )
                    })
                    .map_err(SetupError::Input)?;
                FileConfig::from_toml(&config_label, &text)
                    .map_err(|e| SetupError::Input(anyhow!("{e}")))?
            }
            None => FileConfig::default(),
        };
        let cache_dir = args
            .cache_dir
            .clone()
            .or_else(crate::config::default_cache_dir);
        let mut mirror_roots = args.mirror_dirs.clone();
        if let Some(c) = &cache_dir {
            mirror_roots.push(c.join("mirrors"));
        }
        let cache_opts = CacheOptions {
            ttl: config.cache.ttl,
            offline: args.offline,
            refresh: args.refresh,
        };
        let cache = match &cache_dir {
            Some(dir) => Cache::new(dir, cache_opts),
            None => Cache::disabled(cache_opts),
        };
        // The results store: read and written, written only (--refresh), or not used
        // (--no-cache, or no cache folder).
        let store = match (&cache_dir, args.no_cache, args.refresh) {
            (Some(dir), false, false) => Some(crate::results::Store::new(dir)),
            (Some(dir), false, true) => Some(crate::results::Store::new(dir).write_only()),
            _ => None,
        };
        let registry = Registry::new(config.registry.clone(), cache.clone())
            .context("starting the registry client")
            .map_err(SetupError::Runtime)?;
        let fetch = cache_dir.as_ref().map(|dir| {
            let mut f = FetchOptions::from_config(dir, &config);
            f.offline = args.offline;
            f
        });
        let jobs = args
            .jobs
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(jobs)
            .thread_name(|i| format!("aiprov-walk-{i}"))
            .build()
            .context("starting the walker threads")
            .map_err(SetupError::Runtime)?;
        Ok(Pipeline {
            mirror_roots,
            hosts: config.forge_hosts(),
            repo_map,
            rules,
            registry: Some(registry),
            fetch,
            pool,
            offline: args.offline,
            since: args.since,
            fallback: args.fallback,
            reviews: args.reviews.clone(),
            review_all: args.review_all,
            forge: None,
            forges: config.forges.clone(),
            cache,
            store,
            shard: args.shard,
            include_local_paths: args.include_local_paths,
        })
    }

    /// The planner's options and the walker threads, for callers that plan and walk
    /// themselves (`aiprov diff`, `enrich --baseline`).
    pub fn parts(&self) -> (Options<'_>, &rayon::ThreadPool) {
        (
            Options {
                mirror_roots: &self.mirror_roots,
                repo_map: self.repo_map.as_ref(),
                hosts: &self.hosts,
                offline: self.offline,
                since: self.since,
                rules: &self.rules,
                registry: self.registry.as_ref(),
                fetch: self.fetch.as_ref(),
                fallback: self.fallback,
                reviews: self.reviews.as_ref(),
                review_all: self.review_all,
                progress: None,
                store: self.store.as_ref(),
                shard: self.shard,
            },
            &self.pool,
        )
    }

    /// Ask the forge (`--forge-reviews`) about `repos` (repository → AI commit ids): the
    /// `--review-data` records plus the answers; `None` without a forge. For `aiprov diff`,
    /// whose ranges are walked before the lookup.
    pub fn look_up_reviews(&self, repos: &[(String, Vec<String>)]) -> Option<ReviewIndex> {
        let forge = self.forge.as_ref()?;
        let mut index = self.reviews.clone().unwrap_or_default();
        forge.look_up(&self.forges, repos, &self.cache, &mut index);
        Some(index)
    }

    /// The results store's hits and misses so far (`None`: no store in this run).
    pub fn store_tally(&self) -> Option<crate::results::Tally> {
        self.store.as_ref().map(crate::results::Store::tally)
    }

    /// Ask `forge` about the AI commits before walking (`--forge-reviews`).
    pub fn with_forge(mut self, forge: Box<dyn ReviewLookup>) -> Pipeline {
        self.forge = Some(forge);
        self
    }

    /// Plan, walk and turn the results into edits for `inventory`'s document. The components an
    /// SPDX document DESCRIBES are its subject (like CycloneDX `metadata.component`) and are left
    /// out, unless the document describes every package it lists.
    pub fn enrich(
        &self,
        full: &Inventory,
        evidence: Option<&mut dyn Write>,
        observer: &mut dyn Observer,
    ) -> std::io::Result<Outcome> {
        let inventory = without_described_roots(full);
        let inventory = inventory.as_ref().unwrap_or(full);
        let (mut opts, _) = self.parts();
        // Stages: resolve + fetch + plan → walks; [forge lookup]; run → results; edits → the
        // document's edits.
        let mut plan = {
            let observer = &*observer;
            let on_plan = |e: enrich::PlanEvent<'_>| observer.plan_event(e);
            let opts = Options {
                progress: Some(enrich::Progress(&on_plan)),
                ..opts
            };
            enrich::plan(inventory, &opts, &self.pool)
        };
        plan.keep_local_paths = self.include_local_paths;
        let looked_up = self.forge.as_ref().map(|forge| {
            let repos = enrich::ai_commits(&plan, &opts, &self.pool);
            let mut index = self.reviews.clone().unwrap_or_default();
            forge.look_up(&self.forges, &repos, &self.cache, &mut index);
            index
        });
        if let Some(index) = &looked_up {
            opts.reviews = Some(index);
        }
        observer.planned(&plan);
        let mut on_event = |e: Event<'_>| observer.event(e);
        let results = enrich::run(&plan, inventory, &opts, &self.pool, evidence, &mut on_event)?;
        observer.done();
        let (edits, tally) = enrich::edits(inventory, &plan, &results, self.since);
        let hidden_paths = hidden_paths(&plan, &results);
        Ok(Outcome {
            edits,
            tally,
            plan,
            subjects: inventory.components.len(),
            roots: full.components.len() - inventory.components.len(),
            hidden_paths,
        })
    }
}

/// The local paths [`enrich::edits`] left out of the SBOM (reasons, repo-map repositories), as
/// (placeholder, path), each once.
fn hidden_paths(plan: &enrich::Plan, results: &enrich::Results) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = Vec::new();
    if plan.keep_local_paths {
        return found;
    }
    for t in &plan.targets {
        let (reason, repository) = match t {
            enrich::Target::Skip {
                reason, repository, ..
            } => (Some(reason.as_str()), repository.as_deref()),
            enrich::Target::Walk { repository, .. } => (None, Some(repository.as_str())),
        };
        found.extend(reason.map(|r| plan.hidden_in(r)).unwrap_or_default());
        if let Some(r) = repository.filter(|r| plan.is_local(r)) {
            found.push(("<local path>".into(), r.to_string()));
        }
    }
    for w in &results.walks {
        if let Some(f) = &w.failure {
            found.extend(plan.hidden_in(f));
        }
    }
    let mut seen = HashSet::new();
    found.retain(|p| seen.insert(p.clone()));
    found
}

impl Outcome {
    /// Components walked at the default branch (`--fallback default-branch`): no pin, tag or
    /// release time decided their revision, so what was walked is not a release.
    pub fn at_default_branch(&self) -> usize {
        self.plan
            .targets
            .iter()
            .filter(|t| {
                matches!(
                    t,
                    enrich::Target::Walk {
                        source: enrich::RevisionSource::DefaultBranch,
                        ..
                    }
                )
            })
            .count()
    }

    /// Distinct repositories walked from a cached mirror that was stale and could not be
    /// refreshed ([`enrich::Target::Walk`]`::note`): what was walked may be out of date.
    pub fn stale_mirrors(&self) -> usize {
        let mut repos: Vec<&str> = self
            .plan
            .targets
            .iter()
            .filter_map(|t| match t {
                enrich::Target::Walk {
                    repository,
                    note: Some(_),
                    ..
                } => Some(repository.as_str()),
                _ => None,
            })
            .collect();
        repos.sort_unstable();
        repos.dedup();
        repos.len()
    }

    /// Every component of the document with the properties this run gives it.
    pub fn components(&self, full: &Inventory) -> Vec<crate::provenance::Component> {
        full.components
            .iter()
            .map(|c| {
                let props = self
                    .edits
                    .components
                    .get(&c.locator)
                    .map(Vec::as_slice)
                    .unwrap_or_default();
                crate::provenance::Component {
                    locator: c.locator.clone(),
                    bom_ref: c.bom_ref.clone(),
                    name: c.name.clone(),
                    group: c.group.clone(),
                    version: c.version.clone(),
                    purl: c.purl.clone(),
                    provenance: crate::provenance::Provenance::from_properties(
                        props.iter().map(|(n, v)| (n.as_str(), v.as_str())),
                    ),
                }
            })
            .collect()
    }
}

/// The inventory without the packages the document DESCRIBES (SPDX 2 `documentDescribes` and
/// `DESCRIBES` relationships from the document, SPDX 3 `describes` relationships), or `None`
/// when there is nothing to leave out, or when every package is described (a flat list of
/// packages, not a subject and its dependencies).
///
/// The result holds the kept components only, in document order, with no relationships: no
/// stage after the subject rule reads them, and a copy of a large document's relationships
/// was a quarter of this copy (issue 15: ~40 MB at 200k packages, when `enrich` peaked over
/// 1 GiB). The components are copied into a vector of exactly their number.
pub fn without_described_roots(inventory: &Inventory) -> Option<Inventory> {
    let roots: HashSet<&str> = inventory
        .relationships
        .iter()
        .filter(|r| r.kind.eq_ignore_ascii_case("DESCRIBES"))
        .map(|r| r.to.as_str())
        .collect();
    if roots.is_empty() {
        return None;
    }
    let is_root =
        |c: &&crate::inventory::Component| c.bom_ref.as_deref().is_some_and(|r| roots.contains(r));
    // Counted first, so that the copy is not a vector grown by doubling (up to twice its size).
    let kept = inventory.components.len() - inventory.components.iter().filter(is_root).count();
    if kept == 0 || kept == inventory.components.len() {
        return None;
    }
    let mut components = Vec::with_capacity(kept);
    components.extend(inventory.components.iter().filter(|c| !is_root(c)).cloned());
    Some(Inventory {
        components,
        relationships: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::{Component, Relationship};

    fn component(id: &str) -> Component {
        Component {
            locator: format!("/packages/{id}"),
            bom_ref: Some(format!("SPDXRef-{id}")),
            name: id.into(),
            ..Component::default()
        }
    }

    fn relationship(from: &str, kind: &str, to: &str) -> Relationship {
        Relationship {
            from: from.into(),
            kind: kind.into(),
            to: to.into(),
        }
    }

    /// The subject rule keeps the other components, in order, in a vector of exactly their
    /// number, without a copy of the relationships (issue 15: memory).
    #[test]
    fn described_roots_are_left_out_without_copying_the_relationships() {
        let full = Inventory {
            components: ["app", "a", "b", "c"].map(component).to_vec(),
            relationships: vec![
                relationship("SPDXRef-DOCUMENT", "DESCRIBES", "SPDXRef-app"),
                relationship("SPDXRef-app", "DEPENDS_ON", "SPDXRef-a"),
                relationship("SPDXRef-a", "DEPENDS_ON", "SPDXRef-b"),
            ],
        };
        let kept = without_described_roots(&full).unwrap();
        let names: Vec<&str> = kept.components.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["a", "b", "c"]);
        assert_eq!(kept.components.capacity(), 3);
        assert!(kept.relationships.is_empty());
        assert_eq!(kept.components[..], full.components[1..]);
    }

    /// Nothing described, or every package described: no subject to leave out.
    #[test]
    fn no_subject_when_nothing_or_everything_is_described() {
        let mut full = Inventory {
            components: ["a", "b"].map(component).to_vec(),
            relationships: vec![relationship("SPDXRef-a", "DEPENDS_ON", "SPDXRef-b")],
        };
        assert_eq!(without_described_roots(&full), None);
        for id in ["a", "b"] {
            full.relationships.push(relationship(
                "SPDXRef-DOCUMENT",
                "describes",
                &format!("SPDXRef-{id}"),
            ));
        }
        assert_eq!(without_described_roots(&full), None);
    }
}
