//! Issue 13 end to end: `aiprov commits` on `testdata/detect.fi`, a history written for the test
//! (git-ai notes in git-ai's authorship/3.x formats, the identities the catalog missed, the
//! trailer forms seen in the wild and their traps). Every commit's class, tool and deciding rule.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

fn fixture() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("detect.git");
    let git = |args: &[&str], stdin: Option<std::fs::File>| {
        let mut c = Command::new("git");
        c.args(args).env("GIT_CONFIG_NOSYSTEM", "1");
        if let Some(f) = stdin {
            c.stdin(f);
        }
        assert!(c.status().unwrap().success(), "git {args:?}");
    };
    git(&["init", "-q", "--bare", repo.to_str().unwrap()], None);
    let stream =
        std::fs::File::open(Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/detect.fi"))
            .unwrap();
    let r = repo.to_str().unwrap();
    git(
        &[
            "--git-dir",
            r,
            "fast-import",
            "--quiet",
            "--done",
            "--date-format=raw-permissive",
        ],
        Some(stream),
    );
    git(
        &["--git-dir", r, "symbolic-ref", "HEAD", "refs/heads/main"],
        None,
    );
    (dir, repo)
}

#[test]
fn every_commit_of_the_detection_fixture() {
    let (_d, repo) = fixture();
    let out = common::aiprov()
        .args(["commits", repo.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).as_ref()
        ),
        (Some(0), "")
    );
    let got: Vec<(String, String, Option<String>, Option<String>)> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            (
                v["subject"].as_str().unwrap().to_string(),
                v["class"].as_str().unwrap().to_string(),
                v["tool"].as_str().map(str::to_string),
                v["evidence"][0]["rule"].as_str().map(str::to_string),
            )
        })
        .collect();
    let want: &[(&str, &str, Option<&str>, Option<&str>)] = &[
        // A trailer written in prose stays no evidence.
        ("Prose: documents the trailer", "no-evidence", None, None),
        // Decision: a trailer collapsed onto the subject line is not a trailer (it is prose-shaped
        // and a subject quoting `Co-authored-by: …` must not count); the vendor footer in front
        // of it still matches.
        (
            "Collapsed: trailer only Co-Authored-By: Claude <noreply@anthropic.com>",
            "no-evidence",
            None,
            None,
        ),
        (
            "Collapsed: footer and trailer 🤖 Generated with [Claude Code](https://claude.com/claude-code) Co-Authored-By: Claude <noreply@anthropic.com>",
            "ai-assisted",
            Some("claude-code"),
            Some("anthropic.footer"),
        ),
        // An indented trailer under unindented revert text is a quote: no dedent.
        ("Revert \"Trailers: indented quote\"", "no-evidence", None, None),
        (
            "Trailers: body indented as a whole",
            "ai-assisted",
            Some("claude-code"),
            Some("anthropic.co-author"),
        ),
        (
            "Trailers: squash entry after the co-author block (#7)",
            "ai-assisted",
            Some("claude-code"),
            Some("anthropic.co-author"),
        ),
        (
            "Trailers: directly under the subject",
            "ai-assisted",
            Some("claude-code"),
            Some("anthropic.co-author"),
        ),
        (
            "aider 2023: context transcript",
            "ai-agent",
            Some("aider"),
            Some("aider.transcript"),
        ),
        (
            "aider 2023: chat header",
            "ai-agent",
            Some("aider"),
            Some("aider.chat-header"),
        ),
        ("Amp: author", "ai-agent", Some("amp"), Some("amp.author")),
        (
            "termai: footer and trailer",
            "ai-assisted",
            Some("opencode"),
            Some("termai.footer"),
        ),
        (
            "Codex: applied connector suggestion",
            "ai-assisted",
            Some("codex"),
            Some("openai-codex.connector-co-author"),
        ),
        (
            "Codex: co-author",
            "ai-assisted",
            Some("codex"),
            Some("openai-codex.co-author"),
        ),
        (
            "Codex: author",
            "ai-agent",
            Some("codex"),
            Some("openai-codex.author"),
        ),
        (
            "Continue: staging app author",
            "ai-agent",
            Some("continue"),
            Some("continue.app-author"),
        ),
        (
            "Continue: agent author",
            "ai-agent",
            Some("continue"),
            Some("continue.agent-author"),
        ),
        (
            "Continue: footer directly above the trailer",
            "ai-assisted",
            Some("continue"),
            Some("continue.footer"),
        ),
        // Bots with notes that attest no AI line stay automation.
        (
            "Regenerate fixtures",
            "automation",
            Some("github-actions"),
            Some("automation.github-actions"),
        ),
        (
            "Bump serde from 1.0.1 to 1.0.2",
            "automation",
            Some("dependabot"),
            Some("automation.dependabot"),
        ),
        ("git-ai: mock_ai test preset", "no-evidence", None, None),
        // git-ai's `claude` is Claude Code.
        (
            "git-ai: mixed human and AI lines",
            "ai-assisted",
            Some("claude-code"),
            Some("disclosures.git-ai-note"),
        ),
        (
            "git-ai: AI lines, legacy prompt record",
            "ai-assisted",
            Some("cursor"),
            Some("disclosures.git-ai-note"),
        ),
        ("git-ai: human lines only", "no-evidence", None, None),
        ("git-ai: empty note", "no-evidence", None, None),
    ];
    let want: Vec<_> = want
        .iter()
        .map(|(s, c, t, r)| {
            (
                s.to_string(),
                c.to_string(),
                t.map(str::to_string),
                r.map(str::to_string),
            )
        })
        .collect();
    assert_eq!(got, want);
}
