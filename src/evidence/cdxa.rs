//! The CycloneDX 1.6 attestation (CDXA) of the evidence.

use super::*;

/// A version 5 UUID URN of `seed`, for a reproducible `serialNumber`.
pub(super) fn uuid_from(seed: &str) -> String {
    crate::ident::uuid_urn(format!("aiprov-cdxa\0{seed}").as_bytes())
}

fn contact(name: &str, email: &str) -> Value {
    let mut c = serde_json::Map::new();
    c.insert("name".into(), Value::String(classify::bound(name)));
    // Only an address that looks like one: the schema checks the format.
    let plausible = email.split_once('@').is_some_and(|(l, d)| {
        !l.is_empty() && d.contains('.') && !d.starts_with('.') && !d.ends_with('.')
    }) && email.chars().all(|c| {
        c.is_ascii_graphic()
            && !matches!(
                c,
                '<' | '>' | '(' | ')' | ',' | ';' | ':' | '\\' | '"' | '[' | ']'
            )
    }) && email.matches('@').count() == 1;
    if plausible {
        c.insert("email".into(), Value::String(email.to_string()));
    }
    Value::Object(c)
}

/// The CycloneDX 1.6 attestation (CDXA): a SOC 2 CC8.1 requirement, one piece of evidence per
/// change record (the record as a JSON attachment) plus the metrics, the claim that every AI
/// change in the range carries review evidence (the reviewed AI records as evidence, the others
/// as counter-evidence), and the attestation mapping the claim onto CC8.1 with the share of AI
/// changes that carry review evidence as its conformance score.
pub fn attestation(
    e: &RangeEvidence,
    target_name: &str,
    tool_version: &str,
    timestamp: time::OffsetDateTime,
) -> Value {
    let ts = crate::sbom::cyclonedx::format_timestamp(timestamp);
    let target_ref = "target:repository";
    let mut evidence = Vec::new();
    let mut supporting = Vec::new();
    let mut counter = Vec::new();
    for r in &e.records {
        let bom_ref = format!("evidence:commit:{}", r.commit);
        let mut item = json!({
            "bom-ref": bom_ref,
            "propertyName": "aiprov:change-record",
            "description": classify::bound(&format!("{} {} ({}{})", &r.commit[..12], r.subject, r.class, r.tool.as_deref().map(|t| format!(", {t}")).unwrap_or_default())),
            "data": [{
                "name": format!("change-record-{}.json", r.commit),
                "contents": {"attachment": {"contentType": "application/json", "content": serde_json::to_string(r).unwrap_or_default()}},
                "classification": "internal",
            }],
            "created": r.committer.time,
            "author": contact(&r.author.name, &r.author.email),
        });
        if let Some(rev) = r
            .reviewers
            .iter()
            .find(|x| x.via != "pr-merge")
            .or_else(|| r.reviewers.first())
        {
            let name = rev
                .name
                .clone()
                .or_else(|| rev.email.clone())
                .unwrap_or_default();
            item["reviewer"] = contact(&name, rev.email.as_deref().unwrap_or(""));
        }
        if r.is_ai() {
            if r.reviewed {
                supporting.push(bom_ref.clone());
            } else {
                counter.push(bom_ref.clone());
            }
        }
        evidence.push(item);
    }
    let metrics = json!({"range": e.range, "from": e.from, "to": e.to, "metrics": e.metrics, "ai_without_review_evidence": e.ai_without_review_evidence});
    evidence.push(json!({
        "bom-ref": "evidence:metrics",
        "propertyName": "aiprov:review:ai-with-evidence",
        "description": format!("Changes in {}: {} commits, {} AI commits, {} of them with review evidence; produced by aiprov {tool_version} from commit metadata.", e.range, e.metrics.commits, e.metrics.ai_commits, e.metrics.ai_with_review_evidence),
        "data": [{
            "name": "aiprov-evidence-metrics.json",
            "contents": {"attachment": {"contentType": "application/json", "content": metrics.to_string()}},
            "classification": "internal",
        }],
        "created": ts,
        "author": {"name": format!("aiprov {tool_version} (automated)")},
    }));
    supporting.push("evidence:metrics".into());
    let ai = e.metrics.ai_commits;
    let reviewed = e.metrics.ai_with_review_evidence;
    let score = if ai == 0 {
        1.0
    } else {
        reviewed as f64 / ai as f64
    };
    let mut claim = json!({
        "bom-ref": "claim:cc8.1-ai-review",
        "target": target_ref,
        "predicate": format!("Every AI-generated or AI-assisted change in {} carries recorded review evidence.", e.range),
        "reasoning": format!("{} of {} changes in the range were identified as AI-generated or AI-assisted from their commit metadata; {} of those carry review evidence (Reviewed-by, Acked-by, Approved-by, Tested-by, Gerrit, Phabricator or equivalent{}). Each change is recorded as evidence.", ai, e.metrics.commits, reviewed, match &e.metrics.review {
            Some(r) => format!(", or an approval on a merged pull request by someone other than its author, the commit's author and AI or bot accounts: {} approved, {} merged without approval, {} without a pull request, {} not looked up", r.ai_approved, r.ai_merged_unapproved, r.ai_no_pull_request, r.ai_unknown),
            None => String::new(),
        }),
        "evidence": supporting,
    });
    if !counter.is_empty() {
        claim["counterEvidence"] = json!(counter);
    }
    json!({
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": uuid_from(&format!("{}\0{}\0{:?}\0{}\0{ts}", e.repository, e.range, e.from, e.to)),
        "version": 1,
        "metadata": {
            "timestamp": ts,
            "tools": {"components": [{"type": "application", "bom-ref": "tool:aiprov", "name": "aiprov", "version": tool_version}]},
        },
        "definitions": {"standards": [{
            "bom-ref": "std:aicpa-tsc-2017",
            "name": "Trust Services Criteria (SOC 2)",
            "version": "2017 (points of focus revised 2022)",
            "owner": "AICPA",
            "requirements": [{
                "bom-ref": "req:cc8.1",
                "identifier": "CC8.1",
                "title": "Change management",
                "text": "The entity authorizes, designs, develops or acquires, configures, documents, tests, approves, and implements changes to infrastructure, data, software, and procedures to meet its objectives.",
            }],
        }]},
        "declarations": {
            "assessors": [{"bom-ref": "assessor:self", "thirdParty": false}],
            "targets": {"components": [{"type": "application", "bom-ref": target_ref, "name": classify::bound(target_name), "version": e.range}]},
            "evidence": evidence,
            "claims": [claim],
            "attestations": [{
                "summary": format!("Self-attestation of CC8.1 change management for AI-generated changes in {}", e.range),
                "assessor": "assessor:self",
                "map": [{
                    "requirement": "req:cc8.1",
                    "claims": ["claim:cc8.1-ai-review"],
                    "conformance": {"score": score, "rationale": format!("{reviewed} of {ai} AI changes carry review evidence.")},
                    "confidence": {"rationale": "AI changes are found from commit metadata (authors, trailers, footers); changes whose markers were stripped are not counted as AI, and a pull-request merge is not counted as review."},
                }],
            }],
        },
    })
}
