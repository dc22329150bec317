//! Issue 15, items 9 and 10, in the history walk: commit headers git accepts but that are not
//! well formed (zone `abc`, hex time, no e-mail, times outside RFC 3339) are read as git reads
//! them and marked instead of stopping the walk; a corrupt object store exits 3, not 2; a huge
//! commit message is read only as far as it is examined.

use crate::common;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

/// A fresh repository with one well-formed commit; returns (its id, its tree id).
fn base_repo(dir: &Path) -> (String, String) {
    common::git(dir, &["init", "-q", "-b", "main"]);
    common::git(dir, &["commit", "-q", "--allow-empty", "-m", "base"]);
    let head = common::git(dir, &["rev-parse", "HEAD"]);
    let tree = common::git(dir, &["rev-parse", "HEAD^{tree}"]);
    (head.trim().to_string(), tree.trim().to_string())
}

/// Write a commit object verbatim (`git hash-object --literally`); returns its id.
fn write_commit(dir: &Path, body: &[u8]) -> String {
    let mut child = Command::new("git")
        .args([
            "hash-object",
            "-w",
            "--literally",
            "-t",
            "commit",
            "--stdin",
        ])
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(body).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

fn commit_text(tree: &str, parent: &str, author: &str, committer: &str, message: &str) -> String {
    format!("tree {tree}\nparent {parent}\nauthor {author}\ncommitter {committer}\n\n{message}\n")
}

fn records(stdout: &str) -> Vec<serde_json::Value> {
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn headers_git_accepts_are_read_marked_and_the_walk_goes_on() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    let (mut parent, tree) = base_repo(dir);
    let ok = "C <c@example.invalid> 1700000000 +0000";
    let cases: &[(&str, &str, &str)] = &[
        ("zone abc", "A <a@example.invalid> 1700000000 abc", ok),
        ("hex time", "A <a@example.invalid> 0x65 +0000", ok),
        ("empty e-mail", "A <> 1700000000 +0000", ok),
        ("no e-mail", "A 1700000000 +0000", ok),
        ("negative", "A <a@example.invalid> -100 +0000", ok),
        ("year 33658", "A <a@example.invalid> 999999999999 +0000", ok),
        (
            "committer zone",
            ok,
            "C <c@example.invalid> 1700000000 +99999",
        ),
    ];
    for (subject, author, committer) in cases {
        let body = commit_text(&tree, &parent, author, committer, subject);
        parent = write_commit(dir, body.as_bytes());
    }
    common::git(dir, &["update-ref", "refs/heads/main", &parent]);

    let run = common::aiprov(&["commits", dir.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let got: Vec<(String, String, String, String, serde_json::Value)> = records(&run.stdout)
        .iter()
        .map(|r| {
            (
                r["subject"].as_str().unwrap().to_string(),
                r["author"]["name"].as_str().unwrap().to_string(),
                r["author"]["email"].as_str().unwrap().to_string(),
                r["author"]["time"].as_str().unwrap().to_string(),
                r.get("anomalies")
                    .cloned()
                    .unwrap_or(serde_json::Value::Null),
            )
        })
        .collect();
    let row = |s: &str, n: &str, e: &str, t: &str, a: serde_json::Value| {
        (
            s.to_string(),
            n.to_string(),
            e.to_string(),
            t.to_string(),
            a,
        )
    };
    use serde_json::json;
    let null = serde_json::Value::Null;
    let date = "2023-11-14T22:13:20Z";
    assert_eq!(
        got,
        vec![
            row(
                "committer zone",
                "C",
                "c@example.invalid",
                date,
                json!(["committer.zone"])
            ),
            row(
                "year 33658",
                "A",
                "a@example.invalid",
                "9999-12-31T23:59:59Z",
                json!(["author.clamped"])
            ),
            row(
                "negative",
                "A",
                "a@example.invalid",
                "1969-12-31T23:58:20Z",
                json!(["author.time"])
            ),
            row(
                "no e-mail",
                "",
                "",
                "1970-01-01T00:00:00Z",
                json!(["author.ident"])
            ),
            row("empty e-mail", "A", "", date, null.clone()),
            row(
                "hex time",
                "A",
                "a@example.invalid",
                "1970-01-01T00:00:00Z",
                json!(["author.time"])
            ),
            row(
                "zone abc",
                "A",
                "a@example.invalid",
                date,
                json!(["author.zone"])
            ),
            row("base", "Dev", "dev@example.invalid", &got[7].3, null),
        ]
    );
}

#[test]
fn a_corrupt_object_store_exits_3_and_an_unknown_revision_2() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    let (head, _) = base_repo(dir);
    let repo = dir.to_str().unwrap();
    common::git(dir, &["update-ref", "--no-deref", "refs/heads/gone", &head]);
    // The tip's loose object, truncated: the store is corrupt, the input is fine.
    let path = dir.join(".git/objects").join(&head[..2]).join(&head[2..]);
    let bytes = std::fs::read(&path).unwrap();
    let mut perms = std::fs::metadata(&path).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&path, perms).unwrap();
    std::fs::write(&path, &bytes[..6]).unwrap();
    for args in [
        vec!["commits", repo],
        vec!["commits", repo, "--rev", "main"],
        vec!["commits", repo, "--rev", &head],
        vec!["evidence", repo, "--range", "HEAD..HEAD"],
    ] {
        let run = common::aiprov(&args);
        assert_eq!(run.code, 3, "{args:?}: {}", run.stderr);
        assert!(
            run.stderr.contains(
                "names an object that cannot be read (corrupt or incomplete object store)"
            ),
            "{}",
            run.stderr
        );
    }
    // A ref to an object that is not there at all: the store is incomplete.
    std::fs::remove_file(&path).unwrap();
    let run = common::aiprov(&["commits", repo, "--rev", "gone"]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    // A revision the repository does not have is still bad input.
    let run = common::aiprov(&["commits", repo, "--rev", "no-such-branch"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("unknown revision"), "{}", run.stderr);
}

/// Run to the end; (exit code, stdout, stderr, the largest `VmHWM` seen in KiB). `VmHWM` is the
/// process's own high-water mark, sampled every millisecond (`wait4`'s `ru_maxrss` would count
/// the test process's pages copied by fork before exec).
fn run_measured(mut cmd: Command) -> (i32, String, String, u64) {
    let d = tempfile::tempdir().unwrap();
    let (out, err) = (d.path().join("out"), d.path().join("err"));
    cmd.stdout(std::fs::File::create(&out).unwrap())
        .stderr(std::fs::File::create(&err).unwrap());
    let mut child = cmd.spawn().unwrap();
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        let hwm = std::fs::read_to_string(&status_file)
            .ok()
            .and_then(|s| {
                let line = s.lines().find(|l| l.starts_with("VmHWM:"))?.to_string();
                line.split_whitespace().nth(1)?.parse::<u64>().ok()
            })
            .unwrap_or(0);
        peak = peak.max(hwm);
        std::thread::sleep(std::time::Duration::from_millis(1));
    };
    (
        status.code().unwrap_or(-1),
        std::fs::read_to_string(out).unwrap(),
        std::fs::read_to_string(err).unwrap(),
        peak,
    )
}

#[test]
fn a_200_mb_commit_message_is_read_only_as_far_as_it_is_examined() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    let (base, tree) = base_repo(dir);
    // 200 MB of message, streamed into git (stored loose, about 200 KB compressed).
    let mut child = Command::new("git")
        .args([
            "hash-object",
            "-w",
            "--literally",
            "-t",
            "commit",
            "--stdin",
        ])
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    {
        let mut w = std::io::BufWriter::new(child.stdin.take().unwrap());
        let head = commit_text(
            &tree,
            &base,
            "Codex <codex@openai.com> 1700000000 +0000",
            "Codex <codex@openai.com> 1700000000 +0000",
            "Huge message",
        );
        w.write_all(head.as_bytes()).unwrap();
        let line = [b'x'; 1023];
        for _ in 0..200 * 1024 {
            w.write_all(&line).unwrap();
            w.write_all(b"\n").unwrap();
        }
    }
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let huge = String::from_utf8(out.stdout).unwrap().trim().to_string();
    common::git(dir, &["update-ref", "refs/heads/main", &huge]);

    let mut cmd = common::command();
    cmd.args(["commits", dir.to_str().unwrap()]);
    let (code, stdout, stderr, rss_kib) = run_measured(cmd);
    assert_eq!(code, 0, "{stderr}");
    let recs = records(&stdout);
    let subjects: Vec<&str> = recs
        .iter()
        .map(|r| r["subject"].as_str().unwrap())
        .collect();
    assert_eq!(
        subjects,
        ["Huge message", "base"],
        "the walk goes on past it"
    );
    assert_eq!(recs[0]["class"], "ai-agent");
    assert!(
        rss_kib < 100 * 1024,
        "peak RSS {rss_kib} KiB for a 200 MB message"
    );

    // Packed, an object over the limit cannot be read in part: an error record saying why.
    let mut big = commit_text(
        &tree,
        &base,
        "A <a@example.invalid> 1700000000 +0000",
        "A <a@example.invalid> 1700000000 +0000",
        "Big",
    );
    big.push_str(&"y".repeat(2 * 1024 * 1024));
    let id = write_commit(dir, big.as_bytes());
    common::git(dir, &["update-ref", "refs/heads/main", &id]);
    common::git(dir, &["repack", "-a", "-d", "-q"]);
    let run = common::aiprov(&["commits", dir.to_str().unwrap()]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    let recs = records(&run.stdout);
    assert_eq!(recs.len(), 1);
    assert_eq!(recs[0]["id"], id.as_str());
    assert_eq!(
        recs[0]["error"],
        format!(
            "commit object is {} bytes, more than the 1048576 aiprov reads, and packed (only a loose object is read in part): not read",
            big.len()
        )
    );
}
