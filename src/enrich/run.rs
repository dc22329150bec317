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
        /// Whether the results store answered (nothing was walked).
        cached: bool,
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
    cached: bool,
}

/// The results store as a run uses it: walk entries only when the counts depend on nothing
/// outside the key (no review data or forge answers).
fn usable_store<'a>(opts: &Options<'a>) -> Option<&'a results::Store> {
    opts.store
        .filter(|_| opts.reviews.is_none() && !opts.review_all)
}

/// The key of a walk entry: repository, commit, `--since`, rules digest.
fn walk_key(walk: &Walk, opts: &Options<'_>) -> String {
    serde_json::to_string(&(
        "walk",
        &walk.repository,
        walk.revision.to_string(),
        opts.since,
        opts.rules.digest(),
    ))
    .expect("a key serializes")
}

/// The key of a group entry: one repository's distinct-commit totals over the revisions walked.
fn group_key(plan: &Plan, repo: usize, opts: &Options<'_>) -> Option<String> {
    let walks: Vec<&Walk> = plan.walks.iter().filter(|w| w.repo == repo).collect();
    let first = walks.first()?;
    let mut revisions: Vec<String> = walks.iter().map(|w| w.revision.to_string()).collect();
    revisions.sort();
    Some(
        serde_json::to_string(&(
            "group",
            &first.repository,
            revisions,
            opts.since,
            opts.rules.digest(),
        ))
        .expect("a key serializes"),
    )
}

/// The evidence bytes of a walk: one line per commit, the walk's header first.
fn evidence_bytes(
    header: &WalkHeader,
    walk: &Walk,
    revision: &str,
    commits: &[results::CommitEvidence],
) -> Vec<u8> {
    let mut out = Vec::new();
    for c in commits {
        let line = EvidenceLine {
            components: &header.0,
            pointers: &header.1,
            repository: &walk.repository,
            revision,
            commit: c,
        };
        crate::text::json_to_writer(&mut out, &line, false).expect("writing JSON to a Vec");
        out.push(b'\n');
    }
    out
}

/// A walk answered by the store, when it holds a sound entry (and its evidence, when wanted).
fn from_store(
    store: &results::Store,
    walk: &Walk,
    header: &WalkHeader,
    opts: &Options<'_>,
    want_evidence: bool,
) -> Option<Report> {
    let start = Instant::now();
    let entry: results::WalkEntry = store.get(results::Kind::Walk, &walk_key(walk, opts))?;
    let counts = entry.counts.counts()?;
    let mut evidence = Vec::new();
    if want_evidence {
        let blob = store.get_blob(results::Kind::Evidence, &entry.evidence)?;
        let mut commits = Vec::new();
        for line in blob.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
            commits.push(serde_json::from_slice::<results::CommitEvidence>(line).ok()?);
        }
        if commits.len() as u64 != entry.evidence_lines {
            return None;
        }
        evidence = evidence_bytes(header, walk, &walk.revision.to_string(), &commits);
    }
    Some(Report {
        outcome: WalkOutcome {
            counts,
            failure: None,
            evidence_lines: if want_evidence {
                entry.evidence_lines
            } else {
                0
            },
            elapsed: start.elapsed(),
        },
        records: Vec::new(),
        evidence,
        cached: true,
    })
}

/// Store a successful walk: its evidence file, then its entry.
fn to_store(
    store: &results::Store,
    walk: &Walk,
    opts: &Options<'_>,
    counts: &Counts,
    commits: &[results::CommitEvidence],
) {
    let mut blob = Vec::new();
    for c in commits {
        serde_json::to_writer(&mut blob, c).expect("writing JSON to a Vec");
        blob.push(b'\n');
    }
    let written = store
        .put_blob(results::Kind::Evidence, &blob)
        .and_then(|digest| {
            store.put(
                results::Kind::Walk,
                &walk_key(walk, opts),
                &results::WalkEntry {
                    counts: results::StoredCounts::new(counts),
                    evidence_lines: commits.len() as u64,
                    evidence: digest,
                },
            )
        });
    if let Err(e) = written {
        tracing::debug!("results store: not written: {e}");
    }
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
    let store = usable_store(opts);
    let headers: Vec<WalkHeader> = plan
        .walks
        .iter()
        .map(|w| walk_header(w, inventory))
        .collect();
    // Repositories walked at several revisions: their distinct-commit totals, from the store
    // when it has them (then no walk of theirs needs per-commit records).
    let groups = plan.walks_per_repo.len();
    let group_keys: Vec<Option<String>> = (0..groups)
        .map(|g| match (store, plan.walks_per_repo[g] > 1) {
            (Some(_), true) => group_key(plan, g, opts),
            _ => None,
        })
        .collect();
    let mut group_counts: Vec<Option<Counts>> = group_keys
        .iter()
        .map(|k| {
            let (store, key) = (store?, k.as_ref()?);
            store
                .get::<results::StoredCounts>(results::Kind::Group, key)?
                .counts()
        })
        .collect();
    let group_known: Vec<bool> = group_counts.iter().map(Option::is_some).collect();
    // Longest first (LPT scheduling); evidence is still written in plan order.
    let mut order: Vec<usize> = (0..total).collect();
    order.sort_by_key(|i| (std::cmp::Reverse(plan.walks[*i].weight), *i));
    let next = AtomicUsize::new(0);
    let mut seen: HashMap<usize, HashSet<ObjectId>> = HashMap::new();
    let mut group_failed = vec![false; groups];
    let mut pending: BTreeMap<usize, Vec<u8>> = BTreeMap::new();
    let mut next_to_write = 0usize;
    let mut done = 0usize;
    let mut write_error: Option<std::io::Error> = None;
    let (tx, rx) = std::sync::mpsc::channel::<(usize, Report)>();
    pool.in_place_scope(|scope| {
        for _ in 0..pool.current_num_threads().min(total) {
            let tx = tx.clone();
            let (next, headers, order, group_known) = (&next, &headers, &order, &group_known);
            scope.spawn(move |_| loop {
                let k = next.fetch_add(1, Ordering::Relaxed);
                if k >= total {
                    break;
                }
                let i = order[k];
                let walk = &plan.walks[i];
                let multi = plan.walks_per_repo[walk.repo] > 1;
                let keep_records = multi && !group_known[walk.repo];
                let cached = match store {
                    Some(store) if !keep_records => {
                        from_store(store, walk, &headers[i], opts, want_evidence)
                    }
                    _ => None,
                };
                let report = cached.unwrap_or_else(|| {
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        walk_one(walk, &headers[i], opts, keep_records, want_evidence, store)
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
                            cached: false,
                        }
                    })
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
                    if !group_known[walk.repo] {
                        let seen = seen.entry(walk.repo).or_default();
                        let group = group_counts[walk.repo].get_or_insert_with(Counts::new);
                        for r in &report.records {
                            if seen.insert(r.id) {
                                group.add_change_reviewed(
                                    r.class,
                                    r.tool.as_deref(),
                                    r.reviewed,
                                    r.outcome,
                                    r.time,
                                );
                            }
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
                group_failed[walk.repo] = true;
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
                cached: report.cached,
            });
            if write_error.is_some() {
                break; // dropping the receiver stops the workers at their next send
            }
        }
    });
    if write_error.is_none() {
        for (g, counts) in group_counts.iter().enumerate() {
            let Some(counts) = counts else { continue };
            results.summary.merge(counts);
            if let (Some(store), Some(key), false, false) =
                (store, &group_keys[g], group_known[g], group_failed[g])
            {
                if let Err(e) = store.put(
                    results::Kind::Group,
                    key,
                    &results::StoredCounts::new(counts),
                ) {
                    tracing::debug!("results store: not written: {e}");
                }
            }
        }
    }
    if let Some(store) = store {
        let t = store.tally();
        tracing::info!(
            "results store: {} of {} walks answered, {} walked; {} corrupt entries recomputed",
            t.hits,
            total,
            total as u64 - t.hits.min(total as u64),
            t.corrupt
        );
    }
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
    store: Option<&results::Store>,
) -> Report {
    let start = Instant::now();
    let mut counts = Counts::new();
    let mut records = Vec::new();
    let mut commits: Vec<results::CommitEvidence> = Vec::new();
    let keep_evidence = want_evidence || store.is_some();
    let mut first_error: Option<String> = None;
    let revision = walk.revision.to_string();
    if let Some(index) = opts.reviews {
        counts.review.sources = index.sources(&walk.repository);
    }
    if opts.review_all {
        counts.all_review = Some(Default::default());
    }
    if !walk.path.exists() {
        return Report {
            outcome: WalkOutcome {
                failure: Some(one_line(&format!(
                    "{} is not here and the results store has no entry for this walk",
                    walk.repository
                ))),
                ..WalkOutcome::default()
            },
            records: Vec::new(),
            evidence: Vec::new(),
            cached: false,
        };
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
                        if keep_evidence && verdict.class != Class::NoEvidence {
                            commits.push(commit_evidence(&meta, &verdict, &review));
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
    if let (Some(store), None) = (store, &failure) {
        to_store(store, walk, opts, &counts, &commits);
    }
    let evidence = match want_evidence {
        true => evidence_bytes(header, walk, &revision, &commits),
        false => Vec::new(),
    };
    Report {
        outcome: WalkOutcome {
            counts,
            failure,
            evidence_lines: if want_evidence {
                commits.len() as u64
            } else {
                0
            },
            elapsed: start.elapsed(),
        },
        records,
        evidence,
        cached: false,
    }
}

/// One line of the evidence file (JSON Lines; `schemas/evidence.schema.json`): a commit classed
/// other than `no-evidence`, with the components whose walk found it. Fields serialize in this
/// order (the commit's own fields flattened after `revision`); `tool` and `confidence` are
/// `null` when absent.
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
    /// The commit and its verdict: the same for every walk that reaches it (what the results
    /// store keeps).
    #[serde(flatten)]
    pub commit: &'a results::CommitEvidence,
}

/// The per-commit part of an evidence line for `meta` classified as `v` with review `r`. The
/// review fields are present for AI classes only.
pub fn commit_evidence(
    meta: &history::CommitMeta,
    v: &classify::Verdict,
    r: &CommitReview,
) -> results::CommitEvidence {
    let ai = v.class.is_ai();
    let mut rules: Vec<String> = Vec::new();
    for e in v.evidence.iter().chain(&v.review) {
        if !rules.contains(&e.rule) {
            rules.push(e.rule.clone());
        }
    }
    results::CommitEvidence {
        commit: meta.id.clone(),
        date: meta.author.time.to_rfc3339(),
        class: v.class.as_str().to_string(),
        tool: v.tool.clone(),
        confidence: v.confidence.map(|c| c.as_str().to_string()),
        rules,
        evidence: v.evidence.clone(),
        review: v.review.clone(),
        review_outcome: ai.then(|| r.outcome.as_str().to_string()),
        pull_requests: ai
            .then(|| serde_json::to_value(&r.pull_requests).expect("requests serialize to JSON")),
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
