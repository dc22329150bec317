//! The classifier against every rule's own examples, the traps of `ai-signals.md` §3, the
//! precedence of §7, and malformed rule packs.

use super::pack::{Error, Example, RuleSet};
use super::*;
use crate::history::{CommitMeta, Signature, Time};

fn sig(s: &str) -> Signature {
    let (name, email) = match s.rsplit_once(" <") {
        Some((n, e)) => (n.to_string(), e.trim_end_matches('>').to_string()),
        None => (s.to_string(), String::new()),
    };
    Signature {
        name,
        email,
        time: Time {
            seconds: 1_750_000_000,
            offset: 0,
        },
    }
}

fn commit(author: &str, message: &str) -> CommitMeta {
    CommitMeta {
        id: "0".repeat(40),
        parents: vec!["1".repeat(40)],
        author: sig(author),
        committer: sig(author),
        message: message.to_string(),
        note: None,
        anomalies: Vec::new(),
    }
}

fn example_commit(e: &Example) -> CommitMeta {
    let author = e
        .author
        .as_deref()
        .unwrap_or("Dev Example <dev@example.invalid>");
    let mut c = commit(author, e.message.as_deref().unwrap_or("Update"));
    if let Some(committer) = &e.committer {
        c.committer = sig(committer);
    }
    c.note = e.note.clone();
    if e.merge {
        c.parents.push("2".repeat(40));
    }
    c
}

fn rules() -> &'static RuleSet {
    static RULES: std::sync::OnceLock<RuleSet> = std::sync::OnceLock::new();
    RULES.get_or_init(|| RuleSet::builtin().expect("built-in packs load"))
}

fn ids(v: &[Evidence]) -> Vec<&str> {
    v.iter().map(|e| e.rule.as_str()).collect()
}

#[test]
fn built_in_patterns_and_field_sets_all_compile() {
    // The built-in sets and conditions are compiled lazily at run time, where a failure would
    // silently disable a rule: it must fail here instead.
    let set = RuleSet::builtin().unwrap();
    set.compile_all().unwrap();
    // …and lazily means lazily: loading compiles no field set.
    assert!(set.index.iter().all(|s| !s.is_built()));
    let v = classify(&commit(HUMAN, "Fix a bug"), &set);
    assert_eq!(v.class, Class::NoEvidence);
    assert!(set.index.iter().any(|s| s.is_built()));
    assert!(
        set.index
            .iter()
            .filter(|s| matches!(s.field, crate::classify::pack::Field::Trailer(_)))
            .all(|s| !s.is_built()),
        "a commit without trailers builds no trailer set"
    );
}

#[test]
fn every_rule_matches_its_examples_and_not_its_counter_examples() {
    let rules = rules();
    assert!(
        rules.rules().len() >= 80,
        "the catalog has {} rules",
        rules.rules().len()
    );
    let mut failures = Vec::new();
    for rule in rules.rules() {
        for (expect, examples) in [(true, &rule.examples), (false, &rule.counter_examples)] {
            for e in examples {
                let v = classify(&example_commit(e), rules);
                let fired = ids(&v.evidence).contains(&rule.id.as_str())
                    || ids(&v.review).contains(&rule.id.as_str());
                if fired != expect {
                    failures.push(format!(
                        "{}: {} {:?}",
                        rule.id,
                        if expect { "missed" } else { "fired on" },
                        e
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn builtin_rule_ids_are_unique_and_tools_are_slugs() {
    let rules = rules();
    let mut seen = std::collections::HashSet::new();
    for r in rules.rules() {
        assert!(seen.insert(r.id.clone()), "duplicate {}", r.id);
        assert!(r.pack.starts_with("enrichers/"), "{}", r.pack);
    }
}

fn verdict(author: &str, message: &str) -> Verdict {
    classify(&commit(author, message), rules())
}

const HUMAN: &str = "Dev 1a2b3c4d <dev-1a2b3c4d@example.invalid>";

// --- §3 traps -------------------------------------------------------------------------------

#[test]
fn t1_display_name_alone_is_no_evidence() {
    for (author, message) in [
        (
            "Claude Dupont <claude@example.com>",
            "Fix copyright headers",
        ),
        ("Devin Smith <devin@example.com>", "Fix"),
        ("Jules Martin <jules@example.org>", "Fix"),
        ("Claude <claude.dupont@example.com>", "Fix"),
        (HUMAN, "Fix\n\nCo-authored-by: Claude\n"),
        (HUMAN, "Fix\n\nCo-authored-by: Claude Fable 5 \n"),
        (
            HUMAN,
            "Fix\n\nCo-authored-by: Devin AI <devin@example.com>\n",
        ),
    ] {
        let v = verdict(author, message);
        assert_eq!(
            v.class,
            Class::NoEvidence,
            "{author} / {message:?}: {:?}",
            v.evidence
        );
    }
}

#[test]
fn t2_prose_mentions_are_no_evidence() {
    for message in [
        "Use Claude Code and Copilot to fix cursor blinking",
        "Support gpt-5 and claude-opus-4 models in aider",
        "Mention aider: prefix and Co-authored-by: Claude <noreply@anthropic.com> in docs",
        "Docs\n\nWe add `Generated with [Claude Code](https://claude.ai/code)` to commits; see https://app.devin.ai for Devin.",
        "Fix cursor/selection rendering\n\ncursor/abc-1234 is a path here, not a branch.",
    ] {
        let v = verdict(HUMAN, message);
        assert_eq!(v.class, Class::NoEvidence, "{message:?}: {:?}", v.evidence);
    }
    // A dependency bot bumping an AI tool's action is automation, not AI.
    let v = verdict(
        "dependabot[bot] <49699333+dependabot[bot]@users.noreply.github.com>",
        "build(deps): bump anthropics/claude-code-action from 1.0.1 to 1.0.2",
    );
    assert_eq!(
        (v.class, v.tool.as_deref()),
        (Class::Automation, Some("dependabot"))
    );
}

#[test]
fn t3_prose_about_a_trailer_counts_only_with_the_real_trailer() {
    let prose = "Detect Cursor\n\nCursor writes a final line like\nMade-with: Cursor\nto its commits; this change detects it.\n";
    assert_eq!(verdict(HUMAN, prose).class, Class::NoEvidence);
    let real = format!("{prose}\nMade-with: Cursor\n");
    let v = verdict(HUMAN, &real);
    assert_eq!(
        (v.class, v.tool.as_deref()),
        (Class::AiAssisted, Some("cursor"))
    );
}

#[test]
fn t4_branch_name_collisions_are_no_evidence() {
    let rules = rules();
    for subject in [
        "Merge pull request #12 from gpanders/cursor-invert-fg-bg",
        "Merge branch 'mitchellh/cursor-style'",
    ] {
        let mut c = commit(HUMAN, subject);
        c.parents.push("2".repeat(40));
        assert_eq!(classify(&c, rules).class, Class::NoEvidence, "{subject}");
    }
    let mut c = commit(
        HUMAN,
        "Merge pull request #13 from owner/cursor/add-margins-4b05",
    );
    c.parents.push("2".repeat(40));
    let v = classify(&c, rules);
    assert_eq!(
        (v.class, v.confidence),
        (Class::AiAgent, Some(Confidence::Medium))
    );
    // Branch names are read from merges only.
    let c = commit(
        HUMAN,
        "Merge pull request #13 from owner/cursor/add-margins-4b05",
    );
    assert_eq!(classify(&c, rules).class, Class::NoEvidence);
}

#[test]
fn t5_aider_suffix_on_the_committer_only_is_no_evidence() {
    let mut c = commit("Dev 4 <dev-4@example.invalid>", "fix: my own change");
    c.committer = sig("Dev 4 (aider) <dev-4@example.invalid>");
    assert_eq!(classify(&c, rules()).class, Class::NoEvidence);
    c.author = sig("Dev 4 (aider) <dev-4@example.invalid>");
    let v = classify(&c, rules());
    assert_eq!(
        (v.class, v.tool.as_deref()),
        (Class::AiAgent, Some("aider"))
    );
}

#[test]
fn t6_same_email_different_bot() {
    let v = verdict(
        "OpenHands Bot <openhands@all-hands.dev>",
        "🤖 Auto-fix Python linting issues",
    );
    assert_eq!(
        (v.class, v.tool.as_deref()),
        (Class::Automation, Some("openhands-bot"))
    );
    let v = verdict("openhands <openhands@all-hands.dev>", "Fix issue #1: crash");
    assert_eq!(
        (v.class, v.tool.as_deref()),
        (Class::AiAgent, Some("openhands"))
    );
    let v = verdict(
        HUMAN,
        "Fix lint\n\nCo-authored-by: OpenHands Bot <openhands@all-hands.dev>\n",
    );
    assert_eq!(v.class, Class::NoEvidence);
}

#[test]
fn t7_suggestion_carriers_are_ai_assisted_low() {
    for (message, tool) in [
        ("Update src/rich/text.py\n\nCo-authored-by: Copilot <175728472+Copilot@users.noreply.github.com>\n", "github-copilot"),
        ("Update x.py\n\nCo-authored-by: gemini-code-assist[bot] <176961590+gemini-code-assist[bot]@users.noreply.github.com>\n", "gemini-code-assist"),
        ("Update x.ts\n\nCo-authored-by: coderabbitai[bot] <136622811+coderabbitai[bot]@users.noreply.github.com>\n", "coderabbitai"),
    ] {
        let v = verdict(HUMAN, message);
        assert_eq!((v.class, v.tool.as_deref(), v.confidence), (Class::AiAssisted, Some(tool), Some(Confidence::Low)));
    }
}

#[test]
fn t8_slug_not_numeric_id() {
    let v = verdict(
        "claude[bot] <41898282+claude[bot]@users.noreply.github.com>",
        "Fix #3",
    );
    assert_eq!(
        (v.class, v.tool.as_deref()),
        (Class::AiAgent, Some("claude-code"))
    );
    let v = verdict(
        "Devin AI <devin-ai-integration[bot]@users.noreply.github.com>",
        "Fix",
    );
    assert_eq!(
        (v.class, v.tool.as_deref()),
        (Class::AiAgent, Some("devin"))
    );
    let v = verdict(
        "github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>",
        "Update",
    );
    assert_eq!(
        (v.class, v.tool.as_deref()),
        (Class::Automation, Some("github-actions"))
    );
}

#[test]
fn t9_squash_separator_and_appended_dco() {
    let message = "Add invoices (#812)\n\n* wip\n\n* more\n\n---------\n\nCo-authored-by: Devin AI <158243242+devin-ai-integration[bot]@users.noreply.github.com>\n\nSigned-off-by: Dev 2 <dev-2@example.invalid>\n";
    let v = verdict(HUMAN, message);
    assert_eq!(
        (v.class, v.tool.as_deref()),
        (Class::AiAssisted, Some("devin"))
    );
    assert_eq!(ids(&v.evidence), vec!["devin.co-author"]);
    assert!(v.review.is_empty(), "Signed-off-by is not review");
}

#[test]
fn t10_agent_crediting_its_requester_is_not_review() {
    let v = verdict(
        "devin-ai-integration[bot] <158243242+devin-ai-integration[bot]@users.noreply.github.com>",
        "Add page\n\nCo-Authored-By: dev-9@example.invalid <dev-9@example.invalid>\n",
    );
    assert_eq!(v.class, Class::AiAgent);
    assert!(v.review.is_empty());
    let v = verdict(
        "google-labs-jules[bot] <161369871+google-labs-jules[bot]@users.noreply.github.com>",
        "Add tests\n\nCo-authored-by: Dev 3 <dev-3@example.invalid>\n",
    );
    assert_eq!((v.class, v.review.len()), (Class::AiAgent, 0));
}

#[test]
fn t11_vscode_copilot_trailer_alone_is_no_evidence() {
    let v = verdict(
        HUMAN,
        "Fix retry\n\nCo-authored-by: Copilot <copilot@github.com>\n",
    );
    assert_eq!(v.class, Class::NoEvidence);
    let v = verdict(HUMAN, "Fix\n\nCo-authored-by: Copilot <copilot@github.com>\nCo-authored-by: Claude <noreply@anthropic.com>\n");
    assert_eq!(
        ids(&v.evidence),
        vec!["anthropic.co-author", "github-copilot.vscode-co-author"]
    );
}

#[test]
fn t12_reverts_do_not_inherit_the_reverted_label() {
    let v = verdict(HUMAN, "Revert \"Add viewer (aider: generated)\"\n\nThis reverts commit 0123456789abcdef0123456789abcdef01234567.\n");
    assert_eq!(v.class, Class::NoEvidence);
    let quoted = "Revert \"Add viewer\"\n\nThis reverts commit abc. Original message:\n\n> Add viewer\n>\n> Co-authored-by: Claude <noreply@anthropic.com>\n\n    Co-authored-by: Claude <noreply@anthropic.com>\n";
    assert_eq!(verdict(HUMAN, quoted).class, Class::NoEvidence);
}

#[test]
fn backport_bot_carrying_the_originals_ai_trailer_is_ai_assisted() {
    // aio-libs/aiohttp 7f76a74: patchback[bot] backport of a Claude-co-authored change. The
    // content is the AI-assisted original's (T12: cherry-picks keep attribution); the bot is kept
    // as evidence.
    let v = verdict(
        "patchback[bot] <45432694+patchback[bot]@users.noreply.github.com>",
        "[PR #12565/edc1cc2b backport][3.14] Bump benchmark CI job timeout to 15 minutes (#12567)\n\nCo-authored-by: Dev ac4e8af2 <dev-52604989@example.invalid>\nCo-authored-by: Claude Opus 4.7 (1M context) <noreply@anthropic.com>\nFixes #12561\n",
    );
    assert_eq!(
        (v.class, v.tool.as_deref()),
        (Class::AiAssisted, Some("claude-code"))
    );
    assert_eq!(
        ids(&v.evidence),
        vec![
            "anthropic.co-author",
            "automation.app-bot",
            "automation.bot-name"
        ]
    );
}

#[test]
fn t15_pseudo_trailers_are_no_evidence() {
    let v = verdict(
        HUMAN,
        "macos: fix the titlebar\n\nmacos: use the new API\nhttps: //example.com\n",
    );
    assert_eq!(v.class, Class::NoEvidence);
}

// --- §7 precedence and output shape -----------------------------------------------------------

#[test]
fn author_identity_beats_trailers_and_evidence_is_strongest_first() {
    let v = verdict(
        "devin-ai-integration[bot] <158243242+devin-ai-integration[bot]@users.noreply.github.com>",
        "Add page (#5)\n\nLink to Devin run: https://app.devin.ai/sessions/0123456789abcdef0123456789abcdef\nRequested by: Dev 5\n\nCo-authored-by: Claude <noreply@anthropic.com>\n",
    );
    assert_eq!(
        (v.class, v.tool.as_deref(), v.confidence),
        (Class::AiAgent, Some("devin"), Some(Confidence::High))
    );
    assert_eq!(
        ids(&v.evidence),
        vec![
            "devin.author",
            "anthropic.co-author",
            "devin.session-link",
            "devin.pr-template",
            "automation.app-bot",
            "automation.bot-name"
        ]
    );
    let first = &v.evidence[0];
    assert_eq!(first.field, "author.email");
    assert_eq!(
        first.text,
        "158243242+devin-ai-integration[bot]@users.noreply.github.com"
    );
}

#[test]
fn disclosures_without_a_tool_are_ai_assisted_with_no_tool() {
    let v = verdict(HUMAN, "Fix IME\n\nAssisted-by: OpenAI GPT-5.4\n");
    assert_eq!(
        (v.class, v.tool, v.confidence),
        (Class::AiAssisted, None, Some(Confidence::High))
    );
    assert_eq!(v.evidence[0].text, "OpenAI GPT-5.4");
}

#[test]
fn git_ai_note_names_the_tool() {
    let mut c = commit(HUMAN, "Add parser");
    c.note = Some("src/a.rs\n  s_0123456789abcd 1-9\n---\n{\"schema_version\": \"authorship/3.0.0\", \"sessions\": {\"s_0123456789abcd\": {\"agent_id\": {\"tool\": \"Claude Code\", \"id\": \"1\", \"model\": \"opus\"}}}}".into());
    let v = classify(&c, rules());
    assert_eq!(
        (v.class, v.tool.as_deref()),
        (Class::AiAssisted, Some("claude-code"))
    );
}

#[test]
fn review_evidence_is_separate_from_class() {
    let v = verdict(HUMAN, "Add endpoint\n\nAI-Generated: Claude Code\nReviewed-by: Dev 8 <dev-8@example.invalid>\nAcked-by: Dev 9 <dev-9@example.invalid>\n");
    assert_eq!(v.class, Class::AiAssisted);
    assert_eq!(
        ids(&v.review),
        vec!["review.reviewed-by", "review.acked-by"]
    );
    let v = verdict(HUMAN, "Fix\n\nReviewed-by: Dev 8 <dev-8@example.invalid>\n");
    assert_eq!(
        (v.class, ids(&v.review)),
        (Class::NoEvidence, vec!["review.reviewed-by"])
    );
}

#[test]
fn hostile_messages_cost_bounded_work() {
    let line = "Co-authored-by: x <x@example.com>\n";
    let huge = format!("Subject\n\n{}", line.repeat(1_000_000)); // 35 MB
    let start = std::time::Instant::now();
    let v = verdict(HUMAN, &huge);
    assert_eq!(v.class, Class::NoEvidence);
    // Only the first MAX_MESSAGE_BYTES are examined; a generous bound, not a speed target.
    assert!(start.elapsed() < std::time::Duration::from_secs(5));
    let v = verdict(
        HUMAN,
        &format!(
            "x\n\nCo-authored-by: \u{1b}[31mClaude <noreply@anthropic.com>{}\n",
            "a".repeat(500)
        ),
    );
    assert_eq!(
        v.class,
        Class::NoEvidence,
        "value continues past the e-mail"
    );
    let v = verdict(
        HUMAN,
        "x\n\nCo-authored-by: \u{1b}[31mClaude <noreply@anthropic.com>\n",
    );
    assert_eq!(v.class, Class::AiAssisted);
    assert!(
        !v.evidence[0].text.contains('\u{1b}'),
        "control characters are replaced in excerpts"
    );
}

#[test]
fn slugs_from_captured_logins() {
    assert_eq!(
        slug("148906541+codeflash-ai[bot]").as_deref(),
        Some("codeflash-ai")
    );
    assert_eq!(slug("Claude Code").as_deref(), Some("claude-code"));
    assert_eq!(slug("MentatBot").as_deref(), Some("mentatbot"));
    assert_eq!(slug("--").as_deref(), None);
}

#[test]
fn merge_branch_names() {
    assert_eq!(
        merge_branch("Merge pull request #7 from owner/codex/add-x"),
        Some("codex/add-x")
    );
    assert_eq!(
        merge_branch("Merge branch 'claude/x-Ab3dE' into main"),
        Some("claude/x-Ab3dE")
    );
    assert_eq!(
        merge_branch("Merge remote-tracking branch 'origin/devin/1718000000-x'"),
        Some("devin/1718000000-x")
    );
    assert_eq!(merge_branch("Merged the pull request"), None);
}

// --- rule packs from users --------------------------------------------------------------------

fn pack(rules: &str) -> String {
    format!("schema = 1\nid = \"mine\"\ndescription = \"test\"\n\n{rules}")
}

const GOOD_RULE: &str = r#"[[rule]]
id = "mine.bot"
tool = "my-bot"
class = "ai-agent"
confidence = "high"
field = "author.email"
pattern = '^bot@mine\.example$'
source = "our own agent"
example = [{ author = "Bot <bot@mine.example>" }]
counter-example = [{ author = "Bot <bot@other.example>" }]
"#;

#[test]
fn user_packs_add_override_and_disable_rules() {
    let set = RuleSet::from_sources(&[("mine.toml".into(), pack(GOOD_RULE))]).unwrap();
    let v = classify(&commit("Bot <bot@mine.example>", "x"), &set);
    assert_eq!(
        (v.class, v.tool.as_deref()),
        (Class::AiAgent, Some("my-bot"))
    );

    let override_rule = GOOD_RULE
        .replace("mine.bot", "anthropic.web-author")
        .replace("my-bot", "claude-web");
    let set = RuleSet::from_sources(&[("mine.toml".into(), pack(&override_rule))]).unwrap();
    assert_eq!(set.rules().len(), rules().rules().len());
    assert_eq!(
        classify(&commit("Claude <noreply@anthropic.com>", "x"), &set).class,
        Class::NoEvidence
    );
    assert_eq!(
        classify(&commit("Bot <bot@mine.example>", "x"), &set)
            .tool
            .as_deref(),
        Some("claude-web")
    );

    let disable = "[[rule]]\nid = \"aider.subject-prefix\"\nenabled = false\nclass = \"ai-agent\"\nconfidence = \"high\"\nfield = \"subject\"\npattern = 'x'\nsource = \"off\"\nexample = [{}]\ncounter-example = [{}]\n";
    let set = RuleSet::from_sources(&[("off.toml".into(), pack(disable))]).unwrap();
    assert!(set.get("aider.subject-prefix").is_none());
    assert_eq!(
        classify(&commit(HUMAN, "aider: add x"), &set).class,
        Class::NoEvidence
    );
}

fn load_err(text: &str) -> String {
    let e = RuleSet::from_sources(&[("bad.toml".into(), text.to_string())]).unwrap_err();
    assert!(matches!(
        e,
        Error::Toml { .. } | Error::Pack { .. } | Error::Rule { .. }
    ));
    e.to_string()
}

#[test]
fn malformed_packs_name_the_file_rule_and_field() {
    assert_eq!(
        load_err(&pack(&GOOD_RULE.replace("'^bot@mine\\.example$'", "'^(bot'"))),
        "bad.toml: rule \"mine.bot\": field `pattern`: not a valid regular expression: regex parse error: ^(bot ^ error: unclosed group"
    );
    assert_eq!(
        load_err(&pack(&GOOD_RULE.replace("class = \"ai-agent\"", "class = \"robot\""))),
        "bad.toml: rule \"mine.bot\": field `class`: `robot` is not one of ai-agent, ai-assisted, automation, review"
    );
    assert_eq!(
        load_err(&pack(&GOOD_RULE.replace("pattern =", "patern ="))),
        "bad.toml: rule \"mine.bot\": field `patern`: unknown field `patern`, expected one of `id`, `signal`, `tool`, `class`, `confidence`, `field`, `pattern`, `also`, `unless`, `supporting`, `case-sensitive`, `enabled`, `source`, `example`, `counter-example`"
    );
    assert_eq!(
        load_err(&pack(&GOOD_RULE.replace("counter-example = [{ author = \"Bot <bot@other.example>\" }]\n", ""))),
        "bad.toml: rule \"mine.bot\": field `counter-example`: at least one example the rule must not match is required"
    );
    assert_eq!(
        load_err(&pack(&GOOD_RULE.replace("author.email", "author.mail"))),
        "bad.toml: rule \"mine.bot\": field `field`: `author.mail` is not a field (author, author.name, author.email, committer…, subject, line, trailer:KEY, note, note.agent, merge-branch)"
    );
    assert!(
        load_err("schema = 1\nid = [").starts_with("bad.toml:2:"),
        "{}",
        load_err("schema = 1\nid = [")
    );
    let huge = load_err(&pack(
        &GOOD_RULE.replace("'^bot@mine\\.example$'", "'\\w{10000}'"),
    ));
    assert!(
        huge.starts_with(
            "bad.toml: rule \"mine.bot\": field `pattern`: not a valid regular expression: "
        ),
        "{huge}"
    );
    // Conditions compile on first use for the built-in packs, but a user pack's are compiled at
    // load: an `unless` over the size limit is a load error naming the field.
    let huge_unless = load_err(&pack(&GOOD_RULE.replace(
        "source =",
        "unless = [{ field = \"subject\", pattern = '\\w{10000}' }]\nsource =",
    )));
    assert!(
        huge_unless.starts_with(
            "bad.toml: rule \"mine.bot\": field `unless.pattern`: not a valid regular expression: "
        ),
        "{huge_unless}"
    );
    assert_eq!(
        load_err(&pack(GOOD_RULE).replace("schema = 1", "schema = 9")),
        "bad.toml: pack field `schema`: version 9 is not supported (this build reads 1)"
    );
    let dup = format!("{GOOD_RULE}\n{GOOD_RULE}");
    assert!(
        RuleSet::from_sources(&[("dup.toml".into(), pack(&dup))]).is_ok(),
        "a user pack may restate a rule; the later one wins"
    );
}

#[test]
fn git_ai_notes_count_only_when_they_attest_ai_lines() {
    let meta = |attest: &str, json: &str| {
        format!("{attest}---\n{{\"schema_version\": \"authorship/3.0.0\", \"base_commit_sha\": \"0\", {json}}}")
    };
    let bot = "dependabot[bot] <49699333+dependabot[bot]@users.noreply.github.com>";
    let cases: &[(&str, String, Class, Option<&str>)] = &[
        (HUMAN, meta("", "\"prompts\": {}"), Class::NoEvidence, None),
        (
            HUMAN,
            meta(
                "a.rs\n  h_0123456789abcd 1-4\n",
                "\"prompts\": {}, \"humans\": {\"h_0123456789abcd\": {\"author\": \"D <d@x>\"}}",
            ),
            Class::NoEvidence,
            None,
        ),
        // A record without attested lines (its lines did not survive) is no evidence.
        (
            HUMAN,
            meta(
                "",
                "\"prompts\": {\"0123456789abcdef\": {\"agent_id\": {\"tool\": \"cursor\", \"id\": \"1\", \"model\": \"m\"}}}",
            ),
            Class::NoEvidence,
            None,
        ),
        (
            HUMAN,
            meta(
                "a.rs\n  s_0123456789abcd 1\n",
                "\"prompts\": {}, \"sessions\": {\"s_0123456789abcd\": {\"agent_id\": {\"tool\": \"mock_ai\", \"id\": \"1\", \"model\": \"unknown\"}}}",
            ),
            Class::NoEvidence,
            None,
        ),
        (bot, meta("", "\"prompts\": {}"), Class::Automation, Some("dependabot")),
        // An AI key whose record lives in another commit's note: AI, tool unknown to the note.
        (
            HUMAN,
            meta("a.rs\n  0123456789abcdef 2-3\n", "\"prompts\": {}"),
            Class::AiAssisted,
            Some("git-ai"),
        ),
        // A bot's commit with AI lines attested: the AI attribution wins, as for trailers.
        (
            bot,
            meta(
                "a.rs\n  s_0123456789abcd 1-2\n",
                "\"prompts\": {}, \"sessions\": {\"s_0123456789abcd\": {\"agent_id\": {\"tool\": \"continue-cli\", \"id\": \"1\", \"model\": \"m\"}}}",
            ),
            Class::AiAssisted,
            Some("continue"),
        ),
    ];
    for (author, note, class, tool) in cases {
        let mut c = commit(author, "Update");
        c.note = Some(note.clone());
        let v = classify(&c, rules());
        assert_eq!((v.class, v.tool.as_deref()), (*class, *tool), "{note}");
    }
}
