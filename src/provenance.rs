//! The `aiprov:` properties of a component, read back from an enriched document: what the
//! policy gate ([`crate::policy`]) and the reports ([`crate::report`]) evaluate.
//!
//! Property names are those of `../shared/docs/design.md` ("What goes into the SBOM"). Values
//! that do not parse (a count that is not a number) read as absent, never as zero.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::sbom::cyclonedx;

// The property names live in `crate::props`, shared with the writers.
pub use crate::props::{
    AI_FIRST, AI_LAST, AI_SHARE, AI_TOOLS, AI_TOOL_PREFIX, COMMITS_AI_AGENT, COMMITS_AI_ASSISTED,
    COMMITS_AUTOMATION, COMMITS_NO_EVIDENCE, COMMITS_TOTAL, RANGE, REPOSITORY, REVIEW_AI_APPROVED,
    REVIEW_AI_MERGED_UNAPPROVED, REVIEW_AI_NO_PULL_REQUEST, REVIEW_AI_TRAILER_REVIEWED,
    REVIEW_AI_UNKNOWN, REVIEW_AI_WITH_EVIDENCE, REVIEW_SOURCE, REVISION, REVISION_SOURCE, STATUS,
    STATUS_REASON,
};

/// What the `aiprov:` properties of one component say.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Provenance {
    /// `aiprov:status`.
    pub status: Option<String>,
    /// `aiprov:status:reason`.
    pub reason: Option<String>,
    /// `aiprov:repository`.
    pub repository: Option<String>,
    /// `aiprov:revision`.
    pub revision: Option<String>,
    /// `aiprov:revision:source`.
    pub revision_source: Option<String>,
    /// `aiprov:range`.
    pub range: Option<String>,
    /// `aiprov:commits:total`.
    pub commits: Option<u64>,
    /// `aiprov:commits:ai-agent`.
    pub ai_agent: Option<u64>,
    /// `aiprov:commits:ai-assisted`.
    pub ai_assisted: Option<u64>,
    /// `aiprov:commits:automation`.
    pub automation: Option<u64>,
    /// `aiprov:commits:no-evidence`.
    pub no_evidence: Option<u64>,
    /// `aiprov:ai:share`.
    pub ai_share: Option<f64>,
    /// Tool slug → AI commits, from `aiprov:ai:tool:<slug>` (and `aiprov:ai:tools` for slugs
    /// without a count, which read as 0).
    pub tools: BTreeMap<String, u64>,
    /// `aiprov:ai:first`.
    pub ai_first: Option<String>,
    /// `aiprov:ai:last`.
    pub ai_last: Option<String>,
    /// `aiprov:review:ai-with-evidence`.
    pub ai_with_review: Option<u64>,
    /// `aiprov:review:ai-approved`.
    pub ai_approved: Option<u64>,
    /// `aiprov:review:ai-merged-unapproved`.
    pub ai_merged_unapproved: Option<u64>,
    /// `aiprov:review:ai-trailer-reviewed`.
    pub ai_trailer_reviewed: Option<u64>,
    /// `aiprov:review:ai-no-pull-request`.
    pub ai_no_pull_request: Option<u64>,
    /// `aiprov:review:ai-unknown`.
    pub ai_review_unknown: Option<u64>,
    /// `aiprov:review:source`.
    pub review_source: Option<String>,
    /// Whether any `aiprov:` property was present.
    #[serde(skip)]
    pub present: bool,
}

impl Provenance {
    /// Read `(name, value)` pairs; names outside the namespace are ignored, the last of a
    /// repeated name wins.
    pub fn from_properties<'a>(props: impl IntoIterator<Item = (&'a str, &'a str)>) -> Provenance {
        let mut p = Provenance::default();
        let mut listed: Vec<String> = Vec::new();
        for (name, value) in props {
            if !name.starts_with(cyclonedx::NAMESPACE) {
                continue;
            }
            p.present = true;
            let text = || Some(value.trim().to_string()).filter(|s| !s.is_empty());
            let count = || value.trim().parse::<u64>().ok();
            match name {
                STATUS => p.status = text(),
                STATUS_REASON => p.reason = text(),
                REPOSITORY => p.repository = text(),
                REVISION => p.revision = text(),
                REVISION_SOURCE => p.revision_source = text(),
                RANGE => p.range = text(),
                COMMITS_TOTAL => p.commits = count(),
                COMMITS_AI_AGENT => p.ai_agent = count(),
                COMMITS_AI_ASSISTED => p.ai_assisted = count(),
                COMMITS_AUTOMATION => p.automation = count(),
                COMMITS_NO_EVIDENCE => p.no_evidence = count(),
                AI_SHARE => p.ai_share = value.trim().parse::<f64>().ok().filter(|x| x.is_finite()),
                AI_TOOLS => {
                    listed = value
                        .split([',', ' '])
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(str::to_string)
                        .collect()
                }
                AI_FIRST => p.ai_first = text(),
                AI_LAST => p.ai_last = text(),
                REVIEW_AI_WITH_EVIDENCE => p.ai_with_review = count(),
                REVIEW_AI_APPROVED => p.ai_approved = count(),
                REVIEW_AI_TRAILER_REVIEWED => p.ai_trailer_reviewed = count(),
                REVIEW_AI_MERGED_UNAPPROVED => p.ai_merged_unapproved = count(),
                REVIEW_AI_NO_PULL_REQUEST => p.ai_no_pull_request = count(),
                REVIEW_AI_UNKNOWN => p.ai_review_unknown = count(),
                REVIEW_SOURCE => p.review_source = text(),
                _ => {
                    if let Some(slug) = name.strip_prefix(AI_TOOL_PREFIX) {
                        if let Some(n) = count() {
                            p.tools.insert(slug.to_string(), n);
                        }
                    }
                }
            }
        }
        for slug in listed {
            p.tools.entry(slug).or_insert(0);
        }
        p
    }

    /// ai-agent + ai-assisted, when either count is known.
    pub fn ai_commits(&self) -> Option<u64> {
        match (self.ai_agent, self.ai_assisted) {
            (None, None) => None,
            (a, b) => Some(a.unwrap_or(0) + b.unwrap_or(0)),
        }
    }

    /// AI commits known to be unreviewed: merged without approval or without a request, and
    /// without review trailers. A document written before `aiprov:review:ai-unknown` existed
    /// (no such property) reads as AI commits without review evidence.
    pub fn unreviewed_ai(&self) -> Option<u64> {
        let ai = self.ai_commits()?;
        if self.ai_review_unknown.is_some() {
            return Some(
                self.ai_merged_unapproved.unwrap_or(0) + self.ai_no_pull_request.unwrap_or(0),
            );
        }
        Some(ai.saturating_sub(self.ai_with_review.unwrap_or(0)))
    }

    /// AI commits without review evidence whose requests were not looked up
    /// (`aiprov:review:ai-unknown`); `None` for documents without the property.
    pub fn review_unknown(&self) -> Option<u64> {
        self.ai_commits()?;
        self.ai_review_unknown
    }

    /// AI commits with review evidence / AI commits whose review is known (the unknown ones are
    /// counted neither as reviewed nor as unreviewed); `None` when no AI commit's review is
    /// known.
    pub fn review_coverage(&self) -> Option<f64> {
        let ai = self.ai_commits()?;
        let known = ai.saturating_sub(self.ai_review_unknown.unwrap_or(0));
        if known == 0 {
            return None;
        }
        Some(self.ai_with_review.unwrap_or(0).min(known) as f64 / known as f64)
    }

    /// `aiprov:ai:share`, else computed from the counts.
    pub fn share(&self) -> Option<f64> {
        if let Some(s) = self.ai_share {
            return Some(s);
        }
        let total = self.commits?;
        let ai = self.ai_commits()?;
        Some(if total == 0 {
            0.0
        } else {
            ai as f64 / total as f64
        })
    }

    /// Whether the component was analyzed.
    pub fn is_analyzed(&self) -> bool {
        self.status.as_deref() == Some("analyzed")
    }
}

/// A component of an enriched document with its provenance.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Component {
    /// JSON pointer of the component in its document.
    pub locator: String,
    /// `bom-ref`.
    pub bom_ref: Option<String>,
    /// `name`.
    pub name: String,
    /// `group`.
    pub group: Option<String>,
    /// `version`.
    pub version: Option<String>,
    /// `purl`.
    pub purl: Option<String>,
    /// Its `aiprov:` properties.
    pub provenance: Provenance,
}

impl Component {
    /// `group/name@version` as far as known.
    pub fn label(&self) -> String {
        let mut s = match &self.group {
            Some(g) if !g.is_empty() => format!("{g}/{}", self.name),
            _ => self.name.clone(),
        };
        if let Some(v) = &self.version {
            s.push('@');
            s.push_str(v);
        }
        s
    }

    /// A stable id for messages: the bom-ref, else the purl, else the label.
    pub fn id(&self) -> String {
        self.bom_ref
            .clone()
            .or_else(|| self.purl.clone())
            .unwrap_or_else(|| self.label())
    }
}

/// Every component of a document in any format [`crate::sbom::read`] reads, with its `aiprov:`
/// properties: CycloneDX properties (JSON and XML), SPDX 2 annotations by `Tool: aiprov-…`,
/// SPDX 3 aiprov `Annotation` elements (see [`crate::sbom::Document::aiprov_properties`]).
/// Components come in inventory order; `locator` is the format's own (JSON Pointer, XPath or
/// SPDXID), `bom_ref` the bom-ref or SPDXID.
pub fn components(doc: &crate::sbom::Document) -> Vec<Component> {
    let edits = doc.aiprov_properties();
    doc.inventory()
        .components
        .iter()
        .map(|c| {
            let props = edits
                .components
                .get(&c.locator)
                .map(Vec::as_slice)
                .unwrap_or(&[]);
            Component {
                locator: c.locator.clone(),
                bom_ref: c.bom_ref.clone(),
                name: c.name.clone(),
                group: c.group.clone(),
                version: c.version.clone(),
                purl: c.purl.clone(),
                provenance: Provenance::from_properties(
                    props.iter().map(|(n, v)| (n.as_str(), v.as_str())),
                ),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_design_property_names() {
        let p = Provenance::from_properties([
            ("aiprov:status", "analyzed"),
            ("aiprov:commits:total", "40"),
            ("aiprov:commits:ai-agent", "6"),
            ("aiprov:commits:ai-assisted", "4"),
            ("aiprov:ai:share", "0.2500"),
            ("aiprov:ai:tools", "aider,claude-code"),
            ("aiprov:ai:tool:aider", "7"),
            ("aiprov:ai:tool:claude-code", "3"),
            ("aiprov:review:ai-with-evidence", "4"),
            ("aiprov:ai:first", "2025-01-02T03:04:05Z"),
            ("cdx:npm:package:path", "x"),
            ("aiprov:commits:automation", "lots"),
        ]);
        assert_eq!(p.ai_commits(), Some(10));
        assert_eq!(p.unreviewed_ai(), Some(6));
        assert_eq!(p.review_coverage(), Some(0.4));
        assert_eq!(
            p.review_unknown(),
            None,
            "an older document has no unknowns"
        );
        assert_eq!(p.share(), Some(0.25));
        assert_eq!(p.automation, None, "a malformed count is absent, not zero");
        assert_eq!(
            p.tools.into_iter().collect::<Vec<_>>(),
            [("aider".into(), 7), ("claude-code".into(), 3)]
        );
        let none = Provenance::from_properties([
            ("aiprov:status", "no-repository"),
            ("aiprov:ai:tools", "devin"),
        ]);
        assert_eq!(
            (none.ai_commits(), none.review_coverage(), none.share()),
            (None, None, None)
        );
        assert_eq!(none.tools.get("devin"), Some(&0));
        assert!(!Provenance::from_properties([("x", "y")]).present);
    }

    #[test]
    fn unknown_reviews_count_neither_as_reviewed_nor_as_unreviewed() {
        let p = Provenance::from_properties([
            ("aiprov:commits:ai-agent", "6"),
            ("aiprov:commits:ai-assisted", "4"),
            ("aiprov:review:ai-with-evidence", "3"),
            ("aiprov:review:ai-approved", "2"),
            ("aiprov:review:ai-merged-unapproved", "2"),
            ("aiprov:review:ai-no-pull-request", "1"),
            ("aiprov:review:ai-unknown", "4"),
            ("aiprov:review:source", "trailers,review-data"),
        ]);
        assert_eq!(
            (p.unreviewed_ai(), p.review_unknown(), p.review_coverage()),
            (Some(3), Some(4), Some(0.5))
        );
        assert_eq!(p.review_source.as_deref(), Some("trailers,review-data"));
        let all_unknown = Provenance::from_properties([
            ("aiprov:commits:ai-agent", "2"),
            ("aiprov:commits:ai-assisted", "0"),
            ("aiprov:review:ai-with-evidence", "0"),
            ("aiprov:review:ai-unknown", "2"),
        ]);
        assert_eq!(
            (
                all_unknown.unreviewed_ai(),
                all_unknown.review_unknown(),
                all_unknown.review_coverage()
            ),
            (Some(0), Some(2), None)
        );
    }
}
