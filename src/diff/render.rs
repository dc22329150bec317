//! Renderings of a [`Diff`]: JSON (`schemas/diff.schema.json`), Markdown made to be posted as a
//! pull-request comment, SARIF 2.1.0, and the components the `--fail-on` gate evaluates.
//!
//! Every string from the inputs or the repositories (names, versions, subjects, reasons) is
//! escaped for Markdown (`|`, backticks, `<`, `>`, backslashes) and bounded.

use std::fmt::Write as _;

use serde_json::{json, Value};

use super::{Change, Delta, Diff};
use crate::policy::Violation;
use crate::provenance::{self, Provenance};

/// AI commits listed per component in the Markdown (the JSON lists up to
/// [`super::MAX_LISTED_COMMITS`]).
pub const MARKDOWN_COMMITS: usize = 15;

/// The JSON document.
pub fn to_json(d: &Diff) -> Value {
    let mut v = serde_json::to_value(d).expect("a diff serializes");
    v["tool"] = json!({"name": "aiprov", "version": env!("CARGO_PKG_VERSION")});
    v
}

/// Untrusted text as inert Markdown: [`crate::text::markdown_cell`] (links, images, emphasis,
/// HTML, tables, mentions escaped; controls and bidi characters made visible), bounded.
fn md(s: &str) -> String {
    crate::text::markdown_cell(s, 200)
}

/// The most bytes [`to_markdown`] writes: GitHub takes at most 65,536 characters in a comment
/// (a character is at least one byte); the rest is room for the closing lines.
pub const MARKDOWN_MAX_BYTES: usize = 60_000;
/// Kept free for the lines that close the comment (the note on what was left out, the footer).
const MARKDOWN_RESERVE: usize = 1_500;

/// The Markdown being written, within [`MARKDOWN_MAX_BYTES`]: entries that no longer fit are
/// counted, not written.
struct Capped {
    s: String,
    omitted: usize,
}

impl Capped {
    fn fits(&self, more: usize) -> bool {
        self.s.len() + more + MARKDOWN_RESERVE <= MARKDOWN_MAX_BYTES
    }
    /// `entry` (whole lines) when it fits, else counted as left out.
    fn entry(&mut self, entry: &str) {
        if self.fits(entry.len()) {
            self.s.push_str(entry);
        } else {
            self.omitted += 1;
        }
    }
    /// `items` joined with `, ` after `head`, as many as fit; the others counted as left out.
    fn list(&mut self, head: &str, items: impl Iterator<Item = String>, tail: &str) {
        let mut line = head.to_string();
        let mut first = true;
        for item in items {
            if self.fits(line.len() + item.len() + 2 + tail.len()) {
                if !first {
                    line.push_str(", ");
                }
                line.push_str(&item);
                first = false;
            } else {
                self.omitted += 1;
            }
        }
        line.push_str(tail);
        self.s.push_str(&line);
    }
}
fn version_text(d: &Delta) -> String {
    let v = |s: &Option<super::Side>| {
        s.as_ref()
            .and_then(|s| s.version.clone())
            .unwrap_or_else(|| "?".into())
    };
    match d.change {
        Change::Added => format!("added {}", md(&v(&d.new))),
        Change::Removed => format!("removed {}", md(&v(&d.old))),
        Change::Unchanged => md(&v(&d.new)),
        _ => format!("{} → {}", md(&v(&d.old)), md(&v(&d.new))),
    }
}

fn tools_text(tools: &std::collections::BTreeMap<String, u64>) -> String {
    let mut t: Vec<(&String, &u64)> = tools.iter().collect();
    t.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let s: Vec<String> = t.iter().map(|(k, v)| format!("{} {v}", md(k))).collect();
    if s.is_empty() {
        "—".into()
    } else {
        s.join(", ")
    }
}

fn short(id: &str) -> &str {
    &id[..id.len().min(10)]
}

/// Markdown for a pull-request comment: a headline with the totals, the changed components
/// (those with AI commits first) with their ranges, counts, tools and review evidence, each
/// one's AI commits linked to the forge, then what could not be analyzed.
pub fn to_markdown(d: &Diff) -> String {
    let t = &d.totals;
    let n = |k: &str| t.changes.get(k).copied().unwrap_or(0);
    let changed = n("upgraded") + n("downgraded") + n("added") + n("removed");
    let mut s = String::new();
    let mut omitted = 0;
    let _ = writeln!(s, "### aiprov: what this dependency change brings in\n");
    let _ = writeln!(
        s,
        "**{changed}** changed component{} ({} upgraded, {} downgraded, {} added, {} removed; {} unchanged). \
         **{}** AI commit{} in the changed ranges ({} with review evidence) out of {} commits{}.\n",
        if changed == 1 { "" } else { "s" },
        n("upgraded"),
        n("downgraded"),
        n("added"),
        n("removed"),
        n("unchanged"),
        t.ai_commits,
        if t.ai_commits == 1 { "" } else { "s" },
        t.ai_reviewed,
        t.commits,
        if t.tools.is_empty() {
            String::new()
        } else {
            format!("; tools: {}", tools_text(&t.tools))
        }
    );
    if t.ai_commits > 0 {
        let r = &t.review;
        let _ = writeln!(
            s,
            "Review of those AI commits: {} approved, {} with review trailers, {} merged without approval, {} without a pull request, {} unknown (not looked up).\n",
            r.approved, r.trailer_reviewed, r.merged_unapproved, r.no_pull_request, r.unknown
        );
    }
    let walked: Vec<&Delta> = d
        .components
        .iter()
        .filter(|c| c.change != Change::Unchanged && c.status == "analyzed")
        .collect();
    if !walked.is_empty() {
        let _ = writeln!(
            s,
            "| component | change | range | commits | AI | tools | AI with review evidence |"
        );
        let _ = writeln!(s, "|---|---|---|---:|---:|---|---:|");
        let mut out = Capped { s, omitted: 0 };
        for c in &walked {
            out.entry(&format!(
                "| {} | {} | {}{} | {} | {} | {} | {} |\n",
                md(&c.name),
                version_text(c),
                md(c.range.as_deref().unwrap_or("")),
                if c.ancestry.as_deref() == Some("diverged") {
                    " ⚠ diverged"
                } else {
                    ""
                },
                c.commits.unwrap_or(0),
                c.ai_commits,
                tools_text(&c.tools),
                if c.ai_commits > 0 {
                    format!("{}/{}", c.ai_reviewed, c.ai_commits)
                } else {
                    "—".into()
                }
            ));
        }
        out.s.push('\n');
        for c in walked.iter().filter(|c| !c.ai.is_empty()) {
            let mut s = String::new();
            let _ = writeln!(
                s,
                "<details><summary>{}: {} AI commit{}</summary>\n",
                md(&c.name),
                c.ai_commits,
                if c.ai_commits == 1 { "" } else { "s" }
            );
            for a in c.ai.iter().take(MARKDOWN_COMMITS) {
                let id = match &a.url {
                    Some(u) => format!("[`{}`]({u})", short(&a.commit)),
                    None => format!("`{}`", short(&a.commit)),
                };
                let _ = writeln!(
                    s,
                    "- {id} {} {} ({}): {}; review: {}",
                    md(a.date.get(..10).unwrap_or(&a.date)),
                    md(a.tool.as_deref().unwrap_or("unspecified")),
                    md(&a.class),
                    md(&a.subject),
                    md(&a.review)
                );
            }
            if c.ai_commits as usize > MARKDOWN_COMMITS {
                let _ = writeln!(
                    s,
                    "- … and {} more (see the JSON output)",
                    c.ai_commits as usize - MARKDOWN_COMMITS
                );
            }
            let _ = writeln!(s, "\n</details>\n");
            out.entry(&s);
        }
        s = out.s;
        omitted += out.omitted;
    }
    let mut out = Capped { s, omitted };
    let removed: Vec<String> = d
        .components
        .iter()
        .filter(|c| c.change == Change::Removed)
        .map(|c| {
            let v = c
                .old
                .as_ref()
                .and_then(|o| o.version.as_deref())
                .unwrap_or("?");
            format!("{} {}", md(&c.name), md(v))
        })
        .collect();
    if !removed.is_empty() {
        let head = format!("**Removed** ({}): ", removed.len());
        out.list(&head, removed.into_iter(), ".\n\n");
    }
    let others: Vec<&Delta> = d
        .components
        .iter()
        .filter(|c| {
            !matches!(c.change, Change::Unchanged | Change::Removed) && c.status != "analyzed"
        })
        .collect();
    if !others.is_empty() {
        let _ = writeln!(out.s, "**Not analyzed** ({}):\n", others.len());
        for c in others {
            out.entry(&format!(
                "- {} ({}): {}{}\n",
                md(&c.name),
                version_text(c),
                md(&c.status),
                c.reason
                    .as_deref()
                    .map(|r| format!(": {}", md(r)))
                    .unwrap_or_default()
            ));
        }
        out.s.push('\n');
    }
    let flagged: Vec<&Delta> = d
        .components
        .iter()
        .filter(|c| {
            [&c.old, &c.new].iter().any(|side| {
                side.as_ref()
                    .and_then(|x| x.revision_source.as_deref())
                    .is_some_and(|src| src == "default-branch" || src == "release-date")
            })
        })
        .collect();
    if !flagged.is_empty() {
        let items = flagged.iter().map(|c| {
            let src = c
                .new
                .as_ref()
                .or(c.old.as_ref())
                .and_then(|x| x.revision_source.clone())
                .unwrap_or_default();
            format!("{} ({})", md(&c.name), md(&src))
        });
        out.list(
            "Revisions not decided by a tag or a pinned commit: ",
            items,
            ".\n\n",
        );
    }
    let Capped { mut s, omitted } = out;
    if omitted > 0 {
        let _ = writeln!(
            s,
            "… {omitted} more, left out to fit a pull-request comment (GitHub takes at most 65,536 characters); see the full report: `aiprov diff --format json`.\n"
        );
    }
    let _ = writeln!(
        s,
        "<sub>aiprov {}: {} → {}. AI classes from commit metadata (authors, trailers, notes); \"no evidence\" is not \"human\".</sub>",
        env!("CARGO_PKG_VERSION"),
        md(&d.old),
        md(&d.new)
    );
    s
}

/// Each delta as a component the `--fail-on` gate evaluates: its range's counts as `aiprov:`
/// properties (so `ai-commits>0`, `unreviewed-ai>0`, `tool=…`, `status!=analyzed` and purl
/// scopes mean the same as for `enrich`, applied to the delta). Unchanged and removed
/// components carry zero counts.
pub fn policy_components(d: &Diff) -> Vec<provenance::Component> {
    d.components
        .iter()
        .map(|c| {
            let mut props: Vec<(String, String)> = Vec::new();
            let status = match c.status.as_str() {
                "not-walked" => "analyzed",
                s => s,
            };
            props.push(("aiprov:status".into(), status.into()));
            if let Some(n) = c.commits {
                props.push(("aiprov:commits:total".into(), n.to_string()));
                for class in ["ai-agent", "ai-assisted", "automation", "no-evidence"] {
                    let v = c.classes.get(class).copied().unwrap_or(0);
                    props.push((format!("aiprov:commits:{class}"), v.to_string()));
                }
                let share = if n > 0 {
                    c.ai_commits as f64 / n as f64
                } else {
                    0.0
                };
                props.push(("aiprov:ai:share".into(), format!("{share:.4}")));
                props.push((
                    "aiprov:review:ai-with-evidence".into(),
                    c.ai_reviewed.to_string(),
                ));
                // The partition, so `unreviewed-ai`, `review-unknown` and `review-coverage`
                // read the range exactly as they read an enriched component.
                for (name, n) in [
                    ("ai-approved", c.review.approved),
                    ("ai-trailer-reviewed", c.review.trailer_reviewed),
                    ("ai-merged-unapproved", c.review.merged_unapproved),
                    ("ai-no-pull-request", c.review.no_pull_request),
                    ("ai-unknown", c.review.unknown),
                ] {
                    props.push((format!("aiprov:review:{name}"), n.to_string()));
                }
                if !c.tools.is_empty() {
                    let names: Vec<&str> = c.tools.keys().map(String::as_str).collect();
                    props.push(("aiprov:ai:tools".into(), names.join(",")));
                    for (k, v) in &c.tools {
                        props.push((format!("aiprov:ai:tool:{k}"), v.to_string()));
                    }
                }
            }
            let side = c.new.as_ref().or(c.old.as_ref());
            provenance::Component {
                locator: side.map(|s| s.locator.clone()).unwrap_or_default(),
                bom_ref: None,
                name: c.name.clone(),
                group: None,
                version: side.and_then(|s| s.version.clone()),
                purl: c.purl.clone(),
                provenance: Provenance::from_properties(
                    props.iter().map(|(n, v)| (n.as_str(), v.as_str())),
                ),
            }
        })
        .collect()
}

/// SARIF 2.1.0: one `note` per changed component whose range has AI commits (rule
/// `aiprov/ai-commits-in-change`), one `error` per `--fail-on` violation; located at the
/// component in NEW (`new_uri`), or in OLD for a removed one.
pub fn to_sarif(d: &Diff, violations: &[Violation], old_uri: &str, new_uri: &str) -> Value {
    let mut rules = vec![json!({
        "id": "aiprov/ai-commits-in-change",
        "name": "AiCommitsInDependencyChange",
        "shortDescription": {"text": "A dependency change brings in AI-authored or AI-assisted commits"},
        "defaultConfiguration": {"level": "note"},
    })];
    let mut results = Vec::new();
    let uri_of = |c: &Delta| {
        if c.change == Change::Removed {
            (old_uri, 0)
        } else {
            (new_uri, 1)
        }
    };
    for c in d.components.iter().filter(|c| c.ai_commits > 0) {
        let (uri, index) = uri_of(c);
        let locator = c
            .new
            .as_ref()
            .or(c.old.as_ref())
            .map(|s| s.locator.clone())
            .unwrap_or_default();
        results.push(json!({
            "ruleId": "aiprov/ai-commits-in-change",
            "ruleIndex": 0,
            "level": "note",
            "message": {"text": format!(
                "{} {} ({}): {} AI commit(s) of {} in {}, {} with review evidence",
                c.name, version_text(c), c.change.as_str(), c.ai_commits,
                c.commits.unwrap_or(0), c.range.as_deref().unwrap_or(""), c.ai_reviewed)},
            "locations": [{
                "physicalLocation": {"artifactLocation": {"uri": uri, "index": index}},
                "logicalLocations": [{"name": c.name, "fullyQualifiedName": locator, "kind": "object"}],
            }],
            "partialFingerprints": {"aiprovDiff/v1": format!("{}|{}", c.key, c.range.as_deref().unwrap_or(""))},
            "properties": {"change": c.change.as_str(), "aiCommits": c.ai_commits, "tools": c.tools},
        }));
    }
    for v in violations {
        let index = match rules.iter().position(|r| r["id"] == v.rule.as_str()) {
            Some(i) => i,
            None => {
                rules.push(json!({
                    "id": v.rule,
                    "name": "AiprovPolicy",
                    "shortDescription": {"text": format!("aiprov diff policy --fail-on {}", v.rule)},
                    "defaultConfiguration": {"level": "error"},
                }));
                rules.len() - 1
            }
        };
        results.push(json!({
            "ruleId": v.rule,
            "ruleIndex": index,
            "level": "error",
            "message": {"text": format!("{} violates `{}` in this change: the value is {}", v.name, v.rule, v.value)},
            "locations": [{
                "physicalLocation": {"artifactLocation": {"uri": new_uri, "index": 1}},
                "logicalLocations": [{"name": v.name, "fullyQualifiedName": v.locator, "kind": "object"}],
            }],
            "partialFingerprints": {"aiprovDiffRule/v1": format!("{}|{}", v.component, v.rule)},
        }));
    }
    json!({
        "$schema": "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "aiprov", "version": env!("CARGO_PKG_VERSION"), "semanticVersion": env!("CARGO_PKG_VERSION"), "rules": rules}},
            "artifacts": [{"location": {"uri": old_uri}}, {"location": {"uri": new_uri}}],
            "results": results,
        }],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::{AiCommit, Side, Totals};
    use std::collections::BTreeMap;

    fn hostile() -> Diff {
        let side = |v: &str| Side {
            version: Some(v.into()),
            revision: Some("0".repeat(40)),
            revision_source: Some("tag".into()),
            tag: None,
            locator: "/components/0".into(),
        };
        let delta = Delta {
            name: "evil|<script>alert(1)</script>`x`".into(),
            purl: None,
            key: "name:evil".into(),
            change: Change::Upgraded,
            old: Some(side("1.0")),
            new: Some(side("2.0 | <b>")),
            repository: Some("/tmp/r.git".into()),
            range: Some("a`b..c|d".into()),
            ancestry: Some("ancestor".into()),
            commits: Some(1),
            classes: BTreeMap::new(),
            tools: BTreeMap::from([("aider".to_string(), 1)]),
            ai_commits: 1,
            ai_reviewed: 0,
            review: Default::default(),
            ai: vec![AiCommit {
                commit: "1".repeat(40),
                date: "2025-01-01T00:00:00Z".into(),
                class: "ai-agent".into(),
                tool: Some("aider".into()),
                subject: "](javascript:alert(1)) <img src=x onerror=y> | pipe".into(),
                review: "unknown".into(),
                url: None,
            }],
            status: "analyzed".into(),
            reason: None,
        };
        Diff {
            old: "old.json".into(),
            new: "new.json".into(),
            components: vec![delta],
            totals: Totals::default(),
        }
    }

    #[test]
    fn markdown_escapes_what_the_inputs_and_repositories_say() {
        let md = to_markdown(&hostile());
        assert!(!md.contains("<script>"), "{md}");
        assert!(!md.contains("<img"), "{md}");
        assert!(!md.contains("<b>"), "{md}");
        assert!(md.contains(
            "| evil\\|&lt;script&gt;alert(1)&lt;/script&gt;\\`x\\` | 1.0 → 2.0 \\| &lt;b&gt; | a\\`b..c\\|d | 1 | 1 | aider 1 | 0/1 |"
        ), "{md}");
        assert!(md.contains(
            "- `1111111111` 2025-01-01 aider (ai-agent): \\](javascript:alert(1)) &lt;img src=x onerror=y&gt; \\| pipe; review: unknown"
        ), "{md}");
    }

    #[test]
    fn markdown_escapes_links_images_emphasis_and_mentions() {
        let mut d = hostile();
        d.components[0].name =
            "![i](https://e.example/p.png) [l](https://e.example) *b* _i_ @team".into();
        let md = to_markdown(&d);
        assert!(md.contains(
            "| \\!\\[i\\](https://e.example/p.png) \\[l\\](https://e.example) \\*b\\* \\_i\\_ @&#8203;team |"
        ), "{md}");
    }

    #[test]
    fn markdown_fits_a_pull_request_comment() {
        let mut d = hostile();
        let one = d.components.remove(0);
        for i in 0..200_000 {
            let mut c = one.clone();
            c.name = format!("component-{i}");
            c.change = [Change::Upgraded, Change::Removed, Change::Added][i % 3];
            c.status = if i % 3 == 2 {
                "no-repository".into()
            } else {
                "analyzed".into()
            };
            d.components.push(c);
        }
        let md = to_markdown(&d);
        assert!(md.len() <= MARKDOWN_MAX_BYTES, "{}", md.len());
        assert!(
            md.len() > MARKDOWN_MAX_BYTES - 2 * MARKDOWN_RESERVE,
            "{}",
            md.len()
        );
        let shown = md.matches("component-").count();
        // Each upgraded component is named twice (table, AI commits), the others once.
        let omitted: usize = md
            .split("… ")
            .nth(1)
            .and_then(|t| t.split(' ').next())
            .and_then(|n| n.parse().ok())
            .expect(&md);
        assert!(omitted > 190_000, "{omitted}");
        assert!(shown > 100, "{shown}");
        assert!(md.contains("more, left out to fit a pull-request comment (GitHub takes at most 65,536 characters); see the full report: `aiprov diff --format json`."));
        assert!(md.trim_end().ends_with("</sub>"), "the footer is kept");
        // Nothing left out when it fits.
        assert!(!to_markdown(&hostile()).contains("left out"));
    }
}
