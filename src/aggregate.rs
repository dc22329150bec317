//! Counting verdicts: per class, per tool, review coverage, first and last AI commit.
//!
//! The same [`Counts`] serve `aiprov commits --format summary` and the per-component
//! `aiprov:` properties of `aiprov enrich`. Merges are counted apart and never as changes.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::classify::{Class, Verdict};
use crate::history::{CommitMeta, Time};

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
        Counts { classes: Class::ALL.iter().map(|c| (c.as_str(), 0)).collect(), ..Counts::default() }
    }

    /// Count one classified commit.
    pub fn add(&mut self, meta: &CommitMeta, verdict: &Verdict) {
        if meta.is_merge() {
            self.merges += 1;
            return;
        }
        self.commits += 1;
        *self.classes.entry(verdict.class.as_str()).or_insert(0) += 1;
        if verdict.class.is_ai() {
            let tool = verdict.tool.clone().unwrap_or_else(|| UNSPECIFIED_TOOL.to_string());
            *self.tools.entry(tool).or_insert(0) += 1;
            if !verdict.review.is_empty() {
                self.ai_with_review += 1;
            }
            let t = meta.author.time;
            if self.ai_first.is_none_or(|f| t.seconds < f.seconds) {
                self.ai_first = Some(t);
            }
            if self.ai_last.is_none_or(|l| t.seconds > l.seconds) {
                self.ai_last = Some(t);
            }
        }
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
        (self.class(Class::AiAgent) + self.class(Class::AiAssisted)) as f64 / self.commits as f64
    }
}
