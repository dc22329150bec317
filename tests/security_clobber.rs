//! Issue 15, item 7: `-o` never overwrites a file or folder the run reads — the repository's
//! git folder (`evidence -o REPO/.git/HEAD` exited 0 and broke the repository), the manifests
//! scan reads beside a lockfile (`scan -o pyproject.toml`), the mirrors enrich reads.

use crate::common;

use std::path::Path;
use std::process::Command;

fn run(args: &[&str]) -> (i32, String) {
    let out = common::command().args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn git(dir: &Path, args: &[&str]) {
    let ok = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "A")
        .env("GIT_AUTHOR_EMAIL", "a@example.invalid")
        .env("GIT_COMMITTER_NAME", "A")
        .env("GIT_COMMITTER_EMAIL", "a@example.invalid")
        .status()
        .unwrap()
        .success();
    assert!(ok, "git {args:?}");
}

#[test]
fn evidence_never_writes_into_the_git_folder() {
    let d = tempfile::tempdir().unwrap();
    let repo = d.path().join("repo");
    std::fs::create_dir(&repo).unwrap();
    git(&repo, &["init", "-q", "-b", "main"]);
    git(&repo, &["commit", "-q", "--allow-empty", "-m", "one"]);
    git(&repo, &["commit", "-q", "--allow-empty", "-m", "two"]);
    let r = repo.to_str().unwrap();
    for target in [
        ".git/HEAD",
        ".git/refs/heads/main",
        ".git/config",
        ".git/new-file",
    ] {
        let dest = repo.join(target);
        let before = std::fs::read(&dest).ok();
        let (code, err) = run(&[
            "evidence",
            r,
            "--range",
            "main~1..main",
            "-o",
            dest.to_str().unwrap(),
        ]);
        assert_eq!(code, 2, "{target}: {err}");
        assert!(err.contains("reads"), "{target}: {err}");
        assert_eq!(std::fs::read(&dest).ok(), before, "{target} changed");
    }
    // Writing into the work tree (not read) is fine.
    let ok = repo.join("evidence.json");
    let (code, err) = run(&[
        "evidence",
        r,
        "--range",
        "main~1..main",
        "-o",
        ok.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn scan_never_overwrites_the_manifests_it_reads() {
    let d = tempfile::tempdir().unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/lockfiles/uv");
    for e in std::fs::read_dir(&src).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), d.path().join(e.file_name())).unwrap();
    }
    std::fs::write(
        d.path().join("pyproject.toml"),
        "[project]\nname = \"svc\"\nversion = \"1.0.0\"\n",
    )
    .unwrap();
    let dir = d.path().to_str().unwrap();
    for name in ["pyproject.toml", "uv.lock"] {
        let dest = d.path().join(name);
        let before = std::fs::read(&dest).unwrap();
        let (code, err) = run(&["scan", dir, "--no-enrich", "-o", dest.to_str().unwrap()]);
        assert_eq!(code, 2, "{name}: {err}");
        assert_eq!(std::fs::read(&dest).unwrap(), before, "{name} changed");
    }
}

#[test]
fn enrich_never_writes_into_a_mirror_it_reads() {
    let d = tempfile::tempdir().unwrap();
    let mirror = d.path().join("mirrors/github.com/o/r.git");
    std::fs::create_dir_all(&mirror).unwrap();
    git(&mirror, &["init", "-q", "--bare"]);
    let head = mirror.join("HEAD");
    let before = std::fs::read(&head).unwrap();
    let bom = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/example/bom.cdx.json");
    let (code, err) = run(&[
        "enrich",
        bom,
        "--offline",
        "--mirror-dir",
        d.path().join("mirrors").to_str().unwrap(),
        "-o",
        head.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(std::fs::read(&head).unwrap(), before);
}

/// `scan -o /dev/null` renamed a temporary file over the device, leaving a regular file at
/// `/dev/null` for every program on the machine (found while benchmarking issue 15). A FIFO
/// stands in for the device: it must stay a FIFO and receive the SBOM.
#[test]
fn scan_writes_through_a_special_file_instead_of_replacing_it() {
    use std::os::unix::fs::FileTypeExt;
    let d = tempfile::tempdir().unwrap();
    let fifo = d.path().join("out.fifo");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read(&fifo).unwrap())
    };
    let lockdir = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/lockfiles/npm");
    let (code, err) = run(&["scan", lockdir, "--no-enrich", "-o", fifo.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    // Checked before joining the reader, which would wait forever on a replaced FIFO.
    assert!(
        std::fs::symlink_metadata(&fifo)
            .unwrap()
            .file_type()
            .is_fifo(),
        "the FIFO was replaced by a regular file"
    );
    let got = reader.join().unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&got).unwrap();
    assert_eq!(doc["bomFormat"], "CycloneDX");
}

/// `reviews export -o` never writes inside the git folder it reads or the answer cache (found by
/// an attack: `-o REPO.git/config` emptied the repository's config).
#[test]
fn reviews_export_never_writes_inside_the_repository_or_the_cache() {
    let d = tempfile::tempdir().unwrap();
    let repo = d.path().join("gadget.git");
    common::import_fi("reviews/gadget.fi", &repo);
    let config = std::fs::read(repo.join("config")).unwrap();
    let cache = d.path().join("cache");
    std::fs::create_dir_all(&cache).unwrap();
    for dest in [
        repo.join("config"),
        repo.join("HEAD"),
        cache.join("x.jsonl"),
    ] {
        let run = common::aiprov(&[
            "reviews",
            "export",
            repo.to_str().unwrap(),
            "--range",
            "v1.0.0..v1.0.0",
            "--repository",
            "https://github.com/acme/gadget",
            "--offline",
            "--cache-dir",
            cache.to_str().unwrap(),
            "-o",
            dest.to_str().unwrap(),
        ]);
        assert_eq!(run.code, 2, "{}: {}", dest.display(), run.stderr);
        assert!(run.stderr.contains("-o"), "{}", run.stderr);
    }
    assert_eq!(std::fs::read(repo.join("config")).unwrap(), config);
    assert!(!cache.join("x.jsonl").exists());
}

/// `aiprov diff` takes `[defaults] fail-on` from the configuration like enrich, check and
/// report: a malformed default is bad input (exit 2) before anything is read.
#[test]
fn diff_reads_the_default_fail_on_of_the_configuration() {
    let d = tempfile::tempdir().unwrap();
    let cfg = d.path().join("aiprov.toml");
    std::fs::write(&cfg, "[defaults]\nfail-on = [\"x>0\"]\n").unwrap();
    let old = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/diff/aider-old.cdx.json");
    let run = common::aiprov(&[
        "diff",
        old.to_str().unwrap(),
        old.to_str().unwrap(),
        "--offline",
        "--config",
        cfg.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("x>0"), "{}", run.stderr);
}

/// Issue 15, item 10: a killed run leaves its `.aiprov-XXXXXXXX.tmp` (a partial output) beside
/// the destination; the next run writing there removes it — and nothing else: not a younger
/// one, not one a live run holds locked, not a symbolic link (nor what it points to), not a
/// file of another name, not a folder.
#[test]
fn the_next_run_removes_temporaries_a_killed_run_left() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let bom = d.path().join("bom.json");
    std::fs::write(
        &bom,
        r#"{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"components":[]}"#,
    )
    .unwrap();
    let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    let stale = |name: &str| {
        let p = out.join(name);
        std::fs::write(&p, b"{\"partial").unwrap();
        std::fs::File::options()
            .write(true)
            .open(&p)
            .unwrap()
            .set_modified(hour_ago)
            .unwrap();
        p
    };
    let killed = stale(".aiprov-Ab3dE6gH.tmp");
    let other_name = stale(".aiprov-short.tmp");
    let unrelated = stale("keep.tmp");
    let live = stale(".aiprov-L1veL1ve.tmp");
    let held = std::fs::File::open(&live).unwrap();
    held.lock().unwrap();
    let young = out.join(".aiprov-Y0ungY0u.tmp");
    std::fs::write(&young, b"{").unwrap();
    let secret = d.path().join("secret.txt");
    std::fs::write(&secret, b"keep me").unwrap();
    let link = out.join(".aiprov-L1nkL1nk.tmp");
    std::os::unix::fs::symlink(&secret, &link).unwrap();
    let folder = out.join(".aiprov-D1rD1rD1.tmp");
    std::fs::create_dir(&folder).unwrap();

    let dest = out.join("report.md");
    let (code, err) = run(&[
        "enrich",
        bom.to_str().unwrap(),
        "--offline",
        "-o",
        dest.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(dest.is_file());
    assert!(!killed.exists(), "the killed run's temporary is removed");
    for kept in [&other_name, &unrelated, &live, &young, &folder] {
        assert!(kept.exists(), "{} was removed", kept.display());
    }
    assert!(std::fs::symlink_metadata(&link).is_ok(), "the link is kept");
    assert_eq!(std::fs::read(&secret).unwrap(), b"keep me");
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            ".aiprov-D1rD1rD1.tmp",
            ".aiprov-L1nkL1nk.tmp",
            ".aiprov-L1veL1ve.tmp",
            ".aiprov-Y0ungY0u.tmp",
            ".aiprov-short.tmp",
            "keep.tmp",
            "report.md"
        ],
        "this run's own temporary is gone too"
    );
    drop(held);
}

/// Issue 15, item 10: `scan -o` (enriching) never writes inside the cache it reads, like
/// `enrich -o`; without enriching the cache is not read, and writing there is the user's call.
#[test]
fn scan_never_writes_inside_the_cache_it_enriches_from() {
    let d = tempfile::tempdir().unwrap();
    let project = d.path().join("project");
    std::fs::create_dir(&project).unwrap();
    let npm = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/lockfiles/npm");
    for name in ["package-lock.json", "package.json"] {
        std::fs::copy(npm.join(name), project.join(name)).unwrap();
    }
    let cache = d.path().join("cache");
    std::fs::create_dir_all(cache.join("mirrors")).unwrap();
    let dest = cache.join("mirrors/sbom.json");
    let (code, err) = run(&[
        "scan",
        project.to_str().unwrap(),
        "--offline",
        "--cache-dir",
        cache.to_str().unwrap(),
        "-o",
        dest.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("-o would write inside") && err.contains("which this run reads"),
        "{err}"
    );
    assert!(!dest.exists());
    let (code, err) = run(&[
        "scan",
        project.to_str().unwrap(),
        "--no-enrich",
        "--cache-dir",
        cache.to_str().unwrap(),
        "-o",
        dest.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(dest.exists());
}

/// Issue 15, item 10: `aiprov diff -q` prints nothing but errors (its summary line was still
/// printed), like the other subcommands; without -q the summary is there.
#[test]
fn diff_quiet_prints_nothing() {
    let d = tempfile::tempdir().unwrap();
    let old = d.path().join("old.json");
    let new = d.path().join("new.json");
    std::fs::write(
        &old,
        r#"{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"components":[]}"#,
    )
    .unwrap();
    std::fs::write(
        &new,
        r#"{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"components":[{"type":"library","bom-ref":"a","name":"a","version":"1.0.0"}]}"#,
    )
    .unwrap();
    let out = d.path().join("d.json");
    let args = |quiet: bool| {
        let mut a = vec![
            "diff",
            old.to_str().unwrap(),
            new.to_str().unwrap(),
            "--offline",
            "-o",
            out.to_str().unwrap(),
        ];
        if quiet {
            a.push("-q");
        }
        a.into_iter().map(String::from).collect::<Vec<_>>()
    };
    let loud = common::aiprov(&args(false).iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(loud.code, 0, "{}", loud.stderr);
    assert_eq!(
        loud.stderr,
        "aiprov: 1 component: 1 added, 0 downgraded, 0 removed, 0 unchanged, 0 upgraded; 0 commits walked, 0 AI\n"
    );
    let quiet = common::aiprov(&args(true).iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!((quiet.code, quiet.stderr.as_str()), (0, ""));
    assert!(out.exists());
}
