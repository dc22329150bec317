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

struct Report {
    outcome: WalkOutcome,
    evidence: Vec<u8>,
    cached: bool,
}

/// What a worker sends back: a finished walk, or the distinct-commit totals of a repository
/// walked at several revisions (for the summary).
enum Message {
    Walk(usize, Report),
    Group(usize, Counts),
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
        let commits = store.get_evidence(&entry.evidence, entry.evidence_lines, &entry.counts)?;
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
    // One unit of work per repository (all its revisions share one traversal), longest first
    // (LPT scheduling); evidence is still written in plan order.
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); groups];
    for (i, w) in plan.walks.iter().enumerate() {
        members[w.repo].push(i);
    }
    let mut order: Vec<usize> = (0..groups).filter(|g| !members[*g].is_empty()).collect();
    order.sort_by_key(|g| {
        let weight = members[*g].iter().map(|i| plan.walks[*i].weight).max();
        (std::cmp::Reverse(weight), members[*g][0])
    });
    let units = order.len();
    let next = AtomicUsize::new(0);
    let mut group_failed = vec![false; groups];
    let mut pending: BTreeMap<usize, Vec<u8>> = BTreeMap::new();
    let mut next_to_write = 0usize;
    let mut done = 0usize;
    let mut write_error: Option<std::io::Error> = None;
    let (tx, rx) = std::sync::mpsc::channel::<Message>();
    pool.in_place_scope(|scope| {
        for _ in 0..pool.current_num_threads().min(units) {
            let tx = tx.clone();
            let (next, headers, order, group_known, members) =
                (&next, &headers, &order, &group_known, &members);
            scope.spawn(move |_| loop {
                let k = next.fetch_add(1, Ordering::Relaxed);
                if k >= units {
                    break;
                }
                let g = order[k];
                let need_group = plan.walks_per_repo[g] > 1 && !group_known[g];
                let mut to_walk = Vec::new();
                for &i in &members[g] {
                    let cached = match store {
                        Some(store) if !need_group => {
                            from_store(store, &plan.walks[i], &headers[i], opts, want_evidence)
                        }
                        _ => None,
                    };
                    match cached {
                        Some(report) => {
                            if tx.send(Message::Walk(i, report)).is_err() {
                                return;
                            }
                        }
                        None => to_walk.push(i),
                    }
                }
                if to_walk.is_empty() {
                    continue;
                }
                let walked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    walk_repository(
                        plan,
                        &to_walk,
                        headers,
                        opts,
                        need_group,
                        want_evidence,
                        store,
                    )
                }));
                let (reports, group) = walked.unwrap_or_else(|panic| {
                    let what = panic
                        .downcast_ref::<&str>()
                        .map(|s| s.to_string())
                        .or_else(|| panic.downcast_ref::<String>().cloned())
                        .unwrap_or_default();
                    let reason = format!("internal error while walking: {what}");
                    (failed_all(&to_walk, &reason), None)
                });
                for (i, report) in to_walk.iter().zip(reports) {
                    if tx.send(Message::Walk(*i, report)).is_err() {
                        return;
                    }
                }
                if let Some(counts) = group {
                    if tx.send(Message::Group(g, counts)).is_err() {
                        return;
                    }
                }
            });
        }
        drop(tx);
        for message in rx.iter() {
            let (i, mut report) = match message {
                Message::Walk(i, report) => (i, report),
                Message::Group(g, counts) => {
                    group_counts[g] = Some(counts);
                    continue;
                }
            };
            let walk = &plan.walks[i];
            if report.outcome.failure.is_none() {
                if plan.walks_per_repo[walk.repo] <= 1 {
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

/// What one decoded commit adds to a walk that reaches it: the same for every walk of its
/// repository (per repository name, when review data is looked up by name).
struct Contribution {
    merge: bool,
    class: Class,
    tool: Option<String>,
    trailers: bool,
    time: Time,
    /// Per repository name of the walks: the review outcome and the evidence (kept only when
    /// wanted, for non-merge commits classed other than `no-evidence`).
    named: Vec<(Outcome, Option<results::CommitEvidence>)>,
}

/// The per-repository index key of stored traversals: repository, `--since`, rules digest.
fn graph_key(repository: &str, opts: &Options<'_>) -> String {
    serde_json::to_string(&("graph", repository, opts.since, opts.rules.digest()))
        .expect("a key serializes")
}

type Contributions = Vec<Option<Result<Contribution, String>>>;

/// The largest stored traversal for `key` and its commits' contributions, when sound.
fn load_graph(
    store: &results::Store,
    key: &str,
    since: Option<i64>,
) -> Option<(history::Traversal, Contributions)> {
    let entry = store.index(key).into_iter().max_by_key(|e| e.nodes)?;
    let graph = store.get_graph(&entry.graph)?;
    let mut nodes = Vec::with_capacity(graph.nodes.len());
    let mut contributions = Vec::with_capacity(graph.nodes.len());
    for node in graph.nodes {
        let id = ObjectId::from_hex(node.id.as_bytes()).ok()?;
        let decoded = since.is_none_or(|s| node.time >= s);
        if decoded != node.commit.is_some() {
            return None;
        }
        contributions.push(match node.commit {
            Some(c) => Some(Ok(Contribution {
                merge: c.merge,
                class: c.class()?,
                tool: c.tool,
                trailers: c.trailers,
                time: Time {
                    seconds: c.author_time.0,
                    offset: c.author_time.1,
                },
                named: vec![(Outcome::Unknown, c.evidence)],
            })),
            None => None,
        });
        nodes.push((id, node.time, node.parents));
    }
    let traversal = history::Traversal::from_nodes(since, nodes)?;
    Some((traversal, contributions))
}

/// Store a traversal without unreadable commits as a graph and record it in the index.
fn save_graph(
    store: &results::Store,
    key: &str,
    traversal: &history::Traversal,
    contributions: &Contributions,
) {
    let Some(nodes) = traversal.nodes() else {
        return;
    };
    let mut stored = Vec::with_capacity(nodes.len());
    for (n, (id, time, parents)) in nodes.into_iter().enumerate() {
        let commit = match contributions.get(n) {
            Some(Some(Err(_))) => return,
            Some(Some(Ok(c))) => Some(results::StoredCommit {
                merge: c.merge,
                class: c.class.as_str().to_string(),
                tool: c.tool.clone(),
                trailers: c.trailers,
                author_time: (c.time.seconds, c.time.offset),
                evidence: c.named.first().and_then(|(_, e)| e.clone()),
            }),
            _ => None,
        };
        stored.push(results::StoredNode {
            id: id.to_string(),
            time,
            parents,
            commit,
        });
    }
    let count = stored.len() as u64;
    let bytes =
        serde_json::to_vec(&results::StoredGraph { nodes: stored }).expect("a graph serializes");
    let written = store
        .put_blob(results::Kind::Graph, &bytes)
        .and_then(|graph| {
            store.put_index(
                key,
                &results::IndexEntry {
                    graph,
                    nodes: count,
                },
            )
        });
    if let Err(e) = written {
        tracing::debug!("results store: not written: {e}");
    }
}

/// The failure of every walk in `walks`, for one reason.
fn failed_all(walks: &[usize], reason: &str) -> Vec<Report> {
    walks
        .iter()
        .map(|_| Report {
            outcome: WalkOutcome {
                failure: Some(one_line(reason)),
                ..WalkOutcome::default()
            },
            evidence: Vec::new(),
            cached: false,
        })
        .collect()
}

/// Walk the walks `walks` (indices into [`Plan::walks`], all of one local repository) with one
/// traversal: every commit read, decoded and classified once ([`Repo::traverse`]), then each
/// walk's counts and evidence from its replay ([`history::Traversal::replay`]): the same values
/// and order as walking each revision on its own. With `need_group`, also the distinct-commit
/// totals over the walks that succeed (none when every walk fails).
fn walk_repository(
    plan: &Plan,
    walks: &[usize],
    headers: &[WalkHeader],
    opts: &Options<'_>,
    need_group: bool,
    want_evidence: bool,
    store: Option<&results::Store>,
) -> (Vec<Report>, Option<Counts>) {
    let start = Instant::now();
    let first = &plan.walks[walks[0]];
    if !first.path.exists() {
        let reasons: Vec<Report> = walks
            .iter()
            .flat_map(|i| {
                failed_all(
                    &[*i],
                    &format!(
                        "{} is not here and the results store has no entry for this walk",
                        plan.walks[*i].repository
                    ),
                )
            })
            .collect();
        return (reasons, None);
    }
    let repo = match Repo::open(&first.path) {
        Ok(repo) => repo,
        Err(e) => return (failed_all(walks, &error_chain(&e)), None),
    };
    let keep_evidence = want_evidence || store.is_some();
    // Review answers are looked up by repository name: one set per distinct name when review
    // data takes part, else one for all.
    let mut names: Vec<&str> = Vec::new();
    let name_of: Vec<usize> = walks
        .iter()
        .map(|i| {
            let name = plan.walks[*i].repository.as_str();
            if opts.reviews.is_none() && !names.is_empty() {
                return 0;
            }
            match names.iter().position(|n| *n == name) {
                Some(k) => k,
                None => {
                    names.push(name);
                    names.len() - 1
                }
            }
        })
        .collect();
    let resolved: Vec<Result<ObjectId, history::Error>> = walks
        .iter()
        .map(|i| repo.resolve(Some(&plan.walks[*i].revision.to_string())))
        .collect();
    let tips: Vec<ObjectId> = resolved
        .iter()
        .filter_map(|r| r.as_ref().ok())
        .copied()
        .collect();
    // Incremental: the largest traversal of this repository the store holds (same `--since`
    // and rules) is continued, so only the commits it lacks are read and classified. Not with
    // git-ai notes (they can change) or a shallow copy (a later fetch may deepen it).
    let graph_key = store
        .filter(|_| !repo.has_notes() && !repo.is_shallow())
        .map(|_| graph_key(&first.repository, opts));
    let (base, mut contributions) = match (store, &graph_key) {
        (Some(store), Some(key)) => load_graph(store, key, opts.since).unwrap_or_else(|| {
            (
                history::Traversal::from_nodes(opts.since, Vec::new()).unwrap_or_default(),
                Vec::new(),
            )
        }),
        _ => (
            history::Traversal::from_nodes(opts.since, Vec::new()).unwrap_or_default(),
            Vec::new(),
        ),
    };
    let stored = base.len();
    let (traversal, tip_nodes) = repo.traverse_from(base, &tips, |n, raw| {
        if contributions.len() <= n {
            contributions.resize_with(n + 1, || None);
        }
        let meta = match raw.parse() {
            Entry::Commit(meta) => meta,
            Entry::Error { message, .. } => {
                contributions[n] = Some(Err(message));
                return;
            }
        };
        let verdict = classify::classify(&meta, opts.rules);
        // Only AI commits are looked up (they are what the question is about), unless
        // `--reviews all` asks for every commit.
        let asked = (opts.review_all || verdict.class.is_ai()) && !meta.is_merge();
        let named = names
            .iter()
            .map(|name| {
                let review = match opts.reviews {
                    Some(index) if asked => {
                        review::review(&meta, index.lookup(name, &meta.id), opts.rules)
                    }
                    _ => CommitReview::unknown(),
                };
                let evidence =
                    (keep_evidence && !meta.is_merge() && verdict.class != Class::NoEvidence)
                        .then(|| commit_evidence(&meta, &verdict, &review));
                (review.outcome, evidence)
            })
            .collect();
        contributions[n] = Some(Ok(Contribution {
            merge: meta.is_merge(),
            class: verdict.class,
            tool: verdict.tool.clone(),
            trailers: !verdict.review.is_empty(),
            time: meta.author.time,
            named,
        }));
    });
    tracing::debug!(
        "{}: one traversal for {} revision(s): {} commits read, {} decoded, {} from the results store",
        first.repository,
        walks.len(),
        traversal.read,
        traversal.decoded,
        stored
    );
    if let (Some(store), Some(key), true) = (store, &graph_key, traversal.decoded > 0) {
        save_graph(store, key, &traversal, &contributions);
    }
    let mut tip_nodes = tip_nodes.into_iter();
    let mut group = need_group.then(Counts::new);
    let mut in_group = vec![false; if need_group { traversal.len() } else { 0 }];
    let mut any_success = false;
    let mut reports = Vec::with_capacity(walks.len());
    for (k, (i, resolved)) in walks.iter().zip(resolved).enumerate() {
        let walk = &plan.walks[*i];
        if let Err(e) = resolved {
            reports.extend(failed_all(&[*i], &error_chain(&e)));
            continue;
        }
        let tip = tip_nodes.next().expect("one node per resolved tip");
        let mut counts = Counts::new();
        if let Some(index) = opts.reviews {
            counts.review.sources = index.sources(&walk.repository);
        }
        if opts.review_all {
            counts.all_review = Some(Default::default());
        }
        let mut commits: Vec<results::CommitEvidence> = Vec::new();
        let mut first_error: Option<String> = None;
        let steps = traversal.replay(tip);
        for step in &steps {
            match *step {
                history::Step::Commit(n) => match contributions.get(n).and_then(Option::as_ref) {
                    Some(Ok(c)) if c.merge => counts.merges += 1,
                    Some(Ok(c)) => {
                        let (outcome, evidence) = &c.named[name_of[k]];
                        counts.add_change_reviewed(
                            c.class,
                            c.tool.as_deref(),
                            c.trailers,
                            *outcome,
                            c.time,
                        );
                        if let Some(e) = evidence {
                            commits.push(e.clone());
                        }
                    }
                    // Read but not decodable: what `Repo::walk` reports as an error entry.
                    other => {
                        let message = match other {
                            Some(Err(message)) => message.as_str(),
                            _ => "commit not decoded",
                        };
                        counts.errors += 1;
                        first_error
                            .get_or_insert_with(|| format!("{}: {message}", traversal.id(n)));
                    }
                },
                history::Step::Error(n) => {
                    counts.errors += 1;
                    first_error.get_or_insert_with(|| {
                        format!(
                            "{}: {}",
                            traversal.id(n),
                            traversal.error(n).unwrap_or_default()
                        )
                    });
                }
            }
        }
        let failure = (counts.errors > 0).then(|| {
            one_line(&format!(
                "{} commit(s) of {} could not be read (first: {})",
                counts.errors,
                walk.path.display(),
                first_error.unwrap_or_default()
            ))
        });
        if failure.is_none() {
            any_success = true;
            if let Some(group) = &mut group {
                let (name, c_of) = (name_of[k], &contributions);
                for step in &steps {
                    let history::Step::Commit(n) = *step else {
                        continue;
                    };
                    let Some(Ok(c)) = c_of.get(n).and_then(Option::as_ref) else {
                        continue;
                    };
                    if c.merge || std::mem::replace(&mut in_group[n], true) {
                        continue;
                    }
                    group.add_change_reviewed(
                        c.class,
                        c.tool.as_deref().filter(|_| c.class.is_ai()),
                        c.trailers,
                        c.named[name].0,
                        c.time,
                    );
                }
            }
            if let Some(store) = store {
                to_store(store, walk, opts, &counts, &commits);
            }
        }
        let evidence = match want_evidence {
            true => evidence_bytes(&headers[*i], walk, &walk.revision.to_string(), &commits),
            false => Vec::new(),
        };
        reports.push(Report {
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
            evidence,
            cached: false,
        });
    }
    (reports, group.filter(|_| any_success))
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
