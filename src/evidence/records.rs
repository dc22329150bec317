//! Building one change record from a commit: its reviewers, approval and testing trailers, AI
//! agent and model, and who asked for the change.

use super::*;

/// `Name <email>`, a bare e-mail, a GitHub profile URL or a name.
fn identity(value: &str, via: &str) -> Named {
    let v = value.trim();
    let bound = |s: &str| Some(classify::bound(s.trim())).filter(|s| !s.is_empty());
    if let (Some(lt), Some(gt)) = (v.find('<'), v.rfind('>')) {
        if lt < gt {
            return Named {
                name: bound(&v[..lt]),
                email: bound(&v[lt + 1..gt]),
                via: via.into(),
            };
        }
    }
    if let Some(login) = v.strip_prefix("https://github.com/") {
        return Named {
            name: bound(login.trim_end_matches('/')),
            email: None,
            via: via.into(),
        };
    }
    if v.contains('@') && !v.contains(' ') {
        return Named {
            name: None,
            email: bound(v),
            via: via.into(),
        };
    }
    Named {
        name: bound(v),
        email: None,
        via: via.into(),
    }
}

/// Whether the review rules accept `Key: value` as review evidence (so bots and AI reviewers,
/// which they exclude, are not listed as reviewers).
fn accepted_review(key: &str, value: &str, rules: &RuleSet) -> bool {
    let meta = CommitMeta {
        message: format!("Change\n\n{key}: {value}\n"),
        ..CommitMeta::default()
    };
    !classify::classify(&meta, rules).review.is_empty()
}

fn is_bot(s: &Signature) -> bool {
    let e = s.email.to_ascii_lowercase();
    s.name.ends_with("[bot]") || e.contains("[bot]") || e == "noreply@github.com"
}

const REVIEW_KEYS: &[&str] = &["reviewed-by", "acked-by", "approved-by"];
const APPROVAL_KEYS: &[&str] = &["approved-by", "acked-by"];
const TESTING_KEYS: &[&str] = &[
    "tested-by",
    "tested",
    "test-plan",
    "testing",
    "testing-done",
    "test",
];

pub(super) fn record(
    meta: &CommitMeta,
    v: &Verdict,
    rules: &RuleSet,
    pr: Option<PullRequest>,
) -> ChangeRecord {
    let parsed = message::parse(&meta.message);
    let subject = classify::bound(parsed.subject);
    let mut reviewers: Vec<Named> = Vec::new();
    let mut approval: Vec<Named> = Vec::new();
    let mut testing: Vec<Trailer> = Vec::new();
    for t in &parsed.trailers {
        let key = t.key.to_ascii_lowercase();
        if REVIEW_KEYS.contains(&key.as_str()) && accepted_review(t.key, &t.value, rules) {
            let who = identity(&t.value, t.key);
            if APPROVAL_KEYS.contains(&key.as_str()) {
                approval.push(who.clone());
            }
            reviewers.push(who);
        }
        if TESTING_KEYS.contains(&key.as_str()) {
            testing.push(Trailer {
                key: t.key.to_string(),
                value: classify::bound(&t.value),
            });
        }
    }
    let rules_hit: HashSet<&str> = v.review.iter().map(|e| e.rule.as_str()).collect();
    for line in &parsed.lines {
        if rules_hit.contains("review.meta-reviewed-by") {
            if let Some(rest) = line.strip_prefix("Reviewed By: ") {
                reviewers.extend(
                    rest.split(',')
                        .filter(|s| !s.trim().is_empty())
                        .map(|s| identity(s, "Reviewed By")),
                );
            }
        }
        if rules_hit.contains("review.pytorch-mergebot") {
            if let Some(rest) = line.strip_prefix("Approved by: ") {
                for who in rest.split(',').filter(|s| !s.trim().is_empty()) {
                    let n = identity(who, "Approved by");
                    approval.push(n.clone());
                    reviewers.push(n);
                }
            }
        }
        if let Some(rest) = line.strip_prefix("Test Plan:") {
            if !rest.trim().is_empty() {
                testing.push(Trailer {
                    key: "Test Plan".into(),
                    value: classify::bound(rest),
                });
            }
        }
    }
    let reviewed = !v.review.is_empty();

    let pull_request = pr.or_else(|| {
        pr_number_of_squash(parsed.subject).map(|n| PullRequest {
            number: Some(n),
            kind: "squash",
            merge_commit: None,
            merged_by: None,
            merged_at: Some(meta.committer.time.to_rfc3339()),
        })
    });
    if let Some(PullRequest {
        merged_by: Some(m),
        merge_commit: Some(_),
        ..
    }) = &pull_request
    {
        let merger = Signature {
            name: m.name.clone(),
            email: m.email.clone(),
            ..Signature::default()
        };
        if !m.email.eq_ignore_ascii_case(&meta.author.email) && !is_bot(&merger) {
            reviewers.push(Named {
                name: Some(m.name.clone()),
                email: Some(m.email.clone()),
                via: "pr-merge".into(),
            });
        }
    }
    let review_date = if reviewed {
        Some(meta.committer.time.to_rfc3339())
    } else {
        pull_request
            .as_ref()
            .filter(|p| p.kind == "merge")
            .and_then(|p| p.merged_at.clone())
    };

    let ai = v.class.is_ai().then(|| ai_agent(meta, v, &parsed));
    let prompted_by = if v.class.is_ai() {
        prompted_by(meta, v, &parsed)
    } else {
        None
    };

    ChangeRecord {
        commit: meta.id.clone(),
        subject,
        author: Person::from(&meta.author),
        committer: Person::from(&meta.committer),
        class: v.class.as_str(),
        tool: v.tool.clone(),
        confidence: v.confidence.map(|c| c.as_str()),
        evidence: v.evidence.clone(),
        ai,
        prompted_by,
        review: v.review.clone(),
        reviewers,
        review_date,
        approval,
        testing,
        pull_request,
        reviewed,
        review_outcome: None,
        pull_requests: Vec::new(),
    }
}

/// `NAME (MODEL)` → (NAME, MODEL).
pub(super) fn name_and_model(s: &str) -> (String, Option<String>) {
    let s = s.trim();
    if let (Some(open), true) = (s.find(" ("), s.ends_with(')')) {
        return (
            s[..open].trim().to_string(),
            Some(s[open + 2..s.len() - 1].trim().to_string()).filter(|m| !m.is_empty()),
        );
    }
    (s.to_string(), None)
}

fn version_in(s: &str) -> Option<String> {
    s.split_whitespace()
        .map(|w| w.trim_matches(|c: char| c == ',' || c == ';'))
        .find(|w| {
            let w = w.strip_prefix('v').unwrap_or(w);
            w.contains('.')
                && w.split('.')
                    .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        })
        .map(str::to_string)
}

pub(super) fn ai_agent(
    meta: &CommitMeta,
    v: &Verdict,
    parsed: &message::ParsedMessage<'_>,
) -> AiAgent {
    let mut a = AiAgent {
        tool: v.tool.clone(),
        ..AiAgent::default()
    };
    // The classifier's own evidence says which trailer or field named the agent.
    for e in &v.evidence {
        let text = e.text.as_str();
        match e.field.as_str() {
            "trailer:co-authored-by" => {
                let who = identity(text, "Co-authored-by");
                if let Some(name) = who.name {
                    let (n, model) = name_and_model(&name);
                    a.name.get_or_insert(n.clone());
                    if a.model.is_none() {
                        // `aider (MODEL)`; Anthropic writes the model as the name (`Claude Opus 4.6`).
                        a.model = model.or_else(|| {
                            (n.starts_with("Claude ") || n.starts_with("OpenHands-"))
                                .then(|| n.clone())
                        });
                    }
                }
            }
            "trailer:assisted-by" => {
                // Linux kernel: `AGENT_NAME:MODEL_VERSION [TOOL…]`; elsewhere free text.
                let first = text.split_whitespace().next().unwrap_or("");
                match first.split_once(':') {
                    Some((agent, model)) if !agent.is_empty() && !model.is_empty() => {
                        a.name.get_or_insert(agent.to_string());
                        a.model.get_or_insert(model.to_string());
                    }
                    _ => {
                        a.name.get_or_insert(text.to_string());
                    }
                }
            }
            "author" | "author.name" | "author.email" => {
                // aider writes `<user> (aider)`: the agent is the suffix, not the user.
                let name = meta.author.name.trim();
                let agent = match (name.rfind(" ("), name.ends_with(')')) {
                    (Some(i), true) if e.field == "author.name" => &name[i + 2..name.len() - 1],
                    _ => name,
                };
                a.name.get_or_insert(agent.to_string());
            }
            "line" => {
                if let Some(i) = text.find("Generated with [") {
                    if let Some(end) = text[i + 16..].find(']') {
                        a.name.get_or_insert(text[i + 16..i + 16 + end].to_string());
                    }
                }
            }
            _ => {}
        }
    }
    // Explicit AI trailers, whichever rule fired.
    for t in &parsed.trailers {
        let key = t.key.to_ascii_lowercase();
        if matches!(
            key.as_str(),
            "ai-generated" | "generated-by" | "ai-assisted" | "ai-agent" | "ai-tool"
        ) {
            let value = t.value.trim();
            if value.eq_ignore_ascii_case("yes") || value.eq_ignore_ascii_case("true") {
                continue;
            }
            let (name, model) = name_and_model(value);
            if a.version.is_none() {
                a.version = version_in(&name);
            }
            let name = match &a.version {
                Some(ver) => name.replace(ver.as_str(), "").trim().to_string(),
                None => name,
            };
            if !name.is_empty() {
                a.name.get_or_insert(name);
            }
            if a.model.is_none() {
                a.model = model;
            }
        }
        if matches!(key.as_str(), "ai-model" | "model") && a.model.is_none() {
            a.model = Some(classify::bound(&t.value));
        }
    }
    // git-ai notes (S7): the sessions' agent ids.
    if let Some(note) = &meta.note {
        if let Some(j) = note_json(note) {
            for s in note_sessions(&j) {
                if let Some(agent) = s.get("agent_id") {
                    if let Some(tool) = agent.get("tool").and_then(Value::as_str) {
                        a.name.get_or_insert(tool.to_string());
                    }
                    if let Some(model) = agent.get("model").and_then(Value::as_str) {
                        a.model.get_or_insert(model.to_string());
                    }
                }
            }
        }
    }
    a.name = a.name.map(|s| classify::bound(&s));
    a.model = a.model.map(|s| classify::bound(&s));
    a
}

fn note_json(note: &str) -> Option<Value> {
    let (_, json) = note.split_once("\n---\n")?;
    serde_json::from_str(json.trim()).ok()
}

fn note_sessions(j: &Value) -> Vec<&Value> {
    ["sessions", "prompts"]
        .iter()
        .filter_map(|k| j.get(*k).and_then(Value::as_object))
        .flat_map(|o| o.values())
        .collect()
}

/// The human who asked for an AI change, where the commit states it: a git-ai note's
/// `human_author`, a `Requested-by:` trailer or Devin's `Requested by:` line, the requester an
/// agent credits as co-author on its own commit (Devin, Jules), or, for ai-assisted commits,
/// the author the tool committed for.
fn prompted_by(
    meta: &CommitMeta,
    v: &Verdict,
    parsed: &message::ParsedMessage<'_>,
) -> Option<Named> {
    if let Some(j) = meta.note.as_deref().and_then(note_json) {
        let human = note_sessions(&j).into_iter().find_map(|s| {
            s.get("human_author")
                .and_then(Value::as_str)
                .map(str::to_string)
        });
        if let Some(h) = human {
            return Some(identity(&h, "git-ai note"));
        }
    }
    if let Some(t) = parsed
        .trailers
        .iter()
        .find(|t| t.key.eq_ignore_ascii_case("requested-by"))
    {
        return Some(identity(&t.value, t.key));
    }
    if let Some(rest) = parsed
        .lines
        .iter()
        .find_map(|l| l.strip_prefix("Requested by:"))
    {
        if !rest.trim().is_empty() {
            return Some(identity(rest, "Requested by"));
        }
    }
    let ai_coauthors: Vec<&str> = v
        .evidence
        .iter()
        .filter(|e| e.field == "trailer:co-authored-by")
        .map(|e| e.text.as_str())
        .collect();
    match v.class {
        classify::Class::AiAgent => parsed
            .trailers
            .iter()
            .filter(|t| t.key.eq_ignore_ascii_case("co-authored-by"))
            .filter(|t| !ai_coauthors.contains(&classify::bound(&t.value).as_str()))
            .find(|t| !t.value.contains("[bot]") && !t.value.contains("noreply@anthropic.com"))
            .map(|t| identity(&t.value, "Co-authored-by (requester credited by the agent)")),
        classify::Class::AiAssisted => Some(Named {
            name: Some(meta.author.name.clone()),
            email: Some(meta.author.email.clone()),
            via: "author".into(),
        }),
        _ => None,
    }
}
