//! Issue 15, items 1, 5 and 6: the mirror cache is untrusted. A cached mirror's config that
//! holds a command-bearing key (or any key aiprov did not write), a hook, a remote URL pointing
//! elsewhere, a symlinked entry or lock file, or a repository whose name looks like a temporary
//! clone must never run a command, fetch from elsewhere, or touch anything outside the cache.

use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::time::Duration;

use aiprov::fetch::{ensure_mirror, Action, FetchError, FetchOptions};
use aiprov::resolve::parse_repo_url;

use crate::git_daemon;

use git_daemon::git;

/// A served bare repository `served/github.com/<owner>/<name>.git` with one commit `msg`.
fn origin(served: &Path, owner: &str, name: &str, msg: &str) -> (PathBuf, String) {
    let repo = served
        .join("github.com")
        .join(owner)
        .join(format!("{name}.git"));
    std::fs::create_dir_all(&repo).unwrap();
    git(&repo, &["init", "-q", "--bare", "-b", "main"]);
    let tree = git(&repo, &["mktree"]);
    let c = git(&repo, &["commit-tree", &tree, "-m", msg]);
    git(&repo, &["update-ref", "refs/heads/main", &c]);
    (repo, c)
}

fn options(cache: &Path, served: &Path) -> FetchOptions {
    let mut o = FetchOptions::new(cache);
    o.remotes.insert(
        "github.com".into(),
        format!("file://{}/github.com", served.display()),
    );
    o.fresh_for = Duration::ZERO;
    o.timeout = Duration::from_secs(60);
    o
}

fn refused(r: Result<aiprov::fetch::Mirror, FetchError>) -> String {
    match r {
        Err(e @ FetchError::Refused { .. }) => e.to_string(),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn append(path: &Path, text: &str) {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new().append(true).open(path).unwrap();
    f.write_all(text.as_bytes()).unwrap();
}

#[test]
fn a_poisoned_mirror_config_runs_nothing_and_is_refused_naming_the_key() {
    let served = tempfile::tempdir().unwrap();
    let (_, _) = origin(served.path(), "o", "r", "first");
    let cache = tempfile::tempdir().unwrap();
    let opts = options(cache.path(), served.path());
    let repo = parse_repo_url("https://github.com/o/r").unwrap().0;
    let m = ensure_mirror(&repo, &opts).unwrap();
    assert_eq!(m.action, Action::Cloned);
    let config = m.path.join("config");
    let clean = std::fs::read(&config).unwrap();

    let marker = served.path().join("ran");
    let cmd = format!(
        "sh -c 'touch {}; exec git-upload-pack \"$@\"' sh",
        marker.display()
    );
    for (section, key) in [
        ("[remote \"origin\"]", "uploadpack"),
        ("[core]", "sshCommand"),
        ("[core]", "fsmonitor"),
        ("[core]", "gitProxy"),
        ("[credential]", "helper"),
        ("[core]", "hooksPath"),
    ] {
        std::fs::write(&config, &clean).unwrap();
        append(&config, &format!("{section}\n\t{key} = {cmd}\n"));
        let e = refused(ensure_mirror(&repo, &opts));
        let lower = key.to_ascii_lowercase();
        assert!(e.contains(&lower), "{key}: {e}");
        assert!(!marker.exists(), "{key} ran a command");
    }
    // An include pulls in keys from elsewhere: refused by name, never followed.
    std::fs::write(&config, &clean).unwrap();
    append(&config, "[include]\n\tpath = /etc/gitconfig\n");
    assert!(refused(ensure_mirror(&repo, &opts)).contains("include.path"));

    // A hook that is not a sample is refused too, and never runs.
    std::fs::write(&config, &clean).unwrap();
    let hook = m.path.join("hooks/reference-transaction");
    std::fs::create_dir_all(hook.parent().unwrap()).unwrap();
    std::fs::write(&hook, format!("#!/bin/sh\ntouch {}\n", marker.display())).unwrap();
    std::fs::set_permissions(&hook, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let e = refused(ensure_mirror(&repo, &opts));
    assert!(e.contains("hooks/reference-transaction"), "{e}");
    assert!(!marker.exists());
    std::fs::remove_file(&hook).unwrap();

    // The clean config fetches again.
    assert_eq!(ensure_mirror(&repo, &opts).unwrap().action, Action::Fetched);
}

#[test]
fn the_remote_url_in_a_cached_config_is_never_used() {
    let served = tempfile::tempdir().unwrap();
    let (_, good) = origin(served.path(), "o", "r", "good");
    let (evil_repo, evil) = origin(served.path(), "evil", "x", "evil");
    let cache = tempfile::tempdir().unwrap();
    let opts = options(cache.path(), served.path());
    let repo = parse_repo_url("https://github.com/o/r").unwrap().0;
    let m = ensure_mirror(&repo, &opts).unwrap();
    let url = format!("file://{}", evil_repo.display());
    git(&m.path, &["config", "remote.origin.url", &url]);
    git(&m.path, &["config", "remote.aiprov-notes.url", &url]);
    git(&m.path, &["update-ref", "-d", "refs/heads/main"]);
    assert_eq!(ensure_mirror(&repo, &opts).unwrap().action, Action::Fetched);
    assert_eq!(git(&m.path, &["rev-parse", "refs/heads/main"]), good);
    assert!(!git_daemon::git_ok(&m.path, &["cat-file", "-e", &evil]));
}

#[test]
fn symlinked_cache_entries_and_lock_files_are_refused() {
    let served = tempfile::tempdir().unwrap();
    origin(served.path(), "o", "r", "first");
    let outside = tempfile::tempdir().unwrap();
    let (victim, victim_tip) = origin(outside.path(), "v", "v", "victim");
    let cache = tempfile::tempdir().unwrap();
    let opts = options(cache.path(), served.path());
    let repo = parse_repo_url("https://github.com/o/r").unwrap().0;
    let dest = repo.mirror_path(&opts.mirrors_dir());
    std::fs::create_dir_all(dest.parent().unwrap()).unwrap();

    // The mirror itself is a symlink to a repository outside the cache.
    symlink(&victim, &dest).unwrap();
    let e = refused(ensure_mirror(&repo, &opts));
    assert!(e.contains("symbolic link"), "{e}");
    assert_eq!(git(&victim, &["rev-parse", "refs/heads/main"]), victim_tip);
    assert!(!victim.join("aiprov-fetched").exists());
    std::fs::remove_file(&dest).unwrap();

    // A folder on the way (the owner) is a symlink.
    let owner = dest.parent().unwrap();
    std::fs::remove_dir(owner).unwrap();
    symlink(outside.path(), owner).unwrap();
    assert!(refused(ensure_mirror(&repo, &opts)).contains("symbolic link"));
    std::fs::remove_file(owner).unwrap();
    std::fs::create_dir_all(owner).unwrap();

    // The lock file is a symlink to a file outside the cache.
    let target = outside.path().join("precious");
    std::fs::write(&target, b"keep").unwrap();
    let lock = owner.join("r.git+lock");
    symlink(&target, &lock).unwrap();
    assert!(refused(ensure_mirror(&repo, &opts)).contains("symbolic link"));
    assert_eq!(std::fs::read(&target).unwrap(), b"keep");
    std::fs::remove_file(&lock).unwrap();

    // An entry inside a mirror (the fetch stamp) is a symlink.
    let m = ensure_mirror(&repo, &opts).unwrap();
    std::fs::remove_file(m.path.join("aiprov-fetched")).unwrap();
    symlink(&target, m.path.join("aiprov-fetched")).unwrap();
    assert!(refused(ensure_mirror(&repo, &opts)).contains("symbolic link"));
    assert_eq!(std::fs::read(&target).unwrap(), b"keep");
}

#[test]
fn cloning_one_repository_never_removes_another_whose_name_looks_temporary() {
    let served = tempfile::tempdir().unwrap();
    origin(served.path(), "o", "x.git.tmp-1", "other");
    origin(served.path(), "o", "x", "x");
    let cache = tempfile::tempdir().unwrap();
    let opts = options(cache.path(), served.path());
    let other = parse_repo_url("https://github.com/o/x.git.tmp-1")
        .unwrap()
        .0;
    let other_mirror = ensure_mirror(&other, &opts).unwrap().path;
    assert!(other_mirror.join("HEAD").is_file());
    let x = parse_repo_url("https://github.com/o/x").unwrap().0;
    assert_eq!(ensure_mirror(&x, &opts).unwrap().action, Action::Cloned);
    assert!(
        other_mirror.join("HEAD").is_file(),
        "the mirror of o/x.git.tmp-1 was removed"
    );
}

/// Issue 15, item 10: a stale cached mirror whose refresh fails is still walked as last
/// fetched, but never silently: the component's `aiprov:status:reason` and stderr say so.
#[test]
fn a_failed_refresh_of_a_stale_mirror_is_said() {
    let served = tempfile::tempdir().unwrap();
    crate::common::import_fi(
        "enrich-widget.fi",
        &served.path().join("github.com/acme/widget.git"),
    );
    let daemon = git_daemon::Daemon::start(served.path());
    let dir = tempfile::tempdir().unwrap();
    let (bom, config, cache) = (
        dir.path().join("bom.json"),
        dir.path().join("aiprov.toml"),
        dir.path().join("cache"),
    );
    std::fs::write(
        &bom,
        r#"{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"components":[{"type":"library","bom-ref":"w","name":"widget","version":"1.0.0","purl":"pkg:github/acme/widget@1.0.0"}]}"#,
    )
    .unwrap();
    std::fs::write(
        &config,
        format!(
            "[git.remotes]\n\"github.com\" = \"git://127.0.0.1:{}/github.com\"\n",
            daemon.port
        ),
    )
    .unwrap();
    let enrich = |quiet: bool| {
        let mut args = vec![
            "enrich",
            bom.to_str().unwrap(),
            "--config",
            config.to_str().unwrap(),
            "--cache-dir",
            cache.to_str().unwrap(),
            "-o",
            "-",
        ];
        if quiet {
            args.push("-q");
        }
        let run = crate::common::aiprov(&args);
        let doc = run.json();
        let props: Vec<(String, String)> = doc["components"][0]["properties"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["name"].as_str().unwrap().to_string(),
                    p["value"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        (run, props)
    };
    let get = |props: &[(String, String)], name: &str| {
        props
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    let (run, props) = enrich(false);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(get(&props, "aiprov:status").as_deref(), Some("analyzed"));
    assert_eq!(get(&props, "aiprov:status:reason"), None, "{props:?}");
    assert!(!run.stderr.contains("refresh"), "{}", run.stderr);

    // The server goes away and the mirror's last fetch is a day old: the refresh fails.
    drop(daemon);
    let stamp = cache.join("mirrors/github.com/acme/widget.git/aiprov-fetched");
    assert!(stamp.exists());
    let day_ago = std::time::SystemTime::now() - Duration::from_secs(86_400);
    std::fs::File::options()
        .write(true)
        .open(&stamp)
        .unwrap()
        .set_modified(day_ago)
        .unwrap();
    for quiet in [false, true] {
        let (run, props) = enrich(quiet);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert_eq!(
            get(&props, "aiprov:status").as_deref(),
            Some("analyzed"),
            "walked as last fetched: {props:?}"
        );
        let reason = get(&props, "aiprov:status:reason").unwrap_or_default();
        assert!(
            reason.starts_with("the cached mirror could not be refreshed (git fetch failed")
                && reason.ends_with("walked as last fetched"),
            "{reason}"
        );
        assert!(
            run.stderr.contains(
                "aiprov: warning: 1 stale cached mirror could not be refreshed and was walked as last fetched (see aiprov:status:reason)"
            ),
            "quiet {quiet}: {}",
            run.stderr
        );
    }
}
