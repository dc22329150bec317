//! Reports on an enriched document: per component AI share, tools, review coverage, first and
//! last AI commit and status; the components that could not be analyzed with their reasons;
//! totals; and the `--fail-on` violations. Four renderings of one [`Report`]: JSON, Markdown,
//! a self-contained HTML page (inline CSS and SVG, no script, no network) and SARIF 2.1.0
//! (one result per violation, located at the component in the SBOM file).
//!
//! Totals count each repository walk once: components that share a repository and revision
//! (packages of one monorepo) share their commits.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;

use serde::Serialize;
use serde_json::{json, Value};

use crate::policy::{format_number, Policy, Violation};
use crate::provenance::{self, Component};
use crate::sbom;
pub use crate::sbom::describe::{value_positions, DocumentInfo};

mod html;
mod sarif;

pub use html::{chart_rows, to_html};
pub use sarif::{path_uri, sarif_rule_id, to_sarif, to_sarif_for, SARIF_SCHEMA};

/// Bars drawn in the HTML chart at most (the highest AI shares); the table lists every component.
pub const MAX_BARS: usize = 100;

/// One analyzed component.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    /// `group/name@version`.
    pub name: String,
    /// bom-ref, else purl, else name.
    pub component: String,
    /// `purl`.
    pub purl: Option<String>,
    /// JSON pointer in the document.
    pub locator: String,
    /// `aiprov:status`.
    pub status: String,
    /// `aiprov:repository`.
    pub repository: Option<String>,
    /// `aiprov:range`.
    pub range: Option<String>,
    /// `aiprov:revision`: the commit walked.
    pub revision: Option<String>,
    /// `aiprov:revision:source`: `sbom`, `registry`, `tag`, `release-date` or `default-branch`
    /// (the last is flagged in every rendering: not a release).
    pub revision_source: Option<String>,
    /// Non-merge commits walked.
    pub commits: u64,
    /// ai-agent + ai-assisted.
    pub ai_commits: u64,
    /// ai-agent commits.
    pub ai_agent: u64,
    /// ai-assisted commits.
    pub ai_assisted: u64,
    /// AI share (0 to 1).
    pub ai_share: f64,
    /// Tool slug → AI commits.
    pub tools: BTreeMap<String, u64>,
    /// AI commits with review evidence.
    pub ai_with_review: u64,
    /// AI commits without review evidence.
    pub unreviewed_ai: u64,
    /// ai_with_review / AI commits whose review is known; `None` when none is.
    pub review_coverage: Option<f64>,
    /// AI commits without review evidence whose requests were not looked up
    /// (`aiprov:review:ai-unknown`); absent for documents without the property.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub review_unknown: Option<u64>,
    /// AI commits approved through a merged request (`aiprov:review:ai-approved`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ai_approved: Option<u64>,
    /// `aiprov:review:ai-merged-unapproved`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ai_merged_unapproved: Option<u64>,
    /// `aiprov:review:ai-no-pull-request`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ai_no_pull_request: Option<u64>,
    /// `aiprov:review:source`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub review_source: Option<String>,
    /// First AI commit (author date).
    pub ai_first: Option<String>,
    /// Last AI commit (author date).
    pub ai_last: Option<String>,
}

/// A component that was not analyzed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unresolved {
    /// `group/name@version`.
    pub name: String,
    /// bom-ref, else purl, else name.
    pub component: String,
    /// `purl`.
    pub purl: Option<String>,
    /// `aiprov:status`, or `(none)`.
    pub status: String,
    /// `aiprov:status:reason`, or what is missing.
    pub reason: String,
}

/// Totals over the document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Totals {
    /// Every component.
    pub components: usize,
    /// Components analyzed.
    pub analyzed: usize,
    /// Components not analyzed.
    pub unresolved: usize,
    /// Components per status (`(none)` for those without one).
    pub statuses: BTreeMap<String, usize>,
    /// Distinct repository walks among the analyzed components.
    pub repositories: usize,
    /// Non-merge commits over those walks.
    pub commits: u64,
    /// AI commits over those walks.
    pub ai_commits: u64,
    /// ai_commits / commits.
    pub ai_share: f64,
    /// AI commits with review evidence.
    pub ai_with_review: u64,
    /// ai_with_review / AI commits whose review is known; `None` when none is.
    pub review_coverage: Option<f64>,
    /// AI commits whose review was not looked up; absent when no component says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub review_unknown: Option<u64>,
    /// Analyzed components with at least one AI commit.
    pub components_with_ai: usize,
    /// Tool slug → AI commits over the distinct walks.
    pub tools: BTreeMap<String, u64>,
}

/// A report on one enriched document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// The document.
    pub document: DocumentInfo,
    /// Totals.
    pub totals: Totals,
    /// The analyzed components, in document order.
    pub components: Vec<Row>,
    /// The other components, in document order.
    pub unresolved: Vec<Unresolved>,
    /// `--fail-on` violations.
    pub violations: Vec<Violation>,
    /// The `--fail-on` expressions the report was made with (empty: no gate), for the verdict
    /// at the top of the Markdown and HTML reports. Set by the caller after [`build`].
    #[serde(skip)]
    pub policies: Vec<String>,
}

/// The most components the "Needs attention" list at the top of a report names.
pub const MAX_ATTENTION: usize = 20;

/// What a reader needs first: the policy verdict, and the components to look at (AI commits
/// without review evidence, or a policy violation), most unreviewed first.
struct Attention<'a> {
    /// `None`: no policy was given.
    passed: Option<bool>,
    verdict: String,
    /// (component name, why), at most [`MAX_ATTENTION`].
    rows: Vec<(&'a str, String)>,
    /// Components left off the list.
    more: usize,
}

/// `value` escapes a violation's value (untrusted: it comes from the SBOM's properties) for the
/// output at hand; the caller escapes the rest of each row.
fn attention<'a>(r: &'a Report, value: &dyn Fn(&str) -> String) -> Attention<'a> {
    let rules: Vec<&str> = {
        let mut v: Vec<&str> = r.policies.iter().map(String::as_str).collect();
        for x in &r.violations {
            if !v.contains(&x.rule.as_str()) {
                v.push(&x.rule);
            }
        }
        v
    };
    let quoted = |list: &[&str]| {
        list.iter()
            .map(|x| format!("`{}`", x.replace('`', "'")))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let (passed, verdict) = if rules.is_empty() {
        (
            None,
            "No policy given: nothing gates this release (aiprov report --fail-on EXPR)."
                .to_string(),
        )
    } else if r.violations.is_empty() {
        (
            Some(true),
            format!("Policy passed: no component violates {}.", quoted(&rules)),
        )
    } else {
        let mut violated: Vec<&str> = Vec::new();
        for v in &r.violations {
            if !violated.contains(&v.rule.as_str()) {
                violated.push(&v.rule);
            }
        }
        (
            Some(false),
            format!(
                "Policy FAILED: {} violation{} of {}.",
                r.violations.len(),
                if r.violations.len() == 1 { "" } else { "s" },
                quoted(&violated)
            ),
        )
    };
    // Components with unreviewed AI commits (most first), then the other violators.
    let mut rows: Vec<(&str, u64, Vec<String>)> = Vec::new();
    let mut by_unreviewed: Vec<&Row> = r
        .components
        .iter()
        .filter(|c| c.unreviewed_ai > 0)
        .collect();
    by_unreviewed.sort_by_key(|c| std::cmp::Reverse(c.unreviewed_ai));
    for c in by_unreviewed {
        rows.push((
            &c.name,
            c.unreviewed_ai,
            vec![format!(
                "{} of {} AI commit{} without review evidence",
                c.unreviewed_ai,
                c.ai_commits,
                if c.ai_commits == 1 { "" } else { "s" }
            )],
        ));
    }
    // AI commits whose review nobody looked up are not reviewed either: say so, never silently.
    for c in r
        .components
        .iter()
        .filter(|c| c.review_unknown.unwrap_or(0) > 0)
    {
        let u = c.review_unknown.unwrap_or(0);
        let why = format!(
            "{u} of {} AI commit{} not looked up for review (give --review-data or --forge-reviews)",
            c.ai_commits,
            if c.ai_commits == 1 { "" } else { "s" }
        );
        match rows.iter_mut().find(|(n, _, _)| *n == c.name) {
            Some((_, _, whys)) => whys.push(why),
            None => rows.push((&c.name, 0, vec![why])),
        }
    }
    for v in &r.violations {
        let why = format!(
            "violates `{}` ({})",
            v.rule.replace('`', "'"),
            value(&v.value)
        );
        match rows.iter_mut().find(|(n, _, _)| *n == v.name) {
            Some((_, _, whys)) => whys.push(why),
            None => rows.push((&v.name, 0, vec![why])),
        }
    }
    let more = rows.len().saturating_sub(MAX_ATTENTION);
    rows.truncate(MAX_ATTENTION);
    Attention {
        passed,
        verdict,
        rows: rows
            .into_iter()
            .map(|(n, _, w)| (n, w.join("; ")))
            .collect(),
        more,
    }
}

fn attention_markdown(r: &Report, s: &mut String) {
    // Like md() but for `|`, which the row escapes as a whole (after this, so `\` stays right).
    let value = |v: &str| {
        crate::text::bounded(v, 200)
            .replace('\\', "\\\\")
            .replace('`', "\\`")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    let a = attention(r, &value);
    let _ = writeln!(s, "## Verdict\n");
    let _ = writeln!(s, "**{}**\n", a.verdict);
    if a.rows.is_empty() {
        let _ = writeln!(
            s,
            "No component has AI commits that are unreviewed or whose review is unknown.\n"
        );
    } else {
        let _ = writeln!(s, "Needs attention:\n");
        let _ = writeln!(s, "| Component | Why |\n|---|---|");
        for (name, why) in &a.rows {
            let _ = writeln!(s, "| {} | {} |", md(name), why.replace('|', "\\|"));
        }
        if a.more > 0 {
            let _ = writeln!(s, "\n…and {} more (see the tables below).", a.more);
        }
        s.push('\n');
    }
    if r.totals.unresolved > 0 {
        let _ = writeln!(
            s,
            "{} component{} could not be analyzed (see Not analyzed).\n",
            r.totals.unresolved,
            if r.totals.unresolved == 1 { "" } else { "s" }
        );
    }
}

/// The document carries no `aiprov:` property: it was not enriched.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}: no component has aiprov: properties; enrich it first (aiprov enrich)")]
pub struct NotEnriched(pub String);

/// Build the report of an enriched document in any format; `violations` come from
/// [`crate::policy::evaluate`] over `components`.
pub fn build(
    file: &str,
    doc: &sbom::Document,
    components: &[Component],
    violations: Vec<Violation>,
) -> Result<Report, NotEnriched> {
    if !components.iter().any(|c| c.provenance.present) {
        return Err(NotEnriched(crate::text::bounded(file, usize::MAX)));
    }
    let document = doc.info(file);
    let mut rows = Vec::new();
    let mut unresolved = Vec::new();
    let mut statuses: BTreeMap<String, usize> = BTreeMap::new();
    for c in components {
        let p = &c.provenance;
        let status = p.status.clone().unwrap_or_else(|| "(none)".into());
        *statuses.entry(status.clone()).or_insert(0) += 1;
        if p.is_analyzed() {
            let ai = p.ai_commits().unwrap_or(0);
            rows.push(Row {
                name: c.label(),
                component: c.id(),
                purl: c.purl.clone(),
                locator: c.locator.clone(),
                status,
                repository: p.repository.clone(),
                range: p.range.clone(),
                revision: p.revision.clone(),
                revision_source: p.revision_source.clone(),
                commits: p.commits.unwrap_or(0),
                ai_commits: ai,
                ai_agent: p.ai_agent.unwrap_or(0),
                ai_assisted: p.ai_assisted.unwrap_or(0),
                ai_share: p.share().unwrap_or(0.0),
                tools: p.tools.clone(),
                ai_with_review: p.ai_with_review.unwrap_or(0).min(ai),
                unreviewed_ai: p.unreviewed_ai().unwrap_or(0),
                review_coverage: p.review_coverage(),
                review_unknown: p.review_unknown(),
                ai_approved: p.ai_approved,
                ai_merged_unapproved: p.ai_merged_unapproved,
                ai_no_pull_request: p.ai_no_pull_request,
                review_source: p.review_source.clone(),
                ai_first: p.ai_first.clone(),
                ai_last: p.ai_last.clone(),
            });
        } else {
            let reason = match (&p.status, &p.reason) {
                (_, Some(r)) => r.clone(),
                (Some(_), None) => "no reason given".into(),
                (None, None) if p.present => "no aiprov:status property".into(),
                (None, None) => "no aiprov: properties (not enriched)".into(),
            };
            unresolved.push(Unresolved {
                name: c.label(),
                component: c.id(),
                purl: c.purl.clone(),
                status,
                reason,
            });
        }
    }

    // Each repository walk once.
    let mut walks: HashSet<(String, String)> = HashSet::new();
    let (mut commits, mut ai_commits, mut ai_with_review) = (0u64, 0u64, 0u64);
    let mut review_unknown: Option<u64> = None;
    let mut tools: BTreeMap<String, u64> = BTreeMap::new();
    for r in &rows {
        let key = match &r.repository {
            Some(repo) => (repo.clone(), r.range.clone().unwrap_or_default()),
            None => (format!("component {}", r.locator), String::new()),
        };
        if !walks.insert(key) {
            continue;
        }
        // Saturating: the counts come from an untrusted SBOM and must never wrap.
        commits = commits.saturating_add(r.commits);
        ai_commits = ai_commits.saturating_add(r.ai_commits);
        ai_with_review = ai_with_review.saturating_add(r.ai_with_review);
        if let Some(u) = r.review_unknown {
            let total = review_unknown.get_or_insert(0);
            *total = total.saturating_add(u);
        }
        for (t, n) in &r.tools {
            let total = tools.entry(t.clone()).or_insert(0);
            *total = total.saturating_add(*n);
        }
    }
    let totals = Totals {
        components: components.len(),
        analyzed: rows.len(),
        unresolved: unresolved.len(),
        statuses,
        repositories: walks.len(),
        commits,
        ai_commits,
        ai_share: if commits == 0 {
            0.0
        } else {
            ai_commits as f64 / commits as f64
        },
        ai_with_review,
        review_coverage: {
            let known = ai_commits.saturating_sub(review_unknown.unwrap_or(0));
            (known > 0).then(|| ai_with_review.min(known) as f64 / known as f64)
        },
        review_unknown,
        components_with_ai: rows.iter().filter(|r| r.ai_commits > 0).count(),
        tools,
    };
    Ok(Report {
        document,
        totals,
        components: rows,
        unresolved,
        violations,
        policies: Vec::new(),
    })
}

/// Read the components of an enriched document (re-exported for callers that hold a document).
pub fn components(doc: &sbom::Document) -> Vec<Component> {
    provenance::components(doc)
}

// ---------------------------------------------------------------------------------------------
// JSON

/// The report as JSON (the [`Report`] fields; ratios rounded to 4 decimals).
pub fn to_json(r: &Report) -> Value {
    let mut v = serde_json::to_value(r).unwrap_or(Value::Null);
    round_ratios(&mut v);
    v
}

fn round_ratios(v: &mut Value) {
    match v {
        Value::Object(o) => {
            for (k, x) in o.iter_mut() {
                if matches!(k.as_str(), "ai_share" | "review_coverage") {
                    if let Some(f) = x.as_f64() {
                        *x = serde_json::from_str(&format_number(f)).unwrap_or(Value::Null);
                    }
                } else {
                    round_ratios(x);
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(round_ratios),
        _ => {}
    }
}

// ---------------------------------------------------------------------------------------------
// Markdown

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

/// Text from the SBOM as inert Markdown (a table cell the Action posts): every character
/// Markdown gives a meaning (links, images, emphasis, headings, code, HTML, tables) escaped,
/// line breaks and other controls and bidi overrides made visible (issue 15).
fn md(s: &str) -> String {
    crate::text::markdown_cell(s, 200)
}

fn tools_text(tools: &BTreeMap<String, u64>) -> String {
    if tools.is_empty() {
        return "—".into();
    }
    let mut t: Vec<(&String, &u64)> = tools.iter().collect();
    t.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    t.iter()
        .map(|(k, n)| format!("{k} ({n})"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `WITH of KNOWN (P%)`, then `; N unknown` when some AI commits' review was not looked up
/// (KNOWN = AI commits - unknown).
fn coverage_text(cov: Option<f64>, with: u64, ai: u64, unknown: Option<u64>) -> String {
    let known = ai.saturating_sub(unknown.unwrap_or(0));
    let mut s = match cov {
        Some(c) => format!("{with} of {known} ({})", pct(c)),
        None => "—".into(),
    };
    if let Some(u) = unknown.filter(|u| *u > 0) {
        s.push_str(&format!("; {u} unknown"));
    }
    s
}

/// `0123456789ab (tag)`; the default branch flagged as not a release.
pub fn revision_text(revision: &Option<String>, source: &Option<String>) -> String {
    let id = revision
        .as_deref()
        .map(|r| crate::text::bounded(&r.chars().take(12).collect::<String>(), 12))
        .unwrap_or_else(|| "—".into());
    match source.as_deref() {
        Some("default-branch") => format!("{id} (default-branch: not a release)"),
        Some(src) => format!("{id} ({})", crate::text::bounded(src, 40)),
        None => id,
    }
}

fn date(s: &Option<String>) -> String {
    s.as_deref()
        .map(|d| d.get(..10).unwrap_or(d).to_string())
        .unwrap_or_else(|| "—".into())
}

fn title(r: &Report) -> String {
    match &r.document.subject {
        Some(s) => format!("AI provenance: {s}"),
        None => format!("AI provenance: {}", r.document.file),
    }
}

fn source_line(r: &Report) -> String {
    let d = &r.document;
    let mut parts = vec![d.format.clone()];
    if let Some(v) = d.version {
        parts.push(format!("version {v}"));
    }
    if let Some(t) = &d.timestamp {
        parts.push(t.clone());
    }
    format!("{} ({})", d.file, parts.join(", "))
}

/// The report as Markdown (GitHub-flavoured tables).
pub fn to_markdown(r: &Report) -> String {
    let t = &r.totals;
    let mut s = String::new();
    let _ = writeln!(s, "# {}\n", md(&title(r)));
    let _ = writeln!(s, "SBOM: {}\n", md(&source_line(r)));
    attention_markdown(r, &mut s);
    let _ = writeln!(s, "## Totals\n");
    let _ = writeln!(s, "| | |\n|---|---|");
    let _ = writeln!(
        s,
        "| Components | {} ({} analyzed, {} not analyzed) |",
        t.components, t.analyzed, t.unresolved
    );
    let _ = writeln!(s, "| Repositories walked | {} |", t.repositories);
    let _ = writeln!(s, "| Commits | {} |", t.commits);
    let _ = writeln!(s, "| AI commits | {} ({}) |", t.ai_commits, pct(t.ai_share));
    let _ = writeln!(
        s,
        "| AI commits with review evidence | {} |",
        coverage_text(
            t.review_coverage,
            t.ai_with_review,
            t.ai_commits,
            t.review_unknown
        )
    );
    let _ = writeln!(
        s,
        "| Components with AI commits | {} |",
        t.components_with_ai
    );
    let _ = writeln!(s, "| Tools | {} |", md(&tools_text(&t.tools)));
    if !r.violations.is_empty() {
        let _ = writeln!(s, "| Policy violations | {} |", r.violations.len());
    }
    let _ = writeln!(s, "\n## Components\n");
    if r.components.is_empty() {
        let _ = writeln!(s, "No component was analyzed.");
    } else {
        let _ = writeln!(s, "| Component | Revision | AI share | AI commits | Tools | Review coverage | First AI commit | Last AI commit | Status |");
        let _ = writeln!(s, "|---|---|---:|---:|---|---:|---|---|---|");
        for c in &r.components {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} of {} | {} | {} | {} | {} | {} |",
                md(&c.name),
                md(&revision_text(&c.revision, &c.revision_source)),
                pct(c.ai_share),
                c.ai_commits,
                c.commits,
                md(&tools_text(&c.tools)),
                coverage_text(
                    c.review_coverage,
                    c.ai_with_review,
                    c.ai_commits,
                    c.review_unknown
                ),
                md(&date(&c.ai_first)),
                md(&date(&c.ai_last)),
                md(&c.status)
            );
        }
    }
    if !r.unresolved.is_empty() {
        let _ = writeln!(s, "\n## Not analyzed\n");
        let _ = writeln!(s, "| Component | Status | Reason |\n|---|---|---|");
        for u in &r.unresolved {
            let _ = writeln!(
                s,
                "| {} | {} | {} |",
                md(&u.name),
                md(&u.status),
                md(&u.reason)
            );
        }
    }
    if !r.violations.is_empty() {
        let _ = writeln!(s, "\n## Policy violations\n");
        let _ = writeln!(s, "| Component | Rule | Value |\n|---|---|---|");
        for v in &r.violations {
            let _ = writeln!(
                s,
                "| {} | `{}` | {} |",
                md(&v.name),
                v.rule.replace('`', "'").replace('|', "\\|"),
                md(&v.value)
            );
        }
    }
    s
}

#[cfg(test)]
mod tests;
