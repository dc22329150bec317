//! `aiprov commits` end to end on a history written for the test (`testdata/history.fi`), and on
//! bad input.

use crate::common::{self, aiprov, git};

use std::path::PathBuf;
use std::process::Stdio;

use serde_json::Value;

/// A bare repository imported from `testdata/history.fi`.
fn fixture() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("fixture.git");
    common::import_fi("history.fi", &repo);
    (dir, repo)
}

fn lines(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn row(v: &Value) -> (String, String, Option<String>, bool) {
    (
        v["subject"].as_str().unwrap().to_string(),
        v["class"].as_str().unwrap().to_string(),
        v["tool"].as_str().map(str::to_string),
        v["merge"].as_bool().unwrap(),
    )
}

fn r(s: &str, c: &str, t: Option<&str>, m: bool) -> (String, String, Option<String>, bool) {
    (s.into(), c.into(), t.map(str::to_string), m)
}

#[test]
fn classifies_every_commit_of_the_fixture() {
    let (_d, repo) = fixture();
    let run = aiprov(&["commits", repo.to_str().unwrap()]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    let got: Vec<_> = lines(&run.stdout).iter().map(row).collect();
    assert_eq!(
        got,
        vec![
            // git-ai note on refs/notes/ai; the subject's tool words are prose.
            r(
                "Use gpt-5 in the cursor docs, not aider",
                "ai-assisted",
                Some("cursor"),
                false
            ),
            r(
                "Merge pull request #2 from owner/devin/1718000000-add-x",
                "ai-agent",
                Some("devin"),
                true
            ),
            r("Add x", "ai-agent", Some("devin"), false),
            // `(aider)` on the committer only, and a malformed time zone.
            r(
                "fix: my own change, with a bad zone",
                "no-evidence",
                None,
                false
            ),
            r(
                "feat: Add retries to fetcher",
                "ai-agent",
                Some("aider"),
                false
            ),
            r("Add parser (#1)", "ai-assisted", Some("claude-code"), false),
            r("Initial commit", "no-evidence", None, false),
        ]
    );
    let all = lines(&run.stdout);
    let parser = &all[5];
    assert_eq!(
        parser["author"],
        serde_json::json!({"name": "Dev Two", "email": "dev-2@example.invalid", "time": "2023-11-15T00:30:00+02:00"})
    );
    assert_eq!(parser["committer"]["name"], "GitHub");
    assert_eq!(parser["confidence"], "high");
    assert_eq!(
        parser["evidence"],
        serde_json::json!([{"rule": "anthropic.co-author", "field": "trailer:co-authored-by", "text": "Claude Opus 4.7 (1M context) <noreply@anthropic.com>"}])
    );
    assert_eq!(all[3]["author"]["time"], "2023-11-14T23:03:20Z");
    assert_eq!(all[3]["confidence"], Value::Null);
    assert_eq!(all[1]["review"][0]["rule"], "review.reviewed-by");
    assert_eq!(
        all[2]["review"],
        serde_json::json!([]),
        "an agent crediting its requester is not review"
    );
    assert_eq!(all[0]["id"].as_str().unwrap().len(), 40);
}

#[test]
fn summary_counts_non_merge_commits() {
    let (_d, repo) = fixture();
    let run = aiprov(&["commits", repo.to_str().unwrap(), "--format", "summary"]);
    assert_eq!(run.code, 0);
    let s: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(s["commits"], 6);
    assert_eq!(s["merges"], 1);
    assert_eq!(
        s["classes"],
        serde_json::json!({"ai-agent": 2, "ai-assisted": 2, "automation": 0, "no-evidence": 2})
    );
    assert_eq!(
        s["tools"],
        serde_json::json!({"aider": 1, "claude-code": 1, "cursor": 1, "devin": 1})
    );
    assert_eq!(s["ai_with_review"], 0);
    assert_eq!(s["ai_first"], "2023-11-15T00:30:00+02:00");
    assert_eq!(s["ai_last"], "2023-11-14T23:53:20Z");
}

#[test]
fn rev_and_since_limit_the_walk() {
    let (_d, repo) = fixture();
    let run = aiprov(&["commits", repo.to_str().unwrap(), "--rev", "v1.0"]);
    let subjects: Vec<_> = lines(&run.stdout).iter().map(|v| row(v).0).collect();
    assert_eq!(
        subjects,
        vec![
            "feat: Add retries to fetcher",
            "Add parser (#1)",
            "Initial commit"
        ]
    );
    let run = aiprov(&[
        "commits",
        repo.to_str().unwrap(),
        "--since",
        "2023-11-14T23:30:00Z",
    ]);
    let subjects: Vec<_> = lines(&run.stdout).iter().map(|v| row(v).0).collect();
    assert_eq!(
        subjects,
        vec![
            "Use gpt-5 in the cursor docs, not aider",
            "Merge pull request #2 from owner/devin/1718000000-add-x"
        ]
    );
}

#[test]
fn reads_work_trees_and_their_git_dir() {
    let (d, repo) = fixture();
    let wt = d.path().join("wt");
    git(
        d.path(),
        &["clone", "-q", repo.to_str().unwrap(), wt.to_str().unwrap()],
    );
    for path in [wt.clone(), wt.join(".git")] {
        let run = aiprov(&["commits", path.to_str().unwrap(), "--format", "summary"]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let s: Value = serde_json::from_str(&run.stdout).unwrap();
        assert_eq!(s["commits"], 6);
    }
}

#[test]
fn bad_input_is_one_line_and_exit_2() {
    let (d, repo) = fixture();
    let empty = d.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let run = aiprov(&["commits", empty.to_str().unwrap()]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.starts_with(&format!(
            "aiprov: {}: not a git repository",
            empty.display()
        )),
        "{}",
        run.stderr
    );
    assert_eq!(run.stderr.lines().count(), 1);
    assert_eq!(run.stdout, "");

    let run = aiprov(&["commits", repo.to_str().unwrap(), "--rev", "no-such-branch"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.starts_with(&format!(
            "aiprov: {}: unknown revision `no-such-branch`",
            repo.display()
        )),
        "{}",
        run.stderr
    );
    assert_eq!(run.stderr.lines().count(), 1);

    let pack = d.path().join("bad.toml");
    std::fs::write(
        &pack,
        "schema = 1\nid = \"bad\"\ndescription = \"x\"\n[[rule]]\nid = \"bad.one\"\nclass = \"ai-agent\"\nconfidence = \"sure\"\nfield = \"subject\"\npattern = 'x'\nsource = \"s\"\nexample = [{}]\ncounter-example = [{}]\n",
    )
    .unwrap();
    let run = aiprov(&[
        "commits",
        repo.to_str().unwrap(),
        "--rules",
        pack.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr,
        format!("aiprov: {}: rule \"bad.one\": field `confidence`: `sure` is not one of high, medium, low\n", pack.display())
    );

    let run = aiprov(&["commits", repo.to_str().unwrap(), "--since", "yesterday"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("`yesterday` is not a date"),
        "{}",
        run.stderr
    );

    let missing = d.path().join("missing.toml");
    let run = aiprov(&[
        "commits",
        repo.to_str().unwrap(),
        "--rules",
        missing.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.starts_with(&format!(
            "aiprov: {}: cannot read rule pack: ",
            missing.display()
        )),
        "{}",
        run.stderr
    );
}

#[test]
fn a_missing_object_is_an_error_record_and_exit_3() {
    let d = tempfile::tempdir().unwrap();
    let wt = d.path();
    git(wt, &["init", "-q", "-b", "main"]);
    for m in ["one", "two", "three"] {
        git(wt, &["commit", "-q", "--allow-empty", "-m", m]);
    }
    let two = git(wt, &["rev-parse", "HEAD~1"]).trim().to_string();
    std::fs::remove_file(wt.join(".git/objects").join(&two[..2]).join(&two[2..])).unwrap();
    let run = aiprov(&["commits", wt.to_str().unwrap()]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    let all = lines(&run.stdout);
    assert_eq!(all.len(), 2);
    assert_eq!(all[0]["subject"], "three");
    assert_eq!(
        all[1],
        serde_json::json!({"id": two, "error": "object not found in the repository"})
    );
    assert_eq!(
        run.stderr,
        "aiprov: 1 commit(s) could not be read; see the error records\n"
    );
}

#[test]
fn a_corrupt_object_is_an_error_record_and_exit_3() {
    let d = tempfile::tempdir().unwrap();
    let wt = d.path();
    git(wt, &["init", "-q", "-b", "main"]);
    for m in ["one", "two", "three"] {
        git(wt, &["commit", "-q", "--allow-empty", "-m", m]);
    }
    let two = git(wt, &["rev-parse", "HEAD~1"]).trim().to_string();
    let path = wt.join(".git/objects").join(&two[..2]).join(&two[2..]);
    let mut perms = std::fs::metadata(&path).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&path, perms).unwrap();
    std::fs::write(&path, b"this is not zlib data").unwrap();
    let run = aiprov(&["commits", wt.to_str().unwrap(), "--format", "summary"]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    // The summary counts what could be read; the error record comes first.
    let mut records = run.stdout.splitn(2, '\n');
    let error: Value = serde_json::from_str(records.next().unwrap()).unwrap();
    assert_eq!(error["id"], two.as_str());
    assert!(
        error["error"]
            .as_str()
            .unwrap()
            .starts_with("cannot read object: "),
        "{error}"
    );
    let summary: Value = serde_json::from_str(records.next().unwrap()).unwrap();
    assert_eq!(
        (summary["commits"].as_u64(), summary["errors"].as_u64()),
        (Some(1), Some(1))
    );
}

#[test]
fn a_shallow_clone_ends_at_its_boundary() {
    let (d, repo) = fixture();
    let shallow = d.path().join("shallow");
    let url = format!("file://{}", repo.display());
    git(
        d.path(),
        &[
            "clone",
            "-q",
            "--depth",
            "2",
            &url,
            shallow.to_str().unwrap(),
        ],
    );
    let run = aiprov(&["commits", shallow.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let subjects: Vec<_> = lines(&run.stdout).iter().map(|v| row(v).0).collect();
    // Depth 2: the tip and the merge; the merge is the boundary, its parents are not there.
    assert_eq!(
        subjects,
        vec![
            "Use gpt-5 in the cursor docs, not aider",
            "Merge pull request #2 from owner/devin/1718000000-add-x"
        ]
    );
    assert!(lines(&run.stdout).iter().all(|v| v.get("error").is_none()));
    assert!(run.stderr.contains("is a shallow clone"), "{}", run.stderr);
}

#[test]
fn a_closed_stdout_exits_0() {
    let (_d, repo) = fixture();
    let mut child = common::command()
        .args(["commits", repo.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
