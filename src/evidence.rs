//! SOC 2 CC8.1 change evidence for a release range of one's own repository: one change record
//! per non-merge commit of `A..B` (reachable from B, not from A), with the class and tool that
//! `aiprov commits` gives it, who wrote it (and with which AI agent and model, as its trailers
//! state), who asked for it where stated, who reviewed, approved and tested it, and the pull
//! request that brought it in; then metrics, and a CycloneDX 1.6 attestation (CDXA) that maps
//! the records onto CC8.1.
//!
//! Review evidence is what the review rules (`enrichers/review.toml`, `ai-signals.md` §4) find
//! in the commit itself: `Reviewed-by:`, `Acked-by:`, `Approved-by:`, `Tested-by:`, Gerrit,
//! Phabricator, Piper, the PyTorch merge bot. A pull-request merge commit by another person is
//! recorded (`pull_request`, and its author among `reviewers` with `via: "pr-merge"`), but it is
//! not review evidence: git alone cannot show that the person who merged approved the change.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;

use serde::Serialize;
use serde_json::{json, Value};

use crate::aggregate::Counts;
use crate::classify::{self, message, Evidence, RuleSet, Verdict};
use crate::history::{self, CommitMeta, Entry, Hidden, Options, Repo, Signature};
use crate::review::{self, CommitReview, Outcome, RequestEvidence, ReviewIndex};

/// A revision range `A..B`: the commits reachable from `to` and not from `from`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Range {
    /// A (`None` walks everything reachable from B).
    pub from: Option<String>,
    /// B.
    pub to: String,
}

impl Range {
    /// `A..B`; an empty side is `HEAD` (as in git: `v1.0..` is `v1.0..HEAD`).
    pub fn parse(s: &str) -> Result<Range, String> {
        let shown = crate::text::bounded(s, 200);
        if s.contains("...") {
            return Err(format!(
                "`{shown}`: a symmetric range (A...B) is not a release range; use A..B"
            ));
        }
        let Some((a, b)) = s.split_once("..") else {
            return Err(format!(
                "`{shown}` is not a range; expected A..B, e.g. v1.2.0..v1.3.0"
            ));
        };
        if b.contains("..") {
            return Err(format!("`{shown}` holds more than one `..`"));
        }
        let side = |x: &str| {
            if x.trim().is_empty() {
                "HEAD".to_string()
            } else {
                x.trim().to_string()
            }
        };
        Ok(Range {
            from: Some(side(a)),
            to: side(b),
        })
    }

    /// As written back: `A..B`.
    pub fn text(&self) -> String {
        match &self.from {
            Some(a) => format!("{a}..{}", self.to),
            None => self.to.clone(),
        }
    }
}

/// A person as recorded in a commit header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Person {
    /// Name.
    pub name: String,
    /// E-mail.
    pub email: String,
    /// RFC 3339 with the recorded offset.
    pub time: String,
}

impl Person {
    fn from(s: &Signature) -> Person {
        Person {
            name: s.name.clone(),
            email: s.email.clone(),
            time: s.time.to_rfc3339(),
        }
    }
}

/// A person named in a trailer or line, and where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Named {
    /// The name, when given.
    pub name: Option<String>,
    /// The e-mail (or a GitHub login URL's login), when given.
    pub email: Option<String>,
    /// Where it was stated: the trailer key (`Reviewed-by`), `pr-merge`, `author`, …
    pub via: String,
}

/// The AI agent of a commit, as its metadata states it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AiAgent {
    /// The tool slug of the classifier's verdict (`aider`, `claude-code`, …).
    pub tool: Option<String>,
    /// The agent's name as written (`aider`, `Claude Opus 4.6`, `Claude Code`, `OpenHands-GPT-5`).
    pub name: Option<String>,
    /// The model, where stated (`gemini/gemini-2.5-pro` from `aider (MODEL)`, `Assisted-by: AGENT:MODEL`).
    pub model: Option<String>,
    /// The agent's version, where stated (e.g. `AI-Generated: Tool 1.2.3`).
    pub version: Option<String>,
}

/// A `Key: value` trailer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Trailer {
    /// Key as written.
    pub key: String,
    /// Value.
    pub value: String,
}

/// The pull request that brought a commit in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PullRequest {
    /// The number, from `Merge pull request #N` or a squash subject's `(#N)`.
    pub number: Option<u64>,
    /// `merge` (a merge commit) or `squash` (the commit is the squashed pull request).
    pub kind: &'static str,
    /// The merge commit.
    pub merge_commit: Option<String>,
    /// The merge commit's author (who merged).
    pub merged_by: Option<Person>,
    /// The merge commit's committer date.
    pub merged_at: Option<String>,
}

/// One change record (one non-merge commit).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChangeRecord {
    /// Full commit id.
    pub commit: String,
    /// First line, bounded.
    pub subject: String,
    /// Author header.
    pub author: Person,
    /// Committer header.
    pub committer: Person,
    /// `ai-agent`, `ai-assisted`, `automation`, `no-evidence`.
    pub class: &'static str,
    /// Tool slug or `null`.
    pub tool: Option<String>,
    /// `high`, `medium`, `low` or `null`.
    pub confidence: Option<&'static str>,
    /// The rules that decided the class.
    pub evidence: Vec<Evidence>,
    /// The AI agent, for AI commits.
    pub ai: Option<AiAgent>,
    /// The human who asked for the change, where stated.
    pub prompted_by: Option<Named>,
    /// Review evidence found by the review rules.
    pub review: Vec<Evidence>,
    /// People named as reviewers (trailers the review rules accept) and who merged its pull
    /// request when that is someone else.
    pub reviewers: Vec<Named>,
    /// The date of review: the committer date when the commit carries review evidence (trailers
    /// are written when the reviewed change is applied), else the pull request's merge date.
    pub review_date: Option<String>,
    /// People named as approving (`Approved-by:`, `Acked-by:`, PyTorch `Approved by:`).
    pub approval: Vec<Named>,
    /// Testing trailers (`Tested-by:`, `Test-Plan:`, `Testing:`, …).
    pub testing: Vec<Trailer>,
    /// The pull request that brought it in.
    pub pull_request: Option<PullRequest>,
    /// Whether it carries review evidence: review trailers, or an approval that counts on a
    /// merged request that brought it in.
    pub reviewed: bool,
    /// With review data: `approved`, `merged-unapproved`, `no-pull-request` or `unknown`
    /// (`crate::review`); absent without review data.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub review_outcome: Option<&'static str>,
    /// With review data: the merged requests that brought it in, their approvals (counted and
    /// not), who merged them and when, their checks.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub pull_requests: Vec<RequestEvidence>,
}

impl ChangeRecord {
    /// Whether an AI agent or assistant wrote some of it.
    pub fn is_ai(&self) -> bool {
        matches!(self.class, "ai-agent" | "ai-assisted")
    }
}

/// Metrics over the range.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Metrics {
    /// Non-merge commits (change records).
    pub commits: u64,
    /// Merge commits walked.
    pub merges: u64,
    /// Non-merge commits per class.
    pub classes: BTreeMap<&'static str, u64>,
    /// AI commits per tool.
    pub tools: BTreeMap<String, u64>,
    /// AI commits (ai-agent + ai-assisted).
    pub ai_commits: u64,
    /// AI commits with review evidence.
    pub ai_with_review_evidence: u64,
    /// Their share of AI commits, in percent (one decimal); `null` without AI commits.
    pub ai_with_review_evidence_percent: Option<f64>,
    /// Commits with review evidence, AI or not.
    pub commits_with_review_evidence: u64,
    /// Human review coverage: commits with review evidence / commits, in percent.
    pub human_review_coverage_percent: Option<f64>,
    /// Commits brought in by a pull request (merge or squash).
    pub commits_via_pull_request: u64,
    /// With review data: the review outcome of the AI commits; absent without.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub review: Option<ReviewMetrics>,
}

/// The review partition of the AI commits of a range (as `aiprov:review:ai-*`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReviewMetrics {
    /// Approved through a merged request.
    pub ai_approved: u64,
    /// No review trailers; merged through requests without a counting approval.
    pub ai_merged_unapproved: u64,
    /// No review trailers; no merged request brought it in.
    pub ai_no_pull_request: u64,
    /// No review trailers; not looked up.
    pub ai_unknown: u64,
    /// `trailers` and the other sources, comma-separated.
    pub source: String,
}

/// The evidence for one range.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RangeEvidence {
    /// The repository as given.
    pub repository: String,
    /// The range as given.
    pub range: String,
    /// A's commit id.
    pub from: Option<String>,
    /// B's commit id.
    pub to: String,
    /// Metrics.
    pub metrics: Metrics,
    /// AI commits without review evidence (ids), newest first.
    pub ai_without_review_evidence: Vec<String>,
    /// One record per non-merge commit, newest first.
    pub records: Vec<ChangeRecord>,
    /// Commits that could not be read: `{id, error}`.
    pub errors: Vec<ReadError>,
}

/// A commit that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReadError {
    /// Commit id.
    pub id: String,
    /// What went wrong.
    pub error: String,
}

/// Walk `range` in `repo` and build the change records.
pub fn collect(
    repo: &Repo,
    repo_label: &str,
    range: &Range,
    rules: &RuleSet,
) -> Result<RangeEvidence, history::Error> {
    collect_with_reviews(repo, repo_label, range, rules, None)
}

/// [`collect`] with the pull/merge requests of `reviews` (`--review-data`): the review data
/// given is taken to speak for this repository (its requests are matched by commit id, whatever
/// repository they name), so an AI commit no merged request brought in has no pull request.
pub fn collect_with_reviews(
    repo: &Repo,
    repo_label: &str,
    range: &Range,
    rules: &RuleSet,
    reviews: Option<&ReviewIndex>,
) -> Result<RangeEvidence, history::Error> {
    let to = repo.resolve(Some(&range.to))?;
    let from = match &range.from {
        Some(a) => Some(repo.resolve(Some(a))?),
        None => None,
    };
    let hidden = match from {
        Some(a) => repo.reachable(&a.to_string())?,
        None => Hidden::default(),
    };
    let mut metas: Vec<CommitMeta> = Vec::new();
    let mut errors = Vec::new();
    repo.walk_raw_hiding(
        &Options {
            rev: Some(to.to_string()),
            since: None,
        },
        &hidden,
        |raw| {
            match raw.parse() {
                Entry::Commit(m) => metas.push(m),
                Entry::Error { id, message } => errors.push(ReadError { id, error: message }),
            }
            true
        },
    )?;

    let pr_of = pull_requests(&metas);
    let mut counts = Counts::new();
    let mut records = Vec::new();
    let mut with_review = 0u64;
    let mut via_pr = 0u64;
    for meta in &metas {
        let verdict = classify::classify(meta, rules);
        let looked_up = match reviews {
            Some(index) if !meta.is_merge() => {
                Some(review::review(meta, index.lookup_any(&meta.id), rules))
            }
            _ => None,
        };
        let outcome = looked_up.as_ref().map_or(Outcome::Unknown, |r| r.outcome);
        counts.add_reviewed(meta, &verdict, outcome);
        if meta.is_merge() {
            continue;
        }
        let mut record = record(meta, &verdict, rules, pr_of.get(meta.id.as_str()).cloned());
        if let Some(r) = looked_up {
            add_requests(&mut record, r);
        }
        with_review += u64::from(record.reviewed);
        via_pr += u64::from(record.pull_request.is_some());
        records.push(record);
    }
    let ai_commits =
        counts.class(classify::Class::AiAgent) + counts.class(classify::Class::AiAssisted);
    let percent =
        |n: u64, of: u64| (of > 0).then(|| (n as f64 * 1000.0 / of as f64).round() / 10.0);
    let metrics = Metrics {
        commits: counts.commits,
        merges: counts.merges,
        classes: counts.classes.clone(),
        tools: counts.tools.clone(),
        ai_commits,
        ai_with_review_evidence: counts.ai_with_review,
        ai_with_review_evidence_percent: percent(counts.ai_with_review, ai_commits),
        commits_with_review_evidence: with_review,
        human_review_coverage_percent: percent(with_review, counts.commits),
        commits_via_pull_request: via_pr,
        review: reviews.map(|index| {
            let mut r = counts.review.clone();
            r.sources = index.all_sources();
            ReviewMetrics {
                ai_approved: r.approved,
                ai_merged_unapproved: r.merged_unapproved,
                ai_no_pull_request: r.no_pull_request,
                ai_unknown: r.unknown,
                source: r.source_text(),
            }
        }),
    };
    let ai_without_review_evidence = records
        .iter()
        .filter(|r| r.is_ai() && !r.reviewed)
        .map(|r| r.commit.clone())
        .collect();
    Ok(RangeEvidence {
        repository: repo_label.to_string(),
        range: range.text(),
        from: from.map(|f| f.to_string()),
        to: to.to_string(),
        metrics,
        ai_without_review_evidence,
        records,
        errors,
    })
}

/// Fold a commit's requests into its record: the counting approvers become reviewers and
/// approvers (`via: "pull-request approval"`), the review date is the latest counting approval
/// when no trailer gave one, and an approval makes the record reviewed.
fn add_requests(record: &mut ChangeRecord, r: CommitReview) {
    let approved = r.outcome == Outcome::Approved;
    let mut latest: Option<(i64, String)> = None;
    for p in &r.pull_requests {
        for a in &p.approvals {
            let who = Named {
                name: Some(classify::bound(&a.reviewer)),
                email: None,
                via: format!("pull-request approval #{}", p.number),
            };
            record.reviewers.push(who.clone());
            record.approval.push(who);
            if let Some(t) = a.submitted_at.as_deref() {
                if let Some(secs) = review::seconds(t) {
                    if latest.as_ref().is_none_or(|(l, _)| secs > *l) {
                        latest = Some((secs, t.to_string()));
                    }
                }
            }
        }
    }
    if !record.reviewed && approved {
        record.review_date = latest.map(|(_, t)| t).or(record.review_date.take());
    }
    record.reviewed |= approved;
    record.review_outcome = Some(r.outcome.as_str());
    record.pull_requests = r.pull_requests;
}

/// For each commit brought in by a `Merge pull request #N` merge commit of the range, that
/// merge: the innermost one when pull requests nest. A merge brings in the commits reachable
/// from its second parent and not from its first (within the range).
fn pull_requests(metas: &[CommitMeta]) -> HashMap<&str, PullRequest> {
    let parents: HashMap<&str, &[String]> = metas
        .iter()
        .map(|m| (m.id.as_str(), m.parents.as_slice()))
        .collect();
    let ancestors = |start: &str| -> HashSet<&str> {
        let mut seen = HashSet::new();
        let mut stack = vec![start];
        while let Some(id) = stack.pop() {
            let Some((key, ps)) = parents.get_key_value(id) else {
                continue;
            };
            if seen.insert(*key) {
                stack.extend(ps.iter().map(String::as_str));
            }
        }
        seen
    };
    let mut best: HashMap<&str, (usize, PullRequest)> = HashMap::new();
    for m in metas.iter().filter(|m| m.parents.len() == 2) {
        let Some(number) = pr_number_of_merge(m.message.lines().next().unwrap_or("")) else {
            continue;
        };
        let mainline = ancestors(&m.parents[0]);
        let brought: Vec<&str> = ancestors(&m.parents[1])
            .into_iter()
            .filter(|id| !mainline.contains(id))
            .collect();
        let pr = PullRequest {
            number: Some(number),
            kind: "merge",
            merge_commit: Some(m.id.clone()),
            merged_by: Some(Person::from(&m.author)),
            merged_at: Some(m.committer.time.to_rfc3339()),
        };
        for id in &brought {
            match best.get(id) {
                Some((size, _)) if *size <= brought.len() => {}
                _ => {
                    best.insert(id, (brought.len(), pr.clone()));
                }
            }
        }
    }
    best.into_iter().map(|(k, (_, pr))| (k, pr)).collect()
}

fn pr_number_of_merge(subject: &str) -> Option<u64> {
    let rest = subject.strip_prefix("Merge pull request #")?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// `… (#123)` at the end of a subject: a squash-merged pull request.
fn pr_number_of_squash(subject: &str) -> Option<u64> {
    let s = subject.trim_end().strip_suffix(')')?;
    let i = s.rfind("(#")?;
    let n = &s[i + 2..];
    if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    n.parse().ok()
}

/// `Name <email>`, a bare e-mail, a GitHub profile URL or a name.
fn identity(value: &str, via: &str) -> Named {
    let v = value.trim();
    let bound = |s: &str| Some(classify::bound(s.trim())).filter(|s| !s.is_empty());
    if let (Some(lt), Some(gt)) = (v.find('<'), v.rfind('>')) {
        if lt < gt {
            return Named {
                name: bound(&v[..lt]),
                email: bound(&v[lt + 1..gt]),
                via: via.into(),
            };
        }
    }
    if let Some(login) = v.strip_prefix("https://github.com/") {
        return Named {
            name: bound(login.trim_end_matches('/')),
            email: None,
            via: via.into(),
        };
    }
    if v.contains('@') && !v.contains(' ') {
        return Named {
            name: None,
            email: bound(v),
            via: via.into(),
        };
    }
    Named {
        name: bound(v),
        email: None,
        via: via.into(),
    }
}

/// Whether the review rules accept `Key: value` as review evidence (so bots and AI reviewers,
/// which they exclude, are not listed as reviewers).
fn accepted_review(key: &str, value: &str, rules: &RuleSet) -> bool {
    let meta = CommitMeta {
        message: format!("Change\n\n{key}: {value}\n"),
        ..CommitMeta::default()
    };
    !classify::classify(&meta, rules).review.is_empty()
}

fn is_bot(s: &Signature) -> bool {
    let e = s.email.to_ascii_lowercase();
    s.name.ends_with("[bot]") || e.contains("[bot]") || e == "noreply@github.com"
}

const REVIEW_KEYS: &[&str] = &["reviewed-by", "acked-by", "approved-by"];
const APPROVAL_KEYS: &[&str] = &["approved-by", "acked-by"];
const TESTING_KEYS: &[&str] = &[
    "tested-by",
    "tested",
    "test-plan",
    "testing",
    "testing-done",
    "test",
];

fn record(
    meta: &CommitMeta,
    v: &Verdict,
    rules: &RuleSet,
    pr: Option<PullRequest>,
) -> ChangeRecord {
    let parsed = message::parse(&meta.message);
    let subject = classify::bound(parsed.subject);
    let mut reviewers: Vec<Named> = Vec::new();
    let mut approval: Vec<Named> = Vec::new();
    let mut testing: Vec<Trailer> = Vec::new();
    for t in &parsed.trailers {
        let key = t.key.to_ascii_lowercase();
        if REVIEW_KEYS.contains(&key.as_str()) && accepted_review(t.key, &t.value, rules) {
            let who = identity(&t.value, t.key);
            if APPROVAL_KEYS.contains(&key.as_str()) {
                approval.push(who.clone());
            }
            reviewers.push(who);
        }
        if TESTING_KEYS.contains(&key.as_str()) {
            testing.push(Trailer {
                key: t.key.to_string(),
                value: classify::bound(&t.value),
            });
        }
    }
    let rules_hit: HashSet<&str> = v.review.iter().map(|e| e.rule.as_str()).collect();
    for line in &parsed.lines {
        if rules_hit.contains("review.meta-reviewed-by") {
            if let Some(rest) = line.strip_prefix("Reviewed By: ") {
                reviewers.extend(
                    rest.split(',')
                        .filter(|s| !s.trim().is_empty())
                        .map(|s| identity(s, "Reviewed By")),
                );
            }
        }
        if rules_hit.contains("review.pytorch-mergebot") {
            if let Some(rest) = line.strip_prefix("Approved by: ") {
                for who in rest.split(',').filter(|s| !s.trim().is_empty()) {
                    let n = identity(who, "Approved by");
                    approval.push(n.clone());
                    reviewers.push(n);
                }
            }
        }
        if let Some(rest) = line.strip_prefix("Test Plan:") {
            if !rest.trim().is_empty() {
                testing.push(Trailer {
                    key: "Test Plan".into(),
                    value: classify::bound(rest),
                });
            }
        }
    }
    let reviewed = !v.review.is_empty();

    let pull_request = pr.or_else(|| {
        pr_number_of_squash(parsed.subject).map(|n| PullRequest {
            number: Some(n),
            kind: "squash",
            merge_commit: None,
            merged_by: None,
            merged_at: Some(meta.committer.time.to_rfc3339()),
        })
    });
    if let Some(PullRequest {
        merged_by: Some(m),
        merge_commit: Some(_),
        ..
    }) = &pull_request
    {
        let merger = Signature {
            name: m.name.clone(),
            email: m.email.clone(),
            ..Signature::default()
        };
        if !m.email.eq_ignore_ascii_case(&meta.author.email) && !is_bot(&merger) {
            reviewers.push(Named {
                name: Some(m.name.clone()),
                email: Some(m.email.clone()),
                via: "pr-merge".into(),
            });
        }
    }
    let review_date = if reviewed {
        Some(meta.committer.time.to_rfc3339())
    } else {
        pull_request
            .as_ref()
            .filter(|p| p.kind == "merge")
            .and_then(|p| p.merged_at.clone())
    };

    let ai = v.class.is_ai().then(|| ai_agent(meta, v, &parsed));
    let prompted_by = if v.class.is_ai() {
        prompted_by(meta, v, &parsed)
    } else {
        None
    };

    ChangeRecord {
        commit: meta.id.clone(),
        subject,
        author: Person::from(&meta.author),
        committer: Person::from(&meta.committer),
        class: v.class.as_str(),
        tool: v.tool.clone(),
        confidence: v.confidence.map(|c| c.as_str()),
        evidence: v.evidence.clone(),
        ai,
        prompted_by,
        review: v.review.clone(),
        reviewers,
        review_date,
        approval,
        testing,
        pull_request,
        reviewed,
        review_outcome: None,
        pull_requests: Vec::new(),
    }
}

/// `NAME (MODEL)` → (NAME, MODEL).
fn name_and_model(s: &str) -> (String, Option<String>) {
    let s = s.trim();
    if let (Some(open), true) = (s.find(" ("), s.ends_with(')')) {
        return (
            s[..open].trim().to_string(),
            Some(s[open + 2..s.len() - 1].trim().to_string()).filter(|m| !m.is_empty()),
        );
    }
    (s.to_string(), None)
}

fn version_in(s: &str) -> Option<String> {
    s.split_whitespace()
        .map(|w| w.trim_matches(|c: char| c == ',' || c == ';'))
        .find(|w| {
            let w = w.strip_prefix('v').unwrap_or(w);
            w.contains('.')
                && w.split('.')
                    .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        })
        .map(str::to_string)
}

fn ai_agent(meta: &CommitMeta, v: &Verdict, parsed: &message::ParsedMessage<'_>) -> AiAgent {
    let mut a = AiAgent {
        tool: v.tool.clone(),
        ..AiAgent::default()
    };
    // The classifier's own evidence says which trailer or field named the agent.
    for e in &v.evidence {
        let text = e.text.as_str();
        match e.field.as_str() {
            "trailer:co-authored-by" => {
                let who = identity(text, "Co-authored-by");
                if let Some(name) = who.name {
                    let (n, model) = name_and_model(&name);
                    a.name.get_or_insert(n.clone());
                    if a.model.is_none() {
                        // `aider (MODEL)`; Anthropic writes the model as the name (`Claude Opus 4.6`).
                        a.model = model.or_else(|| {
                            (n.starts_with("Claude ") || n.starts_with("OpenHands-"))
                                .then(|| n.clone())
                        });
                    }
                }
            }
            "trailer:assisted-by" => {
                // Linux kernel: `AGENT_NAME:MODEL_VERSION [TOOL…]`; elsewhere free text.
                let first = text.split_whitespace().next().unwrap_or("");
                match first.split_once(':') {
                    Some((agent, model)) if !agent.is_empty() && !model.is_empty() => {
                        a.name.get_or_insert(agent.to_string());
                        a.model.get_or_insert(model.to_string());
                    }
                    _ => {
                        a.name.get_or_insert(text.to_string());
                    }
                }
            }
            "author" | "author.name" | "author.email" => {
                // aider writes `<user> (aider)`: the agent is the suffix, not the user.
                let name = meta.author.name.trim();
                let agent = match (name.rfind(" ("), name.ends_with(')')) {
                    (Some(i), true) if e.field == "author.name" => &name[i + 2..name.len() - 1],
                    _ => name,
                };
                a.name.get_or_insert(agent.to_string());
            }
            "line" => {
                if let Some(i) = text.find("Generated with [") {
                    if let Some(end) = text[i + 16..].find(']') {
                        a.name.get_or_insert(text[i + 16..i + 16 + end].to_string());
                    }
                }
            }
            _ => {}
        }
    }
    // Explicit AI trailers, whichever rule fired.
    for t in &parsed.trailers {
        let key = t.key.to_ascii_lowercase();
        if matches!(
            key.as_str(),
            "ai-generated" | "generated-by" | "ai-assisted" | "ai-agent" | "ai-tool"
        ) {
            let value = t.value.trim();
            if value.eq_ignore_ascii_case("yes") || value.eq_ignore_ascii_case("true") {
                continue;
            }
            let (name, model) = name_and_model(value);
            if a.version.is_none() {
                a.version = version_in(&name);
            }
            let name = match &a.version {
                Some(ver) => name.replace(ver.as_str(), "").trim().to_string(),
                None => name,
            };
            if !name.is_empty() {
                a.name.get_or_insert(name);
            }
            if a.model.is_none() {
                a.model = model;
            }
        }
        if matches!(key.as_str(), "ai-model" | "model") && a.model.is_none() {
            a.model = Some(classify::bound(&t.value));
        }
    }
    // git-ai notes (S7): the sessions' agent ids.
    if let Some(note) = &meta.note {
        if let Some(j) = note_json(note) {
            for s in note_sessions(&j) {
                if let Some(agent) = s.get("agent_id") {
                    if let Some(tool) = agent.get("tool").and_then(Value::as_str) {
                        a.name.get_or_insert(tool.to_string());
                    }
                    if let Some(model) = agent.get("model").and_then(Value::as_str) {
                        a.model.get_or_insert(model.to_string());
                    }
                }
            }
        }
    }
    a.name = a.name.map(|s| classify::bound(&s));
    a.model = a.model.map(|s| classify::bound(&s));
    a
}

fn note_json(note: &str) -> Option<Value> {
    let (_, json) = note.split_once("\n---\n")?;
    serde_json::from_str(json.trim()).ok()
}

fn note_sessions(j: &Value) -> Vec<&Value> {
    ["sessions", "prompts"]
        .iter()
        .filter_map(|k| j.get(*k).and_then(Value::as_object))
        .flat_map(|o| o.values())
        .collect()
}

/// The human who asked for an AI change, where the commit states it: a git-ai note's
/// `human_author`, a `Requested-by:` trailer or Devin's `Requested by:` line, the requester an
/// agent credits as co-author on its own commit (Devin, Jules), or, for ai-assisted commits,
/// the author the tool committed for.
fn prompted_by(
    meta: &CommitMeta,
    v: &Verdict,
    parsed: &message::ParsedMessage<'_>,
) -> Option<Named> {
    if let Some(j) = meta.note.as_deref().and_then(note_json) {
        let human = note_sessions(&j).into_iter().find_map(|s| {
            s.get("human_author")
                .and_then(Value::as_str)
                .map(str::to_string)
        });
        if let Some(h) = human {
            return Some(identity(&h, "git-ai note"));
        }
    }
    if let Some(t) = parsed
        .trailers
        .iter()
        .find(|t| t.key.eq_ignore_ascii_case("requested-by"))
    {
        return Some(identity(&t.value, t.key));
    }
    if let Some(rest) = parsed
        .lines
        .iter()
        .find_map(|l| l.strip_prefix("Requested by:"))
    {
        if !rest.trim().is_empty() {
            return Some(identity(rest, "Requested by"));
        }
    }
    let ai_coauthors: Vec<&str> = v
        .evidence
        .iter()
        .filter(|e| e.field == "trailer:co-authored-by")
        .map(|e| e.text.as_str())
        .collect();
    match v.class {
        classify::Class::AiAgent => parsed
            .trailers
            .iter()
            .filter(|t| t.key.eq_ignore_ascii_case("co-authored-by"))
            .filter(|t| !ai_coauthors.contains(&classify::bound(&t.value).as_str()))
            .find(|t| !t.value.contains("[bot]") && !t.value.contains("noreply@anthropic.com"))
            .map(|t| identity(&t.value, "Co-authored-by (requester credited by the agent)")),
        classify::Class::AiAssisted => Some(Named {
            name: Some(meta.author.name.clone()),
            email: Some(meta.author.email.clone()),
            via: "author".into(),
        }),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// Rendering

fn md(s: &str) -> String {
    crate::text::bounded(s, 160)
        .replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace('`', "\\`")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn named_text(n: &[Named]) -> String {
    if n.is_empty() {
        return "—".into();
    }
    n.iter()
        .map(|x| {
            let who = x
                .name
                .clone()
                .or_else(|| x.email.clone())
                .unwrap_or_default();
            format!("{who} ({})", x.via)
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn opt_percent(p: Option<f64>) -> String {
    p.map(|p| format!("{p:.1}%")).unwrap_or_else(|| "—".into())
}

/// How a piece of evidence was made, stated at the top of the Markdown so a reader can tell
/// which aiprov and which rules produced it, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp {
    /// Generation time, RFC 3339 UTC (`SOURCE_DATE_EPOCH` when set).
    pub generated: String,
    /// aiprov's version.
    pub tool_version: String,
    /// The rule set's digest ([`crate::classify::RuleSet::digest`]).
    pub rules_digest: String,
}

/// The evidence as Markdown: how it was made, metrics, the AI commits with their agent and
/// review, then every change record.
pub fn to_markdown(e: &RangeEvidence, stamp: &Stamp) -> String {
    let m = &e.metrics;
    let mut s = String::new();
    let _ = writeln!(s, "# Change evidence (SOC 2 CC8.1): {}\n", md(&e.range));
    let _ = writeln!(
        s,
        "Generated {} by aiprov {}, rule set `{}`  ",
        md(&stamp.generated),
        md(&stamp.tool_version),
        stamp.rules_digest.replace('`', "")
    );
    let _ = writeln!(s, "Repository: {}  ", md(&e.repository));
    let _ = writeln!(
        s,
        "Range: {} = `{}..{}`\n",
        md(&e.range),
        e.from
            .as_deref()
            .map(|f| &f[..f.len().min(12)])
            .unwrap_or(""),
        &e.to[..e.to.len().min(12)]
    );
    let _ = writeln!(s, "## Metrics\n\n| | |\n|---|---|");
    let _ = writeln!(s, "| Changes (non-merge commits) | {} |", m.commits);
    let _ = writeln!(s, "| Merge commits | {} |", m.merges);
    let _ = writeln!(s, "| AI commits | {} |", m.ai_commits);
    let _ = writeln!(
        s,
        "| AI commits with review evidence | {} ({}) |",
        m.ai_with_review_evidence,
        opt_percent(m.ai_with_review_evidence_percent)
    );
    let _ = writeln!(
        s,
        "| Human review coverage (all changes) | {} of {} ({}) |",
        m.commits_with_review_evidence,
        m.commits,
        opt_percent(m.human_review_coverage_percent)
    );
    let _ = writeln!(
        s,
        "| Changes via pull request | {} |",
        m.commits_via_pull_request
    );
    let tools: Vec<String> = m.tools.iter().map(|(k, n)| format!("{k} ({n})")).collect();
    let _ = writeln!(
        s,
        "| AI tools | {} |",
        if tools.is_empty() {
            "—".into()
        } else {
            md(&tools.join(", "))
        }
    );
    let ai: Vec<&ChangeRecord> = e.records.iter().filter(|r| r.is_ai()).collect();
    let _ = writeln!(s, "\n## AI commits\n");
    if ai.is_empty() {
        let _ = writeln!(s, "None in this range.");
    } else {
        let _ = writeln!(s, "| Commit | Subject | Author | Agent | Model | Prompted by | Evidence | Reviewers | Pull request | Review evidence |");
        let _ = writeln!(s, "|---|---|---|---|---|---|---|---|---|---|");
        for r in ai {
            let agent = r.ai.as_ref();
            let evidence: Vec<String> = r
                .evidence
                .iter()
                .map(|x| format!("{}: {}", x.rule, x.text))
                .collect();
            let _ = writeln!(
                s,
                "| `{}` | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                &r.commit[..12],
                md(&r.subject),
                md(&r.author.name),
                md(agent
                    .and_then(|a| a.name.as_deref().or(a.tool.as_deref()))
                    .unwrap_or("—")),
                md(agent.and_then(|a| a.model.as_deref()).unwrap_or("—")),
                md(&r
                    .prompted_by
                    .as_ref()
                    .map(|p| named_text(std::slice::from_ref(p)))
                    .unwrap_or_else(|| "—".into())),
                md(&evidence.join("; ")),
                md(&named_text(&r.reviewers)),
                r.pull_request
                    .as_ref()
                    .and_then(|p| p.number)
                    .map(|n| format!("#{n}"))
                    .unwrap_or_else(|| "—".into()),
                if r.reviewed { "yes" } else { "**no**" },
            );
        }
    }
    change_record_table(&mut s, e);
    let _ = writeln!(s, "\n## All changes\n");
    let _ = writeln!(
        s,
        "| Commit | Date | Author | Class | Tool | Subject | Reviewed | Approval | Testing |"
    );
    let _ = writeln!(s, "|---|---|---|---|---|---|---|---|---|");
    for r in &e.records {
        let testing: Vec<String> = r
            .testing
            .iter()
            .map(|t| format!("{}: {}", t.key, t.value))
            .collect();
        let _ = writeln!(
            s,
            "| `{}` | {} | {} | {} | {} | {} | {} | {} | {} |",
            &r.commit[..12],
            &r.author.time[..r.author.time.len().min(10)],
            md(&r.author.name),
            r.class,
            r.tool.as_deref().unwrap_or("—"),
            md(&r.subject),
            if r.reviewed { "yes" } else { "no" },
            md(&named_text(&r.approval)),
            if testing.is_empty() {
                "—".into()
            } else {
                md(&testing.join("; "))
            },
        );
    }
    if !e.errors.is_empty() {
        let _ = writeln!(s, "\n## Unreadable commits\n");
        for x in &e.errors {
            let _ = writeln!(s, "- `{}`: {}", x.id, md(&x.error));
        }
    }
    s
}

/// The AI commits as change records, in the columns of a CC8.1 change log: Change, Component,
/// Author (agent and version), Human author, Reviewer, Review date, Testing, Approved by,
/// Deployed (merged into the history: when and by whom, from the request or the merge commit).
fn change_record_table(s: &mut String, e: &RangeEvidence) {
    let ai: Vec<&ChangeRecord> = e.records.iter().filter(|r| r.is_ai()).collect();
    if ai.is_empty() {
        return;
    }
    let _ = writeln!(s, "\n## Change records (CC8.1)\n");
    let _ = writeln!(s, "| Change | Component | Author (agent and version) | Human author | Reviewer | Review date | Testing | Approved by | Deployed |");
    let _ = writeln!(s, "|---|---|---|---|---|---|---|---|---|");
    let dash = || "—".to_string();
    for r in ai {
        let request = r.pull_requests.first();
        let change = match request {
            Some(p) => format!("{} {} ({})", &r.commit[..12], r.subject, p.url),
            None => format!("{} {}", &r.commit[..12], r.subject),
        };
        let agent = r.ai.as_ref().map(|a| {
            let name = a.name.clone().or(a.tool.clone()).unwrap_or_else(dash);
            match (&a.version, &a.model) {
                (Some(v), Some(m)) => format!("{name} {v} ({m})"),
                (Some(v), None) => format!("{name} {v}"),
                (None, Some(m)) => format!("{name} ({m})"),
                (None, None) => name,
            }
        });
        let human = r
            .prompted_by
            .as_ref()
            .map(|p| named_text(std::slice::from_ref(p)))
            .or_else(|| {
                request
                    .and_then(|p| p.author.clone())
                    .map(|a| format!("{a} (pull-request author)"))
            })
            .unwrap_or_else(dash);
        let mut testing: Vec<String> = r
            .testing
            .iter()
            .map(|t| format!("{}: {}", t.key, t.value))
            .collect();
        for p in &r.pull_requests {
            for c in &p.checks {
                testing.push(format!(
                    "{}: {}",
                    c.name,
                    c.conclusion.as_deref().unwrap_or("pending")
                ));
            }
        }
        let approved_by = if r.approval.is_empty() {
            match r.review_outcome {
                Some(o) if !r.reviewed => format!("**none** ({o})"),
                _ => dash(),
            }
        } else {
            named_text(&r.approval)
        };
        let deployed = match request {
            Some(p) => format!(
                "merged {} by {}",
                p.merged_at.as_deref().unwrap_or("?"),
                p.merged_by.as_deref().unwrap_or("?")
            ),
            None => match &r.pull_request {
                Some(PullRequest {
                    merged_at: Some(t),
                    merged_by,
                    ..
                }) => format!(
                    "merged {t}{}",
                    merged_by
                        .as_ref()
                        .map(|m| format!(" by {}", m.name))
                        .unwrap_or_default()
                ),
                _ => format!("committed {}", r.committer.time),
            },
        };
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            md(&change),
            md(&e.repository),
            md(&agent.unwrap_or_else(dash)),
            md(&human),
            md(&named_text(&r.reviewers)),
            md(r.review_date.as_deref().unwrap_or("—")),
            if testing.is_empty() {
                dash()
            } else {
                md(&testing.join("; "))
            },
            md(&approved_by),
            md(&deployed),
        );
    }
}

/// A version 5 UUID URN of `seed`, for a reproducible `serialNumber`.
fn uuid_from(seed: &str) -> String {
    crate::ident::uuid_urn(format!("aiprov-cdxa\0{seed}").as_bytes())
}

fn contact(name: &str, email: &str) -> Value {
    let mut c = serde_json::Map::new();
    c.insert("name".into(), Value::String(classify::bound(name)));
    // Only an address that looks like one: the schema checks the format.
    let plausible = email.split_once('@').is_some_and(|(l, d)| {
        !l.is_empty() && d.contains('.') && !d.starts_with('.') && !d.ends_with('.')
    }) && email.chars().all(|c| {
        c.is_ascii_graphic()
            && !matches!(
                c,
                '<' | '>' | '(' | ')' | ',' | ';' | ':' | '\\' | '"' | '[' | ']'
            )
    }) && email.matches('@').count() == 1;
    if plausible {
        c.insert("email".into(), Value::String(email.to_string()));
    }
    Value::Object(c)
}

/// The CycloneDX 1.6 attestation (CDXA): a SOC 2 CC8.1 requirement, one piece of evidence per
/// change record (the record as a JSON attachment) plus the metrics, the claim that every AI
/// change in the range carries review evidence (the reviewed AI records as evidence, the others
/// as counter-evidence), and the attestation mapping the claim onto CC8.1 with the share of AI
/// changes that carry review evidence as its conformance score.
pub fn attestation(
    e: &RangeEvidence,
    target_name: &str,
    tool_version: &str,
    timestamp: time::OffsetDateTime,
) -> Value {
    let ts = crate::sbom::cyclonedx::format_timestamp(timestamp);
    let target_ref = "target:repository";
    let mut evidence = Vec::new();
    let mut supporting = Vec::new();
    let mut counter = Vec::new();
    for r in &e.records {
        let bom_ref = format!("evidence:commit:{}", r.commit);
        let mut item = json!({
            "bom-ref": bom_ref,
            "propertyName": "aiprov:change-record",
            "description": classify::bound(&format!("{} {} ({}{})", &r.commit[..12], r.subject, r.class, r.tool.as_deref().map(|t| format!(", {t}")).unwrap_or_default())),
            "data": [{
                "name": format!("change-record-{}.json", r.commit),
                "contents": {"attachment": {"contentType": "application/json", "content": serde_json::to_string(r).unwrap_or_default()}},
                "classification": "internal",
            }],
            "created": r.committer.time,
            "author": contact(&r.author.name, &r.author.email),
        });
        if let Some(rev) = r
            .reviewers
            .iter()
            .find(|x| x.via != "pr-merge")
            .or_else(|| r.reviewers.first())
        {
            let name = rev
                .name
                .clone()
                .or_else(|| rev.email.clone())
                .unwrap_or_default();
            item["reviewer"] = contact(&name, rev.email.as_deref().unwrap_or(""));
        }
        if r.is_ai() {
            if r.reviewed {
                supporting.push(bom_ref.clone());
            } else {
                counter.push(bom_ref.clone());
            }
        }
        evidence.push(item);
    }
    let metrics = json!({"range": e.range, "from": e.from, "to": e.to, "metrics": e.metrics, "ai_without_review_evidence": e.ai_without_review_evidence});
    evidence.push(json!({
        "bom-ref": "evidence:metrics",
        "propertyName": "aiprov:review:ai-with-evidence",
        "description": format!("Changes in {}: {} commits, {} AI commits, {} of them with review evidence; produced by aiprov {tool_version} from commit metadata.", e.range, e.metrics.commits, e.metrics.ai_commits, e.metrics.ai_with_review_evidence),
        "data": [{
            "name": "aiprov-evidence-metrics.json",
            "contents": {"attachment": {"contentType": "application/json", "content": metrics.to_string()}},
            "classification": "internal",
        }],
        "created": ts,
        "author": {"name": format!("aiprov {tool_version} (automated)")},
    }));
    supporting.push("evidence:metrics".into());
    let ai = e.metrics.ai_commits;
    let reviewed = e.metrics.ai_with_review_evidence;
    let score = if ai == 0 {
        1.0
    } else {
        reviewed as f64 / ai as f64
    };
    let mut claim = json!({
        "bom-ref": "claim:cc8.1-ai-review",
        "target": target_ref,
        "predicate": format!("Every AI-generated or AI-assisted change in {} carries recorded review evidence.", e.range),
        "reasoning": format!("{} of {} changes in the range were identified as AI-generated or AI-assisted from their commit metadata; {} of those carry review evidence (Reviewed-by, Acked-by, Approved-by, Tested-by, Gerrit, Phabricator or equivalent{}). Each change is recorded as evidence.", ai, e.metrics.commits, reviewed, match &e.metrics.review {
            Some(r) => format!(", or an approval on a merged pull request by someone other than its author, the commit's author and AI or bot accounts: {} approved, {} merged without approval, {} without a pull request, {} not looked up", r.ai_approved, r.ai_merged_unapproved, r.ai_no_pull_request, r.ai_unknown),
            None => String::new(),
        }),
        "evidence": supporting,
    });
    if !counter.is_empty() {
        claim["counterEvidence"] = json!(counter);
    }
    json!({
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": uuid_from(&format!("{}\0{}\0{:?}\0{}\0{ts}", e.repository, e.range, e.from, e.to)),
        "version": 1,
        "metadata": {
            "timestamp": ts,
            "tools": {"components": [{"type": "application", "bom-ref": "tool:aiprov", "name": "aiprov", "version": tool_version}]},
        },
        "definitions": {"standards": [{
            "bom-ref": "std:aicpa-tsc-2017",
            "name": "Trust Services Criteria (SOC 2)",
            "version": "2017 (points of focus revised 2022)",
            "owner": "AICPA",
            "requirements": [{
                "bom-ref": "req:cc8.1",
                "identifier": "CC8.1",
                "title": "Change management",
                "text": "The entity authorizes, designs, develops or acquires, configures, documents, tests, approves, and implements changes to infrastructure, data, software, and procedures to meet its objectives.",
            }],
        }]},
        "declarations": {
            "assessors": [{"bom-ref": "assessor:self", "thirdParty": false}],
            "targets": {"components": [{"type": "application", "bom-ref": target_ref, "name": classify::bound(target_name), "version": e.range}]},
            "evidence": evidence,
            "claims": [claim],
            "attestations": [{
                "summary": format!("Self-attestation of CC8.1 change management for AI-generated changes in {}", e.range),
                "assessor": "assessor:self",
                "map": [{
                    "requirement": "req:cc8.1",
                    "claims": ["claim:cc8.1-ai-review"],
                    "conformance": {"score": score, "rationale": format!("{reviewed} of {ai} AI changes carry review evidence.")},
                    "confidence": {"rationale": "AI changes are found from commit metadata (authors, trailers, footers); changes whose markers were stripped are not counted as AI, and a pull-request merge is not counted as review."},
                }],
            }],
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::Time;

    fn sig(name: &str, email: &str, t: i64) -> Signature {
        Signature {
            name: name.into(),
            email: email.into(),
            time: Time {
                seconds: t,
                offset: 0,
            },
        }
    }

    #[test]
    fn ranges() {
        assert_eq!(
            Range::parse("v1..v2"),
            Ok(Range {
                from: Some("v1".into()),
                to: "v2".into()
            })
        );
        assert_eq!(
            Range::parse("v1.."),
            Ok(Range {
                from: Some("v1".into()),
                to: "HEAD".into()
            })
        );
        assert_eq!(Range::parse("v1..v2").unwrap().text(), "v1..v2");
        assert!(Range::parse("v1").unwrap_err().contains("expected A..B"));
        assert!(Range::parse("v1...v2").unwrap_err().contains("symmetric"));
        assert!(Range::parse("a..b..c").is_err());
    }

    #[test]
    fn agents_models_and_requesters_from_trailers() {
        let rules = RuleSet::builtin().unwrap();
        let meta = |author: Signature, message: &str| CommitMeta {
            id: "1".repeat(40),
            author: author.clone(),
            committer: author,
            message: message.into(),
            ..CommitMeta::default()
        };
        let human = sig("Dev 1", "dev-1@example.invalid", 1_750_000_000);
        let m = meta(
            human.clone(),
            "Fix\n\nCo-authored-by: aider (gemini/gemini-2.5-pro) <aider@aider.chat>\n",
        );
        let v = classify::classify(&m, &rules);
        let r = record(&m, &v, &rules, None);
        assert_eq!((r.class, r.tool.as_deref()), ("ai-assisted", Some("aider")));
        assert_eq!(
            r.ai,
            Some(AiAgent {
                tool: Some("aider".into()),
                name: Some("aider".into()),
                model: Some("gemini/gemini-2.5-pro".into()),
                version: None
            })
        );
        assert_eq!(
            r.prompted_by.as_ref().map(|p| p.via.as_str()),
            Some("author")
        );
        assert!(!r.reviewed);

        let m = meta(
            human.clone(),
            "Fix\n\nAssisted-by: Claude:claude-3-opus coccinelle\nReviewed-by: Dev 2 <dev-2@example.invalid>\nReviewed-by: coderabbitai[bot] <1+coderabbitai[bot]@users.noreply.github.com>\nApproved-by: Dev 3 <dev-3@example.invalid>\nTested-by: Dev 4 <dev-4@example.invalid>\n",
        );
        let v = classify::classify(&m, &rules);
        let r = record(&m, &v, &rules, None);
        assert_eq!(
            r.ai.as_ref()
                .map(|a| (a.name.as_deref(), a.model.as_deref())),
            Some((Some("Claude"), Some("claude-3-opus")))
        );
        assert!(r.reviewed);
        let who: Vec<(&str, &str)> = r
            .reviewers
            .iter()
            .map(|n| (n.name.as_deref().unwrap(), n.via.as_str()))
            .collect();
        assert_eq!(
            who,
            [("Dev 2", "Reviewed-by"), ("Dev 3", "Approved-by")],
            "the bot reviewer is not a reviewer"
        );
        assert_eq!(r.approval.len(), 1);
        assert_eq!(
            r.testing,
            [Trailer {
                key: "Tested-by".into(),
                value: "Dev 4 <dev-4@example.invalid>".into()
            }]
        );
        assert_eq!(
            r.review_date.as_deref(),
            Some(human.time.to_rfc3339().as_str())
        );

        let devin = sig(
            "devin-ai-integration[bot]",
            "158243242+devin-ai-integration[bot]@users.noreply.github.com",
            1_750_000_000,
        );
        let m = meta(devin, "Add thing (#12)\n\nLink to Devin run: https://app.devin.ai/sessions/0123456789abcdef0123456789abcdef\n\nCo-Authored-By: dev-5@example.invalid <dev-5@example.invalid>\n");
        let v = classify::classify(&m, &rules);
        let r = record(&m, &v, &rules, None);
        assert_eq!((r.class, r.tool.as_deref()), ("ai-agent", Some("devin")));
        assert_eq!(
            r.prompted_by.map(|p| (p.email, p.via)),
            Some((
                Some("dev-5@example.invalid".into()),
                "Co-authored-by (requester credited by the agent)".into()
            ))
        );
        assert_eq!(
            r.pull_request.map(|p| (p.number, p.kind)),
            Some((Some(12), "squash"))
        );

        let m = meta(
            human,
            "Tweak\n\nAI-Generated: Acme Coder 2.4.1 (acme-large)\n",
        );
        let (n, model) = name_and_model("Acme Coder 2.4.1 (acme-large)");
        assert_eq!(
            (n.as_str(), model.as_deref()),
            ("Acme Coder 2.4.1", Some("acme-large"))
        );
        let v = classify::classify(&m, &rules);
        assert_eq!(v.class.as_str(), "ai-assisted");
        let a = ai_agent(&m, &v, &message::parse(&m.message));
        assert_eq!(
            (a.name.as_deref(), a.model.as_deref(), a.version.as_deref()),
            (Some("Acme Coder"), Some("acme-large"), Some("2.4.1"))
        );
    }

    #[test]
    fn merged_pull_requests_are_found_innermost_first() {
        let c = |id: &str, parents: &[&str], subject: &str, who: &str| CommitMeta {
            id: id.into(),
            parents: parents.iter().map(|p| p.to_string()).collect(),
            author: sig(who, &format!("{who}@example.invalid"), 0),
            committer: sig(who, &format!("{who}@example.invalid"), 0),
            message: subject.into(),
            note: None,
        };
        // main: a - m2 (merges PR #2: b - m1, where m1 merged PR #1: c) ; d on main
        let metas = vec![
            c(
                "m2",
                &["a", "m1"],
                "Merge pull request #2 from x/outer",
                "lead",
            ),
            c(
                "m1",
                &["b", "c"],
                "Merge pull request #1 from y/inner",
                "rev",
            ),
            c("c", &["b"], "inner change", "dev"),
            c("b", &["a"], "outer change", "dev"),
            c("a", &[], "base", "dev"),
        ];
        let prs = pull_requests(&metas);
        assert_eq!(prs.get("c").and_then(|p| p.number), Some(1));
        assert_eq!(prs.get("b").and_then(|p| p.number), Some(2));
        assert_eq!(prs.get("m1").and_then(|p| p.number), Some(2));
        assert!(!prs.contains_key("a"));
        assert_eq!(
            prs["c"].merged_by.as_ref().map(|p| p.name.as_str()),
            Some("rev")
        );
        assert_eq!(pr_number_of_squash("Fix (#123)"), Some(123));
        assert_eq!(pr_number_of_squash("Fix (#x)"), None);
        assert_eq!(uuid_from("x").len(), "urn:uuid:".len() + 36);
        assert_eq!(&uuid_from("x")[23..24], "5");
    }
}
