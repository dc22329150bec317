//! The SARIF 2.1.0 rendering of a [`Report`]: one result per `--fail-on` violation.

use std::fmt::Write as _;

use super::*;

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
