//! `aiprov evidence` end to end: the aider replica of the shared corpus for v0.85.0..v0.86.1
//! (14 aider-co-authored commits, none with review evidence), and `testdata/reviewed.fi`, a
//! history written for the test whose AI commits in v1.0..v1.1 all carry `Reviewed-by:` (an
//! unreviewed AI commit sits just before v1.0, so the range must leave it out). The
//! attestations are validated against the CycloneDX 1.6 schema.

use crate::common::{self, aiprov, git};
use crate::schema;

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde_json::{json, Value};

/// A bare repository imported from `testdata/reviewed.fi`.
fn reviewed_fixture() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("reviewed.git");
    common::import_fi("reviewed.fi", &repo);
    (dir, repo)
}

fn ids(v: &Value) -> Vec<String> {
    v["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["commit"].as_str().unwrap().to_string())
        .collect()
}

fn validate(v: &Value) {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    if let Err(e) = schema::validate_cyclonedx(v, &shared) {
        panic!(
            "the attestation is not valid CycloneDX 1.6:\n{}",
            e.join("\n")
        );
    }
}

#[test]
fn hiding_a_revision_walks_exactly_git_s_range() {
    let (_d, repo) = reviewed_fixture();
    let r = aiprov::history::Repo::open(&repo).unwrap();
    for (a, b) in [
        ("v1.0", "v1.1"),
        ("v1.0", "feature"),
        ("feature", "v1.1"),
        ("v1.1", "v1.0"),
        ("v1.1", "v1.1"),
    ] {
        let hidden = r.reachable(a).unwrap();
        let mut got = BTreeSet::new();
        let opts = aiprov::history::Options {
            rev: Some(b.into()),
            since: None,
        };
        r.walk_raw_hiding(&opts, &hidden, |e| {
            if let aiprov::history::RawEntry::Commit { id, .. } = e {
                got.insert(id.to_string());
            }
            true
        })
        .unwrap();
        let want: BTreeSet<String> = git(&repo, &["rev-list", &format!("{a}..{b}")])
            .lines()
            .map(str::to_string)
            .collect();
        assert_eq!(got, want, "{a}..{b}");
    }
}

#[test]
fn reviewed_fixture_passes_the_review_gate() {
    let (dir, repo) = reviewed_fixture();
    let cdxa = dir.path().join("cc8.1.cdx.json");
    let run = aiprov(&[
        "evidence",
        repo.to_str().unwrap(),
        "--range",
        "v1.0..v1.1",
        "--require-review",
        "--attestation",
        cdxa.to_str().unwrap(),
    ]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    // v1.0..v1.1: Release 1.1, the aider fix, Update docs, Add export command (on the PR
    // branch), Add rate limiter — newest committer date first; the merge is not a record.
    let subjects: Vec<&str> = v["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["subject"].as_str().unwrap())
        .collect();
    assert_eq!(
        subjects,
        [
            "chore: Release 1.1",
            "fix: Handle empty input in the exporter",
            "Update docs",
            "Add export command",
            "Add rate limiter"
        ]
    );
    let want: Vec<String> = git(&repo, &["rev-list", "--no-merges", "v1.0..v1.1"])
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(ids(&v), want);
    assert_eq!(
        v["metrics"],
        json!({"commits": 5, "merges": 1, "classes": {"ai-agent": 1, "ai-assisted": 2, "automation": 0, "no-evidence": 2},
               "tools": {"aider": 1, "claude-code": 1, "unspecified": 1}, "ai_commits": 3, "ai_with_review_evidence": 3,
               "ai_with_review_evidence_percent": 100.0, "commits_with_review_evidence": 4, "human_review_coverage_percent": 80.0,
               "commits_via_pull_request": 1})
    );
    assert_eq!(v["ai_without_review_evidence"], json!([]));
    let export = &v["records"][3];
    assert_eq!(
        (export["class"].as_str(), export["tool"].as_str()),
        (Some("ai-assisted"), None)
    );
    assert_eq!(
        export["ai"],
        json!({"tool": null, "name": "Claude Code", "model": "claude-opus-4", "version": "2.1.0"})
    );
    assert_eq!(
        export["prompted_by"],
        json!({"name": "Dev Three", "email": "dev-3@example.invalid", "via": "author"})
    );
    assert_eq!(
        export["reviewers"],
        json!([
            {"name": "Dev One", "email": "dev-1@example.invalid", "via": "Reviewed-By"},
            {"name": "Dev Two", "email": "dev-2@example.invalid", "via": "Approved-by"},
            {"name": "Dev Two", "email": "dev-2@example.invalid", "via": "pr-merge"},
        ])
    );
    assert_eq!(
        export["approval"],
        json!([{"name": "Dev Two", "email": "dev-2@example.invalid", "via": "Approved-by"}])
    );
    let merge = git(&repo, &["rev-parse", "v1.1~1^"]).trim().to_string();
    assert_eq!(
        export["pull_request"],
        json!({"number": 7, "kind": "merge", "merge_commit": merge,
               "merged_by": {"name": "Dev Two", "email": "dev-2@example.invalid", "time": "2025-10-09T09:43:20Z"},
               "merged_at": "2025-10-09T09:43:20Z"})
    );
    assert_eq!(
        export["review_date"], "2025-10-09T09:18:20Z",
        "the reviewed commit's committer date"
    );
    let limiter = &v["records"][4];
    assert_eq!(
        limiter["testing"],
        json!([{"key": "Tested-by", "value": "Dev Three <dev-3@example.invalid>"}])
    );
    assert_eq!(
        limiter["ai"],
        json!({"tool": "claude-code", "name": "Claude", "model": null, "version": null})
    );
    let aider = &v["records"][1];
    assert_eq!(
        (aider["class"].as_str(), aider["ai"]["name"].as_str()),
        (Some("ai-agent"), Some("aider"))
    );
    assert_eq!(aider["reviewed"], true);
    let release = &v["records"][0];
    assert_eq!(
        release["review"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["rule"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["review.reviewed-by", "review.gerrit"]
    );

    // The attestation: valid CycloneDX 1.6; every AI change supports the claim.
    let a: Value = serde_json::from_slice(&std::fs::read(&cdxa).unwrap()).unwrap();
    validate(&a);
    let decl = &a["declarations"];
    assert_eq!(
        a["definitions"]["standards"][0]["requirements"][0]["identifier"],
        "CC8.1"
    );
    assert_eq!(
        decl["evidence"].as_array().unwrap().len(),
        6,
        "five change records and the metrics"
    );
    assert_eq!(
        decl["claims"][0]["evidence"].as_array().unwrap().len(),
        4,
        "three reviewed AI changes and the metrics"
    );
    assert!(decl["claims"][0].get("counterEvidence").is_none());
    assert_eq!(
        decl["attestations"][0]["map"][0]["conformance"]["score"],
        json!(1.0)
    );
    assert_eq!(decl["targets"]["components"][0]["name"], "reviewed");
    let record: Value = serde_json::from_str(
        decl["evidence"][3]["data"][0]["contents"]["attachment"]["content"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        record, v["records"][3],
        "each evidence carries its change record"
    );
    assert_eq!(
        decl["evidence"][3]["reviewer"],
        json!({"name": "Dev One", "email": "dev-1@example.invalid"})
    );

    // Markdown names the same things.
    let run = aiprov(&[
        "evidence",
        repo.to_str().unwrap(),
        "--range",
        "v1.0..v1.1",
        "--format",
        "markdown",
    ]);
    assert_eq!(run.code, 0);
    assert!(
        run.stdout
            .starts_with("# Change evidence (SOC 2 CC8.1): v1.0..v1.1\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("| AI commits with review evidence | 3 (100.0%) |\n"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("| Add export command | Dev Three | Claude Code | claude-opus-4 | Dev Three (author) | disclosures.ai-generated: Claude Code 2.1.0 (claude-opus-4) | Dev One (Reviewed-By), Dev Two (Approved-by), Dev Two (pr-merge) | #7 | yes |\n"), "{}", run.stdout);
}

#[test]
fn the_gate_fails_when_the_range_holds_an_unreviewed_ai_commit() {
    let (_d, repo) = reviewed_fixture();
    let root = git(&repo, &["rev-list", "--max-parents=0", "main"])
        .trim()
        .to_string();
    let unreviewed = git(&repo, &["rev-parse", "v1.0"]).trim().to_string();
    let run = aiprov(&[
        "evidence",
        repo.to_str().unwrap(),
        "--range",
        &format!("{root}..v1.1"),
        "--require-review",
    ]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stderr,
        format!(
            "aiprov: AI commit without review evidence: {} feat: Add parser (unreviewed, before the release range) (ai-agent, aider)\n\
             aiprov: --require-review: 1 of 4 AI commit(s) in {root}..v1.1 have no review evidence (1 of them unknown: not looked up)\n",
            &unreviewed[..12]
        )
    );
    // bad input: exit 2
    for (range, message) in [
        (
            "v1.1",
            "`v1.1` is not a range; expected A..B, e.g. v1.2.0..v1.3.0",
        ),
        (
            "v1.0...v1.1",
            "a symmetric range (A...B) is not a release range; use A..B",
        ),
    ] {
        let run = aiprov(&["evidence", repo.to_str().unwrap(), "--range", range]);
        assert_eq!(run.code, 2, "{range}");
        assert!(run.stderr.contains(message), "{}", run.stderr);
    }
    let run = aiprov(&["evidence", repo.to_str().unwrap(), "--range", "v0.9..v1.1"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("unknown revision `v0.9`"),
        "{}",
        run.stderr
    );
    let run = aiprov(&["evidence", "/nonexistent", "--range", "a..b"]);
    assert_eq!((run.code, run.stdout.as_str()), (2, ""));
}

#[test]
#[ignore = "needs ../shared"]
fn aider_release_range() {
    let mirrors = common::corpus_mirrors();
    let repo = mirrors.join("github.com/Aider-AI/aider.git");
    let dir = tempfile::tempdir().unwrap();
    let cdxa = dir.path().join("aider-cc8.1.cdx.json");
    let run = aiprov(&[
        "evidence",
        repo.to_str().unwrap(),
        "--range",
        "v0.85.0..v0.86.1",
        "--attestation",
        cdxa.to_str().unwrap(),
    ]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    let v: Value = serde_json::from_str(&run.stdout).unwrap();

    // One record per non-merge commit of the range, as git lists it (72; 9 merges).
    let want: Vec<String> = git(&repo, &["rev-list", "--no-merges", "v0.85.0..v0.86.1"])
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(want.len(), 72);
    assert_eq!(ids(&v), want);
    assert_eq!(v["metrics"]["merges"], 9);

    // The AI commits, found independently: git's own trailer parser lists the aider
    // co-author (`aider (MODEL) <aider@aider.chat>`, aider's default since v0.85.0).
    let log = git(
        &repo,
        &[
            "log",
            "--no-merges",
            "--format=%H%x09%(trailers:key=Co-authored-by,valueonly,separator=%x2C)",
            "v0.85.0..v0.86.1",
        ],
    );
    let expected: Vec<(String, String)> = log
        .lines()
        .filter_map(|l| {
            let (id, coauthor) = l.split_once('\t')?;
            let rest = coauthor.strip_prefix("aider (")?;
            let (model, email) = rest.split_once(") <")?;
            email
                .starts_with("aider@aider.chat")
                .then(|| (id.to_string(), model.to_string()))
        })
        .collect();
    assert_eq!(expected.len(), 14);
    let ai: Vec<&Value> = v["records"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["class"] != "no-evidence")
        .collect();
    let got: Vec<(String, String)> = ai
        .iter()
        .map(|r| {
            (
                r["commit"].as_str().unwrap().to_string(),
                r["ai"]["model"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert_eq!(got, expected);
    for r in &ai {
        // each with its evidence: the rule, the field and the trailer it matched
        assert_eq!(
            (
                r["class"].as_str(),
                r["tool"].as_str(),
                r["confidence"].as_str()
            ),
            (Some("ai-assisted"), Some("aider"), Some("high"))
        );
        let e = &r["evidence"][0];
        assert_eq!(
            (e["rule"].as_str(), e["field"].as_str()),
            (Some("aider.co-author"), Some("trailer:co-authored-by"))
        );
        assert_eq!(
            e["text"].as_str().unwrap(),
            format!(
                "aider ({}) <aider@aider.chat>",
                r["ai"]["model"].as_str().unwrap()
            )
        );
        assert_eq!(r["ai"]["name"], "aider");
        assert_eq!(r["prompted_by"]["via"], "author");
        assert_eq!(
            (
                r["review"].as_array().unwrap().len(),
                r["reviewed"].as_bool()
            ),
            (0, Some(false))
        );
    }
    assert_eq!(ai[0]["commit"], "19f9ff4aeb7949e572a23c34630581706eee63c3");
    assert_eq!(ai[0]["ai"]["model"], "gemini/gemini-2.5-pro");
    // the one AI commit that came through a pull request: #4300, merged by someone else
    let pr: Vec<&&Value> = ai.iter().filter(|r| !r["pull_request"].is_null()).collect();
    assert_eq!(pr.len(), 1);
    assert_eq!(pr[0]["commit"], "05ef2f05dd5740e7c65f1ce5690cd9696d6db569");
    assert_eq!(pr[0]["pull_request"]["number"], 4300);
    assert_eq!(
        pr[0]["pull_request"]["merge_commit"],
        "63a6678deb6354065d0a45f901ba20af5b1fb56e"
    );
    assert_eq!(
        pr[0]["reviewers"],
        json!([{"name": "Dev d212a3da", "email": "dev-d212a3da@example.invalid", "via": "pr-merge"}])
    );
    assert_eq!(
        (
            v["metrics"]["ai_commits"].as_u64(),
            v["metrics"]["ai_with_review_evidence"].as_u64(),
            v["metrics"]["human_review_coverage_percent"].as_f64()
        ),
        (Some(14), Some(0), Some(0.0))
    );

    let a: Value = serde_json::from_slice(&std::fs::read(&cdxa).unwrap()).unwrap();
    validate(&a);
    assert_eq!(
        a["declarations"]["claims"][0]["counterEvidence"]
            .as_array()
            .unwrap()
            .len(),
        14
    );
    assert_eq!(
        a["declarations"]["attestations"][0]["map"][0]["conformance"],
        json!({"score": 0.0, "rationale": "0 of 14 AI changes carry review evidence."})
    );

    // --require-review: exit 1, naming every unreviewed AI commit
    let run = aiprov(&[
        "evidence",
        repo.to_str().unwrap(),
        "--range",
        "v0.85.0..v0.86.1",
        "--require-review",
    ]);
    assert_eq!(run.code, 1);
    let named: Vec<&str> = run
        .stderr
        .lines()
        .filter_map(|l| l.strip_prefix("aiprov: AI commit without review evidence: "))
        .map(|l| &l[..12])
        .collect();
    let want_named: Vec<&str> = expected.iter().map(|(id, _)| &id[..12]).collect();
    assert_eq!(named, want_named);
    assert!(run.stderr.ends_with("aiprov: --require-review: 14 of 14 AI commit(s) in v0.85.0..v0.86.1 have no review evidence (14 of them unknown: not looked up)\n"), "{}", run.stderr);
}
