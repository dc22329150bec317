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
        let _ = writeln!(s, "No component has AI commits without review evidence.\n");
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

fn attention_html(r: &Report, s: &mut String) {
    // esc() below escapes the whole row.
    let a = attention(r, &|v: &str| crate::text::bounded(v, 200));
    let class = match a.passed {
        Some(true) => "verdict pass",
        Some(false) => "verdict fail",
        None => "verdict",
    };
    let _ = writeln!(
        s,
        "<h2>Verdict</h2>\n<p class=\"{class}\"><strong>{}</strong></p>",
        esc(&a.verdict.replace('`', ""))
    );
    if a.rows.is_empty() {
        s.push_str("<p>No component has AI commits without review evidence.</p>\n");
    } else {
        s.push_str("<p>Needs attention:</p>\n<table><tr><th>Component</th><th>Why</th></tr>\n");
        for (name, why) in &a.rows {
            let _ = writeln!(
                s,
                "<tr><td>{}</td><td>{}</td></tr>",
                esc(name),
                esc(&why.replace('`', ""))
            );
        }
        s.push_str("</table>\n");
        if a.more > 0 {
            let _ = writeln!(
                s,
                "<p class=\"muted\">…and {} more (see the tables below).</p>",
                a.more
            );
        }
    }
    if r.totals.unresolved > 0 {
        let _ = writeln!(
            s,
            "<p>{} component{} could not be analyzed (see Not analyzed).</p>",
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
        commits += r.commits;
        ai_commits += r.ai_commits;
        ai_with_review += r.ai_with_review;
        if let Some(u) = r.review_unknown {
            *review_unknown.get_or_insert(0) += u;
        }
        for (t, n) in &r.tools {
            *tools.entry(t.clone()).or_insert(0) += n;
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

// ---------------------------------------------------------------------------------------------
// HTML

fn esc(s: &str) -> String {
    let s = crate::text::bounded(s, 300);
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The components drawn as bars: highest AI share first, then by name; at most [`MAX_BARS`].
pub fn chart_rows(r: &Report) -> Vec<&Row> {
    let mut rows: Vec<&Row> = r.components.iter().collect();
    rows.sort_by(|a, b| {
        b.ai_share
            .total_cmp(&a.ai_share)
            .then_with(|| a.name.cmp(&b.name))
    });
    rows.truncate(MAX_BARS);
    rows
}

fn chart(r: &Report) -> String {
    let rows = chart_rows(r);
    let (label_w, bar_w, value_w, row_h, top) = (280.0, 400.0, 70.0, 24.0, 28.0);
    let width = label_w + bar_w + value_w;
    let height = top + row_h * rows.len() as f64 + 8.0;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg id="ai-share-chart" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" aria-label="AI share of commits per component">"#
    );
    let _ = write!(s, r#"<text x="{label_w}" y="16" class="axis">0%</text>"#);
    let _ = write!(
        s,
        r#"<text x="{}" y="16" class="axis" text-anchor="middle">50%</text>"#,
        label_w + bar_w / 2.0
    );
    let _ = write!(
        s,
        r#"<text x="{}" y="16" class="axis" text-anchor="end">100%</text>"#,
        label_w + bar_w
    );
    for (i, row) in rows.iter().enumerate() {
        let y = top + row_h * i as f64;
        let w = (row.ai_share.clamp(0.0, 1.0) * bar_w * 10.0).round() / 10.0;
        let name = esc(&row.name);
        let _ = write!(
            s,
            r#"<g class="row"><title>{name}: {} AI share, {} of {} commits</title><text x="{}" y="{}" class="label" text-anchor="end">{}</text><rect class="track" x="{label_w}" y="{}" width="{bar_w}" height="{}"/><rect class="bar" x="{label_w}" y="{}" width="{w}" height="{}"/><text x="{}" y="{}" class="value">{}</text></g>"#,
            pct(row.ai_share),
            row.ai_commits,
            row.commits,
            label_w - 8.0,
            y + 15.0,
            esc(&crate::text::bounded(&row.name, 36)),
            y + 3.0,
            row_h - 6.0,
            y + 3.0,
            row_h - 6.0,
            label_w + bar_w + 6.0,
            y + 15.0,
            pct(row.ai_share),
        );
    }
    s.push_str("</svg>");
    s
}

const CSS: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:2rem;color:#1f2328;background:#fff}\
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem}table{border-collapse:collapse;margin:.5rem 0}\
th,td{border:1px solid #d0d7de;padding:.3rem .6rem;text-align:left;font-size:.9rem}th{background:#f6f8fa}\
.verdict{padding:.4rem .6rem;border-left:4px solid #59636e}.verdict.pass{border-color:#1a7f37}.verdict.fail{border-color:#cf222e}td.num{text-align:right}td.num,td.date{white-space:nowrap}.muted{color:#59636e}svg text{font-size:12px;fill:#1f2328}svg .axis{fill:#59636e}\
svg .track{fill:#eef1f4}svg .bar{fill:#d9480f}.violation{color:#b42318}";

/// The report as one self-contained HTML page: inline CSS and an inline SVG bar chart of AI
/// share per component; no script, no external resource (a Content-Security-Policy forbids any).
pub fn to_html(r: &Report) -> String {
    let t = &r.totals;
    let mut s = String::new();
    s.push_str("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
    s.push_str("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">");
    s.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
    let _ = writeln!(
        s,
        "<title>{}</title><style>{CSS}</style></head><body>",
        esc(&title(r))
    );
    let _ = write!(
        s,
        "<h1>{}</h1>\n<p class=\"muted\">SBOM: {}</p>\n",
        esc(&title(r)),
        esc(&source_line(r))
    );
    attention_html(r, &mut s);
    s.push_str("<h2>Totals</h2>\n<table>");
    let mut total_row = |k: &str, v: String| {
        let _ = write!(s, "<tr><th>{}</th><td>{}</td></tr>", esc(k), esc(&v));
    };
    total_row(
        "Components",
        format!(
            "{} ({} analyzed, {} not analyzed)",
            t.components, t.analyzed, t.unresolved
        ),
    );
    total_row("Repositories walked", t.repositories.to_string());
    total_row("Commits", t.commits.to_string());
    total_row(
        "AI commits",
        format!("{} ({})", t.ai_commits, pct(t.ai_share)),
    );
    total_row(
        "AI commits with review evidence",
        coverage_text(
            t.review_coverage,
            t.ai_with_review,
            t.ai_commits,
            t.review_unknown,
        ),
    );
    total_row(
        "Components with AI commits",
        t.components_with_ai.to_string(),
    );
    total_row("Tools", tools_text(&t.tools));
    if !r.violations.is_empty() {
        total_row("Policy violations", r.violations.len().to_string());
    }
    s.push_str("</table>\n<h2>AI share per component</h2>\n");
    if r.components.is_empty() {
        s.push_str("<p>No component was analyzed.</p>\n");
    } else {
        if r.components.len() > MAX_BARS {
            let _ = writeln!(s, "<p class=\"muted\">The {MAX_BARS} highest of {} analyzed components; the table lists all.</p>", r.components.len());
        }
        s.push_str(&chart(r));
        s.push_str("\n<h2>Components</h2>\n<table><tr><th>Component</th><th>Revision</th><th>AI share</th><th>AI commits</th><th>Tools</th><th>Review coverage</th><th>First AI commit</th><th>Last AI commit</th><th>Status</th></tr>\n");
        for c in &r.components {
            let _ = writeln!(
                s,
                "<tr><td title=\"{}\">{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{} of {}</td><td>{}</td><td class=\"num\">{}</td><td class=\"date\">{}</td><td class=\"date\">{}</td><td>{}</td></tr>",
                esc(&c.component),
                esc(&c.name),
                esc(&revision_text(&c.revision, &c.revision_source)),
                pct(c.ai_share),
                c.ai_commits,
                c.commits,
                esc(&tools_text(&c.tools)),
                esc(&coverage_text(c.review_coverage, c.ai_with_review, c.ai_commits, c.review_unknown)),
                esc(&date(&c.ai_first)),
                esc(&date(&c.ai_last)),
                esc(&c.status)
            );
        }
        s.push_str("</table>\n");
    }
    if !r.unresolved.is_empty() {
        s.push_str("<h2>Not analyzed</h2>\n<table><tr><th>Component</th><th>Status</th><th>Reason</th></tr>\n");
        for u in &r.unresolved {
            let _ = writeln!(
                s,
                "<tr><td title=\"{}\">{}</td><td>{}</td><td>{}</td></tr>",
                esc(&u.component),
                esc(&u.name),
                esc(&u.status),
                esc(&u.reason)
            );
        }
        s.push_str("</table>\n");
    }
    if !r.violations.is_empty() {
        s.push_str("<h2 class=\"violation\">Policy violations</h2>\n<table><tr><th>Component</th><th>Rule</th><th>Value</th></tr>\n");
        for v in &r.violations {
            let _ = writeln!(
                s,
                "<tr><td>{}</td><td><code>{}</code></td><td>{}</td></tr>",
                esc(&v.name),
                esc(&v.rule),
                esc(&v.value)
            );
        }
        s.push_str("</table>\n");
    }
    s.push_str("</body></html>\n");
    s
}

// ---------------------------------------------------------------------------------------------
// SARIF

/// The SARIF 2.1.0 schema URI written in `$schema`.
pub const SARIF_SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// A SARIF 2.1.0 log: one run of aiprov, one rule per policy, one result per violation located
/// at the component's first line in the SBOM file (`source` is the file's text, `uri` how to
/// name it, e.g. the path relative to the repository root).
pub fn to_sarif(
    r: &Report,
    policies: &[Policy],
    source: &str,
    uri: &str,
    tool_version: &str,
) -> Value {
    let wanted: HashSet<String> = r.violations.iter().map(|v| v.locator.clone()).collect();
    let positions = value_positions(source, &wanted);
    to_sarif_at(
        r,
        policies,
        &positions,
        uri,
        "application/vnd.cyclonedx+json",
        tool_version,
    )
}

/// [`to_sarif`] for a document in any format: each violation located where
/// [`sbom::Document::positions`] finds its component in `source` (the document's text).
pub fn to_sarif_for(
    r: &Report,
    policies: &[Policy],
    doc: &sbom::Document,
    source: &str,
    uri: &str,
    tool_version: &str,
) -> Value {
    let wanted: HashSet<String> = r.violations.iter().map(|v| v.locator.clone()).collect();
    let positions = doc.positions(source, &wanted);
    to_sarif_at(
        r,
        policies,
        &positions,
        uri,
        doc.format().mime_type(),
        tool_version,
    )
}

/// A SARIF result's properties: the component, the value, and the revision it was analyzed at
/// with its source (`revision`, `revisionSource`) when the component was analyzed.
fn sarif_properties(r: &Report, v: &Violation) -> Value {
    let mut p = json!({"component": v.component, "value": v.value});
    if let Some(row) = r.components.iter().find(|c| c.locator == v.locator) {
        if let Some(rev) = &row.revision {
            p["revision"] = json!(rev);
        }
        if let Some(src) = &row.revision_source {
            p["revisionSource"] = json!(src);
        }
    }
    p
}

fn to_sarif_at(
    r: &Report,
    policies: &[Policy],
    positions: &HashMap<String, (usize, usize)>,
    uri: &str,
    mime: &str,
    tool_version: &str,
) -> Value {
    let mut rules: Vec<&str> = Vec::new();
    for p in policies {
        if !rules.contains(&p.text.as_str()) {
            rules.push(&p.text);
        }
    }
    for v in &r.violations {
        if !rules.contains(&v.rule.as_str()) {
            rules.push(&v.rule);
        }
    }
    let rule_objects: Vec<Value> = rules
        .iter()
        .map(|expr| {
            let (text, markdown) = rule_help(expr);
            json!({
                "id": sarif_rule_id(expr),
                "name": "AiprovPolicy",
                "shortDescription": {"text": format!("aiprov policy --fail-on {expr}")},
                "fullDescription": {"text": format!("A component of the SBOM for which the aiprov policy `{expr}` holds (its aiprov: properties violate the release gate).")},
                "help": {"text": text, "markdown": markdown},
                "defaultConfiguration": {"level": "error"},
                "properties": {"expression": expr, "tags": ["ai-provenance", "sbom", "supply-chain"]},
            })
        })
        .collect();
    let results: Vec<Value> = r
        .violations
        .iter()
        .map(|v| {
            let index = rules.iter().position(|id| *id == v.rule).unwrap_or(0);
            let mut physical = json!({"artifactLocation": {"uri": uri, "index": 0}});
            if let Some((line, column)) = positions.get(&v.locator) {
                physical["region"] = json!({"startLine": line, "startColumn": column});
            }
            json!({
                "ruleId": sarif_rule_id(&v.rule),
                "ruleIndex": index,
                "level": "error",
                "message": {"text": format!("{} ({}) violates `{}`: the value is {}", v.name, v.component, v.rule, v.value)},
                "locations": [{
                    "physicalLocation": physical,
                    "logicalLocations": [{"name": v.name, "fullyQualifiedName": v.locator, "kind": "object"}],
                }],
                "partialFingerprints": {"aiprovComponentRule/v2": format!("{}|{}", v.component, sarif_rule_id(&v.rule))},
                "properties": sarif_properties(r, v),
            })
        })
        .collect();
    json!({
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "aiprov", "version": tool_version, "semanticVersion": tool_version, "informationUri": env!("CARGO_PKG_REPOSITORY"), "rules": rule_objects}},
            "artifacts": [{"location": {"uri": uri}, "mimeType": mime}],
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    })
}

/// The SARIF rule id of a `--fail-on` expression: `aiprov/<metric>/<8 hex digits>`, the metric
/// the expression reads (`policy` when it does not parse) and the 32-bit FNV-1a hash of the
/// expression without whitespace. Stable across runs, releases and the order of the flags, so
/// code scanning keeps matching alerts; never the raw expression (GitHub shows ids as they are).
pub fn sarif_rule_id(expr: &str) -> String {
    let metric = crate::policy::parse(expr)
        .map(|p| p.metric.as_str())
        .unwrap_or("policy");
    let mut hash: u32 = 0x811c_9dc5;
    for b in expr.bytes().filter(|b| !b.is_ascii_whitespace()) {
        hash ^= u32::from(b);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    format!("aiprov/{metric}/{hash:08x}")
}

/// `help` of a policy's SARIF rule (required by GitHub code scanning): what the expression
/// checks and what to do about a result, as plain text and Markdown.
fn rule_help(expr: &str) -> (String, String) {
    use crate::policy::Metric;
    let what = match crate::policy::parse(expr).ok().map(|p| p.metric) {
        Some(Metric::AiShare) => "the share of a component's commits that AI tools wrote (aiprov:ai:share)",
        Some(Metric::ReviewCoverage) => "the share of a component's AI commits that carry review evidence",
        Some(Metric::AiCommits) => "the number of AI commits (ai-agent and ai-assisted) in the component's released history",
        Some(Metric::UnreviewedAi) => "the number of AI commits in the component's released history that came in through a pull request without an approval or without a pull request (trailer review evidence counts as reviewed; unknown reviews are not counted here)",
        Some(Metric::Commits) => "the number of non-merge commits walked for the component",
        Some(Metric::AiAgent) => "the number of commits an AI agent authored",
        Some(Metric::AiAssisted) => "the number of commits written with an AI assistant",
        Some(Metric::Automation) => "the number of commits by known automation (bots, release tools)",
        Some(Metric::NoEvidence) => "the number of commits without any AI or automation evidence",
        Some(Metric::Tool) => "the AI tools found in the component's history (aiprov:ai:tools)",
        Some(Metric::Status) => "whether aiprov could analyze the component (aiprov:status: analyzed, or why not)",
        Some(Metric::ReviewUnknown) => "the number of AI commits whose review was not looked up (no review data, no forge answer: aiprov:review:ai-unknown)",
        None => "a property aiprov wrote for the component",
    };
    let fix = "Review the component's AI commits (aiprov's evidence file lists each commit and the rule that matched), replace or pin the component, or change the policy if it is too strict. A component aiprov could not analyze needs its repository (--repo-map, --mirror-dir).";
    (
        format!("The release gate `{expr}` reads {what}. A result marks a component for which it holds. {fix}"),
        format!(
            "The release gate `{}` reads {what}.\n\nA result marks a component for which it holds.\n\n**What to do:** {fix}\n\nSee aiprov's docs/audit.md for the policy grammar.",
            expr.replace('`', "'")
        ),
    )
}

/// A file path as a SARIF `uri`: forward slashes, everything outside RFC 3986 unreserved
/// characters and `/` percent-encoded.
pub fn path_uri(path: &str) -> String {
    let mut out = String::new();
    for b in path.replace('\\', "/").bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_of_nested_values() {
        let text = "{\n  \"a\": [1, {\"b\": \"x/y\"}],\n  \"components\": [\n    {\"name\": \"é\"},\n      {\"name\": \"q\", \"components\": [ {\"name\": \"r\"} ]}\n  ],\n  \"k~/\": {}\n}\n";
        let wanted: HashSet<String> = [
            "/components/0",
            "/components/1",
            "/components/1/components/0",
            "/a/1/b",
            "/k~0~1",
            "/missing",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let p = value_positions(text, &wanted);
        assert_eq!(p.get("/components/0"), Some(&(4, 5)));
        assert_eq!(p.get("/components/1"), Some(&(5, 7)));
        assert_eq!(p.get("/components/1/components/0"), Some(&(5, 37)));
        assert_eq!(p.get("/a/1/b"), Some(&(2, 18)));
        assert_eq!(p.get("/k~0~1"), Some(&(7, 10)));
        assert_eq!(p.get("/missing"), None);
    }

    #[test]
    fn html_escapes_names_and_caps_the_bars() {
        let mut components = Vec::new();
        for i in 0..150u64 {
            let name = if i == 0 {
                "<script>alert(1)</script>".to_string()
            } else {
                format!("c{i:03}")
            };
            let props = [
                ("aiprov:status".to_string(), "analyzed".to_string()),
                ("aiprov:commits:total".to_string(), "100".to_string()),
                ("aiprov:commits:ai-agent".to_string(), i.to_string()),
                ("aiprov:commits:ai-assisted".to_string(), "0".to_string()),
            ];
            components.push(Component {
                locator: format!("/components/{i}"),
                name,
                provenance: crate::provenance::Provenance::from_properties(
                    props.iter().map(|(a, b)| (a.as_str(), b.as_str())),
                ),
                ..Component::default()
            });
        }
        let doc = sbom::read(
            "x.json",
            br#"{"bomFormat": "CycloneDX", "specVersion": "1.6"}"#,
            &sbom::ReadOptions::default(),
        )
        .unwrap();
        let r = build("x.json", &doc, &components, Vec::new()).unwrap();
        let html = to_html(&r);
        assert!(!html.contains("<script"), "names are escaped");
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert_eq!(html.matches("<rect class=\"bar\"").count(), MAX_BARS);
        assert!(html.contains("The 100 highest of 150 analyzed components; the table lists all."));
        // highest share first: c149 (149 of 100 commits caps the bar at the full width)
        assert_eq!(chart_rows(&r)[0].name, "c149");
        assert_eq!(chart_rows(&r)[99].name, "c050");
        assert!(html.contains(r#"<rect class="bar" x="280" y="31" width="400""#));
    }

    #[test]
    fn verdict_rows_escape_the_violating_value() {
        let doc = sbom::read(
            "x.json",
            br#"{"bomFormat": "CycloneDX", "specVersion": "1.6"}"#,
            &sbom::ReadOptions::default(),
        )
        .unwrap();
        let violation = crate::policy::Violation {
            component: "pkg:npm/x@1".into(),
            name: "x@1".into(),
            locator: "/components/0".into(),
            rule: "tool=devin".into(),
            // untrusted: the tool names come from the SBOM's aiprov:ai:tools
            value: "a`b|<img src=x>\\".into(),
        };
        let props = [
            ("aiprov:status", "analyzed"),
            ("aiprov:commits:total", "1"),
            ("aiprov:ai:tools", "devin"),
        ];
        let component = Component {
            locator: "/components/0".into(),
            name: "x".into(),
            version: Some("1".into()),
            provenance: crate::provenance::Provenance::from_properties(props),
            ..Component::default()
        };
        let r = build("x.json", &doc, &[component], vec![violation]).unwrap();
        let md = to_markdown(&r);
        assert!(
            md.contains("| x@1 | violates `tool=devin` (a\\`b\\|&lt;img src=x&gt;\\\\) |\n"),
            "{md}"
        );
        let html = to_html(&r);
        assert!(!html.contains("<img"), "{html}");
        assert!(
            html.contains("violates tool=devin (ab|&lt;img src=x&gt;\\)"),
            "{html}"
        );
    }

    #[test]
    fn uris_are_percent_encoded() {
        assert_eq!(path_uri("sboms/my bom.cdx.json"), "sboms/my%20bom.cdx.json");
        assert_eq!(path_uri("a\\b.json"), "a/b.json");
        assert_eq!(path_uri("é.json"), "%C3%A9.json");
    }
}
