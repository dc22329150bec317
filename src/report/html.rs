//! The HTML rendering of a [`Report`]: one self-contained page, inline CSS and SVG.

use std::fmt::Write as _;

use super::*;

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
        s.push_str(
            "<p>No component has AI commits that are unreviewed or whose review is unknown.</p>\n",
        );
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
