//! The review stage: for each commit, the pull/merge requests that brought it in, their
//! approvals, who merged them and when, and their checks; and from those, one [`Outcome`] per
//! commit.
//!
//! ```text
//!  classify ──► Verdict ──► review::attribute(commit, requests, rules) ──► Outcome ──► aggregate
//!                           requests: ReviewIndex (from --review-data files, or a forge client)
//! ```
//!
//! This module and [`data`] are pure: no I/O ([`data`] parses the review-data format, JSON
//! Lines, from text the caller has read). The forge clients that fill the same records from
//! GitHub's GraphQL API and GitLab's REST API are in `crate::forge`, a layer up.
//!
//! What counts (the precise rule, also in the README and `docs/properties.md`): a commit is
//! **approved** when a *merged* request that brought it in has an approval by someone who is
//! neither that request's author, nor the commit's author, nor an AI or bot account, given no
//! later than the merge. Per reviewer, the last of their `approved` / `changes_requested` /
//! `dismissed` reviews decides (a `commented` review changes nothing), as on GitHub. A commit
//! that came in through merged requests none of which has such an approval is
//! **merged-unapproved**; one that no merged request brought in, in a repository the review data
//! covers, has **no pull request**; a commit whose repository was not looked up is **unknown**.
//! An AI or bot approval is recorded (with the reason it does not count), never counted.

pub mod data;

use std::collections::{BTreeSet, HashMap};

use serde::Serialize;

pub use crate::classify::RuleSet;
use crate::classify::{self, Class};
use crate::history::{CommitMeta, Signature};

/// Where review evidence came from (`aiprov:review:source`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    /// Review trailers in the commit message (`Reviewed-by:` and friends).
    Trailers,
    /// GitHub's GraphQL API.
    Github,
    /// GitLab's REST API.
    Gitlab,
    /// A `--review-data` file.
    ReviewData,
}

impl Source {
    /// The value written in `aiprov:review:source`.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Trailers => "trailers",
            Source::Github => "github",
            Source::Gitlab => "gitlab",
            Source::ReviewData => "review-data",
        }
    }
}

/// The state of one review (GitHub `PullRequestReviewState`, lower case; GitLab approvals map to
/// `approved`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewState {
    /// An approval.
    Approved,
    /// Changes were requested: withdraws the reviewer's earlier approval.
    ChangesRequested,
    /// A comment only: changes nothing.
    Commented,
    /// The review was dismissed: it no longer approves.
    Dismissed,
    /// Not submitted yet: changes nothing.
    Pending,
}

impl ReviewState {
    /// Parse the lower-case name (`approved`, `changes_requested`, `commented`, `dismissed`,
    /// `pending`), case-insensitively.
    pub fn parse(s: &str) -> Option<ReviewState> {
        Some(match s.to_ascii_lowercase().as_str() {
            "approved" => ReviewState::Approved,
            "changes_requested" => ReviewState::ChangesRequested,
            "commented" => ReviewState::Commented,
            "dismissed" => ReviewState::Dismissed,
            "pending" => ReviewState::Pending,
            _ => return None,
        })
    }
}

/// One review of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Review {
    /// The reviewer's login (a bot's login ends in `[bot]`) or e-mail.
    pub author: String,
    /// Its state.
    pub state: ReviewState,
    /// RFC 3339, when known.
    pub submitted_at: Option<String>,
}

/// One check or status of the request's head commit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// Its name (`test`, `ci/build`).
    pub name: String,
    /// `success`, `failure`, `neutral`, `skipped`, … (lower case); `None` while it runs.
    pub conclusion: Option<String>,
}

/// A pull or merge request and the commits it brought into the history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PullRequest {
    /// The repository's URL as given.
    pub repository: String,
    /// The request's number (GitHub) or iid (GitLab).
    pub number: u64,
    /// Its web URL.
    pub url: String,
    /// Its author's login.
    pub author: Option<String>,
    /// When it was merged (RFC 3339); `None` when it was not merged (then it brought nothing in).
    pub merged_at: Option<String>,
    /// Who merged it.
    pub merged_by: Option<String>,
    /// Lower-case ids of the commits it brought in, as landed (after a squash or rebase: the
    /// landed commits, not the request's own).
    pub commits: Vec<String>,
    /// Its reviews, in the order given.
    pub reviews: Vec<Review>,
    /// Its head commit's checks.
    pub checks: Vec<Check>,
    /// Where this record came from.
    pub source: Source,
}

/// The review outcome of one commit (the partition behind `aiprov:review:ai-*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// A merged request that brought it in has a counting approval.
    Approved,
    /// It came in through merged requests, none with a counting approval.
    MergedUnapproved,
    /// No merged request brought it in (a direct push), in a repository the data covers.
    NoPullRequest,
    /// Not looked up: no review data for its repository, no token, budget spent, offline miss.
    Unknown,
}

impl Outcome {
    /// The kebab-case name used in output.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Approved => "approved",
            Outcome::MergedUnapproved => "merged-unapproved",
            Outcome::NoPullRequest => "no-pull-request",
            Outcome::Unknown => "unknown",
        }
    }
}

/// An approval that counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Approval {
    /// The reviewer.
    pub reviewer: String,
    /// When (RFC 3339), when known.
    pub submitted_at: Option<String>,
}

/// Why an `approved` review does not count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NotCounted {
    /// The reviewer wrote the request.
    RequestAuthor,
    /// The reviewer wrote the commit.
    CommitAuthor,
    /// The reviewer is an AI or bot account (`[bot]` login, or a rule-pack identity).
    AiOrBot,
    /// Given after the merge.
    AfterMerge,
    /// The reviewer's later review requested changes or the approval was dismissed.
    Withdrawn,
}

/// An `approved` review that does not count, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IgnoredApproval {
    /// The reviewer.
    pub reviewer: String,
    /// When (RFC 3339), when known.
    pub submitted_at: Option<String>,
    /// Why it does not count.
    pub reason: NotCounted,
}

/// What one merged request says about one commit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequestEvidence {
    /// The request's number.
    pub number: u64,
    /// Its URL.
    pub url: String,
    /// Its author.
    pub author: Option<String>,
    /// Who merged it.
    pub merged_by: Option<String>,
    /// When.
    pub merged_at: Option<String>,
    /// The approvals that count.
    pub approvals: Vec<Approval>,
    /// The approvals that do not, with the reason.
    pub ignored_approvals: Vec<IgnoredApproval>,
    /// Its head commit's checks.
    pub checks: Vec<Check>,
    /// Where the record came from.
    pub source: Source,
}

/// The review of one commit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommitReview {
    /// The outcome.
    pub outcome: Outcome,
    /// The merged requests that brought it in (empty for no-pull-request and unknown).
    pub pull_requests: Vec<RequestEvidence>,
}

impl CommitReview {
    /// Not looked up.
    pub fn unknown() -> CommitReview {
        CommitReview {
            outcome: Outcome::Unknown,
            pull_requests: Vec::new(),
        }
    }
}

/// The key a repository URL is matched on: lower case, no scheme, no `www.`, no `.git`, no
/// trailing slash (`https://GitHub.com/Acme/Widget.git` → `github.com/acme/widget`).
pub fn repo_key(url: &str) -> String {
    if let Some((repo, _)) = crate::resolve::parse_repo_url(url) {
        return repo.to_string().to_ascii_lowercase()[("https://".len())..].to_string();
    }
    let mut s = url.trim().to_ascii_lowercase();
    if let Some(rest) = s.strip_prefix("git+") {
        s = rest.to_string();
    }
    if let Some((_, rest)) = s.split_once("://") {
        s = rest.to_string();
    }
    if let Some((_, rest)) = s.split_once('@').filter(|(u, _)| !u.contains('/')) {
        s = rest.to_string();
    }
    let s = s.strip_prefix("www.").unwrap_or(&s);
    let s = s.trim_end_matches('/');
    s.strip_suffix(".git").unwrap_or(s).to_string()
}

/// The sources covering one repository and its commit id → request indices.
type RepoEntry = (BTreeSet<Source>, HashMap<String, Vec<usize>>);

/// The requests known per repository and per commit.
#[derive(Debug, Clone, Default)]
pub struct ReviewIndex {
    requests: Vec<PullRequest>,
    /// Repository key → (the sources that cover it, commit id → request indices).
    repos: HashMap<String, RepoEntry>,
    /// Repository key → the commits a forge answered for, when only some were looked up (a
    /// repository in `whole` is covered for every commit).
    answered: HashMap<String, std::collections::HashSet<String>>,
    /// Repository keys covered for every commit (review data).
    whole: std::collections::HashSet<String>,
    /// Commit id → request indices, whatever the repository.
    any: HashMap<String, Vec<usize>>,
}

/// What the index knows about one commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup<'a> {
    /// The repository is not covered: the commit was not looked up.
    NotCovered,
    /// The requests (merged or not) that hold the commit; empty when none does.
    Requests(Vec<&'a PullRequest>),
}

impl ReviewIndex {
    /// Index `requests`. A request listed twice (same repository and number, e.g. in two
    /// files, or once per commit from GitLab's commit → merge requests answers) is kept once:
    /// the first record's details win, and the commits of the later ones are added to it.
    pub fn new(requests: Vec<PullRequest>) -> ReviewIndex {
        let mut index = ReviewIndex::default();
        for r in requests {
            index.add(r);
        }
        index
    }

    /// Add one request.
    pub fn add(&mut self, r: PullRequest) {
        let key = repo_key(&r.repository);
        if let Some(i) = self
            .requests
            .iter()
            .position(|o| o.number == r.number && repo_key(&o.repository) == key)
        {
            let (_, commits) = self.repos.entry(key).or_default();
            for c in r.commits {
                if !self.requests[i].commits.contains(&c) {
                    commits.entry(c.clone()).or_default().push(i);
                    self.any.entry(c.clone()).or_default().push(i);
                    self.requests[i].commits.push(c);
                }
            }
            return;
        }
        let i = self.requests.len();
        if r.source == Source::ReviewData {
            self.whole.insert(key.clone());
        }
        let (sources, commits) = self.repos.entry(key).or_default();
        sources.insert(r.source);
        for c in &r.commits {
            commits.entry(c.clone()).or_default().push(i);
            self.any.entry(c.clone()).or_default().push(i);
        }
        self.requests.push(r);
    }

    /// Mark `repository` as covered by `source` for every commit, even when no request names
    /// it.
    pub fn cover(&mut self, repository: &str, source: Source) {
        let key = repo_key(repository);
        self.whole.insert(key.clone());
        self.repos.entry(key).or_default().0.insert(source);
    }

    /// Mark `commits` of `repository` as looked up by `source` (a forge answered for them, with
    /// or without requests); the repository's other commits stay unknown unless covered whole.
    pub fn cover_commits(
        &mut self,
        repository: &str,
        source: Source,
        commits: impl IntoIterator<Item = String>,
    ) {
        let key = repo_key(repository);
        self.repos.entry(key.clone()).or_default().0.insert(source);
        self.answered.entry(key).or_default().extend(commits);
    }

    /// Whether nothing was indexed.
    pub fn is_empty(&self) -> bool {
        self.repos.is_empty()
    }

    /// Every request, in the order added.
    pub fn requests(&self) -> &[PullRequest] {
        &self.requests
    }

    /// The sources covering `repository` (empty when not covered).
    pub fn sources(&self, repository: &str) -> BTreeSet<Source> {
        self.repos
            .get(&repo_key(repository))
            .map(|(s, _)| s.clone())
            .unwrap_or_default()
    }

    /// The requests holding `commit` in `repository`.
    pub fn lookup(&self, repository: &str, commit: &str) -> Lookup<'_> {
        let key = repo_key(repository);
        let covered = self.whole.contains(&key)
            || self.answered.get(&key).is_some_and(|a| a.contains(commit));
        match self.repos.get(&key) {
            Some((_, commits)) if covered => Lookup::Requests(self.get(commits.get(commit))),
            _ => Lookup::NotCovered,
        }
    }

    /// The requests holding `commit` in any repository of the index; [`Lookup::NotCovered`]
    /// when the index is empty. For `aiprov evidence`, whose repository is a local path: the
    /// review data given is taken to speak for it.
    pub fn lookup_any(&self, commit: &str) -> Lookup<'_> {
        if self.is_empty() {
            return Lookup::NotCovered;
        }
        Lookup::Requests(self.get(self.any.get(commit)))
    }

    /// Every source in the index.
    pub fn all_sources(&self) -> BTreeSet<Source> {
        self.repos
            .values()
            .flat_map(|(s, _)| s.iter().copied())
            .collect()
    }

    fn get(&self, ids: Option<&Vec<usize>>) -> Vec<&PullRequest> {
        ids.map(|v| v.iter().map(|i| &self.requests[*i]).collect())
            .unwrap_or_default()
    }
}

/// The review of `commit` from what `lookup` found.
pub fn review(commit: &CommitMeta, lookup: Lookup<'_>, rules: &RuleSet) -> CommitReview {
    match lookup {
        Lookup::NotCovered => CommitReview::unknown(),
        Lookup::Requests(rs) => attribute(&commit.author, &rs, rules),
    }
}

/// The review of a commit written by `author` that the requests `requests` hold (the module
/// docs give the rule). Unmerged requests are ignored: they brought nothing in.
pub fn attribute(author: &Signature, requests: &[&PullRequest], rules: &RuleSet) -> CommitReview {
    let mut prs = Vec::new();
    let mut approved = false;
    for r in requests.iter().filter(|r| r.merged_at.is_some()) {
        let (approvals, ignored) = approvals(r, author, rules);
        approved |= !approvals.is_empty();
        prs.push(RequestEvidence {
            number: r.number,
            url: r.url.clone(),
            author: r.author.clone(),
            merged_by: r.merged_by.clone(),
            merged_at: r.merged_at.clone(),
            approvals,
            ignored_approvals: ignored,
            checks: r.checks.clone(),
            source: r.source,
        });
    }
    let outcome = if prs.is_empty() {
        Outcome::NoPullRequest
    } else if approved {
        Outcome::Approved
    } else {
        Outcome::MergedUnapproved
    };
    CommitReview {
        outcome,
        pull_requests: prs,
    }
}

/// The counting and the ignored approvals of one request, for a commit by `author`.
fn approvals(
    r: &PullRequest,
    author: &Signature,
    rules: &RuleSet,
) -> (Vec<Approval>, Vec<IgnoredApproval>) {
    // Reviews in time order (stable: those without a time keep their place after the timed ones
    // before them); per reviewer, the last deciding state.
    let mut order: Vec<&Review> = r.reviews.iter().collect();
    order.sort_by_key(|x| x.submitted_at.as_deref().and_then(seconds));
    let mut last: HashMap<String, ReviewState> = HashMap::new();
    for x in &order {
        if matches!(
            x.state,
            ReviewState::Approved | ReviewState::ChangesRequested | ReviewState::Dismissed
        ) {
            last.insert(x.author.to_ascii_lowercase(), x.state);
        }
    }
    let merged = r.merged_at.as_deref().and_then(seconds);
    let mut counted: Vec<Approval> = Vec::new();
    let mut ignored: Vec<IgnoredApproval> = Vec::new();
    // The last approval of each reviewer, in time order.
    let mut seen: Vec<String> = Vec::new();
    for x in order
        .iter()
        .rev()
        .filter(|x| x.state == ReviewState::Approved)
    {
        let who = x.author.to_ascii_lowercase();
        if seen.contains(&who) {
            continue;
        }
        seen.push(who.clone());
        let reason = if r
            .author
            .as_deref()
            .is_some_and(|a| same_login(a, &x.author))
        {
            Some(NotCounted::RequestAuthor)
        } else if is_commit_author(&x.author, author) {
            Some(NotCounted::CommitAuthor)
        } else if is_ai_or_bot(&x.author, rules) {
            Some(NotCounted::AiOrBot)
        } else if last.get(&who) != Some(&ReviewState::Approved) {
            Some(NotCounted::Withdrawn)
        } else if matches!(
            (x.submitted_at.as_deref().and_then(seconds), merged),
            (Some(t), Some(m)) if t > m
        ) {
            Some(NotCounted::AfterMerge)
        } else {
            None
        };
        match reason {
            None => counted.push(Approval {
                reviewer: x.author.clone(),
                submitted_at: x.submitted_at.clone(),
            }),
            Some(reason) => ignored.push(IgnoredApproval {
                reviewer: x.author.clone(),
                submitted_at: x.submitted_at.clone(),
                reason,
            }),
        }
    }
    counted.reverse();
    ignored.reverse();
    (counted, ignored)
}

/// RFC 3339 → Unix seconds.
pub fn seconds(s: &str) -> Option<i64> {
    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
        .ok()
        .map(|t| t.unix_timestamp())
}

fn same_login(a: &str, b: &str) -> bool {
    let strip = |s: &str| s.trim().trim_start_matches('@').to_ascii_lowercase();
    strip(a) == strip(b)
}

/// The GitHub login in a `users.noreply.github.com` address (`123+login@…` or `login@…`).
pub fn noreply_login(email: &str) -> Option<&str> {
    let local = email.strip_suffix("@users.noreply.github.com")?;
    Some(local.split_once('+').map(|(_, l)| l).unwrap_or(local)).filter(|l| !l.is_empty())
}

/// Whether reviewer `who` (a login or an e-mail) is the commit author `author`: the same
/// e-mail, the login of a GitHub no-reply address, or the same name spelled as a login.
pub fn is_commit_author(who: &str, author: &Signature) -> bool {
    let who = who.trim();
    if who.is_empty() {
        return false;
    }
    if who.eq_ignore_ascii_case(author.email.trim()) || same_login(who, author.name.trim()) {
        return true;
    }
    noreply_login(&author.email.to_ascii_lowercase()).is_some_and(|l| same_login(l, who))
}

/// Whether `who` (a login or an e-mail) is an AI or bot account: a `[bot]` login (GitHub Apps),
/// or an identity the rule packs class as ai-agent, ai-assisted or automation when it is a
/// commit author (tried as `who <who@users.noreply.github.com>` for a login, `who <who>` for
/// an e-mail).
pub fn is_ai_or_bot(who: &str, rules: &RuleSet) -> bool {
    let who = who.trim();
    let lower = who.to_ascii_lowercase();
    if lower.ends_with("[bot]") || lower.contains("[bot]@") {
        return true;
    }
    let email = if who.contains('@') {
        who.to_string()
    } else {
        format!("{who}@users.noreply.github.com")
    };
    let sig = Signature {
        name: who.to_string(),
        email,
        time: Default::default(),
    };
    let meta = CommitMeta {
        id: "0".repeat(40),
        author: sig.clone(),
        committer: sig,
        message: "review\n".into(),
        ..CommitMeta::default()
    };
    classify::classify(&meta, rules).class != Class::NoEvidence
}

#[cfg(test)]
mod tests;
