//! The evidence as Markdown.

use super::*;

/// Untrusted text (commit subjects, names, review data) as inert Markdown: the shared escaper
/// (links, images, emphasis, HTML, `@` mentions; issue 15), bounded to 160 characters.
fn md(s: &str) -> String {
    crate::text::markdown_cell(s, 160)
}

#[cfg(test)]
pub(super) fn md_for_tests(s: &str) -> String {
    md(s)
}

fn named_text(n: &[Named]) -> String {
    if n.is_empty() {
        return "—".into();
    }
    n.iter()
        .map(|x| {
            let who = x
                .name
                .clone()
                .or_else(|| x.email.clone())
                .unwrap_or_default();
            format!("{who} ({})", x.via)
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn opt_percent(p: Option<f64>) -> String {
    p.map(|p| format!("{p:.1}%")).unwrap_or_else(|| "—".into())
}

/// How a piece of evidence was made, stated at the top of the Markdown so a reader can tell
/// which aiprov and which rules produced it, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp {
    /// Generation time, RFC 3339 UTC (`SOURCE_DATE_EPOCH` when set).
    pub generated: String,
    /// aiprov's version.
    pub tool_version: String,
    /// The rule set's digest ([`crate::classify::RuleSet::digest`]).
    pub rules_digest: String,
}

/// The evidence as Markdown: how it was made, metrics, the AI commits with their agent and
/// review, then every change record.
pub fn to_markdown(e: &RangeEvidence, stamp: &Stamp) -> String {
    let m = &e.metrics;
    let mut s = String::new();
    let _ = writeln!(s, "# Change evidence (SOC 2 CC8.1): {}\n", md(&e.range));
    let _ = writeln!(
        s,
        "Generated {} by aiprov {}, rule set `{}`  ",
        md(&stamp.generated),
        md(&stamp.tool_version),
        stamp.rules_digest.replace('`', "")
    );
    let _ = writeln!(s, "Repository: {}  ", md(&e.repository));
    let _ = writeln!(
        s,
        "Range: {} = `{}..{}`\n",
        md(&e.range),
        e.from
            .as_deref()
            .map(|f| &f[..f.len().min(12)])
            .unwrap_or(""),
        &e.to[..e.to.len().min(12)]
    );
    let _ = writeln!(s, "## Metrics\n\n| | |\n|---|---|");
    let _ = writeln!(s, "| Changes (non-merge commits) | {} |", m.commits);
    let _ = writeln!(s, "| Merge commits | {} |", m.merges);
    let _ = writeln!(s, "| AI commits | {} |", m.ai_commits);
    let _ = writeln!(
        s,
        "| AI commits with review evidence | {} ({}) |",
        m.ai_with_review_evidence,
        opt_percent(m.ai_with_review_evidence_percent)
    );
    let _ = writeln!(
        s,
        "| Human review coverage (all changes) | {} of {} ({}) |",
        m.commits_with_review_evidence,
        m.commits,
        opt_percent(m.human_review_coverage_percent)
    );
    let _ = writeln!(
        s,
        "| Changes via pull request | {} |",
        m.commits_via_pull_request
    );
    let tools: Vec<String> = m.tools.iter().map(|(k, n)| format!("{k} ({n})")).collect();
    let _ = writeln!(
        s,
        "| AI tools | {} |",
        if tools.is_empty() {
            "—".into()
        } else {
            md(&tools.join(", "))
        }
    );
    let ai: Vec<&ChangeRecord> = e.records.iter().filter(|r| r.is_ai()).collect();
    let _ = writeln!(s, "\n## AI commits\n");
    if ai.is_empty() {
        let _ = writeln!(s, "None in this range.");
    } else {
        let _ = writeln!(s, "| Commit | Subject | Author | Agent | Model | Prompted by | Evidence | Reviewers | Pull request | Review evidence |");
        let _ = writeln!(s, "|---|---|---|---|---|---|---|---|---|---|");
        for r in ai {
            let agent = r.ai.as_ref();
            let evidence: Vec<String> = r
                .evidence
                .iter()
                .map(|x| format!("{}: {}", x.rule, x.text))
                .collect();
            let _ = writeln!(
                s,
                "| `{}` | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                &r.commit[..12],
                md(&r.subject),
                md(&r.author.name),
                md(agent
                    .and_then(|a| a.name.as_deref().or(a.tool.as_deref()))
                    .unwrap_or("—")),
                md(agent.and_then(|a| a.model.as_deref()).unwrap_or("—")),
                md(&r
                    .prompted_by
                    .as_ref()
                    .map(|p| named_text(std::slice::from_ref(p)))
                    .unwrap_or_else(|| "—".into())),
                md(&evidence.join("; ")),
                md(&named_text(&r.reviewers)),
                r.pull_request
                    .as_ref()
                    .and_then(|p| p.number)
                    .map(|n| format!("#{n}"))
                    .unwrap_or_else(|| "—".into()),
                if r.reviewed { "yes" } else { "**no**" },
            );
        }
    }
    change_record_table(&mut s, e);
    let _ = writeln!(s, "\n## All changes\n");
    let _ = writeln!(
        s,
        "| Commit | Date | Author | Class | Tool | Subject | Reviewed | Approval | Testing |"
    );
    let _ = writeln!(s, "|---|---|---|---|---|---|---|---|---|");
    for r in &e.records {
        let testing: Vec<String> = r
            .testing
            .iter()
            .map(|t| format!("{}: {}", t.key, t.value))
            .collect();
        let _ = writeln!(
            s,
            "| `{}` | {} | {} | {} | {} | {} | {} | {} | {} |",
            &r.commit[..12],
            &r.author.time[..r.author.time.len().min(10)],
            md(&r.author.name),
            r.class,
            r.tool.as_deref().unwrap_or("—"),
            md(&r.subject),
            if r.reviewed { "yes" } else { "no" },
            md(&named_text(&r.approval)),
            if testing.is_empty() {
                "—".into()
            } else {
                md(&testing.join("; "))
            },
        );
    }
    if !e.errors.is_empty() {
        let _ = writeln!(s, "\n## Unreadable commits\n");
        for x in &e.errors {
            let _ = writeln!(s, "- `{}`: {}", x.id, md(&x.error));
        }
    }
    s
}

/// The AI commits as change records, in the columns of a CC8.1 change log: Change, Component,
/// Author (agent and version), Human author, Reviewer, Review date, Testing, Approved by,
/// Deployed (merged into the history: when and by whom, from the request or the merge commit).
fn change_record_table(s: &mut String, e: &RangeEvidence) {
    let ai: Vec<&ChangeRecord> = e.records.iter().filter(|r| r.is_ai()).collect();
    if ai.is_empty() {
        return;
    }
    let _ = writeln!(s, "\n## Change records (CC8.1)\n");
    let _ = writeln!(s, "| Change | Component | Author (agent and version) | Human author | Reviewer | Review date | Testing | Approved by | Deployed |");
    let _ = writeln!(s, "|---|---|---|---|---|---|---|---|---|");
    let dash = || "—".to_string();
    for r in ai {
        let request = r.pull_requests.first();
        let change = match request {
            Some(p) => format!("{} {} ({})", &r.commit[..12], r.subject, p.url),
            None => format!("{} {}", &r.commit[..12], r.subject),
        };
        let agent = r.ai.as_ref().map(|a| {
            let name = a.name.clone().or(a.tool.clone()).unwrap_or_else(dash);
            match (&a.version, &a.model) {
                (Some(v), Some(m)) => format!("{name} {v} ({m})"),
                (Some(v), None) => format!("{name} {v}"),
                (None, Some(m)) => format!("{name} ({m})"),
                (None, None) => name,
            }
        });
        let human = r
            .prompted_by
            .as_ref()
            .map(|p| named_text(std::slice::from_ref(p)))
            .or_else(|| {
                request
                    .and_then(|p| p.author.clone())
                    .map(|a| format!("{a} (pull-request author)"))
            })
            .unwrap_or_else(dash);
        let mut testing: Vec<String> = r
            .testing
            .iter()
            .map(|t| format!("{}: {}", t.key, t.value))
            .collect();
        for p in &r.pull_requests {
            for c in &p.checks {
                testing.push(format!(
                    "{}: {}",
                    c.name,
                    c.conclusion.as_deref().unwrap_or("pending")
                ));
            }
        }
        // Escaped here (the bold "none" is ours; the names are not).
        let approved_by = if r.approval.is_empty() {
            match r.review_outcome {
                Some(o) if !r.reviewed => format!("**none** ({})", md(o)),
                _ => dash(),
            }
        } else {
            md(&named_text(&r.approval))
        };
        let deployed = match request {
            Some(p) => format!(
                "merged {} by {}",
                p.merged_at.as_deref().unwrap_or("?"),
                p.merged_by.as_deref().unwrap_or("?")
            ),
            None => match &r.pull_request {
                Some(PullRequest {
                    merged_at: Some(t),
                    merged_by,
                    ..
                }) => format!(
                    "merged {t}{}",
                    merged_by
                        .as_ref()
                        .map(|m| format!(" by {}", m.name))
                        .unwrap_or_default()
                ),
                _ => format!("committed {}", r.committer.time),
            },
        };
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            md(&change),
            md(&e.repository),
            md(&agent.unwrap_or_else(dash)),
            md(&human),
            md(&named_text(&r.reviewers)),
            md(r.review_date.as_deref().unwrap_or("—")),
            if testing.is_empty() {
                dash()
            } else {
                md(&testing.join("; "))
            },
            approved_by,
            md(&deployed),
        );
    }
}
