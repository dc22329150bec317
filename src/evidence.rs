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

mod cdxa;
mod records;
mod render;
#[cfg(test)]
mod tests;

pub use cdxa::attestation;
use records::record;
pub use render::{to_markdown, Stamp};

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
    /// Review trailers, no approving request.
    pub ai_trailer_reviewed: u64,
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
                ai_trailer_reviewed: r.trailers_only,
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
