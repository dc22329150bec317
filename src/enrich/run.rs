//! Stage 2: run the walks of a [`Plan`]: classify and count every commit, write evidence lines
//! ([`Results`]).

use super::*;

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
    outcome: Outcome,
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
    if opts.review_all {
        results.summary.all_review = Some(Default::default());
    }
    if total == 0 {
        return Ok(results);
    }
    let want_evidence = evidence.is_some();
    let headers: Vec<WalkHeader> = plan
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
                            results.summary.add_change_reviewed(
                                r.class,
                                r.tool.as_deref(),
                                r.reviewed,
                                r.outcome,
                                r.time,
                            );
                        }
                    }
                } else {
                    results.summary.merge(&report.outcome.counts);
                }
                results
                    .summary
                    .review
                    .sources
                    .extend(report.outcome.counts.review.sources.iter().copied());
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
pub type WalkHeader = (Vec<String>, Vec<String>);

fn walk_header(walk: &Walk, inventory: &Inventory) -> WalkHeader {
    let comps = walk.components.iter().map(|i| &inventory.components[*i]);
    let refs = comps.clone().filter_map(|c| c.bom_ref.clone()).collect();
    let pointers = comps.map(|c| c.locator.clone()).collect();
    (refs, pointers)
}

fn walk_one(
    walk: &Walk,
    header: &WalkHeader,
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
    if let Some(index) = opts.reviews {
        counts.review.sources = index.sources(&walk.repository);
    }
    if opts.review_all {
        counts.all_review = Some(Default::default());
    }
    let walked = Repo::open(&walk.path).and_then(|repo| {
        let hopts = history::Options {
            rev: Some(revision.clone()),
            since: opts.since,
        };
        repo.walk(&hopts, |entry| {
            match entry {
                Entry::Commit(meta) => {
                    let verdict = classify::classify(&meta, opts.rules);
                    // Only AI commits are looked up (they are what the question is about),
                    // unless `--reviews all` asks for every commit.
                    let asked = (opts.review_all || verdict.class.is_ai()) && !meta.is_merge();
                    let review = match opts.reviews {
                        Some(index) if asked => review::review(
                            &meta,
                            index.lookup(&walk.repository, &meta.id),
                            opts.rules,
                        ),
                        _ => CommitReview::unknown(),
                    };
                    counts.add_reviewed(&meta, &verdict, review.outcome);
                    if !meta.is_merge() {
                        if let (true, Ok(id)) =
                            (keep_records, ObjectId::from_hex(meta.id.as_bytes()))
                        {
                            records.push(Record {
                                id,
                                class: verdict.class,
                                tool: verdict.tool.clone().filter(|_| verdict.class.is_ai()),
                                reviewed: !verdict.review.is_empty(),
                                outcome: review.outcome,
                                time: meta.author.time,
                            });
                        }
                        if want_evidence && verdict.class != Class::NoEvidence {
                            let line = EvidenceLine::new(
                                header,
                                &walk.repository,
                                &revision,
                                &meta,
                                &verdict,
                                &review,
                            );
                            crate::text::json_to_writer(&mut evidence, &line, false)
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

/// One line of the evidence file (JSON Lines; `schemas/evidence.schema.json`): a commit classed
/// other than `no-evidence`, with the components whose walk found it. Fields serialize in this
/// order; `tool` and `confidence` are `null` when absent.
#[derive(Debug, Serialize)]
pub struct EvidenceLine<'a> {
    /// bom-refs of the components the walk is for (components without one are left out).
    pub components: &'a [String],
    /// JSON pointers (or other locators) of the same components, every one.
    pub pointers: &'a [String],
    /// The canonical repository URL walked.
    pub repository: &'a str,
    /// The commit the walk started from.
    pub revision: &'a str,
    /// The commit, full hex id.
    pub commit: &'a str,
    /// Author date, RFC 3339 with the author's offset.
    pub date: String,
    /// The verdict's class (`ai-agent`, `ai-assisted`, `automation`).
    pub class: &'static str,
    /// The AI tool's slug, when the verdict names one.
    pub tool: Option<&'a str>,
    /// `high`, `medium` or `low`.
    pub confidence: Option<&'static str>,
    /// Ids of the rules that matched (evidence, then review), each once.
    pub rules: Vec<&'a str>,
    /// What matched, rule by rule.
    pub evidence: &'a [classify::Evidence],
    /// Review evidence.
    pub review: &'a [classify::Evidence],
    /// AI commits only: the review outcome (`approved`, `unapproved`, …, `unknown`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub review_outcome: Option<&'static str>,
    /// AI commits only: the merged pull/merge requests that brought the commit in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pull_requests: Option<&'a [review::RequestEvidence]>,
}

impl<'a> EvidenceLine<'a> {
    /// The line for `meta` classified as `v` with review `r`, found walking `revision` of
    /// `repository`. The review fields are present for AI classes only.
    pub fn new(
        header: &'a WalkHeader,
        repository: &'a str,
        revision: &'a str,
        meta: &'a history::CommitMeta,
        v: &'a classify::Verdict,
        r: &'a CommitReview,
    ) -> EvidenceLine<'a> {
        let ai = v.class.is_ai();
        let mut rules: Vec<&str> = Vec::new();
        for e in v.evidence.iter().chain(&v.review) {
            if !rules.contains(&e.rule.as_str()) {
                rules.push(&e.rule);
            }
        }
        EvidenceLine {
            components: &header.0,
            pointers: &header.1,
            repository,
            revision,
            commit: &meta.id,
            date: meta.author.time.to_rfc3339(),
            class: v.class.as_str(),
            tool: v.tool.as_deref(),
            confidence: v.confidence.map(|c| c.as_str()),
            rules,
            evidence: &v.evidence,
            review: &v.review,
            review_outcome: ai.then(|| r.outcome.as_str()),
            pull_requests: ai.then_some(r.pull_requests.as_slice()),
        }
    }
}
/// The AI commits (non-merge, ai-agent or ai-assisted) of every walk of `plan`, per repository
/// (as named in the walks), without repeats: what a forge is asked about before [`run`]. Walks
/// that fail give nothing (their components end as `error` in [`run`] anyway). Must be called
/// from outside `pool`.
pub fn ai_commits(
    plan: &Plan,
    opts: &Options<'_>,
    pool: &rayon::ThreadPool,
) -> Vec<(String, Vec<String>)> {
    let found: Vec<(String, Vec<String>)> = pool.install(|| {
        use rayon::prelude::*;
        plan.walks
            .par_iter()
            .map(|walk| {
                let mut ids = Vec::new();
                let revision = walk.revision.to_string();
                let _ = Repo::open(&walk.path).and_then(|repo| {
                    let hopts = history::Options {
                        rev: Some(revision),
                        since: opts.since,
                    };
                    repo.walk(&hopts, |entry| {
                        if let Entry::Commit(meta) = entry {
                            if !meta.is_merge()
                                && (opts.review_all
                                    || classify::classify(&meta, opts.rules).class.is_ai())
                            {
                                ids.push(meta.id);
                            }
                        }
                        true
                    })
                });
                (walk.repository.clone(), ids)
            })
            .collect()
    });
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    let mut seen: HashMap<String, (usize, HashSet<String>)> = HashMap::new();
    for (repository, ids) in found {
        let (i, set) = seen.entry(repository.clone()).or_insert_with(|| {
            out.push((repository, Vec::new()));
            (out.len() - 1, HashSet::new())
        });
        for id in ids {
            if set.insert(id.clone()) {
                out[*i].1.push(id);
            }
        }
    }
    out
}
