//! The mirror cache against a real git server on loopback: `git daemon`, started by this test,
//! serving repositories built from corpus replicas. Clone into an empty cache, two fetches of the
//! same repository at once, incremental fetch after new commits (notes and tags included), a
//! server without filter support, and offline use after the server is gone.

use crate::common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use aiprov::fetch::{ensure_mirror, Action, FetchError, FetchOptions};
use aiprov::resolve::{parse_repo_url, RepoUrl};

use crate::git_daemon;

use git_daemon::{git, git_ok, serve_replica, Daemon};

fn options(cache: &Path, port: u16) -> FetchOptions {
    let mut o = FetchOptions::new(cache);
    o.remotes.insert(
        "github.com".into(),
        format!("git://127.0.0.1:{port}/github.com"),
    );
    o.fresh_for = Duration::ZERO;
    o.timeout = Duration::from_secs(60);
    o
}

fn repo(url: &str) -> RepoUrl {
    parse_repo_url(url).unwrap().0
}

#[test]
#[ignore = "needs ../shared"]
fn clone_concurrently_fetch_incrementally_then_offline() {
    let shared = common::shared();
    let served = tempfile::tempdir().unwrap();
    let origin = serve_replica(&shared, served.path(), "sethmlarson", "socksio", true);
    let tip = git(&origin, &["rev-parse", "main"]);
    git(
        &origin,
        &[
            "notes",
            "--ref=ai",
            "add",
            "-m",
            "{\"agent\":\"claude-code\"}",
            &tip,
        ],
    );
    let commits = git(&origin, &["rev-list", "--count", "--all"]);
    let tags = git(&origin, &["tag", "--list"]);
    let daemon = Daemon::start(served.path());
    let cache = tempfile::tempdir().unwrap();
    let opts = options(cache.path(), daemon.port);
    let socksio = repo("https://github.com/sethmlarson/socksio");

    // Two fetches of the same repository into an empty cache, at once: one clones, the other
    // waits for the lock and then only fetches.
    let results: Vec<_> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..2)
            .map(|_| s.spawn(|| ensure_mirror(&socksio, &opts)))
            .collect();
        hs.into_iter().map(|h| h.join().unwrap().unwrap()).collect()
    });
    let mut actions: Vec<Action> = results.iter().map(|m| m.action).collect();
    actions.sort_by_key(|a| format!("{a:?}"));
    assert_eq!(actions, [Action::Cloned, Action::Fetched]);
    let mirror = cache
        .path()
        .join("mirrors/github.com/sethmlarson/socksio.git");
    assert!(results.iter().all(|m| m.path == mirror));
    let leftovers: Vec<String> = std::fs::read_dir(mirror.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        leftovers.len(),
        2,
        "the mirror and its lock file only: {leftovers:?}"
    );
    // One intact mirror: every commit, every tag, the notes; commits only (no trees).
    assert_eq!(git(&mirror, &["rev-list", "--count", "--all"]), commits);
    assert_eq!(git(&mirror, &["tag", "--list"]), tags);
    assert_eq!(git(&mirror, &["rev-parse", "HEAD"]), tip);
    assert_eq!(
        git(&mirror, &["notes", "--ref=ai", "show", &tip]),
        "{\"agent\":\"claude-code\"}"
    );
    assert_eq!(
        git(&mirror, &["config", "remote.origin.partialclonefilter"]),
        "tree:0"
    );
    assert!(
        !git_ok(&mirror, &["cat-file", "-e", &format!("{tip}^{{tree}}")]),
        "trees are not fetched"
    );
    let summary = common::command()
        .args(["commits", mirror.to_str().unwrap(), "--format", "summary"])
        .output()
        .unwrap();
    assert!(
        summary.status.success(),
        "{}",
        String::from_utf8_lossy(&summary.stderr)
    );
    let summary: serde_json::Value = serde_json::from_slice(&summary.stdout).unwrap();
    assert_eq!(summary["revision"], tip.as_str());

    // New commits, a new tag and a new note upstream: an incremental fetch brings them.
    let tree = git(&origin, &["rev-parse", &format!("{tip}^{{tree}}")]);
    let new = git(
        &origin,
        &[
            "commit-tree",
            &tree,
            "-p",
            &tip,
            "-m",
            "Add a release note\n\nCo-authored-by: Claude <noreply@anthropic.com>",
        ],
    );
    git(&origin, &["update-ref", "refs/heads/main", &new]);
    git(&origin, &["tag", "v9.9.9", &new]);
    git(
        &origin,
        &[
            "notes",
            "--ref=ai",
            "add",
            "-m",
            "{\"agent\":\"aider\"}",
            &new,
        ],
    );
    let m = ensure_mirror(&socksio, &opts).unwrap();
    assert_eq!(m.action, Action::Fetched);
    assert_eq!(git(&mirror, &["rev-parse", "refs/heads/main"]), new);
    assert_eq!(git(&mirror, &["rev-parse", "v9.9.9^{commit}"]), new);
    assert_eq!(
        git(&mirror, &["notes", "--ref=ai", "show", &new]),
        "{\"agent\":\"aider\"}"
    );
    // Fetched recently enough: left alone.
    let mut lazy = opts.clone();
    lazy.fresh_for = Duration::from_secs(3600);
    assert_eq!(
        ensure_mirror(&socksio, &lazy).unwrap().action,
        Action::Fresh
    );

    // The server goes away. Offline, the mirror is used as it is; what was never fetched is
    // an error that says so; online, the failure names the repository without credentials.
    let port = daemon.port;
    drop(daemon);
    let mut offline = opts.clone();
    offline.offline = true;
    let m = ensure_mirror(&socksio, &offline).unwrap();
    assert_eq!((m.action, m.path), (Action::Offline, mirror.clone()));
    let other = repo("https://github.com/ypcrts/fqdn");
    let e = ensure_mirror(&other, &offline).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!("git://127.0.0.1:{port}/github.com/ypcrts/fqdn.git: not in the mirror cache and --offline forbids fetching")
    );
    assert!(
        !cache.path().join("mirrors/github.com/ypcrts").exists(),
        "offline creates nothing"
    );
    let e = ensure_mirror(&socksio, &opts).unwrap_err();
    assert!(
        matches!(
            e,
            FetchError::Git {
                action: "fetch",
                ..
            }
        ),
        "{e}"
    );
    assert_eq!(
        git(&mirror, &["rev-parse", "refs/heads/main"]),
        new,
        "a failed fetch leaves the mirror as it was"
    );
}

#[test]
#[ignore = "needs ../shared"]
fn full_clone_when_the_server_refuses_filters() {
    let shared = common::shared();
    let served = tempfile::tempdir().unwrap();
    let origin = serve_replica(&shared, served.path(), "ypcrts", "fqdn", false);
    let daemon = Daemon::start(served.path());
    let cache = tempfile::tempdir().unwrap();
    let opts = options(cache.path(), daemon.port);
    let m = ensure_mirror(&repo("https://github.com/ypcrts/fqdn"), &opts).unwrap();
    assert_eq!(m.action, Action::Cloned);
    let tip = git(&origin, &["rev-parse", "main"]);
    assert_eq!(
        git(&m.path, &["rev-list", "--count", "--all"]),
        git(&origin, &["rev-list", "--count", "--all"])
    );
    assert!(
        git_ok(&m.path, &["cat-file", "-e", &format!("{tip}^{{tree}}")]),
        "a full clone has the trees"
    );
    // A repository the server does not have: a clean error, no half mirror left behind.
    let e = ensure_mirror(&repo("https://github.com/ypcrts/absent"), &opts).unwrap_err();
    assert!(
        matches!(
            e,
            FetchError::Git {
                action: "clone",
                ..
            }
        ),
        "{e}"
    );
    let dir = cache.path().join("mirrors/github.com/ypcrts");
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        !names
            .iter()
            .any(|n| n.starts_with("absent.git") && !n.ends_with("+lock")),
        "{names:?}"
    );
}

/// Two processes fetch the same repository into one empty cache at once: the file lock makes one
/// clone and the other wait, then fetch. The two processes are this test binary running this very
/// test in child mode ([`common::CHILD_CACHE`] set): the child fetches, prints `ACTION=…` and
/// returns.
#[test]
#[ignore = "needs ../shared"]
fn two_processes_share_one_cache() {
    if let Some(cache) = std::env::var_os(common::CHILD_CACHE) {
        let port = std::env::var("AIPROV_TEST_CHILD_PORT").unwrap();
        let opts = options(Path::new(&cache), port.parse().unwrap());
        let m = ensure_mirror(&repo("https://github.com/sethmlarson/socksio"), &opts).unwrap();
        println!("ACTION={:?}", m.action);
        return;
    }
    let shared = common::shared();
    let served = tempfile::tempdir().unwrap();
    let origin = serve_replica(&shared, served.path(), "sethmlarson", "socksio", true);
    let daemon = Daemon::start(served.path());
    let cache = tempfile::tempdir().unwrap();
    let children: Vec<_> = (0..2)
        .map(|_| {
            Command::new(std::env::current_exe().unwrap())
                .args([
                    "fetch::two_processes_share_one_cache",
                    "--exact",
                    "--ignored",
                    "--nocapture",
                    "--test-threads=1",
                ])
                .env(common::CHILD_CACHE, cache.path())
                .env("AIPROV_TEST_CHILD_PORT", daemon.port.to_string())
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut actions: Vec<String> = children
        .into_iter()
        .map(|c| {
            let out = c.wait_with_output().unwrap();
            assert!(out.status.success());
            let text = String::from_utf8(out.stdout).unwrap();
            text.lines()
                .find_map(|l| l.split("ACTION=").nth(1))
                .unwrap_or_else(|| panic!("{text}"))
                .to_string()
        })
        .collect();
    actions.sort();
    assert_eq!(actions, ["Cloned", "Fetched"]);
    let mirror = cache
        .path()
        .join("mirrors/github.com/sethmlarson/socksio.git");
    assert_eq!(
        git(&mirror, &["rev-list", "--count", "--all"]),
        git(&origin, &["rev-list", "--count", "--all"])
    );
}
