//! The names of the `aiprov:` property namespace, in one place for the writers (`aggregate`,
//! `enrich`, the SBOM writers) and the readers (`provenance`, `policy`, `report`, `check`).
//! The meaning of each is in `docs/properties.md` and `../shared/docs/design.md` ("What goes
//! into the SBOM"). Bottom layer: names only, no behaviour.

/// Defines each property twice: the full component-level name (`aiprov:` + suffix) as a
/// constant, and the bare suffix in [`suffix`] for writers that add a prefix of their own
/// (`aiprov:` on a component, [`SUMMARY_PREFIX`] on the document).
macro_rules! names {
    ($($(#[$doc:meta])* $id:ident = $suffix:literal;)*) => {
        $($(#[$doc])* pub const $id: &str = concat!("aiprov:", $suffix);)*
        /// The names without the namespace prefix.
        pub mod suffix {
            $($(#[$doc])* pub const $id: &str = $suffix;)*
        }
    };
}

/// The namespace every property aiprov writes starts with.
pub const NAMESPACE: &str = "aiprov:";
/// Prefix of the document-level totals (`aiprov:summary:commits:total`, …).
pub const SUMMARY_PREFIX: &str = "aiprov:summary:";

names! {
    /// `analyzed`, `no-repository`, `repository-unavailable`, `revision-unresolved`, `error`.
    STATUS = "status";
    /// One line, when the status is not `analyzed`.
    STATUS_REASON = "status:reason";
    /// Canonical repository URL.
    REPOSITORY = "repository";
    /// Where the repository came from (`repo-map`, `sbom:…`, `registry:…`).
    REPOSITORY_SOURCE = "repository:source";
    /// Commit id walked.
    REVISION = "revision";
    /// Where the revision came from.
    REVISION_SOURCE = "revision:source";
    /// The registry's release time the revision was picked by (RFC 3339), when
    /// `revision:source` is `release-date`.
    REVISION_RELEASE_TIME = "revision:release-time";
    /// What was walked.
    RANGE = "range";
    /// Non-merge commits walked.
    COMMITS_TOTAL = "commits:total";
    /// Per-class counts.
    COMMITS_AI_AGENT = "commits:ai-agent";
    /// Per-class counts.
    COMMITS_AI_ASSISTED = "commits:ai-assisted";
    /// Per-class counts.
    COMMITS_AUTOMATION = "commits:automation";
    /// Per-class counts.
    COMMITS_NO_EVIDENCE = "commits:no-evidence";
    /// Prefix of the per-class counts (`aiprov:commits:<class>`).
    COMMITS_PREFIX = "commits:";
    /// (ai-agent + ai-assisted) / total.
    AI_SHARE = "ai:share";
    /// Sorted tool slugs.
    AI_TOOLS = "ai:tools";
    /// Prefix of the per-tool counts (`aiprov:ai:tool:<slug>`).
    AI_TOOL_PREFIX = "ai:tool:";
    /// Author date of the first AI commit.
    AI_FIRST = "ai:first";
    /// Author date of the last AI commit.
    AI_LAST = "ai:last";
    /// AI commits that carry review evidence.
    REVIEW_AI_WITH_EVIDENCE = "review:ai-with-evidence";
    /// AI commits approved through a merged pull/merge request.
    REVIEW_AI_APPROVED = "review:ai-approved";
    /// AI commits with review trailers that no merged request approved.
    REVIEW_AI_TRAILER_REVIEWED = "review:ai-trailer-reviewed";
    /// AI commits without review trailers merged through requests without a counting approval.
    REVIEW_AI_MERGED_UNAPPROVED = "review:ai-merged-unapproved";
    /// AI commits without review trailers that no merged request brought in.
    REVIEW_AI_NO_PULL_REQUEST = "review:ai-no-pull-request";
    /// AI commits without review trailers whose requests were not looked up.
    REVIEW_AI_UNKNOWN = "review:ai-unknown";
    /// `--reviews all`: commits (AI or not) approved through a merged pull/merge request.
    REVIEW_APPROVED = "review:approved";
    /// `--reviews all`: commits with review trailers that no merged request approved.
    REVIEW_TRAILER_REVIEWED = "review:trailer-reviewed";
    /// `--reviews all`: commits without review trailers merged without a counting approval.
    REVIEW_MERGED_UNAPPROVED = "review:merged-unapproved";
    /// `--reviews all`: commits without review trailers that no merged request brought in.
    REVIEW_NO_PULL_REQUEST = "review:no-pull-request";
    /// `--reviews all`: commits without review trailers whose requests were not looked up.
    REVIEW_UNKNOWN = "review:unknown";
    /// Where review evidence came from: `trailers`, `github`, `gitlab`, `review-data`.
    REVIEW_SOURCE = "review:source";
}

#[cfg(test)]
mod tests {
    #[test]
    fn full_names_are_the_namespace_and_the_suffix() {
        assert_eq!(super::COMMITS_TOTAL, "aiprov:commits:total");
        assert_eq!(super::suffix::COMMITS_TOTAL, "commits:total");
        assert_eq!(super::AI_TOOL_PREFIX, "aiprov:ai:tool:");
        assert!(super::SUMMARY_PREFIX.starts_with(super::NAMESPACE));
    }
}
