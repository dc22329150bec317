//! `aiprov diff OLD NEW`: what a change of dependencies brings in.
//!
//! ```text
//!  OLD, NEW inventories ──► pair() ──► Change per component ──► enrich::plan (old side, new side)
//!        ──► one range walk per changed component: NEW-revision minus everything reachable from
//!            OLD-revision (git's OLD..NEW) ──► classify ──► Delta per component, totals
//! ```
//!
//! - **Pairing**: by purl without version, qualifiers and subpath (`pkg:pypi/aider-chat`), else
//!   by group and name (bom-refs usually embed the version, so they do not pair two releases).
//!   A key present several times on a side (npm's nested copies) pairs equal versions first,
//!   then the rest in version order; leftovers are added or removed.
//! - **Change**: `unchanged` when the versions are equal (as written, or normalized:
//!   `v1.2` = `1.2`); else `upgraded`/`downgraded` by version order, or, when the versions do not
//!   compare, by ancestry of the resolved revisions.
//! - **Range**: an upgrade walks `old..new` (exactly `git log OLD..NEW`); a downgrade walks
//!   `new..old`, the commits it takes out. When OLD's commit is not an ancestor of NEW's (a
//!   force-pushed or rewritten history) the walk still counts NEW's side of the symmetric
//!   difference, and [`Delta::ancestry`] says `diverged`. An added component is walked over its
//!   whole history at its revision (from [`crate::enrich::Options::since`] when given); removed
//!   and unchanged components are not walked (0 commits).
//! - Resolution, fetching, caching and classification are `enrich`'s ([`crate::enrich::plan`]).
//! - **Review**: per AI commit, the outcome `enrich` gives it (`crate::review`: the
//!   `--review-data` records in [`crate::enrich::Options::reviews`], and with a forge
//!   ([`ReviewLookup`], `--forge-reviews`) the answers about the AI commits the first walk found,
//!   after which the ranges are counted again), with trailers counting as reviewed; the
//!   five-bucket partition [`ReviewTally`] sums to the AI commits.
//!
//! Never prints; per-component failures are data ([`Delta::status`], [`Delta::reason`]).

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use gix::hash::ObjectId;
use serde::Serialize;

use crate::aggregate::Counts;
use crate::classify::{self, Class};
use crate::enrich::{self, Options, Plan, Target};
use crate::history::{self, Entry, Hidden, Repo};
use crate::inventory::{Component, Inventory};
use crate::resolve::{parse_repo_url, Purl};
use crate::review::{self, ReviewIndex};
use crate::text::{bounded, ECHO_LIMIT};

pub mod lockfiles_at;
pub mod render;

/// AI commits listed per component at most (the counts cover all of them).
pub const MAX_LISTED_COMMITS: usize = 200;

/// What happened to one component between OLD and NEW.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Change {
    /// Only in NEW.
    Added,
    /// Only in OLD.
    Removed,
    /// In both, NEW's version is later.
    Upgraded,
    /// In both, NEW's version is earlier.
    Downgraded,
    /// In both, at the same version.
    Unchanged,
}

impl Change {
    /// Every kind, in report order.
    pub const ALL: [Change; 5] = [
        Change::Upgraded,
        Change::Downgraded,
        Change::Added,
        Change::Removed,
        Change::Unchanged,
    ];

    /// The JSON value (`added`, `removed`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Added => "added",
            Change::Removed => "removed",
            Change::Upgraded => "upgraded",
            Change::Downgraded => "downgraded",
            Change::Unchanged => "unchanged",
        }
    }
}

/// Asks the forges about the AI commits of the walked ranges (`--forge-reviews`): repository →
/// AI commit ids in, the review index (with the `--review-data` records) out; `None` when no
/// forge is configured. The CLI's pipeline implements it.
pub type ReviewLookup<'a> = &'a dyn Fn(&[(String, Vec<String>)]) -> Option<ReviewIndex>;

/// One side of a pair.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Side {
    /// The component's version.
    pub version: Option<String>,
    /// The resolved commit, when resolution succeeded.
    pub revision: Option<String>,
    /// How it was resolved (`aiprov:revision:source` values).
    pub revision_source: Option<String>,
    /// The tag that decided it, when a tag did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    /// JSON pointer of the component in its document.
    pub locator: String,
}

/// One AI commit of a range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AiCommit {
    /// Full commit id.
    pub commit: String,
    /// Author date, RFC 3339.
    pub date: String,
    /// `ai-agent` or `ai-assisted`.
    pub class: String,
    /// Tool slug, when known.
    pub tool: Option<String>,
    /// First line of the message, bounded.
    pub subject: String,
    /// Review, by the rule of `docs/properties.md` ("Review"): `approved` (a counting approval
    /// on a merged request), `trailer` (review trailers, no approving request),
    /// `merged-unapproved`, `no-pull-request`, or `unknown` (not looked up).
    pub review: String,
    /// The commit on its forge, when the repository is on one.
    pub url: Option<String>,
}

/// The delta of one component.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Delta {
    /// Group/name as written.
    pub name: String,
    /// NEW's purl, else OLD's.
    pub purl: Option<String>,
    /// The pairing key.
    pub key: String,
    /// What changed.
    pub change: Change,
    /// The OLD side (absent when added).
    pub old: Option<Side>,
    /// The NEW side (absent when removed).
    pub new: Option<Side>,
    /// `aiprov:repository` of the walk.
    pub repository: Option<String>,
    /// What was walked: `OLD..NEW` as tags when tags decided both sides, else commit ids; an
    /// added component's revision (or `SINCE..REV`).
    pub range: Option<String>,
    /// `ancestor` (OLD's commit is an ancestor of NEW's), `diverged` (it is not: NEW's side of
    /// the symmetric difference was counted), or `None` when there was no range walk.
    pub ancestry: Option<String>,
    /// Non-merge commits in the range (0 for unchanged and removed components).
    pub commits: Option<u64>,
    /// Per class.
    pub classes: BTreeMap<String, u64>,
    /// AI commits per tool slug.
    pub tools: BTreeMap<String, u64>,
    /// ai-agent + ai-assisted commits.
    pub ai_commits: u64,
    /// AI commits with review evidence (approved, or trailer-reviewed).
    pub ai_reviewed: u64,
    /// The review partition of the range's AI commits (sums to `ai_commits`).
    pub review: ReviewTally,
    /// The AI commits (newest first, at most [`MAX_LISTED_COMMITS`]).
    pub ai: Vec<AiCommit>,
    /// `analyzed` (walked), `not-walked` (unchanged or removed), or why not: `no-repository`,
    /// `repository-unavailable`, `revision-unresolved`, `error`.
    pub status: String,
    /// One line, when the status is not `analyzed` / `not-walked`, or a note (`diverged`).
    pub reason: Option<String>,
}

/// The review partition of AI commits (`docs/properties.md`, "Review"): each AI commit is in
/// exactly one field, so they sum to the AI commits; `approved + trailer_reviewed` have review
/// evidence, `merged_unapproved + no_pull_request` are known unreviewed (`unreviewed-ai`), and
/// `unknown` is neither (`review-unknown`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ReviewTally {
    /// Approved through a merged request.
    pub approved: u64,
    /// Review trailers, no approving request.
    pub trailer_reviewed: u64,
    /// No trailers; merged through requests without a counting approval.
    pub merged_unapproved: u64,
    /// No trailers; no merged request brought it in.
    pub no_pull_request: u64,
    /// No trailers; not looked up.
    pub unknown: u64,
}

impl ReviewTally {
    fn from_counts(c: &crate::aggregate::ReviewCounts) -> ReviewTally {
        ReviewTally {
            approved: c.approved,
            trailer_reviewed: c.trailers_only,
            merged_unapproved: c.merged_unapproved,
            no_pull_request: c.no_pull_request,
            unknown: c.unknown,
        }
    }

    fn add(&mut self, o: &ReviewTally) {
        self.approved += o.approved;
        self.trailer_reviewed += o.trailer_reviewed;
        self.merged_unapproved += o.merged_unapproved;
        self.no_pull_request += o.no_pull_request;
        self.unknown += o.unknown;
    }
}

/// Totals over every component.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Totals {
    /// Components per change kind (every kind present).
    pub changes: BTreeMap<String, u64>,
    /// Commits over every range walked.
    pub commits: u64,
    /// Per class over every range.
    pub classes: BTreeMap<String, u64>,
    /// Per tool over every range.
    pub tools: BTreeMap<String, u64>,
    /// AI commits over every range.
    pub ai_commits: u64,
    /// AI commits with review evidence.
    pub ai_reviewed: u64,
    /// The review partition over every range.
    pub review: ReviewTally,
    /// Changed components whose range has AI commits.
    pub components_with_ai: u64,
    /// Components per status.
    pub statuses: BTreeMap<String, u64>,
}

/// The whole diff (`schemas/diff.schema.json`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diff {
    /// OLD as given.
    pub old: String,
    /// NEW as given.
    pub new: String,
    /// Changed components first (AI commits first among them), then unchanged, by name.
    pub components: Vec<Delta>,
    /// Totals.
    pub totals: Totals,
}

// ---------------------------------------------------------------------------------------------
// Pairing
// ---------------------------------------------------------------------------------------------

/// The pairing key of a component: `pkg:TYPE/NAMESPACE/NAME` (lower-case type) from its purl,
/// else `name:GROUP/NAME`.
pub fn pair_key(c: &Component) -> String {
    if let Some(p) = c.purl.as_deref().and_then(Purl::parse) {
        return p.short();
    }
    match c.group.as_deref().filter(|g| !g.is_empty()) {
        Some(g) => format!("name:{g}/{}", c.name),
        None => format!("name:{}", c.name),
    }
}

/// Compare two versions: numeric release parts numerically (missing parts are 0), then a
/// pre-release (`a`, `alpha`, `b`, `beta`, `rc`, `pre`, `dev`, any SemVer `-label`) before the
/// release and a post-release (`post`, `.postN`, `-N` after PEP 440) after it; build metadata
/// (`+…`) ignored. `None` when either has no numeric release part.
pub fn compare_versions(a: &str, b: &str) -> Option<Ordering> {
    let (ra, sa) = split_version(a)?;
    let (rb, sb) = split_version(b)?;
    let n = ra.len().max(rb.len());
    for i in 0..n {
        let (x, y) = (
            ra.get(i).copied().unwrap_or(0),
            rb.get(i).copied().unwrap_or(0),
        );
        match x.cmp(&y) {
            Ordering::Equal => {}
            o => return Some(o),
        }
    }
    let rank = |s: &str| -> i8 {
        let t = s.trim_start_matches(['.', '-', '_']);
        if t.is_empty() {
            0
        } else if t.starts_with("post")
            || t.starts_with("rev")
            || t.starts_with(|c: char| c.is_ascii_digit())
        {
            1
        } else {
            -1
        }
    };
    match rank(&sa).cmp(&rank(&sb)) {
        Ordering::Equal => Some(compare_labels(&sa, &sb)),
        o => Some(o),
    }
}

fn split_version(v: &str) -> Option<(Vec<u64>, String)> {
    let v = v.trim();
    let v = v.strip_prefix(['v', 'V']).unwrap_or(v);
    let v = v.split('+').next().unwrap_or(v).to_ascii_lowercase();
    let mut release = Vec::new();
    let mut rest = v.as_str();
    loop {
        let end = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        if end == 0 {
            break;
        }
        release.push(rest[..end].parse::<u64>().ok()?);
        rest = &rest[end..];
        match rest.strip_prefix('.') {
            Some(r) if r.starts_with(|c: char| c.is_ascii_digit()) => rest = r,
            _ => break,
        }
    }
    if release.is_empty() {
        return None;
    }
    Some((release, rest.to_string()))
}

/// Labels compared token by token, numbers numerically (`rc.2` < `rc.10`), `a` < `b` < `rc`.
fn compare_labels(a: &str, b: &str) -> Ordering {
    fn tokens(s: &str) -> Vec<Result<u64, String>> {
        let mut out = Vec::new();
        let mut cur = String::new();
        let mut digit = false;
        for c in s.chars() {
            if !c.is_ascii_alphanumeric() {
                if !cur.is_empty() {
                    out.push(tok(&cur, digit));
                    cur.clear();
                }
                continue;
            }
            if !cur.is_empty() && c.is_ascii_digit() != digit {
                out.push(tok(&cur, digit));
                cur.clear();
            }
            digit = c.is_ascii_digit();
            cur.push(c);
        }
        if !cur.is_empty() {
            out.push(tok(&cur, digit));
        }
        out
    }
    fn tok(s: &str, digit: bool) -> Result<u64, String> {
        if digit {
            s.parse().map_err(|_| s.to_string())
        } else {
            Err(match s {
                "alpha" => "a".into(),
                "beta" => "b".into(),
                "c" | "pre" | "preview" => "rc".into(),
                other => other.into(),
            })
        }
    }
    tokens(a).cmp(&tokens(b))
}

fn versions_equal(a: Option<&str>, b: Option<&str>) -> bool {
    match (a, b) {
        (Some(x), Some(y)) => x == y || compare_versions(x, y) == Some(Ordering::Equal),
        (None, None) => true,
        _ => false,
    }
}

/// Pairs of (OLD index, NEW index) into the inventories' components, with their key.
pub fn pair(old: &Inventory, new: &Inventory) -> Vec<(String, Option<usize>, Option<usize>)> {
    let mut keys: Vec<String> = Vec::new();
    let mut by_key: HashMap<String, (Vec<usize>, Vec<usize>)> = HashMap::new();
    for (side, inv) in [(0, old), (1, new)] {
        for (i, c) in inv.components.iter().enumerate() {
            let k = pair_key(c);
            let e = by_key.entry(k.clone()).or_insert_with(|| {
                keys.push(k);
                (Vec::new(), Vec::new())
            });
            if side == 0 {
                e.0.push(i);
            } else {
                e.1.push(i);
            }
        }
    }
    let version = |inv: &Inventory, i: usize| enrich::component_version(&inv.components[i]);
    let mut out = Vec::new();
    for k in keys {
        let (mut olds, mut news) = by_key.remove(&k).expect("every key was inserted");
        // equal versions first
        let mut i = 0;
        while i < olds.len() {
            let vo = version(old, olds[i]);
            if let Some(j) = news
                .iter()
                .position(|n| versions_equal(vo.as_deref(), version(new, *n).as_deref()))
            {
                out.push((k.clone(), Some(olds.remove(i)), Some(news.remove(j))));
            } else {
                i += 1;
            }
        }
        let by_version = |inv: &Inventory, v: &mut Vec<usize>| {
            v.sort_by(|a, b| {
                match (version(inv, *a), version(inv, *b)) {
                    (Some(x), Some(y)) => compare_versions(&x, &y).unwrap_or_else(|| x.cmp(&y)),
                    (x, y) => x.cmp(&y),
                }
                .then(a.cmp(b))
            })
        };
        by_version(old, &mut olds);
        by_version(new, &mut news);
        let n = olds.len().max(news.len());
        for i in 0..n {
            out.push((k.clone(), olds.get(i).copied(), news.get(i).copied()));
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Walking
// ---------------------------------------------------------------------------------------------

/// What one range walk found.
#[derive(Debug, Default)]
struct RangeResult {
    counts: Counts,
    ai: Vec<AiCommit>,
    /// Every AI commit's id (for the forge lookup).
    ai_ids: Vec<String>,
    /// `Some(true)` when `from` is an ancestor of `to`; `None` without `from`.
    ancestor: Option<bool>,
    failure: Option<String>,
}

/// A walk to run.
struct Task {
    delta: usize,
    path: PathBuf,
    repository: String,
    from: Option<ObjectId>,
    to: ObjectId,
    since: Option<i64>,
}

/// The commits reachable from `to` and not from `from` (all of `to`'s history without `from`),
/// classified. Ancestry: `from` is an ancestor of `to` exactly when `from == to` or `from` is a
/// parent of a walked commit (every commit on a path from `to` down to `from` is a descendant
/// of `from`, so none of them is hidden).
fn walk_range(t: &Task, rules: &classify::RuleSet, reviews: Option<&ReviewIndex>) -> RangeResult {
    let mut r = RangeResult::default();
    let repo = match Repo::open(&t.path) {
        Ok(repo) => repo,
        Err(e) => {
            r.failure = Some(one_line(&e.to_string()));
            return r;
        }
    };
    let hidden = match t.from {
        Some(from) => match repo.reachable(&from.to_string()) {
            Ok(h) => h,
            Err(e) => {
                r.failure = Some(one_line(&e.to_string()));
                return r;
            }
        },
        None => Hidden::default(),
    };
    let from_hex = t.from.map(|f| f.to_string());
    let mut ancestor = t.from.map(|f| f == t.to);
    let mut errors = 0u64;
    let mut first_error = None;
    let walked = repo.walk_raw_hiding(
        &history::Options {
            rev: Some(t.to.to_string()),
            since: t.since,
        },
        &hidden,
        |raw| {
            match raw.parse() {
                Entry::Commit(meta) => {
                    if let (Some(f), Some(a)) = (&from_hex, ancestor.as_mut()) {
                        if meta.parents.iter().any(|p| p == f) {
                            *a = true;
                        }
                    }
                    let verdict = classify::classify(&meta, rules);
                    let ai = !meta.is_merge() && verdict.class.is_ai();
                    // One rule with enrich, report and evidence: the review stage's outcome,
                    // trailers counting as reviewed, unknown kept apart.
                    let outcome = match reviews {
                        Some(index) if ai => {
                            review::review(&meta, index.lookup(&t.repository, &meta.id), rules)
                                .outcome
                        }
                        _ => review::Outcome::Unknown,
                    };
                    r.counts.add_reviewed(&meta, &verdict, outcome);
                    if ai {
                        r.ai_ids.push(meta.id.clone());
                        let review = match (outcome, verdict.review.is_empty()) {
                            (review::Outcome::Approved, _) => "approved",
                            (_, false) => "trailer",
                            (o, true) => o.as_str(),
                        }
                        .to_string();
                        if r.ai.len() < MAX_LISTED_COMMITS {
                            r.ai.push(AiCommit {
                                url: commit_url(&t.repository, &meta.id),
                                commit: meta.id.clone(),
                                date: meta.author.time.to_rfc3339(),
                                class: verdict.class.as_str().to_string(),
                                tool: verdict.tool.clone(),
                                subject: bounded(
                                    meta.message.lines().next().unwrap_or("").trim(),
                                    120,
                                ),
                                review,
                            });
                        }
                    }
                }
                Entry::Error { id, message } => {
                    errors += 1;
                    first_error.get_or_insert_with(|| format!("{id}: {message}"));
                }
            }
            true
        },
    );
    match walked {
        Err(e) => r.failure = Some(one_line(&e.to_string())),
        Ok(_) if errors > 0 => {
            r.failure = Some(one_line(&format!(
                "{errors} commit(s) could not be read (first: {})",
                first_error.unwrap_or_default()
            )))
        }
        Ok(_) => {}
    }
    r.ancestor = ancestor;
    r
}

/// The web page of `commit` when `repository` is a forge URL (GitHub, Codeberg:
/// `/commit/ID`; GitLab: `/-/commit/ID`; Bitbucket: `/commits/ID`).
pub fn commit_url(repository: &str, commit: &str) -> Option<String> {
    if !repository.starts_with("https://") || !crate::resolve::looks_like_commit(commit) {
        return None;
    }
    let (repo, _) = parse_repo_url(repository)?;
    let base = repo.to_string();
    Some(match repo.host.as_str() {
        "gitlab.com" => format!("{base}/-/commit/{commit}"),
        "bitbucket.org" => format!("{base}/commits/{commit}"),
        _ => format!("{base}/commit/{commit}"),
    })
}

fn one_line(s: &str) -> String {
    bounded(
        &s.split_whitespace().collect::<Vec<_>>().join(" "),
        2 * ECHO_LIMIT,
    )
}

/// Resolution of one side: (walk path, repository, revision, source, tag) or (status, reason).
type SideResolution = Result<(PathBuf, String, ObjectId, String, Option<String>), (String, String)>;

fn side_resolution(plan: &Plan, k: usize) -> SideResolution {
    match &plan.targets[k] {
        Target::Walk {
            walk,
            repository,
            source,
            tag,
            ..
        } => {
            let w = &plan.walks[*walk];
            Ok((
                w.path.clone(),
                repository.clone(),
                w.revision,
                source.as_str().to_string(),
                tag.clone(),
            ))
        }
        Target::Skip { status, reason, .. } => Err((status.as_str().to_string(), reason.clone())),
    }
}

fn same_repository(a: &Path, b: &Path) -> bool {
    let c = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    c(a) == c(b)
}

/// Diff `old` against `new`: pair, resolve both sides with `enrich`'s planner (only the
/// components that changed), walk each changed component's range on `pool`, and total.
/// `old_label` / `new_label` name the inputs in the result.
pub fn diff(
    old_label: &str,
    old: &Inventory,
    new_label: &str,
    new: &Inventory,
    opts: &Options<'_>,
    pool: &rayon::ThreadPool,
    look_up: Option<ReviewLookup<'_>>,
) -> Diff {
    let pairs = pair(old, new);
    let mut deltas: Vec<Delta> = Vec::with_capacity(pairs.len());
    // Sub-inventories of the components to resolve on each side.
    let mut old_need: Vec<usize> = Vec::new();
    let mut new_need: Vec<usize> = Vec::new();
    let mut slots: Vec<(Option<usize>, Option<usize>)> = Vec::new();
    for (key, o, n) in &pairs {
        let oc = o.map(|i| &old.components[i]);
        let nc = n.map(|i| &new.components[i]);
        let ov = oc.and_then(enrich::component_version);
        let nv = nc.and_then(enrich::component_version);
        let change = match (oc, nc) {
            (None, Some(_)) => Change::Added,
            (Some(_), None) => Change::Removed,
            _ if versions_equal(ov.as_deref(), nv.as_deref()) => Change::Unchanged,
            _ => match (ov.as_deref(), nv.as_deref()) {
                (Some(a), Some(b)) => match compare_versions(a, b) {
                    Some(Ordering::Greater) => Change::Downgraded,
                    _ => Change::Upgraded, // Less, or versions that do not compare
                },
                _ => Change::Upgraded,
            },
        };
        let c = nc.or(oc).expect("a pair has a side");
        let side = |c: &Component, v: Option<String>| Side {
            version: v,
            locator: c.locator.clone(),
            ..Side::default()
        };
        let walked_old = matches!(change, Change::Upgraded | Change::Downgraded);
        let walked_new = walked_old || change == Change::Added;
        slots.push((
            (walked_old).then(|| {
                old_need.push(o.expect("changed pairs have both sides"));
                old_need.len() - 1
            }),
            (walked_new).then(|| {
                new_need.push(n.expect("changed or added pairs have a new side"));
                new_need.len() - 1
            }),
        ));
        deltas.push(Delta {
            name: match c.group.as_deref().filter(|g| !g.is_empty()) {
                Some(g) => format!("{g}/{}", c.name),
                None => c.name.clone(),
            },
            purl: nc
                .and_then(|c| c.purl.clone())
                .or_else(|| oc.and_then(|c| c.purl.clone())),
            key: key.clone(),
            change,
            old: oc.map(|c| side(c, ov.clone())),
            new: nc.map(|c| side(c, nv.clone())),
            repository: None,
            range: None,
            ancestry: None,
            commits: match change {
                Change::Unchanged | Change::Removed => Some(0),
                _ => None,
            },
            classes: [
                Class::AiAgent,
                Class::AiAssisted,
                Class::Automation,
                Class::NoEvidence,
            ]
            .iter()
            .map(|c| (c.as_str().to_string(), 0))
            .collect(),
            tools: BTreeMap::new(),
            ai_commits: 0,
            ai_reviewed: 0,
            review: ReviewTally::default(),
            ai: Vec::new(),
            status: "not-walked".into(),
            reason: None,
        });
    }
    let sub = |inv: &Inventory, idx: &[usize]| Inventory {
        components: idx.iter().map(|i| inv.components[*i].clone()).collect(),
        relationships: Vec::new(),
    };
    let (old_inv, new_inv) = (sub(old, &old_need), sub(new, &new_need));
    let old_plan = enrich::plan(&old_inv, opts, pool);
    let new_plan = enrich::plan(&new_inv, opts, pool);

    let mut tasks: Vec<Task> = Vec::new();
    for (d, (delta, (os, ns))) in deltas.iter_mut().zip(&slots).enumerate() {
        let Some(nk) = ns else { continue };
        let new_res = side_resolution(&new_plan, *nk);
        if let (Ok((_, repo, rev, src, tag)), Some(side)) = (&new_res, delta.new.as_mut()) {
            side.revision = Some(rev.to_string());
            side.revision_source = Some(src.clone());
            side.tag = tag.clone();
            delta.repository = Some(crate::resolve::redact_credentials(repo));
        }
        let old_res = os.map(|ok| side_resolution(&old_plan, ok));
        if let (Some(Ok((_, repo, rev, src, tag))), Some(side)) = (&old_res, delta.old.as_mut()) {
            side.revision = Some(rev.to_string());
            side.revision_source = Some(src.clone());
            side.tag = tag.clone();
            delta
                .repository
                .get_or_insert_with(|| crate::resolve::redact_credentials(repo));
        }
        let (npath, nrepo, nrev) = match new_res {
            Ok((p, r, rev, _, _)) => (p, r, rev),
            Err((status, reason)) => {
                delta.status = status;
                delta.reason = Some(one_line(&format!("NEW revision: {reason}")));
                continue;
            }
        };
        let from = match old_res {
            None => None,
            Some(Ok((opath, _, orev, _, _))) => {
                if !same_repository(&opath, &npath) {
                    delta.status = "error".into();
                    delta.reason = Some(one_line(&format!(
                        "OLD and NEW resolve to different repositories ({} and {}): no range to walk",
                        opath.display(),
                        npath.display()
                    )));
                    continue;
                }
                Some(orev)
            }
            Some(Err((status, reason))) => {
                delta.status = status;
                delta.reason = Some(one_line(&format!("OLD revision: {reason}")));
                continue;
            }
        };
        let (from, to) = match (delta.change, from) {
            (Change::Downgraded, Some(o)) => (Some(nrev), o),
            (_, f) => (f, nrev),
        };
        delta.range = Some(range_label(delta, from, to, opts.since));
        tasks.push(Task {
            delta: d,
            path: npath,
            repository: nrepo,
            from,
            to,
            since: if delta.change == Change::Added {
                opts.since
            } else {
                None
            },
        });
    }

    let walk_all = |reviews: Option<&ReviewIndex>| -> Vec<RangeResult> {
        pool.install(|| {
            use rayon::prelude::*;
            tasks
                .par_iter()
                .map(|t| walk_range(t, opts.rules, reviews))
                .collect()
        })
    };
    let mut results = walk_all(opts.reviews);
    // With a forge: ask about the AI commits the walks found, then count again with the
    // answers (the second walk reads the same ranges).
    if let Some(look_up) = look_up {
        let mut repos: Vec<(String, Vec<String>)> = Vec::new();
        for (t, r) in tasks.iter().zip(&results) {
            if r.ai_ids.is_empty() {
                continue;
            }
            match repos.iter_mut().find(|(repo, _)| *repo == t.repository) {
                Some((_, ids)) => ids.extend(r.ai_ids.iter().cloned()),
                None => repos.push((t.repository.clone(), r.ai_ids.clone())),
            }
        }
        for (_, ids) in &mut repos {
            ids.sort();
            ids.dedup();
        }
        if !repos.is_empty() {
            if let Some(index) = look_up(&repos) {
                results = walk_all(Some(&index));
            }
        }
    }
    for (t, r) in tasks.iter().zip(results) {
        let d = &mut deltas[t.delta];
        if let Some(f) = r.failure {
            d.status = "error".into();
            d.reason = Some(f);
            continue;
        }
        d.status = "analyzed".into();
        d.commits = Some(r.counts.commits);
        for class in [
            Class::AiAgent,
            Class::AiAssisted,
            Class::Automation,
            Class::NoEvidence,
        ] {
            d.classes
                .insert(class.as_str().to_string(), r.counts.class(class));
        }
        d.tools = r.counts.tools.clone();
        d.ai_commits = r.counts.ai();
        d.ai_reviewed = r.counts.ai_with_review;
        d.review = ReviewTally::from_counts(&r.counts.review);
        d.ai = r.ai;
        match r.ancestor {
            Some(true) => d.ancestry = Some("ancestor".into()),
            Some(false) => {
                d.ancestry = Some("diverged".into());
                let (a, b) = if d.change == Change::Downgraded {
                    ("NEW", "OLD")
                } else {
                    ("OLD", "NEW")
                };
                d.reason = Some(format!(
                    "{a}'s commit is not an ancestor of {b}'s (rewritten or force-pushed history): counted the commits reachable from {b} and not from {a}, {b}'s side of the symmetric difference"
                ));
            }
            None => {}
        }
    }

    order(&mut deltas);
    let totals = totals(&deltas);
    Diff {
        old: old_label.to_string(),
        new: new_label.to_string(),
        components: deltas,
        totals,
    }
}

/// Write `d` into `edits` as `aiprov:delta:*` properties of each component present in NEW
/// (`docs/properties.md`), and `aiprov:summary:delta:*` totals (removed components are only
/// counted there: they are not in the document).
pub fn delta_edits(d: &Diff, edits: &mut crate::sbom::Edits) {
    const P: &str = "aiprov:delta:";
    for c in &d.components {
        let Some(new) = &c.new else { continue };
        let loc = new.locator.as_str();
        edits.component(loc, format!("{P}change"), c.change.as_str());
        if let Some(v) = c.old.as_ref().and_then(|o| o.version.as_deref()) {
            edits.component(loc, format!("{P}baseline-version"), v);
        }
        if let Some(r) = c.old.as_ref().and_then(|o| o.revision.as_deref()) {
            edits.component(loc, format!("{P}baseline-revision"), r);
        }
        if !matches!(c.status.as_str(), "analyzed" | "not-walked") {
            edits.component(loc, format!("{P}status"), c.status.as_str());
        }
        if let Some(r) = &c.reason {
            edits.component(loc, format!("{P}status:reason"), r.as_str());
        }
        if let Some(r) = &c.range {
            edits.component(loc, format!("{P}range"), r.as_str());
        }
        if let Some(a) = &c.ancestry {
            edits.component(loc, format!("{P}ancestry"), a.as_str());
        }
        let Some(total) = c.commits else { continue };
        edits.component(loc, format!("{P}commits:total"), total.to_string());
        for (class, n) in &c.classes {
            edits.component(loc, format!("{P}commits:{class}"), n.to_string());
        }
        if !c.tools.is_empty() {
            let names: Vec<&str> = c.tools.keys().map(String::as_str).collect();
            edits.component(loc, format!("{P}ai:tools"), names.join(","));
            for (t, n) in &c.tools {
                edits.component(loc, format!("{P}ai:tool:{t}"), n.to_string());
            }
        }
        edits.component(
            loc,
            format!("{P}review:ai-with-evidence"),
            c.ai_reviewed.to_string(),
        );
    }
    let s = "aiprov:summary:delta:";
    for (k, n) in &d.totals.changes {
        edits.summary(format!("{s}{k}"), n.to_string());
    }
    edits.summary(format!("{s}commits:total"), d.totals.commits.to_string());
    for (class, n) in &d.totals.classes {
        edits.summary(format!("{s}commits:{class}"), n.to_string());
    }
}

/// `v0.85.0..v0.86.1` when tags decided both ends, else commit ids; `REV` or `SINCE..REV` for
/// an added component.
fn range_label(d: &Delta, from: Option<ObjectId>, to: ObjectId, since: Option<i64>) -> String {
    let tag_of = |side: &Option<Side>, id: ObjectId| {
        side.as_ref()
            .filter(|s| s.revision.as_deref() == Some(id.to_string().as_str()))
            .and_then(|s| s.tag.clone())
    };
    let end = |id: ObjectId| {
        tag_of(&d.new, id)
            .or_else(|| tag_of(&d.old, id))
            .unwrap_or_else(|| id.to_string())
    };
    match from {
        Some(f) => format!("{}..{}", end(f), end(to)),
        None => match (d.change, since) {
            (Change::Added, Some(s)) => format!("{}..{}", enrich::format_since(s), end(to)),
            _ => end(to),
        },
    }
}

/// Changed components with AI commits first (most AI commits first), then the other changed
/// ones, then unchanged; by name within each.
fn order(deltas: &mut [Delta]) {
    deltas.sort_by(|a, b| {
        let rank = |d: &Delta| match (d.change, d.ai_commits > 0) {
            (Change::Unchanged, _) => 2,
            (_, true) => 0,
            (_, false) => 1,
        };
        rank(a)
            .cmp(&rank(b))
            .then(b.ai_commits.cmp(&a.ai_commits))
            .then(a.name.to_lowercase().cmp(&b.name.to_lowercase()))
            .then(a.key.cmp(&b.key))
    });
}

fn totals(deltas: &[Delta]) -> Totals {
    let mut t = Totals {
        changes: Change::ALL
            .iter()
            .map(|c| (c.as_str().to_string(), 0))
            .collect(),
        ..Totals::default()
    };
    for class in [
        Class::AiAgent,
        Class::AiAssisted,
        Class::Automation,
        Class::NoEvidence,
    ] {
        t.classes.insert(class.as_str().to_string(), 0);
    }
    for d in deltas {
        *t.changes.entry(d.change.as_str().to_string()).or_default() += 1;
        *t.statuses.entry(d.status.clone()).or_default() += 1;
        t.commits += d.commits.unwrap_or(0);
        for (k, v) in &d.classes {
            *t.classes.entry(k.clone()).or_default() += v;
        }
        for (k, v) in &d.tools {
            *t.tools.entry(k.clone()).or_default() += v;
        }
        t.ai_commits += d.ai_commits;
        t.ai_reviewed += d.ai_reviewed;
        t.review.add(&d.review);
        t.components_with_ai += u64::from(d.ai_commits > 0);
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_numerically_with_pre_and_post_releases() {
        use Ordering::*;
        let c = |a, b| compare_versions(a, b);
        assert_eq!(c("0.85.0", "0.86.1"), Some(Less));
        assert_eq!(c("1.10.0", "1.9.9"), Some(Greater));
        assert_eq!(c("1.2", "1.2.0"), Some(Equal));
        assert_eq!(c("v1.2.3", "1.2.3"), Some(Equal));
        assert_eq!(c("1.2.3rc1", "1.2.3"), Some(Less));
        assert_eq!(c("1.2.3-rc.2", "1.2.3-rc.10"), Some(Less));
        assert_eq!(c("1.2.3a1", "1.2.3b1"), Some(Less));
        assert_eq!(c("1.2.3.post1", "1.2.3"), Some(Greater));
        assert_eq!(c("1.2.3+build5", "1.2.3"), Some(Equal));
        assert_eq!(c("main", "1.0"), None);
    }

    fn comp(name: &str, version: &str, purl: Option<&str>) -> Component {
        Component {
            locator: format!("/components/{name}"),
            name: name.into(),
            version: Some(version.into()),
            purl: purl.map(str::to_string),
            ..Component::default()
        }
    }

    #[test]
    fn pairs_by_purl_without_version_then_name() {
        let old = Inventory {
            components: vec![
                comp("a", "1.0", Some("pkg:npm/a@1.0")),
                comp("b", "2.0", None),
                comp("gone", "1.0", Some("pkg:npm/gone@1.0")),
                comp("dup", "1.0", Some("pkg:npm/dup@1.0")),
                comp("dup", "2.0", Some("pkg:npm/dup@2.0")),
            ],
            relationships: vec![],
        };
        let new = Inventory {
            components: vec![
                comp("dup", "2.0", Some("pkg:npm/dup@2.0")),
                comp("dup", "3.0", Some("pkg:npm/dup@3.0")),
                comp("A", "1.1", Some("pkg:npm/a@1.1?x=y")),
                comp("b", "2.0", None),
                comp("fresh", "0.1", Some("pkg:npm/fresh@0.1")),
            ],
            relationships: vec![],
        };
        let p = pair(&old, &new);
        assert_eq!(
            p,
            vec![
                ("pkg:npm/a".to_string(), Some(0), Some(2)),
                ("name:b".to_string(), Some(1), Some(3)),
                ("pkg:npm/gone".to_string(), Some(2), None),
                ("pkg:npm/dup".to_string(), Some(4), Some(0)),
                ("pkg:npm/dup".to_string(), Some(3), Some(1)),
                ("pkg:npm/fresh".to_string(), None, Some(4)),
            ]
        );
    }

    #[test]
    fn commit_links_per_forge() {
        let id = "0123456789abcdef0123456789abcdef01234567";
        assert_eq!(
            commit_url("https://github.com/Aider-AI/aider", id).as_deref(),
            Some(
                "https://github.com/Aider-AI/aider/commit/0123456789abcdef0123456789abcdef01234567"
            )
        );
        assert_eq!(
            commit_url("https://gitlab.com/g/sub/p", id).as_deref(),
            Some("https://gitlab.com/g/sub/p/-/commit/0123456789abcdef0123456789abcdef01234567")
        );
        assert_eq!(commit_url("/tmp/repo.git", id), None);
        assert_eq!(commit_url("https://github.com/a/b", "HEAD"), None);
    }
}
