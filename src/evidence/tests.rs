use super::cdxa::uuid_from;
use super::records::{ai_agent, name_and_model};
use super::*;
use crate::history::Time;

fn sig(name: &str, email: &str, t: i64) -> Signature {
    Signature {
        name: name.into(),
        email: email.into(),
        time: Time {
            seconds: t,
            offset: 0,
        },
    }
}

#[test]
fn ranges() {
    assert_eq!(
        Range::parse("v1..v2"),
        Ok(Range {
            from: Some("v1".into()),
            to: "v2".into()
        })
    );
    assert_eq!(
        Range::parse("v1.."),
        Ok(Range {
            from: Some("v1".into()),
            to: "HEAD".into()
        })
    );
    assert_eq!(Range::parse("v1..v2").unwrap().text(), "v1..v2");
    assert!(Range::parse("v1").unwrap_err().contains("expected A..B"));
    assert!(Range::parse("v1...v2").unwrap_err().contains("symmetric"));
    assert!(Range::parse("a..b..c").is_err());
}

#[test]
fn agents_models_and_requesters_from_trailers() {
    let rules = RuleSet::builtin().unwrap();
    let meta = |author: Signature, message: &str| CommitMeta {
        id: "1".repeat(40),
        author: author.clone(),
        committer: author,
        message: message.into(),
        ..CommitMeta::default()
    };
    let human = sig("Dev 1", "dev-1@example.invalid", 1_750_000_000);
    let m = meta(
        human.clone(),
        "Fix\n\nCo-authored-by: aider (gemini/gemini-2.5-pro) <aider@aider.chat>\n",
    );
    let v = classify::classify(&m, &rules);
    let r = record(&m, &v, &rules, None);
    assert_eq!((r.class, r.tool.as_deref()), ("ai-assisted", Some("aider")));
    assert_eq!(
        r.ai,
        Some(AiAgent {
            tool: Some("aider".into()),
            name: Some("aider".into()),
            model: Some("gemini/gemini-2.5-pro".into()),
            version: None
        })
    );
    assert_eq!(
        r.prompted_by.as_ref().map(|p| p.via.as_str()),
        Some("author")
    );
    assert!(!r.reviewed);

    let m = meta(
        human.clone(),
        "Fix\n\nAssisted-by: Claude:claude-3-opus coccinelle\nReviewed-by: Dev 2 <dev-2@example.invalid>\nReviewed-by: coderabbitai[bot] <1+coderabbitai[bot]@users.noreply.github.com>\nApproved-by: Dev 3 <dev-3@example.invalid>\nTested-by: Dev 4 <dev-4@example.invalid>\n",
    );
    let v = classify::classify(&m, &rules);
    let r = record(&m, &v, &rules, None);
    assert_eq!(
        r.ai.as_ref()
            .map(|a| (a.name.as_deref(), a.model.as_deref())),
        Some((Some("Claude"), Some("claude-3-opus")))
    );
    assert!(r.reviewed);
    let who: Vec<(&str, &str)> = r
        .reviewers
        .iter()
        .map(|n| (n.name.as_deref().unwrap(), n.via.as_str()))
        .collect();
    assert_eq!(
        who,
        [("Dev 2", "Reviewed-by"), ("Dev 3", "Approved-by")],
        "the bot reviewer is not a reviewer"
    );
    assert_eq!(r.approval.len(), 1);
    assert_eq!(
        r.testing,
        [Trailer {
            key: "Tested-by".into(),
            value: "Dev 4 <dev-4@example.invalid>".into()
        }]
    );
    assert_eq!(
        r.review_date.as_deref(),
        Some(human.time.to_rfc3339().as_str())
    );

    let devin = sig(
        "devin-ai-integration[bot]",
        "158243242+devin-ai-integration[bot]@users.noreply.github.com",
        1_750_000_000,
    );
    let m = meta(devin, "Add thing (#12)\n\nLink to Devin run: https://app.devin.ai/sessions/0123456789abcdef0123456789abcdef\n\nCo-Authored-By: dev-5@example.invalid <dev-5@example.invalid>\n");
    let v = classify::classify(&m, &rules);
    let r = record(&m, &v, &rules, None);
    assert_eq!((r.class, r.tool.as_deref()), ("ai-agent", Some("devin")));
    assert_eq!(
        r.prompted_by.map(|p| (p.email, p.via)),
        Some((
            Some("dev-5@example.invalid".into()),
            "Co-authored-by (requester credited by the agent)".into()
        ))
    );
    assert_eq!(
        r.pull_request.map(|p| (p.number, p.kind)),
        Some((Some(12), "squash"))
    );

    let m = meta(
        human,
        "Tweak\n\nAI-Generated: Acme Coder 2.4.1 (acme-large)\n",
    );
    let (n, model) = name_and_model("Acme Coder 2.4.1 (acme-large)");
    assert_eq!(
        (n.as_str(), model.as_deref()),
        ("Acme Coder 2.4.1", Some("acme-large"))
    );
    let v = classify::classify(&m, &rules);
    assert_eq!(v.class.as_str(), "ai-assisted");
    let a = ai_agent(&m, &v, &message::parse(&m.message));
    assert_eq!(
        (a.name.as_deref(), a.model.as_deref(), a.version.as_deref()),
        (Some("Acme Coder"), Some("acme-large"), Some("2.4.1"))
    );
}

#[test]
fn merged_pull_requests_are_found_innermost_first() {
    let c = |id: &str, parents: &[&str], subject: &str, who: &str| CommitMeta {
        id: id.into(),
        parents: parents.iter().map(|p| p.to_string()).collect(),
        author: sig(who, &format!("{who}@example.invalid"), 0),
        committer: sig(who, &format!("{who}@example.invalid"), 0),
        message: subject.into(),
        note: None,
        anomalies: Vec::new(),
    };
    // main: a - m2 (merges PR #2: b - m1, where m1 merged PR #1: c) ; d on main
    let metas = vec![
        c(
            "m2",
            &["a", "m1"],
            "Merge pull request #2 from x/outer",
            "lead",
        ),
        c(
            "m1",
            &["b", "c"],
            "Merge pull request #1 from y/inner",
            "rev",
        ),
        c("c", &["b"], "inner change", "dev"),
        c("b", &["a"], "outer change", "dev"),
        c("a", &[], "base", "dev"),
    ];
    let prs = pull_requests(&metas);
    assert_eq!(prs.get("c").and_then(|p| p.number), Some(1));
    assert_eq!(prs.get("b").and_then(|p| p.number), Some(2));
    assert_eq!(prs.get("m1").and_then(|p| p.number), Some(2));
    assert!(!prs.contains_key("a"));
    assert_eq!(
        prs["c"].merged_by.as_ref().map(|p| p.name.as_str()),
        Some("rev")
    );
    assert_eq!(pr_number_of_squash("Fix (#123)"), Some(123));
    assert_eq!(pr_number_of_squash("Fix (#x)"), None);
    assert_eq!(uuid_from("x").len(), "urn:uuid:".len() + 36);
    assert_eq!(&uuid_from("x")[23..24], "5");
}

/// Issue 15 (found by an attack): commit subjects, author names and review data reach the
/// change record's Markdown inert: no live link, image or @mention.
#[test]
fn markdown_escapes_links_images_and_mentions() {
    for hostile in [
        "[click](https://evil.example) @admin ![i](https://evil.example/p.png)",
        "feat: [x](https://evil.example) @admin",
    ] {
        let cell = super::render::md_for_tests(hostile);
        assert!(!cell.contains("[click]("), "{cell}");
        assert!(!cell.contains("[x]("), "{cell}");
        assert!(!cell.contains("![i]"), "{cell}");
        assert!(cell.contains("@&#8203;admin"), "{cell}");
    }
}
