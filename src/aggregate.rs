//! Counting verdicts: per class, per tool, review coverage, first and last AI commit.
//!
//! The same [`Counts`] serve `aiprov commits --format summary` and the per-component
//! `aiprov:` properties of `aiprov enrich`. Merges are counted apart and never as changes.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::classify::{Class, Verdict};
use crate::history::{CommitMeta, Time};
use crate::props::suffix as props;

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
    /// Non-merge AI commits that carry review evidence.
    pub ai_with_review: u64,
    /// Author time of the earliest non-merge AI commit.
    #[serde(skip)]
    pub ai_first: Option<Time>,
    /// Author time of the latest non-merge AI commit.
    #[serde(skip)]
    pub ai_last: Option<Time>,
    /// Commits that could not be read.
    pub errors: u64,
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

    /// Count one classified commit.
    pub fn add(&mut self, meta: &CommitMeta, verdict: &Verdict) {
        if meta.is_merge() {
            self.merges += 1;
            return;
        }
        self.add_change(
            verdict.class,
            verdict.tool.as_deref(),
            !verdict.review.is_empty(),
            meta.author.time,
        );
    }

    /// Count one non-merge commit from the parts of its verdict that the totals use: its class,
    /// tool slug, whether it carries review evidence, and its author time.
    pub fn add_change(
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
        self.commits += other.commits;
        self.merges += other.merges;
        for (class, n) in &other.classes {
            *self.classes.entry(class).or_insert(0) += n;
        }
        for (tool, n) in &other.tools {
            *self.tools.entry(tool.clone()).or_insert(0) += n;
        }
        self.ai_with_review += other.ai_with_review;
        self.note_ai_time(other.ai_first, other.ai_last);
        self.errors += other.errors;
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
    /// there are AI commits), `review:ai-with-evidence`.
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
                "aiprov:summary:review:ai-with-evidence"
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
