//! Counting verdicts: per class, per tool, review coverage, first and last AI commit.
//!
//! The same [`Counts`] serve `aiprov commits --format summary` and the per-component
//! `aiprov:` properties of `aiprov enrich`. Merges are counted apart and never as changes.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::classify::{Class, Verdict};
use crate::history::{CommitMeta, Time};
use crate::props::suffix as props;
use crate::review::{Outcome, Source};

/// Totals over the commits of one walk.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Non-merge commits.
    pub commits: u64,
    /// Merge commits (walked, not counted as changes).
    pub merges: u64,
    /// Non-merge commits per class, every class present (zero included).
    pub classes: BTreeMap<&'static str, u64>,
    /// Non-merge AI commits (ai-agent or ai-assisted) per tool slug; tool-neutral ones under `unspecified`.
    pub tools: BTreeMap<String, u64>,
    /// Non-merge AI commits that carry review evidence: approved through a request, or with
    /// review trailers.
    pub ai_with_review: u64,
    /// The review outcome of the non-merge AI commits (`aiprov:review:ai-*`).
    #[serde(skip)]
    pub review: ReviewCounts,
    /// With `--reviews all`: the same partition over every non-merge commit, AI or not
    /// (`aiprov:review:approved`, …); `None` otherwise (and then not written).
    #[serde(skip)]
    pub all_review: Option<ReviewCounts>,
    /// Author time of the earliest non-merge AI commit.
    #[serde(skip)]
    pub ai_first: Option<Time>,
    /// Author time of the latest non-merge AI commit.
    #[serde(skip)]
    pub ai_last: Option<Time>,
    /// Commits that could not be read.
    pub errors: u64,
}

/// The review partition of AI commits: every AI commit is in exactly one bucket. Those with
/// review trailers that no request approved are in `trailers_only`; `merged_unapproved`,
/// `no_pull_request` and `unknown` hold only AI commits without review trailers, so that
/// `ai-with-evidence = approved + trailers_only` and the AI commits without evidence are
/// `merged_unapproved + no_pull_request` (known unreviewed) plus `unknown`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReviewCounts {
    /// Approved through a merged request (`aiprov:review:ai-approved`).
    pub approved: u64,
    /// Review trailers, no approving request.
    pub trailers_only: u64,
    /// No trailers; merged through requests without a counting approval.
    pub merged_unapproved: u64,
    /// No trailers; no merged request brought it in.
    pub no_pull_request: u64,
    /// No trailers; not looked up.
    pub unknown: u64,
    /// Sources consulted besides trailers (`github`, `gitlab`, `review-data`).
    pub sources: std::collections::BTreeSet<Source>,
}

impl ReviewCounts {
    /// Count one AI commit.
    pub fn add(&mut self, trailers: bool, outcome: Outcome) {
        match (outcome, trailers) {
            (Outcome::Approved, _) => self.approved += 1,
            (_, true) => self.trailers_only += 1,
            (Outcome::MergedUnapproved, false) => self.merged_unapproved += 1,
            (Outcome::NoPullRequest, false) => self.no_pull_request += 1,
            (Outcome::Unknown, false) => self.unknown += 1,
        }
    }

    /// Add another tally.
    pub fn merge(&mut self, other: &ReviewCounts) {
        self.approved = self.approved.saturating_add(other.approved);
        self.trailers_only = self.trailers_only.saturating_add(other.trailers_only);
        self.merged_unapproved = self
            .merged_unapproved
            .saturating_add(other.merged_unapproved);
        self.no_pull_request = self.no_pull_request.saturating_add(other.no_pull_request);
        self.unknown = self.unknown.saturating_add(other.unknown);
        self.sources.extend(other.sources.iter().copied());
    }

    /// `aiprov:review:source`: `trailers` then the other sources, comma-separated.
    pub fn source_text(&self) -> String {
        std::iter::once(Source::Trailers)
            .chain(
                self.sources
                    .iter()
                    .copied()
                    .filter(|s| *s != Source::Trailers),
            )
            .map(Source::as_str)
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// The tool key for AI commits whose rules name no tool (e.g. a generic `Assisted-by:` disclosure).
pub const UNSPECIFIED_TOOL: &str = "unspecified";

impl Counts {
    /// Empty totals with every class present.
    pub fn new() -> Counts {
        Counts {
            classes: Class::ALL.iter().map(|c| (c.as_str(), 0)).collect(),
            ..Counts::default()
        }
    }

    /// Count one classified commit whose requests were not looked up.
    pub fn add(&mut self, meta: &CommitMeta, verdict: &Verdict) {
        self.add_reviewed(meta, verdict, Outcome::Unknown);
    }

    /// Count one classified commit with its review outcome.
    pub fn add_reviewed(&mut self, meta: &CommitMeta, verdict: &Verdict, outcome: Outcome) {
        if meta.is_merge() {
            self.merges += 1;
            return;
        }
        self.add_change_reviewed(
            verdict.class,
            verdict.tool.as_deref(),
            !verdict.review.is_empty(),
            outcome,
            meta.author.time,
        );
    }

    /// [`Counts::add_change`] with the commit's review outcome: `trailers` says whether it
    /// carries review trailers.
    pub fn add_change_reviewed(
        &mut self,
        class: Class,
        tool: Option<&str>,
        trailers: bool,
        outcome: Outcome,
        author_time: Time,
    ) {
        self.add_change_inner(
            class,
            tool,
            trailers || outcome == Outcome::Approved,
            author_time,
        );
        if class.is_ai() {
            self.review.add(trailers, outcome);
        }
        if let Some(all) = &mut self.all_review {
            all.add(trailers, outcome);
        }
    }

    /// Count one non-merge commit from the parts of its verdict that the totals use: its class,
    /// tool slug, whether it carries review evidence, and its author time.
    /// Its review outcome is taken as not looked up ([`Outcome::Unknown`]).
    pub fn add_change(
        &mut self,
        class: Class,
        tool: Option<&str>,
        reviewed: bool,
        author_time: Time,
    ) {
        self.add_change_reviewed(class, tool, reviewed, Outcome::Unknown, author_time);
    }

    fn add_change_inner(
        &mut self,
        class: Class,
        tool: Option<&str>,
        reviewed: bool,
        author_time: Time,
    ) {
        self.commits += 1;
        *self.classes.entry(class.as_str()).or_insert(0) += 1;
        if class.is_ai() {
            let tool = tool.unwrap_or(UNSPECIFIED_TOOL).to_string();
            *self.tools.entry(tool).or_insert(0) += 1;
            if reviewed {
                self.ai_with_review += 1;
            }
            self.note_ai_time(Some(author_time), Some(author_time));
        }
    }

    /// Add another walk's totals to these (no deduplication: the caller decides what is distinct).
    pub fn merge(&mut self, other: &Counts) {
        self.commits = self.commits.saturating_add(other.commits);
        self.merges = self.merges.saturating_add(other.merges);
        for (class, n) in &other.classes {
            let c = self.classes.entry(class).or_insert(0);
            *c = c.saturating_add(*n);
        }
        for (tool, n) in &other.tools {
            let t = self.tools.entry(tool.clone()).or_insert(0);
            *t = t.saturating_add(*n);
        }
        self.ai_with_review = self.ai_with_review.saturating_add(other.ai_with_review);
        self.review.merge(&other.review);
        if let Some(o) = &other.all_review {
            self.all_review
                .get_or_insert_with(Default::default)
                .merge(o);
        }
        self.note_ai_time(other.ai_first, other.ai_last);
        self.errors = self.errors.saturating_add(other.errors);
    }

    fn note_ai_time(&mut self, first: Option<Time>, last: Option<Time>) {
        if let Some(t) = first {
            if self.ai_first.is_none_or(|f| t.seconds < f.seconds) {
                self.ai_first = Some(t);
            }
        }
        if let Some(t) = last {
            if self.ai_last.is_none_or(|l| t.seconds > l.seconds) {
                self.ai_last = Some(t);
            }
        }
    }

    /// AI commits (ai-agent + ai-assisted).
    pub fn ai(&self) -> u64 {
        self.class(Class::AiAgent) + self.class(Class::AiAssisted)
    }

    /// Non-merge commits of a class.
    pub fn class(&self, class: Class) -> u64 {
        self.classes.get(class.as_str()).copied().unwrap_or(0)
    }

    /// (ai-agent + ai-assisted) / commits, 0 when there are no commits.
    pub fn ai_share(&self) -> f64 {
        if self.commits == 0 {
            return 0.0;
        }
        self.ai() as f64 / self.commits as f64
    }

    /// The totals as `aiprov:` properties (`docs/properties.md`), names prefixed with `prefix`
    /// (`aiprov:` on a component, `aiprov:summary:` on the document), in this order:
    /// `commits:total`, `commits:<class>` for every class, `ai:share` (4 decimals), `ai:tools`
    /// (sorted tool slugs, only when there are AI commits naming a tool), `ai:tool:<slug>` per tool
    /// (tool-neutral AI commits under `unspecified`), `ai:first` / `ai:last` (RFC 3339, only when
    /// there are AI commits), `review:ai-with-evidence`, `review:ai-approved`,
    /// `review:ai-merged-unapproved`, `review:ai-no-pull-request`, `review:ai-unknown`,
    /// `review:source`.
    pub fn properties(&self, prefix: &str) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut push = |name: &str, value: String| out.push((format!("{prefix}{name}"), value));
        push(props::COMMITS_TOTAL, self.commits.to_string());
        for class in Class::ALL {
            push(
                &format!("{}{}", props::COMMITS_PREFIX, class.as_str()),
                self.class(class).to_string(),
            );
        }
        push(props::AI_SHARE, format_share(self.ai_share()));
        let named: Vec<&str> = self
            .tools
            .keys()
            .map(String::as_str)
            .filter(|t| *t != UNSPECIFIED_TOOL)
            .collect();
        if !named.is_empty() {
            push(props::AI_TOOLS, named.join(","));
        }
        for (tool, n) in &self.tools {
            push(&format!("{}{tool}", props::AI_TOOL_PREFIX), n.to_string());
        }
        if let Some(t) = self.ai_first {
            push(props::AI_FIRST, t.to_rfc3339());
        }
        if let Some(t) = self.ai_last {
            push(props::AI_LAST, t.to_rfc3339());
        }
        push(
            props::REVIEW_AI_WITH_EVIDENCE,
            self.ai_with_review.to_string(),
        );
        let r = &self.review;
        push(props::REVIEW_AI_APPROVED, r.approved.to_string());
        push(
            props::REVIEW_AI_TRAILER_REVIEWED,
            r.trailers_only.to_string(),
        );
        push(
            props::REVIEW_AI_MERGED_UNAPPROVED,
            r.merged_unapproved.to_string(),
        );
        push(
            props::REVIEW_AI_NO_PULL_REQUEST,
            r.no_pull_request.to_string(),
        );
        push(props::REVIEW_AI_UNKNOWN, r.unknown.to_string());
        push(props::REVIEW_SOURCE, r.source_text());
        if let Some(a) = &self.all_review {
            push(props::REVIEW_APPROVED, a.approved.to_string());
            push(props::REVIEW_TRAILER_REVIEWED, a.trailers_only.to_string());
            push(
                props::REVIEW_MERGED_UNAPPROVED,
                a.merged_unapproved.to_string(),
            );
            push(props::REVIEW_NO_PULL_REQUEST, a.no_pull_request.to_string());
            push(props::REVIEW_UNKNOWN, a.unknown.to_string());
        }
        out
    }
}

/// A share in [0, 1] with 4 decimals, e.g. `0.3472`.
pub fn format_share(share: f64) -> String {
    format!("{share:.4}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(seconds: i64) -> Time {
        Time {
            seconds,
            offset: 3600,
        }
    }

    #[test]
    fn properties_render_every_count() {
        let mut c = Counts::new();
        c.add_change(Class::AiAgent, Some("devin"), true, t(200));
        c.add_change(Class::AiAssisted, None, false, t(100));
        c.add_change(Class::AiAssisted, Some("claude-code"), false, t(300));
        c.add_change(Class::Automation, Some("dependabot"), false, t(50));
        c.add_change(Class::NoEvidence, None, false, t(10));
        c.add_change(Class::NoEvidence, None, false, t(20));
        let props = c.properties("aiprov:");
        let want = [
            ("aiprov:commits:total", "6"),
            ("aiprov:commits:ai-agent", "1"),
            ("aiprov:commits:ai-assisted", "2"),
            ("aiprov:commits:automation", "1"),
            ("aiprov:commits:no-evidence", "2"),
            ("aiprov:ai:share", "0.5000"),
            ("aiprov:ai:tools", "claude-code,devin"),
            ("aiprov:ai:tool:claude-code", "1"),
            ("aiprov:ai:tool:devin", "1"),
            ("aiprov:ai:tool:unspecified", "1"),
            ("aiprov:ai:first", "1970-01-01T01:01:40+01:00"),
            ("aiprov:ai:last", "1970-01-01T01:05:00+01:00"),
            ("aiprov:review:ai-with-evidence", "1"),
            ("aiprov:review:ai-approved", "0"),
            ("aiprov:review:ai-trailer-reviewed", "1"),
            ("aiprov:review:ai-merged-unapproved", "0"),
            ("aiprov:review:ai-no-pull-request", "0"),
            ("aiprov:review:ai-unknown", "2"),
            ("aiprov:review:source", "trailers"),
        ];
        let got: Vec<(&str, &str)> = props
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn no_ai_commits_leave_out_tools_and_dates() {
        let mut c = Counts::new();
        c.add_change(Class::NoEvidence, None, false, t(10));
        c.add_change(Class::NoEvidence, None, false, t(10));
        c.add_change(Class::NoEvidence, None, false, t(10));
        let names: Vec<String> = c
            .properties("aiprov:summary:")
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        assert_eq!(
            names,
            [
                "aiprov:summary:commits:total",
                "aiprov:summary:commits:ai-agent",
                "aiprov:summary:commits:ai-assisted",
                "aiprov:summary:commits:automation",
                "aiprov:summary:commits:no-evidence",
                "aiprov:summary:ai:share",
                "aiprov:summary:review:ai-with-evidence",
                "aiprov:summary:review:ai-approved",
                "aiprov:summary:review:ai-trailer-reviewed",
                "aiprov:summary:review:ai-merged-unapproved",
                "aiprov:summary:review:ai-no-pull-request",
                "aiprov:summary:review:ai-unknown",
                "aiprov:summary:review:source"
            ]
        );
        assert_eq!(format_share(1.0 / 3.0), "0.3333");
        assert_eq!(format_share(0.34716), "0.3472");
        assert_eq!(
            Counts::new().properties("x:")[5],
            ("x:ai:share".to_string(), "0.0000".to_string())
        );
    }

    #[test]
    fn review_outcomes_partition_the_ai_commits() {
        let mut c = Counts::new();
        let ai = Class::AiAgent;
        c.add_change_reviewed(ai, None, false, Outcome::Approved, t(1));
        c.add_change_reviewed(ai, None, true, Outcome::Approved, t(1));
        c.add_change_reviewed(ai, None, true, Outcome::MergedUnapproved, t(1));
        c.add_change_reviewed(ai, None, false, Outcome::MergedUnapproved, t(1));
        c.add_change_reviewed(ai, None, false, Outcome::NoPullRequest, t(1));
        c.add_change_reviewed(ai, None, true, Outcome::Unknown, t(1));
        c.add_change_reviewed(ai, None, false, Outcome::Unknown, t(1));
        c.add_change_reviewed(Class::NoEvidence, None, false, Outcome::NoPullRequest, t(1));
        c.review.sources.insert(Source::ReviewData);
        let mut other = Counts::new();
        other.review.sources.insert(Source::Github);
        c.merge(&other);
        let props: Vec<(String, String)> = c
            .properties("aiprov:")
            .into_iter()
            .filter(|(n, _)| n.starts_with("aiprov:review:"))
            .collect();
        let want = [
            ("aiprov:review:ai-with-evidence", "4"),
            ("aiprov:review:ai-approved", "2"),
            ("aiprov:review:ai-trailer-reviewed", "2"),
            ("aiprov:review:ai-merged-unapproved", "1"),
            ("aiprov:review:ai-no-pull-request", "1"),
            ("aiprov:review:ai-unknown", "1"),
            ("aiprov:review:source", "trailers,github,review-data"),
        ];
        let want: Vec<(String, String)> = want
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect();
        assert_eq!(props, want);
        assert_eq!((c.ai(), c.review.trailers_only), (7, 2));
        // The five buckets partition the AI commits.
        let r = &c.review;
        assert_eq!(
            r.approved + r.trailers_only + r.merged_unapproved + r.no_pull_request + r.unknown,
            c.ai()
        );
    }

    #[test]
    fn merge_adds_totals() {
        let mut a = Counts::new();
        a.add_change(Class::AiAgent, Some("devin"), false, t(200));
        let mut b = Counts::new();
        b.add_change(Class::AiAgent, Some("devin"), true, t(100));
        b.add_change(Class::Automation, None, false, t(300));
        b.merges = 2;
        a.merge(&b);
        assert_eq!(
            (
                a.commits,
                a.merges,
                a.ai(),
                a.class(Class::Automation),
                a.ai_with_review
            ),
            (3, 2, 2, 1, 1)
        );
        assert_eq!(a.tools["devin"], 2);
        assert_eq!(
            (a.ai_first.unwrap().seconds, a.ai_last.unwrap().seconds),
            (100, 200)
        );
    }
}
