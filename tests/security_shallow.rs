//! Issue 15, item 9: a `shallow` file of ids sharing a long prefix made `commits` run for
//! 40 minutes: gix's id hash set hashes the first 8 bytes of an id (fine for real SHA-1s,
//! which an attacker cannot choose), so chosen ids collide and every insert scans them all.
//! Sets of ids taken from a repository now use a keyed hasher.

use crate::common;

use std::process::Command;
use std::time::Instant;

#[test]
fn a_shallow_file_of_colliding_ids_is_read_in_linear_time() {
    let d = tempfile::tempdir().unwrap();
    let repo = d.path().join("r.git");
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .arg("--git-dir")
            .arg(&repo)
            .args(args)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", "A")
            .env("GIT_AUTHOR_EMAIL", "a@example.invalid")
            .env("GIT_COMMITTER_NAME", "A")
            .env("GIT_COMMITTER_EMAIL", "a@example.invalid")
            .output()
            .unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    };
    git(&["init", "-q", "--bare"]);
    let tree = git(&["mktree"]);
    let c = git(&["commit-tree", &tree, "-m", "x"]);
    git(&["update-ref", "refs/heads/main", &c]);
    git(&["symbolic-ref", "HEAD", "refs/heads/main"]);
    let mut shallow = String::new();
    for i in 0..40_000u64 {
        shallow.push_str(&format!("abcdef0123456789abcdef01{i:016x}\n"));
    }
    shallow.push_str(&c);
    shallow.push('\n');
    std::fs::write(repo.join("shallow"), shallow).unwrap();
    let t = Instant::now();
    let out = common::command()
        .args(["commits", repo.to_str().unwrap(), "--format", "summary"])
        .output()
        .unwrap();
    let secs = t.elapsed().as_secs_f64();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["revision"], c.as_str());
    // Linear: well under a second even in a debug build; colliding: minutes.
    assert!(secs < 20.0, "{secs:.1} s for a 40k-line shallow file");
}
